/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus-helper serve: the fork server.
 *
 * The service runs one `lxc-dbus-helper serve` with its socket as fd 3
 * (wire format in lxcd-helper-proto.h). It never calls liblxc: for each
 * request it forks a child that runs the operation as if lxc-dbus-helper
 * had been exec'd with the request's arguments and descriptors, reports
 * the child's pid, and its wait status once reaped. That saves an exec of
 * a binary linked with liblxc (its libraries' mapping) per operation.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lxcd-helper.h"

/* Closes every descriptor from @first on. */
void
lxcd_helper_close_inherited_fds (int first)
{
  if (close_range ((unsigned int) first, ~0U, 0) < 0)
    {
      long max = sysconf (_SC_OPEN_MAX);

      for (long fd = first; fd < (max > 0 ? max : LXCD_HELPER_FALLBACK_OPEN_MAX); fd++)
        (void) close ((int) fd);
    }
}

/* The fork server's table of children (the service limits how many run at
 * once; this only grows if it does not). */
typedef struct {
  pid_t pid;
  uint64_t id;
} ServedChild;

static ServedChild *served;
static size_t n_served, served_size;

/* What a child runs: lxc-dbus-helper's main() without the "serve". */
static LxcdHelperMainFunc child_main;

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
  /* Nothing else of the server's from here on (the argument memfd, the
   * request's originals), and a process group of its own (where a cancel
   * finds it; helper_main() makes sure again): both before the name
   * below, by which tests and admins find the operation's process. */
  lxcd_helper_close_inherited_fds (n_fds > 4 ? (int) n_fds - 1 : 3);
  (void) setpgid (0, 0);
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
  /* (child_main closes every other descriptor) */
  exit (child_main ((int) argc, child_argv));
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
 * that holds nothing but the loaded libraries. Each child runs @main_func
 * with the request's arguments; returns only on an error (an exit
 * status). */
int
lxcd_helper_serve (LxcdHelperMainFunc main_func)
{
  sigset_t chld;
  struct stat st;
  int sock = 3;
  int sfd;

  child_main = main_func;
  if (fstat (sock, &st) < 0 || !S_ISSOCK (st.st_mode))
    {
      fprintf (stderr, "lxc-dbus-helper serve: fd 3 is not the service's socket\n");
      return LXCD_HELPER_USAGE;
    }
  /* Out of the service's process group (a ^C on a service run from a
   * terminal must not kill operations half-way), and nothing inherited
   * but the socket. */
  (void) setpgid (0, 0);
  lxcd_helper_close_inherited_fds (4);
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
