#!/bin/bash
# modprobe benchmarks:
#  1. modprobe-show-depends-200: `modprobe -d ROOT -S VER --show-depends NAME`, one process per
#     call, over 200 module names of the plain tree (target: <= 1.0x kmod's wall time);
#  2. modprobe-lookup-10k (in-process, bench/modprobe-lookup.c): 10,000 concrete modalias strings
#     resolved through libkmod and libmod on the same indexes; answers must be identical
#     (target: >= 1.5x kmod's throughput). Built here with cc against the release build.
. "$(dirname "$0")/lib.sh"
root=$(bench_tree plain)
ver=$(bench_kver)
ours=$(bench_ours modprobe)
moddir=$root/lib/modules/$ver
tmp=$(mktemp -d /var/tmp/bench-modprobe.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/conf"

# Every 20th module name: 200 names spread over the tree.
sed -e 's,:.*,,' -e 's,.*/,,' -e 's,\.ko.*,,' "$moddir/modules.dep" | awk 'NR % 20 == 1' |
	head -200 > "$tmp/names"
loop() { # tool; the runner execs the command string, so the loop gets its own bash
	local body
	body=$(printf 'while read -r m; do %s -C %q -d %q -S %q --show-depends "$m"; done < %q' \
		"$1" "$tmp/conf" "$root" "$ver" "$tmp/names")
	printf 'bash -c %q' "$body"
}
bench_case modprobe-show-depends-200 "$(loop /sbin/modprobe)" "$(loop "'$ours'")"

# 10,000 concrete aliases: patterns with '*' removed, '?' -> 'a', [..] -> first choice.
awk '$1 == "alias" {print $2}' "$moddir/modules.alias" |
	sed -e 's/\[\([^]]\)[^]]*\]/\1/g' -e 's/\*//g' -e 's/?/a/g' | head -10000 > "$tmp/aliases"
if pkg-config --exists libkmod; then
	# The in-process case always links the current release build's libmod.
	bench_build || exit 1
	cc -O2 -o "$tmp/lookup" "$BENCH_SRCDIR/bench/modprobe-lookup.c" \
		-I"$BENCH_SRCDIR/libmod" -L"$BENCH_BUILD/libmod" -Wl,-rpath,"$BENCH_BUILD/libmod" \
		-lmod $(pkg-config --cflags --libs libkmod)
	"$tmp/lookup" "$moddir" "$tmp/aliases" 3 || _bench_failed=1
else
	echo "modprobe-lookup-10k: libkmod-dev missing, skipped"
fi
bench_done
