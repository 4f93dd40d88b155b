/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcctl: the command line client of lxc-dbus (machinectl-style), built on
 * the D-Bus API alone. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <fnmatch.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifdef HAVE_POLKIT_AGENT
#define POLKIT_AGENT_I_KNOW_API_IS_SUBJECT_TO_CHANGE
#include <polkitagent/polkitagent.h>
#endif

#define BUS_NAME "org.linuxcontainers.LXC1"
#define ROOT_PATH "/org/linuxcontainers/LXC1"
#define MANAGER_PATH ROOT_PATH "/Manager"
#define CONTAINERS_PATH ROOT_PATH "/containers/"
#define JOBS_PATH ROOT_PATH "/jobs/"
#define MANAGER_IFACE "org.linuxcontainers.LXC1.Manager"
#define CONTAINER_IFACE "org.linuxcontainers.LXC1.Container"
#define JOB_IFACE "org.linuxcontainers.LXC1.Job"
#define ERROR_PREFIX "org.linuxcontainers.LXC1.Error."

/* Exit statuses (documented in lxcctl(1)). */
enum {
  EXIT_OK = 0,
  EXIT_FAIL = 1,
  EXIT_USAGE = 2,
  EXIT_NOT_FOUND = 3,
  EXIT_NOT_AUTHORIZED = 4,
};

/* ---- options ------------------------------------------------------------- */

typedef enum {
  O_HELP,
  O_VERSION,
  O_JSON,
  O_NO_ASK_PASSWORD,
  O_PROGRESS,
  O_VERBOSE,
  O_TIMEOUT,
  O_KILL,
  O_FORCE,
  O_WITH_SNAPSHOTS,
  O_TEMPLATE,
  O_LXCPATH,
  O_SNAPSHOT,
  O_COMMENT,
  O_ACTIVE,
  O_DEFINED,
  O_FORMAT,
  O_COLUMNS,
  O_STATE,
  O_ENV,
  O_USER,
  O_CWD,
  O_ESCAPE,
  O_CONFIG,
  O_MODE,
  O_PARENTS,
  O_READ_ONLY,
  O_LAZY,
} OptionId;

typedef struct {
  OptionId id;
  const char *name;   /* long name, without "--" */
  char short_name;    /* 0: none */
  const char *arg;    /* metavar; NULL: takes no argument */
  const char *verbs;  /* the verbs that take it, space separated; NULL: all (global) */
  const char *help;
} OptionSpec;

#define STOP_VERBS "stop restart"
static const OptionSpec options[] = {
  { O_HELP, "help", 'h', NULL, NULL, "Show help (for a verb: lxcctl VERB --help)" },
  { O_VERSION, "version", 0, NULL, NULL, "Show the version" },
  { O_JSON, "json", 0, NULL, NULL, "Machine-readable output (JSON)" },
  { O_NO_ASK_PASSWORD, "no-ask-password", 0, NULL, NULL, "Never ask for a password (polkit)" },
  { O_PROGRESS, "progress", 0, NULL, NULL, "Show the progress of long operations" },
  { O_VERBOSE, "verbose", 0, NULL, NULL, "Show the service's full error text (liblxc's log)" },
  { O_TIMEOUT, "timeout", 't', "SECONDS", "stop restart shutdown reboot",
    "Wait at most SECONDS (0-86400) for a clean shutdown (default 60)" },
  { O_KILL, "kill", 'k', NULL, STOP_VERBS, "Kill the container at once, no clean shutdown" },
  { O_FORCE, "force", 'f', NULL, STOP_VERBS, "Same as --kill" },
  { O_FORCE, "force", 'f', NULL, "destroy", "Stop a running container first" },
  { O_WITH_SNAPSHOTS, "with-snapshots", 0, NULL, "destroy", "Destroy its snapshots too" },
  { O_TEMPLATE, "template", 't', "TEMPLATE", "create", "The template to create from (required)" },
  { O_LXCPATH, "lxcpath", 'P', "DIR", "create clone", "The lxcpath to create in" },
  { O_CONFIG, "config", 'c', "KEY=VALUE", "create",
    "Set a configuration item, in order (repeatable: two lxc.mount.entry, ...)" },
  { O_SNAPSHOT, "snapshot", 0, NULL, "clone", "An overlay snapshot instead of a copy" },
  { O_COMMENT, "comment", 'c', "TEXT", "snapshot", "A comment to keep with the snapshot" },
  { O_ACTIVE, "active", 0, NULL, "list", "Only running or frozen containers" },
  { O_DEFINED, "defined", 0, NULL, "list", "Only defined containers" },
  { O_FORMAT, "format", 0, "FORMAT", "list jobs", "table (default), json or csv" },
  { O_COLUMNS, "columns", 'o', "LIST", "list",
    "Columns, comma separated: name,state,pid,autostart,privileged,defined,lxcpath,configfile" },
  { O_STATE, "state", 's', "STATE", "list", "Only containers in STATE (e.g. running, stopped)" },
  { O_ENV, "env", 0, "KEY=VALUE", "exec attach shell", "Set an environment variable (repeatable)" },
  { O_USER, "user", 'u', "USER[:GID]", "exec attach shell",
    "Run as this user (a name in the container's passwd, or a UID) and group" },
  { O_USER, "user", 'u', "UID[:GID]", "copy-to", "Owner of the copy inside the container (default 0:0)" },
  { O_MODE, "mode", 'm', "MODE", "copy-to copy-from", "Mode of the copy, octal (default: the source file's)" },
  { O_PARENTS, "parents", 'p', NULL, "copy-to", "Create missing directories of the path inside" },
  { O_READ_ONLY, "read-only", 0, NULL, "bind", "A read-only mount" },
  { O_LAZY, "lazy", 'l', NULL, "unbind", "Detach the mount now, release it when no longer busy" },
  { O_CWD, "cwd", 'w', "DIR", "exec attach shell", "Run in this directory" },
  { O_ESCAPE, "escape", 'e', "CHAR", "exec attach shell console",
    "Escape key: Ctrl-CHAR (default a); Ctrl-CHAR q leaves, Ctrl-CHAR CHAR sends Ctrl-CHAR" },
};

static struct {
  gboolean json, no_ask_password, progress, verbose;
  gboolean has_timeout;
  int timeout;
  gboolean kill, force, with_snapshots, snapshot, active, defined;
  const char *template_name, *lxcpath, *comment, *format, *columns, *state, *cwd;
  gboolean has_user;
  guint32 uid, gid;
  gboolean has_gid;
  char escape; /* the control character */
  GPtrArray *env;
  GPtrArray *config; /* create --config KEY=VALUE, in order */
  gboolean has_mode, parents;
  guint32 mode;
  gboolean read_only, lazy;
} opt = { .timeout = 60, .escape = 0x01 };

/* ---- verbs ------------------------------------------------------------- */

typedef struct Verb Verb;
struct Verb {
  const char *name;
  const char *aliases;  /* space separated, or NULL */
  const char *synopsis; /* the arguments */
  const char *summary;
  int min_args, max_args; /* positional arguments after the verb; -1: any */
  int tail;               /* after this many arguments, the rest is a command line; -1: none */
  int (*func) (const Verb *verb, int argc, char **argv);
};

static const char *opt_user_name; /* --user NAME: resolved inside */
static const Verb *current_verb;
static const char *current_name; /* the container the verb acts on, for messages */
static GDBusConnection *bus;

static gboolean
verb_takes (const Verb *verb, const OptionSpec *spec)
{
  g_auto(GStrv) verbs = NULL;

  if (spec->verbs == NULL)
    return TRUE;
  if (verb == NULL)
    return FALSE;
  verbs = g_strsplit (spec->verbs, " ", -1);
  return g_strv_contains ((const char *const *) verbs, verb->name);
}

/* A one-line usage error: exit status 2. */
static int usage_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (current_verb)
    g_printerr ("lxcctl: %s (usage: lxcctl %s %s)\n", text, current_verb->name,
                current_verb->synopsis);
  else
    g_printerr ("lxcctl: %s (see 'lxcctl --help')\n", text);
  return EXIT_USAGE;
}

/* Levenshtein distance, for "did you mean". */
static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];
      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint best = MIN (row[j] + 1, row[j - 1] + 1);
          row[j] = MIN (best, diag + (a[i - 1] == b[j - 1] ? 0 : 1));
          diag = up;
        }
    }
  return row[lb];
}

/* The closest of *candidates* to *word*, if close enough. */
static const char *
closest (const char *word, const char *const *candidates)
{
  const char *best = NULL;
  guint best_d = G_MAXUINT;

  for (const char *const *c = candidates; *c; c++)
    {
      guint d = edit_distance (word, *c);
      if (g_str_has_prefix (*c, word) && strlen (word) >= 2)
        d = MIN (d, 1);
      if (d < best_d)
        {
          best_d = d;
          best = *c;
        }
    }
  return best_d <= 2 && best_d < strlen (word) ? best : NULL;
}

static gboolean
parse_int (const char *text, gint64 min, gint64 max, gint64 *out)
{
  return g_ascii_string_to_signed (text, 10, min, max, out, NULL);
}

static gboolean
parse_escape (const char *text, char *out)
{
  char c;

  if (text[0] == '^' && text[1] && !text[2])
    c = text[1];
  else if (text[0] && !text[1])
    c = text[0];
  else
    return FALSE;
  c = g_ascii_tolower (c);
  if (c < 'a' || c > 'z')
    return FALSE;
  *out = (char) (c - 'a' + 1);
  return TRUE;
}

/* Stores one option's value; FALSE (after a usage error line) if bad. */
static gboolean
set_option (const OptionSpec *spec, const char *value)
{
  gint64 n;

  switch (spec->id)
    {
    case O_JSON:
      opt.json = TRUE;
      break;
    case O_NO_ASK_PASSWORD:
      opt.no_ask_password = TRUE;
      break;
    case O_PROGRESS:
      opt.progress = TRUE;
      break;
    case O_VERBOSE:
      opt.verbose = TRUE;
      break;
    case O_TIMEOUT:
      if (!parse_int (value, 0, 86400, &n))
        {
          usage_error ("--timeout needs a number of seconds from 0 to 86400, not '%s'", value);
          return FALSE;
        }
      opt.has_timeout = TRUE;
      opt.timeout = (int) n;
      break;
    case O_KILL:
      opt.kill = TRUE;
      break;
    case O_FORCE:
      opt.force = TRUE;
      break;
    case O_WITH_SNAPSHOTS:
      opt.with_snapshots = TRUE;
      break;
    case O_TEMPLATE:
      opt.template_name = value;
      break;
    case O_LXCPATH:
      opt.lxcpath = value;
      break;
    case O_SNAPSHOT:
      opt.snapshot = TRUE;
      break;
    case O_COMMENT:
      opt.comment = value;
      break;
    case O_ACTIVE:
      opt.active = TRUE;
      break;
    case O_DEFINED:
      opt.defined = TRUE;
      break;
    case O_FORMAT:
      if (!g_str_equal (value, "table") && !g_str_equal (value, "json") && !g_str_equal (value, "csv"))
        {
          usage_error ("--format takes table, json or csv, not '%s'", value);
          return FALSE;
        }
      opt.format = value;
      break;
    case O_COLUMNS:
      opt.columns = value;
      break;
    case O_STATE:
      opt.state = value;
      break;
    case O_MODE:
      {
        char *end = NULL;
        guint64 mode = g_ascii_strtoull (value, &end, 8);

        if (*value == '\0' || *end != '\0' || mode > 07777)
          {
            usage_error ("--mode takes an octal mode up to 7777, not '%s'", value);
            return FALSE;
          }
        opt.has_mode = TRUE;
        opt.mode = (guint32) mode;
      }
      break;
    case O_PARENTS:
      opt.parents = TRUE;
      break;
    case O_READ_ONLY:
      opt.read_only = TRUE;
      break;
    case O_LAZY:
      opt.lazy = TRUE;
      break;
    case O_CONFIG:
      if (strchr (value, '=') == NULL || value[0] == '=')
        {
          usage_error ("--config takes KEY=VALUE, not '%s'", value);
          return FALSE;
        }
      g_ptr_array_add (opt.config, (gpointer) value);
      break;
    case O_ENV:
      if (strchr (value, '=') == NULL || value[0] == '=')
        {
          usage_error ("--env takes KEY=VALUE, not '%s'", value);
          return FALSE;
        }
      g_ptr_array_add (opt.env, (gpointer) value);
      break;
    case O_USER:
      {
        g_auto(GStrv) parts = g_strsplit (value, ":", 2);
        gint64 uid, gid = 0;
        gboolean numeric = parse_int (parts[0], 0, G_MAXUINT32 - 1, &uid);
        if ((!numeric && !g_regex_match_simple ("^[A-Za-z_][A-Za-z0-9_.-]*\\$?$", parts[0], 0, 0)) ||
            (parts[1] && !parse_int (parts[1], 0, G_MAXUINT32 - 1, &gid)))
          {
            usage_error ("--user takes a user name or UID, and a numeric GID after ':', not '%s'", value);
            return FALSE;
          }
        if (numeric)
          {
            opt.has_user = TRUE;
            opt.uid = (guint32) uid;
          }
        else
          opt_user_name = g_strdup (parts[0]); /* (kept to the end) */
        opt.has_gid = parts[1] != NULL;
        opt.gid = (guint32) gid;
      }
      break;
    case O_CWD:
      if (value[0] != '/')
        {
          usage_error ("--cwd needs an absolute directory, not '%s'", value);
          return FALSE;
        }
      opt.cwd = value;
      break;
    case O_ESCAPE:
      if (!parse_escape (value, &opt.escape))
        {
          usage_error ("--escape takes a letter (a for Ctrl-a), not '%s'", value);
          return FALSE;
        }
      break;
    case O_HELP:
    case O_VERSION:
      break;
    }
  return TRUE;
}

/* The option named *name* (long, or a one-letter short) that *verb* takes,
 * else NULL; *known* tells whether some verb takes it. */
static const OptionSpec *
find_option (const Verb *verb, const char *name, char short_name, gboolean *known)
{
  *known = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const OptionSpec *s = &options[i];
      if (name ? g_strcmp0 (s->name, name) != 0 : s->short_name != short_name)
        continue;
      *known = TRUE;
      if (verb_takes (verb, s))
        return s;
    }
  return NULL;
}

/* Whether the option *arg* (as written, "-x..." or "--name") takes its value
 * from the next argument, by any verb's meaning of it: used to find the verb
 * before the options are checked against it. */
static gboolean
option_takes_value (const char *arg)
{
  if (arg[1] == '-')
    {
      if (strchr (arg, '='))
        return FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (options); i++)
        if (g_str_equal (arg + 2, options[i].name) && options[i].arg != NULL)
          return TRUE;
      return FALSE;
    }
  for (const char *c = arg + 1; *c; c++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (options); i++)
        if (options[i].short_name == *c && options[i].arg != NULL)
          return c[1] == '\0'; /* else the rest is its value */
    }
  return FALSE;
}

