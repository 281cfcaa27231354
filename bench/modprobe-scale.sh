#!/bin/bash
# modprobe on very large synthetic inputs, kmod 30 and ours side by side (modprobe -D, a fake
# -d tree whose modules are empty files indexed in modules.dep.bin):
#  1. modprobe-deps-40k:     one module whose modules.dep line lists 40,000 dependencies;
#  2. modprobe-softdep-32k:  a chain of 32,768 modules, `softdep mI post: mI+1` in modprobe.d;
#  3. modprobe-alias-20k:    `alias foo bar` 20,000 times in modprobe.d, then `modprobe -D foo`.
# Each finds the quadratic parts of planning (lookups, config queries, visited marks). Sizes can
# be scaled down with SCALE_DIV (e.g. SCALE_DIV=4 for a quick run). Our -D output must equal
# kmod's on cases 1 and 3 (case 2's plan is the same too: one softdep line per module).
. "$(dirname "$0")/lib.sh"
ours=$(bench_ours modprobe)
bench_build || exit 1
div=${SCALE_DIV:-1}
ver=0.0.0-scale
tmp=$(mktemp -d /var/tmp/bench-modprobe-scale.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/mkdepbin" "$BENCH_SRCDIR/bench/mkdepbin.c" -I"$BENCH_SRCDIR/libmod" \
	-L"$BENCH_BUILD/libmod" -Wl,-rpath,"$BENCH_BUILD/libmod" -lmod || exit 1

# tree <name> <awk program writing modules.dep>: an indexed fake tree under $tmp/<name>
tree() {
	local m=$tmp/$1/lib/modules/$ver
	mkdir -p "$m" "$tmp/$1/conf"
	awk "$2" /dev/null > "$m/modules.dep"
	"$tmp/mkdepbin" "$m" || exit 1
	# kmod stats every dependency's file: empty files stand in for the modules.
	mkdir -p "$m/kernel"
	(cd "$m" && cut -d: -f1 modules.dep | xargs touch)
}
# scale_case <tree> <case name> <module>: run -D on both, require the same output, time both
scale_case() {
	local name=$2 args="-d $tmp/$1 -S $ver -C $tmp/$1/conf --show-depends $3"
	/sbin/modprobe $args > "$tmp/kmod.out" 2>&1
	"$ours" $args > "$tmp/ours.out" 2>&1
	if ! cmp -s "$tmp/kmod.out" "$tmp/ours.out"; then
		echo "$name: output differs from kmod's:"; diff "$tmp/kmod.out" "$tmp/ours.out" | head -5
		_bench_failed=1
	fi
	bench_case "$name" "/sbin/modprobe $args" "'$ours' $args"
}

n=$((40000 / div))
tree deps "BEGIN { printf \"kernel/big.ko:\"; for (i = 0; i < $n; i++) printf \" kernel/d%d.ko\", i;
	print \"\"; for (i = 0; i < $n; i++) printf \"kernel/d%d.ko:\\n\", i }"
scale_case deps modprobe-deps-$((n / 1000))k big

n=$((32768 / div))
tree softdep "BEGIN { for (i = 0; i < $n; i++) printf \"kernel/m%d.ko:\\n\", i }"
awk -v n=$n 'BEGIN { for (i = 0; i + 1 < n; i++) printf "softdep m%d post: m%d\n", i, i + 1 }' \
	> "$tmp/softdep/conf/chain.conf"
scale_case softdep modprobe-softdep-$((n / 1000))k m0

n=$((20000 / div))
tree alias 'BEGIN { print "kernel/bar.ko:" }'
awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) print "alias foo bar" }' > "$tmp/alias/conf/a.conf"
scale_case alias modprobe-alias-$((n / 1000))k foo

bench_done
