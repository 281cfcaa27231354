#!/bin/bash
# test.sh: the project's test command. Fetches the real kernel corpus and builds the cached module
# trees (scripts/make-trees.sh), configures a sanitizer build (ASan + UBSan), builds it and runs
# every meson test suite (unit, abi, fuzz, tools, install, kmod, diff, vm, compat,
# kmod-testsuite), printing meson's summary.
# Exit status is non-zero if anything fails.
# Environment: LIBMOD_TEST_BUILD (build dir, default build-test), MESON_TEST_ARGS (extra
# arguments for meson test, e.g. "--suite unit").
set -uo pipefail
cd "$(dirname "$0")/.."
build=${LIBMOD_TEST_BUILD:-build-test}

echo "== corpus and module trees"
if ! scripts/make-trees.sh; then
	# The diff and vm tests then skip (exit 77); everything else still runs.
	echo "test.sh: WARNING: corpus trees could not be built; corpus tests will be skipped" >&2
fi

echo "== configure $build (address,undefined sanitizers)"
if [[ -f $build/build.ninja ]]; then
	meson configure "$build" -Db_sanitize=address,undefined -Dwerror=false -Dtests=true \
		-Dprefix=/usr -Dsysconfdir=/etc ||
		exit 1
else
	meson setup "$build" -Db_sanitize=address,undefined -Dwerror=false -Dtests=true \
		-Dprefix=/usr -Dsysconfdir=/etc || exit 1
fi

echo "== build"
ninja -C "$build" || exit 1

echo "== test"
# Leaks are errors; UBSan findings abort so they fail the test instead of scrolling by.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# shellcheck disable=SC2086 # MESON_TEST_ARGS is a word list on purpose
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 3 ${MESON_TEST_ARGS:-}
rc=$?
echo "test.sh: meson test exit status $rc (log: $build/meson-logs/testlog.txt)"
# The plain closing line any CI reads: counts from meson's machine-readable log.
python3 - "$build/meson-logs/testlog.json" <<'PY' || rc=1
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as log:
    for line in log:
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
