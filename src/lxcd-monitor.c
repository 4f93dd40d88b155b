/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: watches one lxcpath for container state and on-disk changes
 *
 * Two inputs, both dispatched on the main context the monitor was started in:
 *
 * - lxc-monitord. liblxc 5.0 never starts it, so we spawn
 *   `lxc-monitord <lxcpath> 3` ourselves with the write end of a pipe as fd 3
 *   and wait (asynchronously) for it to write "S" or to exit (rc=1 when another
 *   monitord already serves the lxcpath). Then we connect to its abstract unix
 *   socket and read 264-byte `struct lxc_msg` records. On EOF we respawn,
 *   reconnect with a backoff and emit "resync" again: records sent while no
 *   monitord was listening are lost for good.
 *
 * - inotify on the lxcpath and on each container directory in it. Every
 *   event is turned into a debounced "changed" for the container name.
 *
 * Everything here runs on the main thread; nothing blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "lxcd-monitor.h"

/* Copy of liblxc's internal struct lxc_msg (src/lxc/monitor.h). */
struct lxcd_lxc_msg {
  int  type;
  char name[NAME_MAX + 1];
  int  value;
};
G_STATIC_ASSERT (sizeof (struct lxcd_lxc_msg) == 264);
G_STATIC_ASSERT (offsetof (struct lxcd_lxc_msg, value) == 260);

#define LXCD_LXC_MSG_STATE     0
#define LXCD_LXC_MSG_EXIT_CODE 2
#define LXCD_LXC_STATE_MAX     7 /* THAWED */

#define LXCD_MONITOR_DEBOUNCE_MS      100
#define LXCD_MONITOR_SYNC_TIMEOUT_MS  5000
#define LXCD_MONITOR_LXCPATH_RETRY_MS 1000
/* After this many failed connects, spawn lxc-monitord again if none of ours
 * is alive (the foreign one we relied on may have gone away). */
#define LXCD_MONITOR_RESPAWN_AFTER    3
/* Bound on recv() calls per dispatch so a flood cannot starve the loop. */
#define LXCD_MONITOR_MAX_READS        64

#define LXCD_LXCPATH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
                           IN_ONLYDIR | IN_DELETE_SELF | IN_MOVE_SELF)
#define LXCD_CONTAINER_MASK (IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | \
                             IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static const guint retry_delays_ms[] = { 10, 50, 100, 250, 500, 1000 };

struct _LxcdMonitor {
  GObject parent_instance;

  char *lxcpath;
  char *monitord_path;
  GMainContext *context;      /* from start() */
  gboolean started;
  GCancellable *cancellable;  /* cancelled in dispose */

  /* lxc-monitord */
  GPtrArray *children;        /* GSubprocess*: spawned by us, not yet reaped */
  GSubprocess *sync_child;    /* child whose sync pipe we are reading */
  GSubprocess *serving_child; /* our child that wrote "S" */
  int sync_fd;
  GSource *sync_source;
  GSource *sync_timeout_source;
  GSource *retry_source;
  guint retry_index;
  gboolean spawn_error_logged;
  int sock_fd;
  GSource *sock_source;
  gboolean connected;
  gsize buf_len;
  guint8 buf[sizeof (struct lxcd_lxc_msg) * 32];

  /* inotify */
  int inotify_fd;
  GSource *inotify_source;
  int lxcpath_wd;              /* -1 while the lxcpath watch is lost */
  GSource *lxcpath_retry_source;
  gboolean watch_error_logged;
  GHashTable *wd_to_name;      /* wd -> name, until IN_IGNORED */
  GHashTable *name_to_wd;      /* name -> wd, current watches only */
  GHashTable *pending;         /* name -> GSource* (debounce timeout) */
};

enum {
  PROP_0,
  PROP_LXCPATH,
  PROP_MONITORD_PATH,
  PROP_CONNECTED,
  N_PROPS
};

enum {
  SIGNAL_STATE,
  SIGNAL_EXIT_CODE,
  SIGNAL_CHANGED,
  SIGNAL_RESYNC,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (LxcdMonitor, lxcd_monitor, G_TYPE_OBJECT)

static void lxcd_monitor_spawn_monitord (LxcdMonitor *self);
static void lxcd_monitor_try_connect (LxcdMonitor *self);
static void lxcd_monitor_schedule_retry (LxcdMonitor *self);

/* main thread */
static void
lxcd_clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* main thread */
static void
lxcd_close_fd (int *fd)
{
  if (*fd < 0)
    return;
  close (*fd);
  *fd = -1;
}

/* main thread */
static void
lxcd_source_destroy_and_unref (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

/* main thread */
static GSource *
lxcd_monitor_add_timeout (LxcdMonitor *self, guint ms, GSourceFunc func,
                          gpointer data, GDestroyNotify notify)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, notify);
  g_source_set_name (source, "[lxc-dbus] monitor timeout");
  g_source_attach (source, self->context);
  return source;
}

