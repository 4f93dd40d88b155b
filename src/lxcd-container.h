/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: one container object (org.linuxcontainers.LXC1.Container) */
#pragma once

#include "lxcd-dbus-generated.h"
#include "lxcd-lxc.h"
#include "lxcd-types.h"
#include "lxcd-util.h"

G_BEGIN_DECLS

#define LXCD_TYPE_CONTAINER (lxcd_container_get_type ())
G_DECLARE_FINAL_TYPE (LxcdContainer, lxcd_container, LXCD, CONTAINER, LxcdDBusContainerSkeleton)

LxcdContainer *lxcd_container_new (LxcdDaemon *daemon, const char *lxcpath, const char *name);

const char *lxcd_container_get_privileged_detail (LxcdContainer *self);
guint32     lxcd_container_get_idmap_uid_base (LxcdContainer *self);
const char *lxcd_container_get_name (LxcdContainer *self);
const char *lxcd_container_get_lxcpath (LxcdContainer *self);
const char *lxcd_container_get_object_path (LxcdContainer *self);
LxcdDBusObjectSkeleton *lxcd_container_get_object (LxcdContainer *self);
LxcdState   lxcd_container_get_state (LxcdContainer *self);
guint64     lxcd_container_get_event_seq (LxcdContainer *self);

void lxcd_container_state_event (LxcdContainer *self, LxcdState state);
void lxcd_container_apply_info (LxcdContainer *self, const LxcdInfo *info, gboolean with_state);
void lxcd_container_vanished (LxcdContainer *self);

LxcdDaemon *lxcd_container_get_daemon (LxcdContainer *self);
gboolean    lxcd_container_take_slot (LxcdContainer *self, LxcdOperation *owner, GError **error);
void        lxcd_container_release_slot (LxcdContainer *self);
LxcdOperation *lxcd_container_get_slot_owner (LxcdContainer *self);
gboolean    lxcd_container_check_attachable (LxcdContainer *self, GError **error);

/* lxcd-container-storage.c: Clone, Rename and the snapshot methods */
void lxcd_container_storage_iface_init (LxcdDBusContainerIface *iface);
/* lxcd-container-config.c: configuration, cgroup and network methods */
void lxcd_container_config_iface_init (LxcdDBusContainerIface *iface);
/* lxcd-container-exec.c: RunCommand, Attach */
void lxcd_container_exec_iface_init (LxcdDBusContainerIface *iface);
/* lxcd-container-files.c: CopyTo, CopyFrom */
void lxcd_container_files_iface_init (LxcdDBusContainerIface *iface);
/* lxcd-container-info.c: GetPermissions, GetOSRelease, GetConsoleLog */
void lxcd_container_info_iface_init (LxcdDBusContainerIface *iface);
/* lxcd-container-mount.c: Mount, Unmount */
void lxcd_container_mount_iface_init (LxcdDBusContainerIface *iface);

G_END_DECLS
