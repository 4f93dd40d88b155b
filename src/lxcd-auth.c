/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: polkit authorization of D-Bus callers
 *
 * Every check is asynchronous and runs on the main loop: first the caller's
 * uid is learnt (lxcd-caller.c: known already, or asked from the bus; uid 0
 * passes without polkit), then polkit is asked about the caller's unique
 * bus name (subject system-bus-name, never a PID), with details that rules
 * can match on. The caller is held for the whole check: one that left the
 * bus while polkit was deciding is refused whatever polkit answers, so
 * nothing is done for a caller that disconnected meanwhile.
 */
#include "config.h"

#include <polkit/polkit.h>

#include "lxcd-auth.h"
#include "lxcd-caller.h"
#include "lxcd-error.h"
#include "lxcd-methods.h"

typedef struct {
  char *sender;
  char *action_id;        /* the check being asked */
  PolkitDetails *details;
  GPtrArray *more;        /* of Check: asked one after another once this one is granted */
  PolkitAuthority *authority;
  gboolean allow_interaction;
  uid_t uid;
  gboolean held;          /* lxcd_caller_hold (sender) */
  GCancellable *cancellable;  /* ours: cancelled by the caller's or on timeout */
  GCancellable *caller_cancellable;
  gulong caller_cancel_id;
  guint timeout_id;
  gboolean timed_out;
} AuthData;

/* One more action (with its details) the caller must also hold. */
typedef struct {
  char *action_id;
  PolkitDetails *details;
} Check;

static void
check_free (Check *check)
{
  g_free (check->action_id);
  g_object_unref (check->details);
  g_free (check);
}

/* How long polkitd may take to answer: it answers a non-interactive check
 * in milliseconds; an interactive one waits for a person to authenticate.
 * polkit itself waits forever (a hung polkitd would hang every call). */
#define POLKIT_TIMEOUT_S 15
#define POLKIT_INTERACTIVE_TIMEOUT_S 300

static void
auth_data_free (AuthData *data)
{
  if (data->held)
    lxcd_caller_release (data->sender);
  if (data->timeout_id)
    g_source_remove (data->timeout_id);
  if (data->caller_cancel_id)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_cancel_id);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_free (data->sender);
  g_free (data->action_id);
  g_clear_object (&data->details);
  g_clear_pointer (&data->more, g_ptr_array_unref);
  g_clear_object (&data->authority);
  g_free (data);
}

/* main thread: the answer is yes, if the caller is still there to get it */
static void
allow (GTask *task)
{
  AuthData *data = g_task_get_task_data (task);

  if (lxcd_caller_has_left (data->sender))
    g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                             "The caller left the bus before %s was authorized",
                             data->action_id);
  else
    g_task_return_boolean (task, TRUE);
}

static void ask_polkit (GTask *task_in);

/* main thread */
static void
check_authorization_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  AuthData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) result = NULL;

  result = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), res, &error);
  if (result == NULL && data->timed_out)
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                               "Could not check authorization for %s: polkit did not answer "
                               "within %u s", data->action_id,
                               data->allow_interaction ? POLKIT_INTERACTIVE_TIMEOUT_S
                                                       : POLKIT_TIMEOUT_S);
      return;
    }
  if (result == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_CANCELLED,
                               "The authorization check for %s was cancelled", data->action_id);
      return;
    }
  if (result == NULL)
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                               "Could not check authorization for %s: %s",
                               data->action_id, error->message);
      return;
    }
  if (polkit_authorization_result_get_is_authorized (result))
    {
      if (data->more == NULL || data->more->len == 0)
        {
          allow (task);
          return;
        }
      /* The next action of the request. */
      {
        Check *next = g_ptr_array_steal_index (data->more, 0);

        g_free (data->action_id);
        g_object_unref (data->details);
        data->action_id = next->action_id;
        data->details = next->details;
        g_free (next);
      }
      ask_polkit (g_steal_pointer (&task));
      return;
    }
  if (polkit_authorization_result_get_is_challenge (result) && !data->allow_interaction)
    g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                             "Authentication is required for %s (interactive authorization was not allowed)",
                             data->action_id);
  else if (polkit_authorization_result_get_is_challenge (result))
    g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                             "Authentication is required for %s and could not be obtained "
                             "(no authentication agent answered)",
                             data->action_id);
  else
    g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                             "Not authorized for %s", data->action_id);
}

