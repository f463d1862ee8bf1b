import Testing
import OverlayWire
@testable import OverlayAnalysis

@Suite("Routed east/west and north/south")
struct RoutedAndNorthSouthTests {
    typealias T = Topo

    @Test("A distributed-router MAC is found from traffic alone, and the routed flow's path shows it")
    func routedWithoutInventory() throws {
        let feed = Feed()
        Scenario.routed(feed)
        let r = feed.finish()

        let router = try #require(r.router(mac: T.routerMAC))
        #expect(router.vnis == [T.web, T.app])
        #expect(router.kind == .distributed)
        #expect(!router.declared)
        #expect(router.reasons.contains { $0.contains("several segments") })
        #expect(router.reasons.contains { $0.contains("TTL") })
        #expect(router.teps == [.v4(T.esxi01.ip), .v4(T.esxi03.ip)])
        // The router is not a workload; the two VMs are, learned as destinations.
        #expect(r.endpoints.map(\.mac) == [T.web01.mac, T.app01.mac])
        let app = try #require(r.endpoint(mac: T.app01.mac, vni: T.app))
        #expect(app.location == .destination && app.tep == .v4(T.esxi03.ip) && app.ips == [.v4(T.app01.ip)])

        #expect(r.flows.count == 1)
        let f = try #require(r.flows.first)
        #expect(f.flowClass == .eastWestRouted)
        #expect(f.vnis == [T.web, T.app])
        #expect(f.forwardPath.pathText ==
            "VM 10.1.10.11 (00:50:56:aa:10:11) → distributed router 02:50:56:56:44:52 (VNI 69632 → 73728, TTL 64 → 63) → TEP 172.20.11.51 → Geneve VNI 73728 → TEP 172.20.11.53 → VM 10.1.20.11")
        #expect(f.reversePath.pathText ==
            "VM 10.1.20.11 (00:50:56:aa:20:11) → distributed router 02:50:56:56:44:52 (VNI 73728 → 69632, TTL 64 → 63) → TEP 172.20.11.53 → Geneve VNI 69632 → TEP 172.20.11.51 → VM 10.1.10.11")
        let hop = f.forwardPath[1]
        #expect(hop.kind == .router && hop.fromVNI == T.web && hop.vni == T.app && hop.ttlBefore == 64 && hop.ttlAfter == 63)
        #expect(hop.frames == [1, 3])
        #expect(f.frames == [1, 2, 3])
        #expect(f.tcpState == .established)
        #expect(f.teps == [.v4(T.esxi01.ip), .v4(T.esxi03.ip)])
        #expect(f.remarks.contains { $0.contains("source VNI 69632 inferred") })
        #expect(r.notes.contains { $0.contains("Distributed routing happens on the source host") })
    }

    @Test("With the inventory, routed hops carry names")
    func routedWithInventory() throws {
        let feed = Feed(inventory: T.inventory)
        Scenario.routed(feed)
        let f = try #require(feed.finish().flows.first)
        #expect(f.forwardPath.pathText ==
            "VM web-01 10.1.10.11 (00:50:56:aa:10:11) → distributed router t1-dr 02:50:56:56:44:52 (VNI 69632 → 73728, TTL 64 → 63) → TEP 172.20.11.51 (esxi-01) → Geneve VNI 73728 (app) → TEP 172.20.11.53 (esxi-03) → VM app-01 10.1.20.11")
    }

    @Test("North/south: transit VNI to the edge, SNAT on uplink VLAN 100 correlated into one flow")
    func northSouthWithoutInventory() throws {
        let feed = Feed()
        Scenario.northSouth(feed)
        let r = feed.finish()

        #expect(r.flows.count == 1)
        let f = try #require(r.flows.first)
        #expect(f.flowClass == .northSouth)
        #expect(f.source == .v4(T.web02.ip) && f.destination == .v4(T.outsideHost) && f.destinationPort == 443)
        let nat = try #require(f.translation)
        #expect(nat.kind == .snat && nat.inside == .v4(T.web02.ip) && nat.outside == .v4(T.snatAddress))
        #expect(nat.insidePort == 40_002 && nat.outsidePort == 61_000)
        #expect(f.vlans == [T.uplinkVLAN])
        #expect(f.vnis == [T.web, T.transit])
        #expect(f.forwardPath.pathText ==
            "VM 10.1.10.12 (00:50:56:aa:10:12) → distributed router 02:50:56:56:44:53 (VNI 69632 → 71680, TTL 64 → 63) → TEP 172.20.11.52 → Geneve transit VNI 71680 → edge TEP 172.20.11.100 → uplink VLAN 100, SNAT 10.1.10.12:40002 → 192.0.2.10:61000 → outside 203.0.113.50")
        #expect(f.reversePath.pathText ==
            "outside 203.0.113.50 → uplink VLAN 100, un-SNAT 192.0.2.10:61000 → 10.1.10.12:40002 → distributed router 02:50:56:56:44:52 (VNI 71680 → 69632, TTL 62 → 61) → edge TEP 172.20.11.100 → Geneve VNI 69632 → TEP 172.20.11.52 → VM 10.1.10.12")
        #expect(f.frames == [1, 2, 3, 4, 5, 6])
        #expect(f.tcpState == .established)
        #expect(f.forward.packets == 2 && f.reverse.packets == 1)

        let edge = try #require(r.edges.first)
        #expect(r.edges.count == 1)
        #expect(edge.tep == .v4(T.edge01.ip) && edge.role == .edge)
        #expect(edge.uplinkVLANs == [T.uplinkVLAN])
        #expect(edge.transitVNIs.contains(T.transit))
        #expect(edge.translations.map(\.outside) == [.v4(T.snatAddress)])
        #expect(r.tep(.v4(T.edge01.ip))?.role == .edge)
        #expect(r.tep(.v4(T.esxi02.ip))?.role == .host)

        let transit = try #require(r.segment(vni: T.transit))
        #expect(transit.kind == .transit)
        #expect(transit.routerMACs == [T.routerTransitMAC, T.serviceRouterMAC])
        #expect(r.router(mac: T.serviceRouterMAC)?.kind == .gateway)
        #expect(r.router(mac: T.routerTransitMAC)?.kind == .distributed)
        #expect(r.segment(vni: T.web)?.subnets.map(\.description) == ["10.1.10.0/24"])
    }

    @Test("North/south with the inventory: names on the edge and the transit segment")
    func northSouthWithInventory() throws {
        let feed = Feed(inventory: T.inventory)
        Scenario.northSouth(feed)
        let f = try #require(feed.finish().flows.first)
        #expect(f.forwardPath.pathText ==
            "VM web-02 10.1.10.12 (00:50:56:aa:10:12) → distributed router t1-dr 02:50:56:56:44:53 (VNI 69632 → 71680, TTL 64 → 63) → TEP 172.20.11.52 (esxi-02) → Geneve transit VNI 71680 (transit) → edge TEP 172.20.11.100 (edge-01) → uplink VLAN 100, SNAT 10.1.10.12:40002 → 192.0.2.10:61000 → outside 203.0.113.50")
    }

    @Test("North/south seen on the overlay only: the tunnel leg alone is enough, and the report says what is missing")
    func northSouthOverlayOnly() throws {
        let feed = Feed()
        Scenario.northSouth(feed)
        // Same scenario without the uplink frames: rebuild from a fresh feed that skips them.
        let overlay = Feed()
        let t = Topo.self
        overlay.add(t.geneve(t.esxi02, t.edge01, vni: t.transit, sport: 55_000,
                             t.tcp(t.routerTransitMAC, t.serviceRouterMAC, t.web02.ip, t.outsideHost, sport: 40_002, dport: 443,
                                   flags: t.syn, ttl: 63)))
        overlay.add(t.geneve(t.edge01, t.esxi02, vni: t.web, sport: 56_000,
                             t.tcp(t.routerMAC, t.web02.mac, t.outsideHost, t.web02.ip, sport: 443, dport: 40_002,
                                   flags: t.synAck, ttl: 61)))
        let r = overlay.finish()
        let f = try #require(r.flows.first)
        #expect(r.flows.count == 1)
        #expect(f.flowClass == .northSouth)
        #expect(f.translation == nil)
        #expect(f.forwardPath.last?.text == "outside 203.0.113.50")
        #expect(f.remarks.contains { $0.contains("uplink leg is not in the capture") })
        #expect(r.tep(.v4(t.edge01.ip))?.role == .edge)
    }
}
