/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the daemon: object manager, lxcpaths, monitors, re-reads
 *
 * The set of container objects and their properties is kept current from
 * three sources, all arriving on the main loop:
 *  - lxc-monitord state messages (LxcdMonitor "state"), applied at once;
 *  - inotify on the lxcpaths (LxcdMonitor "changed"), and every operation
 *    of ours, which ask for a re-read of one container from liblxc in a
 *    worker thread (a "sync");
 *  - a rescan of a whole lxcpath at start and on every (re)connection to
 *    lxc-monitord (LxcdMonitor "resync"), so nothing missed while
 *    disconnected stays wrong.
 * A sync started before a monitor event for the same container does not
 * overwrite the newer state: it is run again instead.
 */
#include "config.h"

#include "lxcd-daemon.h"
#include "lxcd-idmap.h"
#include "lxcd-error.h"
#include "lxcd-lxc.h"
#include "lxcd-manager.h"
#include "lxcd-monitor.h"

typedef struct {
  LxcdDaemon *daemon;
  char *key;
  char *lxcpath;
  char *name;
  gboolean running;
  gboolean again;
  guint64 seq_at_start;
  gboolean had_container;
  GList *current; /* of GTask, completed by the running sync */
  GList *pending; /* of GTask, completed by the next one */
} SyncEntry;

struct _LxcdDaemon {
  GObject parent_instance;

  GDBusConnection *connection;
  GDBusObjectManagerServer *object_manager;
  LxcdManager *manager;
  char **lxcpaths;
  char *helper_path;
  char *monitord_path;
  GHashTable *containers; /* name -> LxcdContainer */
  GHashTable *syncs;      /* "lxcpath/name" -> SyncEntry */
  GPtrArray *monitors;    /* of LxcdMonitor */
  GHashTable *reserved;   /* names being created by our jobs */
  guint next_job_id;
  LxcdLimits *limits;     /* concurrent operations per caller uid */
  char *idmap_setting;    /* IdMap= of [Unprivileged], or NULL */
  GArray *idmap_reserved; /* of guint32: uid bases of containers being made */
  GHashTable *rescans;    /* lxcpath -> timeout source id of a scan to come */
};

G_DEFINE_TYPE (LxcdDaemon, lxcd_daemon, G_TYPE_OBJECT)

static void scan_lxcpath (LxcdDaemon *self, const char *lxcpath, GTask *task);

/* ---- container objects -------------------------------------------------- */

/* main thread: position of a served lxcpath (earlier ones win collisions) */
static guint
lxcpath_index (LxcdDaemon *self, const char *lxcpath)
{
  guint i;

  for (i = 0; self->lxcpaths[i]; i++)
    {
      if (g_str_equal (self->lxcpaths[i], lxcpath))
        break;
    }
  return i;
}

/* main thread */
static void
add_container (LxcdDaemon *self, const LxcdInfo *info)
{
  LxcdContainer *container = lxcd_container_new (self, info->lxcpath, info->name);

  lxcd_container_apply_info (container, info, TRUE);
  g_hash_table_insert (self->containers, g_strdup (info->name), container);
  g_dbus_object_manager_server_export (self->object_manager,
                                       G_DBUS_OBJECT_SKELETON (lxcd_container_get_object (container)));
  g_debug ("container %s added (%s)", info->name, info->lxcpath);
}

/* main thread */
static void
remove_container (LxcdDaemon *self, LxcdContainer *container)
{
  g_autofree char *name = g_strdup (lxcd_container_get_name (container));
  g_autofree char *lxcpath = g_strdup (lxcd_container_get_lxcpath (container));

  g_object_ref (container);
  g_hash_table_remove (self->containers, name);
  g_dbus_object_manager_server_unexport (self->object_manager,
                                         lxcd_container_get_object_path (container));
  lxcd_container_vanished (container);
  g_object_unref (container);
  g_debug ("container %s removed (%s)", name, lxcpath);

  /* A container of the same name in another lxcpath may have been hidden
   * behind this one. */
  for (char **p = self->lxcpaths; *p; p++)
    {
      if (!g_str_equal (*p, lxcpath))
        lxcd_daemon_sync_container (self, *p, name, NULL, NULL, NULL);
    }
}

