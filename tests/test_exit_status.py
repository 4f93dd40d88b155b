#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Container.LastExitStatus and Container::InitExited: the wait status of
a container's init (what lxc-execute makes its own exit status), known for
starts in the foreground (daemonize FALSE, the service's helper is liblxc's
monitor), -1 for daemonized starts, whose monitor tells no one."""
import json
import os
import signal
import subprocess

import lxcdtest
from lxcdtest import CONTAINER_IFACE

stack = None


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    stack.make_container('x1')
    stack.make_container('x2')
    stack.start_daemon()


def tearDownModule():
    stack.close()


class ExitStatus(lxcdtest.TestCase):
    name = 'x1'

    def setUp(self):
        self.conn = stack.bus()
        self.c = stack.client(self.conn).container(self.name)
        self.rec = stack.record_signals(self.conn, path=lxcdtest.container_path(self.name),
                                        interface=CONTAINER_IFACE, member='InitExited')

    def tearDown(self):
        self.rec.close()
        if stack.container_state(self.name) != 'STOPPED':
            stack.stop_container(self.name)
        lxcdtest.wait_until(lambda: self.c.state == 'STOPPED', 5)

    def run_foreground(self, argv, **options):
        """Start with *argv* in the foreground; the status InitExited says."""
        self.c.start(daemonize=False, argv=argv, **options)
        sig = self.rec.wait_for(timeout=30)
        return sig.args[0]

    def test_initial_value_is_unknown(self):
        # (x2 never ran)
        self.assertEqual(stack.client(self.conn).container('x2').last_exit_status, -1)

    def test_exit_code(self):
        status = self.run_foreground(['/bin/sh', '-c', 'exit 7'])
        self.assertTrue(os.WIFEXITED(status), status)
        self.assertEqual(os.WEXITSTATUS(status), 7)
        # STOPPED and the property were published before the signal
        # (STOPPED when it was sent; liblxc's own events may follow late)
        lxcdtest.wait_until(lambda: self.c.state == 'STOPPED', 5)
        self.assertEqual(self.c.last_exit_status, status)
        self.assertEqual(len(self.rec.signals), 1)
        # GetManagedObjects (the service's own property list) says the same
        objects = stack.client(self.conn).managed_objects()
        props = objects[lxcdtest.container_path(self.name)][CONTAINER_IFACE]
        self.assertEqual(props['LastExitStatus'], status)

    def test_exit_zero_with_lxc_init_and_close_all_fds(self):
        # lxc-init passes its child's status on; closing every inherited
        # descriptor (liblxc) does not cut the report
        status = self.run_foreground(['/bin/sh', '-c', 'exit 0'], use_init=True,
                                     close_all_fds=True)
        self.assertTrue(os.WIFEXITED(status), status)
        self.assertEqual(os.WEXITSTATUS(status), 0)
        self.assertEqual(self.c.last_exit_status, status)

    def test_killed_by_signal(self):
        # An init killed from the host (from inside its PID namespace only
        # signals it handles reach it)...
        self.c.start(daemonize=False, argv=['/bin/sleep', '1000'])
        # (a foreground start's InitPID may follow its reply)
        lxcdtest.wait_until(lambda: self.c.init_pid > 1, 10)
        pid = self.c.init_pid
        self.assertGreater(pid, 1)
        os.kill(pid, signal.SIGKILL)
        status = self.rec.wait_for(timeout=30).args[0]
        self.assertTrue(os.WIFSIGNALED(status), status)
        self.assertEqual(os.WTERMSIG(status), signal.SIGKILL)
        self.assertEqual(self.c.last_exit_status, status)
        # (STOPPED when it was sent; liblxc's own events may follow late)
        lxcdtest.wait_until(lambda: self.c.state == 'STOPPED', 5)

    def test_stop_kills_init(self):
        # ...or Stop kills it (liblxc: SIGKILL)
        self.rec.clear()
        self.c.start(daemonize=False, argv=['/bin/sleep', '1000'])
        self.assertEqual(self.c.state, 'RUNNING')
        self.assertEqual(self.c.last_exit_status, -1)
        self.c.stop()
        status = self.rec.wait_for(timeout=30).args[0]
        self.assertTrue(os.WIFSIGNALED(status), status)
        self.assertEqual(os.WTERMSIG(status), signal.SIGKILL)
        self.assertEqual(self.c.last_exit_status, status)

    def test_daemonized_start_is_unknown(self):
        self.run_foreground(['/bin/sh', '-c', 'exit 3'])
        self.assertNotEqual(self.c.last_exit_status, -1)
        # the next init runs under a monitor of liblxc's own: unknown, and
        # it stays so after it exits
        self.c.start(daemonize=True, argv=['/bin/sh', '-c', 'sleep 1; exit 5'])
        self.assertEqual(self.c.last_exit_status, -1)
        lxcdtest.wait_until(lambda: self.c.state == 'STOPPED', 15)
        self.rec.pump()
        self.assertEqual(self.c.last_exit_status, -1)
        self.assertEqual(len(self.rec.signals), 1, self.rec.signals)

    def test_started_outside_the_service_is_unknown(self):
        self.run_foreground(['/bin/sh', '-c', 'exit 4'])
        self.assertEqual(os.WEXITSTATUS(self.c.last_exit_status), 4)
        stack.lxc('start', self.name)
        lxcdtest.wait_until(lambda: self.c.state == 'RUNNING', 10)
        self.assertEqual(self.c.last_exit_status, -1)

    def lxcctl(self, *args):
        out = subprocess.run([os.path.join(lxcdtest.BUILDDIR, 'src', 'lxcctl'),
                              '--no-ask-password'] + list(args),
                             capture_output=True, text=True, env=stack.env(), timeout=120,
                             stdin=subprocess.DEVNULL)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def test_lxcctl_info(self):
        self.run_foreground(['/bin/sh', '-c', 'exit 7'])
        lines = [l.strip() for l in self.lxcctl('info', self.name).splitlines()]
        self.assertIn('Last exit: 7', lines)
        info = json.loads(self.lxcctl('info', self.name, '--json'))
        self.assertEqual(os.WEXITSTATUS(info['LastExitStatus']), 7)
        self.rec.clear()
        self.c.start(daemonize=False, argv=['/bin/sleep', '1000'])
        self.c.stop()
        self.rec.wait_for(timeout=30)
        lines = [l.strip() for l in self.lxcctl('info', self.name).splitlines()]
        self.assertEqual([l for l in lines if l.startswith('Last exit:')],
                         ['Last exit: signal 9 (Killed)'])
        # unknown: no line
        self.assertNotIn('Last exit', self.lxcctl('info', 'x2'))
        self.assertNotIn('LastExitStatus', json.loads(self.lxcctl('info', 'x2', '--json')))


if __name__ == '__main__':
    lxcdtest.main()
