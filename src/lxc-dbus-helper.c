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
 * The service runs one `lxc-dbus-helper serve` (fd 3: its socket; wire
 * format in lxcd-helper-proto.h), which never calls liblxc and forks a child
 * per request; the child runs the operation as if this program had been
 * exec'd with its arguments. That saves an exec of a binary linked with
 * liblxc (its libraries' mapping) per operation.
 *
 * Usage (internal interface between the service and its helper):
 *   lxc-dbus-helper serve
 *   lxc-dbus-helper start LXCPATH NAME FLAGS [ARG...]
 *     FLAGS: any of 'd' (daemonize), 'c' (close all fds), 'i' (use
 *     lxc-init), or '-' for none. ARGs replace the container's init.
 *   lxc-dbus-helper create LXCPATH NAME TEMPLATE [OPTION...] [-- TEMPLATE-ARG...]
 *     --bdev-type=T --fstype=S --fssize=BYTES --zfs-root=S --lvm-vg=S
 *     --lvm-lv=S --lvm-thinpool=S --dir=PATH --quiet --config=KEY=VALUE
 *   lxc-dbus-helper clone [--allow-clone-hooks] LXCPATH NAME NEWLXCPATH NEWNAME FLAGS BDEVTYPE BDEVDATA NEWSIZE [HOOK-ARG...]
 *     FLAGS, NEWSIZE: decimal; BDEVTYPE, BDEVDATA: "-" for none
 *   lxc-dbus-helper rename [--allow-clone-hooks] LXCPATH NAME NEWNAME
 *   lxc-dbus-helper snapshot [--allow-clone-hooks] LXCPATH NAME   (comment on stdin; prints the snapshot's name)
 *   lxc-dbus-helper restore [--allow-clone-hooks] LXCPATH NAME SNAPSHOT NEWNAME
 *   lxc-dbus-helper interfaces LXCPATH NAME    (prints one per line)
 *   lxc-dbus-helper ips LXCPATH NAME INTERFACE FAMILY SCOPE   ("-" for any)
 *   lxc-dbus-helper device-add|device-remove LXCPATH NAME SRC DEST   ("-": as SRC)
 *   lxc-dbus-helper netdev-attach|netdev-detach LXCPATH NAME DEV DSTDEV   ("-": same)
 *   lxc-dbus-helper freeze|unfreeze LXCPATH NAME
 *     (liblxc waits for the freezer without a time limit: the service
 *     kills this helper when it takes too long)
 *   lxc-dbus-helper run LXCPATH NAME [OPTION...] -- PROGRAM [ARG...]
 *     Runs PROGRAM inside the container with our stdin/stdout/stderr, writes
 *     "pid N" and then "status N" (its wait status) to fd 3. OPTIONs:
 *     --env=K=V --clear-env --keep-env=NAME --cwd=DIR --uid=N --gid=N
 *     --namespaces=mount,pid,... --personality=linux|linux32
 *     --elevated=cgroup,capabilities,lsm --tty (stdin becomes the controlling terminal)
 *
 * clone, rename, restore and snapshot (a clone in liblxc) accept
 * --allow-clone-hooks right after the operation's name: without it, a
 * container (or the snapshot restored) whose config has
 * lxc.hook.clone entries is refused with status 6, before anything is
 * copied (liblxc runs those hooks as host root on paths inside the root
 * file system, which the container's root controls). The service passes
 * it for callers that are root.
 *
 * liblxc never writes a root file system here: clone always gets
 * LXC_CLONE_KEEPNAME, rename and restore are done as liblxc does them but
 * with it too, and then this helper sets lxc.uts.name and writes the new
 * name into the root file system's etc/hostname itself, never following a
 * link (lxcd-rootfs.c).
 *
 * A new container (clone, rename, restore) gets a "partial" file in its
 * directory while it is being made, as liblxc's create does, so nobody
 * lists it before it is complete, even if this helper is killed.
 *
 * Exit status: LXCD_HELPER_* in lxcd-helper-proto.h (0 done; 1 failed;
 * 2 usage; 3 wrong state; 4 not found; 5 already exists; 6 not authorized,
 * clone hooks). On failure stderr says why, with liblxc's errors.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <getopt.h>
#include <limits.h>
#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "lxcd-helper-proto.h"
#include "lxcd-rootfs.h"

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

/* --allow-clone-hooks was given (the caller is root) */
static bool allow_clone_hooks;

static void
report (struct lxc_container *c, const char *what, const char *name)
{
  if (c && c->error_string && *c->error_string)
    fprintf (stderr, "%s '%s': %s\n", what, name, c->error_string);
  else
    fprintf (stderr, "%s '%s'\n", what, name);
}

static struct lxc_container *
open_defined (const char *lxcpath, const char *name, int *rc)
{
  struct lxc_container *c = lxc_container_new (name, lxcpath);

  if (c == NULL || !c->is_defined (c))
    {
      fprintf (stderr, "Container '%s' is not defined\n", name);
      if (c)
        lxc_container_put (c);
      *rc = LXCD_HELPER_NOT_FOUND;
      return NULL;
    }
  *rc = LXCD_HELPER_DONE;
  return c;
}

static int
do_start (const char *lxcpath, const char *name, const char *flags, char **argv)
{
  struct lxc_container *c;
  bool daemonize = strchr (flags, 'd') != NULL;
  bool close_fds = strchr (flags, 'c') != NULL;
  bool use_init = strchr (flags, 'i') != NULL;
  int rc;

  c = open_defined (lxcpath, name, &rc);
  if (c == NULL)
    return rc;
  if (c->is_running (c))
    {
      fprintf (stderr, "Container '%s' is already running\n", name);
      lxc_container_put (c);
      return LXCD_HELPER_WRONG_STATE;
    }

  c->want_daemonize (c, daemonize);
  c->want_close_all_fds (c, close_fds);
  if (!daemonize)
    {
      /* We are the container's monitor now: leave the service's session so
       * that nothing aimed at it reaches us. */
      (void) setsid ();
    }

  if (!c->start (c, use_init ? 1 : 0, argv[0] ? argv : NULL))
    {
      report (c, "Failed to start container", name);
      rc = LXCD_HELPER_FAILED;
    }
  else if (daemonize)
    {
      /* The service publishes InitPID from this without a re-read. */
      printf ("%d\n", (int) c->init_pid (c));
    }
  lxc_container_put (c);
  return rc;
}

static unsigned long long
parse_size (const char *text, bool *ok)
{
  char *end = NULL;
  unsigned long long v;

  errno = 0;
  v = strtoull (text, &end, 10);
  *ok = errno == 0 && end && *end == '\0' && *text != '-';
  return v;
}

static int
do_create (int argc, char **argv)
{
  enum { OPT_BDEV_TYPE = 256, OPT_FSTYPE, OPT_FSSIZE, OPT_ZFS_ROOT, OPT_LVM_VG, OPT_LVM_LV,
         OPT_LVM_THINPOOL, OPT_DIR, OPT_QUIET, OPT_CONFIG };
  static const struct option options[] = {
    { "bdev-type", required_argument, NULL, OPT_BDEV_TYPE },
    { "fstype", required_argument, NULL, OPT_FSTYPE },
    { "fssize", required_argument, NULL, OPT_FSSIZE },
    { "zfs-root", required_argument, NULL, OPT_ZFS_ROOT },
    { "lvm-vg", required_argument, NULL, OPT_LVM_VG },
    { "lvm-lv", required_argument, NULL, OPT_LVM_LV },
    { "lvm-thinpool", required_argument, NULL, OPT_LVM_THINPOOL },
    { "dir", required_argument, NULL, OPT_DIR },
    { "quiet", no_argument, NULL, OPT_QUIET },
    { "config", required_argument, NULL, OPT_CONFIG },
    { NULL, 0, NULL, 0 },
  };
  struct bdev_specs specs;
  bool have_specs = false;
  const char *bdev_type = NULL;
  char **config = calloc ((size_t) argc + 1, sizeof (char *));
  int n_config = 0;
  int flags = 0;
  int opt;
  const char *lxcpath, *name, *template;
  struct lxc_container *c;
  int rc = LXCD_HELPER_DONE;

  memset (&specs, 0, sizeof specs);
  if (config == NULL)
    return LXCD_HELPER_FAILED;
  /* argv: create LXCPATH NAME TEMPLATE [OPTION...] [-- ARG...] */
  if (argc < 4)
    {
      free (config);
      return LXCD_HELPER_USAGE;
    }
  lxcpath = argv[1];
  name = argv[2];
  template = argv[3];
  optind = 4;
  while ((opt = getopt_long (argc, argv, "+", options, NULL)) != -1)
    {
      bool ok = true;

      switch (opt)
        {
        case OPT_BDEV_TYPE:
          bdev_type = optarg;
          break;
        case OPT_FSTYPE:
          specs.fstype = optarg;
          have_specs = true;
          break;
        case OPT_FSSIZE:
          specs.fssize = parse_size (optarg, &ok);
          have_specs = true;
          break;
        case OPT_ZFS_ROOT:
          specs.zfs.zfsroot = optarg;
          have_specs = true;
          break;
        case OPT_LVM_VG:
          specs.lvm.vg = optarg;
          have_specs = true;
          break;
        case OPT_LVM_LV:
          specs.lvm.lv = optarg;
          have_specs = true;
          break;
        case OPT_LVM_THINPOOL:
          specs.lvm.thinpool = optarg;
          have_specs = true;
          break;
        case OPT_DIR:
          specs.dir = optarg;
          have_specs = true;
          break;
        case OPT_QUIET:
          flags |= LXC_CREATE_QUIET;
          break;
        case OPT_CONFIG:
          if (strchr (optarg, '=') == NULL)
            ok = false;
          else
            config[n_config++] = optarg;
          break;
        default:
          ok = false;
          break;
        }
      if (!ok)
        {
          fprintf (stderr, "Bad option for create\n");
          free (config);
          return LXCD_HELPER_USAGE;
        }
    }

  c = lxc_container_new (name, lxcpath);
  if (c == NULL)
    {
      fprintf (stderr, "liblxc could not make a container object for '%s'\n", name);
      free (config);
      return LXCD_HELPER_FAILED;
    }
  if (c->is_defined (c))
    {
      fprintf (stderr, "Container '%s' already exists\n", name);
      rc = LXCD_HELPER_EXISTS;
      goto out;
    }

  if (n_config > 0)
    {
      /* Items set before the first save: start from the host's default
       * configuration, as create() would, then apply them. */
      const char *def = lxc_get_global_config_item ("lxc.default_config");

      if (def && access (def, R_OK) == 0 && !c->load_config (c, def))
        {
          report (c, "Failed to load the default configuration for", name);
          rc = LXCD_HELPER_FAILED;
          goto out;
        }
      for (int i = 0; i < n_config; i++)
        {
          char *eq = strchr (config[i], '=');
          if (eq == NULL)
            {
              fprintf (stderr, "Config item '%s' is not KEY=VALUE\n", config[i]);
              rc = LXCD_HELPER_USAGE;
              goto out;
            }
          *eq = '\0';
          if (!c->set_config_item (c, config[i], eq + 1))
            {
              fprintf (stderr, "liblxc refused config item '%s'\n", config[i]);
              rc = LXCD_HELPER_USAGE;
              goto out;
            }
        }
    }

  if (!c->create (c, template, bdev_type, have_specs ? &specs : NULL, flags, &argv[optind]))
    {
      report (c, "Failed to create container", name);
      rc = LXCD_HELPER_FAILED;
    }

out:
  lxc_container_put (c);
  free (config);
  return rc;
}

/* The "partial" marker's descriptor: its lock is held until this process
 * ends (the kernel drops it then), so the service tells a container being
 * made from one whose maker died (lxcd-lxc.c's partial_is_abandoned()). */
static int partial_fd = -1;

/* Makes LXCPATH/NAME (unless @may_exist and it does) with a "partial"
 * marker, locked like liblxc's create locks its own; the new container
 * does not count as defined until the marker is removed. */
static int
mark_partial (const char *lxcpath, const char *name, bool may_exist, char *marker, size_t size)
{
  struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  char dir[4096];
  int fd;

  snprintf (dir, sizeof dir, "%s/%s", lxcpath, name);
  snprintf (marker, size, "%s/partial", dir);
  if (mkdir (dir, 0755) < 0 && !(may_exist && errno == EEXIST))
    {
      fprintf (stderr, "Cannot make %s: %s\n", dir, strerror (errno));
      return errno == EEXIST ? LXCD_HELPER_EXISTS : LXCD_HELPER_FAILED;
    }
  fd = open (marker, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      fprintf (stderr, "Cannot make %s: %s\n", marker, strerror (errno));
      return LXCD_HELPER_FAILED;
    }
  if (fcntl (fd, F_SETLK, &lk) < 0)
    fprintf (stderr, "Cannot lock %s: %s\n", marker, strerror (errno));
  if (partial_fd >= 0)
    close (partial_fd);
  partial_fd = fd;
  return LXCD_HELPER_DONE;
}

/* liblxc runs a container's lxc.hook.clone entries as host root, with
 * LXC_ROOTFS_MOUNT inside the root file system (e.g. clonehostname's
 * sed -i on etc/hostname and etc/hosts, which follows links): only for
 * root callers. True (and a message) if @c has any and they may not run. */
static bool
refuse_clone_hooks (struct lxc_container *c, const char *what, const char *name)
{
  if (allow_clone_hooks || c->get_config_item (c, "lxc.hook.clone", NULL, 0) <= 0)
    return false;
  fprintf (stderr, "%s '%s' has clone hooks (lxc.hook.clone), which run as host root: "
           "only root may clone, rename, restore or snapshot it\n", what, name);
  return true;
}

/* A warning on stderr that cannot kill us: the service that reads it may
 * be gone (killed while we finish), and SIGPIPE would stop us before the
 * new container is marked complete. */
static void __attribute__ ((format (printf, 1, 2)))
warn (const char *format, ...)
{
  struct sigaction ignore, old;
  va_list ap;

  memset (&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigemptyset (&ignore.sa_mask);
  (void) sigaction (SIGPIPE, &ignore, &old);
  va_start (ap, format);
  vfprintf (stderr, format, ap);
  va_end (ap);
  fflush (stderr);
  (void) sigaction (SIGPIPE, &old, NULL);
}

/* @c's lxc.rootfs.path as its config file has it, with the "type:" prefix
 * that says which backing store it is (liblxc's getter drops it), else as
 * liblxc has it. False if it has none. */
static bool
rootfs_spec (struct lxc_container *c, char *buf, size_t size)
{
  char *config = c->config_file_name (c);
  int n = config ? lxcd_rootfs_config_key (config, "lxc.rootfs.path", buf, size) : -1;

  free (config);
  if (n > 0 && buf[0])
    return true;
  return c->get_config_item (c, "lxc.rootfs.path", buf, (int) size) > 0;
}

/* The new container @c2 is to be called @newname: lxc.uts.name in its
 * config (exactly one line) and etc/hostname in its root file system, the
 * latter only where that is safe (a warning otherwise). What liblxc's
 * clone() does without LXC_CLONE_KEEPNAME, minus following links. */
static int
set_new_name (struct lxc_container *c2, const char *newname)
{
  char rootfs[4096];
  char why[1024] = "";
  char *config;
  int n;

  if (!c2->clear_config_item (c2, "lxc.uts.name") ||
      !c2->set_config_item (c2, "lxc.uts.name", newname) || !c2->save_config (c2, NULL))
    {
      report (c2, "Failed to set lxc.uts.name of container", newname);
      return LXCD_HELPER_FAILED;
    }
  config = c2->config_file_name (c2);
  n = config ? lxcd_rootfs_config_key (config, "lxc.uts.name", NULL, 0) : -1;
  if (n != 1)
    {
      fprintf (stderr, "The config of container '%s' (%s) has %d lxc.uts.name lines, not one\n",
               newname, config ? config : "?", n);
      free (config);
      return LXCD_HELPER_FAILED;
    }
  free (config);

  if (!rootfs_spec (c2, rootfs, sizeof rootfs))
    return LXCD_HELPER_DONE; /* (liblxc fails earlier without one) */
  switch (lxcd_rootfs_write_hostname (rootfs, newname, why, sizeof why))
    {
    case LXCD_ROOTFS_WRITTEN:
      return LXCD_HELPER_DONE;
    case LXCD_ROOTFS_SKIPPED:
      warn ("lxc-dbus-helper: warning: etc/hostname of container '%s' left as it was: %s\n",
            newname, why);
      return LXCD_HELPER_DONE;
    case LXCD_ROOTFS_FAILED:
    default:
      fprintf (stderr, "Container '%s': %s\n", newname, why);
      return LXCD_HELPER_FAILED;
    }
}

/* liblxc's has_fs_snapshots(): LXCPATH/NAME/lxc_snapshots lists others
 * made from this container's root file system. */
static bool
has_fs_snapshots (const char *lxcpath, const char *name)
{
  char path[4200];
  struct stat st;
  FILE *f;
  int v;

  snprintf (path, sizeof path, "%s/%s/lxc_snapshots", lxcpath, name);
  if (stat (path, &st) < 0 || st.st_size == 0)
    return false;
  f = fopen (path, "re");
  if (f == NULL)
    return false;
  if (fscanf (f, "%d", &v) != 1)
    v = 1; /* the newer format: names, not a count */
  fclose (f);
  return v != 0;
}

/* liblxc's get_snappath_dir(): LXCPATHsnaps/NAME if LXCPATHsnaps exists
 * (the old layout), else LXCPATH/NAME/snaps. */
static bool
snapshot_dir (const char *lxcpath, const char *name, char *path, size_t size, bool *old_layout)
{
  struct stat st;

  snprintf (path, size, "%ssnaps", lxcpath);
  *old_layout = stat (path, &st) == 0 && S_ISDIR (st.st_mode);
  if (*old_layout)
    return (size_t) snprintf (path, size, "%ssnaps/%s", lxcpath, name) < size;
  return (size_t) snprintf (path, size, "%s/%s/snaps", lxcpath, name) < size;
}

static int
do_clone (int argc, char **argv)
{
  /* argv: clone LXCPATH NAME NEWLXCPATH NEWNAME FLAGS BDEVTYPE BDEVDATA NEWSIZE [HOOK-ARG...] */
  struct lxc_container *c, *c2;
  char marker[4200];
  unsigned long long flags, newsize;
  bool ok1, ok2;
  int rc;

  if (argc < 9)
    return LXCD_HELPER_USAGE;
  flags = parse_size (argv[5], &ok1);
  newsize = parse_size (argv[8], &ok2);
  if (!ok1 || !ok2 || flags > INT_MAX)
    return LXCD_HELPER_USAGE;
  c = open_defined (argv[1], argv[2], &rc);
  if (c == NULL)
    return rc;
  if (refuse_clone_hooks (c, "Container", argv[2]))
    {
      lxc_container_put (c);
      return LXCD_HELPER_NOT_AUTHORIZED;
    }
  rc = mark_partial (argv[3], argv[4], false, marker, sizeof marker);
  if (rc != LXCD_HELPER_DONE)
    {
      lxc_container_put (c);
      return rc;
    }
  /* Always KEEPNAME: liblxc would write ROOTFS/etc/hostname with fopen(),
   * following whatever link the container's root put there. */
  c2 = c->clone (c, argv[4], argv[3], (int) (flags | LXC_CLONE_KEEPNAME),
                 strcmp (argv[6], "-") ? argv[6] : NULL,
                 strcmp (argv[7], "-") ? argv[7] : NULL,
                 newsize, argc > 9 ? &argv[9] : NULL);
  if (c2 == NULL)
    {
      report (c, "Failed to clone container", argv[2]);
      rc = LXCD_HELPER_FAILED;
    }
  else
    {
      if (!(flags & LXC_CLONE_KEEPNAME))
        rc = set_new_name (c2, argv[4]);
      if (rc == LXCD_HELPER_DONE)
        unlink (marker);
      else
        c2->destroy (c2);
      lxc_container_put (c2);
    }
  lxc_container_put (c);
  return rc;
}

/* The backing store type of @c's root file system (for rename and
 * restore, which keep it), or NULL (and a message). */
static const char *
backend_of (struct lxc_container *c, const char *name, char *rootfs, size_t size)
{
  const char *type = NULL;

  if (rootfs_spec (c, rootfs, size))
    type = lxcd_rootfs_backend (rootfs);
  if (type == NULL)
    fprintf (stderr, "Cannot tell the backing store type of container '%s'\n", name);
  return type;
}

/* liblxc's rename(), but with LXC_CLONE_KEEPNAME and the name set by
 * set_new_name(): a copy under the new name with the same MAC addresses
 * and backing store type, then the old one destroyed. */
static int
do_rename (const char *lxcpath, const char *name, const char *newname)
{
  struct lxc_container *c, *c2;
  struct lxc_snapshot *snaps = NULL;
  char marker[4200];
  char rootfs[4096];
  const char *type;
  int n, rc;

  c = open_defined (lxcpath, name, &rc);
  if (c == NULL)
    return rc;
  if (c->is_running (c))
    {
      fprintf (stderr, "Container '%s' is running\n", name);
      lxc_container_put (c);
      return LXCD_HELPER_WRONG_STATE;
    }
  n = c->snapshot_list (c, &snaps);
  for (int i = 0; i < n; i++)
    snaps[i].free (&snaps[i]);
  free (snaps);
  if (n > 0 || has_fs_snapshots (lxcpath, name))
    {
      fprintf (stderr, "Renaming a container with snapshots is not supported ('%s')\n", name);
      lxc_container_put (c);
      return LXCD_HELPER_FAILED;
    }
  if (refuse_clone_hooks (c, "Container", name))
    {
      lxc_container_put (c);
      return LXCD_HELPER_NOT_AUTHORIZED;
    }
  type = backend_of (c, name, rootfs, sizeof rootfs);
  if (type == NULL)
    {
      lxc_container_put (c);
      return LXCD_HELPER_FAILED;
    }
  rc = mark_partial (lxcpath, newname, false, marker, sizeof marker);
  if (rc != LXCD_HELPER_DONE)
    {
      lxc_container_put (c);
      return rc;
    }
  c2 = c->clone (c, newname, lxcpath, LXC_CLONE_KEEPMACADDR | LXC_CLONE_KEEPNAME, type, NULL, 0,
                 NULL);
  if (c2 == NULL)
    {
      report (c, "Failed to rename container", name);
      lxc_container_put (c);
      return LXCD_HELPER_FAILED;
    }
  rc = set_new_name (c2, newname);
  if (rc != LXCD_HELPER_DONE)
    c2->destroy (c2);
  else if (!c->destroy (c))
    {
      report (c, "Could not destroy the renamed container's old copy", name);
      rc = LXCD_HELPER_FAILED;
    }
  else
    unlink (marker);
  lxc_container_put (c2);
  lxc_container_put (c);
  return rc;
}

static int
do_snapshot (const char *lxcpath, const char *name)
{
  char comment_path[] = "/tmp/lxc-dbus-comment-XXXXXX";
  char buf[4096];
  struct lxc_container *c;
  ssize_t n;
  size_t total = 0;
  int fd, idx, rc;

  c = open_defined (lxcpath, name, &rc);
  if (c == NULL)
    return rc;
  if (refuse_clone_hooks (c, "Container", name))
    {
      lxc_container_put (c);
      return LXCD_HELPER_NOT_AUTHORIZED;
    }
  /* The comment arrives on stdin; liblxc wants it in a file. */
  fd = mkstemp (comment_path);
  if (fd < 0)
    {
      fprintf (stderr, "Cannot make a comment file: %s\n", strerror (errno));
      lxc_container_put (c);
      return LXCD_HELPER_FAILED;
    }
  while ((n = read (STDIN_FILENO, buf, sizeof buf)) > 0)
    {
      total += (size_t) n;
      if (write (fd, buf, (size_t) n) != n)
        break;
    }
  close (fd);
  idx = c->snapshot (c, total > 0 ? comment_path : NULL);
  unlink (comment_path);
  if (idx < 0)
    {
      report (c, "Failed to snapshot container", name);
      rc = LXCD_HELPER_FAILED;
    }
  else
    printf ("snap%d\n", idx);
  lxc_container_put (c);
  return rc;
}

/* Restoring over the container itself: liblxc destroys it first, keeping
 * its snapshots, with an internal call the API does not offer (destroy()
 * refuses a container that has snapshots). So: the snapshots step aside
 * (a rename in the same directory), destroy() runs as usual (hooks,
 * storage, directory), the directory is made again with a "partial"
 * marker and the snapshots go back. For an overlay container liblxc keeps
 * the rest of the old directory (all but the config and the upper layer);
 * here it is removed as for any other backing store, the snapshots
 * excepted. */
static int
destroy_keeping_snapshots (struct lxc_container *c, const char *lxcpath, const char *name,
                           const char *snapdir, bool old_layout, char *marker, size_t size)
{
  char aside[4200];
  struct stat st;
  int rc;

  if (old_layout)
    snprintf (aside, sizeof aside, "%ssnaps/.%s.restoring", lxcpath, name);
  else
    snprintf (aside, sizeof aside, "%s/.%s.snaps-restoring", lxcpath, name);
  if (lstat (aside, &st) == 0)
    {
      fprintf (stderr, "%s exists (snapshots of '%s' left by an interrupted restore?)\n", aside,
               name);
      return LXCD_HELPER_FAILED;
    }
  if (rename (snapdir, aside) < 0)
    {
      fprintf (stderr, "Cannot move %s aside: %s\n", snapdir, strerror (errno));
      return LXCD_HELPER_FAILED;
    }
  if (!c->destroy (c))
    {
      report (c, "Could not destroy existing container", name);
      if (rename (aside, snapdir) < 0)
        fprintf (stderr, "The snapshots of '%s' are in %s: %s\n", name, aside, strerror (errno));
      return LXCD_HELPER_FAILED;
    }
  rc = mark_partial (lxcpath, name, true, marker, size);
  if (rename (aside, snapdir) < 0)
    {
      fprintf (stderr, "The snapshots of '%s' are in %s: %s\n", name, aside, strerror (errno));
      return LXCD_HELPER_FAILED;
    }
  return rc;
}

/* liblxc's snapshot_restore(), but with LXC_CLONE_KEEPNAME and the name set
 * by set_new_name(): a clone of the snapshot (a snapshot of it where the
 * backing store is not dir or loop), of the container's backing store
 * type, the container destroyed first when restoring over it. */
static int
do_restore (const char *lxcpath, const char *name, const char *snapshot, const char *newname)
{
  struct lxc_container *c, *snap = NULL, *rest;
  struct lxc_snapshot *snaps = NULL;
  char marker[4200] = "";
  char snapdir[4200];
  char rootfs[4096];
  const char *type;
  bool found = false;
  bool same = strcmp (name, newname) == 0;
  bool old_layout;
  int flags = LXC_CLONE_KEEPNAME;
  int n, rc;

  c = open_defined (lxcpath, name, &rc);
  if (c == NULL)
    return rc;
  n = c->snapshot_list (c, &snaps);
  for (int i = 0; i < n; i++)
    {
      if (strcmp (snaps[i].name, snapshot) == 0)
        found = true;
      snaps[i].free (&snaps[i]);
    }
  free (snaps);
  if (!found)
    {
      fprintf (stderr, "Container '%s' has no snapshot '%s'\n", name, snapshot);
      lxc_container_put (c);
      return LXCD_HELPER_NOT_FOUND;
    }
  /* liblxc 5.0's snapshot_restore() dereferences the container's root
   * file system without checking it: refuse a container that has none
   * configured (e.g. after ClearConfig) instead of crashing in liblxc. */
  if (c->get_config_item (c, "lxc.rootfs.path", NULL, 0) <= 0)
    {
      fprintf (stderr, "Container '%s' has no root file system configured (lxc.rootfs.path): "
               "cannot restore its snapshot\n", name);
      lxc_container_put (c);
      return LXCD_HELPER_FAILED;
    }
  rc = LXCD_HELPER_FAILED;
  if (has_fs_snapshots (lxcpath, name))
    {
      fprintf (stderr, "The root file system of container '%s' has dependent snapshots\n", name);
      goto out;
    }
  type = backend_of (c, name, rootfs, sizeof rootfs);
  if (type == NULL)
    goto out;
  if (!snapshot_dir (lxcpath, name, snapdir, sizeof snapdir, &old_layout))
    goto out;
  snap = lxc_container_new (snapshot, snapdir);
  if (snap == NULL || !snap->is_defined (snap))
    {
      fprintf (stderr, "Could not open snapshot '%s' of container '%s'\n", snapshot, name);
      goto out;
    }
  /* The new container's config is the snapshot's: its hooks would run. */
  if (refuse_clone_hooks (snap, "The snapshot of container", name))
    {
      rc = LXCD_HELPER_NOT_AUTHORIZED;
      goto out;
    }

  if (same)
    rc = destroy_keeping_snapshots (c, lxcpath, name, snapdir, old_layout, marker, sizeof marker);
  else
    rc = mark_partial (lxcpath, newname, false, marker, sizeof marker);
  if (rc != LXCD_HELPER_DONE)
    goto out;

  if (strcmp (type, "dir") != 0 && strcmp (type, "loop") != 0)
    flags |= LXC_CLONE_SNAPSHOT | LXC_CLONE_MAYBE_SNAPSHOT;
  rest = snap->clone (snap, newname, lxcpath, flags, type, NULL, 0, NULL);
  if (rest == NULL || !rest->is_defined (rest))
    {
      report (snap, "Failed to restore snapshot of container", name);
      rc = LXCD_HELPER_FAILED;
    }
  else
    {
      rc = set_new_name (rest, newname);
      /* A new container that is not complete goes; the one restored over
       * itself stays (the old one is gone), with the error reported. */
      if (rc == LXCD_HELPER_DONE || same)
        unlink (marker);
      else
        rest->destroy (rest);
    }
  if (rest)
    lxc_container_put (rest);

out:
  if (snap)
    lxc_container_put (snap);
  lxc_container_put (c);
  return rc;
}

/* Prints a NULL-terminated list liblxc returned, one per line, and frees it. */
static void
print_list (char **list)
{
  for (char **p = list; p && *p; p++)
    {
      printf ("%s\n", *p);
      free (*p);
    }
  free (list);
}

/* interfaces and IPs: liblxc forks into the container's network
 * namespace to read them, which the threaded service must not do. */
static int
do_network (const char *lxcpath, const char *name, int argc, char **argv)
{
  struct lxc_container *c;
  char **list;
  int rc;

  c = open_defined (lxcpath, name, &rc);
  if (c == NULL)
    return rc;
  if (!c->is_running (c))
    {
      fprintf (stderr, "Container '%s' is not running\n", name);
      lxc_container_put (c);
      return LXCD_HELPER_WRONG_STATE;
    }
  if (argc == 0)
    list = c->get_interfaces (c);
  else
    {
      bool ok;
      unsigned long long scope = parse_size (argv[2], &ok);
      if (!ok || scope > 0xffffffffULL)
        {
          lxc_container_put (c);
          return LXCD_HELPER_USAGE;
        }
      list = c->get_ips (c, strcmp (argv[0], "-") ? argv[0] : NULL,
                         strcmp (argv[1], "-") ? argv[1] : NULL, (int) scope);
    }
  print_list (list);
  lxc_container_put (c);
  return LXCD_HELPER_DONE;
}

/* Device nodes and network devices: liblxc enters the container's
 * namespaces in a child to do them. */
static int
do_device (const char *op, const char *lxcpath, const char *name, const char *a, const char *b)
{
  struct lxc_container *c;
  const char *b_or_null = strcmp (b, "-") ? b : NULL;
  bool ok;
  int rc;

  c = open_defined (lxcpath, name, &rc);
  if (c == NULL)
    return rc;
  if (!c->is_running (c))
    {
      fprintf (stderr, "Container '%s' is not running\n", name);
      lxc_container_put (c);
      return LXCD_HELPER_WRONG_STATE;
    }
  if (strcmp (op, "device-add") == 0)
    ok = c->add_device_node (c, a, b_or_null);
  else if (strcmp (op, "device-remove") == 0)
    ok = c->remove_device_node (c, a, b_or_null);
  else if (strcmp (op, "netdev-attach") == 0)
    ok = c->attach_interface (c, a, b_or_null);
  else
    ok = c->detach_interface (c, a, b_or_null);
  if (!ok)
    {
      report (c, "liblxc refused the change to container", name);
      rc = LXCD_HELPER_FAILED;
    }
  lxc_container_put (c);
  return rc;
}

/* Runs in the attached child: with --tty, stdin is a terminal that becomes
 * the program's controlling terminal in a new session (a login shell needs
 * one for job control). */
/* The PATH of a program started inside a container, unless the caller
 * passes its own. */
#define CONTAINER_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* In the attached child (inside the container, as the target uid): HOME
 * of that uid from the container's own /etc/passwd, unless the caller
 * passed HOME; "/" when the file does not name it. Read without NSS: no
 * library of the container is loaded into this process. */
static void
set_home (void)
{
  const char *home = NULL;
  struct passwd *pw;
  FILE *f;

  if (getenv ("HOME") != NULL)
    return;
  f = fopen ("/etc/passwd", "re");
  if (f != NULL)
    {
      uid_t uid = getuid ();
      while ((pw = fgetpwent (f)) != NULL)
        {
          if (pw->pw_uid == uid && pw->pw_dir && pw->pw_dir[0] == '/')
            {
              home = pw->pw_dir;
              break;
            }
        }
    }
  (void) setenv ("HOME", home ? home : "/", 1);
  if (f != NULL)
    fclose (f);
}

/* In the attached child: runs the program, a name looked up in PATH (the
 * clean one above, or the caller's) like a shell does. What the exit
 * status says if it cannot: 127 not found, 126 not runnable. */
static int
exec_plain (void *payload)
{
  lxc_attach_command_t *cmd = payload;
  int errsv;

  set_home ();
  execvp (cmd->program, cmd->argv);
  errsv = errno;
  fprintf (stderr, "%s: %s\n", cmd->program, strerror (errsv));
  return errsv == ENOENT || errsv == ENOTDIR ? 127 : 126;
}

static int
exec_with_tty (void *payload)
{
  (void) setsid ();
  (void) ioctl (STDIN_FILENO, TIOCSCTTY, 0);
  return exec_plain (payload);
}

static bool
parse_list_flags (const char *list, const char *const *names, const int *values, int *out)
{
  char *copy = strdup (list), *save = NULL, *tok;
  bool ok = true;

  *out = 0;
  for (tok = strtok_r (copy, ",", &save); tok && ok; tok = strtok_r (NULL, ",", &save))
    {
      int i;
      for (i = 0; names[i]; i++)
        {
          if (strcmp (tok, names[i]) == 0)
            break;
        }
      if (names[i])
        *out |= values[i];
      else
        ok = false;
    }
  free (copy);
  return ok;
}

/* Runs a program inside the container: reports its pid and, when it
 * ends, its wait status on fd 3. We are a subreaper, so the attached
 * process is our child to wait for whatever liblxc's forks do. */
static int
run_in_container (int argc, char **argv, char **env, char **keep)
{
  enum { OPT_ENV = 256, OPT_CLEAR_ENV, OPT_KEEP_ENV, OPT_CWD, OPT_UID, OPT_GID, OPT_NS,
         OPT_PERSONALITY, OPT_ELEVATED, OPT_TTY };
  static const struct option options[] = {
    { "env", required_argument, NULL, OPT_ENV },
    { "clear-env", no_argument, NULL, OPT_CLEAR_ENV },
    { "keep-env", required_argument, NULL, OPT_KEEP_ENV },
    { "cwd", required_argument, NULL, OPT_CWD },
    { "uid", required_argument, NULL, OPT_UID },
    { "gid", required_argument, NULL, OPT_GID },
    { "namespaces", required_argument, NULL, OPT_NS },
    { "personality", required_argument, NULL, OPT_PERSONALITY },
    { "elevated", required_argument, NULL, OPT_ELEVATED },
    { "tty", no_argument, NULL, OPT_TTY },
    { NULL, 0, NULL, 0 },
  };
  static const char *const ns_names[] = { "mount", "pid", "net", "ipc", "uts", "user", "cgroup", NULL };
  static const int ns_values[] = { CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
                                   CLONE_NEWUTS, CLONE_NEWUSER, CLONE_NEWCGROUP };
  static const char *const elevated_names[] = { "cgroup", "capabilities", "lsm", NULL };
  static const int elevated_values[] = { LXC_ATTACH_MOVE_TO_CGROUP, LXC_ATTACH_DROP_CAPABILITIES,
                                         LXC_ATTACH_LSM_EXEC };
  lxc_attach_options_t opts = LXC_ATTACH_OPTIONS_DEFAULT;
  lxc_attach_command_t cmd;
  int n_env = 0, n_keep = 0, opt, status;
  bool tty = false;
  struct lxc_container *c;
  pid_t pid = -1;
  FILE *report_file;

  if (argc < 3)
    return LXCD_HELPER_USAGE;
  optind = 3;
  while ((opt = getopt_long (argc, argv, "+", options, NULL)) != -1)
    {
      bool ok = true;
      unsigned long long v;
      int flags;

      switch (opt)
        {
        case OPT_ENV:
          env[n_env++] = optarg;
          break;
        case OPT_CLEAR_ENV:
          opts.env_policy = LXC_ATTACH_CLEAR_ENV;
          break;
        case OPT_KEEP_ENV:
          keep[n_keep++] = optarg;
          break;
        case OPT_CWD:
          opts.initial_cwd = optarg;
          break;
        case OPT_UID:
          v = parse_size (optarg, &ok);
          opts.uid = (uid_t) v;
          break;
        case OPT_GID:
          v = parse_size (optarg, &ok);
          opts.gid = (gid_t) v;
          break;
        case OPT_NS:
          ok = parse_list_flags (optarg, ns_names, ns_values, &flags);
          opts.namespaces = flags;
          break;
        case OPT_PERSONALITY:
          if (strcmp (optarg, "linux") == 0)
            opts.personality = PER_LINUX;
          else if (strcmp (optarg, "linux32") == 0)
            opts.personality = PER_LINUX32;
          else
            ok = false;
          break;
        case OPT_ELEVATED:
          ok = parse_list_flags (optarg, elevated_names, elevated_values, &flags);
          opts.attach_flags &= ~flags;
          break;
        case OPT_TTY:
          tty = true;
          break;
        default:
          ok = false;
          break;
        }
      if (!ok)
        {
          fprintf (stderr, "Bad option for run\n");
          return LXCD_HELPER_USAGE;
        }
    }
  if (optind >= argc)
    return LXCD_HELPER_USAGE;
  opts.extra_env_vars = n_env ? env : NULL;
  opts.extra_keep_env = n_keep ? keep : NULL;
  opts.stdin_fd = STDIN_FILENO;
  opts.stdout_fd = STDOUT_FILENO;
  opts.stderr_fd = STDERR_FILENO;
  cmd.program = argv[optind];
  cmd.argv = &argv[optind];

  /* Close-on-exec: the report channel must not reach the program. */
  if (fcntl (3, F_SETFD, FD_CLOEXEC) < 0 || (report_file = fdopen (3, "w")) == NULL)
    {
      fprintf (stderr, "No report descriptor\n");
      return LXCD_HELPER_USAGE;
    }
  setvbuf (report_file, NULL, _IOLBF, 0);
  (void) prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  /* The program starts from a clean environment, never the service's:
   * PATH, then liblxc adds container=lxc (and the container's
   * lxc.environment), then what the caller passed; HOME comes from the
   * container's passwd (set_home()). keep_env can only keep these. */
  if (clearenv () != 0 || setenv ("PATH", CONTAINER_PATH, 1) != 0)
    {
      fprintf (report_file, LXCD_RUN_REPORT_ERROR "%d Cannot set up the environment\n",
               LXCD_HELPER_FAILED);
      fclose (report_file);
      return LXCD_HELPER_FAILED;
    }

  /* Our stderr is the program's: errors go to the report channel. */
  c = lxc_container_new (argv[2], argv[1]);
  if (c == NULL || !c->is_defined (c))
    {
      fprintf (report_file, LXCD_RUN_REPORT_ERROR "%d Container '%s' is not defined\n",
               LXCD_HELPER_NOT_FOUND, argv[2]);
      if (c)
        lxc_container_put (c);
      fclose (report_file);
      return LXCD_HELPER_NOT_FOUND;
    }
  if (!c->is_running (c))
    {
      fprintf (report_file, LXCD_RUN_REPORT_ERROR "%d Container '%s' is not running\n",
               LXCD_HELPER_WRONG_STATE, argv[2]);
      lxc_container_put (c);
      fclose (report_file);
      return LXCD_HELPER_WRONG_STATE;
    }
  if (c->attach (c, tty ? exec_with_tty : exec_plain, &cmd, &opts, &pid) < 0 ||
      pid <= 0)
    {
      fprintf (report_file, LXCD_RUN_REPORT_ERROR "%d Failed to run %s in container '%s'%s%s\n",
               LXCD_HELPER_FAILED, cmd.program, argv[2], c->error_string ? ": " : "",
               c->error_string ? c->error_string : "");
      lxc_container_put (c);
      fclose (report_file);
      return LXCD_HELPER_FAILED;
    }
  lxc_container_put (c);
  /* Nothing of ours stays open in the program: report and wait. */
  fprintf (report_file, LXCD_RUN_REPORT_PID "%d\n", (int) pid);
  while (waitpid (pid, &status, 0) < 0)
    {
      if (errno != EINTR)
        {
          fprintf (stderr, "waitpid: %s\n", strerror (errno));
          fclose (report_file);
          return LXCD_HELPER_FAILED;
        }
    }
  fprintf (report_file, LXCD_RUN_REPORT_STATUS "%d\n", status);
  fclose (report_file);
  return LXCD_HELPER_DONE;
}

static int
do_run (int argc, char **argv)
{
  /* The options' lists (never longer than argv) live here, so that every
   * way out of run_in_container() frees them. */
  char **env = calloc ((size_t) argc + 1, sizeof (char *));
  char **keep = calloc ((size_t) argc + 1, sizeof (char *));
  int rc = LXCD_HELPER_USAGE;

  if (env && keep)
    rc = run_in_container (argc, argv, env, keep);
  free (env);
  free (keep);
  return rc;
}

/* Closes every descriptor from @first on. */
static void
close_inherited_fds (int first)
{
  if (close_range ((unsigned int) first, ~0U, 0) < 0)
    {
      long max = sysconf (_SC_OPEN_MAX);

      for (long fd = first; fd < (max > 0 ? max : 1024); fd++)
        (void) close ((int) fd);
    }
}

/* Copies liblxc's error log to stderr, for the service's error message. */
static void
dump_log (const char *path)
{
  FILE *f = fopen (path, "re");
  char line[1024];

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
  int log_fd;
  int rc;

  /* The service spawns us with no fork-time hook, so that GLib can use
   * posix_spawn (no copy of the threaded service's page tables, which
   * measured 9-10 ms per spawn). So, first: take our own process group,
   * where a cancel finds us and everything we start, and close what the
   * service may have left open without O_CLOEXEC (fd 3 is "run"'s status
   * pipe). */
  (void) setpgid (0, 0);
  close_inherited_fds (argc >= 2 && strcmp (argv[1], "run") == 0 ? 4 : 3);

  if (argc >= 3 && strcmp (argv[2], "--allow-clone-hooks") == 0 &&
      (strcmp (argv[1], "clone") == 0 || strcmp (argv[1], "rename") == 0 ||
       strcmp (argv[1], "restore") == 0 || strcmp (argv[1], "snapshot") == 0))
    {
      allow_clone_hooks = true;
      memmove (&argv[2], &argv[3], (size_t) (argc - 2) * sizeof (char *)); /* (with the NULL) */
      argc--;
    }

  if (argc < 4)
    {
      fprintf (stderr, "usage: %s start|create|clone|rename|snapshot|restore LXCPATH NAME ...\n",
               argv[0]);
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

  if (strcmp (argv[1], "create") == 0 || strcmp (argv[1], "clone") == 0 ||
      strcmp (argv[1], "rename") == 0 || strcmp (argv[1], "snapshot") == 0 ||
      strcmp (argv[1], "restore") == 0)
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

  if (strcmp (argv[1], "start") == 0 && argc >= 5)
    rc = do_start (argv[2], argv[3], argv[4], &argv[5]);
  else if (strcmp (argv[1], "create") == 0 && argc >= 5)
    rc = do_create (argc - 1, argv + 1);
  else if (strcmp (argv[1], "clone") == 0)
    rc = do_clone (argc - 1, argv + 1);
  else if (strcmp (argv[1], "rename") == 0 && argc == 5)
    rc = do_rename (argv[2], argv[3], argv[4]);
  else if (strcmp (argv[1], "snapshot") == 0 && argc == 4)
    rc = do_snapshot (argv[2], argv[3]);
  else if (strcmp (argv[1], "restore") == 0 && argc == 6)
    rc = do_restore (argv[2], argv[3], argv[4], argv[5]);
  else if (strcmp (argv[1], "interfaces") == 0 && argc == 4)
    rc = do_network (argv[2], argv[3], 0, NULL);
  else if (strcmp (argv[1], "ips") == 0 && argc == 7)
    rc = do_network (argv[2], argv[3], 3, &argv[4]);
  else if (strcmp (argv[1], "run") == 0)
    rc = do_run (argc - 1, argv + 1);
  else if ((strcmp (argv[1], "freeze") == 0 || strcmp (argv[1], "unfreeze") == 0) && argc == 4)
    {
      struct lxc_container *c = open_defined (argv[2], argv[3], &rc);

      if (c != NULL)
        {
          bool freeze = strcmp (argv[1], "freeze") == 0;
          if (!(freeze ? c->freeze (c) : c->unfreeze (c)))
            {
              report (c, freeze ? "Failed to freeze container" : "Failed to unfreeze container",
                      argv[3]);
              rc = LXCD_HELPER_FAILED;
            }
          lxc_container_put (c);
        }
    }
  else if ((strcmp (argv[1], "device-add") == 0 || strcmp (argv[1], "device-remove") == 0 ||
            strcmp (argv[1], "netdev-attach") == 0 || strcmp (argv[1], "netdev-detach") == 0) &&
           argc == 6)
    rc = do_device (argv[1], argv[2], argv[3], argv[4], argv[5]);
  else
    {
      fprintf (stderr, "%s: unknown operation or missing arguments\n", argv[0]);
      rc = LXCD_HELPER_USAGE;
    }

  if (log_fd >= 0)
    {
      /* (for run, stderr belongs to the program) */
      if (rc != LXCD_HELPER_DONE && strcmp (argv[1], "run") != 0)
        dump_log (log_path);
      unlink (log_path);
    }
  return rc;
}

/* The fork server's table of children (the service limits how many run at
 * once; this only grows if it does not). */
typedef struct {
  pid_t pid;
  uint64_t id;
} ServedChild;

static ServedChild *served;
static size_t n_served, served_size;

/* The forked child's argument vector, kept reachable for LeakSanitizer. */
static char *child_args;
static char **child_argv;

static void
send_reply (int sock, uint64_t id, int32_t kind, int32_t value)
{
  LxcdForkReply reply = { .id = id, .kind = kind, .value = value };

  while (send (sock, &reply, sizeof reply, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

/* The child: the request's descriptors become 0, 1, 2 (and 3), the argument
 * memfd becomes argv, and the operation runs as if exec'd. Never returns. */
static void
run_child (int sock, int sfd, int *fds, unsigned n_fds)
{
  struct stat st;
  size_t argc = 0;
  ssize_t got;
  sigset_t none;

  /* What a container's processes start from: no signal blocked (the
   * server blocks SIGCHLD for its signalfd), default dispositions (the
   * server ignores SIGPIPE). */
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
  close (sock);
  close (sfd);
  if (fstat (fds[0], &st) < 0 || st.st_size <= 0 || st.st_size > LXCD_FORK_MAX_ARGS_SIZE ||
      (child_args = malloc ((size_t) st.st_size + 1)) == NULL ||
      (got = pread (fds[0], child_args, (size_t) st.st_size, 0)) != st.st_size)
    _exit (LXCD_HELPER_USAGE);
  child_args[got] = '\0';
  for (ssize_t i = 0; i < got; i++)
    argc += child_args[i] == '\0';
  if ((child_argv = calloc (argc + 1, sizeof (char *))) == NULL)
    _exit (LXCD_HELPER_FAILED);
  argc = 0;
  for (char *a = child_args; a < child_args + got; a += strlen (a) + 1)
    child_argv[argc++] = a;
  for (unsigned i = 1; i < n_fds; i++)
    {
      if (dup2 (fds[i], (int) i - 1) < 0)
        _exit (LXCD_HELPER_FAILED);
    }
  /* Show the operation in ps: its name becomes "lxcd-OP" (ps -e, top,
   * pgrep), and /proc/PID/cmdline the whole command line, as an exec'd
   * helper's would be ("lxc-dbus-helper create LXCPATH NAME ..."), not
   * the server's "serve". The second needs CAP_SYS_RESOURCE; both are
   * cosmetic if refused. */
  if (argc >= 2)
    {
      char comm[16];

      snprintf (comm, sizeof comm, "lxcd-%s", child_argv[1]);
      (void) prctl (PR_SET_NAME, (unsigned long) comm, 0, 0, 0);
    }
  (void) prctl (PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long) child_args, 0, 0);
  (void) prctl (PR_SET_MM, PR_SET_MM_ARG_END, (unsigned long) (child_args + got), 0, 0);
  /* (helper_main closes every other descriptor) */
  exit (helper_main ((int) argc, child_argv));
}

static void
handle_request (int sock, int sfd)
{
  LxcdForkRequest req;
  LxcdForkControl control;
  struct iovec iov = { .iov_base = &req, .iov_len = sizeof req };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  int fds[LXCD_FORK_MAX_FDS];
  unsigned n_fds = 0;
  ssize_t n;
  pid_t pid;

  n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n <= 0)
    exit (LXCD_HELPER_DONE); /* the service is gone: its children go on alone */
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        {
          size_t k = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);

          for (size_t i = 0; i < k; i++)
            {
              int fd;

              memcpy (&fd, CMSG_DATA (c) + i * sizeof (int), sizeof fd);
              if (n_fds < LXCD_FORK_MAX_FDS)
                fds[n_fds++] = fd;
              else
                close (fd);
            }
        }
    }
  if ((size_t) n != sizeof req || (msg.msg_flags & MSG_CTRUNC) ||
      req.version != LXCD_FORK_VERSION || req.n_fds != n_fds || n_fds < 4)
    {
      send_reply (sock, (size_t) n == sizeof req ? req.id : 0, LXCD_FORK_FAILED, EINVAL);
      goto out;
    }
  if (n_served == served_size)
    {
      size_t size = served_size ? served_size * 2 : 16;
      ServedChild *bigger = realloc (served, size * sizeof *served);

      if (bigger == NULL)
        {
          send_reply (sock, req.id, LXCD_FORK_FAILED, ENOMEM);
          goto out;
        }
      served = bigger;
      served_size = size;
    }
  pid = fork ();
  if (pid < 0)
    {
      send_reply (sock, req.id, LXCD_FORK_FAILED, errno);
      goto out;
    }
  if (pid == 0)
    run_child (sock, sfd, fds, n_fds);
  served[n_served].pid = pid;
  served[n_served].id = req.id;
  n_served++;
  send_reply (sock, req.id, LXCD_FORK_STARTED, (int32_t) pid);
out:
  for (unsigned i = 0; i < n_fds; i++)
    close (fds[i]);
}

static void
reap_children (int sock, int sfd)
{
  struct signalfd_siginfo info;
  int status;
  pid_t pid;

  while (read (sfd, &info, sizeof info) > 0)
    ;
  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    {
      for (size_t i = 0; i < n_served; i++)
        {
          if (served[i].pid == pid)
            {
              send_reply (sock, served[i].id, LXCD_FORK_EXITED, status);
              served[i] = served[--n_served];
              break;
            }
        }
    }
}

/* lxc-dbus-helper serve: fd 3 is the service's socket. Single-threaded and
 * never calling liblxc itself, so that every child starts from a process
 * that holds nothing but the loaded libraries. */
static int
serve (void)
{
  sigset_t chld;
  struct stat st;
  int sock = 3;
  int sfd;

  if (fstat (sock, &st) < 0 || !S_ISSOCK (st.st_mode))
    {
      fprintf (stderr, "lxc-dbus-helper serve: fd 3 is not the service's socket\n");
      return LXCD_HELPER_USAGE;
    }
  /* Out of the service's process group (a ^C on a service run from a
   * terminal must not kill operations half-way), and nothing inherited
   * but the socket. */
  (void) setpgid (0, 0);
  close_inherited_fds (4);
  signal (SIGPIPE, SIG_IGN);
  sigemptyset (&chld);
  sigaddset (&chld, SIGCHLD);
  if (sigprocmask (SIG_BLOCK, &chld, NULL) < 0 ||
      (sfd = signalfd (-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
    {
      fprintf (stderr, "lxc-dbus-helper serve: %s\n", strerror (errno));
      return LXCD_HELPER_FAILED;
    }
  for (;;)
    {
      struct pollfd pfd[2] = { { .fd = sock, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };

      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          fprintf (stderr, "lxc-dbus-helper serve: poll: %s\n", strerror (errno));
          return LXCD_HELPER_FAILED;
        }
      /* Reap first: an exit is reported before the service can reuse a
       * slot for the same pid. */
      if (pfd[1].revents)
        reap_children (sock, sfd);
      if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
        handle_request (sock, sfd);
    }
}

int
main (int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[1], "serve") == 0)
    return serve ();
  return helper_main (argc, argv);
}
