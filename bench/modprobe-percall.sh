#!/bin/bash
# modprobe per call: what one short-lived modprobe costs, kmod's and ours side by side in one
# run (bench/percall.c spawns both alternately, no shell in between; target: <= 0.60x kmod's
# wall time). Four call types, 50 calls each, on the plain tree:
#   show-depends   modprobe -C EMPTY -d ROOT -S VER --show-depends NAME
#   dry-run        modprobe -n -v NAME                   (fake kernel: nothing loaded)
#   kernel-loaded  modprobe -q -- ALIAS                  (the kernel's request_module call for a
#                                                         device whose module is already loaded)
#   kernel-none    modprobe -q -- ALIAS                  (no module provides ALIAS: exit 1)
# The last three run under the test shim (tests/shim, LD_PRELOAD, built here with cc without
# the compression libraries) over a fake root: /sys/module, /proc/modules, the kernel release
# and the configuration directories are the fake root's, /lib/modules/VER is the plain tree.
# Both tools see the same shim, so its cost is common to both. Before timing, every call is run
# once by both tools and their stdout, stderr and exit status must be identical.
# Output: lib.sh's line format (seconds per call; rss is not measured here: 0) plus the CPU
# ratio; BENCH_TSV as in lib.sh. BENCH_RUNS rounds (default 5).
. "$(dirname "$0")/lib.sh"
root=$(bench_tree plain)
ver=$(bench_kver)
ours=$(bench_ours modprobe)
moddir=$root/lib/modules/$ver
tmp=$(mktemp -d /var/tmp/bench-percall.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
kmod_tool=/sbin/modprobe
[[ -x $kmod_tool ]] || { echo "modprobe-percall: $kmod_tool missing" >&2; exit 1; }

cc -O2 -o "$tmp/percall" "$BENCH_SRCDIR/bench/percall.c" || exit 1
# The shim without decompression (none of these calls loads a module), so that it links
# nothing but libdl: its own cost stays small next to what is measured.
# The directories it moves into the fake root are the build's defaults (meson.build).
mkdir -p "$tmp/inc"
printf '#define %s\n' 'ENABLE_ZLIB 0' 'ENABLE_XZ 0' 'ENABLE_ZSTD 0' 'SYSCONFDIR "/etc"' \
	'DISTCONFDIR "/usr/lib"' 'MODULE_DIRECTORY "/lib/modules"' >"$tmp/inc/config.h"
cc -O2 -D_GNU_SOURCE -shared -fPIC -fvisibility=hidden -I"$tmp/inc" -I"$BENCH_SRCDIR/tests/shim" \
	-o "$tmp/shim.so" "$BENCH_SRCDIR"/tests/shim/{image,kernel,paths,syscalls}.c -ldl || exit 1

# 50 module names spread over the tree.
sed -e 's,:.*,,' -e 's,.*/,,' -e 's,\.ko.*,,' "$moddir/modules.dep" | awk 'NR % 80 == 1' |
	head -50 >"$tmp/names"
# 50 concrete aliases (patterns with '*' removed, '?' -> 'a', [..] -> first choice).
awk '$1 == "alias" { print $2 }' "$moddir/modules.alias" | awk 'NR % 300 == 1' |
	sed -e 's/\[\([^]]\)[^]]*\]/\1/g' -e 's/\*//g' -e 's/?/a/g' | head -50 >"$tmp/aliases"

# The fake root: release, module tree, and every module the aliases resolve to loaded.
fake=$tmp/fake
mkdir -p "$fake/proc/sys/kernel" "$fake/lib/modules" "$fake/sys/module"
echo "$ver" >"$fake/proc/sys/kernel/osrelease"
echo "BOOT_IMAGE=/vmlinuz-$ver ro quiet" >"$fake/proc/cmdline"
ln -s "$moddir" "$fake/lib/modules/$ver"
: >"$fake/proc/modules"
xargs -a "$tmp/aliases" -n1 "$kmod_tool" -C /dev/null -d "$root" -S "$ver" -R 2>/dev/null |
	sort -u >"$tmp/loaded"
while read -r m; do
	mkdir -p "$fake/sys/module/$m/holders"
	echo live >"$fake/sys/module/$m/initstate"
	echo 0 >"$fake/sys/module/$m/refcnt"
	echo "$m 16384 0 - Live 0x0000000000000000" >>"$fake/proc/modules"
done <"$tmp/loaded"

sed "s,^,-C $tmp/noconf -d $root -S $ver --show-depends ," "$tmp/names" >"$tmp/show-depends"
sed 's,^,-n -v ,' "$tmp/names" >"$tmp/dry-run"
sed 's,^,-q -- ,' "$tmp/aliases" >"$tmp/kernel-loaded"
for i in $(seq 1 50); do echo "-q -- net-pf-$((100 + i))"; done >"$tmp/kernel-none"
mkdir -p "$tmp/noconf"

# percall_case <case> <callfile> [shim]: check equal answers, then time.
percall_case() {
	local name=$1 calls=$2 shim=${3:-} env=() out status=ok
	[[ -n $shim ]] && env=(env LD_PRELOAD="$tmp/shim.so" LIBMOD_SHIM_ROOT="$fake")
	while read -r -a args; do
		for t in kmod ours; do
			local tool=$kmod_tool
			[[ $t == ours ]] && tool=$ours
			"${env[@]}" "$tool" "${args[@]}" >"$tmp/$t.out" 2>"$tmp/$t.err"
			echo "exit $?" >>"$tmp/$t.out"
			# The program name starts kmod's messages; ours says the same name.
			sed -i "s,^$tool:,modprobe:," "$tmp/$t.err"
		done
		if ! cmp -s "$tmp/kmod.out" "$tmp/ours.out" || ! cmp -s "$tmp/kmod.err" "$tmp/ours.err"; then
			echo "$name: answers differ for: modprobe ${args[*]}" >&2
			diff "$tmp/kmod.out" "$tmp/ours.out" | head -n5 >&2
			diff "$tmp/kmod.err" "$tmp/ours.err" | head -n5 >&2
			status=answers-differ
			break
		fi
	done <"$calls"
	if [[ $status == ok ]]; then
		out=$("${env[@]}" "$tmp/percall" "$BENCH_RUNS" "$calls" "$kmod_tool" "$ours") ||
			status=percall-failed
	fi
	local kt=0 ot=0 ratio=nan cpu=nan
	if [[ $status == ok ]]; then
		kt=$(sed 's/.*kmod_ms=\([^ ]*\).*/\1/' <<<"$out")
		ot=$(sed 's/.*ours_ms=\([^ ]*\).*/\1/' <<<"$out")
		ratio=$(sed 's/.* ratio=\([^ ]*\).*/\1/' <<<"$out")
		cpu=$(sed 's/.*cpu_ratio=\([^ ]*\).*/\1/' <<<"$out")
	fi
	kt=$(awk -v v="$kt" 'BEGIN { printf "%.6f", v / 1000 }')
	ot=$(awk -v v="$ot" 'BEGIN { printf "%.6f", v / 1000 }')
	printf '%-28s kmod %8.4fs  ours %8.4fs  ratio %5s  (cpu ratio %s)  per call, n=%d%s\n' \
		"modprobe-percall-$name" "$kt" "$ot" "$ratio" "$cpu" "$BENCH_RUNS" \
		"$([[ $status == ok ]] || echo "  FAIL ($status)")"
	[[ $status == ok ]] || _bench_failed=1
	if [[ -n ${BENCH_TSV:-} ]]; then
		printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "modprobe-percall-$name" "$BENCH_RUNS" \
			"$kt" "$ot" "$ratio" 0 0 "$status" >>"$BENCH_TSV"
	fi
}

percall_case show-depends "$tmp/show-depends"
percall_case dry-run "$tmp/dry-run" shim
percall_case kernel-loaded "$tmp/kernel-loaded" shim
percall_case kernel-none "$tmp/kernel-none" shim
bench_done
