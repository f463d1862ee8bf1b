import OverlayReference
import OverlaySynth
import OverlayWire
import Testing

/// Known unicast, unknown-unicast floods and BUM replication (LogicalSwitchModel).
@Suite struct DeliveryFindingTests {
    typealias T = Topology

    @Test func knownUnicastToTheWrongTEPIsAMisdelivery() throws {
        var c = CaptureScript()
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53))
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000))
        let wrong1 = c.tunnel(T.esxi01, T.esxi03, vni: T.web, Inner.tcp(T.web01, T.web02, flags: syn, id: 2))
        let wrong2 = c.tunnel(T.esxi01, T.esxi03, vni: T.web, Inner.tcp(T.web01, T.web02, flags: syn, id: 3))
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.misdelivery], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .error)
        #expect(f.frames == [wrong1, wrong2])
        #expect(f.vni == T.web)
        #expect(f.message.contains("00:50:56:aa:10:12") && f.message.contains("172.20.11.53"))
        #expect(f.expected?.contains("172.20.11.52") == true)
    }

    @Test func inventoryPlacementIsTheExpectationUntilTheCaptureShowsTheMAC() throws {
        var c = CaptureScript()
        let wrong = c.tunnel(T.esxi01, T.esxi03, vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000))
        let (_, findings) = c.replay(inventory: T.inventory())
        let f = try #require(findings.of(.misdelivery).first, "\(findings.listing)")
        #expect(f.frames == [wrong])
        #expect(f.message.contains("inventory places it behind esxi-02"))
    }

    /// A router MAC that is not NSX's default (an OVN-style router port MAC), learnt from behaviour: seen
    /// behind every TEP with routed TTLs. Frames addressed to it are not misdeliveries and it never flaps.
    @Test func learntRouterMACBehindEveryTEPIsNeitherMisdeliveryNorFlap() {
        let router = MACAddress(0x0a, 0x58, 0x0a, 0x01, 0x14, 0x01)
        var c = CaptureScript()
        for round in 0..<3 {
            let id = UInt16(round * 10)
            c.tunnel(T.esxi01, T.esxi03, vni: T.app, Inner.tcp(mac: (router, T.app01.mac), ip: (T.web01.ip, T.app01.ip), sport: 40000, dport: 443, flags: ack, ttl: 63, id: id))
            c.tunnel(T.esxi02, T.esxi03, vni: T.app, Inner.tcp(mac: (router, T.app01.mac), ip: (T.web02.ip, T.app01.ip), sport: 40001, dport: 443, flags: ack, ttl: 63, id: id + 1))
            // app-01 answers the router port MAC; the model last saw it behind esxi-02, the reply goes to esxi-01.
            c.tunnel(T.esxi03, T.esxi01, vni: T.app, Inner.tcp(mac: (T.app01.mac, router), ip: (T.app01.ip, T.web01.ip), sport: 443, dport: 40000, flags: ack, ttl: 64, id: id + 2))
        }
        let (model, findings) = c.replay()
        #expect(findings.isEmpty, "false positives:\n\(findings.listing)")
        #expect(model.routerMACs.contains(router))
    }

    @Test func unknownUnicastReplicatedToSeveralTEPsIsAFlood() throws {
        let ghost = Workload(name: "ghost", mac: MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x99), ip: IPv4Address(10, 1, 10, 99), vni: T.web, tep: T.esxi02)
        var c = CaptureScript()
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000))
        let copies = c.replicate(T.esxi01, to: [T.esxi02, T.esxi03, T.edge01], vni: T.web, Inner.tcp(T.web01, ghost, flags: syn, id: 9))
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.unknownUnicastFlood], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .warning)
        #expect(f.frames == copies)
        #expect(f.message.contains("3 TEPs") && f.message.contains("had not been seen as a source"))
    }

    /// A known MAC flooded anyway (the correct TEP got a copy too): a flood, not a misdelivery.
    @Test func knownMACFloodedIsAFloodNotAMisdelivery() throws {
        var c = CaptureScript()
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53))
        let copies = c.replicate(T.esxi01, to: [T.esxi02, T.esxi03], vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000, id: 4))
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.unknownUnicastFlood], "\(findings.listing)")
        #expect(findings.first?.frames == copies)
        #expect(findings.first?.message.contains("learnt it behind TEP 172.20.11.52") == true)
    }

    /// web-02 (esxi-02) and web-03 (esxi-03) are active before and after web-01's broadcast, and the capture
    /// shows esxi-01's traffic to both, but only esxi-02 gets a copy.
    static func partialReplication(web03TEP: IPv4Address = T.esxi03) -> (CaptureScript, Int) {
        var w3 = T.web03
        w3.tep = web03TEP
        var c = CaptureScript()
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53, id: 1))
        c.tunnel(w3.tep, T.esxi01, vni: T.web, Inner.udp(w3, T.web01, sport: 5001, dport: 53, id: 1))
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000, id: 2))
        c.tunnel(T.esxi01, w3.tep, vni: T.web, Inner.udp(T.web01, w3, sport: 53, dport: 5001, id: 3))
        let broadcast = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.arpRequest(from: T.web01, for: w3.ip))
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53, id: 4))
        c.tunnel(w3.tep, T.esxi01, vni: T.web, Inner.udp(w3, T.web01, sport: 5001, dport: 53, id: 5))
        return (c, broadcast)
    }

    @Test func broadcastMissingASegmentTEPIsIncompleteReplication() throws {
        let (c, broadcast) = Self.partialReplication()
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.incompleteReplication], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .warning)
        #expect(f.frames == [broadcast])
        #expect(f.message.contains("TEP 172.20.11.53 takes part in the segment (from frame 2)"))
        #expect(f.observed == "copies to TEP 172.20.11.52 only")
    }

    /// On esxi-02's uplink the capture cannot know what esxi-01 sent to esxi-03: nothing to judge.
    @Test func replicationIsNotJudgedWhereTheCaptureCannotSeeTheCopies() {
        let (all, _) = Self.partialReplication()
        var uplink = CaptureScript()
        for f in all.frames where f.packet.outer.sourceIP == .v4(T.esxi02) || f.packet.outer.destinationIP == .v4(T.esxi02) {
            uplink.add(f.bytes)
        }
        let (_, findings) = uplink.replay()
        #expect(findings.isEmpty, "\(findings.listing)")
    }

    /// NSX two-tier replication: a TEP in another subnet gets its copy through a proxy TEP, not directly.
    @Test func tepsInOtherSubnetsAreOwedNoDirectCopyUnlessConfigured() {
        let (c, broadcast) = Self.partialReplication(web03TEP: IPv4Address(172, 20, 12, 53))
        #expect(c.replay().1.isEmpty)
        var headEnd = ReferenceSwitchConfiguration()
        headEnd.tepSubnetPrefixLengthV4 = 0
        let findings = c.replay(headEnd).1
        #expect(findings.map(\.kind) == [.incompleteReplication])
        #expect(findings.first?.frames == [broadcast])
    }
}
