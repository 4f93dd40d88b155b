#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Clone (copy and overlay snapshot), Rename (the object moves), the
snapshot methods, their Jobs, cancel, bad input and polkit."""
import os
import threading
import time
import unittest

from gi.repository import GLib, Gio

import lxcdtest
from lxcdtest import (BUS_NAME, CONTAINER_IFACE, JOB_IFACE, ROOT_PATH, ERROR_PREFIX,
                      UNPRIV_UID, UNPRIV_USER)

stack = None


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    stack.make_container('src')
    # A container whose clone hook sleeps: its clones can be cancelled.
    hook = os.path.join(stack.tmpdir, 'slow-clone-hook.sh')
    with open(hook, 'w') as f:
        f.write('#!/bin/sh\nsleep 61\n')
    os.chmod(hook, 0o755)
    stack.make_container('slowclone', config={'lxc.hook.clone': hook})
    stack.start_daemon()


def tearDownModule():
    stack.close()


def path(name):
    return lxcdtest.container_path(name)


def entries():
    return sorted(os.listdir(stack.lxcpath))


class Base(lxcdtest.TestCase):
    def setUp(self):
        self.conn = stack.bus()
        self.before = entries()


    def assertNothingChanged(self):
        self.assertEqual(entries(), self.before)

    def managed(self):
        return self.conn.call_sync(BUS_NAME, ROOT_PATH, 'org.freedesktop.DBus.ObjectManager',
                                   'GetManagedObjects', None, None, Gio.DBusCallFlags.NONE,
                                   5000, None).unpack()[0]

    def destroy(self, name):
        self.assertOk(stack.container_call(name, 'Destroy', "({'with_snapshots': <true>, 'force': <true>},)"))


class Clone(Base):
    def test_copy_clone(self):
        rec = stack.record_signals(self.conn, path=ROOT_PATH, member='InterfacesAdded')
        t0 = time.monotonic()
        # (on the recorder's connection, so the order of messages counts)
        r = lxcdtest.dbus_call(self.conn, path('src'), CONTAINER_IFACE, 'Clone',
                               "('copy1', @a{sv} {})", timeout=120)
        lxcdtest._log('copy clone through D-Bus: %.0f ms' % ((time.monotonic() - t0) * 1000))
        self.assertOk(r)
        self.assertEqual(lxcdtest.parse_variant(r.result_text)[0], path('copy1'))
        rec.pump()
        self.assertTrue(rec.find(lambda s: s.args[0] == path('copy1')))
        d = os.path.join(stack.lxcpath, 'copy1')
        self.assertTrue(os.path.isdir(os.path.join(d, 'rootfs', 'bin')))
        self.assertFalse(os.path.exists(os.path.join(d, 'partial')))
        with open(os.path.join(d, 'config')) as f:
            config = f.read()
        self.assertIn('lxc.rootfs.path = dir:%s/rootfs' % d, config)
        self.assertOk(stack.container_call('copy1', 'Start', '(@a{sv} {},)'))
        self.assertEqual(stack.container_state('copy1'), 'RUNNING')
        self.destroy('copy1')
        self.assertNothingChanged()

    def test_overlay_snapshot_clone(self):
        t0 = time.monotonic()
        r = stack.container_call('src', 'Clone', "('ov1', {'flags': <['snapshot']>, 'bdev_type': <'overlay'>})")
        lxcdtest._log('overlay clone through D-Bus: %.0f ms' % ((time.monotonic() - t0) * 1000))
        self.assertOk(r)
        with open(os.path.join(stack.lxcpath, 'ov1', 'config')) as f:
            self.assertIn('lxc.rootfs.path = overlay:', f.read())
        self.assertOk(stack.container_call('ov1', 'Start', '(@a{sv} {},)'))
        self.assertEqual(stack.container_state('ov1'), 'RUNNING')
        self.destroy('ov1')
        self.assertNothingChanged()

    def test_clone_of_running_needs_allowrunning(self):
        self.assertOk(stack.container_call('src', 'Start', '(@a{sv} {},)'))
        try:
            self.assertError(stack.container_call('src', 'Clone', "('run1', @a{sv} {})"), 'WrongState')
            self.assertNothingChanged()
        finally:
            self.assertOk(stack.container_call('src', 'Stop'))

    def test_cancel_clone(self):
        result = {}
        t = threading.Thread(target=lambda: result.update(
            r=stack.container_call('slowclone', 'Clone', "('cancelled1', @a{sv} {})")))
        t.start()
        job = {}

        def job_seen():
            for p, ifaces in self.managed().items():
                if JOB_IFACE in ifaces and ifaces[JOB_IFACE]['Operation'] == 'clone':
                    job['path'] = p
                    job['props'] = ifaces[JOB_IFACE]
                    return True
            return False
        lxcdtest.wait_until(job_seen, 10)
        self.assertEqual(job['props']['Objects'], [path('slowclone'), path('cancelled1')])
        self.assertTrue(job['props']['Cancelable'])
        # The hook runs once the copy is made: wait for it, then cancel.
        lxcdtest.wait_until(lambda: lxcdtest.live_processes('slow-clone-hook'), 20)
        self.assertOk(stack.call(job['path'], JOB_IFACE, 'Cancel', '(@a{sv} {},)'))
        t.join(30)
        self.assertError(result['r'], 'Cancelled')
        self.assertNothingChanged()
        self.assertNotIn(path('cancelled1'), self.managed())
        lxcdtest.wait_until(lambda: not lxcdtest.live_processes('slow-clone-hook') and
                            not lxcdtest.live_processes('^sleep 61$'), 5)
        # The slot is free again.
        self.assertOk(stack.container_call('slowclone', 'MayControl'))
        self.assertOk(stack.container_call('slowclone', 'WantCloseAllFDs', '(false,)'))

    def test_clone_job_reports_progress(self):
        # A root file system big enough for the copy to take a while.
        stack.make_container('big')
        with open(os.path.join(stack.lxcpath, 'big', 'rootfs', 'bigfile'), 'wb') as f:
            chunk = os.urandom(1 << 20)
            for _ in range(384):
                f.write(chunk)
        lxcdtest.wait_until(lambda: path('big') in self.managed(), 5)
        watcher = stack.bus()
        rec = stack.record_signals(watcher, path_prefix=lxcdtest.JOBS_PATH)
        self.assertOk(stack.container_call('big', 'Clone', "('bigcopy', @a{sv} {})"))
        done = rec.wait_for(lambda s: s.member == 'Completed', 5)
        progress = [s.args[1]['Progress'] for s in rec.signals
                    if s.path == done.path and s.member == 'PropertiesChanged' and 'Progress' in s.args[1]]
        valid = [s.args[1]['ProgressValid'] for s in rec.signals
                 if s.path == done.path and s.member == 'PropertiesChanged' and 'ProgressValid' in s.args[1]]
        lxcdtest._log('clone progress seen: %s' % ['%.2f' % p for p in progress])
        self.assertEqual(done.args, (True, ''))
        self.assertTrue(valid and valid[-1])
        self.assertEqual(progress[-1], 1.0)
        self.assertEqual(progress, sorted(progress))
        self.assertTrue(any(0.0 < p < 1.0 for p in progress), progress)
        self.destroy('bigcopy')
        self.destroy('big')

    def test_bad_input(self):
        for args in ("('', @a{sv} {})", "('a/b', @a{sv} {})", "('..', @a{sv} {})",
                     "('.x', @a{sv} {})", "('%s', @a{sv} {})" % ('y' * 256),
                     "('n1', {'flags': <['bogus']>})", "('n1', {'lxcpath': <'/tmp'>})",
                     "('n1', {'bdev_type': <'nosuch'>})", "('n1', {'new_size': <uint64 %d>})" % (1 << 60),
                     "('n1', {'bogus': <1>})", "('n1', {'flags': <'snapshot'>})",
                     "('n1', {'bdev_data': <'a\\nb'>})"):
            self.assertError(stack.container_call('src', 'Clone', args), 'InvalidArgument')
        self.assertError(stack.container_call('src', 'Clone', "('slowclone', @a{sv} {})"), 'AlreadyExists')
        self.assertNothingChanged()


class Crash(Base):
    def test_daemon_killed_mid_clone(self):
        hook = os.path.join(stack.tmpdir, 'clone-hook-2s.sh')
        with open(hook, 'w') as f:
            f.write('#!/bin/sh\nsleep 2\n')
        os.chmod(hook, 0o755)
        stack.make_container('hook2', config={'lxc.hook.clone': hook})
        lxcdtest.wait_until(lambda: path('hook2') in self.managed(), 5)
        result = {}
        t = threading.Thread(target=lambda: result.update(
            r=stack.container_call('hook2', 'Clone', "('crashcopy', @a{sv} {})")))
        t.start()
        lxcdtest.wait_until(lambda: lxcdtest.live_processes('clone-hook-2s'), 20)
        stack.kill_daemon()
        t.join()
        self.assertFalse(result['r'].ok)
        stack.start_daemon()
        d = os.path.join(stack.lxcpath, 'crashcopy')
        # Not listed while incomplete; complete once the helper finished.
        while os.path.exists(os.path.join(d, 'partial')):
            self.assertNotIn(path('crashcopy'), self.managed())
            time.sleep(0.05)
        lxcdtest.wait_until(lambda: path('crashcopy') in self.managed(), 5)
        self.assertTrue(os.path.isdir(os.path.join(d, 'rootfs', 'bin')))
        self.destroy('crashcopy')
        self.destroy('hook2')


class Rename(Base):
    def test_rename_moves_the_object(self):
        self.assertOk(stack.container_call('src', 'Clone', "('ren1', @a{sv} {})"))
        rec = stack.record_signals(self.conn, path=ROOT_PATH)
        r = lxcdtest.dbus_call(self.conn, path('ren1'), CONTAINER_IFACE, 'Rename', "('ren2',)",
                               timeout=120)
        self.assertOk(r)
        self.assertEqual(lxcdtest.parse_variant(r.result_text)[0], path('ren2'))
        rec.pump()
        removed = rec.find(lambda s: s.member == 'InterfacesRemoved' and s.args[0] == path('ren1'))
        added = rec.find(lambda s: s.member == 'InterfacesAdded' and s.args[0] == path('ren2'))
        self.assertIsNotNone(removed, rec.signals)
        self.assertIsNotNone(added, rec.signals)
        self.assertEqual(added.args[1][CONTAINER_IFACE]['Name'], 'ren2')
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'ren1')))
        self.assertTrue(os.path.isfile(os.path.join(stack.lxcpath, 'ren2', 'config')))
        self.destroy('ren2')

    def test_rename_errors(self):
        self.assertError(stack.container_call('src', 'Rename', "('slowclone',)"), 'AlreadyExists')
        self.assertError(stack.container_call('src', 'Rename', "('src',)"), 'AlreadyExists')
        for bad in ('', 'a/b', '..', '.x'):
            self.assertError(stack.container_call('src', 'Rename', "('%s',)" % bad), 'InvalidArgument')
        self.assertOk(stack.container_call('src', 'Start', '(@a{sv} {},)'))
        try:
            self.assertError(stack.container_call('src', 'Rename', "('moved',)"), 'WrongState')
        finally:
            self.assertOk(stack.container_call('src', 'Stop'))
        self.assertNothingChanged()


class Snapshots(Base):
    def test_snapshot_list_restore_destroy(self):
        self.assertOk(stack.container_call('src', 'Clone', "('snapped', @a{sv} {})"))
        t0 = time.monotonic()
        r = stack.container_call('snapped', 'Snapshot', "({'comment': <'before the upgrade\\nsecond line'>},)")
        lxcdtest._log('snapshot through D-Bus: %.0f ms' % ((time.monotonic() - t0) * 1000))
        self.assertOk(r)
        self.assertEqual(r.result_text, "('snap0',)")
        self.assertEqual(stack.container_call('snapped', 'Snapshot', '(@a{sv} {},)').result_text, "('snap1',)")
        r = stack.container_call('snapped', 'ListSnapshots')
        self.assertOk(r)
        snaps = lxcdtest.parse_variant(r.result_text)[0]
        self.assertEqual([s[0] for s in snaps], ['snap0', 'snap1'])
        self.assertEqual(snaps[0][1], 'before the upgrade\nsecond line')
        self.assertEqual(snaps[1][1], '')
        self.assertRegex(snaps[0][2], r'^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d$')
        self.assertEqual(snaps[0][3], os.path.join(stack.lxcpath, 'snapped', 'snaps'))
        # lxc-snapshot agrees.
        out = stack.lxc('snapshot', 'snapped', '-L').stdout
        self.assertIn('snap0', out)
        self.assertIn('snap1', out)

        r = stack.container_call('snapped', 'RestoreSnapshot', "('snap0', 'restored')")
        self.assertOk(r)
        self.assertEqual(lxcdtest.parse_variant(r.result_text)[0], path('restored'))
        self.assertIn(path('restored'), self.managed())
        self.assertError(stack.container_call('snapped', 'RestoreSnapshot', "('snap9', 'r9')"), 'NotFound')
        self.assertError(stack.container_call('snapped', 'RestoreSnapshot', "('snap0', 'restored')"), 'AlreadyExists')
        self.assertError(stack.container_call('snapped', 'DestroySnapshot', "('snap9',)"), 'NotFound')
        for bad in ('', '../x', 'snap', 'snapx', 'snap0/..'):
            self.assertError(stack.container_call('snapped', 'DestroySnapshot', "('%s',)" % bad), 'InvalidArgument')
            self.assertError(stack.container_call('snapped', 'RestoreSnapshot', "('%s', 'r8')" % bad), 'InvalidArgument')

        # Destroy refuses a container with snapshots unless asked.
        self.assertError(stack.container_call('snapped', 'Destroy', '(@a{sv} {},)'), 'WrongState')
        self.assertOk(stack.container_call('snapped', 'DestroySnapshot', "('snap1',)"))
        self.assertEqual([s[0] for s in lxcdtest.parse_variant(stack.container_call('snapped', 'ListSnapshots').result_text)[0]],
                         ['snap0'])
        self.assertOk(stack.container_call('snapped', 'DestroyAllSnapshots'))
        self.assertOk(stack.container_call('snapped', 'DestroyAllSnapshots'))
        self.assertEqual(stack.container_call('snapped', 'ListSnapshots').result_text, '(@a(ssss) [],)')
        self.destroy('snapped')
        self.destroy('restored')
        self.assertNothingChanged()

    def test_restore_onto_itself(self):
        self.assertOk(stack.container_call('src', 'Clone', "('selfrestore', @a{sv} {})"))
        marker = os.path.join(stack.lxcpath, 'selfrestore', 'rootfs', 'marker')
        with open(marker, 'w') as f:
            f.write('before')
        self.assertOk(stack.container_call('selfrestore', 'Snapshot', '(@a{sv} {},)'))
        with open(marker, 'w') as f:
            f.write('after')
        self.assertOk(stack.container_call('selfrestore', 'Start', '(@a{sv} {},)'))
        self.assertError(stack.container_call('selfrestore', 'RestoreSnapshot', "('snap0', 'selfrestore')"), 'WrongState')
        self.assertOk(stack.container_call('selfrestore', 'Stop'))
        r = stack.container_call('selfrestore', 'RestoreSnapshot', "('snap0', 'selfrestore')")
        self.assertOk(r)
        self.assertEqual(lxcdtest.parse_variant(r.result_text)[0], path('selfrestore'))
        with open(marker) as f:
            self.assertEqual(f.read(), 'before')
        self.assertIn(path('selfrestore'), self.managed())
        self.destroy('selfrestore')

    def test_restore_after_clear_config_fails_cleanly(self):
        # Found by the authorization matrix under ASan: liblxc's
        # snapshot_restore() crashes when the container has no
        # lxc.rootfs.path (ClearConfig); the helper refuses instead.
        self.assertOk(stack.container_call('src', 'Clone', "('cleared', @a{sv} {})"))
        self.assertOk(stack.container_call('cleared', 'Snapshot', '(@a{sv} {},)'))
        self.assertOk(stack.container_call('cleared', 'ClearConfig'))
        before = entries()
        r = stack.container_call('cleared', 'RestoreSnapshot', "('snap0', 'cleared2')")
        self.assertError(r, 'Failed')
        self.assertIn('no root file system configured', r.result_text)
        self.assertEqual(entries(), before)
        self.destroy('cleared')

    def test_snapshot_job(self):
        rec = stack.record_signals(stack.bus(), path_prefix=ROOT_PATH)
        r = stack.container_call('src', 'Snapshot', '(@a{sv} {},)')
        self.assertOk(r)
        added = rec.wait_for(lambda s: s.member == 'InterfacesAdded' and JOB_IFACE in s.args[1], 5)
        props = added.args[1][JOB_IFACE]
        self.assertEqual(props['Operation'], 'snapshot')
        self.assertFalse(props['Cancelable'])
        rec.wait_for(lambda s: s.path == added.args[0] and s.member == 'Completed'
                     and s.args == (True, ''), 5)
        self.assertOk(stack.container_call('src', 'DestroyAllSnapshots'))

    def test_snapshot_bad_options(self):
        self.assertError(stack.container_call('src', 'Snapshot', "({'comment': <1>},)"), 'InvalidArgument')
        self.assertError(stack.container_call('src', 'Snapshot', "({'commnt': <'x'>},)"), 'InvalidArgument')
        self.assertError(stack.container_call('src', 'Snapshot', "({'comment': <'%s'>},)" % ('c' * 70000)),
                         'InvalidArgument')
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'src', 'snaps', 'snap0')))


class Authorization(Base):
    def tearDown(self):
        stack.clear_rules()

    def test_denied_without_rule(self):
        with stack.client_as(UNPRIV_UID) as client:
            for method, args in (('Clone', "('x1', @a{sv} {})"), ('Rename', "('x2',)"),
                                 ('Snapshot', '(@a{sv} {},)'), ('ListSnapshots', '()'),
                                 ('RestoreSnapshot', "('snap0', 'x3')"),
                                 ('DestroySnapshot', "('snap0',)"), ('DestroyAllSnapshots', '()')):
                r = client.call(path('src'), CONTAINER_IFACE, method, args)
                self.assertError(r, 'NotAuthorized')
        self.assertNothingChanged()
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'src', 'snaps')))

    def test_clone_rule_and_configure_host(self):
        stack.set_rules('''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.manage" &&
        action.lookup("source") == "src" && action.lookup("container") == "mycopy")
        return polkit.Result.YES;
});
''' % UNPRIV_USER)
        with stack.client_as(UNPRIV_UID) as client:
            r = client.call(path('src'), CONTAINER_IFACE, 'Clone', "('othercopy', @a{sv} {})", timeout=120)
            self.assertError(r, 'NotAuthorized')
            for opts in ("{'hook_args': <['x']>}", "{'bdev_data': <'ext4'>}"):
                r = client.call(path('src'), CONTAINER_IFACE, 'Clone', "('mycopy', %s)" % opts,
                                timeout=120)
                self.assertError(r, 'NotAuthorized')
            self.assertNothingChanged()
            # src is privileged: its copy would be too, which is configure-host
            r = client.call(path('src'), CONTAINER_IFACE, 'Clone', "('mycopy', @a{sv} {})", timeout=120)
            self.assertError(r, 'NotAuthorized')
            self.assertIn('privileged', r.result_text)
            self.assertNothingChanged()
        stack.set_rules('''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.manage" &&
        action.lookup("source") == "src" && action.lookup("container") == "mycopy")
        return polkit.Result.YES;
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.configure-host" &&
        action.lookup("container") == "mycopy" && action.lookup("key") == "lxc.idmap")
        return polkit.Result.YES;
});
''' % (UNPRIV_USER, UNPRIV_USER))
        with stack.client_as(UNPRIV_UID) as client:
            r = client.call(path('src'), CONTAINER_IFACE, 'Clone', "('mycopy', @a{sv} {})", timeout=120)
            self.assertOk(r)
        self.destroy('mycopy')


if __name__ == '__main__':
    lxcdtest.main()
