/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: who a D-Bus caller is (uid by unique bus name, root, gone) */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

void     lxcd_caller_start           (GDBusConnection *connection);
void     lxcd_caller_stop            (void);

gboolean lxcd_caller_lookup_uid      (const char *sender,
                                      uid_t      *out_uid);
void     lxcd_caller_get_uid_async   (const char         *sender,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean lxcd_caller_get_uid_finish  (GAsyncResult *result,
                                      uid_t        *out_uid,
                                      GError      **error);
gboolean lxcd_caller_is_root         (GDBusMethodInvocation *invocation);

void     lxcd_caller_hold            (const char *sender);
void     lxcd_caller_release         (const char *sender);
gboolean lxcd_caller_has_left        (const char *sender);

G_END_DECLS
