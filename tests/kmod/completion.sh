#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# completion.sh SRCDIR: the bash completion, driven as readline would (COMP_WORDS/COMP_CWORD),
# on a fake tree: module names from the index of the tree the command line selects, loaded
# modules for removal, options, option arguments. zsh and fish are checked for syntax when
# those shells are installed.
set -u
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ver=9.9.9-test
mkdir -p "$tmp/lib/modules/$ver/kernel/fs"
printf '%s\n' 'kernel/fs/ext4/ext4.ko.xz: kernel/fs/mbcache.ko.xz kernel/fs/jbd2/jbd2.ko.xz' \
	'kernel/fs/mbcache.ko.xz:' 'kernel/fs/jbd2/jbd2.ko.xz:' 'kernel/drivers/net/dummy.ko:' \
	>"$tmp/lib/modules/$ver/modules.dep"

. "$src/shell-completion/bash/kmod"
compopt() { :; }
fails=0
# t EXPECTED LINE: complete the last word of LINE (a trailing space starts a new word).
t() {
	local want=$1 line=$2
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	"_libmod_${COMP_WORDS[0]}"
	if [[ "${COMPREPLY[*]}" != "$want" ]]; then
		echo "FAIL '$line': want '$want', got '${COMPREPLY[*]}'"
		fails=$((fails + 1))
	fi
}
t "ext4" "modprobe -d $tmp -S $ver ex"
t "jbd2" "modprobe --dirname=$tmp --set-version=$ver j"
t "dummy" "modinfo -b $tmp -k $ver du"
t "--show-depends" "modprobe --show-d"
t "--remove --remove-holders" "modprobe --remove"
t "$ver" "depmod -b $tmp "
t "$ver" "modprobe -d $tmp -S "
t "static-nodes" "kmod st"
t "tmpfiles" "kmod static-nodes --format t"
t "--json" "lsmod --j"
t "--force" "rmmod --fo"
t "--force --force-modversion --force-vermagic" "insmod --force"
if [[ -r /proc/modules ]]; then
	first=$(cut -d' ' -f1 /proc/modules | head -1)
	[[ -n $first ]] && t "$(cut -d' ' -f1 /proc/modules | grep "^$first")" "rmmod $first"
fi
if command -v zsh >/dev/null; then
	zsh -n "$src/shell-completion/zsh/_kmod" || fails=$((fails + 1))
fi
if command -v fish >/dev/null; then
	fish --no-execute "$src/shell-completion/fish/kmod.fish" || fails=$((fails + 1))
fi
echo "$fails failed"
[ $fails -eq 0 ]
