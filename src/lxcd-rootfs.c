/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: writing into (and reading from) a container's root file
 * system as host root without following anything the container controls
 * out of it.
 *
 * Whoever is root inside a container can replace any file of its root file
 * system with a symbolic link (etc/hostname -> /etc/shadow), make etc a
 * link to a host directory, or put a FIFO or a device where a file is
 * expected. Host root must never follow such a path out of the root file
 * system. So every path inside a root file system is resolved by the
 * kernel with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV) from a descriptor of the root
 * file system's directory: any symbolic link, magic link or mount point on
 * the way makes the lookup fail, and we then leave the file alone.
 *
 * Only existing regular files are written (as liblxc, which skips a missing
 * etc/hostname); an overlay's upper layer gets a copy of the lower layer's
 * file, as the kernel's copy-up would make.
 *
 * Reading (Container.GetOSRelease, in the daemon's worker threads) follows
 * links as the container would, but only inside it: RESOLVE_IN_ROOT makes
 * "/" and ".." of every link the root file system's (lxcd_rootfs_read_at()).
 */
#include "config.h"

#include "lxcd-rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define RESOLVE_CONFINED \
  (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

static void __attribute__ ((format (printf, 3, 4)))
say (char *why, size_t why_size, const char *format, ...)
{
  va_list ap;

  if (why == NULL || why_size == 0)
    return;
  va_start (ap, format);
  vsnprintf (why, why_size, format, ap);
  va_end (ap);
}

/* openat2() of @path below @dirfd, never leaving it and never following a
 * link. Retries what the kernel reports as a concurrent rename (EAGAIN). */
static int
open_confined (int dirfd, const char *path, int flags)
{
  struct open_how how;
  long fd;
  int tries = 0;

  memset (&how, 0, sizeof how);
  how.flags = (uint64_t) (unsigned) flags;
  how.resolve = RESOLVE_CONFINED;
  do
    fd = syscall (SYS_openat2, dirfd, path, &how, sizeof how);
  while (fd < 0 && (errno == EINTR || (errno == EAGAIN && ++tries < 16)));
  return (int) fd;
}

/* A directory given by the service's own configuration (the rootfs path or
 * an overlay layer): its last component must not be a link either. */
static int
open_dir (const char *path)
{
  return open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Why a confined lookup of @what failed, for the skip message. */
static LxcdRootfsResult
skip_errno (char *why, size_t why_size, const char *what, int err)
{
  switch (err)
    {
    case ENOENT:
      say (why, why_size, "%s does not exist", what);
      break;
    case ELOOP:
      say (why, why_size, "%s is or goes through a symbolic link", what);
      break;
    case EXDEV:
      say (why, why_size, "%s crosses a mount point", what);
      break;
    case ENOTDIR:
      say (why, why_size, "%s goes through something that is not a directory", what);
      break;
    case ENXIO:
    case EWOULDBLOCK:
      say (why, why_size, "%s is a FIFO, socket or device", what);
      break;
    default:
      say (why, why_size, "%s cannot be opened: %s", what, strerror (err));
      break;
    }
  return LXCD_ROOTFS_SKIPPED;
}

/* The type (S_IFMT bits) of what @path names below @dirfd, without
 * following links; 0 with errno set if the lookup fails. */
static mode_t
confined_type (int dirfd, const char *path, struct stat *st)
{
  int fd = open_confined (dirfd, path, O_PATH | O_CLOEXEC);
  int err;

  if (fd < 0)
    return 0;
  if (fstat (fd, st) < 0)
    {
      err = errno;
      close (fd);
      errno = err;
      return 0;
    }
  close (fd);
  return st->st_mode & S_IFMT;
}

/* Replaces the contents of the regular file @fd by @name (liblxc writes
 * the bare name, no newline). Closes @fd. */
static LxcdRootfsResult
write_name (int fd, const char *name, char *why, size_t why_size)
{
  size_t len = strlen (name);
  size_t done = 0;

  if (ftruncate (fd, 0) < 0)
    goto fail;
  while (done < len)
    {
      ssize_t n = write (fd, name + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail;
      done += (size_t) n;
    }
  if (close (fd) < 0)
    {
      say (why, why_size, "writing etc/hostname failed: %s", strerror (errno));
      return LXCD_ROOTFS_FAILED;
    }
  return LXCD_ROOTFS_WRITTEN;

fail:
  say (why, why_size, "writing etc/hostname failed: %s", strerror (errno));
  close (fd);
  return LXCD_ROOTFS_FAILED;
}

/* Writes @name into the existing regular file @path below @dirfd. */
static LxcdRootfsResult
write_existing (int dirfd, const char *path, const char *name, char *why, size_t why_size)
{
  struct stat st;
  mode_t type;
  int fd;

  /* First look without opening it for writing: opening a device may do
   * something by itself. */
  type = confined_type (dirfd, path, &st);
  if (type == 0)
    return skip_errno (why, why_size, path, errno);
  if (type != S_IFREG)
    {
      say (why, why_size, "%s is not a regular file", path);
      return LXCD_ROOTFS_SKIPPED;
    }
  /* No O_TRUNC: nothing is cut before we know what was opened (the file
   * may have been swapped since the look). A FIFO without a reader fails
   * at once (O_NONBLOCK). */
  fd = open_confined (dirfd, path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return skip_errno (why, why_size, path, errno);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      say (why, why_size, "%s is not a regular file", path);
      return LXCD_ROOTFS_SKIPPED;
    }
  return write_name (fd, name, why, why_size);
}

/**
 * lxcd_rootfs_write_hostname_at:
 * @rootfs_dirfd: an open directory: the root of the root file system
 * @name: the new host name
 * @why: (out): the reason of a skip or failure
 *
 * Writes @name into @rootfs_dirfd's etc/hostname if that is an existing
 * regular file reached without any link or mount point. Blocks.
 */
LxcdRootfsResult
lxcd_rootfs_write_hostname_at (int rootfs_dirfd, const char *name, char *why, size_t why_size)
{
  return write_existing (rootfs_dirfd, "etc/hostname", name, why, why_size);
}

/* Is the overlay directory @fd opaque (the lower layers are not looked at
 * below it)? */
static bool
is_opaque (int fd)
{
  static const char *const names[] = { "trusted.overlay.opaque", "user.overlay.opaque" };
  char value[4];

  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    {
      ssize_t n = fgetxattr (fd, names[i], value, sizeof value);
      if (n >= 1 && value[0] == 'y')
        return true;
    }
  return false;
}

/* Gives @fd (made in the upper layer) @st's owner and permissions. */
static bool
copy_owner_and_mode (int fd, const struct stat *st, const char *what, char *why, size_t why_size)
{
  if (fchown (fd, st->st_uid, st->st_gid) < 0 || fchmod (fd, st->st_mode & 07777) < 0)
    {
      say (why, why_size, "cannot set up %s in the upper layer: %s", what, strerror (errno));
      return false;
    }
  return true;
}

static LxcdRootfsResult
write_overlay_fds (int lowerfd, int upperfd, const char *name, char *why, size_t why_size)
{
  LxcdRootfsResult result;
  struct stat st, lower_etc, lower_file;
  mode_t type;
  int uetc = -1;
  int fd;

  /* The merged view's etc/hostname: the upper layer's if it has one... */
  type = confined_type (upperfd, "etc", &st);
  if (type == 0 && errno != ENOENT)
    return skip_errno (why, why_size, "etc (upper layer)", errno);
  if (type != 0)
    {
      if (type != S_IFDIR)
        {
          say (why, why_size, "etc in the upper layer is not a directory");
          return LXCD_ROOTFS_SKIPPED;
        }
      uetc = open_confined (upperfd, "etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (uetc < 0)
        return skip_errno (why, why_size, "etc (upper layer)", errno);
      type = confined_type (uetc, "hostname", &st);
      if (type == S_IFREG)
        {
          result = write_existing (uetc, "hostname", name, why, why_size);
          close (uetc);
          return result;
        }
      if (type != 0 || errno != ENOENT)
        {
          /* A whiteout (the file is deleted), a FIFO, ... */
          close (uetc);
          if (type != 0)
            {
              say (why, why_size, "etc/hostname in the upper layer is not a regular file");
              return LXCD_ROOTFS_SKIPPED;
            }
          return skip_errno (why, why_size, "etc/hostname (upper layer)", errno);
        }
      if (is_opaque (uetc))
        {
          close (uetc);
          say (why, why_size, "etc/hostname does not exist (opaque etc in the upper layer)");
          return LXCD_ROOTFS_SKIPPED;
        }
    }

  /* ...else the lower layer's, reached without links there either. */
  type = confined_type (lowerfd, "etc", &lower_etc);
  if (type == S_IFDIR)
    type = confined_type (lowerfd, "etc/hostname", &lower_file);
  else if (type != 0)
    type = S_IFDIR; /* etc itself is not a directory: not a regular file either */
  if (type != S_IFREG)
    {
      int err = errno;
      if (uetc >= 0)
        close (uetc);
      if (type != 0)
        {
          say (why, why_size, "etc/hostname in the lower layer is not a regular file");
          return LXCD_ROOTFS_SKIPPED;
        }
      return skip_errno (why, why_size, "etc/hostname (lower layer)", err);
    }

  /* Copy it up: etc and the file as the lower layer has them. */
  if (uetc < 0)
    {
      if (mkdirat (upperfd, "etc", 0700) < 0)
        return skip_errno (why, why_size, "etc (upper layer)", errno);
      uetc = open_confined (upperfd, "etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (uetc < 0)
        return skip_errno (why, why_size, "etc (upper layer)", errno);
      if (!copy_owner_and_mode (uetc, &lower_etc, "etc", why, why_size))
        {
          close (uetc);
          return LXCD_ROOTFS_FAILED;
        }
    }
  fd = openat (uetc, "hostname", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
               0600);
  close (uetc);
  if (fd < 0)
    return skip_errno (why, why_size, "etc/hostname (upper layer)", errno);
  if (!copy_owner_and_mode (fd, &lower_file, "etc/hostname", why, why_size))
    {
      close (fd);
      return LXCD_ROOTFS_FAILED;
    }
  return write_name (fd, name, why, why_size);
}

/**
 * lxcd_rootfs_write_hostname_overlay:
 * @lower: the overlay's (single) lower directory
 * @upper: its upper directory
 * @name: the new host name
 * @why: (out): the reason of a skip or failure
 *
 * Writes @name into the upper layer's etc/hostname if the merged view has
 * a regular etc/hostname reached without links in either layer: the upper
 * layer's own file, or a new copy of the lower one's (same owner and mode,
 * etc made like the lower one's if missing). Blocks.
 */
LxcdRootfsResult
lxcd_rootfs_write_hostname_overlay (const char *lower, const char *upper, const char *name,
                                    char *why, size_t why_size)
{
  LxcdRootfsResult result;
  int lowerfd, upperfd;

  lowerfd = open_dir (lower);
  if (lowerfd < 0)
    return skip_errno (why, why_size, "the overlay's lower directory", errno);
  upperfd = open_dir (upper);
  if (upperfd < 0)
    {
      int err = errno;
      close (lowerfd);
      return skip_errno (why, why_size, "the overlay's upper directory", err);
    }
  result = write_overlay_fds (lowerfd, upperfd, name, why, why_size);
  close (lowerfd);
  close (upperfd);
  return result;
}

/**
 * lxcd_rootfs_backend:
 * @rootfs_path: a container's lxc.rootfs.path
 *
 * Returns: the backing store type liblxc 5.0 finds for @rootfs_path (by its
 * "type:" prefix, else by what the path is: a directory is "dir", a block
 * device "lvm", a regular file "loop"), or %NULL if none. Blocks (stat).
 */
const char *
lxcd_rootfs_backend (const char *rootfs_path)
{
  /* liblxc's table, in its order */
  static const char *const types[] = {
    "dir", "zfs", "lvm", "rbd", "btrfs", "overlay", "overlayfs", "loop", "nbd",
  };
  size_t len = strcspn (rootfs_path, ":");
  struct stat st;

  if (rootfs_path[len] == ':')
    {
      for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        {
          if (strlen (types[i]) == len && strncmp (types[i], rootfs_path, len) == 0)
            return types[i];
        }
    }
  if (strncmp (rootfs_path, "/dev/rbd/", 9) == 0)
    return "rbd";
  if (stat (rootfs_path, &st) < 0)
    return NULL;
  if (S_ISDIR (st.st_mode))
    return "dir";
  if (S_ISBLK (st.st_mode))
    return "lvm";
  if (S_ISREG (st.st_mode))
    return "loop";
  return NULL;
}

/* Splits the overlay @rootfs_path ("overlay:LOWER:UPPER", @type being its
 * prefix) into @buf (LOWER) and *@upper (pointing into @buf). One lower
 * directory only. */
static bool
split_overlay (const char *rootfs_path, const char *type, char *buf, size_t size,
               const char **upper_out, char *why, size_t why_size)
{
  const char *rest = rootfs_path + strlen (type) + 1;
  char *upper, *p;

  if (strlen (rest) >= size)
    {
      say (why, why_size, "the overlay's path is too long");
      return false;
    }
  strcpy (buf, rest);
  /* LOWER:UPPER, UPPER after the last ":/" (as liblxc parses it) */
  upper = NULL;
  for (p = strstr (buf, ":/"); p; p = strstr (p + 1, ":/"))
    upper = p;
  if (upper == NULL || upper == buf)
    {
      say (why, why_size, "the overlay %s has no lower and upper directory", rootfs_path);
      return false;
    }
  *upper++ = '\0';
  if (strstr (buf, ":/") != NULL)
    {
      say (why, why_size, "the overlay %s has more than one lower directory", rootfs_path);
      return false;
    }
  *upper_out = upper;
  return true;
}

/**
 * lxcd_rootfs_write_hostname:
 * @rootfs_path: a stopped container's lxc.rootfs.path
 * @name: the new host name
 * @why: (out): the reason of a skip or failure
 *
 * Writes @name into the root file system's etc/hostname, safely (see
 * lxcd_rootfs_write_hostname_at()), for "dir" and "btrfs" paths and
 * overlays with one lower directory. Other backing stores (block devices,
 * zfs, rbd, ...) are skipped: they would have to be mounted. Blocks.
 */
LxcdRootfsResult
lxcd_rootfs_write_hostname (const char *rootfs_path, const char *name, char *why, size_t why_size)
{
  const char *type = lxcd_rootfs_backend (rootfs_path);
  LxcdRootfsResult result;
  int fd;

  if (type == NULL)
    {
      say (why, why_size, "the root file system %s is of unknown type", rootfs_path);
      return LXCD_ROOTFS_SKIPPED;
    }
  if (strcmp (type, "dir") == 0 || strcmp (type, "btrfs") == 0)
    {
      const char *path = rootfs_path;
      if (strncmp (path, "dir:", 4) == 0)
        path += 4;
      else if (strncmp (path, "btrfs:", 6) == 0)
        path += 6;
      fd = open_dir (path);
      if (fd < 0)
        return skip_errno (why, why_size, "the root file system", errno);
      result = lxcd_rootfs_write_hostname_at (fd, name, why, why_size);
      close (fd);
      return result;
    }
  if (strcmp (type, "overlay") == 0 || strcmp (type, "overlayfs") == 0)
    {
      char buf[8192];
      const char *upper;

      if (!split_overlay (rootfs_path, type, buf, sizeof buf, &upper, why, why_size))
        return LXCD_ROOTFS_SKIPPED;
      return lxcd_rootfs_write_hostname_overlay (buf, upper, name, why, why_size);
    }
  say (why, why_size, "the root file system is on %s, which would have to be mounted", type);
  return LXCD_ROOTFS_SKIPPED;
}

/**
 * lxcd_rootfs_config_key:
 * @config_path: a container's config file
 * @key: a config key
 * @value: (out) (optional): the value of the last line setting @key, blanks
 *   trimmed ("" if none)
 *
 * Reads the config file as written (liblxc's getter of lxc.rootfs.path
 * drops the "type:" prefix that says which backing store it is).
 *
 * Returns: how many lines of @config_path set @key, or -1 if it cannot be
 * read. Blocks.
 */
int
lxcd_rootfs_config_key (const char *config_path, const char *key, char *value, size_t size)
{
  FILE *f = fopen (config_path, "re");
  char line[8192];
  size_t len = strlen (key);
  int count = 0;

  if (value && size > 0)
    value[0] = '\0';
  if (f == NULL)
    return -1;
  while (fgets (line, sizeof line, f))
    {
      const char *p = line + strspn (line, " \t");
      if (strncmp (p, key, len) != 0)
        continue;
      p += len;
      p += strspn (p, " \t");
      if (*p != '=')
        continue;
      count++;
      if (value && size > 0)
        {
          size_t n;
          p++;
          p += strspn (p, " \t");
          n = strcspn (p, "\r\n");
          while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
          if (n >= size)
            n = size - 1;
          memcpy (value, p, n);
          value[n] = '\0';
        }
    }
  fclose (f);
  return count;
}

/* ---- reading a file of a root file system --------------------------------- */

/* Links are followed as the container would follow them: an absolute link
 * or ".." stays inside the root (RESOLVE_IN_ROOT). Magic links and mount
 * points are refused. */
#define RESOLVE_READ (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

/**
 * lxcd_rootfs_read_at:
 * @rootfs_dirfd: an open directory: the root of the root file system
 * @path: a relative path below it
 * @buf: where the contents go (not NUL-terminated)
 * @size: the most that is read; a larger file is refused
 * @out_len: (out): how many bytes were read
 *
 * Reads the regular file @path of the root file system, with every link on
 * the way resolved inside @rootfs_dirfd, whatever it says: nothing outside
 * is ever opened. The file is looked at before it is opened (O_PATH) and
 * the very inode looked at is opened, so a FIFO, socket or device is never
 * opened, even if the container swaps files meanwhile. Blocks.
 *
 * Returns: 0, or a negative errno: -ENOENT (no such file), -ENXIO (not a
 * regular file), -EFBIG (larger than @size), -ELOOP (too many links),
 * -EXDEV (through a mount point), ...
 */
int
lxcd_rootfs_read_at (int rootfs_dirfd, const char *path, char *buf, size_t size, size_t *out_len)
{
  struct open_how how;
  struct stat st;
  char proc_path[64];
  long pathfd;
  int fd, err, tries = 0;
  size_t done = 0;

  *out_len = 0;
  memset (&how, 0, sizeof how);
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_READ;
  do
    pathfd = syscall (SYS_openat2, rootfs_dirfd, path, &how, sizeof how);
  while (pathfd < 0 && (errno == EINTR || (errno == EAGAIN && ++tries < 16)));
  if (pathfd < 0)
    return -errno;
  if (fstat ((int) pathfd, &st) < 0)
    {
      err = errno;
      close ((int) pathfd);
      return -err;
    }
  if (!S_ISREG (st.st_mode))
    {
      close ((int) pathfd);
      return -ENXIO;
    }
  if ((size_t) st.st_size > size)
    {
      close ((int) pathfd);
      return -EFBIG;
    }
  /* The inode looked at, opened through its descriptor: not what the path
   * names now. */
  snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", (int) pathfd);
  fd = open (proc_path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  err = errno;
  close ((int) pathfd);
  if (fd < 0)
    return -err;
  /* (the size seen may change meanwhile: read at most @size, then check
   * that nothing follows) */
  for (;;)
    {
      char extra;
      ssize_t n;

      if (done == size)
        n = read (fd, &extra, 1);
      else
        n = read (fd, buf + done, size - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          err = errno;
          close (fd);
          return -err;
        }
      if (n == 0)
        break;
      if (done == size)
        {
          close (fd);
          return -EFBIG;
        }
      done += (size_t) n;
    }
  close (fd);
  *out_len = done;
  return 0;
}

/* The type (S_IFMT bits) of @path itself below @dirfd (a link is not
 * followed at the end; earlier ones inside only), and its device number:
 * 0 if it does not exist. */
static mode_t
entry_type (int dirfd, const char *path, dev_t *rdev)
{
  struct stat st;
  struct open_how how;
  long fd;

  memset (&how, 0, sizeof how);
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_READ;
  fd = syscall (SYS_openat2, dirfd, path, &how, sizeof how);
  if (fd < 0)
    return 0;
  if (fstat ((int) fd, &st) < 0)
    st.st_mode = 0;
  close ((int) fd);
  *rdev = st.st_rdev;
  return st.st_mode & S_IFMT;
}

/* os-release(5): /etc/os-release, else /usr/lib/os-release */
static const char *const os_release_paths[] = { "etc/os-release", "usr/lib/os-release" };

static int
read_os_release_dir (const char *dir, char *buf, size_t size, size_t *out_len)
{
  int dirfd = open_dir (dir);
  int ret = -ENOENT;

  if (dirfd < 0)
    return -errno;
  for (size_t i = 0; i < sizeof os_release_paths / sizeof os_release_paths[0]; i++)
    {
      ret = lxcd_rootfs_read_at (dirfd, os_release_paths[i], buf, size, out_len);
      if (ret != -ENOENT)
        break;
    }
  close (dirfd);
  return ret;
}

static int
read_os_release_overlay (const char *lower, const char *upper, char *buf, size_t size,
                         size_t *out_len)
{
  int lowerfd, upperfd;
  int ret = -ENOENT;

  lowerfd = open_dir (lower);
  if (lowerfd < 0)
    return -errno;
  upperfd = open_dir (upper);
  if (upperfd < 0)
    {
      ret = -errno;
      close (lowerfd);
      return ret;
    }
  for (size_t i = 0; i < sizeof os_release_paths / sizeof os_release_paths[0]; i++)
    {
      const char *path = os_release_paths[i];

      dev_t rdev = 0;
      mode_t type = entry_type (upperfd, path, &rdev);

      /* the upper layer's entry if it has one (a whiteout, a character
       * device 0:0, deletes the file; a link is resolved in the upper
       * layer), else the lower one's */
      if (type == S_IFCHR && rdev == 0)
        ret = -ENOENT;
      else if (type != 0)
        ret = lxcd_rootfs_read_at (upperfd, path, buf, size, out_len);
      else
        ret = lxcd_rootfs_read_at (lowerfd, path, buf, size, out_len);
      if (ret != -ENOENT)
        break;
    }
  close (lowerfd);
  close (upperfd);
  return ret;
}

/**
 * lxcd_rootfs_read_os_release:
 * @rootfs_path: a container's lxc.rootfs.path as its config file has it
 * @buf: where the contents go (not NUL-terminated)
 * @size: the most that is read
 * @out_len: (out): how many bytes were read
 *
 * Reads the root file system's etc/os-release, else usr/lib/os-release,
 * each with lxcd_rootfs_read_at(): links followed inside the root file
 * system only. "dir" and "btrfs" paths are read as the directory; an
 * overlay with one lower directory layer by layer (the upper layer's file,
 * else the lower one's unless the upper layer has a whiteout there; a link
 * is resolved in the layer that holds it). Blocks.
 *
 * Returns: 0, a negative errno as lxcd_rootfs_read_at() (-ENOENT: neither
 * file), or -EOPNOTSUPP for a root file system that would have to be
 * mounted (block devices, zfs, rbd, ...) or is of unknown type.
 */
int
lxcd_rootfs_read_os_release (const char *rootfs_path, char *buf, size_t size, size_t *out_len)
{
  const char *type = lxcd_rootfs_backend (rootfs_path);

  *out_len = 0;
  if (type == NULL)
    return -EOPNOTSUPP;
  if (strcmp (type, "dir") == 0 || strcmp (type, "btrfs") == 0)
    {
      const char *path = rootfs_path;
      if (strncmp (path, "dir:", 4) == 0)
        path += 4;
      else if (strncmp (path, "btrfs:", 6) == 0)
        path += 6;
      return read_os_release_dir (path, buf, size, out_len);
    }
  if (strcmp (type, "overlay") == 0 || strcmp (type, "overlayfs") == 0)
    {
      char layers[8192];
      const char *upper;

      if (!split_overlay (rootfs_path, type, layers, sizeof layers, &upper, NULL, 0))
        return -EOPNOTSUPP;
      return read_os_release_overlay (layers, upper, buf, size, out_len);
    }
  return -EOPNOTSUPP;
}
