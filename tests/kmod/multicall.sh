#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# multicall.sh BUILD_DIR: the kmod binary run through links named like each of the six tools
# behaves as that standalone tool (same stdout, stderr and exit code for help, version, a bad
# option and real work), `kmod list` is lsmod, and a link with any other name fails with a
# message. The tools' full behaviour through kmod is the `tools` suite run with --via-kmod.
set -u
build=$(realpath "$1")
src=$(cd "$(dirname "$0")/../.." && pwd)
kmod=$build/tools/kmod/kmod
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/multi" "$tmp/single"
fails=0 cases=0
for t in modprobe insmod rmmod lsmod depmod modinfo; do
	ln -s "$kmod" "$tmp/multi/$t"
	ln -s "$build/tools/$t/$t" "$tmp/single/$t"
done

# same NAME CMD...: CMD (a tool name and arguments) through both links.
same() {
	local name=$1 side
	shift
	cases=$((cases + 1))
	for side in multi single; do
		(cd "$tmp" && PATH="$tmp/$side:$PATH" "$@" >"$tmp/$side.out" 2>"$tmp/$side.err"
		 echo "rc=$?" >>"$tmp/$side.out")
	done
	if ! cmp -s "$tmp/multi.out" "$tmp/single.out" || ! cmp -s "$tmp/multi.err" "$tmp/single.err"; then
		echo "FAIL $name"
		diff -u "$tmp/single.out" "$tmp/multi.out" | head -10
		diff -u "$tmp/single.err" "$tmp/multi.err" | head -10
		fails=$((fails + 1))
	fi
}

for t in modprobe insmod rmmod lsmod depmod modinfo; do
	same "$t -h" "$t" -h
	same "$t -V" "$t" --version
	same "$t bad option" "$t" --no-such-option
done

# Real work where no kernel is touched: modinfo and depmod on a small copy of the corpus.
root=$("$src/scripts/make-trees.sh" --print plain 2>/dev/null)
if [ -n "$root" ]; then
	ver=$("$src/scripts/make-trees.sh" --print-version)
	m=$root/lib/modules/$ver
	same "modinfo files" modinfo "$m/kernel/fs/ext4/ext4.ko" "$m/kernel/drivers/net/dummy.ko"
	same "modinfo by name" modinfo -b "$root" -k "$ver" -F depends ext4
	mini=$tmp/mini/lib/modules/$ver
	mkdir -p "$mini"
	cp "$m/kernel/fs/ext4/ext4.ko" "$m/kernel/fs/mbcache.ko" "$m/kernel/fs/jbd2/jbd2.ko" \
		"$m/kernel/lib/crc16.ko" "$mini/"
	same "depmod -n" depmod -n -b "$tmp/mini" "$ver"
	same "modprobe -D" modprobe -d "$root" -S "$ver" -C /dev/null -D ext4
else
	echo "corpus missing: modinfo/depmod/modprobe work not compared"
fi

# `kmod list` is lsmod, over a fake /proc/modules.
fake=$tmp/fake
: "${ver:=6.1.0}"
mkdir -p "$fake/proc/sys/kernel" "$fake/sys/module/dummy"
echo "$ver" >"$fake/proc/sys/kernel/osrelease"
echo "dummy 16384 0 - Live 0x0000000000000000" >"$fake/proc/modules"
echo 0 >"$fake/sys/module/dummy/refcnt"
cases=$((cases + 1))
# The fake kernel is the tests' preloaded libc shim; ASan need not come first in the preload list.
shim_env=(env LD_PRELOAD="$build/tests/shim/libmodshim.so" LIBMOD_SHIM_ROOT="$fake"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
if ! diff <("${shim_env[@]}" "$kmod" list 2>&1; echo "rc=$?") \
	<("${shim_env[@]}" "$build/tools/lsmod/lsmod" 2>&1; echo "rc=$?"); then
	echo "FAIL kmod list"
	fails=$((fails + 1))
fi

# Another name: an error with a message, not a silent exit.
cases=$((cases + 1))
ln -s "$kmod" "$tmp/multi/kmod-foo"
out=$("$tmp/multi/kmod-foo" 2>&1)
rc=$?
if [ $rc -ne 1 ] || [[ $out != "kmod-foo: unknown name: "* ]]; then
	echo "FAIL unknown link name: rc=$rc $out"
	fails=$((fails + 1))
fi

echo "$cases cases, $fails failed"
[ $fails -eq 0 ]
