#!/bin/bash
# Differential tests of modprobe against kmod's on the real corpus (trees from
# scripts/make-trees.sh, indexed by kmod's depmod):
#   show-depends  `modprobe -d ROOT -S VER --show-depends NAME` for every module name in the tree
#   resolve       `-R` for >= 2000 aliases of modules.alias made concrete
#   config        `-c -C DIR` for a config directory that uses every command kmod 30 knows
# Usage: modprobe-diff.sh <our modprobe> [show-depends|resolve|config]...  (default: all three)
# Known, intended differences are counted and listed, not failed: modules reached through a
# module with several softdep lines (we merge them all; kmod uses only the first, kmod #33).
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

# Names of modules with more than one softdep line in modules.softdep.
multi_softdep=$(awk '$1 == "softdep" {n[$2]++} END {for (m in n) if (n[m] > 1) print m}' \
	"$moddir/modules.softdep" | tr '-' '_' | sort)

# Compare stdout, exit code and stderr. Debian's kmod is a debug build: its library messages carry
# "../libkmod/file.c:NNN function() " and, before modprobe installs its logger, a "libkmod: "
# prefix; both are normalised away. STDOUT_ONLY=1 skips stderr (config parse messages are
# logged before the tool's logger exists in kmod, after it in ours).
run_pair() { # mode-name, then the common arguments
	local name=$1
	shift
	{ "$ref" "$@" 2> "$work/ref.err"; echo "rc=$?"; } > "$work/ref.out" || true
	{ "$ours" "$@" 2> "$work/ours.err"; echo "rc=$?"; } > "$work/ours.out" || true
	if [ "${STDOUT_ONLY:-0}" != 1 ]; then
		sed -E 's,\.\./libkmod/[a-z-]+\.c:[0-9]+ [a-z_]+\(\) ,,' "$work/ref.err" >> "$work/ref.out"
		cat "$work/ours.err" >> "$work/ours.out"
	fi
	cmp -s "$work/ref.out" "$work/ours.out"
}

show_depends() {
	local total=0 same=0 known=0 bad=0 m
	local names
	names=$(sed -e 's,:.*,,' -e 's,.*/,,' -e 's,\.ko.*,,' "$moddir/modules.dep" | tr '-' '_' | sort -u)
	for m in $names; do
		total=$((total + 1))
		if run_pair "$m" -C "$work/empty-conf" -d "$root" -S "$ver" --show-depends "$m"; then
			same=$((same + 1))
			continue
		fi
		# Intended: a module on the path has several softdep lines.
		local involved
		involved=$(grep -o '[^/ ]*\.ko' "$work/ref.out" "$work/ours.out" | sed 's,.*:,,; s,\.ko$,,' | tr '-' '_' | sort -u)
		if [ -n "$multi_softdep" ] && comm -12 <(echo "$involved") <(echo "$multi_softdep") | grep -q .; then
			known=$((known + 1))
			echo "known difference (merged softdep lines): $m"
			continue
		fi
		bad=$((bad + 1))
		echo "DIFFERENT: --show-depends $m"
		diff "$work/ref.out" "$work/ours.out" | head -10 || true
	done
	echo "show-depends: $total names, $same identical, $known known differences, $bad different"
	[ "$bad" -eq 0 ] || fail=1
}

resolve() {
	local total=0 same=0 bad=0 a
	# Concrete strings: '*' matches nothing, '?' and [...] take their first choice.
	awk '$1 == "alias" {print $2}' "$moddir/modules.alias" |
		awk 'NR % 8 == 1' |
		sed -e 's/\[\([^]]\)[^]]*\]/\1/g' -e 's/\*//g' -e 's/?/a/g' > "$work/aliases"
	while read -r a; do
		total=$((total + 1))
		if run_pair "$a" -C "$work/empty-conf" -d "$root" -S "$ver" -R "$a"; then
			same=$((same + 1))
		else
			bad=$((bad + 1))
			echo "DIFFERENT: -R $a"
			diff "$work/ref.out" "$work/ours.out" | head -6 || true
		fi
	done < "$work/aliases"
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
	if STDOUT_ONLY=1 run_pair config -C "$d" -d "$root" -S "$ver" -c; then
		echo "config: identical ($(wc -l < "$work/ref.out") lines)"
	else
		echo "DIFFERENT: -c"
		diff "$work/ref.out" "$work/ours.out" | head -30 || true
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
