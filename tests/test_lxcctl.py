#!/usr/bin/python3
"""lxcctl, the command line client, against the real service: tables and
--json (parsed back), lifecycle verbs, config, attach's exit status,
create/destroy, monitor, errors as one line with a non-zero status."""
import json
import os
import signal
import subprocess
import time
import unittest

import lxcdtest
from lxcdtest import UNPRIV_UID

stack = None
LXCCTL = None


def setUpModule():
    global stack, LXCCTL
    LXCCTL = os.path.join(lxcdtest.BUILDDIR, 'src', 'lxcctl')
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2'):
        stack.make_container(name)
    stack.start_daemon()


def tearDownModule():
    stack.close()


def lxcctl(*args, uid=None, input=None):
    argv = [LXCCTL, '--no-ask-password'] + list(args)
    if uid is not None:
        return stack.run_as(uid, argv, timeout=120)
    return subprocess.run(argv, capture_output=True, text=True, env=stack.env(), timeout=120,
                          input=input, stdin=None if input is not None else subprocess.DEVNULL)


class Verbs(lxcdtest.TestCase):
    def test_list_table_and_json(self):
        out = lxcctl('list')
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(lines[0].split(), ['NAME', 'STATE', 'PID', 'AUTOSTART', 'LXCPATH'])
        self.assertEqual([l.split()[0] for l in lines[1:]], ['c1', 'c2'])
        out = lxcctl('--json', 'list')
        data = json.loads(out.stdout)
        self.assertEqual([c['Name'] for c in data], ['c1', 'c2'])
        self.assertEqual(data[0]['State'], 'STOPPED')
        self.assertEqual(data[0]['LXCPath'], stack.lxcpath)

    def test_lifecycle_and_status(self):
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)
        try:
            self.assertEqual(stack.container_state('c1'), 'RUNNING')
            st = json.loads(lxcctl('--json', 'status', 'c1').stdout)
            self.assertEqual(st['State'], 'RUNNING')
            self.assertGreater(st['InitPID'], 1)
            self.assertIn('RUNNING', lxcctl('status', 'c1').stdout)
            self.assertIs(st['Privileged'], True)
            self.assertIn('  Privileged: true', lxcctl('status', 'c1').stdout)
            self.assertEqual(json.loads(lxcctl('--json', 'list', '--active').stdout)[0]['Name'], 'c1')
            rows = [l.split() for l in lxcctl('list', '--active').stdout.splitlines()[1:]]
            self.assertEqual(rows, [['c1', 'RUNNING', str(st['InitPID']), 'no', stack.lxcpath]])
            stack.wait_init_ready('c1')
            self.assertEqual(lxcctl('freeze', 'c1').returncode, 0)
            self.assertEqual(stack.container_state('c1'), 'FROZEN')
            self.assertEqual(lxcctl('unfreeze', 'c1').returncode, 0)
            out = lxcctl('attach', 'c1', '--', '/bin/sh', '-c', 'echo inside; exit 9')
            self.assertEqual(out.returncode, 9)
            self.assertEqual(out.stdout, 'inside\n')
            out = lxcctl('attach', 'c1', '--', '/bin/cat', input='piped\n')
            self.assertEqual(out.stdout, 'piped\n')
        finally:
            self.assertEqual(lxcctl('stop', 'c1').returncode, 0)
        self.assertEqual(stack.container_state('c1'), 'STOPPED')

    def test_config(self):
        self.assertEqual(lxcctl('config', 'get', 'c2', 'lxc.uts.name').stdout, 'c2\n')
        self.assertEqual(lxcctl('config', 'set', 'c2', 'lxc.start.auto', '1').returncode, 0)
        self.assertEqual(json.loads(lxcctl('--json', 'config', 'get', 'c2', 'lxc.start.auto').stdout), '1')
        self.assertIn('type', json.loads(lxcctl('--json', 'config', 'keys', 'c2', 'lxc.net.0').stdout))
        self.assertEqual(lxcctl('config', 'clear', 'c2', 'lxc.start.auto').returncode, 0)

    def test_create_and_destroy(self):
        out = lxcctl('create', 'made1', '-t', 'busybox')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(os.path.isfile(os.path.join(stack.lxcpath, 'made1', 'config')))
        self.assertEqual(lxcctl('destroy', 'made1').returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'made1')))

    def test_errors_are_one_line(self):
        # exit statuses: 1 failure, 2 usage, 3 not found, 4 not authorized
        for args, code in ((('status', 'nosuch'), 3), (('frobnicate',), 2),
                           (('freeze', 'c2'), 1), ((), 2)):
            out = lxcctl(*args)
            self.assertEqual(out.returncode, code, (args, out))
            if code != 2:
                self.assertEqual(len(out.stderr.strip().splitlines()), 1, out.stderr)
                self.assertTrue(out.stderr.startswith('lxcctl: '), out.stderr)
        self.assertEqual(lxcctl('status', 'nosuch').stderr,
                         "lxcctl: no container named 'nosuch' (see 'lxcctl list')\n")
        self.assertEqual(lxcctl('freeze', 'c2').stderr, 'lxcctl: c2 is not running\n')
        out = lxcctl('start', 'c1/x')
        self.assertIn(out.returncode, (1, 3), out)
        self.assertEqual(len(out.stderr.splitlines()), 1, out.stderr)
        out = lxcctl('start', 'c2', uid=UNPRIV_UID)
        self.assertEqual(out.returncode, 4)
        self.assertEqual(out.stderr.splitlines(), [
            'lxcctl: not authorized to start c2: authentication is required (run it from a '
            'terminal without --no-ask-password to be asked, or as root)'])
        self.assertEqual(stack.container_state('c2'), 'STOPPED')

    def test_monitor(self):
        p = subprocess.Popen([LXCCTL, '--json', 'monitor'], stdout=subprocess.PIPE, text=True,
                             env=stack.env())
        try:
            time.sleep(0.5)
            stack.start_container('c2')
            stack.stop_container('c2')
            seen = []
            deadline = time.monotonic() + 10
            while 'STOPPED' not in seen and time.monotonic() < deadline:
                line = p.stdout.readline()
                if line:
                    event = json.loads(line)
                    if event['event'] == 'state':
                        seen.append(event['state'])
            self.assertIn('RUNNING', seen)
            self.assertIn('STOPPED', seen)
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait()


