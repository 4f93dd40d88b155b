#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Freeze right after Start: 50 freezes issued 0-2 s after a Start reply
all succeed, each within 2 s (cgroup v1's freezer can stay FREEZING while
a task of the young container is in vfork; the service thaws and tries
again within one deadline), and the container is FROZEN and runs again
after Unfreeze."""
import os
import random
import time

import lxcdtest

stack = None
ROUNDS = 50


def setUpModule():
    global stack
    stack = lxcdtest.Stack().start()
    stack.make_container('f1')
    stack.start_daemon()


def tearDownModule():
    stack.close()


class FreezeAfterStart(lxcdtest.TestCase):
    def test_fifty_freezes_right_after_start(self):
        c = stack.client().container('f1')
        rng = random.Random(20261205)
        slow = []
        failed = []
        for i in range(ROUNDS):
            c.start()
            try:
                time.sleep(rng.uniform(0.0, float(os.environ.get("FREEZE_MAX_DELAY", "2.0"))))
                t0 = time.monotonic()
                try:
                    c.freeze()
                except lxcdtest.lxcclient.Error as e:
                    failed.append((i, e.name, e.message))
                    continue
                took = time.monotonic() - t0
                if took > 2.0 * lxcdtest.SLOWDOWN:
                    slow.append((i, round(took, 2)))
                self.assertEqual(c.state, 'FROZEN')
                c.unfreeze()
                self.assertEqual(c.state, 'RUNNING')
            finally:
                c.stop()
        lxcdtest._log('freeze after start: %d of %d failed, %d slow' % (len(failed), ROUNDS,
                                                                       len(slow)))
        self.assertEqual(failed, [])
        self.assertEqual(slow, [])


if __name__ == '__main__':
    lxcdtest.main()
