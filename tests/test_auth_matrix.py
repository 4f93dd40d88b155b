#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The authorization matrix: every method of the API, called on c1 and on
c2 by four callers -- root; an unprivileged user without rules (with the
allow-interactive-authorization flag off and on); the same user with a rule
granting every action on container c1 only; and with a rule granting only
an unrelated action (console) -- gets exactly the allow/deny the SPEC's
action table gives. A refused call changes nothing: neither a file of the
lxcpath (names, sizes, modes, mtimes, config contents) nor a container's
state. An allowed call's effects are undone before the next call.

Plus: a caller that leaves the bus while polkit is still deciding is
refused and nothing is done, even when the rule then says yes."""
import hashlib
import os
import subprocess
import time

from gi.repository import GLib

import lxcdtest
from lxcdtest import (CONTAINER_IFACE, ERROR_PREFIX, MANAGER_IFACE, MANAGER_PATH,
                      UNPRIV_UID, UNPRIV_USER)

stack = None
NOT_AUTHORIZED = ERROR_PREFIX + 'NotAuthorized'
A = 'org.linuxcontainers.LXC1.'

def path(name):
    return lxcdtest.container_path(name)


# (method, signature, arguments for container NAME, action per the SPEC or
# None for no authorization, the state the container must be in, whether
# the "container" detail names a new container instead of NAME)
def container_calls(name):
    return [
        # STOPPED
        ('Start', '(a{sv})', [{}], 'lifecycle', 'STOPPED'),
        ('WantDaemonize', '(b)', [True], 'lifecycle', 'STOPPED'),
        ('WantCloseAllFDs', '(b)', [True], 'lifecycle', 'STOPPED'),
        ('Destroy', '(a{sv})', [{}], 'manage', 'STOPPED'),
        ('Rename', '(s)', [name + '-ren'], 'manage', 'STOPPED'),
        ('Snapshot', '(a{sv})', [{}], 'manage', 'STOPPED'),
        ('RestoreSnapshot', '(ss)', ['snap0', name + '-rest'], 'manage', 'STOPPED'),
        ('DestroySnapshot', '(s)', ['snap0'], 'manage', 'STOPPED'),
        ('DestroyAllSnapshots', '()', [], 'manage', 'STOPPED'),
        ('ListSnapshots', '()', [], 'read-config', 'STOPPED'),
        ('GetConfigItem', '(s)', ['lxc.uts.name'], 'read-config', 'STOPPED'),
        ('GetKeys', '(s)', [''], 'read-config', 'STOPPED'),
        ('SetConfigItem', '(ss)', ['lxc.start.auto', '1'], 'configure', 'STOPPED'),
        ('SetConfigItem', '(ss)', ['lxc.mount.auto', 'proc:rw'], 'configure-host', 'STOPPED'),
        ('ClearConfigItem', '(s)', ['lxc.start.delay'], 'configure', 'STOPPED'),
        ('ClearConfig', '()', [], 'configure-host', 'STOPPED'),
        ('LoadConfig', '(s)', [''], 'read-config', 'STOPPED'),
        ('SaveConfig', '(s)', [''], 'configure', 'STOPPED'),
        ('Wait', '(si)', ['STOPPED', 0], None, 'STOPPED'),
        ('MayControl', '()', [], None, 'STOPPED'),
        ('GetOSRelease', '()', [], 'read-config', 'STOPPED'),
        # RUNNING
        ('Stop', '()', [], 'lifecycle', 'RUNNING'),
        ('Freeze', '()', [], 'lifecycle', 'RUNNING'),
        ('Unfreeze', '()', [], 'lifecycle', 'RUNNING'),
        ('Shutdown', '(i)', [0], 'lifecycle', 'RUNNING'),
        ('Reboot', '(i)', [0], 'lifecycle', 'RUNNING'),
        ('GetRunningConfigItem', '(s)', ['lxc.uts.name'], 'read-config', 'RUNNING'),
        ('GetCgroupItem', '(s)', ['pids.current'], 'read-config', 'RUNNING'),
        ('SetCgroupItem', '(ss)', ['pids.max', '1000'], 'configure', 'RUNNING'),
        ('GetInterfaces', '()', [], 'read-config', 'RUNNING'),
        ('GetIPs', '(ssu)', ['', '', 0], 'read-config', 'RUNNING'),
        ('GetUsage', '(a{sv})', [{}], None, 'RUNNING'),
        ('GetPermissions', '(a{sv})', [{}], None, 'RUNNING'),
        ('GetConsoleLog', '(a{sv})', [{}], 'console', 'RUNNING'),
        ('RunCommand', '(ashhha{sv})', [['/bin/true'], 0, 1, 2, {}], 'exec', 'RUNNING'),
        ('Attach', '(ashhha{sv})', [['/bin/true'], 0, 1, 2, {}], 'exec', 'RUNNING'),
        ('OpenShell', '(a{sv})', [{}], 'exec', 'RUNNING'),
        ('CopyTo', '(hsa{sv})', [0, '/tmp/lxcd-matrix', {}], 'exec', 'RUNNING'),
        ('CopyFrom', '(sha{sv})', ['/etc/hostname', 0, {}], 'exec', 'RUNNING'),
        ('OpenConsole', '(i)', [-1], 'console', 'RUNNING'),
        ('AddDeviceNode', '(ss)', ['/dev/null', ''], 'configure-host', 'RUNNING'),
        ('RemoveDeviceNode', '(ss)', ['/dev/null', ''], 'configure-host', 'RUNNING'),
        ('AttachInterface', '(ss)', ['lxcdmx0', ''], 'configure-host', 'RUNNING'),
        ('DetachInterface', '(ss)', ['lxcdmx0', ''], 'configure-host', 'RUNNING'),
    ]


# Calls whose "container" detail is a new name (not c1): a rule for c1 only
# does not cover them.
NEW_NAME_CALLS = [
    ('Clone', '(sa{sv})', lambda name: [name + '-clone', {}], 'manage'),
]
MANAGER_CALLS = [
    ('ListContainers', '(sa{sv})', ['all', {}], None),
    ('GetContainer', '(s)', ['c1'], None),
    ('GetGlobalConfigItem', '(s)', ['lxc.lxcpath'], None),
    ('GetConfigKeyClasses', '(as)', [['lxc.start.auto', 'lxc.mount.entry']], None),
    ('CreateContainer', '(ssa{sv})', ['c3', 'busybox', {}], 'manage'),
]

# Calls that make a copy of the container (its snapshot), with its id map.
COPY_CALLS = ('Clone', 'RestoreSnapshot')

RULE_C1_ONLY = '''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id.indexOf("org.linuxcontainers.LXC1.") == 0 &&
        action.lookup("container") == "c1")
        return polkit.Result.YES;
});
''' % UNPRIV_USER
RULE_UNRELATED = '''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.console")
        return polkit.Result.YES;
});
''' % UNPRIV_USER

CALLERS = ['root', 'none', 'none-interactive', 'c1-only', 'unrelated']


def expected_allowed(caller, action, target):
    """Whether *caller* may do *action* on container *target* (the
    "container" detail), per the SPEC."""
    if action is None or caller == 'root':
        return True
    if caller in ('none', 'none-interactive'):
        return False
    if caller == 'c1-only':
        return target == 'c1'
    if caller == 'unrelated':
        return action == 'console'
    raise ValueError(caller)


def tree_state(with_rootfs=True):
    """Everything a refused call must not change in the lxcpath (a running
    container writes into its own root file system: skipped then)."""
    files = {}
    for top, dirs, names in os.walk(stack.lxcpath):
        if not with_rootfs and os.path.basename(top) in ('c1', 'c2') and 'rootfs' in dirs:
            dirs.remove('rootfs')
        dirs.sort()
        for n in sorted(names + dirs):
            p = os.path.join(top, n)
            st = os.lstat(p)
            entry = (st.st_mode, st.st_size, st.st_mtime_ns)
            if n == 'config' and os.path.isfile(p):
                with open(p, 'rb') as f:
                    entry += (hashlib.sha256(f.read()).hexdigest(),)
            files[os.path.relpath(p, stack.lxcpath)] = entry
    return files


ORIGINAL_CONFIG = {}


def config_digest(name):
    try:
        with open(os.path.join(stack.lxcpath, name, 'config'), 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


def prepare(name):
    """Container *name* as every phase starts: defined, stopped, with one
    snapshot snap0."""
    stack.make_container(name)
    stack.lxc('snapshot', name)
    ORIGINAL_CONFIG[name] = config_digest(name)


def reset(phase):
    """Back to c1 and c2 only, both in state *phase*, snapshot snap0 each."""
    for name in stack.container_names():
        if name not in ('c1', 'c2') or not os.path.exists(
                os.path.join(stack.lxcpath, name, 'snaps', 'snap0')) or \
                config_digest(name) != ORIGINAL_CONFIG.get(name):
            if stack.container_state(name, 'ABSENT') not in ('STOPPED', 'ABSENT'):
                stack.lxc('stop', name, '-k', check=False)
            subprocess.run(['rm', '-rf', os.path.join(stack.lxcpath, name)], check=True)
    for name in ('c1', 'c2'):
        if not os.path.exists(os.path.join(stack.lxcpath, name)):
            prepare(name)
        now = stack.container_state(name, 'ABSENT')
        if now == 'FROZEN':
            stack.lxc('unfreeze', name)
            now = stack.container_state(name, 'ABSENT')
        if phase == 'STOPPED' and now != 'STOPPED':
            stack.lxc('stop', name, '-k', check=False)
        elif phase == 'RUNNING' and now != 'RUNNING':
            if now != 'STOPPED':
                stack.lxc('stop', name, '-k', check=False)
            stack.start_container(name)
            stack.wait_init_ready(name)
    for name in ('c1', 'c2'):
        lxcdtest.wait_until(lambda: stack.served_state(name) == phase, 10,
                            message='the service did not see %s %s' % (name, phase))
    lxcdtest.wait_until(lambda: sorted(stack.container_names()) == ['c1', 'c2'], 10)


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2'):
        prepare(name)
    stack.start_daemon()


def tearDownModule():
    for name in stack.container_names():
        if stack.container_state(name, 'ABSENT') not in ('STOPPED', 'ABSENT'):
            stack.lxc('stop', name, '-k', check=False)
    stack.close()


def method_table():
    """The service's method table (src/lxcd-methods.c): {(interface,
    method): (action or None, text of what needs more)}."""
    out = subprocess.run([os.path.join(lxcdtest.BUILDDIR, 'tests', 'test-methods'), '--dump'],
                         capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        iface, method, action, _, also = line.split('\t')
        rows[(iface, method)] = (None if action == '-' else action, also)
    return rows


class Table(lxcdtest.TestCase):
    """The matrix asks what the method table says: every method with an
    action is in it, each cell with the table's action or one the row
    names for an argument."""

    def test_matrix_follows_the_method_table(self):
        rows = method_table()
        cells = [('Container', m, act) for m, _, _, act, _ in container_calls('c1')]
        cells += [('Container', m, act) for m, _, _, act in NEW_NAME_CALLS]
        cells += [('Manager', m, act) for m, _, _, act in MANAGER_CALLS]
        problems = []
        for iface, method, action in cells:
            if (iface, method) not in rows:
                problems.append('%s.%s: not in the table' % (iface, method))
                continue
            base, also = rows[(iface, method)]
            if action != base and (action is None or action not in also):
                problems.append('%s.%s: the matrix expects %s, the table says %s (%s)' % (
                    iface, method, action, base, also))
        self.assertEqual(problems, [])
        # methods the matrix does not call: only those without a container
        # of their own to call them on (Job.Cancel has its own tests)
        called = {(i, m) for i, m, _ in cells}
        missing = sorted('%s.%s' % k for k, (a, _) in rows.items()
                         if a is not None and k not in called and k[0] != 'Job')
        self.assertEqual(missing, [], 'methods with an action the matrix never calls')


class Matrix(lxcdtest.TestCase):
    cells = 0

    def run_phase(self, phase):
        failures = []
        reset(phase)
        for caller in CALLERS:
            rules = {'c1-only': RULE_C1_ONLY, 'unrelated': RULE_UNRELATED}.get(caller, '')
            stack.set_rules(rules)
            client = stack.client_as(0 if caller == 'root' else UNPRIV_UID)
            try:
                for name in ('c1', 'c2'):
                    calls = [(m, s, a, act, name) for m, s, a, act, st
                             in container_calls(name) if st == phase]
                    calls += [(m, s, f(name), act, name + '-clone') for m, s, f, act
                              in NEW_NAME_CALLS if phase == 'STOPPED']
                    for method, sig, args, action, target in calls:
                        failures += self.cell(client, caller, phase, path(name), CONTAINER_IFACE,
                                              method, sig, args, action, target)
                if phase == 'STOPPED':
                    for method, sig, args, action in MANAGER_CALLS:
                        target = args[0] if method == 'CreateContainer' else None
                        failures += self.cell(client, caller, phase, MANAGER_PATH, MANAGER_IFACE,
                                              method, sig, args, action, target)
            finally:
                client.close()
        stack.clear_rules()
        self.assertEqual(failures, [], '\n'.join(failures))

    def cell(self, client, caller, phase, obj, iface, method, sig, args, action, target):
        snap = lambda: (tree_state(phase == 'STOPPED'), stack.container_state('c1', 'ABSENT'),
                        stack.container_state('c2', 'ABSENT'))
        before = snap()
        # /dev/null for each 'h' argument
        r = client.call(obj, iface, method, GLib.Variant(sig, tuple(args)).print_(True),
                        signature=sig[1:-1], allow_interactive=(caller == 'none-interactive'),
                        timeout=60, fds=['null'] * sig.count('h'))
        Matrix.cells += 1
        allowed = expected_allowed(caller, action, target)
        # c1 and c2 are privileged: a copy of them made by a caller other
        # than root would be too, which needs configure-host on the copy
        # (a rule for "c1" does not name "c1-rest")
        if method in COPY_CALLS and caller != 'root':
            allowed = False
        what = '%s %s %s(%s) on %s' % (phase, caller, method, args, obj.rsplit('/', 1)[-1])
        problems = []
        if allowed and r.error_name == NOT_AUTHORIZED:
            problems.append('%s: refused, expected allowed: %s' % (what, r.result_text))
        elif not allowed:
            if r.error_name != NOT_AUTHORIZED:
                problems.append('%s: %s, expected NotAuthorized' % (what, r.error_name or 'allowed'))
            time.sleep(0.05)  # anything the call might still do
            if snap() != before:
                problems.append('%s: refused but something changed' % what)
        if allowed:
            # What it did is undone; a shutdown still going on (Shutdown(0)
            # returns at once) is finished first.
            if method == 'Shutdown':
                stack.lxc('stop', obj.rsplit('/', 1)[-1], '-k', check=False)
            time.sleep(0.05)
            reset(phase)
        return problems

    def test_stopped_phase(self):
        self.run_phase('STOPPED')

    def test_running_phase(self):
        self.run_phase('RUNNING')


class PendingCheck(lxcdtest.TestCase):
    def test_caller_leaving_while_polkit_decides_is_refused(self):
        reset('STOPPED')
        stack.set_rules('''
polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id == "org.linuxcontainers.LXC1.lifecycle") {
        polkit.spawn(["/bin/sleep", "2"]);
        return polkit.Result.YES;
    }
});''' % UNPRIV_USER)
        try:
            client = stack.client_as(UNPRIV_UID)
            client.send(('container', 'c1'), 'start')
            time.sleep(0.7)   # polkitd has the subject and runs the rule
            self.assertIsNone(client.proc.poll(), 'the client died: ' + stack._tail(client.log))
            client.kill()     # its connection goes
            lxcdtest.wait_until(lambda: 'The caller left the bus before' in stack.daemon_log_text(),
                                10, message='no refusal logged')
            time.sleep(0.5)
            self.assertEqual(stack.container_state('c1', 'ABSENT'), 'STOPPED')
            self.assertEqual(stack.served_state('c1'), 'STOPPED')
        finally:
            stack.clear_rules()


if __name__ == '__main__':
    try:
        lxcdtest.main()
    finally:
        print('# authorization matrix: %d cells' % Matrix.cells)
