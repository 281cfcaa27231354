#!/bin/bash
# Boot a real Linux kernel under QEMU with the module tools under test in the initramfs, run the
# scenarios (tests/vm/scenarios) and fail, with the failing scenario's output, on any FAIL line,
# any missing result, a missing `VMTEST DONE` or a timeout (QEMU is killed; the suite never hangs).
#
# A scenario that needs kernel parameters of its own says so in a line
# `# vm-cmdline: PARAMS` (e.g. lockdown=integrity): it runs in a separate boot with PARAMS added,
# together with the other scenarios asking for the same PARAMS; the rest share the default boot.
# Each boot gets `vmtest.only=NN,...` so the guest's init runs just its scenarios.
#
# usage: run-vm.sh [--tools=ours|kmod|mixed] [--build-dir=DIR] [--kernel=debian|host]
#                  [--accel=tcg|kvm|auto] [--timeout=SECS] [--mode=test|demo] [--keep]
#                  [--scenarios=NN,NN...]   (only these; boots with none of them are skipped)
# Exit: 0 all scenarios passed, 1 failure, 77 skipped (no QEMU, or no host module tree).
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
only=
for a in "$@"; do
	case "$a" in
	--tools=*) tools=${a#*=} ;;
	--build-dir=*) build_dir=${a#*=} ;;
	--kernel=*) kernel=${a#*=} ;;
	--accel=*) accel=${a#*=} ;;
	--timeout=*) timeout=${a#*=} ;;
	--mode=*) mode=${a#*=} ;;
	--keep) keep=1 ;;
	--scenarios=*) only=${a#*=} ;;
	-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
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
	kroot=$("$src/scripts/fetch-kernel.sh" --print-root) || exit 1
	kver=$(ls -1 "$kroot/lib/modules" | sort -V | tail -n1)
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
"$here/build-initramfs.sh" --tools="$tools" ${build_dir:+--build-dir="$build_dir"} \
	--root="$kroot" --kver="$kver" --work="$work" --mode="$mode" --out="$work/initramfs.cpio" ||
	exit 1
t1=$(date +%s.%N)

# Scenario 2 reads these back from /sys/module/null_blk/parameters.
append="console=ttyS0 panic=-1 rdinit=/init loglevel=4 null_blk.bs=2048 null_blk.completion_nsec=12345"
boot() { # boot ACCEL LOGFILE [EXTRA-PARAMS]
	timeout -k 10 "$timeout" "$qemu" -accel "$1" -nographic -no-reboot -m 1024 -smp 2 \
		-kernel "$vmlinuz" -initrd "$work/initramfs.cpio" -append "$append${3:+ $3}" \
		</dev/null 2>&1 |
		tr -d '\r' | tee "$2"
	return "${PIPESTATUS[0]}"
}
# The boots: extra kernel parameters and the scenarios each runs (see the top of this file).
num() { local n=${1##*/}; echo "${n%%-*}"; } # a scenario's number from its path
picked=()
for s in "$here"/scenarios/[0-9][0-9]-*.sh; do
	case ",$only," in ,,|*",$(num "$s"),"*) picked+=("$s") ;; esac
done
boot_extra=()
boot_only=()
if [ "$mode" = test ]; then
	for s in "${picked[@]}"; do
		n=$(num "$s")
		p=$(sed -n 's/^# vm-cmdline: *//p' "$s" | head -n1)
		i=0
		while [ $i -lt ${#boot_extra[@]} ] && [ "${boot_extra[$i]}" != "$p" ]; do
			i=$((i + 1))
		done
		boot_extra[$i]=$p
		boot_only[$i]=${boot_only[$i]:+${boot_only[$i]},}$n
	done
	[ ${#picked[@]} -gt 0 ] || { echo "run-vm.sh: no scenario selected" >&2; exit 2; }
else
	boot_extra=("")
	boot_only=("")
fi
extra() { echo "${boot_extra[$1]}${boot_only[$1]:+ vmtest.only=${boot_only[$1]}}"; }

log="$work/console.log"
if [ "$accel" = auto ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		# KVM may be present but unusable (nested, hanging): it must reach the boot marker fast.
		saved=$timeout
		timeout=40
		boot kvm "$log.kvm" "$(extra 0)" >/dev/null
		grep -q '^VMTEST DONE' "$log.kvm" && { accel=kvm; cp "$log.kvm" "$log.0"; cat "$log.0"; }
		timeout=$saved
	fi
fi
status=0
: >"$log"
for i in "${!boot_extra[@]}"; do
	qrc=0
	[ -s "$log.$i" ] || { boot "$accel" "$log.$i" "$(extra "$i")"; qrc=$?; }
	cat "$log.$i" >>"$log"
	grep -q '^VMTEST DONE' "$log.$i" && continue
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "run-vm.sh: FAIL: the VM ($(extra "$i")) did not finish within ${timeout}s (QEMU killed)"
	else
		echo "run-vm.sh: FAIL: the VM ($(extra "$i")) stopped without 'VMTEST DONE' (QEMU exit $qrc)"
	fi
	status=1
done
t2=$(date +%s.%N)

if [ "$mode" = test ]; then
	for s in "${picked[@]}"; do
		n=$(num "$s")
		line=$(grep -E "^VMTEST $n (PASS|FAIL|SKIP)" "$log" | head -n1)
		case "$line" in
		"VMTEST $n PASS"*|"VMTEST $n SKIP"*) ;;
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
	grep -q '^VMTEST DEMO 0' "$log" || status=1
fi
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN{printf "initramfs build %.1fs, boot+scenarios %.1fs\n", b-a, c-b}'
[ $status = 0 ] && echo "run-vm.sh: OK" || echo "run-vm.sh: FAILED"
exit $status