/* main thread */
static GSource *
lxcd_monitor_add_fd (LxcdMonitor *self, int fd, GUnixFDSourceFunc func)
{
  GSource *source = g_unix_fd_source_new (fd, G_IO_IN | G_IO_HUP | G_IO_ERR);

  g_source_set_callback (source, G_SOURCE_FUNC (func), self, NULL);
  g_source_set_name (source, "[lxc-dbus] monitor fd");
  g_source_attach (source, self->context);
  return source;
}

/* main thread (any thread: pure)
 *
 * lxc_monitor_sock_name(): abstract name "lxc/<fnv1a64 hex>/<lxcpath>" cut to
 * 105 characters, where the hash is over "lxc/<lxcpath>/monitor-sock".
 * Returns the address length (no trailing NUL). */
static socklen_t
lxcd_monitor_sock_addr (const char *lxcpath, struct sockaddr_un *addr)
{
  g_autofree char *key = g_strdup_printf ("lxc/%s/monitor-sock", lxcpath);
  g_autofree char *name = NULL;
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  size_t len;

  for (const guchar *p = (const guchar *) key; *p != '\0'; p++)
    {
      hash ^= *p;
      hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }

  name = g_strdup_printf ("lxc/%016" G_GINT64_MODIFIER "x/%s", hash, lxcpath);
  len = MIN (strlen (name), sizeof (addr->sun_path) - 3);

  memset (addr, 0, sizeof (*addr));
  addr->sun_family = AF_UNIX;
  memcpy (addr->sun_path + 1, name, len);
  return (socklen_t) (offsetof (struct sockaddr_un, sun_path) + 1 + len);
}

/* main thread: pid string of @child for log messages */
static const char *
lxcd_child_id (GSubprocess *child)
{
  const char *id = child != NULL ? g_subprocess_get_identifier (child) : NULL;

  return id != NULL ? id : "exited";
}

/* main thread */
static void
lxcd_monitor_set_connected (LxcdMonitor *self, gboolean connected)
{
  if (self->connected == connected)
    return;
  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONNECTED]);
}

/* ---- lxc-monitord: spawning and syncing ---- */

/* main thread */
static void
lxcd_monitor_finish_sync (LxcdMonitor *self)
{
  lxcd_clear_source (&self->sync_source);
  lxcd_clear_source (&self->sync_timeout_source);
  lxcd_close_fd (&self->sync_fd);
  g_clear_object (&self->sync_child);
}

