import Testing
import Foundation
import OverlayWire
import OverlaySynth
import OverlayCapture
import OverlayTables
@testable import OverlayAnalysis

@Suite("Streaming state: the steady-state fast path and the compact per-flow records")
struct StreamingStateTests {
    @Test("synth mix (OVN option on most packets, flows over many tunnels): fast path and layer walk agree",
          arguments: [4, 2, 7])
    func steadyPathMatchesTheLayerWalk(evidence: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streaming-state-\(getpid())-\(evidence).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try BigCaptureGenerator(packets: 30_000, teps: 8, vnis: 6, flows: 400, seed: 77).write(to: path)
        var configuration = AnalysisConfiguration(maxEvidencePerLeg: evidence, exactSourcePortLimit: 16)
        configuration.validatesWithReferenceSwitch = false
        let fast = try CaptureAnalysis.analyze(paths: [path], configuration: configuration)
        let walked = try CaptureAnalysis.analyze(paths: [path], configuration: configuration, walkLayers: true)
        #expect(fast.flows.count > 300)
        #expect(CorpusTests.digest(fast) == CorpusTests.digest(walked))
        #expect(fast.tunnels.map(\.options) == walked.tunnels.map(\.options))
        #expect(fast.tunnels.map { [$0.dontFragmentPackets, $0.fragmentablePackets, $0.criticalPackets, $0.largestOuterPacketFrame] }
                == walked.tunnels.map { [$0.dontFragmentPackets, $0.fragmentablePackets, $0.criticalPackets, $0.largestOuterPacketFrame] })
        #expect(fast.flows.map { $0.legs.map { "\($0.frames) \($0.ttlRange.map { "\($0)" } ?? "-") \($0.tcpFlags ?? "-") \($0.last.frame)" } }
                == walked.flows.map { $0.legs.map { "\($0.frames) \($0.ttlRange.map { "\($0)" } ?? "-") \($0.tcpFlags ?? "-") \($0.last.frame)" } })
        #expect(fast.flows.allSatisfy { $0.legs.allSatisfy { $0.frames.count == min(evidence, $0.packets) } })
    }

    @Test("groups of frames (lookups loaded ahead, a partial group at the end) give what frame by frame gives",
          arguments: [1, 2])
    func groupedIngestMatchesFrameByFrame(threads: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streaming-groups-\(getpid())-\(threads).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try BigCaptureGenerator(packets: 20_003, teps: 8, vnis: 6, flows: 300, seed: 5).write(to: path)
        let single = try CaptureAnalysis.analyze(paths: [path])
        let timeline = try CaptureTimeline(paths: [path])
        let analyzer = OverlayAnalyzer()
        let pipeline = AnalysisPipeline(analyzer: analyzer, decoder: PacketDecoder(), threads: threads)
        timeline.forEach { frame, bytes in pipeline.ingest(frame: frame, bytes: bytes) }
        pipeline.finish()
        let grouped = analyzer.finish(files: [path], warnings: timeline.warnings)
        #expect(grouped.capture.packets == 20_003 && single.flows.count > 200)
        #expect(CorpusTests.digest(grouped) == CorpusTests.digest(single))
        #expect(grouped.findings == single.findings)
        #expect(grouped.tunnels.map(\.options) == single.tunnels.map(\.options))
        #expect(grouped.flows.map { $0.legs.map { "\($0.frames) \($0.last.frame) \($0.packets) \($0.bytes)" } }
                == single.flows.map { $0.legs.map { "\($0.frames) \($0.last.frame) \($0.packets) \($0.bytes)" } })
    }

    @Test("index table: the candidate is the record a lookup finds (tags differ), -1 for a hash not stored")
    func candidate() {
        let hasher = KeyHasher()
        var table = IndexTable(capacity: 4)
        let hashes = (0..<40).map { hasher.hash(UInt64($0), 7) }
        for (i, h) in hashes.enumerated() { table.insert(h, index: Int32(i)) { hashes[Int($0)] } }
        for (i, h) in hashes.enumerated() {
            #expect(table.candidate(h) == Int32(i))
            #expect(table.find(h) { $0 == Int32(i) } == Int32(i))
        }
        #expect(table.candidate(hasher.hash(99, 7)) == -1)
        #expect(IndexTable().candidate(hasher.hash(1, 2)) == -1)
    }

    @Test("evidence sample: the first frames up to the limit, four inline and more out of line")
    func evidenceSample() {
        for limit in [0, 1, 4, 6] {
            var s = EvidenceSample()
            for frame in 10..<20 { s.append(frame, limit: limit) }
            #expect(s.frames == Array(10..<(10 + limit)))
            #expect(s.count == limit && s.first == (limit > 0 ? 10 : nil))
        }
    }

    @Test("option kinds per tunnel: the first inline, the others in order, capped by the limit")
    func optionKinds() {
        let key = TunnelKey(source: .v4(IPv4Address(rawValue: 1)), destination: .v4(IPv4Address(rawValue: 2)), vni: 5, encapsulation: .geneve)
        var t = TunnelState(key: key, sourceTEP: 0, destinationTEP: 1, segment: 0)
        let kept = [t.countOption(0x0102, 0x80, limit: 2), t.countOption(0x0102, 0x80, limit: 2), t.countOption(0x0104, 1, limit: 2),
                    t.countOption(0x0105, 1, limit: 2), t.countOption(0x0104, 1, limit: 2)]
        #expect(kept == [true, true, true, false, true])
        #expect(t.options.map { "\($0.optionClass)/\($0.type)/\($0.packets)" } == ["258/128/2", "260/1/2"])
        var none = TunnelState(key: key, sourceTEP: 0, destinationTEP: 1, segment: 0)
        let keptNone = none.countOption(0x0102, 0x80, limit: 0)
        #expect(!keptNone && none.options.isEmpty)
    }

    @Test("flow records derive their addresses from the key")
    func addressesFromKey() {
        let a = IPAddress.v6(IPv6Address(high: 0x2001_0db8 << 32, low: 7)), b = IPAddress.v4(IPv4Address(rawValue: 0x0A00_0001))
        for (src, dst) in [(a, a), (b, IPAddress.v4(IPv4Address(rawValue: 0x0A00_0002)))] {
            let (key, d) = FlowKey.make(scope: 9, kind: .udp, proto: 17, family: src.family, src: src.words, sport: 53,
                                        dst: dst.words, dport: 4000)
            let f = FlowState(key: key)
            #expect(f.source(d) == src && f.destination(d) == dst)
        }
        let (l2, _) = FlowKey.make(scope: 9, kind: .l2, proto: 0, family: 0, src: (0, 1), sport: 0x88CC, dst: (0, 2), dport: 0x88CC)
        #expect(FlowState(key: l2).addressA == nil && FlowState(key: l2).addressB == nil)
    }

    /// The sizes the per-flow memory budget is made of (see `FlowState`): a change that grows them shows here.
    @Test("per-flow and per-tunnel records stay small")
    func recordSizes() {
        print("StreamingStateTests: FlowState \(MemoryLayout<FlowState>.stride) B, FlowLegState \(MemoryLayout<FlowLegState>.stride) B, "
              + "TunnelState \(MemoryLayout<TunnelState>.stride) B, EndpointState \(MemoryLayout<EndpointState>.stride) B; "
              + "result: Flow \(MemoryLayout<Flow>.stride) B, FlowLeg \(MemoryLayout<FlowLeg>.stride) B, PathHop \(MemoryLayout<PathHop>.stride) B")
        #expect(MemoryLayout<FlowState>.stride <= 408 && MemoryLayout<FlowLegState>.stride <= 176)
        #expect(MemoryLayout<TunnelState>.stride <= 264)
    }
}
