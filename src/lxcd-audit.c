/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: one log line per privileged call
 *
 * Every call of a method that changes something or reaches into a
 * container (everything but the reads) is logged once, when its reply
 * leaves: who (uid and unique bus name), what (method and its plain
 * arguments), which container, and the result (ok, denied, or the error).
 *
 * It watches the connection's messages with a GDBus filter, so no handler
 * can forget it and errors GDBus itself returns (unknown method, bad
 * signature) are logged too. The filter runs in GDBus's worker thread: it
 * notes each audited call by (sender, serial) when it arrives and writes
 * the line when the reply with that reply serial goes out. The caller's
 * uid comes from lxcd-caller.c: each audited call holds its caller there
 * from its arrival until its line is written (note_arrival(), before any
 * handler can reply), and has its uid asked from the bus then if it is
 * not known yet, so the bus answers while the caller is still connected,
 * even one that leaves the moment it has its reply. The authorization of
 * the call learns the uid from the same place; the line then finds it
 * there, even once the caller has left.
 *
 * Lines go through g_log_structured(): to the journal, with fields of
 * their own (LXCD_UID, LXCD_SENDER, LXCD_METHOD, LXCD_CONTAINER,
 * LXCD_RESULT, MESSAGE_ID=LXCD_AUDIT_MESSAGE_ID) when stderr is connected
 * to it, as under systemd; to stderr otherwise.
 */
#include "config.h"

#include "lxcd-audit.h"
#include "lxcd-caller.h"
#include "lxcd-dbus-generated.h"
#include "lxcd-methods.h"

#define IFACE_PREFIX "org.linuxcontainers.LXC1."
#define CONTAINERS_PREFIX "/org/linuxcontainers/LXC1/containers/"
/* Calls waiting for their reply; more than this (a flood of calls nobody
 * answers yet) are logged when they arrive instead. */
#define MAX_PENDING 4096
#define MAX_ARG_LENGTH 200

typedef struct {
  char *sender;
  char *method;     /* "Container.Start" */
  char *container;  /* may be NULL */
  char *arguments;  /* " key=value..." or "" */
  uid_t uid;
  gboolean uid_known;
  gboolean noted;   /* held in lxcd-caller.c (note_arrival()) until written */
  char *result;     /* "ok", "denied", "error" */
  char *error;      /* NULL or "Name: message" */
} AuditCall;

static GMutex lock;
static GHashTable *pending;   /* "sender serial" -> AuditCall */
static GDBusConnection *audit_connection;
static guint filter_id;
/* Lines waiting on the main thread for their caller's uid. Main thread. */
static gint outstanding;

static void
audit_call_free (AuditCall *call)
{
  g_free (call->sender);
  g_free (call->method);
  g_free (call->container);
  g_free (call->arguments);
  g_free (call->result);
  g_free (call->error);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AuditCall, audit_call_free)

/* Whether a call of @interface.@member is logged: every method of the
 * service's interfaces except those that only read. */
static gboolean
is_audited (const char *interface, const char *member)
{
  const LxcdMethod *method;

  if (interface == NULL || member == NULL || !g_str_has_prefix (interface, IFACE_PREFIX))
    return FALSE;
  method = lxcd_methods_lookup (interface, member);
  /* (a method the service does not have is refused: logged too) */
  return method == NULL || (method->flags & LXCD_METHOD_AUDITED) != 0;
}

static GDBusInterfaceInfo *
interface_info (const char *interface)
{
  if (g_strcmp0 (interface, IFACE_PREFIX "Container") == 0)
    return lxcd_dbus_container_interface_info ();
  if (g_strcmp0 (interface, IFACE_PREFIX "Manager") == 0)
    return lxcd_dbus_manager_interface_info ();
  if (g_strcmp0 (interface, IFACE_PREFIX "Job") == 0)
    return lxcd_dbus_job_interface_info ();
  return NULL;
}

/* A caller's string, fit for one log line: escaped, cut to a bounded length. */
static char *
printable (const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);

  if (strlen (escaped) > MAX_ARG_LENGTH)
    return g_strdup_printf ("%.*s...", MAX_ARG_LENGTH, escaped);
  if (*escaped == '\0' || strpbrk (escaped, " =") != NULL)
    return g_strdup_printf ("\"%s\"", escaped);
  return g_steal_pointer (&escaped);
}

/* " name=value" for each plain argument (strings, numbers, booleans and the
 * command line) but @skip (already logged as the container); never options
 * dictionaries, descriptors, or the value of a configuration key
 * (lxc.environment may hold secrets). */
