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
#include "lxcd-spawn.h"

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

typedef struct {
  LxcdContainer *self;
  GDBusMethodInvocation *invocation;
  CfgKind kind;
  char *key;
  char *value;
  char *file;        /* full path for LOAD and SAVE, or NULL */
  char *family;      /* GetIPs */
  guint scope;
  const char *action;
  gboolean needs_exec; /* configure granted: ask for exec too */
  gboolean ordinary_only; /* authorized by configure alone (not root, not configure-host) */
  GError *bound_error; /* the value is outside configure's bounds (needs configure-host) */
  gboolean holds_slot;
  char *result;      /* a string reply */
  char **list;       /* an as reply */
  gboolean replied;  /* by the worker thread (reads, most changes) */
  GMainContext *context; /* the main thread's (worker thread, changes) */
} CfgOp;

static void
cfg_free (CfgOp *op)
{
  if (op->holds_slot)
    lxcd_container_release_slot (op->self);
  g_object_unref (op->self);
  g_clear_object (&op->invocation);
  g_free (op->key);
  g_free (op->value);
  g_free (op->file);
  g_free (op->family);
  g_free (op->result);
  g_strfreev (op->list);
  g_clear_error (&op->bound_error);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CfgOp, cfg_free)

/* main thread: asks polkit for @op->action on @op's container and key */
static void
cfg_ask (CfgOp *op, GAsyncReadyCallback callback)
{
  LxcdAuthRequest request = {
    .action_id = op->action,
    .container = lxcd_container_get_name (op->self),
    .lxcpath = lxcd_container_get_lxcpath (op->self),
    .key = op->key && *op->key ? op->key : NULL,
    .value = op->value,
  };

  lxcd_auth_check_async (op->invocation, &request, NULL, callback, op);
}

static void cfg_authorized (GObject *source, GAsyncResult *res, gpointer user_data);

static gboolean
cfg_changes (CfgKind kind)
{
  return kind == CFG_SET || kind == CFG_CLEAR_ITEM || kind == CFG_CLEAR || kind == CFG_LOAD ||
         kind == CFG_SAVE || kind == CFG_CGROUP_SET || kind >= CFG_DEVICE_ADD;
}

/* main thread: the one reply; frees @op */
static void
cfg_reply (CfgOp *op, const GError *error)
{
  if (error)
    {
      g_autoptr(GError) mapped = lxcd_error_from_gerror (error);
      g_dbus_method_invocation_return_gerror (g_steal_pointer (&op->invocation), mapped);
    }
  else if (op->list)
    g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation),
                                           g_variant_new ("(^as)", op->list));
  else if (op->result && !cfg_changes (op->kind))
    g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation),
                                           g_variant_new ("(s)", op->result));
  else
    g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation), NULL);
  cfg_free (op);
}

/* main thread: properties derived from the file (Autostart, ...) are
 * published before the reply */
static void
cfg_synced (GObject *source, GAsyncResult *res, gpointer user_data)
{
  lxcd_daemon_sync_container_finish (LXCD_DAEMON (source), res, NULL);
  cfg_reply (user_data, NULL);
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

/* Whether @op replies from the worker as soon as its file is in place
 * (cfg_saved()): a change of a key no published property comes from. */
static gboolean
replies_when_saved (const CfgOp *op)
{
  return (op->kind == CFG_SET || op->kind == CFG_CLEAR_ITEM) && !key_is_published (op->key);
}

/* main thread, before cfg_thread_done(): see cfg_saved() */
static gboolean
cfg_release_slot (gpointer user_data)
{
  CfgOp *op = user_data;

  if (op->holds_slot)
    {
      lxcd_container_release_slot (op->self);
      op->holds_slot = FALSE;
    }
  return G_SOURCE_REMOVE;
}

/* worker thread: SetConfigItem and ClearConfigItem of a key no published
 * property comes from: the new config file is in place (renamed) and only
 * the directory's fsync is left (lxcd_lxc_change_config()). Reply now,
 * from here, and let the worker sync the directory after the reply.
 *
 * The container's slot is released first, on the main thread, by a source
 * of high priority attached before the reply leaves: the caller's next
 * call, which GDBus dispatches at default priority and can only arrive
 * after this reply, never finds the slot still taken (Busy). The source
 * also runs before cfg_thread_done() (default priority, attached later),
 * which frees @op. */
static void
cfg_saved (gpointer user_data)
{
  CfgOp *op = user_data;
  GSource *source;

  if (!replies_when_saved (op))
    return;
  /* A source, never g_main_context_invoke(), which would run it right here
   * when it can acquire the context (no main loop running). */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, cfg_release_slot, op, NULL);
  g_source_set_name (source, "[lxc-dbus] config slot release");
  g_source_attach (source, op->context);
  g_source_unref (source);
  g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation), NULL);
  op->replied = TRUE;
}

