#!/bin/sh
# Run a real libkmod consumer (Debian's systemd-modules-load) on our libkmod.so.2.
# LD_BIND_NOW makes the dynamic linker resolve every symbol@version it imports at start-up, so
# a missing symbol or version node fails here, not at the first call. Then runs that reach the
# library: a module that does not exist must be reported as not found (kmod_new,
# kmod_set_log_fn, kmod_load_resources, kmod_module_new_from_lookup with its empty-list
# convention); and, with the real module tree, ext4 is loaded with its dependencies into
# libmod's fake kernel (initstate, probe_insert_module), which logs every load.
set -eu
libdir=$1
sanitize=$2
shim=$3
top=$(cd "$(dirname "$0")/../../.." && pwd)
consumer=/lib/systemd/systemd-modules-load
[ -x "$consumer" ] || { echo "SKIP: no $consumer"; exit 77; }
[ -e "$libdir/libkmod.so.2" ] || { echo "FAIL: no $libdir/libkmod.so.2"; exit 1; }

# A sanitizer build of our library needs its runtime loaded first in a plain binary.
preload=
case "$sanitize" in
*address*)
	preload=$(cc -print-file-name=libasan.so)
	export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	;;
esac
run() {
	LD_PRELOAD=$preload LD_BIND_NOW=1 LD_LIBRARY_PATH=$libdir "$@"
}
# The same on the fake kernel under $root: the shim stands where libc meets the kernel.
run_fake() {
	LD_PRELOAD="${preload:+$preload }$shim" LIBMOD_SHIM_ROOT=$root LD_BIND_NOW=1 \
		LD_LIBRARY_PATH=$libdir "$@"
}

# The library the dynamic linker picks must be ours.
picked=$(LD_PRELOAD=$preload LD_LIBRARY_PATH=$libdir ldd "$consumer" | awk '$1 == "libkmod.so.2" {print $3}')
if [ "$(readlink -f "$picked")" != "$(readlink -f "$libdir/libkmod.so.2")" ]; then
	echo "FAIL: the dynamic linker picked '$picked', not $libdir/libkmod.so.2"
	exit 1
fi

out=$(run "$consumer" --help 2>&1) || { echo "FAIL: --help: $out"; exit 1; }
echo "$out" | grep -q 'modules-load' || { echo "FAIL: unexpected --help output: $out"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "libmod_compat_no_such_module" > "$tmp/test.conf"
# Not found is an error exit; what matters is that the library answered "not found".
run "$consumer" "$tmp/test.conf" > "$tmp/out" 2>&1 || true
if grep -q "undefined symbol\|version .* not found\|AddressSanitizer" "$tmp/out"; then
	echo "FAIL: consumer run:"
	cat "$tmp/out"
	exit 1
fi
if ! grep -q "libmod_compat_no_such_module" "$tmp/out"; then
	echo "FAIL: the consumer did not report the missing module:"
	cat "$tmp/out"
	exit 1
fi
cat "$tmp/out"

# A load end to end, into the fake kernel (tests/shim) with the corpus as its tree.
tree=$("$top/scripts/make-trees.sh" --print plain 2>/dev/null) || tree=
moddir=$(ls -d "$tree"/lib/modules/*/ 2>/dev/null | head -n 1)
if [ -n "$moddir" ] && [ -f "$moddir/modules.dep.bin" ]; then
	moddir=${moddir%/}
	root=$tmp/root
	mkdir -p "$root/proc/sys/kernel" "$root/sys/module" "$root/lib/modules"
	: > "$root/proc/modules"
	: > "$root/proc/cmdline"
	basename "$moddir" > "$root/proc/sys/kernel/osrelease"
	ln -s "$moddir" "$root/lib/modules/$(basename "$moddir")"
	echo ext4 > "$tmp/load.conf"
	run_fake "$consumer" "$tmp/load.conf" > "$tmp/out" 2>&1 || {
		echo "FAIL: loading ext4:"
		cat "$tmp/out"
		exit 1
	}
	cat "$tmp/out"
	# Dependencies first (jbd2 before ext4), each loaded once, and the module live.
	grep -n 'finit_module' "$root/calls.log"
	jbd2=$(grep -n 'finit_module jbd2 .* -> 0' "$root/calls.log" | cut -d: -f1)
	ext4=$(grep -n 'finit_module ext4 .* -> 0' "$root/calls.log" | cut -d: -f1)
	if [ -z "$jbd2" ] || [ -z "$ext4" ] || [ "$jbd2" -ge "$ext4" ]; then
		echo "FAIL: ext4 and its dependencies were not loaded in order"
		exit 1
	fi
	[ "$(cat "$root/sys/module/ext4/initstate")" = live ] || { echo "FAIL: ext4 not live"; exit 1; }
	# Loaded now: a second run finds it so (kmod_module_get_initstate) and loads nothing.
	before=$(wc -l < "$root/calls.log")
	run_fake "$consumer" "$tmp/load.conf" > "$tmp/out" 2>&1 || {
		echo "FAIL: second run:"
		cat "$tmp/out"
		exit 1
	}
	[ "$(wc -l < "$root/calls.log")" = "$before" ] || { echo "FAIL: loaded twice"; exit 1; }
else
	echo "no module tree: skipping the load through the fake kernel"
fi
echo "systemd-modules-load ran on $libdir/libkmod.so.2"
