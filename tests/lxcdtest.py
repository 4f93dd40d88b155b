# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxcdtest -- integration-test harness for lxc-dbus.

Every integration test of lxc-dbus is a Python unittest module that runs as
root through ``tests/run-test`` (which puts it in a private mount namespace)
and uses this library to get a complete, private "system":

* a private **system bus** (a real ``dbus-daemon`` whose configuration is
  derived at run time from Debian's ``/usr/share/dbus-1/system.conf``, with
  the project's bus policy installed),
* the real **polkitd**, seeing only the project's ``.policy`` file and a
  private, test-controlled ``/etc/polkit-1/rules.d`` (bind mounts that only
  exist in the test's mount namespace),
* a private **lxcpath** with fast-to-create busybox containers,
* control of the **lxc-dbus daemon** under test,
* clients running as **unprivileged uids** (``nobody`` by default),
* a **TAP** runner (:func:`main`) for meson.

Typical test module::

    import unittest, lxcdtest

    def setUpModule():
        global stack
        stack = lxcdtest.Stack().start()

    def tearDownModule():
        stack.close()

    class Basics(unittest.TestCase):
        def test_list(self):
            stack.make_container('c1')
            stack.start_daemon()
            ok, err, text = stack.call_as(lxcdtest.UNPRIV_UID,
                                          lxcdtest.MANAGER_PATH,
                                          lxcdtest.MANAGER_IFACE,
                                          'ListContainers', "('all', {})")
            self.assertTrue(ok, err)

    if __name__ == '__main__':
        lxcdtest.main()

Environment variables:

``LXCD_SRCDIR``          source tree (default: parent of this file's dir)
``LXCD_BUILDDIR``        build tree (default: ``$LXCD_SRCDIR/build``)
``LXCD_DAEMON``          daemon binary (default: ``$LXCD_BUILDDIR/src/lxc-dbus``)
``LXCD_BUS_POLICY``      bus policy (default: ``$LXCD_SRCDIR/data/org.linuxcontainers.LXC1.conf``)
``LXCD_POLKIT_POLICY``   polkit actions (default: ``$LXCD_SRCDIR/policy/org.linuxcontainers.LXC1.policy``)
``LXCD_TEST_KEEP``       if set, keep the temporary directory (logs) after the run
``LXCD_TEST_LOGDIR``     if set, copy all logs there when a Stack closes
``LXCD_TEST_CACHE``      container template cache (default ``/tmp/lxcd-test-cache``;
                         ``none`` disables the cross-process cache)

Only the standard library and PyGObject (``gi``) are used.  Always run with
``/usr/bin/python3``.
"""

import atexit
import collections
import fcntl
import grp
import hashlib
import json
import os
import pwd
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import unittest
import weakref
import xml.etree.ElementTree as ET

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
from gi.repository import GLib, Gio  # noqa: E402

import lxcclient  # noqa: E402
import lxcclient_run  # noqa: E402

# ---------------------------------------------------------------------------
# Public constants (the lxc-dbus contract, see SPEC.md)
# ---------------------------------------------------------------------------

from lxcclient import (BUS_NAME, ROOT_PATH, MANAGER_PATH, CONTAINERS_PATH,  # noqa: E402,F401
                       JOBS_PATH, MANAGER_IFACE, CONTAINER_IFACE, JOB_IFACE, ERROR_PREFIX)
ACTION_PREFIX = 'org.linuxcontainers.LXC1.'
ACTIONS = tuple(ACTION_PREFIX + a for a in (
    'read-config', 'lifecycle', 'manage', 'configure', 'configure-host',
    'exec', 'console'))

POLKIT_NAME = 'org.freedesktop.PolicyKit1'
POLKIT_PATH = '/org/freedesktop/PolicyKit1/Authority'
POLKIT_IFACE = 'org.freedesktop.PolicyKit1.Authority'
#: CheckAuthorization flag AllowUserInteraction
POLKIT_ALLOW_USER_INTERACTION = 1

#: Latency bounds in tests are multiplied by this: the sanitizer build of the
#: suite (contrib/run-tests.sh) runs several times slower by design.
SLOWDOWN = float(os.environ.get('LXCD_TEST_SLOWDOWN') or 1)

UNPRIV_USER = 'nobody'
#: uid used as the default unprivileged caller (user ``nobody``)
UNPRIV_UID = pwd.getpwnam(UNPRIV_USER).pw_uid

# ---------------------------------------------------------------------------
# System locations (the only hard-coded paths)
# ---------------------------------------------------------------------------

SYSTEM_BUS_CONF = '/usr/share/dbus-1/system.conf'
POLKIT_BUS_POLICY = '/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf'
POLKITD = os.environ.get('LXCD_POLKITD', '/usr/lib/polkit-1/polkitd')
POLKIT_ACTIONS_DIR = '/usr/share/polkit-1/actions'
POLKIT_ETC_RULES_DIR = '/etc/polkit-1/rules.d'
PYTHON = '/usr/bin/python3'
LXC_TEMPLATE_DIRS = ('/usr/share/lxc/templates', '/usr/local/share/lxc/templates')

# ---------------------------------------------------------------------------
# Project locations
# ---------------------------------------------------------------------------

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
# Absolute: processes of the stack run in other working directories.
SRCDIR = os.path.abspath(os.environ.get('LXCD_SRCDIR') or os.path.dirname(TESTS_DIR))
BUILDDIR = os.path.abspath(os.environ.get('LXCD_BUILDDIR') or os.path.join(SRCDIR, 'build'))


def daemon_binary():
    """Path of the lxc-dbus binary under test (``$LXCD_DAEMON`` or the build tree)."""
    return os.environ.get('LXCD_DAEMON') or os.path.join(BUILDDIR, 'src', 'lxc-dbus')


def bus_policy_file():
    """Path of the project's D-Bus bus policy (``$LXCD_BUS_POLICY``)."""
    return os.environ.get('LXCD_BUS_POLICY') or os.path.join(
        SRCDIR, 'data', 'org.linuxcontainers.LXC1.conf')


def polkit_policy_file():
    """Path of the project's polkit ``.policy`` (``$LXCD_POLKIT_POLICY``)."""
    return os.environ.get('LXCD_POLKIT_POLICY') or os.path.join(
        SRCDIR, 'policy', 'org.linuxcontainers.LXC1.policy')


class HarnessError(RuntimeError):
    """The test environment could not be set up or controlled."""


def _log(msg):
    """Diagnostics of the harness itself; always to stderr (stdout is TAP)."""
    sys.stderr.write('lxcdtest: %s\n' % msg)
    sys.stderr.flush()


def live_processes(pattern):
    """pids of processes matching *pattern* that are not zombies (a killed
    process reparented to pid 1 stays a zombie until pid 1 reaps it)."""
    out = subprocess.run(['pgrep', '-f', pattern], capture_output=True, text=True).stdout.split()
    live = []
    for pid in out:
        try:
            with open('/proc/%s/stat' % pid) as f:
                if f.read().rsplit(')', 1)[1].split()[0] != 'Z':
                    live.append(int(pid))
        except OSError:
            pass
    return live


def helper_operations():
    """pids of the live helper processes that run an operation for the
    daemon under test: the children of its ``lxc-dbus-helper serve`` (named
    ``lxcd-OP``, and orphans of a dead server), never the server itself."""
    helper = os.path.join(os.path.dirname(os.path.realpath(daemon_binary())), 'lxc-dbus-helper')
    ops = []
    for pid in live_processes('^' + re.escape(helper) + ' '):
        try:
            with open('/proc/%d/comm' % pid) as f:
                if f.read().strip() != 'lxc-dbus-helper'[:15]:
                    ops.append(pid)
        except OSError:
            pass
    return ops


class TestCase(unittest.TestCase):
    """unittest.TestCase with assertions for :data:`CallResult` replies."""

    def assertOk(self, r):
        """The call succeeded."""
        self.assertTrue(r.ok, r)

    def assertError(self, r, name):
        """The call failed with ``org.linuxcontainers.LXC1.Error.<name>``."""
        self.assertFalse(r.ok, r)
        self.assertEqual(r.error_name, ERROR_PREFIX + name, r)

    def assertRaisesDBus(self, name, msg=None):
        """Context manager: the block raises :class:`lxcclient.Error` named
        *name* (``org.linuxcontainers.LXC1.Error.<name>`` unless *name*
        holds a dot); ``cm.exception`` is the error."""
        test = self

        class _Context:
            exception = None

            def __enter__(self):
                return self

            def __exit__(self, typ, value, tb):
                if typ is None:
                    test.fail('no %s raised%s' % (name, ': %s' % msg if msg else ''))
                if not issubclass(typ, lxcclient.Error):
                    return False
                self.exception = value
                test.assertEqual(value.name, name if '.' in name else ERROR_PREFIX + name,
                                 '%s%s' % (value, ' (%s)' % msg if msg else ''))
                return True
        return _Context()


def container_path(name):
    """Object path of container *name* (escaped with g_dbus_escape_object_path)."""
    return CONTAINERS_PATH + '/' + Gio.dbus_escape_object_path(name)


def parse_variant(text, type_string=None):
    """Parse GVariant text (e.g. a ``result_text`` of :meth:`Stack.call_as`)
    and return the unpacked Python value."""
    vtype = GLib.VariantType.new(type_string) if type_string else None
    return GLib.Variant.parse(vtype, text, None, None).unpack()


# ---------------------------------------------------------------------------
# Waiting helpers
# ---------------------------------------------------------------------------

def _iterate_for(seconds, context=None):
    """Run *context* (default: the global default main context) for about
    *seconds*, dispatching whatever arrives (D-Bus signals, replies).
    Falls back to sleeping if the context is owned by another thread."""
    ctx = context or GLib.MainContext.default()
    if not ctx.acquire():
        time.sleep(seconds)
        return
    try:
        fired = []
        src = GLib.timeout_source_new(max(1, int(seconds * 1000)))
        src.set_callback(lambda *a: fired.append(True) or False)
        src.attach(ctx)
        try:
            while not fired:
                ctx.iteration(True)
        finally:
            src.destroy()
    finally:
        ctx.release()


def wait_until(predicate, timeout=10.0, interval=0.02, message=None, context=None):
    """Call *predicate* until it returns a true value and return that value.

    Between calls the GLib main context is iterated for *interval* seconds
    (so signal recorders and other callbacks keep running).  Raises
    :class:`TimeoutError` after *timeout* seconds; *message* (str or a
    callable returning str) is added to the exception text.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if callable(message):
                message = message()
            raise TimeoutError('condition not reached within %.1f s%s' % (
                timeout, (': ' + message) if message else ''))
        _iterate_for(min(interval, remaining), context)


def _wait_pid_exit(proc, timeout):
    """Wait for a Popen *proc*; return its return code or None on timeout."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


# ---------------------------------------------------------------------------
# D-Bus client helpers (lxcclient.py, shared with the uid helper)
# ---------------------------------------------------------------------------

#: Result of a D-Bus call: ``ok`` (bool), ``error_name`` (exact D-Bus error
#: name, or None on success; for local errors such as timeouts the name
#: produced by ``g_dbus_error_encode_gerror``), ``result_text`` (the reply
#: printed like ``gdbus call`` does, or the error message without the
#: ``GDBus.Error:`` prefix).
CallResult = collections.namedtuple('CallResult', 'ok error_name result_text')


def dbus_call(conn, path, iface, method, args='()', *, dest=BUS_NAME,
              signature=None, allow_interactive=False, timeout=25.0):
    """Call *method* on *conn* with ``gdbus call`` semantics.

    *args* is the GVariant text of the whole argument tuple, e.g.
    ``"('c1', {})"``, or a ``GLib.Variant`` tuple.  Text is parsed against the
    method's in-signature taken from introspection (or *signature*, the
    concatenated in-argument types without parentheses, e.g. ``'sa{sv}'``).
    Returns a :data:`CallResult`.
    """
    r = lxcclient.call_text(conn, dest, path, iface, method, args, signature,
                            allow_interactive, timeout)
    return CallResult(r['ok'], r['error_name'], r['result'])


def new_bus_connection(address):
    """A new (non-singleton) message-bus connection to *address*."""
    conn = Gio.DBusConnection.new_for_address_sync(
        address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    conn.set_exit_on_close(False)
    return conn


def name_owner(conn, name):
    """Unique name owning *name* on the bus of *conn*, or None."""
    try:
        return conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                              'org.freedesktop.DBus', 'GetNameOwner',
                              GLib.Variant('(s)', (name,)), GLib.VariantType.new('(s)'),
                              Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]
    except GLib.Error as e:
        if Gio.DBusError.get_remote_error(e) == 'org.freedesktop.DBus.Error.NameHasNoOwner':
            return None
        raise


def connection_pid(conn, name):
    """Process id of the connection owning *name* (GetConnectionUnixProcessID)."""
    return conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                          'org.freedesktop.DBus', 'GetConnectionUnixProcessID',
                          GLib.Variant('(s)', (name,)), GLib.VariantType.new('(u)'),
                          Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]


def request_name(conn, name, flags=0):
    """RequestName on *conn*; returns the D-Bus reply code (1 = primary owner)
    or raises GLib.Error (e.g. AccessDenied when the bus policy forbids it)."""
    return conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                          'org.freedesktop.DBus', 'RequestName',
                          GLib.Variant('(su)', (name, flags)), GLib.VariantType.new('(u)'),
                          Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]


def check_authorization(conn, subject_bus_name, action_id, details=None,
                        flags=0, timeout=25.0):
    """Ask polkit (``CheckAuthorization``) about *subject_bus_name*.

    The subject is of kind ``system-bus-name`` -- exactly what the daemon
    does for its callers.  Note that polkit >= 121 only accepts *details*
    from trusted callers (uid 0 or the action owner).  Returns the tuple
    ``(is_authorized, is_challenge, details_dict)``; raises GLib.Error on
    D-Bus errors.
    """
    subject = ('system-bus-name', {'name': GLib.Variant('s', subject_bus_name)})
    params = GLib.Variant('((sa{sv})sa{ss}us)',
                          (subject, action_id, dict(details or {}), flags, ''))
    res = conn.call_sync(POLKIT_NAME, POLKIT_PATH, POLKIT_IFACE, 'CheckAuthorization',
                         params, GLib.VariantType.new('((bba{ss}))'),
                         Gio.DBusCallFlags.NONE, int(timeout * 1000), None)
    return tuple(res.unpack()[0])


# ---------------------------------------------------------------------------
# Signal recording
# ---------------------------------------------------------------------------

#: One received signal; ``params`` is the GLib.Variant, ``args`` its unpacked value.
Signal = collections.namedtuple('Signal', 'sender path interface member params args')


class SignalRecorder:
    """Records D-Bus signals received on a connection.

    Created by :meth:`Stack.record_signals`.  Subscribes immediately; every
    matching signal is appended to :attr:`signals` when the main context the
    recorder was created in is iterated (which :meth:`wait_for` does).
    Use as a context manager or call :meth:`close` to unsubscribe.
    """

    def __init__(self, conn, sender=BUS_NAME, path_prefix=None, interface=None,
                 member=None, path=None):
        self.conn = conn
        self.path_prefix = path_prefix.rstrip('/') if path_prefix else None
        self.signals = []
        self.context = GLib.MainContext.ref_thread_default()
        self._id = conn.signal_subscribe(sender, interface, member, path, None,
                                         Gio.DBusSignalFlags.NONE, self._on_signal)

    def _on_signal(self, conn, sender, path, interface, member, params):
        if self.path_prefix and not (path == self.path_prefix or
                                     path.startswith(self.path_prefix + '/')):
            return
        self.signals.append(Signal(sender, path, interface, member, params,
                                   params.unpack() if params is not None else ()))

    def pump(self):
        """Dispatch whatever is pending without blocking."""
        while self.context.iteration(False):
            pass

    def clear(self):
        """Forget the signals recorded so far (after dispatching pending ones)."""
        self.pump()
        del self.signals[:]

    def find(self, predicate=None, start=0):
        """First recorded signal (from index *start*) matching *predicate*, or None."""
        for sig in self.signals[start:]:
            if predicate is None or predicate(sig):
                return sig
        return None

    def wait_for(self, predicate=None, timeout=10.0, start=0):
        """Return the first recorded signal (from index *start*) for which
        ``predicate(sig)`` is true, iterating the main context until one
        arrives.  Raises :class:`TimeoutError` listing what was received."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            sig = self.find(predicate, start)
            if sig is not None:
                return sig
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                got = '\n'.join('  %s %s.%s %s' % (s.path, s.interface, s.member,
                                                    s.params.print_(False) if s.params else '')
                                for s in self.signals) or '  (none)'
                raise TimeoutError('expected signal not received within %.1f s; got:\n%s'
                                   % (timeout, got))
            _iterate_for(min(remaining, 0.25), self.context)

    def close(self):
        """Unsubscribe (idempotent)."""
        if self._id is not None:
            self.conn.signal_unsubscribe(self._id)
            self._id = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------
# Clients running as another uid
# ---------------------------------------------------------------------------

class UserClient:
    """A long-lived D-Bus client process running as another uid.

    The process is ``tests/lxcclient_run.py`` (a copy the stack makes
    readable by every uid, see :meth:`Stack.client_files`), started through
    ``setpriv``. It holds one bus connection (``unique_name``) for its whole
    life, so it can serve as a polkit subject and make many calls cheaply.
    Created by :meth:`Stack.client_as`.

    Two ways to call:

    * typed, as :mod:`lxcclient` does in this process: ``client.manager``,
      ``client.container('c1')``, ``client.job(path)`` are proxies whose
      methods and properties are :class:`lxcclient.Manager`'s,
      :class:`lxcclient.Container`'s, :class:`lxcclient.Job`'s, run in the
      client process (``client.container('c1').start(use_init=True)``,
      ``.state``, ``.run(argv).stdout``); D-Bus errors are raised as
      :class:`lxcclient.Error`;
    * :meth:`call`: ``gdbus call`` semantics (GVariant text), returning a
      :data:`CallResult`.

    :meth:`send` starts a typed call without waiting for its answer (the
    caller then ends the process: :meth:`kill`).
    """

    def __init__(self, stack, uid, gid=None, timeout=15.0):
        self.uid = uid
        self._buf = b''
        self._pending = 0
        self.log = os.path.join(stack.logdir, 'client-uid%d.log' % uid)
        argv = stack._setpriv_argv(uid, gid) + [PYTHON, '-I', stack.client_files()]
        with open(self.log, 'ab') as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, env=stack.client_env(uid), cwd='/')
        hello = self._read(timeout)
        self.unique_name = hello['unique_name']
        self.pid = hello['pid']
        self.manager = RemoteObject(self, ('manager',), lxcclient.Manager)
        self.client = RemoteObject(self, ('client',), lxcclient.Client)

    def _read(self, timeout):
        """Next JSON line from the helper (waits at most *timeout* s)."""
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b'\n' not in self._buf:
            remaining = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(0, remaining))[0] if remaining > 0 else []
            chunk = os.read(fd, 65536) if ready else b''
            if not chunk:
                self.proc.kill()
                self.proc.wait()
                raise HarnessError('uid %d client helper %s; its stderr:\n%s' % (
                    self.uid, 'exited' if ready else 'timed out', Stack._tail(self.log)))
            self._buf += chunk
        line, self._buf = self._buf.split(b'\n', 1)
        return json.loads(line)

    def _write(self, obj):
        self.proc.stdin.write(json.dumps(obj).encode() + b'\n')
        self.proc.stdin.flush()

    def _answer(self, timeout):
        while self._pending > 1:      # answers to send()s nobody waited for
            self._pending -= 1
            self._read(3600)
        self._pending = 0
        return self._read((timeout if timeout and timeout > 0 else 3600) + 10)

    def call(self, path, iface, method, args='()', *, dest=BUS_NAME, signature=None,
             allow_interactive=False, timeout=25.0, fds=()):
        """Like :func:`dbus_call`, from this client's connection; *fds*
        lists descriptors the client opens and passes (``'null'``: /dev/null,
        ``'dir'``: /, ``'pipe'``: a pipe's write end), for ``h`` arguments
        ``handle 0``, ``handle 1``, ..."""
        req = {'op': 'call', 'call': dict(
            dest=dest, path=path, iface=iface, method=method, args=args,
            signature=signature, allow_interactive=allow_interactive, timeout=timeout,
            fds=list(fds))}
        self._write(req)
        self._pending += 1
        r = self._answer(timeout)
        return CallResult(r['ok'], r['error_name'], r['result'])

    def _request(self, target, method, args, kwargs, call_timeout, interactive):
        return {'op': 'invoke', 'target': list(target), 'method': method,
                'args': lxcclient_run.encode(list(args)),
                'kwargs': lxcclient_run.encode(kwargs),
                'timeout': call_timeout, 'interactive': interactive}

    def invoke(self, target, method, *args, call_timeout=120.0, interactive=False, **kwargs):
        """Method (or property) *method* of the lxcclient object *target*
        (``('manager',)``, ``('container', NAME)``, ``('job', PATH)``, ...)
        in the client process; returns its value, raises lxcclient.Error.
        *call_timeout* (s, negative: none) bounds the D-Bus call,
        *interactive* sets allow-interactive-authorization."""
        self._write(self._request(target, method, args, kwargs, call_timeout, interactive))
        self._pending += 1
        r = self._answer(call_timeout)
        if not r['ok']:
            if r['error_name'] == lxcclient_run.RUNNER_ERROR:
                raise HarnessError('uid %d client: %s' % (self.uid, r['message']))
            raise lxcclient.Error(r['error_name'], r['message'])
        return lxcclient_run.decode(r['value'], self._object)

    def send(self, target, method, *args, call_timeout=120.0, interactive=False, **kwargs):
        """Start :meth:`invoke` without waiting for its answer."""
        self._write(self._request(target, method, args, kwargs, call_timeout, interactive))
        self._pending += 1

    def _object(self, kind, path):
        if kind == 'Job':
            return self.job(path)
        return RemoteObject(self, ('container_at', path), lxcclient.Container)

    def container(self, name):
        """Proxy of container *name* (:class:`lxcclient.Container`'s API)."""
        return RemoteObject(self, ('container', name), lxcclient.Container)

    def job(self, path):
        """Proxy of the job at *path* (:class:`lxcclient.Job`'s API)."""
        return RemoteObject(self, ('job', path), lxcclient.Job)

    def kill(self):
        """End the client process at once (SIGKILL): its connection goes."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.close()

    def close(self):
        """Disconnect and end the helper process (idempotent)."""
        if self.proc.poll() is None:
            try:
                self._write({'op': 'quit'})
            except (BrokenPipeError, ValueError):
                pass
            if _wait_pid_exit(self.proc, 5) is None:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except Exception:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class RemoteObject:
    """An lxcclient object living in a :class:`UserClient`'s process: a
    property of *cls* is read at once, a method returns a function that
    calls it there (keywords ``call_timeout`` and ``interactive`` go to
    :meth:`UserClient.invoke`)."""

    def __init__(self, user, target, cls):
        self._user = user
        self._target = tuple(target)
        self._cls = cls

    @property
    def path(self):
        """Object path (containers and jobs)."""
        if self._target[0] == 'container':
            return lxcclient.container_path(self._target[1])
        return self._target[1] if len(self._target) > 1 else lxcclient.MANAGER_PATH

    def __getattr__(self, name):
        attr = getattr(self._cls, name, None)
        if attr is None or name.startswith('_'):
            raise AttributeError('%s has no %s' % (self._cls.__name__, name))
        if isinstance(attr, property):
            return self._user.invoke(self._target, name)
        return lambda *a, **kw: self._user.invoke(self._target, name, *a, **kw)

    def __repr__(self):
        return '<%s %s as uid %d>' % (self._cls.__name__, self.path, self._user.uid)


# ---------------------------------------------------------------------------
# Mount-namespace safety
# ---------------------------------------------------------------------------

def _mountinfo(pid='self'):
    """Parsed /proc/PID/mountinfo: list of (mount_id, mount_point, optional_fields)."""
    res = []
    with open('/proc/%s/mountinfo' % pid) as f:
        for line in f:
            fields = line.split()
            sep = fields.index('-')
            mnt = fields[4].encode().decode('unicode_escape')
            res.append((fields[0], mnt, fields[6:sep]))
    return res


def _mount_containing(path, mounts):
    """The (mount_id, mount_point, optional_fields) of the last-mounted mount
    containing *path*."""
    best = None
    for m in mounts:
        mnt = m[1]
        if mnt == '/' or path == mnt or path.startswith(mnt.rstrip('/') + '/'):
            if best is None or len(mnt) >= len(best[1]):
                best = m
    return best


def _same_mount_ns_as_init():
    """True if we share pid 1's mount namespace.  Compares the namespace
    links when readable; otherwise (reading /proc/1/ns/mnt is refused from
    inside a new namespace on some kernels) the mount ids of "/" in the two
    mountinfo files (a new namespace gets copies with new ids)."""
    try:
        return os.readlink('/proc/self/ns/mnt') == os.readlink('/proc/1/ns/mnt')
    except OSError:
        pass
    mine = _mount_containing('/', _mountinfo('self'))
    init = _mount_containing('/', _mountinfo('1'))
    return mine[0] == init[0]


#: root's subordinate id range in the tests' private /etc/subuid and /etc/subgid
SUBID_FILES = ('/etc/subuid', '/etc/subgid')
SUBID_BASE = 1000000
#: one container's block: the service gives each unprivileged container a
#: block of its own out of root's range
SUBID_BLOCK = 65536
SUBID_COUNT = 16 * SUBID_BLOCK


def check_private_mount_namespace(paths=(POLKIT_ACTIONS_DIR, POLKIT_ETC_RULES_DIR) + SUBID_FILES):
    """Raise HarnessError unless bind mounts over *paths* would stay private.

    Requires (1) a mount namespace different from pid 1's and (2) that the
    mounts containing *paths* do not propagate (no ``shared:`` peer group).
    ``tests/run-test`` provides this with ``unshare --mount --propagation private``.
    """
    try:
        same = _same_mount_ns_as_init()
    except (OSError, TypeError, ValueError) as e:
        raise HarnessError('cannot compare mount namespaces: %s' % e)
    if same:
        raise HarnessError('refusing to bind-mount over polkit directories: not in a '
                           'private mount namespace (run through tests/run-test)')
    mounts = _mountinfo()
    for p in paths:
        real = os.path.realpath(p)
        m = _mount_containing(real, mounts)
        if m is None or any(o.startswith('shared:') for o in m[2]):
            raise HarnessError('refusing to bind-mount over %s: mount %s propagates '
                               '(use unshare --propagation private)' % (p, m and m[1]))


# ---------------------------------------------------------------------------
# Test accounts
# ---------------------------------------------------------------------------

class TestAccounts:
    """Users *accounts* and groups *groups* in temporary copies of /etc/passwd
    and /etc/group, bind-mounted over the real files in this process's
    private mount namespace (tests/run-test); the host's files are never
    written.  Entries of the host with these names (say, a real group
    lxc-users made for the examples) are left out of the copies."""

    FILES = ('/etc/passwd', '/etc/group')

    def __init__(self, accounts, groups):
        """*accounts*: {user name: (supplementary group, ...)};
        *groups*: the group names to create."""
        self.accounts = accounts
        self.groups = groups
        self.dir = None
        self.mounts = []
        self.uids = {}

    @staticmethod
    def _free_id_block(size):
        used = {p.pw_uid for p in pwd.getpwall()} | {g.gr_gid for g in grp.getgrall()}
        for base in range(61000, 64000, 100):
            if not used & set(range(base, base + size)):
                return base
        raise HarnessError('no free block of %d uids/gids' % size)

    def create(self):
        check_private_mount_namespace(self.FILES)
        base = self._free_id_block(len(self.accounts) + len(self.groups))
        nogroup = pwd.getpwuid(UNPRIV_UID).pw_gid
        passwd_lines, group_lines = [], []
        for i, name in enumerate(self.accounts):
            self.uids[name] = base + i
            passwd_lines.append('%s:x:%d:%d:lxc-dbus test:/nonexistent:/usr/sbin/nologin'
                                % (name, base + i, nogroup))
        for j, group in enumerate(self.groups):
            members = [u for u, groups in self.accounts.items() if group in groups]
            group_lines.append('%s:x:%d:%s' % (group, base + len(self.accounts) + j,
                                               ','.join(members)))
        self.dir = tempfile.mkdtemp(prefix='lxcd-test-accounts-')
        os.chmod(self.dir, 0o755)
        ours = set(self.accounts) | set(self.groups)
        for real, extra in zip(self.FILES, (passwd_lines, group_lines)):
            with open(real) as f:
                lines = [l for l in f.read().splitlines() if l.split(':', 1)[0] not in ours]
            copy = os.path.join(self.dir, os.path.basename(real))
            with open(copy, 'w') as f:
                f.write('\n'.join(lines + extra) + '\n')
            os.chmod(copy, 0o644)
            subprocess.run(['mount', '--bind', copy, real], check=True)
            self.mounts.append(real)
        # NSS (as polkitd will use it) sees them
        for name in self.accounts:
            out = subprocess.run(['id', '-Gn', name], capture_output=True, text=True)
            want = set(self.accounts[name]) | {grp.getgrgid(nogroup).gr_name}
            if set(out.stdout.split()) != want:
                raise HarnessError('id -Gn %s: %r, expected %s' % (
                    name, out.stdout + out.stderr, sorted(want)))
        return self

    def close(self):
        for real in reversed(self.mounts):
            if subprocess.run(['umount', real]).returncode == 0:
                self.mounts.remove(real)
        if self.dir and not self.mounts:
            shutil.rmtree(self.dir, ignore_errors=True)



# ---------------------------------------------------------------------------
# Configuration file generation
# ---------------------------------------------------------------------------

_BUSCONFIG_DOCTYPE = ('<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus '
                      'Configuration 1.0//EN"\n "http://www.freedesktop.org/standards/'
                      'dbus/1.0/busconfig.dtd">\n')

#: elements of system.conf dropped for the private bus
_BUS_DROP = {'user', 'fork', 'pidfile', 'syslog', 'servicehelper', 'listen',
             'standard_system_servicedirs', 'standard_session_servicedirs',
             'servicedir', 'include', 'includedir', 'keep_umask'}


def make_bus_config(socket_path, includedir, template=SYSTEM_BUS_CONF):
    """Text of a bus configuration derived from the system bus's *template*:
    listens on *socket_path*, runs in the foreground as the calling user, no
    syslog, no pid file, no activation, and includes only *includedir*."""
    root = ET.parse(template).getroot()
    if root.tag != 'busconfig':
        raise HarnessError('%s is not a busconfig' % template)
    for child in list(root):
        if child.tag in _BUS_DROP:
            root.remove(child)
    ET.SubElement(root, 'listen').text = 'unix:path=' + socket_path
    ET.SubElement(root, 'includedir').text = includedir
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + _BUSCONFIG_DOCTYPE +
            '<!-- generated by lxcdtest from %s -->\n' % template +
            ET.tostring(root, encoding='unicode') + '\n')


STANDIN_BUS_POLICY = '<?xml version="1.0" encoding="UTF-8"?>\n' + _BUSCONFIG_DOCTYPE + '''\
<!-- lxcdtest stand-in: the project's bus policy does not exist yet -->
<busconfig>
  <policy user="root">
    <allow own="org.linuxcontainers.LXC1"/>
  </policy>
  <policy context="default">
    <allow send_destination="org.linuxcontainers.LXC1"/>
  </policy>
</busconfig>
'''


def standin_polkit_policy():
    """Text of a stand-in ``.policy`` declaring the 7 actions with defaults
    auth_admin / auth_admin / auth_admin_keep."""
    acts = ''.join('''
  <action id="%s">
    <description>lxcdtest stand-in %s</description>
    <message>Authentication is required (%s)</message>
    <defaults>
      <allow_any>auth_admin</allow_any>
      <allow_inactive>auth_admin</allow_inactive>
      <allow_active>auth_admin_keep</allow_active>
    </defaults>
  </action>
''' % (a, a, a) for a in ACTIONS)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD PolicyKit Policy '
            'Configuration 1.0//EN"\n "http://www.freedesktop.org/standards/PolicyKit/'
            '1/policyconfig.dtd">\n<policyconfig>\n  <vendor>lxcdtest</vendor>\n' +
            acts + '</policyconfig>\n')


def _polkitd_user():
    """(uid, gid) polkitd drops privileges to (owner of /etc/polkit-1/rules.d
    if there is no ``polkitd`` user)."""
    try:
        pw = pwd.getpwnam('polkitd')
        return pw.pw_uid, pw.pw_gid
    except KeyError:
        st = os.stat(POLKIT_ETC_RULES_DIR)
        return st.st_uid, st.st_gid


# ---------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------

def _run(argv, check=True, timeout=120, **kw):
    """subprocess.run with text capture; raise HarnessError with output on failure."""
    kw.setdefault('stdin', subprocess.DEVNULL)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise HarnessError('%s failed (%d):\n%s%s' % (' '.join(argv), p.returncode,
                                                      p.stdout, p.stderr))
    return p


_lxc_version = None


def lxc_version():
    """liblxc version string as reported by ``lxc-create --version``."""
    global _lxc_version
    if _lxc_version is None:
        _lxc_version = _run(['lxc-create', '--version']).stdout.strip()
    return _lxc_version


def _rewrite_net_config(text):
    """Container config *text* with every ``lxc.net.*`` line replaced by a
    single ``lxc.net.0.type = empty`` (no host bridge needed)."""
    lines = [l for l in text.splitlines() if not l.strip().startswith('lxc.net.')]
    lines.append('lxc.net.0.type = empty')
    return '\n'.join(lines) + '\n'


class ContainerFactory:
    """Makes busybox containers quickly.

    One template container is created with ``lxc-create -t busybox`` (network
    reduced to ``lxc.net.0.type = empty``) and cached, per machine, under
    ``$LXCD_TEST_CACHE`` keyed by the liblxc version, the template script and
    the busybox binary; new containers are ``cp -a`` copies of its rootfs
    with the config rewritten for the new name and path (measured faster
    than ``lxc-copy``, which is available as ``method='lxc-copy'``).
    """

    TEMPLATE_NAME = 'lxcd-template'
    FORMAT = '1'

    def __init__(self, scratch_dir):
        self.scratch_dir = scratch_dir
        self._template = None

    @staticmethod
    def _cache_root():
        root = os.environ.get('LXCD_TEST_CACHE', '/tmp/lxcd-test-cache')
        if root.lower() in ('', 'none', '0', 'no'):
            return None
        try:
            os.makedirs(root, mode=0o755, exist_ok=True)
            st = os.lstat(root)
        except OSError as e:
            _log('container cache %s unusable (%s); not caching' % (root, e))
            return None
        # Never trust a cache another user could have planted or modified.
        if st.st_uid != os.geteuid() or st.st_mode & 0o022 or not os.path.isdir(root):
            _log('container cache %s not owned by us or writable by others; not caching'
                 % root)
            return None
        return root

    def _key(self):
        h = hashlib.sha256()
        h.update(('format %s\n%s\n' % (self.FORMAT, lxc_version())).encode())
        for d in LXC_TEMPLATE_DIRS:
            p = os.path.join(d, 'lxc-busybox')
            if os.path.exists(p):
                with open(p, 'rb') as f:
                    h.update(f.read())
                break
        bb = shutil.which('busybox')
        if bb:
            st = os.stat(bb)
            h.update(('%s %d %d' % (bb, st.st_size, st.st_mtime_ns)).encode())
        return 'lxc-%s-%s' % (lxc_version(), h.hexdigest()[:16])

    def _valid(self, lxcpath):
        d = os.path.join(lxcpath, self.TEMPLATE_NAME)
        try:
            with open(os.path.join(d, 'config')) as f:
                cfg = f.read()
        except OSError:
            return False
        return (os.path.exists(os.path.join(lxcpath, '.complete')) and
                'lxc.net.0.type = empty' in cfg and
                ('lxc.rootfs.path = dir:%s/rootfs' % d) in cfg and
                os.path.lexists(os.path.join(d, 'rootfs', 'bin', 'busybox')))

    def _build(self, lxcpath):
        shutil.rmtree(lxcpath, ignore_errors=True)
        os.makedirs(lxcpath, mode=0o755)
        _run(['lxc-create', '-P', lxcpath, '-t', 'busybox', '-n', self.TEMPLATE_NAME])
        cfg = os.path.join(lxcpath, self.TEMPLATE_NAME, 'config')
        with open(cfg) as f:
            text = _rewrite_net_config(f.read())
        with open(cfg, 'w') as f:
            f.write(text)
        open(os.path.join(lxcpath, '.complete'), 'w').close()

    def template(self):
        """Directory of the (cached or freshly built) template container."""
        if self._template:
            return self._template
        root = self._cache_root()
        if root is None:
            lxcpath = os.path.join(self.scratch_dir, 'template-lxcpath')
            if not self._valid(lxcpath):
                self._build(lxcpath)
        else:
            lxcpath = os.path.join(root, self._key())
            with open(lxcpath + '.lock', 'w') as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not self._valid(lxcpath):
                    self._build(lxcpath)
        self._template = os.path.join(lxcpath, self.TEMPLATE_NAME)
        return self._template

    def make(self, lxcpath, name, method='cp'):
        """Create container *name* in *lxcpath* from the template; returns its dir."""
        tmpl = self.template()
        dst = os.path.join(lxcpath, name)
        if os.path.lexists(dst):
            raise HarnessError('container %s already exists in %s' % (name, lxcpath))
        if method == 'lxc-copy':
            _run(['lxc-copy', '-P', os.path.dirname(tmpl), '-n', self.TEMPLATE_NAME,
                  '-N', name, '-p', lxcpath])
            return dst
        os.mkdir(dst, 0o770)
        try:
            _run(['cp', '-a', os.path.join(tmpl, 'rootfs'), os.path.join(dst, 'rootfs')])
            with open(os.path.join(tmpl, 'config')) as f:
                lines = f.read().splitlines()
            out = []
            for line in lines:
                key = line.split('=', 1)[0].strip()
                if key == 'lxc.rootfs.path':
                    line = 'lxc.rootfs.path = dir:%s/rootfs' % dst
                elif key == 'lxc.uts.name':
                    line = 'lxc.uts.name = %s' % name
                else:
                    line = line.replace(tmpl + '/', dst + '/')
                out.append(line)
            cfg = os.path.join(dst, 'config')
            with open(cfg, 'w') as f:
                f.write('\n'.join(out) + '\n')
            os.chmod(cfg, 0o640)
        except BaseException:
            shutil.rmtree(dst, ignore_errors=True)
            raise
        return dst


# ---------------------------------------------------------------------------
# The stack
# ---------------------------------------------------------------------------

_live_stacks = weakref.WeakSet()
_signals_installed = False
_OWNER_FILE = 'lxcdtest.owner'


def _proc_start_time(pid):
    """Kernel start time of live (non-zombie) process *pid*, or None."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError, ValueError):
        return None
    return None if fields[0] in ('Z', 'X') else fields[19]


_os_kill = os.kill


def _guarded_kill(pid, sig):
    """os.kill for the tests, which run as root: a pid read from the
    service can be -1 or 0 ("not running"), and kill(-1) as root signals
    every process of the machine. Such a pid is a test's bug: refuse it."""
    if pid <= 1:
        raise AssertionError('refusing to send signal %d to pid %d' % (sig, pid))
    return _os_kill(pid, sig)


os.kill = _guarded_kill


def _kill_processes_mentioning(path, exclude=()):
    """SIGKILL processes whose command line names *path* (or something
    below it): leftovers such as lxc-monitord and "[lxc monitor] <lxcpath>
    <name>" of a private temp dir.  Returns the pids killed."""
    needle = path.encode()
    killed = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == os.getpid() or int(pid) in exclude:
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                cmd = f.read()
        except OSError:
            continue
        if needle + b'/' in cmd or cmd.rstrip(b'\0').endswith(needle) or \
                (needle + b'\0') in cmd or (needle + b' ') in cmd:
            _log('killing stray pid %s: %r' % (pid, cmd.replace(b'\0', b' ')[:200]))
            try:
                os.kill(int(pid), signal.SIGKILL)
                killed.append(int(pid))
            except OSError:
                pass
    return killed


def reap_orphaned_stacks(tmp='/tmp'):
    """Clean up after test processes that were SIGKILLed (no teardown ran):
    for every ``/tmp/lxcd-test-*`` whose recorded owner process is gone,
    stop its containers, kill processes naming it and remove it.  Bind
    mounts need no cleanup: they died with the owner's mount namespace."""
    for entry in os.listdir(tmp):
        d = os.path.join(tmp, entry)
        if not entry.startswith('lxcd-test-') or entry == 'lxcd-test-cache':
            continue
        try:
            st = os.lstat(d)
            with open(os.path.join(d, _OWNER_FILE)) as f:
                pid, start = f.read().split()
        except (OSError, ValueError):
            continue
        if st.st_uid != os.geteuid() or _proc_start_time(int(pid)) == start:
            continue
        _log('reaping orphaned test stack %s (owner pid %s is gone)' % (d, pid))
        lxcpath = os.path.join(d, 'lxcpath')
        try:
            names = [n for n in os.listdir(lxcpath)
                     if os.path.exists(os.path.join(lxcpath, n, 'config'))]
        except OSError:
            names = []
        for n in names:
            _run(['lxc-stop', '-k', '-P', lxcpath, '-n', n], check=False)
        _kill_processes_mentioning(d)
        for n in names:
            _run(['lxc-destroy', '-f', '-P', lxcpath, '-n', n], check=False)
        shutil.rmtree(d, ignore_errors=True)


def _install_termination_handlers():
    """Turn SIGTERM/SIGHUP (e.g. a meson timeout) into KeyboardInterrupt,
    which unittest does not swallow, so that teardown (main()'s cleanup,
    finally blocks, atexit) runs; further signals during teardown are only
    logged.  Only replaces default handlers, only from the main thread."""
    global _signals_installed
    if _signals_installed:
        return
    import threading
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum, frame):
        for s in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, lambda n, f: _log('signal %d during teardown ignored' % n))
        _log('got signal %d; tearing down' % signum)
        raise KeyboardInterrupt('signal %d' % signum)

    for s in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(s) == signal.SIG_DFL:
            signal.signal(s, handler)
    _signals_installed = True


class Stack:
    """A private system bus + polkitd + lxcpath (+ the daemon under test).

    Usage::

        with Stack() as stack:          # or: stack = Stack().start(); ...; stack.close()
            stack.start_daemon()

    Parameters (all optional):

    *base_dir*      use this directory instead of a fresh ``/tmp/lxcd-test-*``
                    (it is not removed at close; used by ``tests/devstack``)
    *lxcpath*       serve an existing lxcpath; its containers are then left
                    alone at close (default: ``<tmp>/lxcpath``, emptied at close)
    *bus_policy*, *polkit_policy*, *daemon*
                    override the files found through the environment

    Attributes after :meth:`start`: ``tmpdir``, ``address``, ``lxcpath``,
    ``bus_socket``, ``rules_dir``, ``actions_dir``, ``dbus_log``,
    ``polkit_log``, ``daemon_log``, ``dbus_pid``, ``polkitd_pid``,
    ``timings`` (seconds per setup phase), ``standins`` (list of files
    replaced by stand-ins because the project's were missing).
    """

    def __init__(self, base_dir=None, lxcpath=None, bus_policy=None,
                 polkit_policy=None, daemon=None):
        self._base_dir = base_dir
        self._external_lxcpath = lxcpath
        self.bus_policy = bus_policy or bus_policy_file()
        self.polkit_policy = polkit_policy or polkit_policy_file()
        self.daemon_path = daemon or daemon_binary()
        self.tmpdir = None
        self.address = None
        self.lxcpath = None
        self.timings = {}
        self.standins = []
        self.daemon_proc = None
        self._owns_tmpdir = False
        self._procs = {}          # role -> Popen, everything we started
        self._mounts = []         # mount targets, in mount order
        self._conns = []
        self._clients = []
        self._factory = None
        self._rules_generation = 0
        self.rules_file = None
        self._closed = False
        self._started = False
        self._root_conn = None
        self._saved_bus_env = None
        self.daemon_log = None
        self.daemon_runs = 0

    # -- lifecycle ---------------------------------------------------------

    def start(self):
        """Bring up bus and polkitd; returns self.  On failure everything
        already started is torn down and the exception propagates."""
        if self._started:
            return self
        self._started = True
        _live_stacks.add(self)
        atexit.register(self.close)
        _install_termination_handlers()
        t0 = time.monotonic()
        try:
            self._make_dirs()
            self._start_bus()
            t1 = time.monotonic()
            self._start_polkit()
            t2 = time.monotonic()
            self.timings.update(bus=t1 - t0, polkit=t2 - t1, setup=t2 - t0)
        except BaseException:
            self.close()
            raise
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def _make_dirs(self):
        if self._base_dir:
            os.makedirs(self._base_dir, mode=0o755, exist_ok=True)
            self.tmpdir = os.path.realpath(self._base_dir)
        else:
            try:
                reap_orphaned_stacks()
            except Exception:
                _log('reaping orphaned stacks failed:\n' + traceback.format_exc())
            self.tmpdir = os.path.realpath(tempfile.mkdtemp(prefix='lxcd-test-', dir='/tmp'))
            self._owns_tmpdir = True
            with open(os.path.join(self.tmpdir, _OWNER_FILE), 'w') as f:
                f.write('%d %s\n' % (os.getpid(), _proc_start_time(os.getpid())))
        # world-traversable so unprivileged clients reach the bus socket
        os.chmod(self.tmpdir, 0o755)
        self.logdir = os.path.join(self.tmpdir, 'logs')
        os.makedirs(self.logdir, mode=0o755, exist_ok=True)
        os.chmod(self.logdir, 0o755)
        self.dbus_log = os.path.join(self.logdir, 'dbus-daemon.log')
        self.polkit_log = os.path.join(self.logdir, 'polkitd.log')
        self.daemon_log = os.path.join(self.logdir, 'lxc-dbus.log')
        if self._external_lxcpath:
            self.lxcpath = os.path.realpath(self._external_lxcpath)
            os.makedirs(self.lxcpath, mode=0o755, exist_ok=True)
        else:
            self.lxcpath = os.path.join(self.tmpdir, 'lxcpath')
            os.makedirs(self.lxcpath, mode=0o755, exist_ok=True)
            os.chmod(self.lxcpath, 0o755)

    def _popen(self, role, argv, log, env=None, pass_fds=()):
        """Start a process we own; stdout+stderr appended to *log*."""
        with open(log, 'ab') as out:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, env=env, pass_fds=pass_fds,
                                 cwd=self.tmpdir)
        self._procs[role] = p
        return p

    @property
    def dbus_pid(self):
        """pid of our dbus-daemon (or None)."""
        p = self._procs.get('dbus-daemon')
        return p.pid if p else None

    @property
    def polkitd_pid(self):
        """pid of our polkitd (or None)."""
        p = self._procs.get('polkitd')
        return p.pid if p else None

    # -- bus ---------------------------------------------------------------

    def _start_bus(self):
        sysd = os.path.join(self.tmpdir, 'system.d')
        os.makedirs(sysd, mode=0o755, exist_ok=True)
        os.chmod(sysd, 0o755)
        shutil.copy(POLKIT_BUS_POLICY, sysd)
        dst = os.path.join(sysd, 'org.linuxcontainers.LXC1.conf')
        if os.path.exists(self.bus_policy):
            shutil.copy(self.bus_policy, dst)
        else:
            with open(dst, 'w') as f:
                f.write(STANDIN_BUS_POLICY)
            self.standins.append(self.bus_policy)
            _log('bus policy %s missing; using a stand-in' % self.bus_policy)
        self.bus_socket = os.path.join(self.tmpdir, 'system_bus_socket')
        self.bus_config = os.path.join(self.tmpdir, 'bus.conf')
        with open(self.bus_config, 'w') as f:
            f.write(make_bus_config(self.bus_socket, sysd))
        r, w = os.pipe()
        try:
            # --pdeathsig: the bus (and with it polkitd, which exits when it
            # loses the bus) dies even if this process is SIGKILLed.
            p = self._popen('dbus-daemon',
                            ['setpriv', '--pdeathsig', 'KILL', '--', 'dbus-daemon',
                             '--config-file=' + self.bus_config, '--nofork',
                             '--print-address=%d' % w],
                            self.dbus_log, pass_fds=(w,))
            os.close(w)
            w = None
            buf = b''
            deadline = time.monotonic() + 10
            while not buf.endswith(b'\n'):
                remaining = deadline - time.monotonic()
                ready = select.select([r], [], [], max(0, remaining))[0]
                chunk = os.read(r, 4096) if ready else b''
                if not chunk:
                    raise HarnessError('dbus-daemon did not start (exit %s):\n%s'
                                       % (p.poll(), self._tail(self.dbus_log)))
                buf += chunk
        finally:
            os.close(r)
            if w is not None:
                os.close(w)
        self.address = buf.decode().strip()
        # reachable by every uid whatever our umask was
        os.chmod(self.bus_socket, 0o666)
        self._saved_bus_env = (os.environ.get('DBUS_SYSTEM_BUS_ADDRESS'),)
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = self.address
        self._root_conn = self.bus()

    def env(self, extra=None):
        """Environment for root children: ours plus DBUS_SYSTEM_BUS_ADDRESS."""
        e = dict(os.environ)
        e['DBUS_SYSTEM_BUS_ADDRESS'] = self.address
        e.update(extra or {})
        return e

    def bus(self):
        """A new root Gio.DBusConnection to the private system bus (closed at
        :meth:`close`)."""
        conn = new_bus_connection(self.address)
        self._conns.append(conn)
        return conn

    # -- polkit ------------------------------------------------------------

    def _start_polkit(self):
        check_private_mount_namespace()
        uid, gid = _polkitd_user()
        self.actions_dir = os.path.join(self.tmpdir, 'polkit-actions')
        self.rules_dir = os.path.join(self.tmpdir, 'polkit-rules.d')
        os.makedirs(self.actions_dir, mode=0o755, exist_ok=True)
        os.makedirs(self.rules_dir, mode=0o700, exist_ok=True)
        os.chmod(self.actions_dir, 0o755)
        # like the deployed /etc/polkit-1/rules.d: polkitd-owned, 0700
        os.chown(self.rules_dir, uid, 0)
        os.chmod(self.rules_dir, 0o700)
        dst = os.path.join(self.actions_dir, 'org.linuxcontainers.LXC1.policy')
        if os.path.exists(self.polkit_policy):
            shutil.copy(self.polkit_policy, dst)
        else:
            with open(dst, 'w') as f:
                f.write(standin_polkit_policy())
            self.standins.append(self.polkit_policy)
            _log('polkit policy %s missing; using a stand-in' % self.polkit_policy)
        os.chmod(dst, 0o644)
        self._bind(self.actions_dir, POLKIT_ACTIONS_DIR)
        self._bind(self.rules_dir, POLKIT_ETC_RULES_DIR)
        self._bind_subids()
        # polkitd (no --no-debug: that also silences the "Finished loading"
        # lines set_rules() relies on) drops privileges to 'polkitd' itself.
        p = self._popen('polkitd', [POLKITD], self.polkit_log,
                        env=self.env({'LANG': 'C.UTF-8'}))

        def up():
            if p.poll() is not None:
                raise HarnessError('polkitd exited (%s):\n%s' % (p.returncode,
                                                                 self._tail(self.polkit_log)))
            return name_owner(self._root_conn, POLKIT_NAME)
        wait_until(up, 15, 0.01, lambda: 'polkitd did not acquire its name:\n' +
                   self._tail(self.polkit_log))

    def restart_polkitd(self, timeout=15.0):
        """Start polkitd again (same policy and rules) after a test stopped,
        froze or killed it; waits until it owns its name."""
        old = self._procs.get('polkitd')
        if old and old.poll() is None:
            old.kill()
            old.wait()
        p = self._popen('polkitd', [POLKITD], self.polkit_log, env=self.env({'LANG': 'C.UTF-8'}))

        def up():
            if p.poll() is not None:
                raise HarnessError('polkitd exited (%s)' % p.returncode)
            return name_owner(self._root_conn, POLKIT_NAME)
        wait_until(up, timeout, 0.01, 'polkitd did not come back')

    def _bind_subids(self):
        """Private /etc/subuid and /etc/subgid giving root the range
        SUBID_BASE:SUBID_COUNT, as an admin sets up for unprivileged
        containers (the service maps the containers that callers other than
        root make into it; liblxc's newuidmap checks these files)."""
        for real in SUBID_FILES:
            if not os.path.exists(real):
                _log('%s does not exist: no private copy (unprivileged containers '
                     'will not start)' % real)
                continue
            copy = os.path.join(self.tmpdir, os.path.basename(real))
            with open(copy, 'w') as f:
                f.write('root:%d:%d\n' % (SUBID_BASE, SUBID_COUNT))
            os.chmod(copy, 0o644)
            self._bind(copy, real)

    def _bind(self, src, target):
        _run(['mount', '--bind', src, target])
        self._mounts.append(target)

    def set_rules(self, js_text, timeout=10.0):
        """Install *js_text* as the test's polkit rules and wait until
        polkitd has loaded exactly this version.

        Each call uses a new file name ``50-lxcd-test-<n>.rules`` in the
        private ``/etc/polkit-1/rules.d`` (the previous one is deleted
        first, the new one appears atomically by rename).  The file starts
        with ``polkit.log("<marker n>")``; we return once polkitd's log shows
        that marker followed by ``Finished loading, compiling and executing
        N rules`` -- so no reload triggered by an older version can be
        mistaken for this one.  Raises ValueError if polkitd reports an
        error for this file (e.g. a syntax error); polkitd then runs without
        test rules.
        """
        self._rules_generation += 1
        gen = self._rules_generation
        marker = 'lxcdtest-rules-generation-%d' % gen
        name = '50-lxcd-test-%d.rules' % gen
        offset = os.path.getsize(self.polkit_log)
        for old in os.listdir(self.rules_dir):
            if old.startswith('50-lxcd-test-'):
                os.unlink(os.path.join(self.rules_dir, old))
        tmp = os.path.join(self.rules_dir, '.' + name + '.tmp')
        with open(tmp, 'w') as f:
            f.write('polkit.log("%s");\n%s\n' % (marker, js_text))
        os.chmod(tmp, 0o644)
        os.rename(tmp, os.path.join(self.rules_dir, name))
        self.rules_file = os.path.join(POLKIT_ETC_RULES_DIR, name)
        self._wait_rules_loaded(marker, self.rules_file, offset, timeout)

    def clear_rules(self, timeout=10.0):
        """Back to no test rules (a rules file holding only the marker line
        stays, so that the reload can be awaited like in :meth:`set_rules`)."""
        self.set_rules('', timeout)

    def _wait_rules_loaded(self, marker, path, offset, timeout):
        proc = self._procs['polkitd']

        def loaded():
            if proc.poll() is not None:
                raise HarnessError('polkitd died:\n' + self._tail(self.polkit_log))
            with open(self.polkit_log, errors='replace') as f:
                f.seek(offset)
                lines = f.read().splitlines()
            seen = False
            for i, line in enumerate(lines):
                if line.strip() == marker:
                    seen = True
                elif seen and 'Finished loading, compiling and executing' in line:
                    return True
                elif path + ':' in line:
                    raise ValueError('polkitd rejected the rules:\n' + line)
            return False
        wait_until(loaded, timeout, 0.01, lambda: 'polkitd did not reload rules:\n' +
                   self._tail(self.polkit_log))

    def check_authorization(self, subject_bus_name, action_id, details=None, flags=0):
        """:func:`check_authorization` as root (a trusted caller, so *details*
        are accepted) -- what the daemon asks polkit for its callers."""
        return check_authorization(self._root_conn, subject_bus_name, action_id,
                                   details, flags)

    # -- containers ----------------------------------------------------------

    @property
    def factory(self):
        """The :class:`ContainerFactory` of this stack."""
        if self._factory is None:
            self._factory = ContainerFactory(self.tmpdir)
        return self._factory

    def make_container(self, name, config=None, method='cp'):
        """Create busybox container *name* in :attr:`lxcpath` (network
        ``empty``); *config* is an optional dict of extra config items.
        Returns the container's directory."""
        d = self.factory.make(self.lxcpath, name, method)
        if config:
            with open(os.path.join(d, 'config'), 'a') as f:
                for k, v in config.items():
                    f.write('%s = %s\n' % (k, v))
        return d

    def lxc(self, tool, name, *args, check=True, timeout=60):
        """Run ``lxc-<tool> -P <lxcpath> -n <name> ARGS``; CompletedProcess."""
        return _run(['lxc-' + tool, '-P', self.lxcpath, '-n', name] + list(args),
                    check=check, timeout=timeout)

    _NO_DEFAULT = object()

    def container_state(self, name, default=_NO_DEFAULT):
        """liblxc state string of *name* (``lxc-info -s -H``); *default*
        if given and liblxc knows no such container (else that raises)."""
        if default is Stack._NO_DEFAULT:
            return self.lxc('info', name, '-s', '-H').stdout.strip()
        r = self.lxc('info', name, '-s', '-H', check=False)
        return r.stdout.strip() if r.returncode == 0 else default

    def served_state(self, name):
        """The State property the service publishes for *name* (None if it
        serves no such container)."""
        r = self.call(container_path(name), 'org.freedesktop.DBus.Properties', 'Get',
                      "('%s', 'State')" % CONTAINER_IFACE)
        return parse_variant(r.result_text)[0] if r.ok else None

    def daemon_resources(self):
        """(open descriptors, RSS in kB) of the daemon under test."""
        pid = self.daemon_proc.pid
        nfd = len(os.listdir('/proc/%d/fd' % pid))
        with open('/proc/%d/status' % pid) as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith('VmRSS:'))
        return nfd, rss

    def start_container(self, name, timeout=10.0):
        """``lxc-start`` *name* (outside the daemon) and wait for RUNNING."""
        self.lxc('start', name)
        self.lxc('wait', name, '-s', 'RUNNING', '-t', str(int(timeout)))

    def wait_init_ready(self, name, timeout=10.0):
        """Wait until the container's (busybox) init waits for signals in its
        main loop, its start-up scripts done. Freezing a container while its
        init still forks start-up programs can leave the cgroup v1 freezer
        stuck in FREEZING (liblxc then waits forever), and signals sent
        before init handles them are lost."""
        def ready():
            out = self.lxc('info', name, '-p', '-H', check=False).stdout.strip()
            try:
                with open('/proc/%s/wchan' % out) as f:
                    return 'sigtimedwait' in f.read()
            except (OSError, ValueError):
                return False
        wait_until(ready, timeout)

    def stop_container(self, name):
        """``lxc-stop -k`` *name* (outside the daemon)."""
        self.lxc('stop', name, '-k')

    def container_names(self):
        """Names of the container directories in :attr:`lxcpath`."""
        try:
            return sorted(n for n in os.listdir(self.lxcpath)
                          if os.path.exists(os.path.join(self.lxcpath, n, 'config')))
        except OSError:
            return []

    # -- the daemon under test -------------------------------------------------

    def start_daemon(self, extra_args=(), env=None, timeout=10.0, wait=True):
        """Start the daemon (``$LXCD_DAEMON``) with ``--lxcpath=<lxcpath>
        --verbose`` + *extra_args*, ``G_DEBUG=fatal-criticals`` + *env*,
        output appended to :attr:`daemon_log`; wait until it owns
        ``org.linuxcontainers.LXC1`` (checked to be this very process).
        Returns the Popen.

        The daemon gets PR_SET_PDEATHSIG=SIGKILL (via ``setpriv
        --pdeathsig``), so it cannot outlive a killed test process -- call
        this from the thread that lives as long as the daemon should.
        """
        if self.daemon_proc and self.daemon_proc.poll() is None:
            raise HarnessError('daemon already running (pid %d)' % self.daemon_proc.pid)
        if not os.access(self.daemon_path, os.X_OK):
            raise HarnessError('daemon binary %s not found (set LXCD_DAEMON or '
                               'LXCD_BUILDDIR)' % self.daemon_path)
        self.daemon_runs += 1
        with open(self.daemon_log, 'a') as f:
            f.write('==== lxcdtest: daemon run %d ====\n' % self.daemon_runs)
        self._daemon_log_offset = os.path.getsize(self.daemon_log)
        argv = ['setpriv', '--pdeathsig', 'KILL', '--', self.daemon_path,
                '--lxcpath=' + self.lxcpath, '--verbose'] + list(extra_args)
        e = self.env({'G_DEBUG': 'fatal-criticals'})
        e.update(env or {})
        p = self.daemon_proc = self._popen('daemon', argv, self.daemon_log, env=e)
        if wait:
            self.wait_daemon_ready(timeout)
        return p

    def wait_daemon_ready(self, timeout=10.0):
        """Wait until our daemon process owns the bus name."""
        p = self.daemon_proc

        def ready():
            if p.poll() is not None:
                raise HarnessError('daemon exited with %s before owning %s:\n%s'
                                   % (p.returncode, BUS_NAME, self.daemon_log_tail()))
            owner = name_owner(self._root_conn, BUS_NAME)
            return owner is not None and connection_pid(self._root_conn, owner) == p.pid
        wait_until(ready, timeout, 0.02, lambda: 'daemon did not own %s:\n%s'
                   % (BUS_NAME, self.daemon_log_tail()))

    def daemon_running(self):
        """True if the daemon process we started is alive."""
        return self.daemon_proc is not None and self.daemon_proc.poll() is None

    @property
    def daemon_pid(self):
        """pid of the daemon under test (or None)."""
        return self.daemon_proc.pid if self.daemon_proc else None

    def stop_daemon(self, sig=signal.SIGTERM, timeout=10.0):
        """Send *sig* to the daemon, wait for it to exit and for its bus name
        to vanish; return its exit code (Popen convention: -N = killed by
        signal N).  SIGKILLs it after *timeout* (and returns that code)."""
        p = self.daemon_proc
        if p is None:
            raise HarnessError('daemon was never started')
        if p.poll() is None:
            p.send_signal(sig)
            if _wait_pid_exit(p, timeout) is None:
                _log('daemon did not exit within %.0f s after signal %d; killing it'
                     % (timeout, sig))
                p.kill()
                p.wait()
        wait_until(lambda: name_owner(self._root_conn, BUS_NAME) is None, 5, 0.01)
        return p.returncode

    def kill_daemon(self):
        """SIGKILL the daemon (a crash); returns its exit code (-9)."""
        return self.stop_daemon(signal.SIGKILL)

    def daemon_log_text(self, this_run_only=True):
        """The daemon's output (of the current run by default)."""
        try:
            with open(self.daemon_log, errors='replace') as f:
                if this_run_only:
                    f.seek(getattr(self, '_daemon_log_offset', 0))
                return f.read()
        except (OSError, TypeError):
            return ''

    def daemon_log_tail(self, n=40):
        """Last *n* lines of the daemon's output in its current (or last) run."""
        lines = self.daemon_log_text().splitlines()
        return '\n'.join(lines[-n:]) if lines else '(no daemon output in %s)' % self.daemon_log

    @staticmethod
    def _tail(path, n=40):
        try:
            with open(path, errors='replace') as f:
                lines = f.read().splitlines()
        except (OSError, TypeError):
            return '(no log %s)' % path
        return '\n'.join(lines[-n:]) or '(empty log %s)' % path

    # -- unprivileged clients ------------------------------------------------

    def client_env(self, uid):
        """Clean environment for a client running as *uid*."""
        try:
            pw = pwd.getpwuid(uid)
            home, user = pw.pw_dir, pw.pw_name
        except KeyError:
            home, user = '/', str(uid)
        if not os.path.isdir(home):
            home = '/'
        return {'PATH': '/usr/local/bin:/usr/bin:/bin', 'LANG': 'C.UTF-8',
                'HOME': home, 'USER': user, 'LOGNAME': user,
                'DBUS_SYSTEM_BUS_ADDRESS': self.address,
                'PYTHONDONTWRITEBYTECODE': '1'}

    @staticmethod
    def _setpriv_argv(uid, gid=None):
        if gid is None:
            try:
                gid = pwd.getpwuid(uid).pw_gid
            except KeyError:
                gid = uid
        return ['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid, '--clear-groups', '--']

    def run_as(self, uid, argv, *, gid=None, env=None, timeout=60, cwd='/', **kw):
        """Run *argv* as *uid* (gid from passwd, no supplementary groups) with
        a clean environment containing DBUS_SYSTEM_BUS_ADDRESS (+ *env*).
        Returns subprocess.CompletedProcess with text stdout/stderr."""
        e = self.client_env(uid)
        e.update(env or {})
        kw.setdefault('capture_output', True)
        kw.setdefault('text', True)
        if 'input' not in kw:
            kw.setdefault('stdin', subprocess.DEVNULL)
        return subprocess.run(self._setpriv_argv(uid, gid) + list(argv), env=e,
                              timeout=timeout, cwd=cwd, **kw)

    def client_files(self):
        """Path of the copy of ``lxcclient_run.py`` (with ``lxcclient.py``)
        in this stack's directory, which every uid can read (the source tree
        may not be readable to them); made once."""
        d = os.path.join(self.tmpdir, 'pyclient')
        if not os.path.isdir(d):
            os.mkdir(d, 0o755)
            for name in ('lxcclient.py', 'lxcclient_run.py'):
                shutil.copyfile(os.path.join(TESTS_DIR, name), os.path.join(d, name))
                os.chmod(os.path.join(d, name), 0o644)
        return os.path.join(d, 'lxcclient_run.py')

    def client(self, conn=None, timeout=25.0, **kw):
        """An :class:`lxcclient.Client` as root, on *conn* (default: the
        stack's root connection); *timeout* and *kw* as lxcclient.Client
        takes them."""
        return lxcclient.Client(conn or self._root_conn, timeout=timeout, **kw)

    def client_as(self, uid=UNPRIV_UID, gid=None):
        """A :class:`UserClient` (persistent connection) running as *uid*;
        closed automatically at :meth:`close`."""
        c = UserClient(self, uid, gid)
        self._clients.append(c)
        return c

    def call_as(self, uid, path, iface, method, args='()', *, dest=BUS_NAME,
                signature=None, allow_interactive=False, timeout=25.0):
        """One D-Bus call from a fresh connection of *uid* (``gdbus call``
        semantics, see :func:`dbus_call`); returns ``CallResult(ok,
        error_name, result_text)``."""
        with UserClient(self, uid) as c:
            return c.call(path, iface, method, args, dest=dest, signature=signature,
                          allow_interactive=allow_interactive, timeout=timeout)

    def call(self, path, iface, method, args='()', **kw):
        """Same as :meth:`call_as` but as root, from this process."""
        return dbus_call(self._root_conn, path, iface, method, args, **kw)

    def container_call(self, name, method, args='()', *, timeout=120.0, **kw):
        """:meth:`call` of Container.*method* on container *name* (GVariant
        text *args*; a long *timeout*: clones and starts take time)."""
        return dbus_call(self._root_conn, container_path(name), CONTAINER_IFACE, method, args,
                         timeout=timeout, **kw)

    def record_signals(self, conn=None, path_prefix=None, interface=None, member=None,
                       sender=BUS_NAME, path=None):
        """A :class:`SignalRecorder` on *conn* (default: a new root connection)."""
        return SignalRecorder(conn or self.bus(), sender, path_prefix, interface,
                              member, path)

    # -- teardown ----------------------------------------------------------

    def close(self):
        """Tear everything down (idempotent, tolerant of partial setup):
        daemon, clients, containers (stop + destroy, only in our own
        lxcpath), polkitd, dbus-daemon, bind mounts, stray processes that
        reference our temp dir, the temp dir itself."""
        if self._closed or not self._started:
            return
        self._closed = True
        steps = [self._close_daemon, self._close_clients, self._close_containers,
                 self._close_conns, self._close_procs, self._close_mounts,
                 self._close_strays, self._close_logs, self._close_tmpdir]
        for step in steps:
            try:
                step()
            except Exception:
                _log('teardown step %s failed:\n%s' % (step.__name__, traceback.format_exc()))
        _live_stacks.discard(self)
        try:
            atexit.unregister(self.close)
        except Exception:
            pass

    def _close_daemon(self):
        p = self.daemon_proc
        if p is not None and p.poll() is None:
            p.terminate()
            if _wait_pid_exit(p, 10) is None:
                _log('daemon ignored SIGTERM at teardown; killing it')
                p.kill()
                p.wait()

    def _close_clients(self):
        for c in self._clients:
            c.close()

    def _close_containers(self):
        if self._external_lxcpath or not self.lxcpath:
            return
        for name in self.container_names():
            st = self.lxc('info', name, '-s', '-H', check=False).stdout.strip()
            if st in ('FROZEN', 'FREEZING'):
                self.lxc('unfreeze', name, check=False)
            if st and st != 'STOPPED':
                self.lxc('stop', name, '-k', check=False)
            self.lxc('destroy', name, '-f', check=False)

    def _close_conns(self):
        for c in self._conns:
            try:
                c.close_sync(None)
            except GLib.Error:
                pass
        if self._saved_bus_env is not None:
            old = self._saved_bus_env[0]
            if old is None:
                os.environ.pop('DBUS_SYSTEM_BUS_ADDRESS', None)
            else:
                os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = old

    def _close_procs(self):
        for role in ('daemon', 'polkitd', 'dbus-daemon'):
            p = self._procs.get(role)
            if p is not None and p.poll() is None:
                p.terminate()
                if _wait_pid_exit(p, 5) is None:
                    p.kill()
                    p.wait()

    def _close_mounts(self):
        for target in list(reversed(self._mounts)):
            if _run(['umount', target], check=False).returncode == 0 or \
                    _run(['umount', '-l', target], check=False).returncode == 0:
                self._mounts.remove(target)

    def _close_strays(self):
        """Kill leftovers whose command line names our private temp dir
        (lxc-monitord / "[lxc monitor] <our lxcpath> …"); nothing else."""
        if self._owns_tmpdir:
            _kill_processes_mentioning(self.tmpdir)

    def _close_logs(self):
        dest = os.environ.get('LXCD_TEST_LOGDIR')
        if dest and self.tmpdir and os.path.isdir(self.logdir):
            name = '%s-%d' % (os.path.splitext(os.path.basename(sys.argv[0]))[0] or 'stack',
                              os.getpid())
            shutil.copytree(self.logdir, os.path.join(dest, name), dirs_exist_ok=True)

    def _close_tmpdir(self):
        if not self._owns_tmpdir or not self.tmpdir:
            return
        if os.environ.get('LXCD_TEST_KEEP'):
            _log('keeping %s' % self.tmpdir)
            return
        # never follow a bind mount into the host: refuse if still mounted
        for target in self._mounts:
            raise HarnessError('%s still mounted; not removing %s' % (target, self.tmpdir))
        shutil.rmtree(self.tmpdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# TAP runner
# ---------------------------------------------------------------------------

def _test_label(test):
    """``Class.test_name`` for a test case."""
    return '%s.%s' % (type(test).__name__, getattr(test, '_testMethodName', str(test)))


class TAPResult(unittest.TestResult):
    """unittest result printing one TAP v13 line per test method as it ends.

    Module/class fixture failures (setUpModule, setUpClass) are attributed
    to the tests they prevented; teardown fixture failures add one extra
    ``not ok`` line.  The plan is printed at the end (valid TAP).
    """

    def __init__(self, stream, tests):
        super().__init__()
        self.stream = stream
        self.tests = tests
        self.number = 0
        self.reported = set()
        self._outcome = {}        # test id -> (status, directive, details)
        self.fixture_problems = []  # (description, kind, text)
        self.any_failed = False

    # status: 'ok' / 'not ok'; directive: '' / '# SKIP …' / '# TODO …'
    def _set(self, test, status, directive='', details=''):
        old = self._outcome.get(test.id())
        if old and old[0] == 'not ok' and not old[1]:
            if status == 'not ok':
                self._outcome[test.id()] = (old[0], old[1], old[2] + '\n' + details)
            return
        self._outcome[test.id()] = (status, directive, details)

    def _is_fixture(self, test):
        return not isinstance(test, unittest.TestCase)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._set(test, 'ok')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._set(test, 'not ok', '', self.failures[-1][1])

    def addError(self, test, err):
        super().addError(test, err)
        if self._is_fixture(test):
            self.fixture_problems.append((test.description, 'error', self.errors[-1][1]))
        else:
            self._set(test, 'not ok', '', self.errors[-1][1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        if self._is_fixture(test):
            self.fixture_problems.append((test.description, 'skip', reason))
        else:
            self._set(test, 'ok', '# SKIP ' + reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._set(test, 'not ok', '# TODO expected failure')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._set(test, 'ok', '# TODO unexpected success (test marked expectedFailure)')

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            text = self._exc_info_to_string(err, test)
            self._set(test, 'not ok', '', '%s\n%s' % (subtest, text))

    def stopTest(self, test):
        super().stopTest(test)
        status, directive, details = self._outcome.get(
            test.id(), ('not ok', '', 'no result recorded (interrupted)'))
        self._emit(_test_label(test), status, directive, details)
        self.reported.add(test.id())

    def _emit(self, label, status, directive='', details=''):
        self.number += 1
        line = '%s %d - %s' % (status, self.number, label)
        if directive:
            line += ' ' + directive.replace('\n', ' ')
        out = [line]
        todo = directive.startswith('# TODO')
        if (status == 'not ok') != todo:
            self.any_failed = True
        if status == 'not ok' and not todo:
            for l in details.rstrip('\n').splitlines():
                out.append('# ' + l)
            for st in list(_live_stacks):
                if st.daemon_runs:
                    out.append('# --- tail of %s ---' % st.daemon_log)
                    out.extend('# ' + l for l in st.daemon_log_tail(30).splitlines())
        self.stream.write('\n'.join(out) + '\n')
        self.stream.flush()

    def finish(self):
        """Report tests that never ran (fixture failures), extra fixture
        problems, and the plan."""
        used = {}   # fixture problem index -> number of the first test it failed
        for test in self.tests:
            if test.id() in self.reported:
                continue
            cls = '%s.%s' % (type(test).__module__, type(test).__qualname__)
            cause = None
            for i, (desc, kind, text) in enumerate(self.fixture_problems):
                if (desc.startswith('setUpClass') and '(%s)' % cls in desc) or \
                        desc.startswith('setUpModule'):
                    cause = (i, desc, kind, text)
                    break
            if cause is None:
                self._emit(_test_label(test), 'not ok', '', 'test was not run')
                continue
            i, desc, kind, text = cause
            if kind == 'skip':
                self._emit(_test_label(test), 'ok', '# SKIP ' + text)
            elif i in used:
                self._emit(_test_label(test), 'not ok', '', '%s failed (see test %d)'
                           % (desc, used[i]))
            else:
                self._emit(_test_label(test), 'not ok', '', '%s failed:\n%s' % (desc, text))
            used.setdefault(i, self.number)
        for i, (desc, kind, text) in enumerate(self.fixture_problems):
            if i in used:
                continue
            if kind == 'skip':
                continue
            self._emit(desc, 'not ok', '', text)
        self.stream.write('1..%d\n' % self.number)
        self.stream.flush()


def _iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _iter_tests(t)
        else:
            yield t


def main(module=None, argv=None):
    """Run the unittest tests of *module* (default ``__main__``) and print
    TAP v13 on stdout; exit status 1 if anything failed.

    Arguments: test names (``Class`` or ``Class.test_method``) and/or
    ``-k PATTERN`` (substring/fnmatch filter, like unittest).  While tests
    run, file descriptor 1 points to stderr so that nothing (prints, child
    processes) can corrupt the TAP stream.
    """
    if module is None:
        module = sys.modules['__main__']
    elif isinstance(module, str):
        module = sys.modules[module]
    argv = list(sys.argv[1:] if argv is None else argv)
    loader = unittest.TestLoader()
    names = []
    while argv:
        a = argv.pop(0)
        if a == '-k' and argv:
            pat = argv.pop(0)
            loader.testNamePatterns = (loader.testNamePatterns or []) + [
                pat if '*' in pat else '*%s*' % pat]
        elif a in ('-h', '--help'):
            print('usage: %s [-k PATTERN]... [Class[.test]]...' % sys.argv[0])
            sys.exit(0)
        else:
            names.append(a)
    if names:
        suite = loader.loadTestsFromNames(names, module)
    else:
        suite = loader.loadTestsFromModule(module)
    tests = list(_iter_tests(suite))

    tap_fd = os.dup(1)
    os.dup2(2, 1)
    tap = os.fdopen(tap_fd, 'w', buffering=1)
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    result = TAPResult(tap, tests)
    tap.write('TAP version 13\n')
    try:
        suite.run(result)
    except KeyboardInterrupt:
        result.fixture_problems.append(('interrupted', 'error', traceback.format_exc()))
    finally:
        for st in list(_live_stacks):
            st.close()
        result.finish()
        sys.stdout = real_stdout
    sys.exit(1 if result.any_failed else 0)


__all__ = [
    'BUS_NAME', 'ROOT_PATH', 'MANAGER_PATH', 'CONTAINERS_PATH', 'JOBS_PATH',
    'MANAGER_IFACE', 'CONTAINER_IFACE', 'JOB_IFACE', 'ERROR_PREFIX', 'ACTION_PREFIX',
    'ACTIONS', 'UNPRIV_UID', 'UNPRIV_USER', 'POLKIT_ALLOW_USER_INTERACTION',
    'HarnessError', 'Stack', 'UserClient', 'RemoteObject', 'SignalRecorder', 'Signal', 'CallResult',
    'ContainerFactory', 'wait_until', 'dbus_call', 'check_authorization',
    'container_path', 'parse_variant', 'new_bus_connection', 'name_owner',
    'connection_pid', 'request_name', 'make_bus_config', 'check_private_mount_namespace',
    'main',
]