/* worker thread */
static void
cfg_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  CfgOp *op = task_data;
  const char *lxcpath = lxcd_container_get_lxcpath (op->self);
  const char *name = lxcd_container_get_name (op->self);
  GError *error = NULL;
  gboolean ok = TRUE;

  op->context = g_task_get_context (task);
  switch (op->kind)
    {
    case CFG_GET:
    case CFG_GET_RUNNING:
      op->result = lxcd_lxc_get_config_item (lxcpath, name, op->key, op->kind == CFG_GET_RUNNING,
                                             &error);
      ok = op->result != NULL;
      break;
    case CFG_GET_KEYS:
      op->list = lxcd_lxc_get_keys (lxcpath, name, op->key, &error);
      ok = op->list != NULL;
      break;
    case CFG_SET:
      ok = lxcd_lxc_change_config (lxcpath, name,
                                   op->ordinary_only ? LXCD_CONFIG_SET_ORDINARY : LXCD_CONFIG_SET,
                                   op->key, op->value, cfg_saved,
                                   op, &error);
      break;
    case CFG_CLEAR_ITEM:
      ok = lxcd_lxc_change_config (lxcpath, name, LXCD_CONFIG_CLEAR_ITEM, op->key, NULL, cfg_saved,
                                   op, &error);
      break;
    case CFG_CLEAR:
      ok = lxcd_lxc_change_config (lxcpath, name, LXCD_CONFIG_CLEAR_ALL, NULL, NULL, NULL, NULL,
                                   &error);
      break;
    case CFG_LOAD:
      /* "" names the container's own file, which the service reads afresh
       * for every call: there is nothing to load. */
      ok = op->file == NULL ||
           lxcd_lxc_change_config (lxcpath, name, LXCD_CONFIG_LOAD, NULL, op->file, NULL, NULL,
                                   &error);
      break;
    case CFG_SAVE:
      ok = lxcd_lxc_change_config (lxcpath, name, LXCD_CONFIG_SAVE_AS, NULL, op->file, NULL, NULL,
                                   &error);
      break;
    case CFG_CGROUP_GET:
    case CFG_CGROUP_SET:
      op->result = lxcd_lxc_cgroup_item (lxcpath, name, op->key,
                                         op->kind == CFG_CGROUP_SET ? op->value : NULL, &error);
      ok = op->result != NULL;
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok && !cfg_changes (op->kind))
    {
      /* A read changes nothing the main thread keeps: reply from here
       * (GDBusConnection is thread-safe) instead of after one more hop
       * through the main loop, which frees @op. */
      if (op->list)
        g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation),
                                               g_variant_new ("(^as)", op->list));
      else
        g_dbus_method_invocation_return_value (g_steal_pointer (&op->invocation),
                                               g_variant_new ("(s)", op->result ? op->result : ""));
      op->replied = TRUE;
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* main thread */
static void
cfg_thread_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CfgOp *op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);

  if (op->replied)
    {
      cfg_free (op);
      return;
    }
  if (!ok && op->kind == CFG_SET && op->ordinary_only && g_error_matches (error, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED))
    {
      /* LXCD_CONFIG_SET_ORDINARY refused a value configure alone does not
       * cover (lxc.uts.name of a container in the host's UTS namespace):
       * the caller may still hold configure-host. Ask, with the slot free
       * meanwhile; a denial replies with the reason above. */
      cfg_release_slot (op);
      op->ordinary_only = FALSE;
      op->action = LXCD_ACTION_CONFIGURE_HOST;
      g_clear_error (&op->bound_error);
      op->bound_error = g_steal_pointer (&error);
      cfg_ask (op, cfg_authorized);
      return;
    }
  if (!ok)
    {
      cfg_reply (op, error);
      return;
    }
  /* (a successful change that replies_when_saved() has replied above:
   * lxcd_lxc_change_config() succeeds only once the file is in place) */
  if (cfg_changes (op->kind) && op->kind != CFG_CGROUP_SET)
    {
      lxcd_daemon_sync_container (lxcd_container_get_daemon (op->self),
                                  lxcd_container_get_lxcpath (op->self),
                                  lxcd_container_get_name (op->self), NULL, cfg_synced, op);
      return;
    }
  cfg_reply (op, NULL);
}