class MoreVerbs(lxcdtest.TestCase):
    def test_clone_rename_snapshots(self):
        self.assertEqual(lxcctl('clone', 'c2', 'cl1').returncode, 0)
        self.assertEqual(lxcctl('rename', 'cl1', 'cl2').returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'cl1')))
        out = lxcctl('snapshot', 'cl2', '-c', 'first')
        self.assertEqual(out.stdout, 'snap0\n')
        snaps = json.loads(lxcctl('--json', 'snapshot', 'list', 'cl2').stdout)
        self.assertEqual(snaps[0][0], 'snap0')
        self.assertEqual(snaps[0][1], 'first')
        self.assertIn('snap0', lxcctl('snapshot', 'list', 'cl2').stdout)
        self.assertEqual(lxcctl('snapshot', 'restore', 'cl2', 'snap0', 'cl3').returncode, 0)
        self.assertEqual(lxcctl('snapshot', 'destroy', 'cl2', 'snap0').returncode, 0)
        self.assertEqual(lxcctl('clone', 'c2', 'ov1', '--snapshot').returncode, 0)
        for name in ('ov1', 'cl3', 'cl2'):
            self.assertEqual(lxcctl('destroy', name).returncode, 0, name)

    def test_progress_lines_for_jobs(self):
        # A clone big enough to report progress.
        d = stack.make_container('bigsrc')
        with open(os.path.join(d, 'rootfs', 'bigfile'), 'wb') as f:
            chunk = os.urandom(1 << 20)
            for _ in range(256):
                f.write(chunk)
        lxcdtest.wait_until(lambda: lxcctl('status', 'bigsrc').returncode == 0, 5)
        try:
            out = lxcctl('--progress', 'clone', 'bigsrc', 'bigdst')
            self.assertEqual(out.returncode, 0, out.stderr)
            lines = out.stderr.splitlines()
            self.assertEqual(lines[0], 'clone: started')
            self.assertIn('progress: 100%', lines)
            self.assertEqual(lines[-1], 'done')
        finally:
            lxcctl('destroy', 'bigdst')
            self.assertEqual(lxcctl('destroy', 'bigsrc').returncode, 0)

    def test_shutdown_and_reboot(self):
        self.assertEqual(lxcctl('start', 'c2').returncode, 0)
        try:
            pid = json.loads(lxcctl('--json', 'status', 'c2').stdout)['InitPID']

            def init_ready():
                # busybox init takes signals once it waits in its main loop
                try:
                    with open('/proc/%d/wchan' % json.loads(lxcctl('--json', 'status', 'c2').stdout)['InitPID']) as f:
                        return 'sigtimedwait' in f.read()
                except (OSError, ValueError):
                    return False
            lxcdtest.wait_until(init_ready, 10)
            out = lxcctl('reboot', 'c2', '-t', '30')
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertNotEqual(json.loads(lxcctl('--json', 'status', 'c2').stdout)['InitPID'], pid)
            lxcdtest.wait_until(init_ready, 10)
            out = lxcctl('shutdown', 'c2', '-t', '30')
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(stack.container_state('c2'), 'STOPPED')
        finally:
            if stack.container_state('c2') != 'STOPPED':
                stack.stop_container('c2')

    def test_cgroup_and_ips(self):
        self.assertEqual(lxcctl('ips', 'c1').returncode, 1)  # not running
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)
        try:
            self.assertEqual(lxcctl('ips', 'c1').returncode, 0)
            self.assertEqual(json.loads(lxcctl('--json', 'ips', 'c1').stdout), [])
            self.assertEqual(lxcctl('cgroup', 'set', 'c1', 'pids.max', '123').returncode, 0)
            self.assertEqual(lxcctl('cgroup', 'get', 'c1', 'pids.max').stdout, '123\n')
        finally:
            lxcctl('stop', 'c1')


