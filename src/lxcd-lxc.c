/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: liblxc calls, run in worker threads only
 *
 * Each operation uses a fresh struct lxc_container, dropped at the end, so
 * two threads never share one (see notes on liblxc and threads). Nothing
 * here forks a long-lived process: start goes through lxc-dbus-helper.
 */
#include "config.h"


#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <lxc/lxccontainer.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lxcd-config-keys.h"
#include "lxcd-error.h"
#include "lxcd-idmap.h"
#include "lxcd-lxc.h"
#include "lxcd-usage.h"

typedef struct lxc_container LxcContainer;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxcContainer, lxc_container_put)

void
lxcd_info_free (LxcdInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->lxcpath);
  g_free (info->name);
  g_free (info->config_file);
  g_free (info);
}

/* worker thread */
static char *
get_config_item (struct lxc_container *c, const char *key)
{
  int len = c->get_config_item (c, key, NULL, 0);
  g_autofree char *buf = NULL;

  if (len <= 0)
    return NULL;
  buf = g_malloc0 ((gsize) len + 1);
  if (c->get_config_item (c, key, buf, len + 1) < 0)
    return NULL;
  return g_steal_pointer (&buf);
}

/**
 * lxcd_lxc_read_info:
 *
 * Reads the container's state from disk and liblxc. Worker thread.
 */
LxcdInfo *
lxcd_lxc_read_info (const char *lxcpath, const char *name)
{
  LxcdInfo *info = g_new0 (LxcdInfo, 1);
  g_autofree char *dir = g_build_filename (lxcpath, name, NULL);
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *partial = g_build_filename (dir, "partial", NULL);
  g_autoptr(LxcContainer) c = NULL;

  info->lxcpath = g_strdup (lxcpath);
  info->name = g_strdup (name);
  info->state = LXCD_STATE_STOPPED;
  info->init_pid = -1;
  info->privileged = TRUE; /* until the configuration shows an id map */
  info->defined = g_file_test (config, G_FILE_TEST_IS_REGULAR) &&
                  !g_file_test (partial, G_FILE_TEST_EXISTS);

  c = lxc_container_new (name, lxcpath);
  if (c == NULL)
    {
      info->exists = info->defined;
      return info;
    }

  if (!lxcd_state_from_string (c->state (c), &info->state))
    info->state = LXCD_STATE_STOPPED;
  if (info->state != LXCD_STATE_STOPPED)
    {
      pid_t pid = c->init_pid (c);
      info->init_pid = pid > 0 ? (gint) pid : -1;
    }

  info->exists = info->defined || info->state != LXCD_STATE_STOPPED;
  if (info->exists)
    {
      g_autofree char *autostart = NULL;
      char *file = c->config_file_name (c);

      info->config_file = g_strdup (file);
      free (file);
      if (info->defined)
        autostart = get_config_item (c, "lxc.start.auto");
      info->autostart = autostart != NULL && g_strcmp0 (g_strstrip (autostart), "0") != 0 &&
                        *autostart != '\0';
      if (info->defined)
        {
          g_autofree char *idmap = get_config_item (c, "lxc.idmap");

          info->privileged = idmap == NULL || *g_strstrip (idmap) == '\0';
          info->idmap_uid_base = lxcd_idmap_parse_uid_base (idmap);
        }
    }
  return info;
}

/* How long a "partial" marker may be seen without its lock: its maker
 * creates it, then locks it (liblxc's create_partial(), the helper's
 * mark_partial()). */
#define PARTIAL_GRACE_S 10

/*
 * partial_is_abandoned:
 * @dir: a container's directory
 *
 * Whether @dir holds a container that was being made (a "partial"
 * marker) by a process that is gone: nobody holds the marker's lock
 * (liblxc's create and the helper's clone, rename and restore hold it while
 * they work, and the kernel drops it when they die), and it is older
 * than %PARTIAL_GRACE_S (@out_too_young set when only that is missing).
 * Worker thread.
 */
static gboolean
partial_is_abandoned (const char *dir, gboolean *out_too_young)
{
  g_autofree char *marker = g_build_filename (dir, "partial", NULL);
  struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  struct stat st;
  int fd = open (marker, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  gboolean abandoned;

  if (fd < 0)
    return FALSE;
  abandoned = fstat (fd, &st) == 0 && S_ISREG (st.st_mode) &&
              fcntl (fd, F_GETLK, &lk) == 0 && lk.l_type == F_UNLCK;
  close (fd);
  if (abandoned && st.st_mtime + PARTIAL_GRACE_S >= time (NULL))
    {
      /* (maybe its maker has not locked it yet: look again later) */
      if (out_too_young)
        *out_too_young = TRUE;
      return FALSE;
    }
  return abandoned;
}

/* worker thread: removes what an interrupted create or clone left */
static gboolean
remove_if_abandoned (const char *dir, gboolean *out_too_young)
{
  g_autoptr(GError) error = NULL;

  if (!partial_is_abandoned (dir, out_too_young))
    return FALSE;
  if (!lxcd_lxc_remove_tree (dir, &error))
    {
      g_warning ("%s was left by an interrupted create or clone, and cannot be removed: %s", dir,
                 error->message);
      return FALSE;
    }
  g_message ("Removed %s: left by a create or clone that was interrupted (nobody holds its "
             "'partial' marker)", dir);
  return TRUE;
}

/**
 * lxcd_lxc_list_names:
 *
 * Candidate container names in @lxcpath: its subdirectories (not starting
 * with '.') and the active containers liblxc knows. Callers check each
 * with lxcd_lxc_read_info(). A directory left by a create or clone whose
 * maker died is removed (partial_is_abandoned()); one that may be
 * such a leftover but is too recent to tell sets @out_look_again. Worker
 * thread.
 */
char **
lxcd_lxc_list_names (const char *lxcpath, gboolean *out_look_again, GError **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *entry;
  char **active = NULL;
  int n_active;

  dir = g_dir_open (lxcpath, 0, error);
  if (dir == NULL)
    return NULL;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      char *copy;

      if (entry[0] == '.')
        continue;
      path = g_build_filename (lxcpath, entry, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      if (remove_if_abandoned (path, out_look_again))
        continue;
      /* (the name GDir returns lives only until the next one) */
      copy = g_strdup (entry);
      g_ptr_array_add (names, copy);
      g_hash_table_add (seen, copy);
    }

  n_active = list_active_containers (lxcpath, &active, NULL);
  for (int i = 0; i < n_active; i++)
    {
      if (!g_hash_table_contains (seen, active[i]))
        g_ptr_array_add (names, g_strdup (active[i]));
    }
  for (int i = 0; i < n_active; i++)
    free (active[i]);
  free (active);

  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* worker thread */
static void
set_lxc_error (GError **error, struct lxc_container *c, const char *what)
{
  if (c->error_string && *c->error_string)
    g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED, "%s: %s (liblxc error %d)",
                 what, c->error_string, c->error_num);
  else
    g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED, "%s", what);
}

