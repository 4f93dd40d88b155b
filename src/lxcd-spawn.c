/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: running lxc-dbus-helper from the daemon (main thread, async)
 *
 * Every helper process is forked by one long-lived `lxc-dbus-helper serve`
 * that the service spawns (posix_spawn, once) and talks to over a
 * SOCK_SEQPACKET socket (lxcd-helper-proto.h): the service sends the
 * arguments and the descriptors, the server forks a child that runs the
 * operation exactly as `lxc-dbus-helper OP ARGS...` would, and reports its
 * pid and then its wait status. The server is single-threaded and never
 * calls liblxc, so a child holds nothing of the service: no memory, lock
 * or descriptor of the threaded daemon reaches a container's monitor. It
 * saves the exec of a binary linked with liblxc per operation (~17 ms of
 * mapping libraries on this kind of VM; a fork of the server takes
 * well under a millisecond), and the main loop no longer pauses for a
 * posix_spawn.
 *
 * If the server dies, the operations it had running are failed (their
 * outcome is unknown here; the re-reads that follow show the truth) and
 * the next operation spawns a new one.
 *
 * Each child runs in its own process group, so that cancelling kills it
 * and everything it started that stayed in the group (a template script
 * and its children, an rsync); a container's monitor process leaves the
 * group (liblxc daemonizes it with setsid), so it is never hit.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "lxcd-error.h"
#include "lxcd-helper-proto.h"
#include "lxcd-spawn.h"

struct _LxcdHelperProc {
  gint ref_count;          /* main thread only */
  guint64 id;
  pid_t pid;               /* 0 until the server has forked it */
  gboolean done;           /* reaped, or failed: nothing to signal any more */
  int pending_signal;      /* to send once the pid is known */
  gboolean pending_kill_tree;
  LxcdHelperExitFunc func;
  gpointer user_data;
};

typedef struct {
  char *helper_path;
  GSubprocess *proc;
  int fd;
  guint watch_id;
  GHashTable *pending;     /* &id -> LxcdHelperProc (a reference) */
} ForkServer;

/* main thread only */
static ForkServer *the_server;
static guint64 next_id = 1;
static int devnull_fd = -1;

LxcdHelperProc *
lxcd_helper_proc_ref (LxcdHelperProc *proc)
{
  proc->ref_count++;
  return proc;
}

void
lxcd_helper_proc_unref (LxcdHelperProc *proc)
{
  if (--proc->ref_count == 0)
    g_free (proc);
}

/* Stops (SIGSTOP) and records every descendant of @pid, so that none can
 * fork or be reparented before it is killed. */
static void
stop_descendants (pid_t pid, GArray *pids, guint depth)
{
  g_autofree char *tasks_path = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr(GDir) tasks = g_dir_open (tasks_path, 0, NULL);
  const char *task;

  if (tasks == NULL || depth > 64)
    return;
  while ((task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *children_path = g_build_filename (tasks_path, task, "children", NULL);
      g_autofree char *children = NULL;
      g_auto(GStrv) list = NULL;

      if (!g_file_get_contents (children_path, &children, NULL, NULL))
        continue;
      list = g_strsplit (g_strstrip (children), " ", -1);
      for (char **c = list; *c; c++)
        {
          pid_t child = (pid_t) g_ascii_strtoll (*c, NULL, 10);
          gboolean known = FALSE;

          if (child <= 1)
            continue;
          for (guint i = 0; i < pids->len && !known; i++)
            known = g_array_index (pids, pid_t, i) == child;
          if (known)
            {
              stop_descendants (child, pids, depth + 1);
              continue;
            }
          (void) kill (child, SIGSTOP);
          g_array_append_val (pids, child);
          stop_descendants (child, pids, depth + 1);
        }
    }
}

/* The helper's group, and every process it started even if that left
 * the group (liblxc runs hooks and templates in process groups of their
 * own): freeze them all, then kill them all. A process may still be in
 * fork() when it is stopped, so scan again until nothing new shows up
 * (the helper is a subreaper: orphans stay in its tree). */
static void
kill_tree (pid_t pid)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));

  (void) kill (-pid, SIGSTOP);
  (void) kill (pid, SIGSTOP);
  for (guint round = 0; round < 20; round++)
    {
      guint before = pids->len;

      g_usleep (round == 0 ? 0 : 2000);
      stop_descendants (pid, pids, 0);
      if (round > 0 && pids->len == before)
        break;
    }
  for (guint i = 0; i < pids->len; i++)
    (void) kill (g_array_index (pids, pid_t, i), SIGKILL);
  (void) kill (-pid, SIGKILL);
  (void) kill (pid, SIGKILL);
}

