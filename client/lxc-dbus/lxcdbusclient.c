/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liblxc-dbus: LxcDBusClient, one connection to the service: its object
 * manager with typed container and job objects, notification when they
 * come and go, and calls that return when their operation's Job ends.
 *
 * Everything here runs in the thread-default main context the client was
 * made in (the object manager delivers its signals there). */
#include <gio/gunixfdlist.h>
#include <lxc-dbus/lxc-dbus.h>

#define CONTAINER_IFACE "org.linuxcontainers.LXC1.Container"
#define MANAGER_IFACE "org.linuxcontainers.LXC1.Manager"

/**
 * LxcDBusClient:
 *
 * The entry point of the library: the service's object manager on the
 * system bus (or on a connection of your choice), typed
 * [iface@LxcDBus.Container], [iface@LxcDBus.Manager] and
 * [iface@LxcDBus.Job] proxies, the signals
 * [signal@LxcDBus.Client::container-added] and
 * [signal@LxcDBus.Client::container-removed], and convenience calls for
 * the long operations.
 *
 * The proxies' properties are kept current by the service's
 * `PropertiesChanged` signals: connect to `notify::state` of a container
 * instead of polling. The service answers a method that runs as a Job
 * (CreateContainer, Clone, Destroy, ...) only once the Job has completed,
 * so the `_sync` and `_finish` functions of those calls return when the
 * operation is over and fail with the operation's error. The generated
 * calls use GDBus's default timeout of 25 seconds; the convenience calls
 * of this object use none.
 *
 * Errors of the service are in the %LXC_DBUS_ERROR domain
 * ([error@LxcDBus.Error]); g_dbus_error_get_remote_error() gives their
 * D-Bus names.
 */
struct _LxcDBusClient
{
  GObject parent_instance;

  GDBusConnection *connection;
  GDBusObjectManager *object_manager;
};

enum
{
  PROP_0,
  PROP_CONNECTION,
  PROP_OBJECT_MANAGER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_CONTAINER_ADDED,
  SIGNAL_CONTAINER_REMOVED,
  SIGNAL_JOB_ADDED,
  SIGNAL_JOB_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void lxc_dbus_client_initable_iface_init (GInitableIface *iface);
static void lxc_dbus_client_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LxcDBusClient, lxc_dbus_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      lxc_dbus_client_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      lxc_dbus_client_async_initable_iface_init))

static void
lxc_dbus_client_finalize (GObject *object)
{
  LxcDBusClient *self = LXC_DBUS_CLIENT (object);

  if (self->object_manager != NULL)
    g_signal_handlers_disconnect_by_data (self->object_manager, self);
  g_clear_object (&self->object_manager);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (lxc_dbus_client_parent_class)->finalize (object);
}

