#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The README's examples work: its 15-line Python client, run as written
against the service, lists the containers with their states, starts one
and sees it reach RUNNING; the busctl and gdbus lines of its API tour that
only read run as written."""
import os
import re
import subprocess
import tempfile
import unittest

import lxcdtest

SRCDIR = os.environ.get('LXCD_SRCDIR', os.path.join(os.path.dirname(__file__), '..'))
stack = None


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2'):
        stack.make_container(name)
    stack.start_daemon()


def tearDownModule():
    stack.close()


def readme():
    with open(os.path.join(SRCDIR, 'README.md')) as f:
        return f.read()


class Readme(unittest.TestCase):
    def tearDown(self):
        for name in ('c1', 'c2'):
            if stack.container_state(name) != 'STOPPED':
                stack.stop_container(name)

    def test_python_client(self):
        blocks = re.findall(r'```python\n(import sys .*?# lxc-start\.py NAME\n.*?)```', readme(), re.S)
        self.assertEqual(len(blocks), 1, 'the README has one lxc-start.py client')
        code = blocks[0]
        self.assertLessEqual(len(code.strip().splitlines()), 20)
        with tempfile.NamedTemporaryFile('w', suffix='.py') as f:
            f.write(code)
            f.flush()
            r = subprocess.run(['/usr/bin/python3', f.name, 'c1'], capture_output=True,
                               text=True, env=stack.env(), timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[:2], ['c1 STOPPED', 'c2 STOPPED'], r.stdout)
        self.assertIn('c1 StateChanged RUNNING', '\n'.join(lines[2:]), r.stdout)
        self.assertEqual(stack.container_state('c1'), 'RUNNING')

    def test_read_only_tour_commands(self):
        text = readme().replace('\\\n', ' ')    # join continued lines
        commands = []
        for cmd in re.findall(r'^(?:busctl|gdbus) .*$', text, re.M):
            if re.search(r'GetManagedObjects|ListContainers|busctl --system tree', cmd):
                commands.append(cmd)
        self.assertGreaterEqual(len(commands), 3, commands)
        for cmd in commands:
            r = subprocess.run(['bash', '-c', cmd], capture_output=True, text=True,
                               env=stack.env(), timeout=30)
            self.assertEqual(r.returncode, 0, (cmd, r.stderr))
            self.assertIn('c1', r.stdout, cmd)


if __name__ == '__main__':
    lxcdtest.main()
