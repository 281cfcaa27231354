#!/bin/bash
# Boot a real Linux kernel under QEMU with the module tools under test in the initramfs, run the
# scenarios (tests/vm/scenarios) and fail, with the failing scenario's output, on any FAIL line,
# any missing result, a missing `VMTEST DONE` or a timeout (QEMU is killed; the suite never hangs).
#
# usage: run-vm.sh [--tools=ours|kmod|mixed] [--build-dir=DIR] [--kernel=debian|host]
#                  [--accel=tcg|kvm|auto] [--timeout=SECS] [--mode=test|demo] [--keep]
# Exit: 0 all scenarios passed, 1 failure, 77 skipped (no QEMU, no host module tree, or a
# scenario skipped: the last lines say which and why; a run that left checks out is no pass).
#
# --mode=demo is for a person at a terminal (tests/vm/demo.sh): the console is filtered down to
# the demo's own lines (no firmware or kernel chatter, no VMTEST markers, no escape sequences or
# control codes, so the terminal is left as it was found), with a progress line while the VM
# boots. The whole console still goes to the log.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
tools=ours
build_dir=
kernel=debian
accel=${LIBMOD_VM_ACCEL:-tcg}
timeout=780
mode=test
keep=0
for a in "$@"; do
	case "$a" in
	--tools=*) tools=${a#*=} ;;
	--build-dir=*) build_dir=${a#*=} ;;
	--kernel=*) kernel=${a#*=} ;;
	--accel=*) accel=${a#*=} ;;
	--timeout=*) timeout=${a#*=} ;;
	--mode=*) mode=${a#*=} ;;
	--keep) keep=1 ;;
	-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
	*) echo "run-vm.sh: unknown argument '$a'" >&2; exit 2 ;;
	esac
done
qemu=$(command -v qemu-system-x86_64 || true)
if [ -z "$qemu" ]; then
	echo "run-vm.sh: qemu-system-x86_64 not installed; skipping" >&2
	exit 77
fi
if [ "$tools" != kmod ] && [ -z "$build_dir" ]; then
	for d in "$src"/build-*/ "$src"/build/; do
		[ -x "$d/tools/modprobe/modprobe" ] && { build_dir=${d%/}; break; }
	done
	[ -n "$build_dir" ] || { echo "run-vm.sh: give --build-dir (no built tools found)" >&2; exit 1; }
fi

case "$kernel" in
debian)
	# fetch-kernel.sh chooses the kernel (root and version); nothing here guesses either.
	kinfo=$("$src/scripts/fetch-kernel.sh" --print-root --print-version) || exit 1
	kroot=${kinfo%%$'\n'*}
	kver=${kinfo##*$'\n'}
	vmlinuz="$kroot/boot/vmlinuz-$kver"
	;;
host)
	kroot=/
	kver=$(uname -r)
	vmlinuz=/boot/vmlinuz-$kver
	if [ ! -d "/lib/modules/$kver/kernel" ] || [ ! -r "$vmlinuz" ]; then
		echo "run-vm.sh: the host kernel $kver has no readable image or module tree; skipping" >&2
		exit 77
	fi
	;;
