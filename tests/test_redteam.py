#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Red team: users delegated through the shipped example rules attack the
host, other users and other containers through the real stack.

The example files data/polkit-examples/50-lxc-dbus-user-containers.rules
(alice and bob in lxc-users: every action but configure-host on
"<user>-*") and 50-lxc-dbus-operators.rules (olivia: lifecycle on every
container) are installed unmodified, with test accounts that exist only
in this test's mount namespace.  Each attack checks the error it gets and
that nothing changed where it must not: a canary directory on the host
that a program escaping the container would write to, the lxcpath, the
containers' configurations.

Classes of attack (the closing note of the delegation issue lists them):
programs that leave the container (namespaces, elevated privileges),
lifecycle calls that choose a program, names that reach a shell, jobs
cancelled by a caller authorized for only some of their containers, the
service's environment reaching programs, and privileged containers (root
inside is root on the host).  Root file system links and configuration
keys have their own files (test_redteam_rootfs.py, test_redteam_config.py).
"""
import hashlib
import os
import shutil
import subprocess
import threading

from gi.repository import GLib

import lxcclient
import lxcdtest
from lxcdtest import CONTAINER_IFACE, MANAGER_IFACE, MANAGER_PATH, ERROR_PREFIX

NOT_AUTHORIZED = 'NotAuthorized'
INVALID = 'InvalidArgument'
EXAMPLES_DIR = os.path.join(lxcdtest.SRCDIR, 'data', 'polkit-examples')
ACCOUNTS = {'alice': ('lxc-users',), 'bob': ('lxc-users',), 'olivia': ('lxc-operators',)}
GROUPS = ('lxc-users', 'lxc-operators')

stack = None
accounts = None
uid = {}
# (per run: test runs of other builds or checkouts may share /tmp)
CANARY = '/tmp/lxcd-redteam-canary-%d' % os.getpid()

def path(name):
    return lxcdtest.container_path(name)


def tree_digest(root, skip=('rootfs',)):
    """name -> (mode, uid, sha256) of everything under *root* but root file
    systems (what a refused call must leave as it was)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip]
        # (the logs of running containers grow by themselves)
        for n in dirnames + [f for f in filenames if not f.endswith('.log')]:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            h = None
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, 'rb') as f:
                    h = hashlib.sha256(f.read()).hexdigest()
            out[os.path.relpath(p, root)] = (st.st_mode, st.st_uid, h)
    return out


def as_user(user, name, method, args='()'):
    return stack.call_as(uid[user], path(name), CONTAINER_IFACE, method, args)


def fd_call(user, name, method, argv=(), options='@a{sv} {}'):
    """*method* (RunCommand, Attach, OpenShell, OpenConsole) as *user*, with
    the options *options* (GVariant text): {'reply': str, 'out': what
    RunCommand's program wrote} or {'error': name, 'message': text}."""
    v = GLib.Variant.parse(GLib.VariantType.new('a{sv}'), options, None, None)
    opts = {e.get_child_value(0).get_string(): e.get_child_value(1).get_variant()
            for e in (v.get_child_value(i) for i in range(v.n_children()))}
    with stack.client_as(uid[user]) as client:
        c = client.container(name)
        try:
            if method == 'RunCommand':
                r = c.run(list(argv), call_timeout=30, **opts)
                return {'reply': str(r.status), 'out': r.stdout + r.stderr}
            if method == 'Attach':
                reply = c.attach(list(argv), call_timeout=30, **opts)
            elif method == 'OpenShell':
                reply = c.open_shell(call_timeout=30, **opts)
            else:
                reply = c.open_console(-1, call_timeout=30)[0]
            return {'reply': str(reply), 'out': ''}
        except lxcclient.Error as e:
            return {'error': e.name, 'message': e.message, 'out': ''}


