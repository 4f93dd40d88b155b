/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: Container.RunCommand and Attach
 *
 * The caller's three descriptors (D-Bus unix fds) become the stdin, stdout
 * and stderr of lxc-dbus-helper, which attaches to the container and runs
 * the program with them; the daemon's copies are closed as soon as the
 * helper is spawned, and no other descriptor of the daemon reaches the
 * helper or the program. The helper reports "pid N", then "status N" (or
 * "error CODE TEXT") on a pipe. The program is killed when the job is
 * cancelled or when the caller leaves the bus.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lxcd-auth.h"
#include "lxcd-container.h"
#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-spawn.h"

typedef struct {
  gint ref_count;
  LxcdContainer *self;
  GDBusMethodInvocation *invocation;
  gboolean wait;        /* RunCommand (TRUE) or Attach */
  gboolean shell;       /* OpenShell: reply with the pty master */
  int pty_master;
  GPtrArray *args;      /* helper arguments after "run LXCPATH NAME" */
  int fds[3];           /* ours until handed to the helper */
  char *command_line;
  char *uid_text;
  GVariant *options;
  uid_t caller_uid;
  LxcdJob *job;
  LxcdHelperProc *helper;
  GDataInputStream *report;
  pid_t pid;
  gboolean replied;
  gboolean finished;
  guint caller_watch;
  gulong cancel_id;
  LxcdLimitToken *token; /* counts against the caller's limit */
  gboolean leaves_container; /* namespaces or elevated_privileges given */
} ExecOp;

static ExecOp *
exec_ref (ExecOp *op)
{
  op->ref_count++;
  return op;
}

static void
exec_unref (ExecOp *op)
{
  if (--op->ref_count > 0)
    return;
  for (int i = 0; i < 3; i++)
    {
      if (op->fds[i] >= 0)
        close (op->fds[i]);
    }
  if (op->pty_master >= 0)
    close (op->pty_master);
  if (op->caller_watch)
    g_bus_unwatch_name (op->caller_watch);
  if (op->cancel_id)
    g_cancellable_disconnect (lxcd_job_get_cancellable (op->job), op->cancel_id);
  lxcd_limit_token_release (op->token);
  g_clear_object (&op->job);
  g_clear_pointer (&op->helper, lxcd_helper_proc_unref);
  g_clear_object (&op->report);
  g_object_unref (op->self);
  g_clear_object (&op->invocation);
  g_ptr_array_unref (op->args);
  g_free (op->command_line);
  g_free (op->uid_text);
  g_clear_pointer (&op->options, g_variant_unref);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExecOp, exec_unref)

/* main thread: replies once */
static void
exec_reply_error (ExecOp *op, const GError *error)
{
  if (op->job && !op->finished)
    {
      op->finished = TRUE;
      lxcd_daemon_finish_job (lxcd_container_get_daemon (op->self), op->job, error);
    }
  if (op->replied)
    return;
  op->replied = TRUE;
  {
    g_autoptr(GError) mapped = lxcd_error_from_gerror (error);
    g_dbus_method_invocation_return_gerror (g_steal_pointer (&op->invocation), mapped);
  }
}

/* main thread: kills the program (or, before it runs, the helper) */
static void
exec_kill (ExecOp *op)
{
  if (op->pid > 0)
    (void) kill (op->pid, SIGKILL);
  else if (op->helper)
    lxcd_helper_proc_signal (op->helper, SIGKILL);
}

/* main thread */
static void
on_caller_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  ExecOp *op = user_data;

  g_debug ("%s: %s left the bus; killing its program", lxcd_container_get_name (op->self), name);
  exec_kill (op);
}

/* main thread (GCancellable callbacks run where cancel() is called) */
static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  exec_kill (user_data);
}

static void read_report_line (ExecOp *op);

