#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""unsign.py FILE...: cut the appended signature off module files, in place.

The corpus modules are signed by Debian; the load policy cases need unsigned ones. The trailer
is the signature, struct module_signature (12 bytes, sig_len big-endian in the last 4) and the
marker; a file without the marker is left as it is.
"""
import struct
import sys

MARKER = b"~Module signature appended~\n"

for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    if not data.endswith(MARKER):
        continue
    end = len(data) - len(MARKER)
    (sig_len,) = struct.unpack_from(">I", data, end - 4)
    size = end - 12 - sig_len
    if size <= 0:
        sys.exit("unsign.py: %s: bad signature trailer" % path)
    with open(path, "wb") as f:
        f.write(data[:size])
