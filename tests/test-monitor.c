/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: tests for LxcdMonitor
 *
 * /monitor/sock-name and /monitor/fake run anywhere: a fake lxc-monitord
 * (our own listening socket; /bin/false as the "monitord" binary) feeds
 * records split across writes, drops the connection and goes away for a
 * while, and inotify events are checked in a temp lxcpath.
 *
 * /monitor/lxc/... need root and lxc: a busybox container in a temp
 * lxcpath is started, frozen, stopped, copied and destroyed with the lxc
 * tools, and the real lxc-monitord is killed to check the reconnect.
 * Every wait has a timeout; nothing here can hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>

#include "lxcd-monitor.h"

#define MONITORD_PATH "/usr/libexec/lxc/lxc-monitord"

enum {
  ST_STOPPED, ST_STARTING, ST_RUNNING, ST_STOPPING,
  ST_ABORTING, ST_FREEZING, ST_FROZEN, ST_THAWED,
};

/* same layout as liblxc's struct lxc_msg */
typedef struct {
  int  type;
  char name[256];
  int  value;
} TestMsg;
G_STATIC_ASSERT (sizeof (TestMsg) == 264);

typedef enum { EV_STATE, EV_EXIT_CODE, EV_CHANGED, EV_RESYNC } EvKind;

typedef struct {
  EvKind kind;
  char *name;
  int value;
  gint64 time;
} Ev;

typedef struct {
  LxcdMonitor *monitor;
  GPtrArray *events; /* Ev* */
  guint cursor;      /* wait_event() searches from here */
} Recorder;

/* ---- helpers ---- */

static void
ev_free (gpointer data)
{
  Ev *ev = data;

  g_free (ev->name);
  g_free (ev);
}

static void
record (Recorder *rec, EvKind kind, const char *name, int value)
{
  Ev *ev = g_new0 (Ev, 1);

  ev->kind = kind;
  ev->name = g_strdup (name);
  ev->value = value;
  ev->time = g_get_monotonic_time ();
  g_ptr_array_add (rec->events, ev);
}

static void
on_state (LxcdMonitor *monitor G_GNUC_UNUSED, const char *name, gint state, gpointer data)
{
  g_assert_cmpint (state, >=, 0);
  g_assert_cmpint (state, <=, 7);
  g_assert_true (name != NULL && name[0] != '\0');
  record (data, EV_STATE, name, state);
}

static void
on_exit_code (LxcdMonitor *monitor G_GNUC_UNUSED, const char *name, gint status, gpointer data)
{
  record (data, EV_EXIT_CODE, name, status);
}

static void
on_changed (LxcdMonitor *monitor G_GNUC_UNUSED, const char *name, gpointer data)
{
  record (data, EV_CHANGED, name, 0);
}

static void
on_resync (LxcdMonitor *monitor G_GNUC_UNUSED, gpointer data)
{
  record (data, EV_RESYNC, NULL, 0);
}

static Recorder *
recorder_new (LxcdMonitor *monitor)
{
  Recorder *rec = g_new0 (Recorder, 1);

  rec->monitor = g_object_ref (monitor);
  rec->events = g_ptr_array_new_with_free_func (ev_free);
  g_signal_connect (monitor, "state", G_CALLBACK (on_state), rec);
  g_signal_connect (monitor, "exit-code", G_CALLBACK (on_exit_code), rec);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_changed), rec);
  g_signal_connect (monitor, "resync", G_CALLBACK (on_resync), rec);
  return rec;
}

static void
recorder_free (Recorder *rec)
{
  g_signal_handlers_disconnect_by_data (rec->monitor, rec);
  g_object_unref (rec->monitor);
  g_ptr_array_unref (rec->events);
  g_free (rec);
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* runs the default main context for @ms */
static void
sleep_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static const char *
kind_name (EvKind kind)
{
  static const char *const names[] = { "state", "exit-code", "changed", "resync" };
  return names[kind];
}

static gboolean
ev_matches (const Ev *ev, EvKind kind, const char *name, int value)
{
  return ev->kind == kind &&
         (name == NULL || g_strcmp0 (ev->name, name) == 0) &&
         (value < 0 || ev->value == value);
}

/* Waits (running the main context) until an event matching @kind, @name
 * (NULL: any) and @value (-1: any) has been recorded at or after the
 * cursor; moves the cursor past it. Fails the test after @timeout_ms. */
static gboolean
wait_event (Recorder *rec, EvKind kind, const char *name, int value,
            guint timeout_ms, gint64 *out_time)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, set_flag_cb, &timed_out);

  for (;;)
    {
      for (guint i = rec->cursor; i < rec->events->len; i++)
        {
          const Ev *ev = g_ptr_array_index (rec->events, i);

          if (ev_matches (ev, kind, name, value))
            {
              rec->cursor = i + 1;
              if (out_time != NULL)
                *out_time = ev->time;
              if (!timed_out)
                g_source_remove (id);
              return TRUE;
            }
        }
      if (timed_out)
        break;
      g_main_context_iteration (NULL, TRUE);
    }

  g_test_message ("timed out after %u ms waiting for %s(%s, %d)",
                  timeout_ms, kind_name (kind), name ? name : "*", value);
  g_test_fail ();
  return FALSE;
}

