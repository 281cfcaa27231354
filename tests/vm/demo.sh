#!/bin/bash
# The VM demo for the README's first command: boot Debian's real kernel under QEMU and show, on
# the console, modprobe loading btrfs with its dependencies, lsmod, modinfo and modprobe -r, done
# by our tools. Uses $LIBMOD_DEMO_BUILD (or the first build dir with built tools); with no build
# of our tools it says so and shows kmod's tools instead, so the harness itself is still shown.
# Only the demo's own lines reach the terminal (see run-vm.sh --mode=demo).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${LIBMOD_DEMO_BUILD:-}
[ -n "$build" ] && [ "${build#/}" = "$build" ] && build="$src/$build"
if [ -z "$build" ] || [ ! -x "$build/tools/modprobe/modprobe" ]; then
	build=
	for d in "$src"/build-demo "$src"/build-test "$src"/build-*; do
		ok=1
		for t in modprobe insmod rmmod lsmod modinfo depmod; do
			[ -x "$d/tools/$t/$t" ] || ok=0
		done
		[ $ok = 1 ] && { build=$d; break; }
	done
fi
if [ -n "$build" ]; then
	tools=(--tools=ours --build-dir="$build")
else
	echo "demo.sh: our tools are not built yet: showing kmod's tools in the VM instead"
	tools=(--tools=kmod)
fi
# run-vm.sh --mode=demo filters every control sequence out of the console; should one get through
# anyway (or the run be interrupted), line wrap, which the firmware turns off, is turned back on.
restore_terminal() {
	[ -t 1 ] || return 0
	tput smam 2>/dev/null || printf '\033[?7h'
}
trap restore_terminal EXIT
"$here/run-vm.sh" "${tools[@]}" --mode=demo --timeout="${LIBMOD_VM_TIMEOUT:-300}"
