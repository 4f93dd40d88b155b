/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: Container.RunCommand, Attach, OpenShell and OpenConsole
 *
 * The caller's three descriptors (D-Bus unix fds) become the stdin, stdout
 * and stderr of lxc-dbus-helper, which attaches to the container and runs
 * the program with them; the daemon's copies are closed as soon as the
 * helper is spawned, and no other descriptor of the daemon reaches the
 * helper or the program. The helper reports "pid N", then "status N" (or
 * "error CODE TEXT") on a pipe. The program is killed when the job is
 * cancelled or when the caller leaves the bus. OpenShell does the same
 * with a pty the daemon allocates; OpenConsole hands out one of the
 * container's ttys, kept until the caller leaves the bus.
 *
 * Each call is an LxcdOperation (lxcd-operation.c): the invocation, the
 * caller's limit token, RunCommand's Job and the one reply are the
 * operation's. Attach, OpenShell and OpenConsole reply while what they
 * started goes on: the helper (until it is reaped) and each read of its
 * report hold references of their own, as does OpenConsole's watch on
 * the caller, and the limit token stays until the last of them goes
 * (lxcd_operation_keep_token()): a running program or an open console
 * counts against the caller.
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
#include "lxcd-operation.h"
#include "lxcd-spawn.h"

/* What RunCommand, Attach and OpenShell keep besides their LxcdOperation:
 * the helper and what talks to it, until the helper is reaped. */
typedef struct {
  gboolean wait;  /* RunCommand (TRUE) or Attach */
  gboolean shell; /* OpenShell: reply with the pty master */
  int pty_master;
  GPtrArray *args; /* helper arguments after "run LXCPATH NAME" */
  int fds[3];      /* ours until handed to the helper */
  char *command_line;
  char *uid_text;
  LxcdHelperProc *helper;
  GDataInputStream *report;
  pid_t pid;
  gboolean leaves_container; /* namespaces or elevated_privileges given */
} Exec;

static void
exec_free (Exec *exec)
{
  for (int i = 0; i < 3; i++)
    {
      if (exec->fds[i] >= 0)
        close (exec->fds[i]);
    }
  if (exec->pty_master >= 0)
    close (exec->pty_master);
  g_clear_pointer (&exec->helper, lxcd_helper_proc_unref);
  g_clear_object (&exec->report);
  g_ptr_array_unref (exec->args);
  g_free (exec->command_line);
  g_free (exec->uid_text);
  g_free (exec);
}

/* main thread: kills the program (or, before it runs, the helper) */
static void
exec_kill (Exec *exec)
{
  if (exec->pid > 0)
    (void) kill (exec->pid, SIGKILL);
  else if (exec->helper)
    lxcd_helper_proc_signal (exec->helper, SIGKILL);
}

/* main thread: the caller left the bus, or cancelled the Job */
static void
exec_stop (LxcdOperation *op)
{
  exec_kill (lxcd_operation_get_data (op));
}

/* The helper's "error CODE TEXT" line as an error (strips @text). */
static GError *
report_error (char *text)
{
  char *end = NULL;
  long code = strtol (text, &end, 10);

  return lxcd_helper_error ((int) code, end ? g_strstrip (end) : NULL, "Attach failed");
}

static void read_report_line (LxcdOperation *op);

/* main thread: one line of the helper's report. Until the reply, the
 * flow's reference is there for the return to consume; each read holds
 * one of its own, which keeps the operation going after the reply
 * (Attach, OpenShell: until "status" or the end of the report). */
