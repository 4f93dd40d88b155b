/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcctl: the command line client of lxc-dbus (machinectl-style), built on
 * the D-Bus API alone. */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define BUS_NAME "org.linuxcontainers.LXC1"
#define ROOT_PATH "/org/linuxcontainers/LXC1"
#define MANAGER_PATH ROOT_PATH "/Manager"
#define MANAGER_IFACE "org.linuxcontainers.LXC1.Manager"
#define CONTAINER_IFACE "org.linuxcontainers.LXC1.Container"

static gboolean opt_json;
static gboolean opt_no_ask_password;
static GDBusConnection *bus;

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

static int
fail (const GError *error)
{
  const char *msg = error->message;
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  if (remote)
    {
      /* "GDBus.Error:NAME: message" -> message */
      const char *colon = strstr (msg, ": ");
      if (g_str_has_prefix (msg, "GDBus.Error:") && colon)
        msg = colon + 2;
    }
  g_printerr ("lxcctl: %s\n", msg);
  return 1;
}

/* ---- calls ------------------------------------------------------------------- */

static GDBusCallFlags
call_flags (void)
{
  if (!opt_no_ask_password && isatty (STDIN_FILENO))
    return G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION;
  return G_DBUS_CALL_FLAGS_NONE;
}

/* Long operations run as Job objects: while one of ours runs, a line per
 * progress step goes to stderr (when it is a terminal or --progress). */
static gboolean opt_progress;

typedef struct {
  GMainLoop *loop;
  GVariant *reply;
  GError *error;
  char *job_path;
  double last;
} PendingCall;

static void
on_job_signal (GDBusConnection *connection, const char *sender, const char *path,
               const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
  PendingCall *pc = user_data;

  if (g_str_equal (signal, "InterfacesAdded"))
    {
      const char *object;
      g_autoptr(GVariant) ifaces = NULL;
      g_autoptr(GVariant) props = NULL;
      const char *operation = "?";

      g_variant_get (params, "(&o@a{sa{sv}})", &object, &ifaces);
      props = g_variant_lookup_value (ifaces, "org.linuxcontainers.LXC1.Job", NULL);
      if (props == NULL || pc->job_path != NULL)
        return;
      /* ours: started by us, now (good enough for a terminal display) */
      g_variant_lookup (props, "Operation", "&s", &operation);
      pc->job_path = g_strdup (object);
      g_printerr ("%s: started\n", operation);
    }
  else if (g_str_equal (signal, "PropertiesChanged") && g_strcmp0 (path, pc->job_path) == 0)
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

  if (!(opt_progress || isatty (STDERR_FILENO)) || opt_json || !g_strv_contains (long_methods, method))
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

static char *
container_path (const char *name, GError **error)
{
  g_autoptr(GVariant) reply = call (MANAGER_PATH, MANAGER_IFACE, "GetContainer",
                                    g_variant_new ("(s)", name), "(o)", error);
  char *path;

  if (reply == NULL)
    return NULL;
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

/* ---- verbs ------------------------------------------------------------------- */

/* One GetManagedObjects round trip for everything: sorted by name.  Each
 * container's properties are read once into a ListEntry (walking the reply
 * by child index: GDBus hands it over as a tree of values, where that is a
 * reference count, while a lookup with a "&s" format would flatten it and
 * then build a new value per child per lookup). */
typedef struct {
  GVariant *props;     /* a{sv}, for --json */
  const char *name;    /* NULL: no Name (sorts as "", shows as "?") */
  const char *state;   /* NULL: no State */
  const char *lxcpath; /* NULL: no LXCPath */
  gint32 pid;
  gboolean has_pid;
  gboolean autostart;
  gboolean defined;
} ListEntry;

static void
list_entry_clear (gpointer data)
{
  ListEntry *e = data;

  g_clear_pointer (&e->props, g_variant_unref);
}

/* The string in *v* if it is one (borrowed from *v*, which lives in props). */
static const char *
string_value (GVariant *v)
{
  return g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) ? g_variant_get_string (v, NULL) : NULL;
}

/* Fills *e* from *props* (a{sv}), taking the reference.  As with
 * g_variant_lookup: the first entry of a key counts (hence the walk from the
 * end), and a value of another type counts as absent. */
static void
list_entry_read (ListEntry *e, GVariant *props)
{
  memset (e, 0, sizeof *e);
  e->props = props;
  for (gsize i = g_variant_n_children (props); i-- > 0;)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (props, i);
      g_autoptr(GVariant) key_v = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) v = g_variant_get_variant (boxed);
      const char *key = g_variant_get_string (key_v, NULL);
      gboolean is_bool = g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN);

      if (g_str_equal (key, "Name"))
        e->name = string_value (v);
      else if (g_str_equal (key, "State"))
        e->state = string_value (v);
      else if (g_str_equal (key, "LXCPath"))
        e->lxcpath = string_value (v);
      else if (g_str_equal (key, "InitPID"))
        {
          e->has_pid = g_variant_is_of_type (v, G_VARIANT_TYPE_INT32);
          e->pid = e->has_pid ? g_variant_get_int32 (v) : 0;
        }
      else if (g_str_equal (key, "Autostart"))
        e->autostart = is_bool && g_variant_get_boolean (v);
      else if (g_str_equal (key, "Defined"))
        e->defined = is_bool && g_variant_get_boolean (v);
    }
}