/* ---- syncs: re-read one container in a worker thread --------------------- */

static void sync_start (SyncEntry *entry);

/* worker thread */
static void
sync_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SyncEntry *entry = task_data;

  g_task_return_pointer (task, lxcd_lxc_read_info (entry->lxcpath, entry->name),
                         (GDestroyNotify) lxcd_info_free);
}

/* main thread */
static void
sync_complete_tasks (GList *tasks)
{
  for (GList *l = tasks; l; l = l->next)
    {
      g_task_return_boolean (l->data, TRUE);
      g_object_unref (l->data);
    }
  g_list_free (tasks);
}

/* main thread */
static void
sync_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LxcdDaemon *self = LXCD_DAEMON (source);
  SyncEntry *entry = user_data;
  g_autoptr(LxcdInfo) info = g_task_propagate_pointer (G_TASK (res), NULL);
  LxcdContainer *container = g_hash_table_lookup (self->containers, entry->name);
  GList *done;

  if (container && !g_str_equal (lxcd_container_get_lxcpath (container), entry->lxcpath))
    {
      /* Names are unique across lxcpaths: the earlier lxcpath wins. */
      if (info->exists &&
          lxcpath_index (self, entry->lxcpath) < lxcpath_index (self, lxcd_container_get_lxcpath (container)))
        {
          g_message ("Container '%s' in %s is hidden by the one of the same name in %s",
                     entry->name, lxcd_container_get_lxcpath (container), entry->lxcpath);
          remove_container (self, container);
          add_container (self, info);
        }
      else if (info->exists)
        {
          g_message ("Container '%s' in %s is hidden by the one of the same name in %s",
                     entry->name, entry->lxcpath, lxcd_container_get_lxcpath (container));
        }
    }
  else if (info->exists)
    {
      if (container == NULL)
        {
          add_container (self, info);
        }
      else
        {
          gboolean fresh = entry->had_container &&
                           lxcd_container_get_event_seq (container) == entry->seq_at_start;
          lxcd_container_apply_info (container, info, fresh);
          if (!fresh)
            entry->again = TRUE;
        }
    }
  else if (container != NULL)
    {
      remove_container (self, container);
    }

  done = g_steal_pointer (&entry->current);
  entry->running = FALSE;
  if (entry->again)
    {
      entry->again = FALSE;
      entry->current = g_steal_pointer (&entry->pending);
      sync_start (entry);
    }
  else
    {
      g_hash_table_remove (self->syncs, entry->key);
    }
  sync_complete_tasks (done);
}

/* main thread */
static void
sync_start (SyncEntry *entry)
{
  LxcdDaemon *self = entry->daemon;
  LxcdContainer *container = g_hash_table_lookup (self->containers, entry->name);
  g_autoptr(GTask) task = NULL;

  entry->running = TRUE;
  entry->had_container = container != NULL;
  entry->seq_at_start = container ? lxcd_container_get_event_seq (container) : 0;
  task = g_task_new (self, NULL, sync_done, entry);
  g_task_set_task_data (task, entry, NULL);
  lxcd_run_in_worker (task, sync_thread);
}

static void
sync_entry_free (SyncEntry *entry)
{
  g_warn_if_fail (entry->current == NULL && entry->pending == NULL);
  g_free (entry->key);
  g_free (entry->lxcpath);
  g_free (entry->name);
  g_free (entry);
}

/**
 * lxcd_daemon_sync_container:
 * @callback: (nullable): called once a re-read that started after this
 *   call has been published
 *
 * Re-reads one container from disk and liblxc in a worker thread and
 * publishes the result: the object appears, changes or disappears. Main
 * thread.
 */
