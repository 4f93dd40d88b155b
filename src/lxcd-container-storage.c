/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: Container.Clone, Rename and the snapshot methods
 *
 * Every one of them changes what is on disk: authorized with polkit
 * (manage; configure-host for clone's host-level options; read-config to
 * list snapshots), serialized on the container's slot, run in
 * lxc-dbus-helper (clone, rename, snapshot, restore: they copy root file
 * systems and run hooks) or a worker thread (destroying snapshots), and
 * replying after the objects they made or removed are published. A new
 * container's name is reserved for the operation; if it fails or is
 * cancelled, what it had made is removed.
 */
#include "config.h"

#include <lxc/lxccontainer.h>
#include <string.h>

#include "lxcd-auth.h"
#include "lxcd-container.h"
#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-lxc.h"
#include "lxcd-spawn.h"

/* Biggest new size accepted for a clone (1 PiB). */
#define MAX_NEW_SIZE (G_GUINT64_CONSTANT (1) << 50)

typedef enum {
  ST_CLONE,
  ST_RENAME,
  ST_SNAPSHOT,
  ST_RESTORE,
  ST_LIST_SNAPSHOTS,
  ST_DESTROY_SNAPSHOT,
  ST_DESTROY_ALL_SNAPSHOTS,
} StKind;

typedef struct {
  LxcdContainer *self;
  GDBusMethodInvocation *invocation;
  StKind kind;
  GVariant *options;     /* may be NULL */
  char *new_name;        /* clone, rename, restore */
  char *new_lxcpath;
  char *snapshot;        /* restore, destroy */
  char *comment;         /* snapshot */
  GPtrArray *args;       /* helper arguments */
  const char *host_key;  /* why configure-host is needed, or NULL */
  guint clone_flags;
  uid_t uid;
  LxcdJob *job;
  gboolean holds_slot;
  gboolean reserved;
  char *output;          /* the helper's stdout */
  GVariant *list;        /* snapshots listed */
  GError *error;
  LxcdLimitToken *token; /* counts against the caller's limit */
} StOp;

static void
st_free (StOp *op)
{
  LxcdDaemon *daemon = lxcd_container_get_daemon (op->self);

  if (op->holds_slot)
    lxcd_container_release_slot (op->self);
  if (op->reserved)
    lxcd_daemon_release_name (daemon, op->new_name);
  g_clear_object (&op->job);
  g_object_unref (op->self);
  g_clear_object (&op->invocation);
  g_clear_pointer (&op->options, g_variant_unref);
  g_free (op->new_name);
  g_free (op->new_lxcpath);
  g_free (op->snapshot);
  g_free (op->comment);
  g_ptr_array_unref (op->args);
  g_free (op->output);
  g_clear_pointer (&op->list, g_variant_unref);
  g_clear_error (&op->error);
  lxcd_limit_token_release (op->token);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StOp, st_free)

static StOp *
st_new (LxcdContainer *self, GDBusMethodInvocation *invocation, StKind kind, GVariant *options)
{
  StOp *op = g_new0 (StOp, 1);

  op->self = g_object_ref (self);
  op->invocation = invocation; /* the handler's reference: the reply consumes it */
  op->kind = kind;
  op->options = options ? g_variant_ref (options) : NULL;
  op->args = g_ptr_array_new_with_free_func (g_free);
  return op;
}

static char *
object_path_for (const char *name)
{
  g_autofree char *escaped = g_dbus_escape_object_path (name);
  return g_strconcat ("/org/linuxcontainers/LXC1/containers/", escaped, NULL);
}

