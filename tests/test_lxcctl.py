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
            self.assertEqual(json.loads(lxcctl('--json', 'list', '--active').stdout)[0]['Name'], 'c1')
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
        for args, code in ((('status', 'nosuch'), 1), (('start', 'c1/x'), 1), (('frobnicate',), 2),
                           (('freeze', 'c2'), 1), ((), 2)):
            out = lxcctl(*args)
            self.assertEqual(out.returncode, code, (args, out))
            if code == 1:
                self.assertEqual(len(out.stderr.strip().splitlines()), 1, out.stderr)
                self.assertTrue(out.stderr.startswith('lxcctl: '), out.stderr)
        out = lxcctl('start', 'c2', uid=UNPRIV_UID)
        self.assertEqual(out.returncode, 1)
        self.assertIn('Authentication is required', out.stderr)
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
                    seen.append(json.loads(line)['state'])
            self.assertIn('RUNNING', seen)
            self.assertIn('STOPPED', seen)
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait()


if __name__ == '__main__':
    lxcdtest.main()
