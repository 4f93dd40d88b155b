/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: which container config keys are "ordinary" (pure logic)
 *
 * THE one place that decides which configuration keys an admin can hand to
 * a user with the polkit action org.linuxcontainers.LXC1.configure, and
 * which values of them. Every other key, including any key a future
 * liblxc adds, needs org.linuxcontainers.LXC1.configure-host, which is
 * root-equivalent: hooks and scripts (run on the host), mounts and rootfs
 * (reach host files), includes, capabilities, AppArmor/SELinux/seccomp, id
 * maps, the devices cgroup, interface links and types, logging to host
 * files, the console log file...
 *
 * The threat model: a user who holds "configure" (and maybe "lifecycle")
 * on their own container, and nothing else. A key is ordinary only if
 * nothing liblxc 5.0.2 does with it (confile.c parses, conf.c/start.c/
 * network.c apply) can
 *   (a) run a program of the user's choice as host root, or change the
 *       environment, arguments or files of a host-side program;
 *   (b) reach host files, devices, routes or neighbour tables; or
 *   (c) take a shared host resource from other users beyond a fixed bound
 *       (the pty pool, file descriptors, locked memory, CPU priority,
 *       the boot sequence, the shared bridge...).
 * Where a value consumes a shared resource, the key is ordinary only
 * within a bound, checked by lxcd_config_ordinary_value_is_valid();
 * values outside the bounds need configure-host (root and configure-host
 * holders are not bound by them).
 *
 * Ordinary keys that choose the program the container runs (lxc.init.*,
 * lxc.execute.cmd) carry the power of the "exec" action: setting them
 * needs configure AND exec (lxcd_config_key_needs_exec()).
 *
 * Key by key: the reasoning is next to each entry below. Keys decided NOT
 * ordinary, with why:
 *  - lxc.environment: start.c do_start() calls lxc_set_environment() in
 *    the child BEFORE lxc_setup() runs the mount, autodev and start hooks,
 *    so the values reach the environment of hooks the admin configured,
 *    which run as host root (for a privileged container) before the
 *    pivot: PATH=, LD_PRELOAD=, BASH_ENV=... ran the user's programs as
 *    root. (lxc.environment.* variants are not ordinary either.)
 *  - lxc.net.N.ipv4.address / ipv6.address / ipv4.gateway / ipv6.gateway:
 *    with lxc.net.N.veth.mode = router liblxc adds host routes for the
 *    addresses (network.c setup_ipv4_addr_routes()) and neighbour-proxy
 *    entries plus forwarding for the gateway on the host-side veth; with
 *    lxc.net.N.l2proxy = 1 it adds proxy ARP/NDP entries for the addresses
 *    on the host's uplink (lxc_setup_l2proxy()): the user could hijack any
 *    address on the host's network (its gateway, DNS...). Whether those
 *    modes are on is decided by other keys of the file, which a pure check
 *    of one key cannot see; root inside the container can set addresses
 *    and routes on its own side itself (CAP_NET_ADMIN in its netns).
 *  - lxc.net.N.mtu: instantiate_veth() sets it on the HOST side of the
 *    veth too (and on the host's link for phys); a Linux bridge takes the
 *    smallest MTU of its ports, so a small value lowers the MTU of every
 *    container on the shared bridge. Root inside can set its own side.
 *  - lxc.cgroup.cpuacct.* (no limit to set), and every cgroup file that
 *    is not a pure ceiling on the container itself: memory.min/low and
 *    memory.soft_limit_in_bytes (protection: others get reclaimed first),
 *    cpuset.cpus.partition / cpuset.cpus.exclusive / cpuset.*_exclusive
 *    (take CPUs away from siblings), io.weight / blkio.weight /
 *    cpu.weight.nice / cpu.uclamp.* / cpu.rt_* (priority over others),
 *    cpu.idle... Only the listed limit files are ordinary.
 *  - lxc.prlimit.core: RLIMIT_CORE decides whether a crash produces a
 *    core dump, and with a piped kernel.core_pattern (systemd-coredump,
 *    apport) a host-side helper runs as root and stores it on the host's
 *    disk. lxc.prlimit.rtprio / rttime: SCHED_FIFO/RR priority that can
 *    starve host tasks. Numeric resource names and any resource not listed.
 *  - lxc.ephemeral: an ephemeral container is destroyed when it stops,
 *    which is the power of "manage".
 *  - lxc.console.size: a ring buffer in the host-side monitor process,
 *    sized by the caller. lxc.autodev.tmpfs.size: likewise host memory.
 *  - lxc.execute.cmd, lxc.init.*: ordinary, but need exec too (above).
 *
 * Values with newline or carriage return are refused for every key
 * (lxcd_config_value_is_valid()), and the config file as a whole is
 * bounded (lxcd_config_text_is_within_bounds()).
 */
#include "config.h"

#include <string.h>

#include "lxcd-config-keys.h"
#include "lxcd-error.h"
#include "lxcd-util.h"

typedef enum {
  V_ANY,          /* any value (the common length bound only) */
  V_RANGE,        /* a decimal number from min to max */
  V_INT,          /* a decimal int (negative allowed) */
  V_SIGNAL,       /* 1..64 or a SIGxxx name */
  V_HOSTNAME,
  V_ABS_PATH,
  V_IFNAME,
  V_UP,           /* "up", the only flag */
  V_MAC,
  V_GROUPS,
  V_BYTES_OR_MAX, /* cgroup v2 memory: "max" or bytes (K/M/G/T/P/E suffix) */
  V_BYTES_OR_M1,  /* cgroup v1 memory: "-1" or bytes */
  V_UINT_OR_MAX,  /* pids.max */
  V_UINT_OR_M1,   /* cpu.cfs_quota_us */
  V_CPU_MAX,      /* "max|QUOTA [PERIOD]" */
  V_IO_MAX,       /* "MAJ:MIN rbps=N wbps=max ..." */
  V_THROTTLE,     /* "MAJ:MIN N" */
  V_CPULIST,      /* "0-3,5" */
  V_PRLIMIT,      /* "SOFT[:HARD]", each "unlimited" or a number, <= max */
} ValueKind;

typedef struct {
  const char *name;
  ValueKind kind;
  guint64 min, max;
  gboolean needs_exec;
  const char *why; /* not used by the code: the reasoning, kept with the entry */
} Rule;

#define UNBOUNDED G_MAXUINT64

/* Exact keys. */
static const Rule ordinary_keys[] = {
  { "lxc.uts.name", V_HOSTNAME, 0, 0, FALSE,
    "sethostname() in the container's own UTS namespace; 1-64 characters "
    "(liblxc refuses longer). But conf.c lxc_setup() calls sethostname() "
    "whenever the UTS namespace is not shared from elsewhere, also when "
    "lxc.namespace.keep / lxc.namespace.clone (configure-host) leave the "
    "container in the HOST's UTS namespace: it would rename the host. So a "
    "configure-only caller may set it only where "
    "lxcd_config_hostname_stays_inside() holds (checked with the file's "
    "namespace keys when the value is set, lxcd-lxc.c)" },
  { "lxc.start.auto", V_RANGE, 0, 1, FALSE,
    "only lxc-autostart reads it, at boot it starts the container as "
    "lifecycle would; 0 or 1 as liblxc parses it" },
  { "lxc.start.delay", V_RANGE, 0, 60, FALSE,
    "lxc-autostart sleeps this long after starting the container, before the "
    "NEXT container, of any user: a shared resource (the boot sequence); at "
    "most 60 seconds" },
  { "lxc.start.order", V_INT, 0, 0, FALSE,
    "a sort key of lxc-autostart among containers; well-formed int only" },
  { "lxc.group", V_GROUPS, 0, 16, FALSE,
    "names lxc-autostart -g selects by; the container still only starts as "
    "lifecycle would start it. Group names [A-Za-z0-9_.-]{1,64}, at most 16 "
    "in one value (and the per-key bound of the file)" },
  { "lxc.signal.halt", V_SIGNAL, 0, 0, FALSE,
    "the signal the host sends to the container's init only (lxc_conf "
    "haltsignal, sent to the init pid): it picks the number, never the "
    "target. 1-64 or a SIGxxx name" },
  { "lxc.signal.reboot", V_SIGNAL, 0, 0, FALSE, "as lxc.signal.halt" },
  { "lxc.signal.stop", V_SIGNAL, 0, 0, FALSE, "as lxc.signal.halt" },
  { "lxc.tty.max", V_RANGE, 0, 16, FALSE,
    "conf.c lxc_allocate_ttys() opens this many pty pairs at start; the "
    "host-side monitor holds them. Every devpts instance but the host's "
    "initial one shares kernel.pty.max - kernel.pty.reserve ptys (4096 - "
    "1024 = 3072 here), so a huge value starves the start of every other "
    "container. At most 16 (templates use 4)" },
  { "lxc.pty.max", V_RANGE, 0, 1024, FALSE,
    "the max= of the container's devpts instance (plus tty.max); same "
    "shared pool. At most 1024, liblxc's own common.conf value: a third of "
    "the 3072 non-reserved ptys here. It cannot be an isolation boundary "
    "(root inside may mount a fresh devpts instance); kernel.pty.reserve "
    "keeps the host's own ptys, the bound keeps one start from taking the "
    "pool" },
  { "lxc.init.cmd", V_ANY, 0, 0, TRUE,
    "the program run as the container's init: the power of exec" },
  { "lxc.init.cwd", V_ABS_PATH, 0, 0, TRUE,
    "chdir() of init, inside, after the pivot; goes with init.cmd (exec)" },
  { "lxc.init.uid", V_RANGE, 0, G_MAXUINT32 - 1, TRUE,
    "the uid init runs as inside; goes with init.cmd (exec); lxc_safe_uint" },
  { "lxc.init.gid", V_RANGE, 0, G_MAXUINT32 - 1, TRUE,
    "the gid init runs as inside; goes with init.cmd (exec); lxc_safe_uint" },
  { "lxc.execute.cmd", V_ANY, 0, 0, TRUE,
    "the program an application container runs: the power of exec" },
  { "lxc.autodev", V_RANGE, 0, 1, FALSE,
    "a tmpfs /dev inside with liblxc's fixed list of nodes; the autodev "
    "hook and the devices cgroup stay configure-host; 0 or 1" },
  { NULL, 0, 0, 0, FALSE, NULL },
};

/* Per-interface keys lxc.net.N.<suffix> that only configure the
 * container's side of an interface. (type, link, script.*, veth.*,
 * l2proxy, addresses, gateways, mtu, macvlan/ipvlan/vlan modes and ids,
 * ... stay configure-host.) */
static const Rule ordinary_net_keys[] = {
  { "name", V_IFNAME, 0, 0, FALSE,
    "the name given inside the container's netns (network_ifname()); the "
    "host-side veth name is veth.pair, not ordinary" },
  { "flags", V_UP, 0, 0, FALSE,
    "liblxc only knows \"up\" (set_config_net_flags() sets IFF_UP whatever "
    "the value) for the container side" },
  { "hwaddr", V_MAC, 0, 0, FALSE,
    "the container side's MAC; root inside can set it itself (CAP_NET_ADMIN "
    "in its netns). Unicast only ('x' digits are filled by liblxc)" },
  { NULL, 0, 0, 0, FALSE, NULL },
};

/* cgroup v2 files, lxc.cgroup2.<file>: ceilings on the container itself.
 * The cgroup hierarchy keeps a child within its parent, so a ceiling can
 * never take from siblings; weights and protections can, and stay host. */
static const Rule ordinary_cgroup2_files[] = {
  { "memory.max", V_BYTES_OR_MAX, 0, 0, FALSE, "ceiling" },
  { "memory.high", V_BYTES_OR_MAX, 0, 0, FALSE, "ceiling (throttle)" },
  { "memory.swap.max", V_BYTES_OR_MAX, 0, 0, FALSE, "ceiling" },
  { "memory.oom.group", V_RANGE, 0, 1, FALSE, "kill the container's cgroup as one" },
  { "cpu.max", V_CPU_MAX, 0, 0, FALSE, "quota/period ceiling; period 1000-1000000 us" },
  { "cpu.weight", V_RANGE, 1, 100, FALSE,
    "a share against siblings: at most the kernel's default, 100, so a user "
    "may only give up CPU, never take it from others" },
  { "pids.max", V_UINT_OR_MAX, 0, 0, FALSE, "ceiling" },
  { "io.max", V_IO_MAX, 0, 0, FALSE, "ceiling per device" },
  { "cpuset.cpus", V_CPULIST, 0, 0, FALSE,
    "a subset of the parent's CPUs (the kernel refuses others); not "
    "exclusive: cpuset.cpus.partition / .exclusive stay host" },
  { "cpuset.mems", V_CPULIST, 0, 0, FALSE, "as cpuset.cpus" },
  { NULL, 0, 0, 0, FALSE, NULL },
};

/* cgroup v1 files, lxc.cgroup.<file>. */
static const Rule ordinary_cgroup1_files[] = {
  { "memory.limit_in_bytes", V_BYTES_OR_M1, 0, 0, FALSE, "ceiling" },
  { "memory.memsw.limit_in_bytes", V_BYTES_OR_M1, 0, 0, FALSE, "ceiling" },
  { "cpu.cfs_quota_us", V_UINT_OR_M1, 0, 0, FALSE, "ceiling" },
  { "cpu.cfs_period_us", V_RANGE, 1000, 1000000, FALSE, "the kernel's range" },
  { "cpu.shares", V_RANGE, 2, 1024, FALSE,
    "a share against siblings: at most the default, 1024 (as cpu.weight)" },
  { "pids.max", V_UINT_OR_MAX, 0, 0, FALSE, "ceiling" },
  { "blkio.throttle.read_bps_device", V_THROTTLE, 0, 0, FALSE, "ceiling" },
  { "blkio.throttle.write_bps_device", V_THROTTLE, 0, 0, FALSE, "ceiling" },
  { "blkio.throttle.read_iops_device", V_THROTTLE, 0, 0, FALSE, "ceiling" },
  { "blkio.throttle.write_iops_device", V_THROTTLE, 0, 0, FALSE, "ceiling" },
  { "cpuset.cpus", V_CPULIST, 0, 0, FALSE, "as v2; cpu_exclusive stays host" },
  { "cpuset.mems", V_CPULIST, 0, 0, FALSE, "as v2; mem_exclusive stays host" },
  { NULL, 0, 0, 0, FALSE, NULL },
};

/* lxc.prlimit.<resource>: liblxc applies them with prlimit() from the
 * host side, with the host's privilege, so a value may exceed what root
 * inside could set itself. "max" is the largest soft or hard value. */
static const Rule ordinary_prlimits[] = {
  { "nofile", V_PRLIMIT, 0, 65536, FALSE,
    "file table memory and, with ptys, the pty pool: at most 65536" },
  { "nproc", V_PRLIMIT, 0, 65536, FALSE,
    "counted per host uid (shared with every process of that uid): at most 65536" },
  { "memlock", V_PRLIMIT, 0, 64 * 1024 * 1024, FALSE,
    "unswappable memory, also counted per host user (io_uring, BPF): at most 64 MiB" },
  { "msgqueue", V_PRLIMIT, 0, 8 * 1024 * 1024, FALSE,
    "POSIX message queue bytes, kernel memory per host user: at most 8 MiB" },
  { "sigpending", V_PRLIMIT, 0, 65536, FALSE,
    "queued signals, kernel memory per host user: at most 65536" },
  { "nice", V_PRLIMIT, 0, 20, FALSE,
    "the nice ceiling is 20 - limit: at most 20, so never a negative nice, "
    "i.e. never priority over other users' processes" },
  { "as", V_PRLIMIT, 0, UNBOUNDED, FALSE, "the container's own address space" },
  { "cpu", V_PRLIMIT, 0, UNBOUNDED, FALSE, "the container's own CPU seconds" },
  { "data", V_PRLIMIT, 0, UNBOUNDED, FALSE, "the container's own heap" },
  { "fsize", V_PRLIMIT, 0, UNBOUNDED, FALSE, "the container's own file sizes" },
  { "locks", V_PRLIMIT, 0, UNBOUNDED, FALSE, "ignored by Linux since 2.4.25" },
  { "rss", V_PRLIMIT, 0, UNBOUNDED, FALSE, "ignored by Linux" },
  { "stack", V_PRLIMIT, 0, UNBOUNDED, FALSE, "the container's own stacks" },
  { NULL, 0, 0, 0, FALSE, NULL },
};

static const Rule *
find_in (const Rule *rules, const char *name)
{
  for (const Rule *r = rules; r->name; r++)
    {
      if (g_str_equal (r->name, name))
        return r;
    }
  return NULL;
}

/* hugetlb.<size>.max (v2) or hugetlb.<size>.limit_in_bytes (v1): a
 * ceiling, <size> such as 2MB or 1GB. */
static const Rule hugetlb_v2 = { "hugetlb.*.max", V_BYTES_OR_MAX, 0, 0, FALSE, "ceiling" };
static const Rule hugetlb_v1 = { "hugetlb.*.limit_in_bytes", V_BYTES_OR_M1, 0, 0, FALSE, "ceiling" };

static gboolean
is_hugetlb_file (const char *file, const char *suffix)
{
  const char *p;

  if (!g_str_has_prefix (file, "hugetlb."))
    return FALSE;
  p = file + strlen ("hugetlb.");
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (strchr ("KMG", *p) == NULL || *p == '\0' || p[1] != 'B' || p[2] != '.')
    return FALSE;
  return g_str_equal (p + 3, suffix);
}

/* The rule that makes @key ordinary, or NULL (configure-host). */
static const Rule *
find_rule (const char *key)
{
  const Rule *r;

  if (key == NULL)
    return NULL;
  if ((r = find_in (ordinary_keys, key)) != NULL)
    return r;

  /* lxc.net.N.suffix, N a plain decimal index */
  if (g_str_has_prefix (key, "lxc.net."))
    {
      const char *p = key + strlen ("lxc.net.");
      const char *digits = p;

      while (g_ascii_isdigit (*p))
        p++;
      if (p == digits || p - digits > 4 || *p != '.' || (digits[0] == '0' && p - digits > 1))
        return NULL;
      return find_in (ordinary_net_keys, p + 1);
    }

  /* Resource ceilings; never devices, nor lxc.cgroup.dir / relative /
   * pattern, which place the cgroup. */
  if (g_str_has_prefix (key, "lxc.cgroup2."))
    {
      const char *file = key + strlen ("lxc.cgroup2.");
      return is_hugetlb_file (file, "max") ? &hugetlb_v2 : find_in (ordinary_cgroup2_files, file);
    }
  if (g_str_has_prefix (key, "lxc.cgroup."))
    {
      const char *file = key + strlen ("lxc.cgroup.");
      return is_hugetlb_file (file, "limit_in_bytes") ? &hugetlb_v1
                                                      : find_in (ordinary_cgroup1_files, file);
    }

  if (g_str_has_prefix (key, "lxc.prlimit."))
    return find_in (ordinary_prlimits, key + strlen ("lxc.prlimit."));

  return NULL;
}

/**
 * lxcd_config_key_is_ordinary:
 *
 * Whether @key may be changed with the "configure" action (within the
 * bounds of lxcd_config_ordinary_value_is_valid()); everything else needs
 * "configure-host". Any thread.
 */
gboolean
lxcd_config_key_is_ordinary (const char *key)
{
  return find_rule (key) != NULL;
}

/**
 * lxcd_config_key_needs_exec:
 *
 * Whether @key, ordinary, chooses the program the container runs
 * (lxc.init.*, lxc.execute.cmd): a caller authorized by "configure" needs
 * "exec" as well. FALSE for keys that are not ordinary (configure-host
 * covers them). Any thread.
 */
gboolean
lxcd_config_key_needs_exec (const char *key)
{
  const Rule *r = find_rule (key);

  return r != NULL && r->needs_exec;
}

/* ---- value syntax ------------------------------------------------------- */

static gboolean
parse_u64 (const char *s, gsize len, guint64 *out)
{
  char buf[24];

  if (len == 0 || len > 20)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
    }
  memcpy (buf, s, len);
  buf[len] = '\0';
  return g_ascii_string_to_unsigned (buf, 10, 0, G_MAXUINT64, out, NULL);
}