static gint
compare_entries_by_name (gconstpointer a, gconstpointer b)
{
  const ListEntry *ea = a, *eb = b;

  return g_strcmp0 (ea->name ? ea->name : "", eb->name ? eb->name : "");
}

static int
verb_list (int argc, char **argv)
{
  gboolean active_only = argc > 1 && g_str_equal (argv[1], "--active");
  gboolean defined_only = argc > 1 && g_str_equal (argv[1], "--defined");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GArray) list = NULL;
  g_autoptr(GString) out = NULL;
  gsize n_objects;

  if (argc > 2 || (argc == 2 && !active_only && !defined_only))
    {
      g_printerr ("lxcctl: usage: lxcctl list [--active|--defined]\n");
      return 2;
    }
  reply = call (ROOT_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                "(a{oa{sa{sv}}})", &error);
  if (reply == NULL)
    return fail (error);
  objects = g_variant_get_child_value (reply, 0);
  n_objects = g_variant_n_children (objects);
  list = g_array_sized_new (FALSE, FALSE, sizeof (ListEntry), (guint) n_objects);
  g_array_set_clear_func (list, list_entry_clear);
  for (gsize i = 0; i < n_objects; i++)
    {
      g_autoptr(GVariant) object = g_variant_get_child_value (objects, i);
      g_autoptr(GVariant) ifaces = g_variant_get_child_value (object, 1);
      gsize n_ifaces = g_variant_n_children (ifaces);
      GVariant *props = NULL;
      ListEntry e;

      for (gsize j = 0; j < n_ifaces && props == NULL; j++)
        {
          g_autoptr(GVariant) iface = g_variant_get_child_value (ifaces, j);
          g_autoptr(GVariant) iface_name = g_variant_get_child_value (iface, 0);

          if (g_str_equal (g_variant_get_string (iface_name, NULL), CONTAINER_IFACE))
            props = g_variant_get_child_value (iface, 1);
        }
      if (props == NULL)
        continue;
      list_entry_read (&e, props);
      if ((active_only && g_str_equal (e.state ? e.state : "STOPPED", "STOPPED")) ||
          (defined_only && !e.defined))
        {
          list_entry_clear (&e);
          continue;
        }
      g_array_append_val (list, e);
    }
  g_array_sort (list, compare_entries_by_name);

  out = g_string_sized_new (opt_json ? 256 * list->len + 2 : 82 * (list->len + 1));
  if (opt_json)
    g_string_append_c (out, '[');
  else
    g_string_append_printf (out, "%-20s %-9s %8s %-9s %s\n", "NAME", "STATE", "PID", "AUTOSTART",
                            "LXCPATH");
  for (guint i = 0; i < list->len; i++)
    {
      const ListEntry *e = &g_array_index (list, ListEntry, i);
      char pid_text[16] = "-";

      if (opt_json)
        {
          if (i)
            g_string_append_c (out, ',');
          json_value (out, e->props);
          continue;
        }
      if (e->has_pid && e->pid > 0)
        g_snprintf (pid_text, sizeof pid_text, "%d", e->pid);
      g_string_append_printf (out, "%-20s %-9s %8s %-9s %s\n", e->name ? e->name : "?",
                              e->state ? e->state : "?", pid_text, e->autostart ? "yes" : "no",
                              e->lxcpath ? e->lxcpath : "?");
    }
  if (opt_json)
    g_string_append (out, "]\n");
  g_print ("%s", out->str);
  return 0;
}

