# 1. `modprobe btrfs` loads btrfs and every hard dependency (the list comes from the reference
#    depmod of the full tree, stored at build time); lsmod's "Used by" matches the kernel's
#    /proc/modules; `modprobe -r btrfs` removes btrfs and every dependency nothing else uses.
. /vmtest/lib.sh
deps=$(dep_names $(cat $DATA/btrfs.deps))
say "btrfs hard dependencies: $deps"
expect_unloaded btrfs
run modprobe btrfs; expect_ok "modprobe btrfs"
expect_loaded btrfs $deps
run lsmod; expect_ok lsmod
lsmod_out=$OUT
# Compare every lsmod row with /proc/modules: refcount and the set of holders.
while read -r name size count users rest; do
	row=$(echo "$lsmod_out" | awk -v n="$name" '$1 == n {print; exit}')
	[ -n "$row" ] || fail "lsmod lacks $name"
	lcount=$(echo "$row" | awk '{print $3}')
	lusers=$(echo "$row" | awk '{print $4}' | tr ',' '\n' | grep -v '^$' | sort | tr '\n' ' ')
	kusers=$(echo "$users" | tr ',' '\n' | grep -v -e '^$' -e '^-$' | sort | tr '\n' ' ')
	[ "$lcount" = "$count" ] || fail "lsmod says $name used $lcount times, kernel says $count"
	[ "$lusers" = "$kusers" ] || fail "lsmod says $name used by '$lusers', kernel says '$kusers'"
done </proc/modules
echo "ok: lsmod Used by matches /proc/modules for $(wc -l </proc/modules) modules"
held=0
for d in $deps; do case " $(holders $d) " in *" btrfs "*) held=$((held + 1)) ;; esac; done
[ $held -gt 0 ] || fail "no dependency lists btrfs in /sys/module/*/holders"
echo "ok: $held dependencies are held by btrfs"

run modprobe -r btrfs; expect_ok "modprobe -r btrfs"
expect_unloaded btrfs
for d in $deps; do
	if loaded $d; then
		[ "$(refcnt $d)" != 0 ] || fail "$d is unused but was left loaded by modprobe -r"
		echo "ok: $d stays (refcnt $(refcnt $d), used by: $(holders $d))"
	else
		echo "ok: $d removed"
	fi
done
exit 0
