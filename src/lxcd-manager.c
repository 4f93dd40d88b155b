/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the Manager object (org.linuxcontainers.LXC1.Manager) */
#include "config.h"

#include <lxc/lxccontainer.h>
#include <string.h>

#include "lxcd-auth.h"
#include "lxcd-config-keys.h"
#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-job.h"
#include "lxcd-methods.h"
#include "lxcd-lxc.h"
#include "lxcd-manager.h"
#include "lxcd-operation.h"
#include "lxcd-util.h"

#ifndef LXCD_TEMPLATE_DIR
#define LXCD_TEMPLATE_DIR "/usr/share/lxc/templates"
#endif

const char *const lxcd_manager_features[] = {
  "lifecycle",
  "live-state",
  "polkit",
  "create",
  "destroy",
  "clone",
  "snapshots",
  "jobs",
  "config",
  "cgroup",
  "network",
  "devices",
  "exec",
  "console",
  "config-key-classes",
  "files",
  "usage",
  "permissions",
  "os-release",
  "console-log",
  "start-options",
  "create-config-items",
  "mount",
  "exit-status",
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

/* Most keys GetConfigKeyClasses() classifies in one call. */
#define MAX_CLASSIFIED_KEYS 4096

/* main thread (pure string matching) */
static gboolean
handle_get_config_key_classes (LxcdDBusManager *iface, GDBusMethodInvocation *invocation,
                               const char *const *keys)
{
  GVariantBuilder builder;

  if (g_strv_length ((char **) keys) > MAX_CLASSIFIED_KEYS)
    {
      g_dbus_method_invocation_return_error (invocation, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                                             "At most %d keys at once", MAX_CLASSIFIED_KEYS);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (const char *const *k = keys; *k; k++)
    g_variant_builder_add (&builder, "{ss}", *k,
                           lxcd_config_key_is_ordinary (*k) ? "ordinary" : "host");
  lxcd_dbus_manager_complete_get_config_key_classes (iface, invocation,
                                                     g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- CreateContainer ------------------------------------------------------ */

/* Backing stores liblxc can create a container on. */
static const char *const create_bdev_types[] = {
  "dir", "btrfs", "zfs", "lvm", "loop", "rbd", "best", NULL,
};

/* Biggest file system size accepted (1 PiB). */
#define MAX_FSSIZE (G_GUINT64_CONSTANT (1) << 50)

/* What a CreateContainer call carries besides its LxcdOperation (which
 * has no container: the details name the new one). */
typedef struct {
  LxcdDaemon *daemon; /* unowned; gives the id block back */
  char *name;
  char *template;
  char *lxcpath;
  GPtrArray *args;        /* helper arguments after "create LXCPATH NAME TEMPLATE" */
  const char *host_key;   /* why configure-host is needed, or NULL */
  GError *error;          /* the failure, while its leftovers are removed */
  guint32 idmap_uid_base; /* taken for this create, or 0 */
} Create;

static void
create_free (Create *create)
{
  if (create->idmap_uid_base)
    lxcd_daemon_release_unprivileged_idmap (create->daemon, create->idmap_uid_base);
  g_free (create->name);
  g_free (create->template);
  g_free (create->lxcpath);
  g_ptr_array_unref (create->args);
  g_clear_error (&create->error);
  g_free (create);
}

/* main thread: the container is published (or not, if it vanished); a
 * failed re-read (ignored) shows as a container that is not there */
static void
create_synced (LxcdOperation *op, const GError *error)
{
  Create *create = lxcd_operation_get_data (op);
  LxcdContainer *container = lxcd_daemon_find_container (create->daemon, create->name);
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  if (container == NULL || !g_str_equal (lxcd_container_get_lxcpath (container), create->lxcpath))
    {
      lxcd_operation_return_new_error (op, LXCD_ERROR_FAILED,
                                       "Container '%s' was created but is not there any more",
                                       create->name);
      return;
    }
  escaped = g_dbus_escape_object_path (create->name);
  path = g_strconcat ("/org/linuxcontainers/LXC1/containers/", escaped, NULL);
  lxcd_operation_return (op, g_variant_new ("(o)", path));
}

/* worker thread: what a failed or cancelled create left (the directory
 * did not exist before: the name was free and reserved for us) */
static gboolean
create_remove_leftovers (LxcdOperation *op, GCancellable *cancellable, GError **error)
{
  Create *create = lxcd_operation_get_data (op);
  g_autofree char *dir = g_build_filename (create->lxcpath, create->name, NULL);

  return lxcd_lxc_remove_tree (dir, error);
}

/* main thread: the leftovers of a failed create are gone (or not) */
static void
create_leftovers_removed (LxcdOperation *op, const GError *error)
{
  Create *create = lxcd_operation_get_data (op);

  if (error)
    g_warning ("After a failed create of '%s': %s", create->name, error->message);
  lxcd_operation_return_error (op, create->error);
}

/* main thread */
static void
create_helper_done (LxcdOperation *op, const char *output, const GError *error)
{
  Create *create = lxcd_operation_get_data (op);

  if (output != NULL)
    {
      lxcd_operation_reread (op, create->lxcpath, create->name, create_synced);
      return;
    }
  create->error = g_error_copy (error);
  lxcd_operation_run_in_worker (op, create_remove_leftovers, create_leftovers_removed);
}

/* main thread: authorized, holding the limit token; take the name and
 * run the template as a cancelable Job */
static void
create_run (LxcdOperation *op)
{
  Create *create = lxcd_operation_get_data (op);
  g_autofree char *escaped = g_dbus_escape_object_path (create->name);
  g_autofree char *path = g_strconcat ("/org/linuxcontainers/LXC1/containers/", escaped, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  if (!lxcd_operation_reserve_name (op, create->name, &error))
    {
      lxcd_operation_return_error (op, error);
      return;
    }
  /* The Job names the container to be made from its first appearance
   * (the operation has no container object yet). */
  lxcd_job_add_object (lxcd_operation_prepare_job (op, "create"), path);
  lxcd_operation_export_job (op);

  g_ptr_array_add (argv, "create");
  g_ptr_array_add (argv, create->lxcpath);
  g_ptr_array_add (argv, create->name);
  g_ptr_array_add (argv, create->template);
  for (guint i = 0; i < create->args->len; i++)
    g_ptr_array_add (argv, create->args->pdata[i]);
  g_ptr_array_add (argv, NULL);
  lxcd_operation_run_helper (op, (const char *const *) argv->pdata, NULL, create_helper_done);
}

/* main thread: a caller other than root gets an unprivileged container
 * unless it holds configure-host (asked without interaction: a question,
 * not a request) */
static void
create_privilege_probed_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LxcdOperation *op = user_data;
  Create *create = lxcd_operation_get_data (op);
  g_autoptr(GError) error = NULL;
  LxcdIdmap idmap;

  if (lxcd_auth_check_finish (res, NULL, NULL))
    {
      create_run (op);
      return;
    }
  if (!lxcd_daemon_take_unprivileged_idmap (create->daemon, &idmap, &error))
    {
      lxcd_operation_return_error (op, error);
      return;
    }
  create->idmap_uid_base = idmap.uid_base;
  g_ptr_array_add (create->args,
                   g_strdup_printf ("--config=lxc.idmap=u 0 %u %u", idmap.uid_base, idmap.count));
  g_ptr_array_add (create->args,
                   g_strdup_printf ("--config=lxc.idmap=g 0 %u %u", idmap.gid_base, idmap.count));
  create_run (op);
}

/* main thread: authorized (manage, and configure-host for a host_key) */
static void
create_decide_privilege (LxcdOperation *op)
{
  Create *create = lxcd_operation_get_data (op);

  if (lxcd_operation_get_uid (op) == 0 || create->host_key != NULL)
    {
      /* root, or a caller that was granted configure-host for its own
       * host-level options (an lxc.idmap among them is its choice) */
      create_run (op);
      return;
    }
  lxcd_auth_probe_privileged_async (lxcd_operation_get_invocation (op), create->name,
                                    create->lxcpath, create_privilege_probed_cb, op);
}

/* main thread: checks one string option value for control characters */
static gboolean
check_plain_string (const char *what, const char *value, GError **error)
{
  for (const char *p = value; *p; p++)
    {
      if ((unsigned char) *p < 0x20 || *p == 0x7f)
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "%s must not contain control characters", what);
          return FALSE;
        }
    }
  if (strlen (value) > 4096)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "%s is too long", what);
      return FALSE;
    }
  return TRUE;
}

