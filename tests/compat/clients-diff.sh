#!/bin/bash
# clients-diff.sh: real libkmod clients on our libkmod.so.2 against the same clients on Debian's.
# Each client runs twice in the same fake root (in-fake-root.sh: the corpus tree at
# /lib/modules/$(uname -r), tests/compat/clients/modprobe.d, an empty /sys/module, a fixed
# /proc/cmdline), with fake-kernel.so preloaded so module loads are recorded instead of failing.
# On the "ours" side our library is bind-mounted over /usr/lib/x86_64-linux-gnu/libkmod.so.2,
# which is what installing it would do.
#
# Checks:
#   modules-load  systemd-modules-load on clients/modules-load.conf: names, an alias, a
#                 modalias, blacklisted and builtin modules, an install command, a missing name
#   udev          udevadm test-builtin 'kmod load ...' on a sample of modaliases made concrete
#                 from modules.alias (udevd runs the same builtin code)
#   dracut-*      dracut-install -m: named modules; directory walks (=drivers/...) with the
#                 symbol, path and name filters dracut's own modules use, and anchored
#                 --mod-filter-nosymbol patterns that expose the dependency-symbol layout
#                 dracut-install relies on (spec/libkmod-abi: "Layout trap")
# Compared per check: exit status, stdout, stderr, the fake kernel's log of init_module /
# finit_module calls, and (dracut) the installed file list.
#
# Usage: clients-diff.sh FAKE_KERNEL_SO COMPAT_LIBKMOD
#        clients-diff.sh --reference-only FAKE_KERNEL_SO   (Debian's library on both sides, the
#                 second one bind-mounted from a copy: proves the harness)
# COMPAT_LIBKMOD missing: FAIL with "compat libkmod not built". Exit 77 when there are no mount
# namespaces or no corpus. LIBMOD_COMPAT_KEEP=DIR keeps the reports.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/../.." && pwd)
MODALIAS_EVERY=${LIBMOD_COMPAT_MODALIAS_EVERY:-40}

reference_only=0
if [[ ${1:-} == --reference-only ]]; then
	reference_only=1
	shift
fi
fake_kernel=${1:-}
[[ -f $fake_kernel ]] || { echo "usage: $0 [--reference-only] FAKE_KERNEL_SO [COMPAT_LIBKMOD]" >&2; exit 2; }
fake_kernel=$(realpath "$fake_kernel")
compat=''
if ((!reference_only)); then
	compat=${2:-}
	if [[ -z $compat || ! -f $compat ]]; then
		echo "clients-diff: FAIL: compat libkmod not built (expected ${compat:-a path}); build with -Dlibkmod=true" >&2
		exit 1
	fi
	compat=$(realpath "$compat")
fi

