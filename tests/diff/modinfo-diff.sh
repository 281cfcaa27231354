#!/bin/bash
# modinfo-diff.sh: differential test of our modinfo against kmod's on the real corpus (4023
# modules of a Debian 6.1 kernel) in every tree built by scripts/make-trees.sh.
#
# Usage: modinfo-diff.sh [--self-test] <our-modinfo> [reference-modinfo (default /sbin/modinfo)]
#
# Each case runs each tool ONCE with every module as an argument, then compares stdout, stderr
# and the exit status byte for byte. Cases, per tree (plain, xz, zst, gz):
#   path        modinfo <paths>             path-firmware  modinfo -F firmware <paths>
#   path-depends modinfo -F depends <paths>  path-0         modinfo -0 <paths>
#   name        modinfo -b <root> -k <ver> <all module names, builtin names, sampled aliases,
#               one unknown name>   (plain, xz, zst, and gz-indexed for gz)
# kmod 30 here is built without zlib, so for the gz trees the reference is kmod on the plain tree
# with its paths mapped to the gz tree ("<plain>/x.ko" -> "<gz>/x.ko.gz") in stdout and stderr.
#
# On a difference it narrows down to the first differing modules (chunks of 64, then one module
# at a time) and prints a unified diff excerpt of each, then fails.
#
# --self-test: checks the checker: kmod against itself must pass, and kmod against a wrapper that
# alters one module's output must fail (on a 300-module subset of the plain tree).
#
# Environment: LIBMOD_DIFF_KINDS (default "plain xz zst gz"), LIBMOD_DIFF_LIMIT (only the first N
# modules, for quick runs). Exit 77 (skip) only if the corpus trees cannot be obtained.
set -uo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAKE_TREES=$SRCDIR/scripts/make-trees.sh
MAX_REPORTED=3

self_test=0
if [[ ${1:-} == --self-test ]]; then
	self_test=1
	shift
fi
if ((!self_test)) && (($# < 1)); then
	echo "usage: $0 [--self-test] <our-modinfo> [reference-modinfo]" >&2
	exit 2
fi
REF=${2:-/sbin/modinfo}
[[ -x $REF ]] || REF=$(command -v modinfo) || { echo "no reference modinfo" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/modinfo-diff.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Escape a string for use inside a sed regex / replacement with '#' as the delimiter.
re_escape() { printf '%s' "$1" | sed 's/[][\.*^$#/&+?(){}|]/\\&/g'; }
repl_escape() { printf '%s' "$1" | sed 's/[\&#]/\\&/g'; }

# Make NUL-separated output readable in a diff: each NUL becomes "^@" and a line break.
visible() { sed -z 's/$/^@/' "$1" | tr '\0' '\n'; }

suffix_of() {
	case $1 in
	plain) echo .ko ;;
	xz) echo .ko.xz ;;
	zst) echo .ko.zst ;;
	gz | gz-indexed) echo .ko.gz ;;
	esac
}

# run_tool <out-prefix> <sed-map-or-empty> <is-nul-mode> <tool> <args...>
# Runs the tool, saves stdout/stderr/rc; applies the path map to stdout and stderr if given.
run_tool() {
	local out=$1 map=$2 nul=$3
	shift 3
	"$@" >"$out.out" 2>"$out.err"
	echo $? >"$out.rc"
	if [[ -n $map ]]; then
		if ((nul)); then
			sed -z -E -i "$map" "$out.out"
		else
			sed -E -i "$map" "$out.out"
		fi
		sed -E -i "$map" "$out.err"
	fi
}

same() { cmp -s "$1.out" "$2.out" && cmp -s "$1.err" "$2.err" && cmp -s "$1.rc" "$2.rc"; }

show_diff() {
	local a=$1 b=$2 nul=$3
	if ((nul)); then
		diff -u --label "kmod" --label "ours" <(visible "$a.out") <(visible "$b.out") | head -n 40
	else
		diff -u --label "kmod" --label "ours" "$a.out" "$b.out" | head -n 40
	fi
	if ! cmp -s "$a.err" "$b.err"; then
		echo "  stderr differs:"
		diff -u --label "kmod stderr" --label "ours stderr" "$a.err" "$b.err" | head -n 12
	fi
	cmp -s "$a.rc" "$b.rc" || echo "  exit status: kmod $(cat "$a.rc"), ours $(cat "$b.rc")"
}