/* main thread */
static void
report_line_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(ExecOp) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), res,
                                                                NULL, &error);
  LxcdDaemon *daemon = lxcd_container_get_daemon (op->self);

  if (line == NULL)
    {
      /* The helper is gone without a status. */
      if (!op->replied || !op->finished)
        {
          g_autoptr(GError) e = error ? g_error_copy (error)
                                      : g_error_new (LXCD_ERROR, LXCD_ERROR_FAILED,
                                                     "The attach helper ended without a status");
          if (op->job && g_cancellable_is_cancelled (lxcd_job_get_cancellable (op->job)))
            {
              g_clear_error (&e);
              e = g_error_new (LXCD_ERROR, LXCD_ERROR_CANCELLED, "Cancelled");
            }
          exec_reply_error (op, e);
        }
      return;
    }

  if (g_str_has_prefix (line, "pid "))
    {
      op->pid = (pid_t) g_ascii_strtoll (line + 4, NULL, 10);
      if (op->shell)
        {
          g_autoptr(GUnixFDList) fds = g_unix_fd_list_new_from_array (&op->pty_master, 1);

          op->pty_master = -1; /* the list owns it, and closes it once sent */
          op->replied = TRUE;
          lxcd_dbus_container_complete_open_shell (LXCD_DBUS_CONTAINER (op->self),
                                                   g_steal_pointer (&op->invocation), fds,
                                                   g_variant_new_handle (0));
        }
      else if (!op->wait)
        {
          op->replied = TRUE;
          lxcd_dbus_container_complete_attach (LXCD_DBUS_CONTAINER (op->self),
                                               g_steal_pointer (&op->invocation), NULL,
                                               (guint32) op->pid);
        }
      /* A cancel that came before the pid was known. */
      if (op->job && g_cancellable_is_cancelled (lxcd_job_get_cancellable (op->job)))
        exec_kill (op);
    }
  else if (g_str_has_prefix (line, "status "))
    {
      int status = (int) g_ascii_strtoll (line + 7, NULL, 10);
      gboolean cancelled = op->job && g_cancellable_is_cancelled (lxcd_job_get_cancellable (op->job));

      if (cancelled)
        {
          g_autoptr(GError) e = g_error_new (LXCD_ERROR, LXCD_ERROR_CANCELLED,
                                             "Cancelled: the program was killed");
          exec_reply_error (op, e);
        }
      else if (op->wait)
        {
          if (op->job)
            {
              op->finished = TRUE;
              lxcd_daemon_finish_job (daemon, op->job, NULL);
            }
          op->replied = TRUE;

          lxcd_dbus_container_complete_run_command (LXCD_DBUS_CONTAINER (op->self),
                                                    g_steal_pointer (&op->invocation), NULL,
                                                    status);
        }
      else if (!op->shell)
        {
          lxcd_dbus_container_emit_process_exited (LXCD_DBUS_CONTAINER (op->self),
                                                   (guint32) op->pid, status);
        }
      op->finished = TRUE;
      op->pid = -1;
      return;
    }
  else if (g_str_has_prefix (line, "error "))
    {
      char *end = NULL;
      long code = strtol (line + 6, &end, 10);
      g_autoptr(GError) e = g_error_new (LXCD_ERROR,
                                         code == LXCD_HELPER_WRONG_STATE ? LXCD_ERROR_WRONG_STATE :
                                         code == LXCD_HELPER_NOT_FOUND ? LXCD_ERROR_NOT_FOUND :
                                         LXCD_ERROR_FAILED,
                                         "%s", end && *end ? g_strstrip (end) : "Attach failed");
      exec_reply_error (op, e);
      return;
    }
  read_report_line (op);
}

/* main thread */
static void
read_report_line (ExecOp *op)
{
  g_data_input_stream_read_line_async (op->report, G_PRIORITY_DEFAULT, NULL, report_line_cb,
                                       exec_ref (op));
}

