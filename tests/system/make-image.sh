#!/bin/bash
# make-image.sh VARIANT BASE OUT [DEB...]: the bootable system of one variant, in OUT: root.img
# (an ext4 image made from a directory with mkfs.ext4 -d, no loop device), and the vmlinuz and
# initrd.img of that root.
#
#   stock  the base root as debootstrap and the kernel package left it (kmod 30, libkmod2)
#   ours   the same root after `dpkg -i DEB...` (libmod's packages, which must remove kmod and
#          libkmod2) and `update-initramfs -u` run inside it, as a package upgrade would
#
# Both get the test's guest files (the check service, root's autologin on the serial console,
# a modules-load.d list, fstab). The caller
# caches OUT by a key of the inputs; this script always builds.
set -euo pipefail
variant=${1:?usage: make-image.sh stock|ours BASE OUT [DEB...]}
base=${2:?}
out=${3:?}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
log() { printf 'system: [%s] %s\n' "$variant" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

kver=$(cat "$base/../kver")
rm -rf "$out" "$out.stage"
mkdir -p "$out"
stage="$out.stage"
cp -a "$base" "$stage"

# Guest files.
install -m 0755 "$here/guest/libmod-system-check" "$stage/usr/local/sbin/libmod-system-check"
install -m 0644 "$here/guest/libmod-system-check.service" "$stage/etc/systemd/system/"
mkdir -p "$stage/etc/systemd/system/multi-user.target.wants"
ln -sf ../libmod-system-check.service "$stage/etc/systemd/system/multi-user.target.wants/"
install -m 0644 "$here/guest/modules-load.conf" "$stage/etc/modules-load.d/libmod-system-test.conf"
# The console belongs to the check's report, then to root's login shell for the typed session
# (libmod-console-login.service, which the check pulls in): no getty of its own on it.
install -m 0644 "$here/guest/libmod-console-login.service" "$stage/etc/systemd/system/"
ln -sf /dev/null "$stage/etc/systemd/system/serial-getty@ttyS0.service"
echo "$variant" >"$stage/etc/libmod-system-variant"
echo "libmod-$variant" >"$stage/etc/hostname"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 0\n' >"$stage/etc/fstab"

if [ "$variant" = ours ]; then
	[ $# -gt 0 ] || fail "no packages given"
	mkdir -p "$stage/tmp/libmod-debs"
	cp "$@" "$stage/tmp/libmod-debs/"
	log "dpkg -i ${*##*/}"
	"$here/chroot-run.sh" "$stage" sh -c 'dpkg -i /tmp/libmod-debs/*.deb' >"$out/dpkg.log" 2>&1 ||
		{ cat "$out/dpkg.log" >&2; fail "installing our packages failed"; }
	rm -rf "$stage/tmp/libmod-debs"
	for p in kmod libkmod2; do
		st=$(chroot "$stage" dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		case "$st" in ii*) fail "$p is still installed after dpkg -i ($st)" ;; esac
	done
	"$here/chroot-run.sh" "$stage" dpkg --audit >"$out/audit.log" 2>&1 || true
	[ ! -s "$out/audit.log" ] || { cat "$out/audit.log" >&2; fail "dpkg --audit reports broken packages"; }
	# On a real upgrade the initramfs-tools trigger that our kmod hook activates runs
	# `update-initramfs -u`; when dpkg ran it already, a second run would only cost minutes.
	if cmp -s "$stage/boot/initrd.img-$kver" "$base/boot/initrd.img-$kver"; then
		log "update-initramfs -u inside the root"
		"$here/chroot-run.sh" "$stage" update-initramfs -u -k "$kver" >"$out/initramfs.log" 2>&1 ||
			{ cat "$out/initramfs.log" >&2; fail "update-initramfs -u failed"; }
	else
		log "dpkg's initramfs-tools trigger ran update-initramfs -u"
	fi
	# The initramfs must carry our kmod, not a leftover: compare it with the root's.
	# (unpacked with the root's own unmkinitramfs: the host need not have initramfs-tools)
	x="$stage/tmp/initrd-unpacked"
	"$here/chroot-run.sh" "$stage" unmkinitramfs "/boot/initrd.img-$kver" /tmp/initrd-unpacked \
		>/dev/null 2>&1 || fail "unmkinitramfs failed"
	k=$(find "$x" -path '*bin/kmod' -type f | head -n1)
	[ -n "$k" ] || fail "the new initramfs has no bin/kmod"
	cmp -s "$k" "$stage/bin/kmod" || fail "the initramfs's kmod ($k) is not the root's /bin/kmod"
	find "$x" -name 'libkmod.so.2*' -type f | while read -r l; do
		cmp -s "$l" "$stage/usr/lib/x86_64-linux-gnu/libkmod.so.2" ||
			fail "the initramfs's $l is not our libkmod.so.2"
	done
	rm -rf "$x"
fi

cp "$stage/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$stage/boot/initrd.img-$kver" "$out/initrd.img"
# Room for the session's depmod and the journal; mkfs.ext4 -d fills the image from the directory.
size_mb=$(($(du -sm "$stage" | cut -f1) * 13 / 10 + 256))
mkfs.ext4 -q -F -L root -d "$stage" "$out/root.img" "${size_mb}M" >"$out/mkfs.log" 2>&1 ||
	{ cat "$out/mkfs.log" >&2; fail "mkfs.ext4 -d failed"; }
rm -rf "$stage"
log "image ready: $out (${size_mb} MB)"
