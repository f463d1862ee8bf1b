#!/usr/bin/env bash
# Runs the whole test suite under a sanitizer: AddressSanitizer by default (what CI calls), ThreadSanitizer with
# `thread`, both with `all`. Each sanitizer builds in its own directory (.build/sanitize-<name>), so the normal
# debug build is left alone and a second run only rebuilds what changed. Extra arguments go to `swift test`
# (e.g. `Tests/run-sanitizers.sh address --filter OverlayCaptureTests`). Non-zero exit on any failure or report.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-address}" in
    address) sanitizers=(address) ;;
    thread) sanitizers=(thread) ;;
    all) sanitizers=(address thread) ;;
    *) echo "usage: Tests/run-sanitizers.sh [address|thread|all] [swift test arguments...]" >&2; exit 2 ;;
esac
[ $# -gt 0 ] && shift

# Swift's crash backtracer reads raw stack memory, which the sanitizers would report as a bug of their own.
export SWIFT_BACKTRACE=enable=no
# Any report fails the run: ASan aborts on the first error; TSan stops at the first race.
# LeakSanitizer stays off: at exit it reports memory the Swift runtime, XCTest and ArgumentParser still hold
# (refcount side tables and globals reached through pointers it cannot follow, objects alive when `exit` runs),
# none of it from our code paths; with it on, every CLI test that exits with an error fails on those reports.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

for sanitizer in "${sanitizers[@]}"; do
    echo "+ swift test --sanitize=$sanitizer --scratch-path .build/sanitize-$sanitizer $*"
    swift test --sanitize="$sanitizer" --scratch-path ".build/sanitize-$sanitizer" "$@"
done