/* ---- output -------------------------------------------------------------- */

static void
json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

/* A D-Bus value as JSON (the types lxc-dbus uses). */
static void
json_value (GString *out, GVariant *v)
{
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (v);
      json_value (out, inner);
    }
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (out, g_variant_get_boolean (v) ? "true" : "false");
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32))
    g_string_append_printf (out, "%d", g_variant_get_int32 (v));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    g_string_append_printf (out, "%u", g_variant_get_uint32 (v));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64))
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_variant_get_uint64 (v));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    g_string_append_printf (out, "%g", g_variant_get_double (v));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) ||
           g_variant_is_of_type (v, G_VARIANT_TYPE_OBJECT_PATH))
    json_string (out, g_variant_get_string (v, NULL));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE ("a{sv}")))
    {
      GVariantIter iter;
      const char *key;
      GVariant *value;
      gboolean first = TRUE;

      g_string_append_c (out, '{');
      g_variant_iter_init (&iter, v);
      while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
        {
          if (!first)
            g_string_append_c (out, ',');
          first = FALSE;
          json_string (out, key);
          g_string_append_c (out, ':');
          json_value (out, value);
          g_variant_unref (value);
        }
      g_string_append_c (out, '}');
    }
  else if (g_variant_is_container (v))
    {
      gsize n = g_variant_n_children (v);

      g_string_append_c (out, '[');
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (v, i);
          if (i)
            g_string_append_c (out, ',');
          json_value (out, child);
        }
      g_string_append_c (out, ']');
    }
  else
    {
      g_autofree char *text = g_variant_print (v, FALSE);
      json_string (out, text);
    }
}


/* ---- errors ---------------------------------------------------------------- */

/* The service's message without the D-Bus error name. */
static const char *
plain_message (const GError *error)
{
  const char *msg = error->message;
  const char *colon = strstr (msg, ": ");

  if (g_str_has_prefix (msg, "GDBus.Error:") && colon)
    msg = colon + 2;
  return msg;
}

/* The first line of the service's message, short, with the API's option
 * names replaced by the CLI's flags. */
static char *
short_message (const char *msg)
{
  static const char *const names[][2] = {
    { "with_snapshots", "--with-snapshots" },
    { "template_args", "template arguments" },
    { "bdev_type", "backing store" },
    { "the Templates property", "'lxcctl templates'" },
  };
  g_autofree char *line = g_strndup (msg, strcspn (msg, "\n"));
  g_auto(GStrv) parts = g_strsplit (line, "; ", -1);
  g_autoptr(GPtrArray) own = g_ptr_array_new ();
  GString *out = g_string_new (NULL);

  /* The service joins its own words and the helper's liblxc log lines
   * ("lxc-dbus-helper: NAME: file.c: function: line text", and the log
   * file's "lxc-dbus-helper NAME TIMESTAMP ERROR ...") with "; ": the log
   * is for --verbose. The service's summary comes last. */
  for (char **p = parts; *p; p++)
    if (!g_str_has_prefix (*p, "lxc-dbus-helper") && **p)
      g_ptr_array_add (own, *p);
  if (own->len > 0)
    {
      g_string_append (out, own->pdata[own->len - 1]);
      for (guint i = 0; i + 1 < own->len; i++)
        g_string_append_printf (out, "%s%s", i ? "; " : ": ", (char *) own->pdata[i]);
    }
  else if (parts[0])
    {
      /* only log lines: the first one's text */
      const char *text = parts[0];
      const char *num = text;
      for (const char *c = text; *c; c++)
        if (g_ascii_isdigit (*c) && c > text && c[-1] == ' ')
          {
            const char *e = c;
            while (g_ascii_isdigit (*e))
              e++;
            if (*e == ' ')
              {
                num = e + 1;
                break;
              }
          }
      g_string_append (out, num);
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      char *at = strstr (out->str, names[i][0]);
      if (at)
        {
          gsize pos = (gsize) (at - out->str);
          g_string_erase (out, (gssize) pos, (gssize) strlen (names[i][0]));
          g_string_insert (out, (gssize) pos, names[i][1]);
        }
    }
  while (out->len && strchr (":;,. ", out->str[out->len - 1]))
    g_string_truncate (out, out->len - 1);
  if (out->len > 200)
    {
      g_string_truncate (out, 197);
      g_string_append (out, "...");
    }
  return g_string_free (out, FALSE);
}

static gboolean lookup_failed; /* the error came from GetContainer */

/* Prints one line in the CLI's words for *error*; returns the exit status. */
static int
fail (const GError *error)
{
  g_autofree char *remote = NULL;
  const char *kind, *msg;
  const char *verb = current_verb ? current_verb->name : "";
  const char *name = current_name ? current_name : "";
  g_autofree char *text = NULL;
  int code = EXIT_FAIL;

  if (error == NULL)
    {
      /* (GIO sets an error whenever a call fails) */
      g_printerr ("lxcctl: failed\n");
      return EXIT_FAIL;
    }
  remote = g_dbus_error_get_remote_error (error);
  kind = remote && g_str_has_prefix (remote, ERROR_PREFIX) ? remote + strlen (ERROR_PREFIX) : "";
  msg = plain_message (error);
  if (g_str_equal (kind, "NotFound") && lookup_failed)
    {
      code = EXIT_NOT_FOUND;
      text = g_strdup_printf ("no container named '%s' (see 'lxcctl list')", name);
    }
  else if (g_str_equal (kind, "NotFound"))
    {
      code = EXIT_NOT_FOUND;
      text = short_message (msg);
    }
  else if (g_str_equal (kind, "NotAuthorized") ||
           g_strcmp0 (remote, "org.freedesktop.DBus.Error.AccessDenied") == 0)
    {
      code = EXIT_NOT_AUTHORIZED;
      text = g_strdup_printf ("not authorized to %s%s%s%s", verb, *name ? " " : "", name,
                              opt.no_ask_password || !isatty (STDIN_FILENO)
                                ? ": authentication is required (run it from a terminal without "
                                  "--no-ask-password to be asked, or as root)"
                                : "");
    }
  else if (g_str_equal (kind, "WrongState"))
    {
      if (g_str_equal (verb, "start"))
        text = g_strdup_printf ("%s is already running", name);
      else if (g_str_equal (verb, "unfreeze"))
        text = g_strdup_printf ("%s is not frozen", name);
      else if (g_str_equal (verb, "destroy") && strstr (msg, "snapshot"))
        text = g_strdup_printf ("%s has snapshots: destroy them too with --with-snapshots", name);
      else if (g_str_equal (verb, "destroy"))
        text = g_strdup_printf ("%s is running: stop it first, or use --force", name);
      else if (g_strv_contains ((const char *const[]) { "rename", "clone", "snapshot", NULL }, verb) &&
               strstr (msg, "RUNNING"))
        text = g_strdup_printf ("%s is running: stop it first", name);
      else if (strstr (msg, "rozen"))
        text = g_strdup_printf ("%s is frozen: unfreeze it first", name);
      else if (g_strv_contains ((const char *const[]) { "stop", "shutdown", "reboot", "restart",
                                                         "freeze", "exec", "attach", "shell",
                                                         "console", "ips", "cgroup", NULL },
                                verb))
        text = g_strdup_printf ("%s is not running", name);
      else
        text = short_message (msg);
    }
  else if (g_str_equal (kind, "Busy"))
    text = g_strdup_printf ("%s is busy with another operation; try again when it ends "
                            "(see 'lxcctl jobs')", *name ? name : "the service");
  else if (g_str_equal (kind, "Timeout") && g_strv_contains ((const char *const[]) { "shutdown", "stop", "restart", NULL }, verb))
    text = g_strdup_printf ("%s did not shut down within %d seconds; it is still running "
                            "(use 'lxcctl stop --kill %s')", name, opt.timeout, name);
  else if (g_str_equal (kind, "Failed") && strstr (msg, ") is running") &&
           g_strv_contains ((const char *const[]) { "snapshot", "clone", NULL }, verb))
    text = g_strdup_printf ("%s is running: stop it first", name);
  else if (g_strcmp0 (remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
           g_strcmp0 (remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0)
    text = g_strdup ("the lxc-dbus service is not running");
  else
    text = short_message (msg);

  g_printerr ("lxcctl: %s\n", text);
  if (opt.verbose && !g_str_equal (text, msg))
    g_printerr ("lxcctl: the service said: %s\n", msg);
  return code;
}

/* ---- calls ------------------------------------------------------------------- */

static GDBusCallFlags
call_flags (void)
{
  if (!opt.no_ask_password && isatty (STDIN_FILENO))
    return G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION;
  return G_DBUS_CALL_FLAGS_NONE;
}

/* Long operations run as Job objects: while one of ours runs, a line per
 * progress step goes to stderr (when it is a terminal or --progress). */
typedef struct {
  GMainLoop *loop;
  GVariant *reply;
  GError *error;
  char *job_path;
  double last;
} PendingCall;

static void
on_job_signal (GDBusConnection *connection, const char *sender, const char *path,
               const char *iface, const char *signal_name, GVariant *params, gpointer user_data)
{
  PendingCall *pc = user_data;

  if (g_str_equal (signal_name, "InterfacesAdded"))
    {
      const char *object;
      g_autoptr(GVariant) ifaces = NULL;
      g_autoptr(GVariant) props = NULL;
      const char *operation = "?";
      const char *started_by = "";

      g_variant_get (params, "(&o@a{sa{sv}})", &object, &ifaces);
      props = g_variant_lookup_value (ifaces, JOB_IFACE, NULL);
      if (props == NULL || pc->job_path != NULL)
        return;
      /* ours: started by this connection */
      g_variant_lookup (props, "StartedBy", "&s", &started_by);
      if (!g_str_equal (started_by, g_dbus_connection_get_unique_name (bus)))
        return;
      g_variant_lookup (props, "Operation", "&s", &operation);
      pc->job_path = g_strdup (object);
      g_printerr ("%s: started\n", operation);
    }
  else if (g_str_equal (signal_name, "PropertiesChanged") && g_strcmp0 (path, pc->job_path) == 0)
    {
      g_autoptr(GVariant) changed = g_variant_get_child_value (params, 1);
      double progress;

      if (g_variant_lookup (changed, "Progress", "d", &progress) &&
          (progress - pc->last >= 0.05 || (progress >= 1.0 && pc->last < 1.0)))
        {
          pc->last = progress;
          g_printerr ("progress: %3.0f%%\n", progress * 100);
        }
    }
}

static void
call_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  PendingCall *pc = user_data;

  pc->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &pc->error);
  g_main_loop_quit (pc->loop);
}

static GVariant *
call (const char *path, const char *iface, const char *method, GVariant *params,
      const char *reply_type, GError **error)
{
  static const char *const long_methods[] = { "CreateContainer", "Clone", "Destroy", "Snapshot",
                                              "RestoreSnapshot", "Shutdown", "Reboot", NULL };
  PendingCall pc = { 0 };
  guint subs[2];

  if (!(opt.progress || isatty (STDERR_FILENO)) || opt.json || !g_strv_contains (long_methods, method))
    return g_dbus_connection_call_sync (bus, BUS_NAME, path, iface, method, params,
                                        reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                                        call_flags (), G_MAXINT, NULL, error);

  pc.loop = g_main_loop_new (NULL, FALSE);
  subs[0] = g_dbus_connection_signal_subscribe (bus, BUS_NAME, "org.freedesktop.DBus.ObjectManager",
                                                "InterfacesAdded", ROOT_PATH, NULL,
                                                G_DBUS_SIGNAL_FLAGS_NONE, on_job_signal, &pc, NULL);
  subs[1] = g_dbus_connection_signal_subscribe (bus, BUS_NAME, "org.freedesktop.DBus.Properties",
                                                "PropertiesChanged", NULL, NULL,
                                                G_DBUS_SIGNAL_FLAGS_NONE, on_job_signal, &pc, NULL);
  g_dbus_connection_call (bus, BUS_NAME, path, iface, method, params,
                          reply_type ? G_VARIANT_TYPE (reply_type) : NULL, call_flags (), G_MAXINT,
                          NULL, call_done, &pc);
  g_main_loop_run (pc.loop);
  g_dbus_connection_signal_unsubscribe (bus, subs[0]);
  g_dbus_connection_signal_unsubscribe (bus, subs[1]);
  g_main_loop_unref (pc.loop);
  if (pc.job_path && pc.reply)
    g_printerr ("done\n");
  g_free (pc.job_path);
  if (pc.error)
    g_propagate_error (error, pc.error);
  return pc.reply;
}

/* The object path of container *name* (remembered for messages). */
static char *
container_path (const char *name, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *path;

  current_name = name;
  reply = call (MANAGER_PATH, MANAGER_IFACE, "GetContainer", g_variant_new ("(s)", name), "(o)", error);
  if (reply == NULL)
    {
      lookup_failed = TRUE;
      return NULL;
    }
  g_variant_get (reply, "(o)", &path);
  return path;
}

static GVariant *
container_properties (const char *path, GError **error)
{
  g_autoptr(GVariant) reply = call (path, "org.freedesktop.DBus.Properties", "GetAll",
                                    g_variant_new ("(s)", CONTAINER_IFACE), "(a{sv})", error);

  return reply ? g_variant_get_child_value (reply, 0) : NULL;
}

static void
print_json (GVariant *v)
{
  g_autoptr(GString) json = g_string_new (NULL);

  json_value (json, v);
  g_print ("%s\n", json->str);
}

/* ---- list ------------------------------------------------------------------ */

static const char *const list_columns[] = { "name", "state", "pid", "autostart", "privileged",
                                            "defined", "lxcpath", "configfile", NULL };
static const char *const list_props[] = { "Name", "State", "InitPID", "Autostart", "Privileged",
                                          "Defined", "LXCPath", "ConfigFile", NULL };

/* The text of property *key* of *props* for a table cell. */
static char *
cell_text (GVariant *props, const char *key)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (props, key, NULL);

  if (v == NULL)
    return g_strdup ("?");
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (v) ? "yes" : "no");
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32))
    return g_variant_get_int32 (v) > 0 ? g_strdup_printf ("%d", g_variant_get_int32 (v)) : g_strdup ("-");
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (v, NULL);
  return g_variant_print (v, FALSE);
}

