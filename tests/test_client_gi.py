#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The client library (liblxc-dbus-1) through GObject Introspection: the
LxcDBus typelib of this build, no D-Bus written by hand. Lists the
containers, starts one and sees RUNNING through property notification,
runs commands (the convenience call and the generated proxy call with a
GUnixFDList), reads GetUsage, stops and follows StateChanged, creates a
container through the call that waits for its Job, and maps the
service's errors to the LxcDBus error domain.

tests/meson.build points GI_TYPELIB_PATH and LD_LIBRARY_PATH at
client/lxc-dbus in the build tree."""
import os
import subprocess

import gi
gi.require_version('LxcDBus', '1.0')
from gi.repository import GLib, Gio, LxcDBus  # noqa: E402

import lxcdtest  # noqa: E402

stack = None
client = None

NO_OPTIONS = GLib.Variant('a{sv}', {})
# The generated calls take call flags and a timeout (-1: GDBus's default).
# (PyGObject drops the gboolean of functions that throw: a call returns
# its out arguments, or None.)
NONE = Gio.DBusCallFlags.NONE
EMPTY_NET = GLib.Variant('a{sv}', {'config': GLib.Variant('a{ss}', {'lxc.net.0.type': 'empty'})})


def setUpModule():
    global stack, client
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2', 'c3'):
        stack.make_container(name)
    stack.start_daemon()
    stack.start_container('c1')
    stack.wait_init_ready('c1')
    # The harness put the private bus in DBUS_SYSTEM_BUS_ADDRESS: the
    # library's system bus is that one, as GIO's is.
    client = LxcDBus.Client.new_sync(None)


def tearDownModule():
    global client
    client = None
    stack.close()


def wait_for(predicate, timeout=30, message=None):
    """Iterate the default main context (where the library's proxies get
    their signals) until *predicate* holds."""
    return lxcdtest.wait_until(predicate, timeout=timeout * lxcdtest.SLOWDOWN, message=message)


def run_to_completion(start):
    """Call start(callback) for an async call of the library and run the
    default main context until the callback came; returns its result."""
    done = []
    start(lambda source, result, *_: done.append(result))
    wait_for(lambda: done, timeout=120)
    return done[0]


def read_pipe(fd):
    chunks = []
    while True:
        b = os.read(fd, 65536)
        if not b:
            return b''.join(chunks)
        chunks.append(b)


class Client(lxcdtest.TestCase):
    def container(self, name):
        c = client.lookup_container(name)
        self.assertIsNotNone(c, name)
        return c

    def test_typelib_is_this_builds(self):
        typelib = GLib.getenv('GI_TYPELIB_PATH') or ''
        self.assertTrue(typelib.startswith(os.environ['LXCD_BUILDDIR']), typelib)
        self.assertIsInstance(client.get_object_manager(), LxcDBus.ObjectManagerClient)

    def test_c_example_lists_the_containers(self):
        # examples/list-containers.c, built with the project, in C on the
        # same bus (DBUS_SYSTEM_BUS_ADDRESS from the harness).
        prog = os.path.join(os.environ['LXCD_BUILDDIR'], 'examples', 'lxc-dbus-list-containers')
        r = subprocess.run([prog], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, G_DEBUG='fatal-criticals'))
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = {line.split()[0]: line.split()[1:] for line in r.stdout.splitlines()}
        self.assertEqual(rows['c1'][0], 'RUNNING', r.stdout)
        self.assertEqual(int(rows['c1'][1]), self.container('c1').props.init_pid)
        self.assertIn('c3', rows, r.stdout)

    def test_list_and_look_up(self):
        containers = client.get_containers()
        names = [c.props.name for c in containers]
        self.assertEqual(names, sorted(names))
        for name in ('c1', 'c2', 'c3'):
            self.assertIn(name, names)
        for c in containers:
            self.assertIsInstance(c, LxcDBus.Container)
            self.assertEqual(c.get_object_path(), lxcdtest.container_path(c.props.name))
        c1 = self.container('c1')
        self.assertEqual(c1.props.state, 'RUNNING')
        self.assertTrue(c1.props.running)
        self.assertGreater(c1.props.init_pid, 1)
        self.assertEqual(c1.props.lxcpath, stack.lxcpath)
        self.assertIs(client.lookup_container_by_path(lxcdtest.container_path('c1')), c1)
        self.assertIsNone(client.lookup_container('nosuch'))
        # The same list through the Manager's typed method.
        manager = client.get_manager()
        self.assertIsInstance(manager, LxcDBus.Manager)
        self.assertTrue(manager.props.version)
        self.assertIn('create', manager.props.features)
        listed = manager.call_list_containers_sync('all', NO_OPTIONS, NONE, -1, None)
        self.assertEqual(sorted(n for n, _ in listed.unpack()), sorted(names))

    def test_start_notify_stop_state_changed(self):
        c = self.container('c2')
        self.assertEqual(c.props.state, 'STOPPED')
        notified, changes = [], []
        h1 = c.connect('notify::state', lambda obj, pspec: notified.append(obj.props.state))
        h2 = c.connect('state-changed', lambda obj, new, old: changes.append((new, old)))
        try:
            c.call_start_sync(NO_OPTIONS, NONE, -1, None)
            wait_for(lambda: 'RUNNING' in notified, message=lambda: repr(notified))
            self.assertTrue(c.props.running)
            self.assertGreater(c.props.init_pid, 1)
            wait_for(lambda: any(new == 'RUNNING' for new, _ in changes),
                     message=lambda: repr(changes))

            del changes[:]
            c.call_stop_sync(NONE, -1, None)
            wait_for(lambda: any(new == 'STOPPED' for new, _ in changes),
                     message=lambda: repr(changes))
            wait_for(lambda: c.props.state == 'STOPPED')
            self.assertFalse(c.props.running)
            self.assertEqual(changes[-1][0], 'STOPPED')
        finally:
            c.disconnect(h1)
            c.disconnect(h2)

    def test_run_command_convenience(self):
        c = self.container('c1')
        r, w = os.pipe()
        with open(os.devnull, 'rb') as null:
            try:
                status = client.run_command_sync(c, ['/bin/sh', '-c', 'echo hello; exit 3'],
                                              null.fileno(), w, w, None, None)
            finally:
                os.close(w)
        out = read_pipe(r)
        os.close(r)
        self.assertEqual(os.waitstatus_to_exitcode(status), 3)
        self.assertEqual(out, b'hello\n')

    def test_run_command_async_convenience(self):
        c = self.container('c1')
        with open(os.devnull, 'rb') as null, open(os.devnull, 'wb') as out:
            result = run_to_completion(lambda cb: client.run_command(
                c, ['/bin/true'], null.fileno(), out.fileno(), out.fileno(), None, None, cb))
        status = client.run_command_finish(result)
        self.assertEqual(status, 0)

    def test_run_command_generated_proxy_with_fd_list(self):
        c = self.container('c1')
        r, w = os.pipe()
        fds = Gio.UnixFDList.new()
        with open(os.devnull, 'rb') as null:
            fds.append(null.fileno())
            fds.append(w)
            fds.append(w)
        os.close(w)
        status, _ = c.call_run_command_sync(
            ['/bin/sh', '-c', 'echo "$((6 * 7))"'], GLib.Variant('h', 0), GLib.Variant('h', 1),
            GLib.Variant('h', 2), NO_OPTIONS, NONE, 30000, fds, None)
        fds = None  # closes our copies, so that the pipe ends
        out = read_pipe(r)
        os.close(r)
        self.assertEqual(status, 0)
        self.assertEqual(out, b'42\n')

    def test_get_usage(self):
        c = self.container('c1')
        usage = c.call_get_usage_sync(NO_OPTIONS, NONE, -1, None).unpack()
        self.assertGreater(usage['cpu_usage_ns'], 0)
        self.assertGreater(usage['memory_current'], 0)
        self.assertGreaterEqual(usage['processes'], 1)

    def test_create_waits_for_its_job(self):
        added, jobs, completed = [], [], []

        def on_job(_client, job):
            jobs.append(job.props.operation)
            job.connect('completed', lambda j, success, message: completed.append(success))

        h1 = client.connect('container-added', lambda _c, c: added.append(c.props.name))
        h2 = client.connect('job-added', on_job)
        try:
            result = run_to_completion(lambda cb: client.create_container(
                'made1', 'busybox', EMPTY_NET, None, cb))
            made = client.create_container_finish(result)
        finally:
            client.disconnect(h1)
            client.disconnect(h2)
        # The reply came after the Job's Completed and with the new object
        # announced: the container returned is the object manager's.
        self.assertIn('create', jobs)
        self.assertEqual(completed, [True])
        self.assertIn('made1', added)
        self.assertIs(client.lookup_container('made1'), made)
        self.assertEqual(made.props.name, 'made1')
        self.assertEqual(made.props.state, 'STOPPED')
        self.assertTrue(os.path.isfile(os.path.join(stack.lxcpath, 'made1', 'config')))
        self.assertEqual(client.get_jobs(), [])

        # Destroyed: the object manager tells.
        removed = []
        h = client.connect('container-removed', lambda _c, c: removed.append(c.props.name))
        try:
            made.call_destroy_sync(NO_OPTIONS, NONE, 120000, None)
            wait_for(lambda: 'made1' in removed)
        finally:
            client.disconnect(h)
        self.assertIsNone(client.lookup_container('made1'))

    def test_create_sync_and_its_error(self):
        made = client.create_container_sync('made2', 'busybox', EMPTY_NET, None)
        self.assertEqual(made.props.name, 'made2')
        self.assertTrue(os.path.isfile(os.path.join(stack.lxcpath, 'made2', 'config')))
        wait_for(lambda: client.lookup_container('made2'))
        with self.assertRaises(GLib.Error) as cm:
            client.create_container_sync('made2', 'busybox', EMPTY_NET, None)
        self.assertTrue(cm.exception.matches(LxcDBus.error_quark(),
                                             LxcDBus.Error.ALREADY_EXISTS), cm.exception)

    def test_error_domain_and_name(self):
        manager = client.get_manager()
        with self.assertRaises(GLib.Error) as cm:
            manager.call_get_container_sync('nosuch', NONE, -1, None)
        e = cm.exception
        self.assertEqual(e.domain, 'lxc-dbus-error-quark')
        self.assertEqual(e.code, LxcDBus.Error.NOT_FOUND)
        self.assertTrue(e.matches(LxcDBus.error_quark(), LxcDBus.Error.NOT_FOUND))
        self.assertEqual(Gio.DBusError.get_remote_error(e),
                         'org.linuxcontainers.LXC1.Error.NotFound')
        # A stopped container: WrongState, through the convenience call too.
        with open(os.devnull, 'rb') as null:
            with self.assertRaises(GLib.Error) as cm:
                client.run_command_sync(self.container('c3'), ['/bin/true'],
                                        null.fileno(), null.fileno(), null.fileno(), None, None)
        self.assertEqual(Gio.DBusError.get_remote_error(cm.exception),
                         'org.linuxcontainers.LXC1.Error.WrongState')


if __name__ == '__main__':
    lxcdtest.main()
