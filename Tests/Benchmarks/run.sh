#!/usr/bin/env bash
# The OverlayTrace benchmark, one command from a fresh clone:
#   Tests/Benchmarks/run.sh [suite options, e.g. --rounds 7 --tshark-sizes 100000]
# Builds release, writes 100k/300k/1M-packet captures with `overlaytrace synth` (deterministic) into a scratch
# directory outside the repo, builds the shared C references and a malloc-counting shim, then runs
# `overlaytrace-bench suite`: every tool alternated, medians, paired ratios, peak RSS, allocations per packet,
# a Markdown table on stdout (also saved as $SCRATCH/results.md), and the checks in thresholds.json
# (exit status 1 when one is exceeded).
# Environment: OVERLAYTRACE_BENCH_DIR (scratch, default /tmp/overlaytrace-bench),
#              OVERLAYTRACE_BENCH_SIZES (default "100000 300000 1000000"),
#              OVERLAYTRACE_SHARED_BENCH (directory with pcapcount.c and pcapgeneve.c).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
scratch=${OVERLAYTRACE_BENCH_DIR:-/tmp/overlaytrace-bench}
sizes=${OVERLAYTRACE_BENCH_SIZES:-"100000 300000 1000000"}
case "$scratch" in
  "$repo"|"$repo"/*) echo "run.sh: the scratch directory must be outside the repository: $scratch" >&2; exit 2 ;;
esac
mkdir -p "$scratch"
cd "$repo"

echo "bench: building release (overlaytrace, overlaytrace-bench)" >&2
swift build -c release --product overlaytrace >&2
swift build -c release --product overlaytrace-bench >&2
bin=$(swift build -c release --show-bin-path)

for n in $sizes; do
  echo "bench: writing $scratch/big-$n.pcap" >&2
  "$bin/overlaytrace" synth --packets "$n" --out "$scratch/big-$n.pcap" >&2
done

shared=""
for d in "${OVERLAYTRACE_SHARED_BENCH:-}" /work/shared/bench "$repo/../shared/bench"; do
  if [ -n "$d" ] && [ -f "$d/pcapgeneve.c" ] && [ -f "$d/pcapcount.c" ]; then shared=$d; break; fi
done
c_args=()
if [ -n "$shared" ] && command -v cc >/dev/null; then
  echo "bench: building the C references from $shared" >&2
  cc -O2 -o "$scratch/pcapcount" "$shared/pcapcount.c" -lpcap
  cc -O2 -o "$scratch/pcapgeneve" "$shared/pcapgeneve.c" -lpcap
  c_args=(--c-dir "$scratch")
else
  echo "bench: no shared/bench (pcapcount.c, pcapgeneve.c) or no C compiler: skipping the C references" >&2
fi

shim_args=()
if command -v cc >/dev/null && cc -O2 -shared -fPIC -o "$scratch/malloc-count.so" Tests/Benchmarks/malloc-count.c; then
  shim_args=(--malloc-count "$scratch/malloc-count.so")
else
  echo "bench: cannot build the malloc-count shim: allocations are not counted" >&2
fi

exec "$bin/overlaytrace-bench" suite --scratch "$scratch" --sizes "$(echo $sizes | tr ' ' ',')" \
  --overlaytrace "$bin/overlaytrace" "${c_args[@]}" "${shim_args[@]}" \
  --thresholds "$repo/Tests/Benchmarks/thresholds.json" --markdown-out "$scratch/results.md" "$@"