static void
csv_field (GString *out, const char *s)
{
  if (strpbrk (s, ",\"\n\r") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Prints rows (GPtrArray of GStrv, the first the header) as a table (the
 * columns as wide as their widest cell), CSV or nothing. */
static void
print_rows (GPtrArray *rows, gboolean csv)
{
  guint n_cols = rows->len ? g_strv_length (rows->pdata[0]) : 0;
  g_autofree int *width = g_new0 (int, n_cols + 1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint r = 0; r < rows->len; r++)
    for (guint c = 0; c < n_cols; c++)
      width[c] = MAX (width[c], (int) g_utf8_strlen (((char **) rows->pdata[r])[c], -1));
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = rows->pdata[r];
      for (guint c = 0; c < n_cols; c++)
        {
          if (csv)
            {
              if (c)
                g_string_append_c (out, ',');
              {
                /* the header in lower case, as --columns names them */
                g_autofree char *lower = g_ascii_strdown (row[c], -1);
                csv_field (out, r == 0 ? lower : row[c]);
              }
              continue;
            }
          g_string_append (out, row[c]);
          if (c + 1 < n_cols)
            for (int pad = (int) g_utf8_strlen (row[c], -1); pad <= width[c]; pad++)
              g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }
  g_print ("%s", out->str);
}

static int
verb_list (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_auto(GStrv) columns = NULL;
  g_autofree char *state_filter = opt.state ? g_ascii_strup (opt.state, -1) : NULL;
  const char *format = opt.format ? opt.format : opt.json ? "json" : "table";
  GVariantIter iter;
  GVariant *ifaces;

  if (opt.active && opt.defined)
    return usage_error ("--active and --defined exclude each other");
  columns = g_strsplit (opt.columns ? opt.columns : "name,state,pid,autostart,lxcpath", ",", -1);
  for (char **c = columns; *c; c++)
    {
      if (!g_strv_contains (list_columns, *c))
        {
          const char *hint = closest (*c, list_columns);
          return usage_error ("unknown column '%s'%s%s%s", *c, hint ? "; did you mean '" : "",
                              hint ? hint : "", hint ? "'?" : "");
        }
    }
  if (state_filter &&
      !g_strv_contains ((const char *const[]) { "STOPPED", "STARTING", "RUNNING", "STOPPING",
                                                "ABORTING", "FREEZING", "FROZEN", "THAWED", NULL },
                        state_filter))
    return usage_error ("unknown state '%s'", opt.state);

  reply = call (ROOT_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                "(a{oa{sa{sv}}})", &error);
  if (reply == NULL)
    return fail (error);
  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", NULL, &ifaces))
    {
      GVariant *props = g_variant_lookup_value (ifaces, CONTAINER_IFACE, G_VARIANT_TYPE ("a{sv}"));
      const char *name = "", *state = "STOPPED";
      gboolean defined = FALSE, match = argc == 0;

      g_variant_unref (ifaces);
      if (props == NULL)
        continue;
      g_variant_lookup (props, "Name", "&s", &name);
      g_variant_lookup (props, "State", "&s", &state);
      g_variant_lookup (props, "Defined", "b", &defined);
      for (int i = 0; i < argc && !match; i++)
        match = fnmatch (argv[i], name, 0) == 0;
      if (!match || (opt.active && g_str_equal (state, "STOPPED")) || (opt.defined && !defined) ||
          (state_filter && !g_str_equal (state, state_filter)))
        {
          g_variant_unref (props);
          continue;
        }
      g_ptr_array_add (entries, props);
    }
  /* sorted by name */
  for (guint i = 1; i < entries->len; i++)
    for (guint j = i; j > 0; j--)
      {
        const char *a = "", *b = "";
        g_variant_lookup (entries->pdata[j - 1], "Name", "&s", &a);
        g_variant_lookup (entries->pdata[j], "Name", "&s", &b);
        if (strcmp (a, b) <= 0)
          break;
        GVariant *t = entries->pdata[j - 1];
        entries->pdata[j - 1] = entries->pdata[j];
        entries->pdata[j] = t;
      }

  if (g_str_equal (format, "json"))
    {
      g_autoptr(GString) out = g_string_new ("[");
      for (guint i = 0; i < entries->len; i++)
        {
          if (i)
            g_string_append_c (out, ',');
          if (opt.columns == NULL)
            json_value (out, entries->pdata[i]);
          else
            {
              GVariantBuilder b;
              g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
              for (char **c = columns; *c; c++)
                for (guint k = 0; list_columns[k]; k++)
                  if (g_str_equal (*c, list_columns[k]))
                    {
                      g_autoptr(GVariant) v = g_variant_lookup_value (entries->pdata[i], list_props[k], NULL);
                      if (v)
                        g_variant_builder_add (&b, "{sv}", list_props[k], v);
                    }
              g_autoptr(GVariant) sub = g_variant_ref_sink (g_variant_builder_end (&b));
              json_value (out, sub);
            }
        }
      g_string_append (out, "]");
      g_print ("%s\n", out->str);
      return EXIT_OK;
    }

  g_ptr_array_add (rows, NULL);
  {
    g_autoptr(GStrvBuilder) header = g_strv_builder_new ();
    for (char **c = columns; *c; c++)
      {
        g_autofree char *up = g_ascii_strup (*c, -1);
        g_strv_builder_add (header, up);
      }
    rows->pdata[0] = g_strv_builder_end (header);
  }
  for (guint i = 0; i < entries->len; i++)
    {
      g_autoptr(GStrvBuilder) row = g_strv_builder_new ();
      for (char **c = columns; *c; c++)
        for (guint k = 0; list_columns[k]; k++)
          if (g_str_equal (*c, list_columns[k]))
            {
              g_autofree char *cell = cell_text (entries->pdata[i], list_props[k]);
              g_strv_builder_add (row, cell);
            }
      g_ptr_array_add (rows, g_strv_builder_end (row));
    }
  print_rows (rows, g_str_equal (format, "csv"));
  return EXIT_OK;
}

static int
verb_status (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) props = NULL;
  static const char *const order[] = { "Name", "State", "Running", "InitPID", "Defined", "LXCPath",
                                       "ConfigFile", "Autostart", "Privileged", "Daemonize",
                                       "CloseAllFDs", NULL };

  path = container_path (argv[0], &error);
  if (path == NULL || (props = container_properties (path, &error)) == NULL)
    return fail (error);
  if (opt.json)
    {
      print_json (props);
      return EXIT_OK;
    }
  for (const char *const *key = order; *key; key++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (props, *key, NULL);
      if (value)
        {
          g_autofree char *text = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
                                    ? g_variant_dup_string (value, NULL)
                                    : g_variant_print (value, FALSE);
          g_print ("%12s: %s\n", *key, text);
        }
    }
  return EXIT_OK;
}

/* ---- lifecycle ------------------------------------------------------------- */

static GVariant *
empty_options (void)
{
  return g_variant_new ("a{sv}", NULL);
}

/* Clean shutdown within opt.timeout, then (or at once with --kill) a kill. */
static int
stop_container (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  if (!opt.kill && !opt.force)
    {
      if (opt.timeout > 0)
        {
          reply = call (path, CONTAINER_IFACE, "Shutdown", g_variant_new ("(i)", opt.timeout), NULL, &error);
          if (reply)
            return EXIT_OK;
          {
            g_autofree char *remote = g_dbus_error_get_remote_error (error);
            if (g_strcmp0 (remote, ERROR_PREFIX "Timeout") != 0)
              return fail (error);
          }
          g_printerr ("lxcctl: %s did not shut down within %d seconds; killing it\n", current_name,
                      opt.timeout);
          g_clear_error (&error);
        }
    }
  reply = call (path, CONTAINER_IFACE, "Stop", NULL, NULL, &error);
  return reply ? EXIT_OK : fail (error);
}

/* start, stop, restart, freeze, unfreeze, shutdown, reboot, destroy NAME */
static int
verb_lifecycle (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *name = verb->name;

  path = container_path (argv[0], &error);
  if (path == NULL)
    return fail (error);

  if (g_str_equal (name, "start"))
    reply = call (path, CONTAINER_IFACE, "Start", g_variant_new ("(@a{sv})", empty_options ()), NULL, &error);
  else if (g_str_equal (name, "stop"))
    return stop_container (path);
  else if (g_str_equal (name, "restart"))
    {
      int rc = stop_container (path);
      if (rc != EXIT_OK)
        return rc;
      reply = call (path, CONTAINER_IFACE, "Start", g_variant_new ("(@a{sv})", empty_options ()), NULL, &error);
    }
  else if (g_str_equal (name, "freeze"))
    reply = call (path, CONTAINER_IFACE, "Freeze", NULL, NULL, &error);
  else if (g_str_equal (name, "unfreeze"))
    reply = call (path, CONTAINER_IFACE, "Unfreeze", NULL, NULL, &error);
  else if (g_str_equal (name, "shutdown"))
    reply = call (path, CONTAINER_IFACE, "Shutdown", g_variant_new ("(i)", opt.timeout), NULL, &error);
  else if (g_str_equal (name, "reboot"))
    reply = call (path, CONTAINER_IFACE, "Reboot", g_variant_new ("(i)", opt.timeout), NULL, &error);
  else /* destroy */
    {
      GVariantBuilder b;
      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
      if (opt.force)
        g_variant_builder_add (&b, "{sv}", "force", g_variant_new_boolean (TRUE));
      if (opt.with_snapshots)
        g_variant_builder_add (&b, "{sv}", "with_snapshots", g_variant_new_boolean (TRUE));
      reply = call (path, CONTAINER_IFACE, "Destroy", g_variant_new ("(a{sv})", &b), NULL, &error);
    }
  return reply ? EXIT_OK : fail (error);
}

static int
verb_create (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder opts;

  if (opt.template_name == NULL)
    return usage_error ("create needs a template: -t TEMPLATE");
  current_name = argv[0];
  g_variant_builder_init (&opts, G_VARIANT_TYPE ("a{sv}"));
  if (opt.lxcpath)
    g_variant_builder_add (&opts, "{sv}", "lxcpath", g_variant_new_string (opt.lxcpath));
  if (argc > 1)
    g_variant_builder_add (&opts, "{sv}", "template_args",
                           g_variant_new_strv ((const char *const *) argv + 1, argc - 1));
  if (opt.config->len > 0)
    {
      GVariantBuilder items;

      g_variant_builder_init (&items, G_VARIANT_TYPE ("a(ss)"));
      for (guint i = 0; i < opt.config->len; i++)
        {
          const char *item = opt.config->pdata[i];
          g_autofree char *key = g_strndup (item, (gsize) (strchr (item, '=') - item));

          const char *value = strchr (item, '=') + 1;

          /* "KEY = VALUE" as in a config file */
          while (*value == ' ' || *value == '\t')
            value++;
          g_variant_builder_add (&items, "(ss)", g_strstrip (key), value);
        }
      g_variant_builder_add (&opts, "{sv}", "config_items", g_variant_builder_end (&items));
    }
  reply = call (MANAGER_PATH, MANAGER_IFACE, "CreateContainer",
                g_variant_new ("(ssa{sv})", argv[0], opt.template_name, &opts), "(o)", &error);
  return reply ? EXIT_OK : fail (error);
}

static void
print_string_or_list (GVariant *reply)
{
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(s)")))
    {
      g_autoptr(GVariant) value = g_variant_get_child_value (reply, 0);
      if (opt.json)
        print_json (value);
      else
        g_print ("%s\n", g_variant_get_string (value, NULL));
    }
  else if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(as)")))
    {
      g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
      if (opt.json)
        print_json (list);
      else
        {
          g_autofree const char **items = g_variant_get_strv (list, NULL);
          for (const char **k = items; *k; k++)
            g_print ("%s\n", *k);
        }
    }
}


/* Every configuration item that has a value, in liblxc's key order, as
 * pairs (key, value) in *items* (a multi-valued key gives a pair per value);
 * the names of the keys liblxc knows in *known* (if not NULL). */
static gboolean
read_config (const char *path, GPtrArray *items, GPtrArray *known, GError **error)
{
  g_autoptr(GVariant) keys = call (path, CONTAINER_IFACE, "GetKeys", g_variant_new ("(s)", ""), "(as)", error);
  g_autofree const char **list = NULL;

  if (keys == NULL)
    return FALSE;
  g_variant_get (keys, "(^a&s)", &list);
  for (const char **k = list; *k; k++)
    {
      g_autoptr(GVariant) v = NULL;
      g_auto(GStrv) lines = NULL;
      const char *value;

      if (known)
        g_ptr_array_add (known, g_strdup (*k));
      /* lxc.net is read per interface below; the others are prefixes */
      if (g_str_equal (*k, "lxc.net") || g_str_has_prefix (*k, "lxc.hook") ||
          g_str_equal (*k, "lxc.cgroup") || g_str_equal (*k, "lxc.cgroup2"))
        continue;
      v = call (path, CONTAINER_IFACE, "GetConfigItem", g_variant_new ("(s)", *k), "(s)", NULL);
      if (v == NULL)
        continue;
      g_variant_get (v, "(&s)", &value);
      lines = g_strsplit (value, "\n", -1);
      for (char **l = lines; *l; l++)
        if (**l)
          {
            g_ptr_array_add (items, g_strdup (*k));
            g_ptr_array_add (items, g_strdup (*l));
          }
    }
  for (int n = 0;; n++)
    {
      g_autofree char *prefix = g_strdup_printf ("lxc.net.%d", n);
      g_autoptr(GVariant) netkeys = call (path, CONTAINER_IFACE, "GetKeys", g_variant_new ("(s)", prefix), "(as)", NULL);
      g_autofree const char **nk = NULL;
      gboolean any = FALSE;

      if (netkeys == NULL)
        break;
      g_variant_get (netkeys, "(^a&s)", &nk);
      for (const char **k = nk; *k; k++)
        {
          g_autofree char *key = g_str_has_prefix (*k, "lxc.") ? g_strdup (*k) : g_strdup_printf ("%s.%s", prefix, *k);
          g_autoptr(GVariant) v = call (path, CONTAINER_IFACE, "GetConfigItem", g_variant_new ("(s)", key), "(s)", NULL);
          const char *value;

          if (known)
            g_ptr_array_add (known, g_strdup (key));
          if (v == NULL)
            continue;
          g_variant_get (v, "(&s)", &value);
          if (*value)
            {
              any = TRUE;
              g_ptr_array_add (items, g_strdup (key));
              g_ptr_array_add (items, g_strdup (value));
            }
        }
      if (!any)
        break;
    }
  return TRUE;
}

static int
config_show (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);

  if (!read_config (path, items, NULL, &error))
    return fail (error);
  if (opt.json)
    {
      g_string_append_c (out, '{');
      for (guint i = 0; i < items->len; i += 2)
        {
          if (i && g_str_equal (items->pdata[i], items->pdata[i - 2]))
            continue;
          if (i)
            g_string_append_c (out, ',');
          json_string (out, items->pdata[i]);
          g_string_append_c (out, ':');
          if (i + 2 < items->len && g_str_equal (items->pdata[i], items->pdata[i + 2]))
            {
              /* a multi-valued key: a list */
              g_string_append_c (out, '[');
              for (guint j = i; j < items->len && g_str_equal (items->pdata[j], items->pdata[i]); j += 2)
                {
                  if (j > i)
                    g_string_append_c (out, ',');
                  json_string (out, items->pdata[j + 1]);
                }
              g_string_append_c (out, ']');
            }
          else
            json_string (out, items->pdata[i + 1]);
        }
      g_string_append (out, "}\n");
    }
  else
    for (guint i = 0; i < items->len; i += 2)
      g_string_append_printf (out, "%s = %s\n", (char *) items->pdata[i], (char *) items->pdata[i + 1]);
  g_print ("%s", out->str);
  return EXIT_OK;
}

