#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A fuzzer for the whole D-Bus API, driven by the introspection XML.

For every method (and every property: Get, GetAll, Set) of every interface
it makes calls with values generated from the signature -- empty and very
long strings, "..", "/", control characters, invalid UTF-8-free junk,
extreme integers, huge arrays, deeply nested and wrong-typed variants in
a{sv} options, handles pointing at odd descriptors (a closed pipe, a
directory, a socket) or at no descriptor at all, and messages with a wrong
signature -- as root and as an unprivileged user. After each batch: the
service still answers, its descriptor count and memory stay bounded, and
the lxcpath is unchanged after an unprivileged batch (every such call must
be refused or fail); after a root batch, containers a successful call
changed are put back. Under the sanitizer build any report fails the suite.

Seeded and reproducible:
    tests/run-test tests/test_fuzz.py [--seed N] [--duration SECONDS]
(LXCD_FUZZ_SEED / LXCD_FUZZ_DURATION in the environment do the same; the
suite runs a short, fixed-seed round.)"""
import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET

from gi.repository import Gio, GLib

import lxcdtest
from lxcdtest import PYTHON, UNPRIV_UID

stack = None
SEED = int(os.environ.get('LXCD_FUZZ_SEED', '20261125'))
DURATION = float(os.environ.get('LXCD_FUZZ_DURATION', '30' if lxcdtest.SLOWDOWN == 1 else '20'))
BUS = 'org.linuxcontainers.LXC1'
ROOT_PATH = '/org/linuxcontainers/LXC1'
TARGETS = ('fz1', 'fz2')       # fz2 runs

# Methods root may not fuzz: with random keys and values they would write
# host-reaching configuration (hooks, mounts) that a later Start runs as
# root on this machine. Unprivileged callers fuzz them all.
ROOT_SKIP = {'SetConfigItem', 'LoadConfig', 'CreateContainer', 'Clone', 'AttachInterface',
             'DetachInterface', 'AddDeviceNode', 'RemoveDeviceNode'}

# Error names a call may end with; anything else (NoReply: a hang; Failed
# from GDBus: an unhandled case) is a finding.
EXPECTED_ERRORS = ('org.linuxcontainers.LXC1.Error.',
                   'org.freedesktop.DBus.Error.InvalidArgs',
                   'org.freedesktop.DBus.Error.UnknownMethod',
                   'org.freedesktop.DBus.Error.UnknownProperty',
                   'org.freedesktop.DBus.Error.UnknownObject',
                   'org.freedesktop.DBus.Error.UnknownInterface',
                   # our own side could not build or send the message (too
                   # deep, too big): not the service's doing
                   'local:',
                   'org.freedesktop.DBus.Error.PropertyReadOnly',
                   'org.freedesktop.DBus.Error.AccessDenied',
                   'org.freedesktop.DBus.Error.InvalidSignature')

STRINGS = ['', '.', '..', '/', '../..', '../../etc/passwd', 'fz1', 'fz2', 'nosuch', '-', '-rf',
           ' ', 'a b', 'x' * 300, 'y' * 70000, '\x01\x02\x1b[31m', 'name\n', 'tab\there',
           'ünïcödé', '%s%s%n', 'lxc.uts.name', 'lxc.hook.pre-start', 'lxc.net.0.link',
           'lxc.cgroup.memory.limit_in_bytes', 'memory.limit_in_bytes', 'pids.max',
           'RUNNING', 'STOPPED', 'FROZEN', 'snap0', 'all', 'active', 'defined', 'inet',
           'eth0', '/dev/null', '/dev/zero', '/etc/shadow', '/proc/self/mem', 'config',
           'rootfs', 'snaps', 'partial', '$(reboot)', '`id`', '*', 'lxc.include',
           '/bin/true', '/bin/sh']
INTS = [0, 1, -1, 2, 7, 255, 256, 65535, 2 ** 31 - 1, -2 ** 31, 86400, 86401, 100000]


class Gen:
    """Random GLib.Variant values for a D-Bus type string."""

    def __init__(self, rng, option_keys):
        self.rng = rng
        self.option_keys = option_keys

    def string(self):
        r = self.rng.random()
        if r < 0.8:
            return self.rng.choice(STRINGS)
        n = self.rng.choice([1, 8, 64, 1024])
        return ''.join(chr(self.rng.randint(1, 0x7e)) for _ in range(n))

    def value(self, t, depth=0):
        rng = self.rng
        if t == 's':
            return GLib.Variant('s', self.string())
        if t == 'o':
            return GLib.Variant('o', rng.choice(['/', ROOT_PATH, ROOT_PATH + '/containers/fz1',
                                                 ROOT_PATH + '/jobs/1', '/a/b_c']))
        if t == 'b':
            return GLib.Variant('b', rng.random() < 0.5)
        if t in 'iuxtnqy':
            bits = {'y': (0, 255), 'n': (-2 ** 15, 2 ** 15 - 1), 'q': (0, 2 ** 16 - 1),
                    'i': (-2 ** 31, 2 ** 31 - 1), 'u': (0, 2 ** 32 - 1),
                    'x': (-2 ** 63, 2 ** 63 - 1), 't': (0, 2 ** 64 - 1)}[t]
            v = rng.choice(INTS + [bits[0], bits[1], rng.randint(*bits)])
            return GLib.Variant(t, min(max(v, bits[0]), bits[1]))
        if t == 'd':
            return GLib.Variant('d', rng.choice([0.0, -1.0, 1e308, float('inf'), float('nan')]))
        if t == 'h':
            return GLib.Variant('h', rng.choice([0, 1, 2, 3, 99, 2 ** 31 - 1]))
        if t == 'v':
            inner = rng.choice(['s', 'b', 'i', 'u', 'as', 'a{sv}', 'v', 't', 'd', 'ay'])
            if depth > 40:
                inner = 's'
            return GLib.Variant('v', self.value(inner, depth + 1))
        if t == 'ay':
            return GLib.Variant('ay', bytes(rng.randint(0, 255) for _ in range(rng.choice([0, 3, 100]))))
        if t == 'as':
            n = rng.choice([0, 1, 2, 3, 10, 5000])
            return GLib.Variant('as', [self.string() if n < 100 else 'z' for _ in range(n)])
        if t == 'a{sv}':
            d = {}
            for _ in range(rng.choice([0, 0, 1, 2, 4])):
                key = rng.choice(self.option_keys + ['', 'bogus', 'x' * 500]) \
                    if self.option_keys else self.string()
                d[key] = self.value('v', depth + 1)
            if rng.random() < 0.05:
                for i in range(3000):
                    d['k%d' % i] = GLib.Variant('v', GLib.Variant('b', True))
            return GLib.Variant('a{sv}', d)
        if t == 'a{ss}':
            return GLib.Variant('a{ss}', {self.string(): self.string()
                                          for _ in range(rng.choice([0, 1, 3]))})
        if t.startswith('(') and t.endswith(')'):
            return GLib.Variant.new_tuple(*[self.value(c, depth + 1) for c in split_type(t[1:-1])])
        raise ValueError('no generator for type %r' % t)


def split_type(sig):
    """Complete types of a signature: 'sa{sv}(ii)' -> ['s', 'a{sv}', '(ii)']."""
    out, i = [], 0
    while i < len(sig):
        j = i
        while sig[j] == 'a':
            j += 1
        if sig[j] in '({':
            depth = 0
            for k in range(j, len(sig)):
                depth += sig[k] in '({'
                depth -= sig[k] in ')}'
                if depth == 0:
                    break
            j = k
        out.append(sig[i:j + 1])
        i = j + 1
    return out


def load_api():
    """[(interface, method, in-signature, option keys, argument names)],
    [(interface, prop, type, access)]"""
    methods, props = [], []
    xml_dir = os.path.join(lxcdtest.SRCDIR, 'introspection')
    for f in sorted(x for x in os.listdir(xml_dir) if x.endswith('.xml')):
        for iface in ET.parse(os.path.join(xml_dir, f)).getroot().iter('interface'):
            for m in iface.iter('method'):
                sig = ''.join(a.get('type') for a in m.iter('arg') if a.get('direction', 'in') == 'in')
                doc = ET.tostring(m, encoding='unicode')
                keys = sorted(set(k for k in __import__('re').findall(r'``([a-z_.]+)``', doc)))
                methods.append((iface.get('name'), m.get('name'), sig, keys))
                names = [a.get('name') for a in m.iter('arg') if a.get('direction', 'in') == 'in']
                methods[-1] = methods[-1] + (names,)
            for p in iface.iter('property'):
                props.append((iface.get('name'), p.get('name'), p.get('type'), p.get('access')))
    return methods, props


def odd_fds():
    """Descriptors to pass as handles: /dev/null, a pipe whose reader is
    closed, a directory, a socket."""
    fds = [os.open('/dev/null', os.O_RDWR)]
    r, w = os.pipe()
    os.close(r)
    fds.append(w)
    fds.append(os.open('/', os.O_RDONLY | os.O_DIRECTORY))
    a, b = socket.socketpair()
    fds.append(os.dup(a.fileno()))
    a.close()
    b.close()
    return fds


# An unprivileged client: reads {"path","iface","method","body"(variant
# text),"fds"} lines, answers {"error"} lines.
CLIENT = textwrap.dedent('''
    import json, os, socket, sys
    from gi.repository import Gio, GLib
    conn = Gio.bus_get_sync(Gio.BusType.SYSTEM)
    print("ready", flush=True)
    for line in sys.stdin:
        c = json.loads(line)
        fds = None
        if c["fds"]:
            fds = Gio.UnixFDList.new()
            for kind in c["fds"]:
                if kind == "null":
                    fd = os.open("/dev/null", os.O_RDWR)
                elif kind == "dir":
                    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
                else:
                    r, fd = os.pipe(); os.close(r)
                fds.append(fd); os.close(fd)
        body = GLib.Variant.parse(None, c["body"], None, None) if c["body"] else None
        try:
            r, out = conn.call_with_unix_fd_list_sync("org.linuxcontainers.LXC1", c["path"],
                c["iface"], c["method"], body, None, 0, 20000, fds, None)
            if out is not None:
                for fd in out.steal_fds():
                    os.close(fd)
            err = None
        except GLib.Error as e:
            if e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT):
                err = "timeout (no reply in 20 s)"
            else:
                err = Gio.DBusError.get_remote_error(e) or ("local:" + e.message[:200])
        print(json.dumps({"error": err}), flush=True)
''')


def tree_hash(skip_rootfs=False):
    """The lxcpath's files (names, modes, sizes, mtimes); a running
    container writes into its own root file system: fz2's is skipped, and
    every one with *skip_rootfs* (root may have started fz1)."""
    h = hashlib.sha256()
    for top, dirs, names in os.walk(stack.lxcpath):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(top, n)
            st = os.lstat(p)
            parts = os.path.relpath(p, stack.lxcpath).split(os.sep)
            if len(parts) > 2 and parts[1] == 'rootfs' and (skip_rootfs or parts[0] == 'fz2'):
                continue
            h.update(('%s %o %d %d\n' % (os.path.relpath(p, stack.lxcpath), st.st_mode,
                                         st.st_size, st.st_mtime_ns)).encode())
    return h.hexdigest()


ORIGINAL = {}


def target_fingerprint(name):
    """A container's configuration and top-level entries (what root's calls
    change: config items, snapshots, renames)."""
    d = os.path.join(stack.lxcpath, name)
    try:
        with open(os.path.join(d, 'config'), 'rb') as f:
            config = hashlib.sha256(f.read()).hexdigest()
        return config, tuple(sorted(os.listdir(d)))
    except OSError:
        return None


def reset_targets():
    for name in list(stack.container_names()):
        if name not in TARGETS:
            stack.lxc('stop', name, '-k', check=False)
            subprocess.run(['rm', '-rf', os.path.join(stack.lxcpath, name)], check=True)
    for name in TARGETS:
        if target_fingerprint(name) != ORIGINAL.get(name):
            stack.lxc('stop', name, '-k', check=False)
            subprocess.run(['rm', '-rf', os.path.join(stack.lxcpath, name)], check=True)
            stack.make_container(name)
            ORIGINAL[name] = target_fingerprint(name)
        st = stack.lxc('info', name, '-s', '-H', check=False).stdout.strip()
        if st == 'FROZEN':
            stack.lxc('unfreeze', name, check=False)
        want = 'RUNNING' if name == 'fz2' else 'STOPPED'
        st = stack.lxc('info', name, '-s', '-H', check=False).stdout.strip()
        if st != want:
            stack.lxc('stop', name, '-k', check=False)
            if want == 'RUNNING':
                stack.start_container(name)
                stack.wait_init_ready(name)


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in TARGETS:
        stack.make_container(name)
        ORIGINAL[name] = target_fingerprint(name)
    stack.start_container('fz2')
    stack.wait_init_ready('fz2')
    stack.start_daemon()


def tearDownModule():
    for name in stack.container_names():
        stack.lxc('stop', name, '-k', check=False)
    stack.close()


class Fuzz(lxcdtest.TestCase):
    def setUp(self):
        self.rng = random.Random(SEED)
        self.methods, self.props = load_api()
        self.root = Gio.DBusConnection.new_for_address_sync(
                stack.address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.calls = 0
        self.findings = []
        self.outcomes = {}

    def tearDown(self):
        if not self.root.is_closed():
            self.root.close_sync(None)

    def object_for(self, iface):
        if iface.endswith('.Manager'):
            return ROOT_PATH + '/Manager'
        if iface.endswith('.Job'):
            return ROOT_PATH + '/jobs/%d' % self.rng.choice([0, 1, 99])
        r = self.rng.random()
        if r < 0.85:
            return lxcdtest.container_path(self.rng.choice(TARGETS))
        return ROOT_PATH + '/containers/' + self.rng.choice(['nosuch', 'fz1_2f', '_'])

    def one_call(self):
        """(path, iface, method, body or None, fd kinds)"""
        rng = self.rng
        if rng.random() < 0.15:
            iface, prop, ptype, access = rng.choice(self.props)
            path = self.object_for(iface)
            gen = Gen(rng, [])
            op = rng.choice(['Get', 'GetAll', 'Set'])
            if op == 'Get':
                body = GLib.Variant('(ss)', (iface, rng.choice([prop, '', 'Nope'])))
            elif op == 'GetAll':
                body = GLib.Variant('(s)', (rng.choice([iface, '', 'org.nope']),))
            else:
                body = GLib.Variant('(ssv)', (iface, prop, gen.value('v')))
            return path, 'org.freedesktop.DBus.Properties', op, body, []
        iface, method, sig, keys, names = rng.choice(self.methods)
        gen = Gen(rng, keys)
        types = split_type(sig)
        values = []
        for t, name in zip(types, names):
            if name == 'timeout':
                # never -1 (wait forever) or a long wait: those calls are
                # meant to block; everything else, valid or not, is fair
                values.append(GLib.Variant('i', rng.choice([-2, 0, 1, 86401, -2 ** 31, 2 ** 31 - 1])))
            else:
                values.append(gen.value(t))
        if rng.random() < 0.1:
            # a wrong signature: GDBus must refuse it before any handler runs
            types = [rng.choice(['s', 'i', 'as', 'a{sv}', 'b']) for _ in range(rng.randint(0, 4))]
            values = [gen.value(t) for t in types]
        body = GLib.Variant.new_tuple(*values) if values else None
        fds = []
        if 'h' in ''.join(types):
            fds = [rng.choice(['null', 'pipe', 'dir']) for _ in range(rng.choice([0, 1, 3]))]
        return self.object_for(iface), iface, method, body, fds

    def check_error(self, who, call, error):
        key = '%s:%s' % (who, (error or 'ok').replace('org.linuxcontainers.LXC1.Error.', '')
                         .replace('org.freedesktop.DBus.Error.', 'DBus.')[:40])
        self.outcomes[key] = self.outcomes.get(key, 0) + 1
        if error is None or error.startswith(EXPECTED_ERRORS):
            return
        body = call[3].print_(True) if call[3] is not None else '()'
        self.findings.append('%s %s.%s%s on %s (fds %s): unexpected error %s' % (
            who, call[1], call[2], body[:300], call[0], call[4], error))

    def root_call(self, call):
        path, iface, method, body, fds = call
        fdlist = None
        opened = []
        if fds:
            fdlist = Gio.UnixFDList.new()
            opened = odd_fds()
            for fd in opened[:len(fds)]:
                fdlist.append(fd)
        try:
            r, out = self.root.call_with_unix_fd_list_sync(BUS, path, iface, method, body, None,
                                                           0, 20000, fdlist, None)
            if out is not None:
                for fd in out.steal_fds():
                    os.close(fd)
            return None
        except GLib.Error as e:
            if e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT):
                return 'timeout (no reply in 20 s)'
            return Gio.DBusError.get_remote_error(e) or 'local:' + e.message[:200]
        finally:
            for fd in opened:
                os.close(fd)

    def alive(self):
        r = stack.call(ROOT_PATH + '/Manager', BUS + '.Manager', 'ListContainers',
                       "('all', @a{sv} {})", timeout=10)
        return r.ok

    def test_fuzz(self):
        deadline = time.monotonic() + DURATION
        client = subprocess.Popen(stack._setpriv_argv(UNPRIV_UID) + [PYTHON, '-c', CLIENT],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  env=stack.client_env(UNPRIV_UID), cwd='/')
        self.assertEqual(client.stdout.readline().strip(), 'ready')
        base_fds, base_rss = stack.daemon_resources()
        max_fds, max_rss = base_fds, base_rss
        batches = 0
        try:
            while time.monotonic() < deadline:
                batches += 1
                # -- unprivileged batch: nothing may change
                before = tree_hash()
                for _ in range(40):
                    call = self.one_call()
                    client.stdin.write(json.dumps(dict(
                        path=call[0], iface=call[1], method=call[2],
                        body=call[3].print_(True) if call[3] is not None else None,
                        fds=call[4])) + '\n')
                    client.stdin.flush()
                    line = client.stdout.readline()
                    self.assertTrue(line, 'the unprivileged client died')
                    self.calls += 1
                    self.check_error('nobody', call, json.loads(line)['error'])
                self.assertTrue(self.alive(), 'the service stopped answering')
                time.sleep(0.1)
                if tree_hash() != before:
                    self.findings.append('batch %d: unprivileged calls changed the lxcpath' % batches)
                    reset_targets()
                # -- root batch: successful calls may change things; put them back
                for _ in range(40):
                    call = self.one_call()
                    if call[2] in ROOT_SKIP:
                        continue
                    self.calls += 1
                    before = tree_hash(skip_rootfs=True)
                    error = self.root_call(call)
                    self.check_error('root', call, error)
                    # A call that failed changed nothing on disk.
                    if error and tree_hash(skip_rootfs=True) != before:
                        body = call[3].print_(True)[:200] if call[3] is not None else '()'
                        self.findings.append('root %s.%s%s on %s failed (%s) but changed the '
                                             'lxcpath' % (call[1], call[2], body, call[0], error))
                self.assertTrue(self.alive(), 'the service stopped answering')
                reset_targets()
                nfd, rss = stack.daemon_resources()
                max_fds, max_rss = max(max_fds, nfd), max(max_rss, rss)
                if os.environ.get('LXCD_FUZZ_TRACE'):
                    print('# batch %d: %d calls, fds %d, RSS %d kB' % (batches, self.calls, nfd, rss),
                          flush=True)
        finally:
            client.stdin.close()
            client.wait(10)
            self.root.close_sync(None)
        # Descriptors come back to where they were (jobs and sessions end
        # when their caller leaves); memory stays bounded.
        lxcdtest.wait_until(lambda: stack.daemon_resources()[0] <= base_fds + 2, 20,
                            message=lambda: 'descriptors: %d at start, %d now' % (
                                base_fds, stack.daemon_resources()[0]))
        end_fds, end_rss = stack.daemon_resources()
        print('# fuzz: seed %d, %d calls in %d batches, %.0f s; daemon fds %d -> %d (max %d), '
              'RSS %d -> %d kB (max %d)' % (SEED, self.calls, batches, DURATION, base_fds,
                                            end_fds, max_fds, base_rss, end_rss, max_rss))
        print('# outcomes: ' + ', '.join('%s %d' % kv for kv in sorted(self.outcomes.items())))
        # Memory: bounded in the plain build (about 4 MB of growth over 6000
        # calls, in steps, then flat). Under AddressSanitizer RSS holds its
        # quarantine of freed blocks (hundreds of MB by design), so there
        # LeakSanitizer's report at exit is the check instead.
        if 'ASAN_OPTIONS' not in os.environ:
            self.assertLess(max_rss - base_rss, 32 * 1024, 'RSS grew too much')
        self.assertEqual(self.findings, [], '\n'.join(self.findings[:50]))


if __name__ == '__main__':
    args = sys.argv[1:]
    if '--seed' in args:
        i = args.index('--seed')
        SEED = int(args[i + 1])
        del args[i:i + 2]
    if '--duration' in args:
        i = args.index('--duration')
        DURATION = float(args[i + 1])
        del args[i:i + 2]
    sys.argv[1:] = args
    lxcdtest.main()