static gboolean
is_u64 (const char *s, guint64 *out)
{
  guint64 dummy;
  return parse_u64 (s, strlen (s), out ? out : &dummy);
}

/* digits with an optional K/M/G/T/P/E suffix (the kernel's memparse()) */
static gboolean
is_bytes (const char *s)
{
  gsize len = strlen (s);
  guint64 v;

  if (len > 1 && strchr ("kKmMgGtTpPeE", s[len - 1]) != NULL)
    len--;
  return parse_u64 (s, len, &v);
}

/* "MAJ:MIN" at *p; advances */
static gboolean
skip_devnum (const char **p)
{
  const char *s = *p;
  const char *colon = strchr (s, ':');
  const char *end;
  guint64 v;

  if (colon == NULL || !parse_u64 (s, (gsize) (colon - s), &v) || v > 4095)
    return FALSE;
  end = colon + 1;
  while (g_ascii_isdigit (*end))
    end++;
  if (!parse_u64 (colon + 1, (gsize) (end - colon - 1), &v) || v > 1048575)
    return FALSE;
  *p = end;
  return TRUE;
}

static gboolean
is_io_max (const char *value)
{
  static const char *const keys[] = { "rbps=", "wbps=", "riops=", "wiops=", NULL };
  const char *p = value;
  int n = 0;

  if (!skip_devnum (&p))
    return FALSE;
  while (*p == ' ')
    {
      const char *const *k;
      const char *end;
      guint64 v;

      p++;
      for (k = keys; *k; k++)
        {
          if (g_str_has_prefix (p, *k))
            break;
        }
      if (*k == NULL)
        return FALSE;
      p += strlen (*k);
      end = strchr (p, ' ');
      if (end == NULL)
        end = p + strlen (p);
      if (!(end - p == 3 && strncmp (p, "max", 3) == 0) && !parse_u64 (p, (gsize) (end - p), &v))
        return FALSE;
      p = end;
      n++;
    }
  return *p == '\0' && n > 0 && n <= 4;
}

