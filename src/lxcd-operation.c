/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: one D-Bus method call from validation to its reply
 *
 * Every method handler checks its arguments, makes an LxcdOperation and
 * calls lxcd_operation_authorize() with the function that does the work.
 * The operation carries everything the call holds until its one reply:
 * the invocation, the target container, the caller's uid, the limit
 * token, the container's slot, a reserved name, the Job, the
 * cancellable. What a method needs comes from its row in the method
 * table (lxcd-methods.c), found from the invocation:
 *
 *   NEW ──authorize()──► AUTHORIZING ──granted──► RUNNING ──return*()──► RETURNED
 *    │   (root: no polkit)    │   limit token (LIMITED)    │  reserve_name()
 *    │                        │   slot (SLOT)              │  start_job() (JOB)
 *    │                        │                            │  run_in_worker()
 *    │                        └─denied──► return_error()   │  run_helper(), reread()
 *    └─────────────── return_error() (bad state) ──────────┘  authorize() again
 *
 * lxcd_operation_return(), _return_error() and _return_new_error() send
 * the reply, complete the Job (Completed, then off the bus) and release
 * the slot, the token and the name; each consumes the reference the
 * handler got from lxcd_operation_new(), which is the one a flow passes
 * along (steps in flight hold their own). Called from a worker thread,
 * the release is posted to the main thread at high priority before the
 * reply goes out, so the caller's next call never finds the slot taken.
 * An operation whose reply leaves something running for the caller (an
 * attached program, a console) keeps its limit token until its last
 * reference goes (lxcd_operation_keep_token()).
 *
 * Threads: everything here runs in the main thread, except the work of
 * lxcd_operation_run_in_worker() and a return from that work.
 */
#include "config.h"

#include "lxcd-auth.h"
#include "lxcd-caller.h"
#include "lxcd-container.h"
#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-job.h"
#include "lxcd-lxc.h"
#include "lxcd-operation.h"
#include "lxcd-spawn.h"

/* Polkit details beyond container and lxcpath an operation may carry. */
#define MAX_EXTRA_DETAILS 2
/* Actions asked after the first (LxcdAuthRequest's "also" chain). */
#define MAX_REQUIRED 2

struct _LxcdOperation {
  gatomicrefcount ref_count;
  LxcdOperationState state;
  GDBusMethodInvocation *invocation; /* NULL once returned */
  const LxcdMethod *method;
  LxcdDaemon *daemon;
  LxcdContainer *container; /* may be NULL (Manager, Job) */
  GMainContext *context;    /* the main thread's */
  uid_t uid;
  GVariant *options;        /* the call's a{sv}, for auth.no_user_interaction */

  /* what polkit is asked */
  char *action_id; /* NULL: the table's */
  char *subject_container;
  char *subject_lxcpath;
  char *key;
  char *value;
  char *privileged;
  char *extra_name[MAX_EXTRA_DETAILS];
  char *extra_value[MAX_EXTRA_DETAILS];
  char *required[MAX_REQUIRED];
  GError *denial;
  LxcdOperationFunc run;

  /* what it holds */
  LxcdLimitToken *token;
  gboolean keep_token; /* till the last reference, not the return */
  gboolean holds_slot;
  char *reserved_name;
  LxcdJob *job;
  GCancellable *cancellable;

  GPtrArray *joiners; /* operations that share this one's reply (LXCD_METHOD_JOINS) */

  /* lxcd_operation_on_abandoned() */
  LxcdOperationFunc abandoned;
  guint caller_watch;
  GCancellable *watched_cancellable;
  gulong cancel_id;

  gpointer data;
  GDestroyNotify data_destroy;
};

/* The call's option dictionary: its last a{sv} argument, if any. */
static GVariant *
find_options (GDBusMethodInvocation *invocation)
{
  GVariant *params = g_dbus_method_invocation_get_parameters (invocation);
  gsize n = params ? g_variant_n_children (params) : 0;

  for (gsize i = n; i > 0; i--)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (params, i - 1);

      if (g_variant_is_of_type (child, G_VARIANT_TYPE_VARDICT))
        return g_steal_pointer (&child);
    }
  return NULL;
}

