#!/bin/bash
# depmod-cache-crash.sh: whatever state the per-module cache is in, depmod writes what a cold run
# (--no-cache) writes. On a copy of the real plain tree (not hard links: linking the corpus
# elsewhere changes the ctimes of shared inodes, and with them every cache key):
#   damaged    the cache truncated, a byte flipped, emptied, replaced by garbage: ignored with a
#              warning; then rewritten whole
#   foreign    written by another libmod version or on another byte order (header fields
#              changed, checksum still right): ignored; a cache from another tree (the same
#              paths and mtimes, some with other bytes): no entry is taken for a file of this
#              tree, whose inodes differ
#   killed     SIGKILL right after the cache's rename and at random points of a warm run, and a
#              full disk during the commit: the next run's outputs are the cold ones, no
#              temporary file is left, and the cache is never found damaged
#   concurrent three warm depmods at once on one output dir and cache: all succeed, the result
#              is the cold one and consistent (a next run finds nothing to do)
# Usage: depmod-cache-crash.sh <our depmod> <fault shim .so>
set -euo pipefail
ours=$1
shim=$(realpath "$2")
src=$(cd "$(dirname "$0")/../.." && pwd)
ver=$("$src/scripts/make-trees.sh" --print-version)
root=$("$src/scripts/make-trees.sh" --print plain)
tmp=$(mktemp -d /var/tmp/depmod-cache-crash.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
files=(modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname)

cp -a "$root" "$tmp/tree"
M=$tmp/tree/lib/modules/$ver
W=$tmp/warm/lib/modules/$ver
C=$tmp/cold/lib/modules/$ver
cache=$W/modules.libmod-cache
warm() { "$ours" -vv -b "$tmp/tree" -o "$tmp/warm" "$ver" >/dev/null 2>"$tmp/warm.err"; }
cold() { rm -rf "$tmp/cold"; "$ours" --no-cache -b "$tmp/tree" -o "$tmp/cold" "$ver" >/dev/null 2>&1; }
fail=0
check() {
	local f
	for f in "${files[@]}"; do
		cmp -s "$W/$f" "$C/$f" || { echo "FAIL: $1: $f differs from a cold run"; fail=1; }
	done
	if compgen -G "$W/.modules.*" >/dev/null; then
		echo "FAIL: $1: left behind: $(ls -a "$W" | grep '^\.modules\.' | head -3)"
		fail=1
	fi
}
# the next run trusts the cache it finds: every module known
expect_whole_cache() {
	warm
	grep -q "depmod cache: \([0-9]*\) of \1 modules known" "$tmp/warm.err" ||
		{ echo "FAIL: $1: the cache left is not whole: $(grep 'depmod cache' "$tmp/warm.err")"; fail=1; }
	check "$1, next run"
}
# replace one module by another's bytes (a new inode), so a run has something to do
n_change=0
change() {
	local a b
	mapfile -t mods < <(find "$M/kernel/drivers" -name '*.ko' | sort)
	a=${mods[n_change * 7 % ${#mods[@]}]}
	b=${mods[(n_change * 7 + 3) % ${#mods[@]}]}
	n_change=$((n_change + 1))
	cp "$b" "$a.new" && mv "$a.new" "$a"
	# past the racy window: the run after this caches the new file
	sleep 1.1
}

# files just linked have fresh ctimes: too recent to cache until a second has passed
sleep 1.1
cold
warm
cp "$cache" "$tmp/good-cache"

# --- damaged -------------------------------------------------------------------------------
size=$(stat -c %s "$tmp/good-cache")
damage() {
	case $1 in
	truncated) head -c $((size / 2)) "$tmp/good-cache" ;;
	flipped) python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x40; sys.stdout.buffer.write(b)' "$tmp/good-cache" ;;
	empty) : ;;
	garbage) head -c 100000 /dev/urandom ;;
	esac
}
for kind in truncated flipped empty garbage; do
	damage "$kind" >"$cache"
	warm
	grep -q "ignoring the depmod cache $cache" "$tmp/warm.err" ||
		{ echo "FAIL: damaged ($kind): no warning"; fail=1; }
	grep -q "modules known, 0 to read" "$tmp/warm.err" &&
		{ echo "FAIL: damaged ($kind): the cache was trusted"; fail=1; }
	check "damaged ($kind)"
	expect_whole_cache "damaged ($kind)"
	echo "damaged ($kind): ignored with a warning, outputs right, rewritten"
done

# --- foreign -------------------------------------------------------------------------------
# header: magic[8] format u32, bom u32, body_len, body_hash, fingerprint u64, counts, libver[16]
patch() { python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); off = int(sys.argv[2]); new = bytes.fromhex(sys.argv[3])
b[off:off + len(new)] = new; open(sys.argv[1], "wb").write(b)' "$cache" "$1" "$2"; }
for kind in version byteorder format; do
	cp "$tmp/good-cache" "$cache"
	case $kind in
	version) patch 48 "39392e39392e3939" ;; # libver "99.99.99"
	byteorder) patch 12 "01020304" ;;
	format) patch 8 "ffffffff" ;;
	esac
	warm
	grep -q "ignoring the depmod cache $cache" "$tmp/warm.err" ||
		{ echo "FAIL: foreign ($kind): not said"; fail=1; }
	grep -q "modules known, 0 to read" "$tmp/warm.err" &&
		{ echo "FAIL: foreign ($kind): the cache was trusted"; fail=1; }
	check "foreign ($kind)"
	echo "foreign ($kind): ignored, outputs right"
