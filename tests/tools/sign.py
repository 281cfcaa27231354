#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sign.py CERT KEY FILE...: re-sign module files in place the way the kernel's sign-file does.

Any signature a file had is cut off first; then openssl makes a detached PKCS#7 (CMS) signature
of the module bytes with SHA-256, without authenticated attributes or certificates, and it is
appended with struct module_signature (id_type 2 = PKCS#7, sig_len big-endian in the last 4
bytes) and the marker. The signature policy cases sign the fixture with keys they generate.
"""
import struct
import subprocess
import sys

MARKER = b"~Module signature appended~\n"


def unsigned(data):
    if not data.endswith(MARKER):
        return data
    end = len(data) - len(MARKER)
    (sig_len,) = struct.unpack_from(">I", data, end - 4)
    return data[:end - 12 - sig_len]


cert, key = sys.argv[1], sys.argv[2]
for path in sys.argv[3:]:
    with open(path, "rb") as f:
        body = unsigned(f.read())
    sig = subprocess.run(["openssl", "cms", "-sign", "-binary", "-noattr", "-nocerts",
                          "-outform", "DER", "-md", "sha256", "-signer", cert, "-inkey", key],
                         input=body, capture_output=True, check=True).stdout
    with open(path, "wb") as f:
        f.write(body + sig + struct.pack(">BBBBB3xI", 0, 0, 2, 0, 0, len(sig)) + MARKER)
