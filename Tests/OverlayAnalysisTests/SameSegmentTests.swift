import Testing
import OverlayWire
import OverlaySynth
@testable import OverlayAnalysis

@Suite("Same-segment east/west (OverlaySynth sameSegment: ARP 1–3, ping 4–9, HTTP 10–18)")
struct SameSegmentTests {
    typealias T = Topo

    @Test("TEPs, segment, workloads behind TEPs, and the TCP flow's path with inventory names")
    func withInventory() throws {
        let r = Feed(Scenario.sameSegment(), inventory: T.inventory).finish()

        #expect(r.teps.map(\.ip) == [.v4(T.esxi01.ip), .v4(T.esxi02.ip), .v4(T.esxi03.ip)])
        #expect(r.teps.map(\.name) == ["esxi-01", "esxi-02", "esxi-03"])
        #expect(r.teps.allSatisfy { $0.vnis == [T.web] })
        #expect(r.teps[0].macs == [T.esxi01.mac])
        #expect(r.teps.map(\.role) == [.host, .host, .unknown])
        #expect(r.segments.map(\.vni) == [T.web])
        #expect(r.segments[0].name == "web" && r.segments[0].subnetsDeclared)
        #expect(r.segments[0].teps.count == 3)
        #expect(r.routers.isEmpty)

        let web01 = try #require(r.endpoint(mac: T.web01.mac, vni: T.web))
        #expect(web01.tep == .v4(T.esxi01.ip) && web01.location == .learned)
        #expect(web01.ips == [.v4(T.web01.ip)] && web01.name == "web-01")
        #expect(web01.label == "VM web-01 10.1.10.11 (00:50:56:aa:10:11)")
        #expect(r.endpoint(mac: T.web02.mac, vni: T.web)?.tep == .v4(T.esxi02.ip))

        let tcp = try #require(r.flows.first { $0.protocolName == "tcp" })
        #expect(tcp.flowClass == .eastWestSameSegment)
        #expect(tcp.source == .v4(T.web01.ip) && tcp.destination == .v4(T.web02.ip) && tcp.destinationPort == 80)
        #expect(tcp.forwardPath.pathText ==
            "VM web-01 10.1.10.11 (00:50:56:aa:10:11) → TEP 172.20.11.51 (esxi-01) → Geneve VNI 69632 (web) → TEP 172.20.11.52 (esxi-02) → VM web-02 10.1.10.12")
        #expect(tcp.reversePath.pathText ==
            "VM web-02 10.1.10.12 (00:50:56:aa:10:12) → TEP 172.20.11.52 (esxi-02) → Geneve VNI 69632 (web) → TEP 172.20.11.51 (esxi-01) → VM web-01 10.1.10.11")
        #expect(tcp.forwardPath.map(\.kind) == [.workload, .tep, .segment, .tep, .workload])
        #expect(tcp.forward.packets == 6 && tcp.reverse.packets == 3)
        // Evidence: the first four frames of each leg, never all of them.
        #expect(tcp.legs.map(\.frames) == [[10, 12, 13, 15], [11, 14, 17]])
        #expect(tcp.frames == [10, 11, 12, 13, 14, 15, 17])
        #expect(tcp.forwardPath[1].frames == [10, 12, 13, 15])
        #expect(tcp.tcpState == .closed)
        #expect(tcp.teps == [.v4(T.esxi01.ip), .v4(T.esxi02.ip)])
        #expect(tcp.vnis == [T.web])
        #expect(tcp.classReason == "switched inside VNI 69632 from TEP 172.20.11.51 (esxi-01) to TEP 172.20.11.52 (esxi-02)")

        let ping = try #require(r.flows.first { $0.protocolName == "icmp" })
        #expect(ping.frames == [4, 5, 6, 7, 8, 9] && ping.flowClass == .eastWestSameSegment && ping.icmpIdentifier != nil)
        #expect(r.notes.contains { $0.contains("never crosses the underlay") })
    }

    @Test("ARP is head-end replicated to every other TEP of the segment, and answered")
    func arpReplication() throws {
        let r = Feed(Scenario.sameSegment(), inventory: T.inventory).finish()
        let arp = try #require(r.flows.first)
        #expect(arp.protocolName == "arp" && arp.flowClass == .eastWestSameSegment)
        #expect(arp.forwardPath.pathText ==
            "VM web-01 10.1.10.11 (00:50:56:aa:10:11) → TEP 172.20.11.51 (esxi-01) → Geneve VNI 69632 (web) → replicated to TEP 172.20.11.52 (esxi-02), TEP 172.20.11.53 (esxi-03) → broadcast (who-has 10.1.10.12)")
        #expect(arp.forwardPath[3].kind == .replication && arp.forwardPath[3].teps == [.v4(T.esxi02.ip), .v4(T.esxi03.ip)])
        #expect(arp.reversePath.last?.text == "VM web-01 10.1.10.11")
        #expect(arp.frames == [1, 2, 3])
        let toThree = try #require(r.tunnels.first { $0.destination == .v4(T.esxi03.ip) })
        #expect(toThree.packets == 1 && toThree.innerFlows == 1)
    }

    @Test("Without an inventory the same path names addresses only, and the /24 is derived")
    func withoutInventory() throws {
        let r = Feed(Scenario.sameSegment()).finish()
        let tcp = try #require(r.flows.first { $0.protocolName == "tcp" })
        #expect(tcp.forwardPath.pathText ==
            "VM 10.1.10.11 (00:50:56:aa:10:11) → TEP 172.20.11.51 → Geneve VNI 69632 → TEP 172.20.11.52 → VM 10.1.10.12")
        #expect(r.segments[0].subnets.map(\.description) == ["10.1.10.0/24"] && !r.segments[0].subnetsDeclared)
        #expect(r.teps.allSatisfy { $0.name == nil })
        #expect(r.edges.isEmpty)
    }

    @Test("Tunnel statistics: ECMP source ports, outer TTL, DF, largest outer packet")
    func tunnelStatistics() throws {
        let r = Feed(Scenario.sameSegment()).finish()
        #expect(r.tunnels.count == 3)
        let t = try #require(r.tunnels.first { $0.source == .v4(T.esxi01.ip) && $0.destination == .v4(T.esxi02.ip) })
        #expect(t.packets == 1 + 3 + 6)
        #expect(t.innerFlows == 3)
        #expect(t.sourcePortSpread == 3 && t.sourcePortSpreadText == "3" && !t.sourcePortSpreadSaturated)
        #expect(t.outerTTLs == [64])
        #expect(t.dontFragmentPackets == t.packets && t.fragmentablePackets == 0)
        #expect(t.encapsulation == .geneve)
        #expect(t.largestOuterPacket > 50 && t.largestOuterPacketFrame >= 10)
    }
}
