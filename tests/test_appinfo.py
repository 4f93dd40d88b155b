#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What applications need to show a container (issue 17):

- Container.GetPermissions: what the caller may do, as polkit decides it
  for the caller with the real details, never prompting (checked against
  polkit's own answers for per-container rules);
- Container.GetOSRelease: the root file system's os-release, read without
  following links out of it (links planted by root in the container, FIFOs,
  devices and huge files never reach the host's files or hang the service);
- Container.GetConsoleLog: liblxc's console ring buffer, read and cleared.

Each through a real client, as root and as an unprivileged user with and
without rules, with bad input refused and nothing changed."""
import os
import subprocess
import time

from gi.repository import GLib

import lxcclient
import lxcdtest
from lxcdtest import UNPRIV_UID, UNPRIV_USER

stack = None
A = 'org.linuxcontainers.LXC1.'
ACTIONS = [A + a for a in ('read-config', 'lifecycle', 'manage', 'configure', 'configure-host',
                           'exec', 'console')]
# A host file no container may make the service read: its text must never
# appear in a reply.
CANARY_TEXT = 'LXCD_HOST_CANARY_%d' % os.getpid()
BUFFER = {'lxc.console.buffer.size': 'auto'}

# nobody, per container: on c1 read-config and lifecycle yes, manage asks
# for authentication, exec yes only with the "privileged" detail the service
# passes for exec (c1 is privileged); everything else no, on every container.
RULES = '''
polkit.addRule(function(action, subject) {
    var A = "org.linuxcontainers.LXC1.";
    if (subject.user != "%s" || action.id.indexOf(A) != 0)
        return polkit.Result.NOT_HANDLED;
    var c = action.lookup("container");
    if (c == "c1" || c == "con") {
        if (action.id == A + "read-config" || action.id == A + "lifecycle")
            return polkit.Result.YES;
        if (action.id == A + "manage")
            return polkit.Result.AUTH_ADMIN;
        if (action.id == A + "exec" && action.lookup("privileged") == "true")
            return polkit.Result.YES;
        if (action.id == A + "console" && c == "con")
            return polkit.Result.YES;
    }
    return polkit.Result.NO;
});
''' % UNPRIV_USER


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2', 'run'):
        stack.make_container(name)
    stack.make_container('con', config=BUFFER)
    with open(os.path.join(stack.tmpdir, 'canary'), 'w') as f:
        f.write('ID=%s\n%s\n' % (CANARY_TEXT, CANARY_TEXT))
    stack.start_daemon()


def tearDownModule():
    stack.close()


def rootfs(name, *parts):
    return os.path.join(stack.lxcpath, name, 'rootfs', *parts)


def canary_path():
    return os.path.join(stack.tmpdir, 'canary')


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, mode)


def remove(path):
    if os.path.lexists(path):
        os.unlink(path)


def polkit_answer(bus_name, action, details):
    """What polkit itself says: yes, auth or no."""
    authorized, challenge, _ = stack.check_authorization(bus_name, action, details)
    return 'yes' if authorized else 'auth' if challenge else 'no'


def ensure_running(name):
    if stack.container_state(name) != 'RUNNING':
        stack.start_container(name)
        stack.wait_init_ready(name)
    lxcdtest.wait_until(lambda: stack.served_state(name) == 'RUNNING', 10)


class Permissions(lxcdtest.TestCase):
    def tearDown(self):
        stack.clear_rules()

    def test_root_gets_yes_for_everything(self):
        perms = stack.client().container('c1').get_permissions()
        self.assertEqual(perms, {a: 'yes' for a in ACTIONS})

    def test_answers_match_polkit_per_container(self):
        stack.set_rules(RULES)
        with stack.client_as(UNPRIV_UID) as nobody:
            c1 = nobody.container('c1').get_permissions()
            c2 = nobody.container('c2').get_permissions()
            self.assertEqual(c1, {A + 'read-config': 'yes', A + 'lifecycle': 'yes',
                                  A + 'manage': 'auth', A + 'configure': 'no',
                                  A + 'configure-host': 'no', A + 'exec': 'yes',
                                  A + 'console': 'no'})
            self.assertEqual(c2, {a: 'no' for a in ACTIONS})
            # the same as polkit answers for that caller with those details
            for name, perms in (('c1', c1), ('c2', c2)):
                for action in ACTIONS:
                    details = {'container': name, 'lxcpath': stack.lxcpath}
                    if action in (A + 'exec', A + 'console'):
                        details['privileged'] = 'true'
                    self.assertEqual(perms[action],
                                     polkit_answer(nobody.unique_name, action, details),
                                     '%s on %s' % (action, name))
            # and what the calls themselves get
            self.assertIsInstance(nobody.container('c1').get_keys(''), list)
            with self.assertRaisesDBus('NotAuthorized'):
                nobody.container('c2').get_keys('')

    def test_default_policy_is_auth(self):
        # no rules: the policy's default for a caller without a session
        # is auth_admin for every action
        with stack.client_as(UNPRIV_UID) as nobody:
            self.assertEqual(nobody.container('c1').get_permissions(),
                             {a: 'auth' for a in ACTIONS})

    def test_never_prompts(self):
        # An interactive check with no agent would end "not authorized":
        # "auth" shows the service asked without interaction, even when
        # the caller allows it (flag and option).
        stack.set_rules(RULES)
        with stack.client_as(UNPRIV_UID) as nobody:
            for options in ("@a{sv} {}", "{'auth.no_user_interaction': <false>}"):
                t0 = time.monotonic()
                r = nobody.call(lxcdtest.container_path('c1'), lxcdtest.CONTAINER_IFACE,
                                'GetPermissions', '(%s,)' % options, allow_interactive=True)
                self.assertTrue(r.ok, r)
                self.assertIn("'%smanage': 'auth'" % A, r.result_text)
                self.assertLess(time.monotonic() - t0, 5)

    def test_bad_input(self):
        with stack.client_as(UNPRIV_UID) as nobody:
            c1 = nobody.container('c1')
            for options in ({'uid': 0}, {'subject': 'system-bus-name'},
                            {'auth.no_user_interaction': GLib.Variant('s', 'yes')}):
                with self.assertRaisesDBus('InvalidArgument'):
                    c1.get_permissions(**options)
        self.assertEqual(stack.container_state('c1'), 'STOPPED')


class OSRelease(lxcdtest.TestCase):
    def setUp(self):
        for p in ('etc/os-release', 'usr/lib/os-release'):
            remove(rootfs('c1', p))
        if os.path.islink(rootfs('c1', 'etc')):
            os.unlink(rootfs('c1', 'etc'))
            os.rename(rootfs('c1', 'etc.real'), rootfs('c1', 'etc'))

    def tearDown(self):
        self.setUp()
        stack.clear_rules()

    def os_release(self, name='c1'):
        return stack.client().container(name).get_os_release()

    def assertNoCanary(self, name='c1'):
        """GetOSRelease on *name* says nothing of the host's canary file."""
        try:
            text = repr(self.os_release(name))
        except lxcclient.Error as e:
            text = '%s %s' % (e.name, e)
        self.assertNotIn(CANARY_TEXT, text)
        return text

    def test_parsed_with_quoting_removed(self):
        write(rootfs('c1', 'etc/os-release'),
              '# a comment\n'
              'NAME="Busy Box"\n'
              "ID=busybox\n"
              "VERSION_ID='1.36'\n"
              'PRETTY_NAME="A \\"quoted\\" \\$name"\n'
              'ID_LIKE=one\\ two   \n'
              '\n'
              'not a field\n'
              'BAD KEY=x\n'
              'UNCLOSED="x\n'
              'EMPTY=\n')
        self.assertEqual(self.os_release(), {
            'NAME': 'Busy Box', 'ID': 'busybox', 'VERSION_ID': '1.36',
            'PRETTY_NAME': 'A "quoted" $name', 'ID_LIKE': 'one two', 'EMPTY': ''})

    def test_usr_lib_when_etc_has_none(self):
        write(rootfs('c1', 'usr/lib/os-release'), 'ID=fromusr\n')
        self.assertEqual(self.os_release(), {'ID': 'fromusr'})
        write(rootfs('c1', 'etc/os-release'), 'ID=frometc\n')
        self.assertEqual(self.os_release(), {'ID': 'frometc'})

    def test_link_inside_the_rootfs_is_followed(self):
        # as most distributions ship it
        write(rootfs('c1', 'usr/lib/os-release'), 'ID=linked\n')
        os.symlink('../usr/lib/os-release', rootfs('c1', 'etc/os-release'))
        self.assertEqual(self.os_release(), {'ID': 'linked'})
        remove(rootfs('c1', 'etc/os-release'))
        os.symlink('/usr/lib/os-release', rootfs('c1', 'etc/os-release'))
        self.assertEqual(self.os_release(), {'ID': 'linked'})

    def test_not_found(self):
        with self.assertRaisesDBus('NotFound'):
            self.os_release()

    def test_unprivileged_with_and_without_rules(self):
        write(rootfs('c1', 'etc/os-release'), 'ID=busybox\n')
        write(rootfs('c2', 'etc/os-release'), 'ID=busybox\n')
        try:
            with stack.client_as(UNPRIV_UID) as nobody:
                with self.assertRaisesDBus('NotAuthorized'):
                    nobody.container('c1').get_os_release()
            stack.set_rules(RULES)
            with stack.client_as(UNPRIV_UID) as nobody:
                self.assertEqual(nobody.container('c1').get_os_release(), {'ID': 'busybox'})
                with self.assertRaisesDBus('NotAuthorized'):
                    nobody.container('c2').get_os_release()
        finally:
            remove(rootfs('c2', 'etc/os-release'))

    def test_bad_input(self):
        with self.assertRaisesDBus('org.freedesktop.DBus.Error.InvalidArgs'):
            stack.client().call_variant(lxcdtest.container_path('c1'), lxcdtest.CONTAINER_IFACE,
                                        'GetOSRelease', GLib.Variant('(s)', ('/etc/shadow',)))

    # -- red team: what root in the container can plant

    def test_absolute_link_out_of_the_rootfs(self):
        os.symlink(canary_path(), rootfs('c1', 'etc/os-release'))
        self.assertIn('NotFound', self.assertNoCanary())
        # resolved inside: the container's own /etc/shadow, if any, which
        # holds no KEY=value line
        remove(rootfs('c1', 'etc/os-release'))
        os.symlink('/etc/shadow', rootfs('c1', 'etc/os-release'))
        write(rootfs('c1', 'usr/lib/os-release'), 'ID=inside\n')
        text = self.assertNoCanary()
        self.assertNotIn('root:', text)

    def test_relative_link_out_of_the_rootfs(self):
        os.symlink('../' * 20 + canary_path().lstrip('/'), rootfs('c1', 'etc/os-release'))
        self.assertNoCanary()
        remove(rootfs('c1', 'etc/os-release'))
        os.symlink('../' * 20 + 'etc/os-release', rootfs('c1', 'usr/lib/os-release'))
        self.assertNoCanary()

    def test_etc_a_link_to_a_host_directory(self):
        host_etc = os.path.join(stack.tmpdir, 'host-etc')
        write(os.path.join(host_etc, 'os-release'), 'ID=%s\n' % CANARY_TEXT)
        os.rename(rootfs('c1', 'etc'), rootfs('c1', 'etc.real'))
        os.symlink(host_etc, rootfs('c1', 'etc'))
        self.assertNoCanary()

    def test_magic_link(self):
        os.symlink('/proc/self/root' + canary_path(), rootfs('c1', 'etc/os-release'))
        self.assertNoCanary()

    def test_fifo_device_and_huge_file_neither_hang_nor_read(self):
        os.mkfifo(rootfs('c1', 'etc/os-release'))
        t0 = time.monotonic()
        with self.assertRaisesDBus('Failed') as cm:
            self.os_release()
        self.assertIn('not a regular file', str(cm.exception))
        remove(rootfs('c1', 'etc/os-release'))
        os.mknod(rootfs('c1', 'etc/os-release'), 0o644 | 0o020000, os.makedev(1, 5))  # zero
        with self.assertRaisesDBus('Failed') as cm:
            self.os_release()
        self.assertIn('not a regular file', str(cm.exception))
        remove(rootfs('c1', 'etc/os-release'))
        with open(rootfs('c1', 'etc/os-release'), 'w') as f:
            f.truncate(4 << 30)   # sparse: 4 GiB
        with self.assertRaisesDBus('Failed') as cm:
            self.os_release()
        self.assertIn('larger than', str(cm.exception))
        self.assertLess(time.monotonic() - t0, 10)
        # the service still answers
        self.assertEqual(stack.client().container('c1').state, 'STOPPED')

    def test_planted_by_root_in_a_running_container(self):
        """What a caller with exec can do: root inside replaces the file by
        links to the host's files."""
        ensure_running('run')
        c = stack.client().container('run')
        try:
            for target in ('/etc/shadow', canary_path(), '../' * 10 + canary_path().lstrip('/')):
                r = c.run(['/bin/sh', '-c', 'rm -f /etc/os-release; ln -s "$1" /etc/os-release',
                           'sh', target])
                self.assertEqual(r.status, 0, r)
                try:
                    text = repr(c.get_os_release())
                except lxcclient.Error as e:
                    text = '%s %s' % (e.name, e)
                self.assertNotIn(CANARY_TEXT, text)
                self.assertNotIn('root:', text)
            # a regular file planted inside is read, running or not
            r = c.run(['/bin/sh', '-c', 'rm -f /etc/os-release; echo ID=planted > /etc/os-release'])
            self.assertEqual(r.status, 0, r)
            self.assertEqual(c.get_os_release(), {'ID': 'planted'})
        finally:
            stack.stop_container('run')

    def test_rootfs_that_is_not_a_directory(self):
        config = os.path.join(stack.lxcpath, 'c2', 'config')
        with open(config) as f:
            before = f.read()
        try:
            with open(config, 'a') as f:
                f.write('lxc.rootfs.path = lvm:/dev/lxcd-test-vg/c2\n')
            with self.assertRaisesDBus('NotSupported'):
                self.os_release('c2')
        finally:
            with open(config, 'w') as f:
                f.write(before)


class ConsoleLog(lxcdtest.TestCase):
    @classmethod
    def setUpClass(cls):
        ensure_running('con')

    @classmethod
    def tearDownClass(cls):
        stack.stop_container('con')
        stack.clear_rules()

    def echo(self, text):
        r = stack.client().container('con').run(['/bin/sh', '-c', 'echo "$1" > /dev/console',
                                                  'sh', text])
        self.assertEqual(r.status, 0, r)

    def log(self, **options):
        return stack.client().container('con').get_console_log(**options)

    def test_read_consumes_and_clear(self):
        self.log(clear=True)
        self.echo('marker-one')
        text = self.log()
        self.assertIn('marker-one', text)
        # liblxc hands out what came since the last read
        self.assertNotIn('marker-one', self.log())
        self.echo('marker-two')
        self.assertIn('marker-two', self.log(clear=True))
        self.assertEqual(self.log(), '')

    def test_unprivileged(self):
        self.log(clear=True)
        self.echo('marker-nobody')
        with stack.client_as(UNPRIV_UID) as nobody:
            with self.assertRaisesDBus('NotAuthorized'):
                nobody.container('con').get_console_log(clear=True)
        # the refused call read and cleared nothing
        self.assertIn('marker-nobody', self.log())
        self.echo('marker-rule')
        stack.set_rules(RULES)
        with stack.client_as(UNPRIV_UID) as nobody:
            self.assertIn('marker-rule', nobody.container('con').get_console_log())
            with self.assertRaisesDBus('NotAuthorized'):
                nobody.container('c1').get_console_log()
        stack.clear_rules()

    def test_bad_input(self):
        self.log(clear=True)
        self.echo('marker-bad')
        for options in ({'clear': 'yes'}, {'clear': 1}, {'bogus': True}):
            with self.assertRaisesDBus('InvalidArgument'):
                self.log(**options)
        self.assertIn('marker-bad', self.log())

    def test_not_running_and_no_buffer(self):
        with self.assertRaisesDBus('WrongState'):
            stack.client().container('c1').get_console_log()
        ensure_running('run')
        try:
            with self.assertRaisesDBus('NotSupported') as cm:
                stack.client().container('run').get_console_log()
            self.assertIn('lxc.console.buffer.size', str(cm.exception))
        finally:
            stack.stop_container('run')

    def test_not_utf8(self):
        self.log(clear=True)
        r = stack.client().container('con').run(
            ['/bin/sh', '-c', "printf 'bad-\\377\\376-end\\n' > /dev/console"])
        self.assertEqual(r.status, 0, r)
        text = self.log()
        self.assertIn('bad-', text)
        self.assertIn('-end', text)
        self.assertIn('\ufffd', text)


if __name__ == '__main__':
    lxcdtest.main()