/**
 * lxcd_operation_new:
 * @invocation: (transfer full): the call; the operation replies to it
 * @container: (nullable): the container the call is about
 *
 * Returns: (transfer full): the operation, with the reference its flow
 * passes along until one of the lxcd_operation_return*() consumes it.
 * Main thread.
 */
LxcdOperation *
lxcd_operation_new (GDBusMethodInvocation *invocation, LxcdDaemon *daemon,
                    LxcdContainer *container)
{
  LxcdOperation *op = g_new0 (LxcdOperation, 1);

  g_atomic_ref_count_init (&op->ref_count);
  op->state = LXCD_OPERATION_NEW;
  op->invocation = invocation;
  op->method = lxcd_methods_lookup (g_dbus_method_invocation_get_interface_name (invocation),
                                    g_dbus_method_invocation_get_method_name (invocation));
  /* lxcd_methods_guard() lets no call without a row reach a handler */
  g_assert (op->method != NULL);
  op->daemon = daemon;
  op->container = container ? g_object_ref (container) : NULL;
  op->context = g_main_context_ref_thread_default ();
  op->uid = (uid_t) -1;
  op->options = find_options (invocation);
  op->cancellable = g_cancellable_new ();
  return op;
}

LxcdOperation *
lxcd_operation_ref (LxcdOperation *op)
{
  g_atomic_ref_count_inc (&op->ref_count);
  return op;
}

/* main thread (or the thread that drops the last reference of a returned
 * operation: nothing is held any more then) */
static void
release_all (LxcdOperation *op)
{
  if (op->holds_slot)
    {
      lxcd_container_release_slot (op->container);
      op->holds_slot = FALSE;
    }
  if (!op->keep_token)
    g_clear_pointer (&op->token, lxcd_limit_token_release);
  if (op->reserved_name)
    {
      lxcd_daemon_release_name (op->daemon, op->reserved_name);
      g_clear_pointer (&op->reserved_name, g_free);
    }
}

void
lxcd_operation_unref (LxcdOperation *op)
{
  if (!g_atomic_ref_count_dec (&op->ref_count))
    return;
  /* An operation that never replied (a bug) must not hold the caller
   * forever. */
  if (op->invocation)
    {
      g_warning ("%s: operation freed without a reply",
                 g_dbus_method_invocation_get_method_name (op->invocation));
      g_dbus_method_invocation_return_error (g_steal_pointer (&op->invocation), LXCD_ERROR,
                                             LXCD_ERROR_FAILED, "Internal error: no reply");
    }
  release_all (op);
  g_clear_pointer (&op->token, lxcd_limit_token_release); /* (lxcd_operation_keep_token()) */
  if (op->caller_watch)
    g_bus_unwatch_name (op->caller_watch);
  if (op->cancel_id)
    g_cancellable_disconnect (op->watched_cancellable, op->cancel_id);
  g_clear_object (&op->watched_cancellable);
  if (op->data_destroy)
    op->data_destroy (op->data);
  g_clear_object (&op->job);
  g_clear_object (&op->cancellable);
  g_clear_object (&op->container);
  g_clear_pointer (&op->options, g_variant_unref);
  g_main_context_unref (op->context);
  g_free (op->action_id);
  g_free (op->subject_container);
  g_free (op->subject_lxcpath);
  g_free (op->key);
  g_free (op->value);
  g_free (op->privileged);
  for (guint i = 0; i < MAX_EXTRA_DETAILS; i++)
    {
      g_free (op->extra_name[i]);
      g_free (op->extra_value[i]);
    }
  for (guint i = 0; i < MAX_REQUIRED; i++)
    g_free (op->required[i]);
  g_clear_error (&op->denial);
  g_free (op);
}

/**
 * lxcd_operation_set_data:
 *
 * Attaches the handler's own state, freed with @destroy when the last
 * reference goes.
 */
void
lxcd_operation_set_data (LxcdOperation *op, gpointer data, GDestroyNotify destroy)
{
  g_assert (op->data == NULL);
  op->data = data;
  op->data_destroy = destroy;
}