/* main thread: the helper has been reaped */
static void
helper_exited (LxcdHelperProc *proc, int wait_status, const GError *error, gpointer user_data)
{
  exec_unref (user_data);
}

/* main thread: authorized */
static void
exec_run (ExecOp *op)
{
  LxcdContainer *self = op->self;
  LxcdDaemon *daemon = lxcd_container_get_daemon (self);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) pipe_in = NULL;
  int pipe_fds[2];

  switch (lxcd_container_get_state (self))
    {
    case LXCD_STATE_STOPPED:
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running",
                   lxcd_container_get_name (self));
      break;
    /* A program attached to a frozen container is frozen before it can
     * start: the call would hang until someone thaws the container. */
    case LXCD_STATE_FROZEN:
    case LXCD_STATE_FREEZING:
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                   "Container '%s' is frozen: unfreeze it first", lxcd_container_get_name (self));
      break;
    default:
      break;
    }
  if (error != NULL || !g_unix_open_pipe (pipe_fds, FD_CLOEXEC, &error))
    {
      exec_reply_error (op, error);
      return;
    }

  /* Forked by the helper server (see lxcd-spawn.c), with the caller's
   * three descriptors and the report pipe as fd 3. */
  g_ptr_array_add (argv, "run");
  g_ptr_array_add (argv, (gpointer) lxcd_container_get_lxcpath (self));
  g_ptr_array_add (argv, (gpointer) lxcd_container_get_name (self));
  for (guint i = 0; i < op->args->len; i++)
    g_ptr_array_add (argv, op->args->pdata[i]);
  g_ptr_array_add (argv, NULL);
  op->helper = lxcd_helper_launch (lxcd_daemon_get_helper_path (daemon),
                                   (const char *const *) argv->pdata, op->fds[0], op->fds[1],
                                   op->fds[2], pipe_fds[1], helper_exited, op, &error);
  /* The daemon's copies of the caller's fds and of the pipe's write end
   * are closed here, whatever happened. */
  for (int i = 0; i < 3; i++)
    {
      close (op->fds[i]);
      op->fds[i] = -1;
    }
  close (pipe_fds[1]);
  pipe_in = g_unix_input_stream_new (pipe_fds[0], TRUE);
  op->report = g_data_input_stream_new (pipe_in);
  if (op->helper == NULL)
    {
      exec_reply_error (op, error);
      return;
    }
  exec_ref (op); /* (helper_exited's) */

  if (op->wait)
    {
      op->job = lxcd_job_new ("run", op->caller_uid, TRUE, lxcd_container_get_name (self),
                              lxcd_container_get_lxcpath (self));
      lxcd_job_add_object (op->job, lxcd_container_get_object_path (self));
      lxcd_daemon_export_job (daemon, op->job);
      op->cancel_id = g_cancellable_connect (lxcd_job_get_cancellable (op->job),
                                             G_CALLBACK (on_cancelled), op, NULL);
    }
  if (g_dbus_method_invocation_get_sender (op->invocation))
    op->caller_watch =
      g_bus_watch_name_on_connection (g_dbus_method_invocation_get_connection (op->invocation),
                                      g_dbus_method_invocation_get_sender (op->invocation),
                                      G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, on_caller_vanished,
                                      op, NULL);
  read_report_line (op);
}

/* main thread */
static void
exec_authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(ExecOp) op = user_data;
  g_autoptr(GError) error = NULL;

  if (!lxcd_auth_check_finish (res, &op->caller_uid, &error) ||
      !(op->token = lxcd_daemon_begin_operation (lxcd_container_get_daemon (op->self),
                                                 op->caller_uid, &error)))
    exec_reply_error (op, error);
  else
    exec_run (op);
}