/* main thread */
static void
authority_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  AuthData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthority) authority = NULL;

  authority = polkit_authority_get_finish (res, &error);
  if (authority == NULL && data->timed_out)
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                               "polkit is not available: it did not answer in time");
      return;
    }
  if (authority == NULL)
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                               "polkit is not available: %s", error->message);
      return;
    }

  data->authority = g_steal_pointer (&authority);
  ask_polkit (g_steal_pointer (&task));
}

/* main thread: asks polkit about data->action_id */
static void
ask_polkit (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  AuthData *data = g_task_get_task_data (task);
  g_autoptr(PolkitSubject) subject = polkit_system_bus_name_new (data->sender);
  PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;
  GCancellable *cancellable;

  if (data->allow_interaction)
    flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  /* (fetch the cancellable before the task is handed over: argument
   * evaluation order is unspecified) */
  cancellable = g_task_get_cancellable (task);
  polkit_authority_check_authorization (data->authority, subject, data->action_id,
                                        data->details, flags, cancellable,
                                        check_authorization_cb,
                                        g_steal_pointer (&task));
}

static void auth_with_uid (GTask *task_in);

/* main thread: polkit took too long; its call ends as cancelled */
static gboolean
on_polkit_timeout (gpointer user_data)
{
  AuthData *data = user_data;

  data->timeout_id = 0;
  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

/* the caller's cancellable: cancels ours */
static void
on_caller_cancelled (GCancellable *caller, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* main thread */
static void
get_uid_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  AuthData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!lxcd_caller_get_uid_finish (res, &data->uid, &error))
    {
      data->uid = (uid_t) -1;
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                               "Could not identify the caller: %s", error->message);
      return;
    }
  auth_with_uid (g_steal_pointer (&task));
}

/* main thread: the caller's uid is known */
static void
auth_with_uid (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  AuthData *data = g_task_get_task_data (task);
  GCancellable *cancellable;

  if (data->uid == 0)
    {
      allow (task);
      return;
    }

  data->timeout_id = g_timeout_add_seconds (data->allow_interaction ? POLKIT_INTERACTIVE_TIMEOUT_S
                                                                    : POLKIT_TIMEOUT_S,
                                            on_polkit_timeout, data);
  cancellable = g_task_get_cancellable (task);
  polkit_authority_get_async (cancellable, authority_cb, g_steal_pointer (&task));
}

/* The details polkit rules see for @request. */
static PolkitDetails *
details_new (const LxcdAuthRequest *request)
{
  PolkitDetails *details = polkit_details_new ();

  if (request->container)
    polkit_details_insert (details, "container", request->container);
  if (request->lxcpath)
    polkit_details_insert (details, "lxcpath", request->lxcpath);
  if (request->key)
    polkit_details_insert (details, "key", request->key);
  if (request->value)
    polkit_details_insert (details, "value", request->value);
  if (request->privileged)
    polkit_details_insert (details, "privileged", request->privileged);
  if (request->extra_name && request->extra_value)
    polkit_details_insert (details, request->extra_name, request->extra_value);
  if (request->extra2_name && request->extra2_value)
    polkit_details_insert (details, request->extra2_name, request->extra2_value);
  return details;
}

/**
 * lxcd_auth_check_async:
 * @invocation: the method call to authorize
 * @request: action and details
 *
 * Checks whether the caller of @invocation may perform @request->action_id
 * and, one after another, every action of the @request->also chain (each
 * with its own details); the first refusal ends the check. Callers with
 * uid 0 pass without polkit. Never blocks; main thread.
 */
