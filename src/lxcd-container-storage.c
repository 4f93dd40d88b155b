/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: Container.Clone, Rename and the snapshot methods
 *
 * Every one of them changes what is on disk: authorized with polkit
 * (manage; configure-host for clone's host-level options; read-config to
 * list snapshots), serialized on the container's slot, run in
 * lxc-dbus-helper (clone, rename, snapshot, restore: they copy root file
 * systems and run hooks) or a worker thread (listing and destroying
 * snapshots), and replying after the objects they made or removed are
 * published. Each call is an LxcdOperation (lxcd-operation.c), which
 * takes the limit token and the slot the method table names once polkit
 * has granted the call. A new container's name is reserved for the
 * operation; if it fails or is cancelled, what it had made is removed.
 */
#include "config.h"

#include <lxc/lxccontainer.h>
#include <string.h>

#include "lxcd-auth.h"
#include "lxcd-container.h"
#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-job.h"
#include "lxcd-lxc.h"
#include "lxcd-operation.h"

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

/* What a storage call carries besides its LxcdOperation. */
typedef struct {
  StKind kind;
  char *new_name; /* clone, rename, restore */
  char *new_lxcpath;
  char *snapshot;       /* restore, destroy */
  char *comment;        /* snapshot */
  GPtrArray *args;      /* helper arguments after LXCPATH NAME */
  const char *host_key; /* why configure-host is needed, or NULL */
  guint clone_flags;
  gboolean makes_new; /* new_name is reserved: a failure removes its directory */
  char *output;       /* the helper's stdout, stripped (snapshot: its name) */
  GError *error;      /* a failure, while its leftovers are removed */
} St;

static void
st_free (St *st)
{
  g_free (st->new_name);
  g_free (st->new_lxcpath);
  g_free (st->snapshot);
  g_free (st->comment);
  g_ptr_array_unref (st->args);
  g_free (st->output);
  g_clear_error (&st->error);
  g_free (st);
}

/* main thread */
static LxcdOperation *
st_new (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, StKind kind, St **out_st)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  LxcdOperation *op = lxcd_operation_new (invocation, lxcd_container_get_daemon (self), self);
  St *st = g_new0 (St, 1);

  st->kind = kind;
  st->args = g_ptr_array_new_with_free_func (g_free);
  lxcd_operation_set_data (op, st, (GDestroyNotify) st_free);
  if (out_st)
    *out_st = st;
  return op;
}

static char *
object_path_for (const char *name)
{
  g_autofree char *escaped = g_dbus_escape_object_path (name);
  return g_strconcat ("/org/linuxcontainers/LXC1/containers/", escaped, NULL);
}

/* ---- completion ------------------------------------------------------------ */

/* main thread: the one successful reply */
static void
st_return (LxcdOperation *op)
{
  St *st = lxcd_operation_get_data (op);

  switch (st->kind)
    {
    case ST_CLONE:
    case ST_RENAME:
    case ST_RESTORE:
      {
        g_autofree char *path = object_path_for (st->new_name);
        lxcd_operation_return (op, g_variant_new ("(o)", path));
      }
      break;
    case ST_SNAPSHOT:
      lxcd_operation_return (op, g_variant_new ("(s)", st->output));
      break;
    case ST_DESTROY_SNAPSHOT:
    case ST_DESTROY_ALL_SNAPSHOTS:
    default:
      lxcd_operation_return (op, NULL);
      break;
    }
}

/* main thread: the new container is re-read; a failed re-read (ignored)
 * shows as a container that is not there */
static void
st_new_read (LxcdOperation *op, const GError *error)
{
  St *st = lxcd_operation_get_data (op);

  if (lxcd_daemon_find_container (lxcd_operation_get_daemon (op), st->new_name) == NULL)
    {
      lxcd_operation_return_new_error (op, LXCD_ERROR_FAILED,
                                       "Container '%s' was made but is not there any more",
                                       st->new_name);
      return;
    }
  st_return (op);
}

/* main thread: the source container is up to date (a failed re-read is
 * ignored: the work is done); now the new one. Its name stays reserved
 * until the reply: a re-read publishes a container whatever is reserved,
 * and no other creation can take the name meanwhile. */
static void
st_source_read (LxcdOperation *op, const GError *error)
{
  St *st = lxcd_operation_get_data (op);

  if (st->makes_new)
    lxcd_operation_reread (op, st->new_lxcpath, st->new_name, st_new_read);
  else
    st_return (op);
}