static char *
format_arguments (const char *interface, const char *member, GVariant *body, const char *skip)
{
  GDBusMethodInfo *method;
  GString *out;

  method = interface_info (interface) ?
    g_dbus_interface_info_lookup_method (interface_info (interface), member) : NULL;
  if (method == NULL || method->in_args == NULL || body == NULL ||
      !g_variant_is_of_type (body, G_VARIANT_TYPE_TUPLE))
    return g_strdup ("");
  out = g_string_new (NULL);
  for (gsize i = 0; method->in_args[i] && i < g_variant_n_children (body); i++)
    {
      const char *name = method->in_args[i]->name;
      g_autoptr(GVariant) arg = g_variant_get_child_value (body, i);
      g_autofree char *text = NULL;

      if (g_strcmp0 (name, skip) == 0 ||
          (g_strcmp0 (name, "value") == 0 && g_strcmp0 (member, "SetConfigItem") == 0))
        continue;
      if (g_variant_is_of_type (arg, G_VARIANT_TYPE_STRING))
        text = printable (g_variant_get_string (arg, NULL));
      else if (g_variant_is_of_type (arg, G_VARIANT_TYPE_STRING_ARRAY))
        {
          g_autofree const char **argv = g_variant_get_strv (arg, NULL);
          g_autofree char *joined = g_strjoinv (" ", (char **) argv);
          text = printable (joined);
        }
      else if (g_variant_is_of_type (arg, G_VARIANT_TYPE_BOOLEAN) ||
               g_variant_is_of_type (arg, G_VARIANT_TYPE_INT32) ||
               g_variant_is_of_type (arg, G_VARIANT_TYPE_UINT32))
        text = g_variant_print (arg, FALSE);
      else
        continue;
      g_string_append_printf (out, " %s=%s", name, text);
    }
  return g_string_free (out, FALSE);
}

static void
write_line (AuditCall *call)
{
  g_autofree char *uid = call->uid_known ? g_strdup_printf ("%u", (unsigned) call->uid)
                                         : g_strdup ("?");
  g_autofree char *container = call->container ? printable (call->container) : NULL;

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "MESSAGE_ID", LXCD_AUDIT_MESSAGE_ID,
                    "LXCD_UID", uid,
                    "LXCD_SENDER", call->sender,
                    "LXCD_METHOD", call->method,
                    "LXCD_CONTAINER", call->container ? call->container : "",
                    "LXCD_RESULT", call->result,
                    "MESSAGE", "audit: uid=%s sender=%s call=%s%s%s%s result=%s%s%s",
                    uid, call->sender, call->method,
                    container ? " container=" : "", container ? container : "",
                    call->arguments, call->result,
                    call->error ? " error=" : "", call->error ? call->error : "");
}

/* main thread: one line, and its caller's hold dropped */
static void
write_and_free (AuditCall *call)
{
  g_autofree char *sender = call->noted ? g_strdup (call->sender) : NULL;

  write_line (call);
  audit_call_free (call);
  (void) g_atomic_int_dec_and_test (&outstanding);
  if (sender)
    lxcd_caller_release (sender);
}

/* main thread: the uid asked on arrival, wanted by nobody yet */
static void
prefetch_uid_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  (void) lxcd_caller_get_uid_finish (res, NULL, NULL);
}

/* main thread, at a higher priority than the dispatch of method calls (so
 * before the call's handler can reply): an audited call of @sender came */
static gboolean
note_arrival (gpointer user_data)
{
  const char *sender = user_data;
  uid_t uid;

  lxcd_caller_hold (sender);
  if (!lxcd_caller_lookup_uid (sender, &uid))
    lxcd_caller_get_uid_async (sender, NULL, prefetch_uid_cb, NULL);
  return G_SOURCE_REMOVE;
}

/* main thread: a line written where its caller's uid was known */
static gboolean
release_idle (gpointer user_data)
{
  lxcd_caller_release (user_data);
  return G_SOURCE_REMOVE;
}

/* main thread */
static void
got_uid_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  AuditCall *call = user_data;

  call->uid_known = lxcd_caller_get_uid_finish (res, &call->uid, NULL);
  write_and_free (call);
}

/* main thread: a call answered before its caller's uid was learnt (the
 * answer asked on arrival may be on its way: this waits for the same) */
static gboolean
resolve_uid_and_write (gpointer user_data)
{
  AuditCall *call = user_data;

  lxcd_caller_get_uid_async (call->sender, NULL, got_uid_cb, call);
  return G_SOURCE_REMOVE;
}

/* GDBus worker thread */
static void
finish (AuditCall *call_in)
{
  g_autoptr(AuditCall) call = call_in;

  call->uid_known = lxcd_caller_lookup_uid (call->sender, &call->uid);
  if (call->uid_known)
    {
      write_line (call);
      if (call->noted)
        g_idle_add_full (G_PRIORITY_HIGH, release_idle, g_strdup (call->sender), g_free);
    }
  else
    {
      /* From the worker thread: count it here, where its source is made,
       * so that lxcd_audit_stop() cannot miss it. */
      g_atomic_int_inc (&outstanding);
      g_idle_add (resolve_uid_and_write, g_steal_pointer (&call));
    }
}

