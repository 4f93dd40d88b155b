/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: watches one lxcpath (lxc-monitord state records + inotify) */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LXCD_TYPE_MONITOR (lxcd_monitor_get_type ())
G_DECLARE_FINAL_TYPE (LxcdMonitor, lxcd_monitor, LXCD, MONITOR, GObject)

/* main thread. lxcpath must already be canonical (realpath, no trailing slash).
 * monitord_path: e.g. "/usr/libexec/lxc/lxc-monitord". */
LxcdMonitor *lxcd_monitor_new (const char *lxcpath, const char *monitord_path);
const char  *lxcd_monitor_get_lxcpath (LxcdMonitor *self);
/* Starts watching (inotify on the lxcpath and each container dir, and the monitord socket). Never blocks. */
gboolean     lxcd_monitor_start (LxcdMonitor *self, GError **error);
/* TRUE while connected to lxc-monitord */
gboolean     lxcd_monitor_is_connected (LxcdMonitor *self);

/* for tests: pid of the lxc-monitord we spawned that is serving this
 * lxcpath (it wrote "S" on the sync pipe and has not exited yet), or 0. */
GPid         lxcd_monitor_get_monitord_pid (LxcdMonitor *self);

G_END_DECLS
