/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus-helper: runs one liblxc operation that forks a long-lived
 * process or runs host programs for long (templates, copies), on behalf of
 * the lxc-dbus service.
 *
 * The service is multithreaded; liblxc's start() forks the container's
 * monitor process, create() runs a template, clone() copies a root file
 * system. None of that may inherit the service's memory, locks or
 * descriptors, and a cancelled operation must be killable as a whole. So
 * only this small single-threaded program calls those liblxc functions,
 * one operation per process (the pattern LXD uses for forkstart), in a
 * process group of its own.
 *
 * The service runs one `lxc-dbus-helper serve` (lxcd-helper-server.c; fd 3:
 * its socket, wire format in lxcd-helper-proto.h), which never calls liblxc
 * and forks a child per request; the child runs the operation as if this
 * program had been exec'd with its arguments. That saves an exec of a
 * binary linked with liblxc (its libraries' mapping) per operation.
 *
 * Usage (internal interface between the service and its helper):
 *   lxc-dbus-helper serve
 *   lxc-dbus-helper OPERATION [--allow-clone-hooks] LXCPATH NAME [ARG...]
 * with one row per OPERATION in operations[] below: its arguments, the
 * function that runs it, and what its process needs. This file sets the
 * process up (process group, descriptors, liblxc's log, priority) and
 * dispatches through the table; lxcd-helper.h lists where the operations
 * are.
 *
 * Exit status: LXCD_HELPER_* in lxcd-helper-proto.h (0 done; 1 failed;
 * 2 usage; 3 wrong state; 4 not found; 5 already exists; 6 not authorized,
 * clone hooks). On failure stderr says why, with liblxc's errors.
 */
#include "config.h"

#include <errno.h>
#include <lxc/lxccontainer.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lxcd-helper.h"

/* In sanitizer builds: this one-shot process exits right after one liblxc
 * call, and some of liblxc's calls (rename, clone) leave allocations
 * behind inside liblxc. Those are liblxc's, reclaimed at exit; LeakSanitizer
 * stays fully on for our own code and for the daemon. */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:liblxc.so.1\n";
}

/* <linux/ioprio.h> is not in every libc's headers: the two values used. */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_BE_LOWEST ((2 << 13) | 7) /* IOPRIO_CLASS_BE, level 7 */

typedef enum {
  /* accepts --allow-clone-hooks right after its name (lxcd-helper-storage.c) */
  OP_CLONE_HOOKS = 1 << 0,
  /* bulk work (templates, copies): lower CPU and I/O priority, and a
   * subreaper, so that orphans of what it runs stay where a cancel finds
   * them */
  OP_BULK = 1 << 1,
  /* fd 3 is its report channel (kept open); stderr belongs to the program
   * it runs, so liblxc's log is not copied there */
  OP_REPORT_FD = 1 << 2,
} OpFlags;

typedef struct {
  const char *name;
  int min_args; /* what follows the name: LXCPATH, NAME, ... */
  int max_args; /* -1: no limit */
  LxcdHelperOpFunc func;
  OpFlags flags;
  const char *usage; /* the arguments after the name */
} Operation;

static const Operation operations[] = {
  /* FLAGS: any of 'd' (daemonize), 'c' (close all fds), 'i' (use
   * lxc-init), or '-' for none. ARGs replace the container's init. */
  { "start", 3, -1, lxcd_helper_op_start, 0, "LXCPATH NAME FLAGS [ARG...]" },
  /* OPTIONs: --bdev-type=T --fstype=S --fssize=BYTES --zfs-root=S
   * --lvm-vg=S --lvm-lv=S --lvm-thinpool=S --dir=PATH --quiet
   * --config=KEY=VALUE */
  { "create", 3, -1, lxcd_helper_op_create, OP_BULK,
    "LXCPATH NAME TEMPLATE [OPTION...] [-- TEMPLATE-ARG...]" },
  /* FLAGS, NEWSIZE: decimal; BDEVTYPE, BDEVDATA: "-" for none */
  { "clone", 8, -1, lxcd_helper_op_clone, OP_CLONE_HOOKS | OP_BULK,
    "[--allow-clone-hooks] LXCPATH NAME NEWLXCPATH NEWNAME FLAGS BDEVTYPE BDEVDATA NEWSIZE "
    "[HOOK-ARG...]" },
  { "rename", 3, 3, lxcd_helper_op_rename, OP_CLONE_HOOKS | OP_BULK,
    "[--allow-clone-hooks] LXCPATH NAME NEWNAME" },
  { "snapshot", 2, 2, lxcd_helper_op_snapshot, OP_CLONE_HOOKS | OP_BULK,
    "[--allow-clone-hooks] LXCPATH NAME   (comment on stdin; prints the snapshot's name)" },
  { "restore", 4, 4, lxcd_helper_op_restore, OP_CLONE_HOOKS | OP_BULK,
    "[--allow-clone-hooks] LXCPATH NAME SNAPSHOT NEWNAME" },
  { "interfaces", 2, 2, lxcd_helper_op_interfaces, 0, "LXCPATH NAME   (prints one per line)" },
  { "ips", 5, 5, lxcd_helper_op_ips, 0,
    "LXCPATH NAME INTERFACE FAMILY SCOPE   (\"-\" for any; prints one per line)" },
  { "device-add", 4, 4, lxcd_helper_op_device, 0, "LXCPATH NAME SRC DEST   (\"-\": as SRC)" },
  { "device-remove", 4, 4, lxcd_helper_op_device, 0, "LXCPATH NAME SRC DEST   (\"-\": as SRC)" },
  { "netdev-attach", 4, 4, lxcd_helper_op_device, 0, "LXCPATH NAME DEV DSTDEV   (\"-\": same)" },
  { "netdev-detach", 4, 4, lxcd_helper_op_device, 0, "LXCPATH NAME DEV DSTDEV   (\"-\": same)" },
  /* liblxc's mount() and umount() (lxcd-helper-mount.c says which FLAGS) */
  { "mount", 7, 7, lxcd_helper_op_mount, 0,
    "LXCPATH NAME SOURCE TARGET FSTYPE FLAGS DATA   (FSTYPE \"-\": bind; FLAGS: RrsdxD or -)" },
  { "umount", 4, 4, lxcd_helper_op_umount, 0, "LXCPATH NAME TARGET FLAGS   (FLAGS: l or -)" },
  /* liblxc waits for the freezer without a time limit: the service kills
   * this helper when it takes too long. */
  { "freeze", 2, 2, lxcd_helper_op_freeze, 0, "LXCPATH NAME" },
  { "unfreeze", 2, 2, lxcd_helper_op_freeze, 0, "LXCPATH NAME" },
  /* PROGRAM runs inside the container with our stdin, stdout and stderr;
   * the report goes to fd 3 (lxcd-helper-run.c says which OPTIONs). */
  { "run", 2, -1, lxcd_helper_op_run, OP_REPORT_FD,
    "LXCPATH NAME [OPTION...] -- PROGRAM [ARG...]   (fd 3: the report)" },
  /* A file into (from stdin) or out of (to stdout) the container, copied
   * inside its namespaces (lxcd-helper-files.c); the report goes to fd 3. */
  { "copy-to", 8, 8, lxcd_helper_op_copy_to, OP_REPORT_FD,
    "LXCPATH NAME PATH MODE UID GID FLAGS MAXSIZE   (FLAGS: p, r or -; fd 3: the report)" },
  { "copy-from", 4, 4, lxcd_helper_op_copy_from, OP_REPORT_FD,
    "LXCPATH NAME PATH MAXSIZE   (fd 3: the report)" },
};

static const Operation *
find_operation (const char *name)
{
  for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++)
    {
      if (strcmp (operations[i].name, name) == 0)
        return &operations[i];
    }
  return NULL;
}