static gboolean
is_throttle (const char *value)
{
  const char *p = value;

  return skip_devnum (&p) && *p == ' ' && is_u64 (p + 1, NULL);
}

static gboolean
is_cpu_max (const char *value)
{
  const char *space = strchr (value, ' ');
  g_autofree char *quota = g_strndup (value, space ? (gsize) (space - value) : strlen (value));
  guint64 period;

  if (!g_str_equal (quota, "max") && !is_u64 (quota, NULL))
    return FALSE;
  return space == NULL || (is_u64 (space + 1, &period) && period >= 1000 && period <= 1000000);
}

static gboolean
is_cpulist (const char *value)
{
  gsize len = strlen (value);

  if (len == 0 || len > 1024 || !g_ascii_isdigit (value[0]) || !g_ascii_isdigit (value[len - 1]))
    return FALSE;
  for (const char *p = value; *p; p++)
    {
      if (!g_ascii_isdigit (*p) && *p != ',' && *p != '-')
        return FALSE;
    }
  return strstr (value, ",,") == NULL && strstr (value, "--") == NULL &&
         strstr (value, ",-") == NULL && strstr (value, "-,") == NULL;
}

static gboolean
is_word (const char *s, gsize len, const char *extra)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalnum (s[i]) && strchr (extra, s[i]) == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_signal (const char *value)
{
  guint64 n;
  const char *p;

  if (is_u64 (value, &n))
    return n >= 1 && n <= 64;
  if (!g_str_has_prefix (value, "SIG"))
    return FALSE;
  p = value + 3;
  while (g_ascii_isupper (*p))
    p++;
  if (p - value < 5 || p - value > 10)
    return FALSE;
  if (*p == '+' || *p == '-')
    return is_u64 (p + 1, &n) && n <= 32;
  return *p == '\0';
}

