import OverlayWire

/// One hop of a flow's path, with the fields it rests on and the text the reports print.
/// Joined with " → " the texts of a path read, e.g.,
/// `VM web-01 10.1.10.11 (00:50:56:aa:10:11) → TEP 172.20.11.51 (esxi-01) → Geneve VNI 69632 (web) → TEP 172.20.11.52 (esxi-02) → VM web-02 10.1.10.12`.
public struct PathHop: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// A workload in a segment (source or destination of the inner frame).
        case workload
        /// An endpoint of untunneled traffic (underlay or uplink side).
        case host
        /// A router MAC that routed the frame (VNI change, TTL − 1).
        case router
        case tep
        case edgeTEP = "edge-tep"
        /// The segment the tunnel carried the frame in.
        case segment
        /// Head-end replication of a BUM frame to several TEPs.
        case replication
        /// The untunneled uplink leg of a north/south flow (VLAN, NAT).
        case uplink
        /// An address outside the overlay.
        case external
        /// A broadcast/multicast inner destination.
        case broadcast
    }

    public var kind: Kind
    public var text: String
    /// Inventory name, when known.
    public var name: String?
    public var ip: IPAddress?
    public var mac: MACAddress?
    public var vni: UInt32?
    /// Router hops: the segment the frame was routed from.
    public var fromVNI: UInt32?
    /// Uplink hops: the VLAN (the NAT applied is `Flow.translation`).
    public var vlan: UInt16?
    /// Router hops: TTL before and after routing.
    public var ttlBefore: UInt8?
    public var ttlAfter: UInt8?
    /// Replication hops: every destination TEP.
    public var teps: [IPAddress]
    /// The leg (index in `Flow.legs`) that shows this hop.
    public var leg: Int
    /// Frames that show this hop: the first frames of that leg (the same storage, not a copy).
    public var frames: [Int]

    public init(kind: Kind, text: String, name: String? = nil, ip: IPAddress? = nil, mac: MACAddress? = nil,
                vni: UInt32? = nil, fromVNI: UInt32? = nil, vlan: UInt16? = nil, ttlBefore: UInt8? = nil,
                ttlAfter: UInt8? = nil, teps: [IPAddress] = [], leg: Int, frames: [Int]) {
        self.kind = kind
        self.text = text
        self.name = name
        self.ip = ip
        self.mac = mac
        self.vni = vni
        self.fromVNI = fromVNI
        self.vlan = vlan
        self.ttlBefore = ttlBefore
        self.ttlAfter = ttlAfter
        self.teps = teps
        self.leg = leg
        self.frames = frames
    }
}

extension Array where Element == PathHop {
    /// The hop texts joined with " → ".
    public var pathText: String { map(\.text).joined(separator: " → ") }
}
