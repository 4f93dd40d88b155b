/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: which container config keys are "ordinary" (pure logic) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest value of one key (any caller). */
#define LXCD_CONFIG_MAX_VALUE 65536
/* Bounds of a container's config file, for every change made through the
 * service (lxcd_config_text_is_within_bounds()). */
#define LXCD_CONFIG_MAX_BYTES (256 * 1024)
#define LXCD_CONFIG_MAX_LINES 4096
#define LXCD_CONFIG_MAX_VALUES_PER_KEY 256

gboolean lxcd_config_key_is_ordinary (const char *key);
gboolean lxcd_config_key_needs_exec (const char *key);
gboolean lxcd_config_ordinary_value_is_valid (const char *key, const char *value, GError **error);
gboolean lxcd_config_value_is_valid (const char *value, GError **error);
gboolean lxcd_config_text_is_within_bounds (const char *text, gsize len, GError **error);
gboolean lxcd_config_hostname_stays_inside (const char *ns_keep, const char *ns_clone,
                                            const char *ns_share_uts);

G_END_DECLS
