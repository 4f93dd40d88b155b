/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus-helper run: a program inside a running container.
 *
 * run LXCPATH NAME [OPTION...] -- PROGRAM [ARG...] runs PROGRAM inside the
 * container with our stdin, stdout and stderr, and writes "pid N" and then
 * "status N" (its wait status), or "error CODE TEXT", to fd 3
 * (LXCD_RUN_REPORT_*, lxcd-helper-proto.h). OPTIONs:
 *   --env=K=V --clear-env --keep-env=NAME --cwd=DIR --uid=N --gid=N
 *   --namespaces=mount,pid,... --personality=linux|linux32
 *   --elevated=cgroup,capabilities,lsm
 *   --tty (stdin becomes the controlling terminal)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>
#include <pwd.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lxcd-helper.h"

/* What the exit status says when the program cannot be run, as a shell
 * says it. */
#define STATUS_NOT_EXECUTABLE 126
#define STATUS_NOT_FOUND 127

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
  /* as a shell says it */
  if (errsv == ENOENT && strchr (cmd->program, '/') == NULL)
    fprintf (stderr, "%s: command not found\n", cmd->program);
  else
    fprintf (stderr, "%s: %s\n", cmd->program, strerror (errsv));
  return errsv == ENOENT || errsv == ENOTDIR ? STATUS_NOT_FOUND : STATUS_NOT_EXECUTABLE;
}

/* Runs in the attached child: with --tty, stdin is a terminal that becomes
 * the program's controlling terminal in a new session (a login shell needs
 * one for job control). */
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
          v = lxcd_helper_parse_size (optarg, &ok);
          opts.uid = (uid_t) v;
          break;
        case OPT_GID:
          v = lxcd_helper_parse_size (optarg, &ok);
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

/* run LXCPATH NAME [OPTION...] -- PROGRAM [ARG...] */
int
lxcd_helper_op_run (int argc, char **argv)
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