# compare_case <label> <map> <nul> <ours-opts-var> <ref-opts-var> <ours-items-var> <ref-items-var>
# (names of arrays). The item arrays are parallel: ours_items[i] and ref_items[i] name the same
# module; the options differ only in the root given with -b.
n_fail=0
n_pass=0
compare_case() {
	local label=$1 map=$2 nul=$3
	local -n _oopts=$4 _ropts=$5 _oitems=$6 _ritems=$7
	local d=$WORK/case
	rm -rf "$d"
	mkdir -p "$d"
	run_tool "$d/ref" "$map" "$nul" "$REF" "${_ropts[@]}" "${_ritems[@]}"
	run_tool "$d/ours" "" "$nul" "$OURS" "${_oopts[@]}" "${_oitems[@]}"
	if same "$d/ref" "$d/ours"; then
		local lines
		lines=$(tr '\0' '\n' <"$d/ref.out" | wc -l)
		printf 'PASS %-24s %5d items, %7d output lines, exit %s\n' "$label" "${#_oitems[@]}" \
			"$lines" "$(cat "$d/ref.rc")"
		n_pass=$((n_pass + 1))
		return 0
	fi
	printf 'FAIL %-24s %5d items: outputs differ (%s)\n' "$label" "${#_oitems[@]}" \
		"$(diff <(tr '\0' '\n' <"$d/ref.out") <(tr '\0' '\n' <"$d/ours.out") | grep -c '^[<>]') differing lines"
	n_fail=$((n_fail + 1))
	# Narrow down: first differing chunk of 64, then item by item inside it.
	local i j n=${#_oitems[@]} reported=0
	for ((i = 0; i < n && reported < MAX_REPORTED; i += 64)); do
		run_tool "$d/cref" "$map" "$nul" "$REF" "${_ropts[@]}" "${_ritems[@]:i:64}"
		run_tool "$d/cours" "" "$nul" "$OURS" "${_oopts[@]}" "${_oitems[@]:i:64}"
		same "$d/cref" "$d/cours" && continue
		for ((j = i; j < i + 64 && j < n && reported < MAX_REPORTED; j++)); do
			run_tool "$d/mref" "$map" "$nul" "$REF" "${_ropts[@]}" "${_ritems[j]}"
			run_tool "$d/mours" "" "$nul" "$OURS" "${_oopts[@]}" "${_oitems[j]}"
			same "$d/mref" "$d/mours" && continue
			echo "  --- $label: ${_oitems[j]} (args: ${_oopts[*]})"
			show_diff "$d/mref" "$d/mours" "$nul" | sed 's/^/  /'
			reported=$((reported + 1))
		done
		if ((reported == 0)); then
			echo "  --- $label: chunk at item $i differs only when run together:"
			show_diff "$d/cref" "$d/cours" "$nul" | sed 's/^/  /'
			reported=$MAX_REPORTED
		fi
	done
	if ((reported == 0)); then
		echo "  --- $label: no single chunk differs; whole-run diff:"
		show_diff "$d/ref" "$d/ours" "$nul" | sed 's/^/  /'
	fi
	return 1
}

tree_root() {
	local root
	root=$("$MAKE_TREES" --print "$1") || return 1
	printf '%s\n' "$root"
}

# Module list: relative paths without suffix, sorted, from the plain tree.
load_modules() {
	local moddir=$1
	mapfile -t RELS < <(cd "$moddir" && find kernel -name '*.ko' | sed 's/\.ko$//' | LC_ALL=C sort)
	if [[ -n ${LIBMOD_DIFF_LIMIT:-} ]]; then
		RELS=("${RELS[@]:0:LIBMOD_DIFF_LIMIT}")
	fi
	# Names for the by-name case: modules, builtins, every 40th alias of modules.alias, and an
	# unknown name (the error path).
	mapfile -t NAMES < <(
		printf '%s\n' "${RELS[@]}" | sed 's#.*/##; s/-/_/g'
		if [[ -z ${LIBMOD_DIFF_LIMIT:-} ]]; then
			sed 's#.*/##; s/\.ko$//; s/-/_/g' "$moddir/modules.builtin"
			awk '$1 == "alias" && NR % 40 == 2 { print $2 }' "$moddir/modules.alias"
		fi
		echo no_such_module_libmod
	)
}

run_kind() {
	local kind=$1 ref_kind=$1 oroot rroot map="" nul
	oroot=$(tree_root "$kind") || return 2
	case $kind in gz) ref_kind=plain ;; esac
	rroot=$(tree_root "$ref_kind") || return 2
	local omod=$oroot/lib/modules/$VER rmod=$rroot/lib/modules/$VER
	local osuf rsuf
	osuf=$(suffix_of "$kind")
	rsuf=$(suffix_of "$ref_kind")
	if [[ $kind != "$ref_kind" ]]; then
		map="s#$(re_escape "$rmod")/([^[:space:]:]*)$(re_escape "$rsuf")([[:space:]:']|\$)#$(repl_escape "$omod")/\\1$(repl_escape "$osuf")\\2#g"
	fi
	local -a oitems=() ritems=() rel
	for rel in "${RELS[@]}"; do
		oitems+=("$omod/$rel$osuf")
		ritems+=("$rmod/$rel$rsuf")
	done
	local -a o_none=() o_fw=(-F firmware) o_dep=(-F depends) o_nul=(-0)
	local rc=0
	compare_case "$kind/path" "$map" 0 o_none o_none oitems ritems || rc=1
	compare_case "$kind/path-firmware" "$map" 0 o_fw o_fw oitems ritems || rc=1
	compare_case "$kind/path-depends" "$map" 0 o_dep o_dep oitems ritems || rc=1
	compare_case "$kind/path-0" "$map" 1 o_nul o_nul oitems ritems || rc=1

	# By name: gz needs indexes, which only gz-indexed has.
	local nkind=$kind
	[[ $kind == gz ]] && nkind=gz-indexed
	local nroot
	nroot=$(tree_root "$nkind") || return 2
	local nmod=$nroot/lib/modules/$VER nmap=""
	if [[ $nkind != "$ref_kind" ]]; then
		nmap="s#$(re_escape "$rmod")/([^[:space:]:]*)$(re_escape "$rsuf")([[:space:]:']|\$)#$(repl_escape "$nmod")/\\1$(repl_escape "$osuf")\\2#g"
	fi
	local -a o_name=(-b "$nroot" -k "$VER") r_name=(-b "$rroot" -k "$VER")
	compare_case "$nkind/name" "$nmap" 0 o_name r_name NAMES NAMES || rc=1
	return $rc
}

