/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the daemon: object manager, lxcpaths, monitors, re-reads */
#pragma once

#include <gio/gio.h>

#include "lxcd-container.h"
#include "lxcd-job.h"
#include "lxcd-limits.h"
#include "lxcd-idmap.h"
#include "lxcd-types.h"

G_BEGIN_DECLS

#define LXCD_TYPE_DAEMON (lxcd_daemon_get_type ())
G_DECLARE_FINAL_TYPE (LxcdDaemon, lxcd_daemon, LXCD, DAEMON, GObject)

LxcdDaemon *lxcd_daemon_new (GDBusConnection *connection,
                             const char *const *lxcpaths,
                             const char *helper_path,
                             const char *monitord_path);

void     lxcd_daemon_start_async  (LxcdDaemon *self, GAsyncReadyCallback callback, gpointer user_data);
gboolean lxcd_daemon_start_finish (LxcdDaemon *self, GAsyncResult *result, GError **error);

GDBusConnection    *lxcd_daemon_get_connection (LxcdDaemon *self);
const char *const  *lxcd_daemon_get_lxcpaths (LxcdDaemon *self);
gboolean            lxcd_daemon_serves_lxcpath (LxcdDaemon *self, const char *lxcpath);
const char         *lxcd_daemon_get_helper_path (LxcdDaemon *self);
LxcdContainer      *lxcd_daemon_find_container (LxcdDaemon *self, const char *name);
LxcdLimitToken     *lxcd_daemon_begin_operation (LxcdDaemon *self, uid_t uid, GError **error);
void                lxcd_daemon_set_operations_per_user (LxcdDaemon *self, guint max);
void                lxcd_daemon_set_idmap_setting (LxcdDaemon *self, const char *setting);
gboolean            lxcd_daemon_take_unprivileged_idmap (LxcdDaemon *self, LxcdIdmap *out,
                                                         GError **error);
void                lxcd_daemon_release_unprivileged_idmap (LxcdDaemon *self, guint32 uid_base);
GPtrArray          *lxcd_daemon_list_containers (LxcdDaemon *self);

void     lxcd_daemon_export_job  (LxcdDaemon *self, LxcdJob *job);
void     lxcd_daemon_finish_job  (LxcdDaemon *self, LxcdJob *job, const GError *error);
gboolean lxcd_daemon_name_taken  (LxcdDaemon *self, const char *name);
void     lxcd_daemon_reserve_name (LxcdDaemon *self, const char *name);
void     lxcd_daemon_release_name (LxcdDaemon *self, const char *name);
LxcdManager *lxcd_daemon_get_manager (LxcdDaemon *self);

void     lxcd_daemon_sync_container        (LxcdDaemon *self, const char *lxcpath, const char *name,
                                            GCancellable *cancellable, GAsyncReadyCallback callback,
                                            gpointer user_data);
gboolean lxcd_daemon_sync_container_finish (LxcdDaemon *self, GAsyncResult *result, GError **error);

G_END_DECLS
