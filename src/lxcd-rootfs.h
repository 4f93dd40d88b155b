/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: writing into (and reading from) a container's root file
 * system as host root without following anything the container controls
 * out of it.
 *
 * Plain C (no GLib): linked into lxc-dbus-helper, the daemon (reads) and
 * the unit tests. Every function blocks (file system calls) and keeps no
 * state: safe in any thread.
 */
#pragma once

#include <stddef.h>

typedef enum {
  LXCD_ROOTFS_WRITTEN = 0, /* the host name is in the file */
  LXCD_ROOTFS_SKIPPED,     /* left alone on purpose: the reason says why */
  LXCD_ROOTFS_FAILED,      /* an I/O error while writing: the reason says which */
} LxcdRootfsResult;

const char      *lxcd_rootfs_backend           (const char *rootfs_path);
LxcdRootfsResult lxcd_rootfs_write_hostname_at (int rootfs_dirfd, const char *name,
                                                char *why, size_t why_size);
LxcdRootfsResult lxcd_rootfs_write_hostname_overlay (const char *lower, const char *upper,
                                                     const char *name,
                                                     char *why, size_t why_size);
LxcdRootfsResult lxcd_rootfs_write_hostname    (const char *rootfs_path, const char *name,
                                                char *why, size_t why_size);
int              lxcd_rootfs_config_key        (const char *config_path, const char *key,
                                                char *value, size_t size);
int              lxcd_rootfs_read_at           (int rootfs_dirfd, const char *path, char *buf,
                                                size_t size, size_t *out_len);
int              lxcd_rootfs_read_os_release   (const char *rootfs_path, char *buf, size_t size,
                                                size_t *out_len);
