# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxcclient -- a small typed client of lxc-dbus for the tests.

One object per D-Bus object of the service, one Python method per D-Bus
method (``Container.GetConfigItem`` is ``container.get_config_item()``),
one Python property per D-Bus property (``Container.InitPID`` is
``container.init_pid``), on a plain ``Gio.DBusConnection``::

    client = lxcclient.Client(conn)
    c1 = client.container('c1')
    c1.start()
    c1.state                          # 'RUNNING'
    c1.run(['/bin/sh', '-c', 'id -u'], uid=1000).stdout
    client.manager.list_containers()  # [('c1', '/org/…/containers/c1'), …]

Options (``a{sv}``) are keyword arguments; their types are the service's
(:data:`OPTION_TYPES`), a ``GLib.Variant`` is passed as it is, and a key
that is no identifier is passed as ``**{'auth.no_user_interaction': True}``.
Every D-Bus error is raised as :class:`Error`, carrying the error's name.

Also :func:`call_text`, the ``gdbus call``-like call of the harness (GVariant
text in, printed reply out), which ``lxcdtest.dbus_call`` and the runner
(``lxcclient_run.py``) use.

Only the standard library and PyGObject, so that a client process running
as another uid (``lxcclient_run.py``, launched by ``lxcdtest.UserClient``)
imports it as the tests do.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
from gi.repository import GLib, Gio  # noqa: E402

BUS_NAME = 'org.linuxcontainers.LXC1'
ROOT_PATH = '/org/linuxcontainers/LXC1'
MANAGER_PATH = ROOT_PATH + '/Manager'
CONTAINERS_PATH = ROOT_PATH + '/containers'
JOBS_PATH = ROOT_PATH + '/jobs'
MANAGER_IFACE = 'org.linuxcontainers.LXC1.Manager'
CONTAINER_IFACE = 'org.linuxcontainers.LXC1.Container'
JOB_IFACE = 'org.linuxcontainers.LXC1.Job'
ERROR_PREFIX = 'org.linuxcontainers.LXC1.Error.'
PROPERTIES_IFACE = 'org.freedesktop.DBus.Properties'
OBJECT_MANAGER_IFACE = 'org.freedesktop.DBus.ObjectManager'

#: Types of the options the service knows (its LxcdOptionSpec lists);
#: an option not named here is typed from its Python value.
OPTION_TYPES = {
    'auth.no_user_interaction': 'b',
    # Start
    'use_init': 'b', 'argv': 'as',
    # Destroy
    'with_snapshots': 'b', 'force': 'b',
    # Clone
    'lxcpath': 's', 'flags': 'as', 'bdev_type': 's', 'bdev_data': 's',
    'new_size': 't', 'hook_args': 'as',
    # Snapshot
    'comment': 's',
    # RunCommand, Attach, OpenShell
    'env': 'as', 'clear_env': 'b', 'keep_env': 'as', 'cwd': 's', 'uid': 'u',
    'gid': 'u', 'namespaces': 'as', 'personality': 's', 'elevated_privileges': 'as',
    # CopyTo, CopyFrom (and uid, gid above)
    'mode': 'u', 'create_parents': 'b', 'replace': 'b', 'max_size': 't',
    # Mount, Unmount
    'fstype': 's', 'recursive': 'b', 'readonly': 'b', 'nosuid': 'b', 'nodev': 'b',
    'noexec': 'b', 'data': 's', 'lazy': 'b',
    # CreateContainer
    'bdev_specs': 'a{sv}', 'template_args': 'as', 'config': 'a{ss}',
}

#: Types of the keys of CreateContainer's ``bdev_specs``.
BDEV_SPEC_TYPES = {'fstype': 's', 'fssize': 't', 'zfs_root': 's', 'lvm_vg': 's',
                   'lvm_lv': 's', 'lvm_thinpool': 's', 'dir': 's'}


def container_path(name: str) -> str:
    """Object path of container *name* (escaped like g_dbus_escape_object_path)."""
    return CONTAINERS_PATH + '/' + Gio.dbus_escape_object_path(name)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

