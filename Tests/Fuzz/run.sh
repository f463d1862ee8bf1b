#!/usr/bin/env bash
# Builds the libFuzzer targets (AddressSanitizer on), builds their seed corpora, runs FuzzDecoder and
# FuzzCaptureFile side by side for SECONDS each (default 60), and prints the executions per target.
# Exits non-zero on any crash, hang (> 5 s for one input), out-of-memory, leak or sanitizer report; the input
# that did it is kept under .build/fuzz/artifacts and `Tests/Fuzz/run.sh --replay FILE...` reruns it.
#
#   Tests/Fuzz/run.sh [SECONDS]          CI calls `Tests/Fuzz/run.sh 60`
#   Tests/Fuzz/run.sh --replay FILE...   run saved inputs through both targets (no fuzzing)
#
# Environment: FUZZ_CONFIGURATION=release|debug (default release: about 10x the executions per second; Swift
# keeps its bounds and overflow checks there), OVERLAYTRACE_CORPUS=<dir> (default: shared/corpus/public beside
# the repository or one of its parents; without it the seeds are the repository's captures and synth cases).
# Offline: the package depends on the root package by path, whose dependencies SwiftPM takes from its cache
# (~/.cache/org.swift.swiftpm) once any `swift build` of the root package has fetched them on this machine.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
configuration=${FUZZ_CONFIGURATION:-release}
state="$root/.build/fuzz"            # persistent corpora and crash inputs (.build/ is git-ignored)
targets=(FuzzDecoder FuzzCaptureFile)
export SWIFT_BACKTRACE=enable=no     # Swift's crash backtracer reads raw stack memory, which ASan reports as a bug

build() {
    local flags=(--package-path "$here" -c "$configuration" -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
    for product in "${targets[@]}"; do
        echo "+ swift build ${flags[*]} --product $product"
        swift build "${flags[@]}" --product "$product" 2>&1 | grep -v "Cannot export local symbol '__asan" || true
        [ -x "$bin/$product" ] || { echo "run.sh: building $product failed" >&2; exit 2; }
    done
}

bin="$here/.build/$configuration"

if [ "${1:-}" = "--replay" ]; then
    shift
    build
    status=0
    for target in "${targets[@]}"; do
        "$bin/$target" -runs=1 "$@" || status=1
    done
    exit $status
fi

seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: Tests/Fuzz/run.sh [SECONDS] | --replay FILE..." >&2; exit 2; }

# The public corpus: read where it is, never copied into the repository.
corpus=${OVERLAYTRACE_CORPUS:-}
if [ -z "$corpus" ]; then
    dir=$root
    while [ "$dir" != "/" ]; do
        dir=$(dirname "$dir")
        if [ -d "$dir/shared/corpus/public" ]; then corpus="$dir/shared/corpus/public"; break; fi
    done
fi

build

work=$(mktemp -d "${TMPDIR:-/tmp}/overlaytrace-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/seeds/FuzzDecoder" "$work/seeds/FuzzCaptureFile" "$state/artifacts"
captures=("$root"/Captures/*.pcap)
if [ -n "$corpus" ] && [ -d "$corpus" ]; then
    captures+=("$corpus"/*.pcap "$corpus"/*.pcapng)
else
    echo "run.sh: public corpus not found (set OVERLAYTRACE_CORPUS); seeding from Captures/ and synth cases only"
fi
"$bin/FuzzCaptureFile" --write-seeds "$work/seeds/FuzzDecoder" "$work/seeds/FuzzCaptureFile" "${captures[@]}"

declare -A max_len=([FuzzDecoder]=16384 [FuzzCaptureFile]=16384)
declare -A pids
for target in "${targets[@]}"; do
    mkdir -p "$state/corpus/$target"
    # Both at once: the machine has two cores and each fuzzer uses one.
    timeout $((seconds + 300)) "$bin/$target" "$state/corpus/$target" "$work/seeds/$target" \
        -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="${max_len[$target]}" \
        -dict="$here/overlay.dict" -print_final_stats=1 -artifact_prefix="$state/artifacts/$target-" \
        > "$work/$target.log" 2>&1 &
    pids[$target]=$!
done

failed=0
total=0
for target in "${targets[@]}"; do
    status=0
    wait "${pids[$target]}" || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$target.log" | tail -1)
    corpus_size=$(find "$state/corpus/$target" -type f | wc -l)
    if [ "$status" -ne 0 ] || grep -qE "^(==[0-9]+==ERROR|SUMMARY: )" "$work/$target.log"; then
        failed=1
        echo "FAIL $target (exit $status) after ${runs:-?} executions:"
        grep -vE "^#[0-9]+\s+(NEW|REDUCE|pulse)|^\"" "$work/$target.log" | tail -60
        grep -o "Test unit written to .*" "$work/$target.log" || true
        echo "replay with: Tests/Fuzz/run.sh --replay <that file>"
    else
        echo "ok   $target: ${runs:-0} executions in ${seconds} s (${rate:-0}/s), corpus $corpus_size inputs"
    fi
    total=$((total + ${runs:-0}))
done
echo "total executions: $total"
exit $failed