static int
verb_status (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) props = NULL;
  static const char *const order[] = { "Name", "State", "Running", "InitPID", "Defined", "LXCPath",
                                       "ConfigFile", "Autostart", "Privileged", "Daemonize",
                                       "CloseAllFDs", NULL };

  if (argc != 2)
    {
      g_printerr ("lxcctl: usage: lxcctl status NAME\n");
      return 2;
    }
  path = container_path (argv[1], &error);
  if (path == NULL || (props = container_properties (path, &error)) == NULL)
    return fail (error);
  if (opt_json)
    {
      g_autoptr(GString) json = g_string_new (NULL);
      json_value (json, props);
      g_print ("%s\n", json->str);
      return 0;
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
  return 0;
}

/* start, stop, freeze, unfreeze, shutdown, reboot, destroy */
static int
verb_simple (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *verb = argv[0];
  int timeout = 60;
  gboolean force = FALSE, with_snapshots = FALSE;
  const char *name = NULL;

  for (int i = 1; i < argc; i++)
    {
      if ((g_str_equal (argv[i], "-t") || g_str_equal (argv[i], "--timeout")) && i + 1 < argc)
        timeout = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--force"))
        force = TRUE;
      else if (g_str_equal (argv[i], "--with-snapshots"))
        with_snapshots = TRUE;
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        {
          g_printerr ("lxcctl: unexpected argument '%s'\n", argv[i]);
          return 2;
        }
    }
  if (name == NULL)
    {
      g_printerr ("lxcctl: usage: lxcctl %s NAME\n", verb);
      return 2;
    }
  path = container_path (name, &error);
  if (path == NULL)
    return fail (error);

  if (g_str_equal (verb, "start"))
    reply = call (path, CONTAINER_IFACE, "Start", g_variant_new_parsed ("(@a{sv} {},)"), NULL, &error);
  else if (g_str_equal (verb, "stop"))
    reply = call (path, CONTAINER_IFACE, "Stop", NULL, NULL, &error);
  else if (g_str_equal (verb, "freeze"))
    reply = call (path, CONTAINER_IFACE, "Freeze", NULL, NULL, &error);
  else if (g_str_equal (verb, "unfreeze"))
    reply = call (path, CONTAINER_IFACE, "Unfreeze", NULL, NULL, &error);
  else if (g_str_equal (verb, "shutdown"))
    reply = call (path, CONTAINER_IFACE, "Shutdown", g_variant_new ("(i)", timeout), NULL, &error);
  else if (g_str_equal (verb, "reboot"))
    reply = call (path, CONTAINER_IFACE, "Reboot", g_variant_new ("(i)", timeout), NULL, &error);
  else /* destroy */
    {
      GVariantBuilder b;
      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
      if (force)
        g_variant_builder_add (&b, "{sv}", "force", g_variant_new_boolean (TRUE));
      if (with_snapshots)
        g_variant_builder_add (&b, "{sv}", "with_snapshots", g_variant_new_boolean (TRUE));
      reply = call (path, CONTAINER_IFACE, "Destroy", g_variant_new ("(a{sv})", &b), NULL, &error);
    }
  return reply ? 0 : fail (error);
}

static int
verb_create (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder opts;
  const char *name = NULL, *template = NULL;
  g_autoptr(GPtrArray) targs = g_ptr_array_new ();
  int i;

  g_variant_builder_init (&opts, G_VARIANT_TYPE ("a{sv}"));
  for (i = 1; i < argc; i++)
    {
      if ((g_str_equal (argv[i], "-t") || g_str_equal (argv[i], "--template")) && i + 1 < argc)
        template = argv[++i];
      else if (g_str_equal (argv[i], "-P") && i + 1 < argc)
        g_variant_builder_add (&opts, "{sv}", "lxcpath", g_variant_new_string (argv[++i]));
      else if (g_str_equal (argv[i], "--"))
        {
          for (i++; i < argc; i++)
            g_ptr_array_add (targs, argv[i]);
          break;
        }
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        {
          g_printerr ("lxcctl: unexpected argument '%s'\n", argv[i]);
          return 2;
        }
    }
  if (name == NULL || template == NULL)
    {
      g_printerr ("lxcctl: usage: lxcctl create NAME -t TEMPLATE [-P LXCPATH] [-- TEMPLATE-ARGS]\n");
      return 2;
    }
  if (targs->len)
    {
      g_ptr_array_add (targs, NULL);
      g_variant_builder_add (&opts, "{sv}", "template_args",
                             g_variant_new_strv ((const char *const *) targs->pdata, -1));
    }
  reply = call (MANAGER_PATH, MANAGER_IFACE, "CreateContainer",
                g_variant_new ("(ssa{sv})", name, template, &opts), "(o)", &error);
  return reply ? 0 : fail (error);
}

