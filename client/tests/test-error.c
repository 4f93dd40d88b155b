/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit test of liblxc-dbus-1 without a bus: every D-Bus error name of the
 * service maps to its LXC_DBUS_ERROR code and back, and the enum has its
 * GType (what bindings see as LxcDBus.Error). */
#include <lxc-dbus/lxc-dbus.h>

static const struct
{
  const char *name;
  LxcDBusError code;
} names[] = {
  { "org.linuxcontainers.LXC1.Error.Failed", LXC_DBUS_ERROR_FAILED },
  { "org.linuxcontainers.LXC1.Error.NotFound", LXC_DBUS_ERROR_NOT_FOUND },
  { "org.linuxcontainers.LXC1.Error.AlreadyExists", LXC_DBUS_ERROR_ALREADY_EXISTS },
  { "org.linuxcontainers.LXC1.Error.InvalidArgument", LXC_DBUS_ERROR_INVALID_ARGUMENT },
  { "org.linuxcontainers.LXC1.Error.NotAuthorized", LXC_DBUS_ERROR_NOT_AUTHORIZED },
  { "org.linuxcontainers.LXC1.Error.Busy", LXC_DBUS_ERROR_BUSY },
  { "org.linuxcontainers.LXC1.Error.WrongState", LXC_DBUS_ERROR_WRONG_STATE },
  { "org.linuxcontainers.LXC1.Error.Timeout", LXC_DBUS_ERROR_TIMEOUT },
  { "org.linuxcontainers.LXC1.Error.Cancelled", LXC_DBUS_ERROR_CANCELLED },
  { "org.linuxcontainers.LXC1.Error.NotSupported", LXC_DBUS_ERROR_NOT_SUPPORTED },
  { "org.linuxcontainers.LXC1.Error.LimitsExceeded", LXC_DBUS_ERROR_LIMITS_EXCEEDED },
};

static void
test_names_map_both_ways (void)
{
  (void) LXC_DBUS_ERROR;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = g_dbus_error_new_for_dbus_error (names[i].name, "why");
      g_autoptr(GError) local = g_error_new_literal (LXC_DBUS_ERROR, names[i].code, "why");
      g_autofree gchar *back = g_dbus_error_get_remote_error (error);
      g_autofree gchar *encoded = g_dbus_error_encode_gerror (local);

      g_assert_error (error, LXC_DBUS_ERROR, (gint) names[i].code);
      g_assert_cmpstr (back, ==, names[i].name);
      g_assert_cmpstr (encoded, ==, names[i].name);
    }
}

static void
test_enum_type (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (LXC_DBUS_TYPE_ERROR);
  GEnumValue *value = g_enum_get_value (klass, LXC_DBUS_ERROR_NOT_FOUND);

  g_assert_cmpuint (klass->n_values, ==, G_N_ELEMENTS (names));
  g_assert_nonnull (value);
  g_assert_cmpstr (value->value_nick, ==, "not-found");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/error/names", test_names_map_both_ways);
  g_test_add_func ("/client/error/enum-type", test_enum_type);
  return g_test_run ();
}
