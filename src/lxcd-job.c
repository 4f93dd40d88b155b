/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: a long operation on the bus (org.linuxcontainers.LXC1.Job)
 *
 * The daemon exports a job when a long operation starts and unexports it
 * when lxcd_job_complete() is called. Cancel() cancels the job's
 * GCancellable; the operation owning the job reacts (kills its helper,
 * cleans up) and completes the job.
 */
#include "config.h"

#include "lxcd-auth.h"
#include "lxcd-caller.h"
#include "lxcd-error.h"
#include "lxcd-methods.h"
#include "lxcd-job.h"
#include "lxcd-lxc.h"
#include "lxcd-util.h"

struct _LxcdJob {
  LxcdDBusJobSkeleton parent_instance;

  GCancellable *cancellable;
  LxcdDBusObjectSkeleton *object;
  /* The containers the operation touches, name and lxcpath one after the
   * other: a caller that did not start the job needs manage on each of
   * them to cancel it. */
  GPtrArray *targets;
  gboolean completed;
  /* progress of a copy: the target's size against the source's */
  char *copy_source;
  char *copy_target;
  guint64 copy_total;
  guint copy_timer;
  gboolean copy_sampling;
};

static void lxcd_job_iface_init (LxcdDBusJobIface *iface);

G_DEFINE_TYPE_WITH_CODE (LxcdJob, lxcd_job, LXCD_DBUS_TYPE_JOB_SKELETON,
                         G_IMPLEMENT_INTERFACE (LXCD_DBUS_TYPE_JOB, lxcd_job_iface_init))

typedef struct {
  LxcdJob *job;
  GDBusMethodInvocation *invocation;
  GVariant *options;
} CancelData;

static void
cancel_data_free (CancelData *data)
{
  g_object_unref (data->job);
  g_clear_object (&data->invocation);
  g_variant_unref (data->options);
  g_free (data);
}

/* main thread */
static void
cancel_do (CancelData *data)
{
  LxcdJob *self = data->job;

  if (self->completed || g_cancellable_is_cancelled (self->cancellable))
    {
      g_dbus_method_invocation_return_error (g_steal_pointer (&data->invocation), LXCD_ERROR,
                                             LXCD_ERROR_WRONG_STATE, "The job is already ending");
      return;
    }
  g_debug ("job %s: cancelled", lxcd_job_get_object_path (self));
  g_cancellable_cancel (self->cancellable);
  lxcd_dbus_job_complete_cancel (LXCD_DBUS_JOB (self), g_steal_pointer (&data->invocation));
}

/* main thread */
static void
cancel_authorized_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CancelData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!lxcd_auth_check_finish (res, NULL, &error))
    g_dbus_method_invocation_return_gerror (g_steal_pointer (&data->invocation), error);
  else
    cancel_do (data);
  cancel_data_free (data);
}

/* main thread */
static void
cancel_got_uid_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CancelData *data = user_data;
  LxcdJob *self = data->job;
  uid_t uid = (uid_t) -1;
  gboolean known;
  LxcdAuthRequest request = {
    .action_id = NULL, /* the method table's: manage */
    .options = data->options,
  };

  g_autofree LxcdAuthRequest *more = NULL;
  guint n = self->targets->len / 2;

  known = lxcd_caller_get_uid_finish (res, &uid, NULL);
  if (known && uid == lxcd_dbus_job_get_started_by_uid (LXCD_DBUS_JOB (self)))
    {
      cancel_do (data);
      cancel_data_free (data);
      return;
    }
  /* manage on every container the operation touches, one after another */
  if (n > 0)
    {
      request.container = self->targets->pdata[0];
      request.lxcpath = self->targets->pdata[1];
    }
  if (n > 1)
    {
      more = g_new0 (LxcdAuthRequest, n - 1);
      for (guint i = 1; i < n; i++)
        {
          more[i - 1].action_id = LXCD_ACTION_MANAGE;
          more[i - 1].container = self->targets->pdata[2 * i];
          more[i - 1].lxcpath = self->targets->pdata[2 * i + 1];
          more[i - 1].also = i + 1 < n ? &more[i] : NULL;
        }
      request.also = &more[0];
    }
  lxcd_auth_check_async (data->invocation, &request, NULL, cancel_authorized_cb, data);
}

