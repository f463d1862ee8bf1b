import Testing
import OverlayWire
@testable import OverlayAnalysis

@Suite("Same-segment east/west")
struct SameSegmentTests {
    typealias T = Topo

    @Test("TEPs, segment, workloads and the TCP flow's path with inventory names")
    func withInventory() throws {
        let feed = Feed(inventory: T.inventory)
        Scenario.sameSegment(feed)
        let r = feed.finish()

        #expect(r.teps.map(\.ip) == [.v4(T.esxi01.ip), .v4(T.esxi02.ip), .v4(T.esxi03.ip)])
        #expect(r.teps.map(\.name) == ["esxi-01", "esxi-02", "esxi-03"])
        #expect(r.teps.allSatisfy { $0.vnis == [T.web] })
        #expect(r.teps[0].macs == [T.esxi01.mac])
        #expect(r.teps[0].role == .host)
        #expect(r.teps[2].role == .unknown)
        #expect(r.segments.map(\.vni) == [T.web])
        #expect(r.segments[0].name == "web")
        #expect(r.segments[0].teps.count == 3)

        let web01 = try #require(r.endpoint(mac: T.web01.mac, vni: T.web))
        #expect(web01.tep == .v4(T.esxi01.ip))
        #expect(web01.ips == [.v4(T.web01.ip)])
        #expect(web01.name == "web-01")
        #expect(web01.location == .learned)
        let web02 = try #require(r.endpoint(mac: T.web02.mac, vni: T.web))
        #expect(web02.tep == .v4(T.esxi02.ip))
        #expect(r.routers.isEmpty)

        let tcp = try #require(r.flows.first { $0.protocolName == "tcp" })
        #expect(tcp.flowClass == .eastWestSameSegment)
        #expect(tcp.source == .v4(T.web01.ip) && tcp.sourcePort == 40_000 && tcp.destinationPort == 80)
        #expect(tcp.forwardPath.pathText ==
            "VM web-01 10.1.10.11 (00:50:56:aa:10:11) → TEP 172.20.11.51 (esxi-01) → Geneve VNI 69632 (web) → TEP 172.20.11.52 (esxi-02) → VM web-02 10.1.10.12")
        #expect(tcp.reversePath.pathText ==
            "VM web-02 10.1.10.12 (00:50:56:aa:10:12) → TEP 172.20.11.52 (esxi-02) → Geneve VNI 69632 (web) → TEP 172.20.11.51 (esxi-01) → VM web-01 10.1.10.11")
        #expect(tcp.forwardPath.map(\.kind) == [.workload, .tep, .segment, .tep, .workload])
        #expect(tcp.frames == [4, 5, 6, 7, 8])
        #expect(tcp.forward.packets == 3 && tcp.reverse.packets == 2)
        #expect(tcp.tcpState == .established)
        #expect(tcp.teps == [.v4(T.esxi01.ip), .v4(T.esxi02.ip)])
        #expect(tcp.vnis == [T.web])
        #expect(tcp.classReason.contains("switched inside VNI 69632"))
        // The first four frames of each leg are the evidence, never more.
        #expect(tcp.legs.map(\.frames) == [[4, 6, 7], [5, 8]])
    }

    @Test("ARP is head-end replicated to every TEP of the segment and answered")
    func arpReplication() throws {
        let feed = Feed(inventory: T.inventory)
        Scenario.sameSegment(feed)
        let r = feed.finish()
        let arp = try #require(r.flows.first { $0.protocolName == "arp" })
        #expect(arp.flowClass == .eastWestSameSegment)
        #expect(arp.forwardPath.pathText ==
            "VM web-01 10.1.10.11 (00:50:56:aa:10:11) → TEP 172.20.11.51 (esxi-01) → Geneve VNI 69632 (web) → replicated to TEP 172.20.11.52 (esxi-02), TEP 172.20.11.53 (esxi-03) → broadcast (who-has 10.1.10.12)")
        #expect(arp.forwardPath[3].teps == [.v4(T.esxi02.ip), .v4(T.esxi03.ip)])
        #expect(arp.reversePath.last?.text == "VM web-01 10.1.10.11")
        #expect(arp.frames == [1, 2, 3])
        #expect(r.tunnels.count == 3)
        let toThree = try #require(r.tunnels.first { $0.destination == .v4(T.esxi03.ip) })
        #expect(toThree.packets == 1 && toThree.innerFlows == 1)
    }

    @Test("Without an inventory the same path names addresses only and derives the /24")
    func withoutInventory() throws {
        let feed = Feed()
        Scenario.sameSegment(feed)
        let r = feed.finish()
        let tcp = try #require(r.flows.first { $0.protocolName == "tcp" })
        #expect(tcp.forwardPath.pathText ==
            "VM 10.1.10.11 (00:50:56:aa:10:11) → TEP 172.20.11.51 → Geneve VNI 69632 → TEP 172.20.11.52 → VM 10.1.10.12")
        #expect(r.segments[0].subnets.map(\.description) == ["10.1.10.0/24"])
        #expect(r.segments[0].subnetsDeclared == false)
        #expect(r.teps.allSatisfy { $0.name == nil })
    }

    @Test("Tunnel statistics: ECMP source ports, TTL, DF, largest outer packet")
    func tunnelStatistics() throws {
        let feed = Feed()
        Scenario.sameSegment(feed)
        let r = feed.finish()
        let t = try #require(r.tunnels.first { $0.source == .v4(T.esxi01.ip) && $0.destination == .v4(T.esxi02.ip) })
        #expect(t.packets == 4)
        #expect(t.sourcePortSpread == 2 && t.sourcePortSpreadText == "2")
        #expect(t.outerTTLs == [64])
        #expect(t.dontFragmentPackets == 4 && t.fragmentablePackets == 0)
        #expect(t.encapsulation == .geneve)
        #expect(t.innerFlows == 2)
        #expect(t.largestOuterPacket > 50)
    }
}
