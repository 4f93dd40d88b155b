/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: what the service and lxc-dbus-helper agree on
 *
 * The one place for the helper's side of the contract: its exit statuses,
 * the report a "run" child writes to its fd 3, and the wire format of the
 * fork server. Header-only: included by the service (lxcd-spawn.h,
 * lxcd-spawn.c) and by the helper (plain C, no GLib).
 *
 * The fork server: the service spawns one `lxc-dbus-helper serve`
 * (single-threaded, liblxc loaded, never calling it) with a SOCK_SEQPACKET
 * socket as its fd 3, and asks it to fork one helper process per operation
 * instead of exec'ing a new helper each time (mapping liblxc and its
 * libraries cost ~17 ms of an exec on this kind of machine; a fork of the
 * small server costs well under one). The forked child runs exactly what
 * `lxc-dbus-helper OP ARGS...` would, with the descriptors the request
 * carries; nothing of the multithreaded service reaches it.
 *
 * Request (service -> server): one LxcdForkRequest, with SCM_RIGHTS
 * descriptors: the argument memfd (argv, each NUL-terminated, starting with
 * the helper's path, at most LXCD_FORK_MAX_ARGS_SIZE bytes), stdin, stdout,
 * stderr and, if n_fds is 5, a fourth descriptor that becomes the child's
 * fd 3.
 *
 * Replies (server -> service): LxcdForkReply, STARTED with the child's pid
 * once it is forked, then EXITED with its wait status once it is reaped; or
 * FAILED with an errno value if the request could not be run.
 */
#pragma once

#include <stdint.h>
#include <sys/socket.h>

/* Exit statuses of lxc-dbus-helper (and of its forked children); on any
 * but DONE, stderr says why, with liblxc's errors. */
enum {
  LXCD_HELPER_DONE = 0,
  LXCD_HELPER_FAILED = 1,
  LXCD_HELPER_USAGE = 2,
  LXCD_HELPER_WRONG_STATE = 3,
  LXCD_HELPER_NOT_FOUND = 4,
  LXCD_HELPER_EXISTS = 5,
  LXCD_HELPER_NOT_AUTHORIZED = 6, /* clone hooks without --allow-clone-hooks */
  LXCD_HELPER_NOT_SUPPORTED = 7,  /* liblxc cannot do it for this container */
};

/* `lxc-dbus-helper run` reports on its fd 3, one line each (stderr is the
 * program's): "pid N" once the program runs, then "status N" with its wait
 * status; or instead "error CODE TEXT", CODE an exit status above. */
#define LXCD_RUN_REPORT_PID    "pid "
#define LXCD_RUN_REPORT_STATUS "status "
#define LXCD_RUN_REPORT_ERROR  "error "

#define LXCD_FORK_VERSION 1u
#define LXCD_FORK_MAX_FDS 5

/* Largest argument memfd the server accepts, in bytes: more than any
 * argument vector the service passes on (its callers' arrays arrive in bus
 * messages, at most 32 MiB with dbus-daemon's default limits). */
#define LXCD_FORK_MAX_ARGS_SIZE (64 << 20)

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

/* `lxc-dbus-helper copy-to` and `copy-from` (lxcd-helper-files.c) report
 * on their fd 3, one line: "done SIZE" (copy-to) or "done MODE UID GID
 * SIZE" (copy-from: the file's permission bits and ids inside the
 * container, the bytes copied), or "error CODE TEXT" as run does. */
#define LXCD_FILES_REPORT_DONE "done "

/* `lxc-dbus-helper start` in the foreground (no 'd' in FLAGS) is the
 * container's liblxc monitor and lives until the container stops. Its
 * stdout is then a memfd of at least sizeof (LxcdStartReport) bytes,
 * zeroed, where it reports the init's wait status: once liblxc's start()
 * has returned true, it writes wait_status (liblxc's error_num: what
 * waitpid() said of the init), then magic. It maps the memfd and puts
 * /dev/null on its stdout before calling start(): the container inherits
 * nothing of it, and liblxc closing every inherited descriptor
 * (close_all_fds) does not cut the report. The service reads the memfd
 * once the helper has been reaped; anything but the magic means unknown. */
#define LXCD_START_REPORT_MAGIC 0x6c786378u /* "xcxl" */

typedef struct {
  uint32_t magic;
  int32_t wait_status;
} LxcdStartReport;