static void
lxc_dbus_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LxcDBusClient *self = LXC_DBUS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_OBJECT_MANAGER:
      g_value_set_object (value, self->object_manager);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lxc_dbus_client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LxcDBusClient *self = LXC_DBUS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_set_object (&self->connection, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lxc_dbus_client_class_init (LxcDBusClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lxc_dbus_client_finalize;
  object_class->get_property = lxc_dbus_client_get_property;
  object_class->set_property = lxc_dbus_client_set_property;

  /* Replies of calls made through any proxy of this library map to
   * LXC_DBUS_ERROR from now on. */
  (void) lxc_dbus_error_quark ();

  /**
   * LxcDBusClient:connection:
   *
   * The bus connection; %NULL at construction means the system bus
   * (`DBUS_SYSTEM_BUS_ADDRESS` is honoured, as GIO does).
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * LxcDBusClient:object-manager:
   *
   * The service's object manager (an #LxcDBusObjectManagerClient).
   */
  properties[PROP_OBJECT_MANAGER] =
    g_param_spec_object ("object-manager", NULL, NULL, G_TYPE_DBUS_OBJECT_MANAGER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LxcDBusClient::container-added:
   * @self: the client
   * @container: the container that appeared
   *
   * A container appeared on the bus (created, cloned, renamed, found in
   * an lxcpath, or the service started).
   */
  signals[SIGNAL_CONTAINER_ADDED] =
    g_signal_new ("container-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LXC_DBUS_TYPE_CONTAINER);

  /**
   * LxcDBusClient::container-removed:
   * @self: the client
   * @container: the container that went away
   *
   * A container left the bus (destroyed, renamed, or the service stopped).
   */
  signals[SIGNAL_CONTAINER_REMOVED] =
    g_signal_new ("container-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LXC_DBUS_TYPE_CONTAINER);

  /**
   * LxcDBusClient::job-added:
   * @self: the client
   * @job: the new job
   *
   * A long operation started; its Completed signal follows when it ends.
   */
  signals[SIGNAL_JOB_ADDED] =
    g_signal_new ("job-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LXC_DBUS_TYPE_JOB);

  /**
   * LxcDBusClient::job-removed:
   * @self: the client
   * @job: the job that ended
   *
   * A job left the bus, after its Completed signal.
   */
  signals[SIGNAL_JOB_REMOVED] =
    g_signal_new ("job-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LXC_DBUS_TYPE_JOB);
}

static void
lxc_dbus_client_init (LxcDBusClient *self)
{
}

/* Object manager signals → the client's. Main context of the client. */
static void
emit_for_interface (LxcDBusClient *self, GDBusInterface *iface, gboolean added)
{
  if (LXC_DBUS_IS_CONTAINER (iface))
    g_signal_emit (self, signals[added ? SIGNAL_CONTAINER_ADDED : SIGNAL_CONTAINER_REMOVED], 0,
                   iface);
  else if (LXC_DBUS_IS_JOB (iface))
    g_signal_emit (self, signals[added ? SIGNAL_JOB_ADDED : SIGNAL_JOB_REMOVED], 0, iface);
}

static void
emit_for_object (LxcDBusClient *self, GDBusObject *object, gboolean added)
{
  GList *ifaces = g_dbus_object_get_interfaces (object);

  for (GList *l = ifaces; l != NULL; l = l->next)
    emit_for_interface (self, l->data, added);
  g_list_free_full (ifaces, g_object_unref);
}

static void
on_object_added (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  emit_for_object (user_data, object, TRUE);
}

static void
on_object_removed (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  emit_for_object (user_data, object, FALSE);
}

static void
on_interface_added (GDBusObjectManager *manager, GDBusObject *object, GDBusInterface *iface,
                    gpointer user_data)
{
  emit_for_interface (user_data, iface, TRUE);
}

static void
on_interface_removed (GDBusObjectManager *manager, GDBusObject *object, GDBusInterface *iface,
                      gpointer user_data)
{
  emit_for_interface (user_data, iface, FALSE);
}

static void
take_object_manager (LxcDBusClient *self, GDBusObjectManager *manager)
{
  self->object_manager = manager;
  g_signal_connect (manager, "object-added", G_CALLBACK (on_object_added), self);
  g_signal_connect (manager, "object-removed", G_CALLBACK (on_object_removed), self);
  g_signal_connect (manager, "interface-added", G_CALLBACK (on_interface_added), self);
  g_signal_connect (manager, "interface-removed", G_CALLBACK (on_interface_removed), self);
}

static gboolean
lxc_dbus_client_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  LxcDBusClient *self = LXC_DBUS_CLIENT (initable);
  GDBusObjectManager *manager;

  if (self->object_manager != NULL)
    return TRUE;
  if (self->connection == NULL)
    {
      self->connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, cancellable, error);
      if (self->connection == NULL)
        return FALSE;
    }
  manager = lxc_dbus_object_manager_client_new_sync (self->connection,
                                                     G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                     LXC_DBUS_BUS_NAME,
                                                     LXC_DBUS_OBJECT_MANAGER_PATH,
                                                     cancellable, error);
  if (manager == NULL)
    return FALSE;
  take_object_manager (self, manager);
  return TRUE;
}

static void
lxc_dbus_client_initable_iface_init (GInitableIface *iface)
{
  iface->init = lxc_dbus_client_initable_init;
}

static void
init_manager_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LxcDBusClient *self = g_task_get_source_object (task);
  GError *error = NULL;
  GDBusObjectManager *manager = lxc_dbus_object_manager_client_new_finish (result, &error);

  if (manager == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  take_object_manager (self, manager);
  g_task_return_boolean (task, TRUE);
}

static void
init_start_manager (GTask *task)
{
  LxcDBusClient *self = g_task_get_source_object (task);

  lxc_dbus_object_manager_client_new (self->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                      LXC_DBUS_BUS_NAME, LXC_DBUS_OBJECT_MANAGER_PATH,
                                      g_task_get_cancellable (task), init_manager_cb, task);
}

static void
init_bus_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  LxcDBusClient *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->connection = g_bus_get_finish (result, &error);
  if (self->connection == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  init_start_manager (task);
}

static void
lxc_dbus_client_init_async (GAsyncInitable *initable, int io_priority, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  LxcDBusClient *self = LXC_DBUS_CLIENT (initable);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lxc_dbus_client_init_async);
  if (self->object_manager != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  else if (self->connection == NULL)
    g_bus_get (G_BUS_TYPE_SYSTEM, cancellable, init_bus_cb, task);
  else
    init_start_manager (task);
}

static gboolean
lxc_dbus_client_init_finish (GAsyncInitable *initable, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lxc_dbus_client_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = lxc_dbus_client_init_async;
  iface->init_finish = lxc_dbus_client_init_finish;
}

/**
 * lxc_dbus_client_new:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the client is ready
 * @user_data: data for @callback
 *
 * Connects to the system bus and loads the service's objects, without
 * blocking. Call lxc_dbus_client_new_finish() from @callback. The service
 * is started by bus activation if it is not running.
 */
void
lxc_dbus_client_new (GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_async_initable_new_async (LXC_DBUS_TYPE_CLIENT, G_PRIORITY_DEFAULT, cancellable, callback,
                              user_data, NULL);
}

/**
 * lxc_dbus_client_new_finish:
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes lxc_dbus_client_new().
 *
 * Returns: (transfer full) (nullable): the client, or %NULL with @error set
 */
LxcDBusClient *
lxc_dbus_client_new_finish (GAsyncResult *result, GError **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);
  GObject *object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);

  return object != NULL ? LXC_DBUS_CLIENT (object) : NULL;
}

/**
 * lxc_dbus_client_new_sync:
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Connects to the system bus (`DBUS_SYSTEM_BUS_ADDRESS` if set) and loads
 * the service's objects, blocking the calling thread.
 *
 * Returns: (transfer full) (nullable): the client, or %NULL with @error set
 */
LxcDBusClient *
lxc_dbus_client_new_sync (GCancellable *cancellable, GError **error)
{
  return g_initable_new (LXC_DBUS_TYPE_CLIENT, cancellable, error, NULL);
}

/**
 * lxc_dbus_client_new_for_connection_sync:
 * @connection: a bus connection on which the service is
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * As lxc_dbus_client_new_sync(), on @connection (a private or test bus).
 *
 * Returns: (transfer full) (nullable): the client, or %NULL with @error set
 */
LxcDBusClient *
lxc_dbus_client_new_for_connection_sync (GDBusConnection *connection, GCancellable *cancellable,
                                         GError **error)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  return g_initable_new (LXC_DBUS_TYPE_CLIENT, cancellable, error, "connection", connection, NULL);
}

/**
 * lxc_dbus_client_get_connection:
 * @self: a client
 *
 * Returns: (transfer none): the client's bus connection
 */
GDBusConnection *
lxc_dbus_client_get_connection (LxcDBusClient *self)
{
  g_return_val_if_fail (LXC_DBUS_IS_CLIENT (self), NULL);
  return self->connection;
}

/**
 * lxc_dbus_client_get_object_manager:
 * @self: a client
 *
 * The service's object manager: its objects are #LxcDBusObject proxies
 * with a typed interface each (lxc_dbus_object_peek_container(), ...).
 *
 * Returns: (transfer none): the object manager
 */
GDBusObjectManager *
lxc_dbus_client_get_object_manager (LxcDBusClient *self)
{
  g_return_val_if_fail (LXC_DBUS_IS_CLIENT (self), NULL);
  return self->object_manager;
}

/**
 * lxc_dbus_client_get_manager:
 * @self: a client
 *
 * The service's Manager object: ListContainers, CreateContainer, its
 * Version and Features.
 *
 * Returns: (transfer full) (nullable): the Manager, or %NULL while the
 *   service is not on the bus
 */
LxcDBusManager *
lxc_dbus_client_get_manager (LxcDBusClient *self)
{
  GDBusInterface *iface;

  g_return_val_if_fail (LXC_DBUS_IS_CLIENT (self), NULL);
  iface = g_dbus_object_manager_get_interface (self->object_manager, LXC_DBUS_MANAGER_PATH,
                                               MANAGER_IFACE);
  return iface != NULL ? LXC_DBUS_MANAGER (iface) : NULL;
}

static gint
compare_container_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (lxc_dbus_container_get_name ((LxcDBusContainer *) a),
                    lxc_dbus_container_get_name ((LxcDBusContainer *) b));
}