void
lxcd_daemon_sync_container (LxcdDaemon *self, const char *lxcpath, const char *name,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autofree char *key = g_strconcat (lxcpath, "/", name, NULL);
  SyncEntry *entry = g_hash_table_lookup (self->syncs, key);
  GTask *task = NULL;

  if (callback)
    task = g_task_new (self, cancellable, callback, user_data);

  if (entry == NULL)
    {
      entry = g_new0 (SyncEntry, 1);
      entry->daemon = self;
      entry->key = g_steal_pointer (&key);
      entry->lxcpath = g_strdup (lxcpath);
      entry->name = g_strdup (name);
      g_hash_table_insert (self->syncs, entry->key, entry);
    }

  if (entry->running)
    {
      entry->again = TRUE;
      if (task)
        entry->pending = g_list_append (entry->pending, task);
    }
  else
    {
      if (task)
        entry->current = g_list_append (entry->current, task);
      sync_start (entry);
    }
}

gboolean
lxcd_daemon_sync_container_finish (LxcdDaemon *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- scans: re-read a whole lxcpath -------------------------------------- */

typedef struct {
  char *lxcpath;
  guint outstanding;
  gboolean look_again; /* a leftover too recent to remove was seen */
} ScanData;

static void
scan_data_free (ScanData *data)
{
  g_free (data->lxcpath);
  g_free (data);
}

/* worker thread */
static void
scan_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ScanData *data = task_data;
  GError *error = NULL;
  char **names = lxcd_lxc_list_names (data->lxcpath, &data->look_again, &error);

  if (names == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, names, (GDestroyNotify) g_strfreev);
}

/* main thread */
static void
scan_one_synced (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ScanData *data = g_task_get_task_data (task);

  if (--data->outstanding == 0)
    g_task_return_boolean (task, TRUE);
}

static void schedule_rescan (LxcdDaemon *self, const char *lxcpath);

/* main thread */
static void
scan_listed (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LxcdDaemon *self = LXCD_DAEMON (source);
  g_autoptr(GTask) outer = user_data; /* may be NULL */
  ScanData *data = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = g_task_propagate_pointer (G_TASK (res), &error);
  g_autoptr(GHashTable) todo = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;
  ScanData *outer_data = NULL;

  if (names == NULL)
    {
      g_warning ("Cannot list containers in %s: %s", data->lxcpath, error->message);
    }
  else
    {
      for (char **n = names; *n; n++)
        g_hash_table_add (todo, *n);
    }
  if (data->look_again)
    schedule_rescan (self, data->lxcpath);
  /* Containers we know there that are gone from the listing. */
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_str_equal (lxcd_container_get_lxcpath (value), data->lxcpath))
        g_hash_table_add (todo, key);
    }

  if (outer)
    {
      outer_data = g_task_get_task_data (outer);
      outer_data->outstanding = g_hash_table_size (todo) + 1;
    }
  g_hash_table_iter_init (&iter, todo);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (outer)
        lxcd_daemon_sync_container (self, data->lxcpath, key, NULL, scan_one_synced,
                                    g_object_ref (outer));
      else
        lxcd_daemon_sync_container (self, data->lxcpath, key, NULL, NULL, NULL);
    }
  if (outer && --outer_data->outstanding == 0)
    g_task_return_boolean (outer, TRUE);
}

/* A rescan after a leftover too recent to judge: just past its grace. */
#define LXCD_RESCAN_DELAY_S 11

typedef struct {
  LxcdDaemon *self;
  char *lxcpath;
} Rescan;

static void
rescan_free (Rescan *rescan)
{
  g_free (rescan->lxcpath);
  g_free (rescan);
}

/* main thread */
static gboolean
rescan_due (gpointer user_data)
{
  Rescan *rescan = user_data;

  g_hash_table_remove (rescan->self->rescans, rescan->lxcpath);
  scan_lxcpath (rescan->self, rescan->lxcpath, NULL);
  return G_SOURCE_REMOVE;
}

/* main thread: one more scan of @lxcpath a little later (a leftover of an
 * interrupted create may be too recent to tell from one in progress) */
static void
schedule_rescan (LxcdDaemon *self, const char *lxcpath)
{
  Rescan *rescan;
  guint id;

  if (g_hash_table_contains (self->rescans, lxcpath))
    return;
  rescan = g_new0 (Rescan, 1);
  rescan->self = self;
  rescan->lxcpath = g_strdup (lxcpath);
  id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, LXCD_RESCAN_DELAY_S, rescan_due, rescan,
                                   (GDestroyNotify) rescan_free);
  g_hash_table_insert (self->rescans, g_strdup (lxcpath), GUINT_TO_POINTER (id));
}

