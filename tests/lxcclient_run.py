# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxcclient_run -- the client process of ``lxcdtest.UserClient``.

Runs as another uid (``setpriv``, see ``Stack.client_as``), holds one bus
connection for its whole life (a stable polkit subject) and does what the
test process asks, one JSON object per line on stdin, one answer per line
on stdout. The first line it writes is ``{"unique_name", "uid", "pid"}``.

Requests:

``{"op": "invoke", "target": T, "method": M, "args": [...], "kwargs": {...}}``
    ``M`` of the :mod:`lxcclient` object ``T`` (``["manager"]``,
    ``["container", NAME]``, ``["container_at", PATH]``, ``["job", PATH]`` or
    ``["client"]``) called with the arguments, or the property ``M`` read.
    Answers ``{"ok": true, "value": V}`` or ``{"ok": false, "error_name",
    "message"}`` (an :class:`lxcclient.Error`).
``{"op": "call", "call": {...}}``
    :func:`lxcclient.call_text` with those arguments (``fds``: a list of
    ``"null"``, ``"dir"`` or ``"pipe"`` descriptors to pass); answers its
    ``{"ok", "error_name", "result"}``.
``{"op": "quit"}``

Values that JSON lacks travel as ``{"__tuple__": [...]}``,
``{"__variant__": TEXT, "type": SIG}``, ``{"__object__": KIND, "path": P}``
(a Container or Job) and ``{"__run_result__": [...]}``; :func:`encode`
and :func:`decode` convert, and ``lxcdtest`` uses them too.

Only the standard library, PyGObject and lxcclient (next to this file).
"""

import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lxcclient  # noqa: E402
from lxcclient import GLib  # noqa: E402

#: error name of a request the runner could not carry out (bad arguments,
#: a bug): never one the service sends
RUNNER_ERROR = 'lxcclient_run.Error'


def encode(value):
    """*value* as JSON-able data (see the module's documentation)."""
    if isinstance(value, lxcclient.RunResult):
        return {'__run_result__': list(value)}
    if isinstance(value, (lxcclient.Container, lxcclient.Job)):
        return {'__object__': type(value).__name__, 'path': value.path}
    if isinstance(value, GLib.Variant):
        return {'__variant__': value.print_(True), 'type': value.get_type_string()}
    if isinstance(value, tuple):
        return {'__tuple__': [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def decode(data, make_object=None):
    """The value :func:`encode` made *data* of; *make_object(kind, path)*
    rebuilds a Container or Job (default: its path)."""
    if isinstance(data, list):
        return [decode(v, make_object) for v in data]
    if not isinstance(data, dict):
        return data
    if '__tuple__' in data:
        return tuple(decode(v, make_object) for v in data['__tuple__'])
    if '__run_result__' in data:
        return lxcclient.RunResult(*data['__run_result__'])
    if '__variant__' in data:
        return GLib.Variant.parse(GLib.VariantType.new(data['type']), data['__variant__'],
                                  None, None)
    if '__object__' in data:
        return make_object(data['__object__'], data['path']) if make_object else data['path']
    return {k: decode(v, make_object) for k, v in data.items()}


def _target(client, target):
    kind = target[0]
    if kind == 'client':
        return client
    if kind == 'manager':
        return client.manager
    if kind == 'container':
        return client.container(target[1])
    if kind == 'container_at':
        return client.container_at(target[1])
    if kind == 'job':
        return client.job(target[1])
    raise ValueError('unknown target %r' % (target,))


def _open_fds(kinds):
    fds = []
    for kind in kinds:
        if kind == 'null':
            fds.append(os.open('/dev/null', os.O_RDWR))
        elif kind == 'dir':
            fds.append(os.open('/', os.O_RDONLY | os.O_DIRECTORY))
        elif kind == 'pipe':
            r, w = os.pipe()
            os.close(r)
            fds.append(w)
        else:
            raise ValueError('unknown descriptor kind %r' % kind)
    return fds


def handle(client, req):
    """The answer to one request."""
    op = req.get('op')
    if op == 'invoke':
        try:
            obj = _target(client, req['target'])
            member = getattr(obj, req['method'])   # a property is read here
            if callable(member):
                value = member(*decode(req.get('args', [])), **decode(req.get('kwargs', {})))
            else:
                value = member
            return {'ok': True, 'value': encode(value)}
        except lxcclient.Error as e:
            return {'ok': False, 'error_name': e.name, 'message': e.message}
        except Exception:
            return {'ok': False, 'error_name': RUNNER_ERROR, 'message': traceback.format_exc()}
    if op == 'call':
        call = dict(req['call'])
        fds = _open_fds(call.pop('fds', None) or ())
        try:
            return lxcclient.call_text(client.conn, fds=fds, **call)
        finally:
            for fd in fds:
                os.close(fd)
    return {'ok': False, 'error_name': RUNNER_ERROR, 'result': 'bad request %r' % (req,),
            'message': 'bad request %r' % (req,)}


def serve(stdin=sys.stdin, stdout=sys.stdout):
    """Connect, announce, then answer requests until ``quit`` or EOF."""
    client = lxcclient.Client.connect()
    stdout.write(json.dumps({'unique_name': client.unique_name, 'uid': os.getuid(),
                             'pid': os.getpid()}) + '\n')
    stdout.flush()
    for line in stdin:
        req = json.loads(line)
        if req.get('op') == 'quit':
            break
        client.timeout = req.get('timeout', client.timeout)
        client.interactive = req.get('interactive', False)
        stdout.write(json.dumps(handle(client, req)) + '\n')
        stdout.flush()
    client.conn.close_sync(None)


if __name__ == '__main__':
    serve()
