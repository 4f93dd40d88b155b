/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: polkit authorization of D-Bus callers */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define LXCD_ACTION_READ_CONFIG    "org.linuxcontainers.LXC1.read-config"
#define LXCD_ACTION_LIFECYCLE      "org.linuxcontainers.LXC1.lifecycle"
#define LXCD_ACTION_MANAGE         "org.linuxcontainers.LXC1.manage"
#define LXCD_ACTION_CONFIGURE      "org.linuxcontainers.LXC1.configure"
#define LXCD_ACTION_CONFIGURE_HOST "org.linuxcontainers.LXC1.configure-host"
#define LXCD_ACTION_EXEC           "org.linuxcontainers.LXC1.exec"
#define LXCD_ACTION_CONSOLE        "org.linuxcontainers.LXC1.console"

typedef struct _LxcdAuthRequest LxcdAuthRequest;

struct _LxcdAuthRequest {
  const char *action_id;  /* NULL: the method table's action of the call */
  const char *container;  /* detail "container" */
  const char *lxcpath;    /* detail "lxcpath" */
  const char *key;        /* detail "key", may be NULL */
  const char *value;      /* detail "value", may be NULL */
  const char *extra_name; /* one more detail (e.g. "template"), may be NULL */
  const char *extra_value;
  const char *extra2_name;
  const char *extra2_value;
  const char *privileged; /* detail "privileged" ("true"/"false"), may be NULL */
  GVariant   *options;    /* a{sv} holding auth.no_user_interaction, may be NULL */
  gboolean    no_interaction; /* never ask for authentication (a probe) */
  /* Another action the caller must hold as well, asked once this one is
   * granted (its own options are not used). May be NULL. */
  const LxcdAuthRequest *also;
};

void     lxcd_auth_check_async  (GDBusMethodInvocation *invocation,
                                 const LxcdAuthRequest *request,
                                 GCancellable          *cancellable,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data);
gboolean lxcd_auth_check_finish (GAsyncResult *result,
                                 uid_t        *out_uid,
                                 GError      **error);
gboolean lxcd_auth_caller_is_root (GDBusMethodInvocation *invocation);
void     lxcd_auth_probe_privileged_async (GDBusMethodInvocation *invocation,
                                           const char            *container,
                                           const char            *lxcpath,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
void     lxcd_auth_query_async (GDBusMethodInvocation *invocation,
                                const char *const     *actions,
                                const char            *container,
                                const char            *lxcpath,
                                const char            *privileged,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data);
GVariant *lxcd_auth_query_finish (GAsyncResult *result, GError **error);

G_END_DECLS
