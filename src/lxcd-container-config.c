/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: Container configuration, cgroup and network methods
 *
 * Reads (GetConfigItem, GetRunningConfigItem, GetKeys, GetCgroupItem,
 * GetInterfaces, GetIPs) need polkit's read-config. Changes need configure
 * for keys on the ordinary-key allowlist (lxcd-config-keys.c) and
 * configure-host for every other key, and are written to the container's
 * config file at once, atomically, by a worker thread: the daemon keeps no
 * unsaved configuration. SetConfigItem and ClearConfigItem reply once the
 * new file is renamed into place and sync its directory after the reply
 * (cfg_saved()); the file's data is synced before the rename, so a crash
 * never leaves a torn or empty file. Interfaces and addresses are read by
 * lxc-dbus-helper, since liblxc forks into the container to get them.
 *
 * An ordinary key is "configure" only within the bounds of
 * lxcd_config_ordinary_value_is_valid(); a value outside them needs
 * configure-host, and a caller denied that gets the bound's
 * InvalidArgument (not a bare NotAuthorized). Ordinary keys that choose the
 * program the container runs (lxcd_config_key_needs_exec(): lxc.init.*,
 * lxc.execute.cmd) need "exec" as well as "configure": cfg_authorized()
 * chains that second check. lxc.uts.name set by a caller authorized by
 * configure alone is refused where liblxc would set it in the host's UTS
 * namespace (LXCD_CONFIG_SET_ORDINARY). Root skips polkit and the bounds. Every change
 * is refused, with nothing written, if the new file would break
 * lxcd_config_text_is_within_bounds() (lxcd-config-keys.c, checked by lxcd-lxc.c).
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "lxcd-auth.h"
#include "lxcd-config-keys.h"
#include "lxcd-container.h"
#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-lxc.h"
#include "lxcd-operation.h"

typedef enum {
  CFG_GET,
  CFG_GET_RUNNING,
  CFG_GET_KEYS,
  CFG_SET,
  CFG_CLEAR_ITEM,
  CFG_CLEAR,
  CFG_LOAD,
  CFG_SAVE,
  CFG_CGROUP_GET,
  CFG_CGROUP_SET,
  CFG_INTERFACES,
  CFG_IPS,
  CFG_DEVICE_ADD,
  CFG_DEVICE_REMOVE,
  CFG_NET_ATTACH,
  CFG_NET_DETACH,
} CfgKind;

/* What a configuration call carries besides its LxcdOperation. */
typedef struct {
  CfgKind kind;
  char *key;
  char *value;
  char *file;        /* full path for LOAD and SAVE, or NULL */
  char *family;      /* GetIPs */
  guint scope;
  const char *action;
  gboolean needs_exec;    /* the key chooses the program: exec as well */
  gboolean ordinary_only; /* authorized by configure alone (not root, not configure-host) */
  GError *bound_error;    /* the value is outside configure's bounds (needs configure-host) */
} Cfg;

static void
cfg_free (Cfg *cfg)
{
  g_free (cfg->key);
  g_free (cfg->value);
  g_free (cfg->file);
  g_free (cfg->family);
  g_clear_error (&cfg->bound_error);
  g_free (cfg);
}

/* Whether changing @key can change a property the daemon publishes
 * (Autostart and Privileged come from the configuration:
 * lxcd_lxc_read_info()). */
static gboolean
key_is_published (const char *key)
{
  static const char *const published[] = { "lxc.start.auto", "lxc.idmap", NULL };

  if (key == NULL)
    return TRUE;
  for (const char *const *p = published; *p; p++)
    {
      if (g_str_has_prefix (key, *p) || g_str_has_prefix (*p, key))
        return TRUE;
    }
  return FALSE;
}

/* worker thread: SetConfigItem and ClearConfigItem of a key no published
 * property comes from: the new config file is in place (renamed) and only
 * the directory's fsync is left (lxcd_lxc_change_config()). Reply now,
 * from here, and let the worker sync the directory after the reply
 * (lxcd_operation_return() frees the slot before the caller can call
 * again). */
static void
cfg_saved (gpointer user_data)
{
  LxcdOperation *op = user_data;
  Cfg *cfg = lxcd_operation_get_data (op);

  if ((cfg->kind == CFG_SET || cfg->kind == CFG_CLEAR_ITEM) && !key_is_published (cfg->key))
    lxcd_operation_return (op, NULL);
}

