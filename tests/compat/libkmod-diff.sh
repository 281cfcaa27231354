#!/bin/bash
# libkmod-diff.sh: the differential test of libkmod.so.2. Runs the one kmod-query binary twice
# over the whole real corpus (4023 modules, 186 builtins, every alias made concrete): once on
# Debian's libkmod.so.2, once with LD_LIBRARY_PATH pointing at ours, so the dynamic linker
# swaps the library under an unchanged program. The reports must be equal but for the lines
# that libkmod-differences.txt documents.
#
# Usage: libkmod-diff.sh [--fake-kernel SO] KMOD_QUERY COMPAT_LIBKMOD [-- kmod-query options]
#        libkmod-diff.sh --reference-only [--fake-kernel SO] KMOD_QUERY [-- kmod-query options]
#   --fake-kernel SO also run kmod-query's insert section (kmod_module_insert_module and
#                    _remove_module with every flag) with tests/compat/fake-kernel.so
#                    preloaded; its log of the syscalls' arguments goes into the report
#   COMPAT_LIBKMOD   our libkmod.so.2 (the file meson built); if it does not exist the test
#                    FAILS with "compat libkmod not built" (it never skips)
#   --reference-only Debian's library on both sides: proves the harness without our library
#                    (the report is deterministic, the comparator passes its self-test, and a
#                    copy of Debian's library with one string altered, swapped in exactly as
#                    ours will be, is caught)
# kmod-query options (e.g. "-e 20 -p 50" for a quick run) go to both sides.
#
# Both sides run in the same private mount namespace layout (in-fake-root.sh: fixed
# /proc/cmdline and /sys/module states); without namespaces they run on the host as it is,
# which still compares like with like.
# Environment: LIBMOD_COMPAT_KEEP=DIR keeps the reports there. Exit 77 only when the corpus
# cannot be obtained.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/../.." && pwd)

reference_only=0 fake_kernel=''
while [[ ${1:-} == --* ]]; do
	case $1 in
	--reference-only) reference_only=1; shift ;;
	--fake-kernel) fake_kernel=$(realpath "$2"); shift 2 ;;
	*) echo "libkmod-diff: unknown option $1" >&2; exit 2 ;;
	esac
done
query=${1:-}
[[ -n $query ]] || { echo "usage: $0 [--reference-only] KMOD_QUERY [COMPAT_LIBKMOD] [-- options]" >&2; exit 2; }
shift
compat=''
if ((!reference_only)); then
	compat=${1:-}
	shift || true
	if [[ -z $compat || ! -f $compat ]]; then
		echo "libkmod-diff: FAIL: compat libkmod not built (expected ${compat:-a path}); build with -Dlibkmod=true" >&2
		exit 1
	fi
	compat=$(realpath "$compat")
fi
[[ ${1:-} == -- ]] && shift
query_opts=("$@")