/* main thread: the one reply; frees @op */
static void
st_reply (StOp *op, const GError *error)
{
  LxcdDaemon *daemon = lxcd_container_get_daemon (op->self);

  if (op->job)
    lxcd_daemon_finish_job (daemon, op->job, error);
  if (error)
    {
      g_autoptr(GError) mapped = lxcd_error_from_gerror (error);
      g_dbus_method_invocation_return_gerror (g_steal_pointer (&op->invocation), mapped);
      st_free (op);
      return;
    }
  switch (op->kind)
    {
    case ST_CLONE:
    case ST_RENAME:
    case ST_RESTORE:
      {
        g_autofree char *path = object_path_for (op->new_name);
        g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation),
                                               g_variant_new ("(o)", path));
      }
      break;
    case ST_SNAPSHOT:
      g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation),
                                             g_variant_new ("(s)", g_strstrip (op->output)));
      break;
    case ST_LIST_SNAPSHOTS:
      g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation),
                                             g_variant_new_tuple (&op->list, 1));
      break;
    case ST_DESTROY_SNAPSHOT:
    case ST_DESTROY_ALL_SNAPSHOTS:
    default:
      g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation), NULL);
      break;
    }
  st_free (op);
}

/* ---- completion ------------------------------------------------------------ */

/* main thread: everything is published */
static void
st_synced_new (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StOp *op = user_data;
  LxcdDaemon *daemon = LXCD_DAEMON (source);

  lxcd_daemon_sync_container_finish (daemon, res, NULL);
  if (op->new_name && lxcd_daemon_find_container (daemon, op->new_name) == NULL)
    {
      g_autoptr(GError) error = g_error_new (LXCD_ERROR, LXCD_ERROR_FAILED,
                                             "Container '%s' was made but is not there any more",
                                             op->new_name);
      st_reply (op, error);
      return;
    }
  st_reply (op, NULL);
}

/* main thread: the source container is up to date; now the new one */
static void
st_synced_source_done (StOp *op)
{
  LxcdDaemon *daemon = lxcd_container_get_daemon (op->self);

  if (op->new_name && !g_str_equal (op->new_name, lxcd_container_get_name (op->self)))
    {
      /* The name is still reserved: release it so the re-read may add it. */
      if (op->reserved)
        {
          lxcd_daemon_release_name (daemon, op->new_name);
          op->reserved = FALSE;
        }
      lxcd_daemon_sync_container (daemon, op->new_lxcpath, op->new_name, NULL, st_synced_new, op);
      return;
    }
  st_reply (op, NULL);
}

/* main thread: the source container is re-read */
static void
st_synced_source (GObject *source, GAsyncResult *res, gpointer user_data)
{
  lxcd_daemon_sync_container_finish (LXCD_DAEMON (source), res, NULL);
  st_synced_source_done (user_data);
}

/* main thread: leftovers of a failed operation are gone */
static void
st_cleaned (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!lxcd_lxc_remove_tree_finish (res, &error))
    g_warning ("After a failed operation on '%s': %s", lxcd_container_get_name (op->self),
               error->message);
  st_reply (op, op->error);
}

/* main thread: the work is over */
static void
st_work_finished (StOp *op, GError *error)
{
  LxcdDaemon *daemon = lxcd_container_get_daemon (op->self);
  LxcdContainer *self = op->self;

  if (error)
    {
      op->error = g_error_copy (error);
      /* A new container's directory did not exist before (its name was
       * free and reserved for us): remove what the failure left. */
      if (op->reserved && !g_error_matches (error, LXCD_ERROR, LXCD_ERROR_ALREADY_EXISTS))
        {
          g_autofree char *dir = g_build_filename (op->new_lxcpath, op->new_name, NULL);
          lxcd_lxc_remove_tree_async (dir, st_cleaned, op);
          return;
        }
      st_reply (op, op->error);
      return;
    }
  /* A clone or a snapshot leaves its source as it was (nothing it
   * publishes comes from its snapshots): only the new container, if any,
   * needs reading. A rename or a restore changes the source. */
  if (op->kind == ST_CLONE || op->kind == ST_SNAPSHOT)
    {
      st_synced_source_done (op);
      return;
    }
  lxcd_daemon_sync_container (daemon, lxcd_container_get_lxcpath (self),
                              lxcd_container_get_name (self), NULL, st_synced_source, op);
}

