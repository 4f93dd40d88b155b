/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liblxc-dbus-1 from C against the real service: what an application
 * does with the library (connect, list, follow properties and signals,
 * start, run commands with its descriptors, read usage, create and
 * destroy, see the service's errors in LXC_DBUS_ERROR), and that objects
 * and descriptors are not leaked.
 *
 * Not run on its own: tests/test_client_c.py brings up the stack (private
 * system bus, polkitd, the daemon of this build, busybox containers c1
 * and c2, both stopped), points DBUS_SYSTEM_BUS_ADDRESS at its bus,
 * LXCD_TEST_LXCPATH at its lxcpath, and runs this binary with --tap. The
 * tests share the stack and run in the order they are added (paths of one
 * level: GTest runs a suite's own tests before its subsuites): c1 is
 * started by /client-stack/start and stopped by /client-stack/stop. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>
#include <lxc-dbus/lxc-dbus.h>

/* Seconds to wait for a signal or an operation (times LXCD_TEST_SLOWDOWN,
 * as the harness's bounds). */
#define WAIT_SECONDS 60

static LxcDBusClient *shared_client;

static gint64
wait_usec (void)
{
  const gchar *slowdown = g_getenv ("LXCD_TEST_SLOWDOWN");
  gdouble factor = slowdown != NULL ? g_ascii_strtod (slowdown, NULL) : 1.0;

  if (factor < 1.0)
    factor = 1.0;
  return (gint64) (WAIT_SECONDS * factor * G_USEC_PER_SEC);
}

/* Iterates the default main context (where the library's proxies get
 * their signals) until COND holds; fails the test after the bound. */
#define WAIT_FOR(cond)                                                                  \
  G_STMT_START                                                                          \
  {                                                                                     \
    gint64 wait_deadline_ = g_get_monotonic_time () + wait_usec ();                     \
    while (!(cond))                                                                     \
      {                                                                                 \
        if (g_get_monotonic_time () > wait_deadline_)                                   \
          g_error ("%s:%d: timed out waiting for: %s", __FILE__, __LINE__, #cond);     \
        if (!g_main_context_iteration (NULL, FALSE))                                    \
          g_usleep (5000);                                                              \
      }                                                                                 \
  }                                                                                     \
  G_STMT_END

static LxcDBusClient *
client (void)
{
  if (shared_client == NULL)
    {
      g_autoptr(GError) error = NULL;

      shared_client = lxc_dbus_client_new_sync (NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (shared_client);
    }
  return shared_client;
}

static LxcDBusContainer *
container (const gchar *name)
{
  LxcDBusContainer *c = lxc_dbus_client_lookup_container (client (), name);

  if (c == NULL)
    g_error ("container %s is not known to the client", name);
  return c;
}

static GVariant *
no_options (void)
{
  return g_variant_new ("a{sv}", NULL);
}

/* CreateContainer's options: no network (as the harness's containers). */
static GVariant *
empty_net (void)
{
  GVariantBuilder config;
  GVariantBuilder options;

  g_variant_builder_init (&config, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&config, "{ss}", "lxc.net.0.type", "empty");
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "config", g_variant_builder_end (&config));
  return g_variant_builder_end (&options);
}

static const gchar *
lxcpath (void)
{
  const gchar *path = g_getenv ("LXCD_TEST_LXCPATH");

  if (path == NULL)
    g_error ("LXCD_TEST_LXCPATH is not set (run through tests/test_client_c.py)");
  return path;
}

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Everything from FD until end of file, within the bound: a descriptor of
 * the pipe's write end left open anywhere (here, in the library, in the
 * service) would keep it from ending. */
static gchar *
read_to_end (gint fd)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + wait_usec ();

  for (;;)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      gchar buf[4096];
      gssize n;

      if (left_ms <= 0)
        g_error ("the pipe did not end; so far: \"%s\"", out->str);
      if (poll (&p, 1, (gint) MIN (left_ms, 1000)) < 0 && errno != EINTR)
        g_error ("poll: %s", g_strerror (errno));
      if (p.revents == 0)
        continue;
      n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        return g_string_free (g_steal_pointer (&out), FALSE);
      g_string_append_len (out, buf, n);
    }
}