/**
 * lxcd_helper_proc_kill_tree:
 *
 * Kills the helper and everything it started (see kill_tree()), now or as
 * soon as the server says it runs; nothing once it has been reaped.
 */
void
lxcd_helper_proc_kill_tree (LxcdHelperProc *proc)
{
  if (proc->done)
    return;
  if (proc->pid > 0)
    kill_tree (proc->pid);
  else
    proc->pending_kill_tree = TRUE;
}

/* Sends @signum to the helper process alone (same timing as above). */
void
lxcd_helper_proc_signal (LxcdHelperProc *proc, int signum)
{
  if (proc->done)
    return;
  if (proc->pid > 0)
    (void) kill (proc->pid, signum);
  else
    proc->pending_signal = signum;
}

/* main thread: @proc is over; tells its owner once */
static void
proc_finish (LxcdHelperProc *proc, int wait_status, const GError *error)
{
  if (proc->done)
    return;
  proc->done = TRUE;
  proc->func (proc, wait_status, error, proc->user_data);
}

static void
server_free (ForkServer *server)
{
  if (server->watch_id)
    g_source_remove (server->watch_id);
  if (server->fd >= 0)
    close (server->fd);
  if (server->proc)
    g_subprocess_force_exit (server->proc);
  g_clear_object (&server->proc);
  g_hash_table_unref (server->pending);
  g_free (server->helper_path);
  g_free (server);
}

