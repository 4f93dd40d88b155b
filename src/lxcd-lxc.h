/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: liblxc calls, run in worker threads only */
#pragma once

#include <gio/gio.h>

#include "lxcd-util.h"

G_BEGIN_DECLS

/* What the service knows about one container, read from disk and liblxc. */
typedef struct {
  char     *lxcpath;
  char     *name;
  gboolean  exists;      /* defined, or running */
  gboolean  defined;     /* config file present, creation finished */
  LxcdState state;
  gint      init_pid;    /* -1 when not running */
  char     *config_file;
  gboolean  autostart;
  gboolean  privileged;  /* no lxc.idmap (or unknown) */
  guint32   idmap_uid_base; /* host uid of its root, 0 if not mapped */
} LxcdInfo;

void      lxcd_info_free (LxcdInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxcdInfo, lxcd_info_free)

LxcdInfo *lxcd_lxc_read_info  (const char *lxcpath, const char *name);
char    **lxcd_lxc_list_names (const char *lxcpath, gboolean *out_look_again, GError **error);

typedef enum {
  LXCD_OP_STOP,
  LXCD_OP_FREEZE,
  LXCD_OP_UNFREEZE,
  LXCD_OP_REQUEST_SHUTDOWN,
  LXCD_OP_REQUEST_REBOOT,
  LXCD_OP_MAY_CONTROL,
} LxcdOp;

gboolean lxcd_lxc_run_op (const char *lxcpath, const char *name, LxcdOp op,
                          gboolean *out_value, GError **error);

GHashTable *lxcd_lxc_read_global_config (void);
char  **lxcd_lxc_get_wait_states (void);
gboolean lxcd_lxc_destroy (const char *lxcpath, const char *name, gboolean force,
                           gboolean with_snapshots, GError **error);
gboolean lxcd_lxc_remove_tree (const char *path, GError **error);
gboolean lxcd_lxc_config_key_is_supported (const char *key);
guint64  lxcd_lxc_tree_size (const char *path);
void     lxcd_lxc_remove_tree_async (const char *path, GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean lxcd_lxc_remove_tree_finish (GAsyncResult *result, GError **error);
GVariant *lxcd_lxc_list_snapshots (const char *lxcpath, const char *name, GError **error);
gboolean lxcd_lxc_destroy_snapshot (const char *lxcpath, const char *name, const char *snapshot,
                                    GError **error);

typedef enum {
  LXCD_CONFIG_SET,
  LXCD_CONFIG_SET_ORDINARY, /* SET by a caller only "configure" authorized */
  LXCD_CONFIG_CLEAR_ITEM,
  LXCD_CONFIG_CLEAR_ALL,
  LXCD_CONFIG_LOAD,
  LXCD_CONFIG_SAVE_AS,
} LxcdConfigChange;

/* Called in the worker thread once a changed config file is in place. */
typedef void (*LxcdConfigSavedFunc) (gpointer user_data);

gboolean lxcd_lxc_change_config (const char *lxcpath, const char *name, LxcdConfigChange change,
                                 const char *key, const char *arg, LxcdConfigSavedFunc saved,
                                 gpointer user_data, GError **error);
char    *lxcd_lxc_get_config_item (const char *lxcpath, const char *name, const char *key,
                                   gboolean running, GError **error);
char   **lxcd_lxc_get_keys (const char *lxcpath, const char *name, const char *prefix,
                            GError **error);
GVariant *lxcd_lxc_get_usage (const char *lxcpath, const char *name, gint pid_hint,
                              GError **error);
char    *lxcd_lxc_cgroup_item (const char *lxcpath, const char *name, const char *key,
                               const char *value, GError **error);

gboolean lxcd_lxc_console_getfd (const char *lxcpath, const char *name, int *tty, int *out_keep,
                                 int *out_master, GError **error);
GBytes  *lxcd_lxc_console_log (const char *lxcpath, const char *name, gboolean clear,
                               guint64 max, GError **error);

void    lxcd_run_in_worker (GTask *task, GTaskThreadFunc func);

G_END_DECLS
