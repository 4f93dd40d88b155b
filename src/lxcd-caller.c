/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: who a D-Bus caller is
 *
 * The one place that asks the bus for a caller's uid
 * (GetConnectionUnixUser) and remembers it by unique bus name. A unique
 * name is never reused, so an answer stays true for as long as the name is
 * on the bus: it is kept until the bus says the name left
 * (NameOwnerChanged), and no call pays a round trip for a caller already
 * seen. Questions about one name while the bus is being asked wait for
 * that same answer.
 *
 * Code that needs a caller for a while (an authorization in progress, an
 * audit line not yet written) holds it (lxcd_caller_hold()): a held
 * caller's uid is kept even after it leaves the bus, and whether it left
 * is noted (lxcd_caller_has_left()), until the last hold is released. So
 * the uid an authorization learnt is still there when the audit line of
 * the same call is written, whatever the caller did meanwhile.
 *
 * State is module-level, made by lxcd_caller_start() and dropped by
 * lxcd_caller_stop(). Everything runs on the main thread but
 * lxcd_caller_lookup_uid(), which the audit filter calls from GDBus's
 * worker thread: the table is written under a lock on the main thread.
 */
#include "config.h"

#include "lxcd-caller.h"

typedef struct {
  uid_t uid;
  gboolean known;     /* uid is the bus's answer */
  gboolean asking;    /* GetConnectionUnixUser in flight */
  gboolean left;      /* the name left the bus (while held or asked) */
  guint holds;        /* lxcd_caller_hold() not yet released */
  GPtrArray *waiters; /* of GTask, answered when the bus answers; or NULL */
} Caller;

static GMutex lock;         /* guards callers */
static GHashTable *callers; /* unique name -> Caller; NULL when stopped */
static GDBusConnection *caller_connection;
static guint subscription_id;

static void
caller_free (Caller *caller)
{
  g_clear_pointer (&caller->waiters, g_ptr_array_unref);
  g_free (caller);
}

/* main thread, lock held: the entry of @sender, made if there is none */
static Caller *
caller_ensure (const char *sender)
{
  Caller *caller = g_hash_table_lookup (callers, sender);

  if (caller == NULL)
    {
      caller = g_new0 (Caller, 1);
      g_hash_table_insert (callers, g_strdup (sender), caller);
    }
  return caller;
}

/* main thread, lock held: drops the entry of @sender once nothing needs it:
 * not held, not being asked, and either gone from the bus or never learnt */
static void
caller_maybe_forget (const char *sender, Caller *caller)
{
  if (caller->holds == 0 && !caller->asking && (caller->left || !caller->known))
    g_hash_table_remove (callers, sender);
}

/* main thread */
static void
on_name_owner_changed (GDBusConnection *connection, const char *sender, const char *path,
                       const char *interface, const char *signal, GVariant *parameters,
                       gpointer user_data)
{
  const char *name, *old_owner, *new_owner;
  Caller *caller;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (*new_owner != '\0')
    return;
  g_mutex_lock (&lock);
  caller = callers ? g_hash_table_lookup (callers, name) : NULL;
  if (caller)
    {
      caller->left = TRUE;
      caller_maybe_forget (name, caller);
    }
  g_mutex_unlock (&lock);
}

/**
 * lxcd_caller_start:
 *
 * Starts following the callers of @connection: from now on names that
 * leave the bus are forgotten. Before the first call arrives; main thread,
 * once.
 */
void
lxcd_caller_start (GDBusConnection *connection)
{
  g_return_if_fail (G_IS_DBUS_CONNECTION (connection));
  g_return_if_fail (caller_connection == NULL);

  g_mutex_lock (&lock);
  callers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) caller_free);
  g_mutex_unlock (&lock);
  caller_connection = g_object_ref (connection);
  /* our own subscription on the bus daemon */
  subscription_id = g_dbus_connection_signal_subscribe (connection, "org.freedesktop.DBus",
                                                        "org.freedesktop.DBus", "NameOwnerChanged",
                                                        "/org/freedesktop/DBus", NULL,
                                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                                        on_name_owner_changed, NULL, NULL);
}

/**
 * lxcd_caller_stop:
 *
 * Forgets every caller; questions still waiting for the bus fail with
 * %G_IO_ERROR_CLOSED. Main thread, after lxcd_audit_stop().
 */
void
lxcd_caller_stop (void)
{
  g_autoptr(GHashTable) table = NULL;
  GHashTableIter iter;
  Caller *caller;

  if (caller_connection == NULL)
    return;
  g_dbus_connection_signal_unsubscribe (caller_connection, subscription_id);
  subscription_id = 0;
  g_mutex_lock (&lock);
  table = g_steal_pointer (&callers);
  g_mutex_unlock (&lock);
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &caller))
    {
      g_autoptr(GPtrArray) waiters = g_steal_pointer (&caller->waiters);

      for (guint i = 0; waiters && i < waiters->len; i++)
        g_task_return_new_error (waiters->pdata[i], G_IO_ERROR, G_IO_ERROR_CLOSED,
                                 "The service is stopping");
    }
  g_clear_object (&caller_connection);
}

/**
 * lxcd_caller_lookup_uid:
 * @sender: a unique bus name
 * @out_uid: (out): its uid
 *
 * The uid of @sender if it is known already: learnt from the bus, and the
 * name is still on the bus or held. Never blocks; any thread.
 */
