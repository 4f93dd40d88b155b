/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: input validation and small helpers (pure logic, any thread) */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lxcd-error.h"
#include "lxcd-util.h"

static const char *const state_names[LXCD_STATE_N_STATES] = {
  "STOPPED", "STARTING", "RUNNING", "STOPPING",
  "ABORTING", "FREEZING", "FROZEN", "THAWED",
};

/**
 * lxcd_state_to_string:
 *
 * Returns: liblxc's name for @state, or "UNKNOWN".
 */
const char *
lxcd_state_to_string (LxcdState state)
{
  if ((guint) state >= LXCD_STATE_N_STATES)
    return "UNKNOWN";
  return state_names[state];
}

/**
 * lxcd_state_from_string:
 *
 * Parses one of liblxc's state names (exact, upper case).
 */
gboolean
lxcd_state_from_string (const char *str, LxcdState *out_state)
{
  for (guint i = 0; i < LXCD_STATE_N_STATES; i++)
    {
      if (g_strcmp0 (str, state_names[i]) == 0)
        {
          *out_state = (LxcdState) i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * lxcd_validate_container_name:
 *
 * A container name is a single path component inside an lxcpath: not
 * empty, at most NAME_MAX bytes, no '/', not starting with '.', no control
 * characters (which also covers newline and NUL), valid UTF-8.
 */
gboolean
lxcd_validate_container_name (const char *name, GError **error)
{
  size_t len = name ? strlen (name) : 0;

  if (len == 0)
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "Container name is empty");
      return FALSE;
    }
  if (len > NAME_MAX)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Container name is longer than %d bytes", NAME_MAX);
      return FALSE;
    }
  if (!g_utf8_validate (name, (gssize) len, NULL))
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "Container name is not valid UTF-8");
      return FALSE;
    }
  if (name[0] == '.')
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "Container name must not start with '.'");
      return FALSE;
    }
  for (const char *p = name; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (c == '/')
        {
          g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                               "Container name must not contain '/'");
          return FALSE;
        }
      if (c < 0x20 || c == 0x7f)
        {
          g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                               "Container name must not contain control characters");
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lxcd_validate_new_container_name:
 *
 * The name of a container that the service creates (CreateContainer,
 * Clone, Rename, RestoreSnapshot): what a host name may be, so that it is
 * one word for every shell and template that liblxc hands it to (hooks
 * run as ``sh -c "exec HOOK NAME ..."``, templates split it) and never
 * an option: ``[A-Za-z0-9][A-Za-z0-9_.-]*``, at most
 * %LXCD_MAX_NEW_NAME_LEN bytes. Containers made outside the service with
 * other names are still served (lxcd_validate_container_name()).
 */
gboolean
lxcd_validate_new_container_name (const char *name, GError **error)
{
  size_t len = name ? strlen (name) : 0;

  if (!lxcd_validate_container_name (name, error))
    return FALSE;
  if (len > LXCD_MAX_NEW_NAME_LEN)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Container name '%s' is longer than %d bytes", name, LXCD_MAX_NEW_NAME_LEN);
      return FALSE;
    }
  if (!g_ascii_isalnum (name[0]))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Container name '%s' must start with a letter or a digit", name);
      return FALSE;
    }
  for (const char *p = name; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "Container name '%s' may only hold the letters A-Z and a-z, digits, "
                       "'_', '.' and '-'", name);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lxcd_validate_timeout:
 *
 * Timeouts are seconds; -1 means forever, 0 means do not wait.
 */
gboolean
lxcd_validate_timeout (gint timeout, GError **error)
{
  if (timeout < -1 || timeout > LXCD_MAX_TIMEOUT)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Timeout %d is out of range (-1 for forever, 0 to %d seconds)",
                   timeout, LXCD_MAX_TIMEOUT);
      return FALSE;
    }
  return TRUE;
}

/**
 * lxcd_validate_argv:
 *
 * An argument vector: at most %LXCD_MAX_ARGV elements, each at most
 * %LXCD_MAX_ARG_LEN bytes. NULL or empty is valid.
 */
