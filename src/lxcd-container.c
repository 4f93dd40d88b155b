/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: one container object (org.linuxcontainers.LXC1.Container)
 *
 * Properties mirror state the daemon keeps current (lxc-monitord events,
 * inotify, and a re-read from liblxc after every operation); reading them
 * never touches liblxc. Run-state operations are authorized with polkit,
 * serialized per container, run in a worker thread (or, for start, in
 * lxc-dbus-helper), and reply only after the resulting state has been
 * published, so PropertiesChanged reaches clients before the reply.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lxcd-auth.h"
#include "lxcd-container.h"
#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-methods.h"
#include "lxcd-operation.h"
#include "lxcd-spawn.h"

/* How long an operation may take to show its effect on the state. */
#define OP_STATE_TIMEOUT_S 30
/* How long liblxc may wait for the kernel's freezer (it waits forever). */
#define FREEZE_TIMEOUT_S 15

typedef enum {
  WAIT_REACHED,
  WAIT_TIMEOUT,
  WAIT_VANISHED,    /* the container is gone */
  WAIT_CALLER_GONE, /* the caller that waits left the bus */
} WaitResult;

typedef void (*WaiterFunc) (LxcdContainer *self, WaitResult result, gpointer user_data);

typedef struct {
  LxcdContainer *container;
  LxcdState target;
  gboolean require_leave; /* the state must first differ from target */
  gboolean left;
  guint timeout_id;
  guint caller_watch_id;
  WaiterFunc func;
  gpointer user_data;
} Waiter;

struct _LxcdContainer {
  LxcdDBusContainerSkeleton parent_instance;

  LxcdDaemon *daemon; /* unowned, outlives us */
  LxcdDBusObjectSkeleton *object;
  char *name;
  char *lxcpath;
  char *object_path;
  LxcdState state;
  guint64 event_seq;
  LxcdOperation *slot_owner; /* the operation holding the slot (unowned), or NULL */
  GList *waiters; /* of Waiter */
  guint32 idmap_uid_base; /* host uid of its root, 0 if not mapped */
  guint64 run_seq; /* counts its STOPPED -> STARTING steps (LastExitStatus) */
};

static void lxcd_container_iface_init (LxcdDBusContainerIface *iface);

G_DEFINE_TYPE_WITH_CODE (LxcdContainer, lxcd_container, LXCD_DBUS_TYPE_CONTAINER_SKELETON,
                         G_IMPLEMENT_INTERFACE (LXCD_DBUS_TYPE_CONTAINER, lxcd_container_iface_init))

/* ---- waiters: wait for a state without holding a thread ---------------- */

/* main thread */
static void
waiter_free (Waiter *waiter)
{
  if (waiter->timeout_id)
    g_source_remove (waiter->timeout_id);
  if (waiter->caller_watch_id)
    g_bus_unwatch_name (waiter->caller_watch_id);
  g_free (waiter);
}

/* main thread: detaches and runs the waiter's callback once */
static void
waiter_fire (Waiter *waiter, WaitResult result)
{
  LxcdContainer *self = waiter->container;
  WaiterFunc func = waiter->func;
  gpointer user_data = waiter->user_data;

  self->waiters = g_list_remove (self->waiters, waiter);
  waiter_free (waiter);
  func (self, result, user_data);
}

/* main thread */
static gboolean
waiter_timeout_cb (gpointer user_data)
{
  Waiter *waiter = user_data;

  waiter->timeout_id = 0;
  waiter_fire (waiter, WAIT_TIMEOUT);
  return G_SOURCE_REMOVE;
}

/* main thread */
static void
waiter_caller_vanished_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Waiter *waiter = user_data;

  g_debug ("%s: %s left the bus; dropping its wait", waiter->container->name, name);
  waiter_fire (waiter, WAIT_CALLER_GONE);
}

/* main thread: @timeout_s -1 waits forever. The callback may run before this
 * returns only if the state is already reached and !require_leave. With
 * @caller, the wait ends (WAIT_CALLER_GONE) when the caller leaves the bus,
 * so a forgotten wait does not stay behind. */
static void
waiter_add (LxcdContainer *self, LxcdState target, gboolean require_leave, gint timeout_s,
            GDBusMethodInvocation *caller, WaiterFunc func, gpointer user_data)
{
  Waiter *waiter;

  if (!require_leave && self->state == target)
    {
      func (self, WAIT_REACHED, user_data);
      return;
    }
  if (timeout_s == 0)
    {
      func (self, WAIT_TIMEOUT, user_data);
      return;
    }

  waiter = g_new0 (Waiter, 1);
  waiter->container = self;
  waiter->target = target;
  waiter->require_leave = require_leave;
  waiter->func = func;
  waiter->user_data = user_data;
  if (timeout_s > 0)
    waiter->timeout_id = g_timeout_add ((guint) timeout_s * 1000, waiter_timeout_cb, waiter);
  self->waiters = g_list_append (self->waiters, waiter);
  if (caller && g_dbus_method_invocation_get_sender (caller))
    waiter->caller_watch_id =
      g_bus_watch_name_on_connection (g_dbus_method_invocation_get_connection (caller),
                                      g_dbus_method_invocation_get_sender (caller),
                                      G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                      waiter_caller_vanished_cb, waiter, NULL);
}

/* main thread */
static void
waiters_notify (LxcdContainer *self)
{
  GList *l = self->waiters;

  while (l != NULL)
    {
      Waiter *waiter = l->data;
      GList *next = l->next;

      if (waiter->require_leave && !waiter->left)
        {
          if (self->state != waiter->target)
            waiter->left = TRUE;
        }
      else if (self->state == waiter->target)
        {
          waiter_fire (waiter, WAIT_REACHED);
          /* a callback may have added or removed waiters: restart */
          next = self->waiters;
        }
      l = next;
    }
}

/* ---- state ------------------------------------------------------------- */

