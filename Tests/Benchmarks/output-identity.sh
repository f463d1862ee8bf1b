#!/usr/bin/env bash
# Writes what `overlaytrace analyze` says about a fixed set of captures into OUTDIR, so that a speed change can
# be checked to leave every report byte-identical: run it with the binary before and after, then `diff -r`.
#
#   Tests/Benchmarks/output-identity.sh BINARY OUTDIR [--big N]
#
# The set: every capture in Captures/ (with and without Captures/inventory.yaml), every synth fault case, every
# public corpus capture (../shared/corpus/public, read in place) and a synth capture of N packets (default 100000:
# enough for every table, cap and evidence sample to fill). Hash seeds are fixed (SWIFT_DETERMINISTIC_HASHING), so
# two runs of the same binary agree byte for byte.
set -euo pipefail
bin=$(realpath "$1"); out=$2; shift 2
big=100000
[[ "${1:-}" == "--big" ]] && big=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"; out=$(realpath "$out")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SWIFT_DETERMINISTIC_HASHING=1

run() { # name, args...
    local name=$1; shift
    local status=0
    "$bin" analyze --quiet --format json --output "$out/$name.json" "$@" 2>"$out/$name.stderr" || status=$?
    echo "$status" >"$out/$name.status"
}

for f in "$root"/Captures/*.pcap; do
    n=$(basename "$f" .pcap)
    run "capture-$n" "$f"
    run "capture-$n-inventory" --inventory "$root/Captures/inventory.yaml" "$f"
done
faults=$("$bin" synth --help | tr -d '\n' | sed -n 's/.*Faults (--fault): \(.*\)\. *Large captures.*/\1/p' | tr -d ' ' | tr ',' ' ')
[[ -n "$faults" ]] || { echo "output-identity: could not read the fault list from synth --help" >&2; exit 2; }
for fault in $faults; do
    "$bin" synth --fault "$fault" --out "$work/$fault.pcap" >/dev/null
    (cd "$work" && run "fault-$fault" "$fault.pcap")   # relative: the report names the file as given
done
corpus=""
for c in /work/shared/corpus/public "$root/../shared/corpus/public"; do [[ -d "$c" ]] && { corpus=$c; break; }; done
if [[ -n "$corpus" ]]; then
    find "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort | while read -r f; do
        run "corpus-$(basename "$f")" "$f"
    done
fi
"$bin" synth --packets "$big" --out "$work/big.pcap" >/dev/null
(cd "$work" && run "big-$big" big.pcap)
echo "output-identity: $(ls "$out"/*.json 2>/dev/null | wc -l) reports in $out"
