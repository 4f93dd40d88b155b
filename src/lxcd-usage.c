/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: reading what the kernel reports of a container's use of the host
 *
 * Container.GetUsage() reads cgroup files through liblxc
 * (get_cgroup_item(), which asks the container's monitor for its cgroup)
 * and two files of procfs; these functions turn their text into numbers.
 * Pure logic: the unit tests feed them the kernel's formats, cgroup v1 and
 * v2 alike. Every input may come from a file a container's root can
 * influence (its init's name in /proc/PID/stat), so nothing here trusts a
 * field to be there or to be a number.
 */
#include "config.h"

#include <string.h>

#include "lxcd-usage.h"

/* A decimal number of at most 20 digits at *@p, which is advanced. */
static gboolean
take_u64 (const char **p, guint64 *out)
{
  const char *s = *p;
  guint64 v = 0;
  int n = 0;

  while (g_ascii_isdigit (*s))
    {
      guint d = (guint) (*s - '0');

      if (v > (G_MAXUINT64 - d) / 10)
        return FALSE;
      v = v * 10 + d;
      s++;
      n++;
    }
  if (n == 0)
    return FALSE;
  *p = s;
  *out = v;
  return TRUE;
}

/**
 * lxcd_usage_parse_u64:
 *
 * One number and an optional newline ("memory.current", "pids.current").
 * "max" (no limit) and anything else is FALSE.
 */
gboolean
lxcd_usage_parse_u64 (const char *text, guint64 *out)
{
  const char *p = text;

  if (text == NULL || !take_u64 (&p, out))
    return FALSE;
  while (*p == '\n' || *p == ' ')
    p++;
  return *p == '\0';
}

/**
 * lxcd_usage_parse_keyed:
 * @key: e.g. "usage_usec" of cgroup v2's cpu.stat
 *
 * The value of "KEY NUMBER" lines (cpu.stat, memory.stat).
 */
gboolean
lxcd_usage_parse_keyed (const char *text, const char *key, guint64 *out)
{
  gsize len = strlen (key);

  for (const char *line = text; line && *line; line = strchr (line, '\n'), line = line ? line + 1 : NULL)
    {
      const char *p = line + len;

      if (strncmp (line, key, len) == 0 && *p == ' ')
        {
          p++;
          return take_u64 (&p, out) && (*p == '\n' || *p == '\0');
        }
    }
  return FALSE;
}

/**
 * lxcd_usage_parse_io_stat:
 *
 * The sums of "rbytes=" and "wbytes=" over every device of cgroup v2's
 * io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...").
 */
gboolean
lxcd_usage_parse_io_stat (const char *text, guint64 *read_bytes, guint64 *write_bytes)
{
  g_auto(GStrv) words = NULL;
  guint64 r = 0, w = 0;

  if (text == NULL)
    return FALSE;
  words = g_strsplit_set (text, " \n", -1);
  for (char **word = words; *word; word++)
    {
      const char *p = strchr (*word, '=');
      guint64 v;

      if (p == NULL)
        continue;
      p++;
      if (!take_u64 (&p, &v) || *p != '\0')
        continue;
      if (g_str_has_prefix (*word, "rbytes="))
        r += v;
      else if (g_str_has_prefix (*word, "wbytes="))
        w += v;
    }
  *read_bytes = r;
  *write_bytes = w;
  return TRUE;
}

/**
 * lxcd_usage_parse_blkio:
 *
 * The sums of the "Read" and "Write" lines of cgroup v1's
 * blkio.throttle.io_service_bytes ("8:0 Read 4096" per device, then
 * "Total N").
 */
gboolean
lxcd_usage_parse_blkio (const char *text, guint64 *read_bytes, guint64 *write_bytes)
{
  g_auto(GStrv) lines = NULL;
  guint64 r = 0, w = 0;

  if (text == NULL)
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line; line++)
    {
      g_auto(GStrv) f = g_strsplit (*line, " ", -1);
      const char *p;
      guint64 v;

      if (g_strv_length (f) != 3)
        continue;
      p = f[2];
      if (!take_u64 (&p, &v) || *p != '\0')
        continue;
      if (g_str_equal (f[1], "Read"))
        r += v;
      else if (g_str_equal (f[1], "Write"))
        w += v;
    }
  *read_bytes = r;
  *write_bytes = w;
  return TRUE;
}

/**
 * lxcd_usage_parse_net_dev:
 *
 * The received and sent bytes of every interface but "lo" in
 * /proc/PID/net/dev (two header lines, then "  NAME: RX-BYTES PACKETS
 * ... TX-BYTES ...": the 1st and 9th numbers).
 */
gboolean
lxcd_usage_parse_net_dev (const char *text, guint64 *rx_bytes, guint64 *tx_bytes)
{
  g_auto(GStrv) lines = NULL;
  guint64 rx = 0, tx = 0;

  if (text == NULL)
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line; line++)
    {
      const char *colon = strchr (*line, ':');
      g_autofree char *name = NULL;
      const char *p;
      guint64 fields[9];

      if (colon == NULL)
        continue;
      name = g_strstrip (g_strndup (*line, (gsize) (colon - *line)));
      if (g_str_equal (name, "lo"))
        continue;
      p = colon + 1;
      for (int i = 0; i < 9; i++)
        {
          while (*p == ' ')
            p++;
          if (!take_u64 (&p, &fields[i]))
            return FALSE;
        }
      rx += fields[0];
      tx += fields[8];
    }
  *rx_bytes = rx;
  *tx_bytes = tx;
  return TRUE;
}

