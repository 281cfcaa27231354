# 8. --force on modules whose vermagic was altered (" preempt " became " PREEMPT "): the kernel
#    refuses them without force and loads them with it (Debian's kernel has MODULE_FORCE_LOAD),
#    setting the forced-load taint (bit 1). crc64 is altered inside the module tree (modprobe),
#    ts_bm-vermagic.ko is a loose file (insmod).
. /vmtest/lib.sh
expect_unloaded crc64 ts_bm
run modprobe crc64; expect_err "modprobe crc64 (altered vermagic)"
expect_unloaded crc64
run modprobe -f crc64; expect_ok "modprobe -f crc64"
expect_loaded crc64
taint=$(cat /proc/sys/kernel/tainted)
[ $((taint & 2)) != 0 ] || fail "kernel not tainted with a forced load (tainted=$taint)"
echo "ok: tainted=$taint has the forced-load bit"
run rmmod crc64; expect_ok "rmmod crc64"
expect_unloaded crc64

run insmod $DATA/ts_bm-vermagic.ko; expect_err "insmod ts_bm-vermagic.ko"
expect_unloaded ts_bm
run insmod -f $DATA/ts_bm-vermagic.ko; expect_ok "insmod -f ts_bm-vermagic.ko"
expect_loaded ts_bm
run rmmod ts_bm; expect_ok "rmmod ts_bm"
expect_unloaded ts_bm
exit 0
