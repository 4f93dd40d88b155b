/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: D-Bus error domain */
#include "config.h"

#include "lxcd-error.h"

static const GDBusErrorEntry lxcd_error_entries[] = {
  { LXCD_ERROR_FAILED, "org.linuxcontainers.LXC1.Error.Failed" },
  { LXCD_ERROR_NOT_FOUND, "org.linuxcontainers.LXC1.Error.NotFound" },
  { LXCD_ERROR_ALREADY_EXISTS, "org.linuxcontainers.LXC1.Error.AlreadyExists" },
  { LXCD_ERROR_INVALID_ARGUMENT, "org.linuxcontainers.LXC1.Error.InvalidArgument" },
  { LXCD_ERROR_NOT_AUTHORIZED, "org.linuxcontainers.LXC1.Error.NotAuthorized" },
  { LXCD_ERROR_BUSY, "org.linuxcontainers.LXC1.Error.Busy" },
  { LXCD_ERROR_WRONG_STATE, "org.linuxcontainers.LXC1.Error.WrongState" },
  { LXCD_ERROR_TIMEOUT, "org.linuxcontainers.LXC1.Error.Timeout" },
  { LXCD_ERROR_CANCELLED, "org.linuxcontainers.LXC1.Error.Cancelled" },
  { LXCD_ERROR_NOT_SUPPORTED, "org.linuxcontainers.LXC1.Error.NotSupported" },
  { LXCD_ERROR_LIMITS_EXCEEDED, "org.linuxcontainers.LXC1.Error.LimitsExceeded" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (lxcd_error_entries) == LXCD_ERROR_N_ERRORS);

/**
 * lxcd_error_quark:
 *
 * The error domain; registers the D-Bus error names on first use.
 * Any thread.
 */
GQuark
lxcd_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("lxcd-error-quark", &quark,
                                      lxcd_error_entries,
                                      G_N_ELEMENTS (lxcd_error_entries));
  return (GQuark) quark;
}

/**
 * lxcd_error_from_gerror:
 * @error: any error
 *
 * Converts a foreign error (GIO, GLib) into the %LXCD_ERROR domain so that
 * no unmapped error name reaches a client. Any thread.
 *
 * Returns: (transfer full): a new error in %LXCD_ERROR.
 */
GError *
lxcd_error_from_gerror (const GError *error)
{
  int code = LXCD_ERROR_FAILED;

  if (error->domain == LXCD_ERROR)
    return g_error_copy (error);

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_NOT_FOUND:
          code = LXCD_ERROR_NOT_FOUND;
          break;
        case G_IO_ERROR_EXISTS:
          code = LXCD_ERROR_ALREADY_EXISTS;
          break;
        case G_IO_ERROR_INVALID_ARGUMENT:
        case G_IO_ERROR_INVALID_FILENAME:
          code = LXCD_ERROR_INVALID_ARGUMENT;
          break;
        case G_IO_ERROR_PERMISSION_DENIED:
          code = LXCD_ERROR_NOT_AUTHORIZED;
          break;
        case G_IO_ERROR_BUSY:
          code = LXCD_ERROR_BUSY;
          break;
        case G_IO_ERROR_TIMED_OUT:
          code = LXCD_ERROR_TIMEOUT;
          break;
        case G_IO_ERROR_CANCELLED:
          code = LXCD_ERROR_CANCELLED;
          break;
        case G_IO_ERROR_NOT_SUPPORTED:
          code = LXCD_ERROR_NOT_SUPPORTED;
          break;
        default:
          break;
        }
    }

  return g_error_new_literal (LXCD_ERROR, code, error->message);
}
