#!/bin/bash
# install-deps.sh: install, with apt-get, every Debian 12 package that building, testing,
# benchmarking and the VM demo need. Shared by .ci/run and scripts/demo.sh.
# Usage: scripts/install-deps.sh [--update]
#   Without --update, nothing is done (no network) when every package is already installed.
#   With --update, apt-get update always runs first (CI).
set -euo pipefail

PACKAGES=(
	meson ninja-build pkg-config gcc          # build
	libelf-dev zlib1g-dev liblzma-dev libzstd-dev libssl-dev
	libcmocka-dev                             # unit tests
	kmod libkmod-dev                          # the reference, for differential tests
	xz-utils zstd gzip                        # compressed module trees (scripts/make-trees.sh)
	busybox-static qemu-system-x86 cpio       # VM tests (initramfs, real kernel)
	python3 time hyperfine                    # scripts, benchmarks (peak RSS via /usr/bin/time)
	systemd                                   # tests/compat: systemd-modules-load, a libkmod client
)

# The other real libkmod clients tests/compat runs (udevadm, dracut-install) are unpacked into a
# cache, not installed: on Debian 12, installing udev pulls a newer systemd onto the machine.
fetch_clients() {
	"$(dirname "${BASH_SOURCE[0]}")/../tests/compat/fetch-clients.sh" ||
		echo "install-deps: WARNING: udev/dracut-core not fetched; the compat client checks will fail" >&2
}

update=0
[[ ${1:-} == --update ]] && update=1

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if ((${#missing[@]} == 0 && !update)); then
	echo "install-deps: all ${#PACKAGES[@]} packages present"
	fetch_clients
	exit 0
fi

sudo=()
if ((EUID != 0)); then
	command -v sudo >/dev/null || { echo "install-deps: run as root (or install sudo)" >&2; exit 1; }
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update; installing: ${missing[*]:-(all present, checking)}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
fetch_clients
