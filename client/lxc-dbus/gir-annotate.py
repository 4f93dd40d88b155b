#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Copy gdbus-codegen's C output, adding `(array zero-terminated=1)` to the
doc comments of its `const gchar *const *` parameters (D-Bus `as` and `ao`
arguments), which gdbus-codegen leaves unannotated and g-ir-scanner would
otherwise read as one string. Only g-ir-scanner reads the copy; the
library is built from the original.

    gir-annotate.py INPUT.c OUTPUT.c"""
import re
import sys

BLOCK = re.compile(r'/\*\*\n.*?\*/\n([^{;]*?)[{;]', re.S)
STRV_PARAM = re.compile(r'const gchar \*const \*(\w+)')


def annotate(match):
    block = match.group(0)
    for name in STRV_PARAM.findall(match.group(1)):
        tag = r'(\* @%s:)' % re.escape(name)
        if re.search(tag + r' \(array', block):
            continue
        if re.search(tag + r' \(', block):
            block = re.sub(tag, r'\1 (array zero-terminated=1)', block, count=1)
        else:
            block = re.sub(tag, r'\1 (array zero-terminated=1):', block, count=1)
    return block


def main():
    src, dst = sys.argv[1:3]
    with open(src) as f:
        text = f.read()
    with open(dst, 'w') as f:
        f.write(BLOCK.sub(annotate, text))


if __name__ == '__main__':
    main()
