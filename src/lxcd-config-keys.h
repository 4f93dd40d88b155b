/* lxc-dbus: which container config keys are "ordinary" (pure logic) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean lxcd_config_key_is_ordinary (const char *key);
gboolean lxcd_config_value_is_valid (const char *value, GError **error);

G_END_DECLS
