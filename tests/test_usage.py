#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Container.GetUsage: what a running container uses of the host, read
from its cgroups (through liblxc) and its init's procfs; no authorization
(as the properties). The figures are checked against the cgroup files
themselves, through GDBus, busctl and an unprivileged caller."""
import json
import os
import subprocess
import time

import lxcdtest
import lxcclient
from lxcdtest import BUS_NAME, CONTAINER_IFACE, UNPRIV_UID

stack = None


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    stack.make_container('c1')
    stack.make_container('c2')
    stack.start_daemon()
    stack.start_container('c1')
    stack.wait_init_ready('c1')


def tearDownModule():
    stack.close()


def cgroup_file(name, controller, item):
    """The cgroup v1 file *item* of container *name*'s payload cgroup (as
    its init sees it in /proc/PID/cgroup, from the host)."""
    pid = stack.client().container(name).init_pid
    with open('/proc/%d/cgroup' % pid) as f:
        for line in f:
            _, controllers, path = line.rstrip('\n').split(':', 2)
            if controller in controllers.split(','):
                return os.path.join('/sys/fs/cgroup', controller, path.lstrip('/'), item)
    raise AssertionError('no %s cgroup for %s' % (controller, name))


def read_int(path):
    with open(path) as f:
        return int(f.read().split()[0])


V1 = os.path.isdir('/sys/fs/cgroup/memory')


class Usage(lxcdtest.TestCase):
    def usage(self, name='c1', **options):
        return stack.client().container(name).get_usage(**options)

    def test_keys_and_types(self):
        usage = self.usage()
        for key in ('cpu_usage_ns', 'memory_current', 'memory_peak', 'processes',
                    'io_read_bytes', 'io_write_bytes', 'net_rx_bytes', 'net_tx_bytes',
                    'started_usec'):
            self.assertIn(key, usage)
            self.assertIsInstance(usage[key], int)
        self.assertGreater(usage['cpu_usage_ns'], 0)
        self.assertGreater(usage['memory_current'], 0)
        self.assertGreaterEqual(usage['memory_peak'], usage['memory_current'] // 2)
        self.assertGreaterEqual(usage['processes'], 1)
        # lxc.net.0.type = empty: only lo, which is not counted
        self.assertEqual((usage['net_rx_bytes'], usage['net_tx_bytes']), (0, 0))

    def test_started_is_the_inits_start(self):
        usage = self.usage()
        pid = stack.client().container('c1').init_pid
        # the init's start, from /proc/PID's own time stamp (a second's precision)
        ctime = os.stat('/proc/%d' % pid).st_ctime
        self.assertLess(abs(usage['started_usec'] / 1e6 - ctime), 5.0)
        self.assertLess(usage['started_usec'] / 1e6, time.time())

    def test_figures_match_the_cgroup_files(self):
        if not V1:
            self.skipTest('the host has no cgroup v1 memory controller')
        usage = self.usage()
        self.assertEqual(usage['processes'], read_int(cgroup_file('c1', 'pids', 'pids.current')))
        cpu = read_int(cgroup_file('c1', 'cpuacct', 'cpuacct.usage'))
        self.assertLessEqual(usage['cpu_usage_ns'], cpu)
        peak = read_int(cgroup_file('c1', 'memory', 'memory.max_usage_in_bytes'))
        self.assertLessEqual(usage['memory_peak'], peak)

    def test_cpu_time_grows_with_work(self):
        before = self.usage()['cpu_usage_ns']
        result = stack.client().container('c1').run(
            ['/bin/sh', '-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'])
        self.assertEqual(result.status, 0)
        self.assertGreater(self.usage()['cpu_usage_ns'], before)

    def test_memory_limit_follows_the_cgroup(self):
        c1 = stack.client().container('c1')
        if V1:
            key = 'memory.limit_in_bytes'
        else:
            key = 'memory.max'
        self.assertNotIn('memory_limit', self.usage())   # no limit: left out
        c1.set_cgroup_item(key, str(256 * 1024 * 1024))
        try:
            self.assertEqual(self.usage()['memory_limit'], 256 * 1024 * 1024)
        finally:
            c1.set_cgroup_item(key, '-1' if V1 else 'max')
        self.assertNotIn('memory_limit', self.usage())

    def test_busctl(self):
        path = lxcdtest.container_path('c1')
        out = subprocess.run(['busctl', '--system', '--json=short', 'call', BUS_NAME, path,
                              CONTAINER_IFACE, 'GetUsage', 'a{sv}', '0'],
                             capture_output=True, text=True, check=True).stdout
        data = json.loads(out)['data'][0]
        self.assertEqual(data['processes']['type'], 't')
        self.assertGreater(data['memory_current']['data'], 0)

    def test_unprivileged_caller_needs_no_authorization(self):
        # no rule grants anything: the polkit default for every action is
        # auth_admin, which a non-interactive caller is refused
        user = stack.client_as(UNPRIV_UID)
        usage = user.container('c1').get_usage()
        self.assertGreater(usage['memory_current'], 0)
        with self.assertRaisesDBus('NotAuthorized'):
            user.container('c1').get_config_item('lxc.uts.name')

    def test_stopped_container_is_wrong_state(self):
        with self.assertRaisesDBus('WrongState'):
            self.usage('c2')

    def test_unknown_option_is_invalid(self):
        with self.assertRaisesDBus('InvalidArgument'):
            self.usage(no_such_option=True)

    def test_cost_of_a_read(self):
        # the figure for the closing note; bench/ measures it properly
        client = stack.client().container('c1')
        t0 = time.monotonic()
        for _ in range(20):
            client.get_usage()
        per_call = (time.monotonic() - t0) / 20
        lxcdtest._log('GetUsage: %.2f ms per call' % (per_call * 1000))
        self.assertLess(per_call, 1.0 * lxcdtest.SLOWDOWN)


if __name__ == '__main__':
    lxcdtest.main()
