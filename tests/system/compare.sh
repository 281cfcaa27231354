#!/bin/bash
# compare.sh STOCK_REPORT OURS_REPORT: judge one boot of each variant (boot.sh's reports).
# Fails, saying what differed, when
#   - a check inside either system failed (the failed units are listed),
#   - ours does not run on libmod (udevd's libkmod.so.2, /bin/kmod, kmod or libkmod2 still
#     installed: dpkg's status "ic", removed with conffiles kept, is what a swap leaves)
#     or stock does not run on kmod (then the comparison would prove nothing),
#   - the modules loaded after coldplug, or lspci -k's output, differ (shown side by side),
#   - ours' journal has a line from udev, systemd-modules-load or the kernel about modules that
#     stock's has not (the lines are printed).
set -uo pipefail
stock=${1:?usage: compare.sh STOCK_REPORT OURS_REPORT}
ours=${2:?}
bad=0
problem() { echo "system: FAIL: $*"; bad=1; }
field() { sed -n "s/^$2 //p" "$1"; }

for r in "$stock" "$ours"; do
	v=$(sed -n 's/^BEGIN variant=\([a-z]*\).*/\1/p' "$r")
	while read -r line; do problem "[$v] check $line"; done < <(field "$r" check | grep ' FAIL ')
	while read -r u; do echo "system:   [$v] failed unit: $u"; done < <(field "$r" failed)
	n=$(field "$r" check | grep -c ' PASS ')
	echo "system: [$v] $n checks passed"
done

# Who provides the module tools and udevd's libkmod in each variant.
expect() { # expect REPORT VARIANT INFO-KEY PATTERN
	local got
	got=$(field "$1" "info $3")
	[[ $got =~ $4 ]] || problem "[$2] $3 is '$got', expected /$4/"
}
expect "$stock" stock udevd-libkmod ' libkmod2$'
expect "$stock" stock kmod-package '^kmod$'
expect "$ours" ours udevd-libkmod '^/usr/lib/x86_64-linux-gnu/libkmod\.so\.2[^ ]* libmod-libkmod2$'
expect "$ours" ours kmod-package '^libmod-kmod$'
expect "$ours" ours 'package kmod' '^(none|.[^i].*)$'
expect "$ours" ours 'package libkmod2' '^(none|.[^i].*)$'

side_by_side() { # side_by_side WHAT KEY
	if ! diff -q <(field "$stock" "$2") <(field "$ours" "$2") >/dev/null; then
		problem "$1 differ (stock | ours):"
		diff -y --suppress-common-lines -W 120 <(field "$stock" "$2") <(field "$ours" "$2")
	fi
}
nmods=$(field "$ours" module | wc -l)
[ "$nmods" -gt 0 ] || problem "ours reported no loaded modules"
side_by_side "the modules loaded after udevadm settle" module
side_by_side "lspci -k" lspci
# systemd's "X.service: Consumed 1.062s CPU time." appears when a unit's CPU time passes a
# threshold: TCG timing noise, not a message about modules.
journal() { field "$1" journal | grep -vE ': Consumed .* CPU time\.$' | sort -u; }
extra=$(comm -13 <(journal "$stock") <(journal "$ours"))
[ -z "$extra" ] || { problem "journal lines about modules only ours printed:"; printf '  %s\n' "$extra"; }

for r in "$stock" "$ours"; do
	v=$(sed -n 's/^BEGIN variant=\([a-z]*\).*/\1/p' "$r")
	echo "system: [$v] $(field "$r" time); boot wall $(field "$r" wall)s"
done
[ "$bad" = 0 ] && echo "system: stock and ours agree: $nmods modules after coldplug, same lspci -k, no new journal lines"
exit "$bad"