static guint
count_events (Recorder *rec, guint from, EvKind kind, const char *name)
{
  guint n = 0;

  for (guint i = from; i < rec->events->len; i++)
    if (ev_matches (g_ptr_array_index (rec->events, i), kind, name, -1))
      n++;
  return n;
}

static double
ms_since (gint64 start, gint64 end)
{
  return (double) (end - start) / 1000.0;
}

static char *
make_tmpdir (void)
{
  g_autofree char *tmpl = g_strdup ("/tmp/lxcd-test-monitor-XXXXXX");
  char *real;
  char *path;

  if (mkdtemp (tmpl) == NULL)
    g_error ("mkdtemp: %s", g_strerror (errno));
  real = realpath (tmpl, NULL);
  g_assert_nonnull (real);
  path = g_strdup (real); /* for g_free */
  free (real);
  return path;
}

/* blocking; only for setup and cleanup */
static gboolean
run_sync (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error))
    {
      g_test_message ("cannot run %s: %s", argv[0], error->message);
      return FALSE;
    }
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
proc_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) data = TRUE;
}

/* Runs @argv while the main context keeps running; returns its spawn time
 * in @out_start. Killed (and failed) after @timeout_ms. */
static gboolean
run_async (const char *const *argv, guint timeout_ms, gint64 *out_start)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  gboolean done = FALSE;
  gboolean timed_out = FALSE;
  gboolean killed = FALSE;
  guint id;

  if (out_start != NULL)
    *out_start = g_get_monotonic_time ();
  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  if (proc == NULL)
    {
      g_test_message ("cannot run %s: %s", argv[0], error->message);
      g_test_fail ();
      return FALSE;
    }
  g_subprocess_wait_async (proc, NULL, proc_done_cb, &done);
  id = g_timeout_add (timeout_ms, set_flag_cb, &timed_out);
  while (!done)
    {
      if (timed_out && !killed)
        {
          g_test_message ("%s took longer than %u ms; killing it", argv[0], timeout_ms);
          g_subprocess_force_exit (proc);
          killed = TRUE;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  if (!timed_out)
    g_source_remove (id);

  if (!g_subprocess_get_successful (proc))
    {
      g_test_message ("%s failed", argv[0]);
      g_test_fail ();
      return FALSE;
    }
  return TRUE;
}

/* Independent implementation of liblxc's lxc_monitor_sock_name(). */
static socklen_t
test_sock_addr (const char *lxcpath, struct sockaddr_un *addr, char **out_name)
{
  g_autofree char *key = g_strconcat ("lxc/", lxcpath, "/monitor-sock", NULL);
  guint64 h = 14695981039346656037ULL;
  char *name;
  size_t len;

  for (size_t i = 0; key[i] != '\0'; i++)
    h = (h ^ (guchar) key[i]) * 1099511628211ULL;
  name = g_strdup_printf ("lxc/%016" G_GINT64_MODIFIER "x/%s", h, lxcpath);
  if (strlen (name) > 105)
    name[105] = '\0';
  len = strlen (name);
  memset (addr, 0, sizeof (*addr));
  addr->sun_family = AF_UNIX;
  memcpy (addr->sun_path + 1, name, len);
  if (out_name != NULL)
    *out_name = name;
  else
    g_free (name);
  return (socklen_t) (offsetof (struct sockaddr_un, sun_path) + 1 + len);
}

static int
fake_listen (const char *lxcpath)
{
  struct sockaddr_un addr;
  socklen_t len = test_sock_addr (lxcpath, &addr, NULL);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  g_assert_cmpint (fd, >=, 0);
  if (bind (fd, (struct sockaddr *) &addr, len) < 0 || listen (fd, 8) < 0)
    g_error ("bind/listen: %s", g_strerror (errno));
  return fd;
}

/* accept() with the main context running; -1 after @timeout_ms */
static int
fake_accept (int listen_fd, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      int fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);

      if (fd >= 0)
        return fd;
      g_assert_true (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
      sleep_ms (5);
    }
  g_test_message ("nobody connected to the fake lxc-monitord");
  g_test_fail ();
  return -1;
}

