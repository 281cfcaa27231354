#!/bin/bash
# test.sh: the project's test command. Fetches the real kernel corpus and builds the cached module
# trees (scripts/make-trees.sh), configures a sanitizer build (ASan + UBSan), builds it and runs
# every meson test suite (unit, abi, fuzz, tools, install, kmod, docs, diff, vm, compat,
# kmod-testsuite, system), printing meson's summary.
#
# A skipped test did not run, so it is never counted as passed. The last lines say what ran, what
# was skipped and why (each test's own reason), and the very last line is
# "N passed, N failed, N skipped" alone, for CI to parse.
# Exit status: non-zero if anything failed; with --ci (.ci/run) also if anything was skipped,
# since on the CI machine every dependency is installed and nothing has a reason to skip.
#
# Usage: scripts/test.sh [--ci]
# Environment: LIBMOD_TEST_BUILD (build dir, default build-test), MESON_TEST_ARGS (extra
# arguments for meson test, e.g. "--suite unit").
set -uo pipefail
cd "$(dirname "$0")/.."
ci=0
for a in "$@"; do
	case "$a" in
	--ci) ci=1 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "test.sh: unknown argument '$a'" >&2; exit 2 ;;
	esac
done
build=${LIBMOD_TEST_BUILD:-build-test}

echo "== corpus and module trees"
if ! scripts/make-trees.sh; then
	# The corpus tests then skip (exit 77) and say why; everything else still runs.
	echo "test.sh: WARNING: the corpus trees could not be built (see above): the corpus tests" \
		"will be skipped" >&2
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
# The system suite's Debian roots, packages and disk images take minutes to build when nothing is
# cached; build them in the background while the other suites run (the suite's run.sh waits for
# this through its cache lock and builds whatever is still missing itself, failing loudly).
system_prep=
if [[ $(id -u) == 0 ]] && { [[ -z ${MESON_TEST_ARGS:-} ]] || [[ ${MESON_TEST_ARGS:-} == *system* ]]; }; then
	echo "test.sh: preparing the system suite's images in the background (log: $build/system-prepare.log)"
	tests/system/run.sh --prepare-only >"$build/system-prepare.log" 2>&1 &
	system_prep=$!
fi
# Leaks are errors; UBSan findings abort so they fail the test instead of scrolling by.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# shellcheck disable=SC2086 # MESON_TEST_ARGS is a word list on purpose
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 3 ${MESON_TEST_ARGS:-}
rc=$?
if [[ -n $system_prep ]] && ! wait "$system_prep"; then
	echo "test.sh: the background preparation of the system suite failed; the suite's own run" \
		"says why (log: $build/system-prepare.log)"
fi
echo "test.sh: meson test exit status $rc (log: $build/meson-logs/testlog.txt)"
# The closing lines, from meson's machine-readable log: passes per suite, each skipped test with
# the reason it gave (its last line mentioning a skip, else its last line), then the counts.
python3 - "$build/meson-logs/testlog.json" "$ci" <<'PY' || rc=1
import json, sys
passed = failed = 0
skipped, suites = [], {}
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
        result, name = test["result"], test["name"]
        suite, _, short = name.partition(":")[2].partition(" / ")
        ran = suites.setdefault(suite, [0, 0])
        ran[1] += 1
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
            ran[0] += 1
        elif result == "SKIP":
            out = [l.strip() for l in (test.get("stdout") or "").splitlines() if l.strip()]
            out += [l.strip() for l in (test.get("stderr") or "").splitlines() if l.strip()]
            said = [l for l in out if "skip" in l.lower()]
            why = (said or out or ["exit status 77, no reason given"])[-1]
            if why.upper().startswith("SKIP:"):
                why = why[5:].strip()
            skipped.append(f"{short} ({why})")
        else:
            failed += 1
print("passed per suite: " + ", ".join(f"{s} {r[0]}/{r[1]}" for s, r in sorted(suites.items())))
for s in skipped:
    print(f"skipped: {s}")
sys.stdout.flush()  # the warning goes before the last line, wherever both streams go
if skipped:
    what = "CI fails on it" if sys.argv[2] == "1" else "the suite is incomplete"
    print(f"test.sh: WARNING: {len(skipped)} test(s) did not run ({what})", file=sys.stderr)
print(f"{passed} passed, {failed} failed" + (f", {len(skipped)} skipped" if skipped else ""),
      flush=True)
sys.exit(1 if skipped and sys.argv[2] == "1" else 0)
PY
exit $rc