gpointer
lxcd_operation_get_data (LxcdOperation *op)
{
  return op->data;
}

GDBusMethodInvocation *
lxcd_operation_get_invocation (LxcdOperation *op)
{
  return op->invocation;
}

LxcdDaemon *
lxcd_operation_get_daemon (LxcdOperation *op)
{
  return op->daemon;
}

LxcdContainer *
lxcd_operation_get_container (LxcdOperation *op)
{
  return op->container;
}

const LxcdMethod *
lxcd_operation_get_method (LxcdOperation *op)
{
  return op->method;
}

LxcdOperationState
lxcd_operation_get_state (LxcdOperation *op)
{
  return op->state;
}

/**
 * lxcd_operation_get_uid:
 *
 * Returns: the caller's uid once authorized (0 for root), else -1.
 */
uid_t
lxcd_operation_get_uid (LxcdOperation *op)
{
  return op->uid;
}

/**
 * lxcd_operation_get_cancellable:
 *
 * Returns: (transfer none): cancelled by Job.Cancel when the operation
 * runs as a cancelable Job, else by nothing but the operation itself.
 */
GCancellable *
lxcd_operation_get_cancellable (LxcdOperation *op)
{
  return op->job ? lxcd_job_get_cancellable (op->job) : op->cancellable;
}

LxcdJob *
lxcd_operation_get_job (LxcdOperation *op)
{
  return op->job;
}

/* ---- what polkit is asked --------------------------------------------------- */

/**
 * lxcd_operation_set_action:
 *
 * Asks @action_id instead of the method table's action (e.g. configure-host
 * for a key outside the ordinary ones).
 */
void
lxcd_operation_set_action (LxcdOperation *op, const char *action_id)
{
  g_free (op->action_id);
  op->action_id = g_strdup (action_id);
}

/**
 * lxcd_operation_set_subject:
 *
 * The container the details "container" and "lxcpath" name, when it is
 * not the operation's container (a clone's new container, a creation).
 */
void
lxcd_operation_set_subject (LxcdOperation *op, const char *container, const char *lxcpath)
{
  g_free (op->subject_container);
  g_free (op->subject_lxcpath);
  op->subject_container = g_strdup (container);
  op->subject_lxcpath = g_strdup (lxcpath);
}

/**
 * lxcd_operation_add_detail:
 *
 * One more polkit detail: "key", "value", "privileged" or up to
 * %MAX_EXTRA_DETAILS others. The method table's %LXCD_METHOD_PRIVILEGED
 * adds "privileged" by itself.
 */
void
lxcd_operation_add_detail (LxcdOperation *op, const char *name, const char *value)
{
  char **slot = NULL;

  if (g_str_equal (name, "key"))
    slot = &op->key;
  else if (g_str_equal (name, "value"))
    slot = &op->value;
  else if (g_str_equal (name, "privileged"))
    slot = &op->privileged;
  if (slot)
    {
      g_free (*slot);
      *slot = g_strdup (value);
      return;
    }
  for (guint i = 0; i < MAX_EXTRA_DETAILS; i++)
    {
      if (op->extra_name[i] == NULL || g_str_equal (op->extra_name[i], name))
        {
          g_free (op->extra_name[i]);
          g_free (op->extra_value[i]);
          op->extra_name[i] = g_strdup (name);
          op->extra_value[i] = g_strdup (value);
          return;
        }
    }
  g_return_if_reached ();
}

/**
 * lxcd_operation_require:
 *
 * The caller must hold @action_id as well (same details), asked once the
 * first is granted: e.g. exec for a Start that chooses the program. Root
 * passes without either.
 */
void
lxcd_operation_require (LxcdOperation *op, const char *action_id)
{
  for (guint i = 0; i < MAX_REQUIRED; i++)
    {
      if (op->required[i] == NULL)
        {
          op->required[i] = g_strdup (action_id);
          return;
        }
      if (g_str_equal (op->required[i], action_id))
        return;
    }
  g_return_if_reached ();
}

