#!/bin/sh
# Run a corpus test binary with the corpus kernel's module directory as its first argument, so
# that no test names a kernel version or a cache path of its own: scripts/fetch-kernel.sh chooses
# the kernel, everything else asks it.
#
# usage: with-corpus-moddir.sh [--indexed] EXE [ARGS...]
#   default    <root>/lib/modules/<ver> of the unpacked corpus kernel (the package's files only)
#   --indexed  the same modules in the cached plain tree, indexed by kmod's depmod
#              (scripts/make-trees.sh --print plain; built from the cached corpus when missing)
#
# Nothing is downloaded here (LIBMOD_CORPUS_OFFLINE=1): a test has a time limit, and
# scripts/test.sh fetches the corpus before the tests. Without it: exit 77 (skip) with the reason
# the scripts gave, which scripts/test.sh reports (and CI counts as a failure).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
indexed=0
if [ "${1:-}" = --indexed ]; then
	indexed=1
	shift
fi
exe=${1:?usage: $0 [--indexed] EXE [ARGS...]}
shift
export LIBMOD_CORPUS_OFFLINE=1
err=$(mktemp)
trap 'rm -f "$err"' EXIT

# The last line a script printed on stderr is its reason.
why() { tail -n 1 "$err" | sed 's/^[a-z.-]*: \(error: \)\{0,1\}//'; }

if ! ver=$("$top/scripts/fetch-kernel.sh" --print-version 2>"$err"); then
	echo "SKIP: no corpus kernel: $(why)"
	exit 77
fi
if [ $indexed = 1 ]; then
	if ! root=$("$top/scripts/make-trees.sh" --print plain 2>"$err"); then
		echo "SKIP: no indexed corpus tree: $(why)"
		exit 77
	fi
else
	root=$("$top/scripts/fetch-kernel.sh" --print-root 2>"$err")
fi
# A fallback kernel is legitimate but must be seen in the test log.
cat "$err" >&2
moddir=$root/lib/modules/$ver
if [ ! -d "$moddir/kernel" ]; then
	echo "SKIP: no module tree in $moddir"
	exit 77
fi
if [ $indexed = 1 ] && [ ! -f "$moddir/modules.dep.bin" ]; then
	echo "SKIP: no kmod indexes in $moddir (scripts/make-trees.sh did not index it)"
	exit 77
fi
exec "$exe" "$moddir" "$@"