static int
verb_config (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;

  if (argc < 3)
    {
      g_printerr ("lxcctl: usage: lxcctl config get|set|clear|keys NAME [KEY [VALUE]]\n");
      return 2;
    }
  path = container_path (argv[2], &error);
  if (path == NULL)
    return fail (error);
  if (g_str_equal (argv[1], "get") && argc == 4)
    reply = call (path, CONTAINER_IFACE, "GetConfigItem", g_variant_new ("(s)", argv[3]), "(s)", &error);
  else if (g_str_equal (argv[1], "set") && argc == 5)
    reply = call (path, CONTAINER_IFACE, "SetConfigItem", g_variant_new ("(ss)", argv[3], argv[4]),
                  NULL, &error);
  else if (g_str_equal (argv[1], "clear") && argc == 4)
    reply = call (path, CONTAINER_IFACE, "ClearConfigItem", g_variant_new ("(s)", argv[3]), NULL,
                  &error);
  else if (g_str_equal (argv[1], "keys") && (argc == 3 || argc == 4))
    reply = call (path, CONTAINER_IFACE, "GetKeys", g_variant_new ("(s)", argc == 4 ? argv[3] : ""),
                  "(as)", &error);
  else
    {
      g_printerr ("lxcctl: usage: lxcctl config get|set|clear|keys NAME [KEY [VALUE]]\n");
      return 2;
    }
  if (reply == NULL)
    return fail (error);
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(s)")))
    {
      const char *value;
      g_variant_get (reply, "(&s)", &value);
      if (opt_json)
        {
          g_autoptr(GString) json = g_string_new (NULL);
          json_string (json, value);
          g_print ("%s\n", json->str);
        }
      else
        g_print ("%s\n", value);
    }
  else if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(as)")))
    {
      g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
      if (opt_json)
        {
          g_autoptr(GString) json = g_string_new (NULL);
          json_value (json, list);
          g_print ("%s\n", json->str);
        }
      else
        {
          g_autofree const char **keys = g_variant_get_strv (list, NULL);
          for (const char **k = keys; *k; k++)
            g_print ("%s\n", *k);
        }
    }
  return 0;
}

/* attach NAME -- CMD...: the program's exit status is ours */
static int
verb_attach (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  int first = 2, status;

  if (argc < 3)
    {
      g_printerr ("lxcctl: usage: lxcctl attach NAME -- PROGRAM [ARG...]\n");
      return 2;
    }
  if (g_str_equal (argv[2], "--"))
    first = 3;
  if (first >= argc)
    {
      g_printerr ("lxcctl: usage: lxcctl attach NAME -- PROGRAM [ARG...]\n");
      return 2;
    }
  path = container_path (argv[1], &error);
  if (path == NULL)
    return fail (error);
  for (int fd = 0; fd < 3; fd++)
    {
      if (g_unix_fd_list_append (fds, fd, &error) < 0)
        return fail (error);
    }
  reply = g_dbus_connection_call_with_unix_fd_list_sync (
    bus, BUS_NAME, path, CONTAINER_IFACE, "RunCommand",
    g_variant_new ("(^ashhh@a{sv})", &argv[first], 0, 1, 2, g_variant_new ("a{sv}", NULL)),
    G_VARIANT_TYPE ("(i)"), call_flags (), G_MAXINT, fds, NULL, NULL, &error);
  if (reply == NULL)
    return fail (error);
  g_variant_get (reply, "(i)", &status);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + (WIFSIGNALED (status) ? WTERMSIG (status) : 0);
}

