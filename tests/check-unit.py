#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The systemd unit is as tight as liblxc allows, and says why it is not
tighter: every sandboxing option `systemd-analyze security` asks about that
the unit leaves off is named in a comment of the unit (with the liblxc
operation that needs it off), so a new check in a newer systemd, or a
removed comment, fails here. Prints the overall exposure score.

Usage: check-unit.py UNIT_FILE (TAP output)"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import tap


def main():
    unit = sys.argv[1]
    with open(unit) as f:
        text = f.read()
    comments = '\n'.join(line for line in text.splitlines() if line.startswith('#'))
    settings = dict(re.findall(r'^(\w+)=(.*)$', text, re.M))
    checks = []

    if shutil.which('systemd-analyze') is None:
        print('1..0 # SKIP systemd-analyze is not installed')
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        # systemd-analyze wants the unit's real name.
        path = os.path.join(tmp, 'lxc-dbus.service')
        shutil.copy(unit, path)
        out = subprocess.run(['systemd-analyze', 'security', '--offline=yes', '--json=short',
                              path], capture_output=True, text=True)
        human = subprocess.run(['systemd-analyze', 'security', '--offline=yes', path],
                               capture_output=True, text=True)
    checks.append(('systemd-analyze security runs: %s' % out.stderr.strip()[:200],
                   out.returncode == 0 or bool(out.stdout.strip())))
    entries = json.loads(out.stdout) if out.stdout.strip() else []
    options = set()
    for e in entries:
        if e.get('set') is not False:
            continue
        for name in re.findall(r'(\w+)=', e['name']):
            options.add(name)
    for name in sorted(options):
        if name in settings:
            ok = '%s=' % name in comments
            what = '%s= is set to %s and explained' % (name, settings[name])
        else:
            ok = '%s=' % name in comments
            what = '%s= stays off with a reason in a comment' % name
        checks.append((what, ok))
    checks.append(('the unit keeps containers alive (KillMode=process)',
                   settings.get('KillMode') == 'process'))
    checks.append(('Delegate=yes', settings.get('Delegate') == 'yes'))

    score = re.search(r'Overall exposure level for \S+: (.*)', human.stdout)
    return tap.report(checks, [score.group(0) if score else 'no overall exposure score printed'])


if __name__ == '__main__':
    sys.exit(main())