/* The values of *key* in *items* (pairs), joined by newlines. */
static char *
values_of (GPtrArray *items, const char *key)
{
  GString *v = g_string_new (NULL);

  for (guint i = 0; i < items->len; i += 2)
    if (g_str_equal (items->pdata[i], key))
      g_string_append_printf (v, "%s%s", v->len ? "\n" : "", (char *) items->pdata[i + 1]);
  return g_string_free (v, FALSE);
}

/* Sets *key* to *values* (newline separated; "" clears it). */
static gboolean
write_item (const char *path, const char *key, const char *values, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (values, "\n", -1);
  g_autoptr(GVariant) r = call (path, CONTAINER_IFACE, "ClearConfigItem", g_variant_new ("(s)", key), NULL, error);

  if (r == NULL)
    return FALSE;
  for (char **l = lines; *l; l++)
    {
      g_autoptr(GVariant) r2 = NULL;
      if (**l == '\0')
        continue;
      r2 = call (path, CONTAINER_IFACE, "SetConfigItem", g_variant_new ("(ss)", key, *l), NULL, error);
      if (r2 == NULL)
        return FALSE;
    }
  return TRUE;
}

/* config edit NAME: the items in $VISUAL/$EDITOR as "key = value" lines;
 * the changed keys are written when the editor exits. Unknown keys and
 * malformed lines are refused before anything is written; if the service
 * refuses a change, the keys already changed are put back. */
static int
config_edit (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) edited = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) known = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *file = NULL, *contents = NULL, *command = NULL;
  g_auto(GStrv) lines = NULL;
  const char *editor = g_getenv ("VISUAL");
  int fd, status;

  if (editor == NULL || *editor == '\0')
    editor = g_getenv ("EDITOR");
  if (editor == NULL || *editor == '\0')
    editor = "vi";
  if (!read_config (path, items, known, &error))
    return fail (error);
  g_string_append_printf (text, "# Configuration of %s: one \"key = value\" per line (a key with\n"
                                "# several values on several lines). Removing a key's lines clears it.\n",
                          current_name);
  for (guint i = 0; i < items->len; i += 2)
    g_string_append_printf (text, "%s = %s\n", (char *) items->pdata[i], (char *) items->pdata[i + 1]);
  fd = g_file_open_tmp ("lxcctl-config-XXXXXX.conf", &file, &error);
  if (fd < 0 || !g_file_set_contents (file, text->str, (gssize) text->len, &error))
    {
      if (fd >= 0)
        close (fd);
      g_printerr ("lxcctl: %s\n", error->message);
      return EXIT_FAIL;
    }
  close (fd);
  /* as git does: the editor's value is a shell command */
  command = g_strdup_printf ("%s \"$1\"", editor);
  {
    const char *argv[] = { "/bin/sh", "-c", command, editor, file, NULL };
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL,
                       NULL, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        g_printerr ("lxcctl: the editor failed (%s); nothing was changed\n", error->message);
        unlink (file);
        return EXIT_FAIL;
      }
  }
  if (!g_file_get_contents (file, &contents, NULL, &error))
    {
      g_printerr ("lxcctl: %s\n", error->message);
      return EXIT_FAIL;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint n = 0; lines[n]; n++)
    {
      char *line = g_strstrip (lines[n]);
      char *eq = strchr (line, '=');
      g_autofree char *key = NULL;
      gboolean ok;

      if (*line == '\0' || *line == '#')
        continue;
      if (eq == NULL)
        {
          g_printerr ("lxcctl: line %u: expected 'key = value'; nothing was changed (your text is in %s)\n",
                      n + 1, file);
          return EXIT_FAIL;
        }
      key = g_strstrip (g_strndup (line, (gsize) (eq - line)));
      ok = g_ptr_array_find_with_equal_func (known, key, g_str_equal, NULL);
      if (!ok)
        {
          g_printerr ("lxcctl: line %u: unknown key '%s'; nothing was changed (your text is in %s)\n",
                      n + 1, key, file);
          return EXIT_FAIL;
        }
      g_ptr_array_add (edited, g_steal_pointer (&key));
      g_ptr_array_add (edited, g_strdup (g_strstrip (eq + 1)));
    }
  /* the keys whose values differ, in order */
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *from = pass ? edited : items;
      for (guint i = 0; i < from->len; i += 2)
        {
          g_autofree char *before = values_of (items, from->pdata[i]);
          g_autofree char *after = values_of (edited, from->pdata[i]);
          if (!g_str_equal (before, after) &&
              !g_ptr_array_find_with_equal_func (changed, from->pdata[i], g_str_equal, NULL))
            g_ptr_array_add (changed, g_strdup (from->pdata[i]));
        }
    }
  for (guint i = 0; i < changed->len; i++)
    {
      g_autofree char *after = values_of (edited, changed->pdata[i]);
      if (!write_item (path, changed->pdata[i], after, &error))
        {
          int rc = fail (error);
          /* put back what was changed */
          for (guint j = 0; j <= i; j++)
            {
              g_autofree char *before = values_of (items, changed->pdata[j]);
              (void) write_item (path, changed->pdata[j], before, NULL);
            }
          g_printerr ("lxcctl: %s was refused; nothing was changed (your text is in %s)\n",
                      (char *) changed->pdata[i], file);
          return rc;
        }
    }
  unlink (file);
  if (changed->len == 0)
    g_printerr ("lxcctl: no changes\n");
  return EXIT_OK;
}

/* config get|set|clear|keys|show NAME ... */
static int
verb_config (const Verb *verb, int argc, char **argv)
{
  static const struct { const char *sub; int n; } subs[] = {
    { "get", 3 }, { "set", 4 }, { "clear", 3 }, { "keys", -1 }, { "show", 2 }, { "edit", 2 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *sub = argv[0];
  gboolean known = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      if (!g_str_equal (sub, subs[i].sub))
        continue;
      known = TRUE;
      if ((subs[i].n >= 0 && argc != subs[i].n) || (subs[i].n < 0 && (argc < 2 || argc > 3)))
        return usage_error ("wrong number of arguments for 'config %s'", sub);
    }
  if (!known)
    return usage_error ("unknown config command '%s'", sub);
  path = container_path (argv[1], &error);
  if (path == NULL)
    return fail (error);
  if (g_str_equal (sub, "get"))
    reply = call (path, CONTAINER_IFACE, "GetConfigItem", g_variant_new ("(s)", argv[2]), "(s)", &error);
  else if (g_str_equal (sub, "set"))
    reply = call (path, CONTAINER_IFACE, "SetConfigItem", g_variant_new ("(ss)", argv[2], argv[3]),
                  NULL, &error);
  else if (g_str_equal (sub, "clear"))
    reply = call (path, CONTAINER_IFACE, "ClearConfigItem", g_variant_new ("(s)", argv[2]), NULL, &error);
  else if (g_str_equal (sub, "keys"))
    reply = call (path, CONTAINER_IFACE, "GetKeys", g_variant_new ("(s)", argc == 3 ? argv[2] : ""),
                  "(as)", &error);
  else if (g_str_equal (sub, "show"))
    return config_show (path);
  else
    return config_edit (path);
  if (reply == NULL)
    return fail (error);
  print_string_or_list (reply);
  return EXIT_OK;
}

/* cgroup get|set NAME KEY [VALUE] */
static int
verb_cgroup (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean get = g_str_equal (argv[0], "get");

  if (!get && !g_str_equal (argv[0], "set"))
    return usage_error ("unknown cgroup command '%s'", argv[0]);
  if (argc != (get ? 3 : 4))
    return usage_error ("wrong number of arguments for 'cgroup %s'", argv[0]);
  path = container_path (argv[1], &error);
  if (path == NULL)
    return fail (error);
  if (get)
    reply = call (path, CONTAINER_IFACE, "GetCgroupItem", g_variant_new ("(s)", argv[2]), "(s)", &error);
  else
    reply = call (path, CONTAINER_IFACE, "SetCgroupItem", g_variant_new ("(ss)", argv[2], argv[3]), NULL, &error);
  if (reply == NULL)
    return fail (error);
  print_string_or_list (reply);
  return EXIT_OK;
}

static int
verb_ips (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = container_path (argv[0], &error);
  g_autoptr(GVariant) reply = NULL;

  if (path == NULL)
    return fail (error);
  reply = call (path, CONTAINER_IFACE, "GetIPs", g_variant_new ("(ssu)", "", "", 0), "(as)", &error);
  if (reply == NULL)
    return fail (error);
  print_string_or_list (reply);
  return EXIT_OK;
}

/* clone SRC NEW, rename OLD NEW */
static int
verb_clone_rename (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = container_path (argv[0], &error);
  g_autoptr(GVariant) reply = NULL;

  if (path == NULL)
    return fail (error);
  if (g_str_equal (verb->name, "rename"))
    reply = call (path, CONTAINER_IFACE, "Rename", g_variant_new ("(s)", argv[1]), "(o)", &error);
  else
    {
      GVariantBuilder b;
      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
      if (opt.snapshot)
        {
          const char *const flags[] = { "snapshot", NULL };
          g_variant_builder_add (&b, "{sv}", "flags", g_variant_new_strv (flags, -1));
          g_variant_builder_add (&b, "{sv}", "bdev_type", g_variant_new_string ("overlay"));
        }
      if (opt.lxcpath)
        g_variant_builder_add (&b, "{sv}", "lxcpath", g_variant_new_string (opt.lxcpath));
      reply = call (path, CONTAINER_IFACE, "Clone", g_variant_new ("(sa{sv})", argv[1], &b), "(o)", &error);
    }
  return reply ? EXIT_OK : fail (error);
}

/* snapshot [create] NAME [-c COMMENT] | snapshot list NAME | snapshot restore
 * NAME SNAPSHOT NEW | snapshot destroy NAME SNAPSHOT */
static int
verb_snapshot (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *sub = argv[0];
  static const struct { const char *sub; int n; } subs[] = {
    { "list", 2 }, { "restore", 4 }, { "destroy", 3 }, { "create", 2 },
  };
  gboolean known = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      if (!g_str_equal (sub, subs[i].sub))
        continue;
      known = TRUE;
      if (argc != subs[i].n)
        return usage_error ("wrong number of arguments for 'snapshot %s'", sub);
    }
  if (!known)
    {
      /* snapshot NAME: take one */
      if (argc != 1)
        return usage_error ("unknown snapshot command '%s'", sub);
      sub = "create";
      argv--;
    }
  if (opt.comment && !g_str_equal (sub, "create"))
    return usage_error ("--comment is for taking a snapshot");
  path = container_path (argv[1], &error);
  if (path == NULL)
    return fail (error);
  if (g_str_equal (sub, "list"))
    {
      GVariantIter iter;
      const char *name, *comment, *stamp, *where;
      g_autoptr(GVariant) list = NULL;
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      reply = call (path, CONTAINER_IFACE, "ListSnapshots", NULL, "(a(ssss))", &error);
      if (reply == NULL)
        return fail (error);
      list = g_variant_get_child_value (reply, 0);
      if (opt.json)
        {
          print_json (list);
          return EXIT_OK;
        }
      g_ptr_array_add (rows, g_strdupv ((char *[]) { "NAME", "TIME", "COMMENT", NULL }));
      g_variant_iter_init (&iter, list);
      while (g_variant_iter_next (&iter, "(&s&s&s&s)", &name, &comment, &stamp, &where))
        {
          g_autofree char *first = g_strndup (comment, strcspn (comment, "\n"));
          g_ptr_array_add (rows, g_strdupv ((char *[]) { (char *) name, (char *) stamp, first, NULL }));
        }
      print_rows (rows, FALSE);
      return EXIT_OK;
    }
  if (g_str_equal (sub, "restore"))
    reply = call (path, CONTAINER_IFACE, "RestoreSnapshot", g_variant_new ("(ss)", argv[2], argv[3]), "(o)", &error);
  else if (g_str_equal (sub, "destroy"))
    reply = call (path, CONTAINER_IFACE, "DestroySnapshot", g_variant_new ("(s)", argv[2]), NULL, &error);
  else
    {
      GVariantBuilder b;
      const char *name;

      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
      if (opt.comment)
        g_variant_builder_add (&b, "{sv}", "comment", g_variant_new_string (opt.comment));
      reply = call (path, CONTAINER_IFACE, "Snapshot", g_variant_new ("(a{sv})", &b), "(s)", &error);
      if (reply == NULL)
        return fail (error);
      g_variant_get (reply, "(&s)", &name);
      g_print ("%s\n", name);
      return EXIT_OK;
    }
  return reply ? EXIT_OK : fail (error);
}

/* ---- info -------------------------------------------------------------------- */

/* A figure of GetUsage's answer, or -1 if the kernel did not report it. */
static gint64
usage_value (GVariant *usage, const char *key)
{
  guint64 value;

  if (usage == NULL || !g_variant_lookup (usage, key, "t", &value) || value > G_MAXINT64)
    return -1;
  return (gint64) value;
}