def setUpModule():
    global stack, accounts
    stack = lxcdtest.Stack().start()
    accounts = lxcdtest.TestAccounts(ACCOUNTS, GROUPS).create()
    uid.update(accounts.uids)
    for f in ('50-lxc-dbus-user-containers.rules', '50-lxc-dbus-operators.rules'):
        shutil.copy(os.path.join(EXAMPLES_DIR, f), os.path.join(stack.rules_dir, f))
        os.chmod(os.path.join(stack.rules_dir, f), 0o644)
    stack.set_rules('')
    # The admin's default configuration for new containers (what they get
    # without configure-host): no network, in this mount namespace only.
    lxcdtest.check_private_mount_namespace(('/etc/lxc/default.conf',))
    default_conf = os.path.join(stack.tmpdir, 'default.conf')
    with open(default_conf, 'w') as f:
        f.write('lxc.net.0.type = empty\n')
    subprocess.run(['mount', '--bind', default_conf, '/etc/lxc/default.conf'], check=True)
    # alice-priv, bob-db: privileged, made by root (the harness, as an admin
    # with lxc-create would); alice-web: alice's own, made through the service.
    stack.make_container('alice-priv')
    stack.make_container('bob-db')
    stack.make_container('olivia-x')
    stack.start_daemon()
    r = stack.call_as(uid['alice'], MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                      "('alice-web', 'busybox', @a{sv} {})")
    if not r.ok:
        raise lxcdtest.HarnessError('alice could not create her container: %s' % (r,))
    r = as_user('alice', 'alice-web', 'Start', '(@a{sv} {},)')
    if not r.ok:
        raise lxcdtest.HarnessError('alice could not start her container: %s' % (r,))
    stack.wait_init_ready('alice-web')
    stack.start_container('alice-priv')
    stack.wait_init_ready('alice-priv')


def tearDownModule():
    shutil.rmtree(CANARY, ignore_errors=True)
    subprocess.run(['umount', '/etc/lxc/default.conf'], stderr=subprocess.DEVNULL)
    if accounts:
        accounts.close()
    if stack:
        stack.close()


class Base(lxcdtest.TestCase):
    def setUp(self):
        shutil.rmtree(CANARY, ignore_errors=True)
        os.makedirs(CANARY)
        os.chmod(CANARY, 0o777)
        self.lxcpath_before = tree_digest(stack.lxcpath)

    def tearDown(self):
        # Nothing escaped into the host's /tmp.
        self.assertEqual(os.listdir(CANARY), [], 'a program wrote to the host')
        shutil.rmtree(CANARY, ignore_errors=True)

    def assertLxcpathUnchanged(self):
        self.assertEqual(tree_digest(stack.lxcpath), self.lxcpath_before)

    def assertRefused(self, r, name=NOT_AUTHORIZED):
        if isinstance(r, dict):
            self.assertEqual(r.get('error'), ERROR_PREFIX + name, r)
        else:
            self.assertError(r, name)


ESCAPE = ['/bin/sh', '-c', 'id > %s/escaped; cat /proc/self/uid_map >> %s/escaped' % (CANARY, CANARY)]


class LeavingTheContainer(Base):
    """Options that run the program outside some of the container's
    namespaces or with what the container drops are root's."""

    def attack(self, method, options, name='alice-web'):
        r = fd_call('alice', name, method, ESCAPE, options)
        self.assertRefused(r)
        self.assertIn('configure-host', r['message'])

    def test_one_namespace_leaves_the_rest_on_the_host(self):
        self.attack('RunCommand', "{'namespaces': <['uts']>}")

    def test_every_namespace_but_the_user_namespace(self):
        self.attack('RunCommand', "{'namespaces': <['mount', 'pid', 'net', 'ipc', 'uts', 'cgroup']>}")

    def test_every_namespace_listed_is_still_root_only(self):
        self.attack('RunCommand',
                    "{'namespaces': <['mount', 'pid', 'net', 'ipc', 'uts', 'user', 'cgroup']>}")

    def test_capabilities_the_container_drops(self):
        self.attack('RunCommand', "{'elevated_privileges': <['capabilities']>}")

    def test_outside_the_cgroup(self):
        self.attack('RunCommand', "{'elevated_privileges': <['cgroup']>}")

    def test_without_the_lsm_profile(self):
        self.attack('RunCommand', "{'elevated_privileges': <['lsm']>}")

    def test_attach_with_namespaces(self):
        self.attack('Attach', "{'namespaces': <['net']>}")

    def test_open_shell_with_namespaces(self):
        self.attack('OpenShell', "{'namespaces': <['pid']>}")

    def test_plain_run_stays_inside_the_user_namespace(self):
        # the control: without those options alice runs, as root inside her
        # unprivileged container, mapped to the admin's range on the host
        r = fd_call('alice', 'alice-web', 'RunCommand',
                    ['/bin/sh', '-c', 'id -u; cat /proc/self/uid_map'])
        self.assertNotIn('error', r, r)
        lines = r['out'].split()
        self.assertEqual(lines[0], '0')
        self.assertEqual(lines[1:4], ['0', str(lxcdtest.SUBID_BASE), str(lxcdtest.SUBID_BLOCK)])


