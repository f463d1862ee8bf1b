#!/usr/bin/env bash
# Regenerates the example reports from the sample captures (run from anywhere; uses the debug build).
# The test SampleReportsTests fails when a file here differs from what these commands print.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product overlaytrace >/dev/null
bin=$(swift build --show-bin-path)/overlaytrace
nsx="--inventory Captures/inventory.yaml"
ovn="--inventory Captures/inventory.yaml --inventory Captures/ovn-sb/Chassis.json --inventory Captures/ovn-sb/Datapath_Binding.json --inventory Captures/ovn-sb/Encap.json --inventory Captures/ovn-sb/Port_Binding.json"
while read -r name args; do
  for format in markdown json; do
    ext=$([ "$format" = markdown ] && echo md || echo json)
    # shellcheck disable=SC2086
    "$bin" analyze --quiet --format "$format" Captures/$name.pcap $args > "Reports/$name.$ext"
  done
done <<LIST
overlay-demo $nsx
same-segment $nsx
routed $nsx
north-south $nsx
ovn-same-segment $ovn
LIST
# shellcheck disable=SC2086
"$bin" analyze --quiet --format html Captures/overlay-demo.pcap $nsx > Reports/overlay-demo.html
echo "Reports/ regenerated"