static void
set_msg (TestMsg *msg, int type, const char *name, int value)
{
  memset (msg, 0, sizeof (*msg));
  msg->type = type;
  if (name != NULL)
    g_strlcpy (msg->name, name, sizeof (msg->name));
  msg->value = value;
}

static void
write_all (int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      p += n;
      len -= (size_t) n;
    }
}

static void
write_file (const char *path, const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Unref @monitor and run the main context until @pid (if any) is gone. */
static void
dispose_monitor (LxcdMonitor *monitor, GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  g_object_unref (monitor);
  sleep_ms (20);
  while (pid > 0 && g_get_monotonic_time () < deadline)
    {
      if (kill (pid, 0) < 0 && errno == ESRCH)
        return;
      sleep_ms (10);
    }
  if (pid > 0)
    {
      g_test_message ("lxc-monitord %d still running after dispose", (int) pid);
      g_test_fail ();
    }
}

/* ---- tests that need neither root nor lxc ---- */

static void
test_sock_name (void)
{
  struct sockaddr_un addr;
  g_autofree char *name = NULL;
  g_autofree char *long_path = g_strnfill (200, 'x');
  socklen_t len;

  /* from the notes: checked against a real monitord */
  len = test_sock_addr ("/tmp/lxcmon", &addr, &name);
  g_assert_cmpstr (name, ==, "lxc/8055f03edebafa1d//tmp/lxcmon");
  g_assert_cmpint (len, ==, offsetof (struct sockaddr_un, sun_path) + 1 + strlen (name));

  g_clear_pointer (&name, g_free);
  len = test_sock_addr (long_path, &addr, &name);
  g_assert_cmpuint (strlen (name), ==, 105);
  g_assert_cmpint (len, ==, sizeof (struct sockaddr_un) - 2);
}

static void
test_fake_monitord (void)
{
  g_autofree char *lxcpath = make_tmpdir ();
  g_autofree char *foo = g_build_filename (lxcpath, "foo", NULL);
  g_autofree char *foo_config = g_build_filename (foo, "config", NULL);
  g_autofree char *bar = g_build_filename (lxcpath, "bar", NULL);
  g_autofree char *bar_config = g_build_filename (bar, "config", NULL);
  g_autofree char *plain = g_build_filename (lxcpath, "notadir", NULL);
  g_autofree char *hidden = g_build_filename (lxcpath, ".hidden", NULL);
  g_autoptr(GError) error = NULL;
  const char *rm_argv[] = { "rm", "-rf", lxcpath, NULL };
  LxcdMonitor *monitor;
  Recorder *rec;
  TestMsg msgs[8];
  gint64 t0, t1;
  guint from;
  int listen_fd, client;

  listen_fd = fake_listen (lxcpath);
  monitor = lxcd_monitor_new (lxcpath, "/bin/false");
  g_assert_cmpstr (lxcd_monitor_get_lxcpath (monitor), ==, lxcpath);
  rec = recorder_new (monitor);
  g_assert_false (lxcd_monitor_is_connected (monitor));

  t0 = g_get_monotonic_time ();
  g_assert_true (lxcd_monitor_start (monitor, &error));
  g_assert_no_error (error);
  if (!wait_event (rec, EV_RESYNC, NULL, -1, 5000, &t1))
    goto out;
  g_test_message ("fake: start -> resync %.1f ms", ms_since (t0, t1));
  g_assert_true (lxcd_monitor_is_connected (monitor));
  g_assert_cmpint (lxcd_monitor_get_monitord_pid (monitor), ==, 0); /* /bin/false never serves */

  client = fake_accept (listen_fd, 2000);
  if (client < 0)
    goto out;

  /* records, including bad ones, fed in odd-sized pieces */
  set_msg (&msgs[0], 0, "a", ST_RUNNING);
  set_msg (&msgs[1], 0, NULL, ST_RUNNING);
  memset (msgs[1].name, 'x', sizeof (msgs[1].name)); /* no NUL */
  set_msg (&msgs[2], 0, "", ST_RUNNING);             /* empty */
  set_msg (&msgs[3], 0, "a", 8);                     /* out of range */
  set_msg (&msgs[4], 0, "a", -1);
  set_msg (&msgs[5], 1, "a", 3);                     /* unknown type */
  set_msg (&msgs[6], 2, "a", 9);                     /* exit code */
  set_msg (&msgs[7], 0, "b", ST_FROZEN);
  {
    const size_t pieces[] = { 1, 7, 300, 1000 };
    const char *p = (const char *) msgs;
    size_t left = sizeof (msgs);

    for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
      {
        write_all (client, p, pieces[i]);
        p += pieces[i];
        left -= pieces[i];
        sleep_ms (20);
      }
    write_all (client, p, left);
  }
  from = rec->cursor;
  if (!wait_event (rec, EV_STATE, "b", ST_FROZEN, 2000, NULL))
    goto out;
  {
    guint n = 0;

    for (guint i = from; i < rec->cursor; i++)
      {
        const Ev *ev = g_ptr_array_index (rec->events, i);

        if (ev->kind != EV_STATE && ev->kind != EV_EXIT_CODE)
          continue;
        switch (n++)
          {
          case 0: g_assert_true (ev_matches (ev, EV_STATE, "a", ST_RUNNING)); break;
          case 1: g_assert_true (ev_matches (ev, EV_EXIT_CODE, "a", 9)); break;
          case 2: g_assert_true (ev_matches (ev, EV_STATE, "b", ST_FROZEN)); break;
          default: g_test_message ("unexpected event %s(%s)", kind_name (ev->kind), ev->name); break;
          }
      }
    g_assert_cmpuint (n, ==, 3);
  }

  /* EOF: respawn ("/bin/false" exits at once), reconnect, resync */
  t0 = g_get_monotonic_time ();
  close (client);
  if (!wait_event (rec, EV_RESYNC, NULL, -1, 5000, &t1))
    goto out;
  g_test_message ("fake: EOF -> resync %.1f ms", ms_since (t0, t1));
  g_assert_true (lxcd_monitor_is_connected (monitor));
  client = fake_accept (listen_fd, 2000);
  if (client < 0)
    goto out;

  /* monitord gone for a while: connection refused, backoff, then back */
  close (listen_fd);
  close (client);
  sleep_ms (400);
  g_assert_false (lxcd_monitor_is_connected (monitor));
  g_assert_cmpuint (count_events (rec, rec->cursor, EV_RESYNC, NULL), ==, 0);
  t0 = g_get_monotonic_time ();
  listen_fd = fake_listen (lxcpath);
  if (!wait_event (rec, EV_RESYNC, NULL, -1, 5000, &t1))
    goto out;
  g_test_message ("fake: listening again -> resync %.1f ms", ms_since (t0, t1));
  g_assert_true (lxcd_monitor_is_connected (monitor));
  client = fake_accept (listen_fd, 2000);
  if (client < 0)
    goto out;
  set_msg (&msgs[0], 0, "c", ST_STOPPED);
  write_all (client, &msgs[0], sizeof (msgs[0]));
  if (!wait_event (rec, EV_STATE, "c", ST_STOPPED, 2000, NULL))
    goto out;
  close (client);

  /* inotify: a new directory */
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (mkdir (foo, 0755), ==, 0);
  if (!wait_event (rec, EV_CHANGED, "foo", -1, 2000, &t1))
    goto out;
  g_test_message ("fake: mkdir -> changed %.1f ms", ms_since (t0, t1));

  /* a file written inside it */
  write_file (foo_config, "lxc.uts.name = foo\n");
  if (!wait_event (rec, EV_CHANGED, "foo", -1, 2000, NULL))
    goto out;

  /* debounced: a burst gives one "changed" */
  sleep_ms (200);
  from = rec->events->len;
  for (int i = 0; i < 5; i++)
    {
      write_file (foo_config, "lxc.uts.name = foo\n");
      sleep_ms (20);
    }
  sleep_ms (400);
  g_assert_cmpuint (count_events (rec, from, EV_CHANGED, "foo"), ==, 1);

  /* plain files and hidden entries are not containers */
  write_file (plain, "x");
  g_assert_cmpint (mkdir (hidden, 0755), ==, 0);
  sleep_ms (300);
  g_assert_cmpuint (count_events (rec, from, EV_CHANGED, "notadir"), ==, 0);
  g_assert_cmpuint (count_events (rec, from, EV_CHANGED, ".hidden"), ==, 0);

  /* rename: both names change, and the watch follows the new name */
  from = rec->events->len;
  g_assert_cmpint (rename (foo, bar), ==, 0);
  sleep_ms (300);
  g_assert_cmpuint (count_events (rec, from, EV_CHANGED, "foo"), ==, 1);
  g_assert_cmpuint (count_events (rec, from, EV_CHANGED, "bar"), ==, 1);
  from = rec->events->len;
  write_file (bar_config, "lxc.uts.name = bar\n");
  sleep_ms (300);
  g_assert_cmpuint (count_events (rec, from, EV_CHANGED, "bar"), ==, 1);
  g_assert_cmpuint (count_events (rec, from, EV_CHANGED, "foo"), ==, 0);

  /* deletion */
  from = rec->events->len;
  g_assert_cmpint (unlink (bar_config), ==, 0);
  g_assert_cmpint (rmdir (bar), ==, 0);
  sleep_ms (300);
  g_assert_cmpuint (count_events (rec, from, EV_CHANGED, "bar"), ==, 1);

  /* nothing unexpected: no resync from inotify */
  g_assert_cmpuint (count_events (rec, rec->cursor, EV_RESYNC, NULL), ==, 0);

  /* the lxcpath itself goes away: resync; it comes back: resync, and its
   * directories are watched again */
  g_assert_cmpint (unlink (plain), ==, 0);
  g_assert_cmpint (rmdir (hidden), ==, 0);
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (rmdir (lxcpath), ==, 0);
  if (!wait_event (rec, EV_RESYNC, NULL, -1, 2000, &t1))
    goto out;
  g_test_message ("fake: rmdir lxcpath -> resync %.1f ms", ms_since (t0, t1));
  g_assert_cmpint (mkdir (lxcpath, 0700), ==, 0);
  g_assert_cmpint (mkdir (foo, 0755), ==, 0);
  if (!wait_event (rec, EV_RESYNC, NULL, -1, 3000, &t1))
    goto out;
  g_test_message ("fake: lxcpath recreated -> resync %.1f ms after the rmdir", ms_since (t0, t1));
  /* foo was scanned, not announced: a write inside it proves it is watched */
  write_file (foo_config, "lxc.uts.name = foo\n");
  if (!wait_event (rec, EV_CHANGED, "foo", -1, 2000, NULL))
    goto out;

out:
  close (listen_fd);
  recorder_free (rec);
  dispose_monitor (monitor, 0);
  run_sync (rm_argv);
}

static void
unref_on_state (LxcdMonitor *monitor, const char *name G_GNUC_UNUSED,
                gint state G_GNUC_UNUSED, gpointer data)
{
  (*(guint *) data)++;
  g_signal_handlers_disconnect_by_func (monitor, unref_on_state, data);
  g_object_unref (monitor); /* drops the last reference mid-buffer */
}

static void
on_resync_flag (LxcdMonitor *monitor G_GNUC_UNUSED, gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* a handler may drop the last reference while records are being parsed */
static void
test_unref_in_handler (void)
{
  g_autofree char *lxcpath = make_tmpdir ();
  const char *rm_argv[] = { "rm", "-rf", lxcpath, NULL };
  g_autoptr(GError) error = NULL;
  LxcdMonitor *monitor;
  gboolean resynced = FALSE;
  guint states = 0;
  TestMsg msgs[3];
  int listen_fd, client;

  listen_fd = fake_listen (lxcpath);
  monitor = lxcd_monitor_new (lxcpath, "/bin/false");
  g_signal_connect (monitor, "resync", G_CALLBACK (on_resync_flag), &resynced);
  g_signal_connect (monitor, "state", G_CALLBACK (unref_on_state), &states);
  g_assert_true (lxcd_monitor_start (monitor, &error));
  g_assert_no_error (error);
  client = fake_accept (listen_fd, 2000);
  if (client >= 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
        set_msg (&msgs[i], 0, "a", ST_RUNNING);
      write_all (client, msgs, sizeof (msgs));
      for (int i = 0; i < 100 && states == 0; i++)
        sleep_ms (10);
      sleep_ms (50);
      g_assert_true (resynced);
      g_assert_cmpuint (states, ==, 1);
      close (client);
    }
  else
    g_object_unref (monitor);
  close (listen_fd);
  run_sync (rm_argv);
}

/* ---- tests with lxc (root) ---- */

static struct {
  char *lxcpath;
  gboolean have_lxc;
  gboolean created;
  LxcdMonitor *monitor;
  Recorder *rec;
} fx;

static gboolean
lxc_ready (gboolean need_monitor)
{
  if (!fx.have_lxc)
    {
      g_test_skip ("needs root and lxc-create");
      return FALSE;
    }
  if (!fx.created || (need_monitor && fx.monitor == NULL))
    {
      g_test_skip ("set-up failed");
      return FALSE;
    }
  return TRUE;
}

/* What set_net_empty() wrote is there now. */
static gboolean
check_net_empty (const char *config_path)
{
  g_autofree char *check = NULL;

  if (!g_file_get_contents (config_path, &check, NULL, NULL))
    return FALSE;
  g_assert_nonnull (strstr (check, "\nlxc.net.0.type = empty\n"));
  g_assert_null (strstr (check, "lxc.net.0.link"));
  g_assert_null (strstr (check, "= veth"));
  return TRUE;
}

/* Replaces every lxc.net.0.* line with "lxc.net.0.type = empty". */
static gboolean
set_net_empty (const char *config_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (!g_file_get_contents (config_path, &contents, NULL, &error))
    {
      g_test_message ("%s", error->message);
      return FALSE;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      while (*l == ' ' || *l == '\t')
        l++;
      if (g_str_has_prefix (l, "lxc.net.0.") || (lines[i + 1] == NULL && *l == '\0'))
        continue;
      g_string_append_printf (out, "%s\n", lines[i]);
    }
  g_string_append (out, "lxc.net.0.type = empty\n");
  if (!g_file_set_contents (config_path, out->str, -1, &error))
    {
      g_test_message ("%s", error->message);
      return FALSE;
    }

  return check_net_empty (config_path);
}

static void
test_lxc_setup (void)
{
  g_autofree char *config = NULL;

  if (!fx.have_lxc)
    {
      g_test_skip ("needs root and lxc-create");
      return;
    }
  fx.lxcpath = make_tmpdir ();
  g_test_message ("lxcpath %s", fx.lxcpath);
  {
    const char *argv[] = { "lxc-create", "-P", fx.lxcpath, "-t", "busybox", "-n", "c1", NULL };
    if (!run_sync (argv))
      {
        g_test_message ("lxc-create failed");
        g_test_fail ();
        return;
      }
  }
  config = g_build_filename (fx.lxcpath, "c1", "config", NULL);
  g_assert_true (set_net_empty (config));
  fx.created = TRUE;
}

static void
test_lxc_resync (void)
{
  g_autoptr(GError) error = NULL;
  gint64 t0, t1;

  if (!lxc_ready (FALSE))
    return;
  fx.monitor = lxcd_monitor_new (fx.lxcpath, MONITORD_PATH);
  fx.rec = recorder_new (fx.monitor);
  t0 = g_get_monotonic_time ();
  g_assert_true (lxcd_monitor_start (fx.monitor, &error));
  g_assert_no_error (error);
  if (!wait_event (fx.rec, EV_RESYNC, NULL, -1, 5000, &t1))
    return;
  g_test_message ("start -> resync %.1f ms", ms_since (t0, t1));
  g_assert_true (lxcd_monitor_is_connected (fx.monitor));
  g_assert_cmpint (lxcd_monitor_get_monitord_pid (fx.monitor), >, 0);
}

/* bogus records written straight into lxc-monitord's FIFO */
static void
test_lxc_fifo (void)
{
  g_autofree char *fifo = NULL;
  TestMsg msgs[4];
  guint from;
  int fd;

  if (!lxc_ready (TRUE))
    return;
  fifo = g_strdup_printf ("/run/lxc/%s/monitor-fifo", fx.lxcpath);
  fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      g_test_message ("open %s: %s", fifo, g_strerror (errno));
      g_test_fail ();
      return;
    }
  set_msg (&msgs[0], 0, NULL, ST_RUNNING);
  memset (msgs[0].name, 'y', sizeof (msgs[0].name));
  set_msg (&msgs[1], 0, "ghost", 42);
  set_msg (&msgs[2], 7, "ghost", 1);
  set_msg (&msgs[3], 0, "ghost", ST_ABORTING);
  from = fx.rec->cursor;
  write_all (fd, msgs, sizeof (msgs));
  close (fd);
  if (!wait_event (fx.rec, EV_STATE, "ghost", ST_ABORTING, 2000, NULL))
    return;
  g_assert_cmpuint (count_events (fx.rec, from, EV_STATE, NULL), ==, 1);
}

static void
test_lxc_start (void)
{
  const char *argv[] = { "lxc-start", "-P", fx.lxcpath, "-n", "c1", NULL };
  gint64 t0, t1, t2;

  if (!lxc_ready (TRUE))
    return;
  t0 = g_get_monotonic_time ();
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
    gboolean done = FALSE;

    g_assert_no_error (error);
    if (proc == NULL)
      return;
    g_subprocess_wait_async (proc, NULL, proc_done_cb, &done);
    if (wait_event (fx.rec, EV_STATE, "c1", ST_STARTING, 1000, &t1) &&
        wait_event (fx.rec, EV_STATE, "c1", ST_RUNNING, 1000, &t2))
      g_test_message ("lxc-start -> STARTING %.1f ms, RUNNING %.1f ms",
                      ms_since (t0, t1), ms_since (t0, t2));
    {
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

      while (!done && g_get_monotonic_time () < deadline)
        sleep_ms (10);
    }
    if (!done)
      {
        g_subprocess_force_exit (proc);
        while (!done)
          g_main_context_iteration (NULL, TRUE);
      }
    g_test_message ("lxc-start returned after %.1f ms", ms_since (t0, g_get_monotonic_time ()));
    g_assert_true (g_subprocess_get_successful (proc));
  }
}

