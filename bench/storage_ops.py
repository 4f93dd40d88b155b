#!/usr/bin/python3
"""Benchmark: create, clone (copy and overlay snapshot), snapshot and
destroy through lxc-dbus, beside the same calls made directly with liblxc
(python3-lxc, in this process) in the same run, on the same machine.

Run as root from the source tree, after building (needs python3-lxc):

    LXCD_BUILDDIR=_build/test tests/run-test bench/storage_ops.py [ROUNDS]

Prints the median wall time of each operation both ways and the ratio.
Not a test: it asserts nothing and is not part of the suite.
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
import lxc  # noqa: E402  (python3-lxc: liblxc's own Python binding)
import lxcdtest  # noqa: E402
from lxcdtest import CONTAINER_IFACE, MANAGER_IFACE, MANAGER_PATH  # noqa: E402


def timed(fn):
    t0 = time.monotonic()
    ok = fn()
    dt = time.monotonic() - t0
    if not ok:
        raise RuntimeError('operation failed: %r' % (fn,))
    return dt


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    stack = lxcdtest.Stack().start()
    try:
        stack.start_daemon()
        lxcpath = stack.lxcpath
        path = lxcdtest.container_path

        def dbus(p, iface, method, args):
            return lambda: stack.call(p, iface, method, args, timeout=300).ok

        results = {}

        def record(op, via, dt):
            results.setdefault(op, {}).setdefault(via, []).append(dt)

        for i in range(rounds):
            n = 'b%d' % i
            d = 'd%d' % i
            # create
            record('create (busybox)', 'dbus', timed(dbus(
                MANAGER_PATH, MANAGER_IFACE, 'CreateContainer', "('%s', 'busybox', @a{sv} {})" % n)))
            cd = lxc.Container(d, lxcpath)
            record('create (busybox)', 'liblxc', timed(lambda: cd.create('busybox')))
            # copy clone
            record('clone (copy)', 'dbus', timed(dbus(
                path(n), CONTAINER_IFACE, 'Clone', "('%s-c', @a{sv} {})" % n)))
            record('clone (copy)', 'liblxc', timed(lambda: cd.clone(d + '-c') is not None))
            # overlay snapshot clone
            record('clone (overlay)', 'dbus', timed(dbus(
                path(n), CONTAINER_IFACE, 'Clone',
                "('%s-o', {'flags': <['snapshot']>, 'bdev_type': <'overlay'>})" % n)))
            record('clone (overlay)', 'liblxc', timed(
                lambda: cd.clone(d + '-o', flags=lxc.LXC_CLONE_SNAPSHOT, bdevtype='overlay') is not None))
            # snapshot
            record('snapshot', 'dbus', timed(dbus(path(n), CONTAINER_IFACE, 'Snapshot', '(@a{sv} {},)')))
            record('snapshot', 'liblxc', timed(lambda: cd.snapshot() is not False))
            # destroy (the overlay clone first: it pins the original)
            for suffix in ('-o', '-c'):
                record('destroy', 'dbus', timed(dbus(path(n + suffix), CONTAINER_IFACE, 'Destroy',
                                                     '(@a{sv} {},)')))
                c2 = lxc.Container(d + suffix, lxcpath)
                record('destroy', 'liblxc', timed(c2.destroy))
            record('destroy (with snapshots)', 'dbus', timed(dbus(
                path(n), CONTAINER_IFACE, 'Destroy', "({'with_snapshots': <true>},)")))
            record('destroy (with snapshots)', 'liblxc', timed(
                lambda: cd.snapshot_destroy('snap0') and cd.destroy()))

        print('%-26s %12s %12s %8s   (median of %d, ms)' % ('operation', 'lxc-dbus', 'liblxc',
                                                           'ratio', rounds))
        for op, by in results.items():
            a = statistics.median(by['dbus']) * 1000
            b = statistics.median(by['liblxc']) * 1000
            print('%-26s %12.1f %12.1f %8.2f' % (op, a, b, a / b))
    finally:
        stack.close()


if __name__ == '__main__':
    main()
