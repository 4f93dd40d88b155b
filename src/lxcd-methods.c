/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the method table
 *
 * One row per D-Bus method of the service: the polkit action it is
 * checked against (or none), whether it is audited, serialized per
 * container, counted against the caller's limit, run as a Job, and what
 * needs more than the base action. The service refuses a method that has
 * no row (lxcd_methods_guard(), connected to every skeleton); the audit
 * log, the man pages' check (tests/check-methods.py) and the
 * authorization tests read it. Keep it in the order of the XML.
 */
#include "config.h"

#include <string.h>

#include "lxcd-error.h"
#include "lxcd-methods.h"

#define A LXCD_METHOD_AUDITED
#define S LXCD_METHOD_SLOT
#define L LXCD_METHOD_LIMITED
#define J LXCD_METHOD_JOB
#define C LXCD_METHOD_CANCELABLE
#define P LXCD_METHOD_PRIVILEGED
#define M LXCD_METHOD_JOINS

static const LxcdMethod methods[] = {
  /* Container: run state */
  { "Container", "Start", "lifecycle", A | S | L, "argv, use_init: exec" },
  { "Container", "Stop", "lifecycle", A | S | L | M, NULL },
  { "Container", "Shutdown", "lifecycle", A | S | L | J | M, NULL },
  { "Container", "Reboot", "lifecycle", A | S | L | J | M, NULL },
  { "Container", "Freeze", "lifecycle", A | S | L | M, NULL },
  { "Container", "Unfreeze", "lifecycle", A | S | L | M, NULL },
  /* Container: storage */
  { "Container", "Destroy", "manage", A | S | L | J, NULL },
  { "Container", "Clone", "manage", A | S | L | J | C,
    "bdev_data, hook_args, a privileged source: configure-host" },
  { "Container", "Rename", "manage", A | S | L, NULL },
  { "Container", "Snapshot", "manage", A | S | L | J, NULL },
  { "Container", "ListSnapshots", "read-config", L, NULL },
  { "Container", "RestoreSnapshot", "manage", A | S | L | J, "a privileged snapshot: configure-host" },
  { "Container", "DestroySnapshot", "manage", A | S | L, NULL },
  { "Container", "DestroyAllSnapshots", "manage", A | S | L, NULL },
  /* Container: configuration */
  { "Container", "GetConfigItem", "read-config", 0, NULL },
  { "Container", "GetRunningConfigItem", "read-config", 0, NULL },
  { "Container", "GetKeys", "read-config", 0, NULL },
  { "Container", "SetConfigItem", "configure", A | S,
    "keys outside the ordinary allowlist or its bounds: configure-host; the init keys: exec" },
  { "Container", "ClearConfigItem", "configure", A | S,
    "keys outside the ordinary allowlist: configure-host; the init keys: exec" },
  { "Container", "ClearConfig", "configure-host", A | S, NULL },
  { "Container", "LoadConfig", "configure-host", A | S, "\"\" (the container's own file): read-config" },
  { "Container", "SaveConfig", "configure", A | S, "a named file: configure-host" },
  { "Container", "GetCgroupItem", "read-config", 0, NULL },
  { "Container", "SetCgroupItem", "configure", A | S,
    "items outside the ordinary allowlist or its bounds: configure-host" },
  { "Container", "GetInterfaces", "read-config", 0, NULL },
  { "Container", "GetIPs", "read-config", 0, NULL },
  /* Container: host resources */
  { "Container", "AddDeviceNode", "configure-host", A | S, NULL },
  { "Container", "RemoveDeviceNode", "configure-host", A | S, NULL },
  { "Container", "AttachInterface", "configure-host", A | S, NULL },
  { "Container", "DetachInterface", "configure-host", A | S, NULL },
  { "Container", "Mount", "configure-host", A | S | L, NULL },
  { "Container", "Unmount", "configure-host", A | S | L, NULL },
  /* Container: inside */
  { "Container", "RunCommand", "exec", A | L | J | C | P,
    "namespaces, elevated_privileges: configure-host" },
  { "Container", "Attach", "exec", A | L | P, "namespaces, elevated_privileges: configure-host" },
  { "Container", "OpenConsole", "console", A | L | P, NULL },
  { "Container", "OpenShell", "exec", A | L | P, "namespaces, elevated_privileges: configure-host" },
  { "Container", "CopyTo", "exec", A | L | J | C | P, NULL },
  { "Container", "CopyFrom", "exec", A | L | J | C | P, NULL },
  /* Container: waiting and flags */
  { "Container", "Wait", NULL, 0, NULL },
  { "Container", "WantDaemonize", "lifecycle", A | L, NULL },
  { "Container", "WantCloseAllFDs", "lifecycle", A | L, NULL },
  { "Container", "MayControl", NULL, 0, NULL },
  { "Container", "GetUsage", NULL, L, NULL },
  { "Container", "GetPermissions", NULL, L, NULL },
  { "Container", "GetOSRelease", "read-config", 0, NULL },
  { "Container", "GetConsoleLog", "console", A | P, NULL },
  /* Manager */
  { "Manager", "ListContainers", NULL, 0, NULL },
  { "Manager", "GetContainer", NULL, 0, NULL },
  { "Manager", "CreateContainer", "manage", A | L | J | C,
    "template_args, bdev_specs.dir, config keys outside the allowlist: configure-host" },
  { "Manager", "GetGlobalConfigItem", NULL, 0, NULL },
  { "Manager", "GetConfigKeyClasses", NULL, 0, NULL },
  /* Job */
  { "Job", "Cancel", "manage", A, "none for the uid that started the job" },
};