/* Waits until c1's busybox init sits in its main loop (sigtimedwait), its
 * start-up scripts done: freezing while it still forks them can leave the
 * cgroup v1 freezer stuck in FREEZING. */
static void
wait_init_ready (void)
{
  const char *info[] = { "lxc-info", "-P", fx.lxcpath, "-n", "c1", "-p", "-H", NULL };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *out = NULL;
      g_autofree char *wchan_path = NULL;
      g_autofree char *wchan = NULL;

      if (g_spawn_sync (NULL, (char **) info, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, &out, NULL, NULL, NULL) && out && *g_strstrip (out))
        {
          wchan_path = g_strdup_printf ("/proc/%s/wchan", out);
          if (g_file_get_contents (wchan_path, &wchan, NULL, NULL) && strstr (wchan, "sigtimedwait"))
            return;
        }
      g_usleep (20000);
    }
}

static void
test_lxc_freeze (void)
{
  const char *freeze[] = { "lxc-freeze", "-P", fx.lxcpath, "-n", "c1", NULL };
  const char *unfreeze[] = { "lxc-unfreeze", "-P", fx.lxcpath, "-n", "c1", NULL };
  gint64 t0, t1;

  if (!lxc_ready (TRUE))
    return;
  wait_init_ready ();
  if (!run_async (freeze, 30000, &t0))
    return;
  if (!wait_event (fx.rec, EV_STATE, "c1", ST_FROZEN, 5000, &t1))
    return;
  g_test_message ("lxc-freeze -> FROZEN %.1f ms", ms_since (t0, t1));

  if (!run_async (unfreeze, 30000, &t0))
    return;
  if (!wait_event (fx.rec, EV_STATE, "c1", ST_RUNNING, 5000, &t1))
    return;
  g_test_message ("lxc-unfreeze -> RUNNING %.1f ms", ms_since (t0, t1));
}

