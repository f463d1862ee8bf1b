import OverlayWire

/// A workload (VM, container, pod…): one inner MAC in one VNI, with its addresses and where it sits.
public struct Workload: Sendable {
    /// How the TEP behind which it sits was learned.
    public enum Location: String, Hashable, Sendable {
        /// From frames it sent: the outer source TEP, as a switch learns.
        case learned
        /// It never sent a frame in the capture: the TEP frames addressed to it were sent to.
        case destination
        /// Not seen on the underlay at all as source or destination with a TEP; placed by the inventory.
        case inventory
        case unknown
    }

    public var mac: MACAddress
    public var vni: UInt32
    /// From the inventory (workload or OVN port name).
    public var name: String?
    /// Its addresses, from ARP, neighbor discovery and IP traffic (sorted, bounded).
    public var ips: [IPAddress]
    /// The TEP it sits behind (at the end of the capture).
    public var tep: IPAddress?
    public var tepName: String?
    public var location: Location
    /// Every TEP it was learned behind.
    public var teps: [IPAddress]
    public var packetsSent: Int
    /// Bytes of the inner frames it sent.
    public var bytesSent: Int
    public var first: FrameRef
    public var last: FrameRef
    /// Moves between TEPs (the first `maxMovesPerEndpoint`).
    public var moves: [WorkloadMove]
    /// Moves counted beyond those kept.
    public var movesNotKept: Int
    /// "VM web-01 10.1.10.11 (00:50:56:aa:10:11)": how paths name it.
    public var label: String
}

/// A workload seen behind another TEP than before (vMotion, failover, or a MAC flap).
public struct WorkloadMove: Hashable, Sendable {
    /// The first frame that showed it behind the new TEP.
    public var at: FrameRef
    public var from: IPAddress
    public var to: IPAddress
    public var fromName: String?
    public var toName: String?
}

/// (VNI, MAC): the key of an endpoint.
struct EndpointKey: Hashable {
    var vni: UInt32
    var mac: MACAddress
}

/// Per-endpoint state kept while streaming. Whether a MAC is a router is only decided at the end, so the
/// addresses are kept apart by how they were seen.
struct EndpointState {
    let key: EndpointKey
    // Touched for every frame it sends: kept together at the front.
    /// Current TEP index (switch learning from frames it sends), -1 until it sends one.
    var tep: Int32 = -1
    var packetsSent = 0, bytesSent = 0
    var last = FrameRef.none
    /// IP frames it sent whose TTL looks like an initial value (64, 128, 255, 1, 32), and others (routed).
    var initialTTLFrames = 0
    var otherTTLFrames = 0
    var first = FrameRef.none
    /// TEP of frames addressed to it, for endpoints that never send.
    var destinationTEP: Int32 = -1
    var teps = SmallIndexSet()
    /// Sources of IP frames it sent.
    var sourcedIPs = BoundedList<IPAddress>()
    /// Destinations of IP frames addressed to it.
    var destinationIPs = BoundedList<IPAddress>()
    /// Claimed in ARP (sender) or neighbor discovery: the host owns these.
    var announcedIPs = BoundedList<IPAddress>()
    var moves: [WorkloadMove] = []
    var movesNotKept = 0
    /// Frames in which it was the source, for router evidence.
    var firstSourceFrame = 0

    init(key: EndpointKey) { self.key = key }

    /// Counts one frame it sent (only for frames whose flow is not tracked; tracked flows are folded in at the end).
    mutating func count(_ bytes: Int, ttl: UInt8?, at: FrameRef) {
        packetsSent += 1
        bytesSent += bytes
        if first.frame == 0 || at.frame < first.frame { first = at }
        if at.frame > last.frame { last = at }
        if let t = ttl {
            if Self.isInitialTTL(t) { initialTTLFrames += 1 } else { otherTTLFrames += 1 }
        }
    }

    /// Seen behind `tep` (a new TEP for it).
    mutating func learned(behind tep: Int32, at: FrameRef) {
        self.tep = tep
        _ = teps.insert(tep)
        if first.frame == 0 || at.frame < first.frame { first = at }
    }

    /// Adds the counters of a flow leg it sent.
    mutating func fold(_ leg: FlowLegState) {
        packetsSent += leg.packets
        bytesSent += leg.bytes
        if first.frame == 0 || leg.first.frame < first.frame { first = leg.first }
        if leg.last.frame > last.frame { last = leg.last }
        if leg.hasTTL {
            let initial = Self.isInitialTTL(leg.ttlFirst) || Self.isInitialTTL(leg.ttlMin) || Self.isInitialTTL(leg.ttlMax)
            if initial { initialTTLFrames += leg.packets } else { otherTTLFrames += leg.packets }
        }
    }

    /// Keeps a move; returns false when the cap was reached (the move is counted only).
    mutating func keep(_ move: WorkloadMove, limit: Int) -> Bool {
        guard moves.count < limit else {
            movesNotKept += 1
            return false
        }
        moves.append(move)
        return true
    }

    /// The addresses it owns if it is not a router: what it sent from and announced; when it sent no IP
    /// frame, the one address frames were sent to (several would make it look like a next hop instead).
    var ownedIPs: [IPAddress] {
        var out = sourcedIPs.items
        for ip in announcedIPs.items where !out.contains(ip) { out.append(ip) }
        if sourcedIPs.items.isEmpty, destinationIPs.items.count == 1, destinationIPs.dropped == 0,
           let ip = destinationIPs.items.first, !out.contains(ip) {
            out.append(ip)
        }
        return out.filter { !$0.isUnspecified }
    }

    @inline(__always)
    static func isInitialTTL(_ ttl: UInt8) -> Bool {
        ttl == 64 || ttl == 128 || ttl == 255 || ttl == 1 || ttl == 32
    }
}