def error_name_and_message(e: GLib.Error) -> Tuple[str, str]:
    """The D-Bus error name of *e* and its message without GDBus's
    ``GDBus.Error:NAME: `` prefix; for a local error (a timeout, a closed
    connection) the name ``g_dbus_error_encode_gerror`` gives it."""
    name = Gio.DBusError.get_remote_error(e)
    msg = e.message
    if name:
        prefix = 'GDBus.Error:' + name + ': '
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    else:
        name = Gio.DBusError.encode_gerror(e)
    return name, msg


class Error(Exception):
    """A D-Bus call failed: :attr:`name` is the D-Bus error name (e.g.
    ``org.linuxcontainers.LXC1.Error.NotAuthorized``), :attr:`message` its
    text."""

    def __init__(self, name: str, message: str = ''):
        super().__init__('%s: %s' % (name, message))
        self.name = name
        self.message = message

    @property
    def short_name(self) -> str:
        """The name without ``org.linuxcontainers.LXC1.Error.``."""
        return self.name[len(ERROR_PREFIX):] if self.name.startswith(ERROR_PREFIX) else self.name

    @classmethod
    def from_gerror(cls, e: GLib.Error) -> 'Error':
        return cls(*error_name_and_message(e))


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

def _guess_type(value: Any) -> str:
    if isinstance(value, GLib.Variant):
        return 'v'
    if isinstance(value, bool):
        return 'b'
    if isinstance(value, int):
        return 'i'
    if isinstance(value, float):
        return 'd'
    if isinstance(value, str):
        return 's'
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return 'as'
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return 'a{ss}'
    raise TypeError('cannot tell the D-Bus type of %r' % (value,))


def options_variant(options: Optional[Mapping[str, Any]] = None,
                    types: Mapping[str, str] = OPTION_TYPES) -> GLib.Variant:
    """An ``a{sv}`` GLib.Variant of *options* (see :func:`options_dict`)."""
    return GLib.Variant('a{sv}', options_dict(options, types))


def options_dict(options: Optional[Mapping[str, Any]] = None,
                 types: Mapping[str, str] = OPTION_TYPES) -> Dict[str, GLib.Variant]:
    """*options* as the value of an ``a{sv}``: each a ``GLib.Variant`` already, or
    made one of the type *types* names for its key, else of its Python
    type (bool ``b``, int ``i``, str ``s``, [str] ``as``, {str: str} ``a{ss}``)."""
    out = {}
    for key, value in (options or {}).items():
        if isinstance(value, GLib.Variant):
            out[key] = value
            continue
        sig = types.get(key) or _guess_type(value)
        if key == 'bdev_specs' and sig == 'a{sv}' and isinstance(value, Mapping):
            out[key] = options_variant(value, BDEV_SPEC_TYPES)
        elif sig == 'a{sv}':
            out[key] = options_variant(value, {})
        else:
            out[key] = GLib.Variant(sig, value)
    return out


class RunResult(NamedTuple):
    """What :meth:`Container.run` gives: the wait status RunCommand replied
    with and what the program wrote."""
    status: int
    stdout: str
    stderr: str

    @property
    def exit_code(self) -> Optional[int]:
        return os.WEXITSTATUS(self.status) if os.WIFEXITED(self.status) else None


def _drain(fd: int, into: List[bytes]) -> None:
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            into.append(chunk)
    finally:
        os.close(fd)


def _fd_list(fds: Sequence[int]) -> Optional[Gio.UnixFDList]:
    """A Gio.UnixFDList holding copies of *fds* (the caller keeps its own),
    or None for none."""
    if not fds:
        return None
    lst = Gio.UnixFDList.new()
    for fd in fds:
        lst.append(fd)
    return lst


def _close_list(lst: Optional[Gio.UnixFDList]) -> None:
    """Close the copies a Gio.UnixFDList holds now, not when it is freed:
    a reader of a pipe must see its end."""
    for fd in (lst.steal_fds() if lst is not None else []):
        os.close(fd)


# ---------------------------------------------------------------------------
# Objects
# ---------------------------------------------------------------------------