/* main thread: the work succeeded */
static void
st_work_succeeded (LxcdOperation *op)
{
  St *st = lxcd_operation_get_data (op);

  /* A clone or a snapshot leaves its source as it was (nothing it
   * publishes comes from its snapshots): only the new container, if any,
   * needs reading. A rename or a restore changes the source. */
  if (st->kind == ST_CLONE || st->kind == ST_SNAPSHOT)
    st_source_read (op, NULL);
  else
    lxcd_operation_reread (op, NULL, NULL, st_source_read);
}

/* worker thread: the directory of the new container that a failure left
 * (its name was free and reserved for us, so nothing else was there) */
static gboolean
st_remove_leftovers (LxcdOperation *op, GCancellable *cancellable, GError **error)
{
  St *st = lxcd_operation_get_data (op);
  g_autofree char *dir = g_build_filename (st->new_lxcpath, st->new_name, NULL);

  return lxcd_lxc_remove_tree (dir, error);
}

/* main thread: leftovers of a failed operation are gone (or not) */
static void
st_leftovers_removed (LxcdOperation *op, const GError *error)
{
  St *st = lxcd_operation_get_data (op);

  if (error)
    g_warning ("After a failed operation on '%s': %s",
               lxcd_container_get_name (lxcd_operation_get_container (op)), error->message);
  lxcd_operation_return_error (op, st->error);
}

/* main thread: the work failed or was cancelled */
static void
st_work_failed (LxcdOperation *op, const GError *error)
{
  St *st = lxcd_operation_get_data (op);

  if (st->makes_new && !g_error_matches (error, LXCD_ERROR, LXCD_ERROR_ALREADY_EXISTS))
    {
      st->error = g_error_copy (error);
      lxcd_operation_run_in_worker (op, st_remove_leftovers, st_leftovers_removed);
      return;
    }
  lxcd_operation_return_error (op, error);
}

/* main thread */
static void
st_helper_done (LxcdOperation *op, const char *output, const GError *error)
{
  St *st = lxcd_operation_get_data (op);

  if (output == NULL)
    {
      st_work_failed (op, error);
      return;
    }
  st->output = g_strstrip (g_strdup (output));
  st_work_succeeded (op);
}

/* worker thread. A listing replies from here (GDBusConnection is
 * thread-safe): it changes nothing the main thread publishes. */
static gboolean
st_work (LxcdOperation *op, GCancellable *cancellable, GError **error)
{
  St *st = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);
  const char *lxcpath = lxcd_container_get_lxcpath (self);
  const char *name = lxcd_container_get_name (self);
  GVariant *list;

  switch (st->kind)
    {
    case ST_LIST_SNAPSHOTS:
      list = lxcd_lxc_list_snapshots (lxcpath, name, error);
      if (list == NULL)
        return FALSE;
      lxcd_operation_return (op, g_variant_new_tuple (&list, 1));
      return TRUE;
    case ST_DESTROY_SNAPSHOT:
      return lxcd_lxc_destroy_snapshot (lxcpath, name, st->snapshot, error);
    case ST_DESTROY_ALL_SNAPSHOTS:
      return lxcd_lxc_destroy_snapshot (lxcpath, name, NULL, error);
    default:
      g_assert_not_reached ();
    }
}

/* main thread: a destroy that did not reply from its worker */
static void
st_work_done (LxcdOperation *op, const GError *error)
{
  if (error)
    lxcd_operation_return_error (op, error);
  else
    st_work_succeeded (op);
}

/* ---- running ---------------------------------------------------------------- */

/* main thread: authorized, holding the limit token and (but for
 * ListSnapshots) the slot; check the state, take the name, run */