static void
test_lxc_stop (void)
{
  const char *argv[] = { "lxc-stop", "-k", "-P", fx.lxcpath, "-n", "c1", NULL };
  gint64 t0, t1, t2;

  if (!lxc_ready (TRUE))
    return;
  if (!run_async (argv, 30000, &t0))
    return;
  if (!wait_event (fx.rec, EV_EXIT_CODE, "c1", SIGKILL, 5000, &t1))
    return;
  if (!wait_event (fx.rec, EV_STATE, "c1", ST_STOPPED, 5000, &t2))
    return;
  g_test_message ("lxc-stop -k -> exit-code(9) %.1f ms, STOPPED %.1f ms",
                  ms_since (t0, t1), ms_since (t0, t2));
}

static void
test_lxc_copy_destroy (void)
{
  const char *copy[] = { "lxc-copy", "-P", fx.lxcpath, "-n", "c1", "-N", "c2", NULL };
  const char *destroy[] = { "lxc-destroy", "-P", fx.lxcpath, "-n", "c2", NULL };
  g_autofree char *c2 = NULL;
  g_autofree char *c2_config = NULL;
  gint64 t0, t1;

  if (!lxc_ready (TRUE))
    return;
  c2 = g_build_filename (fx.lxcpath, "c2", NULL);
  c2_config = g_build_filename (c2, "config", NULL);

  if (!run_async (copy, 60000, &t0))
    return;
  if (!wait_event (fx.rec, EV_CHANGED, "c2", -1, 5000, &t1))
    return;
  g_test_message ("lxc-copy -> changed(c2) %.1f ms after spawn", ms_since (t0, t1));
  g_assert_true (g_file_test (c2_config, G_FILE_TEST_IS_REGULAR));

  /* let the debounce settle, then forget everything so far */
  sleep_ms (300);
  fx.rec->cursor = fx.rec->events->len;

  if (!run_async (destroy, 60000, &t0))
    return;
  if (!wait_event (fx.rec, EV_CHANGED, "c2", -1, 5000, &t1))
    return;
  g_test_message ("lxc-destroy -> changed(c2) %.1f ms after spawn", ms_since (t0, t1));
  g_assert_false (g_file_test (c2, G_FILE_TEST_EXISTS));
}

