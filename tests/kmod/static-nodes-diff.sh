#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# static-nodes-diff.sh KMOD: our `kmod static-nodes` against kmod 30's, byte for byte (stdout,
# stderr, exit code, output files): every format on the real corpus tree, crafted
# modules.devname files that hit each corner of the grammar, and the error cases (missing
# file, bad format or option, unwritable output). Both run in a mount namespace where the tree
# is /lib/modules/$(uname -r) (with-moddir.sh). Exit 77 when kmod 30, the corpus or mount
# namespaces are unavailable.
set -u
ours=$(realpath "$1")
theirs=/bin/kmod
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
[ -x "$theirs" ] || { echo "SKIP: no $theirs"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 cases=0

root=$("$src/scripts/make-trees.sh" --print plain 2>/dev/null) || { echo "SKIP: no corpus"; exit 77; }
ver=$("$src/scripts/make-trees.sh" --print-version)
corpus=$root/lib/modules/$ver
"$here/with-moddir.sh" "$corpus" true || { echo "SKIP: no mount namespace"; exit 77; }

# run NAME DIR ARGS...: both kmods in DIR; outputs collected per side. Paths under $tmp/out
# are per side too (the placeholder @OUT@ in ARGS), so file outputs can be compared.
run() {
	local name=$1 dir=$2 side bin
	shift 2
	cases=$((cases + 1))
	for side in ours theirs; do
		[ $side = ours ] && bin=$ours || bin=$theirs
		mkdir -p "$tmp/$side/out"
		local args=("${@//@OUT@/$tmp/$side/out}")
		(cd "$tmp/$side" && "$here/with-moddir.sh" "$dir" "$bin" static-nodes "${args[@]}" \
			>"$tmp/$side.stdout" 2>"$tmp/$side.stderr"; echo "rc=$?" >"$tmp/$side.rc")
		sed -i "s|$tmp/$side|TMP|g" "$tmp/$side.stderr"
		# kmod 30 reports a failed mkdir with errno already overwritten ("- Success."); we
		# name the real cause (docs/DIFFERENCES.md). Compare up to the reason.
		sed -i 's|^\(Error: could not create parent directory for .*\) - .*\.$|\1 - REASON.|' \
			"$tmp/$side.stderr"
		(cd "$tmp/$side/out" && find . -type f -exec sh -c 'echo "== $1"; cat "$1"' sh {} \; |
			sort -s -k1,1) >"$tmp/$side.files" 2>&1
		find "$tmp/$side/out" -mindepth 1 -type d | sed "s|$tmp/$side|TMP|" | sort >>"$tmp/$side.files"
		rm -rf "$tmp/$side/out"
	done
	local what bad=
	for what in stdout stderr rc files; do
		if ! cmp -s "$tmp/ours.$what" "$tmp/theirs.$what"; then
			bad=1
			echo "FAIL $name: $what differs"
			diff -u "$tmp/theirs.$what" "$tmp/ours.$what" | head -20
		fi
	done
	[ -n "$bad" ] && fails=$((fails + 1))
	return 0
}

# The real tree: every format, on stdout and into a file whose parents must be created.
for f in human tmpfiles devname; do
	run "corpus-$f" "$corpus" --format=$f
	run "corpus-$f-output" "$corpus" -f $f -o @OUT@/a/b/static-nodes.conf
done
run corpus-default "$corpus"
run corpus-long-output "$corpus" --output=@OUT@/x --format tmpfiles

# Crafted files: blanks, signs, overflowing numbers, bad types, comments, NULs, no newline.
crafted=$tmp/crafted
mkdir -p "$crafted"
printf '# comment\n\nfoo  bar  c 1:2 extra words\nx y z1:2\nm n b-1:+3\nm n c1 :3\nm n c1: 3\nm n/a/b c99999999999:1\nm n c99999999999999999999999:1\nbad\n  sp  ace\tc5:6\n#\nq r c7:\nq r c:7\nq r b7:8\r\nnul\0x c1:2\nq r\0 c1:2\nlast x c1:1' \
	>"$crafted/modules.devname"
for f in human tmpfiles devname; do
	run "crafted-$f" "$crafted" -f $f
done
# 300 seeded mutations of that file: blanks, signs, digits, NULs, cut lines.
python3 - "$crafted/modules.devname" "$crafted/random" <<'PY'
import random, sys
random.seed(7)
seed = open(sys.argv[1], 'rb').read()
alpha = b' \t\n\r\v\f\0:+-#cb0123456789xyz/'
out = []
for _ in range(300):
    s = bytearray(seed)
    for _ in range(random.randint(1, 20)):
        pos, op = random.randint(0, len(s)), random.random()
        if op < 0.4:
            del s[pos:pos + random.randint(1, 5)]
        elif op < 0.8:
            s[pos:pos] = bytes(random.choice(alpha) for _ in range(random.randint(1, 5)))
        else:
            s[pos:pos] = str(random.randint(0, 10**25)).encode()
    out.append(bytes(s))
open(sys.argv[2], 'wb').write(b'\n'.join(out))
PY
mv "$crafted/random" "$crafted/modules.devname"
for f in human tmpfiles devname; do
	run "random-$f" "$crafted" -f $f
done
printf 'nolf x z1:1' >"$crafted/modules.devname"
run crafted-bad-last-line "$crafted"
: >"$crafted/modules.devname"
run crafted-empty "$crafted" -o @OUT@/empty

# Errors.
missing=$tmp/missing
mkdir -p "$missing"
run missing-devname "$missing"
run missing-devname-output "$missing" -o @OUT@/a/x
run bad-format "$corpus" --format=bad
run bad-format-short "$corpus" -f xml
run bad-option "$corpus" -x
run missing-argument "$corpus" -f
run output-is-directory "$corpus" -o @OUT@
run output-under-a-file "$corpus" -o /etc/passwd/x
run help "$corpus" -h
run help-long "$corpus" --help extra

echo "$cases cases, $fails failed"
[ $fails -eq 0 ]