/* main thread */
static void
st_helper_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StOp *op = user_data;
  g_autoptr(GError) error = NULL;

  op->output = lxcd_spawn_helper_finish (res, &error);
  st_work_finished (op, op->output ? NULL : error);
}

/* worker thread */
static void
st_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  StOp *op = task_data;
  const char *lxcpath = lxcd_container_get_lxcpath (op->self);
  const char *name = lxcd_container_get_name (op->self);
  GError *error = NULL;
  gboolean ok;

  switch (op->kind)
    {
    case ST_LIST_SNAPSHOTS:
      op->list = lxcd_lxc_list_snapshots (lxcpath, name, &error);
      if (op->list)
        g_variant_ref_sink (op->list);
      ok = op->list != NULL;
      break;
    case ST_DESTROY_SNAPSHOT:
      ok = lxcd_lxc_destroy_snapshot (lxcpath, name, op->snapshot, &error);
      break;
    case ST_DESTROY_ALL_SNAPSHOTS:
      ok = lxcd_lxc_destroy_snapshot (lxcpath, name, NULL, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* main thread */
static void
st_thread_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      st_reply (op, error);
      return;
    }
  if (op->kind == ST_LIST_SNAPSHOTS)
    st_reply (op, NULL);
  else
    st_work_finished (op, NULL);
}

/* ---- running ---------------------------------------------------------------- */

/* main thread: authorized; check state, take the slot and the name, run */
static void
st_run (StOp *op)
{
  LxcdContainer *self = op->self;
  LxcdDaemon *daemon = lxcd_container_get_daemon (self);
  const char *name = lxcd_container_get_name (self);
  const char *lxcpath = lxcd_container_get_lxcpath (self);
  gboolean stopped = lxcd_container_get_state (self) == LXCD_STATE_STOPPED;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *operation = NULL;
  gboolean cancelable = FALSE;
  g_autofree char *new_path = NULL;

  if (op->kind == ST_LIST_SNAPSHOTS)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, st_thread_done, op);
      g_task_set_task_data (task, op, NULL);
      lxcd_run_in_worker (task, st_thread);
      return;
    }

  if ((op->kind == ST_RENAME && !stopped) ||
      (op->kind == ST_RESTORE && g_str_equal (op->new_name, name) && !stopped) ||
      (op->kind == ST_CLONE && !stopped && !(op->clone_flags & LXC_CLONE_ALLOW_RUNNING)))
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is %s", name,
                   lxcd_state_to_string (lxcd_container_get_state (self)));
      st_reply (op, error);
      return;
    }
  if (!lxcd_container_take_slot (self, &error))
    {
      st_reply (op, error);
      return;
    }
  op->holds_slot = TRUE;

  if (op->new_name && !g_str_equal (op->new_name, name))
    {
      if (lxcd_daemon_name_taken (daemon, op->new_name))
        {
          g_set_error (&error, LXCD_ERROR, LXCD_ERROR_ALREADY_EXISTS,
                       "A container named '%s' already exists", op->new_name);
          st_reply (op, error);
          return;
        }
      lxcd_daemon_reserve_name (daemon, op->new_name);
      op->reserved = TRUE;
    }

  switch (op->kind)
    {
    case ST_CLONE:
      operation = "clone";
      cancelable = TRUE;
      break;
    case ST_SNAPSHOT:
      operation = "snapshot";
      break;
    case ST_RESTORE:
      operation = "restore";
      break;
    default:
      break;
    }
  if (operation)
    {
      op->job = lxcd_job_new (operation, op->uid, cancelable, name, lxcpath);
      lxcd_job_add_object (op->job, lxcd_container_get_object_path (self));
      if (op->new_name && !g_str_equal (op->new_name, name))
        {
          new_path = object_path_for (op->new_name);
          lxcd_job_add_object (op->job, new_path);
          lxcd_job_add_target (op->job, op->new_name, op->new_lxcpath);
        }
      lxcd_daemon_export_job (daemon, op->job);
      /* A copy's progress can be measured: the new root file system
       * against the old one. */
      if (op->kind == ST_CLONE && !(op->clone_flags & LXC_CLONE_SNAPSHOT))
        {
          g_autofree char *src = g_build_filename (lxcpath, name, "rootfs", NULL);
          g_autofree char *dst = g_build_filename (op->new_lxcpath, op->new_name, "rootfs", NULL);
          lxcd_job_track_copy (op->job, src, dst);
        }
    }

  if (op->kind == ST_DESTROY_SNAPSHOT || op->kind == ST_DESTROY_ALL_SNAPSHOTS)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, st_thread_done, op);
      g_task_set_task_data (task, op, NULL);
      lxcd_run_in_worker (task, st_thread);
      return;
    }

  switch (op->kind)
    {
    case ST_CLONE:
      g_ptr_array_add (argv, "clone");
      break;
    case ST_RENAME:
      g_ptr_array_add (argv, "rename");
      break;
    case ST_SNAPSHOT:
      g_ptr_array_add (argv, "snapshot");
      break;
    case ST_RESTORE:
      g_ptr_array_add (argv, "restore");
      break;
    default:
      g_assert_not_reached ();
    }
  /* liblxc runs a container's clone hooks (in clone, rename, restore and
   * snapshot, which is a clone) as host root on paths inside its root file
   * system, which the container's root controls: the helper refuses such
   * a container unless the caller is root. */
  if (op->uid == 0)
    g_ptr_array_add (argv, "--allow-clone-hooks");
  g_ptr_array_add (argv, (gpointer) lxcpath);
  g_ptr_array_add (argv, (gpointer) name);
  for (guint i = 0; i < op->args->len; i++)
    g_ptr_array_add (argv, op->args->pdata[i]);
  g_ptr_array_add (argv, NULL);
  lxcd_spawn_helper_async (lxcd_daemon_get_helper_path (daemon), (const char *const *) argv->pdata,
                           op->comment, op->job ? lxcd_job_get_cancellable (op->job) : NULL,
                           st_helper_done, op);
}