/* main thread */
static void
cfg_helper_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CfgOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = lxcd_spawn_helper_finish (res, &error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = NULL;

  if (out == NULL)
    {
      cfg_reply (op, error);
      return;
    }
  if (op->kind >= CFG_DEVICE_ADD)
    {
      cfg_reply (op, NULL);
      return;
    }
  lines = g_strsplit (out, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      if (**l)
        g_ptr_array_add (list, g_strdup (*l));
    }
  g_ptr_array_add (list, NULL);
  op->list = (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
  cfg_reply (op, NULL);
}

/* main thread: authorized */
static void
cfg_run (CfgOp *op)
{
  LxcdContainer *self = op->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  if (cfg_changes (op->kind))
    {
      if (!lxcd_container_take_slot (self, &error))
        {
          cfg_reply (op, error);
          return;
        }
      op->holds_slot = TRUE;
    }

  if (op->kind == CFG_INTERFACES || op->kind == CFG_IPS)
    {
      g_autofree char *scope = g_strdup_printf ("%u", op->scope);
      const char *args[] = {
        op->kind == CFG_INTERFACES ? "interfaces" : "ips",
        lxcd_container_get_lxcpath (self),
        lxcd_container_get_name (self),
        op->kind == CFG_IPS ? (*op->key ? op->key : "-") : NULL,
        op->family && *op->family ? op->family : "-",
        scope,
        NULL,
      };
      lxcd_spawn_helper_async (lxcd_daemon_get_helper_path (lxcd_container_get_daemon (self)),
                               args, NULL, NULL, cfg_helper_done, op);
      return;
    }

  if (op->kind >= CFG_DEVICE_ADD)
    {
      static const char *const ops[] = { "device-add", "device-remove", "netdev-attach",
                                         "netdev-detach" };
      const char *args[] = {
        ops[op->kind - CFG_DEVICE_ADD],
        lxcd_container_get_lxcpath (self),
        lxcd_container_get_name (self),
        op->key,
        *op->value ? op->value : "-",
        NULL,
      };
      lxcd_spawn_helper_async (lxcd_daemon_get_helper_path (lxcd_container_get_daemon (self)),
                               args, NULL, NULL, cfg_helper_done, op);
      return;
    }

  task = g_task_new (NULL, NULL, cfg_thread_done, op);
  g_task_set_task_data (task, op, NULL);
  lxcd_run_in_worker (task, cfg_thread);
}

/* main thread */
static void
cfg_authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CfgOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!lxcd_auth_check_finish (res, NULL, &error))
    {
      /* configure-host was asked only because the value is outside what
       * configure allows: say so rather than a bare NotAuthorized */
      if (op->bound_error && g_error_matches (error, LXCD_ERROR, LXCD_ERROR_NOT_AUTHORIZED))
        cfg_reply (op, op->bound_error);
      else
        cfg_reply (op, error);
      return;
    }
  if (op->needs_exec)
    {
      /* configure granted; this key chooses the program the container
       * runs, which is the power of exec */
      op->needs_exec = FALSE;
      op->action = LXCD_ACTION_EXEC;
      cfg_ask (op, cfg_authorized);
      return;
    }
  cfg_run (op);
}

/* main thread: validated; ask polkit */
static gboolean
cfg_authorize (CfgOp *op)
{
  if (lxcd_auth_caller_is_root (op->invocation))
    cfg_run (op);
  else
    {
      op->ordinary_only = g_str_equal (op->action, LXCD_ACTION_CONFIGURE);
      cfg_ask (op, cfg_authorized);
    }
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static CfgOp *
cfg_new (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, CfgKind kind,
         const char *action)
{
  CfgOp *op = g_new0 (CfgOp, 1);

  op->self = g_object_ref (LXCD_CONTAINER (iface));
  op->invocation = invocation; /* the handler's reference: the reply consumes it */
  op->kind = kind;
  op->action = action;
  return op;
}

/* main thread: the action a change of @key to @value (NULL: a clear)
 * needs, for a caller who is not root; see the top of this file */
static void
cfg_choose_action (CfgOp *op, const char *key, const char *value)
{
  if (!lxcd_config_key_is_ordinary (key))
    {
      op->action = LXCD_ACTION_CONFIGURE_HOST;
      return;
    }
  op->action = LXCD_ACTION_CONFIGURE;
  if (value && !lxcd_config_ordinary_value_is_valid (key, value, &op->bound_error))
    op->action = LXCD_ACTION_CONFIGURE_HOST;
  else
    op->needs_exec = lxcd_config_key_needs_exec (key);
}

/* main thread: replies with @error, frees @op */
static gboolean
cfg_refuse (CfgOp *op, const GError *error)
{
  cfg_reply (op, error);
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
require_running (CfgOp *op, GError **error)
{
  if (lxcd_container_get_state (op->self) == LXCD_STATE_STOPPED)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_WRONG_STATE, "Container '%s' is not running",
                   lxcd_container_get_name (op->self));
      return FALSE;
    }
  return TRUE;
}

