#!/bin/bash
# depmod-behaviour.sh: our depmod against kmod 30's (/sbin/depmod) on small trees of real corpus
# modules, for the behaviour the whole-corpus diff (depmod-diff.sh) never reaches: depmod.d
# (search, override, external, exclude, -C), -b through a symlinked lib, duplicate names,
# compressed copies, dangling symlinks, -E/-F with -e, -n -A -P -v -w, module-path positionals,
# options after the version, kmod 30's deprecated spellings, modules.order damage and a
# dependency cycle (made by renaming undefined symbols in copies of two real modules).
#
# Each case builds one tree, copies it twice (hard links; outputs are written by rename, so the
# shared module files are never modified), runs kmod 30 on one copy and ours on the other with
# the same arguments ("@R@" stands for the copy's root) and compares: exit code, stdout and
# stderr (each copy's root replaced by ROOT), every text output byte for byte and every .bin
# index by content (depmod-dumpindex.py). modules.weakdep is ours only (kmod >= 33 writes it).
# Where kmod 30 and the newest reference differ, the case asserts the newest behaviour instead
# and says so.
# Usage: depmod-behaviour.sh <our depmod>
set -uo pipefail
ours=$(realpath "$1")
kmod=${KMOD_DEPMOD:-/sbin/depmod}
src=$(cd "$(dirname "$0")/../.." && pwd)
dump=$src/tests/diff/depmod-dumpindex.py
# Each skip names its own cause: kmod's depmod missing and the corpus missing are different fixes.
[[ -x $kmod ]] || { echo "SKIP: no kmod depmod at $kmod (package kmod)"; exit 77; }
ver=$("$src/scripts/make-trees.sh" --print-version) ||
	{ echo "SKIP: no corpus kernel (scripts/make-trees.sh failed, see above)"; exit 77; }
corpus=$("$src/scripts/make-trees.sh" --print plain)/lib/modules/$ver
[[ -d $corpus ]] ||
	{ echo "SKIP: no corpus tree $corpus (scripts/make-trees.sh failed, see above)"; exit 77; }
