/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus-helper copy-to, copy-from: a file into or out of a running
 * container (Container.CopyTo, CopyFrom).
 *
 *   copy-to LXCPATH NAME PATH MODE UID GID FLAGS MAXSIZE   (stdin: the data)
 *   copy-from LXCPATH NAME PATH MAXSIZE                    (stdout: the data)
 *
 * FLAGS: 'p' create missing parent directories, 'r' replace an existing
 * file, or '-'. MODE, UID, GID, MAXSIZE are decimal; UID and GID are ids
 * inside the container. The one report line goes to fd 3
 * (LXCD_FILES_REPORT_DONE or LXCD_RUN_REPORT_ERROR, lxcd-helper-proto.h).
 *
 * The copy runs in a process that liblxc's attach() put in every
 * namespace of the container (user, mount, pid, ...), its cgroup, its
 * capability bound and LSM profile, as root of the container: the path is
 * resolved in the container's mount namespace from its root directory,
 * where a link the container planted resolves inside the container, as it
 * does for the container's own programs. On top of that:
 *   - that process keeps only the caller's descriptor and a result pipe
 *     (close_range() of everything else: no descriptor liblxc or we held,
 *     nor our report channel, is reachable from the container);
 *   - every component is opened with openat2(RESOLVE_NO_MAGICLINKS): no
 *     /proc/PID/fd or /proc/PID/root link is followed;
 *   - copy-to writes a new file created with O_CREAT | O_EXCL | O_NOFOLLOW
 *     next to PATH, sets its owner and mode, and renames it onto PATH: a
 *     link at PATH is replaced, never written through;
 *   - copy-from looks at PATH with O_PATH | O_NOFOLLOW first and refuses
 *     anything but a regular file (no FIFO that blocks, no endless
 *     device), then opens it O_NOFOLLOW | O_NONBLOCK and checks it is the
 *     same file; at most MAXSIZE bytes are copied.
 * The attached process only tells us what happened (a line on the result
 * pipe); we check its form before passing it on, since root in the
 * container can tamper with a process in its namespaces.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lxcd-helper.h"

/* One read or write of the copy. */
#define COPY_CHUNK (128 * 1024)
/* The result line of the attached process, at most. */
#define RESULT_MAX 512
/* The attached process reported an error (its line says which). */
#define ATTACHED_REPORTED 100
/* Tries at a free temporary name. */
#define TEMP_TRIES 64

typedef struct {
  const char *path;
  unsigned int mode;
  uid_t uid;
  gid_t gid;
  bool create_parents;
  bool replace;
  unsigned long long max_size;
  int result_fd;
} Copy;

static int
sys_openat2 (int dirfd, const char *path, int flags, unsigned long long resolve)
{
  struct open_how how = { .flags = (unsigned long long) flags, .mode = 0, .resolve = resolve };
  int fd = (int) syscall (SYS_openat2, dirfd, path, &how, sizeof how);

  /* (kernels before 5.6: plain openat, which the mount namespace alone
   * keeps inside the container) */
  if (fd < 0 && errno == ENOSYS)
    fd = openat (dirfd, path, flags);
  return fd;
}

/* In the attached process: the exit status that goes with @errsv, as the
 * daemon maps it to an error. */
static int
code_of_errno (int errsv)
{
  switch (errsv)
    {
    case ENOENT:
    case ENOTDIR:
      return LXCD_HELPER_NOT_FOUND;
    case EEXIST:
    case ENOTEMPTY:
      return LXCD_HELPER_EXISTS;
    case EISDIR:
    case ELOOP:
    case EFBIG:
    case EXDEV:
      return LXCD_HELPER_USAGE;
    default:
      return LXCD_HELPER_FAILED;
    }
}

/* In the attached process: "error CODE TEXT" on the result pipe. */
static int fail (const Copy *copy, int code, const char *format, ...)
  __attribute__ ((format (printf, 3, 4)));

static int
fail (const Copy *copy, int code, const char *format, ...)
{
  char text[RESULT_MAX - 32];
  va_list ap;

  va_start (ap, format);
  vsnprintf (text, sizeof text, format, ap);
  va_end (ap);
  dprintf (copy->result_fd, LXCD_RUN_REPORT_ERROR "%d %s\n", code, text);
  return ATTACHED_REPORTED;
}

