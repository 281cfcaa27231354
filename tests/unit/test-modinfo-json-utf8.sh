#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# modinfo --json on the corpus module whose author is "Pali Rohár" (UTF-8 in .modinfo): the
# document must parse, and the author must come out as written, not as "RohÃ¡r". Then the same
# module with those two bytes replaced by ill-formed UTF-8 (overlong, surrogate, stray, cut
# short): still a valid document, and each bad byte is U+FFFD.
# Usage (through with-corpus-moddir.sh): test-modinfo-json-utf8.sh MODDIR MODINFO
set -eu
moddir=$1
modinfo=$(realpath "$2")
src=$moddir/kernel/drivers/platform/x86/dell/dell-rbtn.ko
[ -f "$src" ] || { echo "SKIP: $src not in the corpus"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/modinfo-utf8.XXXXXX")
trap 'rm -rf "$work"' EXIT

# $1: module file, $2: the author expected after JSON decoding
check() {
	"$modinfo" --json "$1" > "$work/out.json"
	python3 - "$work/out.json" "$2" <<'PY'
import json, sys
raw = open(sys.argv[1], 'rb').read()
raw.decode('utf-8')  # strict: the document itself is valid UTF-8
doc = json.loads(raw)
got = doc[0]['info']['author'][0]
want = sys.argv[2]
if got != want:
    sys.exit('author: got %r, want %r' % (got, want))
PY
	echo "ok: $(basename "$1") -> $2"
}

check "$src" "Pali Rohár <pali@kernel.org>"
grep -q 'Pali Rohár' "$work/out.json" || { echo "author escaped instead of written as UTF-8"; exit 1; }

# Same length replacements of "\xc3\xa1" (á): the module layout does not move.
python3 - "$src" "$work" <<'PY'
import sys
src, work = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
good = b'Pali Roh\xc3\xa1r'
assert data.count(good) >= 1
for name, bad in [('overlong', b'\xc0\xaf'), ('surrogate', b'\xed\xa0'), ('stray', b'\x80\xbf'),
                  ('truncated', b'\xe2\x82'), ('latin1', b'\xe1r')]:
    open('%s/%s.ko' % (work, name), 'wb').write(data.replace(good, b'Pali Roh' + bad + b'r'))
PY
R=$'\ufffd'
check "$work/overlong.ko" "Pali Roh${R}${R}r <pali@kernel.org>"
check "$work/surrogate.ko" "Pali Roh${R}${R}r <pali@kernel.org>"
check "$work/stray.ko" "Pali Roh${R}${R}r <pali@kernel.org>"
check "$work/truncated.ko" "Pali Roh${R}${R}r <pali@kernel.org>"
check "$work/latin1.ko" "Pali Roh${R}rr <pali@kernel.org>"