/* main thread */
static void
lxcd_monitor_child_exited_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GSubprocess *child = G_SUBPROCESS (source);
  g_autoptr(GError) error = NULL;
  LxcdMonitor *self;

  if (!g_subprocess_wait_finish (child, result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* disposed: self may be gone */

  self = LXCD_MONITOR (user_data);

  if (g_subprocess_get_if_exited (child))
    g_debug ("lxc-monitord for %s exited with status %d",
             self->lxcpath, g_subprocess_get_exit_status (child));
  else if (g_subprocess_get_if_signaled (child))
    g_debug ("lxc-monitord for %s was killed by signal %d",
             self->lxcpath, g_subprocess_get_term_sig (child));

  if (self->serving_child == child)
    g_clear_object (&self->serving_child);
  g_ptr_array_remove (self->children, child);
}

/* main thread */
static gboolean
lxcd_monitor_sync_cb (int fd, GIOCondition condition G_GNUC_UNUSED, gpointer user_data)
{
  g_autoptr(LxcdMonitor) self = g_object_ref (LXCD_MONITOR (user_data));
  char c = 0;
  ssize_t n;

  do
    n = read (fd, &c, 1);
  while (n < 0 && errno == EINTR);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return G_SOURCE_CONTINUE;

  if (n == 1 && c == 'S')
    {
      g_debug ("lxc-monitord (pid %s) is serving %s",
               lxcd_child_id (self->sync_child), self->lxcpath);
      g_set_object (&self->serving_child, self->sync_child);
    }
  else
    {
      /* rc=1 means another lxc-monitord holds the lock on this lxcpath */
      g_debug ("lxc-monitord for %s exited before it was ready; "
               "connecting to an existing one", self->lxcpath);
    }

  lxcd_monitor_finish_sync (self);
  lxcd_monitor_try_connect (self);
  return G_SOURCE_REMOVE;
}

/* main thread */
static gboolean
lxcd_monitor_sync_timeout_cb (gpointer user_data)
{
  g_autoptr(LxcdMonitor) self = g_object_ref (LXCD_MONITOR (user_data));

  g_debug ("lxc-monitord for %s did not report readiness; trying to connect anyway",
           self->lxcpath);
  lxcd_monitor_finish_sync (self);
  lxcd_monitor_try_connect (self);
  return G_SOURCE_REMOVE;
}

/* main thread
 *
 * Spawns `<monitord_path> <lxcpath> 3` and waits (asynchronously) on the
 * sync pipe; any connection attempt follows from there. */
static void
lxcd_monitor_spawn_monitord (LxcdMonitor *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  int fds[2];

  lxcd_monitor_finish_sync (self);
  lxcd_clear_source (&self->retry_source);

  if (pipe2 (fds, O_CLOEXEC) < 0)
    {
      int errsv = errno;
      g_warning ("Cannot create a pipe for lxc-monitord: %s", g_strerror (errsv));
      lxcd_monitor_schedule_retry (self);
      return;
    }
  /* lxc-monitord only writes one byte; keep our end non-blocking anyway */
  if (fcntl (fds[0], F_SETFL, O_NONBLOCK) < 0)
    g_debug ("Cannot make the sync pipe non-blocking: %s", g_strerror (errno));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  child = g_subprocess_launcher_spawn (launcher, &error,
                                       self->monitord_path, self->lxcpath, "3", NULL);
  /* close our copy of the write end now, or we would never see EOF */
  g_subprocess_launcher_close (launcher);

  if (child == NULL)
    {
      close (fds[0]);
      if (!self->spawn_error_logged)
        g_warning ("Cannot start %s: %s", self->monitord_path, error->message);
      else
        g_debug ("Cannot start %s: %s", self->monitord_path, error->message);
      self->spawn_error_logged = TRUE;
      /* a persistent `lxc-monitord --daemon` may still be there */
      lxcd_monitor_schedule_retry (self);
      return;
    }

  g_debug ("spawned %s (pid %s) for %s", self->monitord_path,
           lxcd_child_id (child), self->lxcpath);

  g_ptr_array_add (self->children, g_object_ref (child));
  g_main_context_push_thread_default (self->context);
  g_subprocess_wait_async (child, self->cancellable, lxcd_monitor_child_exited_cb, self);
  g_main_context_pop_thread_default (self->context);

  self->sync_child = g_steal_pointer (&child);
  self->sync_fd = fds[0];
  self->sync_source = lxcd_monitor_add_fd (self, self->sync_fd, lxcd_monitor_sync_cb);
  self->sync_timeout_source = lxcd_monitor_add_timeout (self, LXCD_MONITOR_SYNC_TIMEOUT_MS,
                                                        lxcd_monitor_sync_timeout_cb,
                                                        self, NULL);
}

/* ---- lxc-monitord: connection ---- */

/* main thread */
static gboolean
lxcd_monitor_retry_cb (gpointer user_data)
{
  g_autoptr(LxcdMonitor) self = g_object_ref (LXCD_MONITOR (user_data));

  lxcd_clear_source (&self->retry_source);
  if (self->retry_index >= LXCD_MONITOR_RESPAWN_AFTER && self->children->len == 0)
    lxcd_monitor_spawn_monitord (self);
  else
    lxcd_monitor_try_connect (self);
  return G_SOURCE_REMOVE;
}

/* main thread */
static void
lxcd_monitor_schedule_retry (LxcdMonitor *self)
{
  guint i = MIN (self->retry_index, G_N_ELEMENTS (retry_delays_ms) - 1);

  self->retry_index++;
  lxcd_clear_source (&self->retry_source);
  self->retry_source = lxcd_monitor_add_timeout (self, retry_delays_ms[i],
                                                 lxcd_monitor_retry_cb, self, NULL);
}

/* main thread */
static void
lxcd_monitor_disconnect (LxcdMonitor *self, const char *reason)
{
  g_message ("Lost connection to lxc-monitord for %s (%s); reconnecting",
             self->lxcpath, reason);
  lxcd_clear_source (&self->sock_source);
  lxcd_close_fd (&self->sock_fd);
  self->buf_len = 0;
  self->retry_index = 0;
  lxcd_monitor_set_connected (self, FALSE);
  lxcd_monitor_spawn_monitord (self);
}

/* main thread */
static void
lxcd_monitor_handle_msg (LxcdMonitor *self, const struct lxcd_lxc_msg *msg)
{
  const char *end = memchr (msg->name, '\0', sizeof (msg->name));

  if (end == NULL || end == msg->name)
    {
      g_debug ("Ignoring lxc-monitord record (type %d) with an invalid name", msg->type);
      return;
    }

  switch (msg->type)
    {
    case LXCD_LXC_MSG_STATE:
      if (msg->value < 0 || msg->value > LXCD_LXC_STATE_MAX)
        {
          g_debug ("Ignoring unknown state %d for %s", msg->value, msg->name);
          return;
        }
      g_signal_emit (self, signals[SIGNAL_STATE], 0, msg->name, (gint) msg->value);
      break;

    case LXCD_LXC_MSG_EXIT_CODE:
      g_signal_emit (self, signals[SIGNAL_EXIT_CODE], 0, msg->name, (gint) msg->value);
      break;

    default:
      g_debug ("Ignoring lxc-monitord record of type %d for %s", msg->type, msg->name);
      break;
    }
}

/* main thread */
static gboolean
lxcd_monitor_sock_cb (int fd, GIOCondition condition G_GNUC_UNUSED, gpointer user_data)
{
  g_autoptr(LxcdMonitor) self = g_object_ref (LXCD_MONITOR (user_data));

  for (guint reads = 0; reads < LXCD_MONITOR_MAX_READS; reads++)
    {
      gsize off = 0;
      ssize_t n;

      n = recv (fd, self->buf + self->buf_len, sizeof (self->buf) - self->buf_len, MSG_DONTWAIT);
      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          if (errsv == EAGAIN || errsv == EWOULDBLOCK)
            return G_SOURCE_CONTINUE;
          lxcd_monitor_disconnect (self, g_strerror (errsv));
          return G_SOURCE_REMOVE;
        }
      if (n == 0)
        {
          lxcd_monitor_disconnect (self, "end of stream");
          return G_SOURCE_REMOVE;
        }

      self->buf_len += (gsize) n;
      while (self->buf_len - off >= sizeof (struct lxcd_lxc_msg))
        {
          struct lxcd_lxc_msg msg;

          memcpy (&msg, self->buf + off, sizeof (msg));
          off += sizeof (msg);
          lxcd_monitor_handle_msg (self, &msg);
          if (self->sock_fd != fd)
            return G_SOURCE_REMOVE; /* disposed by a signal handler */
        }
      memmove (self->buf, self->buf + off, self->buf_len - off);
      self->buf_len -= off;
    }

  return G_SOURCE_CONTINUE;
}