/* Writes all of @buf to @fd, waiting when it is non-blocking. */
static bool
write_all (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);

      if (n < 0 && errno == EAGAIN)
        {
          struct pollfd p = { .fd = fd, .events = POLLOUT };
          (void) poll (&p, 1, -1);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      buf += n;
      len -= (size_t) n;
    }
  return true;
}

/* Copies @in to @out until the end of @in, at most @max bytes: 0 and the
 * count in @copied, or an errno value (EFBIG: more than @max; for @in,
 * *@in_failed). With @wait_in, a non-blocking @in is waited for (the
 * caller's descriptor); otherwise EAGAIN is an error (a file that would
 * block, e.g. /proc/kmsg). */
static int
copy_data (int in, int out, unsigned long long max, bool wait_in, unsigned long long *copied,
           bool *in_failed)
{
  static char buf[COPY_CHUNK];

  *copied = 0;
  *in_failed = false;
  for (;;)
    {
      ssize_t n = read (in, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN && wait_in)
        {
          struct pollfd p = { .fd = in, .events = POLLIN };
          (void) poll (&p, 1, -1);
          continue;
        }
      if (n < 0)
        {
          *in_failed = true;
          return errno;
        }
      if (n == 0)
        return 0;
      if ((unsigned long long) n > max - *copied)
        return EFBIG;
      if (!write_all (out, buf, (size_t) n))
        return errno ? errno : EIO;
      *copied += (unsigned long long) n;
    }
}

/* In the attached process: the directory part of @copy->path, opened
 * O_PATH one component at a time without magic links (symbolic links in
 * it resolve inside the container); missing ones made with
 * create_parents. Returns the descriptor, or -1 with errno. */
static int
open_parent (const Copy *copy, const char *dir)
{
  char *work = strdup (dir), *save = NULL, *part;
  int cur = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (work == NULL || cur < 0)
    {
      int errsv = work == NULL ? ENOMEM : errno;
      free (work);
      if (cur >= 0)
        close (cur);
      errno = errsv;
      return -1;
    }
  for (part = strtok_r (work, "/", &save); part; part = strtok_r (NULL, "/", &save))
    {
      int next;

      if (strcmp (part, ".") == 0)
        continue;
      next = sys_openat2 (cur, part, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_NO_MAGICLINKS);
      if (next < 0 && errno == ENOENT && copy->create_parents)
        {
          if (mkdirat (cur, part, 0755) < 0 && errno != EEXIST)
            next = -1;
          else
            next = sys_openat2 (cur, part, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_NO_MAGICLINKS);
        }
      if (next < 0)
        {
          int errsv = errno;
          close (cur);
          free (work);
          errno = errsv;
          return -1;
        }
      close (cur);
      cur = next;
    }
  free (work);
  return cur;
}

/* In the attached process: splits @path into its directory (a copy) and
 * its last component (in @path). */
static char *
split_path (const char *path, const char **base)
{
  const char *slash = strrchr (path, '/');

  *base = slash + 1;
  return strndup (path, (size_t) (slash - path) + 1);
}

/* In the attached process: only the result pipe, moved to fd 3, stays open besides
 * stdin, stdout and stderr; SIGPIPE is an error, not death. */
static void
isolate (Copy *copy)
{
  if (copy->result_fd != 3)
    {
      (void) dup2 (copy->result_fd, 3);
      copy->result_fd = 3;
    }
  lxcd_helper_close_inherited_fds (4);
  (void) signal (SIGPIPE, SIG_IGN);
  (void) umask (022);
}

