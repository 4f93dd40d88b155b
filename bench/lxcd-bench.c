/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcd-bench: the C side of the benchmarks (bench/run), never installed.
 *
 *   lxcd-bench service [--objects N] [--lxcpath DIR]
 *       The "trivial GDBus service": owns org.linuxcontainers.LXC1Bench on
 *       the system bus ($DBUS_SYSTEM_BUS_ADDRESS), serves
 *       /org/linuxcontainers/LXC1Bench/Floor (interface
 *       org.linuxcontainers.LXC1Bench.Floor: property Value s, method
 *       Echo(s) -> s) and an object manager at /org/linuxcontainers/LXC1Bench
 *       with N objects carrying the same Container interface and property
 *       values as lxc-dbus's (the generated skeleton, nothing else).
 *
 *   lxcd-bench client get N DEST PATH IFACE PROP [DEST PATH IFACE PROP]
 *   lxcd-bench client gmo N DEST PATH [DEST PATH]
 *       N property Gets (or GetManagedObjects) from one connection; with
 *       two targets the calls alternate, so both see the same machine.
 *       Prints one line per target: the N latencies in nanoseconds.
 *
 *   lxcd-bench list-state LXCPATH
 *       list_all_containers() and state() of each; prints "COUNT NS".
 *
 *   lxcd-bench direct
 *       Direct liblxc calls, one per line read on stdin:
 *         OP LXCPATH NAME [ARG...]
 *       answered on stdout with "ok NS [RESULT]" or "err NS MESSAGE", NS
 *       being the time of the liblxc calls alone. OPs: start, stop, freeze,
 *       unfreeze, create, clone-copy NEW, clone-overlay NEW, snapshot,
 *       destroy, destroy-all (with snapshots), get-config KEY,
 *       set-config KEY VALUE, cgroup KEY, usage (GetUsage's reads),
 *       attach-true.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>

#include "lxcd-dbus-generated.h"

#define BENCH_NAME "org.linuxcontainers.LXC1Bench"
#define BENCH_ROOT "/org/linuxcontainers/LXC1Bench"
#define FLOOR_IFACE BENCH_NAME ".Floor"

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- service ------------------------------------------------------------ */

static const char floor_xml[] =
  "<node>"
  "  <interface name='" FLOOR_IFACE "'>"
  "    <property name='Value' type='s' access='read'/>"
  "    <method name='Echo'>"
  "      <arg name='text' type='s' direction='in'/>"
  "      <arg name='result' type='s' direction='out'/>"
  "    </method>"
  "    <method name='EchoFromThread'>"
  "      <arg name='text' type='s' direction='in'/>"
  "      <arg name='result' type='s' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* a pool thread: replies from there, as the daemon's workers do */
static void
echo_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GDBusMethodInvocation *invocation = task_data;
  const char *text = NULL;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s)", &text);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", text));
  g_task_return_boolean (task, TRUE);
}

static void
floor_method_call (GDBusConnection *connection, const char *sender, const char *object_path,
                   const char *interface_name, const char *method_name, GVariant *parameters,
                   GDBusMethodInvocation *invocation, gpointer user_data)
{
  const char *text = NULL;

  if (g_str_equal (method_name, "EchoFromThread"))
    {
      /* Echo's floor plus the hop every liblxc call of the daemon makes:
       * the main loop hands the call to a worker thread, which replies. */
      g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_task_data (task, invocation, NULL); /* (the reply consumes it) */
      g_task_run_in_thread (task, echo_thread);
      return;
    }
  g_variant_get (parameters, "(&s)", &text);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", text));
}

static GVariant *
floor_get_property (GDBusConnection *connection, const char *sender, const char *object_path,
                    const char *interface_name, const char *property_name, GError **error,
                    gpointer user_data)
{
  return g_variant_new_string ("STOPPED");
}

static const GDBusInterfaceVTable floor_vtable = {
  .method_call = floor_method_call,
  .get_property = floor_get_property,
};

static void
on_name_lost (GDBusConnection *connection, const char *name, gpointer user_data)
{
  g_printerr ("lxcd-bench: lost or could not own %s\n", name);
  exit (1);
}

