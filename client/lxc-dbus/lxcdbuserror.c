/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liblxc-dbus: the service's D-Bus error names as a GError domain */
#include <lxc-dbus/lxc-dbus.h>

static const GDBusErrorEntry lxc_dbus_error_entries[] = {
  { LXC_DBUS_ERROR_FAILED, "org.linuxcontainers.LXC1.Error.Failed" },
  { LXC_DBUS_ERROR_NOT_FOUND, "org.linuxcontainers.LXC1.Error.NotFound" },
  { LXC_DBUS_ERROR_ALREADY_EXISTS, "org.linuxcontainers.LXC1.Error.AlreadyExists" },
  { LXC_DBUS_ERROR_INVALID_ARGUMENT, "org.linuxcontainers.LXC1.Error.InvalidArgument" },
  { LXC_DBUS_ERROR_NOT_AUTHORIZED, "org.linuxcontainers.LXC1.Error.NotAuthorized" },
  { LXC_DBUS_ERROR_BUSY, "org.linuxcontainers.LXC1.Error.Busy" },
  { LXC_DBUS_ERROR_WRONG_STATE, "org.linuxcontainers.LXC1.Error.WrongState" },
  { LXC_DBUS_ERROR_TIMEOUT, "org.linuxcontainers.LXC1.Error.Timeout" },
  { LXC_DBUS_ERROR_CANCELLED, "org.linuxcontainers.LXC1.Error.Cancelled" },
  { LXC_DBUS_ERROR_NOT_SUPPORTED, "org.linuxcontainers.LXC1.Error.NotSupported" },
  { LXC_DBUS_ERROR_LIMITS_EXCEEDED, "org.linuxcontainers.LXC1.Error.LimitsExceeded" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (lxc_dbus_error_entries) == LXC_DBUS_ERROR_LIMITS_EXCEEDED + 1);

/**
 * lxc_dbus_error_quark:
 *
 * The %LXC_DBUS_ERROR domain. The first call registers the service's
 * D-Bus error names (g_dbus_error_register_error_domain()), so that the
 * replies of later calls become errors of this domain. Any thread.
 *
 * Returns: the error domain's quark
 */
GQuark
lxc_dbus_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("lxc-dbus-error-quark", &quark,
                                      lxc_dbus_error_entries,
                                      G_N_ELEMENTS (lxc_dbus_error_entries));
  return (GQuark) quark;
}