static gboolean
is_mac (const char *value)
{
  if (strlen (value) != 17)
    return FALSE;
  for (int i = 0; i < 17; i++)
    {
      char c = value[i];
      if (i % 3 == 2 ? c != ':' : !(g_ascii_isxdigit (c) || c == 'x' || c == 'X'))
        return FALSE;
    }
  /* unicast: the low bit of the first octet clear (liblxc keeps it clear
   * when it fills an 'x' there) */
  return !g_ascii_isxdigit (value[1]) || (g_ascii_xdigit_value (value[1]) & 1) == 0;
}

static gboolean
is_ifname (const char *value)
{
  /* the kernel's rule, and for ordinary keys a plain word */
  return lxcd_ifname_is_valid (value) && is_word (value, strlen (value), "_.-");
}

static gboolean
is_groups (const char *value, guint64 max)
{
  g_auto(GStrv) parts = g_strsplit_set (value, " \t", -1);
  guint64 n = 0;

  for (char **p = parts; *p; p++)
    {
      if (**p == '\0')
        continue;
      if (strlen (*p) > 64 || !is_word (*p, strlen (*p), "_.-"))
        return FALSE;
      n++;
    }
  return n >= 1 && n <= max;
}

/* one side of a prlimit: "unlimited" (G_MAXUINT64) or a number */
static gboolean
parse_rlim (const char *s, gsize len, guint64 *out)
{
  if (len == strlen ("unlimited") && strncmp (s, "unlimited", len) == 0)
    {
      *out = UNBOUNDED;
      return TRUE;
    }
  return parse_u64 (s, len, out) && *out != UNBOUNDED;
}

