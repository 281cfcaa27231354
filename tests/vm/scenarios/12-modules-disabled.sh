# vm-cmdline: lockdown=integrity module.sig_enforce=1
# 12. modules_disabled set at run time: loads and removals are refused with a message naming
#     /proc/sys/kernel/modules_disabled (it is checked before signatures, so it wins over the
#     policy of scenario 11, whose boot this shares). Setting it cannot be undone until reboot:
#     this must stay the last scenario of its boot.
. /vmtest/lib.sh
run modprobe crc8; expect_ok "modprobe crc8"
expect_loaded crc8
echo 1 >/proc/sys/kernel/modules_disabled || fail "cannot set modules_disabled"
if is_ours; then
	run lsmod --verbose; expect_ok "lsmod --verbose"
	expect_out '^Load policy: modules_disabled=1 lockdown=integrity sig_enforce=Y$' "lsmod -v"
fi
run modprobe ts_bm; expect_err "modprobe ts_bm"
uses_kmod modprobe ||
	expect_out "^modprobe: ERROR: could not insert 'ts_bm': loading modules is disabled \(/proc/sys/kernel/modules_disabled is 1\)$" "modprobe ts_bm"
expect_unloaded ts_bm
run insmod $MD/kernel/lib/ts_bm.ko; expect_err "insmod ts_bm.ko"
uses_kmod insmod ||
	expect_out "^insmod: ERROR: could not insert module $MD/kernel/lib/ts_bm.ko: loading modules is disabled \(/proc/sys/kernel/modules_disabled is 1\)$" "insmod ts_bm.ko"
run rmmod crc8; expect_err "rmmod crc8"
uses_kmod rmmod ||
	expect_out "^rmmod: ERROR: could not remove module crc8: removing modules is disabled \(/proc/sys/kernel/modules_disabled is 1\)$" "rmmod crc8"
expect_loaded crc8
exit 0