/**
 * lxc_dbus_client_get_containers:
 * @self: a client
 *
 * The containers the service serves, as it announced them (no call to
 * the service).
 *
 * Returns: (transfer full) (element-type LxcDBusContainer): the
 *   containers sorted by name; free with
 *   `g_list_free_full (list, g_object_unref)`
 */
GList *
lxc_dbus_client_get_containers (LxcDBusClient *self)
{
  GList *objects, *containers = NULL;

  g_return_val_if_fail (LXC_DBUS_IS_CLIENT (self), NULL);
  objects = g_dbus_object_manager_get_objects (self->object_manager);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      LxcDBusContainer *container = lxc_dbus_object_peek_container (LXC_DBUS_OBJECT (l->data));

      if (container != NULL)
        containers = g_list_prepend (containers, g_object_ref (container));
    }
  g_list_free_full (objects, g_object_unref);
  return g_list_sort (containers, compare_container_names);
}

/**
 * lxc_dbus_client_lookup_container:
 * @self: a client
 * @name: a container's name
 *
 * Finds a container by its name among those the service announced.
 *
 * Returns: (transfer full) (nullable): the container, or %NULL if there
 *   is none of that name
 */
LxcDBusContainer *
lxc_dbus_client_lookup_container (LxcDBusClient *self, const gchar *name)
{
  GList *objects;
  LxcDBusContainer *found = NULL;

  g_return_val_if_fail (LXC_DBUS_IS_CLIENT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  objects = g_dbus_object_manager_get_objects (self->object_manager);
  for (GList *l = objects; l != NULL && found == NULL; l = l->next)
    {
      LxcDBusContainer *container = lxc_dbus_object_peek_container (LXC_DBUS_OBJECT (l->data));

      if (container != NULL && g_strcmp0 (lxc_dbus_container_get_name (container), name) == 0)
        found = g_object_ref (container);
    }
  g_list_free_full (objects, g_object_unref);
  return found;
}

/**
 * lxc_dbus_client_lookup_container_by_path:
 * @self: a client
 * @object_path: a container's object path (as methods return them)
 *
 * Returns: (transfer full) (nullable): the container at @object_path, or
 *   %NULL if the client does not know one there (yet)
 */
LxcDBusContainer *
lxc_dbus_client_lookup_container_by_path (LxcDBusClient *self, const gchar *object_path)
{
  GDBusInterface *iface;

  g_return_val_if_fail (LXC_DBUS_IS_CLIENT (self), NULL);
  g_return_val_if_fail (object_path != NULL, NULL);
  iface = g_dbus_object_manager_get_interface (self->object_manager, object_path,
                                               CONTAINER_IFACE);
  return iface != NULL ? LXC_DBUS_CONTAINER (iface) : NULL;
}

/**
 * lxc_dbus_client_get_jobs:
 * @self: a client
 *
 * The long operations in progress (creations, clones, destructions,
 * snapshots, commands run): each has a Progress, the Objects it works on
 * and a Completed signal.
 *
 * Returns: (transfer full) (element-type LxcDBusJob): the jobs; free with
 *   `g_list_free_full (list, g_object_unref)`
 */
GList *
lxc_dbus_client_get_jobs (LxcDBusClient *self)
{
  GList *objects, *jobs = NULL;

  g_return_val_if_fail (LXC_DBUS_IS_CLIENT (self), NULL);
  objects = g_dbus_object_manager_get_objects (self->object_manager);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      LxcDBusJob *job = lxc_dbus_object_peek_job (LXC_DBUS_OBJECT (l->data));

      if (job != NULL)
        jobs = g_list_prepend (jobs, g_object_ref (job));
    }
  g_list_free_full (objects, g_object_unref);
  return g_list_reverse (jobs);
}