*) echo "run-vm.sh: --kernel must be debian or host" >&2; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/var/tmp}/libmod-vm-$tools.XXXXXX")
cleanup() { [ $keep = 1 ] && echo "run-vm.sh: work dir kept: $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT
t0=$(date +%s.%N)
[ "$mode" = demo ] && echo "building the VM's initramfs (our tools, the modules the demo loads)"
"$here/build-initramfs.sh" --tools="$tools" ${build_dir:+--build-dir="$build_dir"} \
	--root="$kroot" --kver="$kver" --work="$work" --mode="$mode" --out="$work/initramfs.cpio" ||
	exit 1
t1=$(date +%s.%N)

# Scenario 2 reads these back from /sys/module/null_blk/parameters.
append="console=ttyS0 panic=-1 rdinit=/init loglevel=4 null_blk.bs=2048 null_blk.completion_nsec=12345"
# The firmware and the kernel's setup code write terminal control sequences to the serial
# console (ESC c resets the terminal and clears the screen, ESC [?7l turns line wrap off). They
# are removed, with every other control code but tab and newline, before anything reaches a
# terminal or a log: a terminal that showed this must be left as it was.
strip_console() {
	local e=$'\e'
	tr -d '\000\r' | LC_ALL=C sed -u -e "s#${e}\[[0-?]*[ -/]*[@-~]##g" -e "s#${e}[ -/]*[0-~]##g" \
		-e 's#[\x01-\x08\x0b-\x1f\x7f]##g'
}
# Demo mode: the demo's lines only (the guest prints them between its banner and the
# `VMTEST DEMO` marker). At the banner, $work/demo-started tells the progress line to end, and
# the banner waits (a few seconds at most) for $work/progress-done so it starts on a line of
# its own.
show_demo() {
	awk -v started="$work/demo-started" -v done="$work/progress-done" '
		/^VMTEST DEMO / { on = 0 }
		/^=== libmod demo / {
			on = 1
			printf "" > started
			close(started)
			system("i=0; while [ ! -e \"" done "\" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done")
		}
		on { print; fflush() }'
}
# What a run shows: the whole filtered console (test), the demo's lines (demo).
show() { if [ "$mode" = demo ]; then show_demo; else cat; fi; }
boot() { # boot ACCEL LOGFILE
	timeout -k 10 "$timeout" "$qemu" -accel "$1" -nographic -no-reboot -m 1024 -smp 2 \
		-kernel "$vmlinuz" -initrd "$work/initramfs.cpio" -append "$append" </dev/null 2>&1 |
		strip_console | tee "$2" | show
	return "${PIPESTATUS[0]}"
}
# Demo: a line saying the VM is booting, then a dot every two seconds until the demo starts.
progress() {
	local i=0
	printf 'booting Linux %s under QEMU (some seconds; a minute or two on a slow machine) ' "$kver"
	while [ ! -e "$work/demo-started" ]; do
		sleep 0.2
		i=$((i + 1))
		[ $((i % 10)) = 0 ] && printf .
	done
	printf '\n\n'
	: >"$work/progress-done"
}
ticker=
if [ "$mode" = demo ]; then
	progress &
	ticker=$!
fi
log="$work/console.log"
if [ "$accel" = auto ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		# KVM may be present but unusable (nested, hanging): it must reach the boot marker fast.
		saved=$timeout
		timeout=40
		boot kvm "$log.kvm" >/dev/null
		grep -q '^VMTEST DONE' "$log.kvm" && { accel=kvm; cp "$log.kvm" "$log"; show <"$log"; }
		timeout=$saved
	fi
fi
[ -s "$log" ] || boot "$accel" "$log"
qrc=$?
t2=$(date +%s.%N)
if [ -n "$ticker" ] && [ ! -e "$work/progress-done" ]; then
	kill "$ticker" 2>/dev/null
	echo # the demo never started: end the progress line
fi

status=0
if ! grep -q '^VMTEST DONE' "$log"; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "run-vm.sh: FAIL: the VM did not finish within ${timeout}s (QEMU killed)"
	else
		echo "run-vm.sh: FAIL: the VM stopped without 'VMTEST DONE' (QEMU exit $qrc)"
	fi
	status=1
fi
skipped=
if [ "$mode" = test ]; then
	for s in "$here"/scenarios/[0-9][0-9]-*.sh; do
		n=${s##*/}
		n=${n%%-*}
		line=$(grep -E "^VMTEST $n (PASS|FAIL|SKIP)" "$log" | head -n1)
		case "$line" in
		"VMTEST $n PASS"*) ;;
		"VMTEST $n SKIP"*) skipped="$skipped; ${s##*/}: ${line#"VMTEST $n SKIP"}" ;;
		*)
			status=1
			echo
			echo "run-vm.sh: scenario ${s##*/}: ${line:-no result}"
			sed -n "/^VMTEST-BEGIN $n /,/^VMTEST $n /p" "$log"
			;;
		esac
	done
	grep -E '^VMTEST [0-9]+ FAIL' "$log" | grep -q '^VMTEST 0 ' && status=1
	echo
	echo "=== VM summary (tools: $tools, kernel $kver, accel $accel) ==="
	grep -E '^VMTEST ([0-9]+ (PASS|FAIL|SKIP)|BOOT|DONE)' "$log"
else
	if ! grep -q '^VMTEST DEMO 0' "$log"; then
		status=1
		keep=1
		echo "run-vm.sh: the VM demo failed; the last console lines:"
		tail -n 15 "$log"
	fi
	awk -v a="$t0" -v b="$t1" -v c="$t2" \
		'BEGIN{printf "\n(VM: initramfs %.1f s, boot and demo %.1f s)\n", b-a, c-b}'
	exit $status
fi
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN{printf "initramfs build %.1fs, boot+scenarios %.1fs\n", b-a, c-b}'
if [ $status = 0 ] && [ -n "$skipped" ]; then
	# Scenarios that did not run are no pass: the test reports a skip with the reasons.
	echo "run-vm.sh: SKIPPED scenarios${skipped#;}"
	echo "SKIP: VM scenarios skipped:${skipped#;}"
	exit 77
fi
[ $status = 0 ] && echo "run-vm.sh: OK" || echo "run-vm.sh: FAILED"
exit $status
