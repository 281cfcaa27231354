#!/bin/bash
# bench/system-boot.sh [N]: boot time of the Debian 12 test system on kmod (stock) and on libmod
# (ours), from tests/system: N boots of each (default 5), alternating stock/ours so that a change
# in the machine's load hits both alike. Prints, per metric, the median and the spread (min..max)
# of each variant and the ratio of the medians ours/stock, as a Markdown table for
# docs/PERFORMANCE.md. Metrics, all from inside the guest (microseconds since the kernel started):
#   initramfs  systemd started (the initramfs, made by the variant's tools, has mounted the root)
#   settle     systemd-udev-settle.service done (udev's coldplug: every modalias resolved, loaded)
#   multiuser  multi-user.target reached
#   udevd_cpu  CPU time of systemd-udevd's cgroup (the daemon and its workers, which run the kmod
#              builtin) at the end of the boot
# plus the wall time of the whole boot (QEMU start to power-off) on the host.
# QEMU TCG is slow and noisy: read the spread before the ratio. Needs root (see tests/system).
# Not run by bench/run-all.sh (it boots 2N virtual machines).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-5}
cache=${LIBMOD_SYSTEM_CACHE:-/var/tmp/libmod-system}
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	"load $(cut -d' ' -f1-3 /proc/loadavg); boots per variant: $n (alternating)"
"$here/../tests/system/run.sh" --boots="$n" --cache="$cache" >&2
python3 - "$cache/reports" "$n" <<'EOF'
import statistics, sys
reports, n = sys.argv[1], int(sys.argv[2])
def read(path):
    vals = {}
    for line in open(path):
        if line.startswith("time "):
            for kv in line.split()[1:]:
                k, v = kv.split("=")
                vals[k.removesuffix("_us")] = int(v) / 1e6
        elif line.startswith("wall "):
            vals["wall"] = float(line.split()[1])
    return vals
runs = {v: [read(f"{reports}/{v}-{i}") for i in range(1, n + 1)] for v in ("stock", "ours")}
print("| metric (s) | stock median | stock min..max | ours median | ours min..max | ours/stock |")
print("|---|---|---|---|---|---|")
for key in ("initramfs", "settle", "multiuser", "udevd_cpu", "wall"):
    cols = []
    meds = {}
    for v in ("stock", "ours"):
        xs = [r[key] for r in runs[v] if key in r]
        meds[v] = statistics.median(xs)
        cols += [f"{meds[v]:.2f}", f"{min(xs):.2f}..{max(xs):.2f}"]
    print(f"| {key} | " + " | ".join(cols) + f" | {meds['ours'] / meds['stock']:.2f} |")
EOF
