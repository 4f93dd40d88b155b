/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: Container methods that tell applications about a container
 *
 * GetPermissions (no authorization: polkit is asked about the caller
 * itself, without interaction, by lxcd_auth_query_async()), GetOSRelease
 * (read-config: the root file system's os-release read on the host by
 * lxcd_rootfs_read_os_release(), never following a link out of it) and
 * GetConsoleLog (console: liblxc's console ring buffer). Each is a handler
 * of a few lines on LxcdOperation; the reads run in a worker thread.
 */
#include "config.h"

#include <errno.h>

#include "lxcd-auth.h"
#include "lxcd-container.h"
#include "lxcd-error.h"
#include "lxcd-lxc.h"
#include "lxcd-operation.h"
#include "lxcd-os-release.h"
#include "lxcd-rootfs.h"

/* An os-release file larger than this is refused (they are a few hundred
 * bytes; the container's root may make it anything). */
#define OS_RELEASE_MAX (64 * 1024)
/* The most GetConsoleLog returns in one reply. */
#define CONSOLE_LOG_MAX (1024 * 1024)
/* lxc.rootfs.path as a config file line holds it */
#define ROOTFS_PATH_MAX 8192

/* What the calls carry besides their LxcdOperation: the container as it
 * was named when called (a Rename on the main thread may change it). */
typedef struct {
  char *name;
  char *lxcpath;
  gboolean clear;
} Info;

static void
info_free (Info *info)
{
  g_free (info->name);
  g_free (info->lxcpath);
  g_free (info);
}

/* main thread */
static LxcdOperation *
info_new (GDBusMethodInvocation *invocation, LxcdContainer *self, Info **out)
{
  LxcdOperation *op = lxcd_operation_new (invocation, lxcd_container_get_daemon (self), self);
  Info *info = g_new0 (Info, 1);

  info->name = g_strdup (lxcd_container_get_name (self));
  info->lxcpath = g_strdup (lxcd_container_get_lxcpath (self));
  lxcd_operation_set_data (op, info, (GDestroyNotify) info_free);
  *out = info;
  return op;
}

/* main thread: replies with an error and consumes nothing else */
static gboolean
reply_error (GDBusMethodInvocation *invocation, GError *error)
{
  g_dbus_method_invocation_return_gerror (invocation, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- GetPermissions ---------------------------------------------------- */

static const char *const all_actions[] = {
  LXCD_ACTION_READ_CONFIG,    LXCD_ACTION_LIFECYCLE, LXCD_ACTION_MANAGE,  LXCD_ACTION_CONFIGURE,
  LXCD_ACTION_CONFIGURE_HOST, LXCD_ACTION_EXEC,      LXCD_ACTION_CONSOLE, NULL,
};

/* main thread */
static void
permissions_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LxcdOperation *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) answers = lxcd_auth_query_finish (res, &error);

  if (answers == NULL)
    lxcd_operation_return_error (op, error);
  else
    lxcd_operation_return (op, g_variant_new ("(@a{ss})", answers));
}

/* main thread */
static void
permissions_run (LxcdOperation *op)
{
  Info *info = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);

  lxcd_auth_query_async (lxcd_operation_get_invocation (op), all_actions, info->name, info->lxcpath,
                         lxcd_container_get_privileged_detail (self), permissions_cb, op);
}

/* main thread */
static gboolean
handle_get_permissions (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                        GVariant *options)
{
  static const LxcdOptionSpec specs[] = { { "auth.no_user_interaction", "b" }, { NULL, NULL } };
  g_autoptr(GError) error = NULL;
  Info *info;

  if (!lxcd_options_validate (options, specs, &error))
    return reply_error (invocation, error);
  lxcd_operation_authorize (info_new (invocation, LXCD_CONTAINER (iface), &info), permissions_run);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- GetOSRelease ------------------------------------------------------ */

/* worker thread: the container's lxc.rootfs.path as its config file has
 * it (with the "type:" prefix liblxc's getter drops), else liblxc's */
static char *
rootfs_spec (const Info *info, GError **error)
{
  g_autofree char *config = g_build_filename (info->lxcpath, info->name, "config", NULL);
  g_autofree char *value = g_malloc0 (ROOTFS_PATH_MAX);
  int n = lxcd_rootfs_config_key (config, "lxc.rootfs.path", value, ROOTFS_PATH_MAX);

  if (n > 0 && *value)
    return g_steal_pointer (&value);
  g_clear_pointer (&value, g_free);
  value = lxcd_lxc_get_config_item (info->lxcpath, info->name, "lxc.rootfs.path", FALSE, error);
  if (value == NULL)
    return NULL;
  if (*g_strstrip (value) == '\0')
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_SUPPORTED,
                   "Container '%s' has no root file system configured (lxc.rootfs.path)",
                   info->name);
      return NULL;
    }
  return g_steal_pointer (&value);
}

