#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# example-resolve.sh RESOLVE SRCDIR: the example of libmod(3) resolves a name and an alias on the
# real tree as modprobe does (same modules, dependencies in load order).
set -u
resolve=$1
src=$2
root=$("$src/scripts/make-trees.sh" --print plain 2>/dev/null) || { echo "SKIP: no corpus"; exit 77; }
m=$root/lib/modules/$("$src/scripts/make-trees.sh" --print-version)
out=$("$resolve" "$m" ext4) || exit 1
want="ext4: $m/kernel/fs/ext4/ext4.ko
  needs jbd2
  needs mbcache
  needs crc16
  description: Fourth Extended Filesystem"
[ "$out" = "$want" ] || { printf 'got:\n%s\nwant:\n%s\n' "$out" "$want"; exit 1; }
# An alias: the file system name ext3 is an alias of ext4.
"$resolve" "$m" fs-ext3 | head -1 | grep -qx "ext4: $m/kernel/fs/ext4/ext4.ko" || exit 1
"$resolve" "$m" no-such-module-at-all 2>&1 | grep -q "No such file or directory" || exit 1
echo ok