tmp=$(mktemp -d /var/tmp/depmod-behaviour.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
npass=0 nfail=0
MD=lib/modules/$ver

fail() { echo "FAIL: $case: $*"; bad=1; }

# The base tree: 13 real modules with dependencies, aliases, softdeps and devnames.
BASE_MODS=(fs/ext4/ext4 lib/crc16 fs/mbcache fs/jbd2/jbd2 drivers/net/dummy fs/fuse/fuse
	drivers/block/loop drivers/net/tun net/netfilter/nf_conntrack
	net/ipv4/netfilter/nf_defrag_ipv4 net/ipv6/netfilter/nf_defrag_ipv6 lib/libcrc32c
	crypto/crc32c_generic)
# mkbase DIR [moddir]: DIR/<moddir>/<ver> with the base modules, modules.order and builtin files
mkbase() {
	local m=$1/${2:-$MD} p
	mkdir -p "$m"
	for p in "${BASE_MODS[@]}"; do
		mkdir -p "$m/kernel/${p%/*}"
		ln "$corpus/kernel/$p.ko" "$m/kernel/$p.ko" 2>/dev/null ||
			cp "$corpus/kernel/$p.ko" "$m/kernel/$p.ko"
		echo "kernel/$p.ko"
	done > "$tmp/list"
	grep -Fxf "$tmp/list" "$corpus/modules.order" > "$m/modules.order"
	cp "$corpus/modules.builtin" "$corpus/modules.builtin.modinfo" "$m/"
}
# put SRC DEST: a module file into the tree (a hard link)
put() { mkdir -p "${2%/*}" && ln "$1" "$2"; }

# newcase NAME: a fresh tree in $T (root) / $M (module dir) to shape before `both`
newcase() {
	case=$1
	T=$tmp/$case/t
	M=$T/$MD
	mkdir -p "$tmp/$case"
	mkbase "$T"
}

# norm ROOT: replace the copy's root so both sides compare
# (and getopt's messages name the program by its path)
norm() { sed "s|$1|ROOT|g; s|^$kmod: |depmod: |; s|^$ours: |depmod: |"; }

# run SIDE EXE ARGS...: copy $T to $tmp/$case/SIDE, run EXE there with @R@ replaced
run() {
	local side=$1 exe=$2 r=$tmp/$case/$1 a args=()
	shift 2
	cp -al "$T" "$r"
	# config files naming @R@ get the copy's root (sed -i breaks the hard link: fine)
	grep -rlF --include='*.conf' @R@ "$r" 2>/dev/null | xargs -r sed -i "s|@R@|$r|g"
	for a in "$@"; do args+=("${a//@R@/$r}"); done
	(cd "$r" && exec "$exe" "${args[@]}") > "$r.out" 2> "$r.err"
	echo $? > "$r.rc"
}

# both ARGS...: run kmod and ours on copies of $T and compare everything.
# Knobs (reset after each call): SKIP_STDERR=1, OUTDIR=<module dir of the outputs, relative>,
# FILTER_OURS_STDOUT=<command> applied to our stdout before comparing.
both() {
	local k=$tmp/$case/k o=$tmp/$case/o f od=${OUTDIR:-$MD}
	bad=0
	run k "$kmod" "$@"
	run o "$ours" "$@"
	[[ $(< "$k.rc") == $(< "$o.rc") ]] || fail "exit code kmod $(< "$k.rc"), ours $(< "$o.rc")"
	cmp -s <(norm "$k" < "$k.out") <(norm "$o" < "$o.out" | ${FILTER_OURS_STDOUT:-cat}) ||
		fail "stdout differs: $(diff <(norm "$k" < "$k.out") \
			<(norm "$o" < "$o.out" | ${FILTER_OURS_STDOUT:-cat}) | head -5)"
	if [[ -z ${SKIP_STDERR:-} ]]; then
		cmp -s <(norm "$k" < "$k.err") <(norm "$o" < "$o.err") ||
			fail "stderr differs: $(diff <(norm "$k" < "$k.err") \
				<(norm "$o" < "$o.err") | head -6)"
	fi
	# ours adds its per-module cache (modules.libmod-cache), which kmod has no counterpart of
	cmp -s <(cd "$k/$od" 2>/dev/null && ls -a | grep '^modules\.' | grep -v weakdep) \
		<(cd "$o/$od" 2>/dev/null && ls -a | grep '^modules\.' |
			grep -v -e weakdep -e '^modules\.libmod-cache$') ||
		fail "output file sets differ"
	for f in "$k/$od"/modules.*; do
		[[ -e $f ]] || continue
		f=${f##*/}
		case $f in
		*.bin)
			cmp -s <(python3 "$dump" "$k/$od/$f" | norm "$k") \
				<(python3 "$dump" "$o/$od/$f" | norm "$o") || fail "$f content differs"
			;;
		*)
			cmp -s <(norm "$k" < "$k/$od/$f") <(norm "$o" < "$o/$od/$f") ||
				fail "$f differs: $(diff <(norm "$k" < "$k/$od/$f") \
					<(norm "$o" < "$o/$od/$f") | head -4)"
			;;
		esac
	done
	unset SKIP_STDERR OUTDIR FILTER_OURS_STDOUT
}

# done_case: count the case (after both and any extra checks)
done_case() {
	if [[ $bad == 0 ]]; then
		npass=$((npass + 1))
		echo "ok: $case"
	else
		nfail=$((nfail + 1))
	fi
	rm -rf "${tmp:?}/$case"
}
K() { echo "$tmp/$case/k"; }
O() { echo "$tmp/$case/o"; }

# ------------------------------------------------------------------------------------------
# 0. the base tree, plain, with -b and the version positional
newcase base
both -b @R@ "$ver"
done_case

