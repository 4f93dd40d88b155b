/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of LxcdOperation (src/lxcd-operation.c) on a private bus
 * (GTestDBus): a test service serves the Container interface's methods
 * through operations made by hand and a client calls them, so the reply
 * each path of the state machine sends is what a D-Bus client sees.
 * A method whose row has no action (MayControl) needs no polkit;
 * the one with an action (GetConfigItem) shows the root shortcut when the
 * test runs as root, and polkit's absence refused otherwise. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "lxcd-caller.h"
#include "lxcd-dbus-generated.h"
#include "lxcd-error.h"
#include "lxcd-operation.h"

#define PATH "/t"
#define IFACE "org.linuxcontainers.LXC1.Container"

typedef enum {
  MODE_RETURN_IN_RUN,
  MODE_RETURN_FROM_WORKER,
  MODE_WORKER_ERROR,
  MODE_DONE_RETURNS,
  MODE_NO_REPLY,
  MODE_REQUIRE,
} Mode;

typedef struct {
  GTestDBus *bus;
  GDBusConnection *service;
  GDBusConnection *client;
  guint registration;
  Mode mode;
  /* what the service saw */
  LxcdOperationState state_in_run;
  gboolean work_in_main_thread;
  gboolean done_called;
  gboolean data_freed;
  LxcdOperation *kept; /* a reference past the reply, to read the state */
} Fixture;

static Fixture *current;

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

static void
data_free (gpointer data)
{
  current->data_freed = TRUE;
}

/* worker thread */
static gboolean
work (LxcdOperation *op, GCancellable *cancellable, GError **error)
{
  current->work_in_main_thread = g_main_context_is_owner (g_main_context_default ());
  switch (current->mode)
    {
    case MODE_RETURN_FROM_WORKER:
      lxcd_operation_return (op, g_variant_new ("(b)", TRUE));
      return TRUE;
    case MODE_WORKER_ERROR:
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_NOT_FOUND, "nothing here");
      return FALSE;
    case MODE_DONE_RETURNS:
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* main thread */
static void
done (LxcdOperation *op, const GError *error)
{
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_assert_no_error ((GError *) error);
  current->done_called = TRUE;
  lxcd_operation_return (op, g_variant_new ("(b)", FALSE));
}

/* main thread: authorized */
static void
run (LxcdOperation *op)
{
  current->state_in_run = lxcd_operation_get_state (op);
  if (current->mode == MODE_NO_REPLY)
    {
      /* a flow that drops its reference without replying (a bug): the
       * operation answers for it */
      lxcd_operation_unref (op);
      return;
    }
  current->kept = lxcd_operation_ref (op);
  switch (current->mode)
    {
    case MODE_RETURN_IN_RUN:
      lxcd_operation_return (op, g_variant_new ("(b)", TRUE));
      break;
    case MODE_REQUIRE:
      lxcd_operation_return (op, g_variant_new ("(s)", "value"));
      break;
    case MODE_RETURN_FROM_WORKER:
    case MODE_WORKER_ERROR:
      lxcd_operation_run_in_worker (op, work, NULL);
      break;
    case MODE_DONE_RETURNS:
      lxcd_operation_run_in_worker (op, work, done);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
method_call (GDBusConnection *connection, const char *sender, const char *object_path,
             const char *interface_name, const char *method_name, GVariant *parameters,
             GDBusMethodInvocation *invocation, gpointer user_data)
{
  LxcdOperation *op = lxcd_operation_new (invocation, NULL, NULL);

  g_assert_cmpint (lxcd_operation_get_state (op), ==, LXCD_OPERATION_NEW);
  g_assert_cmpstr (lxcd_operation_get_method (op)->method, ==, method_name);
  lxcd_operation_set_data (op, GINT_TO_POINTER (1), data_free);
  if (current->mode == MODE_REQUIRE)
    lxcd_operation_require (op, "org.linuxcontainers.LXC1.configure-host");
  lxcd_operation_authorize (op, run);
}

static void
setup (Fixture *f, gconstpointer data)
{
  static const GDBusInterfaceVTable vtable = { method_call, NULL, NULL, { 0 } };
  g_autoptr(GError) error = NULL;

  current = f;
  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->service = connect_to (f->bus);
  f->client = connect_to (f->bus);
  lxcd_caller_start (f->service);
  f->registration =
    g_dbus_connection_register_object (f->service, PATH, lxcd_dbus_container_interface_info (),
                                       &vtable, f, NULL, &error);
  g_assert_no_error (error);
  f->state_in_run = -1;
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->kept, lxcd_operation_unref);
  g_dbus_connection_unregister_object (f->service, f->registration);
  lxcd_caller_stop ();
  g_dbus_connection_close_sync (f->client, NULL, NULL);
  g_dbus_connection_close_sync (f->service, NULL, NULL);
  g_clear_object (&f->client);
  g_clear_object (&f->service);
  g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
  current = NULL;
}

typedef struct {
  GVariant *reply;
  GError *error;
  gboolean done;
} Result;

static void
call_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &r->error);
  r->done = TRUE;
}