static void
print_usage (const char *program, const Operation *only)
{
  fprintf (stderr, "usage: %s serve\n", program);
  for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++)
    {
      if (only == NULL || only == &operations[i])
        fprintf (stderr, "       %s %s %s\n", program, operations[i].name, operations[i].usage);
    }
}

/* Copies liblxc's error log to stderr, for the service's error message. */
static void
dump_log (const char *path)
{
  FILE *f = fopen (path, "re");
  char line[LXCD_HELPER_TEXT_MAX];

  if (f == NULL)
    return;
  while (fgets (line, sizeof line, f))
    fputs (line, stderr);
  fclose (f);
}

/* One operation, as the command line (or a fork server request) asks. */
static int
helper_main (int argc, char **argv)
{
  char log_path[] = "/tmp/lxc-dbus-helper-XXXXXX";
  struct lxc_log log = {
    .name = NULL,
    .lxcpath = NULL,
    .file = NULL,
    .level = "ERROR",
    .prefix = "lxc-dbus-helper",
    .quiet = true,
  };
  const Operation *op = argc >= 2 ? find_operation (argv[1]) : NULL;
  int n_args;
  int log_fd;
  int rc;

  /* The service spawns us with no fork-time hook, so that GLib can use
   * posix_spawn (no copy of the threaded service's page tables, which
   * measured 9-10 ms per spawn). So, first: take our own process group,
   * where a cancel finds us and everything we start, and close what the
   * service may have left open without O_CLOEXEC (fd 3 is "run"'s report
   * channel). */
  (void) setpgid (0, 0);
  lxcd_helper_close_inherited_fds (op && (op->flags & OP_REPORT_FD) ? 4 : 3);

  if (op && (op->flags & OP_CLONE_HOOKS) && argc >= 3 &&
      strcmp (argv[2], "--allow-clone-hooks") == 0)
    {
      lxcd_helper_allow_clone_hooks = true;
      memmove (&argv[2], &argv[3], (size_t) (argc - 2) * sizeof (char *)); /* (with the NULL) */
      argc--;
    }

  if (argc < 4)
    {
      print_usage (argv[0], op);
      return LXCD_HELPER_USAGE;
    }

  /* liblxc's errors, including those of a container's monitor process
   * before it reports failure, go to a private file that is shown on
   * failure and removed in any case. A monitor keeps only an fd to the
   * unlinked file, never our stderr pipe (which would keep the service
   * waiting until the container stops). */
  log_fd = mkstemp (log_path);
  if (log_fd >= 0)
    {
      close (log_fd);
      log.name = argv[3];
      log.lxcpath = argv[2];
      log.file = log_path;
      (void) lxc_log_init (&log);
    }

  if (op && (op->flags & OP_BULK))
    {
      /* Templates and copies are bulk work: let the service (and running
       * containers) have the CPU first. A container started by us keeps
       * the normal priority. */
      /* Orphans of what we run (a template's or hook's children) stay in
       * our tree, where a cancel finds them. */
      (void) prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
      errno = 0;
      if (nice (10) == -1 && errno != 0)
        fprintf (stderr, "lxc-dbus-helper: nice: %s\n", strerror (errno));
      /* ...and the disk: best-effort class, lowest priority. */
      if (syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_BE_LOWEST) < 0)
        fprintf (stderr, "lxc-dbus-helper: ioprio_set: %s\n", strerror (errno));
    }

  n_args = argc - 2;
  if (op == NULL)
    {
      fprintf (stderr, "%s: unknown operation '%s'\n", argv[0], argv[1]);
      print_usage (argv[0], NULL);
      rc = LXCD_HELPER_USAGE;
    }
  else if (n_args < op->min_args || (op->max_args >= 0 && n_args > op->max_args))
    {
      fprintf (stderr, "%s %s: wrong number of arguments\n", argv[0], op->name);
      print_usage (argv[0], op);
      rc = LXCD_HELPER_USAGE;
    }
  else
    rc = op->func (argc - 1, argv + 1);

  if (log_fd >= 0)
    {
      /* (for run, stderr belongs to the program) */
      if (rc != LXCD_HELPER_DONE && !(op && (op->flags & OP_REPORT_FD)))
        dump_log (log_path);
      unlink (log_path);
    }
  return rc;
}

int
main (int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[1], "serve") == 0)
    return lxcd_helper_serve (helper_main);
  return helper_main (argc, argv);
}
