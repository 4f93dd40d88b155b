/* lxc-dbus-helper: runs one liblxc operation that forks a long-lived
 * process, on behalf of the lxc-dbus service.
 *
 * The service is multithreaded; liblxc's start() forks the container's
 * monitor process, which must not inherit the service's memory, locks or
 * descriptors. So the service execs this small single-threaded program per
 * operation (the pattern LXD uses for forkstart), and only this program
 * calls liblxc's forking functions.
 *
 * Usage (internal interface, not for people):
 *   lxc-dbus-helper start LXCPATH NAME FLAGS [ARG...]
 *     FLAGS: any of 'd' (daemonize), 'c' (close all fds), 'i' (use lxc-init),
 *     or '-' for none. ARGs replace the container's init command.
 *
 * Exit status: 0 done; 1 failed; 2 usage; 3 wrong state; 4 not found.
 * On failure the last line on stderr says why.
 */
#include "config.h"

#include <lxc/lxccontainer.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
  EXIT_DONE = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_WRONG_STATE = 3,
  EXIT_NOT_FOUND = 4,
};

static int
do_start (const char *lxcpath, const char *name, const char *flags, char **argv)
{
  struct lxc_container *c;
  bool daemonize = strchr (flags, 'd') != NULL;
  bool close_fds = strchr (flags, 'c') != NULL;
  bool use_init = strchr (flags, 'i') != NULL;
  int rc = EXIT_DONE;

  c = lxc_container_new (name, lxcpath);
  if (c == NULL)
    {
      fprintf (stderr, "liblxc could not open container '%s'\n", name);
      return EXIT_NOT_FOUND;
    }
  if (!c->is_defined (c))
    {
      fprintf (stderr, "Container '%s' is not defined\n", name);
      lxc_container_put (c);
      return EXIT_NOT_FOUND;
    }
  if (c->is_running (c))
    {
      fprintf (stderr, "Container '%s' is already running\n", name);
      lxc_container_put (c);
      return EXIT_WRONG_STATE;
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
      if (c->error_string && *c->error_string)
        fprintf (stderr, "Failed to start container '%s': %s\n", name, c->error_string);
      else
        fprintf (stderr, "Failed to start container '%s'\n", name);
      rc = EXIT_FAILED;
    }
  lxc_container_put (c);
  return rc;
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

int
main (int argc, char **argv)
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

  if (argc < 5 || strcmp (argv[1], "start") != 0)
    {
      fprintf (stderr, "usage: %s start LXCPATH NAME FLAGS [ARG...]\n", argv[0]);
      return EXIT_USAGE;
    }

  /* liblxc's errors, including those of the container's monitor process
   * before it reports failure, go to a private file that is shown on
   * failure and removed in any case. The monitor keeps only an fd to the
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

  rc = do_start (argv[2], argv[3], argv[4], &argv[5]);
  if (log_fd >= 0)
    {
      if (rc != EXIT_DONE)
        dump_log (log_path);
      unlink (log_path);
    }
  return rc;
}
