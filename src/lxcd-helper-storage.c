/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus-helper: the operations that make a container from another:
 * clone, rename, snapshot and restore.
 *
 * clone, rename, restore and snapshot (a clone in liblxc) refuse a
 * container (or the snapshot restored) whose config has lxc.hook.clone
 * entries with LXCD_HELPER_NOT_AUTHORIZED, before anything is copied,
 * unless --allow-clone-hooks was given (liblxc runs those hooks as host
 * root on paths inside the root file system, which the container's root
 * controls). The service passes it for callers that are root.
 *
 * liblxc never writes a root file system here: clone always gets
 * LXC_CLONE_KEEPNAME, rename and restore are done as liblxc does them but
 * with it too, and then set_new_name() sets lxc.uts.name and writes the new
 * name into the root file system's etc/hostname itself, never following a
 * link (lxcd-rootfs.c).
 *
 * A new container (clone, rename, restore) gets a "partial" file in its
 * directory while it is being made, as liblxc's create does, so nobody
 * lists it before it is complete, even if this process is killed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lxc/lxccontainer.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lxcd-helper.h"
#include "lxcd-rootfs.h"

/* --allow-clone-hooks was given (the caller is root) */
bool lxcd_helper_allow_clone_hooks;

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
  char dir[LXCD_HELPER_PATH_MAX];
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
  if (lxcd_helper_allow_clone_hooks || c->get_config_item (c, "lxc.hook.clone", NULL, 0) <= 0)
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
  char rootfs[LXCD_HELPER_PATH_MAX];
  char why[LXCD_HELPER_TEXT_MAX] = "";
  char *config;
  int n;

  if (!c2->clear_config_item (c2, "lxc.uts.name") ||
      !c2->set_config_item (c2, "lxc.uts.name", newname) || !c2->save_config (c2, NULL))
    {
      lxcd_helper_report (c2, "Failed to set lxc.uts.name of container", newname);
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
  char path[LXCD_HELPER_PATH_BUF];
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

/* clone LXCPATH NAME NEWLXCPATH NEWNAME FLAGS BDEVTYPE BDEVDATA NEWSIZE [HOOK-ARG...] */
int
lxcd_helper_op_clone (int argc, char **argv)
{
  struct lxc_container *c, *c2;
  char marker[LXCD_HELPER_PATH_BUF];
  unsigned long long flags, newsize;
  bool ok1, ok2;
  int rc;

  if (argc < 9)
    return LXCD_HELPER_USAGE;
  flags = lxcd_helper_parse_size (argv[5], &ok1);
  newsize = lxcd_helper_parse_size (argv[8], &ok2);
  if (!ok1 || !ok2 || flags > INT_MAX)
    return LXCD_HELPER_USAGE;
  c = lxcd_helper_open_defined (argv[1], argv[2], &rc);
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
      lxcd_helper_report (c, "Failed to clone container", argv[2]);
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
  char marker[LXCD_HELPER_PATH_BUF];
  char rootfs[LXCD_HELPER_PATH_MAX];
  const char *type;
  int n, rc;

  c = lxcd_helper_open_defined (lxcpath, name, &rc);
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
      lxcd_helper_report (c, "Failed to rename container", name);
      lxc_container_put (c);
      return LXCD_HELPER_FAILED;
    }
  rc = set_new_name (c2, newname);
  if (rc != LXCD_HELPER_DONE)
    c2->destroy (c2);
  else if (!c->destroy (c))
    {
      lxcd_helper_report (c, "Could not destroy the renamed container's old copy", name);
      rc = LXCD_HELPER_FAILED;
    }
  else
    unlink (marker);
  lxc_container_put (c2);
  lxc_container_put (c);
  return rc;
}

/* snapshot LXCPATH NAME: the comment on stdin; prints the snapshot's name. */
int
lxcd_helper_op_snapshot (int argc, char **argv)
{
  const char *lxcpath = argv[1];
  const char *name = argv[2];
  char comment_path[] = "/tmp/lxc-dbus-comment-XXXXXX";
  char buf[LXCD_HELPER_IO_CHUNK];
  struct lxc_container *c;
  ssize_t n;
  size_t total = 0;
  int fd, idx, rc;

  c = lxcd_helper_open_defined (lxcpath, name, &rc);
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
      lxcd_helper_report (c, "Failed to snapshot container", name);
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
  char aside[LXCD_HELPER_PATH_BUF];
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
      lxcd_helper_report (c, "Could not destroy existing container", name);
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
  char marker[LXCD_HELPER_PATH_BUF] = "";
  char snapdir[LXCD_HELPER_PATH_BUF];
  char rootfs[LXCD_HELPER_PATH_MAX];
  const char *type;
  bool found = false;
  bool same = strcmp (name, newname) == 0;
  bool old_layout;
  int flags = LXC_CLONE_KEEPNAME;
  int n, rc;

  c = lxcd_helper_open_defined (lxcpath, name, &rc);
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
      lxcd_helper_report (snap, "Failed to restore snapshot of container", name);
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

/* rename LXCPATH NAME NEWNAME */
int
lxcd_helper_op_rename (int argc, char **argv)
{
  return do_rename (argv[1], argv[2], argv[3]);
}

/* restore LXCPATH NAME SNAPSHOT NEWNAME */
int
lxcd_helper_op_restore (int argc, char **argv)
{
  return do_restore (argv[1], argv[2], argv[3], argv[4]);
}
