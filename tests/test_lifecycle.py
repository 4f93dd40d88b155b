#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Container run-state methods as root: Start, Stop, Shutdown, Reboot,
Freeze, Unfreeze, Wait, WantDaemonize, WantCloseAllFDs, MayControl —
through a GDBus proxy and busctl/gdbus, with their effect checked against
liblxc (lxc-info), their bad-input and wrong-state errors, serialization
(Busy) and the main loop staying responsive while a start is slow."""
import os
import subprocess
import threading
import time
import unittest

from gi.repository import GLib, Gio

import lxcdtest
from lxcdtest import BUS_NAME, CONTAINER_IFACE, ERROR_PREFIX

stack = None


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2', 'c3', 'c4'):
        stack.make_container(name)
    # A container whose start takes 2 s: a pre-start hook sleeps.
    hook = os.path.join(stack.tmpdir, 'slow-hook.sh')
    with open(hook, 'w') as f:
        f.write('#!/bin/sh\nsleep 2\n')
    os.chmod(hook, 0o755)
    stack.make_container('slow', config={'lxc.hook.pre-start': hook})
    stack.start_daemon()


def tearDownModule():
    stack.close()


def path(name):
    return lxcdtest.container_path(name)


class Base(lxcdtest.TestCase):
    """One container per test, always left stopped."""
    name = 'c1'

    def setUp(self):
        self.conn = stack.bus()
        self.c = stack.client(self.conn).container(self.name)
        self.proxy = Gio.DBusProxy.new_sync(self.conn, Gio.DBusProxyFlags.NONE, None,
                                            BUS_NAME, path(self.name), CONTAINER_IFACE, None)

    def tearDown(self):
        if stack.container_state(self.name) != 'STOPPED':
            stack.stop_container(self.name)
        lxcdtest.wait_until(lambda: self.c.state == 'STOPPED', 5)


    def lxc_pid(self, name=None):
        out = stack.lxc('info', name or self.name, '-p', '-H', check=False).stdout.strip()
        return int(out) if out else -1

    def start(self, name=None):
        self.assertOk(stack.container_call(name or self.name, 'Start', '(@a{sv} {},)'))

    def wait_init_ready(self, name=None):
        """See Stack.wait_init_ready()."""
        stack.wait_init_ready(name or self.name)


class Start(Base):
    def test_start_through_proxy_publishes_state_before_reply(self):
        rec = stack.record_signals(self.conn, path=path(self.name))
        self.proxy.call_sync('Start', GLib.Variant('(a{sv})', ({},)), Gio.DBusCallFlags.NONE,
                             10000, None)
        # The signals were sent before the reply: they are already queued.
        rec.pump()
        changed = [s for s in rec.signals if s.member == 'PropertiesChanged'
                   and s.args[1].get('State') == 'RUNNING']
        self.assertTrue(changed, rec.signals)
        self.assertTrue(rec.find(lambda s: s.member == 'StateChanged' and s.args == ('RUNNING', 'STOPPED')
                                 or s.member == 'StateChanged' and s.args[0] == 'RUNNING'))
        self.assertEqual(stack.container_state(self.name), 'RUNNING')
        self.assertEqual(self.c.state, 'RUNNING')
        self.assertTrue(self.c.running)
        lxcdtest.wait_until(lambda: self.c.init_pid == self.lxc_pid(), 5)
        self.assertGreater(self.c.init_pid, 1)

    def test_start_with_argv(self):
        self.assertOk(stack.container_call(self.name, 'Start', "({'argv': <['/bin/sleep', '1234']>},)"))
        pid = self.lxc_pid()
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            self.assertEqual(f.read().split(b'\0')[:2], [b'/bin/sleep', b'1234'])

    def test_start_running_is_wrong_state(self):
        self.start()
        r = stack.container_call(self.name, 'Start', '(@a{sv} {},)')
        self.assertError(r, 'WrongState')
        self.assertEqual(stack.container_state(self.name), 'RUNNING')

    def test_bad_options(self):
        for opts in ("{'use_inti': <true>}", "{'argv': <'/bin/sh'>}", "{'use_init': <1>}",
                     "{'argv': <['x']>, 'bogus': <0>}"):
            r = stack.container_call(self.name, 'Start', '(%s,)' % opts)
            self.assertError(r, 'InvalidArgument')
        self.assertEqual(stack.container_state(self.name), 'STOPPED')

    def test_absurd_argv(self):
        argv = GLib.Variant('(a{sv})', ({'argv': GLib.Variant('as', ['x'] * 1025)},))
        r = stack.container_call(self.name, 'Start', argv)
        self.assertError(r, 'InvalidArgument')
        argv = GLib.Variant('(a{sv})', ({'argv': GLib.Variant('as', ['x' * 70000])},))
        self.assertError(stack.container_call(self.name, 'Start', argv), 'InvalidArgument')
        self.assertEqual(stack.container_state(self.name), 'STOPPED')

    def test_start_failure_carries_liblxc_message(self):
        stack.make_container('broken', config={'lxc.rootfs.path': 'dir:/nonexistent/rootfs'})
        lxcdtest.wait_until(lambda: stack.client(self.conn).container('broken').exists(), 5)
        r = stack.container_call('broken', 'Start', '(@a{sv} {},)')
        self.assertError(r, 'Failed')
        self.assertIn('broken', r.result_text)
        # liblxc's own reason is part of the message.
        self.assertIn('/nonexistent/rootfs', r.result_text)
        self.assertEqual(stack.client(self.conn).container('broken').state, 'STOPPED')
        stack.lxc('destroy', 'broken')

    def test_busctl_start_stop(self):
        env = stack.env()
        for args in (['Start', 'a{sv}', '0'], ['Stop']):
            out = subprocess.run(['busctl', '--system', 'call', BUS_NAME, path(self.name),
                                  CONTAINER_IFACE] + args, capture_output=True, text=True, env=env)
            self.assertEqual(out.returncode, 0, out.stderr)
            want = 'RUNNING' if args[0] == 'Start' else 'STOPPED'
            self.assertEqual(stack.container_state(self.name), want)
            self.assertEqual(self.c.state, want)
        self.assertEqual(self.c.init_pid, -1)


class Stop(Base):
    name = 'c2'

    def test_stop(self):
        self.start()
        self.assertOk(stack.container_call(self.name, 'Stop'))
        self.assertEqual(stack.container_state(self.name), 'STOPPED')
        self.assertEqual(self.c.state, 'STOPPED')
        self.assertFalse(self.c.running)
        self.assertEqual(self.c.init_pid, -1)

    def test_stop_stopped_is_wrong_state(self):
        self.assertError(stack.container_call(self.name, 'Stop'), 'WrongState')

    def test_shutdown(self):
        self.start()
        self.wait_init_ready()
        t0 = time.monotonic()
        self.assertOk(stack.container_call(self.name, 'Shutdown', '(30,)', timeout=40))
        self.assertLess(time.monotonic() - t0, 30)
        self.assertEqual(stack.container_state(self.name), 'STOPPED')
        self.assertEqual(self.c.state, 'STOPPED')

    def test_shutdown_runs_as_a_job(self):
        self.start()
        self.wait_init_ready()
        rec = stack.record_signals(stack.bus(), path_prefix=lxcdtest.ROOT_PATH)
        self.assertOk(stack.container_call(self.name, 'Shutdown', '(30,)', timeout=40))
        added = rec.wait_for(lambda s: s.member == 'InterfacesAdded' and lxcdtest.JOB_IFACE in s.args[1], 5)
        props = added.args[1][lxcdtest.JOB_IFACE]
        self.assertEqual(props['Operation'], 'shutdown')
        self.assertEqual(props['Objects'], [path(self.name)])
        rec.wait_for(lambda s: s.path == added.args[0] and s.member == 'Completed'
                     and s.args == (True, ''), 5)
        rec.wait_for(lambda s: s.member == 'InterfacesRemoved' and s.args[0] == added.args[0], 5)

    def test_shutdown_zero_only_asks(self):
        self.start()
        self.wait_init_ready()
        self.assertOk(stack.container_call(self.name, 'Shutdown', '(0,)'))
        lxcdtest.wait_until(lambda: stack.container_state(self.name) == 'STOPPED', 20)

    def test_shutdown_timeout(self):
        # sleep as pid 1 ignores SIGPWR: the container cannot shut down.
        self.assertOk(stack.container_call(self.name, 'Start', "({'argv': <['/bin/sleep', '1000']>},)"))
        t0 = time.monotonic()
        r = stack.container_call(self.name, 'Shutdown', '(1,)')
        self.assertError(r, 'Timeout')
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)
        self.assertEqual(stack.container_state(self.name), 'RUNNING')
        self.assertEqual(self.c.state, 'RUNNING')

    def test_shutdown_bad_timeouts(self):
        self.start()
        for t in (-2, 86401, -2147483648, 2147483647):
            self.assertError(stack.container_call(self.name, 'Shutdown', '(%d,)' % t), 'InvalidArgument')
        self.assertEqual(stack.container_state(self.name), 'RUNNING')

    def test_shutdown_stopped_is_wrong_state(self):
        self.assertError(stack.container_call(self.name, 'Shutdown', '(5,)'), 'WrongState')

    def test_concurrent_calls_of_one_transition_join_it(self):
        # liblxc lets each of several shutdown() calls wait for the same
        # STOPPED and return true: so do concurrent Shutdown calls (and
        # Stop, Freeze, ...), where any other change is Busy
        self.assertOk(stack.container_call(self.name, 'Start', "({'argv': <['/bin/sleep', '1000']>},)"))
        results = {}

        def shutdown(key, timeout):
            results[key] = stack.container_call(self.name, 'Shutdown', '(%d,)' % timeout)

        first = threading.Thread(target=shutdown, args=('first', 3))
        first.start()
        time.sleep(0.3)  # the first Shutdown holds the container's slot
        others = [threading.Thread(target=shutdown, args=(k, 30)) for k in ('second', 'third')]
        for t in others:
            t.start()
        time.sleep(0.3)
        self.assertError(stack.container_call(self.name, 'Freeze'), 'Busy')
        first.join()
        for t in others:
            t.join()
        # sleep ignores SIGPWR: the first one's 3 s end in Timeout, which
        # the joined calls share (their own, longer timeouts do not count)
        for key in ('first', 'second', 'third'):
            self.assertError(results[key], 'Timeout')
        self.assertOk(stack.container_call(self.name, 'Stop'))

        # two Stops: both succeed, one stop
        self.start()
        results.clear()
        calls = [threading.Thread(target=lambda k=k: results.update(
            {k: stack.container_call(self.name, 'Stop')})) for k in ('a', 'b')]
        for t in calls:
            t.start()
        for t in calls:
            t.join()
        self.assertOk(results['a'])
        self.assertOk(results['b'])
        self.assertEqual(stack.container_state(self.name), 'STOPPED')

    def test_busy_while_shutting_down(self):
        self.assertOk(stack.container_call(self.name, 'Start', "({'argv': <['/bin/sleep', '1000']>},)"))
        results = {}
        t = threading.Thread(target=lambda: results.update(r=stack.container_call(self.name, 'Shutdown', '(3,)')))
        t.start()
        time.sleep(0.3)  # the Shutdown now holds the container's slot
        self.assertError(stack.container_call(self.name, 'Freeze'), 'Busy')
        self.assertError(stack.container_call(self.name, 'Stop'), 'Busy')
        t.join()
        self.assertError(results['r'], 'Timeout')
        # The slot is free again.
        self.assertOk(stack.container_call(self.name, 'Stop'))


class Freeze(Base):
    name = 'c3'

    def test_freeze_unfreeze(self):
        self.start()
        stack.wait_init_ready(self.name)
        self.assertOk(stack.container_call(self.name, 'Freeze'))
        self.assertEqual(stack.container_state(self.name), 'FROZEN')
        self.assertEqual(self.c.state, 'FROZEN')
        self.assertTrue(self.c.running)
        self.assertError(stack.container_call(self.name, 'Freeze'), 'WrongState')
        self.assertOk(stack.container_call(self.name, 'Unfreeze'))
        self.assertEqual(stack.container_state(self.name), 'RUNNING')
        self.assertEqual(self.c.state, 'RUNNING')

    def test_freeze_stopped_is_wrong_state(self):
        self.assertError(stack.container_call(self.name, 'Freeze'), 'WrongState')
        self.assertEqual(stack.container_state(self.name), 'STOPPED')

    def test_unfreeze_running_is_wrong_state(self):
        self.start()
        self.assertError(stack.container_call(self.name, 'Unfreeze'), 'WrongState')
        self.assertEqual(stack.container_state(self.name), 'RUNNING')

    def test_gdbus_freeze(self):
        self.start()
        stack.wait_init_ready(self.name)
        out = subprocess.run(['gdbus', 'call', '--system', '-d', BUS_NAME, '-o', path(self.name),
                              '-m', CONTAINER_IFACE + '.Freeze'], capture_output=True, text=True,
                             env=stack.env())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(stack.container_state(self.name), 'FROZEN')
        self.assertOk(stack.container_call(self.name, 'Unfreeze'))


class Reboot(Base):
    name = 'c4'

    def test_reboot(self):
        self.start()
        lxcdtest.wait_until(lambda: self.c.init_pid > 0, 5)
        old_pid = self.c.init_pid
        self.wait_init_ready()
        rec = stack.record_signals(self.conn, path=path(self.name), member='StateChanged')
        self.assertOk(stack.container_call(self.name, 'Reboot', '(30,)', timeout=40))
        self.assertEqual(self.c.state, 'RUNNING')
        self.assertEqual(stack.container_state(self.name), 'RUNNING')
        lxcdtest.wait_until(lambda: self.c.init_pid == self.lxc_pid(), 5)
        self.assertNotEqual(self.c.init_pid, old_pid)
        rec.pump()
        states = [s.args[0] for s in rec.signals]
        self.assertIn('STOPPED', states)
        self.assertEqual(states[-1], 'RUNNING')

    def test_reboot_stopped_is_wrong_state(self):
        self.assertError(stack.container_call(self.name, 'Reboot', '(5,)'), 'WrongState')

    def test_reboot_bad_timeout(self):
        self.assertError(stack.container_call(self.name, 'Reboot', '(-7,)'), 'InvalidArgument')


class Wait(Base):
    name = 'c1'

    def test_wait_reached_now(self):
        r = stack.container_call(self.name, 'Wait', "('STOPPED', 0)")
        self.assertOk(r)
        self.assertEqual(r.result_text, '(true,)')

    def test_wait_zero_timeout(self):
        r = stack.container_call(self.name, 'Wait', "('RUNNING', 0)")
        self.assertEqual(r.result_text, '(false,)')

    def test_wait_times_out(self):
        t0 = time.monotonic()
        r = stack.container_call(self.name, 'Wait', "('FROZEN', 1)")
        self.assertEqual(r.result_text, '(false,)')
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)

    def test_wait_for_outside_start(self):
        results = {}
        t = threading.Thread(target=lambda: results.update(r=stack.container_call(self.name, 'Wait', "('RUNNING', 10)")))
        t.start()
        time.sleep(0.2)
        stack.start_container(self.name)
        t.join()
        self.assertEqual(results['r'].result_text, '(true,)')

    def test_many_waiters_do_not_block(self):
        # More concurrent waits than worker threads; listing still answers.
        results = []
        threads = [threading.Thread(target=lambda: results.append(stack.container_call(self.name, 'Wait', "('FROZEN', 2)")))
                   for _ in range(24)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        r = stack.call(lxcdtest.MANAGER_PATH, lxcdtest.MANAGER_IFACE, 'ListContainers', "('all', @a{sv} {})")
        self.assertOk(r)
        self.assertLess(time.monotonic() - t0, 0.5)
        for t in threads:
            t.join()
        self.assertEqual([r.result_text for r in results], ['(false,)'] * 24)

    def test_wait_of_a_caller_that_leaves_is_dropped(self):
        # A client waits forever, then goes away: the service forgets the wait.
        p = subprocess.Popen(['gdbus', 'call', '--system', '-d', BUS_NAME, '-o', path(self.name),
                              '-m', CONTAINER_IFACE + '.Wait', 'FROZEN', '--', '-1'],
                             env=stack.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        p.kill()
        p.wait()
        lxcdtest.wait_until(lambda: 'left the bus; dropping its wait' in stack.daemon_log_text(), 5,
                            message=lambda: stack.daemon_log_tail())

    def test_wait_bad_input(self):
        for args in ("('running', 1)", "('', 1)", "('BOGUS', 1)", "('RUNNING', -2)", "('RUNNING', 86401)"):
            self.assertError(stack.container_call(self.name, 'Wait', args), 'InvalidArgument')

    def test_wait_container_vanishes(self):
        stack.make_container('gone')
        lxcdtest.wait_until(lambda: stack.client(self.conn).container('gone').exists(), 5)
        results = {}
        t = threading.Thread(target=lambda: results.update(
            r=stack.container_call('gone', 'Wait', "('RUNNING', 20)")))
        t.start()
        time.sleep(0.3)
        stack.lxc('destroy', 'gone')
        t.join()
        self.assertError(results['r'], 'NotFound')


class Flags(Base):
    name = 'c2'

    def test_want_daemonize_false_start(self):
        self.assertOk(stack.container_call(self.name, 'WantDaemonize', '(false,)'))
        self.assertFalse(self.c.daemonize)
        try:
            self.start()
            self.assertEqual(stack.container_state(self.name), 'RUNNING')
            self.assertOk(stack.container_call(self.name, 'Stop'))
            self.assertEqual(stack.container_state(self.name), 'STOPPED')
        finally:
            self.assertOk(stack.container_call(self.name, 'WantDaemonize', '(true,)'))
        self.assertTrue(self.c.daemonize)

    def monitor_cmdline(self):
        """The command line of the process whose child is the container's
        init: liblxc's monitor ("[lxc monitor] LXCPATH NAME" when
        daemonized; the helper that started it when not)."""
        def read(path):
            with open(path, 'rb') as f:
                return f.read()
        pid = self.c.init_pid
        ppid = read('/proc/%d/stat' % pid).decode().rsplit(')', 1)[1].split()[1]
        return read('/proc/%s/cmdline' % ppid).replace(b'\0', b' ').decode(errors='replace')

    def test_start_option_daemonize_is_this_calls_own(self):
        # the container's default stays TRUE; this start runs in the
        # foreground (its monitor is a child of the helper server)
        self.assertTrue(self.c.daemonize)
        self.assertOk(stack.container_call(self.name, 'Start',
                                           "({'daemonize': <false>, 'close_all_fds': <true>},)"))
        try:
            self.assertEqual(stack.container_state(self.name), 'RUNNING')
            self.assertTrue(self.c.daemonize)
            self.assertFalse(self.c.close_all_fds)
            lxcdtest._log('foreground monitor: ' + self.monitor_cmdline())
            self.assertFalse(self.monitor_cmdline().startswith('[lxc monitor]'))
        finally:
            self.assertOk(stack.container_call(self.name, 'Stop'))
        self.start()
        try:
            self.assertTrue(self.monitor_cmdline().startswith('[lxc monitor]'),
                            self.monitor_cmdline())
        finally:
            self.assertOk(stack.container_call(self.name, 'Stop'))
        r = stack.container_call(self.name, 'Start', "({'daemonize': <'no'>},)")
        self.assertError(r, 'InvalidArgument')
        self.assertEqual(stack.container_state(self.name), 'STOPPED')

    def test_want_close_all_fds(self):
        self.assertOk(stack.container_call(self.name, 'WantCloseAllFDs', '(true,)'))
        self.assertTrue(self.c.close_all_fds)
        self.start()
        self.assertEqual(stack.container_state(self.name), 'RUNNING')
        self.assertOk(stack.container_call(self.name, 'WantCloseAllFDs', '(false,)'))
        self.assertFalse(self.c.close_all_fds)

    def test_may_control(self):
        r = stack.container_call(self.name, 'MayControl')
        self.assertEqual(r.result_text, '(true,)')


class Responsiveness(Base):
    name = 'slow'

    def test_property_reads_during_slow_start(self):
        results = {}
        t = threading.Thread(target=lambda: results.update(r=stack.container_call(self.name, 'Start', '(@a{sv} {},)')))
        t0 = time.monotonic()
        t.start()
        worst = 0.0
        reads = 0
        while t.is_alive():
            a = time.monotonic()
            self.c.state
            stack.call(lxcdtest.MANAGER_PATH, lxcdtest.MANAGER_IFACE, 'ListContainers', "('all', @a{sv} {})")
            worst = max(worst, time.monotonic() - a)
            reads += 1
            time.sleep(0.02)
        t.join()
        self.assertOk(results['r'])
        self.assertGreater(time.monotonic() - t0, 1.9, 'the pre-start hook did not slow the start')
        self.assertGreater(reads, 20)
        lxcdtest._log('worst read+list latency during a 2 s start: %.1f ms over %d rounds'
                      % (worst * 1000, reads))
        self.assertLess(worst, 0.05 * lxcdtest.SLOWDOWN)


if __name__ == '__main__':
    lxcdtest.main()
