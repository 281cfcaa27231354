#!/bin/sh
# build-deb.sh [OUTDIR]: build the Debian packages (debian/) from a copy of the working tree, so
# that neither the tree nor its parent directory (where dpkg-buildpackage puts the .deb files)
# is written to. Needs debhelper and the build dependencies of debian/control. Prints the
# packages built; OUTDIR defaults to a new directory under /var/tmp.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d /var/tmp/libmod-deb.XXXXXX)}
mkdir -p "$out/src"
cd "$src"
{ git ls-files; git ls-files --others --exclude-standard; } | sort -u |
	while read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
	tar -cf - -T - | tar -xf - -C "$out/src"
cd "$out/src"
dpkg-buildpackage -b -us -uc >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
ls "$out"/*.deb
