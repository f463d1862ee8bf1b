import OverlayWire

/// A tunnel endpoint: the underlay address and MAC of a transport node (NSX) or chassis (OVN).
public struct SynthTEP: Hashable, Sendable {
    public var name: String
    public var ip: IPv4Address
    public var mac: MACAddress
    public init(name: String, ip: IPv4Address, mac: MACAddress) {
        self.name = name
        self.ip = ip
        self.mac = mac
    }
}

/// A logical switch: its VNI, name and subnet.
public struct SynthSegment: Hashable, Sendable {
    public var name: String
    public var vni: UInt32
    public var subnet: String
    /// The distributed router's address on this segment, when it has one.
    public var gateway: IPv4Address?
    public init(name: String, vni: UInt32, subnet: String, gateway: IPv4Address?) {
        self.name = name
        self.vni = vni
        self.subnet = subnet
        self.gateway = gateway
    }
}

/// A VM (or container) port: inner MAC/IP, its segment and the TEP it sits behind.
public struct SynthWorkload: Hashable, Sendable {
    public var name: String
    public var mac: MACAddress
    public var ip: IPv4Address
    public var segment: SynthSegment
    public var tep: SynthTEP
    public init(name: String, mac: MACAddress, ip: IPv4Address, segment: SynthSegment, tep: SynthTEP) {
        self.name = name
        self.mac = mac
        self.ip = ip
        self.segment = segment
        self.tep = tep
    }
}

/// The NSX-flavoured reference topology every sample capture, doc and test uses.
///
/// Segment span (which TEPs head-end replication sends a segment's BUM traffic to): the distributed router
/// has an interface on web and app and runs on every host, so both segments are realized on all three
/// host TEPs (esxi-01..03) — a broadcast from esxi-01 in web goes to esxi-02 *and* esxi-03. The transit
/// segment is realized on the hosts and on edge-01. The edge does not join web or app.
public enum SampleTopology {
    public static let esxi01 = SynthTEP(name: "esxi-01", ip: IPv4Address(172, 20, 11, 51), mac: MACAddress(0x00, 0x50, 0x56, 0x6b, 0x00, 0x51))
    public static let esxi02 = SynthTEP(name: "esxi-02", ip: IPv4Address(172, 20, 11, 52), mac: MACAddress(0x00, 0x50, 0x56, 0x6b, 0x00, 0x52))
    public static let esxi03 = SynthTEP(name: "esxi-03", ip: IPv4Address(172, 20, 11, 53), mac: MACAddress(0x00, 0x50, 0x56, 0x6b, 0x00, 0x53))
    public static let edge01 = SynthTEP(name: "edge-01", ip: IPv4Address(172, 20, 11, 100), mac: MACAddress(0x00, 0x50, 0x56, 0x6b, 0x01, 0x00))
    public static let teps = [esxi01, esxi02, esxi03, edge01]
    public static let hostTEPs = [esxi01, esxi02, esxi03]

    /// The TEP VLAN's router: sends ICMP errors about the underlay (e.g. fragmentation needed).
    public static let underlayGatewayMAC = MACAddress(0x00, 0x1c, 0x73, 0x00, 0x00, 0x01)
    public static let underlayGatewayIP = IPv4Address(172, 20, 11, 1)

    public static let web = SynthSegment(name: "web", vni: 69632, subnet: "10.1.10.0/24", gateway: IPv4Address(10, 1, 10, 1))
    public static let app = SynthSegment(name: "app", vni: 73728, subnet: "10.1.20.0/24", gateway: IPv4Address(10, 1, 20, 1))
    public static let transit = SynthSegment(name: "transit", vni: 71680, subnet: "100.64.0.0/31", gateway: IPv4Address(100, 64, 0, 1))
    public static let segments = [web, app, transit]