/* "12.0 MiB" */
static char *
format_bytes (gint64 bytes)
{
  return g_format_size_full ((guint64) bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static char *
format_duration (gint64 s)
{
  if (s >= 86400)
    return g_strdup_printf ("%" G_GINT64_FORMAT "d %" G_GINT64_FORMAT "h %" G_GINT64_FORMAT "min", s / 86400, s % 86400 / 3600, s % 3600 / 60);
  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT "h %" G_GINT64_FORMAT "min %" G_GINT64_FORMAT "s", s / 3600, s % 3600 / 60, s % 60);
  if (s >= 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT "min %" G_GINT64_FORMAT "s", s / 60, s % 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT "s", s);
}

static int
verb_info (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = container_path (argv[0], &error);
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) ips = NULL;
  g_autoptr(GVariant) snaps = NULL;
  g_autoptr(GVariant) usage = NULL;
  g_autofree char *os = NULL;
  const char *name = argv[0], *state = "?", *lxcpath = "?";
  gint32 pid = 0;
  gint32 last_exit = -1; /* the last init's wait status (foreground starts) */
  gboolean autostart = FALSE, privileged = FALSE;
  gint64 uptime = -1, started = -1, n_snaps = -1;
  static const struct {
    const char *key;  /* GetUsage's */
    const char *json; /* lxcctl info --json's */
  } figures[] = {
    { "cpu_usage_ns", "CPUTimeNanoseconds" },
    { "memory_current", "MemoryBytes" },
    { "memory_peak", "MemoryPeakBytes" },
    { "memory_limit", "MemoryLimitBytes" },
    { "processes", "Processes" },
    { "io_read_bytes", "IOReadBytes" },
    { "io_write_bytes", "IOWriteBytes" },
    { "net_rx_bytes", "NetworkReceivedBytes" },
    { "net_tx_bytes", "NetworkSentBytes" },
  };
  g_autoptr(GString) ip_text = g_string_new (NULL);
  GVariantBuilder b;

  if (path == NULL || (props = container_properties (path, &error)) == NULL)
    return fail (error);
  g_variant_lookup (props, "State", "&s", &state);
  g_variant_lookup (props, "LXCPath", "&s", &lxcpath);
  g_variant_lookup (props, "InitPID", "i", &pid);
  g_variant_lookup (props, "LastExitStatus", "i", &last_exit);
  g_variant_lookup (props, "Autostart", "b", &autostart);
  g_variant_lookup (props, "Privileged", "b", &privileged);
  if (pid > 0)
    {
      g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
        bus, BUS_NAME, path, CONTAINER_IFACE, "GetIPs", g_variant_new ("(ssu)", "", "", 0),
        G_VARIANT_TYPE ("(as)"), call_flags (), 30000, NULL, NULL);
      if (reply)
        ips = g_variant_get_child_value (reply, 0);
      /* one call for the figures, which needs no authorization */
      g_clear_pointer (&reply, g_variant_unref);
      reply = g_dbus_connection_call_sync (bus, BUS_NAME, path, CONTAINER_IFACE, "GetUsage",
                                           g_variant_new ("(a{sv})", NULL),
                                           G_VARIANT_TYPE ("(a{sv})"), call_flags (), 30000, NULL,
                                           NULL);
      if (reply)
        usage = g_variant_get_child_value (reply, 0);
      started = usage_value (usage, "started_usec");
      if (started > 0)
        uptime = MAX (0, (g_get_real_time () - started) / G_USEC_PER_SEC);
    }
  {
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
      bus, BUS_NAME, path, CONTAINER_IFACE, "ListSnapshots", NULL, G_VARIANT_TYPE ("(a(ssss))"),
      call_flags (), 30000, NULL, NULL);
    if (reply)
      {
        snaps = g_variant_get_child_value (reply, 0);
        n_snaps = (gint64) g_variant_n_children (snaps);
      }
  }
  {
    /* its /etc/os-release (read-config; left out if refused) */
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
      bus, BUS_NAME, path, CONTAINER_IFACE, "GetOSRelease", NULL, G_VARIANT_TYPE ("(a{ss})"),
      call_flags (), 30000, NULL, NULL);
    g_autoptr(GVariant) fields = reply ? g_variant_get_child_value (reply, 0) : NULL;

    if (fields && !g_variant_lookup (fields, "PRETTY_NAME", "s", &os))
      g_variant_lookup (fields, "NAME", "s", &os);
  }
  if (ips)
    {
      g_autofree const char **list = g_variant_get_strv (ips, NULL);
      g_autofree char *joined = g_strjoinv (", ", (char **) list);
      g_string_append (ip_text, *joined ? joined : "none");
    }

  if (opt.json)
    {
      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&b, "{sv}", "Name", g_variant_new_string (name));
      g_variant_builder_add (&b, "{sv}", "State", g_variant_new_string (state));
      g_variant_builder_add (&b, "{sv}", "InitPID", g_variant_new_int32 (pid));
      if (last_exit >= 0)
        g_variant_builder_add (&b, "{sv}", "LastExitStatus", g_variant_new_int32 (last_exit));
      if (os)
        g_variant_builder_add (&b, "{sv}", "OS", g_variant_new_string (os));
      if (uptime >= 0)
        g_variant_builder_add (&b, "{sv}", "UptimeSeconds", g_variant_new_uint64 ((guint64) uptime));
      if (ips)
        g_variant_builder_add (&b, "{sv}", "IPs", ips);
      for (gsize i = 0; i < G_N_ELEMENTS (figures); i++)
        {
          gint64 value = usage_value (usage, figures[i].key);

          if (value >= 0)
            g_variant_builder_add (&b, "{sv}", figures[i].json, g_variant_new_uint64 ((guint64) value));
        }
      if (n_snaps >= 0)
        g_variant_builder_add (&b, "{sv}", "Snapshots", g_variant_new_uint64 ((guint64) n_snaps));
      g_variant_builder_add (&b, "{sv}", "Autostart", g_variant_new_boolean (autostart));
      g_variant_builder_add (&b, "{sv}", "Privileged", g_variant_new_boolean (privileged));
      g_variant_builder_add (&b, "{sv}", "LXCPath", g_variant_new_string (lxcpath));
      {
        g_autoptr(GVariant) all = g_variant_ref_sink (g_variant_builder_end (&b));
        print_json (all);
      }
      return EXIT_OK;
    }
  g_print ("%12s: %s\n", "Name", name);
  g_print ("%12s: %s\n", "State", state);
  if (last_exit >= 0 && WIFEXITED (last_exit))
    g_print ("%12s: %d\n", "Last exit", WEXITSTATUS (last_exit));
  else if (last_exit >= 0 && WIFSIGNALED (last_exit))
    g_print ("%12s: signal %d (%s)\n", "Last exit", WTERMSIG (last_exit),
             g_strsignal (WTERMSIG (last_exit)));
  if (os)
    g_print ("%12s: %s\n", "OS", os);
  if (pid > 0)
    {
      g_autofree char *up = uptime >= 0 ? format_duration (uptime) : g_strdup ("?");
      g_print ("%12s: %d\n", "PID", pid);
      g_print ("%12s: %s\n", "Uptime", up);
      g_print ("%12s: %s\n", "IPs", ip_text->len ? ip_text->str : "?");
      gint64 cpu_ns = usage_value (usage, "cpu_usage_ns");
      gint64 mem = usage_value (usage, "memory_current");
      gint64 peak = usage_value (usage, "memory_peak");
      gint64 limit = usage_value (usage, "memory_limit");
      gint64 procs = usage_value (usage, "processes");
      gint64 io_r = usage_value (usage, "io_read_bytes");
      gint64 io_w = usage_value (usage, "io_write_bytes");
      gint64 rx = usage_value (usage, "net_rx_bytes");
      gint64 tx = usage_value (usage, "net_tx_bytes");

      if (cpu_ns >= 0)
        g_print ("%12s: %.2fs\n", "CPU time", (double) cpu_ns / 1e9);
      else
        g_print ("%12s: ?\n", "CPU time");
      if (mem >= 0)
        {
          g_autofree char *m = format_bytes (mem);
          g_autofree char *p = peak >= 0 ? format_bytes (peak) : NULL;
          g_autofree char *l = limit >= 0 ? format_bytes (limit) : NULL;
          g_autoptr(GString) line = g_string_new (m);

          if (p)
            g_string_append_printf (line, " (peak %s", p);
          if (l)
            g_string_append_printf (line, "%s limit %s", p ? "," : " (", l);
          if (p || l)
            g_string_append_c (line, ')');
          g_print ("%12s: %s\n", "Memory", line->str);
        }
      else
        g_print ("%12s: ?\n", "Memory");
      if (procs >= 0)
        g_print ("%12s: %" G_GINT64_FORMAT "\n", "Processes", procs);
      else
        g_print ("%12s: ?\n", "Processes");
      if (io_r >= 0 && io_w >= 0)
        {
          g_autofree char *r = format_bytes (io_r), *w = format_bytes (io_w);
          g_print ("%12s: %s read, %s written\n", "Block I/O", r, w);
        }
      if (rx >= 0 && tx >= 0)
        {
          g_autofree char *r = format_bytes (rx), *t = format_bytes (tx);
          g_print ("%12s: %s received, %s sent\n", "Network", r, t);
        }
    }
  if (n_snaps >= 0)
    g_print ("%12s: %" G_GINT64_FORMAT "\n", "Snapshots", n_snaps);
  else
    g_print ("%12s: ?\n", "Snapshots");
  g_print ("%12s: %s\n", "Autostart", autostart ? "yes" : "no");
  g_print ("%12s: %s\n", "Privileged", privileged ? "yes" : "no");
  g_print ("%12s: %s\n", "LXCPath", lxcpath);
  return EXIT_OK;
}

/* ---- jobs ---------------------------------------------------------------------- */

static const char *
short_path (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash ? slash + 1 : path;
}

static int
verb_jobs (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GString) json = g_string_new ("[");
  const char *format = opt.format ? opt.format : opt.json ? "json" : "table";
  GVariantIter iter;
  const char *object;
  GVariant *ifaces;

  reply = call (ROOT_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                "(a{oa{sa{sv}}})", &error);
  if (reply == NULL)
    return fail (error);
  g_ptr_array_add (rows, g_strdupv ((char *[]) { "ID", "OPERATION", "CONTAINERS", "UID", "STARTED", "PROGRESS", NULL }));
  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &object, &ifaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (ifaces, JOB_IFACE, G_VARIANT_TYPE ("a{sv}"));
      const char *operation = "?";
      g_autofree const char **objs = NULL;
      guint32 uid = 0;
      guint64 start = 0;
      double progress = 0;
      gboolean progress_valid = FALSE;
      g_autoptr(GString) names = g_string_new (NULL);
      g_autoptr(GDateTime) when = NULL;

      g_variant_unref (ifaces);
      if (props == NULL)
        continue;
      g_variant_lookup (props, "Operation", "&s", &operation);
      g_variant_lookup (props, "Objects", "^a&o", &objs);
      g_variant_lookup (props, "StartedByUID", "u", &uid);
      g_variant_lookup (props, "StartTime", "t", &start);
      g_variant_lookup (props, "Progress", "d", &progress);
      g_variant_lookup (props, "ProgressValid", "b", &progress_valid);
      for (const char **o = objs; o && *o; o++)
        g_string_append_printf (names, "%s%s", names->len ? "," : "", short_path (*o));
      when = g_date_time_new_from_unix_local ((gint64) (start / G_USEC_PER_SEC));
      if (json->len > 1)
        g_string_append_c (json, ',');
      g_string_append (json, "{\"Job\":");
      json_string (json, object);
      g_string_append (json, ",\"Properties\":");
      json_value (json, props);
      g_string_append_c (json, '}');
      {
        g_autofree char *id = g_strdup (short_path (object));
        g_autofree char *uid_text = g_strdup_printf ("%u", uid);
        g_autofree char *stamp = when ? g_date_time_format (when, "%H:%M:%S") : g_strdup ("?");
        g_autofree char *prog = progress_valid ? g_strdup_printf ("%.0f%%", progress * 100) : g_strdup ("-");
        g_ptr_array_add (rows, g_strdupv ((char *[]) { id, (char *) operation, names->len ? names->str : "-",
                                                        uid_text, stamp, prog, NULL }));
      }
    }
  if (g_str_equal (format, "json"))
    g_print ("%s]\n", json->str);
  else
    print_rows (rows, g_str_equal (format, "csv"));
  return EXIT_OK;
}

/* templates: Manager.Templates */
static int
verb_templates (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (MANAGER_PATH, "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", MANAGER_IFACE, "Templates"), "(v)", &error);
  g_autoptr(GVariant) boxed = NULL;
  g_autoptr(GVariant) list = NULL;

  if (reply == NULL)
    return fail (error);
  boxed = g_variant_get_child_value (reply, 0);
  list = g_variant_get_variant (boxed);
  if (opt.json)
    print_json (list);
  else
    {
      g_autofree const char **names = g_variant_get_strv (list, NULL);
      for (const char **n = names; *n; n++)
        g_print ("%s\n", *n);
    }
  return EXIT_OK;
}

static int
verb_cancel (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *path = NULL;
  gint64 id;

  if (argv[0][0] == '/')
    path = g_strdup (argv[0]);
  else if (parse_int (argv[0], 1, G_MAXUINT32, &id))
    path = g_strdup_printf (JOBS_PATH "%" G_GINT64_FORMAT, id);
  else
    return usage_error ("'%s' is not a job number (see 'lxcctl jobs')", argv[0]);
  reply = call (path, JOB_IFACE, "Cancel", g_variant_new ("(@a{sv})", empty_options ()), NULL, &error);
  if (reply == NULL)
    {
      g_autofree char *remote = g_dbus_error_get_remote_error (error);
      if (g_strcmp0 (remote, "org.freedesktop.DBus.Error.UnknownObject") == 0 ||
          g_strcmp0 (remote, "org.freedesktop.DBus.Error.UnknownMethod") == 0)
        {
          g_printerr ("lxcctl: no job %s (see 'lxcctl jobs')\n", argv[0]);
          return EXIT_NOT_FOUND;
        }
      return fail (error);
    }
  return EXIT_OK;
}

/* ---- monitor --------------------------------------------------------------------- */

static const char *monitor_filter; /* a container's object path, or NULL */

static gboolean
monitor_wants (const char *path, GVariant *job_props)
{
  g_autofree const char **objs = NULL;

  if (monitor_filter == NULL || g_strcmp0 (path, monitor_filter) == 0)
    return TRUE;
  if (job_props && g_variant_lookup (job_props, "Objects", "^a&o", &objs))
    return g_strv_contains (objs, monitor_filter);
  return FALSE;
}

static void
monitor_print (const char *event, const char *path, GVariant *extra, const char *text)
{
  if (extra)
    g_variant_ref_sink (extra);
  if (opt.json)
    {
      g_autoptr(GString) json = g_string_new ("{\"event\":");
      gboolean is_job = g_str_has_prefix (path, JOBS_PATH);
      json_string (json, event);
      g_string_append (json, is_job ? ",\"job\":" : ",\"container\":");
      json_string (json, path);
      if (extra)
        {
          /* the fields of extra (a{sv}) inline */
          g_autoptr(GString) fields = g_string_new (NULL);
          json_value (fields, extra);
          if (fields->len > 2)
            {
              g_string_append_c (json, ',');
              g_string_append_len (json, fields->str + 1, (gssize) fields->len - 2);
            }
        }
      g_string_append_c (json, '}');
      g_print ("%s\n", json->str);
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");
      g_print ("%s %s\n", stamp, text);
    }
  fflush (stdout);
  if (extra)
    g_variant_unref (extra);
}

