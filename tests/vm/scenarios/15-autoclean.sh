# 15. modprobe --autoclean on the real kernel removes exactly the modules nothing needs:
#     in use and kept: minix (mounted on a loop device), loop (its device is open), binfmt_misc
#     (mounted, no device), dummy (interface dummy0 up), bridge (interface br0) and its held
#     dependencies stp and llc, ts_kmp (a modprobe.d keep line), crc_itu_t (modules-load.d);
#     unused and removed: crc8, ts_bm, and macvtap with macvlan and tap after it (held only by
#     macvtap). The dry run (-n) lists the same verdicts and changes nothing.
. /vmtest/lib.sh
if ! is_ours; then
	# kmod has no autoclean: it must refuse the option, and nothing is removed.
	run modprobe --autoclean; expect_err "modprobe --autoclean (kmod)"
	exit 0
fi
# Whatever an earlier scenario left loaded is not this scenario's: keep it out of the verdicts.
mkdir -p /etc/modprobe.d /etc/modules-load.d
for m in $(cut -d' ' -f1 /proc/modules); do echo "keep $m"; done >/etc/modprobe.d/15-earlier.conf
echo "keep ts_kmp" >/etc/modprobe.d/15-autoclean.conf
echo "crc-itu-t" >/etc/modules-load.d/15-autoclean.conf

unused="crc8 ts_bm macvtap macvlan tap"
kept="minix loop binfmt_misc dummy bridge stp llc ts_kmp crc_itu_t"
for m in crc8 ts_bm macvtap ts_kmp crc_itu_t loop minix binfmt_misc bridge; do
	run modprobe $m; expect_ok "modprobe $m"
done
run modprobe dummy numdummies=1; expect_ok "modprobe dummy"
ip link set dummy0 up || fail "cannot bring dummy0 up"
ip link add br0 type bridge 2>/dev/null || brctl addbr br0 || fail "cannot create br0"
expect_loaded $unused $kept
cp $DATA/minix.img /tmp/minix.img
dev=$(losetup -f) || fail "no free loop device"
losetup "$dev" /tmp/minix.img || fail "losetup $dev"
mkdir -p /mnt/minix /tmp/binfmt
mount -t minix "$dev" /mnt/minix || fail "cannot mount minix from $dev"
mount -t binfmt_misc none /tmp/binfmt || fail "cannot mount binfmt_misc"

run modprobe --autoclean -n; expect_ok "modprobe --autoclean -n"
expect_loaded $unused $kept
dry=$OUT
run modprobe --autoclean; expect_ok "modprobe --autoclean"
[ "$(echo "$OUT" | grep -v '^removed ')" = "$dry" ] || fail "the dry run judged differently"
removed=$(echo "$OUT" | sed -n 's/^removed //p' | sort | tr '\n' ' ')
expect_eq "removed modules" "$removed" "$(echo $unused | tr ' ' '\n' | sort | tr '\n' ' ')"
expect_unloaded $unused
expect_loaded $kept
# Holders go first: macvtap before the modules it held.
order=$(echo "$OUT" | sed -n 's/^removed //p' | tr '\n' ' ')
case "$order" in *macvtap*macvlan*) ;; *) fail "macvlan removed before macvtap: $order" ;; esac
expect_out '^keep minix: filesystem minix mounted on /mnt/minix$' "autoclean"
expect_out '^keep binfmt_misc: filesystem binfmt_misc mounted on /tmp/binfmt$' "autoclean"
expect_out '^keep loop: reference count [1-9]' "autoclean"
expect_out '^keep dummy: network interface dummy0 \(dummy\)$' "autoclean"
expect_out '^keep bridge: network interface br0 \(bridge\)$' "autoclean"
expect_out '^keep stp: held by bridge$' "autoclean"
expect_out '^keep llc: held by (stp, bridge|bridge, stp)$' "autoclean"
expect_out '^keep ts_kmp: keep line at /etc/modprobe.d/15-autoclean.conf:1$' "autoclean"
expect_out '^keep crc_itu_t: loaded at boot \(/etc/modules-load.d/15-autoclean.conf:1\)$' "autoclean"

# Once nothing uses them any more, a second run takes them away too (not the configured ones).
umount /mnt/minix /tmp/binfmt
losetup -d "$dev"
ip link del br0 2>/dev/null || { ip link set br0 down; brctl delbr br0; }
ip link del dummy0 || fail "cannot delete dummy0"
run modprobe --autoclean; expect_ok "modprobe --autoclean (second run)"
expect_unloaded minix binfmt_misc dummy bridge stp llc
expect_loaded ts_kmp crc_itu_t
rm -f /etc/modprobe.d/15-earlier.conf /etc/modprobe.d/15-autoclean.conf \
	/etc/modules-load.d/15-autoclean.conf
cleanup_modules ts_kmp crc_itu_t loop
exit 0
