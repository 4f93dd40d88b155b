#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""RunCommand and Attach: the caller's descriptors are the program's stdio,
exit statuses and ProcessExited come back, every option works and unknown
ones are refused, no descriptor of the daemon reaches the program, a
cancel or a disconnecting caller kills the program, polkit decides."""
import os
import subprocess
import threading
import time
import unittest

from gi.repository import GLib, Gio

import lxcclient
import lxcdtest
from lxcdtest import BUS_NAME, CONTAINER_IFACE, JOB_IFACE, UNPRIV_UID, UNPRIV_USER

stack = None


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2'):
        stack.make_container(name)
    stack.start_daemon()
    for name in ('c1', 'c2'):
        r = stack.call(lxcdtest.container_path(name), CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        assert r.ok, r


def tearDownModule():
    stack.close()


def path(name):
    return lxcdtest.container_path(name)


class Pipes:
    """stdin, stdout and stderr pipes for a program in the container."""

    def __init__(self, stdin_data=b''):
        self.in_r, self.in_w = os.pipe()
        self.out_r, self.out_w = os.pipe()
        self.err_r, self.err_w = os.pipe()
        os.write(self.in_w, stdin_data)
        os.close(self.in_w)

    def fd_list(self):
        fds = Gio.UnixFDList.new()
        for fd in (self.in_r, self.out_w, self.err_w):
            fds.append(fd)
        # Our copies of the ends the program writes must go, or reading
        # would never see EOF.
        for fd in (self.in_r, self.out_w, self.err_w):
            os.close(fd)
        return fds

    def read(self):
        out = b''
        while True:
            chunk = os.read(self.out_r, 65536)
            if not chunk:
                break
            out += chunk
        err = b''
        while True:
            chunk = os.read(self.err_r, 65536)
            if not chunk:
                break
            err += chunk
        os.close(self.out_r)
        os.close(self.err_r)
        return out.decode(), err.decode()


def close_list(fds):
    """The list holds its own copies of the descriptors: close them."""
    for fd in fds.steal_fds():
        os.close(fd)


def run(conn, name, argv, options=None, stdin_data=b'', method='RunCommand', timeout=30000):
    pipes = Pipes(stdin_data)
    fds = pipes.fd_list()
    params = GLib.Variant('(ashhha{sv})', (argv, 0, 1, 2, options or {}))
    try:
        reply, _ = conn.call_with_unix_fd_list_sync(BUS_NAME, path(name), CONTAINER_IFACE, method,
                                                   params, None, Gio.DBusCallFlags.NONE, timeout,
                                                   fds, None)
    except GLib.Error as e:
        close_list(fds)
        pipes.read()
        return None, None, None, Gio.DBusError.get_remote_error(e), e.message
    close_list(fds)
    out, err = pipes.read() if method == 'RunCommand' else (None, None)
    if method == 'Attach':
        return reply.unpack()[0], pipes, None, None, None
    return reply.unpack()[0], out, err, None, None


class RunCommand(lxcdtest.TestCase):
    def setUp(self):
        self.conn = stack.bus()

    def test_status_and_output(self):
        t0 = time.monotonic()
        status, out, err, ename, _ = run(self.conn, 'c1', ['/bin/true'])
        lxcdtest._log('RunCommand(/bin/true) round trip: %.1f ms' % ((time.monotonic() - t0) * 1000))
        self.assertIsNone(ename)
        self.assertEqual(status, 0)
        status, out, err, _, _ = run(self.conn, 'c1', ['/bin/sh', '-c', 'echo out; echo err >&2; exit 7'])
        self.assertEqual(os.WEXITSTATUS(status), 7)
        self.assertEqual(out, 'out\n')
        self.assertEqual(err, 'err\n')

    def test_stdin_piped_in(self):
        status, out, _, _, _ = run(self.conn, 'c1', ['/bin/cat'], stdin_data=b'through stdin\n')
        self.assertEqual(status, 0)
        self.assertEqual(out, 'through stdin\n')

    def test_options(self):
        status, out, _, ename, msg = run(self.conn, 'c1', ['/bin/sh', '-c', 'echo "$FOO|$(pwd)|$(id -u)|$(id -g)"'],
                                         {'env': GLib.Variant('as', ['FOO=bar baz']),
                                          'cwd': GLib.Variant('s', '/tmp'),
                                          'uid': GLib.Variant('u', 1000),
                                          'gid': GLib.Variant('u', 1001)})
        self.assertIsNone(ename, msg)
        self.assertEqual(out, 'bar baz|/tmp|1000|1001\n')
        # The service's environment (the harness sets G_DEBUG for it) never
        # reaches the program: a clean one with PATH, container=lxc and HOME.
        status, out, _, _, _ = run(self.conn, 'c1', ['/bin/sh', '-c',
                                                     'echo "[$G_DEBUG][$DBUS_SYSTEM_BUS_ADDRESS]"; env | sort'])
        lines = out.splitlines()
        self.assertEqual(lines[0], '[][]')
        env = dict(l.split('=', 1) for l in lines[1:] if '=' in l)
        self.assertEqual(env.get('PATH'), '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
        self.assertEqual(env.get('container'), 'lxc')
        self.assertEqual(env.get('HOME'), '/root')
        self.assertEqual(set(env) - {'PATH', 'container', 'HOME', 'PWD', 'SHLVL', '_'}, set(), env)
        status, out, _, _, _ = run(self.conn, 'c1', ['/bin/sh', '-c', 'echo "[$G_DEBUG][$LANG]"'],
                                   {'clear_env': GLib.Variant('b', True)})
        self.assertEqual(out, '[][]\n')
        # keep_env keeps a name of the clean environment, never one of the
        # service's own.
        status, out, _, _, _ = run(self.conn, 'c1', ['/bin/sh', '-c', 'echo "[$G_DEBUG][$PATH]"'],
                                   {'clear_env': GLib.Variant('b', True),
                                    'keep_env': GLib.Variant('as', ['G_DEBUG', 'PATH'])})
        self.assertEqual(out, '[][/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin]\n')
        status, out, _, ename, msg = run(self.conn, 'c1', ['/bin/sh', '-c', 'readlink /proc/self/ns/uts'],
                                         {'namespaces': GLib.Variant('as', ['mount', 'pid', 'uts'])})
        self.assertIsNone(ename, msg)
        init = stack.lxc('info', 'c1', '-p', '-H').stdout.strip()
        self.assertEqual(out.strip(), os.readlink('/proc/%s/ns/uts' % init))
        status, out, _, ename, msg = run(self.conn, 'c1', ['/bin/uname', '-m'],
                                         {'personality': GLib.Variant('s', 'linux32')})
        self.assertIsNone(ename, msg)
        self.assertIn(out.strip(), ('i686', 'i386', 'armv8l', 'armv7l'))
        status, _, _, ename, msg = run(self.conn, 'c1', ['/bin/true'],
                                       {'elevated_privileges': GLib.Variant('as', ['capabilities'])})
        self.assertIsNone(ename, msg)
        self.assertEqual(status, 0)

    def test_no_daemon_descriptor_reaches_the_program(self):
        # The program's descriptors, looked at from the host while it runs.
        pid, pipes, _, ename, msg = run(self.conn, 'c1', ['/bin/sleep', '303'], method='Attach')
        self.assertIsNone(ename, msg)
        try:
            # (the reply comes when the process exists; wait for its exec)
            def execd():
                with open('/proc/%d/cmdline' % pid, 'rb') as f:
                    return f.read().split(b'\0')[:2] == [b'/bin/sleep', b'303']
            lxcdtest.wait_until(execd, 5)
            fds = sorted(int(f) for f in os.listdir('/proc/%d/fd' % pid))
            links = {f: os.readlink('/proc/%d/fd/%d' % (pid, f)) for f in fds}
            self.assertEqual(fds, [0, 1, 2], links)
        finally:
            os.kill(pid, 9)
            pipes.read()

    def test_program_looked_up_in_path(self):
        # as liblxc's attach_run_wait() (execvp) and a shell do
        status, out, _, ename, msg = run(self.conn, 'c1', ['sh', '-c', 'echo "$0"; exit 4'])
        self.assertIsNone(ename, msg)
        self.assertEqual((os.WEXITSTATUS(status), out), (4, 'sh\n'))
        status, _, err, ename, msg = run(self.conn, 'c1', ['no-such-program-here'])
        self.assertIsNone(ename, msg)
        self.assertEqual(os.WEXITSTATUS(status), 127)
        self.assertIn('no-such-program-here', err)
        # the caller's PATH is the one searched
        status, out, _, _, _ = run(self.conn, 'c1', ['true'], {'env': GLib.Variant('as', ['PATH=/nonexistent'])})
        self.assertEqual(os.WEXITSTATUS(status), 127)
        status, _, _, _, _ = run(self.conn, 'c1', ['/etc/passwd'])
        self.assertEqual(os.WEXITSTATUS(status), 126)

    def test_bad_input(self):
        for argv, opts in (([], {}), ([''], {}),
                           (['/bin/true'], {'bogus': GLib.Variant('b', True)}),
                           (['/bin/true'], {'env': GLib.Variant('as', ['NOEQUALS'])}),
                           (['/bin/true'], {'env': GLib.Variant('s', 'A=1')}),
                           (['/bin/true'], {'cwd': GLib.Variant('s', 'relative')}),
                           (['/bin/true'], {'namespaces': GLib.Variant('as', ['nosuch'])}),
                           (['/bin/true'], {'personality': GLib.Variant('s', 'sparc')}),
                           (['/bin/true'], {'elevated_privileges': GLib.Variant('as', ['root'])}),
                           (['/bin/x'] * 1025, {})):
            _, _, _, ename, msg = run(self.conn, 'c1', argv, opts)
            self.assertEqual(ename, lxcdtest.ERROR_PREFIX + 'InvalidArgument', (argv[:2], opts, msg))
        # A handle that was not passed.
        fds = Gio.UnixFDList.new()
        for fd in (0, 1, 2):
            fds.append(fd)
        with self.assertRaises(GLib.Error) as cm:
            self.conn.call_with_unix_fd_list_sync(
                BUS_NAME, path('c1'), CONTAINER_IFACE, 'RunCommand',
                GLib.Variant('(ashhha{sv})', (['/bin/true'], 0, 1, 5, {})), None,
                Gio.DBusCallFlags.NONE, 10000, fds, None)
        close_list(fds)
        self.assertEqual(Gio.DBusError.get_remote_error(cm.exception),
                         lxcdtest.ERROR_PREFIX + 'InvalidArgument')

    def test_daemon_keeps_no_descriptor_after_calls(self):
        def daemon_fds():
            return len(os.listdir('/proc/%d/fd' % stack.daemon_pid))
        # Warm up (thread pool, caches), then count.
        run(self.conn, 'c1', ['/bin/true'])
        before = daemon_fds()
        for argv, opts in ((['/bin/true'], {}), (['relative'], {}),
                           (['/bin/true'], {'bogus': GLib.Variant('b', True)}),
                           (['/bin/sh', '-c', 'exit 3'], {})):
            run(self.conn, 'c1', argv, opts)
        run(self.conn, 'c1', ['/bin/true'], method='Attach')
        lxcdtest.wait_until(lambda: daemon_fds() <= before, 5,
                            message=lambda: 'daemon holds %d fds, had %d' % (daemon_fds(), before))

    def test_stopped_container(self):
        stack.make_container('stopped1')
        lxcdtest.wait_until(lambda: stack.call(path('stopped1'), 'org.freedesktop.DBus.Properties', 'Get',
                                               "('%s', 'Name')" % CONTAINER_IFACE).ok, 5)
        _, _, _, ename, _ = run(self.conn, 'stopped1', ['/bin/true'])
        self.assertEqual(ename, lxcdtest.ERROR_PREFIX + 'WrongState')

    def test_frozen_container_is_refused_at_once(self):
        # Found by tests/test_fuzz.py: a program attached to a frozen
        # container cannot start, and OpenShell waited for it forever.
        stack.wait_init_ready('c2')
        r = stack.call(path('c2'), CONTAINER_IFACE, 'Freeze', '()')
        self.assertTrue(r.ok, r)
        try:
            for method in ('RunCommand', 'Attach'):
                start = time.monotonic()
                _, _, _, ename, message = run(self.conn, 'c2', ['/bin/true'], method=method,
                                              timeout=10000)
                self.assertEqual(ename, lxcdtest.ERROR_PREFIX + 'WrongState', message)
                self.assertIn('frozen', message)
                self.assertLess(time.monotonic() - start, 5)
            with self.assertRaisesDBus('WrongState'):
                stack.client(self.conn, timeout=20).container('c2').open_shell()
        finally:
            r = stack.call(path('c2'), CONTAINER_IFACE, 'Unfreeze', '()')
            self.assertTrue(r.ok, r)
        status, out, _, ename, _ = run(self.conn, 'c2', ['/bin/true'])
        self.assertEqual((status, ename), (0, None))

    def test_cancel_kills_the_program(self):
        result = {}
        t = threading.Thread(target=lambda: result.update(r=run(stack.bus(), 'c1', ['/bin/sleep', '300'])))
        t.start()
        job = {}

        def seen():
            objs = self.conn.call_sync(BUS_NAME, lxcdtest.ROOT_PATH, 'org.freedesktop.DBus.ObjectManager',
                                       'GetManagedObjects', None, None, 0, 5000, None).unpack()[0]
            for p, ifaces in objs.items():
                if JOB_IFACE in ifaces and ifaces[JOB_IFACE]['Operation'] == 'run':
                    job['path'] = p
                    return True
            return False
        lxcdtest.wait_until(seen, 10)
        lxcdtest.wait_until(lambda: lxcdtest.live_processes('^/bin/sleep 300'), 10)
        self.assertTrue(stack.call(job['path'], JOB_IFACE, 'Cancel', '(@a{sv} {},)').ok)
        t.join(20)
        self.assertEqual(result['r'][3], lxcdtest.ERROR_PREFIX + 'Cancelled')
        lxcdtest.wait_until(lambda: not lxcdtest.live_processes('^/bin/sleep 300'), 5)

    def test_caller_disconnect_kills_the_program(self):
        root = stack.client_as(0)
        root.send(('container', 'c1'), 'run', ['/bin/sleep', '301'], call_timeout=-1)
        lxcdtest.wait_until(lambda: lxcdtest.live_processes('^/bin/sleep 301'), 10)
        root.kill()
        lxcdtest.wait_until(lambda: not lxcdtest.live_processes('^/bin/sleep 301'), 5)


class Attach(lxcdtest.TestCase):
    def test_pid_and_process_exited(self):
        conn = stack.bus()
        rec = stack.record_signals(conn, path=path('c1'), member='ProcessExited')
        pid, pipes, _, ename, msg = run(conn, 'c1', ['/bin/sh', '-c', 'read x; echo got $x; exit 5'],
                                        stdin_data=b'hello\n', method='Attach')
        self.assertIsNone(ename, msg)
        self.assertGreater(pid, 1)
        sig = rec.wait_for(lambda s: s.args[0] == pid, timeout=10)
        self.assertEqual(os.WEXITSTATUS(sig.args[1]), 5)
        out, _ = pipes.read()
        self.assertEqual(out, 'got hello\n')

    def test_pid_is_the_program(self):
        conn = stack.bus()
        pid, pipes, _, ename, msg = run(conn, 'c1', ['/bin/sleep', '302'], method='Attach')
        self.assertIsNone(ename, msg)

        def cmdline():
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                return f.read().split(b'\0')[:2]
        try:
            lxcdtest.wait_until(lambda: cmdline() == [b'/bin/sleep', b'302'], 5)
        except TimeoutError:
            with open('/proc/%d/status' % pid) as f:
                self.fail('pid %d: cmdline %r\n%s' % (pid, cmdline(), f.read()))
        os.kill(pid, 9)
        pipes.read()


def read_until(fd, needle, timeout=10):
    """Reads a pty master until *needle* shows up; returns what was read."""
    import select
    data = b''
    deadline = time.monotonic() + timeout
    while needle.encode() not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError('%r not seen; got %r' % (needle, data[-500:]))
        if select.select([fd], [], [], remaining)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    return data.decode(errors='replace')


class Terminals(lxcdtest.TestCase):
    def test_open_shell(self):
        master = stack.client(stack.bus(), timeout=20).container('c1').open_shell()
        try:
            os.write(master, b'[ -t 0 ] && echo "tty-$((6*7))"\n')
            read_until(master, 'tty-42')
            os.write(master, b'echo "$TERM"\n')
            read_until(master, 'xterm-256color')
        finally:
            os.close(master)
        # Closing the pty hangs the shell up.
        lxcdtest.wait_until(lambda: not lxcdtest.live_processes('^/bin/sh -l$'), 5)

    def test_open_shell_options(self):
        c1 = stack.client(stack.bus(), timeout=20).container('c1')
        master = c1.open_shell(argv=['/bin/sh'], uid=1000)
        try:
            os.write(master, b'echo "uid-$(id -u)"\n')
            read_until(master, 'uid-1000')
        finally:
            os.close(master)
        for opts in ({'argv': GLib.Variant('as', [])}, {'argv': GLib.Variant('s', '/bin/sh')},
                     {'argv': GLib.Variant('as', [''])}, {'bogus': GLib.Variant('b', True)}):
            with self.assertRaisesDBus('InvalidArgument', opts):
                c1.open_shell(**opts)

    def test_open_console(self):
        c2 = stack.client(stack.bus(), timeout=20).container('c2')
        master, ttynum = c2.open_console(0)
        self.assertEqual(ttynum, 0)
        try:
            # busybox init offers the console with "askfirst".
            os.write(master, b'\n')
            os.write(master, b'echo "con-$((5*5))"\n')
            read_until(master, 'con-25')
        finally:
            os.close(master)
        master, ttynum = c2.open_console(-1)
        self.assertGreaterEqual(ttynum, 1)
        os.close(master)
        for tty in (-2, 100000):
            with self.assertRaisesDBus('InvalidArgument'):
                c2.open_console(tty)

    def test_terminals_denied_for_unprivileged(self):
        r = stack.call_as(UNPRIV_UID, path('c1'), CONTAINER_IFACE, 'OpenConsole', '(0,)')
        self.assertError(r, 'NotAuthorized')
        r = stack.call_as(UNPRIV_UID, path('c1'), CONTAINER_IFACE, 'OpenShell', '(@a{sv} {},)')
        self.assertError(r, 'NotAuthorized')


class Authorization(lxcdtest.TestCase):
    def tearDown(self):
        stack.clear_rules()

    def run_as_nobody(self, name):
        with stack.client_as(UNPRIV_UID) as nobody:
            try:
                return 'STATUS %d' % nobody.container(name).run(['/bin/true'], call_timeout=20).status
            except lxcclient.Error as e:
                return 'ERROR ' + e.name

    def test_denied_then_rule_for_c1(self):
        self.assertEqual(self.run_as_nobody('c1'), 'ERROR ' + lxcdtest.ERROR_PREFIX + 'NotAuthorized')
        stack.set_rules('''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.exec" &&
        action.lookup("container") == "c1" && action.lookup("command_line") == "/bin/true" &&
        action.lookup("uid") == "0")
        return polkit.Result.YES;
});
''' % UNPRIV_USER)
        self.assertEqual(self.run_as_nobody('c1'), 'STATUS 0')
        self.assertEqual(self.run_as_nobody('c2'), 'ERROR ' + lxcdtest.ERROR_PREFIX + 'NotAuthorized')


if __name__ == '__main__':
    lxcdtest.main()
