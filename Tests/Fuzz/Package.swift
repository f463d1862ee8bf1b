// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for OverlayTrace, kept out of the root package so a plain `swift build` needs no fuzzer flags.
// Build and run them with `Tests/Fuzz/run.sh [SECONDS]` (it passes -sanitize=fuzzer,address -parse-as-library).
let package = Package(
    name: "OverlayTraceFuzz",
    dependencies: [
        .package(name: "OverlayTrace", path: "../.."),
    ],
    targets: [
        // Decodes a frame and reads every field back, checking the invariants a decoded packet promises.
        .target(name: "FuzzSupport", dependencies: [.product(name: "OverlayWire", package: "OverlayTrace")]),
        // Hands the process to libFuzzer (SwiftPM renames `main`; see the file). Links only with -sanitize=fuzzer.
        .target(name: "LibFuzzerDriver"),
        // One frame: the first byte picks the link type, the wire length and the decoder configuration.
        .executableTarget(name: "FuzzDecoder", dependencies: [
            "FuzzSupport", "LibFuzzerDriver", .product(name: "OverlayWire", package: "OverlayTrace"),
        ]),
        // A whole capture file through libpcap (CaptureFileReader, CaptureTimeline), every packet decoded.
        // `FuzzCaptureFile --write-seeds ...` builds both seed corpora instead (see FuzzSeedCorpus).
        .executableTarget(name: "FuzzCaptureFile", dependencies: [
            "FuzzSupport", "LibFuzzerDriver", "FuzzSeedCorpus", .product(name: "OverlayWire", package: "OverlayTrace"),
            .product(name: "OverlayCapture", package: "OverlayTrace"),
        ]),
        // The seed corpora: frames and files from captures, synth samples and fault cases, file-format variants.
        .target(name: "FuzzSeedCorpus", dependencies: [
            "FuzzSupport", .product(name: "OverlayWire", package: "OverlayTrace"),
            .product(name: "OverlayCapture", package: "OverlayTrace"),
            .product(name: "OverlaySynth", package: "OverlayTrace"),
        ]),
    ]
)
