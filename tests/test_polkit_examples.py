#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The example polkit rules of data/polkit-examples/, unmodified, in the
real polkitd: each grants exactly what its header says.

Test accounts and groups with the names the files use exist only in this
test's private mount namespace (temporary copies of /etc/passwd and
/etc/group bind-mounted over the real ones; polkitd, started by the
harness in the same namespace, resolves them through NSS like on a real
system).  For each file (alone, and all three together) a matrix of
CheckAuthorization calls -- every test account x every action x detail
sets that the daemon really passes -- is compared with what the file's
header promises, and real D-Bus calls to the daemon as those accounts show
the allowed calls succeed and the others are refused."""
import os
import re
import unittest

from gi.repository import GLib, Gio

import lxcdtest
from lxcdtest import (ACTIONS, ACTION_PREFIX, CONTAINER_IFACE, MANAGER_IFACE,
                      MANAGER_PATH, ERROR_PREFIX, UNPRIV_UID, UNPRIV_USER)

EXAMPLES_DIR = os.path.join(lxcdtest.SRCDIR, 'data', 'polkit-examples')
OPERATORS = '50-lxc-dbus-operators.rules'
USER_CONTAINERS = '50-lxc-dbus-user-containers.rules'
MONITOR = '50-lxc-dbus-monitor.rules'
EXAMPLES = (OPERATORS, USER_CONTAINERS, MONITOR)

READ_CONFIG = ACTION_PREFIX + 'read-config'
LIFECYCLE = ACTION_PREFIX + 'lifecycle'
MANAGE = ACTION_PREFIX + 'manage'
CONFIGURE = ACTION_PREFIX + 'configure'
CONFIGURE_HOST = ACTION_PREFIX + 'configure-host'
EXEC = ACTION_PREFIX + 'exec'
CONSOLE = ACTION_PREFIX + 'console'

#: Test accounts (created for this test only) and their supplementary groups.
ACCOUNTS = {
    'olivia': ('lxc-operators',),
    'mona': ('lxc-monitor',),
    'alice': ('lxc-users',),
    'bob': ('lxc-users',),
    'bobby': ('lxc-users',),
    'carol': (),                  # owns "carol-x" by name, but not in lxc-users
}
GROUPS = ('lxc-operators', 'lxc-users', 'lxc-monitor')
CONTAINERS = ('web1', 'alice-web', 'bob-db', 'bobby-x', 'carol-x')
NOT_AUTHORIZED = ERROR_PREFIX + 'NotAuthorized'

#: Details of CheckAuthorization requests (lxcpath added), as the daemon
#: passes them: container alone (lifecycle, destroy, console, snapshots),
#: with "key" (config), "template" (CreateContainer), "source" (Clone: the
#: container is the new one), "new_name" (Rename, RestoreSnapshot),
#: "command_line" and "uid" (exec); and names that must not match.
DETAIL_SETS = [
    {'container': 'web1'},
    {'container': 'alice-web'},
    {'container': 'bob-db'},
    {'container': 'bobby-x'},
    {'container': 'bob-by'},
    {'container': 'carol-x'},
    {'container': 'olivia-x'},
    {'container': 'alice-web', 'key': 'lxc.uts.name'},
    {'container': 'alice-web', 'key': 'lxc.mount.entry', 'value': '/ mnt none bind 0 0'},
    {'container': 'alice-new', 'template': 'busybox'},
    {'container': 'alice-copy', 'source': 'alice-web'},
    {'container': 'alice-copy', 'source': 'bob-db'},
    {'container': 'alice-copy', 'source': ''},
    {'container': 'bob-copy', 'source': 'alice-web'},
    {'container': 'alice-web', 'new_name': 'alice-new'},
    {'container': 'alice-web', 'new_name': 'bob-new'},
    {'container': 'alice-web', 'new_name': 'alice'},
    {'container': 'bob-db', 'new_name': 'alice-new'},
    {'container': 'bobby-x', 'new_name': 'bob-x'},
    {'container': 'alice-web', 'command_line': '/bin/sh -c id', 'uid': '0'},
    {'container': 'alice-web', 'command_line': '/bin/sh -c id', 'uid': '0', 'privileged': 'true'},
    {'container': 'alice-web', 'command_line': '/bin/sh -c id', 'uid': '0', 'privileged': 'false'},
    {'container': 'alice-web', 'privileged': 'false'},
    {'container': 'alice-web', 'privileged': 'False'},
    {'container': 'bob-db', 'privileged': 'false'},
    {},                                   # no container detail at all
    {'new_name': 'alice-new'},
    {'source': 'alice-web'},
    {'container': ''},
    {'container': 'alice-'},
    {'container': 'alice'},
    {'container': 'Alice-web'},
    {'container': 'xalice-web'},
]

#: For the files that grant an action on every container whatever the
#: details (operators, monitor): a few kinds of requests (polkitd answers
#: some 150 checks a second, the full matrix is for the per-user file).
SOME_DETAIL_SETS = [
    {'container': 'web1'},
    {'container': 'alice-web', 'key': 'lxc.uts.name'},
    {'container': 'alice-copy', 'source': 'bob-db'},
    {'container': 'bob-db', 'new_name': 'alice-new'},
    {'container': 'mona-x', 'command_line': '/bin/sh', 'uid': '0'},
    {},
]

stack = None
accounts = None
clients = {}          # user name -> lxcdtest.UserClient
matrix_conn = None    # root connection for CheckAuthorization calls
baseline_rules = None  # "Finished loading ... N rules" with no example installed


def path(name):
    return lxcdtest.container_path(name)


# ---------------------------------------------------------------------------
# What each file promises (its header), as a predicate on
# (user, action, details); everything else must stay denied.
# ---------------------------------------------------------------------------

def in_group(user, group):
    return group in ACCOUNTS.get(user, ())


def operators_grant(user, action, details):
    return action == LIFECYCLE and in_group(user, 'lxc-operators')


def monitor_grant(user, action, details):
    return action == READ_CONFIG and in_group(user, 'lxc-monitor')


USER_ACTIONS = (READ_CONFIG, LIFECYCLE, MANAGE, CONFIGURE, EXEC, CONSOLE)


def user_containers_grant(user, action, details):
    if action not in USER_ACTIONS or not in_group(user, 'lxc-users'):
        return False
    prefix = user + '-'

    def own(name):
        return name.startswith(prefix) and len(name) > len(prefix)
    if 'container' not in details or not own(details['container']):
        return False
    if action in (EXEC, CONSOLE) and details.get('privileged') != 'false':
        return False
    return all(own(details[k]) for k in ('source', 'new_name') if k in details)


GRANTS = {OPERATORS: operators_grant, USER_CONTAINERS: user_containers_grant,
          MONITOR: monitor_grant}


def nothing_granted(user, action, details):
    return False


# ---------------------------------------------------------------------------
# Accounts that exist only in this mount namespace
# ---------------------------------------------------------------------------

def TestAccounts():
    return lxcdtest.TestAccounts(ACCOUNTS, GROUPS)


# ---------------------------------------------------------------------------
# Installing rule files, checking polkitd's log
# ---------------------------------------------------------------------------

class RulesError(AssertionError):
    """polkitd did not load a rules file cleanly."""


def log_since(offset):
    with open(stack.polkit_log, errors='replace') as f:
        f.seek(offset)
        return f.read()


def loaded_count(text):
    """Number of rules files polkitd loaded in the first reload in *text*
    that ran the harness's newest marker file (what set_rules() awaited;
    polkitd may reload a few more times after that)."""
    gens = [int(g) for g in re.findall(r'^lxcdtest-rules-generation-(\d+)$', text, re.M)]
    marker = text.find('lxcdtest-rules-generation-%d\n' % max(gens)) if gens else -1
    m = re.search(r'Finished loading, compiling and executing (\d+) rules', text[marker:])
    if marker < 0 or m is None:
        raise RulesError('no completed reload in polkitd log:\n' + text[-2000:])
    return int(m.group(1))


def install_rules(files):
    """Install *files* ({file name: text}) as the only rules besides the
    harness's marker file in the private /etc/polkit-1/rules.d, with these
    names, and wait for polkitd to have loaded them.  Raises RulesError if
    polkitd reports an error for one of them or did not load all of them.
    Returns the polkitd log offset from before the change."""
    remove_examples()
    # (from here: a reload racing with the removal can log "Error loading
    # script" for a removed file, before the marker remove_examples awaits)
    offset = os.path.getsize(stack.polkit_log)
    for name, text in files.items():
        tmp = os.path.join(stack.rules_dir, '.%s.tmp' % name)
        with open(tmp, 'w') as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, os.path.join(stack.rules_dir, name))
    stack.set_rules('')
    text = log_since(offset)
    errors = [line for line in text.splitlines()
              if 'Error' in line and any(os.path.join(lxcdtest.POLKIT_ETC_RULES_DIR, n)
                                         in line for n in files)]
    if errors:
        raise RulesError('polkitd rejected a rules file:\n' + '\n'.join(errors))
    count = loaded_count(text)
    if count != baseline_rules + len(files):
        raise RulesError('polkitd loaded %d rules files, expected %d:\n%s' % (
            count, baseline_rules + len(files), text[-2000:]))
    return offset


def example_text(name):
    with open(os.path.join(EXAMPLES_DIR, name)) as f:
        return f.read()


def install_examples(*names):
    """Install the example files *names*, unmodified, under their own names."""
    return install_rules({n: example_text(n) for n in names})


def remove_examples():
    for old in os.listdir(stack.rules_dir):
        if not old.startswith('50-lxcd-test-'):
            os.unlink(os.path.join(stack.rules_dir, old))
    stack.clear_rules()


def assert_no_evaluation_errors(test, offset):
    """polkitd logged no error running the rules since *offset*.  (The
    harness's marker files are replaced while polkitd may be reading the
    directory: "Error loading script .../50-lxcd-test-N.rules" for one
    that vanished is harmless.)"""
    bad = [l for l in log_since(offset).splitlines()
           if 'Error' in l and '/50-lxcd-test-' not in l]
    test.assertEqual(bad, [], 'polkitd reported errors')


# ---------------------------------------------------------------------------
# The authorization matrix
# ---------------------------------------------------------------------------

def matrix_mismatches(grant, detail_sets=DETAIL_SETS):
    """Ask polkitd about every test account (and nobody) x action x
    *detail_sets*; return the requests whose answer differs from *grant*.
    Denied must mean "polkit's default", auth_admin for these session-less
    callers (a challenge), not a hard "no": the files never say no, so
    other rules still apply."""
    requests = [(user, action, d) for user in sorted(clients)
                for action in ACTIONS for d in detail_sets]
    answers = check_many([(clients[user].unique_name, action, dict(d, lxcpath=stack.lxcpath))
                          for user, action, d in requests])
    wrong = []
    for (user, action, d), (authorized, challenge, _) in zip(requests, answers):
        want = grant(user, action, d)
        if authorized != want or (not authorized and not challenge):
            wrong.append('%s %s %s: authorized=%s challenge=%s, expected %s' % (
                user, action[len(ACTION_PREFIX):], d, authorized, challenge, want))
    return wrong


def check_many(requests, window=64):
    """CheckAuthorization (as root, like the daemon) for each (bus name,
    action, details) of *requests*, up to *window* calls in flight at a
    time; returns the (is_authorized, is_challenge, details) answers in
    order."""
    conn = matrix_conn
    answers = [None] * len(requests)
    state = {'next': 0, 'pending': 0, 'error': None}
    loop = GLib.MainLoop()

    def done(source, res, i):
        state['pending'] -= 1
        try:
            answers[i] = tuple(conn.call_finish(res).unpack()[0])
        except GLib.Error as e:
            state['error'] = e
        send()

    def send():
        while (state['error'] is None and state['pending'] < window and
               state['next'] < len(requests)):
            i = state['next']
            state['next'] += 1
            state['pending'] += 1
            name, action, details = requests[i]
            subject = ('system-bus-name', {'name': GLib.Variant('s', name)})
            conn.call(lxcdtest.POLKIT_NAME, lxcdtest.POLKIT_PATH, lxcdtest.POLKIT_IFACE,
                      'CheckAuthorization',
                      GLib.Variant('((sa{sv})sa{ss}us)', (subject, action, details, 0, '')),
                      GLib.VariantType.new('((bba{ss}))'), Gio.DBusCallFlags.NONE, 25000,
                      None, done, i)
        if state['pending'] == 0:
            loop.quit()
    send()
    if state['pending']:
        loop.run()
    if state['error'] is not None:
        raise state['error']
    return answers


def setUpModule():
    global stack, accounts, baseline_rules, matrix_conn
    accounts = TestAccounts()
    try:
        accounts.create()
        stack = lxcdtest.Stack().start()
        for name in CONTAINERS:
            stack.make_container(name)
        stack.start_daemon()
        matrix_conn = stack.bus()
        offset = os.path.getsize(stack.polkit_log)
        stack.clear_rules()
        baseline_rules = loaded_count(log_since(offset))
        for user, uid in list(accounts.uids.items()) + [(UNPRIV_USER, UNPRIV_UID)]:
            clients[user] = stack.client_as(uid)
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    try:
        if stack is not None:
            stack.close()
    finally:
        accounts.close()


class Base(lxcdtest.TestCase):
    examples = ()

    @classmethod
    def setUpClass(cls):
        cls.offset = install_examples(*cls.examples)

    @classmethod
    def tearDownClass(cls):
        remove_examples()

    def tearDown(self):
        assert_no_evaluation_errors(self, self.offset)
        for name in stack.container_names():
            if stack.container_state(name) != 'STOPPED':
                stack.stop_container(name)

    def call(self, user, name, method, args='()', **kw):
        """Call *method* of container *name* as test account *user*."""
        return clients[user].call(path(name), CONTAINER_IFACE, method, args, **kw)

    def assertDenied(self, r):
        self.assertEqual(r.error_name, NOT_AUTHORIZED, r)

    def config_item(self, name, key):
        r = stack.call(path(name), CONTAINER_IFACE, 'GetConfigItem', "('%s',)" % key)
        self.assertOk(r)
        return lxcdtest.parse_variant(r.result_text)[0]


class Files(unittest.TestCase):
    def test_every_example_is_tested_and_names_itself(self):
        self.assertEqual(sorted(f for f in os.listdir(EXAMPLES_DIR) if f.endswith('.rules')),
                         sorted(EXAMPLES))
        for name in EXAMPLES:
            self.assertIn('install -m 644 %s /etc/polkit-1/rules.d/' % name,
                          example_text(name))


class NoExamples(Base):
    """The control: without the files, the test accounts get nothing (so
    whatever the other classes see granted comes from the files)."""

    def test_matrix(self):
        self.assertEqual(matrix_mismatches(nothing_granted, SOME_DETAIL_SETS), [])


class Operators(Base):
    examples = (OPERATORS,)

    def test_matrix(self):
        self.assertEqual(matrix_mismatches(operators_grant, SOME_DETAIL_SETS), [])

    def test_operator_starts_and_stops_any_container(self):
        for name in ('web1', 'alice-web'):
            r = self.call('olivia', name, 'Start', '(@a{sv} {},)')
            self.assertOk(r)
            self.assertEqual(stack.container_state(name), 'RUNNING')
            stack.wait_init_ready(name)
            self.assertOk(self.call('olivia', name, 'Stop'))
            self.assertEqual(stack.container_state(name), 'STOPPED')

    def test_operator_may_do_nothing_else(self):
        before = self.config_item('web1', 'lxc.start.auto')
        for method, args in (('Destroy', '(@a{sv} {},)'),
                             ('Rename', "('web2',)"),
                             ('Clone', "('web1-copy', @a{sv} {})"),
                             ('SetConfigItem', "('lxc.start.auto', '1')"),
                             ('GetConfigItem', "('lxc.uts.name',)")):
            self.assertDenied(self.call('olivia', 'web1', method, args))
        self.assertEqual(stack.container_names(), sorted(CONTAINERS))
        self.assertEqual(self.config_item('web1', 'lxc.start.auto'), before)

    def test_others_may_not_start(self):
        for user in ('mona', 'alice', 'carol', UNPRIV_USER):
            self.assertDenied(self.call(user, 'web1', 'Start', '(@a{sv} {},)'))
        self.assertEqual(stack.container_state('web1'), 'STOPPED')


class Monitor(Base):
    examples = (MONITOR,)

    def test_matrix(self):
        self.assertEqual(matrix_mismatches(monitor_grant, SOME_DETAIL_SETS), [])

    def test_monitor_reads_configuration(self):
        r = self.call('mona', 'web1', 'GetConfigItem', "('lxc.uts.name',)")
        self.assertOk(r)
        self.assertEqual(lxcdtest.parse_variant(r.result_text)[0], 'web1')
        for method, args in (('GetKeys', "('',)"), ('ListSnapshots', '()'),
                             ('LoadConfig', "('',)")):
            self.assertOk(self.call('mona', 'bob-db', method, args))

    def test_monitor_changes_nothing(self):
        for method, args in (('Start', '(@a{sv} {},)'),
                             ('SetConfigItem', "('lxc.start.auto', '1')"),
                             ('ClearConfigItem', "('lxc.start.auto',)"),
                             ('SaveConfig', "('',)"),
                             ('Snapshot', '(@a{sv} {},)'),
                             ('Destroy', '(@a{sv} {},)')):
            self.assertDenied(self.call('mona', 'web1', method, args))
        self.assertEqual(stack.container_state('web1'), 'STOPPED')
        self.assertEqual(stack.container_names(), sorted(CONTAINERS))

    def test_others_may_not_read(self):
        for user in ('olivia', 'alice', UNPRIV_USER):
            self.assertDenied(self.call(user, 'web1', 'GetConfigItem', "('lxc.uts.name',)"))


class UserContainers(Base):
    examples = (USER_CONTAINERS,)

    def test_matrix(self):
        self.assertEqual(matrix_mismatches(user_containers_grant), [])

    def test_named_cases(self):
        """The cases the header names, spelled out."""
        def ok(user, action, **details):
            return stack.check_authorization(clients[user].unique_name, action,
                                             dict(details, lxcpath=stack.lxcpath))[0]
        self.assertTrue(ok('bob', LIFECYCLE, container='bob-db'))
        self.assertFalse(ok('bob', LIFECYCLE, container='bobby-x'))      # prefix trick
        self.assertTrue(ok('bobby', LIFECYCLE, container='bobby-x'))
        self.assertFalse(ok('alice', LIFECYCLE, container='bob-db'))      # someone else's
        self.assertFalse(ok('alice', CONFIGURE_HOST, container='alice-web', key='lxc.hook.pre-start'))
        self.assertFalse(ok('alice', MANAGE, container='alice-copy', source='bob-db'))
        self.assertFalse(ok('alice', MANAGE, container='alice-web', new_name='bob-web'))
        self.assertFalse(ok('alice', MANAGE, new_name='alice-x'))          # no container detail
        self.assertFalse(ok('carol', LIFECYCLE, container='carol-x'))     # not in lxc-users
        for action in USER_ACTIONS:
            self.assertTrue(ok('alice', action, container='alice-web', privileged='false'), action)
        # root inside a privileged container is root on the host
        for action in (EXEC, CONSOLE):
            self.assertFalse(ok('alice', action, container='alice-web', privileged='true'), action)
            self.assertFalse(ok('alice', action, container='alice-web'), action)

    def test_own_container_lifecycle_and_config(self):
        self.assertOk(self.call('alice', 'alice-web', 'Start', '(@a{sv} {},)'))
        self.assertEqual(stack.container_state('alice-web'), 'RUNNING')
        stack.wait_init_ready('alice-web')
        self.assertOk(self.call('alice', 'alice-web', 'Stop'))
        self.assertEqual(stack.container_state('alice-web'), 'STOPPED')
        self.assertOk(self.call('alice', 'alice-web', 'SetConfigItem',
                                "('lxc.start.delay', '7')"))
        self.assertEqual(self.config_item('alice-web', 'lxc.start.delay'), '7')
        r = self.call('alice', 'alice-web', 'GetConfigItem', "('lxc.start.delay',)")
        self.assertOk(r)
        # configure-host stays out of reach, also for her own container
        self.assertDenied(self.call('alice', 'alice-web', 'SetConfigItem',
                                    "('lxc.mount.entry', '/ mnt none bind,create=dir 0 0')"))
        self.assertNotIn('lxc.mount.entry = / mnt',
                         open(os.path.join(stack.lxcpath, 'alice-web', 'config')).read())

    def test_other_users_containers(self):
        for user, name in (('alice', 'bob-db'), ('bob', 'bobby-x'), ('bob', 'alice-web'),
                           ('carol', 'carol-x'), (UNPRIV_USER, 'alice-web'),
                           ('olivia', 'web1')):
            self.assertDenied(self.call(user, name, 'Start', '(@a{sv} {},)'))
            self.assertDenied(self.call(user, name, 'GetConfigItem', "('lxc.uts.name',)"))
            self.assertEqual(stack.container_state(name), 'STOPPED')
        self.assertDenied(self.call('bob', 'alice-web', 'Destroy', '(@a{sv} {},)'))
        self.assertOk(self.call('bobby', 'bobby-x', 'GetConfigItem', "('lxc.uts.name',)"))
        self.assertEqual(stack.container_names(), sorted(CONTAINERS))

    def test_clone_rename_destroy(self):
        # someone else's container is no source, and a clone must be hers
        self.assertDenied(self.call('alice', 'bob-db', 'Clone', "('alice-stolen', @a{sv} {})",
                                    timeout=120))
        self.assertDenied(self.call('alice', 'alice-web', 'Clone', "('bob-gift', @a{sv} {})",
                                    timeout=120))
        self.assertEqual(stack.container_names(), sorted(CONTAINERS))
        # alice-web is privileged (made by root without an id map): its copy
        # would be too, which the rule does not give
        r = self.call('alice', 'alice-web', 'Clone', "('alice-copy', @a{sv} {})", timeout=120)
        self.assertDenied(r)
        self.assertIn('privileged', r.result_text)
        self.assertEqual(stack.container_names(), sorted(CONTAINERS))
        cfg = os.path.join(stack.lxcpath, 'alice-web', 'config')
        with open(cfg) as f:
            original = f.read()
        try:
            # as an admin would: alice-web gets an id map (not started here)
            with open(cfg, 'a') as f:
                f.write('lxc.idmap = u 0 %d %d\nlxc.idmap = g 0 %d %d\n' % (
                    lxcdtest.SUBID_BASE, lxcdtest.SUBID_BLOCK, lxcdtest.SUBID_BASE,
                    lxcdtest.SUBID_BLOCK))
            self.assertOk(self.call('alice', 'alice-web', 'LoadConfig', "('',)"))
            lxcdtest.wait_until(lambda: self.privileged('alice-web') is False, 10)
            self.assertOk(self.call('alice', 'alice-web', 'Clone', "('alice-copy', @a{sv} {})",
                                    timeout=120))
            self.assertDenied(self.call('alice', 'alice-copy', 'Rename', "('bob-copy',)"))
            self.assertDenied(self.call('bob', 'alice-copy', 'Rename', "('bob-copy',)"))
            self.assertOk(self.call('alice', 'alice-copy', 'Rename', "('alice-moved',)"))
            self.assertDenied(self.call('bob', 'alice-moved', 'Destroy', '(@a{sv} {},)'))
            self.assertOk(self.call('alice', 'alice-moved', 'Destroy', '(@a{sv} {},)',
                                    timeout=120))
            self.assertEqual(stack.container_names(), sorted(CONTAINERS))
        finally:
            with open(cfg, 'w') as f:
                f.write(original)
            stack.call(path('alice-web'), CONTAINER_IFACE, 'LoadConfig', "('',)")
            for name in ('alice-copy', 'alice-moved'):
                if name in stack.container_names():
                    stack.lxc('destroy', name, '-f', check=False)

    def privileged(self, name):
        r = stack.call(path(name), 'org.freedesktop.DBus.Properties', 'Get',
                       "('%s', 'Privileged')" % CONTAINER_IFACE)
        return lxcdtest.parse_variant(r.result_text)[0] if r.ok else None

    def test_create_own_only(self):
        def create(user, name, options='@a{sv} {}'):
            return clients[user].call(MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                                      "('%s', 'busybox', %s)" % (name, options), timeout=120)
        self.assertDenied(create('alice', 'bob-new'))
        self.assertDenied(create('carol', 'carol-new'))
        # a network type is a host-level config item: configure-host
        self.assertDenied(create('alice', 'alice-net',
                                 "{'config': <{'lxc.net.0.type': 'empty'}>}"))
        self.assertEqual(stack.container_names(), sorted(CONTAINERS))
        try:
            self.assertOk(create('alice', 'alice-new'))
            self.assertIn('alice-new', stack.container_names())
            self.assertOk(self.call('alice', 'alice-new', 'Destroy', '(@a{sv} {},)',
                                    timeout=120))
            self.assertEqual(stack.container_names(), sorted(CONTAINERS))
        finally:
            if 'alice-new' in stack.container_names():
                stack.lxc('destroy', 'alice-new', '-f', check=False)


class AllExamples(Base):
    """The three files together grant the union, nothing more."""
    examples = EXAMPLES

    def test_matrix(self):
        self.assertEqual(matrix_mismatches(
            lambda *a: any(g(*a) for g in GRANTS.values())), [])


class BrokenRules(Base):
    """The checks above would notice a broken file: polkitd's compile error
    fails install_rules, and a rule that throws when run is logged."""

    def test_syntax_error_is_detected(self):
        text = example_text(USER_CONTAINERS)
        broken = text[:text.rstrip().rfind('});')]      # drop the closing "});"
        with self.assertRaises(RulesError):
            install_rules({USER_CONTAINERS: broken})
        remove_examples()
        self.offset = os.path.getsize(stack.polkit_log)   # tearDown's check: from here

    def test_runtime_error_is_detected(self):
        text = example_text(OPERATORS).replace('subject.isInGroup(', 'subject.isInGrop(')
        offset = install_rules({OPERATORS: text})
        self.assertFalse(stack.check_authorization(clients['olivia'].unique_name,
                                                   LIFECYCLE, {'container': 'web1'})[0])
        lxcdtest.wait_until(lambda: 'Error evaluating' in log_since(offset), 5)
        remove_examples()
        self.offset = os.path.getsize(stack.polkit_log)   # tearDown's check: from here


if __name__ == '__main__':
    lxcdtest.main()
