#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# compressed-modinfo.sh MODINFO MODPROBE SRCDIR: with the decompression libraries loaded on first
# use, modinfo on an xz, zstd and gzip module prints what it prints for the plain file, and
# modprobe -D, which decompresses nothing, never maps liblzma, libzstd or libz (nor libelf,
# which libmod does not use).
set -u
modinfo=$1 modprobe=$2 src=$3
ver=$("$src/scripts/make-trees.sh" --print-version) || exit 77
fails=0
plain=$("$src/scripts/make-trees.sh" --print plain 2>/dev/null) || { echo "SKIP: no corpus"; exit 77; }
rel=kernel/fs/ext4/ext4.ko
for kind in xz zst gz-indexed; do
	root=$("$src/scripts/make-trees.sh" --print $kind 2>/dev/null) || continue
	f=$(ls "$root/lib/modules/$ver/$rel".*)
	if ! diff <("$modinfo" "$f" 2>&1) \
		<("$modinfo" "$plain/lib/modules/$ver/$rel" 2>&1 | sed "s|$plain/lib/modules/$ver/$rel|$f|"); then
		echo "FAIL modinfo $kind"
		fails=$((fails + 1))
	fi
	libs=$(LD_DEBUG=libs "$modprobe" -d "$root" -S "$ver" -D ext4 2>&1 >/dev/null |
		grep -oE 'find library=(liblzma|libzstd|libz|libelf)\.so[^;]*' | sort -u)
	if [ -n "$libs" ]; then
		echo "FAIL modprobe -D ($kind) loaded: $libs"
		fails=$((fails + 1))
	fi
done
echo "$fails failed"
[ $fails -eq 0 ]