/**
 * lxcd_operation_set_denial:
 * @error: (nullable): what a refusal replies, or NULL for polkit's own
 *
 * Why the call needs its action, said instead of a bare NotAuthorized when
 * polkit refuses (e.g. a value outside the bounds configure allows).
 */
void
lxcd_operation_set_denial (LxcdOperation *op, const GError *error)
{
  g_clear_error (&op->denial);
  op->denial = error ? g_error_copy (error) : NULL;
}

/* main thread: a call of a method that joins (%LXCD_METHOD_JOINS) found
 * the slot taken by a call of the same method that is still running: it
 * waits for that one's reply and shares it, as liblxc's second stop() or
 * shutdown() of a container waits for the same STOPPED (and systemd
 * merges a job into one under way). The flow's reference goes to the
 * owner's list. */
static gboolean
op_join (LxcdOperation *op)
{
  LxcdOperation *owner = lxcd_container_get_slot_owner (op->container);

  if (!(op->method->flags & LXCD_METHOD_JOINS) || owner == NULL || owner->method != op->method ||
      owner->state != LXCD_OPERATION_RUNNING)
    return FALSE;
  if (owner->joiners == NULL)
    owner->joiners = g_ptr_array_new ();
  g_ptr_array_add (owner->joiners, op);
  g_debug ("%s: %s joins the one under way", lxcd_container_get_name (op->container),
           op->method->method);
  return TRUE;
}

/* main thread: granted (or root); take what the table says the method holds */
static void
op_granted (LxcdOperation *op)
{
  g_autoptr(GError) error = NULL;

  op->state = LXCD_OPERATION_RUNNING;
  if ((op->method->flags & LXCD_METHOD_LIMITED) && op->token == NULL &&
      !(op->token = lxcd_daemon_begin_operation (op->daemon, op->uid, &error)))
    {
      lxcd_operation_return_error (op, error);
      return;
    }
  if ((op->method->flags & LXCD_METHOD_SLOT) && op->container && !op->holds_slot)
    {
      if (!lxcd_container_take_slot (op->container, op, &error))
        {
          if (!op_join (op))
            lxcd_operation_return_error (op, error);
          return;
        }
      op->holds_slot = TRUE;
    }
  op->run (op);
}

/* main thread */
static void
op_authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LxcdOperation *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!lxcd_auth_check_finish (res, &op->uid, &error))
    {
      if (op->denial && g_error_matches (error, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED))
        lxcd_operation_return_error (op, op->denial);
      else
        lxcd_operation_return_error (op, error);
      return;
    }
  op_granted (op);
}

/* main thread: the uid of a caller of an unchecked, limited method */
static void
op_got_uid (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LxcdOperation *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!lxcd_caller_get_uid_finish (res, &op->uid, &error))
    {
      lxcd_operation_return_new_error (op, LXCD_ERROR_NOT_AUTHORIZED,
                                       "Could not tell who the caller is: %s", error->message);
      return;
    }
  op_granted (op);
}

/**
 * lxcd_operation_authorize:
 * @run: what the operation does once authorized
 *
 * Asks polkit for the operation's action (the table's, or
 * lxcd_operation_set_action()'s) and then each lxcd_operation_require()d
 * one, with the details "container", "lxcpath" and those added; root
 * skips polkit. Once granted, takes the caller's limit token
 * (%LXCD_METHOD_LIMITED) and the container's slot (%LXCD_METHOD_SLOT),
 * then calls @run. A refusal, a limit or a busy slot is the reply.
 *
 * May be called again from @run's flow (to ask a further action a step
 * found it needs): the slot is released while polkit is asked.
 */