/* main thread
 *
 * One non-blocking connect(); on failure schedule the next attempt. On
 * success emit "resync": connecting first means no event falls in a gap. */
static void
lxcd_monitor_try_connect (LxcdMonitor *self)
{
  struct sockaddr_un addr;
  socklen_t addr_len = lxcd_monitor_sock_addr (self->lxcpath, &addr);
  int fd;

  lxcd_clear_source (&self->retry_source);
  g_return_if_fail (self->sock_fd < 0);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    {
      int errsv = errno;
      g_warning ("Cannot create a unix socket: %s", g_strerror (errsv));
      lxcd_monitor_schedule_retry (self);
      return;
    }

  if (connect (fd, (struct sockaddr *) &addr, addr_len) < 0)
    {
      int errsv = errno;
      close (fd);
      g_debug ("Cannot connect to lxc-monitord for %s (attempt %u): %s",
               self->lxcpath, self->retry_index + 1, g_strerror (errsv));
      lxcd_monitor_schedule_retry (self);
      return;
    }

  g_debug ("Connected to lxc-monitord for %s", self->lxcpath);
  self->sock_fd = fd;
  self->buf_len = 0;
  self->retry_index = 0;
  self->sock_source = lxcd_monitor_add_fd (self, fd, lxcd_monitor_sock_cb);
  lxcd_monitor_set_connected (self, TRUE);
  g_signal_emit (self, signals[SIGNAL_RESYNC], 0);
}