/* Whether the configuration file @path gives an id map (an lxc.idmap
 * line of its own; a map that only an included file gives does not
 * count, which errs on the safe side). */
static gboolean
config_file_has_idmap (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      const char *p = *l + strspn (*l, " \t");
      if (g_str_has_prefix (p, "lxc.idmap") && p[strspn (p + 9, " \t") + 9] == '=')
        return TRUE;
    }
  return FALSE;
}

/* main thread: what a caller without configure-host clones or restores
 * must already be unprivileged (it would make a privileged container) */
static void
st_privilege_probed (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StOp *op = user_data;
  LxcdContainer *self = op->self;
  g_autoptr(GError) error = NULL;
  gboolean privileged = lxcd_dbus_container_get_privileged (LXCD_DBUS_CONTAINER (self));

  if (lxcd_auth_check_finish (res, NULL, NULL))
    {
      st_run (op);
      return;
    }
  if (!privileged && op->kind == ST_RESTORE)
    {
      g_autofree char *config = g_build_filename (lxcd_container_get_lxcpath (self),
                                                  lxcd_container_get_name (self), "snaps",
                                                  op->snapshot, "config", NULL);
      privileged = !config_file_has_idmap (config);
    }
  if (privileged)
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                   "%s '%s%s%s' has no id map: the copy would be a privileged container, "
                   "which needs org.linuxcontainers.LXC1.configure-host",
                   op->kind == ST_RESTORE ? "Snapshot" : "Container", lxcd_container_get_name (self),
                   op->kind == ST_RESTORE ? "/" : "", op->kind == ST_RESTORE ? op->snapshot : "");
      st_reply (op, error);
      return;
    }
  st_run (op);
}

