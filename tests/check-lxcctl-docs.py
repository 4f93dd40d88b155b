#!/usr/bin/python3
"""lxcctl(1) covers lxcctl: every verb of ``lxcctl --help``, each verb's
aliases and every option its ``--help`` lists are named in the man page.

Usage: check-lxcctl-docs.py MAN LXCCTL (TAP output)"""
import re
import subprocess
import sys

import tap


def roff_text(path):
    """The words of a man page's roff source, escapes removed."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    text = re.sub(r'\\f[BIRP]|\\f\(..|\\&|\\%', '', text)
    return text.replace('\\-', '-').replace('\\(aq', "'").replace('\\e', '\\')


def help_text(lxcctl, *args):
    return subprocess.run([lxcctl] + list(args) + ['--help'], capture_output=True, text=True,
                          check=True).stdout


def main():
    man, lxcctl = sys.argv[1:3]
    page = roff_text(man)
    checks = []
    top = help_text(lxcctl)
    verbs_part = top.split('\nVerbs:\n', 1)[1].split('\n\n', 1)[0]
    verbs = re.findall(r'^  (\S+) ', verbs_part, re.M)
    checks.append(('lxcctl --help lists verbs', len(verbs) > 10))
    options = set(re.findall(r'(?<![\w-])(--[a-z][a-z-]*)', top))
    for verb in verbs:
        text = help_text(lxcctl, verb)
        checks.append(('verb %s in %s' % (verb, man),
                       re.search(r'^\.B .*\b%s\b' % re.escape(verb), page, re.M) is not None))
        alias_line = re.search(r'^Also called: (.*)$', text, re.M)
        for alias in alias_line.group(1).split() if alias_line else []:
            checks.append(('alias %s of %s in %s' % (alias, verb, man),
                           re.search(r'\b%s\b' % re.escape(alias), page) is not None))
        options.update(re.findall(r'(?<![\w-])(--[a-z][a-z-]*)', text.split('\nGlobal options', 1)[0]))
        for short in re.findall(r'^  (-[a-zA-Z]), --', text, re.M):
            checks.append(('option %s of %s in %s' % (short, verb, man), short in page))
    for option in sorted(options):
        checks.append(('option %s in %s' % (option, man), option in page))

    return tap.report(checks)


if __name__ == '__main__':
    sys.exit(main())