/* main thread: the server is gone (or unusable): fail what it had */
static void
server_lost (const char *why)
{
  ForkServer *server = the_server;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func ((GDestroyNotify) lxcd_helper_proc_unref);

  if (server == NULL)
    return;
  the_server = NULL;
  g_warning ("lxc-dbus-helper serve: %s; %u operation(s) lost", why,
             g_hash_table_size (server->pending));
  error = g_error_new (LXCD_ERROR, LXCD_ERROR_FAILED,
                       "The helper server ended (%s); the operation's outcome is unknown", why);
  g_hash_table_iter_init (&iter, server->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (procs, lxcd_helper_proc_ref (value));
  server->watch_id = 0; /* (called from the watch, or before it exists) */
  server_free (server);
  for (guint i = 0; i < procs->len; i++)
    proc_finish (procs->pdata[i], -1, error);
}

/* main thread: the server's replies */
static gboolean
server_readable (gint fd, GIOCondition condition, gpointer user_data)
{
  ForkServer *server = the_server;

  for (;;)
    {
      LxcdForkReply reply;
      ssize_t n = recv (fd, &reply, sizeof reply, MSG_DONTWAIT);
      g_autoptr(LxcdHelperProc) proc = NULL;
      LxcdHelperProc *pending;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;
      if (n != sizeof reply)
        {
          server->watch_id = 0; /* (this source: removed by returning) */
          server_lost (n == 0 ? "it exited" : n < 0 ? g_strerror (errno) : "bad reply");
          return G_SOURCE_REMOVE;
        }
      pending = g_hash_table_lookup (server->pending, &reply.id);
      if (pending == NULL)
        continue;
      if (reply.kind == LXCD_FORK_STARTED)
        {
          /* (still pending: the table keeps its reference) */
          pending->pid = (pid_t) reply.value;
          g_debug ("helper operation %" G_GUINT64_FORMAT ": pid %d", pending->id,
                   (int) pending->pid);
          if (pending->pending_kill_tree)
            kill_tree (pending->pid);
          else if (pending->pending_signal)
            (void) kill (pending->pid, pending->pending_signal);
          continue;
        }
      /* A final reply: the table's reference is ours now. */
      g_hash_table_steal_extended (server->pending, &reply.id, NULL, (gpointer *) &proc);
      if (reply.kind == LXCD_FORK_EXITED)
        {
          g_debug ("helper operation %" G_GUINT64_FORMAT ": pid %d ended, wait status 0x%x",
                   proc->id, (int) proc->pid, (unsigned) reply.value);
          proc_finish (proc, reply.value, NULL);
        }
      else
        {
          g_autoptr(GError) error = g_error_new (LXCD_ERROR, LXCD_ERROR_FAILED,
                                                 "Cannot run lxc-dbus-helper: %s",
                                                 g_strerror (reply.value));
          proc_finish (proc, -1, error);
        }
      /* A callback may have lost this server (and even started another):
       * then this source and its descriptor are gone. */
      if (the_server != server)
        return G_SOURCE_REMOVE;
    }
  if (condition & (G_IO_HUP | G_IO_ERR))
    {
      server->watch_id = 0;
      server_lost ("it exited");
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static ForkServer *
server_get (const char *helper_path, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *argv[] = { helper_path, "serve", NULL };
  ForkServer *server;
  int sv[2];

  if (the_server != NULL && g_strcmp0 (the_server->helper_path, helper_path) == 0)
    return the_server;
  if (the_server != NULL)
    server_lost ("another helper is configured");
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      int errsv = errno;
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED, "socketpair: %s", g_strerror (errsv));
      return NULL;
    }
  /* stdin /dev/null, stdout and stderr ours (its messages reach our log);
   * no child setup: GLib uses posix_spawn. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_INHERIT_FDS);
  g_subprocess_launcher_take_fd (launcher, sv[1], 3);
  server = g_new0 (ForkServer, 1);
  server->fd = sv[0];
  server->helper_path = g_strdup (helper_path);
  server->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                           (GDestroyNotify) lxcd_helper_proc_unref);
  server->proc = g_subprocess_launcher_spawnv (launcher, argv, error);
  g_clear_object (&launcher); /* closes sv[1] here */
  if (server->proc == NULL)
    {
      server_free (server);
      return NULL;
    }
  server->watch_id = g_unix_fd_add (server->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, server_readable,
                                    NULL);
  the_server = server;
  return server;
}

/**
 * lxcd_helper_server_prestart:
 *
 * Starts the fork server now rather than at the first operation.
 */
void
lxcd_helper_server_prestart (const char *helper_path)
{
  g_autoptr(GError) error = NULL;

  if (server_get (helper_path, &error) == NULL)
    g_warning ("Cannot start lxc-dbus-helper serve: %s", error->message);
}

/* A memfd holding @data, read from its start: never blocks us, whatever
 * its size (a child's arguments, its stdin). */
static int
memfd_holding (const char *name, const char *data, size_t len, GError **error)
{
  int fd = memfd_create (name, MFD_CLOEXEC);

  if (fd < 0 || write (fd, data, len) != (ssize_t) len || lseek (fd, 0, SEEK_SET) != 0)
    {
      int errsv = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED, "memfd: %s", g_strerror (errsv));
      return -1;
    }
  return fd;
}

/* The arguments, NUL-terminated one after the other, in a memfd. */
static int
args_memfd (const char *helper_path, const char *const *args, GError **error)
{
  g_autoptr(GString) text = g_string_new (helper_path);

  g_string_append_c (text, '\0');
  for (const char *const *a = args; *a; a++)
    g_string_append_len (text, *a, (gssize) strlen (*a) + 1);
  return memfd_holding ("lxc-dbus-helper-args", text->str, text->len, error);
}