static gboolean
on_quit (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static int
run_service (int argc, char **argv)
{
  int n_objects = 0;
  const char *lxcpath = "/var/lib/lxc";
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GDBusObjectManagerServer) manager = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint owner_id;

  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--objects") && i + 1 < argc)
        n_objects = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--lxcpath") && i + 1 < argc)
        lxcpath = argv[++i];
    }

  connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("lxcd-bench: %s\n", error->message);
      return 1;
    }
  node = g_dbus_node_info_new_for_xml (floor_xml, &error);
  g_assert_no_error (error);
  if (!g_dbus_connection_register_object (connection, BENCH_ROOT "/Floor", node->interfaces[0],
                                          &floor_vtable, NULL, NULL, &error))
    {
      g_printerr ("lxcd-bench: %s\n", error->message);
      return 1;
    }

  manager = g_dbus_object_manager_server_new (BENCH_ROOT);
  for (int i = 0; i < n_objects; i++)
    {
      g_autofree char *name = g_strdup_printf ("b%04d", i);
      g_autofree char *path = g_strdup_printf (BENCH_ROOT "/containers/%s", name);
      g_autofree char *config = g_build_filename (lxcpath, name, "config", NULL);
      g_autoptr(LxcdDBusObjectSkeleton) object = lxcd_dbus_object_skeleton_new (path);
      g_autoptr(LxcdDBusContainer) iface = lxcd_dbus_container_skeleton_new ();

      lxcd_dbus_container_set_name (iface, name);
      lxcd_dbus_container_set_lxcpath (iface, lxcpath);
      lxcd_dbus_container_set_config_file (iface, config);
      lxcd_dbus_container_set_state (iface, "STOPPED");
      lxcd_dbus_container_set_running (iface, FALSE);
      lxcd_dbus_container_set_defined (iface, TRUE);
      lxcd_dbus_container_set_init_pid (iface, -1);
      lxcd_dbus_container_set_daemonize (iface, TRUE);
      lxcd_dbus_container_set_close_all_fds (iface, FALSE);
      lxcd_dbus_container_set_autostart (iface, FALSE);
      lxcd_dbus_object_skeleton_set_container (object, iface);
      g_dbus_object_manager_server_export (manager, G_DBUS_OBJECT_SKELETON (object));
    }
  g_dbus_object_manager_server_set_connection (manager, connection);

  owner_id = g_bus_own_name_on_connection (connection, BENCH_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                           NULL, on_name_lost, NULL, NULL);
  g_unix_signal_add (SIGTERM, on_quit, loop);
  g_unix_signal_add (SIGINT, on_quit, loop);
  g_main_loop_run (loop);
  g_bus_unown_name (owner_id);
  g_dbus_object_manager_server_set_connection (manager, NULL);
  return 0;
}

/* ---- client ------------------------------------------------------------- */

typedef struct {
  const char *dest;
  const char *path;
  const char *iface;
  const char *prop;
  gint64 *samples;
} Target;

static gboolean
call_target (GDBusConnection *connection, const Target *t, gboolean gmo, GError **error)
{
  g_autoptr(GVariant) reply = NULL;

  if (gmo)
    reply = g_dbus_connection_call_sync (connection, t->dest, t->path,
                                         "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                         NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                         G_DBUS_CALL_FLAGS_NONE, 60000, NULL, error);
  else
    reply = g_dbus_connection_call_sync (connection, t->dest, t->path,
                                         "org.freedesktop.DBus.Properties", "Get",
                                         g_variant_new ("(ss)", t->iface, t->prop),
                                         G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 60000,
                                         NULL, error);
  return reply != NULL;
}

static int
run_client (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  Target targets[2] = { { 0 } };
  int n_targets = 0;
  gboolean gmo;
  int n, per;

  if (argc < 2)
    return 2;
  gmo = g_str_equal (argv[0], "gmo");
  n = atoi (argv[1]);
  per = gmo ? 2 : 4;
  argc -= 2;
  argv += 2;
  if (n <= 0 || (argc != per && argc != 2 * per))
    {
      g_printerr ("lxcd-bench client: bad arguments\n");
      return 2;
    }
  for (int i = 0; i < argc; i += per, n_targets++)
    {
      targets[n_targets].dest = argv[i];
      targets[n_targets].path = argv[i + 1];
      if (!gmo)
        {
          targets[n_targets].iface = argv[i + 2];
          targets[n_targets].prop = argv[i + 3];
        }
      targets[n_targets].samples = g_new0 (gint64, n);
    }

  connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("lxcd-bench: %s\n", error->message);
      return 1;
    }
  /* one unmeasured call each: connection and match set-up */
  for (int t = 0; t < n_targets; t++)
    {
      if (!call_target (connection, &targets[t], gmo, &error))
        {
          g_printerr ("lxcd-bench: %s\n", error->message);
          return 1;
        }
    }
  for (int i = 0; i < n; i++)
    {
      for (int k = 0; k < n_targets; k++)
        {
          /* alternate which side goes first */
          int t = (i + k) % n_targets;
          gint64 t0 = now_ns ();

          if (!call_target (connection, &targets[t], gmo, &error))
            {
              g_printerr ("lxcd-bench: %s\n", error->message);
              return 1;
            }
          targets[t].samples[i] = now_ns () - t0;
        }
    }
  for (int t = 0; t < n_targets; t++)
    {
      for (int i = 0; i < n; i++)
        printf ("%s%" G_GINT64_FORMAT, i ? " " : "", targets[t].samples[i]);
      printf ("\n");
      g_free (targets[t].samples);
    }
  return 0;
}

