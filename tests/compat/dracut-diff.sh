#!/bin/bash
# dracut-diff.sh: `dracut --no-hostonly` builds an initramfs for the corpus kernel tree twice, on
# Debian's libkmod.so.2 and on ours, and the two images must hold the same kernel modules.
#
# dracut picks modules in shell (its kernel-modules, nvdimm, qemu, crypt, dm, ... modules) and
# resolves and installs them with dracut-install, which links libkmod: aliases, dependencies,
# softdeps, and the path/name/symbol filters are libkmod calls. Both runs happen in the same
# fake root (in-fake-root.sh: the corpus tree at /lib/modules/$(uname -r), empty modprobe.d);
# on our side our library is bind-mounted over the system's. dracut and dracut-install are
# Debian's dracut-core 059, unpacked by fetch-clients.sh (installing dracut would remove
# initramfs-tools). A host without udev gets the unpacked udevadm and systemd-udevd inside the
# namespace only: without them dracut drops its base, rootfs-block and crypt modules.
#
# Compared: dracut's exit status, every path in the image (the .ko files and everything else),
# and the contents of the image's lib/modules/*/modules.* files (depmod run by dracut on what was
# installed). The image is uncompressed, without early microcode, without firmware (--fwdir
# points nowhere): one plain cpio archive, listed with cpio.
#
# Usage: dracut-diff.sh COMPAT_LIBKMOD
#        dracut-diff.sh --stage CLIENTS_ROOT OUT_IMAGE   (internal: inside the namespace)
# COMPAT_LIBKMOD missing: FAIL. Exit 77 without mount namespaces or corpus. A sanitizer build of
# it is rebuilt plain first (see below; MESON names meson, LIBMOD_DRACUT_PLAIN_BUILD the
# directory, default BUILD_ROOT/tests/compat/plain-libkmod).
# LIBMOD_COMPAT_KEEP=DIR keeps the reports and dracut's logs.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/../.." && pwd)

# ---- inside the namespace: make udev visible if the host has none, then run dracut ----
if [[ ${1:-} == --stage ]]; then
	set -e
	clients=$2 image=$3
	if [[ $clients != / ]] && ! command -v udevadm >/dev/null; then
		# /usr/lib is already an overlay (in-fake-root.sh); /usr/bin gets one here.
		scratch=$(dirname "$image")/usr-bin
		mkdir -p "$scratch/upper" "$scratch/work"
		mount -t overlay -o "lowerdir=/usr/bin,upperdir=$scratch/upper,workdir=$scratch/work" \
			libmod-dracut /usr/bin
		cp "$clients/bin/udevadm" /usr/bin/
		cp "$clients/lib/systemd/systemd-udevd" /usr/lib/systemd/
		cp -a "$clients/lib/udev" /usr/lib/
	fi
	export dracutbasedir=$clients/usr/lib/dracut
	exec nice "$clients/usr/bin/dracut" --no-hostonly --force --nostrip \
		--conf "$clients/etc/dracut.conf" --confdir "$clients/etc/dracut.conf.d" \
		--no-compress --no-early-microcode --fwdir /nonexistent \
		--tmpdir "$(dirname "$image")" "$image"
fi

compat=${1:-}
if [[ -z $compat || ! -f $compat ]]; then
	echo "dracut-diff: FAIL: compat libkmod not built (expected ${compat:-a path})" >&2
	exit 1
fi
compat=$(realpath "$compat")

root=$("$SRCDIR/scripts/make-trees.sh" --print plain) || { echo "dracut-diff: no corpus tree" >&2; exit 77; }
moddir=$root/lib/modules/$("$SRCDIR/scripts/fetch-kernel.sh" --print-version)
clients=$("$HERE/fetch-clients.sh" --print-root) || { echo "dracut-diff: FAIL: cannot get dracut-core (scripts/install-deps.sh fetches it)" >&2; exit 1; }
for p in "$clients/usr/bin/dracut" "$clients/usr/lib/dracut/dracut-install"; do
	[[ -x $p ]] || { echo "dracut-diff: FAIL: $p is missing" >&2; exit 1; }