/* Returns 0, or the errno of the failed send. */
static int
server_send (ForkServer *server, guint64 id, const int *fds, guint n_fds)
{
  LxcdForkRequest req = { .version = LXCD_FORK_VERSION, .n_fds = n_fds, .id = id };
  LxcdForkControl control;
  struct iovec iov = { .iov_base = &req, .iov_len = sizeof req };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = CMSG_SPACE (sizeof (int) * n_fds) };
  struct cmsghdr *c;
  ssize_t n;

  memset (control.buf, 0, sizeof control.buf);
  c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
  memcpy (CMSG_DATA (c), fds, sizeof (int) * n_fds);
  do
    n = sendmsg (server->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t) sizeof req)
    return 0;
  return n < 0 ? errno : EIO;
}

/**
 * lxcd_helper_launch:
 * @args: the helper's arguments (after its path)
 * @stdin_fd, @stdout_fd, @stderr_fd: the child's 0, 1 and 2 (-1: /dev/null);
 *   the caller keeps its copies
 * @fd3: (nullable -1): the child's fd 3
 * @func: called once, in the main thread, when the child is over
 *
 * Has the fork server run lxc-dbus-helper with @args. Never blocks.
 *
 * Returns: (transfer full): the process, or %NULL with @error set (then
 * @func is never called)
 */
LxcdHelperProc *
lxcd_helper_launch (const char *helper_path, const char *const *args, int stdin_fd,
                    int stdout_fd, int stderr_fd, int fd3, LxcdHelperExitFunc func,
                    gpointer user_data, GError **error)
{
  LxcdHelperProc *proc;
  int fds[LXCD_FORK_MAX_FDS];
  guint n_fds = fd3 >= 0 ? 5 : 4;
  gboolean sent = FALSE;

  if (devnull_fd < 0 && (devnull_fd = open ("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
    {
      int errsv = errno;
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED, "/dev/null: %s", g_strerror (errsv));
      return NULL;
    }
  fds[0] = args_memfd (helper_path, args, error);
  if (fds[0] < 0)
    return NULL;
  fds[1] = stdin_fd >= 0 ? stdin_fd : devnull_fd;
  fds[2] = stdout_fd >= 0 ? stdout_fd : devnull_fd;
  fds[3] = stderr_fd >= 0 ? stderr_fd : devnull_fd;
  fds[4] = fd3;

  proc = g_new0 (LxcdHelperProc, 1);
  proc->ref_count = 1;
  proc->id = next_id++;
  proc->func = func;
  proc->user_data = user_data;
  /* A server that died since its last reply is seen here first: one
   * retry with a new one. */
  for (int attempt = 0; attempt < 2 && !sent; attempt++)
    {
      ForkServer *server = server_get (helper_path, error);
      int errsv;

      if (server == NULL)
        break;
      errsv = server_send (server, proc->id, fds, n_fds);
      sent = errsv == 0;
      if (sent)
        g_hash_table_insert (server->pending, &proc->id, lxcd_helper_proc_ref (proc));
      else if (errsv == EPIPE || errsv == ECONNRESET || errsv == ENOTCONN)
        server_lost (g_strerror (errsv));
      else
        {
          if (errsv == EAGAIN)
            g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_BUSY,
                                 "Too many helper operations at once");
          else
            g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED,
                         "Cannot send to lxc-dbus-helper serve: %s", g_strerror (errsv));
          break;
        }
    }
  close (fds[0]);
  g_debug ("helper operation %" G_GUINT64_FORMAT ": %s%s", proc->id, args[0],
           sent ? "" : " not sent");
  if (!sent)
    {
      if (error && *error == NULL)
        g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_FAILED, "Cannot reach lxc-dbus-helper");
      g_free (proc);
      return NULL;
    }
  return proc;
}

/* ---- running a helper and collecting its output ---- */

typedef struct {
  LxcdHelperProc *proc;
  GCancellable *cancellable;
  gulong cancel_id;
  gboolean killed;
  guint pending;           /* stdout, stderr, exit */
  GOutputStream *out;
  GOutputStream *err;
  int wait_status;
  GError *error;
} SpawnData;