/* clone SRC NEW [--snapshot] [-P LXCPATH], rename OLD NEW */
static int
verb_clone_rename (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean snapshot = FALSE;
  const char *names[2] = { NULL, NULL };
  const char *lxcpath = NULL;
  int n = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--snapshot"))
        snapshot = TRUE;
      else if (g_str_equal (argv[i], "-P") && i + 1 < argc)
        lxcpath = argv[++i];
      else if (n < 2 && argv[i][0] != '-')
        names[n++] = argv[i];
      else
        {
          g_printerr ("lxcctl: unexpected argument '%s'\n", argv[i]);
          return 2;
        }
    }
  if (n != 2)
    {
      g_printerr ("lxcctl: usage: lxcctl %s NAME NEW-NAME\n", argv[0]);
      return 2;
    }
  path = container_path (names[0], &error);
  if (path == NULL)
    return fail (error);
  if (g_str_equal (argv[0], "rename"))
    reply = call (path, CONTAINER_IFACE, "Rename", g_variant_new ("(s)", names[1]), "(o)", &error);
  else
    {
      GVariantBuilder b;
      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
      if (snapshot)
        {
          const char *const flags[] = { "snapshot", NULL };
          g_variant_builder_add (&b, "{sv}", "flags", g_variant_new_strv (flags, -1));
          g_variant_builder_add (&b, "{sv}", "bdev_type", g_variant_new_string ("overlay"));
        }
      if (lxcpath)
        g_variant_builder_add (&b, "{sv}", "lxcpath", g_variant_new_string (lxcpath));
      reply = call (path, CONTAINER_IFACE, "Clone", g_variant_new ("(sa{sv})", names[1], &b), "(o)",
                    &error);
    }
  return reply ? 0 : fail (error);
}

/* snapshot NAME [-c COMMENT] | snapshot list|restore|destroy ... */
static int
verb_snapshot (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;

  if (argc >= 3 && g_str_equal (argv[1], "list"))
    {
      GVariantIter iter;
      const char *name, *comment, *stamp, *where;
      g_autoptr(GVariant) list = NULL;

      path = container_path (argv[2], &error);
      if (path == NULL ||
          (reply = call (path, CONTAINER_IFACE, "ListSnapshots", NULL, "(a(ssss))", &error)) == NULL)
        return fail (error);
      list = g_variant_get_child_value (reply, 0);
      if (opt_json)
        {
          g_autoptr(GString) json = g_string_new (NULL);
          json_value (json, list);
          g_print ("%s\n", json->str);
          return 0;
        }
      g_print ("%-8s %-20s %s\n", "NAME", "TIME", "COMMENT");
      g_variant_iter_init (&iter, list);
      while (g_variant_iter_next (&iter, "(&s&s&s&s)", &name, &comment, &stamp, &where))
        g_print ("%-8s %-20s %s\n", name, stamp, comment);
      return 0;
    }
  if (argc == 5 && g_str_equal (argv[1], "restore"))
    {
      path = container_path (argv[2], &error);
      if (path == NULL)
        return fail (error);
      reply = call (path, CONTAINER_IFACE, "RestoreSnapshot", g_variant_new ("(ss)", argv[3], argv[4]),
                    "(o)", &error);
      return reply ? 0 : fail (error);
    }
  if (argc == 4 && g_str_equal (argv[1], "destroy"))
    {
      path = container_path (argv[2], &error);
      if (path == NULL)
        return fail (error);
      reply = call (path, CONTAINER_IFACE, "DestroySnapshot", g_variant_new ("(s)", argv[3]), NULL,
                    &error);
      return reply ? 0 : fail (error);
    }
  if (argc == 2 || (argc == 4 && g_str_equal (argv[2], "-c")))
    {
      GVariantBuilder b;
      const char *name;

      path = container_path (argv[1], &error);
      if (path == NULL)
        return fail (error);
      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
      if (argc == 4)
        g_variant_builder_add (&b, "{sv}", "comment", g_variant_new_string (argv[3]));
      reply = call (path, CONTAINER_IFACE, "Snapshot", g_variant_new ("(a{sv})", &b), "(s)", &error);
      if (reply == NULL)
        return fail (error);
      g_variant_get (reply, "(&s)", &name);
      g_print ("%s\n", name);
      return 0;
    }
  g_printerr ("lxcctl: usage: lxcctl snapshot NAME [-c COMMENT] | snapshot list NAME |\n"
              "       snapshot restore NAME SNAPSHOT NEW-NAME | snapshot destroy NAME SNAPSHOT\n");
  return 2;
}

