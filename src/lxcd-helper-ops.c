/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus-helper: what the operations share, and the operations on a
 * container as it is: start, create, freeze and unfreeze, its network
 * interfaces and addresses, device nodes and network devices.
 *
 * Each runs in a process of its own (lxc-dbus-helper.c has set it up) and
 * returns its exit status (LXCD_HELPER_*, lxcd-helper-proto.h); @argv[0]
 * is the operation's name, the table in lxc-dbus-helper.c checked the
 * number of arguments.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <lxc/lxccontainer.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lxcd-helper.h"

/* "WHAT 'NAME'" on stderr, with liblxc's error string for @c if it has one. */
void
lxcd_helper_report (struct lxc_container *c, const char *what, const char *name)
{
  if (c && c->error_string && *c->error_string)
    fprintf (stderr, "%s '%s': %s\n", what, name, c->error_string);
  else
    fprintf (stderr, "%s '%s'\n", what, name);
}

/* A new container object for LXCPATH/NAME, or NULL (and a message, *@rc
 * LXCD_HELPER_NOT_FOUND) if it is not defined. */
struct lxc_container *
lxcd_helper_open_defined (const char *lxcpath, const char *name, int *rc)
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

/* As lxcd_helper_open_defined(), and running (else NULL, a message and
 * *@rc LXCD_HELPER_WRONG_STATE). */
struct lxc_container *
lxcd_helper_open_running (const char *lxcpath, const char *name, int *rc)
{
  struct lxc_container *c = lxcd_helper_open_defined (lxcpath, name, rc);

  if (c && !c->is_running (c))
    {
      fprintf (stderr, "Container '%s' is not running\n", name);
      lxc_container_put (c);
      *rc = LXCD_HELPER_WRONG_STATE;
      return NULL;
    }
  return c;
}

/* A decimal number, all of @text; *@ok false if it is not one. */
unsigned long long
lxcd_helper_parse_size (const char *text, bool *ok)
{
  char *end = NULL;
  unsigned long long v;

  errno = 0;
  v = strtoull (text, &end, 10);
  *ok = errno == 0 && end && *end == '\0' && *text != '-';
  return v;
}

/* Foreground start: the report on our stdout (lxcd-helper-proto.h), mapped,
 * and /dev/null on stdout in its place. NULL, stdout left alone, if it
 * cannot be mapped (a hand-run helper's terminal or pipe): nothing is
 * reported. */
static LxcdStartReport *
start_report_map (void)
{
  LxcdStartReport *report = mmap (NULL, sizeof *report, PROT_READ | PROT_WRITE, MAP_SHARED,
                                  STDOUT_FILENO, 0);
  int null_fd;

  if (report == MAP_FAILED)
    return NULL;
  null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd >= 0)
    {
      (void) dup2 (null_fd, STDOUT_FILENO);
      close (null_fd);
    }
  return report;
}

/* liblxc 5.0's error_num after a foreground start as waitpid() would have
 * said it: an exit is (code << 8), as in a wait status, but a killed init
 * is (signal << 8 | 0x7f), the form of a *stopped* child (lxc-execute then
 * dies of signal 127); a termination status is the signal alone (its core
 * dump flag is lost). -1 if liblxc did not know. */
static int
start_report_status (int error_num)
{
  if (error_num < 0)
    return -1;
  if ((error_num & 0x7f) == 0x7f)
    return (error_num >> 8) & 0x7f;
  return error_num;
}

/* start LXCPATH NAME FLAGS [ARG...] */
int
lxcd_helper_op_start (int argc, char **argv)
{
  const char *lxcpath = argv[1];
  const char *name = argv[2];
  const char *flags = argv[3];
  struct lxc_container *c;
  bool daemonize = strchr (flags, 'd') != NULL;
  bool close_fds = strchr (flags, 'c') != NULL;
  bool use_init = strchr (flags, 'i') != NULL;
  LxcdStartReport *report = daemonize ? NULL : start_report_map ();
  int rc;

  c = lxcd_helper_open_defined (lxcpath, name, &rc);
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

  if (!c->start (c, use_init ? 1 : 0, argc > 4 ? &argv[4] : NULL))
    {
      lxcd_helper_report (c, "Failed to start container", name);
      rc = LXCD_HELPER_FAILED;
    }
  else if (daemonize)
    {
      /* The service publishes InitPID from this without a re-read. */
      printf ("%d\n", (int) c->init_pid (c));
    }
  else if (report)
    {
      /* We were the monitor: start() returned when the init exited, and
       * left what waitpid() said of it in error_num (lxc-execute's exit
       * status comes from there). The magic last: the service trusts the
       * status only with it. */
      report->wait_status = start_report_status (c->error_num);
      __atomic_store_n (&report->magic, LXCD_START_REPORT_MAGIC, __ATOMIC_RELEASE);
    }
  if (report)
    (void) munmap (report, sizeof *report);
  lxc_container_put (c);
  return rc;
}

/* create LXCPATH NAME TEMPLATE [OPTION...] [-- TEMPLATE-ARG...] */
int
lxcd_helper_op_create (int argc, char **argv)
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
          specs.fssize = lxcd_helper_parse_size (optarg, &ok);
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
          lxcd_helper_report (c, "Failed to load the default configuration for", name);
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
      lxcd_helper_report (c, "Failed to create container", name);
      rc = LXCD_HELPER_FAILED;
    }

out:
  lxc_container_put (c);
  free (config);
  return rc;
}

/* freeze|unfreeze LXCPATH NAME */
int
lxcd_helper_op_freeze (int argc, char **argv)
{
  bool freeze = strcmp (argv[0], "freeze") == 0;
  struct lxc_container *c;
  int rc;

  c = lxcd_helper_open_defined (argv[1], argv[2], &rc);
  if (c == NULL)
    return rc;
  if (!(freeze ? c->freeze (c) : c->unfreeze (c)))
    {
      lxcd_helper_report (c, freeze ? "Failed to freeze container" : "Failed to unfreeze container",
                          argv[2]);
      rc = LXCD_HELPER_FAILED;
    }
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

  c = lxcd_helper_open_running (lxcpath, name, &rc);
  if (c == NULL)
    return rc;
  if (argc == 0)
    list = c->get_interfaces (c);
  else
    {
      bool ok;
      unsigned long long scope = lxcd_helper_parse_size (argv[2], &ok);
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

/* interfaces LXCPATH NAME */
int
lxcd_helper_op_interfaces (int argc, char **argv)
{
  return do_network (argv[1], argv[2], 0, NULL);
}

/* ips LXCPATH NAME INTERFACE FAMILY SCOPE */
int
lxcd_helper_op_ips (int argc, char **argv)
{
  return do_network (argv[1], argv[2], 3, &argv[3]);
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

  c = lxcd_helper_open_running (lxcpath, name, &rc);
  if (c == NULL)
    return rc;
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
      lxcd_helper_report (c, "liblxc refused the change to container", name);
      rc = LXCD_HELPER_FAILED;
    }
  lxc_container_put (c);
  return rc;
}

/* device-add|device-remove|netdev-attach|netdev-detach LXCPATH NAME A B */
int
lxcd_helper_op_device (int argc, char **argv)
{
  return do_device (argv[0], argv[1], argv[2], argv[3], argv[4]);
}
