/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liblxc-dbus: the service's error domain on the client side */
#pragma once

#if !defined(LXC_DBUS_INSIDE) && !defined(LXC_DBUS_COMPILATION)
#error "Only <lxc-dbus/lxc-dbus.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * LxcDBusError:
 * @LXC_DBUS_ERROR_FAILED: `org.linuxcontainers.LXC1.Error.Failed`: the operation failed (liblxc's reason in the message)
 * @LXC_DBUS_ERROR_NOT_FOUND: `org.linuxcontainers.LXC1.Error.NotFound`: no such container, snapshot, key or object
 * @LXC_DBUS_ERROR_ALREADY_EXISTS: `org.linuxcontainers.LXC1.Error.AlreadyExists`: the name is taken
 * @LXC_DBUS_ERROR_INVALID_ARGUMENT: `org.linuxcontainers.LXC1.Error.InvalidArgument`: a bad argument or option
 * @LXC_DBUS_ERROR_NOT_AUTHORIZED: `org.linuxcontainers.LXC1.Error.NotAuthorized`: polkit said no
 * @LXC_DBUS_ERROR_BUSY: `org.linuxcontainers.LXC1.Error.Busy`: another operation holds the container
 * @LXC_DBUS_ERROR_WRONG_STATE: `org.linuxcontainers.LXC1.Error.WrongState`: not in a state that allows it
 * @LXC_DBUS_ERROR_TIMEOUT: `org.linuxcontainers.LXC1.Error.Timeout`: the operation timed out
 * @LXC_DBUS_ERROR_CANCELLED: `org.linuxcontainers.LXC1.Error.Cancelled`: the operation's Job was cancelled
 * @LXC_DBUS_ERROR_NOT_SUPPORTED: `org.linuxcontainers.LXC1.Error.NotSupported`: not supported here
 * @LXC_DBUS_ERROR_LIMITS_EXCEEDED: `org.linuxcontainers.LXC1.Error.LimitsExceeded`: too many operations of this user
 *
 * The errors of the service, one per D-Bus error name it replies
 * (SPEC.md, "Errors"). Errors of calls made through this library's
 * proxies are in the %LXC_DBUS_ERROR domain once the domain is
 * registered, which creating an #LxcDBusClient (or calling
 * lxc_dbus_error_quark()) does; g_dbus_error_get_remote_error() gives the
 * D-Bus name back.
 */
typedef enum
{
  LXC_DBUS_ERROR_FAILED,
  LXC_DBUS_ERROR_NOT_FOUND,
  LXC_DBUS_ERROR_ALREADY_EXISTS,
  LXC_DBUS_ERROR_INVALID_ARGUMENT,
  LXC_DBUS_ERROR_NOT_AUTHORIZED,
  LXC_DBUS_ERROR_BUSY,
  LXC_DBUS_ERROR_WRONG_STATE,
  LXC_DBUS_ERROR_TIMEOUT,
  LXC_DBUS_ERROR_CANCELLED,
  LXC_DBUS_ERROR_NOT_SUPPORTED,
  LXC_DBUS_ERROR_LIMITS_EXCEEDED,
} LxcDBusError;

/**
 * LXC_DBUS_ERROR:
 *
 * The error domain of the service's errors, see #LxcDBusError.
 */
#define LXC_DBUS_ERROR (lxc_dbus_error_quark ())

GQuark lxc_dbus_error_quark (void);

G_END_DECLS