    public static let web01 = SynthWorkload(name: "web-01", mac: MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x11),
                                            ip: IPv4Address(10, 1, 10, 11), segment: web, tep: esxi01)
    public static let web02 = SynthWorkload(name: "web-02", mac: MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x12),
                                            ip: IPv4Address(10, 1, 10, 12), segment: web, tep: esxi02)
    public static let app01 = SynthWorkload(name: "app-01", mac: MACAddress(0x00, 0x50, 0x56, 0xaa, 0x20, 0x11),
                                            ip: IPv4Address(10, 1, 20, 11), segment: app, tep: esxi03)
    public static let workloads = [web01, web02, app01]

    /// NSX distributed-router vMAC: the same on every host, the inner source MAC of every routed frame.
    public static let routerMAC = MACAddress(0x02, 0x50, 0x56, 0x56, 0x44, 0x52)
    /// The DR's MAC on the transit segment towards the edge's service router.
    public static let transitRouterMAC = MACAddress(0x02, 0x50, 0x56, 0x56, 0x44, 0x53)
    public static let serviceRouterMAC = MACAddress(0x02, 0x50, 0x56, 0x56, 0x44, 0x54)
    public static let transitRouterIP = IPv4Address(100, 64, 0, 1)
    public static let serviceRouterIP = IPv4Address(100, 64, 0, 0)

    public static let uplinkVLAN: UInt16 = 100
    public static let edgeUplinkMAC = MACAddress(0x00, 0x50, 0x56, 0x6b, 0x01, 0x99)
    public static let physicalRouterMAC = MACAddress(0x00, 0x1c, 0x73, 0x00, 0x01, 0x00)
    /// The edge SNATs 10.1.0.0/16 to this address on its uplink.
    public static let snatAddress = IPv4Address(192, 0, 2, 10)
    public static let externalHost = IPv4Address(203, 0, 113, 50)

    /// TEPs on which a segment is realized (see the type's comment).
    public static func span(of segment: SynthSegment) -> [SynthTEP] {
        segment.vni == transit.vni ? teps : hostTEPs
    }

    /// Where the source TEP replicates a BUM frame of `segment`: every other TEP of the segment's span.
    public static func replicationTargets(of segment: SynthSegment, from tep: SynthTEP) -> [SynthTEP] {
        span(of: segment).filter { $0 != tep }
    }

    /// The inventory of this topology (OverlayInventory's YAML schema), as `Captures/inventory.yaml` holds it.
    /// The edge also names its service-router and uplink MACs (`sr_mac`, `uplink_mac`).
    public static var inventoryYAML: String {
        func q(_ m: MACAddress) -> String { "\"\(m)\"" }
        var y = "# OverlayTrace inventory for the sample topology (generated by OverlaySynth.SampleTopology).\n"
        y += "# NSX-style hosts and edge, plus the two OVN chassis of the OVN sample (names of OVN ports come\n"
        y += "# from Captures/ovn-sb/*.json when those are given too).\n"
        y += "teps:\n"
        for t in teps { y += "  - {ip: \(t.ip), name: \(t.name), role: \(t.ip == edge01.ip ? "edge" : "host")}\n" }
        for t in [OVNSampleTopology.hv1, OVNSampleTopology.hv2] { y += "  - {ip: \(t.ip), name: \(t.name), role: host}\n" }
        y += "segments:\n"
        for s in segments {
            y += "  - {vni: \(s.vni), name: \(s.name), subnets: [\(s.subnet)]\(s.vni == transit.vni ? ", kind: transit" : "")}\n"
        }
        let ovn = OVNSampleTopology.logicalSwitch
        y += "  - {vni: \(ovn.vni), name: \(ovn.name), subnets: [\(ovn.subnet)]}\n"
        y += "workloads:\n"
        for w in workloads + [OVNSampleTopology.port1.workload, OVNSampleTopology.port2.workload] {
            y += "  - {name: \(w.name), mac: \(q(w.mac)), ips: [\(w.ip)], vni: \(w.segment.vni), tep: \(w.tep.ip)}\n"
        }
        y += "routers:\n"
        y += "  - {name: dr-01, kind: distributed, macs: [\(q(routerMAC)), \(q(transitRouterMAC))]}\n"
        y += "edges:\n"
        y += "  - {name: edge-01, tep: \(edge01.ip), transit_vni: \(transit.vni), uplink_vlan: \(uplinkVLAN), "
        y += "snat: [{from: 10.1.0.0/16, to: \(snatAddress)}], sr_mac: \(q(serviceRouterMAC)), uplink_mac: \(q(edgeUplinkMAC))}\n"
        return y
    }
}