/* cgroup get|set NAME KEY [VALUE], ips NAME */
static int
verb_cgroup_ips (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean ips = g_str_equal (argv[0], "ips");

  if ((ips && argc != 2) ||
      (!ips && !((argc == 4 && g_str_equal (argv[1], "get")) || (argc == 5 && g_str_equal (argv[1], "set")))))
    {
      g_printerr (ips ? "lxcctl: usage: lxcctl ips NAME\n"
                      : "lxcctl: usage: lxcctl cgroup get|set NAME KEY [VALUE]\n");
      return 2;
    }
  path = container_path (argv[ips ? 1 : 2], &error);
  if (path == NULL)
    return fail (error);
  if (ips)
    reply = call (path, CONTAINER_IFACE, "GetIPs", g_variant_new ("(ssu)", "", "", 0), "(as)", &error);
  else if (argc == 4)
    reply = call (path, CONTAINER_IFACE, "GetCgroupItem", g_variant_new ("(s)", argv[3]), "(s)", &error);
  else
    reply = call (path, CONTAINER_IFACE, "SetCgroupItem", g_variant_new ("(ss)", argv[3], argv[4]),
                  NULL, &error);
  if (reply == NULL)
    return fail (error);
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(as)")))
    {
      g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
      g_autofree const char **items = g_variant_get_strv (list, NULL);

      if (opt_json)
        {
          g_autoptr(GString) json = g_string_new (NULL);
          json_value (json, list);
          g_print ("%s\n", json->str);
        }
      else
        for (const char **i = items; *i; i++)
          g_print ("%s\n", *i);
    }
  else if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(s)")))
    {
      const char *value;
      g_variant_get (reply, "(&s)", &value);
      g_print ("%s\n", value);
    }
  return 0;
}

/* Relays the terminal to a pty master until the escape Ctrl-a q, or the
 * other side hangs up. */
static int
relay_terminal (int master)
{
  struct termios saved, raw;
  gboolean is_tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  gboolean escape = FALSE;
  char buf[4096];

  if (is_tty)
    {
      raw = saved;
      cfmakeraw (&raw);
      tcsetattr (STDIN_FILENO, TCSANOW, &raw);
      g_printerr ("Connected; type Ctrl-a q to leave.\r\n");
    }
  for (;;)
    {
      struct pollfd fds[2] = { { STDIN_FILENO, POLLIN, 0 }, { master, POLLIN, 0 } };
      ssize_t n;

      if (poll (fds, 2, -1) < 0)
        break;
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (master, buf, sizeof buf);
          if (n <= 0)
            break;
          if (write (STDOUT_FILENO, buf, (size_t) n) < 0)
            break;
        }
      if (fds[0].revents & (POLLIN | POLLHUP))
        {
          gboolean leave = FALSE;
          n = read (STDIN_FILENO, buf, sizeof buf);
          if (n <= 0)
            break;
          for (ssize_t i = 0; i < n; i++)
            {
              if (escape && buf[i] == 'q')
                {
                  leave = TRUE;
                  break;
                }
              escape = buf[i] == 0x01;
              if (!escape && write (master, &buf[i], 1) < 0)
                leave = TRUE;
            }
          if (leave)
            break;
        }
    }
  if (is_tty)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved);
  return 0;
}

/* console NAME [TTY], shell NAME */
static int
verb_terminal (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  gboolean console = g_str_equal (argv[0], "console");
  gint32 handle;
  int master, rc;

  if (argc < 2 || argc > (console ? 3 : 2))
    {
      g_printerr (console ? "lxcctl: usage: lxcctl console NAME [TTY]\n" : "lxcctl: usage: lxcctl shell NAME\n");
      return 2;
    }
  path = container_path (argv[1], &error);
  if (path == NULL)
    return fail (error);
  if (console)
    reply = g_dbus_connection_call_with_unix_fd_list_sync (
      bus, BUS_NAME, path, CONTAINER_IFACE, "OpenConsole",
      g_variant_new ("(i)", argc == 3 ? atoi (argv[2]) : 0), G_VARIANT_TYPE ("(hi)"), call_flags (),
      G_MAXINT, NULL, &fds, NULL, &error);
  else
    reply = g_dbus_connection_call_with_unix_fd_list_sync (
      bus, BUS_NAME, path, CONTAINER_IFACE, "OpenShell", g_variant_new_parsed ("(@a{sv} {},)"),
      G_VARIANT_TYPE ("(h)"), call_flags (), G_MAXINT, NULL, &fds, NULL, &error);
  if (reply == NULL)
    return fail (error);
  g_variant_get_child (reply, 0, "h", &handle);
  master = g_unix_fd_list_get (fds, handle, &error);
  if (master < 0)
    return fail (error);
  rc = relay_terminal (master);
  close (master);
  return rc;
}