static GVariant *
options_or_empty (GVariant *options)
{
  if (options == NULL)
    return g_variant_new ("a{sv}", NULL);
  return options;
}

/* CreateContainer. The service replies once the create's Job has
 * completed (Completed, then InterfacesRemoved, then the reply), with the
 * new container already announced: the reply is the Job's end, and its
 * error is the Job's, with its D-Bus name. */

static void
create_proxy_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  LxcDBusContainer *container = lxc_dbus_container_proxy_new_finish (result, &error);

  if (container == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, container, g_object_unref);
}

static void
create_call_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LxcDBusClient *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);
  const gchar *path;
  LxcDBusContainer *container;

  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_variant_get (reply, "(&o)", &path);
  container = lxc_dbus_client_lookup_container_by_path (self, path);
  if (container != NULL)
    {
      g_task_return_pointer (task, container, g_object_unref);
      return;
    }
  /* The object manager lives in another main context, or the service
   * went away meanwhile: a proxy of its own for the new object. */
  lxc_dbus_container_proxy_new (self->connection, G_DBUS_PROXY_FLAGS_NONE, LXC_DBUS_BUS_NAME, path,
                                g_task_get_cancellable (task), create_proxy_cb,
                                g_steal_pointer (&task));
}

/**
 * lxc_dbus_client_create_container:
 * @self: a client
 * @name: the new container's name
 * @template_name: an installed template (one of the Manager's Templates)
 * @options: (nullable): CreateContainer's options (`a{sv}`: `lxcpath`,
 *   `bdev_type`, `config`, `template_args`, `auth.no_user_interaction`,
 *   ...), or %NULL for none
 * @cancellable: (nullable): a #GCancellable (cancels waiting, not the
 *   operation: cancel the Job for that)
 * @callback: called when the container exists or the creation failed
 * @user_data: data for @callback
 *
 * Creates a container (Manager.CreateContainer) and waits for its Job to
 * complete, without a timeout: templates may download for minutes. Call
 * lxc_dbus_client_create_container_finish() from @callback.
 */