/* ---- direct liblxc -------------------------------------------------------- */

static int
run_list_state (const char *lxcpath)
{
  struct lxc_container **containers = NULL;
  char **names = NULL;
  gint64 t0 = now_ns ();
  int n = list_all_containers (lxcpath, &names, &containers);
  int stopped = 0;

  for (int i = 0; i < n; i++)
    {
      const char *state = containers[i]->state (containers[i]);
      if (state && strcmp (state, "STOPPED") == 0)
        stopped++;
    }
  t0 = now_ns () - t0;
  for (int i = 0; i < n; i++)
    {
      lxc_container_put (containers[i]);
      free (names[i]);
    }
  free (containers);
  free (names);
  printf ("%d %" G_GINT64_FORMAT "\n", n, t0);
  return n >= 0 ? 0 : 1;
}

/* one direct operation; the time of the liblxc calls in *ns */
static gboolean
direct_op (char **w, int nw, int devnull, GString *result, gint64 *ns)
{
  const char *op = w[0];
  const char *lxcpath = w[1];
  const char *name = w[2];
  struct lxc_container *c;
  gboolean ok = FALSE;
  gint64 t0 = now_ns ();

  c = lxc_container_new (name, lxcpath);
  if (c == NULL)
    {
      *ns = now_ns () - t0;
      g_string_assign (result, "lxc_container_new failed");
      return FALSE;
    }
  if (g_str_equal (op, "start"))
    {
      ok = c->start (c, 0, NULL);
    }
  else if (g_str_equal (op, "stop"))
    {
      ok = c->stop (c) && c->wait (c, "STOPPED", 10);
    }
  else if (g_str_equal (op, "freeze"))
    {
      ok = c->freeze (c);
    }
  else if (g_str_equal (op, "unfreeze"))
    {
      ok = c->unfreeze (c);
    }
  else if (g_str_equal (op, "create"))
    {
      ok = c->create (c, "busybox", NULL, NULL, 0, NULL);
    }
  else if (g_str_equal (op, "clone-copy") && nw > 3)
    {
      struct lxc_container *n = c->clone (c, w[3], NULL, 0, NULL, NULL, 0, NULL);
      ok = n != NULL;
      if (n)
        lxc_container_put (n);
    }
  else if (g_str_equal (op, "clone-overlay") && nw > 3)
    {
      struct lxc_container *n = c->clone (c, w[3], NULL, LXC_CLONE_SNAPSHOT, "overlay", NULL, 0, NULL);
      ok = n != NULL;
      if (n)
        lxc_container_put (n);
    }
  else if (g_str_equal (op, "snapshot"))
    {
      ok = c->snapshot (c, NULL) >= 0;
    }
  else if (g_str_equal (op, "destroy"))
    {
      ok = c->destroy (c);
    }
  else if (g_str_equal (op, "destroy-all"))
    {
      ok = c->destroy_with_snapshots (c);
    }
  else if (g_str_equal (op, "get-config") && nw > 3)
    {
      int len = c->get_config_item (c, w[3], NULL, 0);
      if (len >= 0)
        {
          char *buf = g_malloc0 ((gsize) len + 1);
          ok = c->get_config_item (c, w[3], buf, len + 1) >= 0;
          g_string_assign (result, buf);
          g_free (buf);
        }
    }
  else if (g_str_equal (op, "set-config") && nw > 4)
    {
      ok = c->set_config_item (c, w[3], w[4]) && c->save_config (c, NULL);
    }
  else if (g_str_equal (op, "cgroup") && nw > 3)
    {
      char buf[4096] = "";
      ok = c->get_cgroup_item (c, w[3], buf, sizeof buf) >= 0;
      g_string_assign (result, g_strstrip (buf));
    }
  else if (g_str_equal (op, "usage"))
    {
      /* What a program reading the same figures as GetUsage does with
       * liblxc at the least: the host's own cgroup names only, and the
       * init's procfs. */
      static const char *const v1[] = { "cpuacct.usage", "memory.usage_in_bytes",
                                        "memory.max_usage_in_bytes", "memory.limit_in_bytes",
                                        "pids.current", "blkio.throttle.io_service_bytes", NULL };
      static const char *const v2[] = { "cpu.stat", "memory.current", "memory.peak", "memory.max",
                                        "pids.current", "io.stat", NULL };
      gboolean is_v2 = access ("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
      pid_t pid = c->is_running (c) ? c->init_pid (c) : -1;

      ok = pid > 0;
      for (const char *const *k = is_v2 ? v2 : v1; ok && *k; k++)
        {
          char buf[4096];
          ok = c->get_cgroup_item (c, *k, buf, sizeof buf) >= 0;
        }
      for (const char *f = "net/dev"; ok && f; f = g_str_equal (f, "net/dev") ? "stat" : NULL)
        {
          g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, f);
          g_autofree char *text = NULL;
          ok = g_file_get_contents (path, &text, NULL, NULL);
        }
      g_string_assign (result, ok ? "read" : "failed");
    }
  else if (g_str_equal (op, "attach-true"))
    {
      lxc_attach_options_t options = LXC_ATTACH_OPTIONS_DEFAULT;
      char *args[] = { (char *) "/bin/true", NULL };
      int status;

      options.stdin_fd = devnull;
      options.stdout_fd = devnull;
      options.stderr_fd = devnull;
      status = c->attach_run_wait (c, &options, "/bin/true", (const char *const *) args);
      ok = status == 0;
      g_string_printf (result, "%d", status);
    }
  else
    {
      g_string_printf (result, "unknown operation %s", op);
    }
  if (!ok && result->len == 0 && c->error_string)
    g_string_assign (result, c->error_string);
  lxc_container_put (c);
  *ns = now_ns () - t0;
  return ok;
}