/* worker thread. A read replies from here (GDBusConnection is
 * thread-safe) rather than after one more hop through the main loop. */
static gboolean
cfg_work (LxcdOperation *op, GCancellable *cancellable, GError **error)
{
  Cfg *cfg = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);
  const char *lxcpath = lxcd_container_get_lxcpath (self);
  const char *name = lxcd_container_get_name (self);
  g_autofree char *result = NULL;
  g_auto(GStrv) list = NULL;

  switch (cfg->kind)
    {
    case CFG_GET:
    case CFG_GET_RUNNING:
      result = lxcd_lxc_get_config_item (lxcpath, name, cfg->key, cfg->kind == CFG_GET_RUNNING,
                                         error);
      if (result == NULL)
        return FALSE;
      lxcd_operation_return (op, g_variant_new ("(s)", result));
      return TRUE;
    case CFG_CGROUP_GET:
      result = lxcd_lxc_cgroup_item (lxcpath, name, cfg->key, NULL, error);
      if (result == NULL)
        return FALSE;
      lxcd_operation_return (op, g_variant_new ("(s)", result));
      return TRUE;
    case CFG_GET_KEYS:
      list = lxcd_lxc_get_keys (lxcpath, name, cfg->key, error);
      if (list == NULL)
        return FALSE;
      lxcd_operation_return (op, g_variant_new ("(^as)", list));
      return TRUE;
    case CFG_SET:
      return lxcd_lxc_change_config (lxcpath, name,
                                     cfg->ordinary_only ? LXCD_CONFIG_SET_ORDINARY : LXCD_CONFIG_SET,
                                     cfg->key, cfg->value, cfg_saved, op, error);
    case CFG_CLEAR_ITEM:
      return lxcd_lxc_change_config (lxcpath, name, LXCD_CONFIG_CLEAR_ITEM, cfg->key, NULL,
                                     cfg_saved, op, error);
    case CFG_CLEAR:
      return lxcd_lxc_change_config (lxcpath, name, LXCD_CONFIG_CLEAR_ALL, NULL, NULL, NULL, NULL,
                                     error);
    case CFG_LOAD:
      /* "" names the container's own file, which the service reads afresh
       * for every call: there is nothing to load. */
      return cfg->file == NULL ||
             lxcd_lxc_change_config (lxcpath, name, LXCD_CONFIG_LOAD, NULL, cfg->file, NULL, NULL,
                                     error);
    case CFG_SAVE:
      return lxcd_lxc_change_config (lxcpath, name, LXCD_CONFIG_SAVE_AS, NULL, cfg->file, NULL,
                                     NULL, error);
    case CFG_CGROUP_SET:
      result = lxcd_lxc_cgroup_item (lxcpath, name, cfg->key, cfg->value, error);
      return result != NULL;
    default:
      g_assert_not_reached ();
    }
}

/* main thread: properties derived from the file (Autostart, ...) are
 * published before the reply */
static void
cfg_reread (LxcdOperation *op, const GError *error)
{
  lxcd_operation_return (op, NULL);
}

static void cfg_authorize (LxcdOperation *op);

/* main thread: a change that did not reply from its worker (a reply
 * there comes only once the file is in place) */
static void
cfg_work_done (LxcdOperation *op, const GError *error)
{
  Cfg *cfg = lxcd_operation_get_data (op);

  if (error && cfg->kind == CFG_SET && cfg->ordinary_only &&
      g_error_matches (error, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED))
    {
      /* LXCD_CONFIG_SET_ORDINARY refused a value configure alone does not
       * cover (lxc.uts.name of a container in the host's UTS namespace):
       * the caller may still hold configure-host. Ask (the slot is free
       * meanwhile); a denial replies with the reason above. */
      cfg->action = LXCD_ACTION_CONFIGURE_HOST;
      cfg->needs_exec = FALSE;
      g_clear_error (&cfg->bound_error);
      cfg->bound_error = g_error_copy (error);
      cfg_authorize (op);
      return;
    }
  if (error)
    lxcd_operation_return_error (op, error);
  else if (cfg->kind != CFG_CGROUP_SET)
    lxcd_operation_reread (op, NULL, NULL, cfg_reread);
  else
    lxcd_operation_return (op, NULL);
}