static void
report_line_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(LxcdOperation) op = user_data; /* the read's */
  Exec *exec = lxcd_operation_get_data (op);
  LxcdDBusContainer *iface = LXCD_DBUS_CONTAINER (lxcd_operation_get_container (op));
  gboolean replied = lxcd_operation_get_state (op) == LXCD_OPERATION_RETURNED;
  /* (only a Job's cancellable is ever cancelled: RunCommand's) */
  gboolean cancelled = g_cancellable_is_cancelled (lxcd_operation_get_cancellable (op));
  g_autoptr(GError) error = NULL;
  g_autofree char *line =
    g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), res, NULL, &error);

  if (line == NULL)
    {
      /* The helper is gone without a status. */
      if (replied)
        return;
      if (cancelled)
        lxcd_operation_return_new_error (op, LXCD_ERROR_CANCELLED, "Cancelled");
      else if (error)
        lxcd_operation_return_error (op, error);
      else
        lxcd_operation_return_new_error (op, LXCD_ERROR_FAILED,
                                         "The attach helper ended without a status");
      return;
    }

  if (g_str_has_prefix (line, LXCD_RUN_REPORT_PID))
    {
      exec->pid = (pid_t) g_ascii_strtoll (line + strlen (LXCD_RUN_REPORT_PID), NULL, 10);
      if (exec->shell)
        {
          g_autoptr(GUnixFDList) fds = g_unix_fd_list_new_from_array (&exec->pty_master, 1);

          exec->pty_master = -1; /* the list owns it, and closes it once sent */
          lxcd_operation_return_with_fds (op, g_variant_new ("(h)", 0), fds);
        }
      else if (!exec->wait)
        lxcd_operation_return (op, g_variant_new ("(u)", (guint32) exec->pid));
      /* A cancel that came before the pid was known. */
      if (cancelled)
        exec_kill (exec);
    }
  else if (g_str_has_prefix (line, LXCD_RUN_REPORT_STATUS))
    {
      int status = (int) g_ascii_strtoll (line + strlen (LXCD_RUN_REPORT_STATUS), NULL, 10);

      /* RunCommand replies now; Attach and OpenShell replied at "pid",
       * which the helper reports first */
      if (!replied && cancelled)
        lxcd_operation_return_new_error (op, LXCD_ERROR_CANCELLED,
                                         "Cancelled: the program was killed");
      else if (!replied && exec->wait)
        lxcd_operation_return (op, g_variant_new ("(i)", status));
      else if (!replied)
        lxcd_operation_return_new_error (op, LXCD_ERROR_FAILED,
                                         "The attach helper reported no pid");
      else if (!exec->shell)
        lxcd_dbus_container_emit_process_exited (iface, (guint32) exec->pid, status);
      exec->pid = -1;
      return;
    }
  else if (g_str_has_prefix (line, LXCD_RUN_REPORT_ERROR))
    {
      g_autoptr(GError) e = report_error (line + strlen (LXCD_RUN_REPORT_ERROR));

      if (!replied)
        lxcd_operation_return_error (op, e);
      return;
    }
  read_report_line (op);
}

/* main thread */
static void
read_report_line (LxcdOperation *op)
{
  Exec *exec = lxcd_operation_get_data (op);

  g_data_input_stream_read_line_async (exec->report, G_PRIORITY_DEFAULT, NULL, report_line_cb,
                                       lxcd_operation_ref (op));
}

/* main thread: the helper has been reaped */
static void
helper_exited (LxcdHelperProc *proc, int wait_status, const GError *error, gpointer user_data)
{
  lxcd_operation_unref (user_data); /* the helper's */
}