/* main thread: authorized */
static void
st_decide_privilege (StOp *op)
{
  if (op->uid == 0 || op->host_key != NULL || (op->kind != ST_CLONE && op->kind != ST_RESTORE))
    {
      st_run (op);
      return;
    }
  lxcd_auth_probe_privileged_async (
    op->invocation, op->new_name ? op->new_name : lxcd_container_get_name (op->self),
    op->new_lxcpath ? op->new_lxcpath : lxcd_container_get_lxcpath (op->self),
    st_privilege_probed, op);
}

/* main thread */
static void
st_host_authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!lxcd_auth_check_finish (res, NULL, &error))
    st_reply (op, error);
  else
    st_decide_privilege (op);
}

/* main thread */
static void
st_authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!lxcd_auth_check_finish (res, &op->uid, &error) ||
      !(op->token = lxcd_daemon_begin_operation (lxcd_container_get_daemon (op->self),
                                                 op->uid, &error)))
    {
      st_reply (op, error);
      return;
    }
  if (op->host_key)
    {
      LxcdAuthRequest request = {
        .action_id = LXCD_ACTION_CONFIGURE_HOST,
        .container = op->new_name ? op->new_name : lxcd_container_get_name (op->self),
        .lxcpath = op->new_lxcpath ? op->new_lxcpath : lxcd_container_get_lxcpath (op->self),
        .key = op->host_key,
        .options = op->options,
      };
      lxcd_auth_check_async (op->invocation, &request, NULL, st_host_authorized, op);
      return;
    }
  st_decide_privilege (op);
}

/* main thread: validated; ask polkit. For clone, the details name the new
 * container and its lxcpath, with "source" the container cloned; for
 * rename and restore, "new_name". */
