#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the X.509 certificates built into a kernel image as DER files.

Usage: kernel-certs.py VMLINUZ OUTDIR

A distribution kernel's module signing key is made at build time and thrown away; its
certificate survives only inside the kernel (the built-in trusted keys, with whatever
CONFIG_SYSTEM_TRUSTED_KEYS added). No package ships it as a file, so this is how
`modinfo --verify` gets the certificates the kernel itself trusts. Debian's kernel is an
xz-compressed bzImage; gzip works too. The decompressed vmlinux has no symbols, so the
certificates are found by their shape: a DER SEQUENCE holding a v3 TBSCertificate
(30 82 LL LL 30 82 LL LL A0 03 02 01 02), each checked with `openssl x509`.
Prints one line per certificate: file name and subject.
"""
import gzip
import io
import lzma
import os
import re
import subprocess
import sys


def decompress(image):
    for magic, fmt in ((b"\xfd7zXZ\x00", "xz"), (b"\x1f\x8b\x08", "gzip")):
        start = image.find(magic)
        while start >= 0:
            try:
                if fmt == "xz":
                    return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(image[start:])
                return gzip.GzipFile(fileobj=io.BytesIO(image[start:])).read()
            except (lzma.LZMAError, OSError, EOFError):
                start = image.find(magic, start + 1)
    sys.exit("no xz or gzip payload found (zstd/lz4 kernels: decompress first, pass the vmlinux)")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    image = open(sys.argv[1], "rb").read()
    vmlinux = image if image[:4] == b"\x7fELF" else decompress(image)
    os.makedirs(sys.argv[2], exist_ok=True)
    seen = set()
    for m in re.finditer(rb"\x30\x82(..)\x30\x82..\xa0\x03\x02\x01\x02", vmlinux, re.S):
        der = vmlinux[m.start():m.start() + 4 + int.from_bytes(m.group(1), "big")]
        if der in seen:
            continue
        r = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject"],
                           input=der, capture_output=True)
        if r.returncode != 0:
            continue
        seen.add(der)
        name = os.path.join(sys.argv[2], "kernel-cert-%d.der" % len(seen))
        with open(name, "wb") as f:
            f.write(der)
        print(name, r.stdout.decode().strip())
    if not seen:
        sys.exit("no certificates found")


if __name__ == "__main__":
    main()
