/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: one log line per privileged call (who, what, which container, result) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The journal's MESSAGE_ID of audit lines: journalctl MESSAGE_ID=... */
#define LXCD_AUDIT_MESSAGE_ID "5e0a3b3c9d0f4f4e8a6c1e2b7d9f0a41"

void     lxcd_audit_start     (GDBusConnection *connection);
void     lxcd_audit_stop      (void);

G_END_DECLS