/* main thread */
static gboolean
handle_cancel (LxcdDBusJob *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  static const LxcdOptionSpec specs[] = {
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  LxcdJob *self = LXCD_JOB (iface);
  g_autoptr(GError) error = NULL;
  CancelData *data;
  const char *sender = g_dbus_method_invocation_get_sender (invocation);

  if (!lxcd_options_validate (options, specs, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (!lxcd_dbus_job_get_cancelable (iface))
    {
      g_dbus_method_invocation_return_error (invocation, LXCD_ERROR, LXCD_ERROR_NOT_SUPPORTED,
                                             "This job cannot be cancelled");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  data = g_new0 (CancelData, 1);
  data->job = g_object_ref (self);
  data->invocation = invocation; /* the handler's reference: the reply consumes it */
  data->options = g_variant_ref (options);
  /* The uid that started the job may cancel it without polkit. */
  lxcd_caller_get_uid_async (sender ? sender : "", NULL, cancel_got_uid_cb, data);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef struct {
  char *source;
  char *target;
  guint64 total;   /* known already, or 0 */
  guint64 current; /* results */
} CopySample;

static void
copy_sample_free (CopySample *sample)
{
  g_free (sample->source);
  g_free (sample->target);
  g_free (sample);
}

/* worker thread */
static void
copy_sample_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  CopySample *sample = task_data;

  if (sample->total == 0)
    sample->total = lxcd_lxc_tree_size (sample->source);
  sample->current = lxcd_lxc_tree_size (sample->target);
  g_task_return_boolean (task, TRUE);
}

/* main thread */
static void
copy_sampled (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LxcdJob *self = LXCD_JOB (source);
  CopySample *sample = g_task_get_task_data (G_TASK (res));

  self->copy_sampling = FALSE;
  if (self->completed || sample->total == 0)
    return;
  self->copy_total = sample->total;
  /* Never 1.0 before the job is done: the copy is followed by hooks. Never
   * backwards either: a sample can miss a file that the copy renames while
   * it is counted (rsync's temporary name, then the real one), and read
   * 0 for a 384 MB copy 87% done. */
  lxcd_job_set_progress (self, MAX (lxcd_dbus_job_get_progress (LXCD_DBUS_JOB (self)),
                                    MIN (0.99, (double) sample->current / (double) sample->total)));
}

/* main thread: a sample at a time, while the job runs */
static gboolean
copy_tick (gpointer user_data)
{
  LxcdJob *self = user_data;
  g_autoptr(GTask) task = NULL;
  CopySample *sample;

  if (self->copy_sampling)
    return G_SOURCE_CONTINUE;
  self->copy_sampling = TRUE;
  sample = g_new0 (CopySample, 1);
  sample->source = g_strdup (self->copy_source);
  sample->target = g_strdup (self->copy_target);
  sample->total = self->copy_total;
  task = g_task_new (self, NULL, copy_sampled, NULL);
  g_task_set_task_data (task, sample, (GDestroyNotify) copy_sample_free);
  lxcd_run_in_worker (task, copy_sample_thread);
  return G_SOURCE_CONTINUE;
}

/**
 * lxcd_job_track_copy:
 *
 * Publishes the progress of a copy from @source_dir to @target_dir: four
 * times a second, while the job runs, a worker thread compares their
 * sizes. Main thread.
 */
void
lxcd_job_track_copy (LxcdJob *self, const char *source_dir, const char *target_dir)
{
  g_return_if_fail (self->copy_timer == 0);
  self->copy_source = g_strdup (source_dir);
  self->copy_target = g_strdup (target_dir);
  self->copy_timer = g_timeout_add (250, copy_tick, self);
}

/**
 * lxcd_job_complete:
 * @error: (nullable): why the job failed, or %NULL on success
 *
 * Emits Completed. The daemon unexports the job afterwards. Main thread.
 */
void
lxcd_job_complete (LxcdJob *self, const GError *error)
{
  if (self->completed)
    return;
  self->completed = TRUE;
  if (self->copy_timer)
    {
      g_source_remove (self->copy_timer);
      self->copy_timer = 0;
      if (error == NULL)
        lxcd_job_set_progress (self, 1.0);
    }
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self));
  lxcd_dbus_job_emit_completed (LXCD_DBUS_JOB (self), error == NULL, error ? error->message : "");
}

void
lxcd_job_add_object (LxcdJob *self, const char *object_path)
{
  LxcdDBusJob *iface = LXCD_DBUS_JOB (self);
  const char *const *old = lxcd_dbus_job_get_objects (iface);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;

  for (const char *const *o = old; o && *o; o++)
    g_strv_builder_add (builder, *o);
  g_strv_builder_add (builder, object_path);
  paths = g_strv_builder_end (builder);
  lxcd_dbus_job_set_objects (iface, (const char *const *) paths);
}

void
lxcd_job_set_progress (LxcdJob *self, double progress)
{
  lxcd_dbus_job_set_progress (LXCD_DBUS_JOB (self), CLAMP (progress, 0.0, 1.0));
  lxcd_dbus_job_set_progress_valid (LXCD_DBUS_JOB (self), TRUE);
}

GCancellable *
lxcd_job_get_cancellable (LxcdJob *self)
{
  return self->cancellable;
}

void
lxcd_job_set_object (LxcdJob *self, LxcdDBusObjectSkeleton *object)
{
  g_set_object (&self->object, object);
}

LxcdDBusObjectSkeleton *
lxcd_job_get_object (LxcdJob *self)
{
  return self->object;
}

const char *
lxcd_job_get_object_path (LxcdJob *self)
{
  return self->object ? g_dbus_object_get_object_path (G_DBUS_OBJECT (self->object)) : "(unexported)";
}

static void
lxcd_job_finalize (GObject *object)
{
  LxcdJob *self = LXCD_JOB (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->object);
  g_ptr_array_unref (self->targets);
  g_free (self->copy_source);
  g_free (self->copy_target);
  G_OBJECT_CLASS (lxcd_job_parent_class)->finalize (object);
}

static void
lxcd_job_init (LxcdJob *self)
{
  self->cancellable = g_cancellable_new ();
  self->targets = g_ptr_array_new_with_free_func (g_free);
}

static void
lxcd_job_class_init (LxcdJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lxcd_job_finalize;
}

static void
lxcd_job_iface_init (LxcdDBusJobIface *iface)
{
  iface->handle_cancel = handle_cancel;
}

/**
 * lxcd_job_add_target:
 *
 * One more container the job's operation touches (a copy, a new name).
 * Main thread.
 */
void
lxcd_job_add_target (LxcdJob *self, const char *container, const char *lxcpath)
{
  g_ptr_array_add (self->targets, g_strdup (container));
  g_ptr_array_add (self->targets, g_strdup (lxcpath));
}

/**
 * lxcd_job_new:
 * @container: (nullable): the container name, for authorization details
 *
 * Main thread.
 */
LxcdJob *
lxcd_job_new (const char *operation, uid_t started_by, gboolean cancelable,
              const char *container, const char *lxcpath)
{
  LxcdJob *self = g_object_new (LXCD_TYPE_JOB, NULL);
  LxcdDBusJob *iface = LXCD_DBUS_JOB (self);
  const char *const no_objects[] = { NULL };

  lxcd_methods_guard (self);
  if (container)
    lxcd_job_add_target (self, container, lxcpath);
  lxcd_dbus_job_set_operation (iface, operation);
  lxcd_dbus_job_set_objects (iface, no_objects);
  lxcd_dbus_job_set_started_by_uid (iface, (guint32) started_by);
  lxcd_dbus_job_set_start_time (iface, (guint64) g_get_real_time ());
  lxcd_dbus_job_set_progress (iface, 0.0);
  lxcd_dbus_job_set_progress_valid (iface, FALSE);
  lxcd_dbus_job_set_cancelable (iface, cancelable);
  return self;
}
