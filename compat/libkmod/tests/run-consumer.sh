#!/bin/sh
# Run a real libkmod consumer (Debian's systemd-modules-load) on our libkmod.so.2.
# LD_BIND_NOW makes the dynamic linker resolve every symbol@version it imports at start-up, so
# a missing symbol or version node fails here, not at the first call. Then a run that reaches
# the library: a modules-load.d file naming a module that does not exist must be reported as
# "not found" (kmod_new, kmod_set_log_fn, kmod_load_resources, kmod_module_new_from_lookup with
# its empty-list convention).
set -eu
libdir=$1
compiler=$2
sanitize=$3
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
echo "systemd-modules-load ran on $libdir/libkmod.so.2"