/* main thread: authorized, the caller's limit token held */
static void
exec_run (LxcdOperation *op)
{
  Exec *exec = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) pipe_in = NULL;
  int pipe_fds[2];

  if (!lxcd_container_check_attachable (self, &error) ||
      !g_unix_open_pipe (pipe_fds, FD_CLOEXEC, &error))
    {
      lxcd_operation_return_error (op, error);
      return;
    }

  /* Forked by the helper server (see lxcd-spawn.c), with the caller's
   * three descriptors and the report pipe as fd 3. */
  g_ptr_array_add (argv, "run");
  g_ptr_array_add (argv, (gpointer) lxcd_container_get_lxcpath (self));
  g_ptr_array_add (argv, (gpointer) lxcd_container_get_name (self));
  for (guint i = 0; i < exec->args->len; i++)
    g_ptr_array_add (argv, exec->args->pdata[i]);
  g_ptr_array_add (argv, NULL);
  exec->helper = lxcd_helper_launch (lxcd_daemon_get_helper_path (lxcd_operation_get_daemon (op)),
                                     (const char *const *) argv->pdata, exec->fds[0], exec->fds[1],
                                     exec->fds[2], pipe_fds[1], helper_exited, op, &error);
  /* The daemon's copies of the caller's fds and of the pipe's write end
   * are closed here, whatever happened. */
  for (int i = 0; i < 3; i++)
    {
      close (exec->fds[i]);
      exec->fds[i] = -1;
    }
  close (pipe_fds[1]);
  pipe_in = g_unix_input_stream_new (pipe_fds[0], TRUE);
  exec->report = g_data_input_stream_new (pipe_in);
  if (exec->helper == NULL)
    {
      lxcd_operation_return_error (op, error);
      return;
    }
  lxcd_operation_ref (op); /* (helper_exited's) */

  if (exec->wait)
    {
      /* RunCommand's Job, once there is a program to cancel; the return
       * completes it */
      lxcd_operation_start_job (op, "run");
    }
  lxcd_operation_on_abandoned (op, exec_stop);
  /* The flow's reference stays for the return in report_line_cb(). */
  read_report_line (op);
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
exec_parse (Exec *exec, const char *const *argv, GUnixFDList *fd_list, GVariant *handles[3],
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
      exec->fds[i] = g_unix_fd_list_get (fd_list, index, error); /* a dup, CLOEXEC */
      if (exec->fds[i] < 0)
        return FALSE;
    }

  if (g_variant_lookup (options, "env", "^as", &env))
    {
      if (!check_strings ("env", env, TRUE, error))
        return FALSE;
      for (char **e = env; *e; e++)
        g_ptr_array_add (exec->args, g_strconcat ("--env=", *e, NULL));
    }
  if (lxcd_options_get_boolean (options, "clear_env", FALSE))
    g_ptr_array_add (exec->args, g_strdup ("--clear-env"));
  if (g_variant_lookup (options, "keep_env", "^as", &keep))
    {
      if (!check_strings ("keep_env", keep, FALSE, error))
        return FALSE;
      for (char **k = keep; *k; k++)
        g_ptr_array_add (exec->args, g_strconcat ("--keep-env=", *k, NULL));
    }
  if (g_variant_lookup (options, "cwd", "&s", &cwd))
    {
      if (!g_path_is_absolute (cwd) || strlen (cwd) > 4096)
        {
          g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                               "cwd must be an absolute path");
          return FALSE;
        }
      g_ptr_array_add (exec->args, g_strconcat ("--cwd=", cwd, NULL));
    }
  if (g_variant_lookup (options, "uid", "u", &uid))
    g_ptr_array_add (exec->args, g_strdup_printf ("--uid=%u", uid));
  if (g_variant_lookup (options, "gid", "u", &gid))
    g_ptr_array_add (exec->args, g_strdup_printf ("--gid=%u", gid));
  exec->uid_text = g_strdup_printf ("%u", uid);
  if (g_variant_lookup (options, "namespaces", "^as", &ns))
    {
      g_autofree char *joined = check_names ("namespace", ns, namespaces, error);
      if (joined == NULL)
        return FALSE;
      g_ptr_array_add (exec->args, g_strconcat ("--namespaces=", joined, NULL));
      exec->leaves_container = TRUE;
    }
  if (g_variant_lookup (options, "personality", "&s", &personality))
    {
      if (!g_str_equal (personality, "linux") && !g_str_equal (personality, "linux32"))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "Unknown personality '%s' (linux, linux32)", personality);
          return FALSE;
        }
      g_ptr_array_add (exec->args, g_strconcat ("--personality=", personality, NULL));
    }
  if (g_variant_lookup (options, "elevated_privileges", "^as", &elev))
    {
      g_autofree char *joined = check_names ("privilege", elev, elevated, error);
      if (joined == NULL)
        return FALSE;
      g_ptr_array_add (exec->args, g_strconcat ("--elevated=", joined, NULL));
      exec->leaves_container = TRUE;
    }
  if (exec->shell)
    {
      g_ptr_array_add (exec->args, g_strdup ("--tty"));
      if (!env || !g_strv_contains ((const char *const *) env, "TERM=xterm-256color"))
        g_ptr_array_add (exec->args, g_strdup ("--env=TERM=xterm-256color"));
    }
  g_ptr_array_add (exec->args, g_strdup ("--"));
  for (const char *const *a = argv; *a; a++)
    g_ptr_array_add (exec->args, g_strdup (*a));
  exec->command_line = g_strjoinv (" ", (char **) argv);
  return TRUE;
}