class _Object:
    """One object of the service on one interface."""

    IFACE = ''

    def __init__(self, client: 'Client', path: str):
        self.client = client
        self.path = path

    def __repr__(self) -> str:
        return '<%s %s>' % (type(self).__name__, self.path)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def _call(self, method: str, sig: str = '', args: tuple = (), *,
              fds: Optional[Sequence[int]] = None, iface: Optional[str] = None,
              timeout: Optional[float] = None) -> tuple:
        """*method*'s reply as a tuple (and the descriptors it carried,
        which the caller owns, as a list when *fds* is not None)."""
        params = GLib.Variant('(' + sig + ')', args) if sig else None
        return self.client.call_variant(self.path, iface or self.IFACE, method, params,
                                        fds=fds, timeout=timeout)

    def get_property(self, name: str) -> Any:
        """Properties.Get of *name* on this interface."""
        return self.client.call_variant(self.path, PROPERTIES_IFACE, 'Get',
                                        GLib.Variant('(ss)', (self.IFACE, name)))[0]

    def get_all(self) -> Dict[str, Any]:
        """Properties.GetAll on this interface."""
        return self.client.call_variant(self.path, PROPERTIES_IFACE, 'GetAll',
                                        GLib.Variant('(s)', (self.IFACE,)))[0]


def _prop(dbus_name: str, doc: str = ''):
    return property(lambda self: self.get_property(dbus_name),
                    doc=doc or 'The %s property (read on every access).' % dbus_name)


class Manager(_Object):
    """``org.linuxcontainers.LXC1.Manager`` at :data:`MANAGER_PATH`."""

    IFACE = MANAGER_IFACE

    version: str = _prop('Version')
    daemon_version: str = _prop('DaemonVersion')
    lxc_paths: List[str] = _prop('LXCPaths')
    default_lxc_path: str = _prop('DefaultLXCPath')
    wait_states: List[str] = _prop('WaitStates')
    templates: List[str] = _prop('Templates')
    features: List[str] = _prop('Features')

    def list_containers(self, which: str = 'all', **options: Any) -> List[Tuple[str, str]]:
        """ListContainers: [(name, object path)]."""
        r = self._call('ListContainers', 'sa{sv}', (which, options_dict(options)))[0]
        return [tuple(x) for x in r]

    def get_container(self, name: str) -> 'Container':
        return self.client.container_at(self._call('GetContainer', 's', (name,))[0])

    def create_container(self, name: str, template: str, **options: Any) -> 'Container':
        r = self._call('CreateContainer', 'ssa{sv}', (name, template, options_dict(options)))
        return self.client.container_at(r[0])

    def get_global_config_item(self, key: str) -> str:
        return self._call('GetGlobalConfigItem', 's', (key,))[0]

    def get_config_key_classes(self, keys: Sequence[str]) -> Dict[str, str]:
        return self._call('GetConfigKeyClasses', 'as', (list(keys),))[0]


