/* lxc-dbus: running lxc-dbus-helper from the daemon (main thread, async) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Exit statuses of lxc-dbus-helper. */
enum {
  LXCD_HELPER_DONE = 0,
  LXCD_HELPER_FAILED = 1,
  LXCD_HELPER_USAGE = 2,
  LXCD_HELPER_WRONG_STATE = 3,
  LXCD_HELPER_NOT_FOUND = 4,
  LXCD_HELPER_EXISTS = 5,
};

void  lxcd_spawn_helper_async  (const char *helper_path, const char *const *args,
                                const char *stdin_text, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
char *lxcd_spawn_helper_finish (GAsyncResult *result, GError **error);

G_END_DECLS