/* main thread: a new operation with its Exec, before validation */
static LxcdOperation *
exec_new (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, gboolean wait,
          gboolean shell, Exec **out_exec)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  LxcdOperation *op = lxcd_operation_new (invocation, lxcd_container_get_daemon (self), self);
  Exec *exec = g_new0 (Exec, 1);

  exec->wait = wait;
  exec->shell = shell;
  exec->args = g_ptr_array_new_with_free_func (g_free);
  exec->fds[0] = exec->fds[1] = exec->fds[2] = -1;
  exec->pty_master = -1;
  exec->pid = -1;
  lxcd_operation_set_data (op, exec, (GDestroyNotify) exec_free);
  /* the program counts against the caller until it is reaped, reply or not */
  lxcd_operation_keep_token (op);
  *out_exec = exec;
  return op;
}

/* main thread: validated; ask polkit for exec (and for configure-host when
 * the program is to run outside some of the container's namespaces, with
 * capabilities it drops, outside its cgroup or LSM profile: that is the
 * host's, so root's) */
static gboolean
exec_authorize (LxcdOperation *op)
{
  Exec *exec = lxcd_operation_get_data (op);

  lxcd_operation_add_detail (op, "command_line", exec->command_line);
  lxcd_operation_add_detail (op, "uid", exec->uid_text);
  if (exec->leaves_container)
    lxcd_operation_require (op, LXCD_ACTION_CONFIGURE_HOST);
  lxcd_operation_authorize (op, exec_run);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread: replies with @error */
static gboolean
exec_refuse (LxcdOperation *op, const GError *error)
{
  lxcd_operation_return_error (op, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread */
static gboolean
handle_exec (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, gboolean wait,
             GUnixFDList *fd_list, const char *const *argv, GVariant *in_stdin,
             GVariant *in_stdout, GVariant *in_stderr, GVariant *options)
{
  Exec *exec;
  LxcdOperation *op = exec_new (iface, invocation, wait, FALSE, &exec);
  g_autoptr(GError) error = NULL;
  GVariant *handles[3] = { in_stdin, in_stdout, in_stderr };

  if (!exec_parse (exec, argv, fd_list, handles, options, &error))
    return exec_refuse (op, error);
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
open_pty (Exec *exec, GError **error)
{
  char name[128];

  exec->pty_master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (exec->pty_master < 0 || grantpt (exec->pty_master) < 0 || unlockpt (exec->pty_master) < 0 ||
      ptsname_r (exec->pty_master, name, sizeof name) != 0)
    goto fail;
  exec->fds[0] = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (exec->fds[0] < 0)
    goto fail;
  exec->fds[1] = fcntl (exec->fds[0], F_DUPFD_CLOEXEC, 3);
  exec->fds[2] = fcntl (exec->fds[0], F_DUPFD_CLOEXEC, 3);
  if (exec->fds[1] < 0 || exec->fds[2] < 0)
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
  Exec *exec;
  LxcdOperation *op = exec_new (iface, invocation, FALSE, TRUE, &exec);
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
        return exec_refuse (op, error);
      }
    if (value)
      argv = g_variant_dup_strv (value, NULL);
  }
  g_variant_dict_remove (dict, "argv");
  rest = g_variant_ref_sink (g_variant_dict_end (dict));

  if (!exec_parse (exec, argv ? (const char *const *) argv : default_argv, NULL, NULL, rest,
                   &error) ||
      !open_pty (exec, &error))
    return exec_refuse (op, error);
  return exec_authorize (op);
}

/* ---- OpenConsole ---------------------------------------------------------- */

/* What OpenConsole keeps besides its LxcdOperation: the tty, allocated
 * until the caller leaves the bus. */
typedef struct {
  int tty;
  int keep; /* keeps the tty allocated until the caller leaves the bus */
  int master;
  guint watch;
} Console;

static void
console_free (Console *con)
{
  if (con->watch)
    g_bus_unwatch_name (con->watch);
  if (con->keep >= 0)
    close (con->keep);
  if (con->master >= 0)
    close (con->master);
  g_free (con);
}

/* main thread: the caller is gone: release its tty (and, with the watch's
 * reference, the limit token) */
static void
console_caller_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  LxcdOperation *op = user_data;
  Console *con = lxcd_operation_get_data (op);

  g_debug ("%s: releasing tty %d of %s",
           lxcd_container_get_name (lxcd_operation_get_container (op)), con->tty, name);
  lxcd_operation_unref (op);
}

/* worker thread */
static gboolean
console_work (LxcdOperation *op, GCancellable *cancellable, GError **error)
{
  Console *con = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);

  return lxcd_lxc_console_getfd (lxcd_container_get_lxcpath (self), lxcd_container_get_name (self),
                                 &con->tty, &con->keep, &con->master, error);
}

