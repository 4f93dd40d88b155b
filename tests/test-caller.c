/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of lxcd-caller.c on a private bus (GTestDBus, no root
 * needed): uids learnt once and kept while the name is on the bus, one
 * question to the bus per name, held callers that leave. */
#include "config.h"

#include <gio/gio.h>
#include <unistd.h>

#include "lxcd-caller.h"

typedef struct {
  GTestDBus *bus;
  GDBusConnection *service; /* follows its callers */
  GDBusConnection *client;
  char *client_name;
  guint filter_id;
  gint asked; /* GetConnectionUnixUser calls the service sent */
} Fixture;

static GDBusConnection *
connect_to (GTestDBus *bus)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection =
    g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  return connection;
}

/* GDBus worker thread */
static GDBusMessage *
count_questions (GDBusConnection *connection, GDBusMessage *message, gboolean incoming,
                 gpointer user_data)
{
  Fixture *f = user_data;

  if (!incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
      g_strcmp0 (g_dbus_message_get_member (message), "GetConnectionUnixUser") == 0)
    g_atomic_int_inc (&f->asked);
  return message;
}

static void
setup (Fixture *f, gconstpointer data)
{
  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->service = connect_to (f->bus);
  f->client = connect_to (f->bus);
  f->client_name = g_strdup (g_dbus_connection_get_unique_name (f->client));
  f->filter_id = g_dbus_connection_add_filter (f->service, count_questions, f, NULL);
  lxcd_caller_start (f->service);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  lxcd_caller_stop ();
  g_dbus_connection_remove_filter (f->service, f->filter_id);
  if (!g_dbus_connection_is_closed (f->client))
    g_dbus_connection_close_sync (f->client, NULL, NULL);
  g_dbus_connection_close_sync (f->service, NULL, NULL);
  g_clear_object (&f->client);
  g_clear_object (&f->service);
  g_free (f->client_name);
  g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
}

typedef struct {
  gboolean done;
  gboolean ok;
  uid_t uid;
  GError *error;
} Answer;

static void
answer_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Answer *answer = user_data;

  answer->ok = lxcd_caller_get_uid_finish (res, &answer->uid, &answer->error);
  answer->done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