# 1. depmod.d search / override / external / exclude, -C file and dir.
# crc16 (ext4 needs it) sits in kernel/, updates/ and extra/: the chosen path shows in ext4's line.
search_case() { # name conf-text...
	newcase "$1"
	shift
	put "$M/kernel/lib/crc16.ko" "$M/updates/crc16.ko"
	put "$M/kernel/lib/crc16.ko" "$M/extra/crc16.ko"
	mkdir -p "$T/conf"
	local i=0 c
	for c in "$@"; do
		i=$((i + 1))
		printf '%b' "$c" > "$T/conf/$i-test.conf"
	done
}
search_case search-updates-extra 'search updates extra built-in\n'
both -b @R@ -C @R@/conf "$ver"
grep -q '^updates/crc16.ko:' "$(O)/$MD/modules.dep" || fail "updates/crc16.ko did not win"
done_case
search_case search-extra-first 'search extra updates built-in\n'
both -b @R@ -C @R@/conf "$ver"
grep -q '^extra/crc16.ko:' "$(O)/$MD/modules.dep" || fail "extra/crc16.ko did not win"
done_case
search_case search-builtin-first 'search built-in updates extra\n'
both -b @R@ -C @R@/conf "$ver"
grep -q '^kernel/lib/crc16.ko:' "$(O)/$MD/modules.dep" || fail "kernel/ did not win"
done_case
search_case search-none '# no search line\nexclude nothing-here\n'
both -b @R@ -C @R@/conf "$ver"
grep -q '^updates/crc16.ko:' "$(O)/$MD/modules.dep" || fail "updates/ did not win by default"
done_case
search_case search-two-files 'search extra\n' 'search updates built-in\n'
both -b @R@ -C @R@/conf "$ver"
grep -q '^extra/crc16.ko:' "$(O)/$MD/modules.dep" || fail "the first file's search did not win"
done_case
search_case search-conf-file 'search extra built-in updates\n'
both -b @R@ -C @R@/conf/1-test.conf "$ver"
done_case
search_case search-two-C 'search built-in\n' 'search extra\n'
both -b @R@ -C @R@/conf/2-test.conf -C @R@/conf/1-test.conf "$ver"
done_case
search_case search-bad-lines 'search updates built-in\nfrobnicate x\n  \n#c\ninclude /x\nmake_map_files\n'
both -b @R@ -C @R@/conf "$ver"
done_case
search_case override 'search updates built-in\noverride crc16 * extra\n'
both -b @R@ -C @R@/conf "$ver"
grep -q '^extra/crc16.ko:' "$(O)/$MD/modules.dep" || fail "override to extra/ did not win"
done_case
search_case override-kver 'search updates built-in\noverride crc16 6\\.1 extra\noverride dummy ^5\\. extra\n'
put "$M/kernel/drivers/net/dummy.ko" "$M/extra/dummy.ko"
both -b @R@ -C @R@/conf "$ver"
done_case
search_case override-nomatch 'search updates built-in\noverride crc16 ^5\\. extra\n'
both -b @R@ -C @R@/conf "$ver"
grep -q '^updates/crc16.ko:' "$(O)/$MD/modules.dep" || fail "a non-matching override applied"
done_case
search_case external 'search external updates built-in\nexternal * @R@/ext\nexternal * @R@/missing\n'
mkdir -p "$T/ext/sub"
put "$M/kernel/lib/crc16.ko" "$T/ext/crc16.ko"
mv "$M/kernel/drivers/net/tun.ko" "$T/ext/sub/tun.ko"
both -b @R@ -C @R@/conf "$ver"
grep -q "^$(O)/ext/crc16.ko:" "$(O)/$MD/modules.dep" || fail "external crc16 not absolute/won"
done_case
search_case external-two 'search updates external built-in\nexternal 6 @R@/ext1\nexternal * @R@/ext2\nexternal ^5 @R@/ext3\n'
mkdir -p "$T/ext1" "$T/ext2" "$T/ext3"
put "$M/kernel/lib/crc16.ko" "$T/ext2/crc16.ko"
put "$M/kernel/lib/crc16.ko" "$T/ext1/crc16.ko"
put "$M/kernel/drivers/net/dummy.ko" "$T/ext2/dummy.ko"
put "$M/kernel/drivers/net/dummy.ko" "$T/ext3/dummy.ko"
both -b @R@ -C @R@/conf "$ver"
done_case
search_case exclude 'search updates extra built-in\nexclude updates netfilter\n'
both -b @R@ -C @R@/conf "$ver"
grep -q '^extra/crc16.ko:' "$(O)/$MD/modules.dep" || fail "excluded updates/ still won"
grep -q nf_conntrack "$(O)/$MD/modules.dep" && fail "excluded netfilter/ still indexed"
done_case
# the default directories (no -C): nothing there on this machine, but both must agree
search_case default-dirs 'search extra\n'
both -b @R@ "$ver"
done_case

