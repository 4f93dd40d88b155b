/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus-helper: mount, umount (Container.Mount and Unmount)
 *
 * liblxc's mount() and umount() of a running container; both fork a child
 * that enters the container's mount namespace, so they run here, in a
 * child of the fork server, never in the service.
 *
 * liblxc 5.0's mount() mounts the source on a temporary directory under
 * the container's shared mount point (lxc.mount.auto shmounts:HOST[:CONT]),
 * which propagates into the container, then moves it to the target inside
 * (creating a missing target); a container without shmounts gets -EINVAL
 * and "Host path to shared mountpoint must be specified in the config":
 * LXCD_HELPER_NOT_SUPPORTED. It passes the flags to mount(2) as they are,
 * and the kernel ignores MS_RDONLY, MS_NOSUID, MS_NODEV and MS_NOEXEC on a
 * new bind mount; so for a bind with any of them the source is first
 * cloned into a detached mount (open_tree()), given those attributes
 * (mount_setattr()) and attached at a private staging point, and liblxc
 * binds that: every copy of it, in the container too, has the flags from
 * the start (a remount afterwards would leave the container a moment with
 * a writable mount, and would not reach the copies propagation made).
 * The staging mount is detached and removed once liblxc is done.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lxcd-helper.h"

/* Where bind mounts with attributes are staged (root's, on the host). */
#define MOUNT_STAGE_TEMPLATE "/run/lxc-dbus-mount-XXXXXX"

/* A staging point for @source: a directory, or a file for anything else
 * (as liblxc makes its own); @path gets its name. */
static bool
make_stage (const char *source, char *path, size_t size, bool *is_dir)
{
  struct stat st;
  int fd;

  if (stat (source, &st) < 0)
    {
      fprintf (stderr, "Source '%s': %s\n", source, strerror (errno));
      return false;
    }
  snprintf (path, size, "%s", MOUNT_STAGE_TEMPLATE);
  *is_dir = S_ISDIR (st.st_mode);
  if (*is_dir)
    {
      if (mkdtemp (path) != NULL)
        return true;
      fprintf (stderr, "mkdtemp: %s\n", strerror (errno));
      return false;
    }
  fd = mkostemp (path, O_CLOEXEC);
  if (fd < 0)
    {
      fprintf (stderr, "mkostemp: %s\n", strerror (errno));
      return false;
    }
  close (fd);
  return true;
}

/* A detached copy of @source (its submounts too if @recursive) with
 * @attr, attached at @stage. */
