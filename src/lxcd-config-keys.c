/* lxc-dbus: which container config keys are "ordinary" (pure logic)
 *
 * THE one place that decides which configuration keys an admin can hand to
 * a user with the polkit action org.linuxcontainers.LXC1.configure: keys
 * that only change what happens inside the container (its name, start
 * order, resource limits, the addresses of its interfaces...). Every
 * other key, including any key a future liblxc adds, needs
 * org.linuxcontainers.LXC1.configure-host: hooks and scripts (run on the
 * host), mounts and rootfs (reach host files), includes, capabilities,
 * AppArmor/SELinux/seccomp, id maps, the devices cgroup, interface links
 * and types, logging to host files, the console log file...
 *
 * Borderline keys, decided:
 *  - lxc.ephemeral is NOT ordinary: an ephemeral container is destroyed
 *    when it stops, which is the power of "manage".
 *  - lxc.console.size is NOT ordinary: a ring buffer in the host-side
 *    monitor process, sized by the caller.
 *  - lxc.net.N.hwaddr / ipv4 / ipv6 / mtu ARE ordinary: root in the
 *    container can change them itself; the link, type, scripts and the
 *    host-side veth name are not.
 *  - Resource limits (cgroup memory, cpu, cpuset, pids, io; prlimits) ARE
 *    ordinary: handing them to a user is what "configure" is for; the
 *    devices controller and the placement of the cgroup are not.
 *  - lxc.init.* and lxc.environment ARE ordinary: they run inside.
 */
#include "config.h"

#include <string.h>

#include "lxcd-config-keys.h"
#include "lxcd-error.h"

/* Exact keys. */
static const char *const ordinary_keys[] = {
  "lxc.uts.name",
  "lxc.start.auto",
  "lxc.start.delay",
  "lxc.start.order",
  "lxc.group",
  "lxc.signal.halt",
  "lxc.signal.reboot",
  "lxc.signal.stop",
  "lxc.tty.max",
  "lxc.pty.max",
  "lxc.environment",
  "lxc.init.cmd",
  "lxc.init.cwd",
  "lxc.init.uid",
  "lxc.init.gid",
  "lxc.autodev",
  NULL,
};

/* Per-interface keys lxc.net.N.<suffix> that only configure the
 * container's side of an interface. (type, link, script.*, veth.pair,
 * macvlan/ipvlan/vlan modes and ids, ... stay configure-host.) */
static const char *const ordinary_net_suffixes[] = {
  "name",
  "flags",
  "hwaddr",
  "mtu",
  "ipv4.address",
  "ipv4.gateway",
  "ipv6.address",
  "ipv6.gateway",
  NULL,
};

/* Resource-limit controllers, for lxc.cgroup.<controller>.* (cgroup v1)
 * and lxc.cgroup2.<controller>.* (v2). "devices" is deliberately absent. */
static const char *const ordinary_cgroup_controllers[] = {
  "memory",
  "cpu",
  "cpuacct",
  "cpuset",
  "pids",
  "blkio",
  "io",
  "hugetlb",
  NULL,
};

static gboolean
has_prefix_then_item (const char *key, const char *prefix, const char *const *items,
                      gboolean item_is_prefix)
{
  size_t len = strlen (prefix);

  if (strncmp (key, prefix, len) != 0)
    return FALSE;
  key += len;
  for (const char *const *i = items; *i; i++)
    {
      size_t ilen = strlen (*i);
      if (item_is_prefix)
        {
          /* "<controller>." followed by at least one character */
          if (strncmp (key, *i, ilen) == 0 && key[ilen] == '.' && key[ilen + 1] != '\0')
            return TRUE;
        }
      else if (g_str_equal (key, *i))
        return TRUE;
    }
  return FALSE;
}

/**
 * lxcd_config_key_is_ordinary:
 *
 * Whether @key may be changed with the "configure" action; everything
 * else needs "configure-host". Any thread.
 */
gboolean
lxcd_config_key_is_ordinary (const char *key)
{
  if (key == NULL)
    return FALSE;
  if (g_strv_contains (ordinary_keys, key))
    return TRUE;

  /* lxc.net.N.suffix, N a plain decimal index */
  if (g_str_has_prefix (key, "lxc.net."))
    {
      const char *p = key + strlen ("lxc.net.");
      const char *digits = p;

      while (g_ascii_isdigit (*p))
        p++;
      if (p == digits || p - digits > 4 || *p != '.' || (digits[0] == '0' && p - digits > 1))
        return FALSE;
      return g_strv_contains (ordinary_net_suffixes, p + 1);
    }

  /* Resource limits; never lxc.cgroup.devices.* / lxc.cgroup2.devices.*,
   * nor lxc.cgroup.dir / relative / pattern, which place the cgroup. */
  if (has_prefix_then_item (key, "lxc.cgroup.", ordinary_cgroup_controllers, TRUE) ||
      has_prefix_then_item (key, "lxc.cgroup2.", ordinary_cgroup_controllers, TRUE))
    return TRUE;

  /* Limits applied with setrlimit inside the container. */
  if (g_str_has_prefix (key, "lxc.prlimit.") && key[strlen ("lxc.prlimit.")] != '\0')
    return TRUE;

  return FALSE;
}

/**
 * lxcd_config_value_is_valid:
 *
 * Config values must not contain newline or carriage return (they would
 * add lines to the config file); NUL cannot reach us through D-Bus.
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
  if (strlen (value) > 65536)
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "Configuration value is too long");
      return FALSE;
    }
  return TRUE;
}
