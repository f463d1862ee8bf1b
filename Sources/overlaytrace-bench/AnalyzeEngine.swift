#if canImport(Glibc)
import Glibc
#endif
import OverlayAnalysis
import OverlayCapture
import OverlayReference
import OverlayWire

/// The analysis engine alone, without the report: CaptureTimeline → AnalysisPipeline (decode, grouped ingest),
/// then `finish`. Separates the engine's cost from rendering in `overlaytrace analyze`.
struct AnalyzeEngine {
    var verifyChecksums = true
    /// Which consumers see the decoded packets: both (what `analyze` does), the analysis state alone, or the
    /// reference switch alone; the parts' times show where the engine's time goes.
    var part = Part.all
    /// 2: the reference switch on a second thread (`AnalysisPipeline`, what `analyze` does on two CPUs).
    var threads = 1
    /// With two threads, the reference thread reads the capture ahead (`ReadAheadFile`), as `analyze` does.
    var readAhead = true

    enum Part: String, CaseIterable {
        case all, analysis, reference
    }

    struct Totals {
        var packets = 0
        var flows = 0
        var teps = 0
        var segments = 0
        var findings = 0
        var ingestSeconds = 0.0
        var finishSeconds = 0.0
        /// `--part reference`: the seconds spent replaying decoded batches through the reference switch (what the
        /// reference thread of `AnalysisPipeline` does), decoding excluded.
        var replaySeconds: Double?
        /// Allocations during the per-packet loop (nil unless malloc-count.c is preloaded).
        var ingestAllocations: UInt64?
    }

    func run(path: String) throws(CaptureError) -> Totals {
        var configuration = DecoderConfiguration()
        configuration.verifyChecksums = verifyChecksums
        let decoder = PacketDecoder(configuration: configuration)
        var analysis = AnalysisConfiguration()
        analysis.validatesWithReferenceSwitch = part == .all
        // Only a pipeline with a reference thread fills the ring (`--part analysis` and `reference` have none).
        let readsAhead = readAhead && AnalysisPipeline.usesReferenceThread(threads: threads, configuration: analysis)
        let timeline = try CaptureTimeline(paths: [path], readAhead: readsAhead ? .standard : nil)
        let analyzer = OverlayAnalyzer(configuration: analysis)
        let reference = ReferenceSwitch(configuration: analysis.reference, inventory: nil)
        var t = Totals()
        let allocationsBefore = MallocCounter.current
        let start = monotonicSeconds()
        if part == .reference {
            t.replaySeconds = replayInBatches(timeline, decoder, reference)
        } else {
            // The pipeline on one thread too: the analysis state takes grouped frames, as in `analyze`.
            let pipeline = AnalysisPipeline(analyzer: analyzer, decoder: decoder, threads: threads, readAhead: timeline.readAheadWork)
            timeline.forEach { frame, bytes in pipeline.ingest(frame: frame, bytes: bytes) }
            pipeline.finish()
        }
        let ingested = monotonicSeconds()
        if let before = allocationsBefore, let after = MallocCounter.current { t.ingestAllocations = after - before }
        if part == .reference {
            t.findings = reference.finish().count
            t.finishSeconds = monotonicSeconds() - ingested
            t.ingestSeconds = ingested - start
            t.packets = timeline.framesDelivered
            return t
        }
        let result = analyzer.finish(files: [path], warnings: timeline.warnings, threads: threads)
        t.finishSeconds = monotonicSeconds() - ingested
        t.ingestSeconds = ingested - start
        t.packets = timeline.framesDelivered
        t.flows = result.flows.count
        t.teps = result.teps.count
        t.segments = result.segments.count
        t.findings = result.findings.count
        return t
    }
}

/// Decodes the capture in batches of `AnalysisPipeline.batchSize` and replays each through `reference` as the
/// pipeline's reference thread does; returns the replay time alone.
private func replayInBatches(_ timeline: CaptureTimeline, _ decoder: PacketDecoder, _ reference: ReferenceSwitch) -> Double {
    let capacity = AnalysisPipeline.batchSize
    let frames = UnsafeMutablePointer<FrameInfo>.allocate(capacity: capacity)
    frames.initialize(repeating: FrameInfo(number: 0, timestamp: Timestamp(seconds: 0, nanoseconds: 0), capturedLength: 0,
                                           wireLength: 0, linkType: .ethernet), count: capacity)
    let packets = UnsafeMutablePointer<DecodedPacket>.allocate(capacity: capacity)
    packets.initialize(repeating: DecodedPacket(), count: capacity)
    defer {
        frames.deinitialize(count: capacity); frames.deallocate()
        packets.deinitialize(count: capacity); packets.deallocate()
    }
    var count = 0, seconds = 0.0
    func replay() {
        let start = monotonicSeconds()
        reference.observe(frames: frames, packets: packets, count: count)
        seconds += monotonicSeconds() - start
        count = 0
    }
    timeline.forEach { frame, bytes in
        decoder.decode(bytes, linkType: frame.linkType, wireLength: frame.wireLength, into: &packets[count])
        frames[count] = frame
        count += 1
        if count == capacity { replay() }
    }
    if count > 0 { replay() }
    return seconds
}

/// The allocation counter of Tests/Benchmarks/malloc-count.c when it is preloaded (looked up with dlsym).
enum MallocCounter {
    typealias Counter = @convention(c) () -> UInt64
    static var current: UInt64? {
        guard let symbol = dlsym(nil, "overlaytrace_malloc_count") else { return nil }
        return unsafeBitCast(symbol, to: Counter.self)()
    }
}