static gboolean
st_authorize (StOp *op)
{
  LxcdAuthRequest request = {
    .action_id = NULL, /* the method table's: manage, read-config for ListSnapshots */
    .container = lxcd_container_get_name (op->self),
    .lxcpath = lxcd_container_get_lxcpath (op->self),
    .options = op->options,
  };

  if (op->kind == ST_CLONE)
    {
      request.container = op->new_name;
      request.lxcpath = op->new_lxcpath;
      request.extra_name = "source";
      request.extra_value = lxcd_container_get_name (op->self);
    }
  else if (op->new_name)
    {
      request.extra_name = "new_name";
      request.extra_value = op->new_name;
    }
  lxcd_auth_check_async (op->invocation, &request, NULL, st_authorized, op);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread: replies with @error and frees @op */
static gboolean
st_refuse (StOp *op, GError *error)
{
  st_reply (op, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- handlers ---------------------------------------------------------------- */

/* main thread */
static gboolean
check_new_name (StOp *op, const char *new_name, GError **error)
{
  /* (RestoreSnapshot over the container itself keeps its name, whatever
   * it is) */
  if (!(op->kind == ST_RESTORE && g_strcmp0 (new_name, lxcd_container_get_name (op->self)) == 0) &&
      !lxcd_validate_new_container_name (new_name, error))
    return FALSE;
  op->new_name = g_strdup (new_name);
  return TRUE;
}

/* main thread */
static gboolean
handle_clone (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
              const char *new_name, GVariant *options)
{
  static const LxcdOptionSpec specs[] = {
    { "lxcpath", "s" },
    { "flags", "as" },
    { "bdev_type", "s" },
    { "bdev_data", "s" },
    { "new_size", "t" },
    { "hook_args", "as" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  static const struct {
    const char *name;
    guint flag;
  } flag_names[] = {
    { "snapshot", LXC_CLONE_SNAPSHOT },
    { "keepname", LXC_CLONE_KEEPNAME },
    { "keepmacaddr", LXC_CLONE_KEEPMACADDR },
    { "keepbdevtype", LXC_CLONE_KEEPBDEVTYPE },
    { "maybe_snapshot", LXC_CLONE_MAYBE_SNAPSHOT },
    { "allowrunning", LXC_CLONE_ALLOW_RUNNING },
  };
  static const char *const bdev_types[] = {
    "dir", "btrfs", "zfs", "lvm", "loop", "overlay", "overlayfs", "rbd", NULL,
  };
  LxcdContainer *self = LXCD_CONTAINER (iface);
  LxcdDaemon *daemon = lxcd_container_get_daemon (self);
  StOp *op = st_new (self, invocation, ST_CLONE, options);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) flags = NULL;
  g_auto(GStrv) hook_args = NULL;
  const char *lxcpath = NULL;
  const char *bdev_type = "-";
  const char *bdev_data = "-";
  guint64 new_size = 0;

  if (!check_new_name (op, new_name, &error) ||
      !lxcd_options_validate (options, specs, &error))
    return st_refuse (op, error);

  if (g_variant_lookup (options, "lxcpath", "&s", &lxcpath) &&
      !lxcd_daemon_serves_lxcpath (daemon, lxcpath))
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "lxcpath '%s' is not served", lxcpath);
      return st_refuse (op, error);
    }
  op->new_lxcpath = g_strdup (lxcpath ? lxcpath : lxcd_container_get_lxcpath (self));

  if (g_variant_lookup (options, "flags", "^as", &flags))
    {
      for (char **f = flags; *f; f++)
        {
          guint i;
          for (i = 0; i < G_N_ELEMENTS (flag_names); i++)
            {
              if (g_str_equal (*f, flag_names[i].name))
                break;
            }
          if (i == G_N_ELEMENTS (flag_names))
            {
              g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "Unknown clone flag '%s'", *f);
              return st_refuse (op, error);
            }
          op->clone_flags |= flag_names[i].flag;
        }
    }
  if (g_variant_lookup (options, "bdev_type", "&s", &bdev_type) &&
      !g_strv_contains (bdev_types, bdev_type))
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Unknown backing store type '%s'", bdev_type);
      return st_refuse (op, error);
    }
  if (g_variant_lookup (options, "bdev_data", "&s", &bdev_data))
    {
      if (*bdev_data == '\0' || g_str_equal (bdev_data, "-") || strlen (bdev_data) > 4096 ||
          strpbrk (bdev_data, "\n\r") != NULL)
        {
          g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "Invalid bdev_data");
          return st_refuse (op, error);
        }
      op->host_key = "bdev_data";
    }
  if (g_variant_lookup (options, "new_size", "t", &new_size) && new_size > MAX_NEW_SIZE)
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "new_size %" G_GUINT64_FORMAT " is out of range (at most 1 PiB)", new_size);
      return st_refuse (op, error);
    }
  if (g_variant_lookup (options, "hook_args", "^as", &hook_args))
    {
      if (!lxcd_validate_argv ((const char *const *) hook_args, &error))
        return st_refuse (op, error);
      if (hook_args[0])
        op->host_key = "hook_args";
    }

  g_ptr_array_add (op->args, g_strdup (op->new_lxcpath));
  g_ptr_array_add (op->args, g_strdup (new_name));
  g_ptr_array_add (op->args, g_strdup_printf ("%u", op->clone_flags));
  g_ptr_array_add (op->args, g_strdup (bdev_type));
  g_ptr_array_add (op->args, g_strdup (bdev_data));
  g_ptr_array_add (op->args, g_strdup_printf ("%" G_GUINT64_FORMAT, new_size));
  for (char **a = hook_args; a && *a; a++)
    g_ptr_array_add (op->args, g_strdup (*a));
  return st_authorize (op);
}

