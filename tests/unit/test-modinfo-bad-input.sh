#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Damaged inputs through the modinfo tool: modules cut at many offsets (header, section headers,
# .modinfo, signature trailer), corrupt xz/zstd/gzip files, a directory, an empty file, a file
# holding only the signature magic, a symlink loop. Each must fail with exit 1 and a
# "modinfo: ERROR:" line that names the file and says why, with no crash and no sanitizer report.
# An intact module must still pass, so the checks cannot succeed by rejecting everything.
#
# Inputs come from a real signed module of the corpus kernel when scripts/fetch-kernel.sh has it
# cached (nothing is downloaded here), otherwise from a small signed ELF written here with
# python3; the log says which and why. Neither available: exit 77 (skipped), never a silent pass.
# Compressed cases this modinfo or this machine cannot run make the whole test a skip (77) after
# every other check passed, with the reason: a test that did not run all its checks does not
# pass.
#
# Usage: test-modinfo-bad-input.sh /path/to/modinfo
set -u

MODINFO=${1:?usage: $0 MODINFO}
[[ -x $MODINFO ]] || { echo "modinfo not built: $MODINFO"; exit 77; }
MODINFO=$(realpath "$MODINFO")
top=$(cd "$(dirname "$0")/../.." && pwd)
FEATURES=$("$MODINFO" -V | tail -n 1)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modinfo-bad.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

MAGIC='~Module signature appended~'
n_pass=0 n_fail=0 n_skip=0

# ---------------------------------------------------------------------------------------------
# The source module
src="" why=""
if corpus=$(LIBMOD_CORPUS_OFFLINE=1 "$top/scripts/fetch-kernel.sh" --print-root --print-version \
	2>"$WORK/fetch.err"); then
	moddir=$(printf '%s\n' "$corpus" | head -n 1)/lib/modules/$(printf '%s\n' "$corpus" | tail -n 1)
	src=$moddir/kernel/fs/fat/vfat.ko
	[[ -f $src ]] || { why="no $src"; src=""; }
else
	why=$(tail -n 1 "$WORK/fetch.err")
fi
if [[ -n $src ]] && ! grep -qa -- "$MAGIC" "$src"; then
	why="$src is not signed"
	src=""
fi
if [[ -n $src ]]; then
	cp "$src" real.ko
	echo "# source: $src"
elif command -v python3 >/dev/null; then
	# A 64-bit little-endian relocatable: .modinfo, .gnu.linkonce.this_module, .shstrtab, then
	# the section headers, then a legacy (X.509 id type) signature trailer.
	python3 - <<'EOF' || exit 1
import struct
modinfo = b"license=GPL\0author=libmod tests\0description=bad input source\0parm=x:an int\0parmtype=x:int\0depends=\0name=real\0vermagic=6.1.0 SMP mod_unload\0"
this = b"\0" * 24 + b"real".ljust(56, b"\0") + b"\0" * 8
shstr = b"\0.modinfo\0.gnu.linkonce.this_module\0.shstrtab\0"
body = b"\0" * 64
secs = []
for name, data, typ in ((b".modinfo", modinfo, 1), (b".gnu.linkonce.this_module", this, 1),
                        (b".shstrtab", shstr, 3)):
    secs.append((shstr.index(name + b"\0"), typ, len(body), len(data)))
    body += data
while len(body) % 8:
    body += b"\0"
shoff = len(body)
sh = b"\0" * 64
for nm, typ, off, size in secs:
    sh += struct.pack("<IIQQQQIIQQ", nm, typ, 0, 0, off, size, 0, 0, 1, 0)
ehdr = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, shoff,
                                                        0, 64, 0, 0, 64, 4, 3)
elf = ehdr + body[64:] + sh
signer, keyid, sig = b"libmod test", bytes(range(20)), bytes(range(256)) * 2
info = struct.pack(">BBBBB3xI", 1, 4, 1, len(signer), len(keyid), len(sig))
open("real.ko", "wb").write(elf + signer + keyid + sig + info + b"~Module signature appended~\n")
EOF
	echo "# source: a small signed ELF written by this test (corpus module not used: $why)"
else
	echo "SKIP: no corpus module ($why) and no python3 to write one"
	exit 77
fi

# ---------------------------------------------------------------------------------------------
# Checks

