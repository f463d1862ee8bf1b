import Foundation
import OverlayAnalysis
import OverlayCapture
import OverlayReference
import OverlaySynth
import OverlayWire
import Testing

/// The two-thread pipeline (reference switch on its own thread, fed batches of decoded packets) against the
/// plain one-thread `ingest`: same findings, same flows and paths. Run under ThreadSanitizer by
/// Tests/run-sanitizers.sh thread.
struct AnalysisPipelineTests {
    private func analyze(_ frames: [SynthFrame], threads: Int, configuration: AnalysisConfiguration) -> AnalysisResult {
        let analyzer = OverlayAnalyzer(configuration: configuration)
        let pipeline = AnalysisPipeline(analyzer: analyzer, decoder: PacketDecoder(), threads: threads)
        #expect(pipeline.isParallel == (threads > 1))
        for (i, f) in frames.enumerated() {
            let frame = FrameInfo(number: i + 1, timestamp: f.timestamp, capturedLength: f.bytes.count, wireLength: f.wireLength,
                                  linkType: .ethernet)
            f.bytes.withUnsafeBytes { pipeline.ingest(frame: frame, bytes: $0) }
        }
        pipeline.finish()
        pipeline.finish()   // idempotent
        return analyzer.finish(files: ["test.pcap"], warnings: [])
    }

    @Test(arguments: FaultScenario.allCases)
    func twoThreadsFindWhatOneThreadFinds(fault: FaultScenario) {
        let c = fault.build()
        var configuration = AnalysisConfiguration()
        configuration.reference.completeUnderlayView = fault == .incompleteReplication
        let one = analyze(c.frames, threads: 1, configuration: configuration)
        let two = analyze(c.frames, threads: 2, configuration: configuration)
        #expect(one.findings == two.findings)
        #expect(one.findings.contains { Set($0.frames).isSuperset(of: c.frameNumbers) }, "\(fault.rawValue)")
        #expect(one.flows.map(\.forwardPath) == two.flows.map(\.forwardPath))
    }

    /// The pipeline decodes plain tunneled packets without their layers (`LayerRecording.unlessPlain`), the
    /// analyzer's own `ingest` takes whatever it is given: fed every packet with all its layers, it must come to
    /// the same result, for every sample and fault scenario (ARP, BFD, ICMP errors, fragments, VLANs, VXLAN …).
    @Test(arguments: SampleScenario.allCases.map(\.rawValue) + FaultScenario.allCases.map(\.rawValue))
    func packetsWithoutLayersAnalyzeLikeLayeredOnes(name: String) {
        let sample = SampleScenario(rawValue: name)
        let frames = sample?.frames() ?? FaultScenario(rawValue: name)?.build().frames ?? []
        let piped = analyze(frames, threads: 1, configuration: AnalysisConfiguration())
        let analyzer = OverlayAnalyzer()
        let decoder = PacketDecoder()
        #expect(decoder.configuration.layers == .always)
        var plain = 0
        for (i, f) in frames.enumerated() {
            let frame = FrameInfo(number: i + 1, timestamp: f.timestamp, capturedLength: f.bytes.count, wireLength: f.wireLength,
                                  linkType: .ethernet)
            let packet = decoder.decode(f.bytes, wireLength: f.wireLength)
            #expect(packet.layersRecorded)
            if packet.isPlainTunneled { plain += 1 }
            analyzer.ingest(frame: frame, packet: packet)
        }
        let layered = analyzer.finish(files: ["test.pcap"], warnings: [])
        // Every sample scenario but the BFD one (BFD only) has workload packets: plain, decoded without layers.
        #expect(!frames.isEmpty && (sample == nil || sample == .bfd || plain > 0), "\(name)")
        #expect(CorpusTests.digest(piped) == CorpusTests.digest(layered), "\(name)")
        #expect(piped.findings == layered.findings, "\(name)")
        #expect(piped.tunnels.map(\.options) == layered.tunnels.map(\.options), "\(name)")
        #expect(piped.tunnels.map(\.criticalPackets) == layered.tunnels.map(\.criticalPackets), "\(name)")
        #expect(piped.flows.map(\.forwardPath) == layered.flows.map(\.forwardPath), "\(name)")
        #expect(piped.flows.map(\.reversePath) == layered.flows.map(\.reversePath), "\(name)")
        #expect(piped.problems == layered.problems, "\(name)")
    }

