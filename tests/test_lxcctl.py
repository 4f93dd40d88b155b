#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxcctl, the command line client, against the real service: tables and
--json (parsed back), lifecycle verbs, config, attach's exit status,
create/destroy, monitor, errors as one line with a non-zero status."""
import json
import os
import re
import select
import signal
import subprocess
import time
import unittest

import lxcdtest
from lxcdtest import UNPRIV_UID

stack = None
LXCCTL = None


def setUpModule():
    global stack, LXCCTL
    LXCCTL = os.path.join(lxcdtest.BUILDDIR, 'src', 'lxcctl')
    stack = lxcdtest.Stack().start()
    for name in ('c1', 'c2'):
        stack.make_container(name)
    # c3's init ignores its halt signal: a clean shutdown never comes
    stack.make_container('c3', config={'lxc.signal.halt': 'SIGWINCH'})
    stack.start_daemon()


def tearDownModule():
    stack.close()


def lxcctl(*args, uid=None, input=None):
    argv = [LXCCTL, '--no-ask-password'] + list(args)
    if uid is not None:
        return stack.run_as(uid, argv, timeout=120)
    return subprocess.run(argv, capture_output=True, text=True, env=stack.env(), timeout=120,
                          input=input, stdin=None if input is not None else subprocess.DEVNULL)


class Verbs(lxcdtest.TestCase):
    def test_list_table_and_json(self):
        out = lxcctl('list')
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(lines[0].split(), ['NAME', 'STATE', 'PID', 'AUTOSTART', 'LXCPATH'])
        self.assertEqual([l.split()[0] for l in lines[1:]], ['c1', 'c2', 'c3'])
        out = lxcctl('--json', 'list')
        data = json.loads(out.stdout)
        self.assertEqual([c['Name'] for c in data], ['c1', 'c2', 'c3'])
        self.assertEqual(data[0]['State'], 'STOPPED')
        self.assertEqual(data[0]['LXCPath'], stack.lxcpath)

    def test_lifecycle_and_status(self):
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)
        try:
            self.assertEqual(stack.container_state('c1'), 'RUNNING')
            st = json.loads(lxcctl('--json', 'status', 'c1').stdout)
            self.assertEqual(st['State'], 'RUNNING')
            self.assertGreater(st['InitPID'], 1)
            self.assertIn('RUNNING', lxcctl('status', 'c1').stdout)
            self.assertIs(st['Privileged'], True)
            self.assertIn('  Privileged: true', lxcctl('status', 'c1').stdout)
            self.assertEqual(json.loads(lxcctl('--json', 'list', '--active').stdout)[0]['Name'], 'c1')
            rows = [l.split() for l in lxcctl('list', '--active').stdout.splitlines()[1:]]
            self.assertEqual(rows, [['c1', 'RUNNING', str(st['InitPID']), 'no', stack.lxcpath]])
            stack.wait_init_ready('c1')
            self.assertEqual(lxcctl('freeze', 'c1').returncode, 0)
            self.assertEqual(stack.container_state('c1'), 'FROZEN')
            self.assertEqual(lxcctl('unfreeze', 'c1').returncode, 0)
            out = lxcctl('attach', 'c1', '--', '/bin/sh', '-c', 'echo inside; exit 9')
            self.assertEqual(out.returncode, 9)
            self.assertEqual(out.stdout, 'inside\n')
            out = lxcctl('attach', 'c1', '--', '/bin/cat', input='piped\n')
            self.assertEqual(out.stdout, 'piped\n')
        finally:
            self.assertEqual(lxcctl('stop', 'c1').returncode, 0)
        self.assertEqual(stack.container_state('c1'), 'STOPPED')

    def test_config(self):
        self.assertEqual(lxcctl('config', 'get', 'c2', 'lxc.uts.name').stdout, 'c2\n')
        self.assertEqual(lxcctl('config', 'set', 'c2', 'lxc.start.auto', '1').returncode, 0)
        self.assertEqual(json.loads(lxcctl('--json', 'config', 'get', 'c2', 'lxc.start.auto').stdout), '1')
        self.assertIn('type', json.loads(lxcctl('--json', 'config', 'keys', 'c2', 'lxc.net.0').stdout))
        self.assertEqual(lxcctl('config', 'clear', 'c2', 'lxc.start.auto').returncode, 0)

    def test_config_show_and_edit(self):
        self.assertIn('lxc.uts.name = c2\n', lxcctl('config', 'show', 'c2').stdout)
        shown = json.loads(lxcctl('config', 'show', 'c2', '--json').stdout)
        self.assertEqual(shown['lxc.uts.name'], 'c2')

        def edit(script):
            env = stack.env({'EDITOR': "sed -i -e '%s'" % script, 'VISUAL': ''})
            return subprocess.run([LXCCTL, '--no-ask-password', 'config', 'edit', 'c2'],
                                  capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
        out = edit('s/^lxc.uts.name = .*/lxc.uts.name = edited/; $a lxc.start.delay = 3')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(lxcctl('config', 'get', 'c2', 'lxc.uts.name').stdout, 'edited\n')
        self.assertEqual(lxcctl('config', 'get', 'c2', 'lxc.start.delay').stdout, '3\n')
        # removing a line clears the key
        out = edit('/^lxc.start.delay/d; s/^lxc.uts.name = .*/lxc.uts.name = c2/')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(lxcctl('config', 'get', 'c2', 'lxc.start.delay').stdout, '0\n')
        self.assertEqual(lxcctl('config', 'get', 'c2', 'lxc.uts.name').stdout, 'c2\n')
        before = open(os.path.join(stack.lxcpath, 'c2', 'config')).read()
        # refused before anything is written: a malformed line, an unknown key
        for script, words in (('$a this is not an item', 'line '), ('$a lxc.bogus.key = 1', "unknown key 'lxc.bogus.key'")):
            out = edit('s/^lxc.uts.name = .*/lxc.uts.name = nope/; ' + script)
            self.assertEqual(out.returncode, 1, out)
            self.assertIn(words, out.stderr)
            self.assertIn('nothing was changed', out.stderr)
        # refused by the service: what was changed before is put back
        out = edit('s/^lxc.uts.name = .*/lxc.uts.name = nope/; $a lxc.start.auto = notanumber')
        self.assertEqual(out.returncode, 1, out)
        self.assertIn('lxc.start.auto was refused; nothing was changed', out.stderr)
        self.assertEqual(lxcctl('config', 'get', 'c2', 'lxc.uts.name').stdout, 'c2\n')
        self.assertEqual(lxcctl('config', 'get', 'c2', 'lxc.start.auto').stdout, '0\n')
        # (the API has no way to write several items at once: the put-back
        # value can be written out explicitly where the default was)
        after = open(os.path.join(stack.lxcpath, 'c2', 'config')).read()
        self.assertEqual(after.replace('lxc.start.auto = 0\n', ''), before)

    def test_create_and_destroy(self):
        out = lxcctl('create', 'made1', '-t', 'busybox', '--config', 'lxc.environment=A=1',
                     '-c', 'lxc.environment = B=2', '--config=lxc.start.delay=3')
        self.assertEqual(out.returncode, 0, out.stderr)
        try:
            with open(os.path.join(stack.lxcpath, 'made1', 'config')) as f:
                lines = [l.strip() for l in f]
            self.assertEqual([l for l in lines if l.startswith('lxc.environment')],
                             ['lxc.environment = A=1', 'lxc.environment = B=2'])
            self.assertIn('lxc.start.delay = 3', lines)
        except AssertionError:
            lxcctl('destroy', 'made1')
            raise
        out = lxcctl('create', 'made2', '-t', 'busybox', '--config', 'lxc.nosuch=1')
        self.assertEqual(out.returncode, 1)
        self.assertIn('lxc.nosuch', out.stderr)
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'made2')))
        self.assertEqual(lxcctl('destroy', 'made1').returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'made1')))

    def test_copy_to_and_from(self):
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)
        try:
            data = bytes(range(256)) * 1000 + b'end\n'
            src = os.path.join(stack.tmpdir, 'copy-src')
            with open(src, 'wb') as f:
                f.write(data)
            os.chmod(src, 0o640)
            out = lxcctl('copy-to', 'c1', src, '/tmp/copied', '--user', '12:34')
            self.assertEqual(out.returncode, 0, out.stderr)
            st = stack.client().container('c1').run(['stat', '-c', '%a %u %g %s', '/tmp/copied'])
            self.assertEqual(st.stdout.split(), ['640', '12', '34', str(len(data))])
            back = os.path.join(stack.tmpdir, 'copy-back')
            out = lxcctl('pull', 'c1', '/tmp/copied', back)
            self.assertEqual(out.returncode, 0, out.stderr)
            with open(back, 'rb') as f:
                self.assertEqual(f.read(), data)
            # standard input and output; --parents
            out = subprocess.run([LXCCTL, 'copy-to', 'c1', '-', '/tmp/new/dir/x', '-p', '-m', '600'],
                                 input=b'hello', capture_output=True, env=stack.env(), timeout=120)
            self.assertEqual(out.returncode, 0, out.stderr)
            out = subprocess.run([LXCCTL, 'copy-from', 'c1', '/tmp/new/dir/x', '-'],
                                 capture_output=True, env=stack.env(), timeout=120,
                                 stdin=subprocess.DEVNULL)
            self.assertEqual((out.returncode, out.stdout), (0, b'hello'))
            # errors: a relative path, a file that is not there (no file left behind)
            self.assertEqual(lxcctl('copy-to', 'c1', src, 'tmp/x').returncode, 2)
            missing = os.path.join(stack.tmpdir, 'not-there')
            out = lxcctl('copy-from', 'c1', '/nonexistent', missing)
            self.assertEqual(out.returncode, 3, out.stderr)
            self.assertFalse(os.path.exists(missing))
        finally:
            lxcctl('stop', '--kill', 'c1')

    def test_errors_are_one_line(self):
        # exit statuses: 1 failure, 2 usage, 3 not found, 4 not authorized
        for args, code in ((('status', 'nosuch'), 3), (('frobnicate',), 2),
                           (('freeze', 'c2'), 1), ((), 2)):
            out = lxcctl(*args)
            self.assertEqual(out.returncode, code, (args, out))
            if code != 2:
                self.assertEqual(len(out.stderr.strip().splitlines()), 1, out.stderr)
                self.assertTrue(out.stderr.startswith('lxcctl: '), out.stderr)
        self.assertEqual(lxcctl('status', 'nosuch').stderr,
                         "lxcctl: no container named 'nosuch' (see 'lxcctl list')\n")
        self.assertEqual(lxcctl('freeze', 'c2').stderr, 'lxcctl: c2 is not running\n')
        out = lxcctl('start', 'c1/x')
        self.assertIn(out.returncode, (1, 3), out)
        self.assertEqual(len(out.stderr.splitlines()), 1, out.stderr)
        out = lxcctl('start', 'c2', uid=UNPRIV_UID)
        self.assertEqual(out.returncode, 4)
        self.assertEqual(out.stderr.splitlines(), [
            'lxcctl: not authorized to start c2: authentication is required (run it from a '
            'terminal without --no-ask-password to be asked, or as root)'])
        self.assertEqual(stack.container_state('c2'), 'STOPPED')

    def test_monitor(self):
        p = subprocess.Popen([LXCCTL, '--json', 'monitor'], stdout=subprocess.PIPE, text=True,
                             env=stack.env())
        try:
            time.sleep(0.5)
            stack.start_container('c2')
            stack.stop_container('c2')
            seen = []
            deadline = time.monotonic() + 10
            while 'STOPPED' not in seen and time.monotonic() < deadline:
                line = p.stdout.readline()
                if line:
                    event = json.loads(line)
                    if event['event'] == 'state':
                        seen.append(event['state'])
            self.assertIn('RUNNING', seen)
            self.assertIn('STOPPED', seen)
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait()


class MoreVerbs(lxcdtest.TestCase):
    def test_clone_rename_snapshots(self):
        self.assertEqual(lxcctl('clone', 'c2', 'cl1').returncode, 0)
        self.assertEqual(lxcctl('rename', 'cl1', 'cl2').returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(stack.lxcpath, 'cl1')))
        out = lxcctl('snapshot', 'cl2', '-c', 'first')
        self.assertEqual(out.stdout, 'snap0\n')
        snaps = json.loads(lxcctl('--json', 'snapshot', 'list', 'cl2').stdout)
        self.assertEqual(snaps[0][0], 'snap0')
        self.assertEqual(snaps[0][1], 'first')
        self.assertIn('snap0', lxcctl('snapshot', 'list', 'cl2').stdout)
        self.assertEqual(lxcctl('snapshot', 'restore', 'cl2', 'snap0', 'cl3').returncode, 0)
        self.assertEqual(lxcctl('snapshot', 'destroy', 'cl2', 'snap0').returncode, 0)
        self.assertEqual(lxcctl('clone', 'c2', 'ov1', '--snapshot').returncode, 0)
        for name in ('ov1', 'cl3', 'cl2'):
            self.assertEqual(lxcctl('destroy', name).returncode, 0, name)

    def test_progress_lines_for_jobs(self):
        # A clone big enough to report progress.
        d = stack.make_container('bigsrc')
        with open(os.path.join(d, 'rootfs', 'bigfile'), 'wb') as f:
            chunk = os.urandom(1 << 20)
            for _ in range(256):
                f.write(chunk)
        lxcdtest.wait_until(lambda: lxcctl('status', 'bigsrc').returncode == 0, 5)
        try:
            out = lxcctl('--progress', 'clone', 'bigsrc', 'bigdst')
            self.assertEqual(out.returncode, 0, out.stderr)
            lines = out.stderr.splitlines()
            self.assertEqual(lines[0], 'clone: started')
            self.assertIn('progress: 100%', lines)
            self.assertEqual(lines[-1], 'done')
        finally:
            lxcctl('destroy', 'bigdst')
            self.assertEqual(lxcctl('destroy', 'bigsrc').returncode, 0)

    def test_shutdown_and_reboot(self):
        self.assertEqual(lxcctl('start', 'c2').returncode, 0)
        try:
            pid = json.loads(lxcctl('--json', 'status', 'c2').stdout)['InitPID']

            def init_ready():
                # busybox init takes signals once it waits in its main loop
                try:
                    with open('/proc/%d/wchan' % json.loads(lxcctl('--json', 'status', 'c2').stdout)['InitPID']) as f:
                        return 'sigtimedwait' in f.read()
                except (OSError, ValueError):
                    return False
            lxcdtest.wait_until(init_ready, 10)
            out = lxcctl('reboot', 'c2', '-t', '30')
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertNotEqual(json.loads(lxcctl('--json', 'status', 'c2').stdout)['InitPID'], pid)
            lxcdtest.wait_until(init_ready, 10)
            out = lxcctl('shutdown', 'c2', '-t', '30')
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(stack.container_state('c2'), 'STOPPED')
        finally:
            if stack.container_state('c2') != 'STOPPED':
                stack.stop_container('c2')

    def test_cgroup_and_ips(self):
        self.assertEqual(lxcctl('ips', 'c1').returncode, 1)  # not running
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)
        try:
            self.assertEqual(lxcctl('ips', 'c1').returncode, 0)
            self.assertEqual(json.loads(lxcctl('--json', 'ips', 'c1').stdout), [])
            self.assertEqual(lxcctl('cgroup', 'set', 'c1', 'pids.max', '123').returncode, 0)
            self.assertEqual(lxcctl('cgroup', 'get', 'c1', 'pids.max').stdout, '123\n')
        finally:
            lxcctl('stop', 'c1')


class CommandLine(lxcdtest.TestCase):
    """Help, strict parsing in GNU order, did-you-mean, exit statuses."""

    def assertUsage(self, out, *words):
        self.assertEqual(out.returncode, 2, out)
        self.assertEqual(out.stdout, '')
        self.assertEqual(len(out.stderr.splitlines()), 1, out.stderr)
        self.assertTrue(out.stderr.startswith('lxcctl: '), out.stderr)
        for w in words:
            self.assertIn(w, out.stderr)

    def test_help_everywhere(self):
        for args in (('--help',), ('-h',), ('help',), ('list', '--help'), ('--json', 'list', '-h')):
            out = lxcctl(*args)
            self.assertEqual(out.returncode, 0, (args, out))
            self.assertTrue(out.stdout.startswith('Usage: lxcctl '), out.stdout)
        top = lxcctl('--help').stdout
        for verb in ('list', 'info', 'stop', 'restart', 'exec', 'shell', 'console', 'jobs', 'cancel',
                     'monitor', 'config', 'snapshot'):
            self.assertRegex(top, r'\n  %s ' % verb)
            for args in (('help', verb), (verb, '--help')):
                out = lxcctl(*args)
                self.assertEqual(out.returncode, 0, out)
                self.assertTrue(out.stdout.startswith('Usage: lxcctl %s ' % verb), out.stdout)
        self.assertIn('--timeout', lxcctl('stop', '--help').stdout)
        self.assertIn('--kill', lxcctl('help', 'stop').stdout)
        self.assertUsage(lxcctl('help', 'stp'), "did you mean 'stop'?")

    def test_strict_parsing(self):
        self.assertUsage(lxcctl('shutdown', '-t', 'abc', 'c1'), '--timeout', "'abc'")
        self.assertUsage(lxcctl('stop', 'c1', '--timeout=-3'), '--timeout')
        self.assertUsage(lxcctl('start', '-t', '30', 'c1'), "'start' does not take -t")
        self.assertUsage(lxcctl('list', '--bogus'), "'--bogus'")
        self.assertUsage(lxcctl('list', '--formt', 'json'), "did you mean '--format'?")
        self.assertUsage(lxcctl('list', '--format', 'xml'), 'table, json or csv')
        self.assertUsage(lxcctl('status'), 'missing container NAME', 'usage: lxcctl status NAME')
        self.assertUsage(lxcctl('status', 'c1', 'c2'), "unexpected argument 'c2'")
        self.assertUsage(lxcctl('console', 'c1', 'x'), 'TTY')
        self.assertUsage(lxcctl('config', 'frob', 'c1'), "'frob'")
        self.assertUsage(lxcctl('exec', 'c1', '--user', 'b@d', 'id'), '--user')
        self.assertUsage(lxcctl('exec', 'c1', '--user', '0:x', 'id'), '--user')
        self.assertUsage(lxcctl('exec', 'c1'), 'missing')
        self.assertUsage(lxcctl('--timeout', '5', 'list'), "'list' does not take --timeout")
        self.assertEqual(stack.container_state('c1'), 'STOPPED')
        # options anywhere: before the verb, after it, after the name
        for args in (('list', '--json'), ('--json', 'list'), ('list', 'c*', '--json')):
            out = lxcctl(*args)
            self.assertEqual(out.returncode, 0, out)
            self.assertEqual(json.loads(out.stdout)[0]['Name'], 'c1')
        self.assertEqual(json.loads(lxcctl('status', 'c2', '--json').stdout)['Name'], 'c2')

    def test_every_verb_usage(self):
        top = lxcctl('--help').stdout
        verbs = re.findall(r'^  (\S+) ', top.split('\nVerbs:\n', 1)[1].split('\n\n', 1)[0], re.M)
        self.assertGreater(len(verbs), 20)
        unbounded = ('list', 'exec', 'shell', 'create')
        for verb in verbs:
            usage = lxcctl(verb, '--help').stdout.splitlines()[0]
            if re.match(r'Usage: lxcctl %s (\[create\] )?(get )?NAME' % verb, usage) or verb == 'cancel':
                self.assertUsage(lxcctl(verb), 'missing')
            self.assertUsage(lxcctl(verb, 'x', '--no-such-option'), "unknown option '--no-such-option'")
            if verb not in unbounded:
                self.assertUsage(lxcctl(verb, 'a', 'b', 'c', 'd', 'e', 'f'), 'unexpected argument')

    def test_did_you_mean_and_aliases(self):
        self.assertUsage(lxcctl('stat', 'c1'), "unknown verb 'stat'; did you mean 'status'?")
        self.assertUsage(lxcctl('strat', 'c1'), "did you mean 'start'?")
        self.assertUsage(lxcctl('xyzzy'), "unknown verb 'xyzzy'")
        self.assertEqual(lxcctl('ls').stdout, lxcctl('list').stdout)
        self.assertEqual(lxcctl('show', 'c1').stdout, lxcctl('status', 'c1').stdout)

    def test_exit_codes(self):
        out = lxcctl('start', 'nosuch')
        self.assertEqual((out.returncode, out.stderr),
                         (3, "lxcctl: no container named 'nosuch' (see 'lxcctl list')\n"))
        out = lxcctl('cancel', '99999')
        self.assertEqual(out.returncode, 3, out)
        out = lxcctl('unfreeze', 'c2')
        self.assertEqual((out.returncode, out.stderr), (1, 'lxcctl: c2 is not frozen\n'))
        out = lxcctl('ips', 'c2', uid=UNPRIV_UID)
        self.assertIn(out.returncode, (1, 4), out)


class Lifecycle(lxcdtest.TestCase):
    def monitor(self, *args):
        # unbuffered, so that select() sees every line
        p = subprocess.Popen([LXCCTL, '--json', 'monitor'] + list(args), stdout=subprocess.PIPE,
                             bufsize=0, env=stack.env())
        self.addCleanup(lambda: (p.terminate(), p.wait()))
        time.sleep(0.5)
        return p

    def events(self, p, until, timeout=20):
        """The monitor's events until one satisfies *until* (or *timeout*)."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not select.select([p.stdout], [], [], max(0, deadline - time.monotonic()))[0]:
                break
            line = p.stdout.readline()
            if not line:
                break
            seen.append(json.loads(line))
            if until(seen[-1]):
                break
        return seen

    def test_stop_is_clean_kill_is_not(self):
        self.assertEqual(lxcctl('start', 'c2').returncode, 0)
        stack.wait_init_ready('c2')
        mon = self.monitor('c2')
        out = lxcctl('stop', 'c2', '--timeout', '30')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(stack.container_state('c2'), 'STOPPED')
        seen = self.events(mon, lambda e: e.get('state') == 'STOPPED')
        self.assertIn('shutdown', [e.get('operation') for e in seen if e['event'] == 'job-started'])
        # --kill (and --force): no shutdown job
        for flag in ('--kill', '--force', '-k'):
            self.assertEqual(lxcctl('start', 'c2').returncode, 0)
            mon = self.monitor('c2')
            t0 = time.monotonic()
            out = lxcctl('stop', flag, 'c2')
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(stack.container_state('c2'), 'STOPPED')
            seen = self.events(mon, lambda e: e.get('state') == 'STOPPED')
            self.assertNotIn('job-started', [e['event'] for e in seen], flag)
            self.assertLess(time.monotonic() - t0, 15)

    def test_stop_kills_after_timeout(self):
        self.assertEqual(lxcctl('start', 'c3').returncode, 0)
        stack.wait_init_ready('c3')
        out = lxcctl('stop', 'c3', '-t', '1')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, 'lxcctl: c3 did not shut down within 1 seconds; killing it\n')
        self.assertEqual(stack.container_state('c3'), 'STOPPED')
        self.assertEqual(lxcctl('start', 'c3').returncode, 0)
        stack.wait_init_ready('c3')
        out = lxcctl('shutdown', 'c3', '-t', '1')
        self.assertEqual(out.returncode, 1)
        self.assertIn("c3 did not shut down within 1 seconds; it is still running", out.stderr)
        self.assertEqual(stack.container_state('c3'), 'RUNNING')
        self.assertEqual(lxcctl('stop', '--kill', 'c3').returncode, 0)

    def test_errors_in_the_clis_words(self):
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)
        try:
            for args, line in ((('destroy', 'c1'), 'c1 is running: stop it first, or use --force'),
                               (('rename', 'c1', 'c9'), 'c1 is running: stop it first'),
                               (('snapshot', 'c1'), 'c1 is running: stop it first'),
                               (('clone', 'c1', 'c9'), 'c1 is running: stop it first')):
                out = lxcctl(*args)
                self.assertEqual((out.returncode, out.stderr), (1, 'lxcctl: %s\n' % line), args)
        finally:
            lxcctl('stop', '--kill', 'c1')
        out = lxcctl('create', 'x1', '-t', 'nosuch')
        self.assertEqual(out.stderr, "lxcctl: Unknown template 'nosuch' (see 'lxcctl templates')\n")
        self.assertIn('busybox', lxcctl('templates').stdout.split())
        # liblxc's log only with --verbose
        out = lxcctl('create', 'x1', '-t', 'busybox', '--', '--bogus-arg')
        self.assertEqual(out.stderr, "lxcctl: Failed to create container 'x1': getopt: unrecognized "
                                     "option '--bogus-arg'\n")
        out = lxcctl('--verbose', 'create', 'x1', '-t', 'busybox', '--', '--bogus-arg')
        lines = out.stderr.splitlines()
        self.assertEqual(len(lines), 2, out.stderr)
        self.assertTrue(lines[1].startswith('lxcctl: the service said: '), lines)
        self.assertIn('create_run_template', lines[1])
        self.assertEqual(lxcctl('snapshot', 'c3').stdout, 'snap0\n')
        out = lxcctl('destroy', 'c3')
        self.assertEqual(out.stderr, 'lxcctl: c3 has snapshots: destroy them too with --with-snapshots\n')
        self.assertEqual(lxcctl('snapshot', 'destroy', 'c3', 'snap0').returncode, 0)

    def test_restart_and_info(self):
        self.assertEqual(lxcctl('start', 'c2').returncode, 0)
        try:
            stack.wait_init_ready('c2')
            out = lxcctl('start', 'c2')
            self.assertEqual((out.returncode, out.stderr), (1, 'lxcctl: c2 is already running\n'))
            pid = json.loads(lxcctl('status', 'c2', '--json').stdout)['InitPID']
            out = lxcctl('restart', 'c2')
            self.assertEqual(out.returncode, 0, out.stderr)
            info = json.loads(lxcctl('info', 'c2', '--json').stdout)
            self.assertEqual(info['State'], 'RUNNING')
            self.assertNotEqual(info['InitPID'], pid)
            self.assertGreater(info['InitPID'], 1)
            self.assertLess(info['UptimeSeconds'], 60)
            self.assertGreaterEqual(info['Processes'], 1)
            self.assertGreater(info['MemoryBytes'], 0)
            self.assertIn('CPUTimeNanoseconds', info)
            self.assertGreaterEqual(info['MemoryPeakBytes'], info['MemoryBytes'] // 2)
            self.assertNotIn('MemoryLimitBytes', info)    # none set
            self.assertIn('IOReadBytes', info)
            self.assertEqual((info['NetworkReceivedBytes'], info['NetworkSentBytes']), (0, 0))
            self.assertEqual(info['IPs'], [])
            self.assertEqual(info['Snapshots'], 0)
            self.assertIs(info['Privileged'], True)
            self.assertIs(info['Autostart'], False)
            text = lxcctl('info', 'c2').stdout
            for label in ('State: RUNNING', 'Uptime: ', 'IPs: none', 'CPU time: ', 'Memory: ',
                          'Processes: ', 'Block I/O: ', 'Network: 0 bytes received, 0 bytes sent',
                          'Snapshots: 0', 'Autostart: no', 'Privileged: yes'):
                self.assertIn(label, text)
            lxcdtest._log('lxcctl info c2:\n' + text)
        finally:
            lxcctl('stop', '--kill', 'c2')
        info = json.loads(lxcctl('info', 'c2', '--json').stdout)
        self.assertEqual(info['State'], 'STOPPED')
        self.assertLessEqual(info['InitPID'], 0)
        self.assertNotIn('UptimeSeconds', info)

    def test_list_formats_and_filters(self):
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)
        try:
            data = json.loads(lxcctl('list', '--format', 'json').stdout)
            self.assertEqual([c['Name'] for c in data], ['c1', 'c2', 'c3'])
            data = json.loads(lxcctl('list', '--format=json', '--columns', 'name,state,privileged').stdout)
            self.assertEqual(data[0], {'Name': 'c1', 'State': 'RUNNING', 'Privileged': True})
            out = lxcctl('list', '--format', 'csv', '-o', 'name,state')
            self.assertEqual(out.stdout.splitlines(), ['name,state', 'c1,RUNNING', 'c2,STOPPED', 'c3,STOPPED'])
            out = lxcctl('list', '--state', 'running', '-o', 'name')
            self.assertEqual(out.stdout.splitlines(), ['NAME', 'c1'])
            out = lxcctl('list', 'c[23]', '--state=STOPPED', '--format', 'csv', '-o', 'name')
            self.assertEqual(out.stdout.splitlines(), ['name', 'c2', 'c3'])
            self.assertUsage = CommandLine.assertUsage.__get__(self)
            self.assertUsage(lxcctl('list', '-o', 'name,sate'), "did you mean 'state'?")
            self.assertUsage(lxcctl('list', '--state', 'sleepy'), "unknown state 'sleepy'")
            # columns as wide as their widest cell
            lines = lxcctl('list', '-o', 'name,state').stdout.splitlines()
            self.assertEqual(lines[0], 'NAME STATE')
            self.assertEqual(lines[1], 'c1   RUNNING')
        finally:
            lxcctl('stop', '--kill', 'c1')

    def test_monitor_every_event(self):
        mon = self.monitor()
        self.assertEqual(lxcctl('config', 'set', 'c2', 'lxc.start.auto', '1').returncode, 0)
        self.assertEqual(lxcctl('clone', 'c2', 'mon1').returncode, 0)
        self.assertEqual(lxcctl('destroy', 'mon1').returncode, 0)
        lxcctl('config', 'clear', 'c2', 'lxc.start.auto')
        seen = self.events(mon, lambda e: e['event'] == 'removed')
        kinds = [e['event'] for e in seen]
        for kind in ('properties', 'added', 'removed', 'job-started', 'job-completed', 'job-ended'):
            self.assertIn(kind, kinds, seen)
        props = [e for e in seen if e['event'] == 'properties' and e.get('container', '').endswith('/c2')]
        self.assertIn(True, [e.get('Autostart') for e in props])
        ops = [e.get('operation') for e in seen if e['event'] == 'job-started']
        self.assertIn('clone', ops)
        self.assertIn('destroy', ops)
        # one container only
        mon = self.monitor('c1')
        stack.start_container('c2')
        stack.stop_container('c2')
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)
        lxcctl('stop', '--kill', 'c1')
        seen = self.events(mon, lambda e: e.get('state') == 'STOPPED')
        self.assertTrue(all(e.get('container', '').endswith('/c1') for e in seen if 'container' in e), seen)


