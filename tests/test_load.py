#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Load: 100 concurrent clients (70 as root, 30 as an unprivileged user),
each on its own bus connection subscribed to the service's signals, mixing
reads (property Get/GetAll, ListContainers, GetManagedObjects) with
lifecycle calls (Start, Stop, Freeze, Unfreeze) on a few containers, for a
30 s (15 s under the sanitizers; LXCD_LOAD_DURATION overrides). No error
but the expected ones (WrongState/Busy for root's racing lifecycle calls, Timeout for a
Freeze caught by the cgroup v1 freezer,
NotAuthorized for the unprivileged user), reads keep answering quickly,
and once the clients are gone the service's descriptors and memory are
back at their baseline."""
import json
import os
import subprocess
import textwrap
import time

import lxcdtest
from lxcdtest import PYTHON, UNPRIV_UID

stack = None
NAMES = ('l1', 'l2', 'l3', 'l4')
DURATION = float(os.environ.get('LXCD_LOAD_DURATION', 30 if lxcdtest.SLOWDOWN == 1 else 15))

CLIENTS = textwrap.dedent('''
    import json, random, sys, time
    from gi.repository import Gio, GLib
    n, duration, names, seed = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3].split(","), int(sys.argv[4])
    address = sys.argv[5]
    BUS = "org.linuxcontainers.LXC1"
    C = BUS + ".Container"
    rng = random.Random(seed)
    stats = {"calls": 0, "signals": 0, "outcomes": {}, "read_ms": []}
    loop = GLib.MainLoop()
    deadline = time.monotonic() + duration
    active = [n]

    def path(name):
        return "/org/linuxcontainers/LXC1/containers/" + name

    def count(key):
        stats["outcomes"][key] = stats["outcomes"].get(key, 0) + 1

    def on_signal(*args):
        stats["signals"] += 1

    def next_call(conn):
        if time.monotonic() > deadline:
            active[0] -= 1
            if active[0] == 0:
                loop.quit()
            return
        r = rng.random()
        name = rng.choice(names)
        if r < 0.75:
            kind = "read"
            what = rng.choice(["Get", "GetAll", "List", "Managed"])
            if what == "Get":
                args = (path(name), "org.freedesktop.DBus.Properties", "Get", GLib.Variant("(ss)", (C, "State")))
            elif what == "GetAll":
                args = (path(name), "org.freedesktop.DBus.Properties", "GetAll", GLib.Variant("(s)", (C,)))
            elif what == "List":
                args = ("/org/linuxcontainers/LXC1/Manager", BUS + ".Manager", "ListContainers",
                        GLib.Variant("(sa{sv})", ("all", {})))
            else:
                args = ("/org/linuxcontainers/LXC1", "org.freedesktop.DBus.ObjectManager",
                        "GetManagedObjects", None)
        else:
            kind = "lifecycle"
            method = rng.choice(["Start", "Stop", "Freeze", "Unfreeze"])
            body = GLib.Variant("(a{sv})", ({},)) if method == "Start" else None
            args = (path(name), C, method, body)
        t0 = time.monotonic()

        def done(c, res):
            stats["calls"] += 1
            try:
                c.call_finish(res)
                count(kind + ":ok")
            except GLib.Error as e:
                count(kind + ":" + (Gio.DBusError.get_remote_error(e) or "local:" + e.message[:80]))
            if kind == "read":
                stats["read_ms"].append((time.monotonic() - t0) * 1000)
            GLib.idle_add(lambda: next_call(c) and False)
        conn.call(BUS, *args, None, Gio.DBusCallFlags.NONE, 30000, None, done)

    conns = []
    for i in range(n):
        c = Gio.DBusConnection.new_for_address_sync(address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        c.signal_subscribe(BUS, None, None, None, None, Gio.DBusSignalFlags.NONE, on_signal)
        conns.append(c)
    for c in conns:
        next_call(c)
    loop.run()
    for c in conns:
        c.close_sync(None)
    ms = sorted(stats["read_ms"])
    stats["read_p50"] = ms[len(ms) // 2] if ms else 0
    stats["read_p99"] = ms[int(len(ms) * 0.99)] if ms else 0
    stats["read_max"] = ms[-1] if ms else 0
    del stats["read_ms"]
    print(json.dumps(stats), flush=True)
''')


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in NAMES:
        stack.make_container(name)
    stack.start_daemon()


def tearDownModule():
    for name in stack.container_names():
        stack.lxc('unfreeze', name, check=False)
        stack.lxc('stop', name, '-k', check=False)
    stack.close()


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


class Load(lxcdtest.TestCase):
    def test_hundred_clients(self):
        # Warm up once (thread pool, polkit authority, caches), then take
        # the baseline.
        for name in NAMES:
            self.assertOk(stack.call(lxcdtest.container_path(name),
                                     'org.freedesktop.DBus.Properties', 'GetAll',
                                     "('org.linuxcontainers.LXC1.Container',)"))
        base_fds, base_rss = stack.daemon_resources()
        cpu0 = (cpu_seconds(stack.daemon_proc.pid), cpu_seconds(stack.dbus_pid))
        script = os.path.join(stack.tmpdir, 'load-clients.py')
        with open(script, 'w') as f:
            f.write(CLIENTS)
        procs = []
        for uid, n, seed in ((0, 70, 1), (UNPRIV_UID, 30, 2)):
            argv = stack._setpriv_argv(uid) + [PYTHON, script, str(n), str(DURATION),
                                               ','.join(NAMES), str(seed), stack.address]
            procs.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True, env=stack.client_env(uid), cwd='/'))
        # A probe beside the load: one property read every 100 ms.
        peak_fds = base_fds
        probe = []
        conn = stack.bus()
        while any(p.poll() is None for p in procs):
            peak_fds = max(peak_fds, stack.daemon_resources()[0])
            t0 = time.monotonic()
            r = lxcdtest.dbus_call(conn, lxcdtest.container_path('l1'),
                                   'org.freedesktop.DBus.Properties', 'Get',
                                   "('org.linuxcontainers.LXC1.Container', 'State')")
            probe.append((time.monotonic() - t0) * 1000)
            self.assertTrue(r.ok, r)
            time.sleep(0.1)
        cpu = (cpu_seconds(stack.daemon_proc.pid) - cpu0[0], cpu_seconds(stack.dbus_pid) - cpu0[1])
        probe.sort()
        results = []
        for p in procs:
            out, err = p.communicate()
            self.assertEqual(p.returncode, 0, err[-2000:])
            results.append(json.loads(out.strip().splitlines()[-1]))
        root, user = results
        total = root['calls'] + user['calls']
        print('# load: %d clients, %.0f s, %d calls (root %d, user %d), %d signals seen; '
              'read latency root p50 %.1f ms p99 %.1f ms max %.1f ms; daemon fds %d (peak %d)'
              % (100, DURATION, total, root['calls'], user['calls'],
                 root['signals'] + user['signals'], root['read_p50'], root['read_p99'],
                 root['read_max'], base_fds, peak_fds))
        print('# probe reads: %d, p50 %.1f ms, p99 %.1f ms, max %.1f ms; CPU: lxc-dbus %.1f s, '
              'dbus-daemon %.1f s' % (len(probe), probe[len(probe) // 2],
                                      probe[int(len(probe) * 0.99)], probe[-1], cpu[0], cpu[1]))
        print('# outcomes root: %s' % json.dumps(root['outcomes'], sort_keys=True))
        print('# outcomes user: %s' % json.dumps(user['outcomes'], sort_keys=True))
        self.assertGreaterEqual(total, 10000 if lxcdtest.SLOWDOWN == 1 else 1000)
        # Timeout: a Freeze that lands while a just-started container's
        # init still forks its start-up programs can leave the cgroup v1
        # freezer in FREEZING; the service gives up after 15 s and thaws it
        # (documented; README, Troubleshooting).
        allowed_root = {'read:ok', 'lifecycle:ok',
                        'lifecycle:org.linuxcontainers.LXC1.Error.WrongState',
                        'lifecycle:org.linuxcontainers.LXC1.Error.Busy',
                        'lifecycle:org.linuxcontainers.LXC1.Error.Timeout'}
        allowed_user = {'read:ok', 'lifecycle:org.linuxcontainers.LXC1.Error.NotAuthorized'}
        self.assertEqual(set(root['outcomes']) - allowed_root, set(), root['outcomes'])
        self.assertEqual(set(user['outcomes']) - allowed_user, set(), user['outcomes'])
        self.assertGreater(root['outcomes'].get('lifecycle:ok', 0), 0)
        self.assertGreater(root['signals'], 0)
        # Reads keep answering while lifecycle calls run (on 2 cores that
        # 100 busy clients, the bus and the service share).
        self.assertLess(probe[int(len(probe) * 0.99)], 1000 * lxcdtest.SLOWDOWN)
        # Back to the baseline once everyone has left.
        lxcdtest.wait_until(lambda: stack.daemon_resources()[0] <= base_fds + 1, 20,
                            message=lambda: 'descriptors: %d before, %d now'
                            % (base_fds, stack.daemon_resources()[0]))
        end_fds, end_rss = stack.daemon_resources()
        print('# daemon RSS %d kB before, %d kB after; fds %d -> %d'
              % (base_rss, end_rss, base_fds, end_fds))
        if 'ASAN_OPTIONS' not in os.environ:
            self.assertLess(end_rss - base_rss, 16 * 1024)


if __name__ == '__main__':
    lxcdtest.main()
