/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: entry point */
#include "config.h"

#include <errno.h>

#include <glib-unix.h>
#include <lxc/lxccontainer.h>
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include "lxcd-audit.h"
#include "lxcd-caller.h"
#include "lxcd-daemon.h"
#include "lxcd-idmap.h"
#include "lxcd-spawn.h"
#include "lxcd-error.h"
#include "lxcd-util.h"

#define BUS_NAME "org.linuxcontainers.LXC1"
#define DEFAULT_CONFIG_FILE LXCD_SYSCONFDIR "/lxc-dbus/lxc-dbus.conf"

typedef struct {
  GMainLoop *loop;
  LxcdDaemon *daemon;
  guint owner_id;
  gboolean name_acquired;
  int exit_status;
} App;

/* main thread */
static gboolean
on_signal (gpointer user_data)
{
  App *app = user_data;

  g_message ("Exiting on signal");
  g_main_loop_quit (app->loop);
  return G_SOURCE_CONTINUE;
}

/* main thread */
static void
on_name_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  App *app = user_data;

  app->name_acquired = TRUE;
  g_message ("Serving %s", name);
  /* The helper server's start-up (an exec of a program linked with
   * liblxc) is paid now rather than by the first operation. */
  lxcd_helper_server_prestart (lxcd_daemon_get_helper_path (app->daemon));
}

/* main thread */
static void
on_name_lost (GDBusConnection *connection, const char *name, gpointer user_data)
{
  App *app = user_data;

  if (connection == NULL || g_dbus_connection_is_closed (connection))
    {
      g_printerr ("lxc-dbus: lost the connection to the system bus\n");
      app->exit_status = 1;
    }
  else if (app->name_acquired)
    {
      g_message ("Name %s was taken over by another instance; exiting", name);
    }
  else
    {
      g_printerr ("lxc-dbus: cannot own %s (already owned? try --replace)\n", name);
      app->exit_status = 1;
    }
  g_main_loop_quit (app->loop);
}

typedef struct {
  App *app;
  GBusNameOwnerFlags flags;
  GDBusConnection *connection;
} StartData;

/* main thread: every container is published, take the name */
static void
on_daemon_started (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StartData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!lxcd_daemon_start_finish (LXCD_DAEMON (source), res, &error))
    {
      g_printerr ("lxc-dbus: %s\n", error->message);
      data->app->exit_status = 1;
      g_main_loop_quit (data->app->loop);
    }
  else
    {
      data->app->owner_id = g_bus_own_name_on_connection (data->connection, BUS_NAME, data->flags,
                                                          on_name_acquired, on_name_lost,
                                                          data->app, NULL);
    }
  g_object_unref (data->connection);
  g_free (data);
}

/* Finds lxc-dbus-helper beside our own binary (build tree), else in
 * libexecdir. */
static char *
find_helper (void)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);

  if (self_exe)
    {
      g_autofree char *dir = g_path_get_dirname (self_exe);
      g_autofree char *candidate = g_build_filename (dir, LXCD_HELPER_NAME, NULL);
      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&candidate);
    }
  return g_build_filename (LXCD_LIBEXECDIR, LXCD_HELPER_NAME, NULL);
}

/* Reads the lxcpaths of the config file. A missing default file is fine;
 * a missing file named with --config is an error. */
static gboolean
load_config (const char *path, gboolean required, GPtrArray *lxcpaths,
             guint *operations_per_user, char **idmap, GError **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) paths = NULL;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      if (!required && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      return FALSE;
    }
  if (g_key_file_has_key (keyfile, "Limits", "OperationsPerUser", NULL))
    {
      g_autofree char *text = g_key_file_get_string (keyfile, "Limits", "OperationsPerUser", NULL);
      guint64 value;

      if (text == NULL ||
          !g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, 100000, &value, NULL))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "%s: [Limits] OperationsPerUser must be a number from 0 to 100000", path);
          return FALSE;
        }
      *operations_per_user = (guint) value;
    }
  if (g_key_file_has_key (keyfile, "Unprivileged", "IdMap", NULL))
    {
      g_autofree char *text = g_key_file_get_string (keyfile, "Unprivileged", "IdMap", NULL);
      guint32 base, count;

      if (text && *g_strstrip (text) != '\0')
        {
          if (!lxcd_idmap_parse_setting (text, &base, &count, &local_error))
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           "%s: [Unprivileged] %s", path, local_error->message);
              return FALSE;
            }
          *idmap = g_steal_pointer (&text);
        }
    }
  paths = g_key_file_get_string_list (keyfile, "Daemon", "LXCPaths", NULL, &local_error);
  if (paths == NULL)
    {
      if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ||
          g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      return FALSE;
    }
  for (char **p = paths; *p; p++)
    {
      g_strstrip (*p);
      if (**p)
        g_ptr_array_add (lxcpaths, g_strdup (*p));
    }
  return TRUE;
}

/* Canonicalizes and de-duplicates; creates missing directories like liblxc
 * does for its default lxcpath. */