void
lxcd_auth_check_async (GDBusMethodInvocation *invocation,
                       const LxcdAuthRequest *request,
                       GCancellable          *cancellable,
                       GAsyncReadyCallback    callback,
                       gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  AuthData *data;
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);
  gboolean no_interaction = FALSE;

  data = g_new0 (AuthData, 1);
  data->cancellable = g_cancellable_new ();
  if (cancellable)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->caller_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                      g_object_ref (data->cancellable),
                                                      g_object_unref);
    }
  task = g_task_new (NULL, data->cancellable, callback, user_data);
  g_task_set_source_tag (task, lxcd_auth_check_async);
  /* Our answers stand even once our cancellable is cancelled (the timeout
   * cancels it and then explains why). */
  g_task_set_check_cancellable (task, FALSE);

  data->sender = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  /* No action given: the method table's for this method. */
  if (request->action_id)
    data->action_id = g_strdup (request->action_id);
  else
    {
      const LxcdMethod *row =
        lxcd_methods_lookup (g_dbus_method_invocation_get_interface_name (invocation),
                             g_dbus_method_invocation_get_method_name (invocation));
      data->action_id = row ? lxcd_methods_action_id (row) : NULL;
    }
  data->uid = (uid_t) -1;
  data->details = details_new (request);
  for (const LxcdAuthRequest *also = request->also; also; also = also->also)
    {
      Check *check = g_new0 (Check, 1);

      check->action_id = g_strdup (also->action_id);
      check->details = details_new (also);
      if (data->more == NULL)
        data->more = g_ptr_array_new_with_free_func ((GDestroyNotify) check_free);
      g_ptr_array_add (data->more, check);
    }

  if (request->options != NULL)
    g_variant_lookup (request->options, "auth.no_user_interaction", "b", &no_interaction);
  data->allow_interaction =
    !no_interaction && !request->no_interaction &&
    (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;
  g_task_set_task_data (task, data, (GDestroyNotify) auth_data_free);

  if (data->action_id == NULL)
    {
      /* (a method the table lets through unchecked never asks) */
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                               "%s has no action to check",
                               g_dbus_method_invocation_get_method_name (invocation));
      return;
    }
  if (data->sender == NULL)
    {
      /* Peer-to-peer connection: there is no bus to ask, refuse. */
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                               "Caller has no bus name");
      return;
    }

  /* (held until the answer: a caller that leaves meanwhile is noted) */
  lxcd_caller_hold (data->sender);
  data->held = TRUE;
  if (lxcd_caller_lookup_uid (data->sender, &data->uid))
    {
      auth_with_uid (g_steal_pointer (&task));
      return;
    }
  lxcd_caller_get_uid_async (data->sender, cancellable, get_uid_cb, g_steal_pointer (&task));
}

/**
 * lxcd_auth_probe_privileged_async:
 * @container: the container to be made (its new name)
 * @lxcpath: where
 *
 * Whether the caller may make @container a privileged container (create,
 * clone or restore one without an id map): configure-host, with the
 * detail key "lxc.idmap", asked without interaction (a question, not a
 * request). Finish with lxcd_auth_check_finish(). Main thread.
 */
void
lxcd_auth_probe_privileged_async (GDBusMethodInvocation *invocation, const char *container,
                                  const char *lxcpath, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  const LxcdAuthRequest request = {
    .action_id = LXCD_ACTION_CONFIGURE_HOST,
    .container = container,
    .lxcpath = lxcpath,
    .key = "lxc.idmap",
    .no_interaction = TRUE,
  };

  lxcd_auth_check_async (invocation, &request, NULL, callback, user_data);
}

/**
 * lxcd_auth_caller_is_root:
 *
 * Whether the caller of @invocation is already known to be uid 0, whom
 * lxcd_auth_check_async() allows without asking polkit. Lets callers skip
 * the asynchronous check (a main-loop round trip) for root. Main thread.
 */
gboolean
lxcd_auth_caller_is_root (GDBusMethodInvocation *invocation)
{
  return lxcd_caller_is_root (invocation);
}

