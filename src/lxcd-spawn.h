/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: running lxc-dbus-helper from the daemon (main thread, async) */
#pragma once

#include <gio/gio.h>

#include "lxcd-helper-proto.h" /* the exit statuses LXCD_HELPER_* */

G_BEGIN_DECLS

/* One helper process forked for the service by `lxc-dbus-helper serve`. */
typedef struct _LxcdHelperProc LxcdHelperProc;

/* Called once, in the main thread: with the child's wait status when it
 * has been reaped, or with @error when it could not be run or its fate is
 * unknown (the server died). */
typedef void (*LxcdHelperExitFunc) (LxcdHelperProc *proc, int wait_status, const GError *error,
                                    gpointer user_data);

LxcdHelperProc *lxcd_helper_launch      (const char *helper_path, const char *const *args,
                                         int stdin_fd, int stdout_fd, int stderr_fd, int fd3,
                                         LxcdHelperExitFunc func, gpointer user_data,
                                         GError **error);
void            lxcd_helper_proc_kill_tree (LxcdHelperProc *proc);
void            lxcd_helper_proc_signal (LxcdHelperProc *proc, int signum);
LxcdHelperProc *lxcd_helper_proc_ref    (LxcdHelperProc *proc);
void            lxcd_helper_proc_unref  (LxcdHelperProc *proc);
void            lxcd_helper_server_prestart (const char *helper_path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxcdHelperProc, lxcd_helper_proc_unref)

void  lxcd_spawn_helper_async  (const char *helper_path, const char *const *args,
                                const char *stdin_text, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
char *lxcd_spawn_helper_finish (GAsyncResult *result, GError **error);
GError *lxcd_helper_error (int code, const char *text, const char *fallback);

G_END_DECLS
