# 16. lsmod --verbose and --json on the real kernel: each module's class from its aliases and
#     tree location (minix: filesystem, registered in /proc/filesystems; dummy: driver (net);
#     bridge, stp, llc: network protocol; ts_bm: library), its parameters as sysfs shows them
#     (loop's max_part as given; dummy's numdummies has no sysfs file, so dummy shows none),
#     the holders of llc as a tree, and the signature state: Debian's signed modules are valid
#     (no taint E), a copy without its signature loads with taint E and reads "not valid".
. /vmtest/lib.sh
if ! is_ours; then
	# kmod's lsmod prints the table only: the details are libmod's.
	run lsmod --verbose; expect_ok "lsmod --verbose (kmod)"
	exit 0
fi
for m in minix bridge ts_bm; do
	run modprobe $m; expect_ok "modprobe $m"
done
run modprobe dummy numdummies=2; expect_ok "modprobe dummy"
run modprobe loop max_part=3; expect_ok "modprobe loop max_part=3"
run insmod $DATA/crc8-unsigned.ko; expect_ok "insmod crc8-unsigned.ko"
expect_eq "taint of the unsigned crc8" "$(cat /sys/module/crc8/taint)" "E"

run lsmod --verbose; expect_ok "lsmod --verbose"
# The table stays kmod's: the first line and one line per module before the details.
expect_out '^Module                  Size  Used by$' "lsmod --verbose"
block() { echo "$OUT" | sed -n "/^$1\$/,/^  holders/p"; }
block minix | grep -q '^  class: filesystem, from alias fs-minix$' || fail "minix class: $(block minix)"
block minix | grep -q '^  registered filesystems: minix$' || fail "minix filesystems: $(block minix)"
block dummy | grep -q '^  class: driver (net), from kernel/drivers/net/$' || fail "dummy class: $(block dummy)"
block dummy | grep -q '^  parameters: none$' || fail "dummy parameters: $(block dummy)"
block loop | grep -Eq '^  parameters: (.*, )?max_part=3(, .*)?$' || fail "loop parameters: $(block loop)"
block loop | grep -q '^  class: driver (block), from ' || fail "loop class: $(block loop)"
block bridge | grep -q '^  class: network protocol, from kernel/net/$' || fail "bridge class: $(block bridge)"
block ts_bm | grep -q '^  class: library, from kernel/lib/$' || fail "ts_bm class: $(block ts_bm)"
block bridge | grep -q '^  signature: valid ' || fail "bridge signature: $(block bridge)"
block crc8 | grep -q '^  taint: E$' || fail "crc8 taint: $(block crc8)"
block crc8 | grep -q '^  signature: not valid ' || fail "crc8 signature: $(block crc8)"
# llc is held by stp and bridge, stp by bridge: the tree shows bridge twice.
tree=$(echo "$OUT" | sed -n '/^llc$/,/^[a-z]/p' | sed -n '/^  holders:$/,$p' | grep '^    ' | tr -s ' ' | tr '\n' '|')
case "$tree" in
" stp| bridge| bridge|" | " bridge| stp| bridge|") echo "ok: holder tree of llc: $tree" ;;
*) fail "holder tree of llc: '$tree'" ;;
esac
expect_out '^Load policy: modules_disabled=0 lockdown=' "lsmod --verbose"

run lsmod --json; expect_ok "lsmod --json"
expect_out '"name": "minix", .*"class": "filesystem", "driver_kind": null, "class_basis": "alias fs-minix", "filesystems": \["minix"\]' "lsmod --json minix"
expect_out '"name": "dummy", .*"class": "driver", "driver_kind": "net", .*"parameters": \{\}' "lsmod --json dummy"
expect_out '"name": "loop", .*"parameters": \{.*"max_part": "3"' "lsmod --json loop"
expect_out '"name": "crc8", .*"taint": "E", "signature": "not valid"' "lsmod --json crc8"
expect_out '"name": "llc", .*"holder_tree": \[\{"name": "(stp|bridge)", "holders": \[' "lsmod --json llc"
cleanup_modules dummy loop bridge stp llc minix ts_bm crc8
exit 0
