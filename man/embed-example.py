#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""embed-example.py TEMPLATE EXAMPLE OUTPUT: put a C file into a roff page at @EXAMPLE@, escaped
so that roff prints it as written (backslashes, and lines that would start a request)."""
import sys

template, example, output = sys.argv[1:4]
lines = []
for line in open(example).read().rstrip('\n').split('\n'):
    line = line.replace('\\', '\\e').replace('\t', '        ')
    if line.startswith(('.', "'")):
        line = '\\&' + line
    lines.append(line)
text = open(template).read().replace('@EXAMPLE@', '\n'.join(lines))
open(output, 'w').write(text)
