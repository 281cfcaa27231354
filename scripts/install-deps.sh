#!/bin/bash
# install-deps.sh: install, with apt-get, every Debian 12 package that building, testing,
# benchmarking and the VM demo need, and Debian's kmod source (scripts/fetch-kmod-src.sh) for
# the kmod-testsuite suite. Shared by .ci/run and scripts/demo.sh.
# Usage: scripts/install-deps.sh [--update]
#   Without --update, nothing is done (no network) when every package is already installed.
#   With --update, apt-get update always runs first (CI).
set -euo pipefail

PACKAGES=(
	meson ninja-build pkg-config gcc          # build
	zlib1g-dev liblzma-dev libzstd-dev libssl-dev  # dlopen'ed by libmod, linked by the unit tests
	libcmocka-dev                             # unit tests
	kmod libkmod-dev                          # the reference, for differential tests
	xz-utils zstd gzip                        # compressed module trees (scripts/make-trees.sh)
	busybox-static qemu-system-x86 cpio       # VM tests (initramfs, real kernel)
	util-linux                                # VM tests: mkfs.minix (scenario 15)
	python3 time hyperfine                    # scripts, benchmarks (peak RSS via /usr/bin/time)
	openssl                                   # test keys: signing tests (verify, policy, VM)
	systemd                                   # tests/compat: systemd-modules-load, a libkmod client
	dpkg-dev autoconf automake libtool make   # kmod's own test suite (apt-get source, autotools)
	debhelper                                 # scripts/build-deb.sh (dpkg-buildpackage)
	debootstrap e2fsprogs                     # tests/system: the root, its image (mkfs.ext4 -d)
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
# kmod's source package, for the kmod-testsuite suite (cached; no network once fetched). A
# failure here is not fatal: that suite then fails with the reason, and the others still run.
fetch_kmod_src() {
	"$(dirname "$0")/fetch-kmod-src.sh" --print-dir >/dev/null ||
		echo "install-deps: WARNING: kmod's source could not be fetched; the kmod-testsuite suite will fail" >&2
}

if ((${#missing[@]} == 0 && !update)); then
	echo "install-deps: all ${#PACKAGES[@]} packages present"
	fetch_clients
	fetch_kmod_src
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
fetch_kmod_src
