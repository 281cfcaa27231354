#!/bin/bash
# Build the initramfs for the real-kernel tests: busybox as the shell, the module tools under
# test (ours from a build dir, or kmod 30's from the host) with the shared libraries ldd finds,
# only the modules the scenarios need (closure computed from a depmod of the full tree, so
# softdeps and dependencies come along), the indexes written by the depmod under test on that
# reduced tree, compressed and deliberately broken module copies, and the scenario scripts.
#
# usage: build-initramfs.sh --tools=ours|kmod|mixed --out=FILE [--build-dir=DIR] [--root=KROOT]
#                           [--kver=VER] [--work=DIR] [--mode=test|demo]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
tools=ours
out=
build_dir=
kroot=
kver=
work=
mode=test
for a in "$@"; do
	case "$a" in
	--tools=*) tools=${a#*=} ;;
	--out=*) out=${a#*=} ;;
	--build-dir=*) build_dir=${a#*=} ;;
	--root=*) kroot=${a#*=} ;;
	--kver=*) kver=${a#*=} ;;
	--work=*) work=${a#*=} ;;
	--mode=*) mode=${a#*=} ;;
	*) echo "build-initramfs.sh: unknown argument '$a'" >&2; exit 2 ;;
	esac
done
die() { echo "build-initramfs.sh: $*" >&2; exit 1; }
[ -n "$out" ] || die "--out is required"
# Without --root and --kver, the corpus kernel: fetch-kernel.sh chooses it, nothing here guesses.
[ -n "$kroot" ] || kroot=$("$src/scripts/fetch-kernel.sh" --print-root)
[ -n "$kver" ] || kver=$("$src/scripts/fetch-kernel.sh" --print-version)
kmoddir="$kroot/lib/modules/$kver"
[ -d "$kmoddir" ] || die "no module tree $kmoddir"
[ -n "$work" ] || work=$(mktemp -d /var/tmp/libmod-vm.XXXXXX)
mkdir -p "$work"

# The tools under test, as "name=path" of real binaries.
case "$tools" in
ours)
	[ -n "$build_dir" ] || die "--tools=ours needs --build-dir"
	for t in modprobe insmod rmmod lsmod modinfo depmod; do
		[ -x "$build_dir/tools/$t/$t" ] || die "missing $build_dir/tools/$t/$t (build the tools first)"
	done
	host_depmod="$build_dir/tools/depmod/depmod"
	host_modprobe="$build_dir/tools/modprobe/modprobe"
	;;
kmod|mixed)
	kmod_bin=$(command -v kmod || echo /usr/bin/kmod)
	[ -x "$kmod_bin" ] || die "kmod not installed"
	host_depmod="/sbin/depmod"
	host_modprobe="/sbin/modprobe"
	# mixed: each of our tools that is built, kmod's for the rest (for work in progress).
	if [ "$tools" = mixed ]; then
		[ -n "$build_dir" ] || die "--tools=mixed needs --build-dir"
		[ -x "$build_dir/tools/depmod/depmod" ] && host_depmod="$build_dir/tools/depmod/depmod"
		[ -x "$build_dir/tools/modprobe/modprobe" ] &&
			host_modprobe="$build_dir/tools/modprobe/modprobe"
	fi
	;;
*) die "--tools must be ours, kmod or mixed" ;;
esac

# 1. A depmod of the whole tree (modules reached through a symlink, nothing copied) to compute
#    the closure of what the scenarios load. Prefer the reference for this bookkeeping step when
#    it is installed, so a broken depmod under test shows up in the VM, not here.
full="$work/full"
rm -rf "$full"
mkdir -p "$full/lib/modules/$kver"
ln -s "$kmoddir/kernel" "$full/lib/modules/$kver/kernel"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$kmoddir/$f" ] && cp "$kmoddir/$f" "$full/lib/modules/$kver/"
done
plan_depmod=$host_depmod
plan_modprobe=$host_modprobe
if [ -x /sbin/depmod ] && [ -x /sbin/modprobe ]; then
	plan_depmod=/sbin/depmod
	plan_modprobe=/sbin/modprobe
fi
"$plan_depmod" -b "$full" "$kver" || die "depmod of the full tree failed"