# 2. -b through a symlinked lib (initramfs-tools stages trees like that), absolute and relative
newcase basedir-symlink
rm -rf "$T/lib"
mkbase "$T" "usr/$MD"
ln -s usr/lib "$T/lib"
both -b @R@ "$ver"
done_case
newcase basedir-relative
both -b . "$ver"
done_case
newcase basedir-trailing-slash
both -b @R@/ "$ver"
done_case

# 3. duplicate names: same search dir, different dirs, compressed + uncompressed
newcase dup-same-dir
put "$M/kernel/lib/crc16.ko" "$M/kernel/misc/crc16.ko"
put "$M/kernel/drivers/net/dummy.ko" "$M/kernel/drivers/dummy.ko"
both -b @R@ "$ver"
done_case
newcase dup-updates-subdirs
put "$M/kernel/lib/crc16.ko" "$M/updates/a/crc16.ko"
put "$M/kernel/lib/crc16.ko" "$M/updates/b/crc16.ko"
put "$M/kernel/lib/crc16.ko" "$M/updates/c/d/crc16.ko"
both -b @R@ "$ver"
done_case
newcase dup-other-dirs
put "$M/kernel/lib/crc16.ko" "$M/extra/crc16.ko"
put "$M/kernel/lib/crc16.ko" "$M/weak-updates/crc16.ko"
both -b @R@ "$ver"
done_case
newcase dup-compressed
xz -k --check=crc32 -c "$M/kernel/lib/crc16.ko" > "$M/kernel/lib/crc16.ko.xz"
zstd -q -c "$M/kernel/drivers/net/dummy.ko" > "$M/kernel/drivers/net/dummy.ko.zst"
mkdir -p "$M/updates" && zstd -q -c "$M/kernel/fs/mbcache.ko" > "$M/updates/mbcache.ko.zst"
both -b @R@ "$ver"
done_case
newcase compressed-only
for f in fs/ext4/ext4 lib/crc16 fs/jbd2/jbd2; do
	xz --check=crc32 -c "$M/kernel/$f.ko" > "$M/kernel/$f.ko.xz" && rm "$M/kernel/$f.ko"
done
zstd -q --rm "$M/kernel/fs/mbcache.ko"
both -b @R@ "$ver"
done_case

# 4. a dangling symlink: kmod 30 says "ERROR: fstatat(...)", ours a WARNING by design
# (docs/DIFFERENCES.md); everything else must match and our message must name the path.
newcase dangling-symlink
ln -s /nonexistent/ghost.ko "$M/kernel/drivers/net/ghost.ko"
ln -s ../../lib/crc16.ko "$M/kernel/drivers/net/crc16-link.ko"
SKIP_STDERR=1 both -b @R@ "$ver"
grep -q "ERROR: fstatat" "$(K).err" || fail "kmod did not complain (test broken?)"
grep -q "^depmod: WARNING: .*$(O)/$MD/kernel/drivers/net.*ghost.ko" "$(O).err" ||
	fail "our warning does not name the path: $(cat "$(O).err")"
[[ $(grep -vc ghost.ko "$(O).err") == 0 ]] || fail "more on stderr than the warning"
done_case