root=$("$SRCDIR/scripts/make-trees.sh" --print plain) || { echo "libkmod-diff: no corpus tree" >&2; exit 77; }
ver=$("$SRCDIR/scripts/fetch-kernel.sh" --print-version)
moddir=$root/lib/modules/$ver
[[ -f $moddir/modules.dep.bin ]] || { echo "libkmod-diff: $moddir is not indexed" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/libkmod-diff.XXXXXX")
trap 'rm -rf "$work"' EXIT

system_lib=$(realpath /usr/lib/x86_64-linux-gnu/libkmod.so.2)
ns_ok=1
"$HERE/in-fake-root.sh" --tree "$moddir" --work "$work/probe-ns" -- true 2>/dev/null || ns_ok=0
((ns_ok)) || echo "libkmod-diff: note: no mount namespace; both sides run against the host's /sys and /proc" >&2

# run_side NAME LIBDIR(or empty) [extra kmod-query options]: the report in $work/NAME.txt,
# stderr in NAME.err.
run_side() {
	local name=$1 libdir=$2 want got start end rc
	shift 2
	# meson test puts the build tree's library directories (ours among them) in the
	# environment; the reference side must get the system's library, so each side sets its own.
	local env=(env -u KMOD_LOG -u LD_LIBRARY_PATH)
	[[ -n $libdir ]] && env+=("LD_LIBRARY_PATH=$libdir")
	want=${libdir:+$compat}
	want=${want:-$system_lib}
	got=$("${env[@]}" "$query" --which-lib)
	if [[ $got != "$want" ]]; then
		echo "libkmod-diff: FAIL: the $name side loaded $got, not $want" >&2
		return 1
	fi
	local cmd=("${env[@]}" nice "$query" -c "$HERE/config/d1" -c "$HERE/config/d2"
		"${query_opts[@]}" "$@" -o "$work/$name.txt" "$moddir")
	start=$EPOCHREALTIME
	if ((ns_ok)); then
		"$HERE/in-fake-root.sh" --tree "$moddir" --work "$work/ns-$name" --sysfs states -- \
			"${cmd[@]}" 2>"$work/$name.err"
	else
		"${cmd[@]}" 2>"$work/$name.err"
	fi
	rc=$?
	if ((rc == 0 && ns_ok)) && [[ -n $fake_kernel ]]; then
		# The report's last line is "end": the insert section follows it in a report of its own.
		# ASan's link-order check would refuse a preloaded library ahead of its runtime; the
		# interposer is not instrumented, so that order is harmless.
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
			"$HERE/in-fake-root.sh" --tree "$moddir" --work "$work/ns-$name-insert" \
			--sysfs states --preload "$fake_kernel" --kernel-log "$work/$name.klog" -- \
			"${env[@]}" "$query" -c "$HERE/config/d1" -c "$HERE/config/d2" -s insert \
			-o "$work/$name.insert.txt" "$moddir" 2>>"$work/$name.err" &&
			cat "$work/$name.insert.txt" >>"$work/$name.txt"
		rc=$?
	fi
	end=$EPOCHREALTIME
	printf 'libkmod-diff: %s side (%s): %.1f s, %s lines, exit %d\n' "$name" "$got" \
		"$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$(wc -l <"$work/$name.txt" 2>/dev/null || echo 0)" "$rc"
	if ((rc != 0)); then
		echo "libkmod-diff: FAIL: kmod-query exited $rc on the $name side; its stderr:" >&2
		tail -n 20 "$work/$name.err" >&2
		return 1
	fi
}

status=0
if ((reference_only)); then
	"$HERE/compare-reports.py" --self-test >/dev/null || { echo "libkmod-diff: FAIL: comparator self-test" >&2; exit 1; }
	run_side reference '' && run_side reference-again '' || exit 1
	"$HERE/compare-reports.py" --label 'debian vs debian' "$work/reference.txt" "$work/reference-again.txt" || status=1
	# The swap itself must work and a changed library must be caught: a copy of Debian's with
	# one string altered (initstate "going" -> "gaing") goes through the "ours" path.
	mkdir -p "$work/lib"
	compat=$work/doctored.so
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); assert d.count(b"\0going\0") == 1; open(sys.argv[2], "wb").write(d.replace(b"\0going\0", b"\0gaing\0"))' \
		"$system_lib" "$compat" || exit 1
	ln -s "$compat" "$work/lib/libkmod.so.2"
	query_opts=(-s ctx)
	run_side reference-ctx '' && run_side doctored "$work/lib" || exit 1
	if "$HERE/compare-reports.py" --label 'debian vs doctored' "$work/reference-ctx.txt" \
		"$work/doctored.txt" >"$work/doctored.cmp"; then
		echo "libkmod-diff: FAIL: a doctored libkmod.so.2 went unnoticed" >&2
		status=1
	elif ! grep -q 'initstate_str 3 gaing' "$work/doctored.cmp"; then
		echo "libkmod-diff: FAIL: the doctored library's difference was not the one shown:" >&2
		cat "$work/doctored.cmp" >&2
		status=1
	else
		echo "libkmod-diff: a doctored libkmod.so.2 is caught, as it must be"
	fi
else
	mkdir -p "$work/lib"
	# The name the dynamic linker looks for, whatever file name meson gave the library.
	ln -s "$compat" "$work/lib/libkmod.so.2"
	# Through the symlink, the library's $ORIGIN runpath points nowhere: libraries it needs
	# from outside the system (libmod.so.1 in the build tree) come by LD_LIBRARY_PATH too.
	libdirs=$work/lib
	for dep in $(ldd "$compat" | awk '$2 == "=>" && $3 ~ /^\// && $3 !~ /^\/(usr\/)?lib/ { print $3 }'); do
		libdirs+=:$(dirname "$dep")
	done
	run_side reference '' && run_side ours "$libdirs" || exit 1
	"$HERE/compare-reports.py" --allowed "$HERE/libkmod-differences.txt" \
		--label 'debian vs ours' "$work/reference.txt" "$work/ours.txt" || status=1
	# Without kmod_load_resources (dracut-install never calls it) libkmod reads the index files
	# per lookup: a sample through that path too.
	run_side reference-noload '' --no-load -e 25 -p 100 &&
		run_side ours-noload "$libdirs" --no-load -e 25 -p 100 || exit 1
	"$HERE/compare-reports.py" --allowed "$HERE/libkmod-differences.txt" \
		--label 'debian vs ours, no load_resources' "$work/reference-noload.txt" \
		"$work/ours-noload.txt" || status=1
fi
if [[ -n ${LIBMOD_COMPAT_KEEP:-} ]]; then
	mkdir -p "$LIBMOD_COMPAT_KEEP"
	cp "$work"/*.txt "$work"/*.err "$LIBMOD_COMPAT_KEEP"/
	echo "libkmod-diff: reports kept in $LIBMOD_COMPAT_KEEP"
fi
exit $status