/* main thread: @task (nullable) completes once every container found has
 * been published */
static void
scan_lxcpath (LxcdDaemon *self, const char *lxcpath, GTask *task)
{
  g_autoptr(GTask) list_task = g_task_new (self, NULL, scan_listed, task ? g_object_ref (task) : NULL);
  ScanData *data = g_new0 (ScanData, 1);

  data->lxcpath = g_strdup (lxcpath);
  g_task_set_task_data (list_task, data, (GDestroyNotify) scan_data_free);
  if (task)
    {
      ScanData *outer = g_new0 (ScanData, 1);
      outer->lxcpath = g_strdup (lxcpath);
      g_task_set_task_data (task, outer, (GDestroyNotify) scan_data_free);
    }
  lxcd_run_in_worker (list_task, scan_thread);
}

/* ---- monitors ------------------------------------------------------------ */

/* main thread */
static void
on_monitor_state (LxcdMonitor *monitor, const char *name, gint state, gpointer user_data)
{
  LxcdDaemon *self = user_data;
  const char *lxcpath = lxcd_monitor_get_lxcpath (monitor);
  LxcdContainer *container = g_hash_table_lookup (self->containers, name);

  if (state < 0 || state >= LXCD_STATE_N_STATES)
    return;
  if (container && g_str_equal (lxcd_container_get_lxcpath (container), lxcpath))
    {
      lxcd_container_state_event (container, (LxcdState) state);
      /* The init pid changes with these; re-read it. */
      if (state == LXCD_STATE_RUNNING || state == LXCD_STATE_STOPPED)
        lxcd_daemon_sync_container (self, lxcpath, name, NULL, NULL, NULL);
    }
  else if (container == NULL)
    {
      /* A container we do not know yet, e.g. started without a config in
       * the lxcpath: find out. */
      lxcd_daemon_sync_container (self, lxcpath, name, NULL, NULL, NULL);
    }
}

/* main thread */
static void
on_monitor_changed (LxcdMonitor *monitor, const char *name, gpointer user_data)
{
  LxcdDaemon *self = user_data;

  lxcd_daemon_sync_container (self, lxcd_monitor_get_lxcpath (monitor), name, NULL, NULL, NULL);
}

/* main thread */
static void
on_monitor_resync (LxcdMonitor *monitor, gpointer user_data)
{
  LxcdDaemon *self = user_data;

  g_debug ("rescanning %s", lxcd_monitor_get_lxcpath (monitor));
  scan_lxcpath (self, lxcd_monitor_get_lxcpath (monitor), NULL);
}

/* ---- start ---------------------------------------------------------------- */

typedef struct {
  guint outstanding;
} StartData;

/* main thread: every container found at start is exported; put them all
 * on the bus at once. Before this the object manager has no connection,
 * so the initial exports emit no InterfacesAdded signals (nobody can
 * have seen the objects yet: the name is taken only after this). */
static void
start_publish (GTask *start_task)
{
  LxcdDaemon *self = g_task_get_source_object (start_task);

  g_dbus_object_manager_server_set_connection (self->object_manager, self->connection);
  g_task_return_boolean (start_task, TRUE);
}

/* main thread */
static void
start_scan_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *start_task = user_data;
  StartData *data = g_task_get_task_data (start_task);

  if (--data->outstanding == 0)
    start_publish (start_task);
  g_object_unref (start_task);
}

/**
 * lxcd_daemon_start_async:
 *
 * Exports the object manager and the Manager object, starts watching
 * every lxcpath and completes once every container found has been
 * published. Main thread.
 */