# 5. -F System.map / -E Module.symvers with -e
newcase filesyms
rm "$M/kernel/fs/jbd2/jbd2.ko" # ext4 now needs unknown jbd2 symbols
cp "$corpus/../../../boot/System.map-$ver" "$T/System.map"
both -b @R@ -F @R@/System.map -e "$ver"
grep -q 'needs unknown symbol jbd2_' "$(O).err" || fail "no unknown-symbol warning"
done_case
newcase filesyms-no-e
cp "$corpus/../../../boot/System.map-$ver" "$T/System.map"
both -b @R@ -F @R@/System.map "$ver"
done_case
newcase errsyms-alone
both -b @R@ -e "$ver"
done_case
# Module.symvers: the vmlinux symbols our modules use, with the CRCs their __versions expect
# (exports of modules in the tree are left out: kmod reads only vmlinux lines); one CRC is
# changed on purpose and one symbol dropped.
newcase symvers
for f in $(find "$M" -name '*.ko'); do /sbin/modprobe --dump-modversions "$f"; done |
	sort -u -k2,2 > "$tmp/versions"
sed -n 's/^alias symbol:\([^ ]*\) .*/\1/p' "$corpus/modules.symbols" | sort -u > "$tmp/modsyms"
awk 'NR == FNR { own[$1] = 1; next } !($2 in own) {
	crc = $1
	if ($2 == "kmem_cache_alloc") crc = "0x12345678"
	if ($2 == "jiffies") next
	printf "%s\t%s\tvmlinux\tEXPORT_SYMBOL\t\n", crc, $2
}' "$tmp/modsyms" "$tmp/versions" > "$T/Module.symvers"
printf '0x00000001\tcrc16\tlib/crc16\tEXPORT_SYMBOL\t\n' >> "$T/Module.symvers"
both -b @R@ -E @R@/Module.symvers -e "$ver"
grep -q 'disagrees about version of symbol kmem_cache_alloc' "$(O).err" || fail "no CRC warning"
grep -q 'needs unknown symbol jiffies' "$(O).err" || fail "no unknown-symbol warning"
done_case
newcase symvers-and-filesyms
cp "$corpus/../../../boot/System.map-$ver" "$T/System.map"
grep -v jbd2 "$corpus/../../../boot/System.map-$ver" > "$T/System.map"
printf '0x00000001\tjiffies\tvmlinux\tEXPORT_SYMBOL\t\n' > "$T/Module.symvers"
both -b @R@ -E @R@/Module.symvers -F @R@/System.map -e "$ver"
done_case
newcase symvers-missing-file
both -b @R@ -E @R@/nonexistent -e "$ver"
done_case

# 6. options
# -n: stdout equal but for our modules.weakdep section (kmod 33+; empty here but the header)
drop_weakdep() { grep -v '^# Weak dependencies extracted from modules themselves\.$' | grep -v '^weakdep '; }
newcase dry-run
FILTER_OURS_STDOUT=drop_weakdep both -b @R@ -n "$ver"
grep -q '^# Weak dependencies' "$(O).out" || fail "our -n output lacks modules.weakdep"
done_case
newcase dry-run-long
FILTER_OURS_STDOUT=drop_weakdep both --dry-run --basedir=@R@ "$ver"
done_case
# -A: fresh (nothing rewritten), then a module newer than modules.dep (rewritten)
newcase quick
"$kmod" -b "$T" "$ver"
touch -d '-1 hour' "$M"/modules.*
both -A -b @R@ "$ver"
[[ $(find "$(O)/$MD" -name 'modules.dep' -newermt '-10 minutes') ]] && fail "-A rewrote a fresh index"
done_case
newcase quick-newer
"$kmod" -b "$T" "$ver"
touch -d '-1 hour' "$M"/modules.*
cp --remove-destination "$corpus/kernel/drivers/net/dummy.ko" "$M/kernel/drivers/net/dummy.ko"
both -A -b @R@ "$ver"
[[ $(find "$(O)/$MD" -name 'modules.dep' -newermt '-10 minutes') ]] || fail "-A did not rewrite"
done_case
newcase quick-no-dep
both -A -b @R@ "$ver"
done_case
newcase prefix
both -b @R@ -P _ "$ver"
done_case
newcase prefix-bad
both -b @R@ -P ab "$ver"
done_case
newcase verbose
both -b @R@ -v "$ver"
grep -q "^$(O)/$MD/kernel/fs/ext4/ext4.ko needs \"jbd2_" "$(O).out" || fail "no edge lines"
done_case
# -vv: the same edges; kmod's stderr then holds libkmod's own INFO lines (its source file names)
newcase verbose-2
SKIP_STDERR=1 both -b @R@ -vv "$ver"
done_case
newcase warn
both -b @R@ -w "$ver"
done_case
# explicit module paths (absolute; inside the tree they stay relative)
newcase module-paths
both -b @R@ "$ver" @R@/$MD/kernel/fs/ext4/ext4.ko @R@/$MD/kernel/lib/crc16.ko \
	@R@/$MD/kernel/fs/mbcache.ko @R@/$MD/kernel/fs/jbd2/jbd2.ko
