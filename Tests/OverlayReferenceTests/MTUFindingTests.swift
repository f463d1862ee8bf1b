import OverlayReference
import OverlaySynth
import OverlayWire
import Testing

/// Underlay MTU, fragments and ICMP too-big (MTUModel).
@Suite struct MTUFindingTests {
    typealias T = Topology

    /// Outer IP length = 20 + 8 (UDP) + 8 (Geneve) + 14 + 20 + 20 + payload.
    static func data(payload: Int, id: UInt16 = 1) -> [SynthLayer] {
        Inner.tcp(T.web01, T.web02, flags: ack | psh, id: id, payload: payload)
    }

    @Test func outerPacketLongerThanTheUnderlayMTU() throws {
        var c = CaptureScript()
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Self.data(payload: 1400))             // 1490 bytes: fine
        let big = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Self.data(payload: 1560, id: 2))  // 1650 bytes
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.mtu], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .error)
        #expect(f.frames == [big])
        #expect(f.message.contains("largest 1650 bytes") && f.message.contains("MTU of 1600"))
        // The same capture on a 1700-byte underlay is fine.
        #expect(c.replay(ReferenceSwitchConfiguration(underlayMTU: 1700)).1.isEmpty)
    }

    @Test func outerFragmentsOfTunnelPackets() throws {
        var c = CaptureScript()
        let whole = CaptureScript.tunnelFrame(T.esxi01, T.esxi02, vni: T.web, Self.data(payload: 1400), outerID: 0x4242, dontFragment: false)
        let pieces = PacketBuilder.fragmentIPv4(whole, mtu: 1000)
        #expect(pieces.count == 2)
        let frames = pieces.map { c.add($0) }
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.mtu], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .warning)
        #expect(f.frames == frames)
        #expect(f.message.contains("fragmented in the underlay"))
    }

    @Test func fragmentsOnAPathThatSetsDFAreAnError() throws {
        var c = CaptureScript()
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Self.data(payload: 100))  // DF set, as NSX sends
        let whole = CaptureScript.tunnelFrame(T.esxi01, T.esxi02, vni: T.web, Self.data(payload: 1400, id: 2), outerID: 0x4243, dontFragment: false)
        let frames = PacketBuilder.fragmentIPv4(whole, mtu: 1000).map { c.add($0) }
        let (_, findings) = c.replay()
        let f = try #require(findings.of(.mtu).first, "\(findings.listing)")
        #expect(f.severity == .error)
        #expect(f.frames == frames)
        #expect(f.message.contains("DF set"))
    }

    @Test func fragmentationNeededIsMatchedToTheTunnelPacketThatCausedIt() throws {
        var c = CaptureScript()
        let tunnelBytes = CaptureScript.tunnelFrame(T.esxi01, T.esxi02, vni: T.web, Self.data(payload: 1460), outerID: 0x1234)
        let cause = c.add(tunnelBytes)  // 1550 bytes: within the configured 1600, too big for a 1500 link
        // The router quotes the outer IP header, UDP and the Geneve header (Linux quotes up to 576 bytes).
        let quoted = Array(tunnelBytes[14..<(14 + 20 + 8 + 8 + 20)])
        let router = IPv4Address(172, 20, 11, 1)
        let icmp = c.add(PacketBuilder.build([.ethernet(src: T.gatewayMAC, dst: T.tepMAC(T.esxi01)),
                                              .ipv4(src: router, dst: T.esxi01, ttl: 255),
                                              .icmpError(type: 3, code: 4, mtu: 1500, quoting: quoted)]))
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.mtu], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .error)
        #expect(f.frames == [icmp])
        #expect(f.message.contains("It answers frame \(cause)") && f.message.contains("MTU 1500"))
        #expect(f.vni == T.web)
    }

    @Test func offloadSuperFramesAreNotJudgedAgainstTheMTU() throws {
        var c = CaptureScript()
        let frame = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Self.data(payload: 12_000))
        let findings = c.replay().1
        #expect(findings.map(\.severity) == [.info], "\(findings.listing)")
        #expect(findings.first?.frames == [frame])
        #expect(findings.first?.message.contains("segmentation offload") == true)
    }
}
