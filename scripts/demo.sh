#!/bin/bash
# demo.sh: the README's first command. Installs the dependencies, builds libmod (release), runs our
# depmod and modinfo on the real Debian kernel's module tree (4023 modules) next to kmod's, and
# then boots the VM demo (tests/vm/demo.sh).
# Environment: LIBMOD_DEMO_BUILD (default build-demo), LIBMOD_DEMO_DIR (scratch tree, default
# /var/tmp/libmod-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${LIBMOD_DEMO_BUILD:-build-demo}
scratch=${LIBMOD_DEMO_DIR:-/var/tmp/libmod-demo}

step() { printf '\n== %s\n' "$*"; }
# Each step is named before it starts. The long ones show progress of their own: ninja's
# counter, fetch-kernel.sh's download line with apt's progress bar, make-trees.sh's build steps,
# the VM's booting line.
start=$(date +%s)

step "dependencies"
scripts/install-deps.sh

step "build ($build, release)"
[[ -f $build/build.ninja ]] || meson setup "$build" --buildtype=release -Dtests=false >/dev/null
ninja -C "$build"

step "real module tree"
# fetch-kernel.sh (through make-trees.sh) says what it downloads, with apt's progress, and
# make-trees.sh what it builds; only the plain tree is needed here.
plain=$(scripts/make-trees.sh --print plain)
ver=$(scripts/fetch-kernel.sh --print-version)
echo "kernel $ver: $(find "$plain/lib/modules/$ver/kernel" -name '*.ko' | wc -l) modules in $plain"

# A scratch copy for our depmod: the modules are hard links (depmod only reads them), the
# kbuild files are copied, and the indexes are written fresh.
rm -rf "$scratch"
mkdir -p "$scratch/lib/modules/$ver"
cp -al "$plain/lib/modules/$ver/kernel" "$scratch/lib/modules/$ver/"
cp "$plain/lib/modules/$ver"/modules.{order,builtin,builtin.modinfo} "$scratch/lib/modules/$ver/"

depmod_bin=$build/tools/depmod/depmod
modinfo_bin=$build/tools/modinfo/modinfo
step "our depmod -b $scratch $ver"
/usr/bin/time -f '  %es, peak RSS %M KiB' "$depmod_bin" -b "$scratch" "$ver"
echo "kmod's depmod on the same tree for comparison:"
rm -rf "$scratch.kmod"
mkdir -p "$scratch.kmod/lib/modules/$ver"
cp -al "$plain/lib/modules/$ver/kernel" "$scratch.kmod/lib/modules/$ver/"
cp "$plain/lib/modules/$ver"/modules.{order,builtin,builtin.modinfo} "$scratch.kmod/lib/modules/$ver/"
/usr/bin/time -f '  %es, peak RSS %M KiB' /sbin/depmod -b "$scratch.kmod" "$ver"
# Text files must be byte-identical. Our binary tries are laid out in a different node order
# than kmod 30's, so .bin files are compared by content (every key, priority and value) with
# the independent dumper of the depmod differential test.
dumper=tests/diff/depmod-dumpindex.py
same=0 differ=0
for f in "$scratch.kmod/lib/modules/$ver"/modules.*; do
	b=${f##*/}
	o=$scratch/lib/modules/$ver/$b
	if cmp -s "$f" "$o"; then
		same=$((same + 1))
	elif [[ $b == *.bin && -f $dumper ]] &&
		cmp -s <(python3 "$dumper" "$f") <(python3 "$dumper" "$o"); then
		same=$((same + 1))
		echo "  $b: same entries as kmod's (different node layout)"
	else
		differ=$((differ + 1))
		echo "  differs from kmod: $b"
	fi
done
echo "  index files equal to kmod's: $same, different: $differ"
rm -rf "$scratch.kmod"

step "our modinfo -b $scratch -k $ver ext4"
"$modinfo_bin" -b "$scratch" -k "$ver" ext4
step "our modinfo on an xz-compressed module"
# The one module shown is compressed here the way kbuild does it (scripts/make-trees.sh has the
# details), instead of compressing the whole tree for one call.
e1000e=$(find "$plain/lib/modules/$ver/kernel" -name e1000e.ko)
xz --check=crc32 --lzma2=dict=1MiB -T1 -c "$e1000e" >"$scratch/e1000e.ko.xz"
"$modinfo_bin" -F description "$scratch/e1000e.ko.xz"
step "our modinfo of all $(find "$plain/lib/modules/$ver/kernel" -name '*.ko' | wc -l) modules vs kmod's"
list=$(find "$plain/lib/modules/$ver/kernel" -name '*.ko' | LC_ALL=C sort)
# shellcheck disable=SC2086 # one path per word
/usr/bin/time -f '  ours: %es, peak RSS %M KiB' "$modinfo_bin" $list >"$scratch/ours.txt" || true
# shellcheck disable=SC2086
/usr/bin/time -f '  kmod: %es, peak RSS %M KiB' /sbin/modinfo $list >"$scratch/kmod.txt" || true
if cmp -s "$scratch/ours.txt" "$scratch/kmod.txt"; then
	echo "  outputs identical ($(wc -l <"$scratch/ours.txt") lines)"
else
	echo "  outputs differ: diff $scratch/kmod.txt $scratch/ours.txt"
fi

step "VM demo (real kernel $ver under QEMU)"
tests/vm/demo.sh
echo "demo done in $(($(date +%s) - start)) s"
