/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the Manager object (org.linuxcontainers.LXC1.Manager) */
#pragma once

#include "lxcd-dbus-generated.h"
#include "lxcd-types.h"

G_BEGIN_DECLS

#define LXCD_TYPE_MANAGER (lxcd_manager_get_type ())
G_DECLARE_FINAL_TYPE (LxcdManager, lxcd_manager, LXCD, MANAGER, LxcdDBusManagerSkeleton)

LxcdManager *lxcd_manager_new (LxcdDaemon *daemon);

/* Names of the optional capabilities this build serves (Features). */
extern const char *const lxcd_manager_features[];

G_END_DECLS
