#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of the integration-test harness itself (tests/lxcdtest.py).

They need no lxc-dbus daemon: they check that the private system bus
enforces the installed bus policy, that the real polkitd answers
CheckAuthorization with our policy and test rules, that containers made by
the harness really start, that daemon control works (against a tiny
stand-in daemon written here), and that the TAP runner reports correctly.

Run: tests/run-test tests/test_stack.py [-k PATTERN] [Class[.test]]
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import lxcdtest
from lxcdtest import (ACTIONS, BUS_NAME, MANAGER_IFACE, MANAGER_PATH, UNPRIV_UID,
                      POLKIT_NAME, POLKIT_PATH, POLKIT_IFACE)

LIFECYCLE = 'org.linuxcontainers.LXC1.lifecycle'
stack = None


def setUpModule():
    global stack
    t0 = time.monotonic()
    stack = lxcdtest.Stack().start()
    sys.stderr.write('# stack up in %.3f s (bus %.3f s, polkitd %.3f s)\n' % (
        time.monotonic() - t0, stack.timings['bus'], stack.timings['polkit']))


def tearDownModule():
    stack.close()


class BusConfig(unittest.TestCase):
    """The private bus runs Debian's system.conf plus the project's policy."""

    def test_address_exported(self):
        self.assertTrue(stack.address.startswith('unix:path=' + stack.bus_socket))
        self.assertEqual(os.environ['DBUS_SYSTEM_BUS_ADDRESS'], stack.address)
        self.assertEqual(stack.env()['DBUS_SYSTEM_BUS_ADDRESS'], stack.address)
        self.assertEqual(stack.dbus_pid, lxcdtest.connection_pid(
            stack.bus(), 'org.freedesktop.DBus'))

    def test_unprivileged_cannot_own_service_name(self):
        r = stack.call_as(UNPRIV_UID, '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                          'RequestName', "('%s', 0)" % BUS_NAME, dest='org.freedesktop.DBus')
        self.assertFalse(r.ok, r)
        self.assertEqual(r.error_name, 'org.freedesktop.DBus.Error.AccessDenied', r)

    def test_unprivileged_cannot_own_arbitrary_name(self):
        # the <deny own="*"/> of system.conf is in force
        r = stack.run_as(UNPRIV_UID, ['gdbus', 'call', '--system', '--dest',
                                      'org.freedesktop.DBus', '--object-path',
                                      '/org/freedesktop/DBus', '--method',
                                      'org.freedesktop.DBus.RequestName', 'com.example.X', '0'])
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn('AccessDenied', r.stderr)

    def test_root_can_own_and_anyone_can_send(self):
        conn = stack.bus()
        self.assertEqual(lxcdtest.request_name(conn, BUS_NAME), 1)
        try:
            # the call reaches the owner (no object there), it is not
            # stopped by the bus policy
            r = stack.call_as(UNPRIV_UID, MANAGER_PATH, MANAGER_IFACE, 'GetContainer',
                              "('x',)", signature='s')
            self.assertFalse(r.ok)
            self.assertEqual(r.error_name, 'org.freedesktop.DBus.Error.UnknownMethod', r)
        finally:
            conn.close_sync(None)
        lxcdtest.wait_until(lambda: lxcdtest.name_owner(stack.bus(), BUS_NAME) is None, 5)

    def test_run_as_identity(self):
        r = stack.run_as(UNPRIV_UID, ['sh', '-c', 'id -u; id -G; echo $DBUS_SYSTEM_BUS_ADDRESS'])
        self.assertEqual(r.returncode, 0, r.stderr)
        uid, groups, addr = r.stdout.splitlines()
        self.assertEqual(int(uid), UNPRIV_UID)
        self.assertEqual(groups.split(), [str(lxcdtest.pwd.getpwuid(UNPRIV_UID).pw_gid)])
        self.assertEqual(addr, stack.address)


class Polkit(unittest.TestCase):
    """The real polkitd with our .policy and test-controlled rules."""

    @classmethod
    def setUpClass(cls):
        cls.nobody = stack.client_as(UNPRIV_UID)
        stack.clear_rules()

    @classmethod
    def tearDownClass(cls):
        stack.clear_rules()
        cls.nobody.close()

    def check_nobody(self, container):
        return stack.check_authorization(self.nobody.unique_name, LIFECYCLE,
                                         {'container': container})

    def test_private_mounts_only(self):
        """Our bind mounts exist here but not in pid 1's mount namespace."""
        mine = [m[1] for m in lxcdtest._mountinfo('self')]
        init = [m[1] for m in lxcdtest._mountinfo('1')]
        for target in (lxcdtest.POLKIT_ACTIONS_DIR, lxcdtest.POLKIT_ETC_RULES_DIR):
            self.assertIn(target, mine)
            self.assertNotIn(target, init)
        self.assertEqual(sorted(os.listdir(lxcdtest.POLKIT_ACTIONS_DIR)),
                         ['org.linuxcontainers.LXC1.policy'])

    def test_polkitd_dropped_privileges(self):
        with open('/proc/%d/status' % stack.polkitd_pid) as f:
            uids = [l.split()[1:] for l in f if l.startswith('Uid:')][0]
        self.assertEqual(set(uids), {str(lxcdtest._polkitd_user()[0])})

    def test_actions_registered(self):
        r = stack.call(POLKIT_PATH, POLKIT_IFACE, 'EnumerateActions', "('',)",
                       dest=POLKIT_NAME)
        self.assertTrue(r.ok, r)
        ids = {a[0] for a in lxcdtest.parse_variant(r.result_text)[0]}
        self.assertEqual(ids & set(ACTIONS), set(ACTIONS))

    def test_root_subject(self):
        conn = stack.bus()
        res = stack.check_authorization(conn.get_unique_name(), LIFECYCLE,
                                        {'container': 'c1'})
        sys.stderr.write('# root CheckAuthorization(lifecycle, c1) -> %r\n' % (res,))
        # polkit always authorizes uid 0 subjects (without consulting rules)
        self.assertEqual(res[:2], (True, False))

    def test_unprivileged_denied_without_rules(self):
        authorized, challenge, details = self.check_nobody('c1')
        self.assertFalse(authorized)
        self.assertTrue(challenge)      # auth_admin*: would ask for a password

    def test_unprivileged_caller_cannot_pass_details(self):
        """polkit >= 121: only trusted callers may pass details (so the
        daemon, as root, must do the check)."""
        subject = "(('system-bus-name', {'name': <'%s'>}), '%s', {'container': 'c1'}, 0, '')" % (
            self.nobody.unique_name, LIFECYCLE)
        r = self.nobody.call(POLKIT_PATH, POLKIT_IFACE, 'CheckAuthorization', subject,
                             dest=POLKIT_NAME)
        self.assertFalse(r.ok)
        self.assertEqual(r.error_name, 'org.freedesktop.PolicyKit1.Error.NotAuthorized', r)

    def test_rules(self):
        stack.set_rules('''
            polkit.addRule(function(action, subject) {
                if (action.id == "org.linuxcontainers.LXC1.lifecycle" &&
                    action.lookup("container") == "c1" &&
                    subject.user == "nobody")
                    return polkit.Result.YES;
            });''')
        self.assertEqual(self.check_nobody('c1')[0], True)
        self.assertEqual(self.check_nobody('c2')[0], False)
        self.assertFalse(stack.check_authorization(self.nobody.unique_name,
                                                   'org.linuxcontainers.LXC1.exec',
                                                   {'container': 'c1'})[0])
        stack.clear_rules()
        self.assertEqual(self.check_nobody('c1')[0], False)

    def test_rules_replaced_many_times(self):
        """Every set_rules() is in force when it returns (no stale reload)."""
        for i in range(8):
            want = 'c%d' % i
            stack.set_rules('''
                polkit.addRule(function(action, subject) {
                    if (action.lookup("container") == "%s") return polkit.Result.YES;
                });''' % want)
            self.assertTrue(self.check_nobody(want)[0], i)
            self.assertFalse(self.check_nobody('c%d' % (i + 1))[0], i)
        stack.clear_rules()

    def test_bad_rules_rejected(self):
        with self.assertRaises(ValueError):
            stack.set_rules('this is { not javascript')
        stack.clear_rules()
        self.assertFalse(self.check_nobody('c1')[0])


class Containers(unittest.TestCase):
    """Containers made by the harness are real, startable containers."""

    def test_make_start_stop(self):
        t0 = time.monotonic()
        d = stack.make_container('ct1')
        t1 = time.monotonic()
        sys.stderr.write('# make_container: %.3f s\n' % (t1 - t0))
        self.assertEqual(d, os.path.join(stack.lxcpath, 'ct1'))
        with open(os.path.join(d, 'config')) as f:
            cfg = [l.strip() for l in f if l.strip() and not l.startswith('#')]
        self.assertEqual([l for l in cfg if l.startswith('lxc.net.')],
                         ['lxc.net.0.type = empty'])
        self.assertIn('lxc.rootfs.path = dir:%s/rootfs' % d, cfg)
        self.assertIn('lxc.uts.name = ct1', cfg)
        self.assertEqual(stack.container_state('ct1'), 'STOPPED')
        stack.lxc('start', 'ct1')
        lxcdtest.wait_until(lambda: stack.container_state('ct1') == 'RUNNING', 10)
        r = stack.lxc('attach', 'ct1', '--', '/bin/hostname')
        self.assertEqual(r.stdout.strip(), 'ct1')
        stack.lxc('stop', 'ct1', '-k')
        self.assertEqual(stack.container_state('ct1'), 'STOPPED')

    def test_lxc_copy_method(self):
        d = stack.make_container('ct2', method='lxc-copy', config={'lxc.start.auto': '1'})
        self.assertIn('ct2', stack.container_names())
        self.assertEqual(stack.lxc('info', 'ct2', '-c', 'lxc.uts.name').stdout.split('=')[1]
                         .strip(), 'ct2')
        self.assertEqual(stack.lxc('info', 'ct2', '-c', 'lxc.start.auto').stdout.split('=')[1]
                         .strip(), '1')
        self.assertTrue(os.path.isdir(os.path.join(d, 'rootfs', 'bin')))

    def test_duplicate_rejected(self):
        stack.make_container('ct3')
        with self.assertRaises(lxcdtest.HarnessError):
            stack.make_container('ct3')


FAKE_DAEMON = r'''
import signal, sys
import gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib
XML = """<node><interface name="org.linuxcontainers.LXC1.Manager">
  <method name="Ping"><arg type="s" direction="in"/><arg type="s" direction="out"/></method>
  <signal name="Pinged"><arg type="s"/></signal>
</interface></node>"""
iface = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]
loop = GLib.MainLoop()
status = [0]
print('fake daemon args:', ' '.join(sys.argv[1:]), flush=True)

def on_call(conn, sender, path, iface_name, method, params, inv):
    text = params.unpack()[0]
    if text == 'fail':
        inv.return_dbus_error('org.linuxcontainers.LXC1.Error.InvalidArgument', 'fail requested')
        return
    conn.emit_signal(None, path, iface_name, 'Pinged', GLib.Variant('(s)', (text,)))
    inv.return_value(GLib.Variant('(s)', ('pong:' + text,)))

def on_bus(conn, name):
    conn.register_object('/org/linuxcontainers/LXC1/Manager', iface, on_call, None, None)

def on_lost(conn, name):
    status[0] = 1
    loop.quit()

Gio.bus_own_name(Gio.BusType.SYSTEM, 'org.linuxcontainers.LXC1',
                 Gio.BusNameOwnerFlags.NONE, on_bus, None, on_lost)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, lambda: loop.quit() or False)
loop.run()
sys.exit(status[0])
'''


class DaemonControl(unittest.TestCase):
    """start/stop/kill of the daemon, against a stand-in daemon."""

    @classmethod
    def setUpClass(cls):
        cls.saved = stack.daemon_path
        fake = os.path.join(stack.tmpdir, 'fake-daemon')
        with open(fake, 'w') as f:
            f.write('#!%s\n%s' % (lxcdtest.PYTHON, FAKE_DAEMON))
        os.chmod(fake, 0o755)
        stack.daemon_path = fake

    @classmethod
    def tearDownClass(cls):
        if stack.daemon_running():
            stack.stop_daemon()
        stack.daemon_path = cls.saved

    def test_start_call_signal_stop(self):
        p = stack.start_daemon(env={'LXCD_TEST_MARK': '1'})
        self.assertTrue(stack.daemon_running())
        with open('/proc/%d/environ' % p.pid, 'rb') as f:
            env = f.read().split(b'\0')
        self.assertIn(b'G_DEBUG=fatal-criticals', env)
        self.assertIn(b'LXCD_TEST_MARK=1', env)
        self.assertIn(('DBUS_SYSTEM_BUS_ADDRESS=' + stack.address).encode(), env)
        rec = stack.record_signals(path_prefix=lxcdtest.ROOT_PATH, member='Pinged')
        r = stack.call_as(UNPRIV_UID, MANAGER_PATH, MANAGER_IFACE, 'Ping', "('hello',)")
        self.assertEqual(r, (True, None, "('pong:hello',)"))
        sig = rec.wait_for(lambda s: s.args == ('hello',), timeout=5)
        self.assertEqual((sig.path, sig.interface), (MANAGER_PATH, MANAGER_IFACE))
        r = stack.call_as(UNPRIV_UID, MANAGER_PATH, MANAGER_IFACE, 'Ping', "('fail',)")
        self.assertEqual(r.error_name, lxcdtest.ERROR_PREFIX + 'InvalidArgument')
        self.assertEqual(r.result_text, 'fail requested')
        with self.assertRaises(TimeoutError):
            rec.wait_for(lambda s: s.args == ('fail',), timeout=0.2)
        rec.close()
        self.assertEqual(stack.stop_daemon(), 0)
        self.assertIsNone(lxcdtest.name_owner(stack.bus(), BUS_NAME))
        self.assertIn('--lxcpath=%s --verbose' % stack.lxcpath, stack.daemon_log_text())

    def test_kill_and_restart(self):
        stack.start_daemon()
        first = stack.daemon_pid
        self.assertEqual(stack.kill_daemon(), -signal.SIGKILL)
        stack.start_daemon(extra_args=['--replace'])
        self.assertNotEqual(stack.daemon_pid, first)
        self.assertIn('--replace', stack.daemon_log_text())
        self.assertEqual(stack.stop_daemon(signal.SIGTERM), 0)

    def test_start_failure_reported(self):
        stack.daemon_path, saved = '/bin/false', stack.daemon_path
        try:
            with self.assertRaises(lxcdtest.HarnessError) as cm:
                stack.start_daemon()
            self.assertIn('exited with 1', str(cm.exception))
        finally:
            stack.daemon_path = saved


TAP_SAMPLE = r'''
import subprocess, unittest, lxcdtest

class A(unittest.TestCase):
    def test_error(self):
        raise RuntimeError('boom')
    def test_fail(self):
        self.assertEqual(1, 2)
    def test_ok(self):
        print('noise from print')
        subprocess.run(['echo', 'noise from a child'])
    @unittest.skip('because')
    def test_skip(self):
        pass
    def test_sub(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertNotEqual(i, 1)
    @unittest.expectedFailure
    def test_xfail(self):
        self.fail()

class B(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise RuntimeError('class setup broken')
    def test_one(self):
        pass
    def test_two(self):
        pass

if __name__ == '__main__':
    lxcdtest.main()
'''


class TAPRunner(unittest.TestCase):
    """lxcdtest.main() prints correct TAP."""

    def run_sample(self, *args):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'sample.py')
            with open(path, 'w') as f:
                f.write(TAP_SAMPLE)
            env = dict(os.environ, PYTHONPATH=lxcdtest.TESTS_DIR)
            return subprocess.run([lxcdtest.PYTHON, path] + list(args), env=env,
                                  capture_output=True, text=True, timeout=60)

    def test_output(self):
        p = self.run_sample()
        self.assertEqual(p.returncode, 1)
        lines = [l for l in p.stdout.splitlines() if not l.startswith('#')]
        self.assertEqual(lines, [
            'TAP version 13',
            'not ok 1 - A.test_error',
            'not ok 2 - A.test_fail',
            'ok 3 - A.test_ok',
            'ok 4 - A.test_skip # SKIP because',
            'not ok 5 - A.test_sub',
            'not ok 6 - A.test_xfail # TODO expected failure',
            'not ok 7 - B.test_one',
            'not ok 8 - B.test_two',
            '1..8',
        ])
        self.assertIn('# RuntimeError: boom', p.stdout)
        self.assertIn('# AssertionError: 1 != 2', p.stdout)
        self.assertIn('# RuntimeError: class setup broken', p.stdout)
        self.assertIn('(i=1)', p.stdout)
        self.assertIn('noise from print', p.stderr)
        self.assertIn('noise from a child', p.stderr)

    def test_selection(self):
        p = self.run_sample('-k', 'test_ok', 'A')
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(p.stdout.splitlines(), ['TAP version 13', 'ok 1 - A.test_ok', '1..1'])


if __name__ == '__main__':
    lxcdtest.main()
