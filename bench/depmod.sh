#!/bin/bash
# depmod: kmod's depmod vs ours indexing the whole corpus tree, plain, xz and zst. kmod 30 has no
# -o, so it writes into a hard-linked copy of the tree (module files shared, index files replaced
# by rename); ours reads the cached tree and writes the same files with -o. Both write every
# output each run. These are cold runs: ours starts without its per-module cache each time
# (removed before every run; bench/depmod-cache.sh measures warm runs), and writes one. Ratios are
# ours/kmod wall time (targets: plain <= 0.5, xz <= 0.55, zst <= 0.6) and peak RSS (target: not
# above kmod's).
. "$(dirname "$0")/lib.sh"
ver=$(bench_kver)
ours=$(bench_ours depmod) || exit 1
work=${BENCH_DEPMOD_DIR:-/var/tmp/depmod-bench}
mkdir -p "$work"
for kind in ${BENCH_DEPMOD_KINDS:-plain xz zst}; do
	root=$(bench_tree "$kind") || exit 1
	copy=$work/kmod-$kind
	[[ -d $copy ]] || cp -al "$root" "$copy"
	BENCH_PREPARE="rm -f '$work/ours-$kind/lib/modules/$ver/modules.libmod-cache'" \
		bench_case "depmod-$kind" \
		"/sbin/depmod -b '$copy' $ver" \
		"'$ours' -b '$root' -o '$work/ours-$kind' $ver"
done
bench_done
