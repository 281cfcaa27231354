#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The layout a distribution installs to replace kmod and libkmod2 (-Dkmod_layout=true
# -Dlibkmod=true) holds every file of it: configures and builds the source tree that way in its
# own build directory (plain, no tests), installs it into a staging dir and checks
#  - /usr/bin/kmod, the six tools as links to it in sbin, lsmod also in bin;
#  - libkmod.so.2 (a link to the real file, as libkmod2 has it), libkmod.so, libkmod.pc,
#    libkmod.h, and libmod's own library, header and .pc;
#  - a man page for every installed program (kmod(8) and the six tools), modprobe.d(5),
#    depmod.d(5), modules.dep(5) and modules.dep.bin(5), libmod(3);
#  - bash, zsh and fish completions;
#  - that every man page an installed page cites in SEE ALSO, of sections 3, 5 and 8 and of ours,
#    is installed too.
# Usage: check-kmod-layout.sh MESON SOURCE_ROOT BUILD_ROOT
set -uo pipefail

meson=$1
src=$2
build=$3/tests/install/kmod-layout
dest=$3/tests/install/kmod-layout-stage
start=$SECONDS

# Reconfigured each run: the options are what is under test, and a stale directory would keep
# an old install list.
rm -rf "$build" "$dest"
if ! nice "$meson" setup "$build" "$src" --buildtype=plain -Dtests=false -Dkmod_layout=true \
	-Dlibkmod=true -Dprefix=/usr -Dsysconfdir=/etc -Dlibdir=lib/x86_64-linux-gnu \
	-Dbashcompletiondir=/usr/share/bash-completion/completions >"$3/tests/install/kmod-layout.log" 2>&1 ||
	! nice "$meson" compile -C "$build" >>"$3/tests/install/kmod-layout.log" 2>&1 ||
	! "$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest" >>"$3/tests/install/kmod-layout.log" 2>&1; then
	tail -30 "$3/tests/install/kmod-layout.log"
	echo "check-kmod-layout: FAIL: the kmod layout does not configure, build or install (log: $3/tests/install/kmod-layout.log)"
	exit 1
fi

failed=0
fail() { echo "check-kmod-layout: FAIL: $*"; failed=1; }
# need KIND PATH: PATH exists in the staging dir, as a file, or as a link to an installed file
# (an absolute target is read inside the staging dir).
need() {
	local p=$dest$2 t
	case $1 in
	file) [[ -f $p && ! -L $p ]] || fail "$2 is not installed as a file" ;;
	link)
		t=$(readlink "$p") || { fail "$2 is not installed as a link"; return; }
		[[ $t == /* ]] && t=$dest$t || t=$(dirname "$p")/$t
		[[ -e $t ]] || fail "$2 links to $(readlink "$p"), which is not installed"
		;;
	esac
}

need file /usr/bin/kmod
for t in depmod insmod lsmod modinfo modprobe rmmod; do
	need link /usr/sbin/$t
	[[ $(readlink "$dest/usr/sbin/$t") == /usr/bin/kmod ]] || fail "/usr/sbin/$t does not point to /usr/bin/kmod"
done
need link /usr/bin/lsmod
lib=/usr/lib/x86_64-linux-gnu
need link $lib/libkmod.so.2
need link $lib/libkmod.so
need file "$(readlink -f "$dest$lib/libkmod.so.2" | sed "s|^$dest||")"
need file $lib/pkgconfig/libkmod.pc
need file /usr/include/libkmod.h
need link $lib/libmod.so.1
need file $lib/pkgconfig/libmod.pc
need file /usr/include/libmod.h
# meson installs man pages uncompressed (a package compresses them).
for p in man8/kmod.8 man8/depmod.8 man8/insmod.8 man8/lsmod.8 man8/modinfo.8 man8/modprobe.8 \
	man8/rmmod.8 man5/modprobe.d.5 man5/depmod.d.5 man5/modules.dep.5 man3/libmod.3; do
	need file /usr/share/man/$p
done
need link /usr/share/man/man5/modules.dep.bin.5
need file /usr/share/bash-completion/completions/kmod
need file /usr/share/zsh/vendor-completions/_kmod
need file /usr/share/fish/vendor_completions.d/kmod.fish

# Every installed program has its page: what is in bin and sbin, by name.
for p in "$dest"/usr/bin/* "$dest"/usr/sbin/*; do
	[[ -e $dest/usr/share/man/man8/${p##*/}.8 ]] || fail "${p#"$dest"} is installed without a man page"
done
# Every page ours cites is installed: a SEE ALSO entry of a page we ship must resolve.
for page in "$dest"/usr/share/man/man*/*; do
	for ref in $(sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$page" | grep -oE '^\.BR [a-z0-9._-]+ \([358]\)' |
		sed -E 's/^\.BR ([^ ]+) \(([0-9])\)/\1.\2/'); do
		case $ref in
		modprobe.*|depmod.*|insmod.*|rmmod.*|lsmod.*|modinfo.*|kmod.*|modules.*|libmod.*) ;;
		*) continue ;; # another project's page (init_module(2), systemd's ...)
		esac
		[[ -e $dest/usr/share/man/man${ref##*.}/$ref ]] || fail "${page#"$dest"} cites $ref, which is not installed"
	done
done

echo "check-kmod-layout: $(find "$dest" -type f -o -type l | wc -l) installed files and links checked in $((SECONDS - start)) s"
exit $failed
