import OverlayWire

/// A tunnel endpoint (TEP): an outer address that sent or received Geneve/VXLAN traffic.
public struct TunnelEndpoint: Sendable {
    /// What the traffic says this transport node is.
    public enum Role: String, Hashable, Sendable {
        /// A hypervisor/compute node: workloads sit behind it.
        case host
        /// An edge node: overlay traffic to outside addresses ends here and leaves on an uplink (NSX edge).
        case edge
        /// A gateway: overlay traffic to outside addresses ends here, no uplink leg or transit segment seen (OVN gateway chassis).
        case gateway
        /// Nothing in the capture tells.
        case unknown
    }

    public var ip: IPAddress
    /// From the inventory, when declared.
    public var name: String?
    /// Source MACs of the outer frames it sent (bounded to 4).
    public var macs: [MACAddress]
    /// VNIs it sent or received.
    public var vnis: [UInt32]
    public var encapsulations: [TunnelEncapsulation]
    public var txPackets: Int
    public var txBytes: Int
    public var rxPackets: Int
    public var rxBytes: Int
    public var first: FrameRef
    public var last: FrameRef
    public var role: Role
    /// Why that role, in plain words.
    public var roleReason: String
    /// Workloads (not routers) last seen behind it (learned from their frames, or as where frames for them went).
    public var workloads: Int
    /// "TEP 172.20.11.51 (esxi-01)", "edge TEP 172.20.11.100 (edge-01)": how paths name it.
    public var label: String
}

/// Per-TEP counters kept while streaming.
struct TEPState {
    let ip: IPAddress
    var macs = SmallMACSet()
    var txPackets = 0, txBytes = 0, rxPackets = 0, rxBytes = 0
    var first = FrameRef.none
    var last = FrameRef.none
    var encapsulations: UInt8 = 0  // bit 0 Geneve, bit 1 VXLAN

    init(ip: IPAddress) { self.ip = ip }

    @inline(__always)
    mutating func sent(_ bytes: Int, at: FrameRef, mac: MACAddress?) {
        txPackets += 1
        txBytes += bytes
        if first.frame == 0 { first = at }
        last = at
        if let m = mac { macs.insert(m) }
    }

    @inline(__always)
    mutating func received(_ bytes: Int, at: FrameRef) {
        rxPackets += 1
        rxBytes += bytes
        if first.frame == 0 { first = at }
        last = at
    }
}

/// Up to four MACs inline.
struct SmallMACSet: Sendable {
    private var m0: UInt64 = .max, m1: UInt64 = .max, m2: UInt64 = .max, m3: UInt64 = .max
    private(set) var count = 0

    @inline(__always)
    mutating func insert(_ mac: MACAddress) {
        let v = mac.rawValue
        if v == m0 || v == m1 || v == m2 || v == m3 { return }
        switch count {
        case 0: m0 = v
        case 1: m1 = v
        case 2: m2 = v
        case 3: m3 = v
        default: return
        }
        count += 1
    }

    var elements: [MACAddress] { [m0, m1, m2, m3].prefix(count).map { MACAddress(rawValue: $0) } }
}