static gint
open_dev_null (gint flags)
{
  gint fd = open ("/dev/null", flags | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  return fd;
}

static void
make_pipe (gint fds[2])
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
}

static guint
count_jobs (void)
{
  GList *jobs = lxc_dbus_client_get_jobs (client ());
  guint n = g_list_length (jobs);

  g_list_free_full (jobs, g_object_unref);
  return n;
}

static void
on_async_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  (void) source;
  *out = g_object_ref (result);
}

/* -- connecting ---------------------------------------------------------- */

static void
test_new_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LxcDBusClient) c = lxc_dbus_client_new_sync (NULL, &error);
  GDBusObjectManager *om;
  g_autofree gchar *owner = NULL;
  g_autoptr(LxcDBusManager) manager = NULL;

  g_assert_no_error (error);
  g_assert_true (LXC_DBUS_IS_CLIENT (c));
  g_assert_true (G_IS_DBUS_CONNECTION (lxc_dbus_client_get_connection (c)));
  g_assert_false (g_dbus_connection_is_closed (lxc_dbus_client_get_connection (c)));

  om = lxc_dbus_client_get_object_manager (c);
  g_assert_true (LXC_DBUS_IS_OBJECT_MANAGER_CLIENT (om));
  g_assert_cmpstr (g_dbus_object_manager_get_object_path (om), ==, LXC_DBUS_OBJECT_MANAGER_PATH);
  /* The service of the stack answers: the object manager has an owner. */
  owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (om));
  g_assert_nonnull (owner);
  g_assert_true (g_dbus_is_unique_name (owner));

  manager = lxc_dbus_client_get_manager (c);
  g_assert_true (LXC_DBUS_IS_MANAGER (manager));
  g_assert_cmpstr (g_dbus_proxy_get_object_path (G_DBUS_PROXY (manager)), ==,
                   LXC_DBUS_MANAGER_PATH);
  g_assert_nonnull (lxc_dbus_manager_get_version (manager));
  g_assert_cmpstr (lxc_dbus_manager_get_version (manager), !=, "");
  g_assert_true (g_strv_contains (lxc_dbus_manager_get_features (manager), "create"));
  g_assert_true (g_strv_contains (lxc_dbus_manager_get_lxcpaths (manager), lxcpath ()));
}

static void
test_new_async (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LxcDBusClient) c = NULL;

  lxc_dbus_client_new (NULL, on_async_result, &result);
  WAIT_FOR (result != NULL);
  c = lxc_dbus_client_new_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (LXC_DBUS_IS_CLIENT (c));
  /* Loaded before the callback: the containers are there without a call. */
  g_assert_nonnull (lxc_dbus_client_lookup_container (c, "c1"));
}

/* -- containers and their properties ---------------------------------------- */