void
lxc_dbus_client_create_container (LxcDBusClient *self, const gchar *name,
                                  const gchar *template_name, GVariant *options,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task;

  g_return_if_fail (LXC_DBUS_IS_CLIENT (self));
  g_return_if_fail (name != NULL && template_name != NULL);
  g_return_if_fail (options == NULL || g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lxc_dbus_client_create_container);
  g_dbus_connection_call (self->connection, LXC_DBUS_BUS_NAME, LXC_DBUS_MANAGER_PATH,
                          MANAGER_IFACE, "CreateContainer",
                          g_variant_new ("(ss@a{sv})", name, template_name,
                                         options_or_empty (options)),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, G_MAXINT, cancellable,
                          create_call_cb, task);
}

/**
 * lxc_dbus_client_create_container_finish:
 * @self: a client
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes lxc_dbus_client_create_container().
 *
 * Returns: (transfer full) (nullable): the new container (the object
 *   manager's proxy), or %NULL with @error set: in %LXC_DBUS_ERROR for
 *   the service's errors (#LXC_DBUS_ERROR_ALREADY_EXISTS,
 *   #LXC_DBUS_ERROR_CANCELLED when the Job was cancelled, ...)
 */
LxcDBusContainer *
lxc_dbus_client_create_container_finish (LxcDBusClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * lxc_dbus_client_create_container_sync:
 * @self: a client
 * @name: the new container's name
 * @template_name: an installed template
 * @options: (nullable): CreateContainer's options (`a{sv}`), or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * As lxc_dbus_client_create_container(), blocking the calling thread
 * until the Job has completed. The object manager only learns of the new
 * container when its main context runs again, so the container returned
 * is a proxy of its own (equivalent, but not the one
 * lxc_dbus_client_lookup_container() will give) unless the client already
 * knew it.
 *
 * Returns: (transfer full) (nullable): the new container, or %NULL with
 *   @error set
 */
LxcDBusContainer *
lxc_dbus_client_create_container_sync (LxcDBusClient *self, const gchar *name,
                                       const gchar *template_name, GVariant *options,
                                       GCancellable *cancellable, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  const gchar *path;
  LxcDBusContainer *container;

  g_return_val_if_fail (LXC_DBUS_IS_CLIENT (self), NULL);
  g_return_val_if_fail (name != NULL && template_name != NULL, NULL);
  g_return_val_if_fail (options == NULL || g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT),
                        NULL);

  reply = g_dbus_connection_call_sync (self->connection, LXC_DBUS_BUS_NAME, LXC_DBUS_MANAGER_PATH,
                                       MANAGER_IFACE, "CreateContainer",
                                       g_variant_new ("(ss@a{sv})", name, template_name,
                                                      options_or_empty (options)),
                                       G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, G_MAXINT,
                                       cancellable, error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(&o)", &path);
  container = lxc_dbus_client_lookup_container_by_path (self, path);
  if (container != NULL)
    return container;
  return lxc_dbus_container_proxy_new_sync (self->connection, G_DBUS_PROXY_FLAGS_NONE,
                                            LXC_DBUS_BUS_NAME, path, cancellable, error);
}

/* RunCommand with plain descriptors. */

static GVariant *
run_command_args (const gchar *const *argv, GVariant *options)
{
  return g_variant_new ("(^ashhh@a{sv})", argv, 0, 1, 2, options_or_empty (options));
}

static GUnixFDList *
run_command_fds (gint stdin_fd, gint stdout_fd, gint stderr_fd, GError **error)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();

  if (g_unix_fd_list_append (fds, stdin_fd, error) < 0
      || g_unix_fd_list_append (fds, stdout_fd, error) < 0
      || g_unix_fd_list_append (fds, stderr_fd, error) < 0)
    return NULL;
  return g_steal_pointer (&fds);
}