gboolean
lxcd_validate_argv (const char *const *argv, GError **error)
{
  guint n = argv ? g_strv_length ((char **) argv) : 0;

  if (n > LXCD_MAX_ARGV)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Too many arguments (%u, at most %d)", n, LXCD_MAX_ARGV);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      if (strlen (argv[i]) > LXCD_MAX_ARG_LEN)
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "Argument %u is longer than %d bytes", i, LXCD_MAX_ARG_LEN);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lxcd_ifname_is_valid:
 *
 * The kernel's rule for a network interface name (dev_valid_name()): 1
 * to %LXCD_MAX_IFNAME_LEN bytes, not "." or "..", no '/', ':',
 * whitespace or control characters. The one definition every method and
 * configuration key that takes an interface name uses (ordinary keys ask
 * for less, lxcd-config-keys.c).
 */
gboolean
lxcd_ifname_is_valid (const char *name)
{
  size_t len = name ? strlen (name) : 0;

  if (len == 0 || len > LXCD_MAX_IFNAME_LEN || g_str_equal (name, ".") || g_str_equal (name, ".."))
    return FALSE;
  for (const char *p = name; *p; p++)
    {
      if (*p == '/' || *p == ':' || g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
        return FALSE;
    }
  return TRUE;
}

/**
 * lxcd_validate_ifname:
 *
 * lxcd_ifname_is_valid(), with the reason. "-" is refused as well:
 * lxc-dbus-helper's arguments use it for "none".
 */
gboolean
lxcd_validate_ifname (const char *name, GError **error)
{
  if (lxcd_ifname_is_valid (name) && !g_str_equal (name, "-"))
    return TRUE;
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
               "'%s' is not a network interface name (1 to %d bytes, no '/', ':' or spaces)",
               name ? name : "", LXCD_MAX_IFNAME_LEN);
  return FALSE;
}

/**
 * lxcd_validate_container_path:
 * @what: what the path is, for the message ("Device", "Destination", ...)
 *
 * A path inside a container (or one the service resolves itself):
 * absolute, at most %LXCD_MAX_PATH_LEN bytes, no ".." component and no
 * control characters.
 */
gboolean
lxcd_validate_container_path (const char *what, const char *path, GError **error)
{
  g_auto(GStrv) parts = NULL;

  if (path == NULL || !g_path_is_absolute (path) || strlen (path) > LXCD_MAX_PATH_LEN)
    goto bad;
  for (const char *c = path; *c; c++)
    {
      if ((unsigned char) *c < 0x20 || *c == 0x7f)
        goto bad;
    }
  parts = g_strsplit (path, "/", -1);
  for (char **part = parts; *part; part++)
    {
      if (g_str_equal (*part, ".."))
        goto bad;
    }
  return TRUE;

bad:
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
               "%s '%s' must be an absolute path without '..'", what, path ? path : "");
  return FALSE;
}

/**
 * lxcd_options_validate:
 * @options: an a{sv}
 * @specs: allowed keys and their types, ended by a %NULL key
 *
 * Refuses unknown keys and values of the wrong type.
 */
gboolean
lxcd_options_validate (GVariant *options, const LxcdOptionSpec *specs, GError **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      const LxcdOptionSpec *spec = NULL;

      for (const LxcdOptionSpec *s = specs; s->key; s++)
        {
          if (g_str_equal (s->key, key))
            {
              spec = s;
              break;
            }
        }
      if (spec == NULL)
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "Unknown option '%s'", key);
          return FALSE;
        }
      if (!g_variant_is_of_type (owned, G_VARIANT_TYPE (spec->type)))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "Option '%s' must be of type '%s', not '%s'",
                       key, spec->type, g_variant_get_type_string (owned));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lxcd_options_get_boolean:
 *
 * Reads a boolean option already checked by lxcd_options_validate().
 */
gboolean
lxcd_options_get_boolean (GVariant *options, const char *key, gboolean default_value)
{
  gboolean value;

  if (g_variant_lookup (options, key, "b", &value))
    return value;
  return default_value;
}

/**
 * lxcd_canonicalize_lxcpath:
 *
 * The canonical spelling of an lxcpath: absolute, symlinks resolved, no
 * trailing slash (lxc-monitord's socket name hashes the exact string).
 * The directory must exist.
 */
char *
lxcd_canonicalize_lxcpath (const char *path, GError **error)
{
  g_autofree char *resolved = NULL;

  if (path == NULL || !g_path_is_absolute (path))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "lxcpath '%s' is not an absolute path", path ? path : "");
      return NULL;
    }
  resolved = realpath (path, NULL);
  if (resolved == NULL)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "lxcpath '%s': %s", path, g_strerror (errsv));
      return NULL;
    }
  if (!g_file_test (resolved, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "lxcpath '%s' is not a directory", path);
      return NULL;
    }
  return g_steal_pointer (&resolved);
}