class Exec(lxcdtest.TestCase):
    @classmethod
    def setUpClass(cls):
        assert lxcctl('start', 'c1').returncode == 0
        stack.wait_init_ready('c1')

    @classmethod
    def tearDownClass(cls):
        lxcctl('stop', '--kill', 'c1')

    def test_path_lookup_status_and_options(self):
        out = lxcctl('exec', 'c1', 'ls', '/')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('bin', out.stdout.split())
        out = lxcctl('exec', 'c1', '--', 'sh', '-c', 'exit 7')
        self.assertEqual(out.returncode, 7)
        # after the program, options are its own
        self.assertEqual(lxcctl('exec', 'c1', 'echo', '--env', '-t', 'x').stdout, '--env -t x\n')
        out = lxcctl('exec', 'c1', 'nosuchprogram')
        # (the service looks it up in the container's PATH, one call)
        self.assertEqual((out.returncode, out.stderr), (127, 'nosuchprogram: command not found\n'))
        out = lxcctl('exec', '--env', 'FOO=bar baz', 'c1', 'sh', '-c', 'echo "$FOO"')
        self.assertEqual(out.stdout, 'bar baz\n')
        self.assertEqual(lxcctl('exec', 'c1', '--cwd', '/etc', 'pwd').stdout, '/etc\n')
        self.assertEqual(lxcctl('exec', 'c1', '-u', '1000:1001', '--', 'id', '-u').stdout, '1000\n')
        self.assertEqual(lxcctl('exec', 'c1', '-u', '1000:1001', '--', 'id', '-g').stdout, '1001\n')
        # a user name, looked up in the container's passwd
        self.assertEqual(lxcctl('exec', 'c1', '--', 'sh', '-c',
                                'grep -q ^tuser: /etc/passwd || echo tuser:x:1234:1235::/:/bin/sh >> /etc/passwd'
                                ).returncode, 0)
        self.assertEqual(lxcctl('exec', 'c1', '--user', 'tuser', 'id', '-u').stdout, '1234\n')
        self.assertEqual(lxcctl('exec', 'c1', '--user', 'tuser', 'id', '-g').stdout, '1235\n')
        self.assertEqual(lxcctl('exec', 'c1', '--user=tuser:7', 'id', '-g').stdout, '7\n')
        self.assertEqual(lxcctl('exec', 'c1', '-u', 'root', 'id', '-u').stdout, '0\n')
        out = lxcctl('exec', 'c1', '--user', 'nosuchuser', 'id')
        self.assertEqual((out.returncode, out.stderr), (3, "lxcctl: no user 'nosuchuser' in c1\n"))
        out = lxcctl('exec', 'c2', 'true')
        self.assertEqual((out.returncode, out.stderr), (1, 'lxcctl: c2 is not running\n'))
        # attach is exec
        self.assertEqual(lxcctl('attach', 'c1', 'sh', '-c', 'exit 3').returncode, 3)

    def test_interrupt_jobs_and_cancel(self):
        p = subprocess.Popen([LXCCTL, 'exec', 'c1', 'sleep', '1000'], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=stack.env())
        running = lambda: 'sleep 1000' in lxcctl('exec', 'c1', '/bin/ps').stdout
        lxcdtest.wait_until(running, 10)
        jobs = json.loads(lxcctl('jobs', '--format', 'json').stdout)
        self.assertEqual(len(jobs), 1, jobs)
        self.assertEqual(jobs[0]['Properties']['Operation'], 'run')
        table = lxcctl('jobs').stdout.splitlines()
        self.assertEqual(table[0].split(), ['ID', 'OPERATION', 'CONTAINERS', 'UID', 'STARTED', 'PROGRESS'])
        self.assertEqual(table[1].split()[1:4], ['run', 'c1', '0'])
        # Ctrl-C (no terminal): the program is killed, 130
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(20), 130)
        lxcdtest.wait_until(lambda: len(lxcctl('jobs').stdout.splitlines()) == 1, 10)
        self.assertFalse(running())
        # cancel from another client
        p = subprocess.Popen([LXCCTL, 'exec', 'c1', 'sleep', '1000'], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=stack.env())
        lxcdtest.wait_until(running, 10)
        job = lxcctl('jobs').stdout.splitlines()[1].split()[0]
        out = lxcctl('cancel', job)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(p.wait(20), 1)
        self.assertEqual(len(p.stderr.read().splitlines()), 1)