/* worker thread */
static gboolean
os_release_work (LxcdOperation *op, GCancellable *cancellable, GError **error)
{
  Info *info = lxcd_operation_get_data (op);
  g_autofree char *rootfs = rootfs_spec (info, error);
  g_autofree char *buf = NULL;
  size_t len = 0;
  int ret;

  if (rootfs == NULL)
    return FALSE;
  buf = g_malloc (OS_RELEASE_MAX);
  ret = lxcd_rootfs_read_os_release (rootfs, buf, OS_RELEASE_MAX, &len);
  switch (ret)
    {
    case 0:
      lxcd_operation_return (op, g_variant_new ("(@a{ss})", lxcd_os_release_parse (buf, len)));
      return TRUE;
    case -ENOENT:
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_FOUND,
                   "Container '%s' has neither /etc/os-release nor /usr/lib/os-release",
                   info->name);
      return FALSE;
    case -EOPNOTSUPP:
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_SUPPORTED,
                   "The root file system of '%s' is not a directory the service can read "
                   "without mounting it",
                   info->name);
      return FALSE;
    case -ENXIO:
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED,
                   "The os-release file of '%s' is not a regular file", info->name);
      return FALSE;
    case -EFBIG:
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED,
                   "The os-release file of '%s' is larger than %d bytes", info->name,
                   OS_RELEASE_MAX);
      return FALSE;
    case -EXDEV:
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED,
                   "The os-release file of '%s' is reached through a mount point", info->name);
      return FALSE;
    default:
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED,
                   "Cannot read the os-release file of '%s': %s", info->name, g_strerror (-ret));
      return FALSE;
    }
}

/* main thread */
static void
os_release_run (LxcdOperation *op)
{
  lxcd_operation_run_in_worker (op, os_release_work, NULL);
}

/* main thread */
static gboolean
handle_get_os_release (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  Info *info;

  lxcd_operation_authorize (info_new (invocation, LXCD_CONTAINER (iface), &info), os_release_run);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- GetConsoleLog ----------------------------------------------------- */

/* worker thread */
static gboolean
console_log_work (LxcdOperation *op, GCancellable *cancellable, GError **error)
{
  Info *info = lxcd_operation_get_data (op);
  g_autoptr(GBytes) bytes = lxcd_lxc_console_log (info->lxcpath, info->name, info->clear,
                                                   CONSOLE_LOG_MAX, error);
  gsize len = 0;
  const char *data;
  GString *text;
  g_autofree char *valid = NULL;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);
  /* a D-Bus string: valid UTF-8, no NUL */
  text = g_string_sized_new (len);
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\0')
        g_string_append (text, "\xef\xbf\xbd");
      else
        g_string_append_c (text, data[i]);
    }
  valid = g_utf8_make_valid (text->str, -1);
  g_string_free (text, TRUE);
  lxcd_operation_return (op, g_variant_new ("(s)", valid));
  return TRUE;
}

/* main thread */
static void
console_log_run (LxcdOperation *op)
{
  lxcd_operation_run_in_worker (op, console_log_work, NULL);
}

/* main thread */
static gboolean
handle_get_console_log (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                        GVariant *options)
{
  static const LxcdOptionSpec specs[] = {
    { "clear", "b" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  g_autoptr(GError) error = NULL;
  LxcdOperation *op;
  Info *info;

  if (!lxcd_options_validate (options, specs, &error))
    return reply_error (invocation, error);
  op = info_new (invocation, LXCD_CONTAINER (iface), &info);
  info->clear = lxcd_options_get_boolean (options, "clear", FALSE);
  lxcd_operation_authorize (op, console_log_run);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/**
 * lxcd_container_info_iface_init:
 *
 * Sets the handlers of this file in the Container interface's vtable.
 */
void
lxcd_container_info_iface_init (LxcdDBusContainerIface *iface)
{
  iface->handle_get_permissions = handle_get_permissions;
  iface->handle_get_osrelease = handle_get_os_release;
  iface->handle_get_console_log = handle_get_console_log;
}
