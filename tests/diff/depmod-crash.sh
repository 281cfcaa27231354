#!/bin/bash
# depmod-crash.sh: kill depmod with SIGKILL at random points while it indexes a tree and check,
# after every kill, that the index set in the module directory is still complete and valid: every
# file is byte-identical either to the previous set or to the new one (depmod renames finished
# temporary files into place only after all of them are written; a kill inside that last
# rename loop is the only way to see a mix, and each file is then still whole), and no
# temporary file survives the next run.
# Then, deterministically, a kill right after each rename of the commit (the fault shim SIGKILLs
# the process on its Nth rename): the set must be whole files of either state with the journal
# left behind, and the next run must first complete the interrupted set (checked by killing it
# on its own first rename, when only the recovery has run), then leave the new set alone.
# Usage: depmod-crash.sh <our depmod> <fault shim .so> [iterations]
set -euo pipefail
ours=$1
shim=$(realpath "$2")
iters=${3:-40}
src=$(cd "$(dirname "$0")/../.." && pwd)
ver=$("$src/scripts/make-trees.sh" --print-version)
root=$("$src/scripts/make-trees.sh" --print plain)
tmp=$(mktemp -d /var/tmp/depmod-crash.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
files=(modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname)

# Two states of the same tree: "old" has every module, "new" lacks a few (so every index differs).
cp -al "$root" "$tmp/tree"
M=$tmp/tree/lib/modules/$ver
"$ours" -b "$tmp/tree" "$ver"
mkdir "$tmp/old" "$tmp/new"
for f in "${files[@]}"; do cp "$M/$f" "$tmp/old/"; done
find "$M/kernel/drivers/net/ethernet" -name '*.ko' | sed -n '1,20p' | xargs rm -f
"$ours" -b "$tmp/tree" -o "$tmp/newroot" "$ver"
for f in "${files[@]}"; do cp "$tmp/newroot/lib/modules/$ver/$f" "$tmp/new/"; done
cmp -s "$tmp/old/modules.dep" "$tmp/new/modules.dep" && { echo "setup: states equal"; exit 1; }

restore_old() { for f in "${files[@]}"; do cp "$tmp/old/$f" "$M/.restore" && mv "$M/.restore" "$M/$f"; done; }

# how long a whole run takes here and now (the machine may be loaded)
restore_old
t0=$(date +%s.%N)
"$ours" -b "$tmp/tree" "$ver"
runtime=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')

# classify WHAT: count the files of the old (n_old) and new (n_new) state in $M; any other
# content is a failure
classify() {
	local f
	n_old=0 n_new=0
	for f in "${files[@]}"; do
		if cmp -s "$tmp/old/$f" "$tmp/new/$f"; then
			# the same in both states (builtin indexes): only completeness matters
			cmp -s "$M/$f" "$tmp/old/$f" || { echo "FAIL: $1: $f damaged"; fail=1; }
		elif cmp -s "$M/$f" "$tmp/old/$f"; then
			n_old=$((n_old + 1))
		elif cmp -s "$M/$f" "$tmp/new/$f"; then
			n_new=$((n_new + 1))
		else
			echo "FAIL: $1: $f is neither the old nor the new one"
			fail=1
		fi
	done
}

fail=0 mixed=0 completed=0
for ((i = 0; i < iters; i++)); do
	restore_old
	# a delay anywhere from start-up to a little past a whole run
	delay=$(awk -v s=$RANDOM -v t="$runtime" 'BEGIN { srand(s); printf "%.3f", rand() * t * 1.1 }')
	"$ours" -b "$tmp/tree" "$ver" 2>/dev/null &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	classify "iteration $i (kill after ${delay}s)"
	((n_old == 0)) && completed=$((completed + 1))
	((n_old > 0 && n_new > 0)) && mixed=$((mixed + 1))
	# kmod's own modprobe must read whatever is there
	/sbin/modprobe -d "$tmp/tree" -S "$ver" --show-depends ext4 >/dev/null ||
		{ echo "FAIL: iteration $i: modprobe cannot read the indexes"; fail=1; }
done
# a later run cleans up what the killed ones left behind
"$ours" -b "$tmp/tree" "$ver"
if compgen -G "$M/.modules.*" >/dev/null; then
	echo "FAIL: temporary files left: $(ls -a "$M" | grep '^\.modules\.' | head -3)"
	fail=1
fi
# a kill after rename N: N=1 is the journal, then the outputs that differ between the states
# (an output identical to the file in place is kept, not renamed), last the per-module cache
# (modules.libmod-cache)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
nfiles=1
for f in "${files[@]}"; do cmp -s "$tmp/old/$f" "$tmp/new/$f" || nfiles=$((nfiles + 1)); done
for ((n = 1; n <= nfiles + 1; n++)); do
	restore_old
	FAULT_KILL_RENAME=$n LD_PRELOAD=$shim "$ours" -b "$tmp/tree" "$ver" 2>/dev/null && {
		echo "FAIL: rename kill $n: depmod was not killed"
		fail=1
	}
	classify "rename kill $n"
	[[ -e $M/.modules.journal ]] || { echo "FAIL: rename kill $n: no journal"; fail=1; }
	# the next run: killed on its first own rename (its journal), after the recovery's nfiles+1-n
	FAULT_KILL_RENAME=$((nfiles + 2 - n)) LD_PRELOAD=$shim "$ours" -b "$tmp/tree" "$ver" \
		2> "$tmp/recover.err" || true
	for f in "${files[@]}"; do
		cmp -s "$M/$f" "$tmp/new/$f" ||
			{ echo "FAIL: rename kill $n: $f not completed by the next run"; fail=1; }
	done
	grep -q 'completed the index set of an interrupted depmod' "$tmp/recover.err" ||
		{ echo "FAIL: rename kill $n: recovery not reported"; fail=1; }
	# and a whole run afterwards: the same set, nothing left behind
	"$ours" -b "$tmp/tree" "$ver" 2>/dev/null || { echo "FAIL: rename kill $n: next run failed"; fail=1; }
	for f in "${files[@]}"; do
		cmp -s "$M/$f" "$tmp/new/$f" || { echo "FAIL: rename kill $n: $f changed"; fail=1; }
	done
	if compgen -G "$M/.modules.*" >/dev/null; then
		echo "FAIL: rename kill $n: left behind: $(ls -a "$M" | grep '^\.modules\.' | head -3)"
		fail=1
	fi
	echo "rename kill $n: $n_old old and $n_new new files after the kill; completed by the next run"
done
echo "depmod-crash: $iters kills, $completed after completion, $mixed inside the rename loop"
[[ $fail == 0 ]] && echo "depmod-crash: index set intact after every kill"
exit $fail
