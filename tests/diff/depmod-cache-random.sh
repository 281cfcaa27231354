#!/bin/bash
# depmod-cache-random.sh: the per-module cache never changes what depmod writes. Starting from
# the real corpus tree (a copy of the plain tree: not hard links, whose ctimes change whenever
# anyone links the corpus elsewhere), apply a random sequence of changes: add,
# remove, replace with another module's bytes, touch without change, change a module's modinfo
# in place (same size, mtime put back: only ctime tells), rename, change depmod.d, compress
# differently. After every step:
#   - a warm run (the cache of the previous step) writes exactly what a cold run (--no-cache)
#     writes, file by file;
#   - the warm run read no more modules than the step changed (depmod -vv says how many);
#   - a second warm run with nothing changed writes nothing (the outputs keep their inodes) and
#     its outputs are still the cold ones.
# The seed is fixed (so CI is reproducible) and printed; DEPMOD_CACHE_SEED picks another,
# DEPMOD_CACHE_STEPS runs more steps (default 9: each kind of change once, in a
# shuffled order, then random ones).
# Usage: depmod-cache-random.sh <our depmod>
set -euo pipefail
ours=$1
seed=${DEPMOD_CACHE_SEED:-20261204}
steps=${DEPMOD_CACHE_STEPS:-9}
src=$(cd "$(dirname "$0")/../.." && pwd)
ver=$("$src/scripts/make-trees.sh" --print-version)
root=$("$src/scripts/make-trees.sh" --print plain)
tmp=$(mktemp -d /var/tmp/depmod-cache-random.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "depmod-cache-random: seed $seed, $steps steps (DEPMOD_CACHE_SEED, DEPMOD_CACHE_STEPS)"
RANDOM=$seed

cp -a "$root" "$tmp/tree"
M=$tmp/tree/lib/modules/$ver
conf=$tmp/depmod.d
mkdir -p "$conf" "$M/updates" "$M/extra"
: >"$conf/00-test.conf"
files=(modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname)
warm() { "$ours" -vv -C "$conf" -b "$tmp/tree" -o "$tmp/warm" "$ver" 2>"$tmp/warm.err" >/dev/null; }
cold() { rm -rf "$tmp/cold"; "$ours" --no-cache -C "$conf" -b "$tmp/tree" -o "$tmp/cold" "$ver" \
	2>/dev/null >/dev/null; }
W=$tmp/warm/lib/modules/$ver
C=$tmp/cold/lib/modules/$ver

# a random module file of the tree (any compression) in $picked; no subshell, so that RANDOM
# stays one reproducible sequence
pick() {
	local all
	mapfile -t all < <(find "$M" -name '*.ko*' -type f | sort)
	picked=${all[RANDOM % ${#all[@]}]}
}
# give path a new inode, keeping its bytes and mtime
own() { cp -p "$1" "$1.own" && mv "$1.own" "$1"; }
# uncompressed modules with their own inode from the start, cached as they are: changing one in
# place later keeps its inode, so only its ctime (and content) can tell
owned=()
pick_owned() {
	picked=${owned[RANDOM % ${#owned[@]}]}
	[[ -f $picked ]]
}

step_add() {
	local from
	pick
	from=$picked
	cp "$from" "$M/extra/added$RANDOM.ko${from##*.ko}"
	changed=1
	what="add a copy of ${from#"$M"/}"
}
step_add_duplicate() {
	# the same module name in updates/: which one wins depends on depmod.d's search order
	local from
	pick
	from=$picked
	cp "$from" "$M/updates/${from##*/}"
	changed=1
	what="add ${from##*/} again in updates/"
}
step_remove() {
	local f
	pick
	f=$picked
	rm -f "$f"
	# a removed module may have hidden another of its name (updates/ over kernel/)
	changed=1
	what="remove ${f#"$M"/}"
}
step_replace() {
	local f from
	pick
	f=$picked
	pick
	from=$picked
	[[ ${f##*.ko} == "${from##*.ko}" ]] || return 1
	cp "$from" "$f.new" && mv "$f.new" "$f"
	changed=1
	what="replace ${f#"$M"/} by the bytes of ${from#"$M"/}"
}
step_touch() {
	local f
	pick_owned || return 1
	f=$picked
	touch "$f"
	changed=1
	what="touch ${f#"$M"/}"
}
step_modinfo() {
	# flip one character of an alias value in place: same size, mtime put back
	local f
	pick_owned || return 1
	f=$picked
	python3 - "$f" <<'PY' || return 1
import os, sys
p = sys.argv[1]
st = os.stat(p)
b = bytearray(open(p, 'rb').read())
i = b.find(b'\0alias=')
if i < 0:
    sys.exit(1)
j = b.index(b'\0', i + 1) - 1
b[j] = ord('Q') if b[j] != ord('Q') else ord('R')
with open(p, 'r+b') as fh:
    fh.write(b)
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
PY
	changed=1
	what="change an alias of ${f#"$M"/} in place (same size and mtime)"
}
step_rename() {
	local f dir
	pick
	f=$picked
	dir=$(dirname "$f")
	mv "$f" "$dir/renamed$RANDOM.ko${f##*.ko}"
	# the new name, and a module the old name may have hidden
	changed=2
	what="rename ${f#"$M"/}"
}
step_config() {
	local lines=("search updates built-in" "search built-in updates" "exclude extra" ""
		"search extra updates built-in")
	printf '%s\n' "${lines[RANDOM % ${#lines[@]}]}" >"$conf/00-test.conf.new"
	mv "$conf/00-test.conf.new" "$conf/00-test.conf"
	# modules no longer excluded were never read: at most every module outside kernel/
	changed=$(find "$M/extra" "$M/updates" -name '*.ko*' | wc -l)
	what="depmod.d: '$(cat "$conf/00-test.conf")'"
}
step_compress() {
	local f tools=(xz zstd gzip) t ext
	pick
	f=$picked
	[[ $f == *.ko ]] || return 1
	t=${tools[RANDOM % 3]}
	case $t in xz) ext=xz ;; zstd) ext=zst ;; gzip) ext=gz ;; esac
	"$t" -c <"$f" >"$f.$ext.new"
	rm -f "$f"
	mv "$f.$ext.new" "$f.$ext"
	changed=1
	what="compress ${f#"$M"/} with $t"
}
ops=(step_add step_add_duplicate step_remove step_replace step_touch step_modinfo step_rename
	step_config step_compress)

compare() {
	local f
	for f in "${files[@]}"; do
		cmp -s "$W/$f" "$C/$f" || { echo "FAIL: step $1 ($what): $f differs from a cold run"; fail=1; }
	done
}

for ((i = 0; i < 30; i++)); do
	pick
	[[ $picked == *.ko ]] || continue
	own "$picked"
	owned+=("$picked")
done

fail=0
# the starting point: a cold run writes the cache
sleep 1.1
warm
# the first steps take every kind of change once, in a shuffled order, so that even a short run
# covers them all; the rest are drawn at random
order=("${ops[@]}")
for ((i = ${#order[@]} - 1; i > 0; i--)); do
	j=$((RANDOM % (i + 1)))
	t=${order[i]} order[i]=${order[j]} order[j]=$t
done
for ((s = 1; s <= steps; s++)); do
	# a change that does not apply to what was picked is retried (then another kind is drawn)
	tries=0
	if ((s <= ${#order[@]})); then
		until ${order[s - 1]}; do ((++tries < 50)) || break; done
	fi
	if ((s > ${#order[@]} || tries >= 50)); then
		until ${ops[RANDOM % ${#ops[@]}]}; do :; done
	fi
	# past the racy window, so the changed files are cached by this step's run
	sleep 1.1
	warm
	nread=$(sed -n 's/.*depmod cache: .* modules known, \([0-9]*\) to read/\1/p' "$tmp/warm.err")
	cold
	compare "$s"
	if [[ -z $nread ]] || ((nread > changed)); then
		echo "FAIL: step $s ($what): read ${nread:-?} modules, only $changed changed"
		fail=1
	fi
	ino=$(stat -c %i "$W/modules.dep")
	warm
	grep -q 'nothing changed since the last run' "$tmp/warm.err" ||
		{ echo "FAIL: step $s: an unchanged tree was indexed again"; fail=1; }
	[[ $(stat -c %i "$W/modules.dep") == "$ino" ]] ||
		{ echo "FAIL: step $s: an unchanged tree's outputs were rewritten"; fail=1; }
	compare "$s (unchanged)"
	echo "step $s: $what: $nread module(s) read; outputs identical to a cold run"
done
[[ $fail == 0 ]] && echo "depmod-cache-random: $steps steps, warm outputs always equal cold ones"
exit $fail