/* ---- inotify ---- */

typedef struct {
  LxcdMonitor *self; /* not a ref: the source is destroyed in dispose */
  char *name;
} LxcdChangedData;

/* main thread */
static void
lxcd_changed_data_free (gpointer data)
{
  LxcdChangedData *changed = data;

  g_free (changed->name);
  g_free (changed);
}

/* main thread */
static gboolean
lxcd_monitor_changed_cb (gpointer user_data)
{
  LxcdChangedData *changed = user_data;
  g_autoptr(LxcdMonitor) self = g_object_ref (changed->self);
  g_autofree char *name = g_strdup (changed->name);

  /* destroys this source; @changed stays valid until we return but is not used */
  g_hash_table_remove (self->pending, name);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, name);
  return G_SOURCE_REMOVE;
}

/* main thread: (re)arm the debounce timeout for @name */
static void
lxcd_monitor_queue_changed (LxcdMonitor *self, const char *name)
{
  LxcdChangedData *changed = g_new0 (LxcdChangedData, 1);
  GSource *source;

  changed->self = self;
  changed->name = g_strdup (name);
  source = lxcd_monitor_add_timeout (self, LXCD_MONITOR_DEBOUNCE_MS, lxcd_monitor_changed_cb,
                                     changed, lxcd_changed_data_free);
  /* replacing destroys the previous timeout for this name */
  g_hash_table_replace (self->pending, g_strdup (name), source);
}

/* main thread
 *
 * Watches lxcpath/@name if it is a directory. Returns TRUE if it is one
 * (or might be), FALSE if it is not a directory or is already gone. */
static gboolean
lxcd_monitor_add_container_watch (LxcdMonitor *self, const char *name)
{
  g_autofree char *path = NULL;
  int wd;

  if (g_hash_table_contains (self->name_to_wd, name))
    return TRUE;

  path = g_build_filename (self->lxcpath, name, NULL);
  /* IN_MASK_CREATE: never take over (and re-mask) an existing watch, e.g.
   * the lxcpath's own when @name is a symlink to "." */
  wd = inotify_add_watch (self->inotify_fd, path, LXCD_CONTAINER_MASK | IN_MASK_CREATE);
  if (wd < 0)
    {
      int errsv = errno;

      if (errsv == ENOTDIR || errsv == ENOENT)
        return FALSE;
      if (errsv == EEXIST)
        {
          g_debug ("%s is already watched under another name", path);
          return TRUE;
        }
      if (!self->watch_error_logged)
        g_warning ("Cannot watch %s: %s", path, g_strerror (errsv));
      else
        g_debug ("Cannot watch %s: %s", path, g_strerror (errsv));
      self->watch_error_logged = TRUE;
      return TRUE;
    }

  g_hash_table_replace (self->wd_to_name, GINT_TO_POINTER (wd), g_strdup (name));
  g_hash_table_replace (self->name_to_wd, g_strdup (name), GINT_TO_POINTER (wd));
  return TRUE;
}

/* main thread
 *
 * Stops watching lxcpath/@name. Its wd stays in wd_to_name until IN_IGNORED
 * so that events already queued are still attributed. Returns TRUE if
 * @name was watched. */
static gboolean
lxcd_monitor_remove_container_watch (LxcdMonitor *self, const char *name)
{
  gpointer wd;

  if (!g_hash_table_lookup_extended (self->name_to_wd, name, NULL, &wd))
    return FALSE;
  inotify_rm_watch (self->inotify_fd, GPOINTER_TO_INT (wd)); /* may be gone already */
  g_hash_table_remove (self->name_to_wd, name);
  return TRUE;
}

/* main thread */
static void
lxcd_monitor_remove_all_container_watches (LxcdMonitor *self)
{
  GHashTableIter iter;
  gpointer wd;

  g_hash_table_iter_init (&iter, self->name_to_wd);
  while (g_hash_table_iter_next (&iter, NULL, &wd))
    inotify_rm_watch (self->inotify_fd, GPOINTER_TO_INT (wd));
  g_hash_table_remove_all (self->name_to_wd);
}

/* main thread: watch every directory in the lxcpath not watched yet */
static void
lxcd_monitor_scan_lxcpath (LxcdMonitor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (self->lxcpath, 0, &error);
  const char *name;

  if (dir == NULL)
    {
      g_debug ("Cannot list %s: %s", self->lxcpath, error->message);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (name[0] != '.')
        lxcd_monitor_add_container_watch (self, name);
    }
}