static void
on_state_changed (GDBusConnection *connection, const char *sender, const char *path,
                  const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
  const char *new_state, *old_state;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");

  g_variant_get (params, "(&s&s)", &new_state, &old_state);
  if (opt_json)
    {
      g_autoptr(GString) json = g_string_new ("{\"container\":");
      json_string (json, path);
      g_string_append (json, ",\"state\":");
      json_string (json, new_state);
      g_string_append (json, ",\"old_state\":");
      json_string (json, old_state);
      g_string_append_c (json, '}');
      g_print ("%s\n", json->str);
    }
  else
    g_print ("%s %s: %s -> %s\n", stamp, path + strlen (ROOT_PATH "/containers/"), old_state,
             new_state);
  fflush (stdout);
}

static int
verb_monitor (int argc, char **argv)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_dbus_connection_signal_subscribe (bus, BUS_NAME, CONTAINER_IFACE, "StateChanged", NULL, NULL,
                                      G_DBUS_SIGNAL_FLAGS_NONE, on_state_changed, NULL, NULL);
  g_main_loop_run (loop);
  return 0;
}

int
main (int argc, char **argv)
{
  static const struct {
    const char *name;
    int (*func) (int argc, char **argv);
  } verbs[] = {
    { "list", verb_list },
    { "status", verb_status },
    { "start", verb_simple },
    { "stop", verb_simple },
    { "shutdown", verb_simple },
    { "reboot", verb_simple },
    { "freeze", verb_simple },
    { "unfreeze", verb_simple },
    { "destroy", verb_simple },
    { "create", verb_create },
    { "config", verb_config },
    { "attach", verb_attach },
    { "monitor", verb_monitor },
    { "clone", verb_clone_rename },
    { "rename", verb_clone_rename },
    { "snapshot", verb_snapshot },
    { "cgroup", verb_cgroup_ips },
    { "ips", verb_cgroup_ips },
    { "console", verb_terminal },
    { "shell", verb_terminal },
  };
  g_autoptr(GError) error = NULL;
  int i;

  setlocale (LC_ALL, "");
  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        opt_json = TRUE;
      else if (g_str_equal (argv[i], "--no-ask-password"))
        opt_no_ask_password = TRUE;
      else if (g_str_equal (argv[i], "--progress"))
        opt_progress = TRUE;
      else if (g_str_equal (argv[i], "--version"))
        {
          g_print ("lxcctl %s\n", PACKAGE_VERSION);
          return 0;
        }
      else
        {
          g_printerr ("lxcctl: unknown option '%s'\n", argv[i]);
          return 2;
        }
    }
  if (i >= argc)
    {
      g_printerr ("usage: lxcctl [--json] [--no-ask-password] [--progress] VERB [ARGS]\n"
                  "verbs: list [--active|--defined], status NAME, start|stop|freeze|unfreeze NAME,\n"
                  "       shutdown|reboot NAME [-t SECONDS], destroy NAME [--force] [--with-snapshots],\n"
                  "       create NAME -t TEMPLATE [-P LXCPATH] [-- ARGS], config get|set|clear|keys NAME ...,\n"
                  "       attach NAME -- PROGRAM [ARGS], monitor, clone NAME NEW [--snapshot],\n"
                  "       rename NAME NEW, snapshot NAME [-c COMMENT], snapshot list|restore|destroy ...,\n"
                  "       cgroup get|set NAME KEY [VALUE], ips NAME, console NAME [TTY], shell NAME\n");
      return 2;
    }
  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (bus == NULL)
    return fail (error);
  for (guint v = 0; v < G_N_ELEMENTS (verbs); v++)
    {
      if (g_str_equal (argv[i], verbs[v].name))
        return verbs[v].func (argc - i, argv + i);
    }
  g_printerr ("lxcctl: unknown verb '%s'\n", argv[i]);
  return 2;
}