root=$("$SRCDIR/scripts/make-trees.sh" --print plain) || { echo "clients-diff: no corpus tree" >&2; exit 77; }
moddir=$root/lib/modules/$("$SRCDIR/scripts/fetch-kernel.sh" --print-version)
clients=$("$HERE/fetch-clients.sh" --print-root) || { echo "clients-diff: FAIL: cannot get udevadm and dracut-install (scripts/install-deps.sh fetches them)" >&2; exit 1; }
udevadm=$clients/bin/udevadm
dracut_install=$clients/usr/lib/dracut/dracut-install
modules_load=/lib/systemd/systemd-modules-load
for p in "$udevadm" "$dracut_install" "$modules_load"; do
	[[ -x $p ]] || { echo "clients-diff: FAIL: $p is missing" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/clients-diff.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$HERE/in-fake-root.sh" --tree "$moddir" --work "$work/probe-ns" -- true || exit $?

# A sanitizer build of our libkmod.so.2 needs its runtime first in the link map of these
# programs, which were not built with it: on our side, preload the runtime ahead of everything.
preload_for() {
	local lib=$1 rt preload=''
	if [[ -n $lib ]]; then
		for rt in $(ldd "$lib" 2>/dev/null | awk '/lib(a|ub)san/ { print $3 }' | sort -u); do
			preload+="$rt:"
		done
	fi
	printf '%s\n' "$preload$fake_kernel"
}
# meson test puts the build tree's library directories (ours among them) in LD_LIBRARY_PATH,
# which would hand our library to the reference side too: each side gets its library from the
# fake root alone (ours is bind-mounted over the system's, its libmod.so.1 beside it).
unset LD_LIBRARY_PATH
# The host programs are not ours to leak-check; our library's leaks show in kmod-query's run.
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1

# Modaliases for udev: every Nth pattern of modules.alias made concrete ('*' matches nothing,
# '?' a '0', a bracket class its first member), the same scheme as kmod-query.
python3 - "$moddir/modules.alias" "$MODALIAS_EVERY" >"$work/modaliases" <<'PY'
import fnmatch, re, sys
pats = [l.split()[1] for l in open(sys.argv[1]) if l.startswith('alias ')]
for p in pats[::int(sys.argv[2])]:
    s = re.sub(r'\[!?\]?[^]]*\]', lambda m: next(c for c in map(chr, range(33, 127)) if fnmatch.fnmatchcase(c, m.group(0))), p)
    s = s.replace('*', '').replace('?', '0')
    if fnmatch.fnmatchcase(s, p):
        print(s)
PY

# One check: run CMD in the fake root, keep its streams and the kernel log.
# run_check SIDE LIB NAME CMD...
run_check() {
	local side=$1 lib=$2 name=$3 dir
	shift 3
	dir=$work/$side/$name
	mkdir -p "$dir"
	"$HERE/in-fake-root.sh" --tree "$moddir" --work "$dir/ns" --sysfs empty \
		--config "$HERE/clients/modprobe.d" ${lib:+--lib "$lib"} \
		--preload "$(preload_for "$lib")" --kernel-log "$dir/kernel.log" -- \
		env -u KMOD_LOG SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_COLOR=0 SYSTEMD_LOG_TARGET=console \
		"$@" >"$dir/stdout" 2>"$dir/stderr"
	echo $? >"$dir/status"
	touch "$dir/kernel.log"
}

# dracut-install into a fresh destination; the file list is part of the answer.
# run_dracut SIDE LIB NAME ARGS...
run_dracut() {
	local side=$1 lib=$2 name=$3 dest=$work/$1/$3/dest
	shift 3
	mkdir -p "$dest"
	run_check "$side" "$lib" "$name" nice "$dracut_install" -D "$dest" --debug \
		--kerneldir "/lib/modules/$(uname -r)" --firmwaredirs /nonexistent "$@"
	(cd "$dest" && find . | LC_ALL=C sort) >"$work/$side/$name/files"
}

run_side() {
	local side=$1 lib=$2 start=$EPOCHREALTIME aliases
	run_check "$side" "$lib" modules-load "$modules_load" "$HERE/clients/modules-load.conf"
	# Batches keep each udevadm command line reasonable; the kernel state carries over within
	# a batch only (each run starts with an empty /sys/module).
	split -l 100 -d "$work/modaliases" "$work/$side-batch."
	for batch in "$work/$side"-batch.*; do
		aliases=$(tr '\n' ' ' <"$batch")
		run_check "$side" "$lib" "udev-${batch##*.}" "$udevadm" test-builtin \
			"kmod load compat-net no-such-alias $aliases" /sys/devices/virtual/mem/null
	done
	run_dracut "$side" "$lib" dracut-named -m e1000e snd-hda-intel dummy ext4 nouveau btusb \
		cifs i915 compat-net
	run_dracut "$side" "$lib" dracut-optional -o -m no-such-module unix e1000e
	run_dracut "$side" "$lib" dracut-dir -m =drivers/net/ethernet/intel =fs/nfs
	# 90kernel-modules: block drivers found by the symbols they use.
	run_dracut "$side" "$lib" dracut-blockfuncs -o -s 'ahci_platform_get_resources|ata_scsi_ioctl|scsi_add_host|blk_cleanup_queue|register_mtd_blktrans|scsi_esp_register|register_virtio_device|usb_stor_disconnect|mmc_add_host|sdhci_add_host|scsi_add_host_with_dma|blk_mq_alloc_disk|blk_mq_alloc_request|blk_mq_destroy_queue|blk_cleanup_disk' -m =drivers
	# 50drm: -s and -S together, as dracut calls it.
	run_dracut "$side" "$lib" dracut-drm --silent -s 'drm_crtc_init|drm_dev_register|drm_encoder_init' -S 'iw_handler_get_spy' -m =drivers/gpu
	# Anchored: matches only if the symbol getter sees the name (first) or the bind byte before
	# it (second); kmod 30's entry layout makes the second one match.
	run_dracut "$side" "$lib" dracut-nosymbol-name -S '^usb_' -m =drivers/net/usb =drivers/hid
	run_dracut "$side" "$lib" dracut-nosymbol-bind -S '^Uusb_' -m =drivers/net/usb =drivers/hid
	# 90kernel-modules' fs walk, and name and path filters.
	run_dracut "$side" "$lib" dracut-nopath -o -P '.*/(kernel/fs/nfs|kernel/fs/nfsd|kernel/fs/lockd)/.*' -m =fs
	# (-p on a =directory walk skips the directory itself in dracut 059, whatever the library:
	# so named modules.)
	run_dracut "$side" "$lib" dracut-path-noname -o -p '/pci/hda/' -N '^snd_hda_codec_(hdmi|realtek)' \
		-m snd-hda-intel snd-hda-codec-hdmi snd-hda-codec-realtek snd-hda-codec-generic dummy
	printf 'clients-diff: %s side: %.1f s\n' "$side" "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
}

# One report per side: "check NAME STREAM" headers, the stream's lines indented below.
report() {
	local side=$1 dir name
	for dir in "$work/$side"/*/; do
		name=$(basename "$dir")
		echo "check $name status $(cat "$dir/status")"
		for s in stdout stderr kernel.log files; do
			[[ -f $dir/$s ]] || continue
			echo "check $name $s"
			# The destination and work paths differ per side; nothing else may. dracut-install's
			# "... ret = 0" lines say nothing the file list does not, and no module: without
			# them, a difference in the module set is attributable line by line.
			sed -e "s|$work/$side/|WORK/|g" -e '/^dracut-install: \(cp\|dracut_install\) ret = 0$/d' \
				-e 's/^/  /' "$dir/$s"
		done
	done
}

status=0
if ((reference_only)); then
	# The second side takes the "ours" path (a bind mount over the system library) with a copy
	# of Debian's: the replacement mechanics are exercised and the answers must not move.
	cp "$(realpath /usr/lib/x86_64-linux-gnu/libkmod.so.2)" "$work/libkmod-copy.so"
	run_side reference '' && run_side copy "$work/libkmod-copy.so" || exit 1
	report reference >"$work/reference.txt"
	report copy >"$work/copy.txt"
	"$HERE/compare-reports.py" --label 'clients: debian vs a bind-mounted copy of debian' \
		"$work/reference.txt" "$work/copy.txt" || status=1
else
	run_side reference '' && run_side ours "$compat" || exit 1
	report reference >"$work/reference.txt"
	report ours >"$work/ours.txt"
	"$HERE/compare-reports.py" --allowed "$HERE/clients-differences.txt" \
		--label 'clients: debian vs ours' "$work/reference.txt" "$work/ours.txt" || status=1
fi
# A harness that loads nothing proves nothing: the reference must have loaded modules.
loads=$(cat "$work"/reference/*/kernel.log | wc -l)
echo "clients-diff: the reference side made $loads module syscalls"
((loads > 0)) || { echo "clients-diff: FAIL: no module was loaded on the reference side" >&2; status=1; }
if [[ -n ${LIBMOD_COMPAT_KEEP:-} ]]; then
	mkdir -p "$LIBMOD_COMPAT_KEEP"
	cp "$work"/*.txt "$LIBMOD_COMPAT_KEEP"/
	echo "clients-diff: reports kept in $LIBMOD_COMPAT_KEEP"
fi
exit $status
