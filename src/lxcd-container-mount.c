/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: Container.Mount and Unmount
 *
 * A host path mounted into a running container, and a mount inside it
 * removed: liblxc's mount() and umount(), which fork and enter the
 * container's mount namespace, so they run in lxc-dbus-helper (`mount`,
 * `umount`, lxcd-helper-mount.c), never in the daemon. Both reach host
 * paths: configure-host, with the details source and target.
 *
 * The daemon checks the input first: paths absolute, without "..", control
 * characters or more than LXCD_MAX_PATH_LEN bytes; the source an existing
 * host path that is not a symbolic link; only the options below, turned
 * into the helper's flag letters (the caller never passes mount flags).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "lxcd-container.h"
#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-operation.h"
#include "lxcd-util.h"

/* The longest fstype and data accepted, in bytes. */
#define MOUNT_MAX_FSTYPE_LEN 64
#define MOUNT_MAX_DATA_LEN 4096

/* The helper's arguments after its name (LXCPATH and NAME are added when
 * it runs). */
typedef struct {
  GPtrArray *args;
} Mnt;

static void
mnt_free (Mnt *mnt)
{
  g_ptr_array_unref (mnt->args);
  g_free (mnt);
}

/* main thread: the helper is done */
static void
mnt_helper_done (LxcdOperation *op, const char *output, const GError *error)
{
  if (output == NULL)
    lxcd_operation_return_error (op, error);
  else
    lxcd_operation_return (op, NULL);
}

/* main thread: authorized, slot and token held */
static void
mnt_run (LxcdOperation *op)
{
  Mnt *mnt = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);

  if (lxcd_container_get_state (self) == LXCD_STATE_STOPPED)
    {
      lxcd_operation_return_new_error (op, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running",
                                       lxcd_container_get_name (self));
      return;
    }
  g_ptr_array_insert (mnt->args, 1, g_strdup (lxcd_container_get_lxcpath (self)));
  g_ptr_array_insert (mnt->args, 2, g_strdup (lxcd_container_get_name (self)));
  g_ptr_array_add (mnt->args, NULL);
  lxcd_operation_run_helper (op, (const char *const *) mnt->args->pdata, NULL, mnt_helper_done);
}

/* main thread: a new operation with its Mnt, the helper operation @name */
static LxcdOperation *
mnt_new (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *name,
         Mnt **out_mnt)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  LxcdOperation *op = lxcd_operation_new (invocation, lxcd_container_get_daemon (self), self);
  Mnt *mnt = g_new0 (Mnt, 1);

  mnt->args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (mnt->args, g_strdup (name));
  lxcd_operation_set_data (op, mnt, (GDestroyNotify) mnt_free);
  *out_mnt = mnt;
  return op;
}

/* main thread: validated (or @error); ask polkit for configure-host */
static gboolean
mnt_authorize (LxcdOperation *op, const char *source, const char *target, const GError *error)
{
  if (error != NULL)
    {
      lxcd_operation_return_error (op, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (source)
    lxcd_operation_add_detail (op, "source", source);
  lxcd_operation_add_detail (op, "target", target);
  lxcd_operation_authorize (op, mnt_run);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread: a path inside the container to mount on or unmount; not
 * "/" itself */
static gboolean
check_target (const char *target, GError **error)
{
  if (!lxcd_validate_container_path ("Target", target, error))
    return FALSE;
  if (strspn (target, "/") == strlen (target))
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "Target '/' is the container's root directory");
      return FALSE;
    }
  return TRUE;
}

/* main thread: a host path that exists and is not a symbolic link (liblxc
 * follows one; the caller names what it means) */
static gboolean
check_source (const char *source, GError **error)
{
  struct stat st;

  if (!lxcd_validate_container_path ("Source", source, error))
    return FALSE;
  if (lstat (source, &st) < 0)
    {
      int saved = errno;
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "Source '%s': %s", source,
                   g_strerror (saved));
      return FALSE;
    }
  if (S_ISLNK (st.st_mode))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Source '%s' is a symbolic link: give the path it points to", source);
      return FALSE;
    }
  return TRUE;
}

/* main thread: @text has no control characters and at most @max bytes */
static gboolean
check_text (const char *what, const char *text, gsize max, GError **error)
{
  gboolean ok = strlen (text) <= max;

  for (const char *c = text; ok && *c; c++)
    ok = (unsigned char) *c >= 0x20 && *c != 0x7f;
  if (!ok)
    g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                 "%s must be at most %" G_GSIZE_FORMAT " bytes without control characters", what,
                 max);
  return ok;
}

