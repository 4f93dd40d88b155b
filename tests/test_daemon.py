#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The daemon process: command line, config file, clean exit on SIGTERM and
SIGINT, --replace, a second instance, running containers surviving a stop
or a crash of the daemon and found again in their true state, several
lxcpaths with a name collision."""
import os
import signal
import subprocess
import time
import unittest

from gi.repository import GLib, Gio

import lxcclient
import lxcdtest
from lxcdtest import BUS_NAME, CONTAINER_IFACE, MANAGER_IFACE, MANAGER_PATH

stack = None


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2'):
        stack.make_container(name)


def tearDownModule():
    stack.close()


def path(name):
    return lxcdtest.container_path(name)


class Lifetime(unittest.TestCase):
    def tearDown(self):
        if stack.daemon_running():
            stack.stop_daemon()
        for name in ('c1', 'c2'):
            if stack.container_state(name) != 'STOPPED':
                stack.stop_container(name)

    def test_sigterm_and_sigint_exit_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            stack.start_daemon()
            self.assertEqual(stack.stop_daemon(sig), 0, stack.daemon_log_tail())

    def test_version(self):
        out = subprocess.run([stack.daemon_path, '--version'], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r'^lxc-dbus \d+\.\d+\.\d+ \(liblxc \d')

    def test_bad_option(self):
        out = subprocess.run([stack.daemon_path, '--no-such-option'], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)

    def test_running_container_survives_stop_and_is_found_again(self):
        stack.start_daemon()
        conn = stack.bus()
        r = stack.call(path('c1'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        self.assertTrue(r.ok, r)
        pid = stack.client(conn).container('c1').init_pid
        self.assertEqual(stack.stop_daemon(), 0)
        self.assertEqual(stack.container_state('c1'), 'RUNNING')
        self.assertTrue(os.path.exists('/proc/%d' % pid))
        # Changed while the daemon was away.
        stack.wait_init_ready('c1')
        stack.lxc('freeze', 'c1')
        stack.start_daemon()
        self.assertEqual(stack.client(conn).container('c1').state, 'FROZEN')
        self.assertEqual(stack.client(conn).container('c1').init_pid, pid)
        self.assertEqual(stack.client(conn).container('c2').state, 'STOPPED')
        stack.lxc('unfreeze', 'c1')

    def test_running_container_survives_a_crash(self):
        stack.start_daemon()
        r = stack.call(path('c2'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        self.assertTrue(r.ok, r)
        self.assertEqual(stack.kill_daemon(), -9)
        time.sleep(0.2)
        self.assertEqual(stack.container_state('c2'), 'RUNNING')
        stack.start_daemon()
        conn = stack.bus()
        self.assertEqual(stack.client(conn).container('c2').state, 'RUNNING')
        self.assertTrue(stack.client(conn).container('c2').running)
        self.assertGreater(stack.client(conn).container('c2').init_pid, 1)
        # And it is still controllable.
        r = stack.call(path('c2'), CONTAINER_IFACE, 'Stop', '()')
        self.assertTrue(r.ok, r)

    @staticmethod
    def helper_server():
        """pid of the daemon's lxc-dbus-helper serve (its child of that name), or None."""
        daemon = stack.daemon_pid
        for task in os.listdir('/proc/%d/task' % daemon):
            with open('/proc/%d/task/%s/children' % (daemon, task)) as f:
                for child in f.read().split():
                    try:
                        with open('/proc/%s/cmdline' % child) as c:
                            if c.read().split('\0')[1:2] == ['serve']:
                                return int(child)
                    except (OSError, IndexError):
                        pass
        return None

    def test_helper_server_replaced_after_it_dies(self):
        stack.start_daemon()
        first = lxcdtest.wait_until(self.helper_server, 10)
        os.kill(first, signal.SIGKILL)
        lxcdtest.wait_until(lambda: self.helper_server() != first, 10)
        # The next operation that needs a helper starts a new server.
        r = stack.call(path('c1'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        self.assertTrue(r.ok, r)
        self.assertEqual(stack.container_state('c1'), 'RUNNING')
        second = self.helper_server()
        self.assertIsNotNone(second)
        self.assertNotEqual(second, first)
        self.assertTrue(stack.call(path('c1'), CONTAINER_IFACE, 'Stop', '()').ok)
        self.assertIn('lxc-dbus-helper serve: it exited', stack.daemon_log_tail())

    def test_helper_server_ends_with_the_daemon(self):
        for stop in (stack.stop_daemon, stack.kill_daemon):
            stack.start_daemon()
            server = lxcdtest.wait_until(self.helper_server, 10)
            stop()
            lxcdtest.wait_until(lambda: server not in lxcdtest.live_processes('lxc-dbus-helper'), 10)

    def test_second_instance_refused_and_replace(self):
        first = stack.start_daemon()
        out = subprocess.run(['setpriv', '--pdeathsig', 'KILL', '--', stack.daemon_path,
                              '--lxcpath=' + stack.lxcpath], capture_output=True, text=True,
                             env=stack.env(), timeout=20)
        self.assertEqual(out.returncode, 1)
        self.assertIn('--replace', out.stderr)
        self.assertIsNone(first.poll())
        # --replace takes the name over; the first exits cleanly.
        stack.daemon_proc = None
        second = stack.start_daemon(['--replace'])
        self.assertEqual(first.wait(10), 0)
        conn = stack.bus()
        owner = lxcdtest.name_owner(conn, BUS_NAME)
        self.assertEqual(lxcdtest.connection_pid(conn, owner), second.pid)
        self.assertEqual(stack.client(conn).container('c1').name, 'c1')


class Configuration(unittest.TestCase):
    def tearDown(self):
        if stack.daemon_running():
            stack.stop_daemon()

    def make_lxcpath(self, name):
        d = os.path.join(stack.tmpdir, name)
        os.makedirs(d, exist_ok=True)
        return os.path.realpath(d)

    def test_config_file_lists_lxcpaths(self):
        extra = self.make_lxcpath('extra-lxcpath')
        conf = os.path.join(stack.tmpdir, 'lxc-dbus.conf')
        with open(conf, 'w') as f:
            f.write('[Daemon]\nLXCPaths=%s;%s/\n' % (extra, stack.lxcpath))
        # --lxcpath (set by the harness) replaces the file's list; run
        # without it here.
        stack.daemon_proc = None
        p = subprocess.Popen(['setpriv', '--pdeathsig', 'KILL', '--', stack.daemon_path,
                              '--config=' + conf], env=stack.env({'G_DEBUG': 'fatal-criticals'}),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            conn = stack.bus()
            lxcdtest.wait_until(lambda: lxcdtest.name_owner(conn, BUS_NAME) is not None, 10)
            self.assertEqual(stack.client(conn).manager.lxc_paths,
                             [extra, stack.lxcpath])
            self.assertEqual(stack.client(conn).manager.default_lxc_path, extra)
            self.assertEqual(stack.client(conn).container('c1').lxc_path, stack.lxcpath)
        finally:
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(10), 0, p.stderr.read())

    def test_missing_config_file_is_an_error(self):
        out = subprocess.run([stack.daemon_path, '--config=/nonexistent/lxc-dbus.conf'],
                             capture_output=True, text=True, env=stack.env(), timeout=10)
        self.assertEqual(out.returncode, 1)
        self.assertIn('/nonexistent/lxc-dbus.conf', out.stderr)

    def test_relative_lxcpath_is_refused(self):
        out = subprocess.run([stack.daemon_path, '--lxcpath=relative/dir'],
                             capture_output=True, text=True, env=stack.env(), timeout=10, cwd=stack.tmpdir)
        self.assertEqual(out.returncode, 1)
        self.assertIn('relative/dir', out.stderr)

    def test_two_lxcpaths_and_a_name_collision(self):
        other = self.make_lxcpath('second-lxcpath')
        # A container c1 in the second path collides with the first's c1; c9 does not.
        for name in ('c1', 'c9'):
            d = stack.factory.make(other, name)
            self.assertTrue(os.path.isdir(d))
        stack.start_daemon(['--lxcpath=' + other])
        conn = stack.bus()
        self.assertEqual(stack.client(conn).manager.lxc_paths,
                         [stack.lxcpath, other])
        self.assertEqual(stack.client(conn).container('c1').lxc_path, stack.lxcpath)
        self.assertEqual(stack.client(conn).container('c9').lxc_path, other)
        self.assertIn('hidden', stack.daemon_log_text())
        r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'ListContainers', "('all', {'lxcpath': <'%s'>})" % other)
        self.assertTrue(r.ok, r)
        self.assertEqual(lxcdtest.parse_variant(r.result_text)[0], [('c9', path('c9'))])
        # When the first c1 goes, the second one shows up.
        os.rename(os.path.join(stack.lxcpath, 'c1'), os.path.join(stack.tmpdir, 'c1-away'))
        lxcdtest.wait_until(lambda: _lxcpath_of(conn, 'c1') == other, 3)
        os.rename(os.path.join(stack.tmpdir, 'c1-away'), os.path.join(stack.lxcpath, 'c1'))
        stack.stop_daemon()
        for name in ('c1', 'c9'):
            subprocess.run(['lxc-destroy', '-P', other, '-n', name], capture_output=True)


def _lxcpath_of(conn, name):
    try:
        return stack.client(conn).container(name).lxc_path
    except lxcclient.Error:
        return None


if __name__ == '__main__':
    lxcdtest.main()
