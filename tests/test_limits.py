#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Per-caller limits ([Limits] OperationsPerUser= in the daemon's config
file): a user whom polkit allows something cannot run more operations at
once than the limit; the next call fails with LimitsExceeded until one
ends; failed calls give their place back; root is not limited."""
import os
import subprocess
import textwrap
import unittest

import lxcdtest
from lxcdtest import CONTAINER_IFACE, ERROR_PREFIX, UNPRIV_UID, UNPRIV_USER

stack = None
LIMIT = 2

RULE = '''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.lookup("container") == "c1" &&
        (action.id == "org.linuxcontainers.LXC1.exec" ||
         action.id == "org.linuxcontainers.LXC1.lifecycle"))
        return polkit.Result.YES;
});
''' % UNPRIV_USER

# Opens shells on c1 one after another and keeps them; closes the first
# and tries again until a new one opens. Prints one result per line.
SHELLS = textwrap.dedent('''
    import os, sys, time
    from gi.repository import Gio, GLib
    conn = Gio.bus_get_sync(Gio.BusType.SYSTEM)
    held = []
    def shell():
        try:
            r, fds = conn.call_with_unix_fd_list_sync(
                "org.linuxcontainers.LXC1", "%(path)s", "org.linuxcontainers.LXC1.Container",
                "OpenShell", GLib.Variant("(a{sv})", ({},)), None, 0, 20000, None, None)
            held.extend(fds.steal_fds())
            return "ok"
        except GLib.Error as e:
            return Gio.DBusError.get_remote_error(e)
    for i in range(int(sys.argv[1])):
        print(shell(), flush=True)
    # a call anyone may make counts too, while the shells are held
    try:
        conn.call_sync("org.linuxcontainers.LXC1", "%(path)s", "org.linuxcontainers.LXC1.Container",
                       "GetUsage", GLib.Variant("(a{sv})", ({},)), None, 0, 20000, None)
        print("usage ok", flush=True)
    except GLib.Error as e:
        print("usage", Gio.DBusError.get_remote_error(e), flush=True)
    os.close(held.pop(0))
    for i in range(100):
        r = shell()
        if r == "ok":
            break
        time.sleep(0.1)
    print("after-close", r, flush=True)
''')


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    stack.make_container('c1')
    conf = os.path.join(stack.tmpdir, 'lxc-dbus.conf')
    with open(conf, 'w') as f:
        f.write('[Limits]\nOperationsPerUser=%d\n' % LIMIT)
    stack.start_daemon(['--config=' + conf])
    stack.start_container('c1')
    stack.wait_init_ready('c1')


def tearDownModule():
    stack.close()


def path(name):
    return lxcdtest.container_path(name)


class Limits(lxcdtest.TestCase):
    def setUp(self):
        stack.set_rules(RULE)

    def tearDown(self):
        stack.clear_rules()

    def shells(self, uid, n):
        with open(os.path.join(stack.tmpdir, 'shells.py'), 'w') as f:
            f.write(SHELLS % {'path': path('c1')})
        argv = ['/usr/bin/python3', os.path.join(stack.tmpdir, 'shells.py'), str(n)]
        r = stack.run_as(uid, argv)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.split('\n')

    def test_user_is_limited_and_a_finished_operation_makes_room(self):
        out = self.shells(UNPRIV_UID, LIMIT + 1)
        self.assertEqual(out[:LIMIT], ['ok'] * LIMIT, out)
        self.assertEqual(out[LIMIT], ERROR_PREFIX + 'LimitsExceeded', out)
        # GetUsage needs no authorization but takes a worker: it is limited too
        self.assertEqual(out[LIMIT + 1], 'usage ' + ERROR_PREFIX + 'LimitsExceeded', out)
        self.assertEqual(out[LIMIT + 2], 'after-close ok', out)

    def test_root_is_not_limited(self):
        out = self.shells(0, LIMIT + 2)
        self.assertEqual(out[:LIMIT + 3], ['ok'] * (LIMIT + 2) + ['usage ok'], out)

    def test_failed_calls_give_their_place_back(self):
        # Start on a running container fails: many times over, never LimitsExceeded.
        with stack.client_as(UNPRIV_UID) as client:
            for _ in range(LIMIT * 3):
                r = client.call(path('c1'), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
                self.assertError(r, 'WrongState')
        # And the places are all free again.
        out = self.shells(UNPRIV_UID, LIMIT)
        self.assertEqual(out[:LIMIT], ['ok'] * LIMIT, out)


class BadConfig(unittest.TestCase):
    def test_bad_limit_is_refused_at_start(self):
        conf = os.path.join(stack.tmpdir, 'bad.conf')
        with open(conf, 'w') as f:
            f.write('[Limits]\nOperationsPerUser=lots\n')
        r = subprocess.run([stack.daemon_path, '--config=' + conf, '--lxcpath=' + stack.lxcpath],
                           capture_output=True, text=True, env=stack.env(), timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn('OperationsPerUser', r.stderr)


if __name__ == '__main__':
    lxcdtest.main()
