/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Example of liblxc-dbus-1: list the containers with their state.
 *
 *   cc list-containers.c $(pkg-config --cflags --libs lxc-dbus-1) */
#include <lxc-dbus/lxc-dbus.h>

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LxcDBusClient) client = lxc_dbus_client_new_sync (NULL, &error);
  GList *containers;

  if (client == NULL)
    {
      g_printerr ("cannot reach the service: %s\n", error->message);
      return 1;
    }
  containers = lxc_dbus_client_get_containers (client);
  for (GList *l = containers; l != NULL; l = l->next)
    {
      LxcDBusContainer *c = l->data;

      g_print ("%-20s %-10s %d\n", lxc_dbus_container_get_name (c),
               lxc_dbus_container_get_state (c), lxc_dbus_container_get_init_pid (c));
    }
  g_list_free_full (containers, g_object_unref);
  return 0;
}