/**
 * lxcd_auth_check_finish:
 * @out_uid: (out) (optional): the caller's uid, when it could be learnt
 *
 * Returns: TRUE if authorized; else FALSE with an %LXCD_ERROR_NOT_AUTHORIZED
 * error. Main thread.
 */
gboolean
lxcd_auth_check_finish (GAsyncResult *result, uid_t *out_uid, GError **error)
{
  AuthData *data = g_task_get_task_data (G_TASK (result));

  if (out_uid)
    *out_uid = data->uid;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- what the caller may do (GetPermissions) ------------------------------- */

typedef struct {
  char *sender;
  char **actions;
  char *container;
  char *lxcpath;
  char *privileged;
  guint next;              /* index in actions of the check being asked */
  GVariantBuilder answers; /* a{ss} */
  gboolean building;
  PolkitAuthority *authority;
  GCancellable *cancellable;
  guint timeout_id;
  gboolean timed_out;
} QueryData;

static void
query_data_free (QueryData *data)
{
  if (data->timeout_id)
    g_source_remove (data->timeout_id);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->authority);
  if (data->building)
    g_variant_builder_clear (&data->answers);
  g_free (data->sender);
  g_strfreev (data->actions);
  g_free (data->container);
  g_free (data->lxcpath);
  g_free (data->privileged);
  g_free (data);
}

/* Whether a method the table checks against @action_id passes the
 * "privileged" detail (its row has P): the query passes it then too. */
static gboolean
action_gets_privileged_detail (const char *action_id)
{
  guint n = 0;
  const LxcdMethod *rows = lxcd_methods_table (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = lxcd_methods_action_id (&rows[i]);

      if ((rows[i].flags & LXCD_METHOD_PRIVILEGED) && g_strcmp0 (id, action_id) == 0)
        return TRUE;
    }
  return FALSE;
}

static void query_next (GTask *task_in);

/* main thread: the whole answer is done */
static void
query_return (GTask *task)
{
  QueryData *data = g_task_get_task_data (task);

  data->building = FALSE;
  g_task_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&data->answers)),
                         (GDestroyNotify) g_variant_unref);
}

/* main thread */
static void
query_check_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  QueryData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) result = NULL;
  const char *answer;

  result = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), res, &error);
  if (result == NULL)
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_FAILED,
                               "Could not ask polkit about %s: %s", data->actions[data->next],
                               data->timed_out ? "it did not answer in time" : error->message);
      return;
    }
  if (polkit_authorization_result_get_is_authorized (result))
    answer = "yes";
  else if (polkit_authorization_result_get_is_challenge (result))
    answer = "auth";
  else
    answer = "no";
  g_variant_builder_add (&data->answers, "{ss}", data->actions[data->next], answer);
  data->next++;
  query_next (g_steal_pointer (&task));
}

/* main thread: asks polkit about the next action, or returns */
static void
query_next (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  QueryData *data = g_task_get_task_data (task);
  g_autoptr(PolkitSubject) subject = NULL;
  g_autoptr(PolkitDetails) details = NULL;
  const char *action_id = data->actions[data->next];
  GCancellable *cancellable;

  if (action_id == NULL)
    {
      query_return (task);
      return;
    }
  subject = polkit_system_bus_name_new (data->sender);
  details = polkit_details_new ();
  if (data->container)
    polkit_details_insert (details, "container", data->container);
  if (data->lxcpath)
    polkit_details_insert (details, "lxcpath", data->lxcpath);
  if (data->privileged && action_gets_privileged_detail (action_id))
    polkit_details_insert (details, "privileged", data->privileged);
  cancellable = g_task_get_cancellable (task);
  /* Never ALLOW_USER_INTERACTION: a question, not a request. */
  polkit_authority_check_authorization (data->authority, subject, action_id, details,
                                        POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE, cancellable,
                                        query_check_cb, g_steal_pointer (&task));
}

