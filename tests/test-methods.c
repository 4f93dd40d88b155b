/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the method table against the interfaces the service serves. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lxcd-dbus-generated.h"
#include "lxcd-methods.h"

static GDBusInterfaceInfo *
info_of (const char *short_name)
{
  if (g_str_equal (short_name, "Container"))
    return lxcd_dbus_container_interface_info ();
  if (g_str_equal (short_name, "Manager"))
    return lxcd_dbus_manager_interface_info ();
  if (g_str_equal (short_name, "Job"))
    return lxcd_dbus_job_interface_info ();
  g_error ("no interface %s", short_name);
}

/* Every method of every interface has its row: none is served by default. */
static void
test_every_method_has_a_row (void)
{
  static const char *const names[] = { "Container", "Manager", "Job", NULL };

  for (const char *const *n = names; *n; n++)
    {
      GDBusInterfaceInfo *info = info_of (*n);

      for (GDBusMethodInfo **m = info->methods; m && *m; m++)
        {
          g_autofree char *full = g_strconcat ("org.linuxcontainers.LXC1.", *n, NULL);
          if (lxcd_methods_lookup (*n, (*m)->name) == NULL)
            g_error ("%s.%s has no row in the method table", *n, (*m)->name);
          g_assert_true (lxcd_methods_lookup (full, (*m)->name) ==
                         lxcd_methods_lookup (*n, (*m)->name));
        }
    }
}

/* Every row names a method that exists, once, with a known action. */
static void
test_every_row_is_a_method (void)
{
  static const char *const actions[] = { "read-config", "lifecycle", "manage", "configure",
                                         "configure-host", "exec", "console", NULL };
  guint n = 0;
  const LxcdMethod *rows = lxcd_methods_table (&n);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpuint (n, >, 40);
  for (guint i = 0; i < n; i++)
    {
      GDBusInterfaceInfo *info = info_of (rows[i].interface);
      g_autofree char *key = g_strdup_printf ("%s.%s", rows[i].interface, rows[i].method);

      if (g_dbus_interface_info_lookup_method (info, rows[i].method) == NULL)
        g_error ("row %s is not a method of the interface", key);
      g_assert_true (g_hash_table_add (seen, g_steal_pointer (&key)));
      g_assert_true (rows[i].action == NULL || g_strv_contains (actions, rows[i].action));
      /* what changes something is logged; what is not checked changes nothing */
      if (rows[i].flags & (LXCD_METHOD_SLOT | LXCD_METHOD_JOB))
        g_assert_true (rows[i].flags & LXCD_METHOD_AUDITED);
      /* an unchecked method changes nothing; it may count against the
       * caller's limit (it takes a worker) */
      if (rows[i].action == NULL)
        g_assert_cmpint (rows[i].flags & ~LXCD_METHOD_LIMITED, ==, 0);
      if (rows[i].flags & LXCD_METHOD_CANCELABLE)
        g_assert_true (rows[i].flags & LXCD_METHOD_JOB);
      /* joining is sharing a slot owner's reply */
      if (rows[i].flags & LXCD_METHOD_JOINS)
        g_assert_true (rows[i].flags & LXCD_METHOD_SLOT);
    }
  g_assert_null (lxcd_methods_lookup ("Container", "NoSuchMethod"));
  g_assert_null (lxcd_methods_lookup ("Nothing", "Start"));
  g_assert_null (lxcd_methods_lookup (NULL, "Start"));
}

/* --dump: the table as tab-separated lines, for the checks in Python */
static int
dump (void)
{
  guint n = 0;
  const LxcdMethod *rows = lxcd_methods_table (&n);

  for (guint i = 0; i < n; i++)
    g_print ("%s\t%s\t%s\t%s%s%s%s%s%s%s\t%s\n", rows[i].interface, rows[i].method,
             rows[i].action ? rows[i].action : "-",
             rows[i].flags & LXCD_METHOD_AUDITED ? "audited," : "",
             rows[i].flags & LXCD_METHOD_SLOT ? "slot," : "",
             rows[i].flags & LXCD_METHOD_LIMITED ? "limited," : "",
             rows[i].flags & LXCD_METHOD_JOB ? "job," : "",
             rows[i].flags & LXCD_METHOD_CANCELABLE ? "cancelable," : "",
             rows[i].flags & LXCD_METHOD_PRIVILEGED ? "privileged," : "",
             rows[i].flags & LXCD_METHOD_JOINS ? "joins," : "",
             rows[i].also ? rows[i].also : "-");
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[1], "--dump") == 0)
    return dump ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/methods/every-method-has-a-row", test_every_method_has_a_row);
  g_test_add_func ("/methods/every-row-is-a-method", test_every_row_is_a_method);
  return g_test_run ();
}