#undef A
#undef S
#undef L
#undef J
#undef C
#undef P
#undef M

/**
 * lxcd_methods_lookup:
 * @interface: "Container", "Manager", "Job" or the full interface name
 *
 * Returns: (nullable): the row of @method, or NULL: a method the service
 * does not serve. Any thread.
 */
const LxcdMethod *
lxcd_methods_lookup (const char *interface, const char *method)
{
  const char *prefix = "org.linuxcontainers.LXC1.";

  if (interface == NULL || method == NULL)
    return NULL;
  if (g_str_has_prefix (interface, prefix))
    interface += strlen (prefix);
  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      if (strcmp (methods[i].interface, interface) == 0 && strcmp (methods[i].method, method) == 0)
        return &methods[i];
    }
  return NULL;
}

/**
 * lxcd_methods_table:
 *
 * Returns: every row. Any thread.
 */
const LxcdMethod *
lxcd_methods_table (guint *n_methods)
{
  *n_methods = G_N_ELEMENTS (methods);
  return methods;
}

/**
 * lxcd_methods_action_id:
 *
 * Returns: (transfer full) (nullable): @method's polkit action id.
 */
char *
lxcd_methods_action_id (const LxcdMethod *method)
{
  return method->action ? g_strconcat ("org.linuxcontainers.LXC1.", method->action, NULL) : NULL;
}

/* main thread: before any handler of @skeleton runs */
static gboolean
on_authorize_method (GDBusInterfaceSkeleton *skeleton, GDBusMethodInvocation *invocation,
                     gpointer user_data)
{
  const char *interface = g_dbus_method_invocation_get_interface_name (invocation);
  const char *method = g_dbus_method_invocation_get_method_name (invocation);

  if (lxcd_methods_lookup (interface, method) != NULL)
    return TRUE;
  g_dbus_method_invocation_return_error (invocation, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                                         "%s.%s is not in the service's method table", interface,
                                         method);
  return FALSE;
}

/**
 * lxcd_methods_guard:
 * @skeleton: a #GDBusInterfaceSkeleton of the service
 *
 * Refuses every call of a method of @skeleton that has no row in the
 * table (deny by default: a method added to the XML without its row,
 * with its action, never runs). Main thread.
 */
void
lxcd_methods_guard (gpointer skeleton)
{
  g_signal_connect (skeleton, "g-authorize-method", G_CALLBACK (on_authorize_method), NULL);
}
