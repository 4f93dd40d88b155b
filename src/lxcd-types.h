/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: forward declarations shared by the daemon's objects */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _LxcdDaemon LxcdDaemon;
typedef struct _LxcdContainer LxcdContainer;
typedef struct _LxcdManager LxcdManager;
typedef struct _LxcdJob LxcdJob;
typedef struct _LxcdOperation LxcdOperation;

G_END_DECLS
