import Testing
import OverlayWire
import OverlaySynth
@testable import OverlayAnalysis

@Suite("Routed east/west and north/south")
struct RoutedAndNorthSouthTests {
    typealias T = Topo

    @Test("routed (TCP 1–9, ping 10–13): the distributed-router MAC is found from traffic alone, the path shows it")
    func routedWithoutInventory() throws {
        let r = Feed(Scenario.routed()).finish()

        let router = try #require(r.router(mac: T.routerMAC))
        #expect(router.vnis == [T.web, T.app] && router.kind == .distributed && !router.declared)
        #expect(router.reasons.contains { $0.contains("several segments (VNIs 69632, 73728)") })
        #expect(router.reasons.contains { $0.contains("TTL below the usual initial values") })
        #expect(router.teps == [.v4(T.esxi01.ip), .v4(T.esxi03.ip)])
        #expect(router.frames == [1, 2])
        #expect(router.label == "distributed router 02:50:56:56:44:52")
        // The router is not a workload; the two VMs are, learned where frames for them went.
        #expect(r.endpoints.map(\.mac) == [T.web01.mac, T.app01.mac])
        let app = try #require(r.endpoint(mac: T.app01.mac, vni: T.app))
        #expect(app.location == .destination && app.tep == .v4(T.esxi03.ip) && app.ips == [.v4(T.app01.ip)])
        #expect(r.segments.map { $0.subnets.map(\.description) } == [["10.1.10.0/24"], ["10.1.20.0/24"]])

        #expect(r.flows.map(\.protocolName) == ["tcp", "icmp"])
        #expect(r.flows.allSatisfy { $0.flowClass == .eastWestRouted && $0.vnis == [T.web, T.app] })
        let f = r.flows[0]
        #expect(f.forwardPath.pathText ==
            "VM 10.1.10.11 (00:50:56:aa:10:11) → distributed router 02:50:56:56:44:52 (VNI 69632 → 73728, TTL 64 → 63) → TEP 172.20.11.51 → Geneve VNI 73728 → TEP 172.20.11.53 → VM 10.1.20.11")
        #expect(f.reversePath.pathText ==
            "VM 10.1.20.11 (00:50:56:aa:20:11) → distributed router 02:50:56:56:44:52 (VNI 73728 → 69632, TTL 64 → 63) → TEP 172.20.11.53 → Geneve VNI 69632 → TEP 172.20.11.51 → VM 10.1.10.11")
        let hop = f.forwardPath[1]
        #expect(hop.kind == .router && hop.fromVNI == T.web && hop.vni == T.app && hop.ttlBefore == 64 && hop.ttlAfter == 63)
        #expect(hop.frames == [1, 3, 4, 6] && hop.leg == 0)
        #expect(f.frames == [1, 2, 3, 4, 5, 6, 8])
        #expect(f.destinationPort == 443 && f.tcpState == .closed)
        #expect(f.teps == [.v4(T.esxi01.ip), .v4(T.esxi03.ip)])
        #expect(f.classReason == "routed by 02:50:56:56:44:52 between VNIs 69632, 73728")
        #expect(f.remarks.contains("routed on the source host: source VNI 69632 inferred from where 10.1.10.11 was learned"))
        #expect(r.flows[1].frames == [10, 11, 12, 13])
        #expect(r.notes.contains { $0.contains("Distributed routing happens on the source host") })
    }

    @Test("routed, with the inventory: hops carry names")
    func routedWithInventory() throws {
        let f = try #require(Feed(Scenario.routed(), inventory: T.inventory).finish().flows.first)
        #expect(f.forwardPath.pathText ==
            "VM web-01 10.1.10.11 (00:50:56:aa:10:11) → distributed router dr-01 02:50:56:56:44:52 (VNI 69632 → 73728, TTL 64 → 63) → TEP 172.20.11.51 (esxi-01) → Geneve VNI 73728 (app) → TEP 172.20.11.53 (esxi-03) → VM app-01 10.1.20.11")
    }

    @Test("north-south (TCP 1–18, DNS 19–22): transit VNI to the edge, SNAT on uplink VLAN 100, one flow per 5-tuple")
    func northSouthWithInventory() throws {
        let r = Feed(Scenario.northSouth(), inventory: T.inventory).finish()
        #expect(r.flows.map(\.protocolName) == ["tcp", "udp"])
        #expect(r.flows.allSatisfy { $0.flowClass == .northSouth && $0.vnis == [T.transit] && $0.vlans == [T.uplinkVLAN] })
        let f = r.flows[0]
        #expect(f.source == .v4(T.web02.ip) && f.destination == .v4(T.outsideHost) && f.destinationPort == 443)
        let nat = try #require(f.translation)
        #expect(nat.kind == .snat && nat.inside == .v4(T.web02.ip) && nat.outside == .v4(T.snatAddress) && nat.insidePort == nil)
        #expect(nat.frames == [1, 2])
        #expect(f.forwardPath.pathText ==
            "VM web-02 10.1.10.12 (00:50:56:aa:10:12) → distributed router dr-01 02:50:56:56:44:53 (VNI 69632 → 71680, TTL 64 → 63) → TEP 172.20.11.52 (esxi-02) → Geneve transit VNI 71680 (transit) → edge TEP 172.20.11.100 (edge-01) → uplink VLAN 100, SNAT 10.1.10.12 → 192.0.2.10 → outside 203.0.113.50")
        #expect(f.reversePath.pathText ==
            "outside 203.0.113.50 → uplink VLAN 100, un-SNAT 192.0.2.10 → 10.1.10.12 → gateway router 02:50:56:56:44:54 (into VNI 71680, TTL 56 → 55) → edge TEP 172.20.11.100 (edge-01) → Geneve transit VNI 71680 (transit) → TEP 172.20.11.52 (esxi-02) → distributed router dr-01 02:50:56:56:44:53 (VNI 71680 → 69632, TTL 55 → 54) → VM web-02 10.1.10.12")
        #expect(f.forwardPath.map(\.kind) == [.workload, .router, .tep, .segment, .edgeTEP, .uplink, .external])
        #expect(f.legs.count == 4)
        #expect(f.forward.packets == 6 && f.reverse.packets == 3)
        #expect(f.tcpState == .closed)
        #expect(f.remarks.contains { $0.contains("routed again at the far end") })

        let edge = try #require(r.edges.first)
        #expect(r.edges.count == 1)
        #expect(edge.tep == .v4(T.edge01.ip) && edge.role == .edge && edge.name == "edge-01")
        #expect(edge.uplinkVLANs == [T.uplinkVLAN] && edge.transitVNIs == [T.transit] && edge.flows == 2)
        #expect(edge.translations.map(\.outside) == [.v4(T.snatAddress)])
        #expect(r.tep(.v4(T.edge01.ip))?.role == .edge)
        #expect(r.tep(.v4(T.esxi02.ip))?.role == .host)
        #expect(r.segment(vni: T.transit)?.kind == .transit)
        #expect(r.router(mac: T.serviceRouterMAC)?.kind == .gateway)
        #expect(r.router(mac: T.routerTransitMAC)?.kind == .distributed)
    }

    @Test("north-south without an inventory: routers, transit and edge from traffic alone")
    func northSouthWithoutInventory() throws {
        let r = Feed(Scenario.northSouth()).finish()
        let f = try #require(r.flows.first)
        #expect(f.flowClass == .northSouth)
        #expect(f.forwardPath.pathText ==
            "VM 10.1.10.12 → distributed router 02:50:56:56:44:53 (into VNI 71680, TTL 64 → 63) → TEP 172.20.11.52 → Geneve transit VNI 71680 → edge TEP 172.20.11.100 → uplink VLAN 100, SNAT 10.1.10.12 → 192.0.2.10 → outside 203.0.113.50")
        #expect(f.remarks.contains("routed on the source host: the segment of 10.1.10.12 is not in the capture"))
        let transit = try #require(r.segment(vni: T.transit))
        #expect(transit.kind == .transit && transit.kindReason.contains("only router MACs"))
        #expect(transit.routerMACs == [T.routerTransitMAC, T.serviceRouterMAC])
        #expect(r.routers.map(\.kind) == [.distributed, .gateway])
        #expect(r.tep(.v4(T.edge01.ip))?.role == .edge)
        #expect(r.tep(.v4(T.esxi02.ip))?.roleReason.contains("distributed router") == true)
    }

    /// An NSX variant the sample does not generate: the edge's own DR instance routes the answer into the
    /// workload's segment, so the return leg arrives in VNI 69632 with the DR vMAC as source.
    @Test("north-south variant: the return leg routed into the segment by the edge's distributed router")
    func northSouthReturnRoutedOnEdge() throws {
        let feed = Feed()
        feed.add(T.geneve(T.esxi02, T.edge01, vni: T.transit, sport: 55_000,
                          T.tcp(T.routerTransitMAC, T.serviceRouterMAC, T.web02.ip, T.outsideHost, sport: 40_002, dport: 443, flags: T.syn, ttl: 63)))
        feed.add(PacketBuilder.build([.ethernet(src: T.edgeUplinkMAC, dst: T.physicalRouterMAC), .vlan(id: T.uplinkVLAN),
                                      .ipv4(src: T.snatAddress, dst: T.outsideHost, ttl: 62), .tcp(sport: 61_000, dport: 443, seq: 1, flags: T.syn)]))
        feed.add(PacketBuilder.build([.ethernet(src: T.physicalRouterMAC, dst: T.edgeUplinkMAC), .vlan(id: T.uplinkVLAN),
                                      .ipv4(src: T.outsideHost, dst: T.snatAddress, ttl: 63), .tcp(sport: 443, dport: 61_000, seq: 1, flags: T.synAck)]))
        feed.add(T.geneve(T.edge01, T.esxi02, vni: T.web, sport: 56_000,
                          T.tcp(T.routerMAC, T.web02.mac, T.outsideHost, T.web02.ip, sport: 443, dport: 40_002, flags: T.synAck, ttl: 61)))
        let r = feed.finish()
        #expect(r.flows.count == 1)
        let f = try #require(r.flows.first)
        #expect(f.flowClass == .northSouth && f.vnis == [T.web, T.transit])
        #expect(f.translation?.insidePort == 40_002 && f.translation?.outsidePort == 61_000)
        #expect(f.forwardPath.pathText ==
            "VM 10.1.10.12 (00:50:56:aa:10:12) → distributed router 02:50:56:56:44:53 (VNI 69632 → 71680, TTL 64 → 63) → TEP 172.20.11.52 → Geneve transit VNI 71680 → edge TEP 172.20.11.100 → uplink VLAN 100, SNAT 10.1.10.12:40002 → 192.0.2.10:61000 → outside 203.0.113.50")
        #expect(f.reversePath.pathText ==
            "outside 203.0.113.50 → uplink VLAN 100, un-SNAT 192.0.2.10:61000 → 10.1.10.12:40002 → distributed router 02:50:56:56:44:52 (VNI 71680 → 69632, TTL 62 → 61) → edge TEP 172.20.11.100 → Geneve VNI 69632 → TEP 172.20.11.52 → VM 10.1.10.12")
        #expect(r.router(mac: T.routerMAC)?.kind == .distributed)
        #expect(r.segment(vni: T.web)?.subnets.map(\.description) == ["10.1.10.0/24"])
    }

    @Test("north-south seen on the overlay only: the tunnel legs are enough, and the report says what is missing")
    func northSouthOverlayOnly() throws {
        let overlay = Scenario.northSouth().filter { frame in
            PacketDecoder().decode(frame.bytes).isTunneled
        }
        let r = Feed(overlay).finish()
        let f = try #require(r.flows.first)
        #expect(f.flowClass == .northSouth && f.translation == nil)
        #expect(f.forwardPath.last?.text == "outside 203.0.113.50")
        #expect(f.remarks.contains { $0.contains("uplink leg is not in the capture") })
        #expect(r.tep(.v4(T.edge01.ip))?.role == .edge)
        #expect(r.notes.contains { $0.contains("uplink leg is not in the capture") })
    }
}
