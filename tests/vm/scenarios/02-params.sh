# 2. Module parameters from three sources reach the kernel merged, later sources winning:
#    modprobe.d `options` < kernel command line (`null_blk.bs=2048 null_blk.completion_nsec=12345`
#    on QEMU's -append) < modprobe's own command line. Checked in /sys/module/null_blk/parameters.
. /vmtest/lib.sh
grep -q 'null_blk.bs=2048' /proc/cmdline || fail "kernel command line lacks null_blk.bs=2048"
cat >/etc/modprobe.d/vmtest-params.conf <<CONF
options null_blk gb=2 bs=1024
options null_blk hw_queue_depth=32
CONF
expect_unloaded null_blk
run modprobe null_blk gb=3 irqmode=0; expect_ok "modprobe null_blk"
expect_loaded null_blk configfs
expect_eq "gb (file 2, command line 3)" "$(param null_blk gb)" 3
expect_eq "bs (file 1024, kernel cmdline 2048)" "$(param null_blk bs)" 2048
expect_eq "hw_queue_depth (file only)" "$(param null_blk hw_queue_depth)" 32
expect_eq "completion_nsec (kernel cmdline only)" "$(param null_blk completion_nsec)" 12345
expect_eq "irqmode (command line only)" "$(param null_blk irqmode)" 0
run modprobe -r null_blk; expect_ok "modprobe -r null_blk"
expect_unloaded null_blk
rm -f /etc/modprobe.d/vmtest-params.conf
cleanup_modules configfs
exit 0