/* main thread */
static gboolean
lxcd_monitor_lxcpath_retry_cb (gpointer user_data)
{
  g_autoptr(LxcdMonitor) self = g_object_ref (LXCD_MONITOR (user_data));
  int wd;

  wd = inotify_add_watch (self->inotify_fd, self->lxcpath, LXCD_LXCPATH_MASK);
  if (wd < 0)
    return G_SOURCE_CONTINUE;

  g_message ("Watching %s again", self->lxcpath);
  lxcd_clear_source (&self->lxcpath_retry_source);
  self->lxcpath_wd = wd;
  lxcd_monitor_scan_lxcpath (self);
  g_signal_emit (self, signals[SIGNAL_RESYNC], 0);
  return G_SOURCE_REMOVE;
}

/* main thread: the lxcpath was deleted, moved or unmounted */
static void
lxcd_monitor_lost_lxcpath (LxcdMonitor *self)
{
  if (self->lxcpath_wd < 0)
    return;

  g_message ("Lost the inotify watch on %s", self->lxcpath);
  inotify_rm_watch (self->inotify_fd, self->lxcpath_wd); /* needed after IN_MOVE_SELF */
  self->lxcpath_wd = -1;
  lxcd_monitor_remove_all_container_watches (self);

  /* try to watch it again should it reappear */
  lxcd_clear_source (&self->lxcpath_retry_source);
  self->lxcpath_retry_source = lxcd_monitor_add_timeout (self, LXCD_MONITOR_LXCPATH_RETRY_MS,
                                                         lxcd_monitor_lxcpath_retry_cb,
                                                         self, NULL);
  g_signal_emit (self, signals[SIGNAL_RESYNC], 0);
}

/* main thread */
static void
lxcd_monitor_handle_inotify_event (LxcdMonitor *self, const struct inotify_event *ev)
{
  const char *entry = ev->len > 0 ? ev->name : NULL;
  const char *name;
  gpointer current_wd;

  if (ev->mask & IN_Q_OVERFLOW)
    {
      /* renames may have been missed: rebuild every container watch */
      g_message ("inotify queue overflow while watching %s", self->lxcpath);
      lxcd_monitor_remove_all_container_watches (self);
      if (self->lxcpath_wd >= 0)
        lxcd_monitor_scan_lxcpath (self);
      g_signal_emit (self, signals[SIGNAL_RESYNC], 0);
      return;
    }

  if (self->lxcpath_wd >= 0 && ev->wd == self->lxcpath_wd)
    {
      if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED))
        {
          lxcd_monitor_lost_lxcpath (self);
          return;
        }
      if (entry == NULL || entry[0] == '.')
        return;

      if (ev->mask & (IN_CREATE | IN_MOVED_TO))
        {
          /* only directories are containers; a plain file (such as
           * lxc-monitord.log) is skipped. A watch still held under this
           * name is stale (its directory was replaced). */
          lxcd_monitor_remove_container_watch (self, entry);
          if (lxcd_monitor_add_container_watch (self, entry) || (ev->mask & IN_ISDIR))
            lxcd_monitor_queue_changed (self, entry);
        }
      else if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
        {
          if (lxcd_monitor_remove_container_watch (self, entry) || (ev->mask & IN_ISDIR))
            lxcd_monitor_queue_changed (self, entry);
        }
      return;
    }

  /* an event inside (or on) a container directory */
  name = g_hash_table_lookup (self->wd_to_name, GINT_TO_POINTER (ev->wd));
  if (name == NULL)
    return;

  if (ev->mask & IN_IGNORED)
    {
      /* still current: the kernel dropped it (directory deleted, unmounted) */
      if (g_hash_table_lookup_extended (self->name_to_wd, name, NULL, &current_wd) &&
          GPOINTER_TO_INT (current_wd) == ev->wd)
        {
          g_hash_table_remove (self->name_to_wd, name);
          lxcd_monitor_queue_changed (self, name);
        }
      g_hash_table_remove (self->wd_to_name, GINT_TO_POINTER (ev->wd)); /* frees name */
      return;
    }

  if (entry != NULL && entry[0] == '.')
    return;

  lxcd_monitor_queue_changed (self, name);

  if (ev->mask & IN_MOVE_SELF)
    {
      /* the directory now lives elsewhere; if it is still in the lxcpath,
       * IN_MOVED_TO on the lxcpath has watched it under its new name */
      if (g_hash_table_lookup_extended (self->name_to_wd, name, NULL, &current_wd) &&
          GPOINTER_TO_INT (current_wd) == ev->wd)
        lxcd_monitor_remove_container_watch (self, name);
    }
}