class Container(_Object):
    """``org.linuxcontainers.LXC1.Container`` of one container."""

    IFACE = CONTAINER_IFACE

    name: str = _prop('Name')
    lxc_path: str = _prop('LXCPath')
    config_file: str = _prop('ConfigFile')
    state: str = _prop('State')
    running: bool = _prop('Running')
    defined: bool = _prop('Defined')
    init_pid: int = _prop('InitPID')
    last_exit_status: int = _prop('LastExitStatus')
    daemonize: bool = _prop('Daemonize')
    close_all_fds: bool = _prop('CloseAllFDs')
    autostart: bool = _prop('Autostart')
    privileged: bool = _prop('Privileged')

    def exists(self) -> bool:
        """Whether the service exports this object (its Name can be read)."""
        try:
            self.get_property('Name')
            return True
        except Error:
            return False

    # -- run state
    def start(self, **options: Any) -> None:
        self._call('Start', 'a{sv}', (options_dict(options),))

    def stop(self) -> None:
        self._call('Stop')

    def shutdown(self, timeout: int) -> None:
        self._call('Shutdown', 'i', (timeout,))

    def reboot(self, timeout: int) -> None:
        self._call('Reboot', 'i', (timeout,))

    def freeze(self) -> None:
        self._call('Freeze')

    def unfreeze(self) -> None:
        self._call('Unfreeze')

    def wait(self, state: str, timeout: int) -> bool:
        return self._call('Wait', 'si', (state, timeout))[0]

    def want_daemonize(self, daemonize: bool) -> None:
        self._call('WantDaemonize', 'b', (daemonize,))

    def want_close_all_fds(self, close_all_fds: bool) -> None:
        self._call('WantCloseAllFDs', 'b', (close_all_fds,))

    def may_control(self) -> bool:
        return self._call('MayControl')[0]

    def get_usage(self, **options: Any) -> Dict[str, int]:
        return self._call('GetUsage', 'a{sv}', (options_dict(options),))[0]

    def get_permissions(self, **options: Any) -> Dict[str, str]:
        return self._call('GetPermissions', 'a{sv}', (options_dict(options),))[0]

    def get_os_release(self) -> Dict[str, str]:
        return self._call('GetOSRelease')[0]

    def get_console_log(self, **options: Any) -> str:
        return self._call('GetConsoleLog', 'a{sv}', (options_dict(options),))[0]

    # -- storage
    def destroy(self, **options: Any) -> None:
        self._call('Destroy', 'a{sv}', (options_dict(options),))

    def clone(self, new_name: str, **options: Any) -> 'Container':
        r = self._call('Clone', 'sa{sv}', (new_name, options_dict(options)))
        return self.client.container_at(r[0])

    def rename(self, new_name: str) -> 'Container':
        return self.client.container_at(self._call('Rename', 's', (new_name,))[0])

    def snapshot(self, **options: Any) -> str:
        return self._call('Snapshot', 'a{sv}', (options_dict(options),))[0]

    def list_snapshots(self) -> List[Tuple[str, str, str, str]]:
        return [tuple(s) for s in self._call('ListSnapshots')[0]]

    def restore_snapshot(self, snapshot: str, new_name: str) -> 'Container':
        r = self._call('RestoreSnapshot', 'ss', (snapshot, new_name))
        return self.client.container_at(r[0])

    def destroy_snapshot(self, snapshot: str) -> None:
        self._call('DestroySnapshot', 's', (snapshot,))

    def destroy_all_snapshots(self) -> None:
        self._call('DestroyAllSnapshots')

    # -- configuration
    def get_config_item(self, key: str) -> str:
        return self._call('GetConfigItem', 's', (key,))[0]

    def get_running_config_item(self, key: str) -> str:
        return self._call('GetRunningConfigItem', 's', (key,))[0]

    def get_keys(self, prefix: str = '') -> List[str]:
        return self._call('GetKeys', 's', (prefix,))[0]

    def set_config_item(self, key: str, value: str) -> None:
        self._call('SetConfigItem', 'ss', (key, value))

    def clear_config_item(self, key: str) -> None:
        self._call('ClearConfigItem', 's', (key,))

    def clear_config(self) -> None:
        self._call('ClearConfig')

    def load_config(self, file: str) -> None:
        self._call('LoadConfig', 's', (file,))

    def save_config(self, file: str) -> None:
        self._call('SaveConfig', 's', (file,))

    def get_cgroup_item(self, key: str) -> str:
        return self._call('GetCgroupItem', 's', (key,))[0]

    def set_cgroup_item(self, key: str, value: str) -> None:
        self._call('SetCgroupItem', 'ss', (key, value))

    # -- network and devices
    def get_interfaces(self) -> List[str]:
        return self._call('GetInterfaces')[0]

    def get_ips(self, interface: str = '', family: str = '', scope: int = 0) -> List[str]:
        return self._call('GetIPs', 'ssu', (interface, family, scope))[0]

    def add_device_node(self, src: str, dest: str = '') -> None:
        self._call('AddDeviceNode', 'ss', (src, dest))

    def remove_device_node(self, src: str, dest: str = '') -> None:
        self._call('RemoveDeviceNode', 'ss', (src, dest))

    def attach_interface(self, dev: str, dst_dev: str = '') -> None:
        self._call('AttachInterface', 'ss', (dev, dst_dev))

    def detach_interface(self, dev: str, dst_dev: str = '') -> None:
        self._call('DetachInterface', 'ss', (dev, dst_dev))

    def mount(self, source: str, target: str, **options: Any) -> None:
        """Mount: the host path *source* at *target* inside the running
        container (a bind mount unless ``fstype`` is given)."""
        self._call('Mount', 'ssa{sv}', (source, target, options_dict(options)))

    def unmount(self, target: str, **options: Any) -> None:
        self._call('Unmount', 'sa{sv}', (target, options_dict(options)))

    # -- programs and terminals
    def run_command(self, argv: Sequence[str], stdin: int, stdout: int, stderr: int,
                    **options: Any) -> int:
        """RunCommand with descriptors *stdin*, *stdout*, *stderr* (the
        caller keeps and closes them); returns the wait status."""
        return self._call('RunCommand', 'ashhha{sv}', (list(argv), 0, 1, 2, options_dict(options)),
                          fds=(stdin, stdout, stderr))[0][0]

    def attach(self, argv: Sequence[str], stdin: Optional[int] = None,
               stdout: Optional[int] = None, stderr: Optional[int] = None,
               **options: Any) -> int:
        """Attach with descriptors (kept by the caller; None: /dev/null);
        returns the pid."""
        null = os.open('/dev/null', os.O_RDWR)
        try:
            fds = tuple(null if fd is None else fd for fd in (stdin, stdout, stderr))
            return self._call('Attach', 'ashhha{sv}', (list(argv), 0, 1, 2, options_dict(options)),
                              fds=fds)[0][0]
        finally:
            os.close(null)

    def open_console(self, tty: int = -1) -> Tuple[int, int]:
        """OpenConsole: (pty master descriptor, which the caller closes, ttynum)."""
        (handle, ttynum), fds = self._call('OpenConsole', 'i', (tty,), fds=())
        return _pick_fd(fds, handle), ttynum

    def open_shell(self, **options: Any) -> int:
        """OpenShell: the pty master descriptor, which the caller closes."""
        (handle,), fds = self._call('OpenShell', 'a{sv}', (options_dict(options),), fds=())
        return _pick_fd(fds, handle)

    # -- files
    def copy_to(self, source: int, path: str, **options: Any) -> None:
        """CopyTo: the bytes read from descriptor *source* (kept by the
        caller) become the file *path* inside the container."""
        self._call('CopyTo', 'hsa{sv}', (0, path, options_dict(options)), fds=(source,))

    def copy_from(self, path: str, target: int, **options: Any) -> Dict[str, Any]:
        """CopyFrom: the file *path* of the container is written to
        descriptor *target* (kept by the caller); its mode, uid, gid, size."""
        return self._call('CopyFrom', 'sha{sv}', (path, 0, options_dict(options)),
                          fds=(target,))[0][0]

    def run(self, argv: Sequence[str], input: bytes = b'', **options: Any) -> RunResult:
        """RunCommand with *input* on stdin and pipes for stdout and stderr
        (read while the program runs): its wait status and output."""
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        out: List[bytes] = []
        err: List[bytes] = []
        readers = [threading.Thread(target=_drain, args=(out_r, out), daemon=True),
                   threading.Thread(target=_drain, args=(err_r, err), daemon=True)]
        for t in readers:
            t.start()
        try:
            writer = threading.Thread(target=_write_all, args=(in_w, input), daemon=True)
            writer.start()
            status = self.run_command(argv, in_r, out_w, err_w, **options)
        finally:
            for fd in (in_r, out_w, err_w):
                os.close(fd)
            for t in readers:
                t.join()
        return RunResult(status, b''.join(out).decode(errors='replace'),
                         b''.join(err).decode(errors='replace'))