static void
test_containers (void)
{
  GList *containers = lxc_dbus_client_get_containers (client ());
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(LxcDBusContainer) c1 = NULL;
  g_autoptr(LxcDBusContainer) by_path = NULL;
  g_autofree gchar *c1_path = NULL;

  for (GList *l = containers; l != NULL; l = l->next)
    {
      LxcDBusContainer *c = l->data;
      g_autofree gchar *escaped = NULL;
      g_autofree gchar *path = NULL;

      g_assert_true (LXC_DBUS_IS_CONTAINER (c));
      escaped = g_dbus_escape_object_path (lxc_dbus_container_get_name (c));
      path = g_strconcat (LXC_DBUS_OBJECT_MANAGER_PATH "/containers/", escaped, NULL);
      g_assert_cmpstr (g_dbus_proxy_get_object_path (G_DBUS_PROXY (c)), ==, path);
      g_ptr_array_add (names, (gpointer) lxc_dbus_container_get_name (c));
    }
  /* The harness made c1 and c2, nothing else (yet). */
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "c1");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "c2");
  g_list_free_full (containers, g_object_unref);

  c1 = container ("c1");
  g_assert_cmpstr (lxc_dbus_container_get_name (c1), ==, "c1");
  g_assert_cmpstr (lxc_dbus_container_get_lxcpath (c1), ==, lxcpath ());
  g_assert_cmpstr (lxc_dbus_container_get_state (c1), ==, "STOPPED");
  g_assert_false (lxc_dbus_container_get_running (c1));
  g_assert_true (lxc_dbus_container_get_defined (c1));
  g_assert_cmpint (lxc_dbus_container_get_init_pid (c1), ==, -1);

  c1_path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (c1)));
  by_path = lxc_dbus_client_lookup_container_by_path (client (), c1_path);
  /* Both give a new reference to the object manager's proxy. */
  g_assert_true (by_path == c1);
  g_assert_null (lxc_dbus_client_lookup_container (client (), "nosuch"));
  g_assert_null (lxc_dbus_client_lookup_container_by_path (client (),
                                                          LXC_DBUS_OBJECT_MANAGER_PATH "/containers/nosuch"));

  g_assert_cmpuint (count_jobs (), ==, 0);
}

/* -- start: property notification and StateChanged ------------------------- */

static void
on_notify_state (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  GPtrArray *seen = user_data;

  (void) pspec;
  g_ptr_array_add (seen, g_strdup (lxc_dbus_container_get_state (LXC_DBUS_CONTAINER (object))));
}

static void
on_state_changed (LxcDBusContainer *c, const gchar *new_state, const gchar *old_state,
                  gpointer user_data)
{
  GPtrArray *seen = user_data;

  (void) c;
  g_ptr_array_add (seen, g_strdup_printf ("%s<-%s", new_state, old_state));
}

static gboolean
seen_contains (GPtrArray *seen, const gchar *what)
{
  for (guint i = 0; i < seen->len; i++)
    if (g_str_equal (g_ptr_array_index (seen, i), what))
      return TRUE;
  return FALSE;
}

static gboolean
seen_starts_with (GPtrArray *seen, const gchar *prefix)
{
  for (guint i = 0; i < seen->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (seen, i), prefix))
      return TRUE;
  return FALSE;
}

static void
test_start (void)
{
  g_autoptr(LxcDBusContainer) c = container ("c1");
  g_autoptr(GPtrArray) notified = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gulong h1, h2;
  gint pid;

  g_assert_cmpstr (lxc_dbus_container_get_state (c), ==, "STOPPED");
  h1 = g_signal_connect (c, "notify::state", G_CALLBACK (on_notify_state), notified);
  h2 = g_signal_connect (c, "state-changed", G_CALLBACK (on_state_changed), changes);

  g_assert_true (lxc_dbus_container_call_start_sync (c, no_options (), G_DBUS_CALL_FLAGS_NONE, -1,
                                                      NULL, &error));
  g_assert_no_error (error);
  /* Seen through PropertiesChanged, without polling. */
  WAIT_FOR (seen_contains (notified, "RUNNING"));
  WAIT_FOR (seen_starts_with (changes, "RUNNING<-"));
  WAIT_FOR (lxc_dbus_container_get_init_pid (c) > 1);
  g_signal_handler_disconnect (c, h1);
  g_signal_handler_disconnect (c, h2);

  g_assert_cmpstr (lxc_dbus_container_get_state (c), ==, "RUNNING");
  g_assert_true (lxc_dbus_container_get_running (c));
  pid = lxc_dbus_container_get_init_pid (c);
  /* A live process of this host (same pid namespace as the service). */
  g_assert_cmpint (kill (pid, 0), ==, 0);
}

/* -- RunCommand -------------------------------------------------------------- */