class ChoosingTheProgram(Base):
    """lifecycle alone (olivia) starts and stops; choosing what runs as
    the container's init is exec."""

    def setUp(self):
        super().setUp()
        if stack.container_state('olivia-x') != 'STOPPED':
            stack.stop_container('olivia-x')
        self.lxcpath_before = tree_digest(stack.lxcpath)

    def test_start_with_argv(self):
        r = as_user('olivia', 'olivia-x', 'Start',
                    "({'argv': <['/bin/sh', '-c', 'id > %s/escaped']>},)" % CANARY)
        self.assertRefused(r)
        self.assertIn('exec', r.result_text)
        self.assertEqual(stack.container_state('olivia-x'), 'STOPPED')

    def test_start_with_use_init(self):
        r = as_user('olivia', 'olivia-x', 'Start', "({'use_init': <true>},)")
        self.assertRefused(r)
        self.assertEqual(stack.container_state('olivia-x'), 'STOPPED')

    def test_plain_start_is_lifecycle(self):
        self.assertOk(as_user('olivia', 'olivia-x', 'Start', '(@a{sv} {},)'))
        stack.wait_init_ready('olivia-x')
        self.assertOk(as_user('olivia', 'olivia-x', 'Stop'))


BAD_NAMES = ['alice-x;touch %s/pwned' % CANARY, 'alice-$(touch %s/pwned)' % CANARY,
             'alice-`id`', 'alice-x y', "alice-'q'", 'alice-x|id', 'alice-x&', 'alice-\u00fc',
             'alice-x>y', 'alice-*', 'alice-' + 'a' * 58]


class Names(Base):
    """New names are host names: one word for every shell liblxc hands
    them to, never an option."""

    def test_create_with_shell_names(self):
        for name in BAD_NAMES:
            r = stack.call_as(uid['alice'], MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                              GLib.Variant('(ssa{sv})', (name, 'busybox', {})).print_(True))
            self.assertRefused(r, INVALID)
        self.assertLxcpathUnchanged()

    def test_create_with_a_leading_dash_as_root(self):
        for name in ('-rf', '--help', '_x', '.x'):
            r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                           GLib.Variant('(ssa{sv})', (name, 'busybox', {})))
            self.assertRefused(r, INVALID)
        self.assertLxcpathUnchanged()

    def test_clone_to_shell_names(self):
        for name in BAD_NAMES:
            r = stack.call_as(uid['alice'], path('alice-web'), CONTAINER_IFACE, 'Clone',
                              GLib.Variant('(sa{sv})', (name, {})).print_(True))
            self.assertRefused(r, INVALID)
        self.assertLxcpathUnchanged()

    def test_rename_to_shell_names(self):
        for name in BAD_NAMES:
            r = stack.call_as(uid['alice'], path('alice-web'), CONTAINER_IFACE, 'Rename',
                              GLib.Variant('(s)', (name,)).print_(True))
            self.assertRefused(r, INVALID)
        self.assertLxcpathUnchanged()

    def test_restore_to_shell_names(self):
        for name in BAD_NAMES:
            r = stack.call_as(uid['alice'], path('alice-web'), CONTAINER_IFACE, 'RestoreSnapshot',
                              GLib.Variant('(ss)', ('snap0', name)).print_(True))
            self.assertRefused(r, INVALID)
        self.assertLxcpathUnchanged()

    def test_existing_odd_names_are_still_served_to_root(self):
        # made outside the service (lxc-create, an older version): listed,
        # and root still manages it; it can move to a safe name
        stack.make_container('legacy name;x')
        try:
            lxcdtest.wait_until(lambda: stack.served_state('legacy name;x') == 'STOPPED', 10)
            self.assertRefused(as_user('alice', 'legacy name;x', 'Start', '(@a{sv} {},)'))
            self.assertOk(stack.call(path('legacy name;x'), CONTAINER_IFACE, 'Rename',
                                     "('legacy-x',)", timeout=120))
            self.assertEqual(stack.served_state('legacy-x'), 'STOPPED')
            self.assertOk(stack.call(path('legacy-x'), CONTAINER_IFACE, 'Destroy', '(@a{sv} {},)',
                                     timeout=120))
        finally:
            for name in ('legacy name;x', 'legacy-x'):
                if os.path.isdir(os.path.join(stack.lxcpath, name)):
                    stack.lxc('destroy', name, '-f', check=False)
        self.assertLxcpathUnchanged()

    def test_daemon_works_in_the_root_directory(self):
        # a template that writes relative paths writes nowhere it was started
        self.assertEqual(os.readlink('/proc/%d/cwd' % stack.daemon_pid), '/')


