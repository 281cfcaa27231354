#!/usr/bin/env python3
# depmod-dumpindex.py: print every key, priority and value of a modules.*.bin index, one
# "key\tpriority\tvalue" line each, keys in byte order and values in stored order. Written from
# the format description (independent of both libmod's and kmod's readers), it reads either node
# layout, so kmod 30's post-order files and our pre-order files compare by content.
import struct
import sys


def dump(path):
    data = open(path, 'rb').read()
    if len(data) == 0:
        return []
    magic, version, root = struct.unpack_from('>III', data, 0)
    if magic != 0xB007F457 or version >> 16 != 2:
        raise SystemExit(f'{path}: bad header')
    out = []
    stack = [(root, b'')]
    while stack:
        ref, key = stack.pop()
        off = ref & 0x0FFFFFFF
        if ref & 0x80000000:
            end = data.index(b'\0', off)
            key += data[off:end]
            off = end + 1
        children = []
        if ref & 0x20000000:
            first, last = data[off], data[off + 1]
            off += 2
            for i in range(last - first + 1):
                (c,) = struct.unpack_from('>I', data, off)
                off += 4
                if c:
                    children.append((c, key + bytes([first + i])))
        if ref & 0x40000000:
            (count,) = struct.unpack_from('>I', data, off)
            off += 4
            for _ in range(count):
                (prio,) = struct.unpack_from('>I', data, off)
                off += 4
                end = data.index(b'\0', off)
                out.append(key + b'\t' + str(prio).encode() + b'\t' + data[off:end])
                off = end + 1
        stack.extend(reversed(children))
    return out


if __name__ == '__main__':
    sys.stdout.buffer.write(b''.join(l + b'\n' for l in dump(sys.argv[1])))