/* main thread: the helper's lines are the reply (interfaces, addresses) */
static void
cfg_helper_done (LxcdOperation *op, const char *output, const GError *error)
{
  Cfg *cfg = lxcd_operation_get_data (op);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) list = NULL;

  if (output == NULL)
    {
      lxcd_operation_return_error (op, error);
      return;
    }
  if (cfg->kind >= CFG_DEVICE_ADD)
    {
      lxcd_operation_return (op, NULL);
      return;
    }
  lines = g_strsplit (output, "\n", -1);
  list = g_ptr_array_new ();
  for (char **l = lines; *l; l++)
    {
      if (**l)
        g_ptr_array_add (list, *l);
    }
  g_ptr_array_add (list, NULL);
  lxcd_operation_return (op, g_variant_new ("(^as)", (char **) list->pdata));
}

/* main thread: authorized */
static void
cfg_run (LxcdOperation *op)
{
  Cfg *cfg = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);

  cfg->ordinary_only =
    lxcd_operation_get_uid (op) != 0 && g_str_equal (cfg->action, LXCD_ACTION_CONFIGURE);
  if (cfg->kind == CFG_INTERFACES || cfg->kind == CFG_IPS)
    {
      g_autofree char *scope = g_strdup_printf ("%u", cfg->scope);
      const char *args[] = {
        cfg->kind == CFG_INTERFACES ? "interfaces" : "ips",
        lxcd_container_get_lxcpath (self),
        lxcd_container_get_name (self),
        cfg->kind == CFG_IPS ? (*cfg->key ? cfg->key : "-") : NULL,
        cfg->family && *cfg->family ? cfg->family : "-",
        scope,
        NULL,
      };
      lxcd_operation_run_helper (op, args, NULL, cfg_helper_done);
    }
  else if (cfg->kind >= CFG_DEVICE_ADD)
    {
      static const char *const ops[] = { "device-add", "device-remove", "netdev-attach",
                                         "netdev-detach" };
      const char *args[] = {
        ops[cfg->kind - CFG_DEVICE_ADD],
        lxcd_container_get_lxcpath (self),
        lxcd_container_get_name (self),
        cfg->key,
        *cfg->value ? cfg->value : "-",
        NULL,
      };
      lxcd_operation_run_helper (op, args, NULL, cfg_helper_done);
    }
  else
    lxcd_operation_run_in_worker (op, cfg_work, cfg_work_done);
}

/* main thread: validated; ask polkit for the action (a configure key that
 * chooses the program needs exec too; a value outside configure's bounds
 * is refused with the bound, not a bare NotAuthorized) */
static void
cfg_authorize (LxcdOperation *op)
{
  Cfg *cfg = lxcd_operation_get_data (op);

  lxcd_operation_set_action (op, cfg->action);
  if (cfg->key && *cfg->key)
    lxcd_operation_add_detail (op, "key", cfg->key);
  if (cfg->value)
    lxcd_operation_add_detail (op, "value", cfg->value);
  if (cfg->needs_exec)
    lxcd_operation_require (op, LXCD_ACTION_EXEC);
  lxcd_operation_set_denial (op, cfg->bound_error);
  lxcd_operation_authorize (op, cfg_run);
}

static LxcdOperation *
cfg_new (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, CfgKind kind,
         const char *action, Cfg **out_cfg)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  LxcdOperation *op = lxcd_operation_new (invocation, lxcd_container_get_daemon (self), self);
  Cfg *cfg = g_new0 (Cfg, 1);

  cfg->kind = kind;
  cfg->action = action;
  lxcd_operation_set_data (op, cfg, (GDestroyNotify) cfg_free);
  if (out_cfg)
    *out_cfg = cfg;
  return op;
}

