#!/usr/bin/python3
"""Benchmark: GetConfigItem and SetConfigItem through lxc-dbus beside the
same calls made directly with liblxc (python3-lxc: a fresh container
object, get_config_item / set_config_item + save_config, as the service
does) in the same run.

    LXCD_BUILDDIR=_build/test tests/run-test bench/config_ops.py [ROUNDS]
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
import lxc  # noqa: E402
import lxcdtest  # noqa: E402
from gi.repository import GLib, Gio  # noqa: E402


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    stack = lxcdtest.Stack().start()
    try:
        stack.make_container('b1')
        stack.make_container('d1')
        stack.start_daemon()
        conn = stack.bus()
        path = lxcdtest.container_path('b1')

        def dbus(method, args):
            conn.call_sync(lxcdtest.BUS_NAME, path, lxcdtest.CONTAINER_IFACE, method, args, None,
                           Gio.DBusCallFlags.NONE, 10000, None)

        def direct_get():
            c = lxc.Container('d1', stack.lxcpath)
            return c.get_config_item('lxc.uts.name')

        def direct_set(i):
            c = lxc.Container('d1', stack.lxcpath)
            c.set_config_item('lxc.start.delay', str(i))
            c.save_config()

        timings = {}

        def run(name, fn):
            samples = []
            for i in range(rounds):
                t0 = time.perf_counter()
                fn(i)
                samples.append(time.perf_counter() - t0)
            timings[name] = statistics.median(samples) * 1e6

        run('GetConfigItem dbus', lambda i: dbus('GetConfigItem', GLib.Variant('(s)', ('lxc.uts.name',))))
        run('GetConfigItem liblxc', lambda i: direct_get())
        run('SetConfigItem dbus', lambda i: dbus('SetConfigItem', GLib.Variant('(ss)', ('lxc.start.delay', str(i)))))
        run('SetConfigItem liblxc', direct_set)
        print('%-16s %14s %14s %8s   (median of %d, µs)' % ('call', 'lxc-dbus', 'liblxc', 'ratio', rounds))
        for op in ('GetConfigItem', 'SetConfigItem'):
            a, b = timings[op + ' dbus'], timings[op + ' liblxc']
            print('%-16s %14.0f %14.0f %8.2f' % (op, a, b, a / b))
    finally:
        stack.close()


if __name__ == '__main__':
    main()