static void
st_run (LxcdOperation *op)
{
  St *st = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);
  const char *name = lxcd_container_get_name (self);
  const char *lxcpath = lxcd_container_get_lxcpath (self);
  gboolean stopped = lxcd_container_get_state (self) == LXCD_STATE_STOPPED;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *operation = NULL;

  if (st->kind == ST_LIST_SNAPSHOTS)
    {
      lxcd_operation_run_in_worker (op, st_work, st_work_done);
      return;
    }

  if ((st->kind == ST_RENAME && !stopped) ||
      (st->kind == ST_RESTORE && g_str_equal (st->new_name, name) && !stopped) ||
      (st->kind == ST_CLONE && !stopped && !(st->clone_flags & LXC_CLONE_ALLOW_RUNNING)))
    {
      lxcd_operation_return_new_error (op, LXCD_ERROR_WRONG_STATE, "Container '%s' is %s", name,
                                       lxcd_state_to_string (lxcd_container_get_state (self)));
      return;
    }

  if (st->new_name && !g_str_equal (st->new_name, name))
    {
      if (!lxcd_operation_reserve_name (op, st->new_name, &error))
        {
          lxcd_operation_return_error (op, error);
          return;
        }
      st->makes_new = TRUE;
    }

  switch (st->kind)
    {
    case ST_CLONE:
      operation = "clone";
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
      /* (cancelable as the method table says: clone only). The new
       * container is among its objects from its first appearance, and
       * Cancel needs manage on it too. */
      LxcdJob *job = lxcd_operation_prepare_job (op, operation);

      if (st->makes_new)
        {
          g_autofree char *new_path = object_path_for (st->new_name);

          lxcd_job_add_object (job, new_path);
          lxcd_job_add_target (job, st->new_name, st->new_lxcpath);
        }
      lxcd_operation_export_job (op);
      /* A copy's progress can be measured: the new root file system
       * against the old one. */
      if (st->kind == ST_CLONE && !(st->clone_flags & LXC_CLONE_SNAPSHOT))
        {
          g_autofree char *src = g_build_filename (lxcpath, name, "rootfs", NULL);
          g_autofree char *dst = g_build_filename (st->new_lxcpath, st->new_name, "rootfs", NULL);
          lxcd_job_track_copy (job, src, dst);
        }
    }

  if (st->kind == ST_DESTROY_SNAPSHOT || st->kind == ST_DESTROY_ALL_SNAPSHOTS)
    {
      lxcd_operation_run_in_worker (op, st_work, st_work_done);
      return;
    }

  switch (st->kind)
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
  if (lxcd_operation_get_uid (op) == 0)
    g_ptr_array_add (argv, "--allow-clone-hooks");
  g_ptr_array_add (argv, (gpointer) lxcpath);
  g_ptr_array_add (argv, (gpointer) name);
  for (guint i = 0; i < st->args->len; i++)
    g_ptr_array_add (argv, st->args->pdata[i]);
  g_ptr_array_add (argv, NULL);
  /* (the Job's cancellable for a clone: Job.Cancel kills the helper) */
  lxcd_operation_run_helper (op, (const char *const *) argv->pdata, st->comment, st_helper_done);
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
  LxcdOperation *op = user_data;
  St *st = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);
  gboolean privileged = lxcd_dbus_container_get_privileged (LXCD_DBUS_CONTAINER (self));

  if (lxcd_auth_check_finish (res, NULL, NULL))
    {
      st_run (op);
      return;
    }
  if (!privileged && st->kind == ST_RESTORE)
    {
      g_autofree char *config = g_build_filename (lxcd_container_get_lxcpath (self),
                                                  lxcd_container_get_name (self), "snaps",
                                                  st->snapshot, "config", NULL);
      privileged = !config_file_has_idmap (config);
    }
  if (privileged)
    {
      lxcd_operation_return_new_error (
        op, LXCD_ERROR_NOT_AUTHORIZED,
        "%s '%s%s%s' has no id map: the copy would be a privileged container, "
        "which needs org.linuxcontainers.LXC1.configure-host",
        st->kind == ST_RESTORE ? "Snapshot" : "Container", lxcd_container_get_name (self),
        st->kind == ST_RESTORE ? "/" : "", st->kind == ST_RESTORE ? st->snapshot : "");
      return;
    }
  st_run (op);
}

/* main thread: authorized (manage, and configure-host for a host_key).
 * A caller without configure-host may not make a privileged container:
 * ask polkit, without interaction, whether it holds it for the new one. */
static void
st_decide_privilege (LxcdOperation *op)
{
  St *st = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);
  const char *name = st->new_name ? st->new_name : lxcd_container_get_name (self);
  const char *lxcpath = st->new_lxcpath ? st->new_lxcpath : lxcd_container_get_lxcpath (self);

  if (lxcd_operation_get_uid (op) == 0 || st->host_key != NULL ||
      (st->kind != ST_CLONE && st->kind != ST_RESTORE))
    {
      st_run (op);
      return;
    }
  lxcd_auth_probe_privileged_async (lxcd_operation_get_invocation (op), name, lxcpath,
                                    st_privilege_probed, op);
}

/* main thread: validated; ask polkit for the method table's action
 * (manage, read-config for ListSnapshots) and, for clone's host-level
 * options, configure-host with the detail "key". For clone, the details
 * name the new container and its lxcpath, with "source" the container
 * cloned; for rename and restore, "new_name". */
