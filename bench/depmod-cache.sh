#!/bin/bash
# depmod-cache: warm depmod runs with the per-module cache (docs/DEPMOD-CACHE.md) against kmod's
# depmod on the same tree state, xz by default. Both index one writable copy of the corpus tree:
# kmod writes its outputs into it, ours writes them with -o elsewhere (and its cache beside
# them). A real copy, not hard links: linking the corpus elsewhere (another test's cp -al)
# changes the ctime of shared inodes, which rightly invalidates every cache entry of a linked
# tree. Cases, each with the target from issue 12:
#   depmod-cache-noop-<kind>  nothing changed since the last run (target <= 0.03)
#   depmod-cache-one-<kind>   one module replaced by another module's bytes (new inode) before
#                             every run (target <= 0.05)
#   depmod-cache-add-<kind>   one module added before every run; the state without it was
#                             indexed (untimed) just before (target <= 0.05)
# kmod 30 has no cache: each of its runs reads every module (its -A only compares dates and then
# does all or nothing). Before the timed runs, ours indexes the copy once so its cache is warm.
# Environment: BENCH_DEPMOD_CACHE_KINDS (xz), BENCH_DEPMOD_DIR, and bench/lib.sh's.
. "$(dirname "$0")/lib.sh"
ver=$(bench_kver)
ours=$(bench_ours depmod) || exit 1
work=${BENCH_DEPMOD_DIR:-/var/tmp/depmod-bench}
mkdir -p "$work"
for kind in ${BENCH_DEPMOD_CACHE_KINDS:-xz}; do
	root=$(bench_tree "$kind") || exit 1
	tree=$work/cache-$kind
	out=$work/cache-out-$kind
	rm -rf "$tree" "$out"
	cp -a "$root" "$tree"
	M=$tree/lib/modules/$ver
	# two modules of the tree: the one replaced, and the bytes it gets (the same suffix)
	victim=$(find "$M/kernel/drivers/net" -name "*.ko*" | sort | head -n1)
	donor=$(find "$M/kernel/fs" -name "*.ko*" | sort | head -n1)
	suffix=${victim#*.ko}
	added=$M/updates/bench-added.ko$suffix
	kcmd="/sbin/depmod -b '$tree' $ver"
	ocmd="'$ours' -b '$tree' -o '$out' $ver"
	# a fresh copy has new ctimes: too recent to cache (racy) until a second has passed
	sleep 1.2
	bash -c "$ocmd" >/dev/null 2>&1

	BENCH_PREPARE='' bench_case "depmod-cache-noop-$kind" "$kcmd" "$ocmd"

	BENCH_PREPARE="cp --remove-destination '$donor' '$victim.new' && mv '$victim.new' '$victim'" \
		bench_case "depmod-cache-one-$kind" "$kcmd" "$ocmd"

	mkdir -p "$M/updates"
	BENCH_PREPARE="rm -f '$added'; $ocmd; cp '$donor' '$added'" \
		bench_case "depmod-cache-add-$kind" "$kcmd" "$ocmd"
	rm -f "$added"
done
bench_done