/* main thread: one configuration item of a create, checked and added to
 * the helper's arguments; @total counts the bytes of the file so far */
static gboolean
create_add_config_item (Create *create, const char *key, const char *value, gsize *total,
                        GError **error)
{
  if (!lxcd_lxc_config_key_is_supported (key) || strchr (key, '=') != NULL)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Unknown configuration key '%s'", key);
      return FALSE;
    }
  if (!lxcd_config_value_is_valid (value, error))
    return FALSE;
  *total += strlen (key) + strlen (value) + 4; /* "KEY = VALUE\n" */
  if (*total > LXCD_CONFIG_MAX_BYTES)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "The config items exceed the configuration file's %d bytes",
                   LXCD_CONFIG_MAX_BYTES);
      return FALSE;
    }
  /* configure-host for keys not ordinary, values outside the ordinary
   * bounds and keys that choose the program the container runs (which
   * SetConfigItem grants to configure + exec; here manage is all the
   * caller has shown) */
  if ((!lxcd_config_key_is_ordinary (key) || lxcd_config_key_needs_exec (key) ||
       !lxcd_config_ordinary_value_is_valid (key, value, NULL)) &&
      create->host_key == NULL)
    create->host_key = g_intern_string (key);
  g_ptr_array_add (create->args, g_strconcat ("--config=", key, "=", value, NULL));
  return TRUE;
}