void
lxcd_daemon_start_async (LxcdDaemon *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  StartData *data = g_new0 (StartData, 1);
  g_autoptr(LxcdDBusObjectSkeleton) manager_object = NULL;

  g_task_set_task_data (task, data, g_free);

  self->manager = lxcd_manager_new (self);
  manager_object = lxcd_dbus_object_skeleton_new ("/org/linuxcontainers/LXC1/Manager");
  lxcd_dbus_object_skeleton_set_manager (manager_object, LXCD_DBUS_MANAGER (self->manager));
  g_dbus_object_manager_server_export (self->object_manager,
                                       G_DBUS_OBJECT_SKELETON (manager_object));

  for (char **p = self->lxcpaths; *p; p++)
    {
      g_autoptr(LxcdMonitor) monitor = lxcd_monitor_new (*p, self->monitord_path);
      g_autoptr(GError) error = NULL;

      g_signal_connect (monitor, "state", G_CALLBACK (on_monitor_state), self);
      g_signal_connect (monitor, "changed", G_CALLBACK (on_monitor_changed), self);
      g_signal_connect (monitor, "resync", G_CALLBACK (on_monitor_resync), self);
      if (!lxcd_monitor_start (monitor, &error))
        g_warning ("Cannot watch %s: %s; changes made outside the service will not be seen",
                   *p, error->message);
      g_ptr_array_add (self->monitors, g_steal_pointer (&monitor));
    }

  data->outstanding = 1;
  for (char **p = self->lxcpaths; *p; p++)
    {
      GTask *scan_task = g_task_new (self, NULL, start_scan_done, g_object_ref (task));
      data->outstanding++;
      scan_lxcpath (self, *p, scan_task);
      g_object_unref (scan_task);
    }
  if (--data->outstanding == 0)
    start_publish (task);
}

