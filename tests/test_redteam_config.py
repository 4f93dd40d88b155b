#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Red team of the ordinary-key allowlist (src/lxcd-config-keys.c): an
unprivileged caller who holds "configure" (and read-config, lifecycle; exec
where the test says so) on their own container "mine" through a polkit
rule, but never configure-host, tries to reach the host through keys that
used to be, or still are, ordinary. Every attack checks the D-Bus error
name and that the container's config file is byte-identical afterwards
(its SHA-256) with no stray file left in the container's directory.
Positive controls show that the same caller may still set the keys within
their bounds, and that root and configure-host are not bound."""
import hashlib
import os
import unittest

import lxcdtest
from gi.repository import GLib
from lxcdtest import CONTAINER_IFACE, ERROR_PREFIX, UNPRIV_UID, UNPRIV_USER

stack = None
client = None

NAME = 'mine'
MAX_BYTES = 256 * 1024
MAX_LINES = 4096
MAX_VALUES = 256

RULE = '''
polkit.addRule(function(action, subject) {
    var granted = [%(actions)s];
    var names = [%(names)s];
    if (subject.user == "%(user)s" && names.indexOf(action.lookup("container")) >= 0 &&
        granted.indexOf(action.id) >= 0) {
        return polkit.Result.YES;
    }
});
'''

# What an admin who delegates a container gives: everything but exec and
# configure-host.
DELEGATED = ('read-config', 'lifecycle', 'configure')


def setUpModule():
    global stack, client
    stack = lxcdtest.Stack().start()
    stack.make_container(NAME)
    stack.start_daemon()
    client = stack.client_as(UNPRIV_UID)


def tearDownModule():
    stack.close()


def config_file():
    return os.path.join(stack.lxcpath, NAME, 'config')


def grant(*actions, names=(NAME,)):
    stack.set_rules(RULE % {
        'actions': ', '.join('"org.linuxcontainers.LXC1.%s"' % a for a in actions),
        'user': UNPRIV_USER, 'names': ', '.join('"%s"' % n for n in names)})


def set_item(key, value):
    return client.call(lxcdtest.container_path(NAME), CONTAINER_IFACE, 'SetConfigItem',
                       '(%s, %s)' % (gv(key), gv(value)))


def clear_item(key):
    return client.call(lxcdtest.container_path(NAME), CONTAINER_IFACE, 'ClearConfigItem',
                       '(%s,)' % gv(key))


def gv(s):
    return GLib.Variant('s', s).print_(False)


class RedTeam(unittest.TestCase):
    def setUp(self):
        grant(*DELEGATED)
        self.original = self.state()

    def tearDown(self):
        stack.clear_rules()

    def state(self):
        """The config file's hash and the directory's file names."""
        with open(config_file(), 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        return digest, sorted(os.listdir(os.path.join(stack.lxcpath, NAME)))

    def assertUnchanged(self):
        self.assertEqual(self.state(), self.original)

    def assertRefused(self, r, error, *in_message):
        self.assertFalse(r.ok, r)
        self.assertEqual(r.error_name, ERROR_PREFIX + error, r)
        for text in in_message:
            self.assertIn(text, r.result_text, r)
        self.assertUnchanged()

    def assertAllowed(self, r):
        self.assertTrue(r.ok, r)

    def restore(self, text):
        with open(config_file(), 'w') as f:
            f.write(text)
        self.original = self.state()

    def read(self):
        with open(config_file()) as f:
            return f.read()

    # -- attacks ---------------------------------------------------------

    def test_environment_reaches_host_hooks(self):
        # liblxc exports lxc.environment to the mount/autodev/start hooks
        # an admin configured, which run as host root: PATH, LD_PRELOAD...
        for value in ('PATH=/tmp/evil:/usr/bin', 'LD_PRELOAD=/tmp/evil.so', 'BASH_ENV=/tmp/x'):
            self.assertRefused(set_item('lxc.environment', value), 'NotAuthorized')
        self.assertRefused(clear_item('lxc.environment'), 'NotAuthorized')

    def test_tty_and_pty_max_beyond_the_pool(self):
        # the host-wide pty pool: kernel.pty.max - kernel.pty.reserve ptys
        # shared by every non-initial devpts instance
        for value in ('17', '4096', '100000', '4294967295'):
            self.assertRefused(set_item('lxc.tty.max', value), 'InvalidArgument',
                               'lxc.tty.max', '16')
        for value in ('1025', '1000000'):
            self.assertRefused(set_item('lxc.pty.max', value), 'InvalidArgument',
                               'lxc.pty.max', '1024')
        # within the bounds the key stays the user's
        text = self.read()
        self.assertAllowed(set_item('lxc.tty.max', '16'))
        self.assertAllowed(set_item('lxc.pty.max', '1024'))
        self.assertIn('lxc.tty.max = 16', self.read())
        self.restore(text)

    def test_prlimit_nofile_and_friends(self):
        for value in ('unlimited', '1048576', '1024:unlimited', '65537',
                      '99999999999999999999'):
            self.assertRefused(set_item('lxc.prlimit.nofile', value), 'InvalidArgument',
                               'lxc.prlimit.nofile', '65536')
        # malformed: what liblxc would misparse or refuse at start
        for value in ('4096:1024', '-1', '10 24', '1e6', '1024:2048:4096', ':1024'):
            self.assertRefused(set_item('lxc.prlimit.nofile', value), 'InvalidArgument',
                               'lxc.prlimit.nofile')
        for key, value in (('lxc.prlimit.memlock', 'unlimited'), ('lxc.prlimit.nice', '40'),
                           ('lxc.prlimit.nproc', 'unlimited')):
            self.assertRefused(set_item(key, value), 'InvalidArgument', key)
        # core dumps reach the host's core_pattern helper; RT priority
        # starves the host
        for key in ('lxc.prlimit.core', 'lxc.prlimit.rtprio', 'lxc.prlimit.rttime',
                    'lxc.prlimit.7'):
            self.assertRefused(set_item(key, '0'), 'NotAuthorized')
        text = self.read()
        self.assertAllowed(set_item('lxc.prlimit.nofile', '1024:65536'))
        self.restore(text)

    def test_config_file_growth(self):
        # The file may not grow beyond its bounds through the service, and
        # a refused change leaves it as it was. Root pads the file to just
        # under each bound; the user's next line is refused.
        text = original = self.read()
        try:
            # liblxc drops blank lines when it writes the file: start from
            # a file without them, so that the counts below are exact
            self.restore(''.join(l for l in text.splitlines(True) if l.strip()))
            text = self.read()
            # bytes: 16 short of the bound; every new line is longer
            pad = MAX_BYTES - len(text.encode()) - 16
            self.restore(text + '#' + 'x' * (pad - 2) + '\n')
            self.assertEqual(os.path.getsize(config_file()), MAX_BYTES - 16)
            self.assertRefused(set_item('lxc.net.7.name', 'eth7' + 'x' * 11),
                               'InvalidArgument', str(MAX_BYTES))
            self.assertRefused(set_item('lxc.uts.name', 'a' * 64), 'InvalidArgument',
                               str(MAX_BYTES))
            # lines
            self.restore(text + '#\n' * (MAX_LINES - text.count('\n')))
            self.assertRefused(set_item('lxc.net.8.name', 'eth8'), 'InvalidArgument',
                               '%d lines' % MAX_LINES)
            # values of one key
            self.restore(text + ''.join('lxc.group = g%d\n' % i for i in range(MAX_VALUES)))
            self.assertRefused(set_item('lxc.group', 'one-more'), 'InvalidArgument',
                               '%d values of lxc.group' % MAX_VALUES)
            # the attack as such: many distinct ordinary keys, one call each
            self.restore(text + '#' + 'x' * (pad - 2 - 1000) + '\n')
            self.original = self.state()
            refused = None
            for i in range(100):
                r = set_item('lxc.net.%d.name' % i, 'eth%d' % i)
                if not r.ok:
                    refused = r
                    break
                self.original = self.state()
            self.assertIsNotNone(refused, 'the file kept growing')
            self.assertRefused(refused, 'InvalidArgument', str(MAX_BYTES))
            self.assertLessEqual(os.path.getsize(config_file()), MAX_BYTES)
        finally:
            self.restore(original)

    def test_init_keys_need_exec(self):
        # The program the container runs is the power of exec.
        for key, value in (('lxc.init.cmd', '/bin/sh -c "evil"'), ('lxc.init.cwd', '/tmp'),
                           ('lxc.init.uid', '0'), ('lxc.init.gid', '0'),
                           ('lxc.execute.cmd', '/bin/evil')):
            self.assertRefused(set_item(key, value), 'NotAuthorized')
        self.assertRefused(clear_item('lxc.init.cmd'), 'NotAuthorized')
        grant(*(DELEGATED + ('exec',)))
        text = self.read()
        self.assertAllowed(set_item('lxc.init.cmd', '/sbin/init'))
        self.assertIn('lxc.init.cmd = /sbin/init', self.read())
        self.assertAllowed(set_item('lxc.init.uid', '1000'))
        # exec does not lift the bounds
        self.original = self.state()
        self.assertRefused(set_item('lxc.init.uid', '-1'), 'InvalidArgument', 'lxc.init.uid')
        self.assertAllowed(clear_item('lxc.init.cmd'))
        self.restore(text)
        # exec alone is not configure
        grant('read-config', 'exec')
        self.original = self.state()
        self.assertRefused(set_item('lxc.init.cmd', '/sbin/init'), 'NotAuthorized')

    def test_malformed_numbers(self):
        for key, value, bound in (
                ('lxc.start.delay', '5s', '60'), ('lxc.start.delay', '-1', '60'),
                ('lxc.start.delay', '99999999999', '60'),
                # lxc-autostart sleeps start.delay before everyone else's
                # containers at boot
                ('lxc.start.delay', '3600', '60'),
                ('lxc.start.order', '1.5', 'integer'), ('lxc.start.order', '2147483648', 'integer'),
                ('lxc.start.auto', 'yes', '1'), ('lxc.autodev', '2', '1'),
                ('lxc.signal.stop', 'SIGTERM;', '64'), ('lxc.signal.halt', '0', '64'),
                ('lxc.signal.reboot', '-9', '64'), ('lxc.signal.halt', '65', '64'),
                ('lxc.cgroup2.pids.max', '-1', 'max'), ('lxc.cgroup2.memory.max', '1 G', 'max'),
                ('lxc.cgroup.cpu.cfs_period_us', '10', '1000000'),
                ('lxc.cgroup2.cpu.max', '1000 1', '1000000')):
            self.assertRefused(set_item(key, value), 'InvalidArgument', key, bound)

    def test_network_host_side(self):
        # addresses and gateways can become host routes / proxy ARP entries
        # (veth router mode, l2proxy); the MTU is set on the host-side veth
        # and lowers a shared bridge's MTU
        for key, value in (('lxc.net.0.ipv4.address', '10.0.0.1/32'),
                           ('lxc.net.0.ipv4.gateway', '10.0.0.254'),
                           ('lxc.net.0.ipv6.address', 'fd00::1/128'),
                           ('lxc.net.0.ipv6.gateway', 'fd00::fe'),
                           ('lxc.net.0.mtu', '68'), ('lxc.net.0.l2proxy', '1'),
                           ('lxc.net.0.veth.pair', 'eth0'), ('lxc.net.0.link', 'eth0')):
            self.assertRefused(set_item(key, value), 'NotAuthorized')
        for key, value in (('lxc.net.0.hwaddr', '01:00:5e:00:00:01'),
                           ('lxc.net.0.hwaddr', 'ff:ff:ff:ff:ff:ff'),
                           ('lxc.net.0.name', '../../x'), ('lxc.net.0.name', 'a-very-long-name0'),
                           ('lxc.net.0.flags', 'promisc')):
            self.assertRefused(set_item(key, value), 'InvalidArgument', key)

    def test_cgroup_keys_that_take_from_others(self):
        # weights above the default and protections take CPU, IO and memory
        # from sibling containers; partitions take CPUs away from them
        for key, value in (('lxc.cgroup2.cpu.weight', '10000'), ('lxc.cgroup.cpu.shares', '262144')):
            self.assertRefused(set_item(key, value), 'InvalidArgument', key)
        for key, value in (('lxc.cgroup2.memory.min', 'max'), ('lxc.cgroup2.memory.low', 'max'),
                           ('lxc.cgroup2.cpuset.cpus.partition', 'root'),
                           ('lxc.cgroup2.io.weight', 'default 10000'),
                           ('lxc.cgroup.blkio.weight', '1000'),
                           ('lxc.cgroup2.cpu.uclamp.min', 'max'),
                           ('lxc.cgroup.cpu.rt_runtime_us', '950000'),
                           ('lxc.cgroup2.devices.allow', 'a')):
            self.assertRefused(set_item(key, value), 'NotAuthorized')

    def test_other_host_level_keys(self):
        for key, value in (('lxc.autodev.tmpfs.size', '100000000'),
                           ('lxc.console.size', '1G'), ('lxc.ephemeral', '1'),
                           ('lxc.hook.autodev', '/tmp/evil'), ('lxc.include', '/etc/shadow')):
            self.assertRefused(set_item(key, value), 'NotAuthorized')
        # a new line smuggled into a value, for every key
        for key in ('lxc.uts.name', 'lxc.init.cmd', 'lxc.environment'):
            self.assertRefused(set_item(key, 'x\nlxc.hook.pre-start = /tmp/evil'),
                               'InvalidArgument')

    def test_host_name_of_a_container_in_the_hosts_uts_namespace(self):
        # With lxc.namespace.keep = uts (or a clone list without uts), set
        # by the admin, liblxc calls sethostname() in the HOST's UTS
        # namespace at start: lxc.uts.name would rename the host.
        text = self.read()
        try:
            for extra in ('lxc.namespace.keep = uts\n', 'lxc.namespace.clone = net pid mnt ipc\n'):
                self.restore(text + extra)
                self.assertRefused(set_item('lxc.uts.name', 'pwned'), 'NotAuthorized',
                                   'configure-host')
                # configure-host may
                grant(*(DELEGATED + ('configure-host',)))
                self.assertAllowed(set_item('lxc.uts.name', 'pwned'))
                grant(*DELEGATED)
            # with its own UTS namespace the name is the user's
            self.restore(text)
            self.assertAllowed(set_item('lxc.uts.name', 'renamed'))
        finally:
            self.restore(text)

    def test_save_config_over_host_files(self):
        # An admin's host-side hook script kept in the container's
        # directory: a named SaveConfig would replace it (keeping its
        # executable mode), and copies under new names fill the disk.
        hook = os.path.join(stack.lxcpath, NAME, 'hook.sh')
        with open(hook, 'w') as f:
            f.write('#!/bin/sh\nexit 0\n')
        os.chmod(hook, 0o755)
        try:
            self.original = self.state()
            with open(hook, 'rb') as f:
                before = f.read()
            for name in ('hook.sh', 'copy1', 'fstab'):
                self.assertRefused(client.call(lxcdtest.container_path(NAME), CONTAINER_IFACE,
                                               'SaveConfig', '(%s,)' % gv(name)),
                                   'NotAuthorized')
            with open(hook, 'rb') as f:
                self.assertEqual(f.read(), before)
            # the container's own file stays configure's
            self.assertAllowed(client.call(lxcdtest.container_path(NAME), CONTAINER_IFACE,
                                           'SaveConfig', "('',)"))
        finally:
            os.unlink(hook)

    def test_create_with_host_items(self):
        # CreateContainer's config items: the same classes and bounds; here
        # the caller holds manage and configure but not exec nor
        # configure-host
        grant(*(DELEGATED + ('manage',)), names=(NAME, 'mine2'))
        for key, value in (('lxc.environment', 'LD_PRELOAD=/tmp/evil.so'),
                           ('lxc.init.cmd', '/bin/evil'), ('lxc.tty.max', '100000'),
                           ('lxc.prlimit.nofile', 'unlimited')):
            r = client.call(lxcdtest.MANAGER_PATH, lxcdtest.MANAGER_IFACE, 'CreateContainer',
                            "('mine2', 'busybox', {'config': <{%s: %s}>})" % (gv(key), gv(value)))
            self.assertRefused(r, 'NotAuthorized')
            self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'mine2')))
        # the items' total is bounded as the file is
        items = ', '.join('%s: %s' % (gv(k), gv('x' * 60000)) for k in (
            'lxc.init.cmd', 'lxc.execute.cmd', 'lxc.group', 'lxc.environment', 'lxc.init.cwd'))
        r = client.call(lxcdtest.MANAGER_PATH, lxcdtest.MANAGER_IFACE, 'CreateContainer',
                        "('mine2', 'busybox', {'config': <{%s}>})" % items)
        self.assertRefused(r, 'InvalidArgument', str(MAX_BYTES))
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'mine2')))

    def test_bounds_are_configures_not_roots(self):
        # Beyond the ordinary bounds is configure-host's decision; root and
        # holders of configure-host are not bound.
        text = self.read()
        grant(*(DELEGATED + ('configure-host',)))
        self.assertAllowed(set_item('lxc.tty.max', '32'))
        self.assertIn('lxc.tty.max = 32', self.read())
        self.restore(text)
        r = stack.call(lxcdtest.container_path(NAME), CONTAINER_IFACE, 'SetConfigItem',
                       "('lxc.prlimit.nofile', '1048576')")
        self.assertTrue(r.ok, r)
        self.assertIn('lxc.prlimit.nofile = 1048576', self.read())
        self.restore(text)
        # ... but the file's bounds hold for root too
        self.restore(text + '#' + 'x' * (MAX_BYTES - len(text.encode()) - 10) + '\n')
        r = stack.call(lxcdtest.container_path(NAME), CONTAINER_IFACE, 'SetConfigItem',
                       "('lxc.start.delay', '1')")
        self.assertRefused(r, 'InvalidArgument', str(MAX_BYTES))
        self.restore(text)


if __name__ == '__main__':
    lxcdtest.main()
