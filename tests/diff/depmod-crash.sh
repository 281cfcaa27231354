#!/bin/bash
# depmod-crash.sh: kill depmod with SIGKILL at random points while it indexes a tree and check,
# after every kill, that the index set in the module directory is still complete and valid: every
# file is byte-identical either to the previous set or to the new one (depmod renames finished
# temporary files into place only after all of them are written; a kill inside that last
# rename loop is the only way to see a mix, and each file is then still whole), and no
# temporary file survives the next run.
# Usage: depmod-crash.sh <our depmod> [iterations]
set -euo pipefail
ours=$1
iters=${2:-40}
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
	n_old=0 n_new=0
	for f in "${files[@]}"; do
		if cmp -s "$tmp/old/$f" "$tmp/new/$f"; then
			# the same in both states (builtin indexes): only completeness matters
			cmp -s "$M/$f" "$tmp/old/$f" ||
				{ echo "FAIL: iteration $i: $f damaged"; fail=1; }
		elif cmp -s "$M/$f" "$tmp/old/$f"; then
			n_old=$((n_old + 1))
		elif cmp -s "$M/$f" "$tmp/new/$f"; then
			n_new=$((n_new + 1))
		else
			echo "FAIL: iteration $i (kill after ${delay}s): $f is neither the old nor the new one"
			fail=1
		fi
	done
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
echo "depmod-crash: $iters kills, $completed after completion, $mixed inside the rename loop"
[[ $fail == 0 ]] && echo "depmod-crash: index set intact after every kill"
exit $fail
