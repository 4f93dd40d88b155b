#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The client library (liblxc-dbus-1) from C on the real stack: runs
client/tests/test-client-stack.c (GTest) once against a stack with the
busybox containers c1 and c2 (both stopped) and reports each of its tests
as a test of its own, in its order. A C test that did not report (the
binary aborted on an earlier failure, or crashed) fails as not run; the
binary's exit status is a test too (under the sanitizers a leak found at
exit makes it non-zero).

tests/meson.build passes the binary as LXCD_CLIENT_TEST."""
import os
import re
import subprocess

import lxcdtest

BINARY = os.environ.get('LXCD_CLIENT_TEST') or os.path.join(
    lxcdtest.BUILDDIR, 'tests', 'test-client-stack')

stack = None
run = None          # the CompletedProcess of the C tests
results = {}        # GTest path -> (ok, directive)
plan = None

TAP_LINE = re.compile(r'^(ok|not ok) \d+ (/\S+)(?:\s+#\s*(.*))?$')
TAP_PLAN = re.compile(r'^1\.\.(\d+)')


def c_test_paths():
    """The binary's test paths, in the order it runs them (GTest's -l)."""
    r = subprocess.run([BINARY, '-l'], capture_output=True, text=True, timeout=60, check=True)
    return [line.strip() for line in r.stdout.splitlines() if line.startswith('/')]


PATHS = c_test_paths()


def setUpModule():
    global stack, run, plan
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2'):
        stack.make_container(name)
    stack.start_daemon()
    env = stack.env({
        'LXCD_TEST_LXCPATH': stack.lxcpath,
        # A critical warning of GLib or of the library is a failure.
        'G_DEBUG': 'fatal-criticals',
    })
    run = subprocess.run([BINARY, '--tap'], capture_output=True, text=True, env=env,
                         timeout=900 * lxcdtest.SLOWDOWN)
    for line in run.stdout.splitlines():
        m = TAP_LINE.match(line)
        if m:
            results[m.group(2)] = (m.group(1) == 'ok', m.group(3) or '')
        m = TAP_PLAN.match(line)
        if m:
            plan = int(m.group(1))


def tearDownModule():
    stack.close()


def output_tail(lines=40):
    text = (run.stdout + '\n--- stderr ---\n' + run.stderr).rstrip('\n').splitlines()
    return '\n'.join(text[-lines:])


class CTests(lxcdtest.TestCase):
    def test_00_listed(self):
        # The binary lists what it runs; the module knows each test.
        self.assertGreaterEqual(len(PATHS), 10, PATHS)
        self.assertEqual(plan, len(PATHS), output_tail())

    def test_99_exit_status(self):
        self.assertEqual(run.returncode, 0, output_tail())


def _make_test(path):
    def test(self):
        if path not in results:
            missing = [p for p in PATHS if p not in results]
            if path == missing[0]:
                # GTest bails out of the run at a failed assertion: the
                # first test without a result is the one that failed.
                self.fail('%s failed or crashed (exit status %d):\n%s'
                          % (path, run.returncode, output_tail()))
            self.fail('%s did not run: the binary stopped at %s' % (path, missing[0]))
        ok, directive = results[path]
        if directive.upper().startswith('SKIP'):
            self.skipTest(directive)
        self.assertTrue(ok, '%s failed:\n%s' % (path, output_tail()))
    test.__doc__ = path
    return test


for _i, _path in enumerate(PATHS, 1):
    _name = 'test_%02d_%s' % (_i, re.sub(r'[^A-Za-z0-9]+', '_', _path).strip('_'))
    setattr(CTests, _name, _make_test(_path))


if __name__ == '__main__':
    lxcdtest.main()