# expect_fail FILE REASON-REGEX: exit 1, an ERROR line naming FILE that matches the regex.
expect_fail() {
	local f=$1 reason=$2 rc base
	"$MODINFO" "$f" >out 2>err
	rc=$?
	base=${f##*/}
	if grep -qE 'Sanitizer|runtime error|LeakSanitizer|valgrind' err; then
		echo "FAIL $f: sanitizer report"
		sed 's/^/    /' err | head -n 20
		n_fail=$((n_fail + 1))
		return
	fi
	if ((rc != 1)); then
		echo "FAIL $f: exit $rc, expected 1"
		sed 's/^/    /' err | head -n 5
		n_fail=$((n_fail + 1))
		return
	fi
	if ! grep -E "^modinfo: ERROR: .*${base//./\\.}" err | grep -qE -- "$reason"; then
		echo "FAIL $f: no 'modinfo: ERROR:' line naming the file and matching /$reason/"
		sed 's/^/    /' err | head -n 5
		n_fail=$((n_fail + 1))
		return
	fi
	echo "PASS $f: $(grep -m1 -E "^modinfo: ERROR: .*${base//./\\.}" err)"
	n_pass=$((n_pass + 1))
}

expect_ok() {
	local f=$1 rc
	"$MODINFO" "$f" >out 2>err
	rc=$?
	if ((rc == 0)) && [[ ! -s err ]] && grep -q '^license: ' out && grep -q '^signer: ' out; then
		echo "PASS $f: intact module accepted"
		n_pass=$((n_pass + 1))
	else
		echo "FAIL $f: intact module: exit $rc"
		sed 's/^/    /' err | head -n 5
		n_fail=$((n_fail + 1))
	fi
}

# cut NAME OFFSET: the first OFFSET bytes of real.ko.
cut_at() { head -c "$2" real.ko >"$1"; }

size=$(stat -c %s real.ko)
shoff=$(od -An -t u8 -j 40 -N 8 real.ko | tr -d ' ')
shnum=$(od -An -t u2 -j 60 -N 2 real.ko | tr -d ' ')
elf_end=$((shoff + shnum * 64)) # the section header table ends the ELF data of a module
modinfo_off=$(grep -boa 'license=' real.ko | head -n 1 | cut -d: -f1)
magic_off=$(grep -boa -- "$MAGIC" real.ko | tail -n 1 | cut -d: -f1)
if [[ -z $shoff || -z $shnum || -z $modinfo_off || -z $magic_off ]]; then
	echo "FAIL could not locate the section headers, .modinfo or the signature in real.ko"
	exit 1
fi

expect_ok real.ko

truncated='truncated|empty'
cut_at cut-0.ko 0 && expect_fail "$PWD/cut-0.ko" 'empty file'
cut_at cut-16.ko 16 && expect_fail "$PWD/cut-16.ko" "$truncated"
cut_at cut-64.ko 64 && expect_fail "$PWD/cut-64.ko" "$truncated"
cut_at cut-shoff-1.ko $((shoff - 1)) && expect_fail "$PWD/cut-shoff-1.ko" "$truncated"
cut_at cut-shoff.ko "$shoff" && expect_fail "$PWD/cut-shoff.ko" "$truncated"
cut_at cut-modinfo.ko $((modinfo_off + 5)) && expect_fail "$PWD/cut-modinfo.ko" "$truncated"
cut_at cut-mid-sig.ko $(((magic_off + elf_end) / 2)) &&
	expect_fail "$PWD/cut-mid-sig.ko" 'no signature magic'
cut_at cut-sig-info.ko $((magic_off - 6)) && expect_fail "$PWD/cut-sig-info.ko" 'no signature magic'
cut_at cut-in-magic.ko $((magic_off + 10)) && expect_fail "$PWD/cut-in-magic.ko" 'no signature magic'
cut_at cut-last-byte.ko $((size - 1)) && expect_fail "$PWD/cut-last-byte.ko" 'no signature magic'

# A signature header with an invalid algorithm byte (the 12-byte header precedes the magic).
python_patch() { # FILE OFFSET BYTE
	cp real.ko "$1"
	printf "$(printf '\\%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
python_patch badsig.ko $((magic_off - 12)) 9 && expect_fail "$PWD/badsig.ko" 'signature'

: >empty.ko && expect_fail "$PWD/empty.ko" 'empty file'
printf '%s\n' "$MAGIC" >magic-only.ko && expect_fail "$PWD/magic-only.ko" 'not an ELF'
mkdir dir.ko && expect_fail "$PWD/dir.ko" 'directory'
ln -s loop-b.ko loop-a.ko && ln -s loop-a.ko loop-b.ko &&
	expect_fail "$PWD/loop-a.ko" 'symbolic links'

# Compressed: truncated, cut 3 bytes short, one bit flipped in the middle, header only.
skipped=()
compress_cases() { # SUFFIX FEATURE COMMAND...
	local suf=$1 feature=$2
	shift 2
	if [[ " $FEATURES " != *" +$feature "* ]]; then
		skipped+=(".$suf cases: modinfo is built without $feature")
		n_skip=$((n_skip + 1))
		return
	fi
	if ! command -v "$1" >/dev/null; then
		skipped+=(".$suf cases: $1 is not installed")
		n_skip=$((n_skip + 1))
		return
	fi
	"$@" <real.ko >"c.ko.$suf" || return
	local csize
	csize=$(stat -c %s "c.ko.$suf")
	expect_ok "c.ko.$suf"
	head -c $((csize / 2)) "c.ko.$suf" >"half.ko.$suf"
	expect_fail "$PWD/half.ko.$suf" 'truncated|corrupt'
	head -c $((csize - 3)) "c.ko.$suf" >"short.ko.$suf"
	expect_fail "$PWD/short.ko.$suf" 'truncated|corrupt'
	head -c 6 "c.ko.$suf" >"hdr.ko.$suf"
	expect_fail "$PWD/hdr.ko.$suf" 'truncated|corrupt'
	cp "c.ko.$suf" "flip.ko.$suf"
	local mid=$((csize / 2)) byte
	byte=$(od -An -t u1 -j "$mid" -N 1 "c.ko.$suf" | tr -d ' ')
	printf "$(printf '\\%03o' $((byte ^ 0x10)))" |
		dd of="flip.ko.$suf" bs=1 seek="$mid" conv=notrunc status=none
	expect_fail "$PWD/flip.ko.$suf" 'corrupt|truncated|check'
}
compress_cases xz XZ xz -c --check=crc32
compress_cases zst ZSTD zstd -q -c
compress_cases gz ZLIB gzip -n -c

echo "$n_pass passed, $n_fail failed, $n_skip skipped"
((n_fail == 0)) || exit 1
if ((n_skip)); then
	echo "SKIP: $(IFS=';'; echo "${skipped[*]}" | sed 's/;/; /g')"
	exit 77
fi
exit 0