/* main thread: reply with the master side; the tty stays ours (and the
 * operation with it) until the caller leaves the bus */
static void
console_done (LxcdOperation *op, const GError *error)
{
  Console *con = lxcd_operation_get_data (op);
  GDBusMethodInvocation *invocation = lxcd_operation_get_invocation (op);
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  g_autoptr(GUnixFDList) fds = NULL;

  if (error)
    {
      lxcd_operation_return_error (op, error);
      return;
    }
  fds = g_unix_fd_list_new_from_array (&con->master, 1);
  con->master = -1; /* the list owns it and closes it once sent */
  if (sender)
    con->watch =
      g_bus_watch_name_on_connection (g_dbus_method_invocation_get_connection (invocation), sender,
                                      G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, console_caller_vanished,
                                      lxcd_operation_ref (op), NULL);
  lxcd_operation_return_with_fds (op, g_variant_new ("(hi)", 0, con->tty), fds);
}

/* main thread: authorized, the caller's limit token held */
static void
console_run (LxcdOperation *op)
{
  lxcd_operation_run_in_worker (op, console_work, console_done);
}

/* main thread */
static gboolean
handle_open_console (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                     GUnixFDList *fd_list, gint tty)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  LxcdOperation *op = lxcd_operation_new (invocation, lxcd_container_get_daemon (self), self);
  Console *con = g_new0 (Console, 1);

  con->tty = tty;
  con->keep = con->master = -1;
  lxcd_operation_set_data (op, con, (GDestroyNotify) console_free);
  /* the tty counts against the caller until it leaves the bus */
  lxcd_operation_keep_token (op);
  if (tty < -1 || tty > 1024)
    lxcd_operation_return_new_error (op, LXCD_ERROR_INVALID_ARGUMENT,
                                     "tty %d is out of range (-1: any, 0: the console)", tty);
  else if (lxcd_container_get_state (self) == LXCD_STATE_STOPPED)
    lxcd_operation_return_new_error (op, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running",
                                     lxcd_container_get_name (self));
  else
    lxcd_operation_authorize (op, console_run);
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