done
# another tree with the same paths: its modules hold other bytes (sizes and mtimes kept
# where the donor has the same size: only inode and ctime differ then)
cp -al "$root" "$tmp/other"
O=$tmp/other/lib/modules/$ver
mapfile -t mods < <(cd "$O" && find kernel/sound -name '*.ko' | sort | head -n 40)
for ((i = 0; i + 1 < ${#mods[@]}; i += 2)); do
	cp "$O/${mods[i + 1]}" "$O/${mods[i]}.new"
	touch -r "$O/${mods[i]}" "$O/${mods[i]}.new"
	mv "$O/${mods[i]}.new" "$O/${mods[i]}"
done
sleep 1.1
"$ours" -b "$tmp/other" -o "$tmp/otherout" "$ver" >/dev/null 2>&1
cp "$tmp/otherout/lib/modules/$ver/modules.libmod-cache" "$cache"
warm
check "another tree's cache"
grep -q "modules known, 0 to read" "$tmp/warm.err" &&
	{ echo "FAIL: another tree's cache was trusted whole"; fail=1; }
echo "another tree's cache: outputs right ($(grep -o '[0-9]* to read' "$tmp/warm.err"))"
expect_whole_cache "another tree's cache"

# --- killed --------------------------------------------------------------------------------
# the commit renames the journal, each output that differs from the one in place (an identical
# one is kept; modules.dep is always replaced), and last the cache
change
cold
n_renames=2
for f in "${files[@]}"; do
	[[ $f == modules.dep ]] || ! cmp -s "$W/$f" "$C/$f" && n_renames=$((n_renames + 1))
done
FAULT_KILL_RENAME=$n_renames LD_PRELOAD=$shim "$ours" -b "$tmp/tree" -o "$tmp/warm" "$ver" \
	>/dev/null 2>&1 && { echo "FAIL: killed after the cache's rename: not killed"; fail=1; }
expect_whole_cache "killed after the cache's rename"
echo "killed after the cache's rename: completed by the next run"
for ((i = 0; i < 6; i++)); do
	change
	cold
	"$ours" -b "$tmp/tree" -o "$tmp/warm" "$ver" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	warm
	grep -q "ignoring the depmod cache" "$tmp/warm.err" &&
		{ echo "FAIL: killed $i: a damaged cache was left: $(grep ignoring "$tmp/warm.err")"; fail=1; }
	check "killed $i"
done
echo "killed at random points: every next run right, the cache never damaged"
change
cold
FAULT_ENOSPC=1 LD_PRELOAD=$shim "$ours" -b "$tmp/tree" -o "$tmp/warm" "$ver" >/dev/null 2>&1 &&
	{ echo "FAIL: full disk: depmod did not fail"; fail=1; }
warm
check "full disk"
expect_whole_cache "full disk"
echo "full disk while writing: the previous set kept, the next run right"

# --- concurrent ----------------------------------------------------------------------------
for round in 1 2; do
	change
	cold
	pids=()
	for j in 1 2 3; do
		"$ours" -b "$tmp/tree" -o "$tmp/warm" "$ver" >/dev/null 2>"$tmp/conc$j.err" &
		pids+=($!)
	done
	for j in 0 1 2; do
		wait "${pids[j]}" || { echo "FAIL: concurrent $round: run $j failed: $(head -3 "$tmp/conc$((j + 1)).err")"; fail=1; }
	done
	check "concurrent $round"
	warm
	grep -q 'nothing changed since the last run' "$tmp/warm.err" ||
		{ echo "FAIL: concurrent $round: outputs and cache do not match each other"; fail=1; }
	echo "concurrent $round: three runs, outputs right, cache consistent with them"
done
[[ $fail == 0 ]] && echo "depmod-cache-crash: outputs always those of a cold run"
exit $fail
