/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liblxc-dbus: LxcDBusClient, the entry point of the client library */
#pragma once

#if !defined(LXC_DBUS_INSIDE) && !defined(LXC_DBUS_COMPILATION)
#error "Only <lxc-dbus/lxc-dbus.h> can be included directly."
#endif

#include <gio/gio.h>
#include <lxc-dbus/lxcdbus-generated.h>

G_BEGIN_DECLS

/**
 * LXC_DBUS_BUS_NAME:
 *
 * The service's well-known name on the system bus.
 */
#define LXC_DBUS_BUS_NAME "org.linuxcontainers.LXC1"

/**
 * LXC_DBUS_OBJECT_MANAGER_PATH:
 *
 * The path of the service's object manager.
 */
#define LXC_DBUS_OBJECT_MANAGER_PATH "/org/linuxcontainers/LXC1"

/**
 * LXC_DBUS_MANAGER_PATH:
 *
 * The path of the Manager object.
 */
#define LXC_DBUS_MANAGER_PATH "/org/linuxcontainers/LXC1/Manager"

#define LXC_DBUS_TYPE_CLIENT (lxc_dbus_client_get_type ())
G_DECLARE_FINAL_TYPE (LxcDBusClient, lxc_dbus_client, LXC_DBUS, CLIENT, GObject)

void lxc_dbus_client_new (GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data);
LxcDBusClient *lxc_dbus_client_new_finish (GAsyncResult *result,
                                           GError **error);
LxcDBusClient *lxc_dbus_client_new_sync (GCancellable *cancellable,
                                         GError **error);
LxcDBusClient *lxc_dbus_client_new_for_connection_sync (GDBusConnection *connection,
                                                        GCancellable *cancellable,
                                                        GError **error);

GDBusConnection *lxc_dbus_client_get_connection (LxcDBusClient *self);
GDBusObjectManager *lxc_dbus_client_get_object_manager (LxcDBusClient *self);
LxcDBusManager *lxc_dbus_client_get_manager (LxcDBusClient *self);
GList *lxc_dbus_client_get_containers (LxcDBusClient *self);
LxcDBusContainer *lxc_dbus_client_lookup_container (LxcDBusClient *self,
                                                    const gchar *name);
LxcDBusContainer *lxc_dbus_client_lookup_container_by_path (LxcDBusClient *self,
                                                            const gchar *object_path);
GList *lxc_dbus_client_get_jobs (LxcDBusClient *self);

void lxc_dbus_client_create_container (LxcDBusClient *self,
                                       const gchar *name,
                                       const gchar *template_name,
                                       GVariant *options,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
LxcDBusContainer *lxc_dbus_client_create_container_finish (LxcDBusClient *self,
                                                           GAsyncResult *result,
                                                           GError **error);
LxcDBusContainer *lxc_dbus_client_create_container_sync (LxcDBusClient *self,
                                                         const gchar *name,
                                                         const gchar *template_name,
                                                         GVariant *options,
                                                         GCancellable *cancellable,
                                                         GError **error);

void lxc_dbus_client_run_command (LxcDBusClient *self,
                                  LxcDBusContainer *container,
                                  const gchar *const *argv,
                                  gint stdin_fd,
                                  gint stdout_fd,
                                  gint stderr_fd,
                                  GVariant *options,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean lxc_dbus_client_run_command_finish (LxcDBusClient *self,
                                             GAsyncResult *result,
                                             gint *out_wait_status,
                                             GError **error);
gboolean lxc_dbus_client_run_command_sync (LxcDBusClient *self,
                                           LxcDBusContainer *container,
                                           const gchar *const *argv,
                                           gint stdin_fd,
                                           gint stdout_fd,
                                           gint stderr_fd,
                                           GVariant *options,
                                           gint *out_wait_status,
                                           GCancellable *cancellable,
                                           GError **error);

G_END_DECLS