/* 0: fine; 1: malformed; 2: out of bounds */
static int
check_prlimit (const char *value, guint64 max)
{
  const char *colon = strchr (value, ':');
  guint64 soft, hard;

  if (!parse_rlim (value, colon ? (gsize) (colon - value) : strlen (value), &soft))
    return 1;
  hard = soft;
  if (colon && !parse_rlim (colon + 1, strlen (colon + 1), &hard))
    return 1;
  if (soft > hard)
    return 1;
  return max != UNBOUNDED && hard > max ? 2 : 0;
}

static const char *
describe (const Rule *r, char *buf, gsize size)
{
  switch (r->kind)
    {
    case V_ANY:
      return "any single-line text";
    case V_RANGE:
      g_snprintf (buf, size, "a number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                  r->min, r->max);
      return buf;
    case V_INT:
      return "a decimal integer";
    case V_SIGNAL:
      return "a signal number from 1 to 64 or a SIG name such as SIGTERM or SIGRTMIN+3";
    case V_HOSTNAME:
      return "a host name of 1 to 64 letters, digits, '.', '_' or '-'";
    case V_ABS_PATH:
      return "an absolute path";
    case V_IFNAME:
      return "an interface name of 1 to 15 letters, digits, '.', '_' or '-'";
    case V_UP:
      return "\"up\"";
    case V_MAC:
      return "a unicast MAC address xx:xx:xx:xx:xx:xx (hex digits or x)";
    case V_GROUPS:
      g_snprintf (buf, size, "1 to %" G_GUINT64_FORMAT " group names of letters, digits, '.', "
                  "'_' or '-' (at most 64 each)", r->max);
      return buf;
    case V_BYTES_OR_MAX:
      return "\"max\" or a number of bytes (K, M, G, T, P or E suffix)";
    case V_BYTES_OR_M1:
      return "\"-1\" or a number of bytes (K, M, G, T, P or E suffix)";
    case V_UINT_OR_MAX:
      return "\"max\" or a number";
    case V_UINT_OR_M1:
      return "\"-1\" or a number";
    case V_CPU_MAX:
      return "\"max\" or a quota, then optionally a period from 1000 to 1000000";
    case V_IO_MAX:
      return "MAJ:MIN followed by 1 to 4 of rbps=, wbps=, riops=, wiops= (a number or max)";
    case V_THROTTLE:
      return "MAJ:MIN followed by a number";
    case V_CPULIST:
      return "a CPU or node list such as 0-3,5";
    case V_PRLIMIT:
      if (r->max == UNBOUNDED)
        return "SOFT or SOFT:HARD, each \"unlimited\" or a number, SOFT <= HARD";
      g_snprintf (buf, size, "SOFT or SOFT:HARD, each a number of at most %" G_GUINT64_FORMAT
                  ", SOFT <= HARD", r->max);
      return buf;
    default:
      g_assert_not_reached ();
    }
}

/**
 * lxcd_config_ordinary_value_is_valid:
 *
 * Whether @value is within what the "configure" action grants for the
 * ordinary key @key: well-formed as liblxc parses it, and within the
 * bound where the key consumes a shared host resource (see the tables
 * above). "" is always valid (liblxc resets the key). Values outside need
 * configure-host; root is not bound by them. Any thread.
 *
 * Returns: FALSE with an InvalidArgument error naming the key and the
 * bound, or for a key that is not ordinary.
 */
gboolean
lxcd_config_ordinary_value_is_valid (const char *key, const char *value, GError **error)
{
  const Rule *r = find_rule (key);
  guint64 n;
  gint64 i;
  gboolean ok;
  char buf[160];

  if (r == NULL)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "'%s' is not an ordinary configuration key", key ? key : "");
      return FALSE;
    }
  if (value == NULL)
    goto bad;
  if (*value == '\0')
    return TRUE;
  if (strlen (value) > LXCD_MAX_CONFIG_VALUE_LEN)
    goto bad;

  switch (r->kind)
    {
    case V_ANY:
      ok = TRUE;
      break;
    case V_RANGE:
      ok = is_u64 (value, &n) && n >= r->min && n <= r->max;
      break;
    case V_INT:
      ok = (g_ascii_isdigit (value[0]) || (value[0] == '-' && g_ascii_isdigit (value[1]))) &&
           g_ascii_string_to_signed (value, 10, G_MININT32, G_MAXINT32, &i, NULL);
      break;
    case V_SIGNAL:
      ok = is_signal (value);
      break;
    case V_HOSTNAME:
      ok = strlen (value) <= 64 && is_word (value, strlen (value), "_.-");
      break;
    case V_ABS_PATH:
      ok = value[0] == '/';
      for (const char *p = value; *p && ok; p++)
        ok = (unsigned char) *p >= 0x20 && *p != 0x7f;
      break;
    case V_IFNAME:
      ok = is_ifname (value);
      break;
    case V_UP:
      ok = g_str_equal (value, "up");
      break;
    case V_MAC:
      ok = is_mac (value);
      break;
    case V_GROUPS:
      ok = is_groups (value, r->max);
      break;
    case V_BYTES_OR_MAX:
      ok = g_str_equal (value, "max") || is_bytes (value);
      break;
    case V_BYTES_OR_M1:
      ok = g_str_equal (value, "-1") || is_bytes (value);
      break;
    case V_UINT_OR_MAX:
      ok = g_str_equal (value, "max") || is_u64 (value, NULL);
      break;
    case V_UINT_OR_M1:
      ok = g_str_equal (value, "-1") || is_u64 (value, NULL);
      break;
    case V_CPU_MAX:
      ok = is_cpu_max (value);
      break;
    case V_IO_MAX:
      ok = is_io_max (value);
      break;
    case V_THROTTLE:
      ok = is_throttle (value);
      break;
    case V_CPULIST:
      ok = is_cpulist (value);
      break;
    case V_PRLIMIT:
      ok = check_prlimit (value, r->max) == 0;
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok)
    return TRUE;