class Completion(lxcdtest.TestCase):
    def complete(self, *words):
        script = os.path.join(lxcdtest.SRCDIR, 'data', 'lxcctl.bash-completion')
        code = 'source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _lxcctl; echo "${COMPREPLY[@]}"' % (
            script, ' '.join("'%s'" % w for w in words), len(words) - 1)
        env = stack.env({'PATH': os.path.dirname(LXCCTL) + ':' + os.environ['PATH']})
        out = subprocess.run(['bash', '-c', code], capture_output=True, text=True, env=env)
        return out.stdout.split()

    def test_verbs_and_names(self):
        self.assertEqual(sorted(self.complete('lxcctl', 'st')), ['start', 'status', 'stop'])
        self.assertEqual(sorted(self.complete('lxcctl', 'start', 'c')), ['c1', 'c2', 'c3'])
        self.assertEqual(sorted(self.complete('lxcctl', 'config', '')),
                         ['clear', 'edit', 'get', 'keys', 'set', 'show'])
        self.assertEqual(self.complete('lxcctl', '--json', 'status', 'c2'), ['c2'])
        self.assertEqual(self.complete('lxcctl', 'status', 'c2', ''), [])

    def test_flags_keys_templates_snapshots(self):
        self.assertEqual(sorted(self.complete('lxcctl', 'stop', '--')),
                         ['--force', '--help', '--json', '--kill', '--no-ask-password', '--progress',
                          '--timeout', '--verbose'])
        self.assertIn('--with-snapshots', self.complete('lxcctl', 'destroy', 'c1', '--w'))
        self.assertIn('--version', self.complete('lxcctl', '--v'))
        self.assertEqual(self.complete('lxcctl', 'list', '--format', 'j'), ['json'])
        self.assertEqual(self.complete('lxcctl', 'config', 'get', 'c2', 'lxc.uts.'), ['lxc.uts.name'])
        self.assertEqual(self.complete('lxcctl', 'create', 'x', '-t', 'busy'), ['busybox'])
        self.assertEqual(self.complete('lxcctl', 'exec', '--user', '0', 'c'), ['c1', 'c2', 'c3'])
        self.assertEqual(self.complete('lxcctl', 'help', 'resta'), ['restart'])
        self.assertEqual(lxcctl('snapshot', 'c3').returncode, 0)
        try:
            self.assertEqual(self.complete('lxcctl', 'snapshot', 'destroy', 'c3', ''), ['snap0'])
        finally:
            self.assertEqual(lxcctl('snapshot', 'destroy', 'c3', 'snap0').returncode, 0)


