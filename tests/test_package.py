#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Debian package: `dpkg-buildpackage -us -uc -b` builds it from this
tree (contrib/build-deb.sh, in a scratch copy), lintian reports no error and
only the warnings explained below, it holds every file of the service with
the right dependencies and maintainer scripts, and the service as packaged
(daemon, helper, bus policy, polkit policy, lxcctl from the .deb) answers on
a bus and starts a container. The Cockpit page is the second binary
package, cockpit-lxc (Architecture: all): its files, its dependencies, and
`dpkg -i` of both putting it under /usr/share/cockpit/lxc.

$LXCD_DEB_DIR: use the .deb already built there instead of building one."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import lxcdtest
from lxcdtest import CONTAINER_IFACE, MANAGER_IFACE, MANAGER_PATH

SRCDIR = os.environ.get('LXCD_SRCDIR', os.path.join(os.path.dirname(__file__), '..'))

# Lintian tags left, and why (also in the README's packaging notes).
ALLOWED_LINTIAN = {
    # Not an error: the service is D-Bus activated (dbus-daemon runs it
    # through its launch helper without systemd), so no init script.
    'package-supports-alternative-init-but-no-init.d-script',
    # The binaries are built with -D_FORTIFY_SOURCE=2 (checked below in the
    # build log); lintian's heuristic finds no fortifiable call it knows.
    'hardening-no-fortify-functions',
}

EXPECTED_FILES = [
    'usr/libexec/lxc-dbus',
    'usr/libexec/lxc-dbus-helper',
    'usr/bin/lxcctl',
    'usr/share/dbus-1/system.d/org.linuxcontainers.LXC1.conf',
    'usr/share/dbus-1/system-services/org.linuxcontainers.LXC1.service',
    'usr/share/dbus-1/interfaces/org.linuxcontainers.LXC1.Manager.xml',
    'usr/share/dbus-1/interfaces/org.linuxcontainers.LXC1.Container.xml',
    'usr/share/dbus-1/interfaces/org.linuxcontainers.LXC1.Job.xml',
    'usr/share/polkit-1/actions/org.linuxcontainers.LXC1.policy',
    'lib/systemd/system/lxc-dbus.service',
    'etc/lxc-dbus/lxc-dbus.conf',
    'usr/share/man/man1/lxcctl.1.gz',
    'usr/share/man/man5/lxc-dbus.conf.5.gz',
    'usr/share/man/man5/org.linuxcontainers.LXC1.5.gz',
    'usr/share/man/man8/lxc-dbus.8.gz',
    'usr/share/man/man8/lxc-dbus-helper.8.gz',
    'usr/share/bash-completion/completions/lxcctl',
    'usr/share/doc/lxc-dbus/api/lxc-dbus-api.html',
    'usr/share/doc/lxc-dbus/copyright',
    # Uncompressed, ready to copy into /etc/polkit-1/rules.d.
    'usr/share/doc/lxc-dbus/polkit-examples/50-lxc-dbus-operators.rules',
    'usr/share/doc/lxc-dbus/polkit-examples/50-lxc-dbus-user-containers.rules',
    'usr/share/doc/lxc-dbus/polkit-examples/50-lxc-dbus-monitor.rules',
]

COCKPIT_FILES = [
    'usr/share/cockpit/lxc/manifest.json',
    'usr/share/cockpit/lxc/index.html',
    'usr/share/cockpit/lxc/lxc.js',
    'usr/share/cockpit/lxc/lxc.css',
    'usr/share/cockpit/lxc/patternfly.min.css',
    'usr/share/cockpit/lxc/xterm.js',
    'usr/share/cockpit/lxc/xterm.css',
    'usr/share/doc/cockpit-lxc/copyright',
]

deb_dir = None
deb = None
cockpit_deb = None
cockpit_root = None
root = None
scratch = None


