#!/bin/bash
# fetch-kmod-src.sh: the one place that fetches kmod's own source (Debian's `kmod` source package),
# whose testsuite/ the kmod-testsuite test suite drives against our tools.
#
# The source is pinned to the kmod Debian 12 ships ($PINNED). Debian 12's apt has no deb-src
# entries, so this adds /etc/apt/sources.list.d/libmod-deb-src.sources: a deb-src twin of every
# enabled `Types: deb` stanza in the existing *.sources files (and of every `deb` line of a
# one-line sources.list), with the same URIs, suites, components and keyring: no mirror is named
# here. When the pinned version is not offered any more, the newest kmod source apt knows is used
# instead, with a loud warning on stderr. When no kmod source can be had at all, the script fails:
# the test suite then fails too, it never passes by skipping.
#
# Usage: fetch-kmod-src.sh [--print-dir] [--print-version]
#   --print-dir      print the unpacked source directory (holding testsuite/)
#   --print-version  print the Debian version of that source
# Environment: LIBMOD_KMOD_SRC_DIR (cache, default /var/tmp/libmod-kmod-src), LIBMOD_KMOD_SRC_VERSION
# (another pin). An unpacked source of the wanted version is reused without touching the network.
set -euo pipefail

PINNED=30+20221128-1
want=${LIBMOD_KMOD_SRC_VERSION:-$PINNED}
cache=${LIBMOD_KMOD_SRC_DIR:-/var/tmp/libmod-kmod-src}
srclist=/etc/apt/sources.list.d/libmod-deb-src.sources
print_dir=0 print_version=0
for a in "$@"; do
	case "$a" in
	--print-dir) print_dir=1 ;;
	--print-version) print_version=1 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "fetch-kmod-src.sh: unknown argument '$a'" >&2; exit 2 ;;
	esac
done

# Writing apt's configuration and updating its lists need root.
as_root=()
((EUID == 0)) || ! command -v sudo >/dev/null || as_root=(sudo)

say() { printf 'fetch-kmod-src.sh: %s\n' "$*" >&2; }
warn() { printf 'fetch-kmod-src.sh: WARNING: %s\n' "$*" >&2; }
die() { printf 'fetch-kmod-src.sh: ERROR: %s\n' "$*" >&2; exit 1; }

# The unpacked, complete source of version $1 in the cache (the stamp is written last).
complete_dir() { [ -f "$cache/$1/.libmod-complete" ] && [ -d "$cache/$1/testsuite" ]; }

# A deb-src stanza for every enabled deb stanza of the deb822 files given, fields kept verbatim
# (continuation lines too, for an inline Signed-By key); comments dropped.
deb822_to_src() {
	awk '
	function flush(  i) {
		if (is_deb && !disabled && n) {
			printf "Types: deb-src\n"
			for (i = 1; i <= n; i++) print lines[i]
			printf "\n"
		}
		n = 0; is_deb = 0; disabled = 0; keep = 0
	}
	FNR == 1 { flush() }
	/^[ \t]*$/ { flush(); next }
	/^#/ { next }
	/^[ \t]/ { if (keep) lines[++n] = $0; next }
	{
		field = tolower($1); keep = 0
		if (field == "types:") {
			for (i = 2; i <= NF; i++) if ($i == "deb") is_deb = 1
		} else if (field == "enabled:" && tolower($2) == "no") {
			disabled = 1
		} else if (field == "uris:" || field == "suites:" || field == "components:" ||
			   field == "signed-by:" || field == "trusted:") {
			lines[++n] = $0; keep = 1
		}
	}
	END { flush() }' "$@"
}

# Writes $srclist unless apt already has a deb-src entry somewhere. Returns 1 when there is
# nothing to derive one from.
ensure_deb_src() {
	local files=() f
	[ -s "$srclist" ] && return 0 # written by an earlier run
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$srclist" ] && files+=("$f")
	done
	if grep -qsE '^[[:space:]]*Types:.*\bdeb-src\b' "${files[@]}" /dev/null ||
		grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list \
			/etc/apt/sources.list.d/*.list; then
		return 0 # the machine already has source entries of its own
	fi
	local body
	body=$( ((${#files[@]})) && deb822_to_src "${files[@]}")
	# One-line format: "deb [opts] URI suite comp..." becomes the same line with deb-src.
	local oneline
	oneline=$(sed -n 's/^[[:space:]]*deb\([[:space:]]\)/deb-src\1/p' /etc/apt/sources.list 2>/dev/null || true)
	[ -n "$body$oneline" ] || return 1
	if [ -n "$body" ]; then
		printf '# Written by libmod scripts/fetch-kmod-src.sh: deb-src twins of the deb entries.\n%s\n' \
			"$body" | "${as_root[@]}" tee "$srclist" >/dev/null || return 1
	fi
	if [ -n "$oneline" ]; then
		printf '# Written by libmod scripts/fetch-kmod-src.sh.\n%s\n' "$oneline" |
			"${as_root[@]}" tee /etc/apt/sources.list.d/libmod-deb-src.list >/dev/null || return 1
	fi
	say "added deb-src entries ($srclist) derived from the existing deb entries"
	return 0
}

# Versions of the kmod source package apt offers, one a line.
src_versions() { { apt-cache showsrc kmod 2>/dev/null || true; } | sed -n "s/^Version: //p" | sort -u; }

fetch() {
	local ver=$1 tmp
	command -v dpkg-source >/dev/null || die "dpkg-source is missing (apt-get install dpkg-dev)"
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	say "downloading and unpacking kmod $ver source (about 600 kB, once; cached in $cache)"
	if ! (cd "$tmp" && apt-get source -q "kmod=$ver" >apt-get-source.log 2>&1); then
		cat "$tmp/apt-get-source.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	local dir
	dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'kmod-*' | head -n1)
	[ -n "$dir" ] && [ -d "$dir/testsuite" ] || { rm -rf "$tmp"; return 1; }
	rm -rf "${cache:?}/$ver"
	mv "$dir" "$cache/$ver"
	touch "$cache/$ver/.libmod-complete"
	rm -rf "$tmp"
}

if ! complete_dir "$want"; then
	mkdir -p "$cache"
	versions=$(src_versions)
	if ! grep -qFx "$want" <<<"$versions"; then
		ensure_deb_src || die "cannot add deb-src entries (no deb entries to derive them from, or no root)"
		"${as_root[@]}" apt-get update -qq >/dev/null 2>&1 || warn "apt-get update failed"
		versions=$(src_versions)
	fi
	if grep -qFx "$want" <<<"$versions" && fetch "$want"; then
		:
	else
		newest=$(sort -V <<<"$versions" | sed '/^$/d' | tail -n1)
		cached=$(find "$cache" -mindepth 2 -maxdepth 2 -name .libmod-complete -printf '%h\n' 2>/dev/null |
			sed 's|.*/||' | sort -V | tail -n1)
		if [ -n "$newest" ] && { complete_dir "$newest" || fetch "$newest"; }; then
			warn "************************************************************************"
			warn "the pinned kmod source $want cannot be had; using $newest instead."
			warn "kmod's tests and their expected results may differ from the pinned ones."
			warn "************************************************************************"
			want=$newest
		elif [ -n "$cached" ]; then
			warn "the pinned kmod source $want cannot be had; keeping the cached $cached"
			want=$cached
		else
			die "cannot fetch Debian's kmod source package (apt-get source kmod): no network, no deb-src entries, or the package is gone. The kmod-testsuite suite cannot run without it."
		fi
	fi
fi

((print_dir)) && echo "$cache/$want"
((print_version)) && echo "$want"
exit 0