    @Test func batchesInFlightAreRecycledOverALongCapture() {
        // Far more batches than are in flight, ending in a partial one: every frame reaches the reference switch.
        var frames: [SynthFrame] = []
        let c = FaultScenario.macFlap.build()
        let perRound = c.frames.count
        let rounds = (AnalysisPipeline.batchSize * AnalysisPipeline.batchesInFlight * 3) / perRound + 1
        for r in 0..<rounds {
            for f in c.frames {
                var g = f
                g.timestamp.seconds += Int64(r) * 600   // each round well after the flap window
                frames.append(g)
            }
        }
        let one = analyze(frames, threads: 1, configuration: AnalysisConfiguration())
        let two = analyze(frames, threads: 2, configuration: AnalysisConfiguration())
        #expect(two.capture.packets == frames.count)
        #expect(Set(one.findings.map(\.kind)) == Set(two.findings.map(\.kind)))
        // Past the caps the kept evidence is the earliest by frame: one thread or two, the findings are the same.
        #expect(one.findings == two.findings)
        #expect(two.findings.contains { $0.kind == .macFlap })
    }

    @Test func flowsBuiltOnTwoThreadsAreTheFlowsOfOne() throws {
        // Enough flows for `finish` to split them between two threads (and an odd count, so the halves differ).
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("finish-threads-\(getpid()).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try BigCaptureGenerator(packets: 12_000, teps: 8, vnis: 12, flows: 1_001, seed: 5).write(to: path)
        var configuration = AnalysisConfiguration()
        configuration.validatesWithReferenceSwitch = false
        let one = try CaptureAnalysis.analyze(paths: [path], configuration: configuration, threads: 1)
        let two = try CaptureAnalysis.analyze(paths: [path], configuration: configuration, threads: 2)
        #expect(one.flows.count > 600)
        #expect(CorpusTests.digest(one) == CorpusTests.digest(two))
        #expect(one.flows.map(\.id) == Array(1...one.flows.count))
        #expect(two.flows.map(\.id) == one.flows.map(\.id))
        #expect(two.flows.map(\.forwardPath) == one.flows.map(\.forwardPath))
        #expect(two.flows.map(\.reversePath) == one.flows.map(\.reversePath))
        #expect(two.flows.map { [$0.classReason] + $0.remarks + $0.teps.map(\.description) } == one.flows.map { [$0.classReason] + $0.remarks + $0.teps.map(\.description) })
        #expect(two.flows.map { $0.legs.map { "\($0.frames) \($0.ovn?.text ?? "-") \($0.sourceTEPs)" } } == one.flows.map { $0.legs.map { "\($0.frames) \($0.ovn?.text ?? "-") \($0.sourceTEPs)" } })
        #expect(two.segments.map(\.flows) == one.segments.map(\.flows))
    }

    @Test func aHealthySyntheticCaptureValidatesWithoutFindings() throws {
        // The generator models a healthy overlay (every SYN and echo request answered at once, VMs pinned to
        // their TEPs, switched inner TTL 64): the reference switch must agree with all of it, on one thread or two.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("healthy-synth-\(getpid()).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try BigCaptureGenerator(packets: 40_000, teps: 10, vnis: 12, flows: 2_000, seed: 11).write(to: path)
        for threads in [1, 2] {
            let result = try CaptureAnalysis.analyze(paths: [path], threads: threads)
            #expect(result.flows.count > 1_000)
            #expect(result.findings.isEmpty, "\(result.findings.prefix(3).map(\.message))")
            #expect(!result.limits.anyDropped || result.limits.natCandidatesNotKept > 0, "\(result.limits.descriptions)")
        }
    }

    @Test func aCaptureReadAheadByTheReferenceThreadAnalyzesAsOneThreadDoes() throws {
        // The reference thread reads the file ahead between batches (`readAhead`); the reading thread takes the
        // blocks it finds read, reads the others itself: the result must be that of one thread reading plainly.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("read-ahead-\(getpid()).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try BigCaptureGenerator(packets: 30_000, teps: 8, vnis: 10, flows: 1_500, seed: 23).write(to: path)
        func run(threads: Int, readAhead: Bool) throws -> AnalysisResult {
            let timeline = try CaptureTimeline(paths: [path], readAhead: readAhead ? .standard : nil)
            let analyzer = OverlayAnalyzer()
            let pipeline = AnalysisPipeline(analyzer: analyzer, decoder: PacketDecoder(), threads: threads,
                                            readAhead: timeline.readAheadWork)
            #expect(pipeline.isParallel == (threads == 2))
            timeline.forEach { frame, bytes in pipeline.ingest(frame: frame, bytes: bytes) }
            pipeline.finish()
            #expect(timeline.framesDelivered == 30_000)
            return analyzer.finish(files: [path], warnings: timeline.warnings, threads: threads)
        }
        let plain = try run(threads: 1, readAhead: false)
        let ahead = try run(threads: 2, readAhead: true)
        #expect(plain.flows.count > 1_000)
        #expect(CorpusTests.digest(plain) == CorpusTests.digest(ahead))
        #expect(plain.findings == ahead.findings)
        #expect(plain.capture.packets == ahead.capture.packets && plain.capture.bytes == ahead.capture.bytes)
    }
}