/**
 * lxcd_lxc_run_op:
 * @out_value: (out) (optional): for queries, the answer
 *
 * Runs one short liblxc operation on a fresh container object. The
 * requests for shutdown and reboot only send the signal; callers wait on
 * the service's own state tracking. Worker thread.
 */
gboolean
lxcd_lxc_run_op (const char *lxcpath, const char *name, LxcdOp op,
                 gboolean *out_value, GError **error)
{
  g_autoptr(LxcContainer) c = lxc_container_new (name, lxcpath);
  gboolean ok = FALSE;

  if (c == NULL)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_FOUND,
                   "liblxc could not open container '%s' in %s", name, lxcpath);
      return FALSE;
    }

  switch (op)
    {
    case LXCD_OP_STOP:
      if (!c->is_running (c))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                       "Container '%s' is not running", name);
          return FALSE;
        }
      ok = c->stop (c);
      if (!ok)
        set_lxc_error (error, c, "Failed to stop the container");
      break;
    case LXCD_OP_FREEZE:
      ok = c->freeze (c);
      if (!ok)
        set_lxc_error (error, c, "Failed to freeze the container");
      break;
    case LXCD_OP_UNFREEZE:
      ok = c->unfreeze (c);
      if (!ok)
        set_lxc_error (error, c, "Failed to unfreeze the container");
      break;
    case LXCD_OP_REQUEST_SHUTDOWN:
      if (!c->is_running (c))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                       "Container '%s' is not running", name);
          return FALSE;
        }
      ok = c->shutdown (c, 0);
      if (!ok)
        set_lxc_error (error, c, "Failed to request the container's shutdown");
      break;
    case LXCD_OP_REQUEST_REBOOT:
      if (!c->is_running (c))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                       "Container '%s' is not running", name);
          return FALSE;
        }
      ok = c->reboot2 (c, 0);
      if (!ok)
        set_lxc_error (error, c, "Failed to request the container's reboot");
      break;
    case LXCD_OP_MAY_CONTROL:
      if (out_value)
        *out_value = c->may_control (c);
      ok = TRUE;
      break;
    default:
      g_assert_not_reached ();
    }
  return ok;
}

/**
 * lxcd_lxc_destroy:
 * @force: stop a running container first
 * @with_snapshots: also destroy its snapshots
 *
 * Worker thread.
 */
gboolean
lxcd_lxc_destroy (const char *lxcpath, const char *name, gboolean force, gboolean with_snapshots,
                  GError **error)
{
  g_autoptr(LxcContainer) c = lxc_container_new (name, lxcpath);
  struct lxc_snapshot *snaps = NULL;
  int n_snaps;

  if (c == NULL || !c->is_defined (c))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_FOUND,
                   "Container '%s' is not defined in %s", name, lxcpath);
      return FALSE;
    }
  n_snaps = c->snapshot_list (c, &snaps);
  for (int i = 0; i < n_snaps; i++)
    snaps[i].free (&snaps[i]);
  free (snaps);
  if (n_snaps > 0 && !with_snapshots)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                   "Container '%s' has %d snapshot(s); destroy them too with with_snapshots",
                   name, n_snaps);
      return FALSE;
    }
  if (c->is_running (c))
    {
      if (!force)
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                       "Container '%s' is running; stop it first or use force", name);
          return FALSE;
        }
      if (!c->stop (c) || !c->wait (c, "STOPPED", 30))
        {
          set_lxc_error (error, c, "Failed to stop the container before destroying it");
          return FALSE;
        }
    }
  /* (destroy_with_snapshots() fails when there is nothing to destroy) */
  if (!(n_snaps > 0 ? c->destroy_with_snapshots (c) : c->destroy (c)))
    {
      set_lxc_error (error, c, "Failed to destroy the container");
      return FALSE;
    }
  return TRUE;
}

/**
 * lxcd_lxc_list_snapshots:
 *
 * The container's snapshots as a(ssss): name, comment text, timestamp,
 * lxcpath. Worker thread.
 */