void
lxcd_operation_authorize (LxcdOperation *op, LxcdOperationFunc run)
{
  LxcdAuthRequest required[MAX_REQUIRED];
  LxcdAuthRequest request = { 0 };
  const LxcdAuthRequest *template = &request;
  const char *container = op->subject_container;
  const char *lxcpath = op->subject_lxcpath;

  g_assert (op->state == LXCD_OPERATION_NEW || op->state == LXCD_OPERATION_RUNNING);
  op->run = run;
  if (op->state == LXCD_OPERATION_RUNNING && op->holds_slot)
    {
      lxcd_container_release_slot (op->container);
      op->holds_slot = FALSE;
    }
  op->state = LXCD_OPERATION_AUTHORIZING;

  if (op->uid == 0 || lxcd_auth_caller_is_root (op->invocation))
    {
      op->uid = 0;
      op_granted (op);
      return;
    }
  /* a method anyone may call (its table row has no action); one that
   * takes a worker counts against its caller's limit, so the uid first */
  if (op->action_id == NULL && op->method->action == NULL && op->required[0] == NULL)
    {
      const char *sender = g_dbus_method_invocation_get_sender (op->invocation);

      if ((op->method->flags & LXCD_METHOD_LIMITED) && sender &&
          !lxcd_caller_lookup_uid (sender, &op->uid))
        lxcd_caller_get_uid_async (sender, NULL, op_got_uid, op);
      else
        op_granted (op);
      return;
    }

  if (container == NULL && op->container)
    {
      container = lxcd_container_get_name (op->container);
      lxcpath = lxcd_container_get_lxcpath (op->container);
    }
  if (op->privileged == NULL && op->container &&
      (op->method->flags & LXCD_METHOD_PRIVILEGED))
    op->privileged = g_strdup (lxcd_container_get_privileged_detail (op->container));
  request = (LxcdAuthRequest) {
    .action_id = op->action_id, /* NULL: the method table's */
    .container = container,
    .lxcpath = lxcpath,
    .key = op->key,
    .value = op->value,
    .extra_name = op->extra_name[0],
    .extra_value = op->extra_value[0],
    .extra2_name = op->extra_name[1],
    .extra2_value = op->extra_value[1],
    .privileged = op->privileged,
    .options = op->options,
  };
  /* the chain, last first */
  for (guint i = MAX_REQUIRED; i > 0; i--)
    {
      if (op->required[i - 1] == NULL)
        continue;
      required[i - 1] = request;
      required[i - 1].action_id = op->required[i - 1];
      required[i - 1].also = template == &request ? NULL : template;
      template = &required[i - 1];
    }
  request.also = template == &request ? NULL : template;
  lxcd_auth_check_async (op->invocation, &request, NULL, op_authorized, op);
}

/* ---- steps ------------------------------------------------------------------ */

/**
 * lxcd_operation_reserve_name:
 *
 * Holds @name for a container the operation makes (no other creation,
 * clone or rename can take it) until it returns.
 *
 * Returns: FALSE with %LXCD_ERROR_ALREADY_EXISTS if a container has it.
 */
gboolean
lxcd_operation_reserve_name (LxcdOperation *op, const char *name, GError **error)
{
  g_assert (op->reserved_name == NULL);
  if (lxcd_daemon_name_taken (op->daemon, name))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_ALREADY_EXISTS,
                   "A container named '%s' already exists", name);
      return FALSE;
    }
  lxcd_daemon_reserve_name (op->daemon, name);
  op->reserved_name = g_strdup (name);
  return TRUE;
}

/**
 * lxcd_operation_start_job:
 * @operation: the Job's Operation property ("clone", ...)
 *
 * Puts a Job on the bus for the operation (a method with
 * %LXCD_METHOD_JOB; Job.Cancel works if it is %LXCD_METHOD_CANCELABLE),
 * naming its container. The return completes it.
 *
 * Returns: (transfer none): the Job, to add objects and targets to.
 */
LxcdJob *
lxcd_operation_start_job (LxcdOperation *op, const char *operation)
{
  lxcd_operation_prepare_job (op, operation);
  lxcd_operation_export_job (op);
  return op->job;
}

/**
 * lxcd_operation_release_slot:
 *
 * Lets other operations on the container run before this one returns
 * (its remaining steps do not touch the container).
 */
void
lxcd_operation_release_slot (LxcdOperation *op)
{
  if (op->holds_slot)
    {
      lxcd_container_release_slot (op->container);
      op->holds_slot = FALSE;
    }
}