static void
test_lxc_reconnect (void)
{
  const char *start[] = { "lxc-start", "-P", fx.lxcpath, "-n", "c1", NULL };
  const char *stop[] = { "lxc-stop", "-k", "-P", fx.lxcpath, "-n", "c1", NULL };
  GPid pid, new_pid;
  gint64 t0, t1;

  if (!lxc_ready (TRUE))
    return;
  pid = lxcd_monitor_get_monitord_pid (fx.monitor);
  g_assert_cmpint (pid, >, 0);
  if (pid <= 0)
    return;

  fx.rec->cursor = fx.rec->events->len;
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  if (!wait_event (fx.rec, EV_RESYNC, NULL, -1, 5000, &t1))
    return;
  g_test_message ("kill lxc-monitord -> resync %.1f ms", ms_since (t0, t1));
  g_assert_true (lxcd_monitor_is_connected (fx.monitor));
  new_pid = lxcd_monitor_get_monitord_pid (fx.monitor);
  g_assert_cmpint (new_pid, >, 0);
  g_assert_cmpint (new_pid, !=, pid);

  if (!run_async (start, 30000, &t0))
    return;
  if (!wait_event (fx.rec, EV_STATE, "c1", ST_RUNNING, 5000, &t1))
    return;
  g_test_message ("after reconnect: lxc-start -> RUNNING %.1f ms", ms_since (t0, t1));
  if (!run_async (stop, 30000, &t0))
    return;
  if (!wait_event (fx.rec, EV_STATE, "c1", ST_STOPPED, 5000, &t1))
    return;
  g_test_message ("after reconnect: lxc-stop -k -> STOPPED %.1f ms", ms_since (t0, t1));
}

