/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the os-release(5) format (pure logic) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GVariant *lxcd_os_release_parse (const char *text, gsize len);

G_END_DECLS
