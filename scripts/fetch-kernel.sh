#!/bin/bash
# fetch-kernel.sh: the one place that chooses the corpus kernel. Every test, benchmark and the
# demo get the kernel (its root, its version) from here, directly or through make-trees.sh.
#
# The corpus is pinned to one Debian 12 kernel package, linux-image-$PINNED (the tree every figure
# in docs/ was measured on; the archive keeps old ABI versions downloadable by exact name). When
# the pinned package cannot be had, the newest linux-image-6.1.0-N-amd64 apt knows is used instead,
# with a loud warning on stderr: tests read the version from here, so they still run, and any
# output that differs because the tree differs is then the tree's doing, not a skip.
#
# Usage: fetch-kernel.sh [--print-root] [--print-version]
#   --print-root     print the unpacked root (holding boot/vmlinuz-<kver> and lib/modules/<kver>)
#   --print-version  print <kver>, e.g. 6.1.0-56-amd64
# Environment: LIBMOD_CORPUS_DIR (cache, default /var/tmp/libmod-corpus), LIBMOD_CORPUS_KERNEL
# (another pin, e.g. 6.1.0-57-amd64), LIBMOD_CORPUS_OFFLINE=1 (never touch the network: use what
# the cache holds, or exit 3 saying what is missing; for tests, which must not start a 70 MB
# download inside a time limit). An unpacked tree of the wanted version is reused without
# touching the network.
set -euo pipefail

PINNED=6.1.0-56-amd64
want=${LIBMOD_CORPUS_KERNEL:-$PINNED}
cache=${LIBMOD_CORPUS_DIR:-/var/tmp/libmod-corpus}
root="$cache/root"
print_root=0 print_version=0
for a in "$@"; do
	case "$a" in
	--print-root) print_root=1 ;;
	--print-version) print_version=1 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "fetch-kernel.sh: unknown argument '$a'" >&2; exit 2 ;;
	esac
done

warn() { printf 'fetch-kernel.sh: WARNING: %s\n' "$*" >&2; }

# The version of the unpacked tree, if it is complete (kernel image and modules.order).
tree_version() {
	local v
	for v in "$root"/boot/vmlinuz-6.1.0-*-amd64; do
		[ -f "$v" ] || continue
		v=${v##*/vmlinuz-}
		[ -f "$root/lib/modules/$v/modules.order" ] && { echo "$v"; return 0; }
	done
	return 1
}

# A .deb of package $1 in the cache, or nothing.
cached_deb() { ls -1 "$cache/$1"_*.deb 2>/dev/null | sort -V | tail -n1 || true; }

known_to_apt() { [ -n "$(apt-cache pkgnames "$1" 2>/dev/null | grep -Fx "$1" || true)" ]; }

newest_known() {
	apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
		grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -t- -k4,4n | tail -n1 || true
}

download() {
	local pkg=$1
	echo "fetch-kernel.sh: downloading $pkg (about 70 MB, once; cached in $cache)" >&2
	# apt-get's own progress goes to the terminal when there is one.
	if [ -t 2 ]; then
		(cd "$cache" && apt-get download "$pkg" >&2)
	else
		(cd "$cache" && apt-get download -qq "$pkg" >/dev/null 2>&1)
	fi
}

have=$(tree_version || true)
if [ "$have" != "$want" ]; then
	mkdir -p "$cache"
	pkg="linux-image-$want"
	deb=$(cached_deb "$pkg")
	if [ -z "$deb" ] && [ "${LIBMOD_CORPUS_OFFLINE:-0}" = 1 ]; then
		if [ -z "$have" ]; then
			echo "fetch-kernel.sh: the corpus kernel $want is not in $cache (offline; run scripts/fetch-kernel.sh)" >&2
			exit 3
		fi
		# Offline, nothing says whether the pin could be had: the cached tree is what a
		# fallback left, so it is used as an online run would use it, loudly.
		warn "offline: the pinned corpus kernel $want is not cached; using the cached $have"
		want=$have
	elif [ -z "$deb" ]; then
		known_to_apt "$pkg" || apt-get update -qq >/dev/null 2>&1 || true
		if known_to_apt "$pkg" && download "$pkg"; then
			deb=$(cached_deb "$pkg")
		fi
	fi
	if [ -z "$deb" ] && [ "$want" = "$have" ]; then
		: # offline, keeping the cached tree (said above)
	elif [ -z "$deb" ] && [ -n "$have" ]; then
		warn "the pinned corpus kernel $want cannot be downloaded; keeping the cached $have"
		want=$have
	elif [ -z "$deb" ]; then
		fallback=$(newest_known)
		[ -n "$fallback" ] || { echo "fetch-kernel.sh: no linux-image-6.1.0-N-amd64 package known to apt" >&2; exit 1; }
		warn "the pinned corpus kernel $want cannot be downloaded; FALLING BACK to $fallback."
		warn "Tests run on that tree instead; figures in docs/ were measured on $want."
		deb=$(cached_deb "$fallback")
		[ -n "$deb" ] || download "$fallback" || { echo "fetch-kernel.sh: apt-get download $fallback failed" >&2; exit 1; }
		deb=$(cached_deb "$fallback")
		want=${fallback#linux-image-}
	fi
	if [ "$want" != "$have" ]; then
		tmp="$cache/root.tmp.$$"
		rm -rf "$tmp"
		# Some seconds of silence otherwise: about 400 MB are written.
		echo "fetch-kernel.sh: unpacking ${deb##*/}" >&2
		dpkg -x "$deb" "$tmp"
		rm -rf "$root"
		mv "$tmp" "$root"
	fi
	have=$(tree_version) || { echo "fetch-kernel.sh: $deb has no kernel image and module tree" >&2; exit 1; }
fi

[ "$print_root" = 1 ] && echo "$root"
[ "$print_version" = 1 ] && echo "$have"
exit 0