/* dropping the monitor stops our lxc-monitord */
static void
test_lxc_dispose (void)
{
  GPid pid;

  if (!lxc_ready (TRUE))
    return;
  pid = lxcd_monitor_get_monitord_pid (fx.monitor);
  g_assert_cmpint (pid, >, 0);
  /* lxc-monitord logs to <lxcpath>/lxc-monitord.log: a file, not a container */
  g_assert_cmpuint (count_events (fx.rec, 0, EV_CHANGED, "lxc-monitord.log"), ==, 0);
  g_clear_pointer (&fx.rec, recorder_free);
  dispose_monitor (g_steal_pointer (&fx.monitor), pid);
}

static void
lxc_cleanup (void)
{
  const char *const names[] = { "c1", "c2" };

  if (fx.rec != NULL)
    g_clear_pointer (&fx.rec, recorder_free);
  if (fx.monitor != NULL)
    dispose_monitor (g_steal_pointer (&fx.monitor), 0);
  if (fx.lxcpath == NULL)
    return;

  g_assert_true (g_str_has_prefix (fx.lxcpath, "/tmp/lxcd-test-monitor-"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *dir = g_build_filename (fx.lxcpath, names[i], NULL);
      const char *stop[] = { "lxc-stop", "-k", "-P", fx.lxcpath, "-n", names[i], NULL };
      const char *destroy[] = { "lxc-destroy", "-f", "-P", fx.lxcpath, "-n", names[i], NULL };

      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        continue;
      run_sync (stop);
      run_sync (destroy);
    }
  {
    g_autofree char *run_dir = g_strconcat ("/run/lxc/", fx.lxcpath, NULL);
    g_autofree char *lock_dir = g_strconcat ("/run/lxc/lock/", fx.lxcpath, NULL);
    const char *argv[] = { "rm", "-rf", "--", fx.lxcpath, run_dir, lock_dir, NULL };

    run_sync (argv);
  }
  g_clear_pointer (&fx.lxcpath, g_free);
}

int
main (int argc, char **argv)
{
  g_autofree char *lxc_create = g_find_program_in_path ("lxc-create");
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  fx.have_lxc = geteuid () == 0 && lxc_create != NULL &&
                g_file_test (MONITORD_PATH, G_FILE_TEST_IS_EXECUTABLE);

  g_test_add_func ("/monitor/sock-name", test_sock_name);
  g_test_add_func ("/monitor/fake", test_fake_monitord);
  g_test_add_func ("/monitor/unref-in-handler", test_unref_in_handler);
  g_test_add_func ("/monitor/lxc/setup", test_lxc_setup);
  g_test_add_func ("/monitor/lxc/resync", test_lxc_resync);
  g_test_add_func ("/monitor/lxc/fifo", test_lxc_fifo);
  g_test_add_func ("/monitor/lxc/start", test_lxc_start);
  g_test_add_func ("/monitor/lxc/freeze", test_lxc_freeze);
  g_test_add_func ("/monitor/lxc/stop", test_lxc_stop);
  g_test_add_func ("/monitor/lxc/copy-destroy", test_lxc_copy_destroy);
  g_test_add_func ("/monitor/lxc/reconnect", test_lxc_reconnect);
  g_test_add_func ("/monitor/lxc/dispose", test_lxc_dispose);

  ret = g_test_run ();
  lxc_cleanup ();
  return ret;
}
