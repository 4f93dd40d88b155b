#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The man pages cover the code: org.linuxcontainers.LXC1(5) names every
method, property and signal of the introspection XML (and each method's
arguments), and lxc-dbus(8) every option of ``lxc-dbus --help``.

Usage: check-docs.py API_MAN DAEMON_MAN DAEMON XML... (TAP output)"""
import re
import subprocess
import sys

import tap
import xml.etree.ElementTree as ET


def roff_text(path):
    """The words of a man page's roff source, escapes removed."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    text = re.sub(r'\\f[BIRP]|\\f\(..|\\&|\\%', '', text)
    return text.replace('\\-', '-').replace('\\(aq', "'").replace('\\e', '\\')


def main():
    api_man, daemon_man, daemon = sys.argv[1:4]
    xml_files = sys.argv[4:]
    checks = []

    api = roff_text(api_man)
    for xml in xml_files:
        for iface in ET.parse(xml).getroot().iter('interface'):
            name = iface.get('name')
            checks.append(('interface %s in %s' % (name, api_man), name in api))
            for kind in ('method', 'property', 'signal'):
                for member in iface.iter(kind):
                    # gdbus-codegen's notation: Iface.Method, Iface:Property, Iface::Signal
                    sep = {'method': '.', 'property': ':', 'signal': '::'}[kind]
                    full = name + sep + member.get('name')
                    ok = full in api
                    args = [a.get('name') for a in member.iter('arg')]
                    missing = [a for a in args if not re.search(r'\b%s\b' % re.escape(a), api)]
                    checks.append(('%s %s documented%s' % (kind, full,
                                   ' (arguments missing: %s)' % missing if missing else ''),
                                   ok and not missing))

    help_text = subprocess.run([daemon, '--help'], capture_output=True, text=True).stdout
    options = sorted(set(re.findall(r'--([a-z][a-z-]+)', help_text)) - {'help', 'help-all'})
    checks.append(('lxc-dbus --help lists options', bool(options)))
    dman = roff_text(daemon_man)
    for opt in options:
        checks.append(('option --%s in %s' % (opt, daemon_man), ('--' + opt) in dman))

    return tap.report(checks)


if __name__ == '__main__':
    sys.exit(main())