GVariant *
lxcd_lxc_list_snapshots (const char *lxcpath, const char *name, GError **error)
{
  g_autoptr(LxcContainer) c = lxc_container_new (name, lxcpath);
  struct lxc_snapshot *snaps = NULL;
  GVariantBuilder builder;
  int n;

  if (c == NULL || !c->is_defined (c))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_FOUND, "Container '%s' is not defined", name);
      return NULL;
    }
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssss)"));
  n = c->snapshot_list (c, &snaps);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *comment = NULL;
      gsize len = 0;

      if (snaps[i].comment_pathname &&
          g_file_get_contents (snaps[i].comment_pathname, &comment, &len, NULL))
        {
          if (len > LXCD_MAX_COMMENT_LEN || !g_utf8_validate (comment, (gssize) len, NULL))
            g_clear_pointer (&comment, g_free);
        }
      g_variant_builder_add (&builder, "(ssss)", snaps[i].name ? snaps[i].name : "",
                             comment ? g_strchomp (comment) : "",
                             snaps[i].timestamp ? snaps[i].timestamp : "",
                             snaps[i].lxcpath ? snaps[i].lxcpath : "");
      snaps[i].free (&snaps[i]);
    }
  free (snaps);
  return g_variant_builder_end (&builder);
}

/**
 * lxcd_lxc_destroy_snapshot:
 * @snapshot: (nullable): the snapshot's name, or %NULL for all of them
 *
 * Worker thread.
 */
gboolean
lxcd_lxc_destroy_snapshot (const char *lxcpath, const char *name, const char *snapshot,
                           GError **error)
{
  g_autoptr(LxcContainer) c = lxc_container_new (name, lxcpath);
  struct lxc_snapshot *snaps = NULL;
  gboolean found = FALSE;
  int n;

  if (c == NULL || !c->is_defined (c))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_FOUND, "Container '%s' is not defined", name);
      return FALSE;
    }
  n = c->snapshot_list (c, &snaps);
  for (int i = 0; i < n; i++)
    {
      if (snapshot && g_strcmp0 (snaps[i].name, snapshot) == 0)
        found = TRUE;
      snaps[i].free (&snaps[i]);
    }
  free (snaps);
  if (snapshot == NULL)
    {
      if (n > 0 && !c->snapshot_destroy_all (c))
        {
          set_lxc_error (error, c, "Failed to destroy the snapshots");
          return FALSE;
        }
      return TRUE;
    }
  if (!found)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_FOUND,
                   "Container '%s' has no snapshot '%s'", name, snapshot);
      return FALSE;
    }
  if (!c->snapshot_destroy (c, snapshot))
    {
      set_lxc_error (error, c, "Failed to destroy the snapshot");
      return FALSE;
    }
  return TRUE;
}

/* worker thread: whether the file at @path (ours, just written) is within
 * the config file bounds; never reads more than the bound */
static gboolean
config_file_is_within_bounds (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  struct stat st;

  if (stat (path, &st) < 0)
    {
      int errsv = errno;
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED, "Cannot read %s: %s", path,
                   g_strerror (errsv));
      return FALSE;
    }
  if (st.st_size > LXCD_CONFIG_MAX_BYTES)
    return lxcd_config_text_is_within_bounds ("", (gsize) st.st_size, error);
  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  return lxcd_config_text_is_within_bounds (text, len, error);
}

/* worker thread: saves @c's configuration to @path through a temporary file
 * in the same directory and rename(2), so that a reader (or a crash) never
 * sees a torn file; the file keeps its mode.
 *
 * Durability: the new file's data is synced before the rename, so that
 * after a crash @path holds the old configuration or the new one, whole,
 * never a torn or empty file. The directory is synced after the rename,
 * which makes the rename itself survive a power loss; @saved (if any) is
 * called between the two, once @path holds the new configuration for every
 * reader: a caller may reply there and leave the directory sync (about as
 * long as the data sync on ext4) out of its latency. Until that sync is
 * done a power loss can only bring back the old file.
 *
 * With @bounded, the new file must pass lxcd_config_text_is_within_bounds()
 * (size, lines, values of one key), checked on the temporary file before
 * the rename: a refused change leaves @path untouched. */
static gboolean
save_config_atomically (struct lxc_container *c, const char *path, gboolean bounded,
                        LxcdConfigSavedFunc saved, gpointer user_data, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_build_filename (dir, ".config.lxc-dbus-XXXXXX", NULL);
  struct stat st;
  int fd;

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0640);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED, "Cannot write in %s: %s", dir,
                   g_strerror (errsv));
      return FALSE;
    }
  if (stat (path, &st) == 0)
    (void) fchmod (fd, st.st_mode & 07777);
  close (fd);
  if (!c->save_config (c, tmp))
    {
      unlink (tmp);
      set_lxc_error (error, c, "liblxc could not save the configuration");
      return FALSE;
    }
  if (bounded && !config_file_is_within_bounds (tmp, error))
    {
      unlink (tmp);
      return FALSE;
    }
  fd = open (tmp, O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      (void) fsync (fd);
      close (fd);
    }
  if (rename (tmp, path) < 0)
    {
      int errsv = errno;
      unlink (tmp);
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED, "Cannot replace %s: %s", path,
                   g_strerror (errsv));
      return FALSE;
    }
  if (saved)
    saved (user_data);
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    {
      (void) fsync (fd);
      close (fd);
    }
  return TRUE;
}

/* worker thread */
static struct lxc_container *
open_defined (const char *lxcpath, const char *name, GError **error)
{
  struct lxc_container *c = lxc_container_new (name, lxcpath);

  if (c == NULL || !c->is_defined (c))
    {
      if (c)
        lxc_container_put (c);
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_FOUND, "Container '%s' is not defined", name);
      return NULL;
    }
  return c;
}