done_case
newcase module-paths-relative
both -b @R@ "$ver" kernel/fs/ext4/ext4.ko
done_case
# options after the version, as dkms passes them
newcase opts-after-version
both "$ver" -b @R@
done_case
newcase opts-after-version-a
both -a "$ver" -b @R@ -F @R@/nonexistent
done_case
newcase bad-version
both -b @R@ notaversion
done_case
# kmod 30's deprecated spellings: -u -q -r --map (no-ops with a warning). kmod 30's -m is --map;
# ours is --moduledir (kmod 34), checked against the spec below instead.
newcase old-spellings
both -u -q -r --map -b @R@ "$ver"
done_case
newcase old-spellings-long
both --unresolved-error --quiet --root -b @R@ "$ver"
done_case
# -m DIR (kmod 34; a no-op in kmod 30): modules under @R@/DIR/<ver>, written there
newcase moduledir
mv "$T/lib" "$T/mods"
run o "$ours" -b @R@ -m /mods/modules "$ver"
bad=0
[[ $(< "$(O).rc") == 0 && -s $(O)/mods/modules/$ver/modules.dep ]] || fail "-m failed: $(cat "$(O).err")"
mkdir -p "$tmp/$case/kref/lib" && cp -al "$T/mods/modules" "$tmp/$case/kref/lib/"
"$kmod" -b "$tmp/$case/kref" "$ver"
cmp -s "$(O)/mods/modules/$ver/modules.dep" "$tmp/$case/kref/$MD/modules.dep" ||
	fail "-m output differs from kmod on the same tree at the default place"
done_case
# -o DIR (kmod 31): input read from -b, output under DIR; kmod 30 lacks it: compare with -b
newcase outdir
run o "$ours" -b @R@ -o @R@/out "$ver"
"$kmod" -b "$T" "$ver"
bad=0
for f in modules.dep modules.alias modules.softdep modules.devname modules.symbols; do
	cmp -s "$M/$f" "$(O)/out/$MD/$f" || fail "-o: $f differs"
done
[[ -e $(O)/$MD/modules.dep ]] && fail "-o also wrote into the input tree"
done_case
for opt in -V --version -h --help; do
	newcase "exit$opt"
	run k "$kmod" "$opt"
	run o "$ours" "$opt"
	bad=0
	[[ $(< "$(K).rc") == $(< "$(O).rc") ]] || fail "exit code kmod $(< "$(K).rc") ours $(< "$(O).rc")"
	[[ -s $(O).out ]] || fail "nothing printed"
	done_case
done
newcase bad-option
both --frobnicate -b @R@ "$ver"
done_case

