#!/usr/bin/python3
"""Benchmark: `lxcctl list` (and --json) with 100 containers, beside
`lxc-ls -f` on the same lxcpath, in the same run.

    LXCD_BUILDDIR=_build/test tests/run-test bench/lxcctl_list.py [ROUNDS]
"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
import lxcdtest  # noqa: E402


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    stack = lxcdtest.Stack().start()
    try:
        for i in range(100):
            stack.make_container('c%03d' % i)
        stack.start_daemon(timeout=60)
        lxcctl = os.path.join(lxcdtest.BUILDDIR, 'src', 'lxcctl')
        env = stack.env()
        cmds = {
            'lxcctl list': [lxcctl, 'list'],
            'lxcctl --json list': [lxcctl, '--json', 'list'],
            'lxc-ls -f': ['lxc-ls', '-P', stack.lxcpath, '-f'],
        }
        print('%-22s %10s   (100 containers, median of %d)' % ('command', 'ms', rounds))
        for name, argv in cmds.items():
            samples = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                out = subprocess.run(argv, capture_output=True, text=True, env=env)
                samples.append(time.perf_counter() - t0)
                assert out.returncode == 0, out.stderr
                assert out.stdout.count('c0') >= 100, out.stdout[:200]
            print('%-22s %10.1f' % (name, statistics.median(samples) * 1000))
    finally:
        stack.close()


if __name__ == '__main__':
    main()
