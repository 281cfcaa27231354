# 14. All or nothing on the real kernel. null_blk needs configfs: a bad value for a typed
#     parameter (gb=notanumber) makes the kernel refuse null_blk after configfs was loaded, and
#     modprobe removes configfs again; a configfs loaded before stays; --no-rollback leaves it
#     (kmod's behaviour) and says so. In btrfs's plan xor (with an altered vermagic) fails in the
#     middle: the dependencies loaded before it are removed again, in reverse order.
. /vmtest/lib.sh
expect_unloaded null_blk configfs btrfs
run modprobe null_blk gb=notanumber; expect_err "modprobe null_blk gb=notanumber"
expect_unloaded null_blk
if uses_kmod modprobe; then
	say "kmod leaves configfs loaded: no rollback"
	expect_loaded configfs
	cleanup_modules configfs
	exit 0
fi
expect_out "^modprobe: ERROR: loading null_blk failed \(Invalid argument\); rolled back, in reverse load order: configfs$" "rollback message"
expect_unloaded configfs

say "configfs loaded before: it stays"
run modprobe configfs; expect_ok "modprobe configfs"
run modprobe null_blk gb=notanumber; expect_err "modprobe null_blk gb=notanumber"
expect_loaded configfs
expect_unloaded null_blk
run rmmod configfs; expect_ok "rmmod configfs"

say "--no-rollback"
run modprobe --no-rollback null_blk gb=notanumber; expect_err "modprobe --no-rollback"
expect_out "loading null_blk failed \(Invalid argument\); left loaded \(no rollback\): configfs$" "--no-rollback"
expect_loaded configfs
run rmmod configfs; expect_ok "rmmod configfs"

say "a dependency fails in the middle of btrfs's plan"
xor=$MD/kernel/crypto/xor.ko
cp $xor /tmp/xor-good.ko
cp $DATA/xor-vermagic.ko $xor
run modprobe -v btrfs; expect_err "modprobe btrfs (xor with another vermagic)"
expect_out "^modprobe: ERROR: loading xor failed \([^)]*\); rolled back, in reverse load order: [a-z0-9_ ]+$" "rollback message"
expect_out "^rmmod " "rmmod actions under -v"
expect_unloaded btrfs $(dep_names $(cat $DATA/btrfs.deps))
cp /tmp/xor-good.ko $xor

say "the same load succeeds and nothing is rolled back"
run modprobe btrfs; expect_ok "modprobe btrfs"
expect_loaded btrfs
run modprobe -r btrfs; expect_ok "modprobe -r btrfs"
run modprobe null_blk; expect_ok "modprobe null_blk"
expect_loaded null_blk configfs
run modprobe -r null_blk; expect_ok "modprobe -r null_blk"
cleanup_modules configfs crc32c_intel crc32c_generic blake2b_generic xxhash_generic
exit 0
