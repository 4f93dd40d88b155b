#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print, one a line, every method of the given introspection XML files
that passes a descriptor (an argument whose type has an `h`), as
gdbus-codegen's --annotate wants it: `org.example.Iface.Method()`. The
client's proxies of those methods take and return a GUnixFDList.

    fd-methods.py FILE.xml..."""
import sys
import xml.etree.ElementTree as ET

for path in sys.argv[1:]:
    for iface in ET.parse(path).getroot().iter('interface'):
        for method in iface.iter('method'):
            if any('h' in arg.get('type', '') for arg in method.iter('arg')):
                print('%s.%s()' % (iface.get('name'), method.get('name')))