/* main thread: validates everything and turns it into helper arguments */
static gboolean
create_parse (LxcdManager *self, Create *create, GVariant *options, GError **error)
{
  static const LxcdOptionSpec specs[] = {
    { "lxcpath", "s" },
    { "bdev_type", "s" },
    { "bdev_specs", "a{sv}" },
    { "flags", "as" },
    { "template_args", "as" },
    { "config", "a{ss}" },
    { "config_items", "a(ss)" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  static const LxcdOptionSpec bdev_spec_specs[] = {
    { "fstype", "s" },
    { "fssize", "t" },
    { "zfs_root", "s" },
    { "lvm_vg", "s" },
    { "lvm_lv", "s" },
    { "lvm_thinpool", "s" },
    { "dir", "s" },
    { NULL, NULL },
  };
  static const struct {
    const char *key;
    const char *arg;
  } bdev_string_args[] = {
    { "fstype", "--fstype=" },
    { "zfs_root", "--zfs-root=" },
    { "lvm_vg", "--lvm-vg=" },
    { "lvm_lv", "--lvm-lv=" },
    { "lvm_thinpool", "--lvm-thinpool=" },
    { "dir", "--dir=" },
  };
  LxcdDaemon *daemon = self->daemon;
  const char *const *templates = lxcd_dbus_manager_get_templates (LXCD_DBUS_MANAGER (self));
  const char *lxcpath = NULL;
  const char *bdev_type = NULL;
  g_autoptr(GVariant) bdev_specs = NULL;
  g_auto(GStrv) flags = NULL;
  gsize n_items = 0, total = 0;
  g_auto(GStrv) template_args = NULL;

  if (!lxcd_validate_new_container_name (create->name, error))
    return FALSE;
  if (templates == NULL || !g_strv_contains (templates, create->template))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Unknown template '%s' (see the Templates property)", create->template);
      return FALSE;
    }
  if (!lxcd_options_validate (options, specs, error))
    return FALSE;

  if (g_variant_lookup (options, "lxcpath", "&s", &lxcpath))
    {
      if (!lxcd_daemon_serves_lxcpath (daemon, lxcpath))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "lxcpath '%s' is not served", lxcpath);
          return FALSE;
        }
    }
  else
    {
      lxcpath = lxcd_daemon_get_lxcpaths (daemon)[0];
    }
  create->lxcpath = g_strdup (lxcpath);

  if (g_variant_lookup (options, "bdev_type", "&s", &bdev_type))
    {
      if (!g_strv_contains (create_bdev_types, bdev_type))
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "Unknown backing store type '%s'", bdev_type);
          return FALSE;
        }
      g_ptr_array_add (create->args, g_strconcat ("--bdev-type=", bdev_type, NULL));
    }

  bdev_specs = g_variant_lookup_value (options, "bdev_specs", G_VARIANT_TYPE ("a{sv}"));
  if (bdev_specs)
    {
      guint64 fssize;

      if (!lxcd_options_validate (bdev_specs, bdev_spec_specs, error))
        {
          g_prefix_error (error, "bdev_specs: ");
          return FALSE;
        }
      for (guint i = 0; i < G_N_ELEMENTS (bdev_string_args); i++)
        {
          const char *value;
          if (!g_variant_lookup (bdev_specs, bdev_string_args[i].key, "&s", &value))
            continue;
          if (!check_plain_string (bdev_string_args[i].key, value, error))
            return FALSE;
          g_ptr_array_add (create->args, g_strconcat (bdev_string_args[i].arg, value, NULL));
        }
      if (g_variant_lookup (bdev_specs, "dir", "&s", &bdev_type))
        {
          if (!g_path_is_absolute (bdev_type))
            {
              g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "bdev_specs.dir must be an absolute path");
              return FALSE;
            }
          create->host_key = "bdev_specs.dir";
        }
      if (g_variant_lookup (bdev_specs, "fssize", "t", &fssize))
        {
          if (fssize == 0 || fssize > MAX_FSSIZE)
            {
              g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "bdev_specs.fssize %" G_GUINT64_FORMAT " is out of range (1 byte to 1 PiB)",
                           fssize);
              return FALSE;
            }
          g_ptr_array_add (create->args, g_strdup_printf ("--fssize=%" G_GUINT64_FORMAT, fssize));
        }
    }

  if (g_variant_lookup (options, "flags", "^as", &flags))
    {
      for (char **f = flags; *f; f++)
        {
          if (!g_str_equal (*f, "quiet"))
            {
              g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "Unknown create flag '%s'", *f);
              return FALSE;
            }
        }
      if (flags[0])
        g_ptr_array_add (create->args, g_strdup ("--quiet"));
    }

  /* "config" (a{ss}, one value per key), then "config_items" (a(ss),
   * in order, repeatable): liblxc's set_config_item() on the host's
   * default configuration, one after another, in the helper */
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GVariant) items =
        g_variant_lookup_value (options, pass == 0 ? "config" : "config_items",
                                G_VARIANT_TYPE (pass == 0 ? "a{ss}" : "a(ss)"));
      GVariantIter iter;
      const char *key, *value;

      if (items == NULL)
        continue;
      n_items += g_variant_n_children (items);
      if (n_items > LXCD_MAX_ARGV)
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "Too many config items (at most %d)", LXCD_MAX_ARGV);
          return FALSE;
        }
      g_variant_iter_init (&iter, items);
      while (g_variant_iter_next (&iter, pass == 0 ? "{&s&s}" : "(&s&s)", &key, &value))
        {
          if (!create_add_config_item (create, key, value, &total, error))
            return FALSE;
        }
    }

  if (g_variant_lookup (options, "template_args", "^as", &template_args))
    {
      if (!lxcd_validate_argv ((const char *const *) template_args, error))
        return FALSE;
      if (template_args[0])
        {
          create->host_key = create->host_key ? create->host_key : "template_args";
          g_ptr_array_add (create->args, g_strdup ("--"));
          for (char **a = template_args; *a; a++)
            g_ptr_array_add (create->args, g_strdup (*a));
        }
    }
  return TRUE;
}