# 7. modules.order
newcase order-missing-line
grep -v ext4 "$M/modules.order" > "$M/o" && mv "$M/o" "$M/modules.order"
both -b @R@ "$ver"
done_case
newcase order-several-missing
grep -v -e ext4 -e crc16 -e fuse -e loop "$M/modules.order" > "$M/o" && mv "$M/o" "$M/modules.order"
both -b @R@ "$ver"
done_case
newcase order-absent
rm "$M/modules.order"
both -b @R@ "$ver"
done_case
newcase order-no-newline
printf '%s' "$(cat "$M/modules.order")" > "$M/o" && mv "$M/o" "$M/modules.order"
both -b @R@ "$ver"
grep -q "corrupted line misses" "$(O).err" || fail "no corrupted-line error"
done_case
newcase order-extra-lines
{ echo kernel/not/there.ko; cat "$M/modules.order"; echo; echo kernel/lib/zzz.ko; } > "$M/o"
mv "$M/o" "$M/modules.order"
both -b @R@ "$ver"
done_case
# a duplicated line: kmod 30 ranks by the last occurrence, kmod 34 (the spec, ours) by the first.
# The reference side gets the file with later duplicates removed, which is the newest behaviour.
newcase order-duplicate
{ cat "$M/modules.order"; echo kernel/fs/fuse/fuse.ko; } > "$M/o"
{ echo kernel/drivers/net/tun.ko; cat "$M/o"; } > "$M/modules.order"
rm "$M/o"
run o "$ours" -b @R@ "$ver"
awk '!seen[$0]++' "$M/modules.order" > "$tmp/order" && cp --remove-destination "$tmp/order" "$M/modules.order"
run k "$kmod" -b @R@ "$ver"
bad=0
cmp -s "$(K)/$MD/modules.dep" "$(O)/$MD/modules.dep" || fail "modules.dep differs from the first-occurrence ranking"
[[ $(head -1 "$(O)/$MD/modules.dep") == kernel/drivers/net/tun.ko:* ]] || fail "tun not first"
done_case

# 8. a dependency cycle: mbcache is made to need jbd2_journal_stop and jbd2 mb_cache_destroy
# (same-length names swapped in the copies' .strtab), so mbcache -> jbd2 -> mbcache.
patch_sym() { # file old new
	python3 - "$@" <<-'EOF'
	import struct, sys
	path, old, new = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
	data = bytearray(open(path, 'rb').read())
	shoff, = struct.unpack_from('<Q', data, 0x28)
	shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
	def sh(i):
	    return struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize)
	names = sh(shstrndx)
	for i in range(shnum):
	    s = sh(i)
	    nm = data[names[4] + s[0]:data.index(b'\0', names[4] + s[0])]
	    if nm == b'.strtab':
	        seg = bytes(data[s[4]:s[4] + s[5]])
	        pos = seg.index(b'\0' + old + b'\0') + 1
	        data[s[4] + pos:s[4] + pos + len(old)] = new
	open(path, 'wb').write(data)
	EOF
}
newcase cycle
for f in fs/mbcache fs/jbd2/jbd2; do
	rm "$M/kernel/$f.ko" && cp "$corpus/kernel/$f.ko" "$M/kernel/$f.ko"
done
patch_sym "$M/kernel/fs/mbcache.ko" kmem_cache_create jbd2_journal_stop
patch_sym "$M/kernel/fs/jbd2/jbd2.ko" proc_create_data mb_cache_destroy
both -b @R@ "$ver"
grep -qx 'depmod: ERROR: Cycle detected: \(mbcache -> jbd2 -> mbcache\|jbd2 -> mbcache -> jbd2\)' "$(O).err" ||
	fail "cycle message: $(cat "$(O).err")"
grep -qx 'depmod: ERROR: Found 2 modules in dependency cycles!' "$(O).err" || fail "no count line"
[[ $(< "$(O).rc") == 1 ]] || fail "exit code not 1"
compgen -G "$(O)/$MD/modules.*[a-z]" | grep -qv -e modules.order -e modules.builtin$ \
	-e modules.builtin.modinfo && fail "files written despite the cycle"
done_case
newcase cycle-dry-run
for f in fs/mbcache fs/jbd2/jbd2; do
	rm "$M/kernel/$f.ko" && cp "$corpus/kernel/$f.ko" "$M/kernel/$f.ko"
