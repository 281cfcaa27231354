#!/bin/bash
# boot.sh IMAGE_DIR REPORT [TIMEOUT]: boot one system image (make-image.sh's output) under
# qemu-system-x86_64 -accel tcg and write the report to REPORT: the check service's SYSCHK lines
# (prefix removed), then the tools session typed at the serial console by serial-session.py;
# the whole console goes to REPORT.console.
#
# The hardware is the same for every variant and every boot: q35 (AHCI, ICH9), the root disk on
# virtio-blk, an e1000 network card, an xHCI USB controller with keyboard and tablet, HDA sound,
# a virtio RNG, one serial port. The disk is opened with -snapshot: boots never change the image.
# Exit 0 when the report is complete (the session's END line), 1 otherwise (timeout, panic, a
# check service that never ran), with the console's last lines on stderr.
set -uo pipefail
img=${1:?usage: boot.sh IMAGE_DIR REPORT [TIMEOUT]}
report=${2:?}
timeout=${3:-600}
console="$report.console"

sock=$(mktemp -u "${TMPDIR:-/tmp}/libmod-serial.XXXXXX")
start=$(date +%s.%N)
# The serial port is a UNIX socket that QEMU waits on (wait=on) until serial-session.py connects:
# the script logs the whole console and, after the check's report, types the tools session.
timeout --kill-after=10 "$timeout" qemu-system-x86_64 -accel tcg -machine q35 -cpu max -m 1024 -smp 1 \
	-display none -monitor none -no-reboot \
	-chardev "socket,id=ser0,path=$sock,server=on,wait=on" -serial chardev:ser0 \
	-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 quiet panic=-1" \
	-snapshot -drive "file=$img/root.img,format=raw,if=virtio" \
	-netdev user,id=net0 -device e1000,netdev=net0 \
	-device qemu-xhci -device usb-kbd -device usb-tablet \
	-audiodev none,id=snd0 -device intel-hda -device hda-duplex,audiodev=snd0 \
	-device virtio-rng-pci >"$console.qemu" 2>&1 &
qemu=$!
: >"$console"
"$(dirname "$0")/serial-session.py" "$sock" "$console" "$report.session" "$timeout"
session_rc=$?
# A session that stopped leaves the machine running: stop it rather than wait out the timeout.
[ "$session_rc" = 0 ] || kill "$qemu" 2>/dev/null
wait "$qemu"
rc=$?
rm -f "$sock"
end=$(date +%s.%N)
{
	tr -d '\r' <"$console" | sed -n 's/^.*SYSCHK //p'
	cat "$report.session" 2>/dev/null
} >"$report"
awk -v a="$start" -v b="$end" 'BEGIN { printf "wall %.1f\n", b - a }' >>"$report"
if ! grep -q '^END$' "$report"; then
	why="no END line from the check service"
	[ "$rc" = 124 ] && why="timed out after ${timeout}s ($why)"
	[ "$session_rc" = 0 ] || why="$why; the serial session stopped: $(tail -n1 "$report.session" 2>/dev/null)"
	echo "boot.sh: $img: $why; qemu exit $rc; last console lines:" >&2
	tr -d '\r' <"$console" | tail -n 40 >&2
	cat "$console.qemu" >&2
	exit 1
fi
exit 0