gboolean
lxcd_caller_lookup_uid (const char *sender, uid_t *out_uid)
{
  Caller *caller;
  gboolean known = FALSE;

  if (sender == NULL)
    return FALSE;
  g_mutex_lock (&lock);
  caller = callers ? g_hash_table_lookup (callers, sender) : NULL;
  if (caller && caller->known)
    {
      *out_uid = caller->uid;
      known = TRUE;
    }
  g_mutex_unlock (&lock);
  return known;
}

/* main thread: the bus's answer about the name in @user_data */
static void
get_uid_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autofree char *sender = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  Caller *caller;
  guint32 uid = 0;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);
  if (reply)
    g_variant_get (reply, "(u)", &uid);

  g_mutex_lock (&lock);
  caller = callers ? g_hash_table_lookup (callers, sender) : NULL;
  if (caller)
    {
      caller->asking = FALSE;
      if (reply)
        {
          caller->uid = uid;
          caller->known = TRUE;
        }
      waiters = g_steal_pointer (&caller->waiters);
      caller_maybe_forget (sender, caller);
    }
  g_mutex_unlock (&lock);

  /* (answered outside the lock: a callback may ask again) */
  for (guint i = 0; waiters && i < waiters->len; i++)
    {
      if (reply)
        g_task_return_int (waiters->pdata[i], uid);
      else
        g_task_return_error (waiters->pdata[i], g_error_copy (error));
    }
}

/**
 * lxcd_caller_get_uid_async:
 * @sender: a unique bus name
 * @cancellable: (nullable): checked when the answer comes
 *
 * Learns the uid of @sender: from what is known already, else from the
 * bus (one GetConnectionUnixUser per name, whoever asks meanwhile). Finish
 * with lxcd_caller_get_uid_finish(). Main thread.
 */
void
lxcd_caller_get_uid_async (const char *sender, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Caller *caller;
  gboolean ask = FALSE;

  g_task_set_source_tag (task, lxcd_caller_get_uid_async);
  if (sender == NULL)
    {
      /* a peer-to-peer connection: no bus to ask */
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "The caller has no bus name");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  g_mutex_lock (&lock);
  if (callers == NULL)
    {
      g_mutex_unlock (&lock);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               "Callers are not followed (lxcd_caller_start)");
      return;
    }
  caller = caller_ensure (sender);
  if (caller->known)
    {
      uid_t uid = caller->uid;

      g_mutex_unlock (&lock);
      g_task_return_int (task, uid);
      return;
    }
  if (caller->waiters == NULL)
    caller->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (caller->waiters, g_steal_pointer (&task));
  if (!caller->asking)
    caller->asking = ask = TRUE;
  g_mutex_unlock (&lock);

  if (ask)
    g_dbus_connection_call (caller_connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus", "GetConnectionUnixUser",
                            g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, get_uid_cb, g_strdup (sender));
}

/**
 * lxcd_caller_get_uid_finish:
 * @out_uid: (out) (optional): the caller's uid
 *
 * Returns: TRUE with the uid; else FALSE with the bus's error (the name
 * is not on the bus, ...), or %G_IO_ERROR_CANCELLED. Main thread.
 */
gboolean
lxcd_caller_get_uid_finish (GAsyncResult *result, uid_t *out_uid, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize uid;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lxcd_caller_get_uid_async,
                        FALSE);

  uid = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (out_uid)
    *out_uid = (uid_t) uid;
  return TRUE;
}

/**
 * lxcd_caller_is_root:
 *
 * Whether the caller of @invocation is already known to be uid 0. Never
 * asks the bus: lets code skip an asynchronous step for root. Main thread.
 */
gboolean
lxcd_caller_is_root (GDBusMethodInvocation *invocation)
{
  uid_t uid;

  return lxcd_caller_lookup_uid (g_dbus_method_invocation_get_sender (invocation), &uid) &&
         uid == 0;
}

/**
 * lxcd_caller_hold:
 * @sender: a unique bus name
 *
 * Keeps what is known of @sender (its uid, once learnt) even after it
 * leaves the bus, and notes whether it does, until as many
 * lxcd_caller_release(). Main thread, after lxcd_caller_start().
 */
void
lxcd_caller_hold (const char *sender)
{
  g_return_if_fail (sender != NULL);

  g_mutex_lock (&lock);
  if (callers)
    caller_ensure (sender)->holds++;
  g_mutex_unlock (&lock);
}

/**
 * lxcd_caller_release:
 *
 * Drops one lxcd_caller_hold() of @sender. Main thread.
 */
void
lxcd_caller_release (const char *sender)
{
  Caller *caller;

  g_return_if_fail (sender != NULL);

  g_mutex_lock (&lock);
  caller = callers ? g_hash_table_lookup (callers, sender) : NULL;
  if (caller && caller->holds > 0)
    {
      caller->holds--;
      caller_maybe_forget (sender, caller);
    }
  g_mutex_unlock (&lock);
}

/**
 * lxcd_caller_has_left:
 *
 * Whether @sender left the bus while it was held (or its uid asked).
 * Meant for a holder: a caller nobody held is forgotten when it leaves.
 * Main thread.
 */
gboolean
lxcd_caller_has_left (const char *sender)
{
  Caller *caller;
  gboolean left;

  if (sender == NULL)
    return FALSE;
  g_mutex_lock (&lock);
  caller = callers ? g_hash_table_lookup (callers, sender) : NULL;
  left = caller != NULL && caller->left;
  g_mutex_unlock (&lock);
  return left;
}