static char **
resolve_lxcpaths (GPtrArray *requested, GError **error)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);

  if (requested->len == 0)
    {
      const char *def = lxc_get_global_config_item ("lxc.lxcpath");
      g_ptr_array_add (requested, g_strdup (def ? def : "/var/lib/lxc"));
    }
  for (guint i = 0; i < requested->len; i++)
    {
      const char *path = requested->pdata[i];
      char *canonical;

      if (g_path_is_absolute (path) && g_mkdir_with_parents (path, 0755) < 0)
        {
          int errsv = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                       "Cannot create lxcpath %s: %s", path, g_strerror (errsv));
          return NULL;
        }
      canonical = lxcd_canonicalize_lxcpath (path, error);
      if (canonical == NULL)
        return NULL;
      if (g_ptr_array_find_with_equal_func (result, canonical, g_str_equal, NULL))
        {
          g_free (canonical);
          continue;
        }
      g_ptr_array_add (result, canonical);
    }
  g_ptr_array_add (result, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&result), FALSE);
}

int
main (int argc, char **argv)
{
  g_auto(GStrv) opt_lxcpaths = NULL;
  g_autofree char *opt_config = NULL;
  gboolean opt_replace = FALSE;
  gboolean opt_verbose = FALSE;
  gboolean opt_version = FALSE;
  const GOptionEntry entries[] = {
    { "lxcpath", 'P', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_lxcpaths,
      "Serve the containers in DIR (repeatable; the first is the default)", "DIR" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
      "Read FILE instead of " DEFAULT_CONFIG_FILE, "FILE" },
    { "replace", 'r', 0, G_OPTION_ARG_NONE, &opt_replace,
      "Replace a running instance", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Log debug messages", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requested = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDBusConnection) connection = NULL;
  g_auto(GStrv) lxcpaths = NULL;
  g_autofree char *helper = NULL;
  g_autofree char *idmap = NULL;
  App app = { 0 };
  StartData *start;
  guint operations_per_user = LXCD_DEFAULT_OPERATIONS_PER_USER;
  guint sigterm_id, sigint_id;

  setlocale (LC_ALL, "");
  context = g_option_context_new ("- serve LXC containers on the D-Bus system bus");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("lxc-dbus: %s\n", error->message);
      return 2;
    }
  if (opt_version)
    {
      g_print ("lxc-dbus %s (liblxc %s)\n", PACKAGE_VERSION, lxc_get_version ());
      return 0;
    }
  if (opt_verbose)
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  /* Nothing the service or its helpers run (templates that write into
   * their working directory) may land where it was started. */
  if (chdir ("/") != 0)
    {
      g_printerr ("lxc-dbus: cannot change to /: %s\n", g_strerror (errno));
      return 1;
    }

  /* Register the D-Bus error names before anything can fail. */
  (void) LXCD_ERROR;

  if (!load_config (opt_config ? opt_config : DEFAULT_CONFIG_FILE, opt_config != NULL,
                    requested, &operations_per_user, &idmap, &error))
    {
      g_printerr ("lxc-dbus: %s\n", error->message);
      return 1;
    }
  if (opt_lxcpaths && opt_lxcpaths[0])
    {
      /* The command line replaces the config file's list. */
      g_ptr_array_set_size (requested, 0);
      for (char **p = opt_lxcpaths; *p; p++)
        g_ptr_array_add (requested, g_strdup (*p));
    }
  lxcpaths = resolve_lxcpaths (requested, &error);
  if (lxcpaths == NULL)
    {
      g_printerr ("lxc-dbus: %s\n", error->message);
      return 1;
    }

  connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("lxc-dbus: cannot connect to the system bus: %s\n", error->message);
      return 1;
    }
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  lxcd_caller_start (connection);
  lxcd_audit_start (connection);

  helper = find_helper ();
  g_debug ("helper: %s", helper);
  for (char **p = lxcpaths; *p; p++)
    g_message ("Serving lxcpath %s", *p);

  app.loop = g_main_loop_new (NULL, FALSE);
  app.daemon = lxcd_daemon_new (connection, (const char *const *) lxcpaths, helper,
                                LXCD_LXC_MONITORD);
  lxcd_daemon_set_operations_per_user (app.daemon, operations_per_user);
  lxcd_daemon_set_idmap_setting (app.daemon, idmap);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &app);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &app);

  start = g_new0 (StartData, 1);
  start->app = &app;
  start->connection = g_object_ref (connection);
  start->flags = G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT |
                 (opt_replace ? G_BUS_NAME_OWNER_FLAGS_REPLACE : 0) |
                 G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE;
  lxcd_daemon_start_async (app.daemon, on_daemon_started, start);

  g_main_loop_run (app.loop);

  if (app.owner_id)
    g_bus_unown_name (app.owner_id);
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  g_clear_object (&app.daemon);
  lxcd_audit_stop ();
  lxcd_caller_stop ();
  g_dbus_connection_flush_sync (connection, NULL, NULL);
  g_main_loop_unref (app.loop);
  return app.exit_status;
}