gboolean
lxcd_daemon_start_finish (LxcdDaemon *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- jobs and names -------------------------------------------------------- */

/**
 * lxcd_daemon_export_job:
 *
 * Puts @job on the bus at /org/linuxcontainers/LXC1/jobs/N. Main thread.
 */
void
lxcd_daemon_export_job (LxcdDaemon *self, LxcdJob *job)
{
  g_autofree char *path = g_strdup_printf ("/org/linuxcontainers/LXC1/jobs/%u", ++self->next_job_id);
  g_autoptr(LxcdDBusObjectSkeleton) object = lxcd_dbus_object_skeleton_new (path);

  lxcd_dbus_object_skeleton_set_job (object, LXCD_DBUS_JOB (job));
  lxcd_job_set_object (job, object);
  g_dbus_object_manager_server_export (self->object_manager, G_DBUS_OBJECT_SKELETON (object));
  g_debug ("job %s: %s started", path, lxcd_dbus_job_get_operation (LXCD_DBUS_JOB (job)));
}

/**
 * lxcd_daemon_finish_job:
 * @error: (nullable): why it failed
 *
 * Emits Completed and removes the job from the bus. Main thread.
 */
void
lxcd_daemon_finish_job (LxcdDaemon *self, LxcdJob *job, const GError *error)
{
  LxcdDBusObjectSkeleton *object = lxcd_job_get_object (job);

  lxcd_job_complete (job, error);
  if (object && self->object_manager)
    {
      g_debug ("job %s: %s", lxcd_job_get_object_path (job), error ? error->message : "done");
      g_dbus_object_manager_server_unexport (self->object_manager,
                                             g_dbus_object_get_object_path (G_DBUS_OBJECT (object)));
    }
}

/**
 * lxcd_daemon_name_taken:
 *
 * Whether a container @name exists in any served lxcpath (as an object, a
 * directory, or a creation of ours in progress). Main thread (a stat per
 * lxcpath).
 */
gboolean
lxcd_daemon_name_taken (LxcdDaemon *self, const char *name)
{
  if (g_hash_table_contains (self->containers, name) || g_hash_table_contains (self->reserved, name))
    return TRUE;
  for (char **p = self->lxcpaths; *p; p++)
    {
      g_autofree char *dir = g_build_filename (*p, name, NULL);
      if (g_file_test (dir, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  return FALSE;
}

void
lxcd_daemon_reserve_name (LxcdDaemon *self, const char *name)
{
  g_hash_table_add (self->reserved, g_strdup (name));
}

void
lxcd_daemon_release_name (LxcdDaemon *self, const char *name)
{
  g_hash_table_remove (self->reserved, name);
}

LxcdManager *
lxcd_daemon_get_manager (LxcdDaemon *self)
{
  return self->manager;
}

/* ---- accessors ------------------------------------------------------------ */

GDBusConnection *
lxcd_daemon_get_connection (LxcdDaemon *self)
{
  return self->connection;
}

const char *const *
lxcd_daemon_get_lxcpaths (LxcdDaemon *self)
{
  return (const char *const *) self->lxcpaths;
}

gboolean
lxcd_daemon_serves_lxcpath (LxcdDaemon *self, const char *lxcpath)
{
  return g_strv_contains ((const char *const *) self->lxcpaths, lxcpath);
}

const char *
lxcd_daemon_get_helper_path (LxcdDaemon *self)
{
  return self->helper_path;
}

/**
 * lxcd_daemon_begin_operation:
 *
 * Counts an operation of @uid against the per-user limit. Main thread.
 *
 * Returns: (transfer full): a token to release when the operation ends, or
 * %NULL with %LXCD_ERROR_LIMITS_EXCEEDED.
 */
LxcdLimitToken *
lxcd_daemon_begin_operation (LxcdDaemon *self, uid_t uid, GError **error)
{
  return lxcd_limits_acquire (self->limits, uid, error);
}

/**
 * lxcd_daemon_set_operations_per_user:
 * @max: 0 for no limit
 *
 * Sets how many operations one (non-root) uid may run at once. Main
 * thread, before the daemon starts.
 */
void
lxcd_daemon_set_operations_per_user (LxcdDaemon *self, guint max)
{
  g_clear_pointer (&self->limits, lxcd_limits_unref);
  self->limits = lxcd_limits_new (max);
}

/**
 * lxcd_daemon_set_idmap_setting:
 * @setting: (nullable): BASE:COUNT, already checked
 *
 * The host id range of the unprivileged containers that callers other
 * than root make (see lxcd-idmap.c). Main thread, before the daemon
 * starts.
 */
void
lxcd_daemon_set_idmap_setting (LxcdDaemon *self, const char *setting)
{
  g_free (self->idmap_setting);
  self->idmap_setting = g_strdup (setting);
}

/**
 * lxcd_daemon_take_unprivileged_idmap:
 *
 * The id map for a new unprivileged container, from the setting and
 * root's ranges in /etc/subuid and /etc/subgid (read now: an admin may
 * add them while the service runs): a block no served container maps and
 * no other create has taken (reserved until
 * lxcd_daemon_release_unprivileged_idmap()), or the whole range if it
 * holds only one. Main thread.
 */
gboolean
lxcd_daemon_take_unprivileged_idmap (LxcdDaemon *self, LxcdIdmap *out, GError **error)
{
  g_autoptr(GHashTable) used = g_hash_table_new (NULL, NULL);
  LxcdIdmap range;
  GHashTableIter iter;
  gpointer value;

  if (!lxcd_idmap_resolve (self->idmap_setting, "/etc/subuid", "/etc/subgid", &range, error))
    return FALSE;
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      guint32 base = lxcd_container_get_idmap_uid_base (value);
      if (base != 0)
        g_hash_table_add (used, GUINT_TO_POINTER (base));
    }
  for (guint i = 0; i < self->idmap_reserved->len; i++)
    g_hash_table_add (used, GUINT_TO_POINTER (g_array_index (self->idmap_reserved, guint32, i)));
  if (!lxcd_idmap_pick_block (&range, used, out))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_SUPPORTED,
                   "Cannot make an unprivileged container: each of the %u blocks of %u ids "
                   "of root's range %u:%u is used by a container; give root a larger range in "
                   "/etc/subuid and /etc/subgid", range.count / LXCD_IDMAP_DEFAULT_COUNT,
                   LXCD_IDMAP_DEFAULT_COUNT, range.uid_base, range.count);
      return FALSE;
    }
  if (out->count < range.count)
    g_array_append_val (self->idmap_reserved, out->uid_base);
  return TRUE;
}

/**
 * lxcd_daemon_release_unprivileged_idmap:
 *
 * The create that took @uid_base is over (its container, if made, now
 * shows the map itself). Main thread.
 */
void
lxcd_daemon_release_unprivileged_idmap (LxcdDaemon *self, guint32 uid_base)
{
  for (guint i = 0; i < self->idmap_reserved->len; i++)
    {
      if (g_array_index (self->idmap_reserved, guint32, i) == uid_base)
        {
          g_array_remove_index_fast (self->idmap_reserved, i);
          return;
        }
    }
}

LxcdContainer *
lxcd_daemon_find_container (LxcdDaemon *self, const char *name)
{
  return g_hash_table_lookup (self->containers, name);
}

static gint
compare_by_name (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (lxcd_container_get_name (*(LxcdContainer **) a),
                    lxcd_container_get_name (*(LxcdContainer **) b));
}

/**
 * lxcd_daemon_list_containers:
 *
 * Returns: (transfer container): every container, sorted by name. Main thread.
 */
GPtrArray *
lxcd_daemon_list_containers (LxcdDaemon *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, g_object_ref (value));
  g_ptr_array_sort (list, compare_by_name);
  return list;
}

