/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the wire format between the service and `lxc-dbus-helper serve`
 *
 * The service spawns one `lxc-dbus-helper serve` (single-threaded, liblxc
 * loaded, never calling it) with a SOCK_SEQPACKET socket as its fd 3, and
 * asks it to fork one helper process per operation instead of exec'ing a
 * new helper each time (mapping liblxc and its libraries cost ~17 ms of an
 * exec on this kind of machine; a fork of the small server costs well under
 * one). The forked child runs exactly what `lxc-dbus-helper OP ARGS...`
 * would, with the descriptors the request carries; nothing of the
 * multithreaded service reaches it.
 *
 * Request (service -> server): one LxcdForkRequest, with SCM_RIGHTS
 * descriptors: the argument memfd (argv, each NUL-terminated, starting with
 * the helper's path), stdin, stdout, stderr and, if n_fds is 5, a fourth
 * descriptor that becomes the child's fd 3.
 *
 * Replies (server -> service): LxcdForkReply, STARTED with the child's pid
 * once it is forked, then EXITED with its wait status once it is reaped; or
 * FAILED with an errno value if the request could not be run.
 *
 * Header-only: included by the service and by the helper (plain C, no GLib).
 */
#pragma once

#include <stdint.h>
#include <sys/socket.h>

#define LXCD_FORK_VERSION 1u
#define LXCD_FORK_MAX_FDS 5

typedef struct {
  uint32_t version;
  uint32_t n_fds;      /* 4 or 5 */
  uint64_t id;         /* chosen by the service, echoed in the replies */
} LxcdForkRequest;

enum {
  LXCD_FORK_STARTED = 1,  /* value: pid */
  LXCD_FORK_EXITED = 2,   /* value: wait status */
  LXCD_FORK_FAILED = 3,   /* value: errno */
};

typedef struct {
  uint64_t id;
  int32_t kind;
  int32_t value;
} LxcdForkReply;

/* The ancillary data of a request: room for every descriptor, aligned. */
typedef union {
  struct cmsghdr align;
  char buf[CMSG_SPACE (sizeof (int) * LXCD_FORK_MAX_FDS)];
} LxcdForkControl;
