# 4. insmod of a file that is not a module, of a truncated module and of a module built for
#    another kernel (other release string and module_layout CRC) each fails with a clear message
#    and loads nothing; afterwards the kernel still loads the genuine module.
. /vmtest/lib.sh
clear_msg='[Ii]nvalid|[Ff]ormat|ELF|[Tt]runcat|[Vv]ersion|[Mm]agic|not a'
for f in not-a-module.ko crc8-truncated.ko crc8-otherkernel.ko; do
	run insmod $DATA/$f; expect_err "insmod $f"
	expect_out "$clear_msg" "insmod $f"
	expect_unloaded crc8
done
dmesg | grep -E 'crc8|module' | tail -n 5
run insmod $MD/kernel/lib/crc8.ko; expect_ok "insmod crc8.ko"
expect_loaded crc8
expect_eq "crc8 initstate" "$(cat /sys/module/crc8/initstate)" live
run rmmod crc8; expect_ok "rmmod crc8"
expect_unloaded crc8
exit 0