/* main thread */
static gboolean
lxcd_monitor_inotify_cb (int fd, GIOCondition condition G_GNUC_UNUSED, gpointer user_data)
{
  g_autoptr(LxcdMonitor) self = g_object_ref (LXCD_MONITOR (user_data));
  _Alignas (struct inotify_event) char buf[4096];

  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof (buf));

      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          if (errsv == EAGAIN || errsv == EWOULDBLOCK)
            break;
          g_warning ("Cannot read inotify events for %s: %s",
                     self->lxcpath, g_strerror (errsv));
          g_clear_pointer (&self->inotify_source, g_source_unref);
          return G_SOURCE_REMOVE;
        }
      if (n == 0)
        break;

      for (ssize_t off = 0; off + (ssize_t) sizeof (struct inotify_event) <= n;)
        {
          const struct inotify_event *ev = (const struct inotify_event *) (buf + off);

          lxcd_monitor_handle_inotify_event (self, ev);
          if (self->inotify_fd != fd)
            return G_SOURCE_REMOVE; /* disposed by a signal handler */
          off += (ssize_t) (sizeof (struct inotify_event) + ev->len);
        }
    }

  return G_SOURCE_CONTINUE;
}

/* ---- GObject ---- */

/* main thread */
static void
lxcd_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LxcdMonitor *self = LXCD_MONITOR (object);

  switch (prop_id)
    {
    case PROP_LXCPATH:
      g_value_set_string (value, self->lxcpath);
      break;
    case PROP_MONITORD_PATH:
      g_value_set_string (value, self->monitord_path);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* main thread */
static void
lxcd_monitor_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LxcdMonitor *self = LXCD_MONITOR (object);

  switch (prop_id)
    {
    case PROP_LXCPATH:
      g_free (self->lxcpath);
      self->lxcpath = g_value_dup_string (value);
      break;
    case PROP_MONITORD_PATH:
      g_free (self->monitord_path);
      self->monitord_path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* main thread */
static void
lxcd_monitor_dispose (GObject *object)
{
  LxcdMonitor *self = LXCD_MONITOR (object);

  /* pending g_subprocess_wait_async() callbacks return without touching us */
  g_cancellable_cancel (self->cancellable);

  lxcd_monitor_finish_sync (self);
  lxcd_clear_source (&self->retry_source);
  lxcd_clear_source (&self->sock_source);
  lxcd_close_fd (&self->sock_fd);
  self->connected = FALSE;
  self->buf_len = 0;

  lxcd_clear_source (&self->inotify_source);
  lxcd_clear_source (&self->lxcpath_retry_source);
  lxcd_close_fd (&self->inotify_fd); /* drops every watch */
  self->lxcpath_wd = -1;
  g_hash_table_remove_all (self->pending);
  g_hash_table_remove_all (self->wd_to_name);
  g_hash_table_remove_all (self->name_to_wd);

  /* our own lxc-monitord children only; a no-op for ones that have exited */
  for (guint i = 0; i < self->children->len; i++)
    g_subprocess_send_signal (g_ptr_array_index (self->children, i), SIGTERM);
  g_ptr_array_set_size (self->children, 0);
  g_clear_object (&self->serving_child);

  G_OBJECT_CLASS (lxcd_monitor_parent_class)->dispose (object);
}

/* main thread */
static void
lxcd_monitor_finalize (GObject *object)
{
  LxcdMonitor *self = LXCD_MONITOR (object);

  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->wd_to_name);
  g_hash_table_unref (self->name_to_wd);
  g_ptr_array_unref (self->children);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->lxcpath);
  g_free (self->monitord_path);

  G_OBJECT_CLASS (lxcd_monitor_parent_class)->finalize (object);
}