/* ---- handlers (main thread) ---------------------------------------------- */

static gboolean
handle_get_config_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *key)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_GET, LXCD_ACTION_READ_CONFIG);
  g_autoptr(GError) error = NULL;

  if (!check_key (key, &error))
    return cfg_refuse (op, error);
  op->key = g_strdup (key);
  return cfg_authorize (op);
}

static gboolean
handle_get_running_config_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                                const char *key)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_GET_RUNNING, LXCD_ACTION_READ_CONFIG);
  g_autoptr(GError) error = NULL;

  if (!check_key (key, &error) || !require_running (op, &error))
    return cfg_refuse (op, error);
  op->key = g_strdup (key);
  return cfg_authorize (op);
}

static gboolean
handle_get_keys (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *prefix)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_GET_KEYS, LXCD_ACTION_READ_CONFIG);
  g_autoptr(GError) error = NULL;

  if (*prefix && !check_key (prefix, &error))
    return cfg_refuse (op, error);
  op->key = g_strdup (prefix);
  return cfg_authorize (op);
}

static gboolean
handle_set_config_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                        const char *key, const char *value)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_SET, LXCD_ACTION_CONFIGURE_HOST);
  g_autoptr(GError) error = NULL;

  if (!check_key (key, &error) || !lxcd_config_value_is_valid (value, &error))
    return cfg_refuse (op, error);
  cfg_choose_action (op, key, value);
  op->key = g_strdup (key);
  op->value = g_strdup (value);
  return cfg_authorize (op);
}

static gboolean
handle_clear_config_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                          const char *key)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_CLEAR_ITEM, LXCD_ACTION_CONFIGURE_HOST);
  g_autoptr(GError) error = NULL;

  if (!check_key (key, &error))
    return cfg_refuse (op, error);
  /* clearing lxc.init.cmd chooses the program too (the default init) */
  cfg_choose_action (op, key, NULL);
  op->key = g_strdup (key);
  return cfg_authorize (op);
}

static gboolean
handle_clear_config (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  return cfg_authorize (cfg_new (iface, invocation, CFG_CLEAR, LXCD_ACTION_CONFIGURE_HOST));
}

static gboolean
handle_load_config (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *file)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_LOAD, LXCD_ACTION_CONFIGURE_HOST);
  g_autoptr(GError) error = NULL;

  if (!check_config_file (op->self, file, TRUE, &op->file, &error))
    return cfg_refuse (op, error);
  if (op->file == NULL)
    op->action = LXCD_ACTION_READ_CONFIG; /* changes nothing, see cfg_thread() */
  return cfg_authorize (op);
}

static gboolean
handle_save_config (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *file)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_SAVE, LXCD_ACTION_CONFIGURE);
  g_autoptr(GError) error = NULL;

  if (!check_config_file (op->self, file, FALSE, &op->file, &error))
    return cfg_refuse (op, error);
  /* A named copy is configure-host: the container's directory is where
   * admins keep host-side files (hook scripts, fstab...), which the copy
   * would replace keeping their mode, and any number of names would fill
   * the host's disk. "" rewrites the container's own file. */
  if (op->file != NULL)
    op->action = LXCD_ACTION_CONFIGURE_HOST;
  if (op->file == NULL)
    op->file = g_build_filename (lxcd_container_get_lxcpath (op->self),
                                 lxcd_container_get_name (op->self), "config", NULL);
  return cfg_authorize (op);
}

static gboolean
handle_get_cgroup_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, const char *key)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_CGROUP_GET, LXCD_ACTION_READ_CONFIG);
  g_autoptr(GError) error = NULL;

  if (!check_cgroup_key (key, &error) || !require_running (op, &error))
    return cfg_refuse (op, error);
  op->key = g_strdup (key);
  return cfg_authorize (op);
}

