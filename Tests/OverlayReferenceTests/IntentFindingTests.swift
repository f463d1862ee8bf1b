import OverlayReference
import OverlayWire
import Testing

/// The inventory against the capture (IntentModel).
@Suite struct IntentFindingTests {
    typealias T = Topology

    @Test func workloadBehindAnotherTEPThanDeclared() throws {
        var c = CaptureScript()
        let seen = c.tunnel(T.esxi03, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53))
        c.tunnel(T.esxi01, T.esxi03, vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000))
        let (model, findings) = c.replay(inventory: T.inventory())
        #expect(findings.map(\.kind) == [.intent], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .warning)
        #expect(f.frames == [seen])
        #expect(f.message.contains("web-02") && f.message.contains("esxi-02 (172.20.11.52)") && f.message.contains("esxi-03 (172.20.11.53)"))
        // The capture wins over the declaration for delivery.
        #expect(model.location(of: T.web02.mac, vni: T.web) == .v4(T.esxi03))
    }

    @Test func undeclaredVNIAndTEP() throws {
        var c = CaptureScript()
        let rogue = IPv4Address(172, 20, 11, 99)
        var stranger = T.web01
        stranger.mac = MACAddress(0x00, 0x50, 0x56, 0xaa, 0x99, 0x01)
        stranger.ip = IPv4Address(10, 9, 9, 1)
        let a = c.tunnel(T.esxi01, T.esxi02, vni: 99_999, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000))
        let b = c.tunnel(rogue, T.esxi01, vni: T.web, Inner.udp(stranger, T.web01, sport: 53, dport: 5000))
        let findings = c.replay(inventory: T.inventory()).1.of(.intent)
        // Three disagreements: the VNI, web-01 sourcing in it, and the unknown TEP.
        #expect(findings.count == 3, "\(findings.listing)")
        let vni = try #require(findings.first { $0.message.hasPrefix("VNI 99999") })
        #expect(vni.frames == [a])
        let segment = try #require(findings.first { $0.message.hasPrefix("Workload web-01") })
        #expect(segment.frames == [a] && segment.message.contains("declared in VNI 69632 (web)"))
        let tep = try #require(findings.first { $0.message.contains("172.20.11.99") })
        #expect(tep.frames == [b])
        #expect(tep.message.contains("not a transport node"))
    }

    @Test func noIntentFindingsWithoutAnInventory() {
        var c = CaptureScript()
        c.tunnel(T.esxi01, T.esxi02, vni: 99_999, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000))
        #expect(c.replay().1.isEmpty)
    }
}
