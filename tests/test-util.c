/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of lxc-dbus's pure logic: validation, states, options, errors. */
#include "config.h"

#include <gio/gio.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "lxcd-config-keys.h"
#include "lxcd-error.h"
#include "lxcd-limits.h"
#include "lxcd-os-release.h"
#include "lxcd-usage.h"
#include "lxcd-util.h"
#include "lxcd-idmap.h"

static void
test_states (void)
{
  LxcdState state;

  for (int i = 0; i < LXCD_STATE_N_STATES; i++)
    {
      g_assert_true (lxcd_state_from_string (lxcd_state_to_string ((LxcdState) i), &state));
      g_assert_cmpint (state, ==, i);
    }
  g_assert_cmpstr (lxcd_state_to_string (LXCD_STATE_FROZEN), ==, "FROZEN");
  g_assert_cmpstr (lxcd_state_to_string (LXCD_STATE_N_STATES), ==, "UNKNOWN");
  g_assert_false (lxcd_state_from_string ("running", &state));
  g_assert_false (lxcd_state_from_string ("", &state));
  g_assert_false (lxcd_state_from_string (NULL, &state));
  g_assert_false (lxcd_state_from_string ("RUNNING ", &state));
}

static void
assert_name_invalid (const char *name)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (lxcd_validate_container_name (name, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
}

static void
test_names (void)
{
  g_autofree char *longest = g_strnfill (NAME_MAX, 'a');
  g_autofree char *too_long = g_strnfill (NAME_MAX + 1, 'a');

  g_assert_true (lxcd_validate_container_name ("c1", NULL));
  g_assert_true (lxcd_validate_container_name ("web-1_a.b", NULL));
  g_assert_true (lxcd_validate_container_name ("ünïcode", NULL));
  g_assert_true (lxcd_validate_container_name (longest, NULL));
  assert_name_invalid ("");
  assert_name_invalid (NULL);
  assert_name_invalid (too_long);
  assert_name_invalid (".");
  assert_name_invalid ("..");
  assert_name_invalid (".hidden");
  assert_name_invalid ("a/b");
  assert_name_invalid ("../etc");
  assert_name_invalid ("a\nb");
  assert_name_invalid ("a\rb");
  assert_name_invalid ("tab\there");
  assert_name_invalid ("del\x7f");
  assert_name_invalid ("\xff\xfe");
}

static void
test_config_keys (void)
{
  /* Ordinary: only what happens inside the container. */
  static const char *const ordinary[] = {
    "lxc.uts.name", "lxc.start.auto", "lxc.start.delay", "lxc.start.order", "lxc.group",
    "lxc.signal.halt", "lxc.signal.reboot", "lxc.signal.stop", "lxc.tty.max", "lxc.pty.max",
    "lxc.init.cmd", "lxc.init.cwd", "lxc.execute.cmd",
    "lxc.init.uid", "lxc.init.gid", "lxc.autodev",
    "lxc.net.0.name", "lxc.net.0.flags", "lxc.net.0.hwaddr", "lxc.net.12.name",
    "lxc.cgroup.memory.limit_in_bytes", "lxc.cgroup.cpuset.cpus", "lxc.cgroup.pids.max",
    "lxc.cgroup.cpu.shares", "lxc.cgroup.hugetlb.2MB.limit_in_bytes",
    "lxc.cgroup2.memory.max", "lxc.cgroup2.cpu.weight", "lxc.cgroup2.io.max",
    "lxc.cgroup2.hugetlb.1GB.max", "lxc.cgroup2.cpuset.cpus", "lxc.cgroup2.pids.max",
    "lxc.prlimit.nofile", "lxc.prlimit.nproc", "lxc.prlimit.memlock", "lxc.prlimit.nice",
    "lxc.prlimit.stack",
    NULL,
  };
  /* Everything that can run host code, reach host files or widen host
   * access, and whatever the list does not know. */
  static const char *const host[] = {
    "lxc.ephemeral", "lxc.console.size", "lxc.hook.pre-start", "lxc.hook.mount", "lxc.hook.clone", "lxc.hook.version",
    "lxc.mount.entry", "lxc.mount.fstab", "lxc.mount.auto", "lxc.include",
    "lxc.cap.drop", "lxc.cap.keep", "lxc.apparmor.profile", "lxc.apparmor.allow_nesting",
    "lxc.selinux.context", "lxc.seccomp.profile", "lxc.idmap", "lxc.rootfs.path",
    "lxc.rootfs.mount", "lxc.rootfs.options", "lxc.net.0.link", "lxc.net.0.type",
    "lxc.net.0.script.up", "lxc.net.0.script.down", "lxc.net.0.veth.pair",
    "lxc.net.0.ipv4.address.extra", "lxc.net.x.name", "lxc.net..name", "lxc.net.00.name",
    "lxc.net.0", "lxc.net", "lxc.log.file", "lxc.log.level", "lxc.console.logfile",
    "lxc.console.path", "lxc.cgroup.devices.allow", "lxc.cgroup2.devices.allow",
    "lxc.cgroup.dir", "lxc.cgroup.relative", "lxc.cgroup.memory", "lxc.cgroup.memory.",
    "lxc.cgroup2.memoryx.max", "lxc.sysctl.kernel.hostname", "lxc.proc.oom_score_adj",
    "lxc.keyring.session", "lxc.monitor.unshare", "lxc.namespace.share.net",
    "lxc.environment.extra", "lxc.prlimit.", "lxc.future.key", "",
    /* decided in the threat model of lxcd-config-keys.c */
    "lxc.environment", "lxc.net.0.mtu", "lxc.net.0.ipv4.address", "lxc.net.12.ipv4.gateway",
    "lxc.net.3.ipv6.address", "lxc.net.3.ipv6.gateway", "lxc.net.0.l2proxy",
    "lxc.net.0.veth.mode", "lxc.autodev.tmpfs.size", "lxc.cgroup.cpuacct.usage",
    "lxc.cgroup2.memory.min", "lxc.cgroup2.memory.low", "lxc.cgroup.memory.soft_limit_in_bytes",
    "lxc.cgroup2.cpuset.cpus.partition", "lxc.cgroup2.cpuset.cpus.exclusive",
    "lxc.cgroup.cpuset.cpu_exclusive", "lxc.cgroup2.io.weight", "lxc.cgroup.blkio.weight",
    "lxc.cgroup2.cpu.uclamp.min", "lxc.cgroup.cpu.rt_runtime_us", "lxc.cgroup2.cpu.idle",
    "lxc.cgroup2.hugetlb.2MB.max.x", "lxc.cgroup2.hugetlb.max", "lxc.cgroup2.hugetlb.2XB.max",
    "lxc.prlimit.core", "lxc.prlimit.rtprio", "lxc.prlimit.rttime", "lxc.prlimit.7",
    "lxc.prlimit.NOFILE", NULL,
  };

  for (const char *const *k = ordinary; *k; k++)
    if (!lxcd_config_key_is_ordinary (*k))
      g_error ("%s should be ordinary", *k);
  for (const char *const *k = host; *k; k++)
    if (lxcd_config_key_is_ordinary (*k))
      g_error ("%s should need configure-host", *k);
  g_assert_false (lxcd_config_key_is_ordinary (NULL));

  g_assert_true (lxcd_config_value_is_valid ("plain value", NULL));
  g_assert_true (lxcd_config_value_is_valid ("", NULL));
  g_assert_false (lxcd_config_value_is_valid ("a\nb", NULL));
  g_assert_false (lxcd_config_value_is_valid ("a\rb", NULL));
  g_assert_false (lxcd_config_value_is_valid (NULL, NULL));

  /* The keys that choose the program the container runs need exec too. */
  for (const char *const *k = (const char *const[]) { "lxc.init.cmd", "lxc.init.cwd",
                                                      "lxc.init.uid", "lxc.init.gid",
                                                      "lxc.execute.cmd", NULL }; *k; k++)
    if (!lxcd_config_key_needs_exec (*k))
      g_error ("%s should need exec", *k);
  for (const char *const *k = (const char *const[]) { "lxc.uts.name", "lxc.tty.max",
                                                      "lxc.hook.start", "lxc.init", NULL,
                                                      NULL }; *k; k++)
    if (lxcd_config_key_needs_exec (*k))
      g_error ("%s should not need exec", *k);
  g_assert_false (lxcd_config_key_needs_exec (NULL));
}

/* @valid and @invalid: NULL-terminated values of @key */
static void
assert_values (const char *key, const char *const *valid, const char *const *invalid,
               const char *bound)
{
  for (const char *const *v = valid; *v; v++)
    {
      g_autoptr(GError) error = NULL;
      if (!lxcd_config_ordinary_value_is_valid (key, *v, &error))
        g_error ("%s = '%s' should be within configure's bounds: %s", key, *v, error->message);
    }
  for (const char *const *v = invalid; *v; v++)
    {
      g_autoptr(GError) error = NULL;
      if (lxcd_config_ordinary_value_is_valid (key, *v, &error))
        g_error ("%s = '%s' should be outside configure's bounds", key, *v);
      g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
      /* the message names the key and the bound */
      if (strstr (error->message, key) == NULL || strstr (error->message, bound) == NULL)
        g_error ("'%s' should name %s and '%s'", error->message, key, bound);
    }
}

#define V(...) ((const char *const[]) { __VA_ARGS__, NULL })

static void
test_config_values (void)
{
  g_autoptr(GError) error = NULL;

  /* "" resets the key in liblxc: always allowed */
  assert_values ("lxc.tty.max", V ("", "0", "4", "16"),
                 V ("17", "1024", "4294967296", "-1", "+4", " 4", "4 ", "0x10", "4a", "١"), "16");
  assert_values ("lxc.pty.max", V ("0", "1024"), V ("1025", "100000", "1e3"), "1024");
  assert_values ("lxc.start.delay", V ("0", "60"), V ("61", "99999999999", "-5", "5s"), "60");
  assert_values ("lxc.start.auto", V ("0", "1"), V ("2", "yes"), "1");
  assert_values ("lxc.autodev", V ("0", "1"), V ("2", "true"), "1");
  assert_values ("lxc.start.order", V ("0", "-5", "2147483647", "-2147483648"),
                 V ("2147483648", "1.5", "x", "-", "--1"), "integer");
  assert_values ("lxc.init.uid", V ("0", "1000", "4294967294"), V ("4294967295", "-1", "root"),
                 "4294967294");
  assert_values ("lxc.init.gid", V ("0", "1000"), V ("-1", "wheel"), "4294967294");
  assert_values ("lxc.init.cwd", V ("/", "/srv/app"), V ("srv", "../x", "/a\tb"), "absolute");
  assert_values ("lxc.init.cmd", V ("/sbin/init", "/bin/sh -c 'x y'"), V (NULL), "");
  for (const char *const *k = V ("lxc.signal.halt", "lxc.signal.stop", "lxc.signal.reboot"); *k;
       k++)
    assert_values (*k, V ("1", "15", "64", "SIGTERM", "SIGPWR", "SIGRTMIN+3", "SIGRTMAX-1"),
                   V ("0", "65", "-9", "TERM", "SIG", "SIGTERM ", "SIGRTMIN+99", "9;kill"), "64");
  assert_values ("lxc.uts.name", V ("web1", "a.example.org", "my_host-2"),
                 V ("a b", "evil/..", "a;b",
                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "64");
  assert_values ("lxc.group", V ("onboot", "web db", "a.b_c-d"),
                 V ("a/b", "a,b", " ", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"), "16");
  assert_values ("lxc.net.0.name", V ("eth0", "lan.5", "a"),
                 V ("../x", "a/b", "0123456789abcdef", "a b", "a:1", "..", "."), "15");
  assert_values ("lxc.net.0.flags", V ("up"), V ("down", "UP", "promisc"), "up");
  assert_values ("lxc.net.0.hwaddr", V ("00:16:3e:xx:xx:xx", "02:00:00:00:00:01", "0x:aa:bb:cc:dd:ee"),
                 V ("01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:16:3e:00:00", "00-16-3e-00-00-01",
                    "00:16:3e:00:00:0g"), "unicast");
  /* prlimits: what liblxc parses ("unlimited", numbers, SOFT:HARD), capped
   * where they take from others */
  assert_values ("lxc.prlimit.nofile", V ("1024", "1024:4096", "65536", "0:65536"),
                 V ("65537", "unlimited", "1024:unlimited", "4096:1024", "1024:", ":1024",
                    "1024 : 4096", "-1", "1e6", "1024:4096:8192", "99999999999999999999"),
                 "65536");
  assert_values ("lxc.prlimit.nproc", V ("100:200"), V ("unlimited", "65537"), "65536");
  assert_values ("lxc.prlimit.memlock", V ("65536", "67108864"), V ("67108865", "unlimited"),
                 "67108864");
  assert_values ("lxc.prlimit.nice", V ("0", "20"), V ("21", "40"), "20");
  assert_values ("lxc.prlimit.msgqueue", V ("819200"), V ("unlimited", "8388609"), "8388608");
  assert_values ("lxc.prlimit.sigpending", V ("1000"), V ("unlimited"), "65536");
  assert_values ("lxc.prlimit.stack", V ("unlimited", "8388608:unlimited", "0"),
                 V ("unlimited:8388608", "big", "18446744073709551615"), "unlimited");
  /* cgroup ceilings: well-formed; shares capped at the default */
  assert_values ("lxc.cgroup2.memory.max", V ("max", "536870912", "512M", "1G"),
                 V ("-1", "lots", "512MB", "1 G"), "max");
  assert_values ("lxc.cgroup.memory.limit_in_bytes", V ("-1", "1073741824", "512M"),
                 V ("max", "-2", "1.5G"), "-1");
  assert_values ("lxc.cgroup2.cpu.weight", V ("1", "50", "100"), V ("0", "101", "10000"), "100");
  assert_values ("lxc.cgroup.cpu.shares", V ("2", "1024"), V ("1", "1025", "262144"), "1024");
  assert_values ("lxc.cgroup.cpu.cfs_period_us", V ("100000"), V ("999", "1000001"), "1000000");
  assert_values ("lxc.cgroup.cpu.cfs_quota_us", V ("-1", "50000"), V ("max", "-2"), "-1");
  assert_values ("lxc.cgroup2.cpu.max", V ("max", "50000", "50000 100000", "max 100000"),
                 V ("50000 10", "50000 100000 1", "-1", "half"), "1000000");
  assert_values ("lxc.cgroup2.pids.max", V ("max", "100"), V ("-1", "1e3"), "max");
  assert_values ("lxc.cgroup2.memory.oom.group", V ("0", "1"), V ("2"), "1");
  assert_values ("lxc.cgroup2.io.max", V ("8:0 rbps=1048576", "8:16 wbps=max riops=100 wiops=10"),
                 V ("8:0", "8:0 rbps=", "8:0 weight=10", "sda rbps=1", "8:0 rbps=1 rbps=1 rbps=1 rbps=1 rbps=1"),
                 "MAJ:MIN");
  assert_values ("lxc.cgroup.blkio.throttle.read_bps_device", V ("8:0 1048576"),
                 V ("8:0", "8:0 -1", "8 0 1"), "MAJ:MIN");
  assert_values ("lxc.cgroup2.cpuset.cpus", V ("0", "0-3", "0-3,5,7-8"),
                 V ("all", "0-", ",1", "0,,1", "0--3", "0 1"), "0-3,5");
  assert_values ("lxc.cgroup2.hugetlb.2MB.max", V ("max", "1G"), V ("-1"), "max");

  /* not ordinary: the question has no answer but configure-host */
  g_assert_false (lxcd_config_ordinary_value_is_valid ("lxc.environment", "A=1", &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lxcd_config_ordinary_value_is_valid (NULL, "1", &error));
  g_clear_error (&error);
  g_assert_false (lxcd_config_ordinary_value_is_valid ("lxc.tty.max", NULL, NULL));
}

static void
test_config_hostname (void)
{
  /* liblxc clones UTS by default: the host name stays inside */
  g_assert_true (lxcd_config_hostname_stays_inside (NULL, NULL, NULL));
  g_assert_true (lxcd_config_hostname_stays_inside ("", "", ""));
  g_assert_true (lxcd_config_hostname_stays_inside ("net", "", ""));
  g_assert_true (lxcd_config_hostname_stays_inside ("", "uts\nnet\n", ""));
  /* kept or not cloned: sethostname() would rename the host */
  g_assert_false (lxcd_config_hostname_stays_inside ("uts", "", ""));
  g_assert_false (lxcd_config_hostname_stays_inside ("net\nuts\n", "", ""));
  g_assert_false (lxcd_config_hostname_stays_inside ("user net uts", NULL, NULL));
  g_assert_false (lxcd_config_hostname_stays_inside ("", "net pid mnt", ""));
  /* keep wins over clone, as in resolve_clone_flags() */
  g_assert_false (lxcd_config_hostname_stays_inside ("uts", "uts", ""));
  /* a shared UTS namespace is never renamed */
  g_assert_true (lxcd_config_hostname_stays_inside ("uts", "", "other"));
  /* "utsx" is not "uts" */
  g_assert_true (lxcd_config_hostname_stays_inside ("utsx", "", ""));
}

static void
test_config_file_bounds (void)
{
  g_autoptr(GString) text = g_string_new ("lxc.uts.name = c1\n# a comment = x\n\n");
  g_autoptr(GError) error = NULL;

  g_assert_true (lxcd_config_text_is_within_bounds ("", 0, NULL));
  g_assert_true (lxcd_config_text_is_within_bounds (text->str, text->len, NULL));

  /* bytes: exactly the bound is fine, one more is not */
  g_string_set_size (text, 0);
  g_string_append (text, "lxc.init.cmd = ");
  while (text->len < LXCD_CONFIG_MAX_BYTES - 1)
    g_string_append_c (text, 'x');
  g_string_append_c (text, '\n');
  g_assert_cmpuint (text->len, ==, LXCD_CONFIG_MAX_BYTES);
  g_assert_true (lxcd_config_text_is_within_bounds (text->str, text->len, NULL));
  g_string_append_c (text, '\n');
  g_assert_false (lxcd_config_text_is_within_bounds (text->str, text->len, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "262144"));
  g_clear_error (&error);

  /* lines, counting blank ones and comments */
  g_string_set_size (text, 0);
  for (int i = 0; i < LXCD_CONFIG_MAX_LINES; i++)
    g_string_append (text, i % 2 ? "#\n" : "\n");
  g_assert_true (lxcd_config_text_is_within_bounds (text->str, text->len, NULL));
  g_string_append (text, "x");
  g_assert_false (lxcd_config_text_is_within_bounds (text->str, text->len, &error));
  g_assert_nonnull (strstr (error->message, "4096 lines"));
  g_clear_error (&error);

  /* values of one key, however the line is spaced; other keys apart */
  g_string_set_size (text, 0);
  for (int i = 0; i < LXCD_CONFIG_MAX_VALUES_PER_KEY; i++)
    g_string_append_printf (text, i % 2 ? "lxc.group = g%d\n" : "  lxc.group\t=g%d\n", i);
  g_string_append (text, "lxc.net.0.ipv4.address = 10.0.0.1/24\n");
  g_assert_true (lxcd_config_text_is_within_bounds (text->str, text->len, NULL));
  g_string_append (text, "lxc.group=last");
  g_assert_false (lxcd_config_text_is_within_bounds (text->str, text->len, &error));
  g_assert_nonnull (strstr (error->message, "256 values of lxc.group"));
}

static void
test_timeouts (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lxcd_validate_timeout (-1, NULL));
  g_assert_true (lxcd_validate_timeout (0, NULL));
  g_assert_true (lxcd_validate_timeout (LXCD_MAX_TIMEOUT, NULL));
  g_assert_false (lxcd_validate_timeout (-2, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lxcd_validate_timeout (LXCD_MAX_TIMEOUT + 1, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lxcd_validate_timeout (G_MININT32, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
}

static void
test_argv (void)
{
  g_autoptr(GPtrArray) many = g_ptr_array_new ();
  g_autofree char *huge = g_strnfill (LXCD_MAX_ARG_LEN + 1, 'x');
  const char *one_huge[] = { "/bin/sh", huge, NULL };
  const char *ok[] = { "/bin/sh", "-c", "true", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (lxcd_validate_argv (NULL, NULL));
  g_assert_true (lxcd_validate_argv (ok, NULL));
  for (int i = 0; i <= LXCD_MAX_ARGV; i++)
    g_ptr_array_add (many, "x");
  g_ptr_array_add (many, NULL);
  g_assert_false (lxcd_validate_argv ((const char *const *) many->pdata, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lxcd_validate_argv (one_huge, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
}

static void
test_options (void)
{
  static const LxcdOptionSpec specs[] = {
    { "use_init", "b" },
    { "argv", "as" },
    { NULL, NULL },
  };
  g_autoptr(GVariant) good = g_variant_ref_sink (g_variant_new_parsed ("{'use_init': <true>, 'argv': <['a']>}"));
  g_autoptr(GVariant) empty = g_variant_ref_sink (g_variant_new_parsed ("@a{sv} {}"));
  g_autoptr(GVariant) unknown = g_variant_ref_sink (g_variant_new_parsed ("{'use_inti': <true>}"));
  g_autoptr(GVariant) wrong_type = g_variant_ref_sink (g_variant_new_parsed ("{'use_init': <1>}"));
  g_autoptr(GError) error = NULL;

  g_assert_true (lxcd_options_validate (good, specs, NULL));
  g_assert_true (lxcd_options_validate (empty, specs, NULL));
  g_assert_true (lxcd_options_get_boolean (good, "use_init", FALSE));
  g_assert_false (lxcd_options_get_boolean (empty, "use_init", FALSE));
  g_assert_true (lxcd_options_get_boolean (empty, "use_init", TRUE));
  g_assert_false (lxcd_options_validate (unknown, specs, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "use_inti"));
  g_clear_error (&error);
  g_assert_false (lxcd_options_validate (wrong_type, specs, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
}

static void
test_error_names (void)
{
  static const struct {
    int code;
    const char *name;
  } expected[] = {
    { LXCD_ERROR_FAILED, "Failed" },
    { LXCD_ERROR_NOT_FOUND, "NotFound" },
    { LXCD_ERROR_ALREADY_EXISTS, "AlreadyExists" },
    { LXCD_ERROR_INVALID_ARGUMENT, "InvalidArgument" },
    { LXCD_ERROR_NOT_AUTHORIZED, "NotAuthorized" },
    { LXCD_ERROR_BUSY, "Busy" },
    { LXCD_ERROR_WRONG_STATE, "WrongState" },
    { LXCD_ERROR_TIMEOUT, "Timeout" },
    { LXCD_ERROR_CANCELLED, "Cancelled" },
    { LXCD_ERROR_NOT_SUPPORTED, "NotSupported" },
    { LXCD_ERROR_LIMITS_EXCEEDED, "LimitsExceeded" },
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (expected) == LXCD_ERROR_N_ERRORS);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (LXCD_ERROR, expected[i].code, "x");
      g_autofree char *name = g_dbus_error_encode_gerror (error);
      g_autofree char *want = g_strconcat ("org.linuxcontainers.LXC1.Error.", expected[i].name, NULL);
      g_assert_cmpstr (name, ==, want);
    }
}

static void
test_error_mapping (void)
{
  g_autoptr(GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  g_autoptr(GError) other = g_error_new_literal (G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "bad");
  g_autoptr(GError) mapped_io = lxcd_error_from_gerror (io);
  g_autoptr(GError) mapped_other = lxcd_error_from_gerror (other);

  g_assert_error (mapped_io, LXCD_ERROR, LXCD_ERROR_NOT_FOUND);
  g_assert_cmpstr (mapped_io->message, ==, "gone");
  g_assert_error (mapped_other, LXCD_ERROR, LXCD_ERROR_FAILED);
}

static void
test_canonicalize (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lxcd-util-XXXXXX", NULL);
  g_autofree char *link = g_strconcat (dir, "-link", NULL);
  g_autofree char *with_slash = g_strconcat (dir, "/", NULL);
  g_autofree char *canon_dir = NULL;
  g_autofree char *c1 = NULL;
  g_autofree char *c2 = NULL;
  g_autofree char *c3 = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (dir);
  g_assert_cmpint (symlink (dir, link), ==, 0);
  canon_dir = lxcd_canonicalize_lxcpath (dir, NULL);
  c1 = lxcd_canonicalize_lxcpath (with_slash, NULL);
  c2 = lxcd_canonicalize_lxcpath (link, NULL);
  g_assert_cmpstr (c1, ==, canon_dir);
  g_assert_cmpstr (c2, ==, canon_dir);
  g_assert_false (g_str_has_suffix (canon_dir, "/"));
  c3 = lxcd_canonicalize_lxcpath ("relative/path", &error);
  g_assert_null (c3);
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lxcd_canonicalize_lxcpath ("/nonexistent/lxcd/path", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_assert_cmpint (unlink (link), ==, 0);
  g_assert_cmpint (rmdir (dir), ==, 0);
}

static void
test_new_names (void)
{
  static const char *const good[] = { "a", "web1", "alice-web", "A.b_c-9", "0x",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk", NULL };
  static const char *const bad[] = { "", "-rf", "_x", ".x", "a b", "a;b", "a|b", "$(id)", "a`id`",
    "a'b", "a\"b", "a/b", "a\\b", "caf\xc3\xa9", "a\nb", "a*", "a?", "a~", "a:b", "a=b",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl", NULL };

  for (const char *const *n = good; *n; n++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_true (lxcd_validate_new_container_name (*n, &error));
      g_assert_no_error (error);
    }
  for (const char *const *n = bad; *n; n++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (lxcd_validate_new_container_name (*n, &error));
      g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
    }
  /* existing containers may have such names: still served */
  g_assert_true (lxcd_validate_container_name ("a b;c", NULL));
}

static void
test_ifnames (void)
{
  static const char *const good[] = { "eth0", "veth-a_b.1", "br0", "x", "abcdefghijklmno",
    "caf\xc3\xa9", NULL };
  static const char *const bad[] = { "", ".", "..", "-", "a/b", "a:b", "a b", "a\tb", "a\nb",
    "a\x7f", "abcdefghijklmnop", NULL };

  for (const char *const *n = good; *n; n++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_true (lxcd_validate_ifname (*n, &error));
      g_assert_no_error (error);
    }
  for (const char *const *n = bad; *n; n++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (lxcd_validate_ifname (*n, &error));
      g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
    }
  /* "-" is a name the kernel takes; only the helper's arguments refuse it */
  g_assert_true (lxcd_ifname_is_valid ("-"));
  /* ordinary configuration keys ask for a plain word on top */
  g_assert_true (lxcd_config_ordinary_value_is_valid ("lxc.net.0.name", "br0", NULL));
  g_assert_false (lxcd_config_ordinary_value_is_valid ("lxc.net.0.name", "caf\xc3\xa9", NULL));
  g_assert_false (lxcd_config_ordinary_value_is_valid ("lxc.net.0.name", "abcdefghijklmnop", NULL));
}

static void
test_container_paths (void)
{
  g_autofree char *long_path = g_strnfill (LXCD_MAX_PATH_LEN + 1, 'a');
  static const char *const good[] = { "/", "/dev/null", "/a/b c/d", "/a/./b", "/..x", NULL };
  static const char *const bad[] = { "", "dev/null", "/a/../b", "/..", "/a/\nb", "/a\x7f", NULL };

  long_path[0] = '/';
  for (const char *const *p = good; *p; p++)
    g_assert_true (lxcd_validate_container_path ("Path", *p, NULL));
  for (const char *const *p = bad; *p; p++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (lxcd_validate_container_path ("Path", *p, &error));
      g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "Path '"));
    }
  g_assert_false (lxcd_validate_container_path ("Path", long_path, NULL));
  long_path[LXCD_MAX_PATH_LEN] = '\0';
  g_assert_true (lxcd_validate_container_path ("Path", long_path, NULL));
}

static void
test_usage_parsers (void)
{
  guint64 a = 0, b = 0;

  g_assert_true (lxcd_usage_parse_u64 ("12345\n", &a));
  g_assert_cmpuint (a, ==, 12345);
  g_assert_false (lxcd_usage_parse_u64 ("max\n", &a));
  g_assert_false (lxcd_usage_parse_u64 ("", &a));
  g_assert_false (lxcd_usage_parse_u64 ("12 34", &a));
  g_assert_false (lxcd_usage_parse_u64 ("99999999999999999999999", &a));
  g_assert_true (lxcd_usage_parse_u64 ("9223372036854771712\n", &a));
  g_assert_cmpuint (a, >=, LXCD_USAGE_NO_LIMIT);

  /* cgroup v2 cpu.stat */
  g_assert_true (lxcd_usage_parse_keyed ("usage_usec 7400\nuser_usec 5000\nsystem_usec 2400\n",
                                         "usage_usec", &a));
  g_assert_cmpuint (a, ==, 7400);
  g_assert_true (lxcd_usage_parse_keyed ("usage_usec 7400\nuser_usec 5000\n", "user_usec", &a));
  g_assert_cmpuint (a, ==, 5000);
  g_assert_false (lxcd_usage_parse_keyed ("usage_usecs 1\n", "usage_usec", &a));
  g_assert_false (lxcd_usage_parse_keyed ("", "usage_usec", &a));

  /* cgroup v2 io.stat: two devices */
  g_assert_true (lxcd_usage_parse_io_stat ("8:0 rbytes=100 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n"
                                           "8:16 rbytes=5 wbytes=7 rios=1 wios=1 dbytes=0 dios=0\n",
                                           &a, &b));
  g_assert_cmpuint (a, ==, 105);
  g_assert_cmpuint (b, ==, 27);
  g_assert_true (lxcd_usage_parse_io_stat ("", &a, &b));
  g_assert_cmpuint (a + b, ==, 0);

  /* cgroup v1 blkio.throttle.io_service_bytes */
  g_assert_true (lxcd_usage_parse_blkio ("8:0 Read 4096\n8:0 Write 512\n8:0 Sync 0\n8:0 Async 4608\n"
                                         "8:0 Total 4608\n8:16 Read 1\n8:16 Write 2\nTotal 4611\n",
                                         &a, &b));
  g_assert_cmpuint (a, ==, 4097);
  g_assert_cmpuint (b, ==, 514);

  /* /proc/PID/net/dev: lo is not counted */
  g_assert_true (lxcd_usage_parse_net_dev (
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0\n"
    "  eth0:    1000      10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0\n"
    "  eth1:      10       1    0    0    0     0          0         0       20       2    0    0    0     0       0          0\n",
    &a, &b));
  g_assert_cmpuint (a, ==, 1010);
  g_assert_cmpuint (b, ==, 2020);
  g_assert_false (lxcd_usage_parse_net_dev ("  eth0: 1 2 3\n", &a, &b));

  /* /proc/PID/stat: a name with spaces and parentheses */
  g_assert_true (lxcd_usage_parse_stat_starttime (
    "4242 (my (init) 1 2) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10\n", &a));
  g_assert_cmpuint (a, ==, 987654);
  g_assert_false (lxcd_usage_parse_stat_starttime ("4242 (x) S 1 2 3\n", &a));
  g_assert_false (lxcd_usage_parse_stat_starttime ("no parenthesis", &a));
}

static void
test_usage_payload_path (void)
{
  static const char *v1 =
    "9:name=systemd:/lxc.payload.c1\n8:pids:/lxc.payload.c1/inner\n"
    "4:memory:/lxc.payload.c1\n2:cpu,cpuacct:/lxc.payload.c1\n0::/\n";
  static const char *v2 = "0::/user.slice/lxc.payload.c1/init.scope\n";
  /* a cgroup named "x\n4:memory:" below the payload (root in the
   * container may make one): the forged line has no leading '/' */
  static const char *forged =
    "8:pids:/lxc.payload.c1/x\n4:memory:lxc.payload.other\n4:memory:/lxc.payload.c1\n";
  char *p;

  p = lxcd_usage_payload_path (v1, "pids", "c1");
  g_assert_cmpstr (p, ==, "/lxc.payload.c1");
  g_free (p);
  p = lxcd_usage_payload_path (v1, "cpuacct", "c1");
  g_assert_cmpstr (p, ==, "/lxc.payload.c1");
  g_free (p);
  g_assert_null (lxcd_usage_payload_path (v1, "blkio", "c1"));
  g_assert_null (lxcd_usage_payload_path (v1, "", "c1")); /* 0::/ is not the container's */
  g_assert_null (lxcd_usage_payload_path (v1, "memory", "c2"));
  p = lxcd_usage_payload_path (v2, "", "c1");
  g_assert_cmpstr (p, ==, "/user.slice/lxc.payload.c1");
  g_free (p);
  /* the shallowest: a cgroup of the same name made inside does not count */
  p = lxcd_usage_payload_path ("0::/lxc.payload.c1/lxc.payload.c1/a\n", "", "c1");
  g_assert_cmpstr (p, ==, "/lxc.payload.c1");
  g_free (p);
  g_assert_null (lxcd_usage_payload_path (forged, "memory", "c1"));
  g_assert_null (lxcd_usage_payload_path ("garbage", "memory", "c1"));
}

static void
test_idmap (void)
{
  const char *subid = "# comment\nalice:100000:65536\nroot:200000:1000000\nroot:5000000:10\n";
  guint32 base = 0, count = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (lxcd_idmap_parse_setting ("300000:65536", &base, &count, NULL));
  g_assert_cmpuint (base, ==, 300000);
  g_assert_cmpuint (count, ==, 65536);
  g_assert_false (lxcd_idmap_parse_setting ("0:65536", &base, &count, &error));
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT);
  g_assert_false (lxcd_idmap_parse_setting ("1:0", &base, &count, NULL));
  g_assert_false (lxcd_idmap_parse_setting ("4294967295:2", &base, &count, NULL));
  g_assert_false (lxcd_idmap_parse_setting ("x:1", &base, &count, NULL));
  g_assert_false (lxcd_idmap_parse_setting ("1:2:3", &base, &count, NULL));

  /* default: root's first range */
  g_assert_true (lxcd_idmap_find_range (subid, "root", 0, 0, &base, &count));
  g_assert_cmpuint (base, ==, 200000);
  g_assert_cmpuint (count, ==, 1000000);
  /* a chosen range must lie inside one of root's */
  g_assert_true (lxcd_idmap_find_range (subid, "root", 300000, 65536, &base, &count));
  g_assert_cmpuint (base, ==, 300000);
  g_assert_false (lxcd_idmap_find_range (subid, "root", 100000, 65536, &base, &count));
  g_assert_false (lxcd_idmap_find_range (subid, "root", 1150000, 65536, &base, &count));
  g_assert_false (lxcd_idmap_find_range (subid, "root", 5000000, 11, &base, &count));
  g_assert_false (lxcd_idmap_find_range ("alice:1:65536\n", "root", 0, 0, &base, &count));
  g_assert_false (lxcd_idmap_find_range (NULL, "root", 0, 0, &base, &count));

  /* root's uid in a container's map */
  g_assert_cmpuint (lxcd_idmap_parse_uid_base ("g 0 300000 65536\nu 0 200000 65536"), ==, 200000);
  g_assert_cmpuint (lxcd_idmap_parse_uid_base ("u  0   200000 65536 "), ==, 200000);
  g_assert_cmpuint (lxcd_idmap_parse_uid_base ("u 1 200000 65536"), ==, 0);
  g_assert_cmpuint (lxcd_idmap_parse_uid_base ("u 0 200000"), ==, 0);
  g_assert_cmpuint (lxcd_idmap_parse_uid_base (""), ==, 0);
  g_assert_cmpuint (lxcd_idmap_parse_uid_base (NULL), ==, 0);
}

static void
test_idmap_blocks (void)
{
  LxcdIdmap range = { .uid_base = 1000000, .gid_base = 2000000, .count = 3 * 65536 + 100 };
  LxcdIdmap small = { .uid_base = 1000000, .gid_base = 1000000, .count = 65536 + 100 };
  g_autoptr(GHashTable) used = g_hash_table_new (NULL, NULL);
  LxcdIdmap out;

  /* a range of less than two blocks is shared, whatever is used */
  g_hash_table_add (used, GUINT_TO_POINTER (1000000));
  g_assert_true (lxcd_idmap_pick_block (&small, used, &out));
  g_assert_cmpuint (out.uid_base, ==, 1000000);
  g_assert_cmpuint (out.count, ==, 65536 + 100);
  /* otherwise the first free block, uids and gids alike */
  g_assert_true (lxcd_idmap_pick_block (&range, used, &out));
  g_assert_cmpuint (out.uid_base, ==, 1065536);
  g_assert_cmpuint (out.gid_base, ==, 2065536);
  g_assert_cmpuint (out.count, ==, 65536);
  g_hash_table_add (used, GUINT_TO_POINTER (1065536 + 65536));
  g_assert_true (lxcd_idmap_pick_block (&range, used, &out));
  g_assert_cmpuint (out.uid_base, ==, 1065536);
  g_hash_table_add (used, GUINT_TO_POINTER (1065536));
  /* the 100 ids over three blocks make no block */
  g_assert_false (lxcd_idmap_pick_block (&range, used, &out));
  g_assert_true (lxcd_idmap_pick_block (&range, NULL, &out));
  g_assert_cmpuint (out.uid_base, ==, 1000000);
}

static void
test_limits (void)
{
  g_autoptr(LxcdLimits) limits = lxcd_limits_new (2);
  g_autoptr(LxcdLimits) unlimited = lxcd_limits_new (0);
  g_autoptr(GError) error = NULL;
  LxcdLimitToken *a, *b, *c, *other, *root[5];

  a = lxcd_limits_acquire (limits, 1000, &error);
  g_assert_no_error (error);
  b = lxcd_limits_acquire (limits, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lxcd_limits_get_count (limits, 1000), ==, 2);
  /* The third of the same uid is refused, another uid is not affected. */
  c = lxcd_limits_acquire (limits, 1000, &error);
  g_assert_null (c);
  g_assert_error (error, LXCD_ERROR, LXCD_ERROR_LIMITS_EXCEEDED);
  g_clear_error (&error);
  other = lxcd_limits_acquire (limits, 1001, &error);
  g_assert_no_error (error);
  /* Root is never limited. */
  for (guint i = 0; i < G_N_ELEMENTS (root); i++)
    {
      root[i] = lxcd_limits_acquire (limits, 0, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (lxcd_limits_get_count (limits, 0), ==, G_N_ELEMENTS (root));
  /* A released token makes room again. */
  lxcd_limit_token_release (a);
  c = lxcd_limits_acquire (limits, 1000, &error);
  g_assert_no_error (error);
  lxcd_limit_token_release (b);
  lxcd_limit_token_release (c);
  lxcd_limit_token_release (other);
  for (guint i = 0; i < G_N_ELEMENTS (root); i++)
    lxcd_limit_token_release (root[i]);
  g_assert_cmpuint (lxcd_limits_get_count (limits, 1000), ==, 0);
  g_assert_cmpuint (lxcd_limits_get_count (limits, 0), ==, 0);
  /* 0: no limit. */
  {
    LxcdLimitToken *many[50];
    for (guint i = 0; i < G_N_ELEMENTS (many); i++)
      {
        many[i] = lxcd_limits_acquire (unlimited, 1000, &error);
        g_assert_no_error (error);
      }
    for (guint i = 0; i < G_N_ELEMENTS (many); i++)
      lxcd_limit_token_release (many[i]);
  }
  /* Tokens keep their table alive. */
  {
    LxcdLimits *l = lxcd_limits_new (1);
    LxcdLimitToken *t = lxcd_limits_acquire (l, 5, NULL);
    lxcd_limits_unref (l);
    lxcd_limit_token_release (t);
  }
}

static void
test_os_release (void)
{
  static const char text[] = "# comment\n"
                             "  NAME=\"Busy Box\"\n"
                             "ID=busybox\r\n"
                             "VERSION_ID='1.0'\n"
                             "PRETTY_NAME=\"a \\\"q\\\" \\$x \\n\"\n"
                             "LIKE=one\\ two  \n"
                             "MIX=a'b c'\"d\"\n"
                             "BAD KEY=x\n"
                             "1BAD=x\n"
                             "OPEN=\"x\n"
                             "noequals\n"
                             "ID=last\n"
                             "EMPTY=";
  g_autoptr(GVariant) v = lxcd_os_release_parse (text, sizeof text - 1);
  g_autoptr(GVariant) nul = NULL;
  const char *s;

  g_assert_cmpstr (g_variant_get_type_string (v), ==, "a{ss}");
  g_assert_cmpuint (g_variant_n_children (v), ==, 7);
  g_assert_true (g_variant_lookup (v, "NAME", "&s", &s));
  g_assert_cmpstr (s, ==, "Busy Box");
  g_assert_true (g_variant_lookup (v, "ID", "&s", &s));
  g_assert_cmpstr (s, ==, "last");
  g_assert_true (g_variant_lookup (v, "VERSION_ID", "&s", &s));
  g_assert_cmpstr (s, ==, "1.0");
  g_assert_true (g_variant_lookup (v, "PRETTY_NAME", "&s", &s));
  g_assert_cmpstr (s, ==, "a \"q\" $x \\n");
  g_assert_true (g_variant_lookup (v, "LIKE", "&s", &s));
  g_assert_cmpstr (s, ==, "one two");
  g_assert_true (g_variant_lookup (v, "MIX", "&s", &s));
  g_assert_cmpstr (s, ==, "ab cd");
  g_assert_true (g_variant_lookup (v, "EMPTY", "&s", &s));
  g_assert_cmpstr (s, ==, "");
  /* NUL and bytes that are not UTF-8 do not make an invalid string */
  nul = lxcd_os_release_parse ("A=x\0y\xff\nB=z\n", 11);
  g_assert_true (g_variant_lookup (nul, "A", "&s", &s));
  g_assert_cmpstr (s, ==, "x\xef\xbf\xbdy\xef\xbf\xbd");
  g_assert_true (g_variant_lookup (nul, "B", "&s", &s));
  g_assert_cmpstr (s, ==, "z");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/util/states", test_states);
  g_test_add_func ("/util/names", test_names);
  g_test_add_func ("/util/timeouts", test_timeouts);
  g_test_add_func ("/util/new-names", test_new_names);
  g_test_add_func ("/util/ifnames", test_ifnames);
  g_test_add_func ("/util/usage-parsers", test_usage_parsers);
  g_test_add_func ("/util/usage-payload-path", test_usage_payload_path);
  g_test_add_func ("/util/container-paths", test_container_paths);
  g_test_add_func ("/util/idmap", test_idmap);
  g_test_add_func ("/util/idmap-blocks", test_idmap_blocks);
  g_test_add_func ("/config/allowlist", test_config_keys);
  g_test_add_func ("/config/ordinary-values", test_config_values);
  g_test_add_func ("/config/file-bounds", test_config_file_bounds);
  g_test_add_func ("/config/hostname", test_config_hostname);
  g_test_add_func ("/util/argv", test_argv);
  g_test_add_func ("/util/options", test_options);
  g_test_add_func ("/error/names", test_error_names);
  g_test_add_func ("/error/mapping", test_error_mapping);
  g_test_add_func ("/util/canonicalize", test_canonicalize);
  g_test_add_func ("/limits/per-uid", test_limits);
  g_test_add_func ("/util/os-release", test_os_release);
  return g_test_run ();
}