/**
 * lxcd_lxc_change_config:
 * @arg: the value (SET), or a file path (LOAD, SAVE_AS)
 *
 * @saved: (nullable): called (in this thread) once the file is in place,
 *   before the directory is synced; never on failure
 *
 * Changes the container's configuration and writes it to its config file
 * at once, atomically (SAVE_AS writes a copy to @arg instead). Nothing is
 * written if liblxc refuses the change. Once @saved was called this
 * returns TRUE. Worker thread.
 */
/* worker thread
 *
 * liblxc's set_config_item() appends a "KEY = VALUE" line to the file's
 * text even for a key that holds one value, so setting lxc.start.delay ten
 * times leaves ten lines (the last wins). When the key now reads back as
 * exactly @value -- it holds one value, or a list of just this one --
 * its earlier lines are dropped; keys that gather values (lxc.mount.entry,
 * lxc.environment, ...) read back as the whole list and keep every line. */
static void
collapse_single_value (struct lxc_container *c, const char *key, const char *value)
{
  int len = c->get_config_item (c, key, NULL, 0);
  g_autofree char *now = NULL;

  if (len < 0 || (gsize) len != strlen (value))
    return;
  now = g_malloc0 ((gsize) len + 1);
  if (c->get_config_item (c, key, now, len + 1) != len || strcmp (now, value) != 0)
    return;
  if (c->clear_config_item (c, key))
    (void) c->set_config_item (c, key, value);
}

/* worker thread: @c's value of @key, "" when unset */
static char *
config_item_or_empty (struct lxc_container *c, const char *key)
{
  char *value = get_config_item (c, key);

  /* liblxc reports some unset strings as "(null)" */
  if (value == NULL || g_str_equal (value, "(null)"))
    {
      g_free (value);
      return g_strdup ("");
    }
  return value;
}

/* worker thread: refuses lxc.uts.name to a configure-only caller where
 * liblxc would set it in the host's UTS namespace (see
 * lxcd_config_hostname_stays_inside()) */
static gboolean
hostname_stays_inside (struct lxc_container *c, const char *name, GError **error)
{
  g_autofree char *keep = config_item_or_empty (c, "lxc.namespace.keep");
  g_autofree char *clone = config_item_or_empty (c, "lxc.namespace.clone");
  g_autofree char *share = config_item_or_empty (c, "lxc.namespace.share.uts");

  if (lxcd_config_hostname_stays_inside (keep, clone, share))
    return TRUE;
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
               "Container '%s' runs in the host's UTS namespace (lxc.namespace.keep/clone): "
               "lxc.uts.name would rename the host; it needs "
               "org.linuxcontainers.LXC1.configure-host", name);
  return FALSE;
}

gboolean
lxcd_lxc_change_config (const char *lxcpath, const char *name, LxcdConfigChange change,
                        const char *key, const char *arg, LxcdConfigSavedFunc saved,
                        gpointer user_data, GError **error)
{
  g_autoptr(LxcContainer) c = open_defined (lxcpath, name, error);
  g_autofree char *path = NULL;
  char *file;

  if (c == NULL)
    return FALSE;
  file = c->config_file_name (c);
  path = g_strdup (file);
  free (file);

  switch (change)
    {
    case LXCD_CONFIG_SET_ORDINARY:
      if (g_str_equal (key, "lxc.uts.name") && !hostname_stays_inside (c, name, error))
        return FALSE;
      G_GNUC_FALLTHROUGH;
    case LXCD_CONFIG_SET:
      if (!c->set_config_item (c, key, arg))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "liblxc refused the value of '%s'", key);
          return FALSE;
        }
      collapse_single_value (c, key, arg);
      break;
    case LXCD_CONFIG_CLEAR_ITEM:
      if (!c->clear_config_item (c, key))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "liblxc could not clear '%s'", key);
          return FALSE;
        }
      break;
    case LXCD_CONFIG_CLEAR_ALL:
      c->clear_config (c);
      break;
    case LXCD_CONFIG_LOAD:
      c->clear_config (c);
      if (!c->load_config (c, arg))
        {
          set_lxc_error (error, c, "liblxc could not load the configuration file");
          return FALSE;
        }
      break;
    case LXCD_CONFIG_SAVE_AS:
      return save_config_atomically (c, arg, TRUE, saved, user_data, error);
    default:
      g_assert_not_reached ();
    }
  /* Clears only remove lines: they stay possible on a file that grew
   * beyond the bounds outside the service, so it can be cut down. */
  return save_config_atomically (c, path,
                                 change != LXCD_CONFIG_CLEAR_ITEM && change != LXCD_CONFIG_CLEAR_ALL,
                                 saved, user_data, error);
}

/**
 * lxcd_lxc_get_config_item:
 * @running: ask the running container (get_running_config_item)
 *
 * Returns: the value ("" when unset). Worker thread.
 */
char *
lxcd_lxc_get_config_item (const char *lxcpath, const char *name, const char *key,
                          gboolean running, GError **error)
{
  g_autoptr(LxcContainer) c = open_defined (lxcpath, name, error);

  if (c == NULL)
    return NULL;
  if (running)
    {
      char *value;

      if (!c->is_running (c))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                       "Container '%s' is not running", name);
          return NULL;
        }
      value = c->get_running_config_item (c, key);
      if (value == NULL)
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "The running container has no value for '%s'", key);
          return NULL;
        }
      {
        char *copy = g_strdup (value);
        free (value);
        return copy;
      }
    }
  else
    {
      int len = c->get_config_item (c, key, NULL, 0);
      g_autofree char *buf = NULL;

      if (len < 0)
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "liblxc cannot read '%s'", key);
          return NULL;
        }
      buf = g_malloc0 ((gsize) len + 1);
      if (len > 0 && c->get_config_item (c, key, buf, len + 1) < 0)
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "liblxc cannot read '%s'", key);
          return NULL;
        }
      return g_steal_pointer (&buf);
    }
}

