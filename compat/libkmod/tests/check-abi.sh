#!/bin/sh
# The ABI check of the libkmod compatibility library: every symbol@version kmod
# libkmod.so.2 defines must be defined by ours with the same version (binaries bind to the
# pair), ours defines nothing else, and the soname is the same.
set -eu
ours=$1
ref=$2
[ -e "$ref" ] || { echo "SKIP: no reference $ref"; exit 77; }
defs() {
	# "T kmod_new@@LIBKMOD_5" -> "kmod_new@LIBKMOD_5"; version nodes (type A) are listed too.
	nm -D --defined-only "$1" | awk '{print $3}' | sed 's/@@/@/' | sort -u
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
defs "$ref" > "$tmp/ref"
defs "$ours" > "$tmp/ours"
if ! cmp -s "$tmp/ref" "$tmp/ours"; then
	echo "defined symbols differ (< reference, > ours):"
	diff "$tmp/ref" "$tmp/ours" || true
	exit 1
fi
soname() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }
if [ "$(soname "$ref")" != "$(soname "$ours")" ]; then
	echo "soname differs: $(soname "$ref") vs $(soname "$ours")"
	exit 1
fi
echo "$(grep -c @ "$tmp/ours") symbol versions match $ref, soname $(soname "$ours")"