static void
on_monitor_signal (GDBusConnection *connection, const char *sender, const char *path,
                   const char *iface, const char *signal_name, GVariant *params, gpointer user_data)
{
  const char *who = g_str_has_prefix (path, CONTAINERS_PATH) ? path + strlen (CONTAINERS_PATH) : short_path (path);

  if (g_str_equal (signal_name, "StateChanged") && g_variant_is_of_type (params, G_VARIANT_TYPE ("(ss)")))
    {
      const char *new_state, *old_state;
      g_autofree char *text = NULL;
      g_variant_get (params, "(&s&s)", &new_state, &old_state);
      if (!monitor_wants (path, NULL))
        return;
      text = g_strdup_printf ("%s: %s -> %s", who, old_state, new_state);
      monitor_print ("state", path,
                     g_variant_new_parsed ("{'state': <%s>, 'old_state': <%s>}", new_state, old_state), text);
    }
  else if (g_str_equal (signal_name, "InterfacesAdded") || g_str_equal (signal_name, "InterfacesRemoved"))
    {
      gboolean added = g_str_equal (signal_name, "InterfacesAdded");
      const char *object;
      g_autoptr(GVariant) job = NULL;
      g_autofree char *text = NULL;
      gboolean is_job = FALSE;

      if (added)
        {
          g_autoptr(GVariant) ifaces = NULL;
          g_variant_get (params, "(&o@a{sa{sv}})", &object, &ifaces);
          job = g_variant_lookup_value (ifaces, JOB_IFACE, NULL);
          is_job = job != NULL;
          if (!is_job)
            {
              g_autoptr(GVariant) cprops = g_variant_lookup_value (ifaces, CONTAINER_IFACE, NULL);
              if (cprops == NULL)
                return;
            }
        }
      else
        {
          g_autofree const char **ifaces = NULL;
          g_variant_get (params, "(&o^a&s)", &object, &ifaces);
          is_job = g_strv_contains (ifaces, JOB_IFACE);
          if (!is_job && !g_strv_contains (ifaces, CONTAINER_IFACE))
            return;
        }
      if (!monitor_wants (object, job) && !(is_job && !added && monitor_filter == NULL))
        return;
      if (is_job)
        {
          const char *operation = "";
          if (job)
            g_variant_lookup (job, "Operation", "&s", &operation);
          text = g_strdup_printf ("job %s %s%s%s", short_path (object), added ? "started" : "ended",
                                  *operation ? ": " : "", operation);
          monitor_print (added ? "job-started" : "job-ended", object,
                         job ? g_variant_new_parsed ("{'operation': <%s>}", operation) : NULL, text);
        }
      else
        {
          text = g_strdup_printf ("%s %s", object + strlen (CONTAINERS_PATH), added ? "added" : "removed");
          monitor_print (added ? "added" : "removed", object, NULL, text);
        }
    }
  else if (g_str_equal (signal_name, "PropertiesChanged"))
    {
      const char *piface;
      g_autoptr(GVariant) changed = NULL;
      g_autoptr(GString) text = g_string_new (NULL);
      GVariantIter iter;
      const char *key;
      GVariant *value;

      g_variant_get (params, "(&s@a{sv}@as)", &piface, &changed, NULL);
      if (!g_str_equal (piface, CONTAINER_IFACE) && !g_str_equal (piface, JOB_IFACE))
        return;
      if (!monitor_wants (path, NULL) && !(monitor_filter && g_str_has_prefix (path, JOBS_PATH)))
        return;
      g_string_append_printf (text, "%s%s:", g_str_equal (piface, JOB_IFACE) ? "job " : "", who);
      g_variant_iter_init (&iter, changed);
      while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
        {
          g_autofree char *v = g_variant_print (value, FALSE);
          g_string_append_printf (text, " %s=%s", key, v);
          g_variant_unref (value);
        }
      monitor_print ("properties", path, changed, text->str);
    }
  else if (g_str_equal (signal_name, "Completed") && g_variant_is_of_type (params, G_VARIANT_TYPE ("(bs)")))
    {
      gboolean success;
      const char *message;
      g_autofree char *text = NULL;
      g_variant_get (params, "(b&s)", &success, &message);
      text = g_strdup_printf ("job %s completed: %s%s%s", who, success ? "success" : "failed",
                              *message ? ": " : "", message);
      monitor_print ("job-completed", path,
                     g_variant_new_parsed ("{'success': <%b>, 'message': <%s>}", success, message), text);
    }
  else if (g_str_equal (signal_name, "ProcessExited") && g_variant_is_of_type (params, G_VARIANT_TYPE ("(ui)")))
    {
      guint32 pid;
      gint32 status;
      g_autofree char *text = NULL;
      g_variant_get (params, "(ui)", &pid, &status);
      if (!monitor_wants (path, NULL))
        return;
      text = g_strdup_printf ("%s: process %u exited (wait status %d)", who, pid, status);
      monitor_print ("process-exited", path,
                     g_variant_new_parsed ("{'pid': <%u>, 'wait_status': <%i>}", pid, status), text);
    }
}

static int
verb_monitor (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) ping = NULL;

  if (argc == 1 && (path = container_path (argv[0], &error)) == NULL)
    return fail (error);
  monitor_filter = path;
  g_dbus_connection_signal_subscribe (bus, BUS_NAME, NULL, NULL, NULL, NULL,
                                      G_DBUS_SIGNAL_FLAGS_NONE, on_monitor_signal, NULL, NULL);
  /* A round trip, so that the subscription is in place when we say so. */
  ping = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetId", NULL, NULL,
                                      G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_main_loop_run (loop);
  return EXIT_OK;
}

/* ---- the terminal relay (shell, console, exec) ----------------------------- */

static struct termios saved_termios;
static volatile sig_atomic_t terminal_raw;
static int winch_pipe[2] = { -1, -1 };

/* Async-signal-safe: puts the terminal back as it was. */
static void
restore_terminal (void)
{
  if (terminal_raw)
    {
      (void) tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
      terminal_raw = 0;
    }
}

static void
on_fatal_signal (int sig)
{
  restore_terminal ();
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
on_winch (int sig)
{
  int saved_errno = errno;
  if (write (winch_pipe[1], "w", 1) < 0)
    {
      /* full: a resize is pending anyway */
    }
  errno = saved_errno;
}

static gboolean
write_all (int fd, const char *buf, gsize n)
{
  while (n > 0)
    {
      ssize_t w = write (fd, buf, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return FALSE;
      buf += w;
      n -= (gsize) w;
    }
  return TRUE;
}

static void
copy_window_size (int master)
{
  struct winsize ws;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
    (void) ioctl (master, TIOCSWINSZ, &ws);
}

/* The program's output, without the wrapper's exit-status report (an OSC
 * sequence carrying a random nonce), which is taken out of the stream. */
typedef struct {
  char marker[64];
  gsize mlen; /* 0: no report expected */
  GString *held;
  int status;  /* -1: not seen */
} OutputFilter;

static void
filter_output (OutputFilter *f, const char *buf, gsize n, gboolean flush)
{
  g_string_append_len (f->held, buf, (gssize) n);
  while (f->held->len > 0)
    {
      char *s = f->held->str;
      gsize len = f->held->len, keep = 0;
      char *at = f->mlen ? memmem (s, len, f->marker, f->mlen) : NULL;

      if (at)
        {
          gsize pre = (gsize) (at - s), rest = len - pre - f->mlen;
          char *end = memchr (at + f->mlen, '\a', rest);

          if (end == NULL && rest < 8 && !flush)
            {
              (void) write_all (STDOUT_FILENO, s, pre);
              g_string_erase (f->held, 0, (gssize) pre);
              return;
            }
          (void) write_all (STDOUT_FILENO, s, pre);
          if (end)
            {
              g_autofree char *digits = g_strndup (at + f->mlen, (gsize) (end - at) - f->mlen);
              gint64 st;
              if (parse_int (digits, 0, 255, &st))
                f->status = (int) st;
              g_string_erase (f->held, 0, (gssize) (end + 1 - s));
            }
          else
            {
              (void) write_all (STDOUT_FILENO, at, f->mlen);
              g_string_erase (f->held, 0, (gssize) (pre + f->mlen));
            }
          continue;
        }
      if (!flush)
        for (gsize k = MIN (len, f->mlen ? f->mlen - 1 : 0); k > 0; k--)
          if (memcmp (s + len - k, f->marker, k) == 0)
            {
              keep = k;
              break;
            }
      (void) write_all (STDOUT_FILENO, s, len - keep);
      g_string_erase (f->held, 0, (gssize) (len - keep));
      return;
    }
}

/* Relays this terminal to a pty master until the escape (Ctrl-a q), or the
 * other side hangs up.  Returns the program's exit status if the filter saw
 * it, -2 if the user left with the escape, -1 otherwise. */
static int
relay_terminal (int master, OutputFilter *filter, gboolean banner)
{
  gboolean is_tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved_termios) == 0;
  gboolean escape = FALSE, stdin_open = TRUE, left = FALSE;
  char letter = (char) ('a' + opt.escape - 1);
  struct sigaction winch = { 0 }, old_winch;
  char buf[4096];

  if (pipe2 (winch_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
    winch_pipe[0] = winch_pipe[1] = -1;
  winch.sa_handler = on_winch;
  sigemptyset (&winch.sa_mask);
  winch.sa_flags = SA_RESTART;
  if (winch_pipe[1] >= 0)
    sigaction (SIGWINCH, &winch, &old_winch);
  copy_window_size (master);
  if (is_tty)
    {
      struct termios raw = saved_termios;
      const int fatal[] = { SIGTERM, SIGHUP, SIGQUIT, SIGINT, SIGPIPE, SIGABRT };

      for (guint i = 0; i < G_N_ELEMENTS (fatal); i++)
        signal (fatal[i], on_fatal_signal);
      atexit (restore_terminal);
      cfmakeraw (&raw);
      terminal_raw = 1;
      tcsetattr (STDIN_FILENO, TCSANOW, &raw);
      if (banner)
        g_printerr ("Connected to %s; type Ctrl-%c q to leave.\r\n", current_name, letter);
    }
  for (;;)
    {
      struct pollfd fds[3] = { { master, POLLIN, 0 },
                               { stdin_open ? STDIN_FILENO : -1, POLLIN, 0 },
                               { winch_pipe[0], POLLIN, 0 } };
      ssize_t n;

      if (poll (fds, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (fds[2].revents & POLLIN)
        {
          while (read (winch_pipe[0], buf, sizeof buf) > 0)
            ;
          copy_window_size (master);
        }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (master, buf, sizeof buf);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          filter_output (filter, buf, (gsize) n, FALSE);
        }
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          g_autoptr(GString) out = g_string_new (NULL);

          n = read (STDIN_FILENO, buf, sizeof buf);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              /* end of piped input: the terminal's end of file */
              stdin_open = FALSE;
              if (!is_tty)
                (void) write_all (master, "\x04", 1);
              continue;
            }
          for (ssize_t i = 0; i < n && !left; i++)
            {
              char c = buf[i];
              if (!is_tty)
                g_string_append_c (out, c);
              else if (escape)
                {
                  escape = FALSE;
                  if (c == 'q' || c == 'Q')
                    left = TRUE;
                  else if (c == letter || c == opt.escape)
                    g_string_append_c (out, opt.escape);
                  else
                    {
                      g_string_append_c (out, opt.escape);
                      g_string_append_c (out, c);
                    }
                }
              else if (c == opt.escape)
                escape = TRUE;
              else
                g_string_append_c (out, c);
            }
          if (!write_all (master, out->str, out->len) || left)
            break;
        }
    }
  filter_output (filter, "", 0, TRUE);
  restore_terminal ();
  if (winch_pipe[1] >= 0)
    {
      sigaction (SIGWINCH, &old_winch, NULL);
      close (winch_pipe[0]);
      close (winch_pipe[1]);
      winch_pipe[0] = winch_pipe[1] = -1;
    }
  if (left)
    return -2;
  return filter->status;
}

/* ---- exec, shell, console ------------------------------------------------------ */

/* RunCommand's options from --env, --user, --cwd. */
static void
add_exec_options (GVariantBuilder *b, gboolean pass_term)
{
  g_autoptr(GPtrArray) env = g_ptr_array_new ();
  const char *term = g_getenv ("TERM");
  gboolean has_term = FALSE;

  for (guint i = 0; i < opt.env->len; i++)
    {
      g_ptr_array_add (env, opt.env->pdata[i]);
      has_term |= g_str_has_prefix (opt.env->pdata[i], "TERM=");
    }
  g_autofree char *term_item = term && *term && !has_term && pass_term ? g_strconcat ("TERM=", term, NULL) : NULL;
  if (term_item)
    g_ptr_array_add (env, term_item);
  if (env->len)
    {
      g_ptr_array_add (env, NULL);
      g_variant_builder_add (b, "{sv}", "env", g_variant_new_strv ((const char *const *) env->pdata, -1));
    }
  if (opt.has_user)
    {
      g_variant_builder_add (b, "{sv}", "uid", g_variant_new_uint32 (opt.uid));
      g_variant_builder_add (b, "{sv}", "gid", g_variant_new_uint32 (opt.has_gid ? opt.gid : opt.uid));
    }
  if (opt.cwd)
    g_variant_builder_add (b, "{sv}", "cwd", g_variant_new_string (opt.cwd));
}

/* Runs *argv* inside (with the options of --env, --user, --cwd) and reads
 * its standard output (a little): the text, and its wait status in
 * *status*; NULL after printing why if the call failed (*rc* set). */
static char *
run_capture (const char *path, const char *const *argv, int *status, int *rc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder b;
  int pipefd[2], devnull;
  char buf[4096];
  ssize_t n;

  if (g_unix_open_pipe (pipefd, FD_CLOEXEC, &error) == FALSE ||
      (devnull = open ("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
    {
      g_printerr ("lxcctl: %s\n", error ? error->message : g_strerror (errno));
      *rc = EXIT_FAIL;
      return NULL;
    }
  g_unix_fd_list_append (fds, devnull, NULL);
  g_unix_fd_list_append (fds, pipefd[1], NULL);
  close (devnull);
  close (pipefd[1]);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  add_exec_options (&b, FALSE);
  reply = g_dbus_connection_call_with_unix_fd_list_sync (
    bus, BUS_NAME, path, CONTAINER_IFACE, "RunCommand",
    g_variant_new ("(^ashhha{sv})", argv, 0, 1, 0, &b), G_VARIANT_TYPE ("(i)"), call_flags (),
    G_MAXINT, fds, NULL, NULL, &error);
  g_clear_object (&fds);
  if (reply == NULL)
    {
      close (pipefd[0]);
      *rc = fail (error);
      return NULL;
    }
  g_variant_get (reply, "(i)", status);
  n = read (pipefd[0], buf, sizeof buf - 1);
  close (pipefd[0]);
  buf[n > 0 ? n : 0] = '\0';
  return g_strdup (buf);
}

/* --user NAME: its uid and primary gid in the container's passwd (as
 * root). FALSE after a message if unknown. */
static gboolean
resolve_user (const char *path, int *rc)
{
  const char *argv[] = { "/bin/sh", "-c", "id -u -- \"$1\" && id -g -- \"$1\"", "sh", opt_user_name, NULL };
  g_auto(GStrv) lines = NULL;
  g_autofree char *out = NULL;
  gint64 uid, gid;
  int status;

  if (opt_user_name == NULL)
    return TRUE;
  if ((out = run_capture (path, argv, &status, rc)) == NULL)
    return FALSE;
  lines = g_strsplit (out, "\n", -1);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 || g_strv_length (lines) < 2 ||
      !parse_int (lines[0], 0, G_MAXUINT32 - 1, &uid) || !parse_int (lines[1], 0, G_MAXUINT32 - 1, &gid))
    {
      g_printerr ("lxcctl: no user '%s' in %s\n", opt_user_name, current_name);
      *rc = EXIT_NOT_FOUND;
      return FALSE;
    }
  opt.has_user = TRUE;
  opt.uid = (guint32) uid;
  if (!opt.has_gid)
    opt.gid = (guint32) gid;
  opt.has_gid = TRUE;
  return TRUE;
}

typedef struct {
  GMainLoop *loop;
  GVariant *reply;
  GError *error;
  const char *container;
  char *job;
  gboolean interrupted, cancel_sent;
} ExecCall;

static void
exec_cancel (ExecCall *ec)
{
  if (ec->job && ec->interrupted && !ec->cancel_sent)
    {
      ec->cancel_sent = TRUE;
      g_dbus_connection_call (bus, BUS_NAME, ec->job, JOB_IFACE, "Cancel",
                              g_variant_new ("(@a{sv})", empty_options ()), NULL,
                              G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
    }
}

static void
on_exec_job (GDBusConnection *connection, const char *sender, const char *path,
             const char *iface, const char *signal_name, GVariant *params, gpointer user_data)
{
  ExecCall *ec = user_data;
  const char *object;
  g_autoptr(GVariant) ifaces = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autofree const char **objs = NULL;
  const char *operation = "";
  const char *started_by = "";

  g_variant_get (params, "(&o@a{sa{sv}})", &object, &ifaces);
  props = g_variant_lookup_value (ifaces, JOB_IFACE, NULL);
  if (props == NULL || ec->job)
    return;
  g_variant_lookup (props, "Operation", "&s", &operation);
  g_variant_lookup (props, "Objects", "^a&o", &objs);
  g_variant_lookup (props, "StartedBy", "&s", &started_by);
  /* ours: our own call's job, not another run of the same user */
  if (g_str_equal (operation, "run") && objs && g_strv_contains (objs, ec->container) &&
      g_str_equal (started_by, g_dbus_connection_get_unique_name (bus)))
    {
      ec->job = g_strdup (object);
      exec_cancel (ec);
    }
}

static gboolean
on_exec_interrupt (gpointer user_data)
{
  ExecCall *ec = user_data;

  ec->interrupted = TRUE;
  exec_cancel (ec);
  return G_SOURCE_CONTINUE;
}

static void
exec_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ExecCall *ec = user_data;

  ec->reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), NULL, res, &ec->error);
  g_main_loop_quit (ec->loop);
}

/* The program with this process's stdin, stdout and stderr (no terminal):
 * Ctrl-C (SIGINT, SIGTERM, SIGHUP) cancels its job, which kills it. */
static int
exec_plain (const char *path, char **argv)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  ExecCall ec = { 0 };
  GVariantBuilder b;
  guint sub, sources[3];
  int status;

  for (int fd = 0; fd < 3; fd++)
    {
      if (g_unix_fd_list_append (fds, fd, &error) < 0)
        return fail (error);
    }
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  add_exec_options (&b, FALSE);
  ec.loop = g_main_loop_new (NULL, FALSE);
  ec.container = path;
  sub = g_dbus_connection_signal_subscribe (bus, BUS_NAME, "org.freedesktop.DBus.ObjectManager",
                                            "InterfacesAdded", ROOT_PATH, NULL,
                                            G_DBUS_SIGNAL_FLAGS_NONE, on_exec_job, &ec, NULL);
  sources[0] = g_unix_signal_add (SIGINT, on_exec_interrupt, &ec);
  sources[1] = g_unix_signal_add (SIGTERM, on_exec_interrupt, &ec);
  sources[2] = g_unix_signal_add (SIGHUP, on_exec_interrupt, &ec);
  g_dbus_connection_call_with_unix_fd_list (
    bus, BUS_NAME, path, CONTAINER_IFACE, "RunCommand",
    g_variant_new ("(^ashhha{sv})", argv, 0, 1, 2, &b), G_VARIANT_TYPE ("(i)"), call_flags (),
    G_MAXINT, fds, NULL, exec_done, &ec);
  g_main_loop_run (ec.loop);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
  g_dbus_connection_signal_unsubscribe (bus, sub);
  g_main_loop_unref (ec.loop);
  g_free (ec.job);
  if (ec.reply == NULL)
    {
      g_autoptr(GError) e = ec.error;
      g_autofree char *remote = g_dbus_error_get_remote_error (e);
      if (ec.interrupted && g_strcmp0 (remote, ERROR_PREFIX "Cancelled") == 0)
        return 128 + SIGINT;
      return fail (e);
    }
  g_variant_get (ec.reply, "(i)", &status);
  g_variant_unref (ec.reply);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + (WIFSIGNALED (status) ? WTERMSIG (status) : 0);
}

/* The program on a new pty (OpenShell) relayed to this terminal; a small
 * /bin/sh wrapper runs it as its child ("$@": the arguments unchanged) and
 * reports its exit status in the output stream, which the API's OpenShell
 * does not return. */
static int
exec_pty (const char *path, char **argv, gboolean banner)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GPtrArray) wrapped = g_ptr_array_new_with_free_func (g_free);
  OutputFilter filter = { .status = -1 };
  g_autofree char *nonce = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
  GVariantBuilder b;
  gint32 handle;
  int master, rc;

  g_ptr_array_add (wrapped, g_strdup ("/bin/sh"));
  g_ptr_array_add (wrapped, g_strdup ("-c"));
  g_ptr_array_add (wrapped, g_strdup_printf ("trap : INT QUIT; \"$@\"; s=$?; "
                                             "printf '\\033]777;lxcctl-exit;%s;%%d\\007' \"$s\"; exit \"$s\"",
                                             nonce));
  g_ptr_array_add (wrapped, g_strdup ("sh"));
  for (char **a = argv; *a; a++)
    g_ptr_array_add (wrapped, g_strdup (*a));
  g_ptr_array_add (wrapped, NULL);
  g_snprintf (filter.marker, sizeof filter.marker, "\033]777;lxcctl-exit;%s;", nonce);
  filter.mlen = strlen (filter.marker);
  filter.held = g_string_new (NULL);

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&b, "{sv}", "argv", g_variant_new_strv ((const char *const *) wrapped->pdata, -1));
  add_exec_options (&b, TRUE);
  reply = g_dbus_connection_call_with_unix_fd_list_sync (
    bus, BUS_NAME, path, CONTAINER_IFACE, "OpenShell", g_variant_new ("(a{sv})", &b),
    G_VARIANT_TYPE ("(h)"), call_flags (), G_MAXINT, NULL, &fds, NULL, &error);
  if (reply == NULL)
    {
      g_string_free (filter.held, TRUE);
      return fail (error);
    }
  g_variant_get (reply, "(h)", &handle);
  master = g_unix_fd_list_get (fds, handle, &error);
  if (master < 0)
    {
      g_string_free (filter.held, TRUE);
      return fail (error);
    }
  rc = relay_terminal (master, &filter, banner);
  close (master);
  g_string_free (filter.held, TRUE);
  if (rc == -2)
    return EXIT_OK;
  return rc >= 0 ? rc : EXIT_FAIL;
}