/* main thread */
static gboolean
handle_rename (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *new_name)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  StOp *op = st_new (self, invocation, ST_RENAME, NULL);
  g_autoptr(GError) error = NULL;

  if (!check_new_name (op, new_name, &error))
    return st_refuse (op, error);
  if (g_str_equal (new_name, lxcd_container_get_name (self)))
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_ALREADY_EXISTS,
                   "The container is already named '%s'", new_name);
      return st_refuse (op, error);
    }
  op->new_lxcpath = g_strdup (lxcd_container_get_lxcpath (self));
  g_ptr_array_add (op->args, g_strdup (new_name));
  return st_authorize (op);
}

/* main thread */
static gboolean
handle_snapshot (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  static const LxcdOptionSpec specs[] = {
    { "comment", "s" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  StOp *op = st_new (LXCD_CONTAINER (iface), invocation, ST_SNAPSHOT, options);
  g_autoptr(GError) error = NULL;
  const char *comment = NULL;

  if (!lxcd_options_validate (options, specs, &error))
    return st_refuse (op, error);
  if (g_variant_lookup (options, "comment", "&s", &comment))
    {
      if (strlen (comment) > 65536)
        {
          g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "The comment is longer than 64 KiB");
          return st_refuse (op, error);
        }
      op->comment = g_strdup (comment);
    }
  return st_authorize (op);
}

/* main thread: a snapshot name as liblxc makes them, snapN */
static gboolean
check_snapshot_name (const char *snapshot, GError **error)
{
  size_t len = strlen (snapshot);

  if (len < 5 || len > 14 || !g_str_has_prefix (snapshot, "snap"))
    goto bad;
  for (const char *p = snapshot + 4; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        goto bad;
    }
  return TRUE;

bad:
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
               "'%s' is not a snapshot name (snapN)", snapshot);
  return FALSE;
}

/* main thread */
static gboolean
handle_restore_snapshot (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                         const char *snapshot, const char *new_name)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  StOp *op = st_new (self, invocation, ST_RESTORE, NULL);
  g_autoptr(GError) error = NULL;

  if (!check_snapshot_name (snapshot, &error) || !check_new_name (op, new_name, &error))
    return st_refuse (op, error);
  op->snapshot = g_strdup (snapshot);
  op->new_lxcpath = g_strdup (lxcd_container_get_lxcpath (self));
  g_ptr_array_add (op->args, g_strdup (snapshot));
  g_ptr_array_add (op->args, g_strdup (new_name));
  return st_authorize (op);
}

/* main thread */
static gboolean
handle_list_snapshots (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  return st_authorize (st_new (LXCD_CONTAINER (iface), invocation, ST_LIST_SNAPSHOTS, NULL));
}

/* main thread */
static gboolean
handle_destroy_snapshot (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                         const char *snapshot)
{
  StOp *op = st_new (LXCD_CONTAINER (iface), invocation, ST_DESTROY_SNAPSHOT, NULL);
  g_autoptr(GError) error = NULL;

  if (!check_snapshot_name (snapshot, &error))
    return st_refuse (op, error);
  op->snapshot = g_strdup (snapshot);
  return st_authorize (op);
}

/* main thread */
static gboolean
handle_destroy_all_snapshots (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  return st_authorize (st_new (LXCD_CONTAINER (iface), invocation, ST_DESTROY_ALL_SNAPSHOTS, NULL));
}

/**
 * lxcd_container_storage_iface_init:
 *
 * Installs the handlers of this file into the Container interface.
 */
void
lxcd_container_storage_iface_init (LxcdDBusContainerIface *iface)
{
  iface->handle_clone = handle_clone;
  iface->handle_rename = handle_rename;
  iface->handle_snapshot = handle_snapshot;
  iface->handle_list_snapshots = handle_list_snapshots;
  iface->handle_restore_snapshot = handle_restore_snapshot;
  iface->handle_destroy_snapshot = handle_destroy_snapshot;
  iface->handle_destroy_all_snapshots = handle_destroy_all_snapshots;
}
