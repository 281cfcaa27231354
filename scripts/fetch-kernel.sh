#!/bin/bash
# Fetch and unpack Debian's newest linux-image-6.1.0-N-amd64 into a cache directory, so the VM
# tests, the differential tests and the benchmarks all work on the same real kernel and module
# tree. Prints nothing but errors; with --print-root it prints the unpacked root (which holds
# boot/vmlinuz-<kver> and lib/modules/<kver>). Cache: $LIBMOD_CORPUS_DIR (default
# /var/tmp/libmod-corpus); an already unpacked tree is reused without touching the network.
set -euo pipefail

cache=${LIBMOD_CORPUS_DIR:-/var/tmp/libmod-corpus}
root="$cache/root"
print_root=0
for a in "$@"; do
	case "$a" in
	--print-root) print_root=1 ;;
	-h|--help) echo "usage: $0 [--print-root]"; exit 0 ;;
	*) echo "fetch-kernel.sh: unknown argument '$a'" >&2; exit 2 ;;
	esac
done

# The tree is usable once a kernel image and its module directory (with modules.order) exist.
tree_ready() {
	local v
	for v in "$root"/boot/vmlinuz-6.1.0-*-amd64; do
		[ -f "$v" ] || continue
		v=${v##*/vmlinuz-}
		[ -f "$root/lib/modules/$v/modules.order" ] && return 0
	done
	return 1
}

if ! tree_ready; then
	mkdir -p "$cache"
	deb=$(ls -1 "$cache"/linux-image-6.1.0-*-amd64_*.deb 2>/dev/null | sort -V | tail -n1 || true)
	if [ -z "$deb" ]; then
		# Newest ABI number first; apt-cache only knows packages after apt-get update.
		pkg=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
			grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -t- -k4,4n | tail -n1 || true)
		if [ -z "$pkg" ]; then
			apt-get update -qq >/dev/null 2>&1 || true
			pkg=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
				grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -t- -k4,4n | tail -n1 || true)
		fi
		if [ -z "$pkg" ]; then
			echo "fetch-kernel.sh: no linux-image-6.1.0-N-amd64 package known to apt" >&2
			exit 1
		fi
		(cd "$cache" && apt-get download -qq "$pkg" >/dev/null 2>&1) || {
			echo "fetch-kernel.sh: apt-get download $pkg failed" >&2
			exit 1
		}
		deb=$(ls -1 "$cache"/"$pkg"_*.deb | sort -V | tail -n1)
	fi
	tmp="$cache/root.tmp.$$"
	rm -rf "$tmp"
	dpkg -x "$deb" "$tmp"
	rm -rf "$root"
	mv "$tmp" "$root"
	tree_ready || { echo "fetch-kernel.sh: $deb has no kernel image and module tree" >&2; exit 1; }
fi

[ "$print_root" = 1 ] && echo "$root"
exit 0