def setUpModule():
    global deb_dir, deb, root, scratch, cockpit_deb, cockpit_root
    scratch = tempfile.mkdtemp(prefix='lxcd-pkg-')
    deb_dir = os.environ.get('LXCD_DEB_DIR')
    if not deb_dir:
        deb_dir = os.path.join(scratch, 'deb')
        r = subprocess.run([os.path.join(SRCDIR, 'contrib', 'build-deb.sh'), deb_dir],
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError('build-deb.sh failed (%d):\n%s\n%s'
                               % (r.returncode, r.stdout[-3000:], r.stderr[-3000:]))
        lxcdtest._log(r.stdout.strip().splitlines()[0] if r.stdout.strip() else 'built')
    debs = [f for f in os.listdir(deb_dir) if re.match(r'lxc-dbus_.*\.deb$', f)]
    if len(debs) != 1:
        raise RuntimeError('expected one lxc-dbus .deb in %s, found %s' % (deb_dir, debs))
    deb = os.path.join(deb_dir, debs[0])
    root = os.path.join(scratch, 'root')
    subprocess.run(['dpkg-deb', '-x', deb, root], check=True)
    debs = [f for f in os.listdir(deb_dir) if re.match(r'cockpit-lxc_.*_all\.deb$', f)]
    if len(debs) != 1:
        raise RuntimeError('expected one cockpit-lxc _all.deb in %s, found %s' % (deb_dir, debs))
    cockpit_deb = os.path.join(deb_dir, debs[0])
    cockpit_root = os.path.join(scratch, 'cockpit-root')
    subprocess.run(['dpkg-deb', '-x', cockpit_deb, cockpit_root], check=True)


def tearDownModule():
    shutil.rmtree(scratch, ignore_errors=True)


def deb_field(name, package=None):
    return subprocess.run(['dpkg-deb', '-f', package or deb, name], capture_output=True,
                          text=True, check=True).stdout.strip()


def control_file(name):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(['dpkg-deb', '-e', deb, d], check=True)
        p = os.path.join(d, name)
        if not os.path.exists(p):
            return None
        with open(p) as f:
            return f.read()


class Package(unittest.TestCase):
    def test_lintian_reports_no_error_and_only_explained_warnings(self):
        with open(os.path.join(deb_dir, 'lintian.txt')) as f:
            report = f.read()
        tags = re.findall(r'^([EWIXOP]): (?:lxc-dbus(?:-dbgsym)?|cockpit-lxc)(?: \w+)?: ([\w.+-]+)',
                          report, re.M)
        errors = [t for level, t in tags if level == 'E']
        self.assertEqual(errors, [], report)
        unexplained = sorted({t for level, t in tags if level in 'WI'} - ALLOWED_LINTIAN)
        self.assertEqual(unexplained, [], report)

    def test_built_with_the_hardening_flags(self):
        with open(os.path.join(deb_dir, 'build.log')) as f:
            log = f.read()
        for flag in ('-D_FORTIFY_SOURCE=2', '-fstack-protector-strong', '-Wl,-z,relro',
                     '-Wl,-z,now'):
            self.assertIn(flag, log)

    def test_holds_every_file_of_the_service(self):
        for path in EXPECTED_FILES:
            self.assertTrue(os.path.lexists(os.path.join(root, path)), path)
        for path in ('usr/libexec/lxc-dbus', 'usr/libexec/lxc-dbus-helper', 'usr/bin/lxcctl'):
            self.assertTrue(os.access(os.path.join(root, path), os.X_OK), path)

    def test_activation_file_and_unit_point_at_the_packaged_daemon(self):
        with open(os.path.join(root, 'usr/share/dbus-1/system-services/'
                                     'org.linuxcontainers.LXC1.service')) as f:
            activation = f.read()
        self.assertIn('Exec=/usr/libexec/lxc-dbus\n', activation)
        self.assertIn('SystemdService=lxc-dbus.service', activation)
        with open(os.path.join(root, 'lib/systemd/system/lxc-dbus.service')) as f:
            unit = f.read()
        self.assertIn('ExecStart=/usr/libexec/lxc-dbus\n', unit)
        self.assertIn('BusName=org.linuxcontainers.LXC1', unit)

    def test_dependencies(self):
        depends = deb_field('Depends')
        for dep in ('liblxc1', 'liblxc-common', 'polkitd', 'libglib2.0-0',
                    'libpolkit-gobject-1-0', 'default-dbus-system-bus | dbus-system-bus'):
            self.assertIn(dep, depends)
        self.assertIn('lxc', deb_field('Recommends'))
        self.assertIn('rsync', deb_field('Recommends'))

    def test_config_file_is_a_conffile(self):
        self.assertIn('/etc/lxc-dbus/lxc-dbus.conf', control_file('conffiles') or '')

    def test_maintainer_scripts_enable_start_and_stop_the_unit_only(self):
        postinst = control_file('postinst') or ''
        self.assertRegex(postinst, r'deb-systemd-helper (--quiet )?(unmask|enable) .*lxc-dbus.service')
        self.assertIn('_dh_action=start', postinst)
        self.assertRegex(postinst, r"deb-systemd-invoke \$_dh_action 'lxc-dbus.service'")
        stop = (control_file('prerm') or '') + (control_file('postrm') or '')
        self.assertRegex(stop, r'deb-systemd-invoke stop .*lxc-dbus.service')
        # Removing the package never touches containers.
        for name in ('preinst', 'postinst', 'prerm', 'postrm'):
            text = control_file(name) or ''
            for word in ('/var/lib/lxc', 'lxc-destroy', 'lxc-stop', 'lxcpath'):
                self.assertNotIn(word, text, name)

    def test_man_pages_render(self):
        if shutil.which('man') is None:
            self.skipTest('man is not installed')
        for page in ('usr/share/man/man5/org.linuxcontainers.LXC1.5.gz',
                     'usr/share/man/man8/lxc-dbus.8.gz'):
            r = subprocess.run(['man', '-l', os.path.join(root, page)], capture_output=True,
                               text=True, env=dict(os.environ, MANWIDTH='80'))
            self.assertEqual(r.returncode, 0, r.stderr)
            text = re.sub(r'.\x08', '', r.stdout)  # overstrike bold/underline
            self.assertIn('SEE ALSO', text)
            self.assertIn('lxc-dbus', text.splitlines()[0].lower())


class CockpitPackage(unittest.TestCase):
    """cockpit-lxc: the page and nothing else, for every architecture."""

    def test_fields(self):
        self.assertEqual(deb_field('Architecture', cockpit_deb), 'all')
        self.assertEqual(deb_field('Source', cockpit_deb), 'lxc-dbus')
        depends = deb_field('Depends', cockpit_deb)
        self.assertIn('cockpit-bridge', depends)
        self.assertRegex(depends, r'lxc-dbus \(>= ')

    def test_holds_the_page(self):
        for path in COCKPIT_FILES:
            self.assertTrue(os.path.isfile(os.path.join(cockpit_root, path)), path)
        with open(os.path.join(cockpit_root, 'usr/share/cockpit/lxc/manifest.json')) as f:
            manifest = json.load(f)
        self.assertIn('index', manifest['menu'])
        with open(os.path.join(cockpit_root, 'usr/share/cockpit/lxc/index.html')) as f:
            html = f.read()
        for ref in ('../base1/cockpit.js', 'patternfly.min.css', 'xterm.js', 'lxc.js'):
            self.assertIn(ref, html)
        with open(os.path.join(cockpit_root, 'usr/share/cockpit/lxc/lxc.js')) as f:
            self.assertIn('org.linuxcontainers.LXC1', f.read())
        # the vendored licences are in the copyright file, not in the page
        with open(os.path.join(cockpit_root, 'usr/share/doc/cockpit-lxc/copyright')) as f:
            copyright = f.read()
        self.assertIn('cockpit/vendor/xterm.js', copyright)
        self.assertIn('cockpit/vendor/patternfly.min.css', copyright)

    def test_page_is_only_in_cockpit_lxc(self):
        self.assertFalse(os.path.exists(os.path.join(root, 'usr/share/cockpit')))
        files = subprocess.run(['dpkg-deb', '-c', cockpit_deb], capture_output=True, text=True,
                               check=True).stdout
        for line in files.splitlines():
            path = line.split()[-1].lstrip('.')
            self.assertTrue(path.startswith(('/usr/share/cockpit/lxc', '/usr/share/doc/cockpit-lxc',
                                             '/usr/share/lintian/overrides'))
                            or path in ('/', '/usr/', '/usr/share/', '/usr/share/cockpit/',
                                        '/usr/share/doc/', '/usr/share/lintian/'), path)


def _mount(*args):
    subprocess.run(['mount'] + list(args), check=True, capture_output=True, text=True)


class Installed(unittest.TestCase):
    """`dpkg -i`, `dpkg -r`, `dpkg --purge` for real, in an overlay of the
    host's root file system seen only by this test's private mount
    namespace (tests/run-test), so the host's dpkg database and files never
    change: the maintainer scripts run against the host's real package
    database and dependencies. No systemd runs here, so the scripts enable
    the unit (symlinks) but cannot start or stop it: the test starts the
    installed daemon itself, on its private bus with the installed bus and
    polkit policies, and stops it as systemd would (SIGTERM to the main
    process only, KillMode=process)."""

    @classmethod
    def setUpClass(cls):
        lxcdtest.check_private_mount_namespace((scratch,))
        cls.ovl = os.path.join(scratch, 'ovl')
        os.makedirs(cls.ovl)
        _mount('-t', 'tmpfs', 'tmpfs', cls.ovl)
        for d in ('upper', 'work', 'root'):
            os.makedirs(os.path.join(cls.ovl, d))
        cls.root = os.path.join(cls.ovl, 'root')
        try:
            _mount('-t', 'overlay', 'overlay', '-o',
                   'lowerdir=/,upperdir=%s/upper,workdir=%s/work' % (cls.ovl, cls.ovl), cls.root)
        except subprocess.CalledProcessError as e:
            raise unittest.SkipTest('no overlay of / here: %s' % e.stderr.strip())
        _mount('-t', 'proc', 'proc', os.path.join(cls.root, 'proc'))
        _mount('--rbind', '/dev', os.path.join(cls.root, 'dev'))
        # A container in the chroot's default lxcpath: package operations
        # must leave it alone.
        cls.keep = os.path.join(cls.root, 'var/lib/lxc/keepme')
        os.makedirs(cls.keep, exist_ok=True)
        with open(os.path.join(cls.keep, 'config'), 'w') as f:
            f.write('lxc.uts.name = keepme\nlxc.rootfs.path = dir:%s/rootfs\n' % cls.keep[len(cls.root):])
        shutil.copy(deb, os.path.join(cls.root, 'tmp', 'lxc-dbus.deb'))
        shutil.copy(cockpit_deb, os.path.join(cls.root, 'tmp', 'cockpit-lxc.deb'))
        cls.install = cls.dpkg('-i', '/tmp/lxc-dbus.deb')
        cls.cockpit_install = None
        if os.path.exists('/usr/share/cockpit/base1'):     # cockpit-bridge is on the host
            cls.cockpit_install = cls.dpkg('-i', '/tmp/cockpit-lxc.deb')
        cls.stack = None

    @classmethod
    def tearDownClass(cls):
        if cls.stack:
            cls.stack.close()
        subprocess.run(['umount', '-R', cls.ovl], capture_output=True)

    @classmethod
    def dpkg(cls, *args):
        return subprocess.run(['chroot', cls.root, 'dpkg'] + list(args), capture_output=True,
                              text=True, timeout=300,
                              env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))

    def path(self, rel):
        return os.path.join(self.root, rel)

    def test_1_install_enables_the_unit(self):
        self.assertEqual(self.install.returncode, 0, self.install.stdout + self.install.stderr)
        status = self.dpkg('-s', 'lxc-dbus').stdout
        self.assertIn('Status: install ok installed', status)
        for f in EXPECTED_FILES:
            self.assertTrue(os.path.lexists(self.path(f)), f)
        wants = self.path('etc/systemd/system/multi-user.target.wants/lxc-dbus.service')
        self.assertEqual(os.readlink(wants), '/lib/systemd/system/lxc-dbus.service')
        alias = self.path('etc/systemd/system/dbus-org.linuxcontainers.LXC1.service')
        self.assertEqual(os.readlink(alias), '/lib/systemd/system/lxc-dbus.service')

    def test_1b_install_cockpit_lxc_puts_the_page_in_cockpit(self):
        if self.cockpit_install is None:
            self.skipTest('cockpit-bridge is not installed here')
        r = self.cockpit_install
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('Status: install ok installed', self.dpkg('-s', 'cockpit-lxc').stdout)
        for f in COCKPIT_FILES:
            self.assertTrue(os.path.isfile(self.path(f)), f)
        listed = self.dpkg('-L', 'cockpit-lxc').stdout.split()
        self.assertIn('/usr/share/cockpit/lxc/index.html', listed)

    def test_2_installed_service_answers_and_is_stopped_like_systemd_does(self):
        cls = type(self)
        cls.stack = stack = lxcdtest.Stack(
            bus_policy=self.path('usr/share/dbus-1/system.d/org.linuxcontainers.LXC1.conf'),
            polkit_policy=self.path('usr/share/polkit-1/actions/org.linuxcontainers.LXC1.policy'),
            daemon=self.path('usr/libexec/lxc-dbus')).start()
        stack.make_container('pkg1')
        stack.start_daemon()
        r = stack.call(MANAGER_PATH, MANAGER_IFACE, 'ListContainers', "('all', @a{sv} {})")
        self.assertTrue(r.ok, r)
        self.assertIn("'pkg1'", r.result_text)
        # The installed lxcctl, on the same bus.
        r = subprocess.run([self.path('usr/bin/lxcctl'), '--json', 'list'],
                           capture_output=True, text=True, env=stack.env(), timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"pkg1"', r.stdout)
        # The installed polkit policy refuses an unprivileged caller.
        path = lxcdtest.container_path('pkg1')
        r = stack.call_as(lxcdtest.UNPRIV_UID, path, CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        self.assertEqual(r.error_name, lxcdtest.ERROR_PREFIX + 'NotAuthorized')
        # Root starts it, through the installed helper.
        r = stack.call(path, CONTAINER_IFACE, 'Start', '(@a{sv} {},)')
        self.assertTrue(r.ok, r)
        self.assertEqual(stack.container_state('pkg1'), 'RUNNING')
        self.assertIn(self.path('usr/libexec/lxc-dbus-helper'), stack.daemon_log_text())
        # "systemctl stop" with KillMode=process: SIGTERM to the daemon only.
        stack.daemon_proc.terminate()
        self.assertEqual(stack.daemon_proc.wait(30), 0)
        self.assertEqual(stack.container_state('pkg1'), 'RUNNING')

    def test_3_remove_and_purge_leave_containers_alone(self):
        before = sorted(os.listdir(self.keep))
        if self.cockpit_install is not None:
            r = self.dpkg('--purge', 'cockpit-lxc')
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertFalse(os.path.exists(self.path('usr/share/cockpit/lxc')))
        r = self.dpkg('-r', 'lxc-dbus')
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(os.path.exists(self.path('usr/libexec/lxc-dbus')))
        self.assertFalse(os.path.exists(self.path('usr/share/dbus-1/system.d/'
                                                  'org.linuxcontainers.LXC1.conf')))
        # Removed, not purged: the administrator's configuration stays.
        self.assertTrue(os.path.exists(self.path('etc/lxc-dbus/lxc-dbus.conf')))
        r = self.dpkg('--purge', 'lxc-dbus')
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(os.path.exists(self.path('etc/lxc-dbus')))
        self.assertFalse(os.path.lexists(
            self.path('etc/systemd/system/multi-user.target.wants/lxc-dbus.service')))
        self.assertFalse(os.path.lexists(
            self.path('etc/systemd/system/dbus-org.linuxcontainers.LXC1.service')))
        self.assertEqual(sorted(os.listdir(self.keep)), before)
        if self.stack:
            self.assertEqual(self.stack.container_state('pkg1'), 'RUNNING')
            self.stack.stop_container('pkg1')


if __name__ == '__main__':
    lxcdtest.main()