/* main thread: a file system type as the kernel names them */
static gboolean
check_fstype (const char *fstype, GError **error)
{
  gsize len = strlen (fstype);

  if (len > 0 && len <= MOUNT_MAX_FSTYPE_LEN && fstype[0] != '-' &&
      strspn (fstype, "abcdefghijklmnopqrstuvwxyz0123456789._-") == len)
    return TRUE;
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
               "fstype '%s' is not a file system type", fstype);
  return FALSE;
}

/* main thread: Mount's input as the helper's arguments SOURCE TARGET
 * FSTYPE FLAGS DATA (FSTYPE "-" for a bind; FLAGS letters: R recursive, r
 * readonly, s nosuid, d nodev, x noexec, D data given; "-" for none) */
static gboolean
mount_parse (Mnt *mnt, const char *source, const char *target, GVariant *options, GError **error)
{
  static const LxcdOptionSpec specs[] = {
    { "fstype", "s" },   { "recursive", "b" },
    { "readonly", "b" }, { "nosuid", "b" },
    { "nodev", "b" },    { "noexec", "b" },
    { "data", "s" },     { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  static const struct {
    const char *option;
    char letter;
  } flags[] = { { "recursive", 'R' },
                { "readonly", 'r' },
                { "nosuid", 's' },
                { "nodev", 'd' },
                { "noexec", 'x' } };
  const char *fstype = "";
  const char *data = NULL;
  GString *letters;

  if (!lxcd_options_validate (options, specs, error) || !check_source (source, error) ||
      !check_target (target, error))
    return FALSE;
  (void) g_variant_lookup (options, "fstype", "&s", &fstype);
  (void) g_variant_lookup (options, "data", "&s", &data);
  if (*fstype && !check_fstype (fstype, error))
    return FALSE;
  if (*fstype && lxcd_options_get_boolean (options, "recursive", FALSE))
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "recursive is for bind mounts (no fstype)");
      return FALSE;
    }
  if (data && !*fstype)
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "data is for file systems (with fstype), not bind mounts");
      return FALSE;
    }
  if (data && !check_text ("data", data, MOUNT_MAX_DATA_LEN, error))
    return FALSE;

  letters = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      if (lxcd_options_get_boolean (options, flags[i].option, FALSE))
        g_string_append_c (letters, flags[i].letter);
    }
  if (data)
    g_string_append_c (letters, 'D');
  if (letters->len == 0)
    g_string_append_c (letters, '-');
  g_ptr_array_add (mnt->args, g_strdup (source));
  g_ptr_array_add (mnt->args, g_strdup (target));
  g_ptr_array_add (mnt->args, g_strdup (*fstype ? fstype : "-"));
  g_ptr_array_add (mnt->args, g_string_free (letters, FALSE));
  g_ptr_array_add (mnt->args, g_strdup (data ? data : ""));
  return TRUE;
}

/* main thread */
static gboolean
handle_mount (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *source,
              const char *target, GVariant *options)
{
  Mnt *mnt;
  LxcdOperation *op = mnt_new (iface, invocation, "mount", &mnt);
  g_autoptr(GError) error = NULL;

  if (mount_parse (mnt, source, target, options, &error) &&
      lxcd_container_get_state (LXCD_CONTAINER (iface)) == LXCD_STATE_STOPPED)
    g_set_error (&error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running",
                 lxcd_container_get_name (LXCD_CONTAINER (iface)));
  return mnt_authorize (op, source, target, error);
}

/* main thread: the helper's arguments TARGET FLAGS (l lazy, or "-") */
static gboolean
handle_unmount (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *target,
                GVariant *options)
{
  static const LxcdOptionSpec specs[] = {
    { "lazy", "b" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  Mnt *mnt;
  LxcdOperation *op = mnt_new (iface, invocation, "umount", &mnt);
  g_autoptr(GError) error = NULL;

  if (lxcd_options_validate (options, specs, &error) && check_target (target, &error))
    {
      g_ptr_array_add (mnt->args, g_strdup (target));
      g_ptr_array_add (mnt->args,
                       g_strdup (lxcd_options_get_boolean (options, "lazy", FALSE) ? "l" : "-"));
      if (lxcd_container_get_state (LXCD_CONTAINER (iface)) == LXCD_STATE_STOPPED)
        g_set_error (&error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running",
                     lxcd_container_get_name (LXCD_CONTAINER (iface)));
    }
  return mnt_authorize (op, NULL, target, error);
}

/**
 * lxcd_container_mount_iface_init:
 *
 * Installs the handlers of this file into the Container interface.
 */
void
lxcd_container_mount_iface_init (LxcdDBusContainerIface *iface)
{
  iface->handle_mount = handle_mount;
  iface->handle_unmount = handle_unmount;
}