/**
 * lxcd_lxc_get_keys:
 *
 * The keys under @prefix ("" for the top-level ones). Worker thread.
 */
char **
lxcd_lxc_get_keys (const char *lxcpath, const char *name, const char *prefix, GError **error)
{
  g_autoptr(LxcContainer) c = open_defined (lxcpath, name, error);
  g_autofree char *buf = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = NULL;
  int len;

  if (c == NULL)
    return NULL;
  len = c->get_keys (c, *prefix ? prefix : NULL, NULL, 0);
  if (len < 0)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "liblxc has no keys under '%s'", prefix);
      return NULL;
    }
  buf = g_malloc0 ((gsize) len + 1);
  if (len > 0 && c->get_keys (c, *prefix ? prefix : NULL, buf, len + 1) < 0)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "liblxc has no keys under '%s'", prefix);
      return NULL;
    }
  lines = g_strsplit (buf, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      if (**l)
        g_ptr_array_add (keys, g_strdup (*l));
    }
  g_ptr_array_add (keys, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&keys), FALSE);
}

/**
 * lxcd_lxc_cgroup_item:
 * @value: (nullable): set this value; %NULL reads
 *
 * Returns: the value read, or "" after setting; %NULL on error. Worker
 * thread.
 */
char *
lxcd_lxc_cgroup_item (const char *lxcpath, const char *name, const char *key, const char *value,
                      GError **error)
{
  g_autoptr(LxcContainer) c = open_defined (lxcpath, name, error);
  g_autofree char *buf = NULL;
  int len;

  if (c == NULL)
    return NULL;
  if (!c->is_running (c))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running", name);
      return NULL;
    }
  if (value)
    {
      if (!c->set_cgroup_item (c, key, value))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "The kernel or liblxc refused %s = %s", key, value);
          return NULL;
        }
      return g_strdup ("");
    }
  len = c->get_cgroup_item (c, key, NULL, 0);
  if (len < 0)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "No cgroup item '%s'", key);
      return NULL;
    }
  buf = g_malloc0 ((gsize) len + 1);
  if (len > 0 && c->get_cgroup_item (c, key, buf, len + 1) < 0)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "No cgroup item '%s'", key);
      return NULL;
    }
  return g_strdup (g_strchomp (buf));
}

/* worker thread: a cgroup item of a running container, NULL if the
 * kernel (or this cgroup version) has none */
static char *
cgroup_read (LxcContainer *c, const char *key)
{
  char buf[4096];
  int len = c->get_cgroup_item (c, key, buf, sizeof buf);

  if (len < 0 || (gsize) len >= sizeof buf)
    return NULL;
  buf[len] = '\0';
  return g_strdup (buf);
}

/* Whether the host has cgroup v2 alone (then v2 names are tried first;
 * on v1 and hybrid hosts v1 names are, which saves the container's monitor
 * a question per item). Any thread. */
static gboolean
host_is_cgroup2 (void)
{
  static gsize once = 0;
  static gboolean v2;

  if (g_once_init_enter (&once))
    {
      v2 = access ("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
      g_once_init_leave (&once, 1);
    }
  return v2;
}

/* worker thread: the number in the first item the container's cgroups
 * have, of @v2 and @v1 (in the host's order) */
static gboolean
cgroup_u64 (LxcContainer *c, const char *v2, const char *v1, guint64 *out)
{
  const char *keys[] = { host_is_cgroup2 () ? v2 : v1, host_is_cgroup2 () ? v1 : v2 };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *text = keys[i] ? cgroup_read (c, keys[i]) : NULL;

      if (text)
        return lxcd_usage_parse_u64 (text, out);
    }
  return FALSE;
}

/* worker thread: CPU time in ns (v2 cpu.stat's usage_usec, v1 cpuacct.usage) */
static gboolean
cgroup_cpu_ns (LxcContainer *c, guint64 *out)
{
  g_autofree char *text = NULL;
  guint64 usec;

  /* (v1 has a cpu.stat too, without usage_usec) */
  if (!host_is_cgroup2 () && cgroup_u64 (c, NULL, "cpuacct.usage", out))
    return TRUE;
  text = cgroup_read (c, "cpu.stat");
  if (text && lxcd_usage_parse_keyed (text, "usage_usec", &usec))
    {
      *out = usec * 1000;
      return TRUE;
    }
  return cgroup_u64 (c, NULL, "cpuacct.usage", out);
}

/* worker thread: bytes read and written (v2 io.stat, v1 blkio) */
static gboolean
cgroup_io (LxcContainer *c, guint64 *read_bytes, guint64 *write_bytes)
{
  g_autofree char *v1 = NULL;
  g_autofree char *v2 = NULL;

  if (!host_is_cgroup2 () && (v1 = cgroup_read (c, "blkio.throttle.io_service_bytes")))
    return lxcd_usage_parse_blkio (v1, read_bytes, write_bytes);
  if ((v2 = cgroup_read (c, "io.stat")))
    return lxcd_usage_parse_io_stat (v2, read_bytes, write_bytes);
  v1 = v1 ? v1 : cgroup_read (c, "blkio.throttle.io_service_bytes");
  return v1 && lxcd_usage_parse_blkio (v1, read_bytes, write_bytes);
}