/* main thread: the handler's end, once validated */
static gboolean
cfg_start (LxcdOperation *op)
{
  cfg_authorize (op);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread: the action a change of @key to @value (NULL: a clear)
 * needs, for a caller who is not root; see the top of this file */
static void
cfg_choose_action (Cfg *cfg, const char *key, const char *value)
{
  if (!lxcd_config_key_is_ordinary (key))
    {
      cfg->action = LXCD_ACTION_CONFIGURE_HOST;
      return;
    }
  cfg->action = LXCD_ACTION_CONFIGURE;
  if (value && !lxcd_config_ordinary_value_is_valid (key, value, &cfg->bound_error))
    cfg->action = LXCD_ACTION_CONFIGURE_HOST;
  else
    cfg->needs_exec = lxcd_config_key_needs_exec (key);
}

/* main thread: replies with @error */
static gboolean
cfg_refuse (LxcdOperation *op, const GError *error)
{
  lxcd_operation_return_error (op, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* A configuration key liblxc knows. */
static gboolean
check_key (const char *key, GError **error)
{
  if (*key == '\0' || strlen (key) > 256 || strpbrk (key, "\n\r= \t") != NULL ||
      !lxcd_lxc_config_key_is_supported (key))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Unknown configuration key '%s'", key);
      return FALSE;
    }
  return TRUE;
}

/* A cgroup file name, controller.item (no path). */
static gboolean
check_cgroup_key (const char *key, GError **error)
{
  const char *dot = strchr (key, '.');

  if (dot == NULL || dot == key || dot[1] == '\0' || strlen (key) > 128 ||
      strstr (key, "..") != NULL)
    goto bad;
  for (const char *p = key; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
        goto bad;
    }
  return TRUE;

bad:
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
               "'%s' is not a cgroup item (controller.item)", key);
  return FALSE;
}

/* "" or a plain file name inside the container's directory, never a path;
 * sets *out_path to the full path (NULL for ""). */
static gboolean
check_config_file (LxcdContainer *self, const char *file, gboolean must_exist, char **out_path,
                   GError **error)
{
  static const char *const reserved[] = { "rootfs", "snaps", "partial", NULL };
  g_autofree char *path = NULL;

  *out_path = NULL;
  if (*file == '\0')
    return TRUE;
  if (strlen (file) > 255 || file[0] == '.' || g_strv_contains (reserved, file))
    goto bad;
  for (const char *p = file; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
        goto bad;
    }
  path = g_build_filename (lxcd_container_get_lxcpath (self), lxcd_container_get_name (self), file,
                           NULL);
  if (must_exist ? !g_file_test (path, G_FILE_TEST_IS_REGULAR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK)
                 : (g_file_test (path, G_FILE_TEST_EXISTS) &&
                    (!g_file_test (path, G_FILE_TEST_IS_REGULAR) ||
                     g_file_test (path, G_FILE_TEST_IS_SYMLINK))))
    {
      g_set_error (error, LXCD_ERROR, must_exist ? LXCD_ERROR_NOT_FOUND : LXCD_ERROR_INVALID_ARGUMENT,
                   must_exist ? "No regular file '%s' in the container's directory"
                              : "'%s' in the container's directory is not a regular file", file);
      return FALSE;
    }
  *out_path = g_steal_pointer (&path);
  return TRUE;

bad:
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
               "'%s' is not a plain file name (letters, digits, '.', '_', '-'; not starting with "
               "'.'; not rootfs, snaps or partial)", file);
  return FALSE;
}

static gboolean
require_running (LxcdContainer *self, GError **error)
{
  if (lxcd_container_get_state (self) == LXCD_STATE_STOPPED)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running",
                   lxcd_container_get_name (self));
      return FALSE;
    }
  return TRUE;
}

/* ---- handlers (main thread) ---------------------------------------------- */

static gboolean
handle_get_config_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *key)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_GET, LXCD_ACTION_READ_CONFIG, &cfg);
  g_autoptr(GError) error = NULL;

  if (!check_key (key, &error))
    return cfg_refuse (op, error);
  cfg->key = g_strdup (key);
  return cfg_start (op);
}

static gboolean
handle_get_running_config_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                                const char *key)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_GET_RUNNING, LXCD_ACTION_READ_CONFIG, &cfg);
  g_autoptr(GError) error = NULL;

  if (!check_key (key, &error) || !require_running (LXCD_CONTAINER (iface), &error))
    return cfg_refuse (op, error);
  cfg->key = g_strdup (key);
  return cfg_start (op);
}

static gboolean
handle_get_keys (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *prefix)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_GET_KEYS, LXCD_ACTION_READ_CONFIG, &cfg);
  g_autoptr(GError) error = NULL;

  if (*prefix && !check_key (prefix, &error))
    return cfg_refuse (op, error);
  cfg->key = g_strdup (prefix);
  return cfg_start (op);
}