/* main thread */
static gboolean
handle_create_container (LxcdDBusManager *iface, GDBusMethodInvocation *invocation,
                         const char *name, const char *template, GVariant *options)
{
  LxcdManager *self = LXCD_MANAGER (iface);
  LxcdOperation *op = lxcd_operation_new (invocation, self->daemon, NULL);
  Create *create = g_new0 (Create, 1);
  g_autoptr(GError) error = NULL;

  create->daemon = self->daemon;
  create->name = g_strdup (name);
  create->template = g_strdup (template);
  create->args = g_ptr_array_new_with_free_func (g_free);
  lxcd_operation_set_data (op, create, (GDestroyNotify) create_free);

  if (!create_parse (self, create, options, &error))
    {
      lxcd_operation_return_error (op, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (lxcd_daemon_name_taken (self->daemon, name))
    {
      lxcd_operation_return_new_error (op, LXCD_ERROR_ALREADY_EXISTS,
                                       "A container named '%s' already exists", name);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  /* manage (the method table's) on the new container, with its template;
   * configure-host as well for host-level options, with the detail "key" */
  lxcd_operation_set_subject (op, create->name, create->lxcpath);
  lxcd_operation_add_detail (op, "template", create->template);
  if (create->host_key)
    {
      lxcd_operation_add_detail (op, "key", create->host_key);
      lxcd_operation_require (op, LXCD_ACTION_CONFIGURE_HOST);
    }
  lxcd_operation_authorize (op, create_decide_privilege);
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
  iface->handle_get_config_key_classes = handle_get_config_key_classes;
  iface->handle_create_container = handle_create_container;
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

  lxcd_methods_guard (self);
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