/* exec NAME [--] PROGRAM [ARG...]: a pty when stdin is a terminal (or
 * always: shell), the exit status passed through. The service looks a
 * name up in the container's PATH (127 and "command not found" if it is
 * not there, as a shell). */
static int
run_program (int argc, char **argv, gboolean pty)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = container_path (argv[0], &error);
  g_autofree char **command = NULL;
  int rc = EXIT_FAIL;

  if (path == NULL)
    return fail (error);
  if (!resolve_user (path, &rc))
    return rc;
  command = g_new0 (char *, (gsize) argc);
  for (int i = 1; i < argc; i++)
    command[i - 1] = argv[i];
  if (pty || (isatty (STDIN_FILENO) && isatty (STDOUT_FILENO)))
    return exec_pty (path, command, FALSE);
  return exec_plain (path, command);
}

static int
verb_exec (const Verb *verb, int argc, char **argv)
{
  return run_program (argc, argv, FALSE);
}

/* shell NAME [PROGRAM [ARG...]]: a login shell (or the program) on a pty. */
static int
verb_shell (const Verb *verb, int argc, char **argv)
{
  static char *login[] = { "/bin/sh", "-l", NULL };

  if (argc > 1)
    return run_program (argc, argv, TRUE);
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = container_path (argv[0], &error);
    int rc = EXIT_FAIL;
    if (path == NULL)
      return fail (error);
    if (!resolve_user (path, &rc))
      return rc;
    return exec_pty (path, login, TRUE);
  }
}

/* console NAME [TTY] */
static int
verb_console (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  OutputFilter filter = { .status = -1 };
  gint64 tty = 0;
  gint32 handle;
  int master;

  if (argc == 2 && !parse_int (argv[1], -1, 1024, &tty))
    return usage_error ("TTY is a number (0: the console, -1: any free tty), not '%s'", argv[1]);
  path = container_path (argv[0], &error);
  if (path == NULL)
    return fail (error);
  reply = g_dbus_connection_call_with_unix_fd_list_sync (
    bus, BUS_NAME, path, CONTAINER_IFACE, "OpenConsole", g_variant_new ("(i)", (gint32) tty),
    G_VARIANT_TYPE ("(hi)"), call_flags (), G_MAXINT, NULL, &fds, NULL, &error);
  if (reply == NULL)
    return fail (error);
  g_variant_get_child (reply, 0, "h", &handle);
  master = g_unix_fd_list_get (fds, handle, &error);
  if (master < 0)
    return fail (error);
  filter.held = g_string_new (NULL);
  relay_terminal (master, &filter, TRUE);
  g_string_free (filter.held, TRUE);
  close (master);
  return EXIT_OK;
}

/* ---- cp ---------------------------------------------------------------------- */

/* copy-to NAME HOST-PATH [PATH], copy-from NAME PATH [HOST-PATH], as
 * machinectl's: the path inside defaults to the host path and back;
 * "-" is standard input or output. */
static int
copy_file (const char *name, const char *host_path, const char *inside, gboolean to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autofree char *path = NULL;
  gboolean std = g_str_equal (host_path, "-");
  GVariantBuilder opts;
  struct stat st;
  int fd;

  if (opt_user_name)
    return usage_error ("--user takes a numeric UID (inside the container) here, not a name");
  if (inside[0] != '/')
    return usage_error ("the path inside the container must be absolute, not '%s'", inside);
  path = container_path (name, &error);
  if (path == NULL)
    return fail (error);
  g_variant_builder_init (&opts, G_VARIANT_TYPE ("a{sv}"));
  if (to)
    fd = std ? dup (STDIN_FILENO) : open (host_path, O_RDONLY | O_CLOEXEC);
  else
    fd = std ? dup (STDOUT_FILENO)
             : open (host_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                     opt.has_mode ? opt.mode : 0644);
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      g_printerr ("lxcctl: %s: %s\n", host_path, g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return EXIT_FAIL;
    }
  g_unix_fd_list_append (fds, fd, NULL);
  close (fd);
  if (to)
    {
      /* the host file's mode unless the caller says */
      g_variant_builder_add (&opts, "{sv}", "mode",
                             g_variant_new_uint32 (opt.has_mode          ? opt.mode
                                                   : S_ISREG (st.st_mode) ? st.st_mode & 07777
                                                                          : 0644));
      if (opt.has_user)
        {
          g_variant_builder_add (&opts, "{sv}", "uid", g_variant_new_uint32 (opt.uid));
          g_variant_builder_add (&opts, "{sv}", "gid",
                                 g_variant_new_uint32 (opt.has_gid ? opt.gid : opt.uid));
        }
      if (opt.parents)
        g_variant_builder_add (&opts, "{sv}", "create_parents", g_variant_new_boolean (TRUE));
      reply = g_dbus_connection_call_with_unix_fd_list_sync (
        bus, BUS_NAME, path, CONTAINER_IFACE, "CopyTo",
        g_variant_new ("(hsa{sv})", 0, inside, &opts), NULL, call_flags (), G_MAXINT, fds, NULL,
        NULL, &error);
    }
  else
    {
      reply = g_dbus_connection_call_with_unix_fd_list_sync (
        bus, BUS_NAME, path, CONTAINER_IFACE, "CopyFrom",
        g_variant_new ("(sha{sv})", inside, 0, &opts), G_VARIANT_TYPE ("(a{sv})"),
        call_flags (), G_MAXINT, fds, NULL, NULL, &error);
      /* nothing half-written stays behind */
      if (reply == NULL && !std)
        unlink (host_path);
    }
  return reply ? EXIT_OK : fail (error);
}

static int
verb_copy_to (const Verb *verb, int argc, char **argv)
{
  return copy_file (argv[0], argv[1], argc > 2 ? argv[2] : argv[1], TRUE);
}

static int
verb_copy_from (const Verb *verb, int argc, char **argv)
{
  return copy_file (argv[0], argc > 2 ? argv[2] : argv[1], argv[1], FALSE);
}

/* ---- bind ------------------------------------------------------------------- */

/* bind NAME HOST-PATH [PATH], as machinectl's: the host path (made
 * absolute from the working directory) mounted at the same path inside,
 * or PATH; unbind NAME PATH */
static int
verb_bind (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *path = NULL;
  g_autofree char *host_path = g_canonicalize_filename (argv[1], NULL);
  const char *inside = argc > 2 ? argv[2] : host_path;
  GVariantBuilder opts;

  if (inside[0] != '/')
    return usage_error ("the path inside the container must be absolute, not '%s'", inside);
  path = container_path (argv[0], &error);
  if (path == NULL)
    return fail (error);
  g_variant_builder_init (&opts, G_VARIANT_TYPE ("a{sv}"));
  if (opt.read_only)
    g_variant_builder_add (&opts, "{sv}", "readonly", g_variant_new_boolean (TRUE));
  reply = g_dbus_connection_call_sync (bus, BUS_NAME, path, CONTAINER_IFACE, "Mount",
                                       g_variant_new ("(ssa{sv})", host_path, inside, &opts),
                                       NULL, call_flags (), G_MAXINT, NULL, &error);
  return reply ? EXIT_OK : fail (error);
}

static int
verb_unbind (const Verb *verb, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *path = NULL;
  GVariantBuilder opts;

  if (argv[1][0] != '/')
    return usage_error ("the path inside the container must be absolute, not '%s'", argv[1]);
  path = container_path (argv[0], &error);
  if (path == NULL)
    return fail (error);
  g_variant_builder_init (&opts, G_VARIANT_TYPE ("a{sv}"));
  if (opt.lazy)
    g_variant_builder_add (&opts, "{sv}", "lazy", g_variant_new_boolean (TRUE));
  reply = g_dbus_connection_call_sync (bus, BUS_NAME, path, CONTAINER_IFACE, "Unmount",
                                       g_variant_new ("(sa{sv})", argv[1], &opts), NULL,
                                       call_flags (), G_MAXINT, NULL, &error);
  return reply ? EXIT_OK : fail (error);
}

/* ---- the inline password prompt ---------------------------------------------- */

#ifdef HAVE_POLKIT_AGENT
static gpointer agent_registration;
static PolkitAgentListener *agent_listener;
#endif

/* When stdin is a terminal (and not --no-ask-password), a polkit text agent
 * for this process, as pkttyagent is: polkit asks the password on the
 * terminal when an action needs authentication. It answers in its own
 * thread, so the calls here may block. Not for root (polkit is not asked). */
