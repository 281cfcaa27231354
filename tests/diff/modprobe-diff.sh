#!/bin/bash
# Differential tests of modprobe against kmod's on the real corpus (trees from
# scripts/make-trees.sh, indexed by kmod's depmod):
#   show-depends  `modprobe -d ROOT -S VER --show-depends NAME` for every module name in the tree
#   resolve       `-R` for >= 2000 aliases of modules.alias made concrete
#   config        `-c -C DIR` for a config directory that uses every command kmod 30 knows
# Usage: modprobe-diff.sh <our modprobe> [show-depends|resolve|config]...  (default: all three)
# Known, intended differences are counted and listed, not failed: modules reached through a
# module with several softdep lines (we merge them all; kmod uses only the first, kmod #33).
# MODPROBE_DIFF_JOBS (default: the number of CPUs) workers share the names and aliases.
set -euo pipefail

ours=$(readlink -f "$1")
shift
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(show-depends resolve config)
srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ref=${KMOD_MODPROBE:-/sbin/modprobe}
root=$("$srcdir/scripts/make-trees.sh" --print plain)
ver=$("$srcdir/scripts/make-trees.sh" --print-version)
moddir=$root/lib/modules/$ver
work=$(mktemp -d /var/tmp/modprobe-diff.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Neither side may see this machine's /etc/modprobe.d or kernel command line.
mkdir -p "$work/empty-conf"
fail=0
jobs=${MODPROBE_DIFF_JOBS:-$(nproc)}

# Names of modules with more than one softdep line in modules.softdep.
multi_softdep=$(awk '$1 == "softdep" {n[$2]++} END {for (m in n) if (n[m] > 1) print m}' \
	"$moddir/modules.softdep" | tr '-' '_' | sort)

# Compare stdout, exit code and stderr. Debian's kmod is a debug build: its library messages carry
# "../libkmod/file.c:NNN function() " and, before modprobe installs its logger, a "libkmod: "
# prefix; both are normalised away. STDOUT_ONLY=1 skips stderr (config parse messages are
# logged before the tool's logger exists in kmod, after it in ours). $w is the caller's scratch
# directory (one per worker).
run_pair() { # the common arguments
	{ "$ref" "$@" 2> "$w/ref.err"; echo "rc=$?"; } > "$w/ref.out" || true
	{ "$ours" "$@" 2> "$w/ours.err"; echo "rc=$?"; } > "$w/ours.out" || true
	if [ "${STDOUT_ONLY:-0}" != 1 ]; then
		sed -E 's,\.\./libkmod/[a-z-]+\.c:[0-9]+ [a-z_]+\(\) ,,' "$w/ref.err" >> "$w/ref.out"
		cat "$w/ours.err" >> "$w/ours.out"
	fi
	cmp -s "$w/ref.out" "$w/ours.out"
}

# One item of a mode: prints what differed and returns 0 identical, 1 a known difference,
# 2 different.
one_show_depends() {
	run_pair -C "$work/empty-conf" -d "$root" -S "$ver" --show-depends "$1" && return 0
	# Intended: a module on the path has several softdep lines.
	local involved
	involved=$(grep -o '[^/ ]*\.ko' "$w/ref.out" "$w/ours.out" | sed 's,.*:,,; s,\.ko$,,' | tr '-' '_' | sort -u)
	if [ -n "$multi_softdep" ] && comm -12 <(echo "$involved") <(echo "$multi_softdep") | grep -q .; then
		echo "known difference (merged softdep lines): $1"
		return 1
	fi
	echo "DIFFERENT: --show-depends $1"
	diff "$w/ref.out" "$w/ours.out" | head -10 || true
	return 2
}

one_resolve() {
	run_pair -C "$work/empty-conf" -d "$root" -S "$ver" -R "$1" && return 0
	echo "DIFFERENT: -R $1"
	diff "$w/ref.out" "$w/ours.out" | head -6 || true
	return 2
}

# Run one_MODE over the items in the file $2, split round-robin over $jobs workers (each process
# pair is independent; the machine's cores are otherwise idle while a test runs alone). Messages
# come out in worker order; the counts "total same known bad" go to $work/counts.
each_item() {
	local mode=$1 list=$2 j
	rm -rf "$work/w"
	for ((j = 0; j < jobs; j++)); do
		mkdir -p "$work/w/$j"
		awk -v j="$j" -v n="$jobs" '(NR - 1) % n == j' "$list" > "$work/w/$j/items"
		(
			w=$work/w/$j
			total=0 same=0 known=0 bad=0
			while read -r item; do
				total=$((total + 1))
				rc=0
				"one_$mode" "$item" || rc=$?
				case $rc in 0) same=$((same + 1)) ;; 1) known=$((known + 1)) ;; *) bad=$((bad + 1)) ;; esac
			done < "$w/items"
			echo "$total $same $known $bad" > "$w/counts"
		) > "$work/w/$j/log" 2>&1 &
	done
	wait
	for ((j = 0; j < jobs; j++)); do
		cat "$work/w/$j/log"
		[ -f "$work/w/$j/counts" ] || { echo "worker $j of $mode stopped early"; fail=1; }
	done
	cat "$work"/w/*/counts 2>/dev/null |
		awk '{t += $1; s += $2; k += $3; b += $4} END {print t + 0, s + 0, k + 0, b + 0}' > "$work/counts"
}

show_depends() {
	local total same known bad
	sed -e 's,:.*,,' -e 's,.*/,,' -e 's,\.ko.*,,' "$moddir/modules.dep" | tr '-' '_' | sort -u > "$work/names"
	each_item show_depends "$work/names"
	read -r total same known bad < "$work/counts"
	echo "show-depends: $total names, $same identical, $known known differences, $bad different"
	[ "$total" -ge 4000 ] || { echo "too few module names ($total)"; fail=1; }
	[ "$bad" -eq 0 ] || fail=1
}