/* ---- GObject -------------------------------------------------------------- */

static void
lxcd_daemon_dispose (GObject *object)
{
  LxcdDaemon *self = LXCD_DAEMON (object);

  if (self->monitors)
    {
      for (guint i = 0; i < self->monitors->len; i++)
        g_signal_handlers_disconnect_by_data (self->monitors->pdata[i], self);
      g_clear_pointer (&self->monitors, g_ptr_array_unref);
    }
  if (self->containers)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->containers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        lxcd_container_vanished (value);
      g_clear_pointer (&self->containers, g_hash_table_unref);
    }
  if (self->object_manager)
    g_dbus_object_manager_server_set_connection (self->object_manager, NULL);
  g_clear_object (&self->object_manager);
  g_clear_object (&self->manager);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (lxcd_daemon_parent_class)->dispose (object);
}

static void
lxcd_daemon_finalize (GObject *object)
{
  LxcdDaemon *self = LXCD_DAEMON (object);

  g_clear_pointer (&self->syncs, g_hash_table_unref);
  g_clear_pointer (&self->reserved, g_hash_table_unref);
  g_clear_pointer (&self->limits, lxcd_limits_unref);
  g_strfreev (self->lxcpaths);
  g_free (self->helper_path);
  g_free (self->monitord_path);
  g_free (self->idmap_setting);
  g_array_unref (self->idmap_reserved);
  {
    GHashTableIter iter;
    gpointer id;

    g_hash_table_iter_init (&iter, self->rescans);
    while (g_hash_table_iter_next (&iter, NULL, &id))
      g_source_remove (GPOINTER_TO_UINT (id));
    g_hash_table_unref (self->rescans);
  }
  G_OBJECT_CLASS (lxcd_daemon_parent_class)->finalize (object);
}

static void
lxcd_daemon_init (LxcdDaemon *self)
{
  self->containers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->syncs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) sync_entry_free);
  self->monitors = g_ptr_array_new_with_free_func (g_object_unref);
  self->reserved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->limits = lxcd_limits_new (LXCD_DEFAULT_OPERATIONS_PER_USER);
  self->idmap_reserved = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->rescans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->object_manager = g_dbus_object_manager_server_new ("/org/linuxcontainers/LXC1");
}

static void
lxcd_daemon_class_init (LxcdDaemonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lxcd_daemon_dispose;
  object_class->finalize = lxcd_daemon_finalize;
}

/**
 * lxcd_daemon_new:
 * @lxcpaths: canonical lxcpaths, the first is the default
 *
 * Main thread.
 */
LxcdDaemon *
lxcd_daemon_new (GDBusConnection *connection, const char *const *lxcpaths,
                 const char *helper_path, const char *monitord_path)
{
  LxcdDaemon *self = g_object_new (LXCD_TYPE_DAEMON, NULL);

  self->connection = g_object_ref (connection);
  self->lxcpaths = g_strdupv ((char **) lxcpaths);
  self->helper_path = g_strdup (helper_path);
  self->monitord_path = g_strdup (monitord_path);
  return self;
}