/**
 * lxcd_usage_parse_stat_starttime:
 *
 * Field 22 of /proc/PID/stat (the start time in clock ticks after boot).
 * The 2nd field, the process's name in parentheses, may hold spaces and
 * parentheses itself: the fields are counted after the last ')'.
 */
gboolean
lxcd_usage_parse_stat_starttime (const char *text, guint64 *ticks)
{
  const char *p = text ? strrchr (text, ')') : NULL;

  if (p == NULL)
    return FALSE;
  p++;
  /* fields 3 to 21, then 22 */
  for (int field = 3; field < 22; field++)
    {
      while (*p == ' ')
        p++;
      if (*p == '\0')
        return FALSE;
      while (*p != ' ' && *p != '\0')
        p++;
    }
  while (*p == ' ')
    p++;
  return take_u64 (&p, ticks) && (*p == ' ' || *p == '\n' || *p == '\0');
}

/**
 * lxcd_usage_payload_path:
 * @proc_cgroup: the text of /proc/PID/cgroup of the container's init
 * @controller: a cgroup v1 controller ("memory"), or "" for the v2
 *   hierarchy
 * @name: the container's name
 *
 * The container's own cgroup (liblxc's "payload" cgroup, named
 * lxc.payload.NAME) in one hierarchy: the path of the init's cgroup cut
 * after its shallowest component lxc.payload.NAME. Root in the container
 * may move its init into cgroups of its own below (deeper), never above;
 * and a cgroup's name holds no '/', so a name with a newline cannot
 * forge a line whose path starts with '/' ahead of the kernel's own line
 * for a hierarchy, which is the first one taken.
 *
 * Returns: (transfer full) (nullable): the path ("/lxc.payload.c1"), or
 * NULL (no such line or component: the init is not the container's).
 */
char *
lxcd_usage_payload_path (const char *proc_cgroup, const char *controller, const char *name)
{
  g_autofree char *component = g_strconcat ("lxc.payload.", name, NULL);
  g_auto(GStrv) lines = NULL;

  if (proc_cgroup == NULL)
    return NULL;
  lines = g_strsplit (proc_cgroup, "\n", -1);
  for (char **line = lines; *line; line++)
    {
      g_auto(GStrv) f = g_strsplit (*line, ":", 3);
      g_auto(GStrv) controllers = NULL;
      g_auto(GStrv) parts = NULL;
      GString *path;
      gboolean found = FALSE;

      if (g_strv_length (f) != 3)
        continue;
      if (*controller == '\0')
        {
          if (!g_str_equal (f[0], "0") || *f[1] != '\0')
            continue;
        }
      else
        {
          controllers = g_strsplit (f[1], ",", -1);
          if (!g_strv_contains ((const char *const *) controllers, controller))
            continue;
        }
      /* the first line of the hierarchy decides */
      if (f[2][0] != '/')
        return NULL;
      parts = g_strsplit (f[2] + 1, "/", -1);
      path = g_string_new (NULL);
      for (char **part = parts; *part && !found; part++)
        {
          g_string_append_c (path, '/');
          g_string_append (path, *part);
          found = g_str_equal (*part, component);
        }
      if (!found)
        {
          g_string_free (path, TRUE);
          return NULL;
        }
      return g_string_free (path, FALSE);
    }
  return NULL;
}