static void
start_agent (void)
{
#ifdef HAVE_POLKIT_AGENT
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitSubject) subject = NULL;

  if (opt.no_ask_password || !isatty (STDIN_FILENO) || getuid () == 0)
    return;
  agent_listener = polkit_agent_text_listener_new (NULL, &error);
  if (agent_listener == NULL)
    {
      if (opt.verbose)
        g_printerr ("lxcctl: no password prompt: %s\n", error->message);
      return;
    }
  subject = polkit_unix_process_new_for_owner (getpid (), 0, getuid ());
  agent_registration = polkit_agent_listener_register (agent_listener,
                                                       POLKIT_AGENT_REGISTER_FLAGS_RUN_IN_THREAD,
                                                       subject, NULL, NULL, &error);
  if (agent_registration == NULL && opt.verbose)
    g_printerr ("lxcctl: no password prompt: %s\n", error->message);
#endif
}

static void
stop_agent (void)
{
#ifdef HAVE_POLKIT_AGENT
  g_clear_pointer (&agent_registration, polkit_agent_listener_unregister);
  g_clear_object (&agent_listener);
#endif
}

/* ---- the command line ---------------------------------------------------------- */

static int verb_help (const Verb *verb, int argc, char **argv);

static const Verb verbs[] = {
  { "list", "ls", "[PATTERN...] [--state STATE] [--active|--defined] [--format table|json|csv] [--columns LIST]",
    "List containers (names matching shell PATTERNs)", 0, -1, -1, verb_list },
  { "status", "show", "NAME", "Show every property of a container", 1, 1, -1, verb_status },
  { "info", NULL, "NAME", "Show state, PID, uptime, IPs, CPU time, memory, processes, I/O, snapshots", 1, 1, -1, verb_info },
  { "start", NULL, "NAME", "Start a container", 1, 1, -1, verb_lifecycle },
  { "stop", NULL, "NAME [--timeout SECONDS] [--kill|--force]",
    "Shut a container down cleanly, killing it after the timeout (or at once with --kill)", 1, 1, -1, verb_lifecycle },
  { "restart", NULL, "NAME [--timeout SECONDS] [--kill|--force]", "Stop (as stop does) and start again", 1, 1, -1, verb_lifecycle },
  { "shutdown", NULL, "NAME [--timeout SECONDS]", "Ask a container's init to halt; wait (never kills)", 1, 1, -1, verb_lifecycle },
  { "reboot", NULL, "NAME [--timeout SECONDS]", "Ask a container's init to reboot; wait", 1, 1, -1, verb_lifecycle },
  { "freeze", NULL, "NAME", "Freeze every process of a container", 1, 1, -1, verb_lifecycle },
  { "unfreeze", "thaw", "NAME", "Thaw a frozen container", 1, 1, -1, verb_lifecycle },
  { "create", NULL, "NAME --template TEMPLATE [--lxcpath DIR] [--config KEY=VALUE...] [-- TEMPLATE-ARGS...]",
    "Create a container from a template", 1, -1, -1, verb_create },
  { "templates", NULL, "", "List the templates containers can be created from", 0, 0, -1, verb_templates },
  { "destroy", "rm delete", "NAME [--force] [--with-snapshots]", "Destroy a container and its root file system", 1, 1, -1, verb_lifecycle },
  { "clone", "copy cp", "NAME NEW-NAME [--snapshot] [--lxcpath DIR]", "Copy a container", 2, 2, -1, verb_clone_rename },
  { "rename", "mv", "NAME NEW-NAME", "Rename a stopped container", 2, 2, -1, verb_clone_rename },
  { "snapshot", NULL, "[create] NAME [--comment TEXT] | list NAME | restore NAME SNAPSHOT NEW-NAME | destroy NAME SNAPSHOT",
    "Take, list, restore and destroy snapshots", 1, 4, -1, verb_snapshot },
  { "config", NULL, "get NAME KEY | set NAME KEY VALUE | clear NAME KEY | keys NAME [PREFIX] | show NAME | edit NAME",
    "Read and change a container's configuration", 2, 4, -1, verb_config },
  { "cgroup", NULL, "get NAME KEY | set NAME KEY VALUE", "Read and change cgroup items of a running container", 3, 4, -1, verb_cgroup },
  { "ips", NULL, "NAME", "The IP addresses of a running container", 1, 1, -1, verb_ips },
  { "exec", "attach run", "NAME [--env KEY=VALUE]... [--user USER[:GID]] [--cwd DIR] [--] PROGRAM [ARG...]",
    "Run a program inside (looked up in PATH; a pty when stdin is a terminal); its exit status is lxcctl's",
    2, -1, 1, verb_exec },
  { "shell", NULL, "NAME [--env KEY=VALUE]... [--user USER[:GID]] [--cwd DIR] [--] [PROGRAM [ARG...]]",
    "A login shell (or PROGRAM) on a new pty; its exit status is lxcctl's", 1, -1, 1, verb_shell },
  { "console", NULL, "NAME [TTY] [--escape CHAR]", "Attach to the console (tty 0) or tty TTY", 1, 2, -1, verb_console },
  { "copy-to", "push", "NAME HOST-PATH [PATH] [--mode MODE] [--user UID[:GID]] [--parents]",
    "Copy a file into a container (- reads standard input)", 2, 3, -1, verb_copy_to },
  { "copy-from", "pull", "NAME PATH [HOST-PATH] [--mode MODE]",
    "Copy a file out of a container (- writes standard output)", 2, 3, -1, verb_copy_from },
  { "bind", NULL, "NAME HOST-PATH [PATH] [--read-only]",
    "Mount a host file or directory into a running container (at the same path, or PATH)", 2, 3, -1, verb_bind },
  { "unbind", "umount", "NAME PATH [--lazy]", "Unmount PATH inside a running container", 2, 2, -1, verb_unbind },
  { "monitor", NULL, "[NAME]", "Print every event (containers added and removed, state, properties, jobs)", 0, 1, -1, verb_monitor },
  { "jobs", NULL, "[--format table|json|csv]", "List running operations", 0, 0, -1, verb_jobs },
  { "cancel", NULL, "JOB", "Cancel a running operation (a number from 'lxcctl jobs')", 1, 1, -1, verb_cancel },
  { "help", NULL, "[VERB]", "Show help for lxcctl or a verb", 0, 1, -1, verb_help },
};

static const Verb *
find_verb (const char *name)
{
  for (guint v = 0; v < G_N_ELEMENTS (verbs); v++)
    {
      g_auto(GStrv) aliases = verbs[v].aliases ? g_strsplit (verbs[v].aliases, " ", -1) : NULL;
      if (g_str_equal (name, verbs[v].name) ||
          (aliases && g_strv_contains ((const char *const *) aliases, name)))
        return &verbs[v];
    }
  return NULL;
}

static int
unknown_verb (const char *name)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *hint;

  for (guint v = 0; v < G_N_ELEMENTS (verbs); v++)
    {
      g_auto(GStrv) aliases = verbs[v].aliases ? g_strsplit (verbs[v].aliases, " ", -1) : NULL;
      g_ptr_array_add (names, g_strdup (verbs[v].name));
      for (char **a = aliases; a && *a; a++)
        g_ptr_array_add (names, g_strdup (*a));
    }
  g_ptr_array_add (names, NULL);
  hint = closest (name, (const char *const *) names->pdata);
  if (hint)
    g_printerr ("lxcctl: unknown verb '%s'; did you mean '%s'?\n", name, hint);
  else
    g_printerr ("lxcctl: unknown verb '%s' (see 'lxcctl --help')\n", name);
  return EXIT_USAGE;
}

static void
print_option_help (const OptionSpec *s)
{
  g_autofree char *left = NULL;

  if (s->short_name)
    left = g_strdup_printf ("-%c, --%s%s%s", s->short_name, s->name, s->arg ? " " : "", s->arg ? s->arg : "");
  else
    left = g_strdup_printf ("    --%s%s%s", s->name, s->arg ? " " : "", s->arg ? s->arg : "");
  g_print ("  %-28s %s\n", left, s->help);
}

static void
print_help (const Verb *verb)
{
  if (verb)
    {
      gboolean any = FALSE;
      g_print ("Usage: lxcctl %s %s\n\n%s.\n", verb->name, verb->synopsis, verb->summary);
      if (verb->aliases)
        g_print ("Also called: %s\n", verb->aliases);
      for (guint i = 0; i < G_N_ELEMENTS (options); i++)
        if (options[i].verbs && verb_takes (verb, &options[i]))
          {
            if (!any)
              g_print ("\nOptions:\n");
            any = TRUE;
            print_option_help (&options[i]);
          }
      g_print ("\nGlobal options (see 'lxcctl --help'): --json --no-ask-password --progress --verbose\n");
      return;
    }
  g_print ("Usage: lxcctl [OPTIONS] VERB [ARGS...]\n\n"
           "Control LXC containers through the lxc-dbus service.\n"
           "Options may come anywhere on the line; '--' ends them.\n\nVerbs:\n");
  for (guint v = 0; v < G_N_ELEMENTS (verbs); v++)
    g_print ("  %-10s %s\n", verbs[v].name, verbs[v].summary);
  g_print ("\nGlobal options:\n");
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if (options[i].verbs == NULL)
      print_option_help (&options[i]);
  g_print ("\nExit status: 0 success, 1 failure, 2 usage error, 3 not found, 4 not authorized;\n"
           "exec and shell: the program's status (127: no such program).\n"
           "'lxcctl help VERB' or 'lxcctl VERB --help' for a verb; lxcctl(1) for more.\n");
}

static int
verb_help (const Verb *verb, int argc, char **argv)
{
  const Verb *target = NULL;

  if (argc == 1 && (target = find_verb (argv[0])) == NULL)
    return unknown_verb (argv[0]);
  print_help (target);
  return EXIT_OK;
}

static gboolean
verb_is_tail (const Verb *verb, int n_args)
{
  return verb && verb->tail >= 0 && n_args > verb->tail;
}

/* Parses the whole line (GNU order: options anywhere until "--"; the
 * command line of exec and shell starts at its program). */
static int
parse_command_line (int argc, char **argv, const Verb **out_verb, GPtrArray *args, gboolean *help,
                    gboolean *version)
{
  const Verb *verb = NULL;
  gboolean only_args = FALSE;

  /* The verb first: the first word that is not an option or its value. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        {
          if (i + 1 < argc)
            verb = find_verb (argv[i + 1]);
          if (verb == NULL && i + 1 < argc)
            return unknown_verb (argv[i + 1]);
          break;
        }
      if (argv[i][0] == '-' && argv[i][1])
        {
          if (option_takes_value (argv[i]))
            i++;
          continue;
        }
      if ((verb = find_verb (argv[i])) == NULL)
        return unknown_verb (argv[i]);
      break;
    }
  current_verb = verb;

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      int n_args = (int) args->len - 1; /* after the verb */

      if (only_args || verb_is_tail (verb, n_args) || !(a[0] == '-' && a[1]))
        {
          g_ptr_array_add (args, (gpointer) a);
          continue;
        }
      if (g_str_equal (a, "--"))
        {
          only_args = TRUE;
          continue;
        }
      if (a[1] == '-')
        {
          g_autofree char *name = g_strndup (a + 2, strcspn (a + 2, "="));
          const char *value = strchr (a, '=') ? strchr (a, '=') + 1 : NULL;
          gboolean known;
          const OptionSpec *s = find_option (verb, name, 0, &known);

          if (s == NULL && known)
            return usage_error ("'%s' does not take --%s", verb ? verb->name : "lxcctl", name);
          if (s == NULL)
            {
              g_autoptr(GPtrArray) names = g_ptr_array_new ();
              const char *hint;
              for (guint k = 0; k < G_N_ELEMENTS (options); k++)
                if (verb_takes (verb, &options[k]))
                  g_ptr_array_add (names, (gpointer) options[k].name);
              g_ptr_array_add (names, NULL);
              hint = closest (name, (const char *const *) names->pdata);
              if (hint)
                return usage_error ("unknown option '--%s'; did you mean '--%s'?", name, hint);
              return usage_error ("unknown option '--%s'", name);
            }
          if (s->arg && value == NULL)
            {
              if (i + 1 >= argc)
                return usage_error ("--%s needs a value (%s)", name, s->arg);
              value = argv[++i];
            }
          else if (!s->arg && value)
            return usage_error ("--%s takes no value", name);
          if (s->id == O_HELP)
            *help = TRUE;
          else if (s->id == O_VERSION)
            *version = TRUE;
          else if (!set_option (s, value))
            return EXIT_USAGE;
          continue;
        }
      for (const char *c = a + 1; *c; c++)
        {
          gboolean known;
          const OptionSpec *s = find_option (verb, NULL, *c, &known);
          const char *value = NULL;

          if (s == NULL && known)
            return usage_error ("'%s' does not take -%c", verb ? verb->name : "lxcctl", *c);
          if (s == NULL)
            return usage_error ("unknown option '-%c'", *c);
          if (s->arg)
            {
              if (c[1])
                value = c + 1;
              else if (i + 1 < argc)
                value = argv[++i];
              else
                return usage_error ("-%c needs a value (%s)", *c, s->arg);
            }
          if (s->id == O_HELP)
            *help = TRUE;
          else if (!set_option (s, value))
            return EXIT_USAGE;
          if (value)
            break;
        }
    }
  *out_verb = verb;
  return -1;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const Verb *verb = NULL;
  gboolean help = FALSE, version = FALSE;
  int rc, n_args;

  setlocale (LC_ALL, "");
  opt.env = g_ptr_array_new ();
  opt.config = g_ptr_array_new ();
  rc = parse_command_line (argc, argv, &verb, args, &help, &version);
  if (rc >= 0)
    return rc;
  if (version)
    {
      g_print ("lxcctl %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  if (help)
    {
      print_help (verb && !g_str_equal (verb->name, "help") ? verb : NULL);
      return EXIT_OK;
    }
  if (verb == NULL)
    {
      g_printerr ("lxcctl: no verb given (see 'lxcctl --help')\n");
      return EXIT_USAGE;
    }
  /* args[0] is the verb itself */
  n_args = (int) args->len - 1;
  if (n_args < verb->min_args)
    return usage_error (n_args == 0 && strstr (verb->synopsis, "NAME") == verb->synopsis
                          ? "missing container NAME" : "missing arguments");
  if (verb->max_args >= 0 && n_args > verb->max_args)
    return usage_error ("unexpected argument '%s'", (char *) args->pdata[verb->max_args + 1]);
  g_ptr_array_add (args, NULL);
  if (verb->func != verb_help)
    {
      bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
      if (bus == NULL)
        {
          g_printerr ("lxcctl: cannot reach the system bus: %s\n", error->message);
          return EXIT_FAIL;
        }
    }
  if (verb->func != verb_help)
    start_agent ();
  rc = verb->func (verb, n_args, (char **) args->pdata + 1);
  stop_agent ();
  g_clear_object (&bus);
  return rc;
}
