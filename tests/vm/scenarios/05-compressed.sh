# 5. Compressed modules: the tree holds crc7.ko.xz, crc-itu-t.ko.zst and crc16.ko.gz. This 6.1
#    kernel has no in-kernel decompression (/sys/module/compression is absent), so the tools must
#    decompress in user space and use init_module. modprobe by name and insmod by compressed path
#    must both load them. kmod 30 here is built without zlib: with --tools=kmod the .gz case is
#    expected to fail (reference limitation) and is reported, not counted.
. /vmtest/lib.sh
[ -e /sys/module/compression ] && echo "note: kernel advertises $(cat /sys/module/compression)"
gz_ok=1
if uses_kmod modprobe || uses_kmod insmod; then
	case "$VMTEST_FEATURES" in *-ZLIB*) gz_ok=0 ;; esac
fi
for entry in crc7:kernel/lib/crc7.ko.xz crc_itu_t:kernel/lib/crc-itu-t.ko.zst \
	crc16:kernel/lib/crc16.ko.gz; do
	m=${entry%%:*}
	p=${entry#*:}
	[ -f $MD/$p ] || fail "$MD/$p missing from the image"
	expect_unloaded $m
	if [ $gz_ok = 0 ] && [ "${p##*.}" = gz ]; then
		# kmod -ZLIB cannot read .ko.gz (and its depmod skips them).
		run modprobe $m
		echo "note (kmod built -ZLIB, not counted): modprobe $m exit $RC"
		run insmod $MD/$p
		echo "note (kmod built -ZLIB, not counted): insmod $p exit $RC"
		cleanup_modules $m
		continue
	fi
	grep -q "^$p:" $MD/modules.dep || fail "modules.dep does not list $p"
	run modprobe $m; expect_ok "modprobe $m ($p)"
	expect_loaded $m
	run modprobe -r $m; expect_ok "modprobe -r $m"
	expect_unloaded $m
	run insmod $MD/$p; expect_ok "insmod $p"
	expect_loaded $m
	expect_eq "$m initstate" "$(cat /sys/module/$m/initstate)" live
	run rmmod $m; expect_ok "rmmod $m"
	expect_unloaded $m
done
exit 0