/* The attached process of copy-to: stdin → a new file → PATH. */
static int
attached_copy_to (void *payload)
{
  Copy *copy = payload;
  const char *base;
  char *dir;
  char temp[64];
  int dirfd, fd = -1, errsv;
  unsigned long long copied = 0;
  bool in_failed;

  isolate (copy);
  dir = split_path (copy->path, &base);
  dirfd = dir ? open_parent (copy, dir) : -1;
  errsv = errno;
  free (dir);
  if (dirfd < 0)
    return fail (copy, code_of_errno (errsv), "Cannot open the directory of %s: %s", copy->path,
                 strerror (errsv));

  /* a name of our own next to PATH, never a link */
  for (int i = 0; i < TEMP_TRIES && fd < 0; i++)
    {
      uint64_t r = 0;

      if (getrandom (&r, sizeof r, 0) != (ssize_t) sizeof r)
        r = ((uint64_t) getpid () << 32) ^ (uint64_t) i;
      snprintf (temp, sizeof temp, ".lxcd-copy-%016llx", (unsigned long long) r);
      fd = openat (dirfd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST)
        break;
    }
  if (fd < 0)
    {
      errsv = errno;
      return fail (copy, code_of_errno (errsv), "Cannot create a file next to %s: %s", copy->path,
                   strerror (errsv));
    }

  errsv = copy_data (STDIN_FILENO, fd, copy->max_size, true, &copied, &in_failed);
  if (errsv == 0 && fchown (fd, copy->uid, copy->gid) < 0)
    errsv = errno;
  /* (after chown, which clears set-id bits) */
  if (errsv == 0 && fchmod (fd, copy->mode) < 0)
    errsv = errno;
  if (errsv == 0 && fsync (fd) < 0)
    errsv = errno;
  if (close (fd) < 0 && errsv == 0)
    errsv = errno;
  if (errsv == 0)
    {
      if (copy->replace)
        {
          if (renameat (dirfd, temp, dirfd, base) < 0)
            errsv = errno;
        }
      else if (syscall (SYS_renameat2, dirfd, temp, dirfd, base, RENAME_NOREPLACE) < 0)
        {
          errsv = errno;
          /* file systems without RENAME_NOREPLACE: link() never replaces */
          if (errsv == EINVAL)
            errsv = linkat (dirfd, temp, dirfd, base, 0) < 0 ? errno : 0;
        }
    }
  (void) unlinkat (dirfd, temp, 0); /* (gone after a rename) */
  close (dirfd);
  if (errsv == EFBIG)
    return fail (copy, LXCD_HELPER_USAGE, "More than max_size (%llu bytes) to write",
                 copy->max_size);
  if (errsv != 0)
    return fail (copy, in_failed ? LXCD_HELPER_USAGE : code_of_errno (errsv), "%s %s: %s",
                 in_failed ? "Cannot read the source for" : "Cannot write", copy->path,
                 strerror (errsv));
  dprintf (copy->result_fd, LXCD_FILES_REPORT_DONE "%llu\n", copied);
  return LXCD_HELPER_DONE;
}

/* The attached process of copy-from: PATH → stdout. */
static int
attached_copy_from (void *payload)
{
  Copy *copy = payload;
  const char *base;
  char *dir;
  int dirfd, pfd, fd, errsv;
  struct stat pst, st;
  unsigned long long copied = 0;
  bool in_failed;

  isolate (copy);
  dir = split_path (copy->path, &base);
  dirfd = dir ? open_parent (copy, dir) : -1;
  errsv = errno;
  free (dir);
  if (dirfd < 0)
    return fail (copy, code_of_errno (errsv), "Cannot open the directory of %s: %s", copy->path,
                 strerror (errsv));
  /* what is there, without opening it: a link itself, a FIFO, a device */
  pfd = sys_openat2 (dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC, RESOLVE_NO_MAGICLINKS);
  if (pfd < 0 || fstat (pfd, &pst) < 0)
    {
      errsv = errno;
      close (dirfd);
      return fail (copy, code_of_errno (errsv), "Cannot open %s: %s", copy->path, strerror (errsv));
    }
  close (pfd);
  if (!S_ISREG (pst.st_mode))
    {
      close (dirfd);
      return fail (copy, LXCD_HELPER_USAGE, "%s is not a regular file (%s)", copy->path,
                   S_ISLNK (pst.st_mode)  ? "a symbolic link" :
                   S_ISDIR (pst.st_mode)  ? "a directory" :
                   S_ISFIFO (pst.st_mode) ? "a FIFO" :
                   S_ISSOCK (pst.st_mode) ? "a socket" :
                                            "a device");
    }
  if ((unsigned long long) pst.st_size > copy->max_size)
    {
      close (dirfd);
      return fail (copy, LXCD_HELPER_USAGE, "%s is larger than max_size (%llu bytes)", copy->path,
                   copy->max_size);
    }
  fd = sys_openat2 (dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                    RESOLVE_NO_MAGICLINKS);
  errsv = errno;
  close (dirfd);
  if (fd < 0)
    return fail (copy, code_of_errno (errsv), "Cannot open %s: %s", copy->path, strerror (errsv));
  /* the same file as looked at (not one swapped in meanwhile) */
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_dev != pst.st_dev ||
      st.st_ino != pst.st_ino)
    {
      close (fd);
      return fail (copy, LXCD_HELPER_FAILED, "%s changed while it was opened", copy->path);
    }
  errsv = copy_data (fd, STDOUT_FILENO, copy->max_size, false, &copied, &in_failed);
  close (fd);
  if (errsv == EFBIG)
    return fail (copy, LXCD_HELPER_USAGE, "%s is larger than max_size (%llu bytes)", copy->path,
                 copy->max_size);
  if (errsv != 0)
    return fail (copy, in_failed ? code_of_errno (errsv) : LXCD_HELPER_FAILED, "Cannot %s %s: %s",
                 in_failed ? "read" : "write out", copy->path, strerror (errsv));
  dprintf (copy->result_fd, LXCD_FILES_REPORT_DONE "%u %u %u %llu\n",
           (unsigned int) (st.st_mode & 07777), (unsigned int) st.st_uid, (unsigned int) st.st_gid,
           copied);
  return LXCD_HELPER_DONE;
}