static gboolean
st_authorize (LxcdOperation *op)
{
  St *st = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);

  if (st->kind == ST_CLONE)
    {
      lxcd_operation_set_subject (op, st->new_name, st->new_lxcpath);
      lxcd_operation_add_detail (op, "source", lxcd_container_get_name (self));
    }
  else if (st->new_name)
    lxcd_operation_add_detail (op, "new_name", st->new_name);
  if (st->host_key)
    {
      lxcd_operation_add_detail (op, "key", st->host_key);
      lxcd_operation_require (op, LXCD_ACTION_CONFIGURE_HOST);
    }
  lxcd_operation_authorize (op, st_decide_privilege);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread: replies with @error */
static gboolean
st_refuse (LxcdOperation *op, const GError *error)
{
  lxcd_operation_return_error (op, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- handlers ---------------------------------------------------------------- */

/* main thread */
static gboolean
check_new_name (LxcdOperation *op, const char *new_name, GError **error)
{
  St *st = lxcd_operation_get_data (op);

  /* (RestoreSnapshot over the container itself keeps its name, whatever
   * it is) */
  if (!(st->kind == ST_RESTORE &&
        g_strcmp0 (new_name, lxcd_container_get_name (lxcd_operation_get_container (op))) == 0) &&
      !lxcd_validate_new_container_name (new_name, error))
    return FALSE;
  st->new_name = g_strdup (new_name);
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
  St *st;
  LxcdOperation *op = st_new (iface, invocation, ST_CLONE, &st);
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
  st->new_lxcpath = g_strdup (lxcpath ? lxcpath : lxcd_container_get_lxcpath (self));

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
          st->clone_flags |= flag_names[i].flag;
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
      st->host_key = "bdev_data";
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
        st->host_key = "hook_args";
    }

  g_ptr_array_add (st->args, g_strdup (st->new_lxcpath));
  g_ptr_array_add (st->args, g_strdup (new_name));
  g_ptr_array_add (st->args, g_strdup_printf ("%u", st->clone_flags));
  g_ptr_array_add (st->args, g_strdup (bdev_type));
  g_ptr_array_add (st->args, g_strdup (bdev_data));
  g_ptr_array_add (st->args, g_strdup_printf ("%" G_GUINT64_FORMAT, new_size));
  for (char **a = hook_args; a && *a; a++)
    g_ptr_array_add (st->args, g_strdup (*a));
  return st_authorize (op);
}

/* main thread */
static gboolean
handle_rename (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *new_name)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  St *st;
  LxcdOperation *op = st_new (iface, invocation, ST_RENAME, &st);
  g_autoptr(GError) error = NULL;

  if (!check_new_name (op, new_name, &error))
    return st_refuse (op, error);
  if (g_str_equal (new_name, lxcd_container_get_name (self)))
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_ALREADY_EXISTS,
                   "The container is already named '%s'", new_name);
      return st_refuse (op, error);
    }
  st->new_lxcpath = g_strdup (lxcd_container_get_lxcpath (self));
  g_ptr_array_add (st->args, g_strdup (new_name));
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
  St *st;
  LxcdOperation *op = st_new (iface, invocation, ST_SNAPSHOT, &st);
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
      st->comment = g_strdup (comment);
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
  St *st;
  LxcdOperation *op = st_new (iface, invocation, ST_RESTORE, &st);
  g_autoptr(GError) error = NULL;

  if (!check_snapshot_name (snapshot, &error) || !check_new_name (op, new_name, &error))
    return st_refuse (op, error);
  st->snapshot = g_strdup (snapshot);
  st->new_lxcpath = g_strdup (lxcd_container_get_lxcpath (self));
  g_ptr_array_add (st->args, g_strdup (snapshot));
  g_ptr_array_add (st->args, g_strdup (new_name));
  return st_authorize (op);
}

/* main thread */
static gboolean
handle_list_snapshots (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  return st_authorize (st_new (iface, invocation, ST_LIST_SNAPSHOTS, NULL));
}

/* main thread */
static gboolean
handle_destroy_snapshot (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                         const char *snapshot)
{
  St *st;
  LxcdOperation *op = st_new (iface, invocation, ST_DESTROY_SNAPSHOT, &st);
  g_autoptr(GError) error = NULL;

  if (!check_snapshot_name (snapshot, &error))
    return st_refuse (op, error);
  st->snapshot = g_strdup (snapshot);
  return st_authorize (op);
}

/* main thread */
static gboolean
handle_destroy_all_snapshots (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  return st_authorize (st_new (iface, invocation, ST_DESTROY_ALL_SNAPSHOTS, NULL));
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