static gboolean
handle_set_config_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                        const char *key, const char *value)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_SET, LXCD_ACTION_CONFIGURE_HOST, &cfg);
  g_autoptr(GError) error = NULL;

  if (!check_key (key, &error) || !lxcd_config_value_is_valid (value, &error))
    return cfg_refuse (op, error);
  cfg_choose_action (cfg, key, value);
  cfg->key = g_strdup (key);
  cfg->value = g_strdup (value);
  return cfg_start (op);
}

static gboolean
handle_clear_config_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                          const char *key)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_CLEAR_ITEM, LXCD_ACTION_CONFIGURE_HOST, &cfg);
  g_autoptr(GError) error = NULL;

  if (!check_key (key, &error))
    return cfg_refuse (op, error);
  /* clearing lxc.init.cmd chooses the program too (the default init) */
  cfg_choose_action (cfg, key, NULL);
  cfg->key = g_strdup (key);
  return cfg_start (op);
}

static gboolean
handle_clear_config (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  return cfg_start (cfg_new (iface, invocation, CFG_CLEAR, LXCD_ACTION_CONFIGURE_HOST, NULL));
}

static gboolean
handle_load_config (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *file)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_LOAD, LXCD_ACTION_CONFIGURE_HOST, &cfg);
  g_autoptr(GError) error = NULL;

  if (!check_config_file (LXCD_CONTAINER (iface), file, TRUE, &cfg->file, &error))
    return cfg_refuse (op, error);
  if (cfg->file == NULL)
    cfg->action = LXCD_ACTION_READ_CONFIG; /* changes nothing, see cfg_work() */
  return cfg_start (op);
}

static gboolean
handle_save_config (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *file)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_SAVE, LXCD_ACTION_CONFIGURE, &cfg);
  g_autoptr(GError) error = NULL;

  if (!check_config_file (LXCD_CONTAINER (iface), file, FALSE, &cfg->file, &error))
    return cfg_refuse (op, error);
  /* A named copy is configure-host: the container's directory is where
   * admins keep host-side files (hook scripts, fstab...), which the copy
   * would replace keeping their mode, and any number of names would fill
   * the host's disk. "" rewrites the container's own file. */
  if (cfg->file != NULL)
    cfg->action = LXCD_ACTION_CONFIGURE_HOST;
  if (cfg->file == NULL)
    cfg->file = g_build_filename (lxcd_container_get_lxcpath (LXCD_CONTAINER (iface)),
                                 lxcd_container_get_name (LXCD_CONTAINER (iface)), "config", NULL);
  return cfg_start (op);
}

static gboolean
handle_get_cgroup_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *key)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_CGROUP_GET, LXCD_ACTION_READ_CONFIG, &cfg);
  g_autoptr(GError) error = NULL;

  if (!check_cgroup_key (key, &error) || !require_running (LXCD_CONTAINER (iface), &error))
    return cfg_refuse (op, error);
  cfg->key = g_strdup (key);
  return cfg_start (op);
}

static gboolean
handle_set_cgroup_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                        const char *key, const char *value)
{
  g_autofree char *v1 = g_strconcat ("lxc.cgroup.", key, NULL);
  g_autofree char *v2 = g_strconcat ("lxc.cgroup2.", key, NULL);
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_CGROUP_SET, LXCD_ACTION_CONFIGURE_HOST, &cfg);
  g_autoptr(GError) error = NULL;

  if (!check_cgroup_key (key, &error) || !lxcd_config_value_is_valid (value, &error) ||
      !require_running (LXCD_CONTAINER (iface), &error))
    return cfg_refuse (op, error);
  /* the same classes and bounds as the lxc.cgroup2.* / lxc.cgroup.* keys */
  cfg_choose_action (cfg, lxcd_config_key_is_ordinary (v2) ? v2 : v1, value);
  cfg->key = g_strdup (key);
  cfg->value = g_strdup (value);
  return cfg_start (op);
}

static gboolean
handle_get_interfaces (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_INTERFACES, LXCD_ACTION_READ_CONFIG, &cfg);
  g_autoptr(GError) error = NULL;

  if (!require_running (LXCD_CONTAINER (iface), &error))
    return cfg_refuse (op, error);
  return cfg_start (op);
}