resolve() {
	local total same known bad
	# Concrete strings: '*' matches nothing, '?' and [...] take their first choice.
	awk '$1 == "alias" {print $2}' "$moddir/modules.alias" |
		awk 'NR % 8 == 1' |
		sed -e 's/\[\([^]]\)[^]]*\]/\1/g' -e 's/\*//g' -e 's/?/a/g' > "$work/aliases"
	each_item resolve "$work/aliases"
	read -r total same known bad < "$work/counts"
	echo "resolve: $total aliases, $same identical, $bad different"
	[ "$total" -ge 2000 ] || { echo "too few aliases ($total)"; fail=1; }
	[ "$bad" -eq 0 ] || fail=1
}

config() {
	local d=$work/conf.d
	mkdir -p "$d"
	cat > "$d/10-all.conf" <<'CONF'
# every command kmod 30 knows, plus its error cases
alias my-net e1000e
alias pci:v00008086d*sv*sd*bc*sc*i* e1000
alias weird[-_]name dummy
options e1000e InterruptThrottleRate=3000,3000
options	dummy	numdummies=2  extra="a b"
options my-net copybreak=0
install dummy /bin/true $CMDLINE_OPTS
remove dummy /bin/true
blacklist pcspkr
blacklist snd-pcsp
softdep e1000e pre: crc32c ptp
softdep ext4 post: crc32c
softdep cifs gcm
include /etc/foo.conf
config binary_indexes no
bogus line here
  # indented comment
options with-dash-mod a=1
CONF
	cat > "$d/20-more.conf" <<'CONF'
alias net-pf-99 dummy
install pcspkr /bin/false
options e1000e debug=1
CONF
	printf 'alias not-read x\n' > "$d/ignored.txt"
	local w=$work
	if STDOUT_ONLY=1 run_pair -C "$d" -d "$root" -S "$ver" -c; then
		echo "config: identical ($(wc -l < "$w/ref.out") lines)"
	else
		echo "DIFFERENT: -c"
		diff "$w/ref.out" "$w/ours.out" | head -30 || true
		fail=1
	fi
}

for m in "${modes[@]}"; do
	case $m in
	show-depends) show_depends ;;
	resolve) resolve ;;
	config) config ;;
	*) echo "unknown mode $m"; exit 2 ;;
	esac
done
exit $fail