done
patch_sym "$M/kernel/fs/mbcache.ko" kmem_cache_create jbd2_journal_stop
patch_sym "$M/kernel/fs/jbd2/jbd2.ko" proc_create_data mb_cache_destroy
both -n -b @R@ "$ver"
done_case

# 8b. kmod's own cycle fixture (testsuite/module-playground/mod-loop-*.c), rebuilt here as tiny
# relocatable objects: each exports one symbol through __ksymtab_strings and needs others.
# a -> b -> c -> a (a and b also need the leaves f and g), d <-> e, h -> i -> j -> {h, k},
# k -> h: four elementary cycles over nine modules. kmod 30 finds them all here; we must print
# the same lines in the same order (no modules.order: the array is in hash order).
mkloop() { # dir name needs...
	local dir=$1 n=$2 s
	shift 2
	{
		for s in "$@"; do echo "void print$s(void);"; done
		echo "const char ks[] __attribute__((section(\"__ksymtab_strings\"), used)) = \"print${n^^}\";"
		echo "void print${n^^}(void) {}"
		echo "int init_module(void) {"
		for s in "$@"; do echo "print$s();"; done
		echo "return 0; }"
		echo "const char mi[] __attribute__((section(\".modinfo\"), used)) = \"license=GPL\";"
	} > "$tmp/mod-loop-$n.c"
	gcc -c -O0 -fno-pic -o "$dir/mod-loop-$n.ko" "$tmp/mod-loop-$n.c"
}
case=cycles-kmod-fixture
T=$tmp/$case/t
M=$T/lib/modules/4.4.4
mkdir -p "$M/kernel"
: > "$M/modules.order"
mkloop "$M/kernel" a B F G
mkloop "$M/kernel" b C F G
mkloop "$M/kernel" c A
mkloop "$M/kernel" d E
mkloop "$M/kernel" e D
mkloop "$M/kernel" f
mkloop "$M/kernel" g
mkloop "$M/kernel" h I
mkloop "$M/kernel" i J
mkloop "$M/kernel" j H K
mkloop "$M/kernel" k H
both -b @R@ 4.4.4
grep -c 'Cycle detected' "$(O).err" | grep -qx 4 || fail "not 4 cycles: $(cat "$(O).err")"
grep -qx 'depmod: ERROR: Found 9 modules in dependency cycles!' "$(O).err" || fail "count"
done_case

# 9. bytes >= 0x80 in names and values: a module file café.ko (UTF-8), a directory
# pilote-réseau/, an alias with a Latin-1 byte. kmod 30 indexes them (one such byte once made us
# write nothing at all); texts must be byte-identical, indexes equal by content.
newcase non-ascii
mkdir -p "$M/kernel/x" "$M/kernel/pilote-réseau"
put "$corpus/kernel/drivers/net/dummy.ko" "$M/kernel/x/café.ko"
rm "$M/kernel/drivers/net/tun.ko"
put "$corpus/kernel/drivers/net/tun.ko" "$M/kernel/pilote-réseau/tun.ko"
rm "$M/kernel/drivers/block/loop.ko"
python3 - "$corpus/kernel/drivers/block/loop.ko" "$M/kernel/drivers/block/loop.ko" <<-'EOF'
	import sys
	data = open(sys.argv[1], 'rb').read()
	old = b'alias=devname:loop-control'
	assert old in data
	open(sys.argv[2], 'wb').write(data.replace(old, b'alias=devname:l\xf6op-control'))
	EOF
{ cat "$M/modules.order"; echo 'kernel/x/café.ko'; } > "$M/o" && mv "$M/o" "$M/modules.order"
both -b @R@ "$ver"
[[ $(< "$(O).rc") == 0 ]] || fail "exit code $(< "$(O).rc")"
grep -q 'café' "$(O)/$MD/modules.dep" || fail "café.ko not indexed"
python3 "$dump" "$(O)/$MD/modules.alias.bin" | grep -q $'devname:l\xf6op_control' ||
	fail "Latin-1 alias not in modules.alias.bin"
done_case

echo "depmod-behaviour: $npass passed, $nfail failed"
[[ $nfail == 0 ]]