/* runs the main context until *@flag (at most 10 s) */
static void
wait_for (const gboolean *flag, const char *what)
{
  guint id = g_timeout_add_seconds (10, on_timeout, (gpointer) what);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
ask (const char *sender, GCancellable *cancellable, Answer *answer)
{
  lxcd_caller_get_uid_async (sender, cancellable, answer_cb, answer);
  wait_for (&answer->done, "the uid");
}

static gboolean
not_cached (gpointer user_data)
{
  uid_t uid;

  return !lxcd_caller_lookup_uid (user_data, &uid);
}

static gboolean
has_left (gpointer user_data)
{
  return lxcd_caller_has_left (user_data);
}

/* runs the main context until @check (at most 10 s) */
static void
wait_until (GSourceFunc check, gpointer data, const char *what)
{
  guint id = g_timeout_add_seconds (10, on_timeout, (gpointer) what);

  while (!check (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
test_uid_learnt_once (Fixture *f, gconstpointer data)
{
  Answer first = { 0 }, second = { 0 }, third = { 0 };
  uid_t uid = 12345;

  g_assert_false (lxcd_caller_lookup_uid (f->client_name, &uid));
  g_assert_cmpuint (uid, ==, 12345);
  /* two questions before the bus answers: one call */
  lxcd_caller_get_uid_async (f->client_name, NULL, answer_cb, &first);
  lxcd_caller_get_uid_async (f->client_name, NULL, answer_cb, &second);
  wait_for (&first.done, "the first answer");
  wait_for (&second.done, "the second answer");
  g_assert_no_error (first.error);
  g_assert_no_error (second.error);
  g_assert_true (first.ok && second.ok);
  g_assert_cmpuint (first.uid, ==, getuid ());
  g_assert_cmpuint (second.uid, ==, getuid ());
  g_assert_cmpint (g_atomic_int_get (&f->asked), ==, 1);

  /* then known without asking */
  g_assert_true (lxcd_caller_lookup_uid (f->client_name, &uid));
  g_assert_cmpuint (uid, ==, getuid ());
  ask (f->client_name, NULL, &third);
  g_assert_true (third.ok);
  g_assert_cmpuint (third.uid, ==, getuid ());
  g_assert_cmpint (g_atomic_int_get (&f->asked), ==, 1);
}

static void
test_forgotten_when_leaving (Fixture *f, gconstpointer data)
{
  Answer answer = { 0 }, again = { 0 };

  ask (f->client_name, NULL, &answer);
  g_assert_true (answer.ok);
  g_dbus_connection_close_sync (f->client, NULL, NULL);
  wait_until (not_cached, f->client_name, "the name to be forgotten");
  /* (nobody held it: nothing is noted) */
  g_assert_false (lxcd_caller_has_left (f->client_name));
  ask (f->client_name, NULL, &again);
  g_assert_false (again.ok);
  g_assert_error (again.error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);
  g_clear_error (&again.error);
  g_assert_true (not_cached (f->client_name));
}

static void
test_held_caller_that_leaves (Fixture *f, gconstpointer data)
{
  Answer answer = { 0 };
  uid_t uid;

  lxcd_caller_hold (f->client_name);
  lxcd_caller_hold (f->client_name);
  ask (f->client_name, NULL, &answer);
  g_assert_true (answer.ok);
  g_assert_false (lxcd_caller_has_left (f->client_name));
  g_dbus_connection_close_sync (f->client, NULL, NULL);
  wait_until (has_left, f->client_name, "the name to leave");
  /* the uid is kept for the holders */
  g_assert_true (lxcd_caller_lookup_uid (f->client_name, &uid));
  g_assert_cmpuint (uid, ==, getuid ());
  lxcd_caller_release (f->client_name);
  g_assert_true (lxcd_caller_has_left (f->client_name));
  g_assert_true (lxcd_caller_lookup_uid (f->client_name, &uid));
  /* the last hold goes: so does the caller */
  lxcd_caller_release (f->client_name);
  g_assert_false (lxcd_caller_has_left (f->client_name));
  g_assert_false (lxcd_caller_lookup_uid (f->client_name, &uid));
  /* (one release too many is harmless) */
  lxcd_caller_release (f->client_name);
}

static void
test_unknown_names (Fixture *f, gconstpointer data)
{
  Answer missing = { 0 }, none = { 0 };

  lxcd_caller_hold (":1.99999");
  ask (":1.99999", NULL, &missing);
  g_assert_false (missing.ok);
  g_assert_error (missing.error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);
  g_clear_error (&missing.error);
  lxcd_caller_release (":1.99999");
  g_assert_true (not_cached (":1.99999"));

  ask (NULL, NULL, &none);
  g_assert_false (none.ok);
  g_assert_error (none.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&none.error);
}

static void
test_cancelled (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Answer before = { 0 }, during = { 0 }, other = { 0 };

  g_cancellable_cancel (cancellable);
  ask (f->client_name, cancellable, &before);
  g_assert_error (before.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&before.error);
  g_assert_cmpint (g_atomic_int_get (&f->asked), ==, 0);

  /* cancelled while the bus is asked: the other question still gets its
   * answer, and it is kept */
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  lxcd_caller_get_uid_async (f->client_name, cancellable, answer_cb, &during);
  lxcd_caller_get_uid_async (f->client_name, NULL, answer_cb, &other);
  g_cancellable_cancel (cancellable);
  wait_for (&during.done, "the cancelled answer");
  wait_for (&other.done, "the other answer");
  g_assert_error (during.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&during.error);
  g_assert_no_error (other.error);
  g_assert_cmpuint (other.uid, ==, getuid ());
  g_assert_false (not_cached (f->client_name));
}

static void
test_stop_fails_questions (Fixture *f, gconstpointer data)
{
  Answer answer = { 0 }, after = { 0 };

  lxcd_caller_get_uid_async (f->client_name, NULL, answer_cb, &answer);
  lxcd_caller_stop ();
  wait_for (&answer.done, "the answer");
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&answer.error);

  ask (f->client_name, NULL, &after);
  g_assert_error (after.error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_clear_error (&after.error);
  /* (the bus's late answer finds nothing to update) */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* the service's side of a method call, for lxcd_caller_is_root() */
static void
method_call (GDBusConnection *connection, const char *sender, const char *path,
             const char *interface, const char *method, GVariant *parameters,
             GDBusMethodInvocation *invocation, gpointer user_data)
{
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(b)", lxcd_caller_is_root (invocation)));
}

typedef struct {
  gboolean done;
  gboolean is_root;
} RootAnswer;

static void
is_root_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  RootAnswer *answer = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);

  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &answer->is_root);
  answer->done = TRUE;
}

/* the client asks the service whether lxcd_caller_is_root() says it is root */
static gboolean
call_is_root (Fixture *f)
{
  RootAnswer answer = { 0 };

  g_dbus_connection_call (f->client, g_dbus_connection_get_unique_name (f->service), "/test",
                          "org.example.Test", "IsRoot", NULL, G_VARIANT_TYPE ("(b)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, is_root_cb, &answer);
  wait_for (&answer.done, "IsRoot");
  return answer.is_root;
}

static void
test_is_root (Fixture *f, gconstpointer data)
{
  static const char xml[] = "<node><interface name='org.example.Test'>"
                            "<method name='IsRoot'><arg type='b' direction='out'/></method>"
                            "</interface></node>";
  static const GDBusInterfaceVTable vtable = { method_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (xml, NULL);
  g_autoptr(GError) error = NULL;
  Answer answer = { 0 };
  guint id;

  id = g_dbus_connection_register_object (f->service, "/test", node->interfaces[0], &vtable, NULL,
                                          NULL, &error);
  g_assert_no_error (error);
  /* not known yet: never asks */
  g_assert_false (call_is_root (f));
  g_assert_cmpint (g_atomic_int_get (&f->asked), ==, 0);
  ask (f->client_name, NULL, &answer);
  g_assert_cmpint (call_is_root (f), ==, getuid () == 0);
  g_dbus_connection_unregister_object (f->service, id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/caller/uid-learnt-once", Fixture, NULL, setup, test_uid_learnt_once, teardown);
  g_test_add ("/caller/forgotten-when-leaving", Fixture, NULL, setup, test_forgotten_when_leaving,
              teardown);
  g_test_add ("/caller/held-caller-that-leaves", Fixture, NULL, setup, test_held_caller_that_leaves,
              teardown);
  g_test_add ("/caller/unknown-names", Fixture, NULL, setup, test_unknown_names, teardown);
  g_test_add ("/caller/cancelled", Fixture, NULL, setup, test_cancelled, teardown);
  g_test_add ("/caller/stop-fails-questions", Fixture, NULL, setup, test_stop_fails_questions,
              teardown);
  g_test_add ("/caller/is-root", Fixture, NULL, setup, test_is_root, teardown);
  return g_test_run ();
}
