/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the id map of unprivileged containers
 *
 * Containers that a caller other than root creates, clones or restores
 * are unprivileged: their root is a host id from a range root owns in
 * /etc/subuid and /etc/subgid (liblxc maps ids with newuidmap and
 * newgidmap, which check those files). The admin may pick the range with
 * IdMap=BASE:COUNT in [Unprivileged] of lxc-dbus.conf; it must lie inside
 * one of root's ranges of both files. Without it, root's first range of
 * each file is used.
 *
 * Each container gets a block of its own (LXCD_IDMAP_DEFAULT_COUNT ids)
 * when the range holds more than one, so that root in one user's
 * container is not the same host uid as root in another's (per-uid
 * kernel limits and keyrings, RLIMIT_NPROC, inotify instances...): the
 * first block no served container maps (lxcd_idmap_pick_block()). A
 * range of one block or less is shared.
 */
#include "config.h"

#include <string.h>

#include "lxcd-error.h"
#include "lxcd-idmap.h"

/* Parses "BASE:COUNT"; COUNT at least 1, the range within 32 bits and not
 * starting at 0 (that would map the container's root to the host's). */
gboolean
lxcd_idmap_parse_setting (const char *text, guint32 *out_base, guint32 *out_count, GError **error)
{
  g_auto(GStrv) parts = text ? g_strsplit (text, ":", -1) : NULL;
  guint64 base, count;

  if (parts == NULL || g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 1, G_MAXUINT32, &base, NULL) ||
      !g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 1, G_MAXUINT32, &count, NULL) ||
      base + count > (guint64) G_MAXUINT32 + 1)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "IdMap '%s' is not BASE:COUNT (host ids BASE to BASE+COUNT-1, BASE > 0)",
                   text ? text : "");
      return FALSE;
    }
  *out_base = (guint32) base;
  *out_count = (guint32) count;
  return TRUE;
}

/* In the text of /etc/subuid or /etc/subgid, a range of @owner
 * ("owner:start:count" lines) that holds [@base, @base + @count); with
 * @count 0, the first range of @owner (at most the default count). */
gboolean
lxcd_idmap_find_range (const char *subid_text, const char *owner, guint32 base, guint32 count,
                       guint32 *out_base, guint32 *out_count)
{
  g_auto(GStrv) lines = g_strsplit (subid_text ? subid_text : "", "\n", -1);

  for (char **l = lines; *l; l++)
    {
      g_auto(GStrv) f = g_strsplit (g_strstrip (*l), ":", -1);
      guint64 start, n;

      if (g_strv_length (f) != 3 || g_strcmp0 (f[0], owner) != 0 ||
          !g_ascii_string_to_unsigned (f[1], 10, 1, G_MAXUINT32, &start, NULL) ||
          !g_ascii_string_to_unsigned (f[2], 10, 1, G_MAXUINT32, &n, NULL))
        continue;
      if (count == 0)
        {
          *out_base = (guint32) start;
          *out_count = (guint32) n;
          return TRUE;
        }
      if (base >= start && (guint64) base + count <= start + n)
        {
          *out_base = base;
          *out_count = count;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * lxcd_idmap_parse_uid_base:
 * @idmap_lines: the values of lxc.idmap, one per line ("u 0 100000 65536")
 *
 * Returns: the host uid that the container's root is mapped to, or 0.
 */
guint32
lxcd_idmap_parse_uid_base (const char *idmap_lines)
{
  g_auto(GStrv) lines = g_strsplit (idmap_lines ? idmap_lines : "", "\n", -1);

  for (char **l = lines; *l; l++)
    {
      g_auto(GStrv) f = g_strsplit_set (g_strstrip (*l), " \t", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();
      guint64 inside, host, count;

      for (char **w = f; *w; w++)
        {
          if (**w)
            g_ptr_array_add (words, *w);
        }
      if (words->len == 4 && g_str_equal (words->pdata[0], "u") &&
          g_ascii_string_to_unsigned (words->pdata[1], 10, 0, G_MAXUINT32, &inside, NULL) &&
          g_ascii_string_to_unsigned (words->pdata[2], 10, 0, G_MAXUINT32, &host, NULL) &&
          g_ascii_string_to_unsigned (words->pdata[3], 10, 1, G_MAXUINT32, &count, NULL) &&
          inside == 0)
        return (guint32) host;
    }
  return 0;
}

/**
 * lxcd_idmap_pick_block:
 * @range: root's whole range (both bases, its size)
 * @used_uid_bases: (element-type guint32): host uids that containers' root
 *   is mapped to already (GUINT_TO_POINTER)
 *
 * The id map of a new container: a block of its own when @range holds
 * more than one block (the first that no container uses), else the whole
 * (shared) range. FALSE when every block is taken.
 */
gboolean
lxcd_idmap_pick_block (const LxcdIdmap *range, GHashTable *used_uid_bases, LxcdIdmap *out)
{
  guint32 block = LXCD_IDMAP_DEFAULT_COUNT;

  if (range->count < 2 * block)
    {
      *out = *range;
      return TRUE;
    }
  for (guint32 k = 0; k < range->count / block; k++)
    {
      guint32 base = range->uid_base + k * block;

      if (used_uid_bases && g_hash_table_contains (used_uid_bases, GUINT_TO_POINTER (base)))
        continue;
      out->uid_base = base;
      out->gid_base = range->gid_base + k * block;
      out->count = block;
      return TRUE;
    }
  return FALSE;
}

/**
 * lxcd_idmap_resolve:
 * @setting: (nullable): IdMap=BASE:COUNT from the config file
 *
 * Root's range for unprivileged containers, checked against its ranges
 * in @subuid_file and @subgid_file. Any thread.
 */
gboolean
lxcd_idmap_resolve (const char *setting, const char *subuid_file, const char *subgid_file,
                    LxcdIdmap *out, GError **error)
{
  guint32 base = 0, count = 0, ucount = 0, gcount = 0;
  g_autofree char *subuid = NULL, *subgid = NULL;

  if (setting && !lxcd_idmap_parse_setting (setting, &base, &count, error))
    return FALSE;
  (void) g_file_get_contents (subuid_file, &subuid, NULL, NULL);
  (void) g_file_get_contents (subgid_file, &subgid, NULL, NULL);
  if (!lxcd_idmap_find_range (subuid, "root", base, count, &out->uid_base, &ucount) ||
      !lxcd_idmap_find_range (subgid, "root", base, count, &out->gid_base, &gcount))
    {
      if (setting)
        g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_SUPPORTED,
                     "Cannot make an unprivileged container: the range %s of IdMap in "
                     "lxc-dbus.conf is not root's in both %s and %s (add \"root:%s\" to them)",
                     setting, subuid_file, subgid_file, setting);
      else
        g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_SUPPORTED,
                     "Cannot make an unprivileged container: root has no subordinate id range "
                     "in %s and %s (add a line such as \"root:1000000:65536\" to both, or "
                     "set IdMap in [Unprivileged] of lxc-dbus.conf)", subuid_file, subgid_file);
      return FALSE;
    }
  out->count = MIN (ucount, gcount);
  return TRUE;
}
