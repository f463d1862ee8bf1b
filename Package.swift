// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way:
//   overlaytrace (CLI) → OverlayTraceCLI → OverlayReport → OverlayAnalysis → OverlayReference → OverlayInventory → OverlayWire
//                                       → OverlayCapture → COverlayPcap (libpcap)
//   OverlayReference, OverlayAnalysis → OverlayTables (open-addressing tables).
//   OverlayReport → COverlayCmark (libcmark). OverlayWire imports nothing: no C, no Foundation.
let package = Package(
    name: "OverlayTrace",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "overlaytrace", targets: ["overlaytrace"]),
        .library(name: "OverlayWire", targets: ["OverlayWire"]),
        // For the libFuzzer package in Tests/Fuzz (a nested package can use only products of this one).
        .library(name: "OverlayCapture", targets: ["OverlayCapture"]),
        .library(name: "OverlaySynth", targets: ["OverlaySynth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COverlayPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"]), .brew(["libpcap"])]
        ),
        .systemLibrary(
            name: "COverlayCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"]), .brew(["cmark"])]
        ),
        // Pure-Swift decoding core: bounds-checked views over bytes, value types, no C and no Foundation.
        .target(name: "OverlayWire"),
        // Capture I/O over libpcap: files (pcap/pcapng/stdin), live interfaces, BPF, writing pcaps.
        .target(name: "OverlayCapture", dependencies: ["COverlayPcap", "OverlayWire"]),
        // Deterministic generator of overlay captures (samples, tests, benchmarks). Pure Swift.
        .target(name: "OverlaySynth", dependencies: ["OverlayWire"]),
        // Names and intent: inventory files (YAML/JSON) and OVN southbound dumps.
        .target(name: "OverlayInventory", dependencies: ["OverlayWire", .product(name: "Yams", package: "Yams")]),
        // The embedded reference switch: a model of distributed logical switching/routing.
        // Open-addressing index tables and keyed hashing shared by the per-packet state of the reference switch and
        // the analysis (no SipHash per packet). Pure Swift.
        .target(name: "OverlayTables"),
        .target(name: "OverlayReference", dependencies: ["OverlayWire", "OverlayInventory", "OverlayTables"]),
        // Topology, flows and paths reconstructed from decoded packets; inventory; findings.
        .target(
            name: "OverlayAnalysis",
            dependencies: ["OverlayWire", "OverlayInventory", "OverlayReference", "OverlayTables"]
        ),
        // Markdown / HTML (libcmark) / JSON rendering of analysis results.
        .target(name: "OverlayReport", dependencies: ["OverlayAnalysis", "COverlayCmark"]),
        // Subcommands (thin): parse options, wire the layers together, print.
        .target(
            name: "OverlayTraceCLI",
            dependencies: [
                "OverlayWire", "OverlayCapture", "OverlayInventory", "OverlayAnalysis", "OverlayReference",
                "OverlayReport", "OverlaySynth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "overlaytrace", dependencies: ["OverlayTraceCLI"]),
        .executableTarget(
            name: "overlaytrace-bench",
            dependencies: ["OverlayWire", "OverlayCapture", "OverlaySynth", "OverlayAnalysis", "OverlayReference"],
            path: "Sources/overlaytrace-bench"
        ),
        .testTarget(name: "OverlayWireTests", dependencies: ["OverlayWire", "OverlaySynth"]),
        .testTarget(name: "OverlayCaptureTests", dependencies: ["OverlayCapture", "OverlayWire", "OverlaySynth"]),
        .testTarget(
            name: "OverlayAnalysisTests",
            dependencies: ["OverlayAnalysis", "OverlayReference", "OverlayWire", "OverlaySynth", "OverlayCapture"]
        ),
        .testTarget(name: "OverlayInventoryTests", dependencies: ["OverlayInventory", "OverlayWire"]),
        .testTarget(name: "OverlayReferenceTests", dependencies: ["OverlayReference", "OverlayInventory", "OverlayWire", "OverlaySynth"]),
        .testTarget(name: "OverlayReportTests", dependencies: ["OverlayReport", "OverlayAnalysis", "OverlaySynth"]),
        .testTarget(name: "OverlayTraceCLITests", dependencies: ["OverlayTraceCLI", "OverlaySynth", "OverlayWire"]),
    ]
)