/* main thread */
static void
set_state (LxcdContainer *self, LxcdState state)
{
  LxcdDBusContainer *iface = LXCD_DBUS_CONTAINER (self);
  LxcdState old = self->state;

  if (state == old)
    return;
  self->state = state;
  if (old == LXCD_STATE_STOPPED && state == LXCD_STATE_STARTING)
    {
      /* A new init: the last one's status is no longer the last. (Not
       * any step out of STOPPED: a re-read may publish STOPPED before
       * liblxc's late STOPPING and STOPPED events of the same run.) */
      self->run_seq++;
      lxcd_dbus_container_set_last_exit_status (iface, -1);
    }
  lxcd_dbus_container_set_state (iface, lxcd_state_to_string (state));
  lxcd_dbus_container_set_running (iface, state != LXCD_STATE_STOPPED);
  if (state == LXCD_STATE_STOPPED)
    lxcd_dbus_container_set_init_pid (iface, -1);
  /* PropertiesChanged first, so a client reacting to StateChanged reads
   * consistent properties from its proxy cache. */
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self));
  lxcd_dbus_container_emit_state_changed (iface, lxcd_state_to_string (state),
                                          lxcd_state_to_string (old));
  g_debug ("%s: %s -> %s", self->name, lxcd_state_to_string (old), lxcd_state_to_string (state));
  waiters_notify (self);
}

/**
 * lxcd_container_state_event:
 *
 * A state reported by lxc-monitord. Main thread.
 */
void
lxcd_container_state_event (LxcdContainer *self, LxcdState state)
{
  self->event_seq++;
  set_state (self, state);
}

/**
 * lxcd_container_get_event_seq:
 *
 * Counts monitor events, so a re-read started before an event does not
 * overwrite the newer state. Main thread.
 */
guint64
lxcd_container_get_event_seq (LxcdContainer *self)
{
  return self->event_seq;
}

/**
 * lxcd_container_apply_info:
 * @with_state: whether @info's state and init pid are newer than any event
 *
 * Publishes what a re-read found. Main thread.
 */
void
lxcd_container_apply_info (LxcdContainer *self, const LxcdInfo *info, gboolean with_state)
{
  LxcdDBusContainer *iface = LXCD_DBUS_CONTAINER (self);

  lxcd_dbus_container_set_defined (iface, info->defined);
  lxcd_dbus_container_set_autostart (iface, info->autostart);
  lxcd_dbus_container_set_privileged (iface, info->privileged);
  self->idmap_uid_base = info->idmap_uid_base;
  if (info->config_file)
    lxcd_dbus_container_set_config_file (iface, info->config_file);
  if (with_state)
    {
      if (info->state != LXCD_STATE_STOPPED)
        lxcd_dbus_container_set_init_pid (iface, info->init_pid);
      set_state (self, info->state);
      if (info->state == LXCD_STATE_STOPPED)
        lxcd_dbus_container_set_init_pid (iface, -1);
    }
}

/**
 * lxcd_container_vanished:
 *
 * The container is gone; pending waits fail with NotFound. Main thread.
 */
void
lxcd_container_vanished (LxcdContainer *self)
{
  while (self->waiters)
    waiter_fire (self->waiters->data, WAIT_VANISHED);
}

/* ---- operations -------------------------------------------------------- */

typedef enum {
  OP_START,
  OP_STOP,
  OP_SHUTDOWN,
  OP_REBOOT,
  OP_FREEZE,
  OP_UNFREEZE,
  OP_WANT_DAEMONIZE,
  OP_WANT_CLOSE_ALL_FDS,
  OP_DESTROY,
} OpKind;

/* A run-state operation runs two things side by side, each with its own
 * state, and replies once both say so (or at the first error):
 *
 *   the work     RUNNING ──ok──► LXC_DONE ──re-read──► PUBLISHED
 *                   └──error──► FAILED (re-read, or a failed start's
 *                                wind-down to STOPPED, then the reply)
 *   the target   WAITING ──state event──► REACHED
 *                   └──timeout──► CHECKING ──last re-read──► REACHED or the error
 *                UNWATCHED: nothing to wait for (Destroy)
 *
 * A foreground start is PUBLISHED as soon as its monitor runs (the state
 * events say the rest). Stop, freeze, unfreeze and a start that reported
 * its init pid reply at LXC_DONE + REACHED (op_state_says_all()).
 */
typedef enum {
  WORK_RUNNING,   /* liblxc or lxc-dbus-helper at work */
  WORK_LXC_DONE,  /* it succeeded; the re-read that publishes it runs */
  WORK_PUBLISHED, /* the re-read is done */
  WORK_FAILED,    /* it failed; the failure path replies */
} WorkState;

typedef enum {
  TARGET_UNWATCHED, /* no wait armed, or it ended without the state */
  TARGET_WAITING,   /* a waiter watches for the target state */
  TARGET_CHECKING,  /* the wait timed out; a last re-read decides */
  TARGET_REACHED,   /* the state was seen (or only a request was sent) */
} TargetState;

/* A run-state call: the data of its LxcdOperation, which holds the
 * invocation, the caller, the limit token, the slot and the Job. Every
 * step in flight (the work, the state wait, the re-read, a foreground
 * start's monitor) holds a reference (op_ref()); op_reply() returns the
 * operation once, whichever step comes last. */
typedef struct {
  LxcdOperation *operation; /* (not owned: it owns this) */
  LxcdContainer *self;
  OpKind kind;
  gint timeout;
  gboolean flag;
  gboolean force;
  gboolean use_init;
  gboolean daemonize;     /* Start: detach the container (Start's option or Daemonize) */
  gboolean close_all_fds; /* Start: (Start's option or CloseAllFDs) */
  char **argv;
  /* progress */
  WorkState work;
  TargetState target_seen;
  gint started_pid;          /* init pid the start helper reported, or 0 */
  LxcdState target;          /* the state the operation leads to */
  gboolean target_via_state; /* reaching it can be checked by a re-read */
  guint helper_timeout_id;   /* cancels a freezer helper that takes too long */
  int report_fd;             /* foreground start: the helper's report memfd, or -1 */
  gint exit_status;          /* foreground start: the init's wait status, once known */
  guint64 exit_run_seq;      /* the container's run_seq when the helper exited */
  GError *error;
} Op;

