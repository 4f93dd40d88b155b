/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: D-Bus error domain */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * LxcdError:
 *
 * Errors returned to D-Bus callers, each mapped to
 * `org.linuxcontainers.LXC1.Error.<Name>`.
 */
typedef enum {
  LXCD_ERROR_FAILED,
  LXCD_ERROR_NOT_FOUND,
  LXCD_ERROR_ALREADY_EXISTS,
  LXCD_ERROR_INVALID_ARGUMENT,
  LXCD_ERROR_NOT_AUTHORIZED,
  LXCD_ERROR_BUSY,
  LXCD_ERROR_WRONG_STATE,
  LXCD_ERROR_TIMEOUT,
  LXCD_ERROR_CANCELLED,
  LXCD_ERROR_NOT_SUPPORTED,
  LXCD_ERROR_LIMITS_EXCEEDED,
  LXCD_ERROR_N_ERRORS /*< skip >*/
} LxcdError;

#define LXCD_ERROR (lxcd_error_quark ())
GQuark lxcd_error_quark (void);

GError *lxcd_error_from_gerror (const GError *error);

G_END_DECLS