static gboolean
handle_get_ips (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                const char *interface, const char *family, guint scope)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, CFG_IPS, LXCD_ACTION_READ_CONFIG, &cfg);
  g_autoptr(GError) error = NULL;

  if (*interface && !lxcd_validate_ifname (interface, &error))
    return cfg_refuse (op, error);
  if (*family && !g_str_equal (family, "inet") && !g_str_equal (family, "inet6"))
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Unknown family '%s' (inet, inet6 or empty for both)", family);
      return cfg_refuse (op, error);
    }
  if (!require_running (LXCD_CONTAINER (iface), &error))
    return cfg_refuse (op, error);
  cfg->key = g_strdup (interface);
  cfg->family = g_strdup (family);
  cfg->scope = scope;
  return cfg_start (op);
}

/* The source of a device node: an existing character or block device node
 * (not a link to one), never an arbitrary path. */
static gboolean
check_device_node (const char *src, GError **error)
{
  struct stat st;

  if (!lxcd_validate_container_path ("Device", src, error))
    return FALSE;
  if (lstat (src, &st) < 0 || !(S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a device node", src);
      return FALSE;
    }
  return TRUE;
}

static gboolean
handle_device_node (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, CfgKind kind,
                    const char *src, const char *dest)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, kind, LXCD_ACTION_CONFIGURE_HOST, &cfg);
  g_autoptr(GError) error = NULL;

  if (!check_device_node (src, &error) ||
      (*dest && !lxcd_validate_container_path ("Destination", dest, &error)) ||
      !require_running (LXCD_CONTAINER (iface), &error))
    return cfg_refuse (op, error);
  cfg->key = g_strdup (src);
  cfg->value = g_strdup (dest);
  return cfg_start (op);
}

static gboolean
handle_add_device_node (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                        const char *src, const char *dest)
{
  return handle_device_node (iface, invocation, CFG_DEVICE_ADD, src, dest);
}

static gboolean
handle_remove_device_node (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                           const char *src, const char *dest)
{
  return handle_device_node (iface, invocation, CFG_DEVICE_REMOVE, src, dest);
}

static gboolean
handle_netdev (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, CfgKind kind,
               const char *dev, const char *dst_dev)
{
  Cfg *cfg;
  LxcdOperation *op = cfg_new (iface, invocation, kind, LXCD_ACTION_CONFIGURE_HOST, &cfg);
  g_autoptr(GError) error = NULL;

  if (!lxcd_validate_ifname (dev, &error) || (*dst_dev && !lxcd_validate_ifname (dst_dev, &error)) ||
      !require_running (LXCD_CONTAINER (iface), &error))
    return cfg_refuse (op, error);
  cfg->key = g_strdup (dev);
  cfg->value = g_strdup (dst_dev);
  return cfg_start (op);
}

static gboolean
handle_attach_interface (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                         const char *dev, const char *dst_dev)
{
  return handle_netdev (iface, invocation, CFG_NET_ATTACH, dev, dst_dev);
}

static gboolean
handle_detach_interface (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                         const char *dev, const char *dst_dev)
{
  return handle_netdev (iface, invocation, CFG_NET_DETACH, dev, dst_dev);
}

/**
 * lxcd_container_config_iface_init:
 *
 * Installs the handlers of this file into the Container interface.
 */
void
lxcd_container_config_iface_init (LxcdDBusContainerIface *iface)
{
  iface->handle_get_config_item = handle_get_config_item;
  iface->handle_get_running_config_item = handle_get_running_config_item;
  iface->handle_get_keys = handle_get_keys;
  iface->handle_set_config_item = handle_set_config_item;
  iface->handle_clear_config_item = handle_clear_config_item;
  iface->handle_clear_config = handle_clear_config;
  iface->handle_load_config = handle_load_config;
  iface->handle_save_config = handle_save_config;
  iface->handle_get_cgroup_item = handle_get_cgroup_item;
  iface->handle_set_cgroup_item = handle_set_cgroup_item;
  iface->handle_get_interfaces = handle_get_interfaces;
  iface->handle_get_ips = handle_get_ips;
  iface->handle_add_device_node = handle_add_device_node;
  iface->handle_remove_device_node = handle_remove_device_node;
  iface->handle_attach_interface = handle_attach_interface;
  iface->handle_detach_interface = handle_detach_interface;
}
