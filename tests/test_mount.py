#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Mount and Unmount: a host directory or file bound into a running
container is read from inside and goes away with Unmount; readonly (and the
other flags) hold inside from the start; a container without liblxc's
shmounts gets NotSupported; polkit decides (configure-host, details source
and target); bad input is InvalidArgument and a stopped container
WrongState, and none of them mounts anything (the init's mountinfo is
unchanged)."""
import os
import subprocess
import tempfile

from gi.repository import GLib

import lxcdtest
from lxcdtest import UNPRIV_UID, UNPRIV_USER

stack = None
client = None
SHARED = None   # the host side of c1's shmounts: a tmpfs with shared propagation
SOURCE = None   # a host directory with a marker file
MARKER = 'lxcd mount marker\n'

RULE_CONFIGURE_HOST = '''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.configure-host" &&
        action.lookup("target") == "/mnt/lxcd-user")
        return polkit.Result.YES;
});
''' % UNPRIV_USER


def setUpModule():
    global stack, client, SHARED, SOURCE
    stack = lxcdtest.Stack().start()
    lxcdtest.check_private_mount_namespace()
    SHARED = tempfile.mkdtemp(prefix='lxcd-shmounts-', dir=stack.tmpdir)
    subprocess.run(['mount', '-t', 'tmpfs', 'lxcd-shmounts', SHARED], check=True)
    subprocess.run(['mount', '--make-shared', SHARED], check=True)
    SOURCE = tempfile.mkdtemp(prefix='lxcd-mount-src-', dir=stack.tmpdir)
    os.chmod(SOURCE, 0o755)
    with open(os.path.join(SOURCE, 'marker'), 'w') as f:
        f.write(MARKER)
    # c1 has liblxc's shared mount point, c2 not, c3 stays stopped
    d = stack.make_container('c1', {'lxc.mount.auto': 'shmounts:%s:/.lxc-mounts' % SHARED})
    os.makedirs(os.path.join(d, 'rootfs', '.lxc-mounts'), exist_ok=True)
    stack.make_container('c2')
    stack.make_container('c3')
    stack.start_daemon()
    client = stack.client(timeout=60)
    for name in ('c1', 'c2'):
        client.container(name).start()
        stack.wait_init_ready(name)


def tearDownModule():
    if stack:
        stack.close()
    if SHARED:
        subprocess.run(['umount', '-l', SHARED], stderr=subprocess.DEVNULL)


def mounts(name='c1'):
    """The mount points in the container's init's mountinfo."""
    with open('/proc/%d/mountinfo' % client.container(name).init_pid) as f:
        return [line.split()[4] for line in f]


def mount_options(name, target):
    with open('/proc/%d/mountinfo' % client.container(name).init_pid) as f:
        for line in f:
            fields = line.split()
            if fields[4] == target:
                return fields[5].split(',')
    return None


def inside(argv, name='c1'):
    return client.container(name).run(argv)


class Bind(lxcdtest.TestCase):
    def test_directory_then_unmount(self):
        c1 = client.container('c1')
        c1.mount(SOURCE, '/mnt/lxcd-dir')
        self.assertIn('/mnt/lxcd-dir', mounts())
        r = inside(['cat', '/mnt/lxcd-dir/marker'])
        self.assertEqual((r.status, r.stdout), (0, MARKER))
        # writable by default: written inside, seen on the host
        r = inside(['sh', '-c', 'echo inside > /mnt/lxcd-dir/written'])
        self.assertEqual(r.status, 0, r.stderr)
        with open(os.path.join(SOURCE, 'written')) as f:
            self.assertEqual(f.read(), 'inside\n')
        os.unlink(os.path.join(SOURCE, 'written'))
        c1.unmount('/mnt/lxcd-dir')
        self.assertNotIn('/mnt/lxcd-dir', mounts())
        r = inside(['cat', '/mnt/lxcd-dir/marker'])
        self.assertNotEqual(r.status, 0)
        # nothing is left on the host's side of the shared mount point
        self.assertEqual(os.listdir(SHARED), [])

    def test_readonly_refuses_writes_inside(self):
        c1 = client.container('c1')
        c1.mount(SOURCE, '/mnt/lxcd-ro', readonly=True, nosuid=True, nodev=True, noexec=True)
        try:
            opts = mount_options('c1', '/mnt/lxcd-ro')
            for flag in ('ro', 'nosuid', 'nodev', 'noexec'):
                self.assertIn(flag, opts)
            r = inside(['cat', '/mnt/lxcd-ro/marker'])
            self.assertEqual((r.status, r.stdout), (0, MARKER))
            r = inside(['sh', '-c', 'echo x > /mnt/lxcd-ro/new'])
            self.assertNotEqual(r.status, 0)
            self.assertFalse(os.path.exists(os.path.join(SOURCE, 'new')))
        finally:
            c1.unmount('/mnt/lxcd-ro')
        self.assertNotIn('/mnt/lxcd-ro', mounts())
        # the staging mount is gone from the host
        with open('/proc/self/mountinfo') as f:
            self.assertNotIn('lxc-dbus-mount-', f.read())

    def test_file_and_lazy_unmount(self):
        c1 = client.container('c1')
        c1.mount(os.path.join(SOURCE, 'marker'), '/etc/lxcd-marker')
        r = inside(['cat', '/etc/lxcd-marker'])
        self.assertEqual((r.status, r.stdout), (0, MARKER))
        c1.unmount('/etc/lxcd-marker', lazy=True)
        self.assertNotIn('/etc/lxcd-marker', mounts())

    def test_unmount_of_nothing_fails(self):
        before = mounts()
        with self.assertRaisesDBus('Failed'):
            client.container('c1').unmount('/mnt/lxcd-never-mounted')
        self.assertEqual(mounts(), before)

    def test_without_shmounts_not_supported(self):
        before = mounts('c2')
        with self.assertRaisesDBus('NotSupported') as cm:
            client.container('c2').mount(SOURCE, '/mnt/lxcd-dir')
        self.assertIn('shmounts', str(cm.exception))
        self.assertEqual(mounts('c2'), before)

    def test_stopped_is_wrong_state(self):
        with self.assertRaisesDBus('WrongState'):
            client.container('c3').mount(SOURCE, '/mnt/lxcd-dir')
        with self.assertRaisesDBus('WrongState'):
            client.container('c3').unmount('/mnt/lxcd-dir')


class Polkit(lxcdtest.TestCase):
    def test_user_without_rule_is_refused(self):
        stack.clear_rules()
        before = mounts()
        user = stack.client_as(UNPRIV_UID)
        try:
            with self.assertRaisesDBus('NotAuthorized'):
                user.container('c1').mount(SOURCE, '/mnt/lxcd-user')
            self.assertEqual(mounts(), before)
            client.container('c1').mount(SOURCE, '/mnt/lxcd-user')
            with self.assertRaisesDBus('NotAuthorized'):
                user.container('c1').unmount('/mnt/lxcd-user')
            self.assertIn('/mnt/lxcd-user', mounts())
            client.container('c1').unmount('/mnt/lxcd-user')
        finally:
            user.close()

    def test_user_with_configure_host_for_the_target(self):
        stack.set_rules(RULE_CONFIGURE_HOST)
        user = stack.client_as(UNPRIV_UID)
        try:
            # the rule names the target detail: another one is refused
            with self.assertRaisesDBus('NotAuthorized'):
                user.container('c1').mount(SOURCE, '/mnt/lxcd-other')
            user.container('c1').mount(SOURCE, '/mnt/lxcd-user')
            r = inside(['cat', '/mnt/lxcd-user/marker'])
            self.assertEqual((r.status, r.stdout), (0, MARKER))
            user.container('c1').unmount('/mnt/lxcd-user')
            self.assertNotIn('/mnt/lxcd-user', mounts())
        finally:
            user.close()
            stack.clear_rules()


class BadInput(lxcdtest.TestCase):
    def test_bad_input_mounts_nothing(self):
        link = os.path.join(stack.tmpdir, 'lxcd-mount-link')
        if not os.path.lexists(link):
            os.symlink(SOURCE, link)
        c1 = client.container('c1')
        before = mounts()
        cases = [
            ((os.path.relpath(SOURCE, '/'), '/mnt/x'), {}),
            ((SOURCE, 'mnt/x'), {}),
            ((SOURCE, '/'), {}),
            ((SOURCE + '/../' + os.path.basename(SOURCE), '/mnt/x'), {}),
            ((SOURCE, '/mnt/../etc'), {}),
            ((SOURCE, '/mnt/x\ny'), {}),
            ((SOURCE + '\t', '/mnt/x'), {}),
            ((SOURCE + '/nonexistent', '/mnt/x'), {}),
            ((link, '/mnt/x'), {}),
            ((SOURCE, '/mnt/' + 'x' * 4100), {}),
            ((SOURCE, '/mnt/x'), {'mountflags': 4096}),
            ((SOURCE, '/mnt/x'), {'readonly': GLib.Variant('s', 'yes')}),
            ((SOURCE, '/mnt/x'), {'data': 'size=1m'}),
            ((SOURCE, '/mnt/x'), {'fstype': 'tmpfs', 'recursive': True}),
            ((SOURCE, '/mnt/x'), {'fstype': 'tmp fs'}),
            ((SOURCE, '/mnt/x'), {'fstype': 'tmpfs', 'data': 'size=1m\nmode=0777'}),
            ((SOURCE, '/mnt/x'), {'fstype': 'tmpfs', 'data': 'x' * 4097}),
        ]
        for args, options in cases:
            with self.subTest(args=args, options=options):
                with self.assertRaisesDBus('InvalidArgument'):
                    c1.mount(*args, **options)
        for target, options in (('mnt/x', {}), ('/', {}), ('/mnt/x', {'force': True}),
                                ('/mnt/x', {'lazy': GLib.Variant('i', 1)})):
            with self.subTest(target=target, options=options):
                with self.assertRaisesDBus('InvalidArgument'):
                    c1.unmount(target, **options)
        self.assertEqual(mounts(), before)


if __name__ == '__main__':
    lxcdtest.main()
