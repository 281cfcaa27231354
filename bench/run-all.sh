#!/bin/bash
# bench/run-all.sh: run every bench/*.sh present (except lib.sh and this file) and print a
# summary table; the tab-separated results also go to $BENCH_TSV (default
# build-bench/bench-results.tsv, git-ignored). Environment: see bench/lib.sh (BENCH_RUNS, ...).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export BENCH_TSV=${BENCH_TSV:-$here/../build-bench/bench-results.tsv}
mkdir -p "$(dirname "$BENCH_TSV")"
printf 'case\truns\tkmod_median_s\tours_median_s\tratio\tkmod_peak_rss_kib\tours_peak_rss_kib\tstatus\n' \
	>"$BENCH_TSV"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	"load $(cut -d' ' -f1-3 /proc/loadavg); runs per case: ${BENCH_RUNS:-5}"
rc=0
for b in "$here"/*.sh; do
	# system-boot.sh boots virtual machines for many minutes, as root: run it on its own.
	case ${b##*/} in lib.sh | run-all.sh | system-boot.sh) continue ;; esac
	echo "== ${b##*/}"
	bash "$b" || rc=1
done
echo "== results: $BENCH_TSV"
column -t -s $'\t' "$BENCH_TSV" 2>/dev/null || cat "$BENCH_TSV"
exit $rc
