#!/bin/bash
# chroot-run.sh ROOT COMMAND...: run COMMAND inside ROOT as a package upgrade on that machine would
# run it: /proc, /sys and /dev mounted (update-initramfs and the kernel's hooks read them),
# services never started (policy-rc.d), and the mounts undone however the command ends.
set -euo pipefail
root=${1:?usage: chroot-run.sh ROOT COMMAND...}
shift
root=$(cd "$root" && pwd)

mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
	rm -f "$root/usr/sbin/policy-rc.d"
}
trap cleanup EXIT
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
	chroot "$root" "$@"