static AuditCall *
new_call (GDBusMessage *message, const char *interface, const char *member)
{
  AuditCall *call = g_new0 (AuditCall, 1);
  const char *path = g_dbus_message_get_path (message);
  GVariant *body = g_dbus_message_get_body (message);
  gboolean create = g_strcmp0 (member, "CreateContainer") == 0;

  call->sender = g_strdup (g_dbus_message_get_sender (message));
  call->method = g_strdup_printf ("%s.%s", interface + strlen (IFACE_PREFIX), member);
  if (path && g_str_has_prefix (path, CONTAINERS_PREFIX) &&
      g_str_has_suffix (interface, ".Container"))
    call->container = (char *) g_dbus_unescape_object_path (path + strlen (CONTAINERS_PREFIX));
  /* CreateContainer names its container in its first argument; a call
   * with another signature is logged without arguments. */
  if (create && !(body && g_variant_is_of_type (body, G_VARIANT_TYPE ("(ssa{sv})"))))
    body = NULL;
  if (create && body)
    g_variant_get_child (body, 0, "s", &call->container);
  call->arguments = format_arguments (interface, member, body, create ? "name" : NULL);
  call->uid = (uid_t) -1;
  return call;
}

static char *
pending_key (const char *sender, guint32 serial)
{
  return g_strdup_printf ("%s %u", sender, serial);
}

/* GDBus worker thread */
static GDBusMessage *
audit_filter (GDBusConnection *connection, GDBusMessage *message, gboolean incoming,
              gpointer user_data)
{
  GDBusMessageType type = g_dbus_message_get_message_type (message);

  if (incoming && type == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      const char *interface = g_dbus_message_get_interface (message);
      const char *member = g_dbus_message_get_member (message);
      const char *sender = g_dbus_message_get_sender (message);
      AuditCall *call;

      if (sender == NULL || !is_audited (interface, member))
        return message;
      call = new_call (message, interface, member);
      g_mutex_lock (&lock);
      if (pending == NULL)
        {
          /* stopping */
          g_mutex_unlock (&lock);
          audit_call_free (call);
          return message;
        }
      if (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED ||
          g_hash_table_size (pending) >= MAX_PENDING)
        {
          /* No reply will tell the result: say it was asked. */
          g_mutex_unlock (&lock);
          call->result = g_strdup ("requested");
          finish (call);
          return message;
        }
      call->noted = TRUE;
      g_hash_table_replace (pending, pending_key (sender, g_dbus_message_get_serial (message)),
                            call);
      g_mutex_unlock (&lock);
      g_idle_add_full (G_PRIORITY_HIGH, note_arrival, g_strdup (sender), g_free);
    }
  else if (!incoming && (type == G_DBUS_MESSAGE_TYPE_METHOD_RETURN ||
                         type == G_DBUS_MESSAGE_TYPE_ERROR))
    {
      const char *destination = g_dbus_message_get_destination (message);
      g_autofree char *key = NULL;
      gpointer stolen_key = NULL, value = NULL;
      AuditCall *call;

      if (destination == NULL)
        return message;
      key = pending_key (destination, g_dbus_message_get_reply_serial (message));
      g_mutex_lock (&lock);
      if (pending)
        g_hash_table_steal_extended (pending, key, &stolen_key, &value);
      g_mutex_unlock (&lock);
      g_free (stolen_key);
      call = value;
      if (call == NULL)
        return message;
      if (type == G_DBUS_MESSAGE_TYPE_METHOD_RETURN)
        call->result = g_strdup ("ok");
      else
        {
          const char *name = g_dbus_message_get_error_name (message);
          GVariant *body = g_dbus_message_get_body (message);
          const char *text = "";
          g_autofree char *printable_text = NULL;

          if (body && g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
            g_variant_get (body, "(&s)", &text);
          printable_text = printable (text);
          call->result = g_strdup (g_strcmp0 (name, "org.linuxcontainers.LXC1.Error.NotAuthorized") == 0
                                   ? "denied" : "error");
          call->error = g_strdup_printf ("%s message=%s", name ? name : "?", printable_text);
        }
      finish (call);
    }
  return message;
}

/**
 * lxcd_audit_start:
 *
 * Starts logging the privileged calls that arrive on @connection. Main
 * thread, once.
 */
void
lxcd_audit_start (GDBusConnection *connection)
{
  g_return_if_fail (audit_connection == NULL);

  g_mutex_lock (&lock);
  pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) audit_call_free);
  g_mutex_unlock (&lock);
  audit_connection = g_object_ref (connection);
  filter_id = g_dbus_connection_add_filter (connection, audit_filter, NULL, NULL);
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;
  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * lxcd_audit_stop:
 *
 * Stops logging; calls still waiting for their reply are dropped, lines
 * still waiting for a caller's uid are written (for at most a second).
 * Main thread, with the main loop no longer running.
 */
void
lxcd_audit_stop (void)
{
  gboolean timed_out = FALSE;
  guint timeout_id;

  if (audit_connection == NULL)
    return;
  g_dbus_connection_remove_filter (audit_connection, filter_id);
  filter_id = 0;
  g_mutex_lock (&lock);
  g_clear_pointer (&pending, g_hash_table_unref);
  g_mutex_unlock (&lock);

  timeout_id = g_timeout_add (1000, on_drain_timeout, &timed_out);
  while (g_atomic_int_get (&outstanding) > 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  g_clear_object (&audit_connection);
}