static bool
stage_bind (const char *source, const char *stage, bool recursive, unsigned long long attr)
{
  struct mount_attr ma = { .attr_set = attr };
  int fd;
  bool ok = false;

  fd = open_tree (AT_FDCWD, source,
                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  if (fd < 0)
    {
      fprintf (stderr, "open_tree '%s': %s\n", source, strerror (errno));
      return false;
    }
  if (mount_setattr (fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &ma, sizeof ma) < 0)
    fprintf (stderr, "mount_setattr '%s': %s\n", source, strerror (errno));
  else if (move_mount (fd, "", AT_FDCWD, stage, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    fprintf (stderr, "move_mount '%s': %s\n", stage, strerror (errno));
  else
    ok = true;
  close (fd);
  return ok;
}

/* mount LXCPATH NAME SOURCE TARGET FSTYPE FLAGS DATA
 * FSTYPE "-": a bind mount; FLAGS: letters R (recursive), r (read-only),
 * s (nosuid), d (nodev), x (noexec), D (DATA is given), or "-" */
int
lxcd_helper_op_mount (int argc, char **argv)
{
  const char *name = argv[2];
  const char *source = argv[3];
  const char *target = argv[4];
  const char *fstype = strcmp (argv[5], "-") ? argv[5] : NULL;
  const char *letters = argv[6];
  const char *data = strchr (letters, 'D') ? argv[7] : NULL;
  static const struct {
    char letter;
    unsigned long flag;
    unsigned long long attr;
  } attrs[] = {
    { 'r', MS_RDONLY, MOUNT_ATTR_RDONLY },
    { 's', MS_NOSUID, MOUNT_ATTR_NOSUID },
    { 'd', MS_NODEV, MOUNT_ATTR_NODEV },
    { 'x', MS_NOEXEC, MOUNT_ATTR_NOEXEC },
  };
  struct lxc_mount mnt = { .version = LXC_MOUNT_API_V1 };
  unsigned long flags = 0;
  unsigned long long attr = 0;
  char stage[sizeof MOUNT_STAGE_TEMPLATE];
  bool staged = false, stage_is_dir = false;
  struct lxc_container *c;
  int rc, ret;

  (void) argc;
  if (strspn (letters, "-RrsdxD") != strlen (letters))
    {
      fprintf (stderr, "Unknown mount flags '%s'\n", letters);
      return LXCD_HELPER_USAGE;
    }
  for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
    {
      if (strchr (letters, attrs[i].letter))
        {
          flags |= attrs[i].flag;
          attr |= attrs[i].attr;
        }
    }
  if (fstype == NULL)
    {
      /* the kernel ignores the others on a new bind: they go on the
       * staged mount instead */
      flags = MS_BIND | (strchr (letters, 'R') ? MS_REC : 0);
      data = NULL;
    }

  c = lxcd_helper_open_running (argv[1], name, &rc);
  if (c == NULL)
    return rc;

  if (fstype == NULL && attr != 0)
    {
      if (!make_stage (source, stage, sizeof stage, &stage_is_dir))
        {
          lxc_container_put (c);
          return LXCD_HELPER_FAILED;
        }
      staged = stage_bind (source, stage, strchr (letters, 'R') != NULL, attr);
      if (!staged)
        {
          (void) (stage_is_dir ? rmdir (stage) : unlink (stage));
          lxc_container_put (c);
          return LXCD_HELPER_FAILED;
        }
      source = stage;
    }

  ret = c->mount (c, source, target, fstype ? fstype : "", flags, data, &mnt);
  if (ret == -EINVAL)
    {
      fprintf (stderr,
               "liblxc cannot mount into container '%s': it mounts through a shared "
               "mount point, which needs lxc.mount.auto = shmounts:HOST-PATH[:PATH] "
               "(HOST-PATH a mount with shared propagation) when the container starts\n",
               name);
      rc = LXCD_HELPER_NOT_SUPPORTED;
    }
  else if (ret != 0)
    {
      lxcd_helper_report (c, "liblxc could not mount into container", name);
      rc = LXCD_HELPER_FAILED;
    }
  if (staged)
    {
      if (umount2 (stage, MNT_DETACH) < 0)
        fprintf (stderr, "warning: umount '%s': %s\n", stage, strerror (errno));
      (void) (stage_is_dir ? rmdir (stage) : unlink (stage));
    }
  lxc_container_put (c);
  return rc;
}

/* umount LXCPATH NAME TARGET FLAGS   (FLAGS: l (lazy) or "-") */
int
lxcd_helper_op_umount (int argc, char **argv)
{
  const char *name = argv[2];
  struct lxc_mount mnt = { .version = LXC_MOUNT_API_V1 };
  struct lxc_container *c;
  int rc;

  (void) argc;
  if (strcmp (argv[4], "l") != 0 && strcmp (argv[4], "-") != 0)
    {
      fprintf (stderr, "Unknown umount flags '%s'\n", argv[4]);
      return LXCD_HELPER_USAGE;
    }
  c = lxcd_helper_open_running (argv[1], name, &rc);
  if (c == NULL)
    return rc;
  if (c->umount (c, argv[3], strcmp (argv[4], "l") == 0 ? MNT_DETACH : 0, &mnt) != 0)
    {
      lxcd_helper_report (c, "liblxc could not unmount in container", name);
      rc = LXCD_HELPER_FAILED;
    }
  lxc_container_put (c);
  return rc;
}