done
command -v cpio >/dev/null || { echo "dracut-diff: FAIL: cpio is missing (scripts/install-deps.sh)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/dracut-diff.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$HERE/in-fake-root.sh" --tree "$moddir" --work "$work/probe-ns" -- true || exit $?

# meson test's LD_LIBRARY_PATH would hand our library to the reference side too.
unset LD_LIBRARY_PATH
# A sanitizer build of our library cannot go under dracut: every program that links libkmod
# (dracut-install, and udevadm, which dracut runs to learn udev's version) would need the
# sanitizer runtime preloaded, and dracut unsets LD_PRELOAD. So the same sources are built once
# more without sanitizers (release, library only) and that library goes in; a plain build
# directory's own library is used as it is. The sanitizers see the library in kmod-query's run.
if [[ $(ldd "$compat") == *san.so* ]]; then
	meson=${MESON:-meson}
	plain=${LIBMOD_DRACUT_PLAIN_BUILD:-$(dirname "$(dirname "$(dirname "$compat")")")/tests/compat/plain-libkmod}
	start=$SECONDS
	if [[ ! -f $plain/build.ninja ]]; then
		rm -rf "$plain"
		nice "$meson" setup "$plain" "$SRCDIR" --buildtype=release -Dtests=false \
			>"$plain.log" 2>&1 || { tail -20 "$plain.log"; echo "dracut-diff: FAIL: cannot configure a plain build in $plain" >&2; exit 1; }
	fi
	nice "$meson" compile -C "$plain" compat/libkmod/kmod:shared_library >>"$plain.log" 2>&1 ||
		{ tail -20 "$plain.log"; echo "dracut-diff: FAIL: cannot build the plain library in $plain" >&2; exit 1; }
	compat=$(realpath "$plain/compat/libkmod/libkmod.so.2")
	echo "dracut-diff: our library without sanitizers: $compat ($((SECONDS - start)) s)"
fi
export ASAN_OPTIONS=detect_leaks=0

# build SIDE [LIB]: one image, its listing and its modules.* files.
build() {
	local side=$1 lib=${2:-} dir=$work/$1 start=$EPOCHREALTIME
	mkdir -p "$dir/image"
	"$HERE/in-fake-root.sh" --tree "$moddir" --work "$dir/ns" ${lib:+--lib "$lib"} -- \
		"${BASH_SOURCE[0]}" --stage "$clients" "$dir/image/initrd.img" >"$dir/dracut.log" 2>&1
	echo $? >"$dir/status"
	printf 'dracut-diff: %s image: %.0f s\n' "$side" \
		"$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
	[[ -f $dir/image/initrd.img ]] || return 0
	(cd "$dir/image" && cpio -it --quiet <initrd.img | LC_ALL=C sort >"$dir/files" &&
		cpio -id --quiet 'usr/lib/modules/*/modules.*' <initrd.img && rm initrd.img)
}

# One report per side, in compare-reports.py's block format. The kernel release in the image is
# the host's (uname -r inside the fake root), the same on both sides; it is named RELEASE so the
# report reads the same on any host.
report() {
	local side=$1 dir=$work/$1 f
	echo "check dracut status $(cat "$dir/status")"
	echo "check dracut modules"
	grep -E '\.ko(\.[a-z]+)?$' "$dir/files" | sed "s|/$(uname -r)/|/RELEASE/|; s/^/  /"
	echo "check dracut files"
	grep -vE '\.ko(\.[a-z]+)?$' "$dir/files" | sed "s|/$(uname -r)|/RELEASE|; s/^/  /"
	for f in "$dir"/image/usr/lib/modules/*/modules.*; do
		[[ -f $f ]] || continue
		echo "check dracut ${f##*/} $(sha256sum <"$f" | cut -c1-16)"
	done
}

build reference && build ours "$compat" || exit 1
report reference >"$work/reference.txt"
report ours >"$work/ours.txt"
status=0
for side in reference ours; do
	if [[ $(cat "$work/$side/status") != 0 ]]; then
		echo "dracut-diff: FAIL: dracut failed on the $side side; its log:" >&2
		tail -30 "$work/$side/dracut.log" >&2
		status=1
	fi
done
"$HERE/compare-reports.py" --allowed "$HERE/dracut-differences.txt" \
	--label 'dracut --no-hostonly: debian vs ours' "$work/reference.txt" "$work/ours.txt" || status=1
# An image without modules proves nothing about the library.
modules=$(grep -cE '\.ko(\.[a-z]+)?$' "$work/reference/files" 2>/dev/null)
echo "dracut-diff: the reference image holds ${modules:-0} kernel modules"
((${modules:-0} > 0)) || { echo "dracut-diff: FAIL: no kernel module in the reference image" >&2; status=1; }
if [[ -n ${LIBMOD_COMPAT_KEEP:-} ]]; then
	mkdir -p "$LIBMOD_COMPAT_KEEP"
	cp "$work"/*.txt "$LIBMOD_COMPAT_KEEP"/
	for side in reference ours; do cp "$work/$side/dracut.log" "$LIBMOD_COMPAT_KEEP/dracut-$side.log"; done
	echo "dracut-diff: reports kept in $LIBMOD_COMPAT_KEEP"
fi
exit $status
