#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What ships carries no test hook (issue 8): install the build into a staging dir as a package
# would, then read the strings of every installed file.
#  - No installed file (library, tools, header, man page) may name the test harness: its
#    environment variables (LIBMOD_TEST_*, LIBMOD_SHIM_*) or the fake kernel's calls.log.
#  - Every LIBMOD_* word in an installed program or library must be known here: a symbol
#    version node (LIBMOD_1, ...) or LIBMOD_LOG, the one variable users are told about. A new
#    variable the library reads must be added below on purpose, so none slips in for tests.
# Usage: check-no-test-hooks.sh MESON BUILD_DIR
set -eu

meson=$1
build=$2
dest=$build/tests/install/stage
rm -rf "$dest"
"$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null

failed=0 files=0 programs=0
for f in $(find "$dest" -type f | sort); do
	files=$((files + 1))
	rel=${f#"$dest"}
	hits=$(strings -a "$f" | grep -oE 'LIBMOD_(TEST|SHIM)[A-Za-z0-9_]*|calls\.log' | sort -u)
	for h in $hits; do
		echo "$rel: test-only name '$h'"
		failed=1
	done
	# ELF files only: headers and man pages may use other LIBMOD_ words (macros).
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	programs=$((programs + 1))
	for w in $(strings -a "$f" | grep -oE 'LIBMOD_[A-Za-z0-9_]*' | sort -u); do
		case "$w" in
		LIBMOD_[0-9]*|LIBMOD_LOG) ;;
		LIBMOD_TEST*|LIBMOD_SHIM*) ;; # said above
		*)
			echo "$rel: unknown LIBMOD_ word '$w' (a variable read for tests?)"
			failed=1
			;;
		esac
	done
done
echo "$files installed files read, $programs of them ELF"
[ "$programs" -gt 0 ] || { echo "no installed program found in $dest"; exit 1; }
exit $failed
