#!/bin/bash
# make-trees.sh: build cached test trees of the real module corpus (one Debian kernel's 4023
# modules) for the diff tests and benchmarks: plain, xz, zst and gz copies of the module
# directory, each indexed by the reference depmod (kmod 30), plus gz-indexed (see below).
#
# Usage:
#   scripts/make-trees.sh [kind...]        build the given kinds (default: all), cached
#   scripts/make-trees.sh --print <kind>   build <kind> if needed, print its root (the directory
#                                          holding lib/modules/<ver>) on stdout
#   scripts/make-trees.sh --print-version  print the corpus kernel version
#   scripts/make-trees.sh --print-corpus   print the corpus root the trees are made from
# Kinds: plain xz zst gz gz-indexed. Everything else (progress) goes to stderr.
#
# The corpus kernel (its unpacked root and version) comes from scripts/fetch-kernel.sh only.
# Environment: LIBMOD_TREES_DIR (default /var/tmp/libmod-trees), JOBS (default: nproc); the
# corpus kernel and its cache are chosen by fetch-kernel.sh's variables.
#
# Layout: $LIBMOD_TREES_DIR/<kind>/lib/modules/<ver>/{kernel/...,modules.order,modules.builtin,
# modules.builtin.modinfo,modules.dep,...} and <kind>/boot/{System.map,config}-<ver>.
#
# Compression follows kbuild's scripts/Makefile.modinst (current kernels): xz with
# "--check=crc32 --lzma2=dict=1MiB" (the in-kernel decompressor only knows CRC32 and a small
# dictionary), zstd at its default level, gzip with "-n". Kbuild uses "zstd -T0" per file; we run
# one single-threaded compressor per core over many files instead, which gives the same bytes.
#
# gz-indexed: Debian's kmod 30 is built without zlib, so its depmod ignores .ko.gz files and the
# gz tree's indexes are empty. gz-indexed holds the gz modules with the indexes of the xz tree,
# where ".ko.xz" is rewritten to ".ko.gz". Both suffixes have the same length, so the rewrite
# keeps every offset in the binary tries valid (modules.dep.bin stores whole paths as values,
# never split across trie nodes). That is exactly what a zlib-enabled kmod would write.
#
# Idempotent: each finished tree has a .stamp naming the corpus and this script's layout
# revision; a tree whose stamp matches is reused. Trees are built in <kind>.tmp and renamed, and
# a flock serialises concurrent callers.
set -euo pipefail