static void
spawn_data_free (SpawnData *data)
{
  if (data->cancel_id)
    g_cancellable_disconnect (data->cancellable, data->cancel_id);
  g_clear_object (&data->cancellable);
  g_clear_pointer (&data->proc, lxcd_helper_proc_unref);
  g_clear_object (&data->out);
  g_clear_object (&data->err);
  g_clear_error (&data->error);
  g_free (data);
}

/* main thread (GCancellable callbacks run where cancel() is called) */
static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  SpawnData *data = user_data;

  data->killed = TRUE;
  lxcd_helper_proc_kill_tree (data->proc);
}

/* Joins the helper's stderr into one line for an error message. */
static char *
stderr_reason (const char *text)
{
  g_autofree char *copy = g_strdup (text ? text : "");
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  char *joined;

  lines = g_strsplit (g_strstrip (copy), "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_strstrip (*l);
      if (**l)
        g_ptr_array_add (kept, *l);
    }
  g_ptr_array_add (kept, NULL);
  joined = g_strjoinv ("; ", (char **) kept->pdata);
  if (strlen (joined) > 2048)
    joined[2048] = '\0';
  return joined;
}

/* a NUL-terminated copy of what a memory stream holds */
static char *
stream_text (GOutputStream *stream)
{
  GMemoryOutputStream *mem = G_MEMORY_OUTPUT_STREAM (stream);
  const char *data = g_memory_output_stream_get_data (mem);

  /* (an empty stream may have no buffer at all: still "", never NULL) */
  return g_strndup (data ? data : "", g_memory_output_stream_get_data_size (mem));
}

/* main thread: stdout and stderr at their end, and the helper reaped */
static void
spawn_complete (GTask *task)
{
  SpawnData *data = g_task_get_task_data (task);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *reason = NULL;
  int code;

  if (data->killed)
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_CANCELLED, "Cancelled");
      return;
    }
  if (data->error)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      return;
    }
  out = stream_text (data->out);
  code = WIFEXITED (data->wait_status) ? WEXITSTATUS (data->wait_status) : -1;
  if (code == LXCD_HELPER_DONE)
    {
      /* What a successful helper left alone on purpose (e.g. an
       * etc/hostname that is a link) goes to the log. */
      g_auto(GStrv) lines = NULL;

      err = stream_text (data->err);
      lines = g_strsplit (err, "\n", -1);
      for (char **l = lines; *l; l++)
        {
          if (strstr (*l, "warning:") != NULL)
            g_message ("%s", *l);
        }
      g_task_return_pointer (task, g_steal_pointer (&out), g_free);
      return;
    }

  err = stream_text (data->err);
  reason = stderr_reason (err);
  if (!*reason)
    {
      g_free (reason);
      reason = WIFSIGNALED (data->wait_status) ?
        g_strdup_printf ("lxc-dbus-helper was killed by signal %d", WTERMSIG (data->wait_status)) :
        g_strdup ("lxc-dbus-helper failed");
    }
  g_task_return_error (task, lxcd_helper_error (code, reason, NULL));
}

/**
 * lxcd_helper_error:
 * @code: an exit status of lxc-dbus-helper (LXCD_HELPER_*), or the code
 *   of a report's "error CODE TEXT" line
 * @text: (nullable): what it said
 * @fallback: the message when @text is empty
 *
 * Returns: (transfer full): the service's error for it. Any thread.
 */
GError *
lxcd_helper_error (int code, const char *text, const char *fallback)
{
  gint domain_code;

  switch (code)
    {
    case LXCD_HELPER_WRONG_STATE:
      domain_code = LXCD_ERROR_WRONG_STATE;
      break;
    case LXCD_HELPER_NOT_FOUND:
      domain_code = LXCD_ERROR_NOT_FOUND;
      break;
    case LXCD_HELPER_EXISTS:
      domain_code = LXCD_ERROR_ALREADY_EXISTS;
      break;
    case LXCD_HELPER_USAGE:
      domain_code = LXCD_ERROR_INVALID_ARGUMENT;
      break;
    case LXCD_HELPER_NOT_AUTHORIZED:
      domain_code = LXCD_ERROR_NOT_AUTHORIZED;
      break;
    default:
      domain_code = LXCD_ERROR_FAILED;
      break;
    }
  return g_error_new (LXCD_ERROR, domain_code, "%s",
                      text && *text ? text : fallback ? fallback : "lxc-dbus-helper failed");
}

