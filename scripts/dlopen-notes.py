#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""dlopen-notes.py LIB [FEATURE...] | --sonames LIB: the ELF dlopen metadata notes of LIB (owner
"FDO", type 0x407c0c0a in .note.dlopen; systemd.io/ELF_DLOPEN_METADATA).

LIB alone: print each declared library as a JSON line. With FEATUREs (the test): also check that
exactly those features are declared, each with a soname that LIB does not link (no DT_NEEDED).
--sonames: print the sonames only, one a line, for whoever copies a program with its libraries
(an initramfs builder): ldd cannot see them. Reads the section with readelf (binutils only)."""
import json
import re
import subprocess
import sys

NOTE_TYPE = 0x407C0C0A


def section_bytes(lib, name):
    out = subprocess.run(['readelf', '-x', name, lib], capture_output=True, text=True).stdout
    data = bytearray()
    for line in out.splitlines():
        m = re.match(r'\s+0x[0-9a-f]+ ((?:[0-9a-f]{2,8} ){1,4})', line)
        if m:
            data += bytes.fromhex(m.group(1).replace(' ', ''))
    return bytes(data)


def notes(data):
    pos = 0
    while pos + 12 <= len(data):
        namesz, descsz, ntype = (int.from_bytes(data[pos + i:pos + i + 4], 'little')
                                 for i in (0, 4, 8))
        pos += 12
        name = data[pos:pos + namesz].rstrip(b'\0').decode()
        pos += (namesz + 3) & ~3
        desc = data[pos:pos + descsz].rstrip(b'\0').decode()
        pos += (descsz + 3) & ~3
        yield name, ntype, desc


def main():
    if sys.argv[1] == '--sonames':
        for _, ntype, desc in notes(section_bytes(sys.argv[2], '.note.dlopen')):
            if ntype == NOTE_TYPE:
                for entry in json.loads(desc):
                    print('\n'.join(entry.get('soname', [])))
        return 0
    lib, want = sys.argv[1], sorted(sys.argv[2:])
    found = []
    for name, ntype, desc in notes(section_bytes(lib, '.note.dlopen')):
        if name != 'FDO' or ntype != NOTE_TYPE:
            print('unexpected note %r 0x%x' % (name, ntype))
            return 1
        for entry in json.loads(desc):
            print(json.dumps(entry, sort_keys=True))
            found.append(entry)
    if len(sys.argv) == 2:
        return 0
    needed = subprocess.run(['readelf', '-d', lib], capture_output=True, text=True).stdout
    features = sorted(e['feature'] for e in found)
    if features != want:
        print('features %s, expected %s' % (features, want))
        return 1
    for e in found:
        if e['priority'] not in ('required', 'recommended', 'suggested') or not e['soname']:
            print('bad entry %s' % e)
            return 1
        for so in e['soname']:
            if '[%s]' % so in needed:
                print('%s is both dlopen\'ed and linked' % so)
                return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