wanted="btrfs null_blk crc8 crc7 crc_itu_t crc16 crc64 ts_bm ts_kmp ts_fsm minix qnx4 test_static_keys"
# Scenario 15 (autoclean): a filesystem on a loop device, one without a device, network interfaces.
wanted="$wanted loop binfmt_misc dummy bridge macvtap"
rel_paths=$(for m in $wanted; do
	"$plan_modprobe" -d "$full" -S "$kver" -D "$m" || die "cannot plan $m"
done | sed -n "s|^insmod $full/lib/modules/$kver/\([^ ]*\).*|\1|p" | sort -u)
[ -n "$rel_paths" ] || die "empty module closure"

# 2. The root file system.
rootfs="$work/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs"/{bin,sbin,etc/modprobe.d,proc,sys,dev,tmp,mnt,run,root,vmtest/data}
mkdir -p "$rootfs/lib/modules/$kver" "$rootfs/usr/bin" "$rootfs/usr/sbin"

bb=$(command -v busybox || true)
[ -n "$bb" ] || die "busybox (busybox-static) not installed"
file -L "$bb" 2>/dev/null | grep -q 'statically linked' || [ ! -x /usr/bin/file ] ||
	die "$bb is not static: install busybox-static"
cp -L "$bb" "$rootfs/bin/busybox"
# Only generic applets: busybox's own module tools must never shadow the tools under test.
for ap in sh ash cat echo printf test [ true false grep egrep sed awk head tail ls mkdir rm cp mv \
	ln dd sleep wc tr cut sort uniq mount umount dmesg poweroff reboot env seq timeout basename \
	dirname kill stat hexdump od cmp chmod sync mknod find xargs date uname readlink touch \
	diff expr id ps pidof wait tee ip brctl losetup; do
	ln -sf busybox "$rootfs/bin/$ap"
done

copy_with_libs() { # copy_with_libs SRC DEST: binary plus every shared library ldd reports
	cp -L "$1" "$rootfs$2"
	ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | while read -r lib; do
		case "$lib" in
		/lib/*|/usr/lib/*|/lib64/*) dst="$lib" ;;
		*) dst="/usr/lib/x86_64-linux-gnu/${lib##*/}" ;; # from a build dir
		esac
		mkdir -p "$rootfs${dst%/*}"
		[ -e "$rootfs$dst" ] || cp -L "$lib" "$rootfs$dst"
		copy_dlopen_libs "$lib"
	done
}

# Libraries a library dlopen()s (libmod: zlib, liblzma, libzstd, libcrypto) are invisible to
# ldd; its .note.dlopen names them. Without them no compressed module could be decompressed.
copy_dlopen_libs() { # copy_dlopen_libs LIB
	"$here/../../scripts/dlopen-notes.py" --sonames "$1" 2>/dev/null | while read -r soname; do
		path=$(ldconfig -p | sed -n "s|^[[:space:]]*$soname (libc6,x86-64.*) => ||p" | head -n 1)
		[ -n "$path" ] || continue
		mkdir -p "$rootfs${path%/*}"
		[ -e "$rootfs$path" ] || copy_with_libs "$path" "$path"
	done
}

case "$tools" in
ours)
	for t in modprobe insmod rmmod lsmod modinfo depmod; do
		copy_with_libs "$build_dir/tools/$t/$t" "/sbin/$t"
	done
	# libmod dlopens libcrypto to decode signatures (ldd cannot see it): without it modinfo in
	# the VM would show empty signer and key fields where the host's shows them.
	crypto=$(ldconfig -p 2>/dev/null | awk '/^\tlibcrypto\.so\.3 .*x86-64/ { print $NF; exit }')
	[ -n "$crypto" ] && copy_with_libs "$crypto" "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"
	;;
kmod|mixed)
	copy_with_libs "$kmod_bin" /bin/kmod
	mixed=
	for t in modprobe insmod rmmod lsmod modinfo depmod; do
		if [ "$tools" = mixed ] && [ -x "$build_dir/tools/$t/$t" ]; then
			copy_with_libs "$build_dir/tools/$t/$t" "/sbin/$t"
			mixed="$mixed $t=ours"
		else
			ln -sf /bin/kmod "$rootfs/sbin/$t"
			mixed="$mixed $t=kmod"
		fi
	done
	;;
esac
mkdir -p "$rootfs/lib64"
[ -e "$rootfs/lib64/ld-linux-x86-64.so.2" ] ||
	cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"
printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' >"$rootfs/etc/ld.so.conf"
command -v ldconfig >/dev/null && ldconfig -r "$rootfs" 2>/dev/null || true
echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"

# 3. The module tree: the closure, some modules stored compressed (scenario 5), the kernel's
#    metadata files, then the indexes from the depmod under test.
mdir="$rootfs/lib/modules/$kver"
for r in $rel_paths; do
	mkdir -p "$mdir/${r%/*}"
	cp "$kmoddir/$r" "$mdir/$r"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$kmoddir/$f" ] && cp "$kmoddir/$f" "$mdir/"