main_diff() {
	local plain
	if ! plain=$(tree_root plain); then
		echo "SKIP: the corpus trees cannot be built (scripts/make-trees.sh failed)" >&2
		exit 77
	fi
	VER=$("$MAKE_TREES" --print-version) ||
		{ echo "SKIP: no corpus kernel version (scripts/make-trees.sh failed)" >&2; exit 77; }
	load_modules "$plain/lib/modules/$VER"
	echo "modinfo-diff: ours=$OURS reference=$REF kernel=$VER modules=${#RELS[@]} names=${#NAMES[@]}"
	local kind rc=0
	for kind in ${LIBMOD_DIFF_KINDS:-plain xz zst gz}; do
		run_kind "$kind"
		case $? in
		0) ;;
		2) echo "SKIP: tree $kind cannot be built" >&2; exit 77 ;;
		*) rc=1 ;;
		esac
	done
	echo "modinfo-diff: $n_pass passed, $n_fail failed"
	return $rc
}

if ((self_test)); then
	export LIBMOD_DIFF_LIMIT=${LIBMOD_DIFF_LIMIT:-300}
	export LIBMOD_DIFF_KINDS=${LIBMOD_DIFF_KINDS:-plain}
	echo "self-test 1: reference against itself must pass"
	OURS=$REF
	(main_diff) || { echo "self-test FAILED: identical tools reported different"; exit 1; }
	# A wrapper that behaves like kmod except for one module deep in the list (the 150th in
	# sorted order), whose description gains a character.
	victim=$( (cd "$("$MAKE_TREES" --print plain)/lib/modules/$("$MAKE_TREES" --print-version)" &&
		find kernel -name '*.ko' | LC_ALL=C sort | sed -n 150p | sed 's#.*/##; s/\.ko$//'))
	cat >"$WORK/fake-modinfo" <<-EOF
		#!/bin/bash
		# kmod's output, except that the description of $victim gains a character.
		"$REF" "\$@" | sed "/^filename:.*\\/$victim\\.ko\$/,/^filename:/ s/^description:  */&X/"
		exit \${PIPESTATUS[0]}
	EOF
	chmod +x "$WORK/fake-modinfo"
	echo "self-test 2: an altered description of $victim must be caught"
	OURS=$WORK/fake-modinfo
	out=$(LIBMOD_DIFF_KINDS=plain main_diff 2>&1)
	printf '%s\n' "$out" | sed -n '1,/^modinfo-diff: .*failed/p' | head -n 40
	if printf '%s\n' "$out" | grep -q "^FAIL plain/path " &&
		printf '%s\n' "$out" | grep -q -- "--- plain/path: .*/$victim.ko"; then
		echo "self-test passed"
		exit 0
	fi
	echo "self-test FAILED: the injected difference was not caught and located"
	exit 1
fi

OURS=$1
[[ -x $OURS ]] || { echo "our modinfo '$OURS' is not executable" >&2; exit 1; }
main_diff
