#!/bin/bash
# depmod-diff.sh: our depmod against kmod's on the real corpus trees (scripts/make-trees.sh holds
# kmod 30's indexes next to the modules). For each tree (plain, xz, zst, gz):
#  - modules.dep, .alias, .softdep, .devname must be byte-identical; modules.symbols must hold
#    the same lines (we also reproduce kmod's order, but only the content is a contract);
#  - every .bin index must hold the same key/priority/value entries (dumped by an independent
#    reader, depmod-dumpindex.py; layouts differ: kmod 30 post-order, ours pre-order);
#  - kmod's own modprobe reading our indexes must print exactly what it prints on kmod's:
#    --show-depends for every module name and -R for a sample of aliases;
#  - on the plain tree, -j1 and -j4 must give byte-identical files.
# kmod 30 is built without zlib, so for gz the reference is the gz-indexed tree (xz indexes with
# the suffix rewritten, what a zlib-enabled kmod writes).
# Usage: depmod-diff.sh <our depmod> [kind...]
set -euo pipefail
ours=$1; shift
[[ $# -gt 0 ]] && kinds=("$@") || kinds=(plain xz zst gz)
src=$(cd "$(dirname "$0")/../.." && pwd)
dump=$src/tests/diff/depmod-dumpindex.py
ver=$("$src/scripts/make-trees.sh" --print-version)
tmp=$(mktemp -d /var/tmp/depmod-diff.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# modprobe output with the tree root replaced, so runs on two roots compare
show_all() { # root names-file
	xargs -a "$2" -n 300 /sbin/modprobe -d "$1" -S "$ver" --show-depends -a 2>&1 \
		| sed "s|$1|ROOT|g"
}
resolve_all() { # root aliases-file
	while IFS= read -r a; do
		echo "== $a"
		/sbin/modprobe -d "$1" -S "$ver" -R "$a" 2>&1 || true
	done < "$2" | sed "s|$1|ROOT|g"
}

for kind in "${kinds[@]}"; do
	root=$("$src/scripts/make-trees.sh" --print "$kind")
	ref=$root
	[[ $kind == gz ]] && ref=$("$src/scripts/make-trees.sh" --print gz-indexed)
	# a hard-linked copy of the tree without kmod's indexes: modprobe needs the module files
	# next to the indexes; writes go through rename, so the cached tree is never modified
	out=$tmp/$kind
	cp -al "$root" "$out"
	rm -f "$out/lib/modules/$ver"/modules.{dep,alias,softdep,weakdep,symbols,devname}* \
		"$out/lib/modules/$ver"/modules.builtin.*bin
	"$ours" -b "$out" "$ver"
	K=$ref/lib/modules/$ver
	O=$out/lib/modules/$ver
	for f in modules.dep modules.alias modules.softdep modules.devname; do
		cmp -s "$K/$f" "$O/$f" || bad "$kind: $f differs"
	done
	cmp -s <(sort "$K/modules.symbols") <(sort "$O/modules.symbols") ||
		bad "$kind: modules.symbols lines differ"
	for f in dep alias symbols builtin builtin.alias; do
		cmp -s <(python3 "$dump" "$K/modules.$f.bin") <(python3 "$dump" "$O/modules.$f.bin") ||
			bad "$kind: modules.$f.bin content differs"
	done
	# kmod's tools on our indexes (module files are not needed for these queries)
	sed -n 's|^\([^:]*\):.*|\1|p' "$K/modules.dep" | sed 's|.*/||; s|\..*||; s|-|_|g' \
		> "$tmp/names"
	cmp -s <(show_all "$ref" "$tmp/names") <(show_all "$out" "$tmp/names") ||
		bad "$kind: modprobe --show-depends differs on our indexes"
	awk 'NR > 1 && NR % 97 == 0 { print $2 }' "$K/modules.alias" > "$tmp/aliases"
	cmp -s <(resolve_all "$ref" "$tmp/aliases") <(resolve_all "$out" "$tmp/aliases") ||
		bad "$kind: modprobe -R differs on our indexes"
	echo "$kind: $(wc -l < "$O/modules.dep") modules checked"
done

if [[ " ${kinds[*]} " == *" plain "* ]]; then
	root=$("$src/scripts/make-trees.sh" --print plain)
	"$ours" -j1 -b "$root" -o "$tmp/j1" "$ver"
	"$ours" -j4 -b "$root" -o "$tmp/j4" "$ver"
	for f in "$tmp/j1/lib/modules/$ver"/modules.*; do
		skip=0
		if [[ ${f##*/} == modules.libmod-cache ]]; then
			# The cache starts with its header (whose hash covers the body) and the inode and
			# mtime of each output written (docs/DEPMOD-CACHE.md): those differ between any two
			# runs. The module records after them must not.
			n=$(od -An -t u4 -j 40 -N 4 "$f")
			skip=$((64 + 32 * n))
		fi
		cmp -s -i "$skip" "$f" "$tmp/j4/lib/modules/$ver/${f##*/}" || bad "-j1/-j4: ${f##*/} differs"
	done
fi
[[ $fail == 0 ]] && echo "depmod-diff: all identical"
exit $fail
