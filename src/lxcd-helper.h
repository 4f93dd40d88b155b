/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus-helper: the parts of the helper program (plain C, no GLib)
 *
 *   lxc-dbus-helper.c      main(), the table of operations, and what every
 *                          operation's process does first
 *   lxcd-helper-server.c   `serve`, the fork server
 *   lxcd-helper-ops.c      what the operations share; start, create,
 *                          freeze, interfaces, ips, devices
 *   lxcd-helper-storage.c  clone, rename, snapshot, restore
 *   lxcd-helper-run.c      run (a program inside a container)
 *   lxcd-helper-files.c    copy-to, copy-from (a file into or out of one)
 *   lxcd-helper-mount.c    mount, umount (a host path into a running one)
 */
#pragma once

#include <lxc/lxccontainer.h>
#include <stdbool.h>

#include "lxcd-helper-proto.h"

/* Buffer sizes, in bytes. */
/* A path read from a config file or built from one (the kernel's PATH_MAX). */
#define LXCD_HELPER_PATH_MAX 4096
/* A path built from an lxcpath and a container's name plus a suffix. */
#define LXCD_HELPER_PATH_BUF (LXCD_HELPER_PATH_MAX + 104)
/* One message or line of liblxc's log. */
#define LXCD_HELPER_TEXT_MAX 1024
/* One read of standard input. */
#define LXCD_HELPER_IO_CHUNK 4096
/* Descriptors closed one by one when close_range() fails and the limit is
 * unknown. */
#define LXCD_HELPER_FALLBACK_OPEN_MAX 1024

/* What the program runs for a command line: lxc-dbus-helper OP ARGS...
 * (@argv[0] the program) or, from the fork server, a request's arguments.
 * Returns an exit status (LXCD_HELPER_*). */
typedef int (*LxcdHelperMainFunc) (int argc, char **argv);

/* One operation: @argv[0] is its name, then LXCPATH, NAME and the rest
 * (as many as its row in lxc-dbus-helper.c allows), @argv[@argc] NULL.
 * Returns an exit status (LXCD_HELPER_*). */
typedef int (*LxcdHelperOpFunc) (int argc, char **argv);

/* --allow-clone-hooks was given (the caller is root): set by main. */
extern bool lxcd_helper_allow_clone_hooks;

/* lxcd-helper-ops.c */
void lxcd_helper_report (struct lxc_container *c, const char *what, const char *name);
struct lxc_container *lxcd_helper_open_defined (const char *lxcpath, const char *name, int *rc);
struct lxc_container *lxcd_helper_open_running (const char *lxcpath, const char *name, int *rc);
unsigned long long lxcd_helper_parse_size (const char *text, bool *ok);

int lxcd_helper_op_start (int argc, char **argv);
int lxcd_helper_op_create (int argc, char **argv);
int lxcd_helper_op_freeze (int argc, char **argv); /* and unfreeze */
int lxcd_helper_op_interfaces (int argc, char **argv);
int lxcd_helper_op_ips (int argc, char **argv);
int lxcd_helper_op_device (int argc, char **argv); /* device-*, netdev-* */

/* lxcd-helper-storage.c */
int lxcd_helper_op_clone (int argc, char **argv);
int lxcd_helper_op_rename (int argc, char **argv);
int lxcd_helper_op_snapshot (int argc, char **argv);
int lxcd_helper_op_restore (int argc, char **argv);

/* lxcd-helper-files.c */
int lxcd_helper_op_copy_to (int argc, char **argv);
int lxcd_helper_op_copy_from (int argc, char **argv);

/* lxcd-helper-mount.c */
int lxcd_helper_op_mount (int argc, char **argv);
int lxcd_helper_op_umount (int argc, char **argv);

/* lxcd-helper-run.c */
int lxcd_helper_op_run (int argc, char **argv);

/* lxcd-helper-server.c */
void lxcd_helper_close_inherited_fds (int first);
int lxcd_helper_serve (LxcdHelperMainFunc main_func);
