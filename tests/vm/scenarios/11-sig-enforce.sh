# vm-cmdline: lockdown=integrity module.sig_enforce=1
# 11. A kernel booted with lockdown=integrity and module.sig_enforce=1: lsmod -v shows that
#     policy, a genuine (Debian-signed) module still loads, and the same module with its
#     signature cut off is refused with a message naming sig_enforce and the unsigned file.
. /vmtest/lib.sh
# init mounts no securityfs; the lockdown file lives there.
[ -e /sys/kernel/security/lockdown ] || mount -t securityfs securityfs /sys/kernel/security
expect_eq "lockdown" "$(cat /sys/kernel/security/lockdown)" "none [integrity] confidentiality"
expect_eq "sig_enforce" "$(cat /sys/module/module/parameters/sig_enforce)" Y
if is_ours; then
	run lsmod -v; expect_ok "lsmod -v"
	expect_out '^Load policy: modules_disabled=0 lockdown=integrity sig_enforce=Y$' "lsmod -v"
fi

run modprobe crc8; expect_ok "modprobe crc8 (signed)"
expect_loaded crc8
run rmmod crc8; expect_ok "rmmod crc8"

f=$MD/kernel/lib/crc8.ko
cp "$f" /tmp/crc8-signed.ko
cp $DATA/crc8-unsigned.ko "$f"
run modprobe crc8; expect_err "modprobe crc8 (unsigned)"
uses_kmod modprobe ||
	expect_out "^modprobe: ERROR: could not insert 'crc8': the kernel requires signed modules \(module.sig_enforce\) and $f is unsigned$" "modprobe crc8 (unsigned)"
run insmod $DATA/crc8-unsigned.ko; expect_err "insmod crc8-unsigned.ko"
uses_kmod insmod ||
	expect_out "^insmod: ERROR: could not insert module $DATA/crc8-unsigned.ko: the kernel requires signed modules \(module.sig_enforce\) and $DATA/crc8-unsigned.ko is unsigned$" "insmod crc8-unsigned.ko"
expect_unloaded crc8
dmesg | grep -i -E 'module|lockdown' | tail -n 3
cp /tmp/crc8-signed.ko "$f"
exit 0
