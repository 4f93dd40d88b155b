#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Authorization through the real polkitd with the project's .policy: an
unprivileged caller is refused every run-state method without a rule, a
rule for container c1 allows c1 only, the details rules see, root passes
without polkit, the interactive-authorization flag and the
auth.no_user_interaction option are honoured, and reads need nothing."""
import os
import subprocess
import unittest

import lxcclient
import lxcdtest
from lxcdtest import (BUS_NAME, CONTAINER_IFACE, MANAGER_IFACE, MANAGER_PATH,
                      ERROR_PREFIX, UNPRIV_UID, UNPRIV_USER)

stack = None

# Every Container method that changes the run state, with arguments.
LIFECYCLE_CALLS = [
    ('Start', '(@a{sv} {},)'),
    ('Stop', '()'),
    ('Shutdown', '(5,)'),
    ('Reboot', '(5,)'),
    ('Freeze', '()'),
    ('Unfreeze', '()'),
    ('WantDaemonize', '(false,)'),
    ('WantCloseAllFDs', '(true,)'),
]

RULE_C1_ONLY = '''
polkit.addRule(function(action, subject) {
    if (action.id == "org.linuxcontainers.LXC1.lifecycle" &&
        action.lookup("container") == "c1" &&
        action.lookup("lxcpath") == "%(lxcpath)s" &&
        subject.user == "%(user)s") {
        return polkit.Result.YES;
    }
});
'''


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2', 'run2'):
        stack.make_container(name)
    stack.start_daemon()


def tearDownModule():
    stack.close()


def path(name):
    return lxcdtest.container_path(name)


class Base(unittest.TestCase):
    def setUp(self):
        stack.clear_rules()

    def tearDown(self):
        stack.clear_rules()
        for name in ('c1', 'c2'):
            if stack.container_state(name) != 'STOPPED':
                stack.stop_container(name)

    def snapshot(self, name):
        """What must not change when a call is refused: the run state as
        liblxc and the service see it, the start flags, and the container's
        directory on disk (every file's content and mtime)."""
        files = {}
        top = os.path.join(stack.lxcpath, name)
        for entry in sorted(os.listdir(top)):
            p = os.path.join(top, entry)
            if os.path.isfile(p):
                with open(p, 'rb') as f:
                    files[entry] = (f.read(), os.stat(p).st_mtime_ns)
        return (stack.container_state(name), stack.client().container(name).state,
                stack.client().container(name).daemonize, stack.client().container(name).close_all_fds, files)


class Denied(Base):
    def test_every_lifecycle_method_denied_without_rule(self):
        stack.start_container('run2')
        with stack.client_as(UNPRIV_UID) as client:
            for name in ('c1', 'run2'):
                before = self.snapshot(name)
                for method, args in LIFECYCLE_CALLS:
                    r = client.call(path(name), CONTAINER_IFACE, method, args)
                    self.assertEqual(r.error_name, ERROR_PREFIX + 'NotAuthorized',
                                     '%s on %s: %s' % (method, name, r))
                self.assertEqual(self.snapshot(name), before)
        stack.stop_container('run2')

    def test_busctl_as_unprivileged_is_refused(self):
        out = stack.run_as(UNPRIV_UID, ['busctl', '--system', 'call', BUS_NAME, path('c1'),
                                        CONTAINER_IFACE, 'Start', 'a{sv}', '0'])
        self.assertNotEqual(out.returncode, 0)
        self.assertIn('Authentication is required', out.stderr)
        self.assertEqual(stack.container_state('c1'), 'STOPPED')

    def test_reads_need_no_authorization(self):
        with stack.client_as(UNPRIV_UID) as client:
            for p, iface, method, args in [
                    (MANAGER_PATH, MANAGER_IFACE, 'ListContainers', "('all', @a{sv} {})"),
                    (MANAGER_PATH, MANAGER_IFACE, 'GetContainer', "('c1',)"),
                    (MANAGER_PATH, MANAGER_IFACE, 'GetGlobalConfigItem', "('lxc.lxcpath',)"),
                    (path('c1'), CONTAINER_IFACE, 'Wait', "('STOPPED', 0)"),
                    (path('c1'), CONTAINER_IFACE, 'MayControl', '()'),
                    (path('c1'), 'org.freedesktop.DBus.Properties', 'GetAll', "('%s',)" % CONTAINER_IFACE),
                    (path('c1'), 'org.freedesktop.DBus.Introspectable', 'Introspect', '()')]:
                r = client.call(p, iface, method, args)
                self.assertTrue(r.ok, (method, r))


class Rules(Base):
    def test_rule_for_c1_allows_c1_only(self):
        stack.set_rules(RULE_C1_ONLY % {'lxcpath': stack.lxcpath, 'user': UNPRIV_USER})
        with stack.client_as(UNPRIV_UID) as client:
            r = client.call(path('c1'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
            self.assertTrue(r.ok, r)
            self.assertEqual(stack.container_state('c1'), 'RUNNING')
            r = client.call(path('c2'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
            self.assertEqual(r.error_name, ERROR_PREFIX + 'NotAuthorized', r)
            self.assertEqual(stack.container_state('c2'), 'STOPPED')
            stack.wait_init_ready('c1')
            for method in ('Freeze', 'Unfreeze', 'Stop'):
                r = client.call(path('c1'), CONTAINER_IFACE, method, '()')
                self.assertTrue(r.ok, (method, r))
            self.assertEqual(stack.container_state('c1'), 'STOPPED')

    def test_rule_matching_other_lxcpath_does_not_apply(self):
        stack.set_rules(RULE_C1_ONLY % {'lxcpath': '/var/lib/lxc', 'user': UNPRIV_USER})
        r = stack.call_as(UNPRIV_UID, path('c1'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        self.assertEqual(r.error_name, ERROR_PREFIX + 'NotAuthorized', r)
        self.assertEqual(stack.container_state('c1'), 'STOPPED')

    def test_rule_sees_action_and_details(self):
        # A rule that records what polkit was asked (to polkitd's log) and denies.
        stack.set_rules('''
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("org.linuxcontainers.LXC1.") == 0) {
        polkit.log("LXCDTEST action=" + action.id + " container=" + action.lookup("container") +
                   " lxcpath=" + action.lookup("lxcpath") + " user=" + subject.user);
        return polkit.Result.NO;
    }
});
''')
        r = stack.call_as(UNPRIV_UID, path('c2'), CONTAINER_IFACE, 'Freeze', '()')
        self.assertEqual(r.error_name, ERROR_PREFIX + 'NotAuthorized')
        want = 'LXCDTEST action=org.linuxcontainers.LXC1.lifecycle container=c2 lxcpath=%s user=%s' % (
            stack.lxcpath, UNPRIV_USER)
        lxcdtest.wait_until(lambda: want in open(stack.polkit_log).read(), 5,
                            message=lambda: 'polkit log lacks %r' % want)

    def test_root_is_not_asked(self):
        stack.set_rules('''
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("org.linuxcontainers.LXC1.") == 0) {
        polkit.log("LXCDTEST asked for " + subject.user);
        return polkit.Result.NO;
    }
});
''')
        r = stack.call(path('c2'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        self.assertTrue(r.ok, r)
        r = stack.call(path('c2'), CONTAINER_IFACE, 'Stop', '()')
        self.assertTrue(r.ok, r)
        self.assertNotIn('LXCDTEST asked for root', open(stack.polkit_log).read())


class Interactive(Base):
    """With an auth_admin result, polkit answers "challenge" when the caller
    did not allow interaction, and tries (and here fails: no agent) to
    authenticate when it did; the daemon's message tells which it asked."""

    RULE_AUTH_ADMIN = '''
polkit.addRule(function(action, subject) {
    if (action.id == "org.linuxcontainers.LXC1.lifecycle")
        return polkit.Result.AUTH_ADMIN;
});
'''

    def test_flag_not_set(self):
        stack.set_rules(self.RULE_AUTH_ADMIN)
        r = stack.call_as(UNPRIV_UID, path('c1'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        self.assertEqual(r.error_name, ERROR_PREFIX + 'NotAuthorized')
        self.assertIn('interactive authorization was not allowed', r.result_text)

    def test_flag_set(self):
        stack.set_rules(self.RULE_AUTH_ADMIN)
        r = stack.call_as(UNPRIV_UID, path('c1'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)',
                          allow_interactive=True)
        self.assertEqual(r.error_name, ERROR_PREFIX + 'NotAuthorized')
        self.assertNotIn('interactive authorization was not allowed', r.result_text)
        self.assertIn('no authentication agent', r.result_text)
        self.assertEqual(stack.container_state('c1'), 'STOPPED')

    def test_option_overrides_flag(self):
        stack.set_rules(self.RULE_AUTH_ADMIN)
        r = stack.call_as(UNPRIV_UID, path('c1'), CONTAINER_IFACE, 'Start',
                          "({'auth.no_user_interaction': <true>},)", allow_interactive=True)
        self.assertEqual(r.error_name, ERROR_PREFIX + 'NotAuthorized')
        self.assertIn('interactive authorization was not allowed', r.result_text)


class BusPolicy(unittest.TestCase):
    def test_unprivileged_cannot_own_the_name(self):
        with stack.client_as(UNPRIV_UID) as nobody:
            with self.assertRaises(lxcclient.Error) as cm:
                nobody.client.request_name(BUS_NAME, 4)
        self.assertEqual(cm.exception.name, 'org.freedesktop.DBus.Error.AccessDenied')


if __name__ == '__main__':
    lxcdtest.main()
