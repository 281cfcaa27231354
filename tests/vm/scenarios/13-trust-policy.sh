# 13. The signature policy (modprobe --require-signature, insmod --require-signature, modprobe.d
#     require_signature / trusted_keys) on the real kernel, which does not enforce signatures
#     here: what the policy refuses never reaches the kernel, what it accepts loads.
#     Debian's modules pass against the certificate taken from Debian's kernel image, also when
#     stored compressed (xz, zstd, gzip: verified on the decompressed bytes); a module signed by
#     the test key passes against the test trust directory and is refused when altered, when
#     signed by another key, or when unsigned; a modprobe whose plan holds an unsigned
#     dependency (xor of btrfs) names it and loads nothing of the plan.
. /vmtest/lib.sh
is_ours || skip "the signature policy is libmod's; kmod has none"
DEB=/etc/libmod/debian-keys
TK=$DATA/test-keys
ls $DEB/* >/dev/null 2>&1 || fail "no certificate of the kernel image in $DEB (build-initramfs.sh)"
expect_unloaded crc8 crc7 crc_itu_t crc16 btrfs

say "Debian's own modules against Debian's certificate: plain, xz, zstd, gzip"
ls $MD/kernel/lib/crc7.ko.xz $MD/kernel/lib/crc-itu-t.ko.zst $MD/kernel/lib/crc16.ko.gz >/dev/null ||
	fail "the compressed modules are missing"
run modprobe -a --require-signature=$DEB crc8 crc7 crc_itu_t crc16; expect_ok "modprobe -a (Debian-signed)"
expect_loaded crc8 crc7 crc_itu_t crc16
run rmmod crc8 crc7 crc_itu_t crc16; expect_ok "rmmod"

say "insmod: the test key's trust directory"
run insmod --require-signature=$TK $DATA/crc8-test-key.ko; expect_ok "insmod crc8 signed by the test key"
expect_loaded crc8
run rmmod crc8; expect_ok "rmmod crc8"
run insmod --require-signature=$TK $DATA/crc8-test-key-altered.ko; expect_err "altered module"
expect_out "^insmod: ERROR: signature policy: refusing crc8_test_key_altered \($DATA/crc8-test-key-altered.ko\): invalid signature \(digest mismatch\)$" "altered module"
run insmod --require-signature=$TK $DATA/crc8-other-key.ko; expect_err "module signed by another key"
expect_out "^insmod: ERROR: signature policy: refusing crc8_other_key .*: signed by an untrusted key \(signer 'libmod VM other key', key [0-9a-f:]+\)$" "other key"
run insmod --require-signature=$TK $DATA/crc8-unsigned.ko; expect_err "unsigned module"
expect_out "refusing crc8_unsigned .*: unsigned$" "unsigned module"
run insmod --require-signature=$TK $MD/kernel/lib/crc8.ko; expect_err "Debian's crc8, only the test key trusted"
expect_out ": signed by an untrusted key \(signer '[^']+', key [0-9a-f:]+\)$" "Debian's crc8"
expect_unloaded crc8

say "modprobe.d: require_signature * with Debian's certificate; btrfs needs an unsigned xor"
cat >/etc/modprobe.d/vmtest-trust.conf <<CONF
require_signature *
trusted_keys $DEB
CONF
xor=$MD/kernel/crypto/xor.ko
cp $xor /tmp/xor-signed.ko
cp $DATA/xor-unsigned.ko $xor
deps=$(dep_names $(cat $DATA/btrfs.deps))
run modprobe btrfs; expect_err "modprobe btrfs (unsigned xor)"
expect_out "^modprobe: ERROR: signature policy: refusing xor \($xor\): unsigned$" "modprobe btrfs"
expect_out "^modprobe: ERROR: could not insert 'btrfs': refused by the signature policy; nothing was loaded$" "modprobe btrfs"
expect_unloaded btrfs $deps
say "--allow-unsigned overrides the configuration for one run"
run modprobe --allow-unsigned btrfs; expect_ok "modprobe --allow-unsigned btrfs"
expect_loaded btrfs $deps
run modprobe -r btrfs; expect_ok "modprobe -r btrfs"
cp /tmp/xor-signed.ko $xor
say "with xor signed again, the whole plan passes"
run modprobe btrfs; expect_ok "modprobe btrfs (all signed)"
expect_loaded btrfs $deps
run modprobe -r btrfs; expect_ok "modprobe -r btrfs"
expect_unloaded btrfs
rm -f /etc/modprobe.d/vmtest-trust.conf
cleanup_modules crc32c_intel crc32c_generic blake2b_generic xxhash_generic
exit 0
