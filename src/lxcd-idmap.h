/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the id map of unprivileged containers (pure logic + /etc/sub?id) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Ids mapped into one unprivileged container: a whole 16-bit range, as
 * lxc-create and LXD give. */
#define LXCD_IDMAP_DEFAULT_COUNT 65536

typedef struct {
  guint32 uid_base;
  guint32 gid_base;
  guint32 count;
} LxcdIdmap;

gboolean lxcd_idmap_parse_setting (const char *text, guint32 *out_base, guint32 *out_count,
                                   GError **error);
gboolean lxcd_idmap_find_range (const char *subid_text, const char *owner, guint32 base,
                                guint32 count, guint32 *out_base, guint32 *out_count);
guint32  lxcd_idmap_parse_uid_base (const char *idmap_lines);
gboolean lxcd_idmap_pick_block (const LxcdIdmap *range, GHashTable *used_uid_bases,
                                LxcdIdmap *out);
gboolean lxcd_idmap_resolve (const char *setting, const char *subuid_file, const char *subgid_file,
                             LxcdIdmap *out, GError **error);

G_END_DECLS