LAYOUT_REV=1
ALL_KINDS=(plain xz zst gz gz-indexed)
TREES_DIR=${LIBMOD_TREES_DIR:-/var/tmp/libmod-trees}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf 'make-trees: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The corpus (root and version) comes from scripts/fetch-kernel.sh and nowhere else: it is the
# one place that chooses the kernel, so the trees, the tests that read them and the VM agree on
# the version (choose another with its LIBMOD_CORPUS_KERNEL / LIBMOD_CORPUS_DIR). Its progress
# and warnings go straight to stderr: a first download takes a while and must show it.
find_corpus() {
	local out
	out=$("$SRCDIR/scripts/fetch-kernel.sh" --print-root --print-version) ||
		die "scripts/fetch-kernel.sh could not provide the corpus kernel (its message is above)"
	CORPUS=${out%%$'\n'*}
	VER=${out##*$'\n'}
	[[ -n $CORPUS && -n $VER && $CORPUS != "$VER" ]] ||
		die "scripts/fetch-kernel.sh printed no root and version"
	[[ -d $CORPUS/lib/modules/$VER/kernel ]] || die "no module tree $CORPUS/lib/modules/$VER"
}

# Identity of the corpus: version, module count and a checksum of modules.order, so a different
# kernel build (even with the same version string) invalidates the cache.
corpus_id() {
	local moddir=$1 ver=$2 n sum
	n=$(find "$moddir/kernel" -name '*.ko' | wc -l)
	sum=$(sha256sum <"$moddir/modules.order" | cut -c1-16)
	printf 'ver=%s modules=%s order=%s layout=%s\n' "$ver" "$n" "$sum" "$LAYOUT_REV"
}

is_current() { [[ -f $TREES_DIR/$1/.stamp ]] && [[ $(cat "$TREES_DIR/$1/.stamp") == "$CORPUS_ID" ]]; }

copy_meta() {
	local dst=$1 f
	mkdir -p "$dst/lib/modules/$VER" "$dst/boot"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[[ -f $MODDIR/$f ]] && cp "$MODDIR/$f" "$dst/lib/modules/$VER/"
	done
	for f in System.map config; do
		[[ -f $CORPUS/boot/$f-$VER ]] && cp "$CORPUS/boot/$f-$VER" "$dst/boot/"
	done
	return 0
}

run_depmod() {
	local dst=$1
	log "  depmod -b $dst $VER"
	depmod -b "$dst" "$VER" || die "depmod failed on $dst"
}

# Compress every .ko under $1 in place with the command in the remaining arguments, one
# compressor per core over batches of files.
compress_tree() {
	local dir=$1
	shift
	find "$dir" -name '*.ko' -type f -print0 |
		xargs -0 -r -P "$JOBS" -n 64 "$@" || die "compression ($1) failed in $dir"
}

build_kind() {
	local kind=$1 tmp=$TREES_DIR/$1.tmp out=$TREES_DIR/$1
	is_current "$kind" && return 0
	log "building $kind tree in $out (corpus $CORPUS, $VER)"
	rm -rf "$tmp"
	case $kind in
	plain)
		copy_meta "$tmp"
		cp -a "$MODDIR/kernel" "$tmp/lib/modules/$VER/"
		run_depmod "$tmp"
		;;
	xz | zst | gz)
		build_kind plain
		copy_meta "$tmp"
		cp -a "$TREES_DIR/plain/lib/modules/$VER/kernel" "$tmp/lib/modules/$VER/"
		case $kind in
		xz) compress_tree "$tmp" xz --check=crc32 --lzma2=dict=1MiB -T1 -f -q ;;
		zst) compress_tree "$tmp" zstd -T1 --rm -f -q ;;
		gz) compress_tree "$tmp" gzip -n -f ;;
		esac
		[[ -z $(find "$tmp" -name '*.ko' -print -quit) ]] || die "uncompressed modules left in $tmp"
		run_depmod "$tmp"
		;;
	gz-indexed)
		build_kind gz
		build_kind xz
		copy_meta "$tmp"
		cp -a "$TREES_DIR/gz/lib/modules/$VER/kernel" "$tmp/lib/modules/$VER/"
		local f base
		for f in "$TREES_DIR/xz/lib/modules/$VER"/modules.*; do
			base=$(basename "$f")
			case $base in
			modules.order | modules.builtin | modules.builtin.modinfo) continue ;;
			esac
			# Byte-for-byte same-length rewrite; LC_ALL=C so binary data is not mangled.
			LC_ALL=C sed 's/\.ko\.xz/.ko.gz/g' "$f" >"$tmp/lib/modules/$VER/$base"
		done
		# Every path in modules.dep must name a file of this tree.
		local missing
		missing=$(tr ' ' '\n' <"$tmp/lib/modules/$VER/modules.dep" | sed -n 's/:$//;/\.ko/p' |
			sort -u | (cd "$tmp/lib/modules/$VER" && while read -r p; do
				[[ -f $p ]] || echo "$p"
			done) | head -n3)
		[[ -z $missing ]] || die "gz-indexed modules.dep names missing files: $missing"
		;;
	*) die "unknown kind '$kind' (kinds: ${ALL_KINDS[*]})" ;;
	esac
	printf '%s\n' "$CORPUS_ID" >"$tmp/.stamp"
	rm -rf "$out"
	mv "$tmp" "$out"
	log "  $kind done"
}

main() {
	local print_kind= kinds=() arg
	while (($#)); do
		arg=$1
		shift
		case $arg in
		--print)
			(($#)) || die "--print needs a kind"
			print_kind=$1
			shift
			;;
		--print-version | --print-corpus) print_kind=$arg ;;
		-h | --help)
			sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
			exit 0
			;;
		-*) die "unknown option $arg" ;;
		*) kinds+=("$arg") ;;
		esac
	done

	for arg in "${kinds[@]}" ${print_kind:+"$print_kind"}; do
		case " ${ALL_KINDS[*]} --print-version --print-corpus " in
		*" $arg "*) ;;
		*) die "unknown kind '$arg' (kinds: ${ALL_KINDS[*]})" ;;
		esac
	done

	mkdir -p "$TREES_DIR"
	find_corpus
	MODDIR=$CORPUS/lib/modules/$VER
	case $print_kind in
	--print-version) printf '%s\n' "$VER"; exit 0 ;;
	--print-corpus) printf '%s\n' "$CORPUS"; exit 0 ;;
	esac
	command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	command -v depmod >/dev/null || die "depmod (package kmod) not found"
	CORPUS_ID=$(corpus_id "$MODDIR" "$VER")

	if [[ -n $print_kind ]]; then
		kinds=("$print_kind")
	elif ((${#kinds[@]} == 0)); then
		kinds=("${ALL_KINDS[@]}")
	fi

	# Fast path without the lock: everything asked for is already current.
	local k need=0
	for k in "${kinds[@]}"; do is_current "$k" || need=1; done
	if ((need)); then
		exec 9>"$TREES_DIR/.lock"
		flock 9
		for k in "${kinds[@]}"; do build_kind "$k"; done
		exec 9>&-
	fi
	if [[ -n $print_kind ]]; then
		printf '%s\n' "$TREES_DIR/$print_kind"
	fi
}

main "$@"