class CancellingOthersJobs(Base):
    """A job may be cancelled by its starter, root, or a caller authorized
    for every container it touches."""

    def test_cancel_of_a_clone_needs_the_source_and_the_copy(self):
        # root clones alice-priv to bob-copy; a clone hook makes it last
        hook = os.path.join(stack.tmpdir, 'slow-clone-hook')
        with open(hook, 'w') as f:
            f.write('#!/bin/sh\nsleep 4\n')
        os.chmod(hook, 0o755)
        cfg = os.path.join(stack.lxcpath, 'alice-priv', 'config')
        with open(cfg) as f:
            original = f.read()
        with open(cfg, 'a') as f:
            f.write('lxc.hook.clone = %s\n' % hook)
        results = {}
        try:
            rec = stack.record_signals(member='InterfacesAdded')

            def clone():
                results['clone'] = stack.call_as(0, path('alice-priv'), CONTAINER_IFACE, 'Clone',
                                                 "('bob-copy', {'flags': <['allowrunning']>})",
                                                 timeout=60)
            t = threading.Thread(target=clone)
            t.start()
            sig = rec.wait_for(lambda s: s.args[0].startswith('/org/linuxcontainers/LXC1/jobs/'),
                               timeout=10)
            job = sig.args[0]
            for user in ('alice', 'bob'):
                r = stack.call_as(uid[user], job, 'org.linuxcontainers.LXC1.Job', 'Cancel',
                                  '(@a{sv} {},)')
                self.assertRefused(r)
            t.join(60)
            rec.close()
            # neither cancel had an effect: the copy was made
            self.assertTrue(results['clone'].ok, results['clone'])
            self.assertEqual(stack.served_state('bob-copy'), 'STOPPED')
        finally:
            with open(cfg, 'w') as f:
                f.write(original)
            stack.call(path('bob-copy'), CONTAINER_IFACE, 'Destroy', '(@a{sv} {},)')


class ServiceEnvironment(Base):
    """Programs start from a clean environment, never the service's."""

    def test_environment_is_clean(self):
        r = fd_call('alice', 'alice-web', 'RunCommand', ['/bin/sh', '-c', 'env'])
        self.assertNotIn('error', r, r)
        env = dict(l.split('=', 1) for l in r['out'].splitlines() if '=' in l)
        self.assertNotIn('DBUS_SYSTEM_BUS_ADDRESS', env)
        self.assertNotIn('G_DEBUG', env)
        self.assertEqual(env.get('container'), 'lxc', env)
        self.assertEqual(env.get('HOME'), '/root', env)
        self.assertEqual(env.get('PATH'), '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')

    def test_keep_env_cannot_fetch_the_services_variables(self):
        r = fd_call('alice', 'alice-web', 'RunCommand', ['/bin/sh', '-c', 'env'],
                    "{'clear_env': <true>, 'keep_env': <['DBUS_SYSTEM_BUS_ADDRESS', 'G_DEBUG', "
                    "'LXCD_TEST_SLOWDOWN', 'ASAN_OPTIONS']>}")
        self.assertNotIn('error', r, r)
        self.assertIn('PATH=', r['out'])
        for name in ('DBUS_SYSTEM_BUS_ADDRESS', 'G_DEBUG', 'ASAN_OPTIONS'):
            self.assertNotIn(name + '=', r['out'])

    def test_home_of_another_user_inside(self):
        r = fd_call('alice', 'alice-web', 'RunCommand', ['/bin/sh', '-c', 'echo $HOME'],
                    "{'uid': <uint32 1000>, 'gid': <uint32 1000>}")
        self.assertNotIn('error', r, r)
        self.assertEqual(r['out'], '/\n')


