import Testing
import OverlayWire
import OverlaySynth
@testable import OverlayAnalysis

@Suite("Memory stays bounded by flows and endpoints; caps are reported")
struct BoundsTests {
    typealias T = Topo

    /// 100 TCP flows between web-01 and web-02 (both directions), decoded once and replayed.
    static func decodedFlows(count: Int = 100) -> [DecodedPacket] {
        let decoder = PacketDecoder()
        var out: [DecodedPacket] = []
        for i in 0..<count {
            let sport = UInt16(20_000 + i)
            out.append(decoder.decode(T.geneve(T.esxi01, T.esxi02, vni: T.web, sport: 50_000 + UInt16(i),
                                               T.tcp(T.web01.mac, T.web02.mac, T.web01.ip, T.web02.ip, sport: sport, dport: 443, flags: T.ack))))
            out.append(decoder.decode(T.geneve(T.esxi02, T.esxi01, vni: T.web, sport: 60_000 + UInt16(i),
                                               T.tcp(T.web02.mac, T.web01.mac, T.web02.ip, T.web01.ip, sport: 443, dport: sport, flags: T.ack))))
        }
        return out
    }

    static func replay(_ packets: [DecodedPacket], into a: OverlayAnalyzer, from start: Int, count: Int) {
        for n in start..<(start + count) {
            let p = packets[n % packets.count]
            let frame = FrameInfo(number: n + 1, timestamp: Timestamp(seconds: 1_700_000_000 + Int64(n / 1000), nanoseconds: UInt32(n % 1000) * 1000),
                                  capturedLength: p.capturedLength, wireLength: p.wireLength, linkType: .ethernet)
            a.ingest(frame: frame, packet: p)
        }
    }

    @Test("200k packets of the same 100 flows: tables and stored evidence do not grow after the first pass")
    func flatMemory() throws {
        let packets = Self.decodedFlows()
        let a = OverlayAnalyzer()
        Self.replay(packets, into: a, from: 0, count: 20_000)
        let early = a.footprint
        Self.replay(packets, into: a, from: 20_000, count: 180_000)
        let late = a.footprint
        #expect(early == late)
        #expect(late.flows == 100)
        #expect(late.evidenceFrames == 100 * 2 * 4)
        #expect(late.endpoints == 2 && late.teps == 2 && late.tunnels == 2 && late.segments == 1)
        #expect(late.endpointMoves == 0)
        let r = a.finish(files: ["replay"], warnings: [])
        #expect(r.capture.packets == 200_000)
        #expect(r.flows.count == 100)
        #expect(r.flows.allSatisfy { $0.frames.count == 8 && $0.forward.packets == 1000 && $0.reverse.packets == 1000 })
        #expect(r.flows.allSatisfy { $0.flowClass == .eastWestSameSegment })
        let t = try #require(r.tunnels.first)
        #expect(t.packets == 100_000 && t.innerFlows == 100)
        #expect(t.sourcePortSpreadSaturated && t.sourcePortSpreadText == "≥64")
        #expect(!r.limits.anyDropped)
    }

    @Test("Full tables are reported, never silent")
    func capsReported() throws {
        let packets = Self.decodedFlows()
        let a = OverlayAnalyzer(configuration: AnalysisConfiguration(maxFlows: 10, maxEvidencePerLeg: 2))
        Self.replay(packets, into: a, from: 0, count: 1_000)
        #expect(a.footprint.flows == 10)
        #expect(a.footprint.evidenceFrames == 10 * 2 * 2)
        let r = a.finish(files: ["replay"], warnings: [])
        #expect(r.flows.count == 10)
        #expect(r.limits.packetsInUntrackedFlows == 1_000 - 10 * 2 * 5)
        #expect(r.limits.tablesFull["flows"] == 21)
        #expect(r.limits.anyDropped)
        #expect(r.notes.contains { $0.hasPrefix("Limit reached: flow table full (full from frame 21)") })
        // Endpoint learning still works for packets of untracked flows.
        #expect(r.endpoints.count == 2)
    }

    @Test("Endpoint moves and BFD state changes beyond their caps are counted")
    func perObjectCaps() throws {
        let feed = Feed(configuration: AnalysisConfiguration(maxMovesPerEndpoint: 2, maxBFDTransitions: 2))
        for i in 0..<6 {
            let tep = i % 2 == 0 ? T.esxi01 : T.esxi02
            feed.add(T.geneve(tep, T.esxi03, vni: T.web, T.ping(T.web01, T.web02, seq: UInt16(i))))
        }
        for state in [BFDControl.State.down, .initializing, .up, .down, .up] {
            feed.add(T.geneve(T.esxi01, T.esxi02, vni: 0, oam: true, [
                .ethernet(src: T.esxi01.mac, dst: T.esxi02.mac), .ipv4(src: T.esxi01.ip, dst: T.esxi02.ip, ttl: 255),
                .udp(sport: 49_152, dport: BFDControl.singleHopPort), .bfd(state: state, myDisc: 1, yourDisc: 2)]))
        }
        let r = feed.finish()
        let w = try #require(r.endpoint(mac: T.web01.mac, vni: T.web))
        #expect(w.moves.count == 2 && w.movesNotKept == 3)
        #expect(r.limits.movesNotKept == 3)
        let s = try #require(r.bfdSessions.first)
        #expect(s.transitions.count == 2 && s.transitionsNotKept == 3 && s.flaps == 1 && s.state == .up)
        #expect(r.limits.bfdTransitionsNotKept == 3)
        #expect(r.notes.contains("Limit reached: 3 endpoint moves were counted but not kept."))
    }
}