/* Whether @line (NUL-terminated, without its newline) is a report the
 * daemon understands: "done" and decimal numbers, or "error CODE TEXT"
 * with printable TEXT. */
static bool
result_is_well_formed (const char *line, bool to_container)
{
  unsigned int a, b, c;
  unsigned long long n;
  int code, end = -1;

  if (strncmp (line, LXCD_FILES_REPORT_DONE, strlen (LXCD_FILES_REPORT_DONE)) == 0)
    {
      const char *rest = line + strlen (LXCD_FILES_REPORT_DONE);
      if (to_container)
        return sscanf (rest, "%llu%n", &n, &end) == 1 && rest[end] == '\0';
      return sscanf (rest, "%u %u %u %llu%n", &a, &b, &c, &n, &end) == 4 && rest[end] == '\0';
    }
  if (strncmp (line, LXCD_RUN_REPORT_ERROR, strlen (LXCD_RUN_REPORT_ERROR)) != 0 ||
      sscanf (line + strlen (LXCD_RUN_REPORT_ERROR), "%d%n", &code, &end) != 1)
    return false;
  for (const char *p = line; *p; p++)
    {
      if ((unsigned char) *p < 0x20 || *p == 0x7f)
        return false;
    }
  return true;
}

/* Reads the attached process's one line from @fd (to its end). */
static void
read_result (int fd, char *line, size_t size)
{
  size_t len = 0;

  for (;;)
    {
      ssize_t n = read (fd, line + len, size - 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (size_t) n;
      if (len == size - 1)
        {
          char drain[256];
          while (read (fd, drain, sizeof drain) > 0)
            ;
          break;
        }
    }
  line[len] = '\0';
  if (len > 0 && line[len - 1] == '\n')
    line[len - 1] = '\0';
}

/* copy-to and copy-from: attach, let the attached process copy, report */
static int
files_op (int argc, char **argv, bool to_container)
{
  lxc_attach_options_t opts = LXC_ATTACH_OPTIONS_DEFAULT;
  Copy copy = { 0 };
  struct lxc_container *c;
  FILE *report;
  int result[2], status, rc = LXCD_HELPER_FAILED;
  pid_t pid = -1;
  bool ok = true;
  char line[RESULT_MAX];

  if (fcntl (3, F_SETFD, FD_CLOEXEC) < 0 || (report = fdopen (3, "w")) == NULL)
    {
      fprintf (stderr, "No report descriptor\n");
      return LXCD_HELPER_USAGE;
    }
  copy.path = argv[3];
  if (to_container)
    {
      copy.mode = (unsigned int) lxcd_helper_parse_size (argv[4], &ok);
      if (ok)
        copy.uid = (uid_t) lxcd_helper_parse_size (argv[5], &ok);
      if (ok)
        copy.gid = (gid_t) lxcd_helper_parse_size (argv[6], &ok);
      copy.create_parents = strchr (argv[7], 'p') != NULL;
      copy.replace = strchr (argv[7], 'r') != NULL;
      if (ok)
        copy.max_size = lxcd_helper_parse_size (argv[8], &ok);
    }
  else
    copy.max_size = lxcd_helper_parse_size (argv[4], &ok);
  if (!ok || copy.path[0] != '/' || strrchr (copy.path, '/')[1] == '\0' || copy.mode > 07777)
    {
      fprintf (report, LXCD_RUN_REPORT_ERROR "%d Bad arguments\n", LXCD_HELPER_USAGE);
      fclose (report);
      return LXCD_HELPER_USAGE;
    }

  c = lxcd_helper_open_defined (argv[1], argv[2], &rc);
  if (c == NULL || !c->is_running (c))
    {
      if (c != NULL)
        rc = LXCD_HELPER_WRONG_STATE;
      fprintf (report, LXCD_RUN_REPORT_ERROR "%d Container '%s' is not %s\n", rc, argv[2],
               c ? "running" : "defined");
      if (c)
        lxc_container_put (c);
      fclose (report);
      return rc;
    }
  if (pipe2 (result, O_CLOEXEC) < 0)
    {
      fprintf (report, LXCD_RUN_REPORT_ERROR "%d pipe: %s\n", LXCD_HELPER_FAILED, strerror (errno));
      lxc_container_put (c);
      fclose (report);
      return LXCD_HELPER_FAILED;
    }
  copy.result_fd = result[1];
  (void) prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  /* Every namespace, the cgroup, the capability bound; the LSM profile
   * now (there is no exec for it to wait for); root of the container. */
  opts.attach_flags = (LXC_ATTACH_DEFAULT & ~LXC_ATTACH_LSM_EXEC) | LXC_ATTACH_LSM_NOW;
  opts.env_policy = LXC_ATTACH_CLEAR_ENV;
  opts.uid = 0;
  opts.gid = 0;
  fflush (report);
  if (c->attach (c, to_container ? attached_copy_to : attached_copy_from, &copy, &opts, &pid) < 0 ||
      pid <= 0)
    {
      fprintf (report, LXCD_RUN_REPORT_ERROR "%d Cannot attach to container '%s'%s%s\n",
               LXCD_HELPER_FAILED, argv[2], c->error_string ? ": " : "",
               c->error_string ? c->error_string : "");
      lxc_container_put (c);
      close (result[0]);
      close (result[1]);
      fclose (report);
      return LXCD_HELPER_FAILED;
    }
  lxc_container_put (c);
  close (result[1]);
  read_result (result[0], line, sizeof line);
  close (result[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;

  if (WIFEXITED (status) &&
      (WEXITSTATUS (status) == LXCD_HELPER_DONE || WEXITSTATUS (status) == ATTACHED_REPORTED) &&
      result_is_well_formed (line, to_container))
    {
      fprintf (report, "%s\n", line);
      if (strncmp (line, LXCD_FILES_REPORT_DONE, strlen (LXCD_FILES_REPORT_DONE)) == 0)
        rc = LXCD_HELPER_DONE;
    }
  else if (WIFSIGNALED (status))
    fprintf (report, LXCD_RUN_REPORT_ERROR "%d The copy was killed by signal %d\n",
             LXCD_HELPER_FAILED, WTERMSIG (status));
  else
    fprintf (report, LXCD_RUN_REPORT_ERROR "%d The copy ended without a result\n",
             LXCD_HELPER_FAILED);
  fclose (report);
  return rc;
}

/* copy-to LXCPATH NAME PATH MODE UID GID FLAGS MAXSIZE */
int
lxcd_helper_op_copy_to (int argc, char **argv)
{
  return argc == 9 ? files_op (argc, argv, true) : LXCD_HELPER_USAGE;
}

/* copy-from LXCPATH NAME PATH MAXSIZE */
int
lxcd_helper_op_copy_from (int argc, char **argv)
{
  return argc == 5 ? files_op (argc, argv, false) : LXCD_HELPER_USAGE;
}
