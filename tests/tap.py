# SPDX-License-Identifier: LGPL-2.1-or-later
"""TAP output for the check-*.py scripts: one line per (description, ok)."""


def report(checks, comments=()):
    """Print *checks* ([(what, ok)]) as TAP 13 (with # *comments* first);
    returns the exit status: 0 if every check passed."""
    print('TAP version 13')
    for comment in comments:
        print('# %s' % comment)
    for i, (what, ok) in enumerate(checks, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, what))
    print('1..%d' % len(checks))
    return 0 if all(ok for _, ok in checks) else 1
