#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Changes made outside the service reach the bus by themselves, within one
second, without polling: lxc-start/lxc-freeze/lxc-stop from a shell, a
container whose init exits on its own, and containers created, destroyed
and renamed with the LXC tools or by hand."""
import os
import shutil
import subprocess
import time
import unittest

from gi.repository import GLib, Gio

import lxcdtest
from lxcdtest import BUS_NAME, CONTAINER_IFACE, ROOT_PATH

stack = None
LATENCY = {}


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2', 'c3'):
        stack.make_container(name)
    stack.start_daemon()


def tearDownModule():
    for what, values in sorted(LATENCY.items()):
        lxcdtest._log('signal latency %-28s max %6.1f ms over %d' % (what, max(values) * 1000, len(values)))
    stack.close()


def path(name):
    return lxcdtest.container_path(name)


def note(what, seconds):
    LATENCY.setdefault(what, []).append(seconds)


class Base(unittest.TestCase):
    def setUp(self):
        self.conn = stack.bus()
        self.rec = stack.record_signals(self.conn)

    def tearDown(self):
        self.rec.close()

    def wait_state(self, name, state, t0, what, timeout=1.0):
        """StateChanged(state) and PropertiesChanged(State=state) for *name*
        within *timeout* of t0."""
        sig = self.rec.wait_for(lambda s: s.path == path(name) and s.member == 'StateChanged'
                                and s.args[0] == state, timeout=timeout - (time.monotonic() - t0))
        note(what, time.monotonic() - t0)
        self.rec.wait_for(lambda s: s.path == path(name) and s.member == 'PropertiesChanged'
                          and s.args[1].get('State') == state, timeout=0.5)
        self.assertEqual(stack.client(self.conn).container(name).state, state)
        return sig


class OutsideStateChanges(Base):
    def test_lxc_start_freeze_unfreeze_stop(self):
        # (clear() before each action: only signals after it count)
        self.rec.clear()
        t0 = time.monotonic()
        subprocess.run(['lxc-start', '-P', stack.lxcpath, '-n', 'c1'], check=True, timeout=30)
        self.wait_state('c1', 'RUNNING', t0, 'lxc-start -> RUNNING')
        lxcdtest.wait_until(lambda: stack.client(self.conn).container('c1').init_pid > 1, 1)
        self.assertTrue(stack.client(self.conn).container('c1').running)

        self.rec.clear()
        t0 = time.monotonic()
        stack.wait_init_ready('c1')
        subprocess.run(['lxc-freeze', '-P', stack.lxcpath, '-n', 'c1'], check=True, timeout=30)
        # cgroup v1's freezer loop may sleep 1 s before FROZEN.
        self.wait_state('c1', 'FROZEN', t0, 'lxc-freeze -> FROZEN', timeout=2.0)

        self.rec.clear()
        t0 = time.monotonic()
        subprocess.run(['lxc-unfreeze', '-P', stack.lxcpath, '-n', 'c1'], check=True, timeout=30)
        self.wait_state('c1', 'RUNNING', t0, 'lxc-unfreeze -> RUNNING')

        self.rec.clear()
        t0 = time.monotonic()
        subprocess.run(['lxc-stop', '-k', '-P', stack.lxcpath, '-n', 'c1'], check=True, timeout=30)
        self.wait_state('c1', 'STOPPED', t0, 'lxc-stop -k -> STOPPED')
        self.assertEqual(stack.client(self.conn).container('c1').init_pid, -1)
        self.assertFalse(stack.client(self.conn).container('c1').running)

    def test_state_changed_carries_old_state(self):
        stack.start_container('c2')
        sig = self.rec.wait_for(lambda s: s.path == path('c2') and s.member == 'StateChanged'
                                and s.args[0] == 'RUNNING', timeout=2)
        self.assertIn(sig.args[1], ('STARTING', 'STOPPED'))
        stack.stop_container('c2')
        sig = self.rec.wait_for(lambda s: s.path == path('c2') and s.member == 'StateChanged'
                                and s.args[0] == 'STOPPED', timeout=2)
        self.assertNotEqual(sig.args[1], 'STOPPED')

    def test_init_exits_by_itself(self):
        subprocess.run(['lxc-start', '-P', stack.lxcpath, '-n', 'c3', '--', '/bin/sleep', '1'], check=True, timeout=30)
        self.rec.wait_for(lambda s: s.path == path('c3') and s.member == 'StateChanged'
                          and s.args[0] == 'RUNNING', timeout=2)
        # The container stops when sleep exits; find out when init is gone.
        pid = int(stack.lxc('info', 'c3', '-p', '-H').stdout.strip() or 0)
        lxcdtest.wait_until(lambda: not os.path.exists('/proc/%d' % pid), 5)
        t0 = time.monotonic()
        self.wait_state('c3', 'STOPPED', t0, 'init exits -> STOPPED')

    def test_kill_init_from_host(self):
        stack.start_container('c2')
        self.rec.wait_for(lambda s: s.path == path('c2') and s.args and s.member == 'StateChanged'
                          and s.args[0] == 'RUNNING', timeout=2)
        pid = int(stack.lxc('info', 'c2', '-p', '-H').stdout.strip())
        t0 = time.monotonic()
        os.kill(pid, 9)
        self.wait_state('c2', 'STOPPED', t0, 'kill -9 init -> STOPPED')


class OutsideCreateDestroy(Base):
    def added(self, name, timeout):
        return self.rec.wait_for(lambda s: s.member == 'InterfacesAdded' and s.args[0] == path(name),
                                 timeout=timeout)

    def removed(self, name, timeout):
        return self.rec.wait_for(lambda s: s.member == 'InterfacesRemoved' and s.args[0] == path(name),
                                 timeout=timeout)

    def test_lxc_copy_and_destroy(self):
        subprocess.run(['lxc-copy', '-P', stack.lxcpath, '-n', 'c1', '-N', 'copy1'], check=True, timeout=30,
                       capture_output=True)
        t0 = time.monotonic()
        sig = self.added('copy1', 1.0)
        note('lxc-copy -> InterfacesAdded', time.monotonic() - t0)
        props = sig.args[1][CONTAINER_IFACE]
        self.assertEqual(props['Name'], 'copy1')
        self.assertEqual(props['State'], 'STOPPED')
        self.assertTrue(props['Defined'])
        t0 = time.monotonic()
        subprocess.run(['lxc-destroy', '-P', stack.lxcpath, '-n', 'copy1'], check=True, timeout=30,
                       capture_output=True)
        sig = self.removed('copy1', 1.0)
        note('lxc-destroy -> InterfacesRemoved', time.monotonic() - t0)
        self.assertIn(CONTAINER_IFACE, sig.args[1])

    def test_lxc_create_appears_when_complete(self):
        t0 = time.monotonic()
        proc = subprocess.Popen(['lxc-create', '-P', stack.lxcpath, '-t', 'busybox', '-n', 'fresh'],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        partial = os.path.join(stack.lxcpath, 'fresh', 'partial')
        seen_partial = False
        deadline = time.monotonic() + 60
        while proc.poll() is None:
            self.assertLess(time.monotonic(), deadline, 'lxc-create did not finish')
            if os.path.exists(partial):
                seen_partial = True
                # While the template runs, the container is not on the bus.
                self.rec.pump()
                self.assertIsNone(self.rec.find(lambda s: s.member == 'InterfacesAdded'
                                                and s.args[0] == path('fresh')))
            time.sleep(0.05)
        self.assertEqual(proc.returncode, 0)
        self.assertTrue(seen_partial)
        t_done = time.monotonic()
        self.added('fresh', 1.0)
        note('lxc-create done -> InterfacesAdded', time.monotonic() - t_done)
        stack.lxc('destroy', 'fresh')
        self.removed('fresh', 1.0)

    def test_rename_with_lxc_copy_R(self):
        stack.make_container('old1')
        self.added('old1', 2.0)
        t0 = time.monotonic()
        subprocess.run(['lxc-copy', '-P', stack.lxcpath, '-n', 'old1', '-N', 'new1', '-R'],
                       check=True, capture_output=True, timeout=30)
        self.removed('old1', 1.0)
        self.added('new1', 1.0)
        note('lxc-copy -R -> removed+added', time.monotonic() - t0)
        stack.lxc('destroy', 'new1')
        self.removed('new1', 1.0)

    def test_rename_with_mv(self):
        stack.make_container('mv1')
        self.added('mv1', 2.0)
        t0 = time.monotonic()
        os.rename(os.path.join(stack.lxcpath, 'mv1'), os.path.join(stack.lxcpath, 'mv2'))
        self.removed('mv1', 1.0)
        self.added('mv2', 1.0)
        note('mv -> removed+added', time.monotonic() - t0)
        shutil.rmtree(os.path.join(stack.lxcpath, 'mv2'))
        self.removed('mv2', 1.0)

    def test_config_removed_by_hand(self):
        stack.make_container('byhand')
        self.added('byhand', 2.0)
        config = os.path.join(stack.lxcpath, 'byhand', 'config')
        os.rename(config, config + '.bak')
        self.removed('byhand', 1.0)
        os.rename(config + '.bak', config)
        self.added('byhand', 1.0)
        stack.lxc('destroy', 'byhand')


class MonitordRestart(Base):
    def test_events_after_monitord_is_killed(self):
        # Kill the lxc-monitord serving our lxcpath; the service starts a new
        # one, reconnects, and events keep flowing.
        out = subprocess.run(['pgrep', '-f', '^/usr/libexec/lxc/lxc-monitord %s ' % stack.lxcpath],
                             capture_output=True, text=True)
        pids = [int(p) for p in out.stdout.split()]
        self.assertEqual(len(pids), 1, out)
        os.kill(pids[0], 9)
        # While no monitord runs, a container started is found by the rescan
        # that follows the reconnection.
        lxcdtest.wait_until(lambda: subprocess.run(
            ['pgrep', '-f', '^/usr/libexec/lxc/lxc-monitord %s ' % stack.lxcpath],
            capture_output=True).returncode == 0, 5)
        t0 = time.monotonic()
        subprocess.run(['lxc-start', '-P', stack.lxcpath, '-n', 'c2'], check=True, timeout=30)
        self.wait_state('c2', 'RUNNING', t0, 'after monitord restart', timeout=2.0)
        stack.stop_container('c2')
        self.rec.wait_for(lambda s: s.path == path('c2') and s.member == 'StateChanged'
                          and s.args[0] == 'STOPPED', timeout=2)


if __name__ == '__main__':
    lxcdtest.main()
