/* lxc-dbus: running lxc-dbus-helper from the daemon (main thread, async)
 *
 * The helper runs in its own process group, so that cancelling kills it
 * and everything it started that stayed in the group (a template script
 * and its children, an rsync); a container's monitor process leaves the
 * group (liblxc daemonizes it with setsid), so it is never hit.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lxcd-error.h"
#include "lxcd-spawn.h"

typedef struct {
  GSubprocess *proc;
  GCancellable *cancellable;
  gulong cancel_id;
  gboolean killed;
} SpawnData;

static void
spawn_data_free (SpawnData *data)
{
  if (data->cancel_id)
    g_cancellable_disconnect (data->cancellable, data->cancel_id);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->proc);
  g_free (data);
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

/* main thread (GCancellable callbacks run where cancel() is called) */
static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  SpawnData *data = user_data;
  const char *id = g_subprocess_get_identifier (data->proc);
  pid_t pid = id ? (pid_t) g_ascii_strtoll (id, NULL, 10) : 0;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));

  if (pid <= 0)
    return;
  data->killed = TRUE;
  /* The helper's group, and every process it started even if that left
   * the group (liblxc runs hooks and templates in process groups of their
   * own): freeze them all, then kill them all. A process may still be in
   * fork() when it is stopped, so scan again until nothing new shows up
   * (the helper is a subreaper: orphans stay in its tree). */
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

/* main thread */
static void
communicate_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  SpawnData *data = g_task_get_task_data (task);
  GSubprocess *proc = G_SUBPROCESS (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *reason = NULL;
  int code;

  if (!g_subprocess_communicate_utf8_finish (proc, res, &out, &err, &error))
    {
      g_task_return_error (task, lxcd_error_from_gerror (error));
      return;
    }
  if (data->killed)
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_CANCELLED, "Cancelled");
      return;
    }
  if (g_subprocess_get_if_exited (proc) && g_subprocess_get_exit_status (proc) == LXCD_HELPER_DONE)
    {
      g_task_return_pointer (task, g_steal_pointer (&out), g_free);
      return;
    }

  reason = stderr_reason (err);
  if (!*reason)
    {
      g_free (reason);
      reason = g_strdup ("lxc-dbus-helper failed");
    }
  code = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  switch (code)
    {
    case LXCD_HELPER_WRONG_STATE:
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "%s", reason);
      break;
    case LXCD_HELPER_NOT_FOUND:
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_FOUND, "%s", reason);
      break;
    case LXCD_HELPER_EXISTS:
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_ALREADY_EXISTS, "%s", reason);
      break;
    case LXCD_HELPER_USAGE:
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "%s", reason);
      break;
    default:
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_FAILED, "%s", reason);
      break;
    }
}

/**
 * lxcd_spawn_helper_async:
 * @args: the helper's arguments (after its path)
 * @stdin_text: (nullable): written to its stdin
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
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  SpawnData *data = g_new0 (SpawnData, 1);

  g_task_set_task_data (task, data, (GDestroyNotify) spawn_data_free);
  g_ptr_array_add (argv, (gpointer) helper_path);
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);

  /* No child setup and inherited fds (all ours are O_CLOEXEC; the helper
   * closes any other and takes its own process group first thing): GLib
   * then uses posix_spawn instead of fork()ing the threaded service. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        G_SUBPROCESS_FLAGS_INHERIT_FDS);
  data->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  if (data->proc == NULL)
    {
      g_task_return_error (task, lxcd_error_from_gerror (error));
      return;
    }
  if (cancellable)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), data, NULL);
    }
  g_subprocess_communicate_utf8_async (data->proc, stdin_text ? stdin_text : "", NULL,
                                       communicate_cb, g_steal_pointer (&task));
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
