/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: reading what the kernel reports of a container's use of the host (pure logic) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A memory limit at or above this is "no limit" (cgroup v1 reports
 * PAGE_COUNTER_MAX pages as 9223372036854771712). */
#define LXCD_USAGE_NO_LIMIT (G_GUINT64_CONSTANT (1) << 62)
/* Most bytes read of one cgroup or procfs file. */
#define LXCD_USAGE_MAX_FILE 65536

gboolean lxcd_usage_parse_u64       (const char *text, guint64 *out);
gboolean lxcd_usage_parse_keyed     (const char *text, const char *key, guint64 *out);
gboolean lxcd_usage_parse_io_stat   (const char *text, guint64 *read_bytes, guint64 *write_bytes);
gboolean lxcd_usage_parse_blkio     (const char *text, guint64 *read_bytes, guint64 *write_bytes);
gboolean lxcd_usage_parse_net_dev   (const char *text, guint64 *rx_bytes, guint64 *tx_bytes);
gboolean lxcd_usage_parse_stat_starttime (const char *text, guint64 *ticks);
char    *lxcd_usage_payload_path    (const char *proc_cgroup, const char *controller,
                                     const char *name);

G_END_DECLS
