#!/bin/bash
# in-fake-root.sh: run one command in a private mount namespace that looks, to libkmod and its
# clients, like a machine booted into the corpus kernel:
#   /lib/modules/$(uname -r)          the corpus tree (bind mount; /usr/lib is an overlay so the
#                                     directory can exist without touching the host)
#   /etc/modprobe.d                   the given configuration directory (others emptied)
#   /sys/module                       a tmpfs: empty, or the fixed states kmod-query reports on
#   /proc/cmdline                     a fixed kernel command line
#   /usr/lib/x86_64-linux-gnu/libkmod.so.2   with --lib: that file instead of Debian's
# Nothing is visible outside the namespace; the host keeps its own files.
#
# Usage: in-fake-root.sh --tree MODDIR --work DIR [--lib FILE] [--config DIR]
#                        [--sysfs empty|states] [--preload SO] [--kernel-log FILE] -- CMD...
#   --preload SO       LD_PRELOAD SO into CMD (tests/compat/fake-kernel.so) with
#                      FAKE_KERNEL_SYSFS=/sys/module and FAKE_KERNEL_LOG=--kernel-log
# Exit: CMD's status; 77 when mount namespaces are not available (not root, no unshare).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYSTEM_LIBKMOD=/usr/lib/x86_64-linux-gnu/libkmod.so.2

tree='' work='' lib='' config='' sysfs=empty preload='' klog='' inside=0
while (($#)); do
	case $1 in
	--tree) tree=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--lib) lib=$2; shift 2 ;;
	--config) config=$2; shift 2 ;;
	--sysfs) sysfs=$2; shift 2 ;;
	--preload) preload=$2; shift 2 ;;
	--kernel-log) klog=$2; shift 2 ;;
	--inside) inside=1; shift ;;
	--) shift; break ;;
	*) echo "in-fake-root: unknown option $1" >&2; exit 2 ;;
	esac
done
[[ -n $tree && -n $work && $# -gt 0 ]] || { echo "in-fake-root: --tree, --work and a command are required" >&2; exit 2; }

if ((!inside)); then
	if ((EUID != 0)) || ! unshare -m true 2>/dev/null; then
		echo "in-fake-root: no private mount namespace here (needs root and unshare -m)" >&2
		exit 77
	fi
	mkdir -p "$work"
	args=(--tree "$tree" --work "$work" --sysfs "$sysfs")
	[[ -n $lib ]] && args+=(--lib "$lib")
	[[ -n $config ]] && args+=(--config "$config")
	[[ -n $preload ]] && args+=(--preload "$preload")
	[[ -n $klog ]] && args+=(--kernel-log "$klog")
	exec unshare -m --propagation private -- "${BASH_SOURCE[0]}" --inside "${args[@]}" -- "$@"
fi

# ---- inside the namespace ----
ns=$work/ns
mkdir -p "$ns"
mount -t tmpfs -o mode=0755 libmod-compat "$ns"
mkdir -p "$ns/upper" "$ns/work" "$ns/empty" "$ns/sysfs"

# /usr/lib/modules does not exist on this host (nor may we create it): an overlay makes room.
mount -t overlay -o "lowerdir=/usr/lib,upperdir=$ns/upper,workdir=$ns/work" libmod-compat /usr/lib
release=$(uname -r)
mkdir -p "/usr/lib/modules/$release"
mount --bind "$tree" "/usr/lib/modules/$release"

# Only the test's configuration: kmod 30 reads these four directories by default.
for d in /etc/modprobe.d /run/modprobe.d /usr/local/lib/modprobe.d /usr/lib/modprobe.d; do
	[[ -d $d ]] && mount --bind "$ns/empty" "$d"
done
[[ -n $config ]] && mount --bind "$config" /etc/modprobe.d

# The kernel command line both libraries parse (modprobe.blacklist=, <module>.<option>=).
printf '%s\n' "quiet dummy.cmdline_opt=1 snd-hda-intel.index=1 e1000e.debug=2 modprobe.blacklist=btusb,floppy nousb" >"$ns/cmdline"
mount --bind "$ns/cmdline" /proc/cmdline

# /sys/module: the host's shows the host kernel's modules; the test's must not.
mount -t tmpfs -o mode=0755 libmod-compat-sysfs /sys/module
if [[ $sysfs == states ]]; then
	# One module in each state kmod reads, with what refcnt/size/holders/sections read.
	state() { mkdir -p "/sys/module/$1"; [[ -z $2 ]] || printf '%s\n' "$2" >"/sys/module/$1/initstate"; }
	state dummy live
	printf '2\n' >/sys/module/dummy/refcnt
	printf '12288\n' >/sys/module/dummy/coresize
	mkdir -p /sys/module/dummy/holders/floppy /sys/module/dummy/holders/e1000e /sys/module/dummy/sections
	printf '0xffffffffc0a00000\n' >/sys/module/dummy/sections/.text
	printf '0xffffffffc0a04000\n' >/sys/module/dummy/sections/.data
	printf '0xffffffffc0a02000\n' >/sys/module/dummy/sections/.rodata
	state snd_pcm live
	printf '0\n' >/sys/module/snd_pcm/refcnt
	state floppy coming
	state pcspkr going
	state e1000e '' # a directory without initstate: kmod calls that "coming"
	state unix ''   # a builtin: builtin wins over whatever /sys says
	state btusb bogus
fi

if [[ -n $lib ]]; then
	# What installing it would also do: the libraries it needs from outside the system (libmod.so.1
	# from the build tree, found through its $ORIGIN runpath) go beside it, in the overlay.
	for dep in $(ldd "$lib" | awk '$2 == "=>" && $3 ~ /^\// && $3 !~ /^\/(usr\/)?lib/ { print $3 }'); do
		cp "$dep" "$(dirname "$SYSTEM_LIBKMOD")/"
	done
	mount --bind "$lib" "$SYSTEM_LIBKMOD"
	# Proves the replacement is in place: the dynamic linker will map exactly these bytes.
	cmp -s "$lib" "$SYSTEM_LIBKMOD" || { echo "in-fake-root: bind over $SYSTEM_LIBKMOD failed" >&2; exit 1; }
fi

if [[ -n $preload ]]; then
	export LD_PRELOAD=$preload FAKE_KERNEL_SYSFS=/sys/module
	[[ -n $klog ]] && export FAKE_KERNEL_LOG=$klog
fi
exec "$@"