static void
test_run_command_sync (void)
{
  g_autoptr(LxcDBusContainer) c = container ("c1");
  const gchar *const argv[] = { "/bin/sh", "-c", "read line; echo \"got $line\"; echo oops >&2; exit 3",
                                NULL };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  gint in_pipe[2], out_pipe[2], err_pipe[2];
  gint status = -1;
  guint fds_before;

  g_assert_cmpstr (lxc_dbus_container_get_state (c), ==, "RUNNING");
  fds_before = count_open_fds ();
  make_pipe (in_pipe);
  make_pipe (out_pipe);
  make_pipe (err_pipe);
  g_assert_cmpint (write (in_pipe[1], "abc\n", 4), ==, 4);
  g_assert_no_errno (close (in_pipe[1]));

  g_assert_true (lxc_dbus_client_run_command_sync (client (), c, argv, in_pipe[0], out_pipe[1],
                                                   err_pipe[1], NULL, &status, NULL, &error));
  g_assert_no_error (error);
  g_assert_no_errno (close (in_pipe[0]));
  g_assert_no_errno (close (out_pipe[1]));
  g_assert_no_errno (close (err_pipe[1]));
  out = read_to_end (out_pipe[0]);
  err = read_to_end (err_pipe[0]);
  g_assert_no_errno (close (out_pipe[0]));
  g_assert_no_errno (close (err_pipe[0]));

  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 3);
  g_assert_cmpstr (out, ==, "got abc\n");
  g_assert_cmpstr (err, ==, "oops\n");
  /* The library's copies of the descriptors are closed. */
  g_assert_cmpuint (count_open_fds (), ==, fds_before);
}

static void
test_run_command_signal (void)
{
  g_autoptr(LxcDBusContainer) c = container ("c1");
  const gchar *const argv[] = { "/bin/sh", "-c", "kill -TERM $$", NULL };
  g_autoptr(GError) error = NULL;
  gint null_in = open_dev_null (O_RDONLY);
  gint null_out = open_dev_null (O_WRONLY);
  gint status = -1;

  g_assert_true (lxc_dbus_client_run_command_sync (client (), c, argv, null_in, null_out, null_out,
                                                   NULL, &status, NULL, &error));
  g_assert_no_error (error);
  g_assert_no_errno (close (null_in));
  g_assert_no_errno (close (null_out));
  /* The wait status as waitpid() gives it. */
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGTERM);
}

