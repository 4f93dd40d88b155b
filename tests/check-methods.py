#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The method table (src/lxcd-methods.c, dumped by test-methods --dump)
against the API documentation: each method's "Authorization:" paragraph in
introspection/*.xml names the table's action first (or says none is
needed), and documents the Job it runs as.  TAP output.

    check-methods.py TEST-METHODS-BINARY INTERFACE.xml...
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import tap

PREFIX = 'org.linuxcontainers.LXC1.'


def docs(xml_path):
    """{(short interface, method): its doc comment}"""
    text = open(xml_path).read()
    iface = re.search(r'<interface name="%s(\w+)"' % re.escape(PREFIX), text).group(1)
    out = {}
    for m in re.finditer(r'<!--(.*?)-->\s*<method name="(\w+)"', text, re.S):
        out[(iface, m.group(2))] = m.group(1)
    names = [e.get('name') for e in ET.parse(xml_path).getroot().iter('method')]
    return iface, names, out


def main():
    binary, xmls = sys.argv[1], sys.argv[2:]
    rows = {}
    for line in subprocess.run([binary, '--dump'], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        iface, method, action, flags, also = line.split('\t')
        rows[(iface, method)] = (None if action == '-' else action, flags.split(','))
    results = []
    for path in xmls:
        iface, names, comments = docs(path)
        for name in names:
            key = (iface, name)
            text = ' '.join(comments.get(key, '').split())
            action, flags = rows.get(key, (None, []))
            problems = []
            if key not in rows:
                problems.append('no row in the method table')
            auth = re.search(r'Authorization(?: and errors)?: (.*?)(?:Errors:|$)', text)
            if action is None:
                if auth and re.search(r'``%s[\w-]+``' % re.escape(PREFIX), auth.group(1)) and \
                        'none' not in auth.group(1).lower():
                    problems.append('the table checks nothing, the docs name an action')
            elif iface == 'Job':
                if not auth or PREFIX + action not in auth.group(1):
                    problems.append('docs do not name %s' % action)
            elif auth is None:
                if not re.search(r'``%s%s``' % (re.escape(PREFIX), re.escape(action)), text):
                    problems.append('no Authorization paragraph naming %s' % action)
            else:
                first = re.search(r'``%s([\w-]+)``' % re.escape(PREFIX), auth.group(1))
                same = re.match(r'as for (\w+)\(\)', auth.group(1))
                if same:
                    if rows.get((iface, same.group(1)), (None,))[0] != action:
                        problems.append('"as for" %s, which has another action' % same.group(1))
                elif first is None or first.group(1) != action:
                    problems.append('docs name %s first, the table %s' % (
                        first and first.group(1), action))
            if 'job' in flags and 'Job' not in text:
                problems.append('runs as a Job, the docs do not say so')
            results.append((key, problems))
    return tap.report([('%s.%s%s' % (iface, name, ': ' + '; '.join(problems) if problems else ''),
                        not problems) for (iface, name), problems in results])

if __name__ == '__main__':
    sys.exit(main())