/* A step in flight holds a reference of its own besides the flow's, which
 * it hands on to @done: the work may return the operation (and drop the
 * flow's) before the step ends. */
typedef struct {
  LxcdOperation *op;
  LxcdOperationWork work;
  LxcdOperationDone done;
} Step;

static Step *
step_new (LxcdOperation *op, LxcdOperationWork work, LxcdOperationDone done)
{
  Step *step = g_new0 (Step, 1);

  step->op = lxcd_operation_ref (op);
  step->work = work;
  step->done = done;
  return step;
}

/* main thread: hands the flow's reference on to @step->done, unless the
 * operation returned already */
static void
step_finish (Step *step, const GError *error)
{
  g_autoptr(LxcdOperation) op = step->op; /* the step's own */
  LxcdOperationDone done = step->done;

  g_free (step);
  if (op->state == LXCD_OPERATION_RETURNED)
    return;
  if (done)
    done (op, error);
  else if (error)
    lxcd_operation_return_error (op, error);
  else
    lxcd_operation_return (op, NULL);
}

/* worker thread */
static void
worker_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Step *step = task_data;
  GError *error = NULL;

  if (step->work (step->op, lxcd_operation_get_cancellable (step->op), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* main thread */
static void
worker_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (res), &error);
  step_finish (user_data, error);
}

/**
 * lxcd_operation_run_in_worker:
 * @work: runs in a worker thread; may return the operation itself
 * @done: (nullable): called in the main thread when @work returned
 *   without replying; NULL: return @work's error, or an empty reply
 *
 * Runs @work in one of the service's worker threads (liblxc calls that do
 * not fork a long-lived process). The flow's reference passes to @done.
 */
void
lxcd_operation_run_in_worker (LxcdOperation *op, LxcdOperationWork work, LxcdOperationDone done)
{
  Step *step = step_new (op, work, done);
  g_autoptr(GTask) task = g_task_new (NULL, NULL, worker_done, step);

  g_task_set_task_data (task, step, NULL);
  lxcd_run_in_worker (task, worker_thread);
}

typedef struct {
  LxcdOperation *op; /* the flow's */
  LxcdOperationOutput done;
} HelperStep;

/* main thread */
static void
helper_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  HelperStep *step = user_data;
  LxcdOperation *op = step->op;
  LxcdOperationOutput done = step->done;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = lxcd_spawn_helper_finish (res, &error);

  g_free (step);
  done (op, output, error);
}

/**
 * lxcd_operation_run_helper:
 * @args: lxc-dbus-helper's operation and arguments
 * @stdin_text: (nullable): its standard input
 *
 * Runs one operation of lxc-dbus-helper (liblxc calls that fork) under
 * the operation's cancellable; @done gets what it printed. The flow's
 * reference passes to @done.
 */
void
lxcd_operation_run_helper (LxcdOperation *op, const char *const *args, const char *stdin_text,
                           LxcdOperationOutput done)
{
  HelperStep *step = g_new0 (HelperStep, 1);

  step->op = op;
  step->done = done;
  lxcd_spawn_helper_async (lxcd_daemon_get_helper_path (op->daemon), args, stdin_text,
                           lxcd_operation_get_cancellable (op), helper_done, step);
}

/* main thread */
static void
reread_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  lxcd_daemon_sync_container_finish (LXCD_DAEMON (source), res, &error);
  step_finish (user_data, error);
}

/**
 * lxcd_operation_reread:
 * @lxcpath: (nullable): with @name, the container to re-read; NULL for
 *   the operation's own
 *
 * Re-reads a container from disk and publishes what changed, then calls
 * @done (with the flow's reference).
 */
void
lxcd_operation_reread (LxcdOperation *op, const char *lxcpath, const char *name,
                       LxcdOperationDone done)
{
  if (lxcpath == NULL)
    {
      lxcpath = lxcd_container_get_lxcpath (op->container);
      name = lxcd_container_get_name (op->container);
    }
  lxcd_daemon_sync_container (op->daemon, lxcpath, name, NULL, reread_done,
                              step_new (op, NULL, done));
}