static void
op_free (Op *op)
{
  if (op->helper_timeout_id)
    g_source_remove (op->helper_timeout_id);
  if (op->report_fd >= 0)
    close (op->report_fd);
  g_clear_object (&op->self);
  g_strfreev (op->argv);
  g_clear_error (&op->error);
  g_free (op);
}

static Op *
op_ref (Op *op)
{
  lxcd_operation_ref (op->operation);
  return op;
}

static void
op_unref (Op *op)
{
  lxcd_operation_unref (op->operation);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_unref)

/* main thread: the handler's reference becomes the first step's */
static Op *
op_new (LxcdContainer *self, GDBusMethodInvocation *invocation, OpKind kind)
{
  Op *op = g_new0 (Op, 1);

  op->operation = lxcd_operation_new (invocation, self->daemon, self);
  lxcd_operation_set_data (op->operation, op, (GDestroyNotify) op_free);
  op->self = g_object_ref (self);
  op->kind = kind;
  op->report_fd = -1;
  return op;
}

static gboolean
op_replied (Op *op)
{
  return lxcd_operation_get_state (op->operation) == LXCD_OPERATION_RETURNED;
}

/* main thread: replies once (completes the Job, releases the slot) */
static void
op_reply (Op *op, GError *error)
{
  if (op_replied (op))
    return;
  /* the return consumes a reference of its own: the caller keeps its */
  lxcd_operation_ref (op->operation);
  if (error)
    lxcd_operation_return_error (op->operation, error);
  else
    lxcd_operation_return (op->operation, NULL);
}

/* main thread: the error for an operation whose state did not show up */
static GError *
op_timeout_error (Op *op)
{
  LxcdContainer *self = op->self;

  if (op->kind == OP_SHUTDOWN || op->kind == OP_REBOOT)
    return g_error_new (LXCD_ERROR, LXCD_ERROR_TIMEOUT,
                        "Container '%s' did not %s within %d seconds (state %s)",
                        self->name, op->kind == OP_SHUTDOWN ? "stop" : "reboot",
                        op->timeout, lxcd_state_to_string (self->state));
  return g_error_new (LXCD_ERROR, LXCD_ERROR_FAILED,
                      "Container '%s' is %s after the operation",
                      self->name, lxcd_state_to_string (self->state));
}

/* main thread: a last re-read after the wait timed out, in case the
 * state changed without a monitor event reaching us */
static void
op_timeout_synced_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(Op) op = user_data;

  lxcd_daemon_sync_container_finish (LXCD_DAEMON (source), res, NULL);
  if (op->work == WORK_FAILED)
    return;
  if (op->error == NULL && !(op->target_via_state && op->self->state == op->target))
    op->error = op_timeout_error (op);
  if (op->work == WORK_PUBLISHED || op->error)
    op_reply (op, op->error);
  else
    op->target_seen = TARGET_REACHED;
}

/* main thread: whether the state event that reached the target already
 * published everything the operation changed, so the reply need not wait
 * for the re-read (which still runs). Stop, freeze and unfreeze change
 * only the state (STOPPED also clears InitPID); a start also changes
 * InitPID, which its helper reported. */
static gboolean
op_state_says_all (Op *op)
{
  LxcdContainer *self = op->self;

  if ((op->work != WORK_LXC_DONE && op->work != WORK_PUBLISHED) ||
      op->target_seen != TARGET_REACHED || op->error)
    return FALSE;
  switch (op->kind)
    {
    case OP_STOP:
    case OP_FREEZE:
    case OP_UNFREEZE:
      return self->state == op->target;
    case OP_START:
      if (op->started_pid <= 0 || self->state != LXCD_STATE_RUNNING)
        return FALSE;
      lxcd_dbus_container_set_init_pid (LXCD_DBUS_CONTAINER (self), op->started_pid);
      g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self));
      return TRUE;
    default:
      return FALSE;
    }
}

/* main thread: the expected state was reached, or the wait ended */
static void
op_state_waited (LxcdContainer *self, WaitResult result, gpointer user_data)
{
  g_autoptr(Op) op = user_data;

  op->target_seen = TARGET_UNWATCHED;
  if (op->work == WORK_FAILED)
    return;
  switch (result)
    {
    case WAIT_REACHED:
      op->target_seen = TARGET_REACHED;
      break;
    case WAIT_TIMEOUT:
      if (op_replied (op))
        return;
      op->target_seen = TARGET_CHECKING;
      lxcd_daemon_sync_container (self->daemon, self->lxcpath, self->name, NULL,
                                  op_timeout_synced_cb, op_ref (op));
      return;
    case WAIT_VANISHED:
      if (op->error == NULL)
        op->error = g_error_new (LXCD_ERROR, LXCD_ERROR_NOT_FOUND,
                                 "Container '%s' disappeared", self->name);
      break;
    default:
      g_assert_not_reached ();
    }
  if (op->work == WORK_PUBLISHED || op->error || op_state_says_all (op))
    op_reply (op, op->error);
}

/* main thread: a re-read after the work has been published */
static void
op_synced_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(Op) op = user_data;

  lxcd_daemon_sync_container_finish (LXCD_DAEMON (source), res, NULL);
  if (op->work == WORK_FAILED)
    return;
  op->work = WORK_PUBLISHED;
  if (op->error || op->target_seen != TARGET_WAITING)
    op_reply (op, op->error);
}

/* main thread: the re-read after a failure is published, reply */
static void
op_failed_synced_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(Op) op = user_data;

  lxcd_daemon_sync_container_finish (LXCD_DAEMON (source), res, NULL);
  op_reply (op, op->error);
}

/* main thread: a failed start has wound down (or did not within the wait) */
static void
op_failed_settled (LxcdContainer *self, WaitResult result, gpointer user_data)
{
  g_autoptr(Op) op = user_data;

  lxcd_daemon_sync_container (self->daemon, self->lxcpath, self->name, NULL,
                              op_failed_synced_cb, op_ref (op));
}