class Completion(lxcdtest.TestCase):
    def complete(self, *words):
        script = os.path.join(lxcdtest.SRCDIR, 'data', 'lxcctl.bash-completion')
        code = 'source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _lxcctl; echo "${COMPREPLY[@]}"' % (
            script, ' '.join("'%s'" % w for w in words), len(words) - 1)
        env = stack.env({'PATH': os.path.dirname(LXCCTL) + ':' + os.environ['PATH']})
        out = subprocess.run(['bash', '-c', code], capture_output=True, text=True, env=env)
        return out.stdout.split()

    def test_verbs_and_names(self):
        self.assertEqual(sorted(self.complete('lxcctl', 'st')), ['start', 'status', 'stop'])
        self.assertEqual(sorted(self.complete('lxcctl', 'start', 'c')), ['c1', 'c2'])
        self.assertEqual(sorted(self.complete('lxcctl', 'config', '')), ['clear', 'get', 'keys', 'set'])
        self.assertEqual(self.complete('lxcctl', '--json', 'status', 'c2'), ['c2'])


class Terminals(lxcdtest.TestCase):
    """lxcctl shell and console, typed at in a real terminal (tmux)."""

    def tmux(self, *args):
        return subprocess.run(['tmux', '-L', self.socket] + list(args), capture_output=True,
                              text=True, env=stack.env())

    def setUp(self):
        self.socket = 'lxcdtest%d' % os.getpid()
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)

    def tearDown(self):
        self.tmux('kill-server')
        lxcctl('stop', 'c1')

    def screen(self):
        return self.tmux('capture-pane', '-p', '-t', 'term').stdout

    def drive(self, verb_args, command, expect):
        cmd = ' '.join([LXCCTL, '--no-ask-password'] + verb_args + ['; sleep 30'])
        self.assertEqual(self.tmux('new-session', '-d', '-s', 'term', '-x', '120', '-y', '30', cmd).returncode, 0)
        lxcdtest.wait_until(lambda: 'Ctrl-a q' in self.screen(), 10, message=lambda: self.screen())
        self.tmux('send-keys', '-t', 'term', 'Enter')
        self.tmux('send-keys', '-t', 'term', command, 'Enter')
        lxcdtest.wait_until(lambda: expect in self.screen(), 10, message=lambda: self.screen())
        # The escape leaves lxcctl; the pane then runs "sleep".
        self.tmux('send-keys', '-t', 'term', 'C-a', 'q')
        lxcdtest.wait_until(lambda: 'lxcctl' not in self.tmux('list-panes', '-t', 'term', '-F',
                                                               '#{pane_current_command}').stdout, 10)

    def test_shell(self):
        self.drive(['shell', 'c1'], 'echo tm-$((2*21))', 'tm-42')

    def test_console(self):
        self.drive(['console', 'c1', '0'], 'echo co-$((3*11))', 'co-33')


if __name__ == '__main__':
    lxcdtest.main()
