# bench/lib.sh: common runner for the benchmarks: runs kmod's command and ours alternately, reports
# medians, the ratio ours/kmod and peak RSS. Source it from a bench/<name>.sh script:
#
#   #!/bin/bash
#   # <what this benchmark measures>
#   . "$(dirname "$0")/lib.sh"
#   root=$(bench_tree plain)                 # a corpus tree root (scripts/make-trees.sh)
#   ver=$(bench_kver)                        # its kernel version
#   ours=$(bench_ours depmod)                # our tool from the release build ($BENCH_BUILD)
#   bench_case depmod-plain \
#       "/sbin/depmod -b '$root' $ver" \
#       "'$ours' -b '$root' $ver"
#   bench_done
#
# bench_case <case> <kmod command> <our command> runs each command string with bash -c, after one
# untimed warm-up run each, BENCH_RUNS times (default 5) alternately (kmod, ours, kmod, ...), so
# that drift in machine load hits both alike. Optional: BENCH_PREPARE="<command>" is run (untimed)
# before every run, e.g. to remove files the previous run wrote. stdout of the commands goes to
# /dev/null; a failing command makes the case FAIL (its stderr is shown) and bench_done return 1.
#
# Output, one line per case on stdout:
#   <case>  kmod <median>s  ours <median>s  ratio <ours/kmod>  rss kmod <KiB> ours <KiB>  n=<runs>
# and, if BENCH_TSV names a file, one tab-separated line per case appended to it:
#   case  runs  kmod_median_s  ours_median_s  ratio  kmod_peak_rss_kib  ours_peak_rss_kib  status
# Times are wall-clock medians; RSS is the median of the per-run peaks (/usr/bin/time -f %M).
#
# Environment: BENCH_RUNS (5), BENCH_BUILD (build-bench: a release build without sanitizers,
# set up and built on first use), BENCH_OURS_DIR (take our tools from this directory instead,
# e.g. an installed sbin; no build), BENCH_TSV, LIBMOD_TREES_DIR (see scripts/make-trees.sh).

BENCH_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_BUILD=${BENCH_BUILD:-$BENCH_SRCDIR/build-bench}
BENCH_TIME=/usr/bin/time
_bench_failed=0
_bench_built=0

[[ -x $BENCH_TIME ]] || { echo "bench: $BENCH_TIME missing (apt-get install time)" >&2; exit 1; }

bench_tree() { "$BENCH_SRCDIR/scripts/make-trees.sh" --print "$1"; }
bench_kver() { "$BENCH_SRCDIR/scripts/make-trees.sh" --print-version; }

# Path of our tool <name> in the release build, configuring and building it once per process.
# Configure (first time) and build the release build of ours; once per run.
bench_build() {
	((_bench_built)) && return 0
	if [[ ! -f $BENCH_BUILD/build.ninja ]]; then
		meson setup "$BENCH_BUILD" "$BENCH_SRCDIR" --buildtype=release -Dtests=false \
			>/dev/null || { echo "bench: meson setup $BENCH_BUILD failed" >&2; return 1; }
	fi
	ninja -C "$BENCH_BUILD" >/dev/null || { echo "bench: build failed" >&2; return 1; }
	_bench_built=1
}

bench_ours() {
	local tool=$1
	if [[ -n ${BENCH_OURS_DIR:-} ]]; then
		[[ -x $BENCH_OURS_DIR/$tool ]] || { echo "bench: no $BENCH_OURS_DIR/$tool" >&2; return 1; }
		printf '%s\n' "$BENCH_OURS_DIR/$tool"
		return 0
	fi
	bench_build || return 1
	local p=$BENCH_BUILD/tools/$tool/$tool
	[[ -x $p ]] || { echo "bench: $p not built" >&2; return 1; }
	printf '%s\n' "$p"
}

_bench_median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
	else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# _bench_once <command> <times-file> <rss-file> <err-file>: one timed run; appends seconds and
# peak RSS (KiB). Returns the command's exit status.
_bench_once() {
	local cmd=$1 tf=$2 rf=$3 ef=$4 t0 t1 rc
	[[ -n ${BENCH_PREPARE:-} ]] && bash -c "$BENCH_PREPARE" >/dev/null 2>&1
	t0=$(date +%s%N)
	"$BENCH_TIME" -f '%M' -o "$ef.rss" bash -c "exec $cmd" >/dev/null 2>"$ef"
	rc=$?
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", (b - a) / 1e9 }' >>"$tf"
	tail -n1 "$ef.rss" >>"$rf"
	return $rc
}

bench_case() {
	local name=$1 kcmd=$2 ocmd=$3 d i status=ok
	d=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
	# Warm-up: page cache and dynamic loader caches, not timed.
	[[ -n ${BENCH_PREPARE:-} ]] && bash -c "$BENCH_PREPARE" >/dev/null 2>&1
	bash -c "$kcmd" >/dev/null 2>&1
	[[ -n ${BENCH_PREPARE:-} ]] && bash -c "$BENCH_PREPARE" >/dev/null 2>&1
	bash -c "$ocmd" >/dev/null 2>&1
	for ((i = 0; i < BENCH_RUNS; i++)); do
		_bench_once "$kcmd" "$d/kt" "$d/kr" "$d/ke" || status=kmod-failed
		_bench_once "$ocmd" "$d/ot" "$d/or" "$d/oe" || status=ours-failed
	done
	local kt ot kr or ratio
	kt=$(_bench_median <"$d/kt")
	ot=$(_bench_median <"$d/ot")
	kr=$(_bench_median <"$d/kr")
	or=$(_bench_median <"$d/or")
	ratio=$(awk -v a="$ot" -v b="$kt" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }')
	printf '%-28s kmod %8.3fs  ours %8.3fs  ratio %5s  rss kmod %7d KiB  ours %7d KiB  n=%d%s\n' \
		"$name" "$kt" "$ot" "$ratio" "$kr" "$or" "$BENCH_RUNS" \
		"$([[ $status == ok ]] || echo "  FAIL ($status)")"
	if [[ $status != ok ]]; then
		_bench_failed=1
		[[ $status == kmod-failed ]] && sed 's/^/  kmod stderr: /' "$d/ke" | head -n5
		[[ $status == ours-failed ]] && sed 's/^/  ours stderr: /' "$d/oe" | head -n5
	fi
	if [[ -n ${BENCH_TSV:-} ]]; then
		printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$BENCH_RUNS" "$kt" "$ot" "$ratio" \
			"$kr" "$or" "$status" >>"$BENCH_TSV"
	fi
	rm -rf "$d"
}

# Call at the end of a bench script: its exit status says whether every case ran cleanly.
bench_done() { return $_bench_failed; }