static void
run_command_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GVariant) reply =
    g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), NULL, result,
                                                     &error);
  gint status;

  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_variant_get (reply, "(i)", &status);
  g_task_return_int (task, status);
}

/**
 * lxc_dbus_client_run_command:
 * @self: a client
 * @container: the (running) container
 * @argv: (array zero-terminated=1): the program and its arguments
 * @stdin_fd: the program's standard input (duplicated; yours stays open)
 * @stdout_fd: its standard output (duplicated)
 * @stderr_fd: its standard error (duplicated)
 * @options: (nullable): RunCommand's options (`a{sv}`: `uid`, `gid`,
 *   `cwd`, `env`, `namespaces`, ...), or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the program has exited
 * @user_data: data for @callback
 *
 * Runs a program in @container (Container.RunCommand) with the given
 * descriptors and waits, without a timeout, until it exits. Call
 * lxc_dbus_client_run_command_finish() from @callback.
 */
void
lxc_dbus_client_run_command (LxcDBusClient *self, LxcDBusContainer *container,
                             const gchar *const *argv, gint stdin_fd, gint stdout_fd,
                             gint stderr_fd, GVariant *options, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  GError *error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;

  g_return_if_fail (LXC_DBUS_IS_CLIENT (self));
  g_return_if_fail (G_IS_DBUS_PROXY (container));
  g_return_if_fail (argv != NULL);
  g_return_if_fail (options == NULL || g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lxc_dbus_client_run_command);
  fds = run_command_fds (stdin_fd, stdout_fd, stderr_fd, &error);
  if (fds == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_dbus_connection_call_with_unix_fd_list (self->connection, LXC_DBUS_BUS_NAME,
                                            g_dbus_proxy_get_object_path (G_DBUS_PROXY (container)),
                                            CONTAINER_IFACE, "RunCommand",
                                            run_command_args (argv, options),
                                            G_VARIANT_TYPE ("(i)"), G_DBUS_CALL_FLAGS_NONE,
                                            G_MAXINT, fds, cancellable, run_command_cb, task);
}

/**
 * lxc_dbus_client_run_command_finish:
 * @self: a client
 * @result: the #GAsyncResult given to the callback
 * @out_wait_status: (out) (optional): the program's wait status (as
 *   waitpid() gives it: g_spawn_check_wait_status() reads it)
 * @error: return location for an error
 *
 * Finishes lxc_dbus_client_run_command().
 *
 * Returns: (skip): %TRUE if the program ran (whatever its status), else %FALSE
 *   with @error set
 */
gboolean
lxc_dbus_client_run_command_finish (LxcDBusClient *self, GAsyncResult *result,
                                    gint *out_wait_status, GError **error)
{
  gssize status;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (g_task_had_error (G_TASK (result)))
    {
      g_task_propagate_int (G_TASK (result), error);
      return FALSE;
    }
  status = g_task_propagate_int (G_TASK (result), NULL);
  if (out_wait_status != NULL)
    *out_wait_status = (gint) status;
  return TRUE;
}

/**
 * lxc_dbus_client_run_command_sync:
 * @self: a client
 * @container: the (running) container
 * @argv: (array zero-terminated=1): the program and its arguments
 * @stdin_fd: the program's standard input (duplicated; yours stays open)
 * @stdout_fd: its standard output (duplicated)
 * @stderr_fd: its standard error (duplicated)
 * @options: (nullable): RunCommand's options (`a{sv}`), or %NULL
 * @out_wait_status: (out) (optional): the program's wait status
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * As lxc_dbus_client_run_command(), blocking the calling thread until the
 * program has exited.
 *
 * Returns: (skip): %TRUE if the program ran (whatever its status), else %FALSE
 *   with @error set
 */
gboolean
lxc_dbus_client_run_command_sync (LxcDBusClient *self, LxcDBusContainer *container,
                                  const gchar *const *argv, gint stdin_fd, gint stdout_fd,
                                  gint stderr_fd, GVariant *options, gint *out_wait_status,
                                  GCancellable *cancellable, GError **error)
{
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (LXC_DBUS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_PROXY (container), FALSE);
  g_return_val_if_fail (argv != NULL, FALSE);
  g_return_val_if_fail (options == NULL || g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT),
                        FALSE);

  fds = run_command_fds (stdin_fd, stdout_fd, stderr_fd, error);
  if (fds == NULL)
    return FALSE;
  reply = g_dbus_connection_call_with_unix_fd_list_sync (
    self->connection, LXC_DBUS_BUS_NAME, g_dbus_proxy_get_object_path (G_DBUS_PROXY (container)),
    CONTAINER_IFACE, "RunCommand", run_command_args (argv, options), G_VARIANT_TYPE ("(i)"),
    G_DBUS_CALL_FLAGS_NONE, G_MAXINT, fds, NULL, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (out_wait_status != NULL)
    g_variant_get (reply, "(i)", out_wait_status);
  return TRUE;
}
