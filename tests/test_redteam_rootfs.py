#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Red team: root following paths the container controls.

A user delegated through polkit (manage on containers named ``nobody-*``)
is root inside their container and can replace files of its root file
system with links, FIFOs or directories. Clone, Rename and RestoreSnapshot
run as host root; nothing they do inside a root file system may follow a
link out of it, and a container's clone hooks (run by liblxc as host root
on paths inside the root file system) only run for root callers.

Each attack plants its trap as root directly in the root file system (what
the delegated user could do with exec), makes the call as the delegated
user, and checks that the canary files outside the lxcpath (known content,
mode and mtime) did not change, that no root-only host file's content
ended up in a container, and that the operation still did its job where
that was safe (lxc.uts.name, etc/hostname of a regular file).
"""
import hashlib
import os
import shutil
import stat
import tempfile
import time

import lxcdtest
from lxcdtest import CONTAINER_IFACE, UNPRIV_UID, UNPRIV_USER

stack = None
USER = UNPRIV_USER
SECRET = 'TOP-SECRET-HOST-ONLY-%d\n' % os.getpid()


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    stack.start_daemon()
    # The delegated user: manage (clone, rename, snapshots) on their own
    # containers only, as an admin would write it.
    stack.set_rules('''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.manage" &&
        action.lookup("container").indexOf("%s-") == 0)
        return polkit.Result.YES;
});
''' % (USER, USER))


def tearDownModule():
    stack.close()


def path(name):
    return lxcdtest.container_path(name)


def cdir(name):
    return os.path.join(stack.lxcpath, name)


def rootfs(name):
    return os.path.join(cdir(name), 'rootfs')


def uts_lines(name):
    with open(os.path.join(cdir(name), 'config')) as f:
        return [l.split('=', 1)[1].strip() for l in f
                if l.split('=', 1)[0].strip() == 'lxc.uts.name']


class Canaries:
    """Files outside the lxcpath that nothing may touch: a root-only
    secret (0600) and a writable-looking canary, with fixed mtimes."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='lxcd-redteam-')
        os.chmod(self.dir, 0o700)
        self.canary = os.path.join(self.dir, 'canary')
        self.secret = os.path.join(self.dir, 'secret')
        self.etcdir = os.path.join(self.dir, 'etc')     # a host "etc"
        os.mkdir(self.etcdir, 0o755)
        self.etc_hostname = os.path.join(self.etcdir, 'hostname')
        self.etc_hosts = os.path.join(self.etcdir, 'hosts')
        for p, text, mode in ((self.canary, 'canary: keep me\n', 0o644),
                              (self.secret, SECRET, 0o600),
                              (self.etc_hostname, 'hostcanary\n', 0o644),
                              (self.etc_hosts, '127.0.0.1 hostcanary\n', 0o644)):
            with open(p, 'w') as f:
                f.write(text)
            os.chmod(p, mode)
            os.utime(p, (1000000000, 1000000000))
        self.files = (self.canary, self.secret, self.etc_hostname, self.etc_hosts)
        self.before = {p: self._state(p) for p in self.files}
        self.before_list = sorted(os.listdir(self.dir)) + sorted(os.listdir(self.etcdir))

    @staticmethod
    def _state(p):
        st = os.lstat(p)
        with open(p, 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        return (digest, st.st_mode, st.st_uid, st.st_mtime_ns, st.st_size)

    def check(self, test):
        for p in self.files:
            test.assertEqual(self._state(p), self.before[p], '%s changed' % p)
        test.assertEqual(sorted(os.listdir(self.dir)) + sorted(os.listdir(self.etcdir)),
                         self.before_list)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Base(lxcdtest.TestCase):
    def setUp(self):
        self.can = Canaries()
        self.made = []
        self.client = stack.client_as(UNPRIV_UID)

    def tearDown(self):
        self.client.close()
        for name in reversed(self.made):
            if os.path.isdir(cdir(name)):
                r = stack.call(path(name), CONTAINER_IFACE, 'Destroy',
                               "({'with_snapshots': <true>, 'force': <true>},)", timeout=120)
                if not r.ok:
                    lxcdtest._log('cleanup of %s: %s' % (name, r.result_text))
                shutil.rmtree(cdir(name), ignore_errors=True)
        self.can.close()

    def make(self, name, hostname='oldname\n', config=None):
        """A container of the delegated user, with a regular etc/hostname."""
        self.made.append(name)
        stack.make_container(name, config=config)
        # unprivileged, as every container a delegated user may clone or
        # restore (its root file system is not shifted: these tests never
        # start it)
        with open(os.path.join(cdir(name), 'config'), 'a') as f:
            for kind in 'ug':
                f.write('lxc.idmap = %s 0 %d %d\n' % (kind, lxcdtest.SUBID_BASE,
                                                       lxcdtest.SUBID_BLOCK))
        if hostname is not None:
            with open(os.path.join(rootfs(name), 'etc', 'hostname'), 'w') as f:
                f.write(hostname)
        with open(os.path.join(rootfs(name), 'etc', 'hosts'), 'w') as f:
            f.write('127.0.0.1 localhost %s\n' % name)
        lxcdtest.wait_until(lambda: stack.served_state(name) is not None, 10)
        return rootfs(name)

    def expect(self, name):
        self.made.append(name)

    def plant(self, name, rel, target):
        """As root in the container: replace ROOTFS/rel by a link to target."""
        p = os.path.join(rootfs(name), rel)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        elif os.path.lexists(p):
            os.unlink(p)
        os.symlink(target, p)

    def call(self, name, method, args, ok=True):
        r = self.client.call(path(name), CONTAINER_IFACE, method, args, timeout=120)
        if ok:
            self.assertOk(r)
        return r

    def assertNoSecretIn(self, name):
        """No file of the container's directory holds the secret."""
        for top, dirs, files in os.walk(cdir(name)):
            for fn in files:
                p = os.path.join(top, fn)
                if os.path.islink(p) or not os.path.isfile(p):
                    continue
                with open(p, 'rb') as f:
                    self.assertNotIn(SECRET.encode(), f.read(), p)

    def assertRenamed(self, name):
        """The job done where safe: exactly one lxc.uts.name, the new name."""
        self.assertEqual(uts_lines(name), [name])
        self.assertEqual(stack.served_state(name), 'STOPPED')
        self.assertFalse(os.path.exists(os.path.join(cdir(name), 'partial')))


class Safe(Base):
    """Control: without traps every operation still writes the name."""

    def test_operations_write_the_name_when_safe(self):
        self.make('nobody-ok')
        self.expect('nobody-ok2')
        self.call('nobody-ok', 'Clone', "('nobody-ok2', @a{sv} {})")
        with open(os.path.join(rootfs('nobody-ok2'), 'etc', 'hostname')) as f:
            self.assertEqual(f.read(), 'nobody-ok2')
        self.assertRenamed('nobody-ok2')
        # keepname: neither the config nor the file change
        self.expect('nobody-ok3')
        self.call('nobody-ok', 'Clone', "('nobody-ok3', {'flags': <['keepname']>})")
        with open(os.path.join(rootfs('nobody-ok3'), 'etc', 'hostname')) as f:
            self.assertEqual(f.read(), 'oldname\n')
        self.assertEqual(uts_lines('nobody-ok3'), ['nobody-ok'])
        # overlay snapshot: the name in the upper layer, the lower untouched
        self.expect('nobody-ov')
        self.call('nobody-ok', 'Clone',
                  "('nobody-ov', {'flags': <['snapshot']>, 'bdev_type': <'overlay'>})")
        uppers = [os.path.join(top, 'hostname') for top, _, files in os.walk(cdir('nobody-ov'))
                  if 'hostname' in files]
        self.assertEqual(len(uppers), 1, uppers)
        with open(uppers[0]) as f:
            self.assertEqual(f.read(), 'nobody-ov')
        with open(os.path.join(rootfs('nobody-ok'), 'etc', 'hostname')) as f:
            self.assertEqual(f.read(), 'oldname\n')
        self.assertRenamed('nobody-ov')
        # an overlay container restored over itself: still an overlay, the
        # name in its (new) upper layer
        self.call('nobody-ov', 'Snapshot', '(@a{sv} {},)')
        with open(uppers[0], 'w') as f:
            f.write('changed')
        self.call('nobody-ov', 'RestoreSnapshot', "('snap0', 'nobody-ov')")
        with open(os.path.join(cdir('nobody-ov'), 'config')) as f:
            self.assertIn('lxc.rootfs.path = overlay:', f.read())
        with open(uppers[0]) as f:
            self.assertEqual(f.read(), 'nobody-ov')
        self.assertRenamed('nobody-ov')
        self.assertTrue(os.path.isdir(os.path.join(cdir('nobody-ov'), 'snaps', 'snap0')))
        # rename
        self.expect('nobody-ren')
        self.call('nobody-ok2', 'Rename', "('nobody-ren',)")
        with open(os.path.join(rootfs('nobody-ren'), 'etc', 'hostname')) as f:
            self.assertEqual(f.read(), 'nobody-ren')
        self.assertRenamed('nobody-ren')
        self.assertFalse(os.path.exists(cdir('nobody-ok2')))
        # restore to a new name and onto itself
        self.call('nobody-ren', 'Snapshot', '(@a{sv} {},)')
        self.expect('nobody-rest')
        self.call('nobody-ren', 'RestoreSnapshot', "('snap0', 'nobody-rest')")
        with open(os.path.join(rootfs('nobody-rest'), 'etc', 'hostname')) as f:
            self.assertEqual(f.read(), 'nobody-rest')
        self.assertRenamed('nobody-rest')
        with open(os.path.join(rootfs('nobody-ren'), 'etc', 'hostname'), 'w') as f:
            f.write('changed')
        self.call('nobody-ren', 'RestoreSnapshot', "('snap0', 'nobody-ren')")
        with open(os.path.join(rootfs('nobody-ren'), 'etc', 'hostname')) as f:
            self.assertEqual(f.read(), 'nobody-ren')
        self.assertRenamed('nobody-ren')
        self.assertTrue(os.path.isdir(os.path.join(cdir('nobody-ren'), 'snaps', 'snap0')))
        self.can.check(self)


class Attacks(Base):
    def test_clone_copy_hostname_absolute_link(self):
        self.make('nobody-a1')
        self.plant('nobody-a1', 'etc/hostname', self.can.canary)
        self.expect('nobody-a1c')
        self.call('nobody-a1', 'Clone', "('nobody-a1c', @a{sv} {})")
        self.can.check(self)
        self.assertRenamed('nobody-a1c')
        self.assertTrue(os.path.islink(os.path.join(rootfs('nobody-a1c'), 'etc', 'hostname')))
        self.assertNoSecretIn('nobody-a1c')
        # the skip is in the service's log
        lxcdtest.wait_until(lambda: "etc/hostname of container 'nobody-a1c' left as it was"
                            in stack.daemon_log_text(), 5)

    def test_clone_overlay_snapshot_hostname_link(self):
        self.make('nobody-a2')
        self.plant('nobody-a2', 'etc/hostname', self.can.canary)
        self.expect('nobody-a2o')
        self.call('nobody-a2', 'Clone',
                  "('nobody-a2o', {'flags': <['snapshot']>, 'bdev_type': <'overlay'>})")
        self.can.check(self)
        self.assertRenamed('nobody-a2o')
        # nothing copied up, the lower layer's link untouched
        for top, _, files in os.walk(cdir('nobody-a2o')):
            self.assertNotIn('hostname', files, top)
        self.assertEqual(os.readlink(os.path.join(rootfs('nobody-a2'), 'etc', 'hostname')),
                         self.can.canary)

    def test_rename_hostname_link_to_secret(self):
        self.make('nobody-a3')
        self.plant('nobody-a3', 'etc/hostname', self.can.secret)
        self.expect('nobody-a3r')
        self.call('nobody-a3', 'Rename', "('nobody-a3r',)")
        self.can.check(self)
        self.assertRenamed('nobody-a3r')
        self.assertFalse(os.path.exists(cdir('nobody-a3')))
        self.assertNoSecretIn('nobody-a3r')

    def test_restore_to_new_name_hostname_link(self):
        self.make('nobody-a4')
        self.plant('nobody-a4', 'etc/hostname', self.can.secret)
        self.call('nobody-a4', 'Snapshot', '(@a{sv} {},)')
        self.expect('nobody-a4r')
        self.call('nobody-a4', 'RestoreSnapshot', "('snap0', 'nobody-a4r')")
        self.can.check(self)
        self.assertRenamed('nobody-a4r')
        self.assertNoSecretIn('nobody-a4r')

    def test_restore_onto_itself_hostname_link(self):
        self.make('nobody-a5')
        self.plant('nobody-a5', 'etc/hostname', self.can.etc_hostname)
        self.call('nobody-a5', 'Snapshot', '(@a{sv} {},)')
        # the link is in the snapshot; the container's own file changes after
        with open(os.path.join(cdir('nobody-a5'), 'config'), 'a') as f:
            f.write('lxc.uts.name = stale\n')
        self.call('nobody-a5', 'RestoreSnapshot', "('snap0', 'nobody-a5')")
        self.can.check(self)
        self.assertRenamed('nobody-a5')
        self.assertTrue(os.path.islink(os.path.join(rootfs('nobody-a5'), 'etc', 'hostname')))
        # (read-config is not granted to the user: list as root)
        r = stack.call(path('nobody-a5'), CONTAINER_IFACE, 'ListSnapshots')
        self.assertOk(r)
        self.assertIn('snap0', r.result_text)

    def test_etc_is_a_link_to_a_host_directory(self):
        self.make('nobody-a6')
        self.plant('nobody-a6', 'etc', self.can.etcdir)
        self.expect('nobody-a6c')
        self.call('nobody-a6', 'Clone', "('nobody-a6c', @a{sv} {})")
        self.expect('nobody-a6o')
        self.call('nobody-a6', 'Clone',
                  "('nobody-a6o', {'flags': <['snapshot']>, 'bdev_type': <'overlay'>})")
        self.expect('nobody-a6r')
        self.call('nobody-a6c', 'Rename', "('nobody-a6r',)")
        self.made.remove('nobody-a6c')
        self.can.check(self)
        for name in ('nobody-a6r', 'nobody-a6o'):
            self.assertRenamed(name)
            self.assertNoSecretIn(name)

    def test_hostname_fifo_does_not_hang(self):
        self.make('nobody-a7', hostname=None)
        os.mkfifo(os.path.join(rootfs('nobody-a7'), 'etc', 'hostname'), 0o644)
        self.expect('nobody-a7c')
        t0 = time.monotonic()
        self.call('nobody-a7', 'Clone', "('nobody-a7c', @a{sv} {})")
        self.expect('nobody-a7r')
        self.call('nobody-a7c', 'Rename', "('nobody-a7r',)")
        self.made.remove('nobody-a7c')
        self.assertLess(time.monotonic() - t0, 60)
        self.assertTrue(stat.S_ISFIFO(os.lstat(os.path.join(rootfs('nobody-a7r'), 'etc',
                                                            'hostname')).st_mode))
        self.assertRenamed('nobody-a7r')
        self.can.check(self)

    def test_relative_links_climbing_out(self):
        self.make('nobody-a8')
        climb = '../' * 20 + self.can.canary.lstrip('/')
        self.plant('nobody-a8', 'etc/hostname', climb)
        self.expect('nobody-a8c')
        self.call('nobody-a8', 'Clone', "('nobody-a8c', @a{sv} {})")
        # and etc itself climbing to the host "etc"
        self.plant('nobody-a8c', 'etc', '../' * 20 + self.can.etcdir.lstrip('/'))
        self.expect('nobody-a8r')
        self.call('nobody-a8c', 'Rename', "('nobody-a8r',)")
        self.made.remove('nobody-a8c')
        self.call('nobody-a8r', 'Snapshot', '(@a{sv} {},)')
        self.call('nobody-a8r', 'RestoreSnapshot', "('snap0', 'nobody-a8r')")
        self.can.check(self)
        self.assertRenamed('nobody-a8r')


class CloneHooks(Base):
    def hook(self):
        """A clone hook that leaves a mark, like clonehostname rewriting
        files under LXC_ROOTFS_MOUNT."""
        self.mark = os.path.join(stack.tmpdir, 'hook-ran-%s' % self.id().split('.')[-1])
        script = self.mark + '.sh'
        self.addCleanup(lambda: [os.unlink(p) for p in (self.mark, script)
                                 if os.path.exists(p)])
        with open(script, 'w') as f:
            f.write('#!/bin/sh\necho "$LXC_NAME" >> %s\n' % self.mark)
        os.chmod(script, 0o755)
        return script

    def test_non_root_caller_is_refused(self):
        self.make('nobody-h1', config={'lxc.hook.clone': self.hook()})
        # also the real clonehostname hook, with etc/hosts a link to the secret
        with open(os.path.join(cdir('nobody-h1'), 'config'), 'a') as f:
            f.write('lxc.hook.clone = /usr/share/lxc/hooks/clonehostname\n')
        self.plant('nobody-h1', 'etc/hosts', self.can.secret)
        for method, args in (('Clone', "('nobody-h1c', @a{sv} {})"),
                             ('Clone', "('nobody-h1o', {'flags': <['snapshot']>, "
                                       "'bdev_type': <'overlay'>})"),
                             ('Rename', "('nobody-h1r',)"),
                             ('Snapshot', None),
                             ('RestoreSnapshot', "('snap0', 'nobody-h1s')"),
                             ('RestoreSnapshot', "('snap0', 'nobody-h1')")):
            if args is None:
                # liblxc's snapshot() is a clone too: refused as well...
                before = sorted(os.listdir(cdir('nobody-h1')))
                r = self.call('nobody-h1', method, '(@a{sv} {},)', ok=False)
                self.assertError(r, 'NotAuthorized')
                self.assertEqual(sorted(os.listdir(cdir('nobody-h1'))), before)
                self.assertFalse(os.path.exists(self.mark))
                # ...so root takes one (its hooks run) for the restores
                self.assertOk(stack.call(path('nobody-h1'), CONTAINER_IFACE, method,
                                         '(@a{sv} {},)', timeout=120))
                self.assertTrue(os.path.exists(self.mark))
                os.unlink(self.mark)
                continue
            before = sorted(os.listdir(stack.lxcpath))
            r = self.call('nobody-h1', method, args, ok=False)
            self.assertError(r, 'NotAuthorized')
            self.assertIn('lxc.hook.clone', r.result_text)
            self.assertEqual(sorted(os.listdir(stack.lxcpath)), before, method)
        self.assertFalse(os.path.exists(self.mark))
        self.assertTrue(os.path.isfile(os.path.join(cdir('nobody-h1'), 'config')))
        self.assertTrue(os.path.islink(os.path.join(rootfs('nobody-h1'), 'etc', 'hosts')))
        self.can.check(self)

    def test_root_caller_runs_the_hooks(self):
        self.make('nobody-h2', config={'lxc.hook.clone': self.hook()})
        self.expect('nobody-h2c')
        self.assertOk(stack.call(path('nobody-h2'), CONTAINER_IFACE, 'Clone',
                                 "('nobody-h2c', @a{sv} {})", timeout=120))
        with open(self.mark) as f:
            self.assertEqual(f.read(), 'nobody-h2c\n')
        self.assertRenamed('nobody-h2c')
        with open(os.path.join(rootfs('nobody-h2c'), 'etc', 'hostname')) as f:
            self.assertEqual(f.read(), 'nobody-h2c')
        self.expect('nobody-h2r')
        self.assertOk(stack.call(path('nobody-h2c'), CONTAINER_IFACE, 'Rename',
                                 "('nobody-h2r',)", timeout=120))
        self.made.remove('nobody-h2c')
        with open(self.mark) as f:
            self.assertEqual(f.read(), 'nobody-h2c\nnobody-h2r\n')


if __name__ == '__main__':
    lxcdtest.main()
