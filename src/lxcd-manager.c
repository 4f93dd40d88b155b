/* lxc-dbus: the Manager object (org.linuxcontainers.LXC1.Manager) */
#include "config.h"

#include <lxc/lxccontainer.h>

#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-lxc.h"
#include "lxcd-manager.h"
#include "lxcd-util.h"

#ifndef LXCD_TEMPLATE_DIR
#define LXCD_TEMPLATE_DIR "/usr/share/lxc/templates"
#endif

const char *const lxcd_manager_features[] = {
  "lifecycle",
  "live-state",
  "polkit",
  NULL,
};

struct _LxcdManager {
  LxcdDBusManagerSkeleton parent_instance;

  LxcdDaemon *daemon; /* unowned */
  GFileMonitor *template_monitor;
  GHashTable *global_config; /* key -> value, read at start */
};

static void lxcd_manager_iface_init (LxcdDBusManagerIface *iface);

G_DEFINE_TYPE_WITH_CODE (LxcdManager, lxcd_manager, LXCD_DBUS_TYPE_MANAGER_SKELETON,
                         G_IMPLEMENT_INTERFACE (LXCD_DBUS_TYPE_MANAGER, lxcd_manager_iface_init))

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* main thread (a short readdir of one small directory) */
static void
update_templates (LxcdManager *self)
{
  g_autoptr(GDir) dir = g_dir_open (LXCD_TEMPLATE_DIR, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  while (dir && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!g_str_has_prefix (entry, "lxc-") || entry[4] == '\0')
        continue;
      path = g_build_filename (LXCD_TEMPLATE_DIR, entry, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (path, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (names, g_strdup (entry + 4));
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  lxcd_dbus_manager_set_templates (LXCD_DBUS_MANAGER (self), (const char *const *) names->pdata);
}

/* main thread */
static void
on_templates_changed (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
                      gpointer user_data)
{
  update_templates (LXCD_MANAGER (user_data));
}

/* main thread */
static gboolean
handle_list_containers (LxcdDBusManager *iface, GDBusMethodInvocation *invocation,
                        const char *which, GVariant *options)
{
  static const LxcdOptionSpec specs[] = {
    { "lxcpath", "s" },
    { NULL, NULL },
  };
  LxcdManager *self = LXCD_MANAGER (iface);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  const char *lxcpath = NULL;
  gboolean want_defined, want_active;
  GVariantBuilder builder;

  if (g_str_equal (which, "defined"))
    want_defined = TRUE, want_active = FALSE;
  else if (g_str_equal (which, "active"))
    want_defined = FALSE, want_active = TRUE;
  else if (g_str_equal (which, "all"))
    want_defined = TRUE, want_active = TRUE;
  else
    {
      g_dbus_method_invocation_return_error (invocation, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                                             "Unknown selection '%s' (defined, active or all)",
                                             which);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (!lxcd_options_validate (options, specs, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (g_variant_lookup (options, "lxcpath", "&s", &lxcpath) &&
      !lxcd_daemon_serves_lxcpath (self->daemon, lxcpath))
    {
      g_dbus_method_invocation_return_error (invocation, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                                             "lxcpath '%s' is not served", lxcpath);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(so)"));
  containers = lxcd_daemon_list_containers (self->daemon);
  for (guint i = 0; i < containers->len; i++)
    {
      LxcdContainer *c = containers->pdata[i];
      LxcdDBusContainer *ci = LXCD_DBUS_CONTAINER (c);
      gboolean match = (want_defined && lxcd_dbus_container_get_defined (ci)) ||
                       (want_active && lxcd_container_get_state (c) != LXCD_STATE_STOPPED);

      if (!match)
        continue;
      if (lxcpath && !g_str_equal (lxcpath, lxcd_container_get_lxcpath (c)))
        continue;
      g_variant_builder_add (&builder, "(so)", lxcd_container_get_name (c),
                             lxcd_container_get_object_path (c));
    }
  lxcd_dbus_manager_complete_list_containers (iface, invocation,
                                              g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread */
static gboolean
handle_get_container (LxcdDBusManager *iface, GDBusMethodInvocation *invocation, const char *name)
{
  LxcdManager *self = LXCD_MANAGER (iface);
  g_autoptr(GError) error = NULL;
  LxcdContainer *container;

  if (!lxcd_validate_container_name (name, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  container = lxcd_daemon_find_container (self->daemon, name);
  if (container == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, LXCD_ERROR, LXCD_ERROR_NOT_FOUND,
                                             "No container named '%s'", name);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  lxcd_dbus_manager_complete_get_container (iface, invocation,
                                            lxcd_container_get_object_path (container));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread */
static gboolean
handle_get_global_config_item (LxcdDBusManager *iface, GDBusMethodInvocation *invocation,
                               const char *key)
{
  LxcdManager *self = LXCD_MANAGER (iface);
  const char *value = g_hash_table_lookup (self->global_config, key);

  if (value == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                                             "Unknown global configuration key '%s'", key);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  lxcd_dbus_manager_complete_get_global_config_item (iface, invocation, value);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
lxcd_manager_dispose (GObject *object)
{
  LxcdManager *self = LXCD_MANAGER (object);

  if (self->template_monitor)
    {
      g_signal_handlers_disconnect_by_data (self->template_monitor, self);
      g_clear_object (&self->template_monitor);
    }
  g_clear_pointer (&self->global_config, g_hash_table_unref);
  G_OBJECT_CLASS (lxcd_manager_parent_class)->dispose (object);
}

static void
lxcd_manager_init (LxcdManager *self)
{
}

static void
lxcd_manager_class_init (LxcdManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lxcd_manager_dispose;
}

static void
lxcd_manager_iface_init (LxcdDBusManagerIface *iface)
{
  iface->handle_list_containers = handle_list_containers;
  iface->handle_get_container = handle_get_container;
  iface->handle_get_global_config_item = handle_get_global_config_item;
}

/**
 * lxcd_manager_new:
 *
 * Main thread.
 */
LxcdManager *
lxcd_manager_new (LxcdDaemon *daemon)
{
  LxcdManager *self = g_object_new (LXCD_TYPE_MANAGER, NULL);
  LxcdDBusManager *iface = LXCD_DBUS_MANAGER (self);
  const char *const *lxcpaths = lxcd_daemon_get_lxcpaths (daemon);
  g_auto(GStrv) states = lxcd_lxc_get_wait_states ();
  g_autoptr(GFile) template_dir = g_file_new_for_path (LXCD_TEMPLATE_DIR);

  self->daemon = daemon;
  self->global_config = lxcd_lxc_read_global_config ();
  lxcd_dbus_manager_set_version (iface, lxc_get_version ());
  lxcd_dbus_manager_set_daemon_version (iface, PACKAGE_VERSION);
  lxcd_dbus_manager_set_lxcpaths (iface, lxcpaths);
  lxcd_dbus_manager_set_default_lxcpath (iface, lxcpaths[0]);
  lxcd_dbus_manager_set_wait_states (iface, (const char *const *) states);
  lxcd_dbus_manager_set_features (iface, lxcd_manager_features);
  update_templates (self);

  self->template_monitor = g_file_monitor_directory (template_dir, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->template_monitor)
    g_signal_connect (self->template_monitor, "changed", G_CALLBACK (on_templates_changed), self);
  return self;
}
