#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Configuration, cgroup and network methods: values read and written
through the bus match the config file and the kernel; every rejection
leaves the file byte for byte unchanged; hand edits reach the bus; polkit
splits ordinary keys (configure) from host-level ones (configure-host)."""
import hashlib
import os
import re
import subprocess
import time
import unittest

from gi.repository import GLib, Gio

import lxcdtest
from lxcdtest import BUS_NAME, CONTAINER_IFACE, UNPRIV_UID, UNPRIV_USER

stack = None
BRIDGE = 'lxcdt%d' % (os.getpid() % 100000)
# Documentation address ranges (RFC 5737, RFC 3849): assigned on a bridge of
# our own, never used as a destination.
ADDR4 = '192.0.2.2'
ADDR6 = '2001:db8::2'


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2', 'scratch'):
        stack.make_container(name)
    subprocess.run(['ip', 'link', 'add', BRIDGE, 'type', 'bridge'], check=True)
    subprocess.run(['ip', 'link', 'set', BRIDGE, 'up'], check=True)
    d = stack.make_container('net1')
    cfg = os.path.join(d, 'config')
    with open(cfg) as f:
        lines = [l for l in f if not l.startswith('lxc.net.')]
    lines += ['lxc.net.0.type = veth\n', 'lxc.net.0.link = %s\n' % BRIDGE, 'lxc.net.0.flags = up\n',
              'lxc.net.0.name = eth0\n', 'lxc.net.0.ipv4.address = %s/24\n' % ADDR4,
              'lxc.net.0.ipv6.address = %s/64\n' % ADDR6]
    with open(cfg, 'w') as f:
        f.writelines(lines)
    # The busybox template's rcS runs udhcpc, which drops static addresses.
    rcs = os.path.join(d, 'rootfs', 'etc', 'init.d', 'rcS')
    with open(rcs) as f:
        script = f.read()
    with open(rcs, 'w') as f:
        f.write(script.replace('/bin/udhcpc', ': no dhcp in this test'))
    stack.start_daemon()


def tearDownModule():
    try:
        stack.close()
    finally:
        subprocess.run(['ip', 'link', 'del', BRIDGE], check=False)


def path(name):
    return lxcdtest.container_path(name)


def config_file(name):
    return os.path.join(stack.lxcpath, name, 'config')


def digest(name):
    with open(config_file(name), 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


class Base(lxcdtest.TestCase):
    def setUp(self):
        self.conn = stack.bus()
        self.digests = {n: digest(n) for n in ('c1', 'c2')}

    def assertUnchanged(self, name='c1'):
        self.assertEqual(digest(name), self.digests[name])

    def value(self, r):
        self.assertOk(r)
        return lxcdtest.parse_variant(r.result_text)[0]

class Items(Base):
    def test_get_matches_liblxc(self):
        for key in ('lxc.uts.name', 'lxc.rootfs.path', 'lxc.net.0.type', 'lxc.signal.halt',
                    'lxc.cap.drop', 'lxc.tty.max'):
            # lxc-info -c reads the item with liblxc too.
            out = stack.lxc('info', 'c1', '-c', key).stdout.strip()
            got = self.value(stack.container_call('c1', 'GetConfigItem', "('%s',)" % key))
            self.assertEqual(('%s = %s' % (key, got)).strip(), out)
        self.assertEqual(self.value(stack.container_call('c1', 'GetConfigItem', "('lxc.uts.name',)")), 'c1')
        self.assertEqual(self.value(stack.container_call('c1', 'GetConfigItem', "('lxc.start.auto',)")), '0')

    def test_get_keys(self):
        keys = self.value(stack.container_call('c1', 'GetKeys', "('lxc.net.0',)"))
        self.assertIn('type', keys)
        top = self.value(stack.container_call('c1', 'GetKeys', "('',)"))
        self.assertIn('lxc.uts.name', top)
        out = subprocess.run(['busctl', '--system', 'call', BUS_NAME, path('c1'), CONTAINER_IFACE,
                              'GetKeys', 's', 'lxc.net.0'], capture_output=True, text=True,
                             env=stack.env())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('"type"', out.stdout)

    def test_set_writes_the_file_atomically_and_updates_properties(self):
        rec = stack.record_signals(self.conn, path=path('c2'), member='PropertiesChanged')
        before = os.stat(config_file('c2'))
        t0 = time.monotonic()
        r = lxcdtest.dbus_call(self.conn, path('c2'), CONTAINER_IFACE, 'SetConfigItem',
                               "('lxc.start.auto', '1')")
        lxcdtest._log('SetConfigItem through D-Bus: %.1f ms' % ((time.monotonic() - t0) * 1000))
        self.assertOk(r)
        after = os.stat(config_file('c2'))
        self.assertNotEqual(before.st_ino, after.st_ino)  # a new file renamed over the old
        self.assertEqual(before.st_mode, after.st_mode)
        with open(config_file('c2')) as f:
            self.assertIn('lxc.start.auto = 1\n', f.read())
        self.assertEqual(stack.lxc('info', 'c2', '-c', 'lxc.start.auto').stdout.strip(),
                         'lxc.start.auto = 1')
        # Autostart was published before the reply (same connection).
        rec.pump()
        self.assertTrue(rec.find(lambda s: s.args[1].get('Autostart') is True), rec.signals)
        self.assertFalse(any(n.startswith('.config.lxc-dbus') for n in os.listdir(
            os.path.dirname(config_file('c2')))))
        self.assertOk(stack.container_call('c2', 'ClearConfigItem', "('lxc.start.auto',)"))
        self.assertFalse(stack.client(self.conn).container('c2').autostart)
        with open(config_file('c2')) as f:
            self.assertNotIn('lxc.start.auto', f.read())

    def test_back_to_back_changes_are_never_busy(self):
        # The reply of SetConfigItem and ClearConfigItem (keys no property
        # comes from) leaves once the file is renamed, before the
        # directory's fsync; the container's slot is free by then, so a
        # client that sends its next change on the reply never gets Busy.
        sig = GLib.VariantType.new('(ss)')
        for i in range(200):
            self.conn.call_sync(BUS_NAME, path('c2'), CONTAINER_IFACE, 'SetConfigItem',
                                GLib.Variant.parse(sig, "('lxc.start.delay', '%d')" % i, None, None),
                                None, Gio.DBusCallFlags.NONE, 10000, None)
            if i % 10 == 5:
                self.conn.call_sync(BUS_NAME, path('c2'), CONTAINER_IFACE, 'ClearConfigItem',
                                    GLib.Variant('(s)', ('lxc.start.delay',)), None,
                                    Gio.DBusCallFlags.NONE, 10000, None)
        with open(config_file('c2')) as f:
            self.assertEqual(re.findall(r'^lxc\.start\.delay = (.*)$', f.read(), re.M), ['199'])
        self.assertFalse(any(n.startswith('.config.lxc-dbus') for n in os.listdir(
            os.path.dirname(config_file('c2')))))
        self.assertOk(stack.container_call('c2', 'ClearConfigItem', "('lxc.start.delay',)"))

    def test_setting_a_key_again_replaces_its_line(self):
        # Found by tests/test_faults.py: liblxc's set_config_item() appends
        # a line every time, so the file grew with each change of a
        # one-value key. Keys that gather values keep every line.
        for value in ('3', '4', '5'):
            self.assertOk(stack.container_call('c2', 'SetConfigItem', "('lxc.start.delay', '%s')" % value))
        with open(config_file('c2')) as f:
            text = f.read()
        self.assertEqual(re.findall(r'^lxc\.start\.delay = (.*)$', text, re.M), ['5'])
        self.assertEqual(stack.lxc('info', 'c2', '-c', 'lxc.start.delay').stdout.strip(),
                         'lxc.start.delay = 5')
        for env in ('A=1', 'B=2'):
            self.assertOk(stack.container_call('c2', 'SetConfigItem', "('lxc.environment', '%s')" % env))
        with open(config_file('c2')) as f:
            text = f.read()
        self.assertEqual(re.findall(r'^lxc\.environment = (.*)$', text, re.M), ['A=1', 'B=2'])
        for key in ('lxc.start.delay', 'lxc.environment'):
            self.assertOk(stack.container_call('c2', 'ClearConfigItem', "('%s',)" % key))

    def test_every_key_liblxc_knows_is_accepted(self):
        # families of keys liblxc has one table entry for (some of them,
        # like lxc.namespace.share., only with a trailing dot)
        for key, value in (('lxc.namespace.share.ipc', 'c1'), ('lxc.sysctl.net.ipv4.ip_forward', '1'),
                           ('lxc.proc.oom_score_adj', '10'), ('lxc.cgroup2.pids.max', '100')):
            self.assertOk(stack.container_call('c2', 'SetConfigItem', "('%s', '%s')" % (key, value)))
            self.assertEqual(lxcdtest.parse_variant(
                stack.container_call('c2', 'GetConfigItem', "('%s',)" % key).result_text)[0].strip(), value)
            self.assertOk(stack.container_call('c2', 'ClearConfigItem', "('%s',)" % key))
        self.assertError(stack.container_call('c2', 'SetConfigItem', "('lxc.namespace.share', 'c1')"),
                         'InvalidArgument')

    def test_rejections_leave_the_file_unchanged(self):
        for key, value, err in (
                ('lxc.start.auto', 'x\\nlxc.hook.pre-start = /bin/evil', 'InvalidArgument'),
                ('lxc.start.auto', '1\\r', 'InvalidArgument'),
                ('lxc.nosuch', '1', 'InvalidArgument'),
                ('lxc.net.0.nosuch', '1', 'InvalidArgument'),
                ('lxc.start.auto', 'bogus', 'InvalidArgument'),
                ('', '1', 'InvalidArgument'),
                ('lxc.uts.name = x', '1', 'InvalidArgument')):
            self.assertError(stack.container_call('c1', 'SetConfigItem', "('%s', '%s')" % (key, value)), err)
            self.assertUnchanged()
        for key in ('lxc.nosuch', '', 'a\\nb'):
            self.assertError(stack.container_call('c1', 'GetConfigItem', "('%s',)" % key), 'InvalidArgument')
            self.assertError(stack.container_call('c1', 'ClearConfigItem', "('%s',)" % key), 'InvalidArgument')
        self.assertUnchanged()

    def test_hand_edit_is_seen(self):
        rec = stack.record_signals(self.conn, path=path('c1'), member='PropertiesChanged')
        t0 = time.monotonic()
        # As an editor does it: a new file renamed over the config.
        tmp = config_file('c1') + '.new'
        with open(config_file('c1')) as f:
            text = f.read()
        with open(tmp, 'w') as f:
            f.write(text + 'lxc.start.auto = 1\n')
        os.rename(tmp, config_file('c1'))
        rec.wait_for(lambda s: s.args[1].get('Autostart') is True, timeout=1.0)
        lxcdtest._log('hand edit -> PropertiesChanged: %.0f ms' % ((time.monotonic() - t0) * 1000))
        # And appending in place.
        with open(config_file('c1'), 'w') as f:
            f.write(text)
        rec.wait_for(lambda s: s.args[1].get('Autostart') is False, timeout=1.0)

    def test_save_and_load(self):
        self.assertOk(stack.container_call('scratch', 'SetConfigItem', "('lxc.start.delay', '7')"))
        self.assertOk(stack.container_call('scratch', 'SaveConfig', "('backup.conf',)"))
        saved = os.path.join(stack.lxcpath, 'scratch', 'backup.conf')
        with open(saved) as f:
            self.assertIn('lxc.start.delay = 7', f.read())
        self.assertOk(stack.container_call('scratch', 'SetConfigItem', "('lxc.start.delay', '9')"))
        self.assertOk(stack.container_call('scratch', 'LoadConfig', "('backup.conf',)"))
        self.assertEqual(self.value(stack.container_call('scratch', 'GetConfigItem', "('lxc.start.delay',)")), '7')
        self.assertOk(stack.container_call('scratch', 'LoadConfig', "('',)"))
        self.assertOk(stack.container_call('scratch', 'SaveConfig', "('',)"))

    def test_load_and_save_refuse_paths(self):
        for f in ('../c2/config', '/etc/passwd', '.hidden', 'rootfs', 'snaps', 'partial', 'a/b',
                  '..', 'x' * 300):
            self.assertError(stack.container_call('c1', 'LoadConfig', "('%s',)" % f), 'InvalidArgument')
            self.assertError(stack.container_call('c1', 'SaveConfig', "('%s',)" % f), 'InvalidArgument')
        self.assertError(stack.container_call('c1', 'LoadConfig', "('nosuch.conf',)"), 'NotFound')
        os.symlink('/etc/passwd', os.path.join(stack.lxcpath, 'c1', 'link.conf'))
        try:
            self.assertError(stack.container_call('c1', 'LoadConfig', "('link.conf',)"), 'NotFound')
            self.assertError(stack.container_call('c1', 'SaveConfig', "('link.conf',)"), 'InvalidArgument')
        finally:
            os.unlink(os.path.join(stack.lxcpath, 'c1', 'link.conf'))
        self.assertUnchanged()
        self.assertUnchanged('c2')

    def test_clear_config(self):
        self.assertOk(stack.container_call('scratch', 'ClearConfig'))
        with open(config_file('scratch')) as f:
            self.assertNotIn('lxc.rootfs.path', f.read())

    def test_running_config_item(self):
        self.assertError(stack.container_call('c1', 'GetRunningConfigItem', "('lxc.uts.name',)"), 'WrongState')
        self.assertOk(stack.container_call('c1', 'Start', '(@a{sv} {},)'))
        try:
            self.assertEqual(self.value(stack.container_call('c1', 'GetRunningConfigItem', "('lxc.uts.name',)")), 'c1')
        finally:
            self.assertOk(stack.container_call('c1', 'Stop'))


class Cgroups(Base):
    def test_set_limit_reaches_the_kernel(self):
        self.assertError(stack.container_call('c2', 'GetCgroupItem', "('memory.limit_in_bytes',)"), 'WrongState')
        self.assertError(stack.container_call('c2', 'SetCgroupItem', "('memory.limit_in_bytes', '1')"), 'WrongState')
        self.assertOk(stack.container_call('c2', 'Start', '(@a{sv} {},)'))
        try:
            pid = stack.client(self.conn).container('c2').init_pid
            lxcdtest.wait_until(lambda: stack.client(self.conn).container('c2').init_pid > 0, 5)
            pid = stack.client(self.conn).container('c2').init_pid
            with open('/proc/%d/cgroup' % pid) as f:
                lines = f.read().splitlines()
            v1 = [l.split(':', 2)[2] for l in lines if l.split(':')[1] == 'memory']
            if v1:
                item, value = 'memory.limit_in_bytes', str(64 << 20)
                kfile = '/sys/fs/cgroup/memory%s/%s' % (v1[0], item)
            else:
                unified = [l.split(':', 2)[2] for l in lines if l.startswith('0::')][0]
                item, value = 'memory.max', str(64 << 20)
                kfile = '/sys/fs/cgroup%s/%s' % (unified, item)
            self.assertOk(stack.container_call('c2', 'SetCgroupItem', "('%s', '%s')" % (item, value)))
            with open(kfile) as f:
                self.assertEqual(f.read().strip(), value)
            self.assertEqual(self.value(stack.container_call('c2', 'GetCgroupItem', "('%s',)" % item)), value)
            for bad in ('../memory.limit_in_bytes', 'memory', 'memory/x', '', 'memory..x'):
                self.assertError(stack.container_call('c2', 'GetCgroupItem', "('%s',)" % bad), 'InvalidArgument')
                self.assertError(stack.container_call('c2', 'SetCgroupItem', "('%s', '1')" % bad), 'InvalidArgument')
            self.assertError(stack.container_call('c2', 'SetCgroupItem', "('%s', 'lots')" % item), 'InvalidArgument')
        finally:
            self.assertOk(stack.container_call('c2', 'Stop'))
        self.assertUnchanged('c2')


class Network(Base):
    def test_interfaces_and_ips(self):
        self.assertError(stack.container_call('net1', 'GetInterfaces'), 'WrongState')
        self.assertOk(stack.container_call('net1', 'Start', '(@a{sv} {},)'))
        try:
            ifaces = self.value(stack.container_call('net1', 'GetInterfaces'))
            self.assertIn('eth0', ifaces)
            self.assertIn('lo', ifaces)
            ips4 = []
            for _ in range(50):  # DAD/IPv6 settle; IPv4 is immediate
                ips4 = self.value(stack.container_call('net1', 'GetIPs', "('eth0', 'inet', 0)"))
                if ips4:
                    break
                time.sleep(0.1)
            self.assertEqual(ips4, [ADDR4])
            lxcdtest.wait_until(lambda: ADDR6 in self.value(stack.container_call('net1', 'GetIPs', "('', 'inet6', 0)")), 10)
            both = self.value(stack.container_call('net1', 'GetIPs', "('', '', 0)"))
            self.assertIn(ADDR4, both)
            for args in ("('eth0', 'ipx', 0)", "('a/b', 'inet', 0)", "('%s', '', 0)" % ('i' * 16)):
                self.assertError(stack.container_call('net1', 'GetIPs', args), 'InvalidArgument')
        finally:
            self.assertOk(stack.container_call('net1', 'Stop'))


class Devices(Base):
    def lxc_device_works(self, name):
        """Whether liblxc itself can add a device node to a running
        container on this host (it cannot in some sandboxes)."""
        out = stack.lxc('device', name, 'add', '/dev/null', '/dev/lxcdtest-probe', check=False)
        if out.returncode == 0:
            stack.lxc('device', name, 'del', '/dev/null', '/dev/lxcdtest-probe', check=False)
        return out.returncode == 0

    def test_device_node_checks(self):
        self.assertError(stack.container_call('c2', 'AddDeviceNode', "('/dev/null', '')"), 'WrongState')
        self.assertOk(stack.container_call('c2', 'Start', '(@a{sv} {},)'))
        try:
            lxcdtest.wait_until(lambda: stack.client(self.conn).container('c2').init_pid > 0, 5)
            root = '/proc/%d/root' % stack.client(self.conn).container('c2').init_pid
            link = os.path.join(stack.tmpdir, 'null-link')
            if not os.path.lexists(link):
                os.symlink('/dev/null', link)
            for src, dest in (('/etc/passwd', ''), ('/dev/../etc/passwd', ''), ('dev/null', ''),
                              ('/dev/nosuch', ''), (link, ''), ('/dev/null', 'relative'),
                              ('/dev/null', '/dev/../../etc/x'), ('', '')):
                for method in ('AddDeviceNode', 'RemoveDeviceNode'):
                    self.assertError(stack.container_call('c2', method, "('%s', '%s')" % (src, dest)),
                                     'InvalidArgument')
            r = stack.call_as(UNPRIV_UID, path('c2'), CONTAINER_IFACE, 'AddDeviceNode',
                              "('/dev/null', '/dev/x')")
            self.assertError(r, 'NotAuthorized')
            self.assertFalse(os.path.exists(root + '/dev/x'))
        finally:
            self.assertOk(stack.container_call('c2', 'Stop'))

    def test_device_node_added_and_removed(self):
        self.assertOk(stack.container_call('c2', 'Start', '(@a{sv} {},)'))
        try:
            if not self.lxc_device_works('c2'):
                self.skipTest('liblxc cannot add device nodes on this host (lxc-device fails too)')
            lxcdtest.wait_until(lambda: stack.client(self.conn).container('c2').init_pid > 0, 5)
            root = '/proc/%d/root' % stack.client(self.conn).container('c2').init_pid
            self.assertOk(stack.container_call('c2', 'AddDeviceNode', "('/dev/null', '/dev/lxcdtest-null')"))
            self.assertEqual(os.stat(root + '/dev/lxcdtest-null').st_rdev, os.stat('/dev/null').st_rdev)
            self.assertOk(stack.container_call('c2', 'RemoveDeviceNode', "('/dev/null', '/dev/lxcdtest-null')"))
            self.assertFalse(os.path.exists(root + '/dev/lxcdtest-null'))
        finally:
            self.assertOk(stack.container_call('c2', 'Stop'))

    def test_attach_detach_interface(self):
        dev = 'lxcdv%d' % (os.getpid() % 100000)
        peer = 'lxcdw%d' % (os.getpid() % 100000)
        subprocess.run(['ip', 'link', 'add', dev, 'type', 'veth', 'peer', 'name', peer], check=True)
        try:
            self.assertOk(stack.container_call('c1', 'Start', '(@a{sv} {},)'))
            try:
                self.assertOk(stack.container_call('c1', 'AttachInterface', "('%s', 'eth9')" % dev))
                self.assertIn('eth9', self.value(stack.container_call('c1', 'GetInterfaces')))
                self.assertFalse(os.path.exists('/sys/class/net/' + dev))
                self.assertOk(stack.container_call('c1', 'DetachInterface', "('eth9', '%s')" % dev))
                self.assertTrue(os.path.exists('/sys/class/net/' + dev))
                self.assertNotIn('eth9', self.value(stack.container_call('c1', 'GetInterfaces')))
                for a, b in (('', 'x'), ('a/b', ''), ('x' * 16, ''), ('..', '')):
                    self.assertError(stack.container_call('c1', 'AttachInterface', "('%s', '%s')" % (a, b)),
                                     'InvalidArgument')
                    self.assertError(stack.container_call('c1', 'DetachInterface', "('%s', '%s')" % (a, b)),
                                     'InvalidArgument')
                r = stack.call_as(UNPRIV_UID, path('c1'), CONTAINER_IFACE, 'AttachInterface',
                                  "('%s', '')" % dev)
                self.assertError(r, 'NotAuthorized')
                self.assertTrue(os.path.exists('/sys/class/net/' + dev))
            finally:
                self.assertOk(stack.container_call('c1', 'Stop'))
        finally:
            subprocess.run(['ip', 'link', 'del', dev], check=False)
            subprocess.run(['ip', 'link', 'del', peer], check=False, capture_output=True)


class Authorization(Base):
    RULE = '''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.configure" &&
        action.lookup("container") == "c1")
        return polkit.Result.YES;
});
'''

    def tearDown(self):
        stack.clear_rules()

    def test_denied_without_rule(self):
        with stack.client_as(UNPRIV_UID) as client:
            for method, args in (('GetConfigItem', "('lxc.uts.name',)"), ('GetKeys', "('',)"),
                                 ('SetConfigItem', "('lxc.start.auto', '1')"),
                                 ('ClearConfigItem', "('lxc.start.auto',)"), ('ClearConfig', '()'),
                                 ('LoadConfig', "('x.conf',)"), ('SaveConfig', "('x.conf',)"),
                                 ('GetInterfaces', '()')):
                r = client.call(path('c1'), CONTAINER_IFACE, method, args)
                self.assertIn(r.error_name, (lxcdtest.ERROR_PREFIX + 'NotAuthorized',
                                             lxcdtest.ERROR_PREFIX + 'WrongState',
                                             lxcdtest.ERROR_PREFIX + 'NotFound'), (method, r))
                if method not in ('GetInterfaces', 'LoadConfig'):
                    self.assertError(r, 'NotAuthorized')
        self.assertUnchanged()
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'c1', 'x.conf')))

    def test_configure_rule_for_c1(self):
        stack.set_rules(self.RULE % UNPRIV_USER)
        with stack.client_as(UNPRIV_UID) as client:
            r = client.call(path('c1'), CONTAINER_IFACE, 'SetConfigItem', "('lxc.start.auto', '1')")
            self.assertOk(r)
            with open(config_file('c1')) as f:
                self.assertIn('lxc.start.auto = 1', f.read())
            self.digests['c1'] = digest('c1')
            for key, value in (('lxc.hook.pre-start', '/bin/true'), ('lxc.net.0.link', 'br0'),
                               ('lxc.mount.entry', '/ mnt none bind 0 0'), ('lxc.include', '/etc/x')):
                r = client.call(path('c1'), CONTAINER_IFACE, 'SetConfigItem', "('%s', '%s')" % (key, value))
                self.assertError(r, 'NotAuthorized')
            self.assertUnchanged('c1')
            r = client.call(path('c2'), CONTAINER_IFACE, 'SetConfigItem', "('lxc.start.auto', '1')")
            self.assertError(r, 'NotAuthorized')
            self.assertUnchanged('c2')
            # configure does not include reading.
            r = client.call(path('c1'), CONTAINER_IFACE, 'GetConfigItem', "('lxc.start.auto',)")
            self.assertError(r, 'NotAuthorized')
            r = client.call(path('c1'), CONTAINER_IFACE, 'ClearConfigItem', "('lxc.start.auto',)")
            self.assertOk(r)


if __name__ == '__main__':
    lxcdtest.main()