/* main thread: the liblxc part is over (successfully or not) */
static void
op_work_finished (Op *op, GError *error)
{
  LxcdContainer *self = op->self;

  if (error)
    {
      /* Publish the state the failure left (the waiter armed for success,
       * if any, stays registered but its result is ignored). A failed
       * start is still winding down (ABORTING, STOPPING): let it reach
       * STOPPED first, so the reply never precedes its state. */
      if (op->error == NULL)
        op->error = g_error_copy (error);
      op->work = WORK_FAILED;
      if (op->kind == OP_START)
        waiter_add (self, LXCD_STATE_STOPPED, FALSE, 5, NULL, op_failed_settled, op_ref (op));
      else
        lxcd_daemon_sync_container (self->daemon, self->lxcpath, self->name, NULL,
                                    op_failed_synced_cb, op_ref (op));
      return;
    }
  op->work = WORK_LXC_DONE;
  lxcd_daemon_sync_container (self->daemon, self->lxcpath, self->name,
                              NULL, op_synced_cb, op_ref (op));
  if (op_state_says_all (op))
    op_reply (op, NULL);
}

/* main thread: arms the wait for the state this operation leads to */
static void
op_arm_wait (Op *op)
{
  LxcdState target = LXCD_STATE_RUNNING;
  gboolean require_leave = FALSE;
  gint timeout = OP_STATE_TIMEOUT_S;

  switch (op->kind)
    {
    case OP_START:
    case OP_UNFREEZE:
      target = LXCD_STATE_RUNNING;
      break;
    case OP_STOP:
      target = LXCD_STATE_STOPPED;
      break;
    case OP_FREEZE:
      target = LXCD_STATE_FROZEN;
      break;
    case OP_SHUTDOWN:
      target = LXCD_STATE_STOPPED;
      timeout = op->timeout;
      break;
    case OP_REBOOT:
      target = LXCD_STATE_RUNNING;
      require_leave = TRUE;
      timeout = op->timeout;
      break;
    case OP_WANT_DAEMONIZE:
    case OP_WANT_CLOSE_ALL_FDS:
    default:
      g_assert_not_reached ();
    }

  op->target = target;
  op->target_via_state = !require_leave;
  if (timeout == 0)
    {
      /* Only send the request. */
      op->target_seen = TARGET_REACHED;
      return;
    }
  op->target_seen = TARGET_WAITING;
  waiter_add (op->self, target, require_leave, timeout, NULL, op_state_waited, op_ref (op));
}

/* worker thread */
static void
op_lxc_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Op *op = task_data;
  GError *error = NULL;
  LxcdOp lxc_op;

  switch (op->kind)
    {
    case OP_STOP:
      lxc_op = LXCD_OP_STOP;
      break;
    case OP_FREEZE:
      lxc_op = LXCD_OP_FREEZE;
      break;
    case OP_UNFREEZE:
      lxc_op = LXCD_OP_UNFREEZE;
      break;
    case OP_SHUTDOWN:
      lxc_op = LXCD_OP_REQUEST_SHUTDOWN;
      break;
    case OP_REBOOT:
      lxc_op = LXCD_OP_REQUEST_REBOOT;
      break;
    case OP_DESTROY:
      if (lxcd_lxc_destroy (op->self->lxcpath, op->self->name, op->force, op->flag, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      return;
    default:
      g_assert_not_reached ();
    }

  if (lxcd_lxc_run_op (op->self->lxcpath, op->self->name, lxc_op, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* main thread */
static void
op_lxc_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(Op) op = user_data;
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (res), &error);
  op_work_finished (op, error);
}

/* main thread: the freezer did not settle in time; thaw what it froze */
static void
op_freeze_thawed (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(Op) op = user_data;
  g_autoptr(GError) error = g_error_new (LXCD_ERROR, LXCD_ERROR_TIMEOUT,
                                         "The kernel's freezer did not %s container '%s' within %d "
                                         "seconds; it was thawed again",
                                         op->kind == OP_FREEZE ? "freeze" : "thaw", op->self->name,
                                         FREEZE_TIMEOUT_S);

  op_work_finished (op, error);
}

/* worker thread */
static void
thaw_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Op *op = task_data;

  (void) lxcd_lxc_run_op (op->self->lxcpath, op->self->name, LXCD_OP_UNFREEZE, NULL, NULL);
  g_task_return_boolean (task, TRUE);
}

/* main thread: freeze or unfreeze, in lxc-dbus-helper */
static void
op_freeze_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(Op) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = lxcd_spawn_helper_finish (res, &error);

  if (op->helper_timeout_id)
    {
      g_source_remove (op->helper_timeout_id);
      op->helper_timeout_id = 0;
    }
  if (out == NULL && g_error_matches (error, LXCD_ERROR, LXCD_ERROR_CANCELLED))
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, op_freeze_thawed, op_ref (op));
      g_task_set_task_data (task, op, NULL);
      lxcd_run_in_worker (task, thaw_thread);
      return;
    }
  op_work_finished (op, out ? NULL : error);
}

/* main thread */
static gboolean
op_helper_timeout (gpointer user_data)
{
  Op *op = user_data;

  op->helper_timeout_id = 0;
  g_cancellable_cancel (lxcd_operation_get_cancellable (op->operation));
  return G_SOURCE_REMOVE;
}

/* main thread: lxc-dbus-helper exited (daemonized start, or a failed one) */
static void
op_helper_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(Op) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = lxcd_spawn_helper_finish (res, &error);

  if (out)
    op->started_pid = (gint) g_ascii_strtoll (out, NULL, 10);
  op_work_finished (op, out ? NULL : error);
}

/* main thread: whether the foreground start's helper reported its init's
 * wait status (lxcd-helper-proto.h), into op->exit_status; closes the
 * report. The helper has exited: nothing writes it any more. */
static gboolean
op_read_start_report (Op *op)
{
  LxcdStartReport report = { 0, 0 };
  ssize_t n;

  if (op->report_fd < 0)
    return FALSE;
  do
    n = pread (op->report_fd, &report, sizeof report, 0);
  while (n < 0 && errno == EINTR);
  close (op->report_fd);
  op->report_fd = -1;
  if (n != (ssize_t) sizeof report || report.magic != LXCD_START_REPORT_MAGIC)
    return FALSE;
  op->exit_status = report.wait_status;
  return TRUE;
}

