#!/bin/bash
# bench/modinfo.sh: modinfo of every module of the corpus (4023 paths) in one invocation, on the
# plain and the xz tree, kmod's /sbin/modinfo against ours. The xz case is dominated by
# decompression. Uses bench/lib.sh (see there for the output format and environment).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ours=$(bench_ours modinfo) || exit 1
ver=$(bench_kver) || exit 1
for kind in plain xz; do
	root=$(bench_tree "$kind") || exit 1
	list=$(mktemp "${TMPDIR:-/tmp}/bench-modinfo.XXXXXX")
	find "$root/lib/modules/$ver/kernel" -name '*.ko*' | LC_ALL=C sort >"$list"
	# xargs with a huge -s keeps it to one invocation per tool (4023 paths fit in ARG_MAX).
	bench_case "modinfo-all-$kind" \
		"xargs -s 1000000 -x /sbin/modinfo <'$list'" \
		"xargs -s 1000000 -x '$ours' <'$list'"
	rm -f "$list"
done
bench_done
