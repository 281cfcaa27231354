# 6. Four `modprobe btrfs` processes started at once (btrfs has several dependencies) all exit 0,
#    and the kernel ends with exactly one btrfs and one of each dependency, each dependency held
#    only by its real users.
. /vmtest/lib.sh
deps=$(dep_names $(cat $DATA/btrfs.deps))
expect_unloaded btrfs
for i in 1 2 3 4; do
	(modprobe btrfs >/tmp/par.$i.out 2>&1; echo $? >/tmp/par.$i.rc) &
done
wait
for i in 1 2 3 4; do
	echo "modprobe #$i: exit $(cat /tmp/par.$i.rc)"; cat /tmp/par.$i.out
	[ "$(cat /tmp/par.$i.rc)" = 0 ] || fail "parallel modprobe #$i exited $(cat /tmp/par.$i.rc)"
done
for m in btrfs $deps; do
	expect_eq "copies of $m in /proc/modules" "$(grep -c "^$m " /proc/modules)" 1
done
expect_eq "btrfs initstate" "$(cat /sys/module/btrfs/initstate)" live
expect_eq "raid6_pq holders" "$(holders raid6_pq)" btrfs
run modprobe -r btrfs; expect_ok "modprobe -r btrfs"
expect_unloaded btrfs
cleanup_modules $deps
exit 0