/* main thread: the container is re-read after its foreground init exited
 * with a known status: publish it (unless the container has started
 * again since), then InitExited */
static void
op_init_exited_synced_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(Op) op = user_data;
  LxcdContainer *self = op->self;
  LxcdDBusContainer *iface = LXCD_DBUS_CONTAINER (self);

  lxcd_daemon_sync_container_finish (LXCD_DAEMON (source), res, NULL);
  if (self->state == LXCD_STATE_STOPPED && self->run_seq == op->exit_run_seq)
    {
      lxcd_dbus_container_set_last_exit_status (iface, op->exit_status);
      g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self));
    }
  g_debug ("%s: init exited, wait status %d", self->name, op->exit_status);
  lxcd_dbus_container_emit_init_exited (iface, op->exit_status);
  /* An init that ran and exited before RUNNING reached us (liblxc's
   * start() returned true): the start succeeded. */
  op_reply (op, op->error);
}

/* main thread: a non-daemonized container's helper (its monitor) exited */
static void
op_foreground_exited (LxcdHelperProc *proc, int wait_status, const GError *helper_error,
                      gpointer user_data)
{
  g_autoptr(Op) op = user_data;
  gboolean known = op_read_start_report (op) && helper_error == NULL &&
                   WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == LXCD_HELPER_DONE;

  if (known)
    {
      /* Re-read first, so that InitExited follows STOPPED. */
      op->exit_run_seq = op->self->run_seq;
      lxcd_daemon_sync_container (op->self->daemon, op->self->lxcpath, op->self->name, NULL,
                                  op_init_exited_synced_cb, op_ref (op));
      return;
    }
  if (!op_replied (op))
    {
      g_autoptr(GError) error = helper_error ? g_error_copy (helper_error) :
        g_error_new (LXCD_ERROR, LXCD_ERROR_FAILED,
                     "Container '%s' exited while starting (status %d)", op->self->name,
                     WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1);
      op_reply (op, error);
    }
  /* Whatever happened, re-read the container. */
  lxcd_daemon_sync_container (op->self->daemon, op->self->lxcpath, op->self->name,
                              NULL, NULL, NULL);
}

/* main thread */
static void
op_spawn_helper (Op *op)
{
  gboolean daemonize = op->daemonize;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(LxcdHelperProc) proc = NULL;
  g_autoptr(GError) error = NULL;
  GString *flags = g_string_new (NULL);
  const char *helper = lxcd_daemon_get_helper_path (op->self->daemon);

  if (daemonize)
    g_string_append_c (flags, 'd');
  if (op->close_all_fds)
    g_string_append_c (flags, 'c');
  if (op->use_init)
    g_string_append_c (flags, 'i');
  if (flags->len == 0)
    g_string_append_c (flags, '-');

  g_ptr_array_add (args, (gpointer) helper);
  g_ptr_array_add (args, "start");
  g_ptr_array_add (args, op->self->lxcpath);
  g_ptr_array_add (args, op->self->name);
  g_ptr_array_add (args, flags->str);
  for (char **a = op->argv; a && *a; a++)
    g_ptr_array_add (args, *a);
  g_ptr_array_add (args, NULL);

  if (daemonize)
    {
      /* The helper returns once the container runs; the monitor process
       * it leaves behind has its own session and closes our pipes. */
      lxcd_spawn_helper_async (helper, (const char *const *) args->pdata + 1, NULL, NULL,
                               op_helper_done, op_ref (op));
      g_string_free (flags, TRUE);
      return;
    }

  /* The helper is the container's monitor and lives as long as the
   * container: the reply comes when the state shows RUNNING. Its stdout
   * is the memfd where it reports the init's wait status. */
  op->report_fd = memfd_create ("lxcd-start-report", MFD_CLOEXEC);
  if (op->report_fd >= 0 && ftruncate (op->report_fd, sizeof (LxcdStartReport)) < 0)
    {
      close (op->report_fd);
      op->report_fd = -1;
    }
  if (op->report_fd < 0)
    g_warning ("%s: no report of the init's exit status: %s", op->self->name,
               g_strerror (errno));
  proc = lxcd_helper_launch (helper, (const char *const *) args->pdata + 1, -1, op->report_fd,
                             -1, -1, op_foreground_exited, op, &error);
  g_string_free (flags, TRUE);
  if (proc == NULL)
    {
      op_work_finished (op, error);
      return;
    }
  op_ref (op); /* (op_foreground_exited's) */
  /* (the state events say the rest) */
  op->work = WORK_PUBLISHED;
}

/* main thread: authorized; check the state, take the slot, start the work */
static void
op_run (Op *op)
{
  LxcdContainer *self = op->self;
  g_autoptr(GTask) task = NULL;
  gboolean state_ok = TRUE;

  switch (op->kind)
    {
    case OP_WANT_DAEMONIZE:
      lxcd_dbus_container_set_daemonize (LXCD_DBUS_CONTAINER (self), op->flag);
      g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self));
      op_reply (op, NULL);
      return;
    case OP_WANT_CLOSE_ALL_FDS:
      lxcd_dbus_container_set_close_all_fds (LXCD_DBUS_CONTAINER (self), op->flag);
      g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self));
      op_reply (op, NULL);
      return;
    case OP_START:
      state_ok = self->state == LXCD_STATE_STOPPED;
      break;
    case OP_STOP:
    case OP_SHUTDOWN:
      state_ok = self->state != LXCD_STATE_STOPPED;
      break;
    case OP_REBOOT:
    case OP_FREEZE:
      state_ok = self->state == LXCD_STATE_RUNNING;
      break;
    case OP_UNFREEZE:
      state_ok = self->state == LXCD_STATE_FROZEN;
      break;
    case OP_DESTROY:
      state_ok = op->force || self->state == LXCD_STATE_STOPPED;
      break;
    default:
      g_assert_not_reached ();
    }

  if (!state_ok)
    {
      g_autoptr(GError) error = g_error_new (LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                                             "Container '%s' is %s", self->name,
                                             lxcd_state_to_string (self->state));
      op_reply (op, error);
      return;
    }
  /* Long operations run as Jobs (a shutdown or reboot that only sends
   * the request is not long). */
  if (op->kind == OP_DESTROY ||
      ((op->kind == OP_SHUTDOWN || op->kind == OP_REBOOT) && op->timeout != 0))
    lxcd_operation_start_job (op->operation, op->kind == OP_DESTROY  ? "destroy"
                                             : op->kind == OP_SHUTDOWN ? "shutdown"
                                                                       : "reboot");
  if (op->kind != OP_DESTROY)
    op_arm_wait (op);

  if (op->kind == OP_START)
    {
      op_spawn_helper (op);
      return;
    }
  if (op->kind == OP_FREEZE || op->kind == OP_UNFREEZE)
    {
      /* liblxc waits for the kernel's freezer without a time limit: run it
       * where it can be killed. */
      const char *args[] = { op->kind == OP_FREEZE ? "freeze" : "unfreeze", self->lxcpath,
                             self->name, NULL };

      op->helper_timeout_id = g_timeout_add_seconds (FREEZE_TIMEOUT_S, op_helper_timeout, op);
      lxcd_spawn_helper_async (lxcd_daemon_get_helper_path (self->daemon), args, NULL,
                               lxcd_operation_get_cancellable (op->operation), op_freeze_done,
                               op_ref (op));
      return;
    }

  task = g_task_new (NULL, NULL, op_lxc_done, op_ref (op));
  g_task_set_task_data (task, op, NULL);
  lxcd_run_in_worker (task, op_lxc_thread);
}

