#!/bin/bash
# build-base.sh CACHE: the Debian 12 root both system variants start from, made once and cached.
# Prints the directory of the finished root (CACHE/base-KEY/root).
#
# debootstrap's minbase plus only what the issue's system needs (systemd as init, udev,
# initramfs-tools, pciutils for `lspci -k`, dbus so logind starts), then Debian's kernel package
# installed inside the root with dpkg, so that its own hooks run depmod and update-initramfs with
# the root's kmod, as on a real machine. The kernel is the corpus kernel (scripts/fetch-kernel.sh
# decides which: the pin, or its announced fallback).
#
# The cache key covers everything that shapes the root: this script, the package list, the suite,
# the mirror and the kernel version. A half-built root is never reused (it is built under a
# temporary name and renamed when complete).
set -euo pipefail

cache=${1:?usage: build-base.sh CACHE}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
suite=bookworm
mirror=${LIBMOD_SYSTEM_MIRROR:-http://deb.debian.org/debian}
# zstd: initramfs-tools' default compressor; libelf1: our packages link it (the stock root gets it
# too so that both roots differ only by the kmod swap).
include=systemd,systemd-sysv,udev,dbus,initramfs-tools,zstd,pciutils,linux-base,kmod,libelf1

log() { printf 'system: %s\n' "$*" >&2; }

kver=$("$src/scripts/fetch-kernel.sh" --print-version)
key=$( { cat "$0"; echo "$suite $mirror $include $kver"; } | sha256sum | cut -c1-16)
dir="$cache/base-$key"
if [ -f "$dir/done" ]; then
	echo "$dir/root"
	exit 0
fi

# The kernel package: the one fetch-kernel.sh cached, else downloaded by name.
corpus=${LIBMOD_CORPUS_DIR:-/var/tmp/libmod-corpus}
deb=$(ls -1 "$corpus/linux-image-${kver}_"*.deb 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$deb" ]; then
	mkdir -p "$cache/debs"
	(cd "$cache/debs" && apt-get download -qq "linux-image-$kver" >/dev/null)
	deb=$(ls -1 "$cache/debs/linux-image-${kver}_"*.deb | sort -V | tail -n1)
fi

rm -rf "$cache"/base-*.tmp
tmp="$dir.tmp"
mkdir -p "$tmp" "$cache/apt-archives"
root="$tmp/root"
start=$SECONDS
log "debootstrap $suite (minbase + $include) into $root"
# Downloaded .debs are kept in CACHE/apt-archives: a rebuild after a key change downloads nothing.
debootstrap --variant=minbase --include="$include" --cache-dir="$cache/apt-archives" \
	"$suite" "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
	tail -n 30 "$tmp/debootstrap.log" >&2
	log "debootstrap failed (log: $tmp/debootstrap.log)"
	exit 1
}
log "debootstrap done in $((SECONDS - start))s"

cp "$deb" "$root/tmp/"
"$here/chroot-run.sh" "$root" dpkg -i "/tmp/${deb##*/}" >"$tmp/kernel.log" 2>&1 || {
	tail -n 30 "$tmp/kernel.log" >&2
	log "installing ${deb##*/} in the root failed (log: $tmp/kernel.log)"
	exit 1
}
rm -f "$root/tmp/${deb##*/}"
rm -f "$root"/var/cache/apt/archives/*.deb
[ -f "$root/boot/initrd.img-$kver" ] || { log "the kernel's hooks made no initramfs"; exit 1; }
echo "$kver" >"$tmp/kver"
touch "$tmp/done"
rm -rf "$dir"
mv "$tmp" "$dir"
log "base root ready in $((SECONDS - start))s: $dir/root"
echo "$dir/root"