def _write_all(fd: int, data: bytes) -> None:
    try:
        while data:
            n = os.write(fd, data)
            data = data[n:]
    except OSError:
        pass
    finally:
        os.close(fd)


def _pick_fd(fds: List[int], handle: int) -> int:
    """Keep descriptor number *handle* of *fds*, close the others."""
    for i, fd in enumerate(fds):
        if i != handle:
            os.close(fd)
    return fds[handle]


class Job(_Object):
    """``org.linuxcontainers.LXC1.Job``: one long operation."""

    IFACE = JOB_IFACE

    operation: str = _prop('Operation')
    objects: List[str] = _prop('Objects')
    started_by_uid: int = _prop('StartedByUID')
    start_time: int = _prop('StartTime')
    progress: float = _prop('Progress')
    progress_valid: bool = _prop('ProgressValid')
    cancelable: bool = _prop('Cancelable')

    def cancel(self, **options: Any) -> None:
        self._call('Cancel', 'a{sv}', (options_dict(options),))


# ---------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------

class Client:
    """The service as seen from *conn*.

    *timeout* (seconds; negative: none) bounds each call (a RunCommand's
    includes the program's run time); *interactive* sets the
    allow-interactive-authorization flag on every call.
    """

    def __init__(self, conn: Gio.DBusConnection, *, timeout: float = 120.0,
                 interactive: bool = False, dest: str = BUS_NAME):
        self.conn = conn
        self.timeout = timeout
        self.interactive = interactive
        self.dest = dest
        self.manager = Manager(self, MANAGER_PATH)

    @classmethod
    def connect(cls, address: Optional[str] = None, **kw: Any) -> 'Client':
        """A client on a new connection to *address* (default
        ``$DBUS_SYSTEM_BUS_ADDRESS``, else the system bus)."""
        address = address or os.environ.get('DBUS_SYSTEM_BUS_ADDRESS')
        if address:
            conn = Gio.DBusConnection.new_for_address_sync(
                address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        else:
            conn = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
        conn.set_exit_on_close(False)
        return cls(conn, **kw)

    @property
    def unique_name(self) -> str:
        return self.conn.get_unique_name()

    def container(self, name: str) -> Container:
        """Container *name* (no call is made)."""
        return Container(self, container_path(name))

    def container_at(self, path: str) -> Container:
        return Container(self, path)

    def job(self, path: str) -> Job:
        return Job(self, path)

    def call_variant(self, path: str, iface: str, method: str,
                     params: Optional[GLib.Variant] = None, *,
                     fds: Optional[Sequence[int]] = None,
                     timeout: Optional[float] = None) -> Any:
        """One call; returns the unpacked reply tuple, or (reply, [fds]) when
        *fds* (descriptors to send, kept by the caller) is not None.
        Raises :class:`Error`."""
        t = self.timeout if timeout is None else timeout
        timeout_ms = int(t * 1000) if t is not None and t >= 0 else -1
        flags = Gio.DBusCallFlags.NONE
        if self.interactive:
            flags |= Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION
        try:
            if fds is None:
                reply = self.conn.call_sync(self.dest, path, iface, method, params, None,
                                            flags, timeout_ms, None)
                return reply.unpack() if reply is not None else ()
            lst = _fd_list(fds)
            try:
                reply, out = self.conn.call_with_unix_fd_list_sync(
                    self.dest, path, iface, method, params, None, flags, timeout_ms, lst, None)
            finally:
                _close_list(lst)
        except GLib.Error as e:
            raise Error.from_gerror(e) from None
        got = out.steal_fds() if out is not None else []
        return reply.unpack(), list(got)

    def managed_objects(self) -> Dict[str, Dict[str, Dict[str, Any]]]:
        """ObjectManager.GetManagedObjects at :data:`ROOT_PATH`."""
        return self.call_variant(ROOT_PATH, OBJECT_MANAGER_IFACE, 'GetManagedObjects')[0]

    def jobs(self, operation: Optional[str] = None) -> List[Job]:
        """The exported jobs (of *operation*, e.g. ``'run'``), by path."""
        return [Job(self, p) for p, ifaces in sorted(self.managed_objects().items())
                if JOB_IFACE in ifaces and
                (operation is None or ifaces[JOB_IFACE].get('Operation') == operation)]

    def object_manager_view(self, prop: str = 'State') -> List[Tuple[str, Any]]:
        """(Name, *prop*) of every container as a ``Gio.DBusObjectManagerClient``
        on this connection sees them (cached properties), by object path."""
        om = Gio.DBusObjectManagerClient.new_sync(
            self.conn, Gio.DBusObjectManagerClientFlags.NONE, self.dest, ROOT_PATH,
            None, None, None)
        out = []
        for o in sorted(om.get_objects(), key=lambda o: o.get_object_path()):
            c = o.get_interface(CONTAINER_IFACE)
            if c:
                out.append((c.get_cached_property('Name').unpack(),
                            c.get_cached_property(prop).unpack()))
        return out

    def request_name(self, name: str, flags: int = 0) -> int:
        """The bus's RequestName for this connection: its reply code."""
        try:
            return self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                       'org.freedesktop.DBus', 'RequestName',
                                       GLib.Variant('(su)', (name, flags)),
                                       GLib.VariantType.new('(u)'), Gio.DBusCallFlags.NONE,
                                       5000, None).unpack()[0]
        except GLib.Error as e:
            raise Error.from_gerror(e) from None