class PrivilegedContainers(Base):
    """Root inside a privileged container is root on the host: the shipped
    rules give exec and console only on unprivileged containers, and
    delegated users never make a privileged one."""

    def test_properties(self):
        def prop(name):
            r = stack.call(path(name), 'org.freedesktop.DBus.Properties', 'Get',
                           "('%s', 'Privileged')" % CONTAINER_IFACE)
            return lxcdtest.parse_variant(r.result_text)[0]
        self.assertTrue(prop('alice-priv'))
        self.assertFalse(prop('alice-web'))

    def test_own_container_is_unprivileged(self):
        with open(os.path.join(stack.lxcpath, 'alice-web', 'config')) as f:
            text = f.read()
        self.assertIn('lxc.idmap = u 0 %d %d' % (lxcdtest.SUBID_BASE, lxcdtest.SUBID_BLOCK), text)
        self.assertIn('lxc.idmap = g 0 %d %d' % (lxcdtest.SUBID_BASE, lxcdtest.SUBID_BLOCK), text)
        st = os.stat(os.path.join(stack.lxcpath, 'alice-web', 'rootfs'))
        self.assertEqual(st.st_uid, lxcdtest.SUBID_BASE)
        pid = int(open(os.path.join('/proc', str(self.init_pid('alice-web')), 'status')).read()
                  .split('\nUid:')[1].split()[0])
        self.assertEqual(pid, lxcdtest.SUBID_BASE)

    def test_each_container_maps_to_ids_of_its_own(self):
        # root in bob's container is not the host uid of root in alice's:
        # per-uid kernel limits, keyrings and inotify instances are theirs
        made = []
        try:
            for user, name in (('alice', 'alice-two'), ('bob', 'bob-one')):
                r = stack.call_as(uid[user], MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                                  "('%s', 'busybox', @a{sv} {})" % name, timeout=120)
                self.assertOk(r)
                made.append(name)
            bases = []
            for name in ('alice-web', 'alice-two', 'bob-one'):
                with open(os.path.join(stack.lxcpath, name, 'config')) as f:
                    maps = [l.split('=', 1)[1].split() for l in f.read().splitlines()
                            if l.startswith('lxc.idmap')]
                self.assertEqual(sorted(m[0] for m in maps), ['g', 'u'], maps)
                for m in maps:
                    self.assertEqual((m[1], m[3]), ('0', str(lxcdtest.SUBID_BLOCK)), maps)
                base = int([m for m in maps if m[0] == 'u'][0][2])
                self.assertEqual(os.stat(os.path.join(stack.lxcpath, name, 'rootfs')).st_uid, base)
                bases.append(base)
            self.assertEqual(len(set(bases)), 3, bases)
            for b in bases:
                self.assertEqual((b - lxcdtest.SUBID_BASE) % lxcdtest.SUBID_BLOCK, 0)
                self.assertLess(b, lxcdtest.SUBID_BASE + lxcdtest.SUBID_COUNT)
        finally:
            for name in made:
                stack.call(path(name), CONTAINER_IFACE, 'Destroy', '(@a{sv} {},)', timeout=120)
        self.lxcpath_before = tree_digest(stack.lxcpath)

    def init_pid(self, name):
        return stack.client().container(name).init_pid

    def test_run_in_a_privileged_container(self):
        self.assertRefused(fd_call('alice', 'alice-priv', 'RunCommand', ESCAPE))

    def test_shell_in_a_privileged_container(self):
        self.assertRefused(fd_call('alice', 'alice-priv', 'OpenShell'))

    def test_console_of_a_privileged_container(self):
        self.assertRefused(fd_call('alice', 'alice-priv', 'OpenConsole'))

    def test_attach_in_a_privileged_container(self):
        self.assertRefused(fd_call('alice', 'alice-priv', 'Attach', ESCAPE))

    def test_clone_a_privileged_container(self):
        r = as_user('alice', 'alice-priv', 'Clone', "('alice-copy', {'flags': <['allowrunning']>})")
        self.assertRefused(r)
        self.assertIn('privileged', r.result_text)
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'alice-copy')))
        self.assertLxcpathUnchanged()

    def test_restore_a_privileged_snapshot(self):
        stack.stop_container('alice-priv')
        try:
            self.assertOk(stack.call(path('alice-priv'), CONTAINER_IFACE, 'Snapshot', '(@a{sv} {},)'))
            before = tree_digest(stack.lxcpath)
            r = as_user('alice', 'alice-priv', 'RestoreSnapshot', "('snap0', 'alice-restored')")
            self.assertRefused(r)
            self.assertEqual(tree_digest(stack.lxcpath), before)
        finally:
            stack.call(path('alice-priv'), CONTAINER_IFACE, 'DestroyAllSnapshots')
            stack.start_container('alice-priv')
            stack.wait_init_ready('alice-priv')
        self.lxcpath_before = tree_digest(stack.lxcpath)

    def test_map_the_container_onto_host_root(self):
        r = stack.call_as(uid['alice'], MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                          "('alice-root', 'busybox', {'config': <{'lxc.idmap': 'u 0 0 65536'}>})")
        self.assertRefused(r)
        self.assertLxcpathUnchanged()

    def test_include_a_host_file(self):
        r = stack.call_as(uid['alice'], MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                          "('alice-inc', 'busybox', {'config': <{'lxc.include': '/etc/shadow'}>})")
        self.assertRefused(r)
        self.assertLxcpathUnchanged()

    def test_other_users_container(self):
        self.assertRefused(fd_call('bob', 'alice-web', 'RunCommand', ESCAPE))
        self.assertRefused(as_user('bob', 'alice-web', 'Stop'))
        self.assertEqual(stack.container_state('alice-web'), 'RUNNING')


if __name__ == '__main__':
    lxcdtest.main()
