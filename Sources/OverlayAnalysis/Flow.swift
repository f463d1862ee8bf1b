import OverlayWire

/// Where a flow goes, as the capture shows it.
public enum FlowClass: String, Hashable, Sendable, CaseIterable {
    /// Switched inside one segment between two TEPs.
    case eastWestSameSegment = "east-west/same-segment"
    /// Routed between segments by a distributed router (on the source host).
    case eastWestRouted = "east-west/routed"
    /// Between the overlay and the outside, through an edge or gateway.
    case northSouth = "north-south"
    /// The capture does not tell; `Flow.classReason` says why.
    case unknown
}

/// A bidirectional inner flow (TCP/UDP 5-tuple, ICMP echo by identifier, ARP/ND by address pair), or an
/// untunneled flow, joined across segments (routed legs) and across the edge (SNAT-ed uplink leg).
/// "Forward" is the initiator's direction (TCP SYN sender, else the first packet seen).
public struct Flow: Sendable {
    /// 1-based, in order of first frame.
    public var id: Int
    /// "tcp", "udp", "icmp", "icmp6", "arp", "nd", "l2", "ip-proto-N".
    public var protocolName: String
    public var ipProtocol: IPProtocol?
    /// Initiator and responder addresses as the overlay sees them (before SNAT, after DNAT).
    public var source: IPAddress?
    public var destination: IPAddress?
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    /// ICMP/ICMPv6 echo identifier.
    public var icmpIdentifier: UInt16?
    /// For non-IP ("l2") flows: the MACs and EtherType.
    public var sourceMAC: MACAddress?
    public var destinationMAC: MACAddress?
    public var etherType: UInt16?
    public var flowClass: FlowClass
    /// Why this class, in plain words (for `unknown`: what is missing).
    public var classReason: String
    /// At least one leg was inside a tunnel.
    public var tunneled: Bool
    public var forward: FlowDirection
    public var reverse: FlowDirection
    /// Hops in the initiator's direction; empty when that direction was not seen.
    public var forwardPath: [PathHop]
    /// Hops in the responder's direction; empty when not seen.
    public var reversePath: [PathHop]
    /// TEP addresses crossed, in path order (forward first, then those only the reverse crossed).
    public var teps: [IPAddress]
    public var vnis: [UInt32]
    /// VLANs of untunneled legs.
    public var vlans: [UInt16]
    /// Every evidence frame of every leg, ascending.
    public var frames: [Int]
    /// What was observed, per segment/VLAN and direction.
    public var legs: [FlowLeg]
    /// TCP only.
    public var tcpState: TCPState?
    /// The SNAT/DNAT seen between the tunnel leg and the uplink leg.
    public var translation: AddressTranslation?
    /// OVN logical ports of the forward direction: "datapath ls-web, inport vm1-port, outport vm2-port".
    public var ovn: String?
    public var first: FrameRef
    public var last: FrameRef
    /// Indices of the capture files it was seen in.
    public var files: [Int]
    /// Caveats: one direction only, uplink leg not captured, inferred source segment…
    public var remarks: [String]

}

/// Counters of one direction of a flow over all its legs. Legs of one direction are the same packets seen at
/// different points (tunnel leg, uplink leg), so `packets` and `bytes` are the largest leg's, not a sum.
public struct FlowDirection: Hashable, Sendable {
    public var packets: Int
    public var bytes: Int
    public var first: FrameRef?
    public var last: FrameRef?
}

/// One direction of a flow in one segment (tunneled) or on one VLAN (untunneled), as captured.
public struct FlowLeg: Sendable {
    public enum Direction: String, Hashable, Sendable { case forward, reverse }

    public var direction: Direction
    /// The VNI of a tunneled leg.
    public var vni: UInt32?
    /// The VLAN of an untunneled leg (nil when untagged).
    public var vlan: UInt16?
    public var tunneled: Bool
    public var encapsulation: TunnelEncapsulation?
    public var source: IPAddress?
    public var destination: IPAddress?
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    /// Inner MACs of the first frame.
    public var sourceMAC: MACAddress?
    public var destinationMAC: MACAddress?
    /// Outer TEPs (tunneled legs), in order first seen.
    public var sourceTEPs: [IPAddress]
    public var destinationTEPs: [IPAddress]
    public var packets: Int
    public var bytes: Int
    public var first: FrameRef
    public var last: FrameRef
    /// Inner TTL / hop limit of the first frame, and the range seen.
    public var ttl: UInt8?
    public var ttlRange: ClosedRange<UInt8>?
    /// TCP flags seen, tcpdump style ("S", "S.", "P.", "F.", "R").
    public var tcpFlags: String?
    /// The first frames of this leg.
    public var frames: [Int]
    /// OVN logical ports from the Geneve option of the first frame.
    public var ovn: OVNPorts?
}

/// OVN port keys of a packet explained with the inventory's southbound data.
public struct OVNPorts: Hashable, Sendable {
    public var datapathKey: UInt32
    public var ingressKey: UInt16
    public var egressKey: UInt16
    public var datapathName: String?
    public var ingressName: String?
    /// Port name, or multicast group name for keys ≥ 32768.
    public var egressName: String?
    public var egressIsMulticastGroup: Bool
    /// "datapath ls-web, inport vm1-port, outport vm2-port" (keys where names are unknown).
    public var text: String
}

/// What the TCP flags of both directions say about the connection.
public enum TCPState: String, Hashable, Sendable {
    /// SYN seen, no SYN-ACK.
    case synSent = "syn-sent"
    /// SYN-ACK seen, no final ACK from the initiator.
    case synReceived = "syn-received"
    /// Three-way handshake completed.
    case established
    /// FIN in both directions.
    case closed
    /// A RST was seen.
    case reset
    /// The capture starts after the handshake.
    case midstream
}