# ---------------------------------------------------------------------------
# gdbus-call-like calls with GVariant text (lxcdtest.dbus_call, the runner)
# ---------------------------------------------------------------------------

_sig_cache: Dict[Tuple[str, str, str], str] = {}


def _in_signature(conn: Gio.DBusConnection, dest: str, path: str, iface: str, method: str,
                  timeout_ms: int) -> Optional[str]:
    """In-signature of iface.method from introspection (like gdbus call)."""
    key = (dest, iface, method)
    if key in _sig_cache:
        return _sig_cache[key]
    try:
        xml = conn.call_sync(dest, path, 'org.freedesktop.DBus.Introspectable',
                             'Introspect', None, GLib.VariantType.new('(s)'),
                             Gio.DBusCallFlags.NONE, timeout_ms, None).unpack()[0]
        info = Gio.DBusNodeInfo.new_for_xml(xml).lookup_interface(iface)
        m = info.lookup_method(method) if info else None
    except GLib.Error:
        m = None
    if m is None:
        return None
    sig = ''.join(a.signature for a in (m.in_args or []))
    _sig_cache[key] = sig
    return sig


def call_text(conn: Gio.DBusConnection, dest: str, path: str, iface: str, method: str,
              args: Any = '()', signature: Optional[str] = None,
              allow_interactive: bool = False, timeout: Optional[float] = 25.0,
              fds: Sequence[int] = ()) -> Dict[str, Any]:
    """Call *method* with ``gdbus call`` semantics: *args* is the GVariant
    text of the argument tuple (parsed against *signature*, the in-argument
    types without parentheses, or the method's from introspection) or a
    ``GLib.Variant`` tuple; *fds* are descriptors to send (kept by the
    caller; a reply's descriptors are closed). Returns ``{'ok', 'error_name',
    'result'}``, result the printed reply or the error message."""
    timeout_ms = int(timeout * 1000) if timeout is not None and timeout >= 0 else -1
    try:
        if isinstance(args, GLib.Variant):
            params = args
        else:
            text = args if args not in (None, '') else '()'
            if signature is None:
                signature = _in_signature(conn, dest, path, iface, method, timeout_ms)
            vtype = GLib.VariantType.new('(' + signature + ')') if signature is not None else None
            params = GLib.Variant.parse(vtype, text, None, None)
        if params.get_type_string() == '()':
            params = None
        flags = Gio.DBusCallFlags.NONE
        if allow_interactive:
            flags |= Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION
        if fds:
            lst = _fd_list(fds)
            try:
                res, out = conn.call_with_unix_fd_list_sync(dest, path, iface, method, params,
                                                            None, flags, timeout_ms, lst, None)
            finally:
                _close_list(lst)
            _close_list(out)
        else:
            res = conn.call_sync(dest, path, iface, method, params, None, flags,
                                 timeout_ms, None)
        return {'ok': True, 'error_name': None,
                'result': res.print_(True) if res is not None else '()'}
    except GLib.Error as e:
        name, msg = error_name_and_message(e)
        return {'ok': False, 'error_name': name, 'result': msg}


__all__ = [
    'BUS_NAME', 'ROOT_PATH', 'MANAGER_PATH', 'CONTAINERS_PATH', 'JOBS_PATH',
    'MANAGER_IFACE', 'CONTAINER_IFACE', 'JOB_IFACE', 'ERROR_PREFIX', 'OPTION_TYPES',
    'Client', 'Manager', 'Container', 'Job', 'Error', 'RunResult',
    'container_path', 'options_variant', 'options_dict', 'error_name_and_message', 'call_text',
]