class Terminals(lxcdtest.TestCase):
    """lxcctl shell and console, typed at in a real terminal (tmux)."""

    def tmux(self, *args):
        return subprocess.run(['tmux', '-L', self.socket] + list(args), capture_output=True,
                              text=True, env=stack.env())

    def setUp(self):
        self.socket = 'lxcdtest%d' % os.getpid()
        self.assertEqual(lxcctl('start', 'c1').returncode, 0)

    def tearDown(self):
        self.tmux('kill-server')
        lxcctl('stop', 'c1')

    def screen(self):
        return self.tmux('capture-pane', '-p', '-t', 'term').stdout

    def drive(self, verb_args, command, expect, escape='a'):
        cmd = ' '.join([LXCCTL, '--no-ask-password'] + verb_args + ['; sleep 30'])
        self.assertEqual(self.tmux('new-session', '-d', '-s', 'term', '-x', '120', '-y', '30', cmd).returncode, 0)
        lxcdtest.wait_until(lambda: 'Ctrl-%s q' % escape in self.screen(), 10, message=lambda: self.screen())
        self.tmux('send-keys', '-t', 'term', 'Enter')
        self.tmux('send-keys', '-t', 'term', command, 'Enter')
        lxcdtest.wait_until(lambda: expect in self.screen(), 10, message=lambda: self.screen())
        # The escape leaves lxcctl; the pane then runs "sleep".
        self.tmux('send-keys', '-t', 'term', 'C-' + escape, 'q')
        lxcdtest.wait_until(lambda: 'lxcctl' not in self.tmux('list-panes', '-t', 'term', '-F',
                                                               '#{pane_current_command}').stdout, 10)

    def test_shell(self):
        self.drive(['shell', 'c1'], 'echo tm-$((2*21))', 'tm-42')

    def test_console(self):
        self.drive(['console', 'c1', '0'], 'echo co-$((3*11))', 'co-33')

    def test_shell_other_escape(self):
        self.drive(['shell', '-e', 'x', 'c1'], 'echo ex-$((5*5))', 'ex-25', escape='x')

    def typed(self, text, expect):
        self.tmux('send-keys', '-t', 'term', text, 'Enter')
        lxcdtest.wait_until(lambda: expect in self.screen(), 10, message=lambda: self.screen())

    def pane_size(self):
        return self.tmux('display-message', '-p', '-t', 'term', '#{pane_height}x#{pane_width}').stdout.strip()

    def test_exec_terminal(self):
        """exec with a terminal: a pty whose size follows the window,
        Ctrl-C reaching the program, Ctrl-a a a literal Ctrl-a, the exit
        status passed through, the terminal restored."""
        cmd = '%s --no-ask-password exec c1 sh; echo rc=$?; stty -a | grep -o -- -icanon; sleep 30' % LXCCTL
        self.assertEqual(self.tmux('new-session', '-d', '-s', 'term', '-x', '120', '-y', '30', cmd).returncode, 0)
        time.sleep(1)
        self.typed('echo sz-$(stty size | tr " " x)', 'sz-' + self.pane_size())
        self.tmux('resize-window', '-t', 'term', '-x', '100', '-y', '25')
        lxcdtest.wait_until(lambda: self.pane_size().endswith('x100'), 5)
        self.typed('clear; echo sz-$(stty size | tr " " x)', 'sz-' + self.pane_size())
        self.assertIn('x100', self.pane_size())
        # Ctrl-C ends the program inside, not lxcctl
        self.tmux('send-keys', '-t', 'term', 'sleep 100', 'Enter')
        time.sleep(1)
        self.tmux('send-keys', '-t', 'term', 'C-c')
        self.typed('echo back-$((6*7))', 'back-42')
        # Ctrl-a a: a literal Ctrl-a
        self.tmux('send-keys', '-t', 'term', 'od -c | head -1', 'Enter')
        time.sleep(1)
        self.tmux('send-keys', '-t', 'term', 'C-a', 'a', 'Enter', 'C-d')
        lxcdtest.wait_until(lambda: '001  \\n' in self.screen(), 10, message=lambda: self.screen())
        self.typed('exit 5', 'rc=5')
        time.sleep(0.5)
        self.assertNotIn('-icanon', self.screen())  # the terminal left raw mode

    def test_terminal_restored_when_killed(self):
        cmd = ('%s --no-ask-password shell c1; echo killed-$?; stty -a | grep -o -- -icanon; '
               'echo checked; sleep 30') % LXCCTL
        self.assertEqual(self.tmux('new-session', '-d', '-s', 'term', '-x', '120', '-y', '30', cmd).returncode, 0)
        lxcdtest.wait_until(lambda: 'Ctrl-a q' in self.screen(), 10, message=lambda: self.screen())
        pane = int(self.tmux('display-message', '-p', '-t', 'term', '#{pane_pid}').stdout)
        with open('/proc/%d/task/%d/children' % (pane, pane)) as f:
            child = int(f.read().split()[0])
        with open('/proc/%d/comm' % child) as f:
            self.assertEqual(f.read().strip(), 'lxcctl')
        os.kill(child, signal.SIGTERM)
        lxcdtest.wait_until(lambda: 'checked' in self.screen(), 10, message=lambda: self.screen())
        self.assertIn('killed-143', self.screen())
        self.assertNotIn('-icanon', self.screen())

    def test_shell_command_status(self):
        cmd = '%s --no-ask-password shell c1 -- sh -c "echo in-shell; exit 4"; echo rc=$?; sleep 30' % LXCCTL
        self.assertEqual(self.tmux('new-session', '-d', '-s', 'term', '-x', '120', '-y', '30', cmd).returncode, 0)
        lxcdtest.wait_until(lambda: 'rc=4' in self.screen(), 10, message=lambda: self.screen())
        self.assertIn('in-shell', self.screen())