/* worker thread: when @pid started, in µs since the epoch */
static gboolean
process_start_usec (pid_t pid, guint64 *out)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  g_autofree char *sys_stat = NULL;
  const char *btime;
  guint64 boot_s, ticks;
  long hz = sysconf (_SC_CLK_TCK);

  if (hz <= 0 || !g_file_get_contents (path, &stat, NULL, NULL) ||
      !lxcd_usage_parse_stat_starttime (stat, &ticks) ||
      !g_file_get_contents ("/proc/stat", &sys_stat, NULL, NULL) ||
      !(btime = strstr (sys_stat, "\nbtime ")) ||
      !lxcd_usage_parse_keyed (btime + 1, "btime", &boot_s))
    return FALSE;
  *out = boot_s * G_USEC_PER_SEC + ticks * G_USEC_PER_SEC / (guint64) hz;
  return TRUE;
}

static void
add_u64 (GVariantBuilder *builder, const char *key, guint64 value)
{
  g_variant_builder_add (builder, "{sv}", key, g_variant_new_uint64 (value));
}

/* worker thread: a small file of procfs or cgroupfs, never through a link */
static char *
read_small_file (const char *path)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buf[4096];
  ssize_t n;
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  while ((n = read (fd, buf, sizeof buf)) > 0 && text->len < LXCD_USAGE_MAX_FILE)
    g_string_append_len (text, buf, n);
  close (fd);
  if (n < 0)
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* worker thread: a file of the container's payload cgroup in hierarchy
 * @controller ("" for v2) */
static char *
payload_read (const char *proc_cgroup, const char *controller, const char *name, const char *file)
{
  g_autofree char *path = lxcd_usage_payload_path (proc_cgroup, controller, name);
  g_autofree char *full = NULL;

  if (path == NULL)
    return NULL;
  full = g_build_filename ("/sys/fs/cgroup", controller, path, file, NULL);
  return read_small_file (full);
}

static gboolean
payload_u64 (const char *proc_cgroup, const char *controller, const char *name, const char *file,
             guint64 *out)
{
  g_autofree char *text = payload_read (proc_cgroup, controller, name, file);

  return text && lxcd_usage_parse_u64 (text, out);
}

/* worker thread: the cgroup half of lxcd_lxc_get_usage() read straight
 * from cgroupfs, when @pid is the init of container @name (its cgroup is
 * lxc.payload.NAME, see lxcd_usage_payload_path()); a few file reads
 * where liblxc asks the container's monitor once per item. FALSE if @pid
 * is not (or no longer) in the container's cgroup: then liblxc decides. */
static gboolean
usage_from_cgroupfs (const char *name, pid_t pid, GVariantBuilder *builder)
{
  g_autofree char *cgroup_path = g_strdup_printf ("/proc/%d/cgroup", (int) pid);
  g_autofree char *cg = read_small_file (cgroup_path);
  gboolean v2 = host_is_cgroup2 ();
  const char *hier = v2 ? "" : "memory";
  g_autofree char *check = NULL;
  g_autofree char *text = NULL;
  guint64 a, b;

  /* the one hierarchy every container has */
  check = lxcd_usage_payload_path (cg, v2 ? "" : "pids", name);
  if (check == NULL)
    return FALSE;
  if (v2)
    {
      text = payload_read (cg, "", name, "cpu.stat");
      if (text && lxcd_usage_parse_keyed (text, "usage_usec", &a))
        add_u64 (builder, "cpu_usage_ns", a * 1000);
    }
  else if (payload_u64 (cg, "cpuacct", name, "cpuacct.usage", &a))
    add_u64 (builder, "cpu_usage_ns", a);
  if (payload_u64 (cg, hier, name, v2 ? "memory.current" : "memory.usage_in_bytes", &a))
    add_u64 (builder, "memory_current", a);
  if (payload_u64 (cg, hier, name, v2 ? "memory.peak" : "memory.max_usage_in_bytes", &a))
    add_u64 (builder, "memory_peak", a);
  if (payload_u64 (cg, hier, name, v2 ? "memory.max" : "memory.limit_in_bytes", &a) &&
      a < LXCD_USAGE_NO_LIMIT)
    add_u64 (builder, "memory_limit", a);
  if (payload_u64 (cg, v2 ? "" : "pids", name, "pids.current", &a))
    add_u64 (builder, "processes", a);
  g_clear_pointer (&text, g_free);
  text = v2 ? payload_read (cg, "", name, "io.stat")
            : payload_read (cg, "blkio", name, "blkio.throttle.io_service_bytes");
  if (text && (v2 ? lxcd_usage_parse_io_stat (text, &a, &b) : lxcd_usage_parse_blkio (text, &a, &b)))
    {
      add_u64 (builder, "io_read_bytes", a);
      add_u64 (builder, "io_write_bytes", b);
    }
  return TRUE;
}

/* worker thread: the cgroup half of lxcd_lxc_get_usage() through liblxc
 * (it asks the container's monitor for its cgroup, once per item)
 *
 * Returns: the container's init pid, or -1 with NotFound or WrongState */
static pid_t
usage_from_liblxc (const char *lxcpath, const char *name, GVariantBuilder *builder,
                   GError **error)
{
  g_autoptr(LxcContainer) c = lxc_container_new (name, lxcpath);
  guint64 a, b;
  pid_t pid;

  if (c == NULL)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_FOUND, "Container '%s' does not exist", name);
      return -1;
    }
  pid = c->is_running (c) ? c->init_pid (c) : -1;
  if (pid <= 0)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running", name);
      return -1;
    }
  if (cgroup_cpu_ns (c, &a))
    add_u64 (builder, "cpu_usage_ns", a);
  if (cgroup_u64 (c, "memory.current", "memory.usage_in_bytes", &a))
    add_u64 (builder, "memory_current", a);
  if (cgroup_u64 (c, "memory.peak", "memory.max_usage_in_bytes", &a))
    add_u64 (builder, "memory_peak", a);
  /* ("max" on v2, a number near 2^63 on v1: no limit, left out) */
  if (cgroup_u64 (c, "memory.max", "memory.limit_in_bytes", &a) && a < LXCD_USAGE_NO_LIMIT)
    add_u64 (builder, "memory_limit", a);
  if (cgroup_u64 (c, "pids.current", NULL, &a))
    add_u64 (builder, "processes", a);
  if (cgroup_io (c, &a, &b))
    {
      add_u64 (builder, "io_read_bytes", a);
      add_u64 (builder, "io_write_bytes", b);
    }
  return pid;
}

