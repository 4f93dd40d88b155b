#!/usr/bin/python3
"""Benchmark: RunCommand(["/bin/true"]) through lxc-dbus beside
`lxc-attach -- /bin/true` and a direct attach_run_wait (python3-lxc's
attach_wait) in the same run.

    LXCD_BUILDDIR=_build/test tests/run-test bench/exec_ops.py [ROUNDS]
"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
import lxc  # noqa: E402
import lxcdtest  # noqa: E402
from gi.repository import GLib, Gio  # noqa: E402


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    stack = lxcdtest.Stack().start()
    try:
        stack.make_container('b1')
        stack.start_daemon()
        conn = stack.bus()
        path = lxcdtest.container_path('b1')
        r = stack.call(path, lxcdtest.CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        assert r.ok, r
        devnull = os.open('/dev/null', os.O_RDWR)

        def dbus():
            fds = Gio.UnixFDList.new()
            for _ in range(3):
                fds.append(devnull)
            reply, _ = conn.call_with_unix_fd_list_sync(
                lxcdtest.BUS_NAME, path, lxcdtest.CONTAINER_IFACE, 'RunCommand',
                GLib.Variant('(ashhha{sv})', (['/bin/true'], 0, 1, 2, {})), None,
                Gio.DBusCallFlags.NONE, 10000, fds, None)
            for fd in fds.steal_fds():
                os.close(fd)
            assert reply.unpack()[0] == 0

        def tool():
            subprocess.run(['lxc-attach', '-P', stack.lxcpath, '-n', 'b1', '--', '/bin/true'],
                           check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)

        c = lxc.Container('b1', stack.lxcpath)

        def direct():
            assert c.attach_wait(lxc.attach_run_command, ['/bin/true']) == 0

        results = {}
        for name, fn in (('RunCommand via lxc-dbus', dbus), ('lxc-attach tool', tool),
                         ('attach_run_wait (liblxc)', direct)):
            samples = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t0)
            results[name] = statistics.median(samples) * 1000
        base = results['attach_run_wait (liblxc)']
        print('%-28s %10s %8s   (median of %d)' % ('/bin/true', 'ms', 'ratio', rounds))
        for name, ms in results.items():
            print('%-28s %10.2f %8.2f' % (name, ms, ms / base))
    finally:
        stack.close()


if __name__ == '__main__':
    main()
