#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# with-moddir.sh DIR CMD...: run CMD with DIR seen at /lib/modules/$(uname -r), in a private
# mount namespace. kmod static-nodes has no --basedir, so this is how both (kmod's and ours)
# are pointed at the same tree. The directory holding modules/ (/usr/lib on merged-/usr
# systems) is overlaid with a scratch upper layer, so the mount point can be created without
# touching the real filesystem. Exit 77 when mount namespaces or overlayfs are unavailable.
set -u
dir=$(realpath "$1") || exit 1
shift
scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/upper" "$scratch/work"
# The inner script takes everything positionally so that no quoting is lost.
unshare -m sh -c '
	scratch=$1 rel=$2 dir=$3 lib=$4
	shift 4
	mount -t overlay overlay -o "lowerdir=$lib,upperdir=$scratch/upper,workdir=$scratch/work" \
		"$lib" 2>/dev/null || exit 77
	mkdir -p "$lib/modules/$rel" && mount --bind "$dir" "$lib/modules/$rel" || exit 77
	exec "$@"' sh "$scratch" "$(uname -r)" "$dir" "$(realpath /lib)" "$@"