static gboolean
deadline_passed (gpointer user_data)
{
  g_error ("waited 10 s in vain");
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@flag is set (at most 10 s). */
static void
wait_for (const gboolean *flag)
{
  guint id = g_timeout_add_seconds (10, deadline_passed, NULL);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* Calls @method from the client and iterates until its reply. */
static void
call (Fixture *f, const char *method, GVariant *args, Result *r)
{
  g_dbus_connection_call (f->client, g_dbus_connection_get_unique_name (f->service), PATH, IFACE,
                          method, args, NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, call_done, r);
  wait_for (&r->done);
}

static char *
remote_error (const GError *error)
{
  return g_dbus_error_get_remote_error (error);
}

static void
test_return_in_run (Fixture *f, gconstpointer data)
{
  Result r = { 0 };

  f->mode = MODE_RETURN_IN_RUN;
  call (f, "MayControl", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpint (f->state_in_run, ==, LXCD_OPERATION_RUNNING);
  g_assert_cmpint (lxcd_operation_get_state (f->kept), ==, LXCD_OPERATION_RETURNED);
  g_assert_null (lxcd_operation_get_invocation (f->kept));
  g_assert_false (f->data_freed); /* the kept reference */
  g_clear_pointer (&f->kept, lxcd_operation_unref);
  g_assert_true (f->data_freed);
  g_variant_unref (r.reply);
}

static void
test_return_from_worker (Fixture *f, gconstpointer data)
{
  Result r = { 0 };
  gboolean value = FALSE;

  f->mode = MODE_RETURN_FROM_WORKER;
  call (f, "MayControl", NULL, &r);
  g_assert_no_error (r.error);
  g_variant_get (r.reply, "(b)", &value);
  g_assert_true (value);
  g_assert_false (f->work_in_main_thread);
  /* the step ends in the main thread after the reply (the worker may
   * still be on its way back: wait for it, not for an idle moment); done
   * is not called for an operation that returned */
  g_clear_pointer (&f->kept, lxcd_operation_unref);
  wait_for (&f->data_freed);
  g_assert_false (f->done_called);
  g_variant_unref (r.reply);
}

static void
test_worker_error (Fixture *f, gconstpointer data)
{
  Result r = { 0 };
  g_autofree char *name = NULL;

  f->mode = MODE_WORKER_ERROR;
  call (f, "MayControl", NULL, &r);
  g_assert_nonnull (r.error);
  name = remote_error (r.error);
  g_assert_cmpstr (name, ==, "org.linuxcontainers.LXC1.Error.NotFound");
  g_assert_nonnull (strstr (r.error->message, "nothing here"));
  g_clear_error (&r.error);
}

static void
test_done_returns (Fixture *f, gconstpointer data)
{
  Result r = { 0 };
  gboolean value = TRUE;

  f->mode = MODE_DONE_RETURNS;
  call (f, "MayControl", NULL, &r);
  g_assert_no_error (r.error);
  g_variant_get (r.reply, "(b)", &value);
  g_assert_false (value);
  g_assert_true (f->done_called);
  g_variant_unref (r.reply);
}

static void
test_no_reply (Fixture *f, gconstpointer data)
{
  Result r = { 0 };
  g_autofree char *name = NULL;

  f->mode = MODE_NO_REPLY;
  g_test_expect_message ("lxc-dbus", G_LOG_LEVEL_WARNING, "*freed without a reply*");
  call (f, "MayControl", NULL, &r);
  g_test_assert_expected_messages ();
  g_assert_true (f->data_freed);
  g_assert_nonnull (r.error);
  name = remote_error (r.error);
  g_assert_cmpstr (name, ==, "org.linuxcontainers.LXC1.Error.Failed");
  g_clear_error (&r.error);
}

static void
test_required_action (Fixture *f, gconstpointer data)
{
  Result r = { 0 };
  g_autofree char *name = NULL;

  /* GetConfigItem: read-config, then configure-host; the test bus has no
   * polkit */
  f->mode = MODE_REQUIRE;
  call (f, "GetConfigItem", g_variant_new ("(s)", "lxc.uts.name"), &r);
  if (getuid () == 0)
    {
      /* root is never asked */
      g_assert_no_error (r.error);
      g_assert_cmpint (lxcd_operation_get_uid (f->kept), ==, 0);
      g_variant_unref (r.reply);
      return;
    }
  g_assert_nonnull (r.error);
  name = remote_error (r.error);
  g_assert_cmpstr (name, ==, "org.linuxcontainers.LXC1.Error.NotAuthorized");
  g_assert_cmpint (f->state_in_run, ==, -1); /* run() never ran */
  g_clear_error (&r.error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/operation/return-in-run", Fixture, NULL, setup, test_return_in_run, teardown);
  g_test_add ("/operation/return-from-worker", Fixture, NULL, setup, test_return_from_worker,
              teardown);
  g_test_add ("/operation/worker-error", Fixture, NULL, setup, test_worker_error, teardown);
  g_test_add ("/operation/done-returns", Fixture, NULL, setup, test_done_returns, teardown);
  g_test_add ("/operation/no-reply", Fixture, NULL, setup, test_no_reply, teardown);
  g_test_add ("/operation/required-action", Fixture, NULL, setup, test_required_action, teardown);
  return g_test_run ();
}