static gboolean
handle_set_cgroup_item (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                        const char *key, const char *value)
{
  g_autofree char *v1 = g_strconcat ("lxc.cgroup.", key, NULL);
  g_autofree char *v2 = g_strconcat ("lxc.cgroup2.", key, NULL);
  CfgOp *op = cfg_new (iface, invocation, CFG_CGROUP_SET, LXCD_ACTION_CONFIGURE_HOST);
  g_autoptr(GError) error = NULL;

  if (!check_cgroup_key (key, &error) || !lxcd_config_value_is_valid (value, &error) ||
      !require_running (op, &error))
    return cfg_refuse (op, error);
  /* the same classes and bounds as the lxc.cgroup2.* / lxc.cgroup.* keys */
  cfg_choose_action (op, lxcd_config_key_is_ordinary (v2) ? v2 : v1, value);
  op->key = g_strdup (key);
  op->value = g_strdup (value);
  return cfg_authorize (op);
}

static gboolean
handle_get_interfaces (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_INTERFACES, LXCD_ACTION_READ_CONFIG);
  g_autoptr(GError) error = NULL;

  if (!require_running (op, &error))
    return cfg_refuse (op, error);
  return cfg_authorize (op);
}

static gboolean
handle_get_ips (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation,
                const char *interface, const char *family, guint scope)
{
  CfgOp *op = cfg_new (iface, invocation, CFG_IPS, LXCD_ACTION_READ_CONFIG);
  g_autoptr(GError) error = NULL;

  if (strlen (interface) > 15 || strpbrk (interface, "/ \t\n") != NULL ||
      g_str_equal (interface, "-"))
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "'%s' is not an interface name", interface);
      return cfg_refuse (op, error);
    }
  if (*family && !g_str_equal (family, "inet") && !g_str_equal (family, "inet6"))
    {
      g_set_error (&error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Unknown family '%s' (inet, inet6 or empty for both)", family);
      return cfg_refuse (op, error);
    }
  if (!require_running (op, &error))
    return cfg_refuse (op, error);
  op->key = g_strdup (interface);
  op->family = g_strdup (family);
  op->scope = scope;
  return cfg_authorize (op);
}

/* A path inside the container: absolute, no "..", no control characters. */
static gboolean
check_container_path (const char *what, const char *p, GError **error)
{
  g_auto(GStrv) parts = NULL;

  if (!g_path_is_absolute (p) || strlen (p) > 4096)
    goto bad;
  for (const char *c = p; *c; c++)
    {
      if ((unsigned char) *c < 0x20 || *c == 0x7f)
        goto bad;
    }
  parts = g_strsplit (p, "/", -1);
  for (char **part = parts; *part; part++)
    {
      if (g_str_equal (*part, ".."))
        goto bad;
    }
  return TRUE;

bad:
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
               "%s '%s' must be an absolute path without '..'", what, p);
  return FALSE;
}

/* The source of a device node: an existing character or block device node
 * (not a link to one), never an arbitrary path. */
static gboolean
check_device_node (const char *src, GError **error)
{
  struct stat st;

  if (!check_container_path ("Device", src, error))
    return FALSE;
  if (lstat (src, &st) < 0 || !(S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a device node", src);
      return FALSE;
    }
  return TRUE;
}

/* A network interface name (IFNAMSIZ - 1 bytes, no '/' or spaces). */
static gboolean
check_ifname (const char *name, gboolean may_be_empty, GError **error)
{
  if ((*name == '\0' && may_be_empty) ||
      (*name != '\0' && strlen (name) <= 15 && strpbrk (name, "/ \t\n:") == NULL &&
       !g_str_equal (name, ".") && !g_str_equal (name, "..") && !g_str_equal (name, "-")))
    return TRUE;
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
               "'%s' is not a network interface name", name);
  return FALSE;
}

static gboolean
handle_device_node (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, CfgKind kind,
                    const char *src, const char *dest)
{
  CfgOp *op = cfg_new (iface, invocation, kind, LXCD_ACTION_CONFIGURE_HOST);
  g_autoptr(GError) error = NULL;

  if (!check_device_node (src, &error) ||
      (*dest && !check_container_path ("Destination", dest, &error)) ||
      !require_running (op, &error))
    return cfg_refuse (op, error);
  op->key = g_strdup (src);
  op->value = g_strdup (dest);
  return cfg_authorize (op);
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
  CfgOp *op = cfg_new (iface, invocation, kind, LXCD_ACTION_CONFIGURE_HOST);
  g_autoptr(GError) error = NULL;

  if (!check_ifname (dev, FALSE, &error) || !check_ifname (dst_dev, TRUE, &error) ||
      !require_running (op, &error))
    return cfg_refuse (op, error);
  op->key = g_strdup (dev);
  op->value = g_strdup (dst_dev);
  return cfg_authorize (op);
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