/* main thread */
static void
lxcd_monitor_class_init (LxcdMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lxcd_monitor_get_property;
  object_class->set_property = lxcd_monitor_set_property;
  object_class->dispose = lxcd_monitor_dispose;
  object_class->finalize = lxcd_monitor_finalize;

  props[PROP_LXCPATH] =
    g_param_spec_string ("lxcpath", "lxcpath", "Canonical lxcpath being watched", NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_MONITORD_PATH] =
    g_param_spec_string ("monitord-path", "monitord path", "Path of lxc-monitord", NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", "Connected", "Whether connected to lxc-monitord", FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * LxcdMonitor::state:
   * @name: container name
   * @state: lxc_state_t value, 0 (STOPPED) .. 7 (THAWED)
   *
   * A state record from lxc-monitord. Every record is forwarded,
   * duplicates included.
   */
  signals[SIGNAL_STATE] =
    g_signal_new ("state", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
  /**
   * LxcdMonitor::exit-code:
   * @name: container name
   * @wait_status: raw wait(2) status of the container's init
   */
  signals[SIGNAL_EXIT_CODE] =
    g_signal_new ("exit-code", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
  /**
   * LxcdMonitor::changed:
   * @name: name of an entry (directory) in the lxcpath
   *
   * Something changed on disk for container @name; debounced per name.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * LxcdMonitor::resync:
   *
   * Events may have been missed: rescan the whole lxcpath. Emitted after
   * every (re)connection to lxc-monitord, on inotify overflow and when the
   * lxcpath watch is lost or regained.
   */
  signals[SIGNAL_RESYNC] =
    g_signal_new ("resync", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

/* main thread */
static void
lxcd_monitor_init (LxcdMonitor *self)
{
  self->cancellable = g_cancellable_new ();
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
  self->sync_fd = -1;
  self->sock_fd = -1;
  self->inotify_fd = -1;
  self->lxcpath_wd = -1;
  self->wd_to_name = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->name_to_wd = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         lxcd_source_destroy_and_unref);
}

/**
 * lxcd_monitor_new:
 * @lxcpath: canonical lxcpath (realpath, no trailing slash)
 * @monitord_path: path of lxc-monitord
 *
 * main thread. Does nothing until lxcd_monitor_start().
 */
LxcdMonitor *
lxcd_monitor_new (const char *lxcpath, const char *monitord_path)
{
  g_return_val_if_fail (lxcpath != NULL && g_path_is_absolute (lxcpath), NULL);
  g_return_val_if_fail (monitord_path != NULL, NULL);

  return g_object_new (LXCD_TYPE_MONITOR,
                       "lxcpath", lxcpath,
                       "monitord-path", monitord_path,
                       NULL);
}

/* main thread */
const char *
lxcd_monitor_get_lxcpath (LxcdMonitor *self)
{
  g_return_val_if_fail (LXCD_IS_MONITOR (self), NULL);
  return self->lxcpath;
}

/**
 * lxcd_monitor_start:
 *
 * main thread. Watches the lxcpath with inotify and starts connecting to
 * lxc-monitord (spawning it); all signals are emitted on the calling
 * thread's default main context. Never blocks. Fails only if the lxcpath
 * cannot be watched; lxc-monitord trouble is retried in the background.
 */
gboolean
lxcd_monitor_start (LxcdMonitor *self, GError **error)
{
  int fd;
  int wd;

  g_return_val_if_fail (LXCD_IS_MONITOR (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create an inotify instance: %s", g_strerror (errsv));
      return FALSE;
    }

  wd = inotify_add_watch (fd, self->lxcpath, LXCD_LXCPATH_MASK);
  if (wd < 0)
    {
      int errsv = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot watch %s: %s", self->lxcpath, g_strerror (errsv));
      return FALSE;
    }

  self->started = TRUE;
  self->context = g_main_context_ref_thread_default ();
  self->inotify_fd = fd;
  self->lxcpath_wd = wd;
  self->inotify_source = lxcd_monitor_add_fd (self, fd, lxcd_monitor_inotify_cb);
  lxcd_monitor_scan_lxcpath (self);

  lxcd_monitor_spawn_monitord (self);
  return TRUE;
}

/* main thread */
gboolean
lxcd_monitor_is_connected (LxcdMonitor *self)
{
  g_return_val_if_fail (LXCD_IS_MONITOR (self), FALSE);
  return self->connected;
}

/* main thread; for tests */
GPid
lxcd_monitor_get_monitord_pid (LxcdMonitor *self)
{
  const char *id;

  g_return_val_if_fail (LXCD_IS_MONITOR (self), 0);
  if (self->serving_child == NULL)
    return 0;
  id = g_subprocess_get_identifier (self->serving_child);
  return id != NULL ? (GPid) g_ascii_strtoll (id, NULL, 10) : 0;
}