bad:
  g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
               "%s: the configure action allows %s (other values need configure-host)", key,
               describe (r, buf, sizeof buf));
  return FALSE;
}

static gboolean
ns_list_has_uts (const char *list)
{
  g_auto(GStrv) names = g_strsplit_set (list ? list : "", " \t\n,", -1);

  return g_strv_contains ((const char *const *) names, "uts");
}

/**
 * lxcd_config_hostname_stays_inside:
 * @ns_keep, @ns_clone, @ns_share_uts: the values of lxc.namespace.keep,
 *   lxc.namespace.clone and lxc.namespace.share.uts ("" or NULL if unset)
 *
 * Whether liblxc 5.0.2 would set lxc.uts.name inside a UTS namespace of
 * the container's own rather than the host's: start.c
 * resolve_clone_flags() clones UTS unless lxc.namespace.keep names it, or
 * lxc.namespace.clone is set without it; a shared UTS namespace is never
 * renamed (conf.c lxc_setup()). Any thread.
 */
gboolean
lxcd_config_hostname_stays_inside (const char *ns_keep, const char *ns_clone,
                                   const char *ns_share_uts)
{
  if (ns_share_uts && *ns_share_uts)
    return TRUE;
  if (ns_keep && *ns_keep)
    return !ns_list_has_uts (ns_keep);
  if (ns_clone && *ns_clone)
    return ns_list_has_uts (ns_clone);
  return TRUE;
}

