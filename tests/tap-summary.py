#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Counts the TAP results of one or more meson test runs.

Usage: tap-summary.py BUILDDIR...

Reads BUILDDIR/meson-logs/testlog.json (one JSON object per test) and counts
every TAP line: "ok" as passed, "not ok" as failed, "# SKIP" as skipped. A
test that printed no TAP result line (it crashed or timed out before its
plan) counts as one failure. Prints one line "N passed, N failed, N skipped"
and exits non-zero if anything failed.
"""
import json
import re
import sys

OK = re.compile(r'^ok\b(.*)$')
NOT_OK = re.compile(r'^not ok\b(.*)$')


def count(builddir):
    passed = failed = skipped = 0
    with open(f'{builddir}/meson-logs/testlog.json', encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            entry = json.loads(line)
            results = 0
            for out in (entry.get('stdout') or '').splitlines():
                out = out.strip()
                if NOT_OK.match(out):
                    results += 1
                    if '# TODO' in out:
                        passed += 1
                    else:
                        failed += 1
                elif OK.match(out):
                    results += 1
                    if '# SKIP' in out.upper():
                        skipped += 1
                    else:
                        passed += 1
            if results == 0:
                if entry.get('result') == 'SKIP':
                    skipped += 1
                elif entry.get('result') in ('OK', 'EXPECTEDFAIL'):
                    passed += 1
                else:
                    failed += 1
            elif entry.get('result') not in ('OK', 'SKIP', 'EXPECTEDFAIL'):
                # All subtests passed but the test itself failed (bad exit
                # status, sanitizer abort after the plan, timeout).
                if not any(NOT_OK.match(o.strip()) for o in (entry.get('stdout') or '').splitlines()):
                    failed += 1
    return passed, failed, skipped


def main():
    total = [0, 0, 0]
    for builddir in sys.argv[1:]:
        for i, n in enumerate(count(builddir)):
            total[i] += n
    print(f'{total[0]} passed, {total[1]} failed, {total[2]} skipped')
    return 1 if total[1] else 0


if __name__ == '__main__':
    sys.exit(main())
