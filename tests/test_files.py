#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""CopyTo and CopyFrom: bytes (empty, binary, a few MB) go in and come back
unchanged, with the mode and owner asked for (inside, and mapped on the host
for an unprivileged container); replace, create_parents and max_size do
what they say; FIFOs, devices, directories and links are refused; bad input
is InvalidArgument and writes nothing; polkit decides (exec, with the
details privileged and path); a cancelled copy leaves nothing.

Red team: root in the container plants links (absolute, relative, a
directory in the middle of the path, /proc magic links) at a host canary
outside the root file system: CopyTo never changes it, CopyFrom never
returns its contents."""
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import time

import lxcclient
import lxcdtest
from lxcdtest import CONTAINER_IFACE, MANAGER_IFACE, MANAGER_PATH, UNPRIV_UID, UNPRIV_USER

stack = None
client = None
CANARY_DIR = None
CANARY_TEXT = b'HOST CANARY: must never be read or written through a container\n'
MB = 1 << 20
# u1 is made by a user (without configure-host) through the service:
# unprivileged, with an id map
CONTAINERS = ('c1', 'u1')

RULE_ALL = '''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id.indexOf("org.linuxcontainers.LXC1.") == 0 &&
        action.id != "org.linuxcontainers.LXC1.configure-host")
        return polkit.Result.YES;
});
''' % UNPRIV_USER


def setUpModule():
    global stack, client, CANARY_DIR
    stack = lxcdtest.Stack().start()
    # what u1 gets without configure-host: no network, in this mount
    # namespace only
    lxcdtest.check_private_mount_namespace(('/etc/lxc/default.conf',))
    default_conf = os.path.join(stack.tmpdir, 'default.conf')
    with open(default_conf, 'w') as f:
        f.write('lxc.net.0.type = empty\n')
    subprocess.run(['mount', '--bind', default_conf, '/etc/lxc/default.conf'], check=True)
    stack.make_container('c1')
    stack.make_container('c2')
    stack.start_daemon()
    client = stack.client(timeout=60)
    stack.set_rules(RULE_ALL)
    r = stack.call_as(UNPRIV_UID, MANAGER_PATH, MANAGER_IFACE, 'CreateContainer',
                      "('u1', 'busybox', @a{sv} {})")
    if not r.ok:
        raise lxcdtest.HarnessError('the user could not create u1: %s' % (r,))
    stack.clear_rules()
    for name in CONTAINERS:
        client.container(name).start()
        stack.wait_init_ready(name)
    # the host's canary: outside every root file system
    CANARY_DIR = tempfile.mkdtemp(prefix='lxcd-files-canary-')
    os.chmod(CANARY_DIR, 0o755)
    with open(os.path.join(CANARY_DIR, 'host-canary'), 'wb') as f:
        f.write(CANARY_TEXT)


def tearDownModule():
    if CANARY_DIR:
        shutil.rmtree(CANARY_DIR, ignore_errors=True)
    subprocess.run(['umount', '/etc/lxc/default.conf'], stderr=subprocess.DEVNULL)
    if stack:
        stack.close()


def rootfs(name):
    return os.path.join(stack.lxcpath, name, 'rootfs')


def host_path(name, path):
    return os.path.join(rootfs(name), path.lstrip('/'))


def idmap_base(name):
    """The host uid of root in *name* (0 for a privileged container)."""
    with open(os.path.join(stack.lxcpath, name, 'config')) as f:
        for line in f:
            k, _, v = line.partition('=')
            if k.strip() == 'lxc.idmap' and v.split()[0] == 'u':
                return int(v.split()[2])
    return 0


def copy_to(name, path, data, **options):
    """CopyTo *data* (through a pipe written by a thread) as root."""
    r, w = os.pipe()

    def feed():
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(w, view[:65536]):]
        except OSError:
            pass
        finally:
            os.close(w)
    t = threading.Thread(target=feed, daemon=True)
    t.start()
    try:
        client.container(name).copy_to(r, path, **options)
    finally:
        os.close(r)
        t.join(10)


def copy_from(name, path, **options):
    """CopyFrom *path* as root: (bytes, info)."""
    r, w = os.pipe()
    out = []

    def drain():
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            out.append(chunk)
    t = threading.Thread(target=drain, daemon=True)
    t.start()
    try:
        info = client.container(name).copy_from(path, w, **options)
    finally:
        os.close(w)
        t.join(30)
        os.close(r)
    return b''.join(out), info


def sh(name, script):
    """A shell script as root in *name*: its stdout (status 0 asserted)."""
    r = client.container(name).run(['/bin/sh', '-c', script])
    assert r.status == 0, (script, r)
    return r.stdout


def sha(data):
    return hashlib.sha256(data).hexdigest()


def canary_intact():
    names = sorted(os.listdir(CANARY_DIR))
    with open(os.path.join(CANARY_DIR, 'host-canary'), 'rb') as f:
        return names == ['host-canary'] and f.read() == CANARY_TEXT


class RoundTrip(lxcdtest.TestCase):
    def test_bytes_round_trip(self):
        for name in CONTAINERS:
            for data in (b'', b'hello\n', bytes(range(256)) * 17, os.urandom(3 * MB + 7)):
                with self.subTest(container=name, size=len(data)):
                    copy_to(name, '/tmp/rt', data)
                    # as the container sees it, and on the host
                    self.assertEqual(sh(name, 'sha256sum /tmp/rt').split()[0], sha(data))
                    with open(host_path(name, '/tmp/rt'), 'rb') as f:
                        self.assertEqual(f.read(), data)
                    back, info = copy_from(name, '/tmp/rt')
                    self.assertEqual(back, data)
                    self.assertEqual(info['size'], len(data))
                    self.assertEqual((info['mode'], info['uid'], info['gid']), (0o644, 0, 0))
        # no temporary file stays behind
        self.assertEqual(sh('c1', 'ls -a /tmp | grep -c lxcd-copy || true').strip(), '0')

    def test_mode_and_owner(self):
        for name in CONTAINERS:
            with self.subTest(container=name):
                copy_to(name, '/tmp/owned', b'x', mode=0o4750, uid=1000, gid=100)
                self.assertEqual(sh(name, "stat -c '%a %u %g' /tmp/owned").strip(), '4750 1000 100')
                _, info = copy_from(name, '/tmp/owned')
                self.assertEqual((info['mode'], info['uid'], info['gid']), (0o4750, 1000, 100))
                # on the host: the mapped ids (an unprivileged container's
                # root is not the host's)
                st = os.lstat(host_path(name, '/tmp/owned'))
                base = idmap_base(name)
                if name == 'u1':
                    self.assertGreaterEqual(base, lxcdtest.SUBID_BASE)
                self.assertEqual((st.st_uid, st.st_gid), (base + 1000, base + 100))
                self.assertEqual(st.st_mode & 0o7777, 0o4750)

    def test_default_owner_in_an_unprivileged_container_is_its_root(self):
        copy_to('u1', '/tmp/rootowned', b'x')
        st = os.lstat(host_path('u1', '/tmp/rootowned'))
        self.assertEqual(st.st_uid, idmap_base('u1'))
        self.assertNotEqual(st.st_uid, 0)

    def test_an_id_the_container_does_not_map_fails(self):
        with self.assertRaisesDBus('Failed'):
            copy_to('u1', '/tmp/unmapped', b'x', uid=70000)
        self.assertFalse(os.path.lexists(host_path('u1', '/tmp/unmapped')))

    def test_replace(self):
        copy_to('c1', '/tmp/rep', b'old')
        with self.assertRaisesDBus('AlreadyExists'):
            copy_to('c1', '/tmp/rep', b'new', replace=False)
        self.assertEqual(copy_from('c1', '/tmp/rep')[0], b'old')
        copy_to('c1', '/tmp/rep', b'new')
        self.assertEqual(copy_from('c1', '/tmp/rep')[0], b'new')
        copy_to('c1', '/tmp/rep-fresh', b'fresh', replace=False)
        self.assertEqual(copy_from('c1', '/tmp/rep-fresh')[0], b'fresh')

    def test_a_directory_is_not_replaced(self):
        sh('c1', 'mkdir -p /tmp/adir/sub')
        with self.assertRaisesDBus('InvalidArgument'):
            copy_to('c1', '/tmp/adir', b'x')
        self.assertTrue(os.path.isdir(host_path('c1', '/tmp/adir/sub')))

    def test_create_parents(self):
        with self.assertRaisesDBus('NotFound'):
            copy_to('c1', '/tmp/p1/p2/p3/f', b'x')
        self.assertFalse(os.path.lexists(host_path('c1', '/tmp/p1')))
        copy_to('c1', '/tmp/p1/p2/p3/f', b'deep', create_parents=True)
        self.assertEqual(copy_from('c1', '/tmp/p1/p2/p3/f')[0], b'deep')
        self.assertEqual(sh('c1', "stat -c '%a %u' /tmp/p1/p2").strip(), '755 0')

    def test_copy_from_refuses_what_is_not_a_regular_file(self):
        sh('c1', 'rm -f /tmp/fifo; mkfifo /tmp/fifo; ln -sf /etc/hostname /tmp/link')
        for path in ('/dev/zero', '/dev/null', '/tmp/fifo', '/etc', '/tmp/link'):
            with self.subTest(path=path):
                start = time.monotonic()
                with self.assertRaisesDBus('InvalidArgument'):
                    copy_from('c1', path)
                self.assertLess(time.monotonic() - start, 20)
        with self.assertRaisesDBus('NotFound'):
            copy_from('c1', '/tmp/no-such-file')

    def test_max_size(self):
        copy_to('c1', '/tmp/big', b'b' * (2 * MB))
        with self.assertRaisesDBus('InvalidArgument'):
            copy_from('c1', '/tmp/big', max_size=MB)
        self.assertEqual(len(copy_from('c1', '/tmp/big', max_size=2 * MB)[0]), 2 * MB)
        with self.assertRaisesDBus('InvalidArgument'):
            copy_to('c1', '/tmp/toobig', b'b' * (2 * MB), max_size=MB)
        self.assertFalse(os.path.lexists(host_path('c1', '/tmp/toobig')))

    def test_stopped_container(self):
        with self.assertRaisesDBus('WrongState'):
            copy_to('c2', '/tmp/x', b'x')
        with self.assertRaisesDBus('WrongState'):
            copy_from('c2', '/etc/hostname')
        self.assertFalse(os.path.lexists(host_path('c2', '/tmp/x')))

    def test_cancel_leaves_nothing(self):
        # a source that never ends: the Job's Cancel stops the copy
        r, w = os.pipe()
        result = {}

        def call():
            try:
                client.container('c1').copy_to(r, '/tmp/cancelled')
                result['ok'] = True
            except lxcclient.Error as e:
                result['error'] = e.name
        t = threading.Thread(target=call, daemon=True)
        t.start()
        try:
            os.write(w, b'partial data')
            lxcdtest.wait_until(lambda: client.jobs('copy-to'), message='no copy-to Job')
            client.jobs('copy-to')[0].cancel()
            t.join(20)
        finally:
            os.close(w)
            os.close(r)
        self.assertEqual(result.get('error'), lxcclient.ERROR_PREFIX + 'Cancelled', result)
        self.assertFalse(os.path.lexists(host_path('c1', '/tmp/cancelled')))


class BadInput(lxcdtest.TestCase):
    def tmp_listing(self):
        return sorted(os.listdir(host_path('c1', '/tmp')))

    def test_bad_paths_and_options(self):
        before = self.tmp_listing()
        bad_paths = ['tmp/rel', '', '/tmp/../tmp/x', '/tmp/..', '/tmp/a\nb', '/tmp/a\x01b',
                     '/tmp/', '/', '/tmp/.', '/tmp/' + 'a' * 4100]
        for p in bad_paths:
            with self.subTest(path=p):
                with self.assertRaisesDBus('InvalidArgument'):
                    copy_to('c1', p, b'x')
                with self.assertRaisesDBus('InvalidArgument'):
                    copy_from('c1', p)
        for options in ({'nosuch': True}, {'mode': 0o10000}, {'uid': 0xFFFFFFFF},
                        {'mode': lxcclient.GLib.Variant('s', '644')}):
            with self.subTest(options=options):
                with self.assertRaisesDBus('InvalidArgument'):
                    copy_to('c1', '/tmp/badopt', b'x', **options)
        with self.assertRaisesDBus('InvalidArgument'):
            copy_from('c1', '/etc/hostname', replace=True)
        self.assertEqual(self.tmp_listing(), before)

    def test_bad_descriptors(self):
        before = self.tmp_listing()
        c = client.container('c1')
        r, w = os.pipe()
        try:
            # a handle beyond the descriptors sent
            with self.assertRaisesDBus('InvalidArgument'):
                c._call('CopyTo', 'hsa{sv}', (3, '/tmp/badfd', {}), fds=(r,))
            with self.assertRaisesDBus('InvalidArgument'):
                c._call('CopyFrom', 'sha{sv}', ('/etc/hostname', 1, {}), fds=(w,))
            # the wrong direction, a directory
            with self.assertRaisesDBus('InvalidArgument'):
                c.copy_to(w, '/tmp/badfd')
            with self.assertRaisesDBus('InvalidArgument'):
                c.copy_from('/etc/hostname', r)
            d = os.open('/', os.O_RDONLY | os.O_DIRECTORY)
            try:
                with self.assertRaisesDBus('InvalidArgument'):
                    c.copy_to(d, '/tmp/badfd')
            finally:
                os.close(d)
        finally:
            os.close(r)
            os.close(w)
        self.assertEqual(self.tmp_listing(), before)


class Polkit(lxcdtest.TestCase):
    def tearDown(self):
        stack.clear_rules()

    def test_no_rule_is_refused_and_writes_nothing(self):
        stack.clear_rules()
        with stack.client_as(UNPRIV_UID) as user:
            for name in CONTAINERS:
                with self.subTest(container=name):
                    r = user.call(lxcdtest.container_path(name), CONTAINER_IFACE, 'CopyTo',
                                  "(@h 0, '/tmp/denied', @a{sv} {})", fds=['null'])
                    self.assertError(r, 'NotAuthorized')
                    self.assertIn('exec', r.result_text)
                    r = user.call(lxcdtest.container_path(name), CONTAINER_IFACE, 'CopyFrom',
                                  "('/etc/hostname', @h 0, @a{sv} {})", fds=['pipe'])
                    self.assertError(r, 'NotAuthorized')
                    self.assertFalse(os.path.lexists(host_path(name, '/tmp/denied')))

    def test_rule_on_unprivileged_containers_only(self):
        # the details: privileged, path (exec on c1 would be root on the host)
        stack.set_rules('''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.exec" &&
        action.lookup("privileged") == "false" && action.lookup("path") == "/tmp/granted")
        return polkit.Result.YES;
});''' % UNPRIV_USER)
        with stack.client_as(UNPRIV_UID) as user:
            call = lambda name, p: user.call(lxcdtest.container_path(name), CONTAINER_IFACE,
                                             'CopyTo', "(@h 0, '%s', @a{sv} {})" % p,
                                             fds=['null'])
            self.assertTrue(call('u1', '/tmp/granted').ok)
            self.assertError(call('u1', '/tmp/other'), 'NotAuthorized')
            self.assertError(call('c1', '/tmp/granted'), 'NotAuthorized')
        self.assertTrue(os.path.isfile(host_path('u1', '/tmp/granted')))
        self.assertFalse(os.path.lexists(host_path('u1', '/tmp/other')))
        self.assertFalse(os.path.lexists(host_path('c1', '/tmp/granted')))


class RedTeam(lxcdtest.TestCase):
    """Root in the container plants links at the host's canary."""

    def setUp(self):
        self.assertTrue(canary_intact())
        self.canary = os.path.join(CANARY_DIR, 'host-canary')
        depth = '../' * 12
        self.plant = (
            'rm -rf /tmp/rt-abs /tmp/rt-rel /tmp/rt-dir /tmp/rt-reldir /tmp/rt-proc; '
            'ln -s {canary} /tmp/rt-abs; '
            'ln -s {depth}{rel} /tmp/rt-rel; '
            'ln -s {dir} /tmp/rt-dir; '
            'ln -s {depth}{reldir} /tmp/rt-reldir; '
            'ln -s /proc/self/root{dir} /tmp/rt-proc').format(
                canary=self.canary, depth=depth, rel=self.canary.lstrip('/'), dir=CANARY_DIR,
                reldir=CANARY_DIR.lstrip('/'))

    def tearDown(self):
        self.assertTrue(canary_intact(), 'the host canary was changed')

    def test_copy_to_through_planted_links(self):
        for name in CONTAINERS:
            for path, opts in (('/tmp/rt-abs', {}), ('/tmp/rt-rel', {}),
                               ('/tmp/rt-dir/host-canary', {}),
                               ('/tmp/rt-dir/host-canary', {'create_parents': True}),
                               ('/tmp/rt-reldir/host-canary', {'create_parents': True}),
                               ('/tmp/rt-proc/host-canary', {'create_parents': True}),
                               ('/proc/self/root%s' % self.canary, {}),
                               ('/proc/1/root%s' % self.canary, {'create_parents': True}),
                               ('/tmp/rt-abs', {'replace': False})):
                with self.subTest(container=name, path=path, options=opts):
                    sh(name, self.plant)
                    try:
                        copy_to(name, path, b'PWNED\n', **opts)
                    except lxcclient.Error:
                        pass
                    self.assertTrue(canary_intact(), 'host canary changed through %s' % path)
            # what a followed link could reach is the container's own path:
            # a replaced link is now a plain file inside the container
            sh(name, self.plant)
            copy_to(name, '/tmp/rt-abs', b'mine\n')
            self.assertFalse(os.path.islink(host_path(name, '/tmp/rt-abs')))
            with open(host_path(name, '/tmp/rt-abs'), 'rb') as f:
                self.assertEqual(f.read(), b'mine\n')

    def test_copy_from_through_planted_links(self):
        for name in CONTAINERS:
            # a decoy inside the container at the host path: a directory
            # link in the middle resolves to it, never to the host's file
            sh(name, 'mkdir -p {d} && echo inside > {d}/host-canary'.format(d=CANARY_DIR))
            sh(name, self.plant)
            for path in ('/tmp/rt-abs', '/tmp/rt-rel', '/tmp/rt-dir/host-canary',
                         '/tmp/rt-reldir/host-canary', '/tmp/rt-proc/host-canary',
                         '/proc/self/root%s' % self.canary, '/proc/1/root%s' % self.canary,
                         '/proc/self/fd/1', '/proc/self/fd/3'):
                with self.subTest(container=name, path=path):
                    try:
                        data, _ = copy_from(name, path)
                    except lxcclient.Error as e:
                        self.assertIn(e.name.rsplit('.', 1)[-1],
                                      ('InvalidArgument', 'NotFound', 'Failed'), e)
                        continue
                    self.assertNotIn(b'HOST CANARY', data)
                    self.assertEqual(data, b'inside\n')
            # the middle links are followed inside the container
            self.assertEqual(copy_from(name, '/tmp/rt-dir/host-canary')[0], b'inside\n')
            self.assertEqual(copy_from(name, '/tmp/rt-reldir/host-canary')[0], b'inside\n')


if __name__ == '__main__':
    lxcdtest.main()