/* main thread: one of the three things waited for is there */
static void
spawn_step_done (GTask *task)
{
  SpawnData *data = g_task_get_task_data (task);

  if (--data->pending == 0)
    spawn_complete (task);
  g_object_unref (task);
}

/* main thread */
static void
splice_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  SpawnData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), res, &error) < 0 &&
      data->error == NULL)
    data->error = lxcd_error_from_gerror (error);
  spawn_step_done (task);
}

/* main thread */
static void
spawn_exited (LxcdHelperProc *proc, int wait_status, const GError *error, gpointer user_data)
{
  GTask *task = user_data;
  SpawnData *data = g_task_get_task_data (task);

  data->wait_status = wait_status;
  if (error && data->error == NULL)
    data->error = g_error_copy (error);
  spawn_step_done (task);
}

/* main thread: reads all of @fd (taken) into @target */
static void
collect (GTask *task, int fd, GOutputStream **target)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (fd, TRUE);

  *target = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (*target, in,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, splice_cb, g_object_ref (task));
}

/**
 * lxcd_spawn_helper_async:
 * @args: the helper's arguments (after its path)
 * @stdin_text: (nullable): its stdin
 * @cancellable: (nullable): cancelling kills the helper's process group;
 *   the result is then a %LXCD_ERROR_CANCELLED error, once it has exited
 *
 * Runs lxc-dbus-helper and collects its output. Never blocks; main thread.
 */
void
lxcd_spawn_helper_async (const char *helper_path, const char *const *args,
                         const char *stdin_text, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autoptr(GError) error = NULL;
  SpawnData *data = g_new0 (SpawnData, 1);
  int out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
  int in_fd = -1;

  g_task_set_task_data (task, data, (GDestroyNotify) spawn_data_free);
  if (stdin_text && *stdin_text)
    in_fd = memfd_holding ("lxc-dbus-helper-stdin", stdin_text, strlen (stdin_text), &error);
  if (error == NULL && g_unix_open_pipe (out_pipe, FD_CLOEXEC, &error) &&
      g_unix_open_pipe (err_pipe, FD_CLOEXEC, &error))
    data->proc = lxcd_helper_launch (helper_path, args, in_fd, out_pipe[1], err_pipe[1], -1,
                                     spawn_exited, task, &error);
  /* Our copies of the child's ends: closed, so that EOF comes when it
   * (and whatever inherited them) is done. */
  if (out_pipe[1] >= 0)
    close (out_pipe[1]);
  if (err_pipe[1] >= 0)
    close (err_pipe[1]);
  if (in_fd >= 0)
    close (in_fd);
  if (data->proc == NULL)
    {
      if (out_pipe[0] >= 0)
        close (out_pipe[0]);
      if (err_pipe[0] >= 0)
        close (err_pipe[0]);
      g_task_return_error (task, lxcd_error_from_gerror (error));
      return;
    }
  /* Three references, each dropped by its step: the exit (taken over by
   * spawn_exited's user data), stdout, stderr. */
  data->pending = 3;
  g_object_ref (task);
  collect (task, out_pipe[0], &data->out);
  collect (task, err_pipe[0], &data->err);
  if (cancellable)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), data, NULL);
    }
}

/**
 * lxcd_spawn_helper_finish:
 *
 * Returns: (transfer full): the helper's stdout, or %NULL with an
 * %LXCD_ERROR error mapped from its exit status, its stderr as message.
 */
char *
lxcd_spawn_helper_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
