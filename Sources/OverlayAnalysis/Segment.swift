import OverlayWire
import OverlayInventory

/// A segment / logical switch, identified on the wire by its VNI.
public struct Segment: Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// Workloads attach to it.
        case overlay
        /// Router-to-router only (NSX DR↔SR transit, OVN join switch): declared, or inferred because only
        /// router MACs talk on it.
        case transit
    }

    public var vni: UInt32
    /// From the inventory (segment or OVN datapath name).
    public var name: String?
    public var kind: Kind
    /// Why it is a transit segment (empty for overlay segments).
    public var kindReason: String
    /// Declared by the inventory, or derived from the inner addresses seen (/24 for IPv4, /64 for IPv6).
    public var subnets: [IPPrefix]
    public var subnetsDeclared: Bool
    /// TEPs that sent or received it, sorted.
    public var teps: [IPAddress]
    /// MACs of the workloads seen in it, sorted.
    public var endpoints: [MACAddress]
    /// Router MACs seen in it, sorted.
    public var routerMACs: [MACAddress]
    public var encapsulations: [TunnelEncapsulation]
    public var packets: Int
    public var bytes: Int
    /// Flows with at least one leg in this segment.
    public var flows: Int
    public var first: FrameRef
    public var last: FrameRef
    /// "Geneve VNI 69632 (web)": how paths name it.
    public var label: String
}

/// Per-VNI counters kept while streaming.
struct SegmentState {
    let vni: UInt32
    var packets = 0, bytes = 0
    var encapsulations: UInt8 = 0
    var first = FrameRef.none
    var last = FrameRef.none

    init(vni: UInt32) { self.vni = vni }

    @inline(__always)
    mutating func count(_ bytes: Int, at: FrameRef) {
        packets += 1
        self.bytes += bytes
        if first.frame == 0 { first = at }
        last = at
    }
}
