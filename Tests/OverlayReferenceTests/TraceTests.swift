import OverlayInventory
import OverlayReference
import OverlayWire
import Testing

/// `overlaytrace trace`: the expected path of a synthetic packet through the model.
@Suite struct TraceTests {
    typealias T = Topology
    let inventory = T.inventory()

    @Test func sameSegmentAcrossHosts() throws {
        let r = ReferenceSwitch.expectedPath(from: "web-01", to: "10.1.10.12", protocolSpec: "tcp/80", inventory: inventory)
        #expect(r.verdict == .delivered)
        #expect(r.pathClass == .eastWestSameSegment)
        #expect(r.hops.map(\.kind) == [.workload, .tep, .tunnel, .tep, .workload])
        let tunnel = try #require(r.tunnelHops.first)
        #expect(tunnel.sourceTEP == .v4(T.esxi01) && tunnel.destinationTEP == .v4(T.esxi02) && tunnel.vni == T.web)
        #expect(tunnel.text.contains("00:50:56:aa:10:11 → 00:50:56:aa:10:12") && tunnel.text.contains("TTL 64"))
        #expect(r.hops.last?.text.contains("tcp 10.1.10.11 → 10.1.10.12:80") == true)
    }

    @Test func routedOnTheSourceHost() throws {
        let r = ReferenceSwitch.expectedPath(from: "10.1.10.11", to: "10.1.20.11", protocolSpec: "tcp/443", inventory: inventory)
        #expect(r.verdict == .delivered)
        #expect(r.pathClass == .eastWestRouted)
        #expect(r.hops.map(\.kind) == [.workload, .router, .tep, .tunnel, .tep, .workload])
        let router = r.hops[1].text
        #expect(router.contains("on esxi-01") && router.contains("TTL 64 → 63") && router.contains("02:50:56:56:44:52"))
        #expect(router.contains("web (VNI 69632) → app (VNI 73728)"))
        let tunnel = try #require(r.tunnelHops.first)
        #expect(tunnel.sourceTEP == .v4(T.esxi01) && tunnel.destinationTEP == .v4(T.esxi03) && tunnel.vni == T.app)
    }

    @Test func northSouthThroughTheEdge() throws {
        let r = ReferenceSwitch.expectedPath(from: "web-01", to: "203.0.113.50", protocolSpec: "tcp/443", inventory: inventory)
        #expect(r.verdict == .delivered)
        #expect(r.pathClass == .northSouth)
        #expect(r.hops.map(\.kind) == [.workload, .router, .tep, .tunnel, .edge, .uplink])
        let tunnel = try #require(r.tunnelHops.first)
        #expect(tunnel.destinationTEP == .v4(T.edge01) && tunnel.vni == T.transit)
        #expect(r.hops[4].text.contains("SNAT 10.1.10.11 → 192.0.2.10 (rule 10.1.0.0/16)"))
        #expect(r.hops[5].text.contains("VLAN 100") && r.hops[5].text.contains("tcp 192.0.2.10 → 203.0.113.50:443"))
    }

    @Test func sameHostNeverCrossesTheUnderlay() {
        let r = ReferenceSwitch.expectedPath(from: "web-01", to: "web-04", protocolSpec: nil, inventory: inventory)
        #expect(r.verdict == .delivered)
        #expect(r.pathClass == .sameHost)
        #expect(r.tunnelHops.isEmpty)
        #expect(r.hops.map(\.kind) == [.workload, .note, .workload])
        #expect(r.hops[1].text.contains("never crosses the underlay"))
        #expect(r.hops[0].text.contains("icmp echo"))
    }

    @Test func cannotDeliverReasons() {
        func reason(_ from: String, _ to: String, _ spec: String? = nil, _ inv: Inventory? = nil) -> String {
            let r = ReferenceSwitch.expectedPath(from: from, to: to, protocolSpec: spec, inventory: inv ?? inventory)
            if case .cannotDeliver(let why) = r.verdict { return why }
            return "delivered"
        }
        #expect(reason("vm-nope", "10.1.10.12").hasPrefix("unknown source 'vm-nope'"))
        #expect(reason("web-01", "10.1.10.12", "sctp/9").hasPrefix("cannot read protocol 'sctp/9'"))
        #expect(reason("web-01", "10.1.10.77").contains("no workload with IP 10.1.10.77"))
        var noEdge = inventory
        noEdge.edges = []
        #expect(reason("web-01", "203.0.113.50", "tcp/443", noEdge).hasPrefix("no edge"))
        var noRouter = inventory
        noRouter.routers = []
        #expect(reason("web-01", "10.1.20.11", "tcp/443", noRouter).hasPrefix("no route"))
        #expect(reason("web-01", "10.1.10.11").contains("same address"))
    }
}