static int
run_direct (void)
{
  /* Templates and liblxc write to stdout; answers go to a private copy. */
  int devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  int answer_fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  FILE *answers;
  char line[4096];

  if (devnull < 0 || answer_fd < 0 || dup2 (devnull, STDOUT_FILENO) < 0)
    return 1;
  answers = fdopen (answer_fd, "w");
  if (answers == NULL)
    {
      close (answer_fd);
      close (devnull);
      return 1;
    }
  while (fgets (line, sizeof line, stdin))
    {
      g_auto(GStrv) w = NULL;
      g_autoptr(GString) result = g_string_new (NULL);
      gint64 ns = 0;
      gboolean ok;

      g_strchomp (line);
      w = g_strsplit (line, " ", 0);
      if (g_strv_length (w) < 3)
        {
          fprintf (answers, "err 0 bad request\n");
          fflush (answers);
          continue;
        }
      ok = direct_op (w, (int) g_strv_length (w), devnull, result, &ns);
      g_strdelimit (result->str, "\n", ' ');
      fprintf (answers, "%s %" G_GINT64_FORMAT " %s\n", ok ? "ok" : "err", ns, result->str);
      fflush (answers);
    }
  fclose (answers);
  close (devnull);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "service"))
    return run_service (argc - 2, argv + 2);
  if (argc >= 3 && g_str_equal (argv[1], "client"))
    return run_client (argc - 2, argv + 2);
  if (argc == 3 && g_str_equal (argv[1], "list-state"))
    return run_list_state (argv[2]);
  if (argc == 2 && g_str_equal (argv[1], "direct"))
    return run_direct ();
  g_printerr ("usage: lxcd-bench service|client|list-state|direct ... (see bench/README.md)\n");
  return 2;
}
