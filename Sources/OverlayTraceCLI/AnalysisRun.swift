import ArgumentParser
import Foundation
import OverlayAnalysis
import OverlayCapture
import OverlayInventory
import OverlayReference
import OverlayReport
import OverlayWire

/// Options shared by `analyze` and `validate`: the inventory and the reference switch's knobs.
struct AnalysisOptions: ParsableArguments {
    @Option(name: .long, help: "Inventory: YAML/JSON file or OVN southbound JSON dumps (`ovn-sbctl --format=json list TABLE`); repeatable.")
    var inventory: [String] = []

    @Option(name: .long, help: "Underlay MTU the outer packets are checked against (NSX needs at least 1600).")
    var mtu: Int = 1600

    @Flag(name: .customLong("complete-underlay"),
          help: "The capture sees the whole underlay (a span of every TEP link, or every TEP's capture merged): also judge head-end replication of BUM frames between TEPs other than the capture point's.")
    var completeUnderlay = false

    @Flag(name: .long, help: "No progress line on stderr.")
    var quiet = false

    @Option(name: .long, help: "Threads: 1, or 2 to run the reference switch beside the analysis on a second core; 'auto' uses 2 when two CPUs are online.")
    var threads: ThreadCount = .auto

    func validate() throws {
        if mtu < 68 || mtu > 65535 { throw ValidationError("--mtu must be between 68 and 65535") }
    }

    func loadInventory() throws -> Inventory? {
        guard !inventory.isEmpty else { return nil }
        do {
            return try Inventory.load(paths: inventory)
        } catch {
            throw CommandFailure("cannot use the inventory: \(error)")
        }
    }

    var configuration: AnalysisConfiguration {
        var c = AnalysisConfiguration()
        c.reference.underlayMTU = mtu
        c.reference.completeUnderlayView = completeUnderlay
        return c
    }
}

/// `--threads`: a count, or `auto` (two when two CPUs are online).
enum ThreadCount: ExpressibleByArgument, Equatable {
    case auto
    case fixed(Int)

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let n = Int(argument), (1...2).contains(n) {
            self = .fixed(n)
        } else {
            return nil
        }
    }

    var defaultValueDescription: String { "auto" }

    var count: Int {
        switch self {
        case .auto: return AnalysisPipeline.automaticThreads
        case .fixed(let n): return n
        }
    }
}

/// Severity threshold for the exit status.
enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case info, warning, error, never

    var severity: Finding.Severity? {
        switch self {
        case .info: return .info
        case .warning: return .warning
        case .error: return .error
        case .never: return nil
        }
    }

    func failed(_ findings: [Finding]) -> Bool {
        guard let threshold = severity else { return false }
        return findings.contains { $0.severity >= threshold }
    }
}

/// One streaming pass: capture → decoder → analysis engine (with the reference switch) → result.
enum AnalysisRun {
    static func run(input: InputOptions, options: AnalysisOptions) throws -> AnalysisResult {
        try run(files: input.files, filter: input.filter, decoder: input.decoderConfiguration,
                inventory: try options.loadInventory(), configuration: options.configuration, quiet: options.quiet,
                threads: options.threads.count)
    }

    static func run(files: [String], filter: String?, decoder decoderConfiguration: DecoderConfiguration,
                    inventory: Inventory?, configuration: AnalysisConfiguration, quiet: Bool,
                    threads: Int = AnalysisPipeline.automaticThreads) throws -> AnalysisResult {
        let readAhead = AnalysisPipeline.usesReferenceThread(threads: threads, configuration: configuration)
        let timeline = try openTimeline(files: files, filter: filter, readAhead: readAhead ? .standard : nil)
        let analyzer = OverlayAnalyzer(configuration: configuration, inventory: inventory)
        let pipeline = AnalysisPipeline(analyzer: analyzer, decoder: PacketDecoder(configuration: decoderConfiguration), threads: threads,
                                        readAhead: timeline.readAheadWork)
        let progress = ProgressLine(enabled: !quiet)
        var packets = 0
        var bytes = 0
        timeline.forEach { frame, data in
            pipeline.ingest(frame: frame, bytes: data)
            packets += 1
            bytes += frame.capturedLength
            progress.update(packets: packets, bytes: bytes)
        }
        pipeline.finish()
        progress.finish()
        for w in timeline.warnings { StandardError.line(w) }
        return analyzer.finish(files: files, warnings: timeline.warnings, threads: threads)
    }
}
