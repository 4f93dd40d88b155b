#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxc-dbus-helper serve: the fork server the daemon runs its operations in.

Talks to the server directly over its socket, as the daemon does
(src/lxcd-helper-proto.h): requests run, their children hold nothing of the
server (no socket), name themselves lxcd-OP and live in a process group of
their own; bad requests are refused without harming the server; the server
exits when the daemon's end closes, and what it started runs on. No bus and
no polkit: the daemon's side is covered by every integration test.
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import lxcdtest

HELPER = os.path.join(lxcdtest.BUILDDIR, 'src', 'lxc-dbus-helper')
REQUEST = struct.Struct('=IIQ')     # version, n_fds, id
REPLY = struct.Struct('=Qii')       # id, kind, value
STARTED, EXITED, FAILED = 1, 2, 3
EXIT_NOT_FOUND = 4


def spawn_server():
    """(server Popen, our socket end)"""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    # (everything else this process may have open and inheritable reaches
    # the server too, which must close it)
    proc = subprocess.Popen([HELPER, 'serve'], close_fds=False,
                            preexec_fn=lambda: os.dup2(theirs.fileno(), 3),
                            stderr=subprocess.PIPE)
    theirs.close()
    return proc, ours


class Request:
    """One operation: pipes for its stdin, stdout and stderr."""

    def __init__(self, sock, args, req_id, version=1, n_fds=4):
        memfd = os.memfd_create('args')
        os.write(memfd, b''.join(a.encode() + b'\0' for a in [HELPER] + list(args)))
        in_r, self.stdin = os.pipe()
        self.stdout, out_w = os.pipe()
        self.stderr, err_w = os.pipe()
        fds = [memfd, in_r, out_w, err_w][:n_fds]
        socket.send_fds(sock, [REQUEST.pack(version, n_fds, req_id)], fds)
        for fd in (memfd, in_r, out_w, err_w):
            os.close(fd)

    def close(self):
        for fd in (self.stdin, self.stdout, self.stderr):
            try:
                os.close(fd)
            except OSError:
                pass

    def read_stderr(self):
        out = b''
        while True:
            chunk = os.read(self.stderr, 4096)
            if not chunk:
                return out.decode()
            out += chunk


def reply(sock, timeout=10):
    sock.settimeout(timeout)
    data = sock.recv(64)
    if not data:
        raise EOFError('the server closed its end')
    return REPLY.unpack(data)


def proc_field(pid, name):
    with open('/proc/%d/%s' % (pid, name)) as f:
        return f.read()


class HelperServer(lxcdtest.TestCase):
    def setUp(self):
        self.server, self.sock = spawn_server()
        self.tmp = tempfile.mkdtemp(prefix='lxcd-serve-')
        # A container liblxc calls defined: a directory with a config file.
        os.makedirs(os.path.join(self.tmp, 'c1'))
        with open(os.path.join(self.tmp, 'c1', 'config'), 'w') as f:
            f.write('lxc.uts.name = c1\n')

    def tearDown(self):
        self.sock.close()
        try:
            self.server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.server.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_operation_runs_and_is_reported(self):
        r = Request(self.sock, ['freeze', self.tmp, 'nothere'], 41)
        try:
            req_id, kind, pid = reply(self.sock)
            self.assertEqual((req_id, kind), (41, STARTED))
            self.assertGreater(pid, 1)
            self.assertIn("Container 'nothere' is not defined", r.read_stderr())
            req_id, kind, status = reply(self.sock)
            self.assertEqual((req_id, kind), (41, EXITED))
            self.assertTrue(os.WIFEXITED(status))
            self.assertEqual(os.WEXITSTATUS(status), EXIT_NOT_FOUND)
        finally:
            r.close()

    def test_child_holds_nothing_of_the_server(self):
        # snapshot reads its comment from stdin first: the child waits there.
        r = Request(self.sock, ['snapshot', self.tmp, 'c1'], 7)
        try:
            _, kind, pid = reply(self.sock)
            self.assertEqual(kind, STARTED)
            lxcdtest.wait_until(lambda: proc_field(pid, 'comm').strip() == 'lxcd-snapshot', 5)
            stat = proc_field(pid, 'stat').rsplit(')', 1)[1].split()
            self.assertEqual(int(stat[1]), self.server.pid)      # its parent: the server
            self.assertEqual(int(stat[2]), pid)                  # its own process group
            self.assertNotEqual(os.getpgid(self.server.pid), pid)
            # Its descriptors: the three given, plus its own files (liblxc's
            # log, the comment, liblxc's container lock);
            # never a socket (the server's) or anything else of ours.
            for fd in os.listdir('/proc/%d/fd' % pid):
                target = os.readlink('/proc/%d/fd/%s' % (pid, fd))
                self.assertFalse(target.startswith('socket:'), (fd, target))
                if int(fd) > 2:
                    self.assertTrue(target.startswith(('/tmp/lxc-dbus-', '/run/lxc/lock/')),
                                    (fd, target))
            self.assertEqual(proc_field(pid, 'status').split('SigBlk:')[1].split()[0],
                             '0' * 16, 'the server blocks SIGCHLD; its children must not')
            # EOF on stdin: the snapshot goes on (and fails: no rootfs)
            os.close(r.stdin)
            r.read_stderr()
            _, kind, status = reply(self.sock)
            self.assertEqual(kind, EXITED)
            self.assertTrue(os.WIFEXITED(status), status)
        finally:
            r.close()

    def test_bad_requests_are_refused_and_the_server_goes_on(self):
        for version, n_fds, req_id in ((2, 4, 3), (1, 3, 4)):
            r = Request(self.sock, ['freeze', self.tmp, 'c1'], req_id, version=version,
                        n_fds=n_fds)
            r.close()
            self.assertEqual(reply(self.sock)[:2], (req_id, FAILED))
        # A short message (no header) and no descriptors at all.
        self.sock.send(b'x')
        self.assertEqual(reply(self.sock)[1], FAILED)
        r = Request(self.sock, ['freeze', self.tmp, 'nothere'], 5)
        try:
            self.assertEqual(reply(self.sock)[:2], (5, STARTED))
            self.assertEqual(reply(self.sock)[:2], (5, EXITED))
        finally:
            r.close()
        self.assertIsNone(self.server.poll())

    def test_server_exits_with_the_daemon_and_its_children_go_on(self):
        r = Request(self.sock, ['snapshot', self.tmp, 'c1'], 9)
        try:
            _, kind, pid = reply(self.sock)
            self.assertEqual(kind, STARTED)
            self.sock.close()
            self.assertEqual(self.server.wait(timeout=5), 0)
            self.assertIn(pid, lxcdtest.live_processes('lxc-dbus-helper'))
        finally:
            r.close()
        lxcdtest.wait_until(lambda: pid not in lxcdtest.live_processes('lxc-dbus-helper'), 10)

    def test_server_needs_its_socket(self):
        out = subprocess.run([HELPER, 'serve'], capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 2)
        self.assertIn('fd 3 is not', out.stderr)


if __name__ == '__main__':
    lxcdtest.main()
