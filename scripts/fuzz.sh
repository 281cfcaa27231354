#!/bin/bash
# fuzz.sh: run every libFuzzer target in tests/fuzz for a fixed time each and say what it did.
#
# Configures (once) and builds build-fuzz with clang, -Dfuzz=true and ASan + UBSan, then runs
# each fuzz-NAME-libfuzzer for SECONDS on a scratch copy of its committed corpus
# (tests/fuzz/corpus/NAME), so the inputs the run grows never land in the tree. Per target it
# prints executions, exec/s, final coverage (libFuzzer's cov:, covered edges) and whether it
# crashed. A crash, leak, timeout or out-of-memory input is copied into
# tests/fuzz/corpus/NAME/crash-* (the plain driver then replays it under `meson test` for good)
# and the exit status is non-zero.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 120)
# Environment: LIBMOD_FUZZ_BUILD (build dir, default build-fuzz), FUZZ_TARGETS (names to run,
# default all), FUZZ_ARGS (extra libFuzzer flags).
# Runs one fuzzer at a time on one core; wrap it in `nice -n 19` on a shared machine.
set -uo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
secs=${1:-120}
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -eq 0 ]; then
	echo "fuzz.sh: SECONDS_PER_TARGET must be a positive integer, not '$secs'" >&2
	exit 2
fi
build=${LIBMOD_FUZZ_BUILD:-build-fuzz}
src=tests/fuzz

if ! command -v clang >/dev/null; then
	echo "fuzz.sh: libFuzzer needs clang, which is not installed" >&2
	exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
	# b_lundef=false: the sanitizer runtimes are linked into executables only, so the shared
	# library has to be allowed undefined sanitizer symbols.
	CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dtests=true || exit 2
elif ! meson introspect --buildoptions "$build" | grep -q '"name": "fuzz", "value": true'; then
	echo "fuzz.sh: $build exists but is not a -Dfuzz=true build; remove it or set LIBMOD_FUZZ_BUILD" >&2
	exit 2
fi
targets=${FUZZ_TARGETS:-$(cd "$src" && ls fuzz-*.c | sed 's/^fuzz-//; s/\.c$//')}
ninja -C "$build" $(for t in $targets; do echo "$src/fuzz-$t-libfuzzer"; done) || exit 2

# UBSan only reports and carries on unless told otherwise; a finding is a crash here.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

logs=$build/fuzz-logs
mkdir -p "$logs"
scratch=$(mktemp -d /tmp/libmod-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
summary=()
crashed=0
for t in $targets; do
	bin=$build/$src/fuzz-$t-libfuzzer
	work=$scratch/$t
	mkdir -p "$work/corpus" "$work/artifacts"
	seeds=$src/corpus/$t
	# A target without a committed corpus yet starts from nothing rather than failing.
	[ -d "$seeds" ] && cp -r "$seeds"/. "$work/corpus/"
	nseeds=$(ls "$work/corpus" | wc -l)
	echo "== $t: ${secs}s from $nseeds inputs in $seeds"
	# The first directory is where libFuzzer writes what it finds: the scratch copy.
	# The log stays in the build dir (ignored by git) for reading after the run.
	log=$logs/$t.log
	"$bin" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} "$work/corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	# libFuzzer's progress lines carry "cov: N" (edges covered so far); the last one is final.
	cov=$(grep -o ' cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
	grown=$(ls "$work/corpus" | wc -l)
	result=ok
	found=$(ls "$work/artifacts")
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		result="CRASH (exit $rc)"
		crashed=1
		mkdir -p "$src/corpus/$t"
		for a in $found; do
			# Kept as crash-* whatever libFuzzer called it (leak-, timeout-, oom-), so the
			# corpus says plainly which inputs once broke the parser.
			case "$a" in crash-*) dest=$a ;; *) dest=crash-$a ;; esac
			cp "$work/artifacts/$a" "$src/corpus/$t/$dest"
			result+=" saved $src/corpus/$t/$dest"
		done
		[ -n "$found" ] || result+=" no reproducer written"
		# The report: the sanitizer's or libFuzzer's own words, stack included.
		sed -n '/^==[0-9]*==\|runtime error\|^ *#[0-9]* 0x\|^SUMMARY\|^artifact_prefix\|Test unit written/p' \
			"$log" | head -60
		echo "   full log: $log"
	fi
	line=$(printf '%-10s %4ss  execs %-10s exec/s %-7s cov %-6s corpus %s->%s  %s' \
		"$t" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$nseeds" "$grown" "$result")
	echo "   $line"
	summary+=("$line")
done

echo "== summary ($(date -u +%F) $(git rev-parse --short HEAD 2>/dev/null))"
printf '%s\n' "${summary[@]}"
exit $crashed
