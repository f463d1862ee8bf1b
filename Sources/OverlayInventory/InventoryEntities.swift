import OverlayWire

// The named things an inventory declares. Plain values; `Inventory` indexes them.

/// A tunnel endpoint: the underlay IP of a transport node (NSX vmk10 / OVN `ovn-encap-ip`).
public struct InventoryTEP: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable, CaseIterable {
        /// A hypervisor (ESXi, KVM compute node): workloads live behind it.
        case host
        /// An edge / gateway node: north-south traffic leaves the overlay here.
        case edge
    }

    public var ip: IPAddress
    public var name: String
    public var role: Role

    public init(ip: IPAddress, name: String, role: Role = .host) {
        self.ip = ip
        self.name = name
        self.role = role
    }
}

/// A segment / logical switch, identified on the wire by its 24-bit VNI (OVN: the datapath tunnel key).
public struct InventorySegment: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Carries workload traffic.
        case overlay
        /// Router-to-router: NSX DR↔SR transit, or an OVN logical router's own datapath.
        case transit
    }

    public var vni: UInt32
    public var name: String
    public var subnets: [IPPrefix]
    public var kind: Kind

    public init(vni: UInt32, name: String, subnets: [IPPrefix] = [], kind: Kind = .overlay) {
        self.vni = vni
        self.name = name
        self.subnets = subnets
        self.kind = kind
    }
}

/// A VM, container or bare-metal port attached to a segment.
public struct InventoryWorkload: Hashable, Sendable {
    public var name: String
    public var mac: MACAddress?
    public var ips: [IPAddress]
    public var vni: UInt32?
    /// The TEP of the host the workload runs on.
    public var tep: IPAddress?
    /// OVN port tunnel key (the logical port number carried in the Geneve option).
    public var portKey: UInt16?

    public init(
        name: String, mac: MACAddress? = nil, ips: [IPAddress] = [], vni: UInt32? = nil, tep: IPAddress? = nil,
        portKey: UInt16? = nil
    ) {
        self.name = name
        self.mac = mac
        self.ips = ips
        self.vni = vni
        self.tep = tep
        self.portKey = portKey
    }
}

/// A logical router. Its MACs appear as inner source MACs of routed frames.
public struct InventoryRouter: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Runs on every host (NSX DR, OVN logical router): routing happens on the source host.
        case distributed
        /// Runs on one node (NSX SR on an edge, OVN gateway router bound to a chassis).
        case gateway
    }

    public var name: String
    public var kind: Kind
    public var macs: [MACAddress]
    /// Segments the router has an interface on.
    public var vnis: [UInt32]

    public init(name: String, kind: Kind = .distributed, macs: [MACAddress] = [], vnis: [UInt32] = []) {
        self.name = name
        self.kind = kind
        self.macs = macs
        self.vnis = vnis
    }
}

/// An edge (NSX edge node / OVN gateway chassis): where the overlay meets the physical network.
public struct InventoryEdge: Hashable, Sendable {
    /// Source NAT applied by the edge: inner sources in `from` leave as `to`.
    public struct SNATRule: Hashable, Sendable {
        public var from: IPPrefix
        public var to: IPAddress

        public init(from: IPPrefix, to: IPAddress) {
            self.from = from
            self.to = to
        }
    }

    public var name: String
    public var tep: IPAddress
    /// The VNI the distributed router uses to reach this edge (NSX transit segment / OVN router datapath).
    public var transitVNI: UInt32?
    /// The 802.1Q VLAN of the untunneled uplink.
    public var uplinkVLAN: UInt16?
    public var snat: [SNATRule]
    /// The service router's MAC on the transit segment: the inner destination of the DR → edge leg.
    public var serviceRouterMAC: MACAddress?
    /// The MAC the edge sends from on its uplink (source of the untunneled, translated leg).
    public var uplinkMAC: MACAddress?

    public init(
        name: String, tep: IPAddress, transitVNI: UInt32? = nil, uplinkVLAN: UInt16? = nil, snat: [SNATRule] = [],
        serviceRouterMAC: MACAddress? = nil, uplinkMAC: MACAddress? = nil
    ) {
        self.name = name
        self.tep = tep
        self.transitVNI = transitVNI
        self.uplinkVLAN = uplinkVLAN
        self.snat = snat
        self.serviceRouterMAC = serviceRouterMAC
        self.uplinkMAC = uplinkMAC
    }

    /// The edge's own router MACs (service router and uplink).
    public var routerMACs: [MACAddress] { [serviceRouterMAC, uplinkMAC].compactMap { $0 } }
}

public typealias SNATRule = InventoryEdge.SNATRule

/// One OVN southbound `Port_Binding`: what a (datapath key, port key) pair seen in the Geneve option means.
public struct InventoryOVNPort: Hashable, Sendable {
    public var datapathKey: UInt32
    public var portKey: UInt16
    /// `logical_port`, e.g. "vm2-port", "lrp-web" (patch), "cr-lrp-public" (chassisredirect).
    public var name: String
    public var datapathName: String?
    /// Hostname (or name) of the chassis the port is bound to.
    public var chassis: String?
    public var mac: MACAddress?
    public var ips: [IPAddress]
    /// Port_Binding `type`: "" for a VIF, "patch", "l3gateway", "chassisredirect", "localnet", "localport", ...
    public var type: String

    public init(
        datapathKey: UInt32, portKey: UInt16, name: String, datapathName: String? = nil, chassis: String? = nil,
        mac: MACAddress? = nil, ips: [IPAddress] = [], type: String = ""
    ) {
        self.datapathKey = datapathKey
        self.portKey = portKey
        self.name = name
        self.datapathName = datapathName
        self.chassis = chassis
        self.mac = mac
        self.ips = ips
        self.type = type
    }

    /// A port of a logical router (or the switch side of a router link) rather than a workload.
    public var isRouterPort: Bool { Self.routerPortTypes.contains(type) }

    static let routerPortTypes: Set<String> = ["patch", "l3gateway", "chassisredirect"]
}

/// One OVN southbound `Multicast_Group`: the name of an egress key ≥ 32768 on a datapath.
public struct InventoryOVNMulticastGroup: Hashable, Sendable {
    public var datapathKey: UInt32
    public var key: UInt16
    public var name: String

    public init(datapathKey: UInt32, key: UInt16, name: String) {
        self.datapathKey = datapathKey
        self.key = key
        self.name = name
    }
}