/* main thread: checks a string list option item */
static gboolean
check_strings (const char *what, char **items, gboolean need_equals, GError **error)
{
  if (!lxcd_validate_argv ((const char *const *) items, error))
    return FALSE;
  for (char **i = items; i && *i; i++)
    {
      if (**i == '\0' || (need_equals && (strchr (*i, '=') == NULL || **i == '=')) ||
          (!need_equals && strchr (*i, '=') != NULL))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "Invalid %s item '%s'",
                       what, *i);
          return FALSE;
        }
    }
  return TRUE;
}

/* main thread: checks a list against allowed names, joins it with ',' */
static char *
check_names (const char *what, char **items, const char *const *allowed, GError **error)
{
  for (char **i = items; *i; i++)
    {
      if (!g_strv_contains (allowed, *i))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "Unknown %s '%s'", what, *i);
          return NULL;
        }
    }
  if (items[0] == NULL)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "Empty %s list", what);
      return NULL;
    }
  return g_strjoinv (",", items);
}

/* main thread: validates and turns the options into helper arguments */
static gboolean
exec_parse (ExecOp *op, const char *const *argv, GUnixFDList *fd_list, GVariant *handles[3],
            GVariant *options, GError **error)
{
  static const LxcdOptionSpec specs[] = {
    { "env", "as" },
    { "clear_env", "b" },
    { "keep_env", "as" },
    { "cwd", "s" },
    { "uid", "u" },
    { "gid", "u" },
    { "namespaces", "as" },
    { "personality", "s" },
    { "elevated_privileges", "as" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  static const char *const namespaces[] = { "mount", "pid", "net", "ipc", "uts", "user", "cgroup", NULL };
  static const char *const elevated[] = { "cgroup", "capabilities", "lsm", NULL };
  g_auto(GStrv) env = NULL, keep = NULL, ns = NULL, elev = NULL;
  const char *cwd = NULL, *personality = NULL;
  guint32 uid = 0, gid;

  /* The program: a path, or a name looked up in the container's PATH
   * (as liblxc's attach_run_wait() does, with execvp()). */
  if (argv[0] == NULL || argv[0][0] == '\0')
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "argv must start with the program to run");
      return FALSE;
    }
  if (!lxcd_validate_argv (argv, error) || !lxcd_options_validate (options, specs, error))
    return FALSE;

  for (int i = 0; handles && i < 3; i++)
    {
      gint32 index = g_variant_get_handle (handles[i]);

      if (fd_list == NULL || index < 0 || index >= g_unix_fd_list_get_length (fd_list))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "Handle %d is not a descriptor passed with the call", index);
          return FALSE;
        }
      op->fds[i] = g_unix_fd_list_get (fd_list, index, error); /* a dup, CLOEXEC */
      if (op->fds[i] < 0)
        return FALSE;
    }

  if (g_variant_lookup (options, "env", "^as", &env))
    {
      if (!check_strings ("env", env, TRUE, error))
        return FALSE;
      for (char **e = env; *e; e++)
        g_ptr_array_add (op->args, g_strconcat ("--env=", *e, NULL));
    }
  if (lxcd_options_get_boolean (options, "clear_env", FALSE))
    g_ptr_array_add (op->args, g_strdup ("--clear-env"));
  if (g_variant_lookup (options, "keep_env", "^as", &keep))
    {
      if (!check_strings ("keep_env", keep, FALSE, error))
        return FALSE;
      for (char **k = keep; *k; k++)
        g_ptr_array_add (op->args, g_strconcat ("--keep-env=", *k, NULL));
    }
  if (g_variant_lookup (options, "cwd", "&s", &cwd))
    {
      if (!g_path_is_absolute (cwd) || strlen (cwd) > 4096)
        {
          g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                               "cwd must be an absolute path");
          return FALSE;
        }
      g_ptr_array_add (op->args, g_strconcat ("--cwd=", cwd, NULL));
    }
  if (g_variant_lookup (options, "uid", "u", &uid))
    g_ptr_array_add (op->args, g_strdup_printf ("--uid=%u", uid));
  if (g_variant_lookup (options, "gid", "u", &gid))
    g_ptr_array_add (op->args, g_strdup_printf ("--gid=%u", gid));
  op->uid_text = g_strdup_printf ("%u", uid);
  if (g_variant_lookup (options, "namespaces", "^as", &ns))
    {
      g_autofree char *joined = check_names ("namespace", ns, namespaces, error);
      if (joined == NULL)
        return FALSE;
      g_ptr_array_add (op->args, g_strconcat ("--namespaces=", joined, NULL));
      op->leaves_container = TRUE;
    }
  if (g_variant_lookup (options, "personality", "&s", &personality))
    {
      if (!g_str_equal (personality, "linux") && !g_str_equal (personality, "linux32"))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "Unknown personality '%s' (linux, linux32)", personality);
          return FALSE;
        }
      g_ptr_array_add (op->args, g_strconcat ("--personality=", personality, NULL));
    }
  if (g_variant_lookup (options, "elevated_privileges", "^as", &elev))
    {
      g_autofree char *joined = check_names ("privilege", elev, elevated, error);
      if (joined == NULL)
        return FALSE;
      g_ptr_array_add (op->args, g_strconcat ("--elevated=", joined, NULL));
      op->leaves_container = TRUE;
    }
  if (op->shell)
    {
      g_ptr_array_add (op->args, g_strdup ("--tty"));
      if (!env || !g_strv_contains ((const char *const *) env, "TERM=xterm-256color"))
        g_ptr_array_add (op->args, g_strdup ("--env=TERM=xterm-256color"));
    }
  g_ptr_array_add (op->args, g_strdup ("--"));
  for (const char *const *a = argv; *a; a++)
    g_ptr_array_add (op->args, g_strdup (*a));
  op->command_line = g_strjoinv (" ", (char **) argv);
  return TRUE;
}