/* main thread: authorized; the slot and the limit token are held */
static void
op_authorized (LxcdOperation *operation)
{
  g_autoptr(Op) op = lxcd_operation_get_data (operation);

  op_run (op);
}

/* main thread: authorize @op for the lifecycle action, then run it. A
 * Start that chooses the program to run as init (argv, use_init) is also
 * exec. */
static void
op_authorize (Op *op)
{
  if (op->kind == OP_START && (op->use_init || op->argv != NULL))
    {
      lxcd_operation_add_detail (op->operation, "privileged",
                                 lxcd_container_get_privileged_detail (op->self));
      lxcd_operation_require (op->operation, LXCD_ACTION_EXEC);
    }
  lxcd_operation_authorize (op->operation, op_authorized);
}

/* main thread: replies with an error and consumes nothing else */
static gboolean
reply_error (GDBusMethodInvocation *invocation, GError *error)
{
  g_dbus_method_invocation_return_gerror (invocation, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread */
static gboolean
handle_start (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  static const LxcdOptionSpec specs[] = {
    { "use_init", "b" },
    { "argv", "as" },
    { "daemonize", "b" },
    { "close_all_fds", "b" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  Op *op;

  if (!lxcd_options_validate (options, specs, &error))
    return reply_error (invocation, error);
  g_variant_lookup (options, "argv", "^as", &argv);
  if (!lxcd_validate_argv ((const char *const *) argv, &error))
    return reply_error (invocation, error);

  op = op_new (LXCD_CONTAINER (iface), invocation, OP_START);
  op->use_init = lxcd_options_get_boolean (options, "use_init", FALSE);
  /* this call's own, else the container's (WantDaemonize(), ...) */
  op->daemonize = lxcd_options_get_boolean (
    options, "daemonize", lxcd_dbus_container_get_daemonize (LXCD_DBUS_CONTAINER (iface)));
  op->close_all_fds = lxcd_options_get_boolean (
    options, "close_all_fds", lxcd_dbus_container_get_close_all_fds (LXCD_DBUS_CONTAINER (iface)));
  op->argv = g_steal_pointer (&argv);
  op_authorize (op);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread */
static gboolean
handle_destroy (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  static const LxcdOptionSpec specs[] = {
    { "with_snapshots", "b" },
    { "force", "b" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  g_autoptr(GError) error = NULL;
  Op *op;

  if (!lxcd_options_validate (options, specs, &error))
    return reply_error (invocation, error);
  op = op_new (LXCD_CONTAINER (iface), invocation, OP_DESTROY);
  op->flag = lxcd_options_get_boolean (options, "with_snapshots", FALSE);
  op->force = lxcd_options_get_boolean (options, "force", FALSE);
  op_authorize (op);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread */
static gboolean
handle_simple (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, OpKind kind)
{
  op_authorize (op_new (LXCD_CONTAINER (iface), invocation, kind));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_stop (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  return handle_simple (iface, invocation, OP_STOP);
}

static gboolean
handle_freeze (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  return handle_simple (iface, invocation, OP_FREEZE);
}

static gboolean
handle_unfreeze (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  return handle_simple (iface, invocation, OP_UNFREEZE);
}

/* main thread */
static gboolean
handle_timed (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, OpKind kind, gint timeout)
{
  g_autoptr(GError) error = NULL;
  Op *op;

  if (!lxcd_validate_timeout (timeout, &error))
    return reply_error (invocation, error);
  op = op_new (LXCD_CONTAINER (iface), invocation, kind);
  op->timeout = timeout;
  op_authorize (op);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_shutdown (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, gint timeout)
{
  return handle_timed (iface, invocation, OP_SHUTDOWN, timeout);
}

static gboolean
handle_reboot (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, gint timeout)
{
  return handle_timed (iface, invocation, OP_REBOOT, timeout);
}

/* main thread */
static gboolean
handle_want_daemonize (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, gboolean value)
{
  Op *op = op_new (LXCD_CONTAINER (iface), invocation, OP_WANT_DAEMONIZE);

  op->flag = value;
  op_authorize (op);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread */
static gboolean
handle_want_close_all_fds (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, gboolean value)
{
  Op *op = op_new (LXCD_CONTAINER (iface), invocation, OP_WANT_CLOSE_ALL_FDS);

  op->flag = value;
  op_authorize (op);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread */
static void
wait_done (LxcdContainer *self, WaitResult result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;

  switch (result)
    {
    case WAIT_REACHED:
      g_dbus_method_invocation_return_value (g_steal_pointer (&invocation),
                                             g_variant_new ("(b)", TRUE));
      break;
    case WAIT_TIMEOUT:
      g_dbus_method_invocation_return_value (g_steal_pointer (&invocation),
                                             g_variant_new ("(b)", FALSE));
      break;
    case WAIT_VANISHED:
      g_dbus_method_invocation_return_error (g_steal_pointer (&invocation), LXCD_ERROR,
                                             LXCD_ERROR_NOT_FOUND,
                                             "Container '%s' disappeared", self->name);
      break;
    case WAIT_CALLER_GONE:
      /* Nobody to tell; the bus drops the reply. */
      g_dbus_method_invocation_return_error (g_steal_pointer (&invocation), LXCD_ERROR,
                                             LXCD_ERROR_CANCELLED, "Caller left the bus");
      break;
    default:
      g_assert_not_reached ();
    }
}

/* main thread */
static gboolean
handle_wait (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
             const char *state_name, gint timeout)
{
  g_autoptr(GError) error = NULL;
  LxcdState state;

  if (!lxcd_state_from_string (state_name, &state))
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Unknown state '%s'", state_name);
      return reply_error (invocation, error);
    }
  if (!lxcd_validate_timeout (timeout, &error))
    return reply_error (invocation, error);

  waiter_add (LXCD_CONTAINER (iface), state, FALSE, timeout, invocation, wait_done,
              invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* worker thread */
static void
may_control_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LxcdContainer *self = LXCD_CONTAINER (source);
  GError *error = NULL;
  gboolean value = FALSE;

  if (lxcd_lxc_run_op (self->lxcpath, self->name, LXCD_OP_MAY_CONTROL, &value, &error))
    g_task_return_boolean (task, value);
  else
    g_task_return_error (task, error);
}

/* main thread */
static void
may_control_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  gboolean value = g_task_propagate_boolean (G_TASK (res), &error);

  if (error)
    g_dbus_method_invocation_return_gerror (g_steal_pointer (&invocation), error);
  else
    lxcd_dbus_container_complete_may_control (LXCD_DBUS_CONTAINER (source),
                                              g_steal_pointer (&invocation), value);
}

/* main thread */
static gboolean
handle_may_control (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  g_autoptr(GTask) task = g_task_new (iface, NULL, may_control_done, invocation);

  lxcd_run_in_worker (task, may_control_thread);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* worker thread */
static gboolean
usage_work (LxcdOperation *op, GCancellable *cancellable, GError **error)
{
  LxcdContainer *self = lxcd_operation_get_container (op);
  /* (the init pid the service knows, checked there: its cgroup must be
   * the container's) */
  g_autoptr(GVariant) usage =
    lxcd_lxc_get_usage (self->lxcpath, self->name,
                        lxcd_dbus_container_get_init_pid (LXCD_DBUS_CONTAINER (self)), error);

  if (usage == NULL)
    return FALSE;
  lxcd_operation_return (op, g_variant_new ("(@a{sv})", usage));
  return TRUE;
}

static void
usage_run (LxcdOperation *op)
{
  lxcd_operation_run_in_worker (op, usage_work, NULL);
}

/* main thread */
static gboolean
handle_get_usage (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  static const LxcdOptionSpec specs[] = { { NULL, NULL } };
  LxcdContainer *self = LXCD_CONTAINER (iface);
  g_autoptr(GError) error = NULL;

  if (!lxcd_options_validate (options, specs, &error))
    return reply_error (invocation, error);
  lxcd_operation_authorize (lxcd_operation_new (invocation, self->daemon, self), usage_run);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- GObject ----------------------------------------------------------- */

static void
lxcd_container_finalize (GObject *object)
{
  LxcdContainer *self = LXCD_CONTAINER (object);

  g_warn_if_fail (self->waiters == NULL);
  g_clear_object (&self->object);
  g_free (self->name);
  g_free (self->lxcpath);
  g_free (self->object_path);
  G_OBJECT_CLASS (lxcd_container_parent_class)->finalize (object);
}

static void
lxcd_container_init (LxcdContainer *self)
{
}

static void
add_property (GVariantBuilder *builder, const char *name, GVariant *value)
{
  g_variant_builder_add_value (builder,
                               g_variant_new_dict_entry (g_variant_new_string (name),
                                                         g_variant_new_variant (value)));
}

/* GetManagedObjects and InterfacesAdded read every property of every
 * container through this. The generated version looks each property up by
 * name, copies it through a GValue and builds each entry from a format
 * string: half of the service's time in a GetManagedObjects of 100
 * containers (perf). Same properties, same order, read directly;
 * test_manager compares it with Properties.GetAll. */
static GVariant *
container_get_properties (GDBusInterfaceSkeleton *skeleton)
{
  LxcdDBusContainer *c = LXCD_DBUS_CONTAINER (skeleton);
  const char *name = lxcd_dbus_container_get_name (c);
  const char *lxcpath = lxcd_dbus_container_get_lxcpath (c);
  const char *config_file = lxcd_dbus_container_get_config_file (c);
  const char *state = lxcd_dbus_container_get_state (c);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  add_property (&builder, "Name", g_variant_new_string (name ? name : ""));
  add_property (&builder, "LXCPath", g_variant_new_string (lxcpath ? lxcpath : ""));
  add_property (&builder, "ConfigFile", g_variant_new_string (config_file ? config_file : ""));
  add_property (&builder, "State", g_variant_new_string (state ? state : ""));
  add_property (&builder, "Running", g_variant_new_boolean (lxcd_dbus_container_get_running (c)));
  add_property (&builder, "Defined", g_variant_new_boolean (lxcd_dbus_container_get_defined (c)));
  add_property (&builder, "InitPID", g_variant_new_int32 (lxcd_dbus_container_get_init_pid (c)));
  add_property (&builder, "LastExitStatus",
                g_variant_new_int32 (lxcd_dbus_container_get_last_exit_status (c)));
  add_property (&builder, "Daemonize",
                g_variant_new_boolean (lxcd_dbus_container_get_daemonize (c)));
  add_property (&builder, "CloseAllFDs",
                g_variant_new_boolean (lxcd_dbus_container_get_close_all_fds (c)));
  add_property (&builder, "Autostart",
                g_variant_new_boolean (lxcd_dbus_container_get_autostart (c)));
  add_property (&builder, "Privileged",
                g_variant_new_boolean (lxcd_dbus_container_get_privileged (c)));
  return g_variant_builder_end (&builder);
}

static void
lxcd_container_class_init (LxcdContainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lxcd_container_finalize;
  G_DBUS_INTERFACE_SKELETON_CLASS (klass)->get_properties = container_get_properties;
}

static void
lxcd_container_iface_init (LxcdDBusContainerIface *iface)
{
  iface->handle_start = handle_start;
  iface->handle_stop = handle_stop;
  iface->handle_shutdown = handle_shutdown;
  iface->handle_reboot = handle_reboot;
  iface->handle_freeze = handle_freeze;
  iface->handle_unfreeze = handle_unfreeze;
  iface->handle_wait = handle_wait;
  iface->handle_want_daemonize = handle_want_daemonize;
  iface->handle_want_close_all_fds = handle_want_close_all_fds;
  iface->handle_may_control = handle_may_control;
  iface->handle_get_usage = handle_get_usage;
  iface->handle_destroy = handle_destroy;
  lxcd_container_storage_iface_init (iface);
  lxcd_container_config_iface_init (iface);
  lxcd_container_exec_iface_init (iface);
  lxcd_container_files_iface_init (iface);
  lxcd_container_info_iface_init (iface);
  lxcd_container_mount_iface_init (iface);
}

/**
 * lxcd_container_new:
 *
 * A container object, not yet exported. Main thread.
 */
LxcdContainer *
lxcd_container_new (LxcdDaemon *daemon, const char *lxcpath, const char *name)
{
  LxcdContainer *self = g_object_new (LXCD_TYPE_CONTAINER, NULL);
  LxcdDBusContainer *iface = LXCD_DBUS_CONTAINER (self);
  g_autofree char *escaped = g_dbus_escape_object_path (name);

  lxcd_methods_guard (self);
  self->daemon = daemon;
  self->name = g_strdup (name);
  self->lxcpath = g_strdup (lxcpath);
  self->state = LXCD_STATE_STOPPED;
  self->object_path = g_strconcat ("/org/linuxcontainers/LXC1/containers/", escaped, NULL);
  self->object = lxcd_dbus_object_skeleton_new (self->object_path);
  lxcd_dbus_object_skeleton_set_container (self->object, iface);

  lxcd_dbus_container_set_name (iface, name);
  lxcd_dbus_container_set_lxcpath (iface, lxcpath);
  lxcd_dbus_container_set_config_file (iface, "");
  lxcd_dbus_container_set_state (iface, lxcd_state_to_string (LXCD_STATE_STOPPED));
  lxcd_dbus_container_set_running (iface, FALSE);
  lxcd_dbus_container_set_init_pid (iface, -1);
  lxcd_dbus_container_set_last_exit_status (iface, -1);
  lxcd_dbus_container_set_daemonize (iface, TRUE);
  lxcd_dbus_container_set_close_all_fds (iface, FALSE);
  lxcd_dbus_container_set_privileged (iface, TRUE); /* until read */
  return self;
}

/**
 * lxcd_container_get_idmap_uid_base:
 *
 * The host uid the container's root is mapped to, 0 if none. Main thread.
 */
guint32
lxcd_container_get_idmap_uid_base (LxcdContainer *self)
{
  return self->idmap_uid_base;
}

/**
 * lxcd_container_get_privileged_detail:
 *
 * "true" or "false": the polkit detail "privileged" of checks that give
 * access inside the container. Main thread.
 */
const char *
lxcd_container_get_privileged_detail (LxcdContainer *self)
{
  return lxcd_dbus_container_get_privileged (LXCD_DBUS_CONTAINER (self)) ? "true" : "false";
}

const char *
lxcd_container_get_name (LxcdContainer *self)
{
  return self->name;
}

const char *
lxcd_container_get_lxcpath (LxcdContainer *self)
{
  return self->lxcpath;
}

const char *
lxcd_container_get_object_path (LxcdContainer *self)
{
  return self->object_path;
}

LxcdDBusObjectSkeleton *
lxcd_container_get_object (LxcdContainer *self)
{
  return self->object;
}

LxcdState
lxcd_container_get_state (LxcdContainer *self)
{
  return self->state;
}

LxcdDaemon *
lxcd_container_get_daemon (LxcdContainer *self)
{
  return self->daemon;
}

/**
 * lxcd_container_take_slot:
 * @owner: the operation that takes it
 *
 * The container's one slot: operations that change it never interleave.
 * Main thread.
 *
 * Returns: FALSE with %LXCD_ERROR_BUSY if another operation holds it.
 */
gboolean
lxcd_container_take_slot (LxcdContainer *self, LxcdOperation *owner, GError **error)
{
  if (self->slot_owner)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_BUSY,
                   "Another operation is in progress on container '%s'", self->name);
      return FALSE;
    }
  self->slot_owner = owner;
  return TRUE;
}

void
lxcd_container_release_slot (LxcdContainer *self)
{
  self->slot_owner = NULL;
}

/**
 * lxcd_container_check_attachable:
 *
 * Whether a process attached to the container can run now: it runs and
 * is not frozen (an attached program would be frozen before it starts,
 * and the call would hang until someone thaws the container). Main
 * thread.
 *
 * Returns: FALSE with %LXCD_ERROR_WRONG_STATE otherwise.
 */
gboolean
lxcd_container_check_attachable (LxcdContainer *self, GError **error)
{
  switch (self->state)
    {
    case LXCD_STATE_STOPPED:
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running",
                   self->name);
      return FALSE;
    case LXCD_STATE_FROZEN:
    case LXCD_STATE_FREEZING:
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE,
                   "Container '%s' is frozen: unfreeze it first", self->name);
      return FALSE;
    default:
      return TRUE;
    }
}

/**
 * lxcd_container_get_slot_owner:
 *
 * Returns: (transfer none) (nullable): the operation holding the slot.
 */
LxcdOperation *
lxcd_container_get_slot_owner (LxcdContainer *self)
{
  return self->slot_owner;
}