/**
 * lxcd_config_value_is_valid:
 *
 * Config values must not contain newline or carriage return (they would
 * add lines to the config file); NUL cannot reach us through D-Bus. For
 * every key and every caller.
 */
gboolean
lxcd_config_value_is_valid (const char *value, GError **error)
{
  if (value == NULL || strpbrk (value, "\n\r") != NULL)
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "Configuration values must not contain newline or carriage return");
      return FALSE;
    }
  if (strlen (value) > LXCD_CONFIG_MAX_VALUE)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Configuration value is too long (at most %d bytes)", LXCD_CONFIG_MAX_VALUE);
      return FALSE;
    }
  return TRUE;
}

/**
 * lxcd_config_text_is_within_bounds:
 * @text: a config file's content, @len bytes (need not be NUL-terminated)
 *
 * Whether a container's config file may hold @text: at most
 * LXCD_CONFIG_MAX_BYTES bytes, LXCD_CONFIG_MAX_LINES lines and
 * LXCD_CONFIG_MAX_VALUES_PER_KEY lines of one key. Every change made
 * through the service is checked against these before the new file
 * replaces the old one. Any thread.
 */
gboolean
lxcd_config_text_is_within_bounds (const char *text, gsize len, GError **error)
{
  g_autoptr(GHashTable) counts = NULL;
  gsize lines = 0;
  const char *p = text, *end = text + len;

  if (len > LXCD_CONFIG_MAX_BYTES)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "The configuration file would be %" G_GSIZE_FORMAT " bytes (at most %d)", len,
                   LXCD_CONFIG_MAX_BYTES);
      return FALSE;
    }
  counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *eol = nl ? nl : end;
      const char *k = p, *eq;

      if (++lines > LXCD_CONFIG_MAX_LINES)
        {
          g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                       "The configuration file would have more than %d lines",
                       LXCD_CONFIG_MAX_LINES);
          return FALSE;
        }
      while (k < eol && (*k == ' ' || *k == '\t'))
        k++;
      eq = memchr (k, '=', (gsize) (eol - k));
      if (k < eol && *k != '#' && eq != NULL)
        {
          const char *ke = eq;
          g_autofree char *key = NULL;
          guint n;

          while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
            ke--;
          key = g_strndup (k, (gsize) (ke - k));
          n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1;
          if (n > LXCD_CONFIG_MAX_VALUES_PER_KEY)
            {
              g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "The configuration file would hold more than %d values of %s",
                           LXCD_CONFIG_MAX_VALUES_PER_KEY, key);
              return FALSE;
            }
          g_hash_table_replace (counts, g_steal_pointer (&key), GUINT_TO_POINTER (n));
        }
      p = nl ? nl + 1 : end;
    }
  return TRUE;
}
