#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The operator's log: one line per privileged call, with the caller's uid
and bus name, the method, the container, plain arguments and the result
(ok, denied, error); none for reads; never the value of a configuration
key."""
import re
import unittest

import lxcdtest
from lxcdtest import (CONTAINER_IFACE, ERROR_PREFIX, MANAGER_IFACE, MANAGER_PATH,
                      UNPRIV_UID)

stack = None


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'web-1'):
        stack.make_container(name)
    stack.start_daemon()


def tearDownModule():
    stack.close()


def path(name):
    return lxcdtest.container_path(name)


def audit_lines():
    return [line for line in stack.daemon_log_text().splitlines() if ' audit: ' in line]


class Audit(unittest.TestCase):
    def setUp(self):
        stack.clear_rules()
        self.start = len(audit_lines())

    def tearDown(self):
        if stack.container_state('c1') != 'STOPPED':
            stack.stop_container('c1')

    def new_lines(self):
        return audit_lines()[self.start:]

    def wait_line(self, pattern):
        """The one new line matching *pattern* (lines are written when the
        reply leaves, so wait a little for the log to be flushed)."""
        found = []

        def seen():
            found[:] = [line for line in self.new_lines() if re.search(pattern, line)]
            return found
        lxcdtest.wait_until(seen, 5, message=lambda: 'no audit line matching %r in:\n%s'
                            % (pattern, '\n'.join(self.new_lines())))
        self.assertEqual(len(found), 1, found)
        return found[0]

    def test_root_start_and_stop_are_logged_as_ok(self):
        r = stack.call(path('c1'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        self.assertTrue(r.ok, r)
        line = self.wait_line(r'call=Container\.Start ')
        self.assertRegex(line, r'audit: uid=0 sender=:\d+\.\d+ call=Container\.Start '
                               r'container=c1 result=ok$')
        r = stack.call(path('c1'), CONTAINER_IFACE, 'Stop', '()')
        self.assertTrue(r.ok, r)
        self.wait_line(r'uid=0 .*call=Container\.Stop container=c1 result=ok$')

    def test_denied_call_names_the_unprivileged_caller(self):
        with stack.client_as(UNPRIV_UID) as client:
            r = client.call(path('c1'), CONTAINER_IFACE, 'Destroy', '(@a{sv} {},)')
            self.assertEqual(r.error_name, ERROR_PREFIX + 'NotAuthorized')
        line = self.wait_line(r'call=Container\.Destroy ')
        self.assertRegex(line, r'uid=%d sender=:\d+\.\d+ call=Container\.Destroy container=c1 '
                               r'result=denied error=%sNotAuthorized message=' % (UNPRIV_UID, ERROR_PREFIX))
        self.assertEqual(stack.container_state('c1'), 'STOPPED')

    def test_bad_input_refused_before_authorization_still_names_the_caller(self):
        # The key is checked before polkit is asked: the uid comes from the
        # bus, asked when the call arrives, so even a caller that leaves the
        # bus the moment it has its reply (each call_as is a new connection
        # that closes at once) is named.
        for i in range(20):
            key = 'lxc.no.such.key%d' % i
            r = stack.call_as(UNPRIV_UID, path('c1'), CONTAINER_IFACE, 'SetConfigItem',
                              "('%s', 'x')" % key)
            self.assertEqual(r.error_name, ERROR_PREFIX + 'InvalidArgument', r)
            line = self.wait_line(r'call=Container\.SetConfigItem .*key=%s ' % re.escape(key))
            self.assertRegex(line, r'uid=%d .* container=c1 key=%s '
                                   r'result=error error=%sInvalidArgument'
                             % (UNPRIV_UID, re.escape(key), ERROR_PREFIX))

    def test_configuration_values_are_not_logged(self):
        r = stack.call(path('c1'), CONTAINER_IFACE, 'SetConfigItem',
                       "('lxc.environment', 'SECRET_TOKEN=hunter2')")
        self.assertTrue(r.ok, r)
        line = self.wait_line(r'call=Container\.SetConfigItem key=lxc\.environment|'
                              r'call=Container\.SetConfigItem container=c1 key=lxc\.environment')
        self.assertTrue(line.endswith('result=ok'), line)
        self.assertNotIn('hunter2', stack.daemon_log_text())
        r = stack.call(path('c1'), CONTAINER_IFACE, 'ClearConfigItem', "('lxc.environment',)")
        self.assertTrue(r.ok, r)

    def test_escaped_names_and_arguments(self):
        r = stack.call(path('web-1'), CONTAINER_IFACE, 'WantDaemonize', '(true,)')
        self.assertTrue(r.ok, r)
        self.wait_line(r'call=Container\.WantDaemonize container=web-1 daemonize=true result=ok$')
        # A name with a space and a control character: quoted and escaped, on one line.
        r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                       "('bad name\\n', 'busybox', @a{sv} {})")
        self.assertEqual(r.error_name, ERROR_PREFIX + 'InvalidArgument', r)
        line = self.wait_line(r'call=Manager\.CreateContainer ')
        self.assertIn('container="bad name\\n" template=busybox result=error', line)

    def test_reads_are_not_logged(self):
        for p, iface, method, args in [
                (MANAGER_PATH, MANAGER_IFACE, 'ListContainers', "('all', @a{sv} {})"),
                (MANAGER_PATH, MANAGER_IFACE, 'GetContainer', "('c1',)"),
                (path('c1'), CONTAINER_IFACE, 'GetConfigItem', "('lxc.uts.name',)"),
                (path('c1'), CONTAINER_IFACE, 'MayControl', '()'),
                (path('c1'), 'org.freedesktop.DBus.Properties', 'Get',
                 "('%s', 'State')" % CONTAINER_IFACE)]:
            r = stack.call(p, iface, method, args)
            self.assertTrue(r.ok, (method, r))
        # A logged call afterwards proves the log was flushed up to here.
        stack.call(path('c1'), CONTAINER_IFACE, 'WantCloseAllFDs', '(true,)')
        self.wait_line(r'call=Container\.WantCloseAllFDs ')
        self.assertEqual(len(self.new_lines()), 1, self.new_lines())

    def test_every_line_is_one_line_with_a_result(self):
        for line in audit_lines():
            self.assertRegex(line, r'audit: uid=(\d+|\?) sender=:\d+\.\d+ call=\w+\.\w+ .*'
                                   r'result=(ok|denied|error|requested)')


if __name__ == '__main__':
    lxcdtest.main()
