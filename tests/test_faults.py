#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Faults: the service killed with SIGKILL at many points of create, clone,
snapshot, a configuration write and start -- after a restart every
container is complete or absent, no configuration file is torn, and every
state the service reports is true; lxc-monitord killed while containers
change state -- the service reconnects and misses no final state; polkitd
stopped or hung -- privileged calls fail with a clear error in bounded time
while listing still answers; a full disk during create -- a clean error
and nothing left behind."""
import os
import re
import signal
import subprocess
import time

import lxcdtest
from lxcdtest import BUS_NAME, CONTAINER_IFACE, MANAGER_IFACE, MANAGER_PATH, UNPRIV_UID

stack = None
KILL_POINTS = []   # (operation, delay) tried, for the report


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    stack.make_container('base')
    stack.start_daemon()


def tearDownModule():
    for name in stack.container_names():
        stack.lxc('stop', name, '-k', check=False)
    stack.close()
    print('# kill -9 points tried: %d (%s)' % (
        len(KILL_POINTS), ', '.join('%s@%gs' % p for p in KILL_POINTS)))


def path(name):
    return lxcdtest.container_path(name)


def config_is_whole(text):
    """Every line a comment, blank, or "lxc.KEY = VALUE"; ends with a newline."""
    if text and not text.endswith('\n'):
        return False
    return all(not l.strip() or l.lstrip().startswith('#') or
               re.match(r'^\s*lxc\.[\w.\-]+\s*=', l) for l in text.splitlines())


def gdbus_call_async(obj, method, *args, timeout=120):
    return subprocess.Popen(['gdbus', 'call', '--system', '-d', BUS_NAME, '-o', obj, '-t',
                             str(timeout), '-m', method] + list(args), env=stack.env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Faults(lxcdtest.TestCase):
    def assertConsistent(self):
        """Once the helpers the dead service left behind are done: every
        container directory is complete (config, no "partial") and served
        with its true state, no configuration is torn, nothing served is
        missing on disk."""
        lxcdtest.wait_until(lambda: not lxcdtest.helper_operations(), 60,
                            message='helpers still running')
        for name in stack.container_names():
            d = os.path.join(stack.lxcpath, name)
            self.assertFalse(os.path.exists(os.path.join(d, 'partial')), name + ' left partial')
            with open(os.path.join(d, 'config')) as f:
                text = f.read()
            self.assertTrue(config_is_whole(text), '%s: torn config:\n%s' % (name, text))
            lxcdtest.wait_until(
                lambda: stack.served_state(name) == stack.container_state(name, None), 10,
                message=lambda: '%s: served %s, liblxc says %s' % (
                    name, stack.served_state(name), stack.container_state(name, None)))
        r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'ListContainers', "('all', @a{sv} {})")
        self.assertTrue(r.ok, r)
        served = {name for name, _ in lxcdtest.parse_variant(r.result_text)[0]}
        self.assertEqual(served, set(stack.container_names()))

    def kill_during(self, op, delay, proc):
        KILL_POINTS.append((op, delay))
        time.sleep(delay)
        self.assertEqual(stack.kill_daemon(), -signal.SIGKILL)
        proc.wait(30)
        stack.start_daemon()
        self.assertConsistent()

    def cleanup(self, keep=('base',)):
        for name in stack.container_names():
            if name not in keep:
                stack.lxc('stop', name, '-k', check=False)
                stack.lxc('destroy', name, '-f', '-s', check=False)
        lxcdtest.wait_until(lambda: sorted(stack.container_names()) == sorted(keep), 10)

    def test_kill_during_create(self):
        for i, delay in enumerate((0.05, 0.4, 0.9, 1.4)):
            p = gdbus_call_async(MANAGER_PATH, MANAGER_IFACE + '.CreateContainer',
                                 'new%d' % i, 'busybox', "{'config': <{'lxc.net.0.type': 'empty'}>}")
            self.kill_during('create', delay, p)
        self.cleanup()

    def test_kill_during_clone_and_snapshot(self):
        for i, delay in enumerate((0.02, 0.1, 0.25)):
            p = gdbus_call_async(path('base'), CONTAINER_IFACE + '.Clone', 'copy%d' % i, '{}')
            self.kill_during('clone', delay, p)
        for delay in (0.01, 0.06, 0.15):
            p = gdbus_call_async(path('base'), CONTAINER_IFACE + '.Snapshot', '{}')
            self.kill_during('snapshot', delay, p)
        self.cleanup()

    def kill_tree_while_partial(self, proc, name):
        """Wait until *name* is being made (its "partial" marker), then kill
        the service and every helper at once, as a shell that exits or
        `systemctl kill` does; the leftover must be found and removed by the
        restarted service, and its name be free again."""
        marker = os.path.join(stack.lxcpath, name, 'partial')
        lxcdtest.wait_until(lambda: os.path.exists(marker), 30, message='no partial marker')
        helpers = lxcdtest.helper_operations()
        server = lxcdtest.live_processes('^%s serve' % re.escape(
            os.path.join(os.path.dirname(os.path.realpath(lxcdtest.daemon_binary())),
                         'lxc-dbus-helper')))
        for pid in helpers + server:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.assertEqual(stack.kill_daemon(), -signal.SIGKILL)
        proc.wait(30)
        # what the killed helpers started (templates, hooks) is gone too;
        # lxc-monitord stays, as after a real crash
        monitord = lxcdtest.live_processes('lxc-monitord ' + re.escape(stack.lxcpath))
        lxcdtest._kill_processes_mentioning(stack.lxcpath, exclude=monitord)
        lxcdtest._kill_processes_mentioning(os.path.join(stack.tmpdir, 'slow-hook'))
        lxcdtest.wait_until(lambda: not lxcdtest.helper_operations(), 30)
        self.assertTrue(os.path.exists(marker), 'the leftover is not there to clean')
        stack.start_daemon()
        self.assertIsNone(stack.served_state(name))
        lxcdtest.wait_until(lambda: not os.path.exists(os.path.join(stack.lxcpath, name)), 30,
                            message='the leftover %s was not removed' % name)
        self.assertIn('Removed %s: left by a create or clone that was interrupted'
                      % os.path.join(stack.lxcpath, name), stack.daemon_log_text())

    def test_whole_tree_killed_mid_clone_and_mid_create(self):
        hook = os.path.join(stack.tmpdir, 'slow-hook')
        with open(hook, 'w') as f:
            f.write('#!/bin/sh\nsleep 60\n')
        os.chmod(hook, 0o755)
        stack.make_container('hooked', config={'lxc.hook.clone': hook})
        lxcdtest.wait_until(lambda: stack.served_state('hooked') == 'STOPPED', 10)
        try:
            p = gdbus_call_async(path('hooked'), CONTAINER_IFACE + '.Clone', 'leftover1', '{}')
            self.kill_tree_while_partial(p, 'leftover1')
            # the name is free: a clone (without the hook's wait) takes it
            with open(os.path.join(stack.lxcpath, 'hooked', 'config')) as f:
                text = f.read()
            with open(os.path.join(stack.lxcpath, 'hooked', 'config'), 'w') as f:
                f.write(text.replace('lxc.hook.clone = %s\n' % hook, ''))
            r = stack.call(path('hooked'), CONTAINER_IFACE, 'Clone', "('leftover1', @a{sv} {})",
                           timeout=120)
            self.assertTrue(r.ok, r)
            p = gdbus_call_async(MANAGER_PATH, MANAGER_IFACE + '.CreateContainer', 'leftover2',
                                 'busybox', "{'config': <{'lxc.net.0.type': 'empty'}>}")
            self.kill_tree_while_partial(p, 'leftover2')
        finally:
            self.cleanup()

    def test_kill_during_config_writes(self):
        # SIGKILL keeps the page cache: these points check that the file is
        # replaced atomically (old or new, whole), at any point of the write
        # and also after the reply, while the service still syncs the
        # directory. The fsyncs themselves only matter for a power loss.
        cfg = os.path.join(stack.lxcpath, 'base', 'config')
        for i, delay in enumerate((0, 0.001, 0.003, 0.006, 0.01)):
            value = str(10 + i)
            p = gdbus_call_async(path('base'), CONTAINER_IFACE + '.SetConfigItem',
                                 'lxc.start.delay', value)
            self.kill_during('config write', delay, p)
            with open(cfg) as f:
                text = f.read()
            # The old value or the new one, never a mix.
            values = re.findall(r'^lxc\.start\.delay\s*=\s*(\S+)', text, re.M)
            self.assertLessEqual(len(values), 1, text)
            self.assertIn(values[0] if values else None, (None, str(9 + i), value))
            # Written for sure now, for the next round's "old value".
            r = stack.call(path('base'), CONTAINER_IFACE, 'SetConfigItem',
                           "('lxc.start.delay', '%s')" % value)
            self.assertTrue(r.ok, r)

    def test_kill_during_start(self):
        for delay in (0.01, 0.1, 0.3):
            p = gdbus_call_async(path('base'), CONTAINER_IFACE + '.Start', '{}')
            self.kill_during('start', delay, p)
            stack.lxc('stop', 'base', '-k', check=False)
            lxcdtest.wait_until(lambda: stack.served_state('base') == 'STOPPED', 10)

    def test_monitor_daemon_killed_while_states_change(self):
        stack.make_container('mon1')
        lxcdtest.wait_until(lambda: stack.served_state('mon1') == 'STOPPED', 10)
        for round_ in range(2):
            pids = lxcdtest.live_processes('lxc-monitord ' + stack.lxcpath)
            self.assertTrue(pids, 'no lxc-monitord for the lxcpath')
            for pid in pids:
                os.kill(int(pid), signal.SIGKILL)
            # Changes while no monitor runs: the final state must still arrive.
            stack.start_container('mon1')
            lxcdtest.wait_until(lambda: stack.served_state('mon1') == 'RUNNING', 10,
                                message='RUNNING missed after lxc-monitord was killed')
            stack.stop_container('mon1')
            lxcdtest.wait_until(lambda: stack.served_state('mon1') == 'STOPPED', 10,
                                message='STOPPED missed after lxc-monitord was killed')
        self.assertTrue(lxcdtest.live_processes('lxc-monitord ' + stack.lxcpath),
                        'the service did not start lxc-monitord again')
        self.cleanup()

    def test_polkitd_stopped_or_hung(self):
        stack.make_container('pk1')
        lxcdtest.wait_until(lambda: stack.served_state('pk1') == 'STOPPED', 10)
        try:
            for how in ('hung', 'stopped'):
                pid = stack.polkitd_pid
                os.kill(pid, signal.SIGSTOP if how == 'hung' else signal.SIGKILL)
                t0 = time.monotonic()
                with stack.client_as(UNPRIV_UID) as client:
                    # Listing needs no polkit and answers at once meanwhile.
                    r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'ListContainers', "('all', @a{sv} {})")
                    self.assertTrue(r.ok, r)
                    self.assertLess(time.monotonic() - t0, 2)
                    t0 = time.monotonic()
                    r = client.call(path('pk1'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)', timeout=60)
                    took = time.monotonic() - t0
                self.assertError(r, 'NotAuthorized')
                self.assertRegex(r.result_text, 'polkit|authorization')
                self.assertLess(took, 30, '%s polkitd: the refusal took %.1f s' % (how, took))
                self.assertEqual(stack.container_state('pk1', None), 'STOPPED')
                print('# polkitd %s: refused in %.2f s' % (how, took))
                if how == 'hung':
                    os.kill(pid, signal.SIGCONT)
                    stack.restart_polkitd()
        finally:
            stack.restart_polkitd()
        self.cleanup()

    def test_full_disk_during_create(self):
        small = os.path.join(stack.tmpdir, 'small')
        os.makedirs(small, exist_ok=True)
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small], check=True)
        try:
            stack.stop_daemon()
            stack.start_daemon(['--lxcpath=' + small])
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                           "('full1', 'busybox', {'lxcpath': <'%s'>, "
                           "'config': <{'lxc.net.0.type': 'empty'}>})" % small, timeout=120)
            self.assertError(r, 'Failed')
            lxcdtest.wait_until(lambda: not lxcdtest.helper_operations(), 30)
            self.assertEqual(os.listdir(small), [])
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'GetContainer', "('full1',)")
            self.assertError(r, 'NotFound')
        finally:
            stack.stop_daemon()
            subprocess.run(['umount', small], check=False)
            stack.start_daemon()


if __name__ == '__main__':
    lxcdtest.main()
