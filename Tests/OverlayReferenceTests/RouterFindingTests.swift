import OverlayReference
import OverlaySynth
import OverlayWire
import Testing

/// VNI mismatch and TTL rules (DistributedRouterModel, TTLModel).
@Suite struct RouterFindingTests {
    typealias T = Topology

    @Test func sameSegmentFlowAnsweredInAnotherVNIIsAMismatch() throws {
        var c = CaptureScript()
        let out = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: syn))
        let back = c.tunnel(T.esxi02, T.esxi01, vni: T.app, Inner.tcp(T.web02, T.web01, sport: 80, dport: 40000, flags: synAck, seq: 7, ack: 1001))
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.vniMismatch], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .error)
        #expect(f.frames == [back])  // the direction that disagrees
        #expect(f.message.contains("frame \(out)"))
        #expect(f.message.contains("tcp 10.1.10.11:40000 → 10.1.10.12:80"))
        #expect(f.observed == "out in VNI 69632, back in VNI 73728")
    }

    /// Later packets of one flow direction lose TTL while the source MAC stays the sender's own.
    @Test func ttlDriftWithoutARouterIsFlagged() throws {
        var c = CaptureScript()
        let first = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: ack, ttl: 64, id: 1))
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.tcp(T.web02, T.web01, sport: 80, dport: 40000, flags: ack, id: 1))
        let lower = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: ack, seq: 1001, ttl: 63, id: 2))
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: ack, seq: 1002, ttl: 63, id: 3))
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.ttl], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .warning)
        #expect(f.frames == [lower])
        #expect(f.message.contains("dropped from 64 (frame \(first)) to 63"))
    }

    /// The same packet at two capture points (tunneled twice) with a different TTL: told once.
    @Test func samePacketWithAnotherTTLIsToldOnce() throws {
        var c = CaptureScript()
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: ack, ttl: 64, id: 77))
        let b = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: ack, ttl: 60, id: 77), after: 0.000_3)
        let findings = c.replay().1
        #expect(findings.map(\.kind) == [.ttl], "\(findings.listing)")
        #expect(findings.first?.frames == [b])
    }

    /// The same with IPv6 (hop limit): the recent-packet cache keeps IPv6 addresses beside its slots.
    @Test func hopLimitChangedBetweenVNICAndTunnelIsFlagged() throws {
        let (s, d) = (IPv6Address(high: 0xFD00_0000_0000_0010, low: 11), IPv6Address(high: 0xFD00_0000_0000_0010, low: 12))
        func packet(_ hopLimit: UInt8) -> [SynthLayer] {
            [.ethernet(src: T.web01.mac, dst: T.web02.mac), .ipv6(src: s, dst: d, hopLimit: hopLimit),
             .tcp(sport: 40000, dport: 80, seq: 1000, ack: 1, flags: ack)]
        }
        var c = CaptureScript()
        let a = c.add(PacketBuilder.build(packet(64)))
        let b = c.tunnel(T.esxi01, T.esxi02, vni: T.web, packet(60), after: 0.000_3)
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.ttl], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.frames == [a, b])
        #expect(f.message.contains("TTL 64") && f.message.contains("TTL 60") && f.message.contains("untunneled"))
        #expect(f.message.contains("fd00:0:0:10::b"))
    }

    /// A vNIC copy and the tunneled copy of one packet: same MACs, different TTL.
    @Test func ttlChangedBetweenVNICAndTunnelIsFlagged() throws {
        var c = CaptureScript()
        let a = c.add(PacketBuilder.build(Inner.tcp(T.web01, T.web02, flags: ack, ttl: 64, id: 77)))
        let b = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: ack, ttl: 60, id: 77), after: 0.000_3)
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.ttl], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.frames == [a, b])
        #expect(f.message.contains("TTL 64") && f.message.contains("TTL 60") && f.message.contains("untunneled"))
    }

    /// The vNIC copy (to the router MAC, TTL 64) and the routed copy (from the router MAC, VNI app) with TTL 64.
    @Test func routedWithoutDecrementIsFlagged() throws {
        var c = CaptureScript()
        let (w1, a1) = (T.web01, T.app01)
        let before = c.add(PacketBuilder.build(Inner.tcp(mac: (w1.mac, T.routerMAC), ip: (w1.ip, a1.ip), sport: 40100, dport: 443, flags: syn, ttl: 64, id: 4)))
        let after = c.tunnel(T.esxi01, T.esxi03, vni: T.app, Inner.tcp(mac: (T.routerMAC, a1.mac), ip: (w1.ip, a1.ip), sport: 40100, dport: 443, flags: syn, ttl: 64, id: 4))
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.ttl], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.frames == [before, after])
        #expect(f.message.contains("router MAC 02:50:56:56:44:52"))
    }
}
