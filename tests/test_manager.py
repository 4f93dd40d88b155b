#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Manager object: properties, ListContainers, GetContainer,
GetGlobalConfigItem, GetConfigKeyClasses, the ObjectManager; through GDBus, busctl and gdbus, as
root and as an unprivileged caller (none of these need authorization)."""
import json
import os
import subprocess
import unittest

from gi.repository import GLib, Gio

import lxcdtest
from lxcdtest import (MANAGER_PATH, MANAGER_IFACE, CONTAINER_IFACE, ROOT_PATH,
                      BUS_NAME, ERROR_PREFIX, UNPRIV_UID)

stack = None


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    stack.make_container('c1')
    stack.make_container('c2')
    stack.make_container('web-1')
    stack.start_daemon()


def tearDownModule():
    stack.close()


def manager_proxy(conn=None):
    return Gio.DBusProxy.new_sync(conn or stack.bus(), Gio.DBusProxyFlags.NONE, None,
                                  BUS_NAME, MANAGER_PATH, MANAGER_IFACE, None)


def container_path(name):
    return lxcdtest.container_path(name)


class Properties(unittest.TestCase):
    def setUp(self):
        self.proxy = manager_proxy()

    def prop(self, name):
        v = self.proxy.get_cached_property(name)
        self.assertIsNotNone(v, name)
        return v.unpack()

    def test_version_is_liblxc_version(self):
        out = subprocess.run(['lxc-start', '--version'], capture_output=True, text=True).stdout.strip()
        self.assertEqual(self.prop('Version'), out)

    def test_daemon_version(self):
        out = subprocess.run([stack.daemon_path, '--version'], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertIn(self.prop('DaemonVersion'), out.stdout)
        self.assertRegex(self.prop('DaemonVersion'), r'^\d+\.\d+\.\d+')

    def test_lxcpaths(self):
        self.assertEqual(self.prop('LXCPaths'), [stack.lxcpath])
        self.assertEqual(self.prop('DefaultLXCPath'), stack.lxcpath)

    def test_wait_states(self):
        self.assertEqual(self.prop('WaitStates'),
                         ['STOPPED', 'STARTING', 'RUNNING', 'STOPPING',
                          'ABORTING', 'FREEZING', 'FROZEN', 'THAWED'])

    def test_templates_are_the_installed_ones(self):
        installed = sorted(n[4:] for n in os.listdir('/usr/share/lxc/templates')
                           if n.startswith('lxc-'))
        self.assertEqual(self.prop('Templates'), installed)
        self.assertIn('busybox', self.prop('Templates'))

    def test_features(self):
        features = self.prop('Features')
        for f in ('lifecycle', 'live-state', 'polkit', 'files', 'usage', 'permissions',
                  'os-release', 'console-log', 'start-options', 'create-config-items'):
            self.assertIn(f, features)
        self.assertEqual(len(features), len(set(features)))

    def test_properties_are_read_only(self):
        r = stack.call(MANAGER_PATH, 'org.freedesktop.DBus.Properties', 'Set',
                       "('%s', 'DefaultLXCPath', <'/etc'>)" % MANAGER_IFACE)
        self.assertFalse(r.ok)
        self.assertEqual(self.prop('DefaultLXCPath'), stack.lxcpath)


class ListContainers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        stack.start_container('c2')
        conn = stack.bus()
        # Wait for the service to have seen it.
        lxcdtest.wait_until(lambda: stack.client(conn).container('c2').state == 'RUNNING', 5)

    @classmethod
    def tearDownClass(cls):
        stack.stop_container('c2')

    def list(self, which, options='{}'):
        r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'ListContainers',
                       "('%s', @a{sv} %s)" % (which, options))
        self.assertTrue(r.ok, r)
        return GLib.Variant.parse(GLib.VariantType('(a(so))'), r.result_text, None, None).unpack()[0]

    def test_all(self):
        self.assertEqual(self.list('all'),
                         [('c1', container_path('c1')), ('c2', container_path('c2')),
                          ('web-1', container_path('web-1'))])

    def test_defined(self):
        self.assertEqual([n for n, _ in self.list('defined')], ['c1', 'c2', 'web-1'])

    def test_active(self):
        self.assertEqual(self.list('active'), [('c2', container_path('c2'))])

    def test_lxcpath_option(self):
        self.assertEqual(len(self.list('all', "{'lxcpath': <'%s'>}" % stack.lxcpath)), 3)

    def test_object_path_escaping(self):
        self.assertEqual(dict(self.list('all'))['web-1'],
                         '/org/linuxcontainers/LXC1/containers/web_2d1')

    def test_bad_which(self):
        for which in ('', 'running', 'ALL', 'defined '):
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'ListContainers', "('%s', @a{sv} {})" % which)
            self.assertEqual(r.error_name, ERROR_PREFIX + 'InvalidArgument', which)

    def test_unserved_lxcpath(self):
        for path in ('/var/lib/lxc', '/', stack.lxcpath + '/', stack.lxcpath + '/..'):
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'ListContainers',
                           "('all', {'lxcpath': <'%s'>})" % path)
            self.assertEqual(r.error_name, ERROR_PREFIX + 'InvalidArgument', path)

    def test_unknown_option_and_wrong_type(self):
        for opt in ("{'lxcpaht': <'x'>}", "{'lxcpath': <1>}"):
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'ListContainers', "('all', %s)" % opt)
            self.assertEqual(r.error_name, ERROR_PREFIX + 'InvalidArgument', opt)

    def test_busctl(self):
        out = subprocess.run(['busctl', '--system', '--json=short', 'call', BUS_NAME, MANAGER_PATH,
                              MANAGER_IFACE, 'ListContainers', 'sa{sv}', 'active', '0'],
                             capture_output=True, text=True, env=stack.env())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)['data'], [[['c2', container_path('c2')]]])

    def test_unprivileged(self):
        r = stack.call_as(UNPRIV_UID, MANAGER_PATH, MANAGER_IFACE, 'ListContainers', "('all', @a{sv} {})")
        self.assertTrue(r.ok, r)
        self.assertIn("'c1'", r.result_text)


class GetContainer(unittest.TestCase):
    def test_found(self):
        r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'GetContainer', "('c1',)")
        self.assertTrue(r.ok, r)
        self.assertEqual(r.result_text, "(objectpath '%s',)" % container_path('c1'))

    def test_gdbus_tool(self):
        out = subprocess.run(['gdbus', 'call', '--system', '-d', BUS_NAME, '-o', MANAGER_PATH,
                              '-m', MANAGER_IFACE + '.GetContainer', 'web-1'],
                             capture_output=True, text=True, env=stack.env())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "(objectpath '/org/linuxcontainers/LXC1/containers/web_2d1',)")

    def test_not_found(self):
        r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'GetContainer', "('nosuch',)")
        self.assertEqual(r.error_name, ERROR_PREFIX + 'NotFound')

    def test_not_found_busctl_error_name(self):
        out = subprocess.run(['busctl', '--system', 'call', BUS_NAME, MANAGER_PATH,
                              MANAGER_IFACE, 'GetContainer', 's', 'nosuch'],
                             capture_output=True, text=True, env=stack.env())
        self.assertNotEqual(out.returncode, 0)
        self.assertIn('nosuch', out.stderr)

    def test_methods_on_unknown_container_path(self):
        r = stack.call(container_path('nosuch'), CONTAINER_IFACE, 'Stop', '()', signature='')
        # GDBus answers for paths below the ObjectManager that hold nothing.
        self.assertIn(r.error_name, ('org.freedesktop.DBus.Error.UnknownObject',
                                     'org.freedesktop.DBus.Error.UnknownMethod'), r)
        self.assertIn('does not exist', r.result_text)

    def test_invalid_names(self):
        for name in ('', '.', '..', '../c1', 'a/b', '.hidden', 'x' * 256, 'a\\nb'):
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'GetContainer', "('%s',)" % name)
            self.assertEqual(r.error_name, ERROR_PREFIX + 'InvalidArgument', repr(name))

    def test_unprivileged(self):
        r = stack.call_as(UNPRIV_UID, MANAGER_PATH, MANAGER_IFACE, 'GetContainer', "('c2',)")
        self.assertTrue(r.ok, r)


class GlobalConfig(unittest.TestCase):
    def test_known_keys_match_lxc_config(self):
        for key in subprocess.run(['lxc-config', '-l'], capture_output=True, text=True).stdout.split():
            want = subprocess.run(['lxc-config', key], capture_output=True, text=True).stdout.strip()
            if want == key + ' is not set.':
                want = ''
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'GetGlobalConfigItem', "('%s',)" % key)
            self.assertTrue(r.ok, r)
            got = GLib.Variant.parse(GLib.VariantType('(s)'), r.result_text, None, None).unpack()[0]
            self.assertEqual(got, want, key)

    def test_unknown_key(self):
        for key in ('lxc.nosuch', '', 'lxc.net.0.type', 'a\\nb'):
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'GetGlobalConfigItem', "('%s',)" % key)
            self.assertEqual(r.error_name, ERROR_PREFIX + 'InvalidArgument', key)

    def test_unprivileged(self):
        r = stack.call_as(UNPRIV_UID, MANAGER_PATH, MANAGER_IFACE, 'GetGlobalConfigItem',
                          "('lxc.lxcpath',)")
        self.assertTrue(r.ok, r)


class ConfigKeyClasses(unittest.TestCase):
    """GetConfigKeyClasses tells which keys the configure action covers,
    as SetConfigItem decides (lxcd-config-keys.c), for anyone."""

    def classes(self, keys, uid=None):
        args = '(@as [%s],)' % ', '.join("'%s'" % k for k in keys)
        if uid is None:
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'GetConfigKeyClasses', args)
        else:
            r = stack.call_as(uid, MANAGER_PATH, MANAGER_IFACE, 'GetConfigKeyClasses', args)
        self.assertTrue(r.ok, r)
        return GLib.Variant.parse(GLib.VariantType('(a{ss})'), r.result_text, None, None).unpack()[0]

    def test_ordinary_and_host_keys(self):
        ordinary = ['lxc.uts.name', 'lxc.start.auto', 'lxc.net.0.hwaddr',
                    'lxc.cgroup2.memory.max', 'lxc.prlimit.nofile', 'lxc.init.cmd']
        # lxc.environment reaches host-side hooks; addresses and MTU can
        # become host routes, neighbour proxies, the host veth's MTU
        host = ['lxc.mount.entry', 'lxc.hook.pre-start', 'lxc.rootfs.path', 'lxc.net.0.link',
                'lxc.cgroup.devices.allow', 'lxc.include', 'lxc.nosuch', '',
                'lxc.environment', 'lxc.net.0.ipv4.address', 'lxc.net.0.mtu',
                'lxc.prlimit.core']
        got = self.classes(ordinary + host, UNPRIV_UID)
        self.assertEqual(got, dict([(k, 'ordinary') for k in ordinary] +
                                   [(k, 'host') for k in host]))
        self.assertEqual(self.classes([]), {})

    def test_too_many_keys(self):
        r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'GetConfigKeyClasses',
                       '(@as [%s],)' % ', '.join("'k%d'" % i for i in range(4097)))
        self.assertEqual(r.error_name, ERROR_PREFIX + 'InvalidArgument')

    def test_feature(self):
        r = stack.call(MANAGER_PATH, 'org.freedesktop.DBus.Properties', 'Get',
                       "('%s', 'Features')" % MANAGER_IFACE)
        self.assertIn("'config-key-classes'", r.result_text)


class ObjectManager(unittest.TestCase):
    def test_managed_objects(self):
        conn = stack.bus()
        reply = conn.call_sync(BUS_NAME, ROOT_PATH, 'org.freedesktop.DBus.ObjectManager',
                               'GetManagedObjects', None, None, Gio.DBusCallFlags.NONE, 5000, None)
        objects = reply.unpack()[0]
        self.assertIn(MANAGER_IFACE, objects[MANAGER_PATH])
        c1 = objects[container_path('c1')][CONTAINER_IFACE]
        self.assertEqual(c1['Name'], 'c1')
        self.assertEqual(c1['LXCPath'], stack.lxcpath)
        self.assertEqual(c1['ConfigFile'], os.path.join(stack.lxcpath, 'c1', 'config'))
        self.assertEqual(c1['State'], 'STOPPED')
        self.assertFalse(c1['Running'])
        self.assertTrue(c1['Defined'])
        self.assertEqual(c1['InitPID'], -1)
        self.assertTrue(c1['Daemonize'])
        self.assertFalse(c1['CloseAllFDs'])
        self.assertFalse(c1['Autostart'])
        self.assertEqual(len([p for p in objects if p.startswith(lxcdtest.CONTAINERS_PATH)]), 3)

    def test_managed_objects_agree_with_get_all(self):
        # The service builds a container's properties for GetManagedObjects
        # (and InterfacesAdded) itself; Properties.GetAll goes through
        # GDBus's generic path. Same names, order and values, running or not.
        stack.start_container('c2')
        try:
            conn = stack.bus()
            # InitPID follows the RUNNING event after the service re-read it:
            # wait for both, so nothing changes between the two calls.
            lxcdtest.wait_until(lambda: stack.client(conn).container('c2').state == 'RUNNING'
                                and stack.client(conn).container('c2').init_pid > 1, 5)
            objects = conn.call_sync(BUS_NAME, ROOT_PATH, 'org.freedesktop.DBus.ObjectManager',
                                     'GetManagedObjects', None, None, Gio.DBusCallFlags.NONE,
                                     5000, None).get_child_value(0)
            seen = 0
            for i in range(objects.n_children()):
                path = objects.get_child_value(i).get_child_value(0).unpack()
                ifaces = objects.get_child_value(i).get_child_value(1).unpack()
                if CONTAINER_IFACE not in ifaces:
                    continue
                props = objects.get_child_value(i).get_child_value(1).lookup_value(
                    CONTAINER_IFACE, None)
                get_all = conn.call_sync(BUS_NAME, path, 'org.freedesktop.DBus.Properties',
                                         'GetAll', GLib.Variant('(s)', (CONTAINER_IFACE,)),
                                         None, Gio.DBusCallFlags.NONE, 5000,
                                         None).get_child_value(0)
                self.assertEqual(props.print_(True), get_all.print_(True), path)
                seen += 1
            self.assertEqual(seen, 3)
            self.assertGreater(stack.client(conn).container('c2').init_pid, 1)   # one of them was running
        finally:
            stack.stop_container('c2')

    def test_object_manager_client_as_unprivileged(self):
        with stack.client_as(UNPRIV_UID) as nobody:
            seen = nobody.client.object_manager_view('State')
        self.assertEqual(seen[0], ('c1', 'STOPPED'))
        self.assertIn(('web-1', 'STOPPED'), seen)

    def test_autostart_property_from_config(self):
        stack.make_container('auto1', config={'lxc.start.auto': '1'})
        conn = stack.bus()
        lxcdtest.wait_until(lambda: lxcdtest.name_owner(conn, BUS_NAME) and
                            stack.client(conn).container('auto1').exists(), 5)
        self.assertTrue(stack.client(conn).container('auto1').autostart)
        stack.lxc('destroy', 'auto1')
        lxcdtest.wait_until(lambda: not stack.client(conn).container('auto1').exists(), 5)


if __name__ == '__main__':
    lxcdtest.main()