/* worker thread: what the init's procfs says, read as root (the devices
 * of its net namespace, its start) */
static void
usage_from_procfs (pid_t pid, GVariantBuilder *builder)
{
  g_autofree char *net_dev = g_strdup_printf ("/proc/%d/net/dev", (int) pid);
  g_autofree char *net_text = read_small_file (net_dev);
  guint64 a, b;

  if (net_text && lxcd_usage_parse_net_dev (net_text, &a, &b))
    {
      add_u64 (builder, "net_rx_bytes", a);
      add_u64 (builder, "net_tx_bytes", b);
    }
  if (process_start_usec (pid, &a))
    add_u64 (builder, "started_usec", a);
}

/**
 * lxcd_lxc_get_usage:
 *
 * What a running container uses of the host: its cgroups' counters
 * (through liblxc's get_cgroup_item(), which asks the container's monitor
 * for its cgroup, v2 or v1 names, whichever the host has), its network
 * interfaces' counters (/proc/PID/net/dev of its init: the container's
 * network namespace) and its init's start time. Keys a kernel does not
 * report are left out; see Container.GetUsage() in the XML. Worker thread.
 *
 * Returns: (transfer full): an a{sv}, or %NULL with NotFound or
 * WrongState.
 */
GVariant *
lxcd_lxc_get_usage (const char *lxcpath, const char *name, gint pid_hint, GError **error)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  pid_t pid = pid_hint;

  if (pid <= 0 || !usage_from_cgroupfs (name, pid, &builder))
    {
      pid = usage_from_liblxc (lxcpath, name, &builder, error);
      if (pid <= 0)
        return NULL;
    }
  usage_from_procfs (pid, &builder);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/**
 * lxcd_lxc_console_getfd:
 * @tty: (inout): the tty to allocate (-1: the first free one, 0: the
 *   console); the one allocated
 * @out_keep: the descriptor that keeps it allocated (close to release)
 * @out_master: the pty master
 *
 * Worker thread (no fork: liblxc asks the container's monitor).
 */
gboolean
lxcd_lxc_console_getfd (const char *lxcpath, const char *name, int *tty, int *out_keep,
                        int *out_master, GError **error)
{
  g_autoptr(LxcContainer) c = open_defined (lxcpath, name, error);
  int master = -1, keep;

  if (c == NULL)
    return FALSE;
  if (!c->is_running (c))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running", name);
      return FALSE;
    }
  keep = c->console_getfd (c, tty, &master);
  if (keep < 0 || master < 0)
    {
      if (keep >= 0)
        close (keep);
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_BUSY,
                   "No free tty %d in container '%s' (see lxc.tty.max)", *tty, name);
      return FALSE;
    }
  /* Ours are close-on-exec: never inherited by a helper. */
  (void) fcntl (keep, F_SETFD, FD_CLOEXEC);
  (void) fcntl (master, F_SETFD, FD_CLOEXEC);
  *out_keep = keep;
  *out_master = master;
  return TRUE;
}

/**
 * lxcd_lxc_console_log:
 * @clear: empty the ring buffer once read
 * @max: the most bytes to read (the rest stays in the buffer)
 *
 * Reads the running container's console ring buffer (console_log(); its
 * monitor keeps it when lxc.console.buffer.size is set). liblxc moves the
 * buffer's read position past what it returns.
 *
 * Returns: (transfer full): the bytes read (maybe none), or NULL with
 * WrongState (not running) or NotSupported (no buffer). Worker thread (no
 * fork: liblxc asks the container's monitor).
 */
GBytes *
lxcd_lxc_console_log (const char *lxcpath, const char *name, gboolean clear, guint64 max,
                      GError **error)
{
  g_autoptr(LxcContainer) c = open_defined (lxcpath, name, error);
  uint64_t read_max = max;
  struct lxc_console_log log = { .clear = clear, .read = true, .read_max = &read_max };
  GBytes *bytes;
  int ret;

  if (c == NULL)
    return NULL;
  if (!c->is_running (c))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running", name);
      return NULL;
    }
  ret = c->console_log (c, &log);
  /* -ENODATA: the buffer is empty (liblxc then clears nothing either) */
  if (ret == -ENODATA)
    {
      free (log.data);
      return g_bytes_new (NULL, 0);
    }
  if (ret == -EFAULT)
    {
      free (log.data);
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_SUPPORTED,
                   "Container '%s' keeps no console log: set lxc.console.buffer.size "
                   "(e.g. to auto) and restart it", name);
      return NULL;
    }
  if (ret < 0)
    {
      free (log.data);
      if (!c->is_running (c))
        g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                     "Container '%s' is not running", name);
      else
        g_set_error (error, LXCD_ERROR, LXCD_ERROR_FAILED,
                     "Could not read the console log of '%s': %s", name, g_strerror (-ret));
      return NULL;
    }
  if (log.data == NULL)
    return g_bytes_new (NULL, 0);
  bytes = g_bytes_new (log.data, read_max);
  free (log.data);
  return bytes;
}

