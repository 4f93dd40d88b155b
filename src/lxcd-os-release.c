/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the os-release(5) format, for Container.GetOSRelease()
 *
 * Newline-separated KEY=value lines; "#" starts a comment line; a value
 * may be quoted and escaped as in a shell ('...' literal, "..." with \",
 * \\, \$, \` escapes, a backslash outside quotes escapes the next
 * character). The text comes from a container (whose root may write
 * anything): lines that are not KEY=value (or whose quote is not closed)
 * are skipped, and the text is made valid UTF-8 without NUL bytes first. Pure logic, any thread.
 */
#include "config.h"

#include <string.h>

#include "lxcd-os-release.h"

static gboolean
key_is_valid (const char *key, gsize len)
{
  if (len == 0 || !(g_ascii_isalpha (key[0]) || key[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!(g_ascii_isalnum (key[i]) || key[i] == '_'))
      return FALSE;
  return TRUE;
}

/* @value[0..len) unquoted, or NULL if a quote is not closed. */
static char *
unquote (const char *value, gsize len)
{
  GString *out = g_string_sized_new (len);
  gsize keep = 0; /* out's length up to the last quoted or escaped byte */
  gsize i = 0;

  while (i < len)
    {
      char c = value[i++];

      if (c == '\'')
        {
          const char *end = memchr (value + i, '\'', len - i);
          if (end == NULL)
            goto unclosed;
          g_string_append_len (out, value + i, end - (value + i));
          i = (gsize) (end - value) + 1;
          keep = out->len;
        }
      else if (c == '"')
        {
          for (;;)
            {
              if (i >= len)
                goto unclosed;
              c = value[i++];
              if (c == '"')
                break;
              if (c == '\\' && i < len && strchr ("\"\\$`", value[i]) != NULL)
                c = value[i++];
              g_string_append_c (out, c);
            }
          keep = out->len;
        }
      else if (c == '\\' && i < len)
        {
          g_string_append_c (out, value[i++]);
          keep = out->len;
        }
      else
        {
          g_string_append_c (out, c);
          if (c != ' ' && c != '\t')
            keep = out->len;
        }
    }
  /* trailing blanks outside quotes are not part of the value */
  g_string_truncate (out, keep);
  return g_string_free (out, FALSE);

unclosed:
  g_string_free (out, TRUE);
  return NULL;
}

/* @text as valid UTF-8 without NUL bytes (each becomes U+FFFD), for D-Bus
 * strings: unquoting only removes ASCII bytes, which never split a
 * character, so every value cut from it is valid too. */
static char *
make_valid (const char *text, gsize len)
{
  GString *clean = g_string_sized_new (len);
  g_autofree char *with_nuls_replaced = NULL;

  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == '\0')
        g_string_append (clean, "\xef\xbf\xbd");
      else
        g_string_append_c (clean, text[i]);
    }
  with_nuls_replaced = g_string_free (clean, FALSE);
  return g_utf8_make_valid (with_nuls_replaced, -1);
}

static int
compare_keys (gconstpointer a, gconstpointer b, gpointer unused)
{
  return strcmp (a, b);
}

static gboolean
add_field (gpointer key, gpointer value, gpointer builder)
{
  g_variant_builder_add (builder, "{ss}", key, value);
  return FALSE;
}

/**
 * lxcd_os_release_parse:
 * @text: the contents of an os-release file (not NUL-terminated)
 * @len: its length
 *
 * Returns: (transfer full): a new a{ss}, key to unquoted value (the last
 * line of a key wins), sorted by key.
 */
GVariant *
lxcd_os_release_parse (const char *text, gsize len)
{
  g_autoptr(GTree) fields = g_tree_new_full (compare_keys, NULL, g_free, g_free);
  GVariantBuilder builder;
  g_autofree char *valid = make_valid (text, len);
  const char *end = valid + strlen (valid);
  const char *line = valid;

  while (line < end)
    {
      const char *nl = memchr (line, '\n', end - line);
      const char *stop = nl ? nl : end;
      const char *p = line, *eq;
      char *value;

      line = nl ? nl + 1 : end;
      while (p < stop && (*p == ' ' || *p == '\t'))
        p++;
      if (p == stop || *p == '#')
        continue;
      eq = memchr (p, '=', stop - p);
      if (eq == NULL || !key_is_valid (p, eq - p))
        continue;
      value = unquote (eq + 1, (gsize) (stop - (eq + 1)) - (stop > eq + 1 && stop[-1] == '\r'));
      if (value == NULL)
        continue;
      g_tree_insert (fields, g_strndup (p, eq - p), value);
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_tree_foreach (fields, add_field, &builder);
  return g_variant_builder_end (&builder);
}