/* ---- the reply -------------------------------------------------------------- */

/* main thread: see lxcd_operation_return() from a worker */
static gboolean
release_in_main (gpointer user_data)
{
  release_all (user_data);
  return G_SOURCE_REMOVE;
}

/* Sends the reply (@value with @fd_list, or @error) and releases what @op
 * holds; consumes the flow's reference. */
static void
op_return (LxcdOperation *op, GVariant *value, GUnixFDList *fd_list, const GError *error)
{
  GDBusMethodInvocation *invocation;

  g_assert (op->state != LXCD_OPERATION_RETURNED && op->invocation != NULL);
  op->state = LXCD_OPERATION_RETURNED;
  invocation = g_steal_pointer (&op->invocation);
  if (g_main_context_is_owner (op->context))
    {
      /* Completed before the reply: a client that waits for the reply
       * finds the job done. */
      if (op->job)
        lxcd_daemon_finish_job (op->daemon, op->job, error);
      release_all (op);
    }
  else
    {
      /* A worker thread: the slot, token and name belong to the main
       * thread. A source of high priority attached before the reply
       * leaves runs before the caller's next call, which GDBus
       * dispatches at default priority and which can only come after
       * this reply (never g_main_context_invoke(), which would run it
       * right here if it can acquire the context). */
      GSource *source = g_idle_source_new ();

      g_assert (op->job == NULL);
      g_source_set_priority (source, G_PRIORITY_HIGH);
      g_source_set_callback (source, release_in_main, lxcd_operation_ref (op),
                             (GDestroyNotify) lxcd_operation_unref);
      g_source_set_name (source, "[lxc-dbus] operation release");
      g_source_attach (source, op->context);
      g_source_unref (source);
    }
  if (value)
    g_variant_ref_sink (value);
  if (error)
    {
      g_autoptr(GError) mapped = lxcd_error_from_gerror (error);
      g_dbus_method_invocation_return_gerror (invocation, mapped);
    }
  else
    g_dbus_method_invocation_return_value_with_unix_fd_list (invocation, value, fd_list);
  /* the calls that joined this one get the same answer */
  if (op->joiners)
    {
      g_autoptr(GPtrArray) joiners = g_steal_pointer (&op->joiners);

      for (guint i = 0; i < joiners->len; i++)
        op_return (joiners->pdata[i], value, NULL, error);
    }
  g_clear_pointer (&value, g_variant_unref);
  lxcd_operation_unref (op);
}

/**
 * lxcd_operation_return:
 * @value: (nullable): the reply's arguments (a tuple; floating is
 *   consumed), or NULL for none
 *
 * Replies, completes the Job and releases everything; consumes the flow's
 * reference. Main thread, or the work of lxcd_operation_run_in_worker()
 * (an operation without a Job).
 */
void
lxcd_operation_return (LxcdOperation *op, GVariant *value)
{
  op_return (op, value, NULL, NULL);
}

/**
 * lxcd_operation_return_error:
 *
 * As lxcd_operation_return(), with @error mapped to the service's errors
 * (lxcd_error_from_gerror()).
 */
void
lxcd_operation_return_error (LxcdOperation *op, const GError *error)
{
  g_assert (error != NULL);
  op_return (op, NULL, NULL, error);
}

void
lxcd_operation_return_new_error (LxcdOperation *op, gint code, const char *format, ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (LXCD_ERROR, code, format, args);
  va_end (args);
  op_return (op, NULL, NULL, error);
}

/* ---- operations that outlive their reply ------------------------------------ */

/**
 * lxcd_operation_return_with_fds:
 * @value: as for lxcd_operation_return()
 * @fd_list: (nullable): the descriptors @value's handles index
 *
 * As lxcd_operation_return(), for a reply that hands the caller
 * descriptors (a pty, a console). Main thread.
 */
void
lxcd_operation_return_with_fds (LxcdOperation *op, GVariant *value, GUnixFDList *fd_list)
{
  op_return (op, value, fd_list, NULL);
}

