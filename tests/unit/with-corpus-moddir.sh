#!/bin/sh
# Run a corpus test binary with the module directory of the cached plain tree (kmod's indexes,
# built by scripts/make-trees.sh) as its first argument. Exit 77 (skip) when there is no tree.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$("$top/scripts/make-trees.sh" --print plain 2>/dev/null) || { echo "SKIP: no corpus tree"; exit 77; }
moddir=$(ls -d "$root"/lib/modules/*/ 2>/dev/null | head -n 1)
[ -n "$moddir" ] && [ -f "$moddir/modules.dep.bin" ] || { echo "SKIP: no indexes under $root"; exit 77; }
exe=$1
shift
exec "$exe" "${moddir%/}" "$@"