/* main thread: a new operation, owning the handler's invocation */
static ExecOp *
exec_op_new (LxcdContainer *self, GDBusMethodInvocation *invocation, gboolean wait,
             gboolean shell, GVariant *options)
{
  ExecOp *op = g_new0 (ExecOp, 1);

  op->ref_count = 1;
  op->self = g_object_ref (self);
  op->invocation = invocation; /* the handler's reference: the reply consumes it */
  op->wait = wait;
  op->shell = shell;
  op->args = g_ptr_array_new_with_free_func (g_free);
  op->fds[0] = op->fds[1] = op->fds[2] = -1;
  op->pty_master = -1;
  op->pid = -1;
  op->options = g_variant_ref (options);
  return op;
}

/* main thread: validated; ask polkit for exec (and for configure-host when
 * the program is to run outside some of the container's namespaces, with
 * capabilities it drops, outside its cgroup or LSM profile: that is the
 * host's, so root's) */
static gboolean
exec_authorize (ExecOp *op)
{
  const LxcdAuthRequest host = {
    .action_id = LXCD_ACTION_CONFIGURE_HOST,
    .container = lxcd_container_get_name (op->self),
    .lxcpath = lxcd_container_get_lxcpath (op->self),
    .extra_name = "command_line",
    .extra_value = op->command_line,
  };
  LxcdAuthRequest request = {
    .action_id = NULL, /* the method table's: exec */
    .container = lxcd_container_get_name (op->self),
    .lxcpath = lxcd_container_get_lxcpath (op->self),
    .privileged = lxcd_container_get_privileged_detail (op->self),
    .options = op->options,
    .extra_name = "command_line",
    .extra_value = op->command_line,
    .extra2_name = "uid",
    .extra2_value = op->uid_text,
    .also = op->leaves_container ? &host : NULL,
  };

  lxcd_auth_check_async (op->invocation, &request, NULL, exec_authorized, exec_ref (op));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread */
static gboolean
handle_exec (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, gboolean wait,
             GUnixFDList *fd_list, const char *const *argv, GVariant *in_stdin,
             GVariant *in_stdout, GVariant *in_stderr, GVariant *options)
{
  g_autoptr(ExecOp) op = exec_op_new (LXCD_CONTAINER (iface), invocation, wait, FALSE, options);
  g_autoptr(GError) error = NULL;
  GVariant *handles[3] = { in_stdin, in_stdout, in_stderr };

  if (!exec_parse (op, argv, fd_list, handles, options, &error))
    {
      exec_reply_error (op, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  return exec_authorize (op);
}

static gboolean
handle_run_command (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                    GUnixFDList *fd_list, const char *const *argv, GVariant *in_stdin,
                    GVariant *in_stdout, GVariant *in_stderr, GVariant *options)
{
  return handle_exec (iface, invocation, TRUE, fd_list, argv, in_stdin, in_stdout, in_stderr,
                      options);
}

static gboolean
handle_attach (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
               GUnixFDList *fd_list, const char *const *argv, GVariant *in_stdin,
               GVariant *in_stdout, GVariant *in_stderr, GVariant *options)
{
  return handle_exec (iface, invocation, FALSE, fd_list, argv, in_stdin, in_stdout, in_stderr,
                      options);
}

/* main thread: a pty pair; the slave becomes the shell's stdio */
static gboolean
open_pty (ExecOp *op, GError **error)
{
  char name[128];

  op->pty_master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (op->pty_master < 0 || grantpt (op->pty_master) < 0 || unlockpt (op->pty_master) < 0 ||
      ptsname_r (op->pty_master, name, sizeof name) != 0)
    goto fail;
  op->fds[0] = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (op->fds[0] < 0)
    goto fail;
  op->fds[1] = fcntl (op->fds[0], F_DUPFD_CLOEXEC, 3);
  op->fds[2] = fcntl (op->fds[0], F_DUPFD_CLOEXEC, 3);
  if (op->fds[1] < 0 || op->fds[2] < 0)
    goto fail;
  return TRUE;

fail:
  {
    int errsv = errno;
    g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED, "Cannot allocate a pty: %s",
                 g_strerror (errsv));
  }
  return FALSE;
}

/* main thread */
static gboolean
handle_open_shell (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                   GUnixFDList *fd_list, GVariant *options)
{
  g_autoptr(ExecOp) op = exec_op_new (LXCD_CONTAINER (iface), invocation, FALSE, TRUE, options);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GVariantDict) dict = g_variant_dict_new (options);
  g_autoptr(GVariant) rest = NULL;
  const char *const default_argv[] = { "/bin/sh", "-l", NULL };

  /* "argv" is OpenShell's own option; the rest are RunCommand's. */
  {
    g_autoptr(GVariant) value = g_variant_lookup_value (options, "argv", NULL);

    if (value && !g_variant_is_of_type (value, G_VARIANT_TYPE ("as")))
      {
        g_set_error_literal (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                             "Option 'argv' must be of type 'as'");
        exec_reply_error (op, error);
        return G_DBUS_METHOD_INVOCATION_HANDLED;
      }
    if (value)
      argv = g_variant_dup_strv (value, NULL);
  }
  g_variant_dict_remove (dict, "argv");
  rest = g_variant_ref_sink (g_variant_dict_end (dict));

  if (!exec_parse (op, argv ? (const char *const *) argv : default_argv, NULL, NULL, rest,
                   &error) ||
      !open_pty (op, &error))
    {
      exec_reply_error (op, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  return exec_authorize (op);
}

/* ---- OpenConsole ---------------------------------------------------------- */

typedef struct {
  LxcdContainer *self;
  GDBusMethodInvocation *invocation;
  int tty;
  int keep;   /* keeps the tty allocated until the caller leaves the bus */
  int master;
  guint watch;
  LxcdLimitToken *token; /* counts against the caller's limit */
} ConsoleOp;

static void
console_op_free (ConsoleOp *op)
{
  if (op->watch)
    g_bus_unwatch_name (op->watch);
  if (op->keep >= 0)
    close (op->keep);
  if (op->master >= 0)
    close (op->master);
  lxcd_limit_token_release (op->token);
  g_clear_object (&op->invocation);
  g_object_unref (op->self);
  g_free (op);
}

/* main thread: the caller is gone, release its tty */
static void
console_caller_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  ConsoleOp *op = user_data;

  g_debug ("%s: releasing tty %d of %s", lxcd_container_get_name (op->self), op->tty, name);
  console_op_free (op);
}

/* worker thread */
static void
console_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ConsoleOp *op = task_data;
  GError *error = NULL;

  if (lxcd_lxc_console_getfd (lxcd_container_get_lxcpath (op->self),
                              lxcd_container_get_name (op->self), &op->tty, &op->keep,
                              &op->master, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* main thread */
static void
console_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ConsoleOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  const char *sender = g_dbus_method_invocation_get_sender (op->invocation);

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      g_autoptr(GError) mapped = lxcd_error_from_gerror (error);
      g_dbus_method_invocation_return_gerror (g_steal_pointer (&op->invocation), mapped);
      console_op_free (op);
      return;
    }
  fds = g_unix_fd_list_new_from_array (&op->master, 1);
  op->master = -1; /* the list owns it and closes it once sent */
  if (sender)
    op->watch = g_bus_watch_name_on_connection (g_dbus_method_invocation_get_connection (op->invocation),
                                                sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                console_caller_vanished, op, NULL);
  lxcd_dbus_container_complete_open_console (LXCD_DBUS_CONTAINER (op->self),
                                             g_steal_pointer (&op->invocation), fds,
                                             g_variant_new_handle (0), op->tty);
  if (!sender)
    console_op_free (op);
}

/* main thread */
static void
console_authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ConsoleOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  uid_t uid = (uid_t) -1;

  if (!lxcd_auth_check_finish (res, &uid, &error) ||
      !(op->token = lxcd_daemon_begin_operation (lxcd_container_get_daemon (op->self), uid,
                                                 &error)))
    {
      g_dbus_method_invocation_return_gerror (g_steal_pointer (&op->invocation), error);
      console_op_free (op);
      return;
    }
  task = g_task_new (NULL, NULL, console_done, op);
  g_task_set_task_data (task, op, NULL);
  lxcd_run_in_worker (task, console_thread);
}

/* main thread */
static gboolean
handle_open_console (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                     GUnixFDList *fd_list, gint tty)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  ConsoleOp *op;
  LxcdAuthRequest request = { 0 };

  if (tty < -1 || tty > 1024)
    {
      g_dbus_method_invocation_return_error (invocation, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                                             "tty %d is out of range (-1: any, 0: the console)", tty);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (lxcd_container_get_state (self) == LXCD_STATE_STOPPED)
    {
      g_dbus_method_invocation_return_error (invocation, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                                             "Container '%s' is not running",
                                             lxcd_container_get_name (self));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  op = g_new0 (ConsoleOp, 1);
  op->self = g_object_ref (self);
  op->invocation = invocation; /* the handler's reference: the reply consumes it */
  op->tty = tty;
  op->keep = op->master = -1;
  request.action_id = NULL; /* the method table's: console */
  request.privileged = lxcd_container_get_privileged_detail (self);
  request.container = lxcd_container_get_name (self);
  request.lxcpath = lxcd_container_get_lxcpath (self);
  lxcd_auth_check_async (invocation, &request, NULL, console_authorized, op);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/**
 * lxcd_container_exec_iface_init:
 *
 * Installs the handlers of this file into the Container interface.
 */
void
lxcd_container_exec_iface_init (LxcdDBusContainerIface *iface)
{
  iface->handle_run_command = handle_run_command;
  iface->handle_attach = handle_attach;
  iface->handle_open_shell = handle_open_shell;
  iface->handle_open_console = handle_open_console;
}