done
xz --check=crc32 -q "$mdir/kernel/lib/crc7.ko"
zstd -q --rm "$mdir/kernel/lib/crc-itu-t.ko"
gzip -9 "$mdir/kernel/lib/crc16.ko"
# Scenario 8: crc64 in the tree gets an altered vermagic (a config word changed).
python3 - "$mdir/kernel/lib/crc64.ko" <<'PY' || die "cannot alter crc64.ko"
import struct, sys
p = sys.argv[1]
d = open(p, "rb").read()
assert d.count(b" preempt mod_unload") == 1
d = d.replace(b" preempt mod_unload", b" PREEMPT mod_unload")
marker = b"~Module signature appended~\n"  # a broken signature would be fatal: strip it
if d.endswith(marker):
    end = len(d) - len(marker)
    d = d[: end - 12 - struct.unpack_from(">I", d, end - 4)[0]]
open(p, "wb").write(d)
PY
"$host_depmod" -b "$rootfs" "$kver" || die "depmod under test ($host_depmod) failed on the reduced tree"
[ -s "$mdir/modules.dep" ] || die "depmod wrote no modules.dep"

# 4. Broken and altered copies for scenarios 4, 8 and 11.
python3 - "$kmoddir" "$rootfs/vmtest/data" <<'PY' || die "cannot make altered modules"
import re, struct, sys
src, dst = sys.argv[1], sys.argv[2]
crc8 = open(f"{src}/kernel/lib/crc8.ko", "rb").read()
# Truncated: the ELF header says there are sections far beyond the end.
open(f"{dst}/crc8-truncated.ko", "wb").write(crc8[: len(crc8) // 3])
open(f"{dst}/not-a-module.ko", "wb").write(b"#!/bin/sh\necho this is not an ELF module\n" * 20)

def unsigned(data):
    # An altered module keeps a now-wrong signature, which the kernel rejects (EKEYREJECTED) even
    # when signatures are not enforced; an unsigned module only taints. Strip the appended
    # signature: data, struct module_signature (12 bytes, sig_len big-endian last), marker.
    marker = b"~Module signature appended~\n"
    if not data.endswith(marker):
        return data
    end = len(data) - len(marker)
    sig_len = struct.unpack_from(">I", data, end - 4)[0]
    assert end - 12 - sig_len > 0
    return data[: end - 12 - sig_len]

def sub(data, old, new):
    assert len(old) == len(new) and data.count(old) == 1, old
    return data.replace(old, new)

m = re.search(rb"vermagic=([^\0]*)\0", crc8)
magic = m.group(1)
kver = magic.split(b" ")[0]
# Another kernel version: a different release string and a different module_layout CRC, as a
# module built against another kernel has (with MODVERSIONS the kernel checks that CRC).
other = kver.replace(kver.split(b"-")[1], b"9" * len(kver.split(b"-")[1]), 1)
bad = sub(crc8, b"vermagic=" + magic, b"vermagic=" + magic.replace(kver, other, 1))
i = bad.find(b"module_layout\0")
assert i > 64
crc_off = i - 8  # struct modversion_info { unsigned long crc; char name[56]; }
(crc,) = struct.unpack_from("<Q", bad, crc_off)
bad = bad[:crc_off] + struct.pack("<Q", crc ^ 0x5A5A5A5A) + bad[crc_off + 8:]
open(f"{dst}/crc8-otherkernel.ko", "wb").write(unsigned(bad))

# A genuine module without its signature, for the load policy scenarios (11, 12).
open(f"{dst}/crc8-unsigned.ko", "wb").write(unsigned(crc8))

# Altered vermagic only (a config word changed): the kernel refuses it unless forced.
tsbm = open(f"{src}/kernel/lib/ts_bm.ko", "rb").read()
m = re.search(rb"vermagic=([^\0]*)\0", tsbm)
magic = m.group(1)
assert b" preempt " in magic or b" SMP " in magic, magic
alt = magic.replace(b" preempt ", b" PREEMPT ", 1) if b" preempt " in magic \
    else magic.replace(b" SMP ", b" smp ", 1)
open(f"{dst}/ts_bm-vermagic.ko", "wb").write(
    unsigned(sub(tsbm, b"vermagic=" + magic, b"vermagic=" + alt)))
PY

# 4b. The signature policy (scenario 13): the certificates built into the kernel image (its
#     modules' signing key; no package ships it as a file), a key made here with its own trust
#     directory, and crc8 signed by it, signed by another key, and signed then altered.
#     Rollback (scenario 14): xor, which btrfs needs, with an altered vermagic, so that it fails
#     to load in the middle of btrfs's plan. Scenario 13 gets xor without its signature.
data="$rootfs/vmtest/data"
mkdir -p "$rootfs/etc/libmod/debian-keys" "$data/test-keys"
"$src/scripts/kernel-certs.py" "$kroot/boot/vmlinuz-$kver" "$rootfs/etc/libmod/debian-keys" ||
	echo "build-initramfs.sh: no certificates found in the kernel image (scenario 13 will fail)" >&2
keys="$work/keys"
rm -rf "$keys"
mkdir -p "$keys"
for k in test other; do
	openssl req -new -x509 -newkey rsa:2048 -nodes -keyout "$keys/$k.key" -out "$keys/$k.pem" \
		-days 2 -subj "/CN=libmod VM $k key" 2>/dev/null || die "openssl cannot make a test key"
done
cp "$keys/test.pem" "$data/test-keys/"
for k in test other; do
	cp "$kmoddir/kernel/lib/crc8.ko" "$data/crc8-$k-key.ko"
	"$src/tests/tools/sign.py" "$keys/$k.pem" "$keys/$k.key" "$data/crc8-$k-key.ko" ||
		die "cannot sign crc8 with the $k key"
done
cp "$data/crc8-test-key.ko" "$data/crc8-test-key-altered.ko"
printf 'X' | dd of="$data/crc8-test-key-altered.ko" bs=1 seek=400 conv=notrunc status=none
# xor: a hard dependency of btrfs with others loaded before it (btrfs.deps, below).
victim=kernel/crypto/xor.ko
grep -q "^kernel/fs/btrfs/btrfs.ko:.* $victim" "$full/lib/modules/$kver/modules.dep" ||
	die "$victim is no longer a dependency of btrfs: choose another for scenario 14"
python3 - "$kmoddir/$victim" "$data/xor-vermagic.ko" "$data/xor-unsigned.ko" <<'PY' || die "cannot alter $victim"
import re, struct, sys
def unsigned(d):
    marker = b"~Module signature appended~\n"
    if not d.endswith(marker):
        return d
    end = len(d) - len(marker)
    return d[: end - 12 - struct.unpack_from(">I", d, end - 4)[0]]
d = open(sys.argv[1], "rb").read()
magic = re.search(rb"vermagic=([^\0]*)\0", d).group(1)
assert b" mod_unload" in magic, magic
alt = magic.replace(b" mod_unload", b" MOD_UNLOAD", 1)
assert d.count(b"vermagic=" + magic) == 1
open(sys.argv[2], "wb").write(unsigned(d.replace(b"vermagic=" + magic, b"vermagic=" + alt)))
open(sys.argv[3], "wb").write(unsigned(d))
PY
# A small minix file system for scenario 15 to mount on a loop device (mkfs.minix: util-linux).
dd if=/dev/zero of="$rootfs/vmtest/data/minix.img" bs=1k count=128 status=none
PATH=$PATH:/sbin:/usr/sbin mkfs.minix "$rootfs/vmtest/data/minix.img" >/dev/null || die "mkfs.minix failed"

# The reference's view of btrfs's hard dependencies, for scenarios 1, 3 and 6.
sed -n 's|^kernel/fs/btrfs/btrfs\.ko:||p' "$full/lib/modules/$kver/modules.dep" \
	>"$rootfs/vmtest/data/btrfs.deps"
[ -s "$rootfs/vmtest/data/btrfs.deps" ] || die "btrfs has no dependencies in modules.dep"

# 5. Scenarios, init and the run description.
cp "$here/init" "$rootfs/init"
chmod 755 "$rootfs/init"
cp "$here"/scenarios/*.sh "$rootfs/vmtest/"
cp "$here/demo-guest.sh" "$rootfs/vmtest/demo-guest.sh"
features=
[ "$tools" != ours ] && features=$("$kmod_bin" -V | tail -n1)
{
	echo "VMTEST_TOOLS=$tools"
	echo "VMTEST_KVER=$kver"
	echo "VMTEST_MODE=$mode"
	echo "VMTEST_MIXED='${mixed:-}'"
	echo "VMTEST_FEATURES='$features'"
} >"$rootfs/vmtest/env"

(cd "$rootfs" && find . -print0 | sort -z | cpio --null -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