class PasswordPrompt(lxcdtest.TestCase):
    """The inline polkit agent: a user with a password and an auth_self rule
    is asked on the terminal (tmux), as systemctl and machinectl do.

    Only in this test file's mount namespace: the user exists through copies
    of /etc/passwd, /etc/group and /etc/shadow mounted over the real ones,
    and polkit's setuid helper (which ignores DBUS_SYSTEM_BUS_ADDRESS)
    finds the private bus at the standard socket path."""
    USER, UID, PASSWORD = 'lxcpw', 4711, 'Secret-4711'

    def mount(self, *args):
        subprocess.run(['mount'] + list(args), check=True)
        self.addCleanup(subprocess.run, ['umount', '-l', args[-1]])

    def setUp(self):
        import crypt
        tmp = os.path.join(stack.tmpdir, 'etc-for-prompt')
        os.makedirs(tmp, exist_ok=True)
        hashed = crypt.crypt(self.PASSWORD, crypt.mksalt(crypt.METHOD_SHA512))
        for name, line in (('passwd', '%s:x:%d:%d::/:/bin/sh' % (self.USER, self.UID, self.UID)),
                           ('group', '%s:x:%d:' % (self.USER, self.UID)),
                           ('shadow', '%s:%s:19000:0:99999:7:::' % (self.USER, hashed))):
            copy = os.path.join(tmp, name)
            with open('/etc/' + name) as f:
                text = f.read()
            with open(copy, 'w') as f:
                f.write(text + line + '\n')
            os.chmod(copy, 0o640 if name == 'shadow' else 0o644)
            self.mount('--bind', copy, '/etc/' + name)
        self.mount('-t', 'tmpfs', 'tmpfs', '/run/dbus')
        open('/run/dbus/system_bus_socket', 'w').close()
        self.mount('--bind', stack.bus_socket, '/run/dbus/system_bus_socket')
        stack.set_rules("""
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("org.linuxcontainers.LXC1.") == 0 && subject.user == "%s")
        return polkit.Result.AUTH_SELF;
});""" % self.USER)
        self.addCleanup(stack.clear_rules)
        self.socket = 'lxcdpw%d' % os.getpid()
        self.addCleanup(subprocess.run, ['tmux', '-L', self.socket, 'kill-server'])

    def tmux(self, *args):
        return subprocess.run(['tmux', '-L', self.socket] + list(args), capture_output=True, text=True)

    def screen(self):
        return self.tmux('capture-pane', '-p', '-t', 'pw').stdout

    def run_in_tmux(self, *args):
        env = ' '.join('%s=%s' % kv for kv in stack.client_env(self.UID).items())
        cmd = 'setpriv --reuid=%d --regid=%d --clear-groups -- env -i %s %s %s; echo rc=$?; sleep 60' % (
            self.UID, self.UID, env, LXCCTL, ' '.join(args))
        self.assertEqual(self.tmux('new-session', '-d', '-s', 'pw', '-x', '150', '-y', '40', cmd).returncode, 0)

    def test_password_asked_inline(self):
        self.run_in_tmux('start', 'c2')
        try:
            lxcdtest.wait_until(lambda: 'Password:' in self.screen(), 20, message=lambda: self.screen())
            self.assertIn('lxcpw', self.screen())
            self.tmux('send-keys', '-t', 'pw', self.PASSWORD, 'Enter')
            lxcdtest.wait_until(lambda: 'rc=' in self.screen(), 20, message=lambda: self.screen())
            self.assertIn('rc=0', self.screen())
            self.assertEqual(stack.container_state('c2'), 'RUNNING')
        finally:
            lxcctl('stop', '--kill', 'c2')

    def test_wrong_password_and_no_ask_password(self):
        self.run_in_tmux('start', 'c2')
        lxcdtest.wait_until(lambda: 'Password:' in self.screen(), 20, message=lambda: self.screen())
        self.tmux('send-keys', '-t', 'pw', 'wrong', 'Enter')
        # the text agent may ask again; give up with Ctrl-D / a second wrong answer
        lxcdtest.wait_until(lambda: 'rc=' in self.screen() or self.screen().count('Password:') > 1, 30,
                            message=lambda: self.screen())
        if 'rc=' not in self.screen():
            self.tmux('send-keys', '-t', 'pw', 'wrong', 'Enter')
        lxcdtest.wait_until(lambda: 'rc=' in self.screen(), 30, message=lambda: self.screen())
        self.assertIn('rc=4', self.screen())
        self.assertEqual(stack.container_state('c2'), 'STOPPED')
        self.tmux('kill-session', '-t', 'pw')
        lxcdtest.wait_until(lambda: self.tmux('has-session', '-t', 'pw').returncode != 0, 10)
        self.run_in_tmux('--no-ask-password', 'start', 'c2')
        lxcdtest.wait_until(lambda: 'rc=' in self.screen(), 20, message=lambda: self.screen())
        self.assertIn('rc=4', self.screen())
        self.assertNotIn('Password:', self.screen())
        self.assertEqual(stack.container_state('c2'), 'STOPPED')


if __name__ == '__main__':
    lxcdtest.main()