/**
 * lxcd_operation_keep_token:
 *
 * The caller's limit token stays held after the return, until the last
 * reference to @op goes: for an operation whose reply leaves something
 * running for the caller (an attached program, a shell, a console) that
 * must keep counting against the limit while it lives. Whoever holds a
 * reference past the return drops it in the main thread.
 */
void
lxcd_operation_keep_token (LxcdOperation *op)
{
  op->keep_token = TRUE;
}

/* ---- additions -------------------------------------------------------------- */

/* main thread: the caller left the bus */
static void
abandoned_by_caller (GDBusConnection *connection, const char *name, gpointer user_data)
{
  LxcdOperation *op = user_data;

  g_debug ("%s: %s left the bus", op->method->method, name);
  op->abandoned (op);
}

/* main thread (GCancellable callbacks run where cancel() is called: Job.Cancel) */
static void
abandoned_by_cancel (GCancellable *cancellable, gpointer user_data)
{
  LxcdOperation *op = user_data;

  op->abandoned (op);
}

/**
 * lxcd_operation_on_abandoned:
 * @stop: what stops the operation's work (kills its program, ...)
 *
 * Calls @stop when the caller leaves the bus or the operation's
 * cancellable is cancelled (Job.Cancel: call this after
 * lxcd_operation_start_job()), for as long as the operation lives, even
 * after its reply. Call it before the reply. Main thread.
 */
void
lxcd_operation_on_abandoned (LxcdOperation *op, LxcdOperationFunc stop)
{
  const char *sender = op->invocation ? g_dbus_method_invocation_get_sender (op->invocation) : NULL;

  g_assert (op->abandoned == NULL);
  op->abandoned = stop;
  op->watched_cancellable = g_object_ref (lxcd_operation_get_cancellable (op));
  op->cancel_id = g_cancellable_connect (op->watched_cancellable, G_CALLBACK (abandoned_by_cancel),
                                         op, NULL);
  if (sender)
    op->caller_watch =
      g_bus_watch_name_on_connection (g_dbus_method_invocation_get_connection (op->invocation),
                                      sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                      abandoned_by_caller, op, NULL);
}

/**
 * lxcd_operation_prepare_job:
 * @operation: the Job's Operation property ("clone", ...)
 *
 * As lxcd_operation_start_job(), but the Job is not on the bus yet: for a
 * Job that must name more objects or targets from its first appearance
 * (InterfacesAdded carries the properties it has when it is exported, and
 * a client that reads Objects then must find the new container there). Add
 * them, then call lxcd_operation_export_job() before the next step. A Job
 * the operation returns with unexported is completed all the same.
 *
 * Returns: (transfer none): the Job, to add objects and targets to.
 */
LxcdJob *
lxcd_operation_prepare_job (LxcdOperation *op, const char *operation)
{
  const char *name = op->subject_container;
  const char *lxcpath = op->subject_lxcpath;

  g_assert (op->job == NULL && (op->method->flags & LXCD_METHOD_JOB));
  if (op->container)
    {
      name = lxcd_container_get_name (op->container);
      lxcpath = lxcd_container_get_lxcpath (op->container);
    }
  op->job = lxcd_job_new (operation, op->uid, (op->method->flags & LXCD_METHOD_CANCELABLE) != 0,
                          name, lxcpath);
  lxcd_dbus_job_set_started_by (LXCD_DBUS_JOB (op->job),
                                g_dbus_method_invocation_get_sender (op->invocation)
                                  ? g_dbus_method_invocation_get_sender (op->invocation)
                                  : "");
  if (op->container)
    lxcd_job_add_object (op->job, lxcd_container_get_object_path (op->container));
  return op->job;
}

/**
 * lxcd_operation_export_job:
 *
 * Puts the Job lxcd_operation_prepare_job() made on the bus.
 */
void
lxcd_operation_export_job (LxcdOperation *op)
{
  g_assert (op->job != NULL && lxcd_job_get_object (op->job) == NULL);
  lxcd_daemon_export_job (op->daemon, op->job);
}