/* main thread */
static void
query_authority_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  QueryData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->authority = polkit_authority_get_finish (res, &error);
  if (data->authority == NULL)
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_FAILED, "polkit is not available: %s",
                               data->timed_out ? "it did not answer in time" : error->message);
      return;
    }
  query_next (g_steal_pointer (&task));
}

/* main thread: polkit took too long; the call in flight ends as cancelled */
static gboolean
on_query_timeout (gpointer user_data)
{
  QueryData *data = user_data;

  data->timeout_id = 0;
  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

/* main thread: the caller's uid is known (or @uid is -1) */
static void
query_with_uid (GTask *task_in, uid_t uid)
{
  g_autoptr(GTask) task = task_in;
  QueryData *data = g_task_get_task_data (task);

  if (uid == 0)
    {
      /* as lxcd_auth_check_async(): root is allowed without polkit */
      for (char **a = data->actions; *a; a++)
        g_variant_builder_add (&data->answers, "{ss}", *a, "yes");
      query_return (task);
      return;
    }
  data->timeout_id = g_timeout_add_seconds (POLKIT_TIMEOUT_S, on_query_timeout, data);
  polkit_authority_get_async (data->cancellable, query_authority_cb, g_steal_pointer (&task));
}

/* main thread */
static void
query_uid_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  uid_t uid = (uid_t) -1;

  if (!lxcd_caller_get_uid_finish (res, &uid, &error))
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_FAILED,
                               "Could not identify the caller: %s", error->message);
      g_object_unref (task);
      return;
    }
  query_with_uid (task, uid);
}

/**
 * lxcd_auth_query_async:
 * @invocation: the call whose caller is asked about
 * @actions: the action ids to ask about
 * @container, @lxcpath: the details "container" and "lxcpath"
 * @privileged: (nullable): the detail "privileged", passed with the actions
 *   whose methods pass it (rows with P in the method table)
 *
 * What the caller of @invocation may do: for each action, polkit is asked
 * about the caller's bus name (never another subject) without user
 * interaction, as a trusted mechanism may, and answers "yes" (authorized),
 * "auth" (a challenge: polkit would ask for authentication) or "no". Root
 * gets "yes" for all without polkit being asked. Nothing is ever prompted.
 * Finish with lxcd_auth_query_finish(). Main thread.
 */
void
lxcd_auth_query_async (GDBusMethodInvocation *invocation,
                       const char *const     *actions,
                       const char            *container,
                       const char            *lxcpath,
                       const char            *privileged,
                       GAsyncReadyCallback    callback,
                       gpointer               user_data)
{
  QueryData *data = g_new0 (QueryData, 1);
  g_autoptr(GTask) task = NULL;
  uid_t uid = (uid_t) -1;

  data->cancellable = g_cancellable_new ();
  data->sender = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  data->actions = g_strdupv ((char **) actions);
  data->container = g_strdup (container);
  data->lxcpath = g_strdup (lxcpath);
  data->privileged = g_strdup (privileged);
  g_variant_builder_init (&data->answers, G_VARIANT_TYPE ("a{ss}"));
  data->building = TRUE;
  task = g_task_new (NULL, data->cancellable, callback, user_data);
  g_task_set_source_tag (task, lxcd_auth_query_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);

  if (data->sender == NULL)
    {
      g_task_return_new_error (task, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED,
                               "Caller has no bus name");
      return;
    }
  if (lxcd_auth_caller_is_root (invocation) || lxcd_caller_lookup_uid (data->sender, &uid))
    {
      query_with_uid (g_steal_pointer (&task), lxcd_auth_caller_is_root (invocation) ? 0 : uid);
      return;
    }
  lxcd_caller_get_uid_async (data->sender, NULL, query_uid_cb, g_steal_pointer (&task));
}

/**
 * lxcd_auth_query_finish:
 *
 * Returns: (transfer full): the a{ss} of lxcd_auth_query_async(), or NULL
 * with an error. Main thread.
 */
GVariant *
lxcd_auth_query_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