static void
test_run_command_async (void)
{
  g_autoptr(LxcDBusContainer) c = container ("c1");
  const gchar *const argv[] = { "/bin/sh", "-c", "echo $((6 * 7))", NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = NULL;
  gint null_in = open_dev_null (O_RDONLY);
  gint out_pipe[2];
  gint status = -1;

  make_pipe (out_pipe);
  lxc_dbus_client_run_command (client (), c, argv, null_in, out_pipe[1], out_pipe[1], NULL, NULL,
                               on_async_result, &result);
  /* The descriptors were sent with the call: ours may go now. */
  g_assert_no_errno (close (null_in));
  g_assert_no_errno (close (out_pipe[1]));
  WAIT_FOR (result != NULL);
  g_assert_true (lxc_dbus_client_run_command_finish (client (), result, &status, &error));
  g_assert_no_error (error);
  out = read_to_end (out_pipe[0]);
  g_assert_no_errno (close (out_pipe[0]));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpstr (out, ==, "42\n");
}

static void
test_run_command_proxy (void)
{
  g_autoptr(LxcDBusContainer) c = container ("c1");
  const gchar *const argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 5", NULL };
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  gint null_in = open_dev_null (O_RDONLY);
  gint out_pipe[2], err_pipe[2];
  gint status = -1;

  make_pipe (out_pipe);
  make_pipe (err_pipe);
  /* The handles are indices into the GUnixFDList. */
  g_assert_cmpint (g_unix_fd_list_append (fds, null_in, &error), ==, 0);
  g_assert_cmpint (g_unix_fd_list_append (fds, out_pipe[1], &error), ==, 1);
  g_assert_cmpint (g_unix_fd_list_append (fds, err_pipe[1], &error), ==, 2);
  g_assert_no_error (error);
  g_assert_no_errno (close (null_in));
  g_assert_no_errno (close (out_pipe[1]));
  g_assert_no_errno (close (err_pipe[1]));

  g_assert_true (lxc_dbus_container_call_run_command_sync (
    c, argv, g_variant_new_handle (0), g_variant_new_handle (1), g_variant_new_handle (2),
    no_options (), G_DBUS_CALL_FLAGS_NONE, 30000, fds, &status, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&fds); /* closes the list's copies: the pipes can end */
  out = read_to_end (out_pipe[0]);
  err = read_to_end (err_pipe[0]);
  g_assert_no_errno (close (out_pipe[0]));
  g_assert_no_errno (close (err_pipe[0]));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 5);
  g_assert_cmpstr (out, ==, "out\n");
  g_assert_cmpstr (err, ==, "err\n");
}

/* -- GetUsage through the generated proxy ----------------------------------- */

static void
test_get_usage (void)
{
  g_autoptr(LxcDBusContainer) c = container ("c1");
  g_autoptr(GVariant) usage = NULL;
  g_autoptr(GError) error = NULL;
  guint64 cpu = 0, memory = 0, processes = 0, started = 0;

  g_assert_true (lxc_dbus_container_call_get_usage_sync (c, no_options (), G_DBUS_CALL_FLAGS_NONE,
                                                          -1, &usage, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (usage, G_VARIANT_TYPE_VARDICT));
  g_assert_true (g_variant_lookup (usage, "cpu_usage_ns", "t", &cpu));
  g_assert_true (g_variant_lookup (usage, "memory_current", "t", &memory));
  g_assert_true (g_variant_lookup (usage, "processes", "t", &processes));
  g_assert_true (g_variant_lookup (usage, "started_usec", "t", &started));
  g_assert_cmpuint (cpu, >, 0);
  g_assert_cmpuint (memory, >, 0);
  g_assert_cmpuint (processes, >=, 1);
  /* Started during this run, not in the future. */
  g_assert_cmpuint (started, <=, (guint64) g_get_real_time ());
  g_assert_cmpuint (started, >, (guint64) (g_get_real_time () - (gint64) 3600 * G_USEC_PER_SEC));
}

/* -- errors ------------------------------------------------------------------ */

static void
assert_remote_name (const GError *error, const gchar *name)
{
  g_autofree gchar *remote = g_dbus_error_get_remote_error (error);

  g_assert_true (g_dbus_error_is_remote_error (error));
  g_assert_cmpstr (remote, ==, name);
}

static void
test_errors (void)
{
  g_autoptr(LxcDBusManager) manager = lxc_dbus_client_get_manager (client ());
  g_autoptr(LxcDBusContainer) c1 = container ("c1");
  g_autoptr(LxcDBusContainer) c2 = container ("c2");
  g_autoptr(LxcDBusContainer) again = NULL;
  GVariantBuilder options;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(GVariant) usage = NULL;
  const gchar *const argv[] = { "/bin/true", NULL };
  gint null_fd = open_dev_null (O_RDWR);
  gint status = -1;

  /* A generated call: the error is in the library's domain, with its
   * D-Bus name still there. */
  g_assert_false (lxc_dbus_manager_call_get_container_sync (manager, "nosuch",
                                                             G_DBUS_CALL_FLAGS_NONE, -1, &path,
                                                             NULL, &error));
  g_assert_error (error, LXC_DBUS_ERROR, LXC_DBUS_ERROR_NOT_FOUND);
  g_assert_null (path);
  assert_remote_name (error, "org.linuxcontainers.LXC1.Error.NotFound");
  g_clear_error (&error);

  /* The same call that succeeds, for contrast. */
  g_assert_true (lxc_dbus_manager_call_get_container_sync (manager, "c2", G_DBUS_CALL_FLAGS_NONE, -1,
                                                            &path, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, g_dbus_proxy_get_object_path (G_DBUS_PROXY (c2)));

  /* c2 is stopped: WrongState, through the convenience call and a
   * generated one. */
  g_assert_cmpstr (lxc_dbus_container_get_state (c2), ==, "STOPPED");
  g_assert_false (lxc_dbus_client_run_command_sync (client (), c2, argv, null_fd, null_fd, null_fd,
                                                    NULL, &status, NULL, &error));
  g_assert_error (error, LXC_DBUS_ERROR, LXC_DBUS_ERROR_WRONG_STATE);
  assert_remote_name (error, "org.linuxcontainers.LXC1.Error.WrongState");
  g_clear_error (&error);
  g_assert_no_errno (close (null_fd));

  g_assert_false (lxc_dbus_container_call_get_usage_sync (c2, no_options (), G_DBUS_CALL_FLAGS_NONE,
                                                           -1, &usage, NULL, &error));
  g_assert_error (error, LXC_DBUS_ERROR, LXC_DBUS_ERROR_WRONG_STATE);
  g_assert_null (usage);
  g_clear_error (&error);

  /* An unknown option: InvalidArgument (c1 is running). */
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "no-such-option", g_variant_new_boolean (TRUE));
  g_assert_false (lxc_dbus_container_call_get_usage_sync (c1, g_variant_builder_end (&options),
                                                           G_DBUS_CALL_FLAGS_NONE, -1, &usage,
                                                           NULL, &error));
  g_assert_error (error, LXC_DBUS_ERROR, LXC_DBUS_ERROR_INVALID_ARGUMENT);
  assert_remote_name (error, "org.linuxcontainers.LXC1.Error.InvalidArgument");
  g_clear_error (&error);

  /* The name is taken: AlreadyExists from the call that waits for a Job. */
  again = lxc_dbus_client_create_container_sync (client (), "c2", "busybox", empty_net (), NULL,
                                                 &error);
  g_assert_null (again);
  g_assert_error (error, LXC_DBUS_ERROR, LXC_DBUS_ERROR_ALREADY_EXISTS);
  assert_remote_name (error, "org.linuxcontainers.LXC1.Error.AlreadyExists");
}

/* -- create and destroy -------------------------------------------------- */

static void
on_container_event (LxcDBusClient *c, LxcDBusContainer *container, gpointer user_data)
{
  GPtrArray *seen = user_data;

  (void) c;
  g_ptr_array_add (seen, g_strdup (lxc_dbus_container_get_name (container)));
}

static void
destroy_and_wait (const gchar *name)
{
  g_autoptr(LxcDBusContainer) c = container (name);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_build_filename (lxcpath (), name, NULL);
  gulong h;

  h = g_signal_connect (client (), "container-removed", G_CALLBACK (on_container_event), removed);
  g_assert_true (lxc_dbus_container_call_destroy_sync (c, no_options (), G_DBUS_CALL_FLAGS_NONE,
                                                        G_MAXINT, NULL, &error));
  g_assert_no_error (error);
  WAIT_FOR (seen_contains (removed, name));
  g_signal_handler_disconnect (client (), h);
  g_assert_null (lxc_dbus_client_lookup_container (client (), name));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static void
test_create_sync_and_destroy (void)
{
  g_autoptr(LxcDBusContainer) made = NULL;
  g_autoptr(LxcDBusContainer) known = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *config = g_build_filename (lxcpath (), "made1", "config", NULL);

  g_assert_null (lxc_dbus_client_lookup_container (client (), "made1"));
  made = lxc_dbus_client_create_container_sync (client (), "made1", "busybox", empty_net (), NULL,
                                                &error);
  g_assert_no_error (error);
  g_assert_true (LXC_DBUS_IS_CONTAINER (made));
  /* Returned once the Job completed: the container is there, stopped. */
  g_assert_cmpstr (lxc_dbus_container_get_name (made), ==, "made1");
  g_assert_cmpstr (lxc_dbus_container_get_state (made), ==, "STOPPED");
  g_assert_true (lxc_dbus_container_get_defined (made));
  g_assert_true (g_file_test (config, G_FILE_TEST_IS_REGULAR));

  /* The object manager learns of it as its main context runs. */
  WAIT_FOR ((known = lxc_dbus_client_lookup_container (client (), "made1")) != NULL);
  g_assert_cmpstr (g_dbus_proxy_get_object_path (G_DBUS_PROXY (known)), ==,
                   g_dbus_proxy_get_object_path (G_DBUS_PROXY (made)));
  /* and that its Job is gone (removed before the reply was sent). */
  WAIT_FOR (count_jobs () == 0);
  g_clear_object (&known);

  destroy_and_wait ("made1");
  g_assert_false (g_file_test (config, G_FILE_TEST_EXISTS));
}

typedef struct
{
  GPtrArray *operations;
  GPtrArray *completions;
} JobsSeen;

static void
on_job_completed (LxcDBusJob *job, gboolean success, const gchar *message, gpointer user_data)
{
  JobsSeen *seen = user_data;

  g_ptr_array_add (seen->completions,
                   g_strdup_printf ("%s:%s:%s", lxc_dbus_job_get_operation (job),
                                    success ? "ok" : "failed", message));
}

static void
on_job_added (LxcDBusClient *c, LxcDBusJob *job, gpointer user_data)
{
  JobsSeen *seen = user_data;

  (void) c;
  g_ptr_array_add (seen->operations, g_strdup (lxc_dbus_job_get_operation (job)));
  g_signal_connect (job, "completed", G_CALLBACK (on_job_completed), seen);
}

static void
test_create_async (void)
{
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
  JobsSeen jobs = {
    .operations = g_ptr_array_new_with_free_func (g_free),
    .completions = g_ptr_array_new_with_free_func (g_free),
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LxcDBusContainer) made = NULL;
  g_autoptr(LxcDBusContainer) known = NULL;
  g_autoptr(LxcDBusContainer) again = NULL;
  gulong h1, h2;

  h1 = g_signal_connect (client (), "container-added", G_CALLBACK (on_container_event), added);
  h2 = g_signal_connect (client (), "job-added", G_CALLBACK (on_job_added), &jobs);
  lxc_dbus_client_create_container (client (), "made2", "busybox", empty_net (), NULL,
                                    on_async_result, &result);
  WAIT_FOR (result != NULL);
  made = lxc_dbus_client_create_container_finish (client (), result, &error);
  g_assert_no_error (error);
  g_signal_handler_disconnect (client (), h1);
  g_signal_handler_disconnect (client (), h2);

  /* The reply came after the Job's Completed and the new object: the
   * container returned is the object manager's own. */
  g_assert_true (seen_contains (added, "made2"));
  g_assert_true (seen_contains (jobs.operations, "create"));
  g_assert_cmpuint (jobs.completions->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (jobs.completions, 0), ==, "create:ok:");
  known = lxc_dbus_client_lookup_container (client (), "made2");
  g_assert_true (known == made);
  g_assert_cmpstr (lxc_dbus_container_get_state (made), ==, "STOPPED");
  g_ptr_array_unref (jobs.operations);
  g_ptr_array_unref (jobs.completions);

  /* Its error, through the async finish. */
  g_clear_object (&result);
  lxc_dbus_client_create_container (client (), "made2", "busybox", empty_net (), NULL,
                                    on_async_result, &result);
  WAIT_FOR (result != NULL);
  again = lxc_dbus_client_create_container_finish (client (), result, &error);
  g_assert_null (again);
  g_assert_error (error, LXC_DBUS_ERROR, LXC_DBUS_ERROR_ALREADY_EXISTS);

  g_clear_object (&known);
  g_clear_object (&made);
  destroy_and_wait ("made2");
}

/* -- stop -------------------------------------------------------------------- */

static void
test_stop (void)
{
  g_autoptr(LxcDBusContainer) c = container ("c1");
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gint pid = lxc_dbus_container_get_init_pid (c);
  gulong h;

  g_assert_cmpint (pid, >, 1);
  h = g_signal_connect (c, "state-changed", G_CALLBACK (on_state_changed), changes);
  g_assert_true (lxc_dbus_container_call_stop_sync (c, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
  g_assert_no_error (error);
  WAIT_FOR (seen_starts_with (changes, "STOPPED<-"));
  WAIT_FOR (lxc_dbus_container_get_init_pid (c) == -1);
  g_signal_handler_disconnect (c, h);
  g_assert_cmpstr (lxc_dbus_container_get_state (c), ==, "STOPPED");
  g_assert_false (lxc_dbus_container_get_running (c));
}

/* -- no leaks: a client and what it gave go away with their references ------- */

static void
test_finalize (void)
{
  g_autoptr(GError) error = NULL;
  LxcDBusClient *c = lxc_dbus_client_new_sync (NULL, &error);
  GDBusObjectManager *om;
  LxcDBusManager *manager;
  LxcDBusContainer *c1;
  GList *containers;

  g_assert_no_error (error);
  om = lxc_dbus_client_get_object_manager (c);
  manager = lxc_dbus_client_get_manager (c);
  c1 = lxc_dbus_client_lookup_container (c, "c1");
  g_assert_nonnull (c1);
  containers = lxc_dbus_client_get_containers (c);
  g_assert_cmpuint (g_list_length (containers), ==, 2);
  g_list_free_full (containers, g_object_unref);

  g_object_add_weak_pointer (G_OBJECT (c), (gpointer *) &c);
  g_object_add_weak_pointer (G_OBJECT (om), (gpointer *) &om);
  g_object_add_weak_pointer (G_OBJECT (manager), (gpointer *) &manager);
  g_object_add_weak_pointer (G_OBJECT (c1), (gpointer *) &c1);

  /* The container and the Manager (references of their own) outlive the
   * client while the application holds them. */
  g_object_unref (c);
  g_assert_null (c);
  g_assert_nonnull (c1);
  g_assert_cmpstr (lxc_dbus_container_get_name (c1), ==, "c1");
  g_object_unref (c1);
  g_object_unref (manager);
  /* GDBus drops its signal subscriptions' references in the main context. */
  WAIT_FOR (om == NULL && manager == NULL && c1 == NULL);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client-stack/new-sync", test_new_sync);
  g_test_add_func ("/client-stack/new-async", test_new_async);
  g_test_add_func ("/client-stack/containers", test_containers);
  g_test_add_func ("/client-stack/start", test_start);
  g_test_add_func ("/client-stack/run-command-sync", test_run_command_sync);
  g_test_add_func ("/client-stack/run-command-signal", test_run_command_signal);
  g_test_add_func ("/client-stack/run-command-async", test_run_command_async);
  g_test_add_func ("/client-stack/run-command-proxy", test_run_command_proxy);
  g_test_add_func ("/client-stack/get-usage", test_get_usage);
  g_test_add_func ("/client-stack/errors", test_errors);
  g_test_add_func ("/client-stack/create-sync-destroy", test_create_sync_and_destroy);
  g_test_add_func ("/client-stack/create-async", test_create_async);
  g_test_add_func ("/client-stack/stop", test_stop);
  g_test_add_func ("/client-stack/finalize", test_finalize);
  status = g_test_run ();
  /* Under the sanitizers, LeakSanitizer checks at exit that nothing the
   * tests let go of is still allocated. */
  g_clear_object (&shared_client);
  return status;
}