/* worker thread */
static void
remove_tree_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (lxcd_lxc_remove_tree (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * lxcd_lxc_remove_tree_async:
 *
 * lxcd_lxc_remove_tree() in a worker thread. Main thread.
 */
void
lxcd_lxc_remove_tree_async (const char *path, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_task_data (task, g_strdup (path), g_free);
  lxcd_run_in_worker (task, remove_tree_thread);
}

gboolean
lxcd_lxc_remove_tree_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static __thread guint64 tree_size_sum;

static int
add_entry_size (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  if (type == FTW_F)
    tree_size_sum += (guint64) st->st_size;
  return 0;
}

/**
 * lxcd_lxc_tree_size:
 *
 * The total size of the regular files below @path (not following links,
 * not crossing mounts); 0 if it does not exist. Worker thread.
 */
guint64
lxcd_lxc_tree_size (const char *path)
{
  tree_size_sum = 0;
  (void) nftw (path, add_entry_size, 32, FTW_PHYS | FTW_MOUNT);
  return tree_size_sum;
}

static int
remove_entry (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  if (type == FTW_DP)
    return rmdir (path) < 0 && errno != ENOENT ? -1 : 0;
  return unlink (path) < 0 && errno != ENOENT ? -1 : 0;
}

/**
 * lxcd_lxc_remove_tree:
 *
 * Removes @path and everything below it, without following symlinks or
 * crossing into other file systems (what a cancelled create or clone left
 * behind). Worker thread.
 */
gboolean
lxcd_lxc_remove_tree (const char *path, GError **error)
{
  if (nftw (path, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot remove %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/**
 * lxcd_lxc_config_key_is_supported:
 *
 * Whether liblxc knows @key. lxc_config_item_is_supported() matches its
 * table exactly, where families of keys (lxc.net.N.*, lxc.cgroup.*, ...)
 * have one entry: check the family for those; liblxc's set_config_item()
 * still rejects a bad member later. Any thread (a table lookup).
 */
gboolean
lxcd_lxc_config_key_is_supported (const char *key)
{
  /* liblxc's families: one table entry (some with a trailing '.', which
   * lxc_config_item_is_supported() matches only exactly) for many keys */
  static const char *const families[] = {
    "lxc.net.", "lxc.cgroup.", "lxc.cgroup2.", "lxc.prlimit.", "lxc.sysctl.", "lxc.proc.",
    "lxc.namespace.share.", NULL,
  };

  if (lxc_config_item_is_supported (key))
    return TRUE;
  for (const char *const *f = families; *f; f++)
    {
      size_t len = strlen (*f);
      g_autofree char *bare = g_strndup (*f, len - 1);

      if (strncmp (key, *f, len) == 0 && key[len] != '\0')
        return lxc_config_item_is_supported (*f) || lxc_config_item_is_supported (bare);
    }
  return FALSE;
}

/* The keys liblxc's global configuration knows (lxc-config -l); liblxc
 * answers NULL both for unknown keys and for known keys without a value. */
static const char *const global_config_keys[] = {
  "lxc.default_config",
  "lxc.lxcpath",
  "lxc.bdev.lvm.vg",
  "lxc.bdev.lvm.thin_pool",
  "lxc.bdev.zfs.root",
  "lxc.cgroup.use",
  "lxc.cgroup.pattern",
  NULL,
};

/**
 * lxcd_lxc_read_global_config:
 *
 * Every global key with its value ("" when it has none). liblxc reads its
 * global configuration once per thread and keeps it for the thread's
 * lifetime, so the service reads it once, at start, on the main thread
 * (before the main loop runs): worker threads come and go and would each
 * leave a copy behind.
 *
 * Returns: (transfer full): key -> value
 */
GHashTable *
lxcd_lxc_read_global_config (void)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (const char *const *key = global_config_keys; *key; key++)
    {
      const char *value = lxc_get_global_config_item (*key);
      g_hash_table_insert (table, (gpointer) *key, g_strdup (value ? value : ""));
    }
  return table;
}

/**
 * lxcd_lxc_get_wait_states:
 *
 * liblxc's list of state names. Any thread.
 */
char **
lxcd_lxc_get_wait_states (void)
{
  int n = lxc_get_wait_states (NULL);
  g_autofree const char **states = NULL;
  GStrvBuilder *builder = g_strv_builder_new ();
  char **result;

  if (n > 0)
    {
      states = g_new0 (const char *, (gsize) n + 1);
      lxc_get_wait_states (states);
      for (int i = 0; i < n; i++)
        g_strv_builder_add (builder, states[i]);
    }
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

typedef struct {
  GTask *task;
  GTaskThreadFunc func;
} WorkItem;

/* worker thread */
static void
worker_func (gpointer item_ptr, gpointer user_data)
{
  WorkItem *item = item_ptr;
  GTask *task = item->task;

  item->func (task, g_task_get_source_object (task), g_task_get_task_data (task),
              g_task_get_cancellable (task));
  g_object_unref (task);
  g_free (item);
}

/**
 * lxcd_run_in_worker:
 *
 * Runs @func in one of the service's own worker threads (not GTask's
 * shared pool, which a slow liblxc call must not starve). @func must
 * return a result on @task. Main thread.
 */
void
lxcd_run_in_worker (GTask *task, GTaskThreadFunc func)
{
  static GThreadPool *pool = NULL;
  WorkItem *item;

  /* Exclusive threads that live as long as the service: liblxc keeps
   * per-thread copies of its global configuration (thread-local), which
   * threads that come and go would leave behind. */
  if (pool == NULL)
    pool = g_thread_pool_new (worker_func, NULL, 8, TRUE, NULL);

  item = g_new0 (WorkItem, 1);
  item->task = g_object_ref (task);
  item->func = func;
  g_thread_pool_push (pool, item, NULL);
}
