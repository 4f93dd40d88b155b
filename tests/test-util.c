/* Unit tests of lxc-dbus's pure logic: validation, states, options, errors. */
#include "config.h"

#include <gio/gio.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "lxcd-config-keys.h"
#include "lxcd-error.h"
#include "lxcd-limits.h"
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
    "lxc.environment", "lxc.init.cmd", "lxc.init.cwd",
    "lxc.init.uid", "lxc.init.gid", "lxc.autodev",
    "lxc.net.0.name", "lxc.net.0.flags", "lxc.net.0.hwaddr", "lxc.net.0.mtu",
    "lxc.net.0.ipv4.address", "lxc.net.12.ipv4.gateway", "lxc.net.3.ipv6.address",
    "lxc.net.3.ipv6.gateway",
    "lxc.cgroup.memory.limit_in_bytes", "lxc.cgroup.cpuset.cpus", "lxc.cgroup.pids.max",
    "lxc.cgroup2.memory.max", "lxc.cgroup2.cpu.weight", "lxc.cgroup2.io.max",
    "lxc.prlimit.nofile",
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
    "lxc.environment.extra", "lxc.prlimit.", "lxc.future.key", "", NULL,
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

  /* default: root's first range, capped */
  g_assert_true (lxcd_idmap_find_range (subid, "root", 0, 0, &base, &count));
  g_assert_cmpuint (base, ==, 200000);
  g_assert_cmpuint (count, ==, LXCD_IDMAP_DEFAULT_COUNT);
  /* a chosen range must lie inside one of root's */
  g_assert_true (lxcd_idmap_find_range (subid, "root", 300000, 65536, &base, &count));
  g_assert_cmpuint (base, ==, 300000);
  g_assert_false (lxcd_idmap_find_range (subid, "root", 100000, 65536, &base, &count));
  g_assert_false (lxcd_idmap_find_range (subid, "root", 1150000, 65536, &base, &count));
  g_assert_false (lxcd_idmap_find_range (subid, "root", 5000000, 11, &base, &count));
  g_assert_false (lxcd_idmap_find_range ("alice:1:65536\n", "root", 0, 0, &base, &count));
  g_assert_false (lxcd_idmap_find_range (NULL, "root", 0, 0, &base, &count));
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/util/states", test_states);
  g_test_add_func ("/util/names", test_names);
  g_test_add_func ("/util/timeouts", test_timeouts);
  g_test_add_func ("/util/new-names", test_new_names);
  g_test_add_func ("/util/idmap", test_idmap);
  g_test_add_func ("/config/allowlist", test_config_keys);
  g_test_add_func ("/util/argv", test_argv);
  g_test_add_func ("/util/options", test_options);
  g_test_add_func ("/error/names", test_error_names);
  g_test_add_func ("/error/mapping", test_error_mapping);
  g_test_add_func ("/util/canonicalize", test_canonicalize);
  g_test_add_func ("/limits/per-uid", test_limits);
  return g_test_run ();
}
