#!/bin/bash
# boot.sh IMAGE_DIR REPORT [TIMEOUT]: boot one system image (make-image.sh's output) under
# qemu-system-x86_64 -accel tcg and write the check's report (the SYSCHK lines, prefix removed)
# to REPORT; the whole console goes to REPORT.console.
#
# The hardware is the same for every variant and every boot: q35 (AHCI, ICH9), the root disk on
# virtio-blk, an e1000 network card, an xHCI USB controller with keyboard and tablet, HDA sound,
# a virtio RNG, one serial port. The disk is opened with -snapshot: boots never change the image.
# Exit 0 when the report is complete (its END line arrived), 1 otherwise (timeout, panic, a
# check service that never ran), with the console's last lines on stderr.
set -uo pipefail
img=${1:?usage: boot.sh IMAGE_DIR REPORT [TIMEOUT]}
report=${2:?}
timeout=${3:-600}
console="$report.console"

start=$(date +%s.%N)
timeout --kill-after=10 "$timeout" qemu-system-x86_64 -accel tcg -machine q35 -cpu max -m 1024 -smp 1 \
	-display none -monitor none -no-reboot -serial "file:$console" \
	-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 quiet panic=-1" \
	-snapshot -drive "file=$img/root.img,format=raw,if=virtio" \
	-netdev user,id=net0 -device e1000,netdev=net0 \
	-device qemu-xhci -device usb-kbd -device usb-tablet \
	-audiodev none,id=snd0 -device intel-hda -device hda-duplex,audiodev=snd0 \
	-device virtio-rng-pci >"$console.qemu" 2>&1
rc=$?
end=$(date +%s.%N)
tr -d '\r' <"$console" | sed -n 's/^.*SYSCHK //p' >"$report"
awk -v a="$start" -v b="$end" 'BEGIN { printf "wall %.1f\n", b - a }' >>"$report"
if ! grep -q '^END$' "$report"; then
	why="no END line from the check service"
	[ "$rc" = 124 ] && why="timed out after ${timeout}s ($why)"
	echo "boot.sh: $img: $why; qemu exit $rc; last console lines:" >&2
	tr -d '\r' <"$console" | tail -n 40 >&2
	cat "$console.qemu" >&2
	exit 1
fi
exit 0
