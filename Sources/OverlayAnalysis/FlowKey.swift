import OverlayWire
import OverlayTables

/// What a flow key identifies, beyond IP protocol numbers.
enum FlowKind: UInt8 {
    case tcp = 1, udp, icmp, icmpv6, neighborDiscovery, arp, otherIP, l2

    var name: String {
        switch self {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .icmp: return "icmp"
        case .icmpv6: return "icmp6"
        case .neighborDiscovery: return "nd"
        case .arp: return "arp"
        case .otherIP: return "ip"
        case .l2: return "l2"
        }
    }
}

/// The hash key of a flow record: scope (VNI, or untunneled + VLAN), kind, and the two endpoints ordered so
/// both directions map to one key. Small and trivially copyable: hashing it allocates nothing.
struct FlowKey: Hashable {
    /// A VNI (24 bits), or `untunneledScope | VLAN` (`noVLAN` when untagged).
    var scope: UInt32
    var kind: UInt8
    var proto: UInt8
    /// 4 / 6 for IP, 0 for MAC-addressed (l2) keys.
    var family: UInt8
    var portA: UInt16
    var portB: UInt16
    var aHigh: UInt64
    var aLow: UInt64
    var bHigh: UInt64
    var bLow: UInt64

    static let untunneledScope: UInt32 = 1 << 24
    static let noVLAN: UInt16 = 0xFFFF

    static func scope(vlan: UInt16?) -> UInt32 { untunneledScope | UInt32(vlan ?? noVLAN) }

    var isTunneled: Bool { scope < Self.untunneledScope }
    var vni: UInt32? { isTunneled ? scope : nil }
    var vlan: UInt16? {
        guard !isTunneled else { return nil }
        let v = UInt16(truncatingIfNeeded: scope)
        return v == Self.noVLAN ? nil : v
    }
    var flowKind: FlowKind { FlowKind(rawValue: kind) ?? .otherIP }

    /// The same key without its scope: legs of one routed flow in different VNIs share it.
    var unscoped: FlowKey {
        var k = self
        k.scope = 0
        return k
    }

    /// The table hash: one mixing round over the metadata and addresses.
    @inline(__always)
    func tableHash(_ k: KeyHasher) -> UInt64 {
        let meta = UInt64(scope) | UInt64(kind) << 25 | UInt64(family) << 29 | UInt64(proto) << 32 | UInt64(portA) << 40
            | UInt64(portB) << 56
        return k.hash(meta ^ UInt64(portB) >> 8, aLow ^ (bLow << 32 | bLow >> 32), aHigh, bHigh)
    }

    func hash(into h: inout Hasher) {
        h.combine(UInt64(scope) << 32 | UInt64(kind) << 24 | UInt64(proto) << 16 | UInt64(family) << 8)
        h.combine(UInt64(portA) << 16 | UInt64(portB))
        h.combine(aHigh)
        h.combine(aLow)
        h.combine(bHigh)
        h.combine(bLow)
    }

    /// The IP address of one side's words (`IPAddress.words` inverted); nil for MAC-addressed (l2) keys.
    func address(high: UInt64, low: UInt64) -> IPAddress? {
        switch family {
        case 4: return .v4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: low)))
        case 6: return .v6(IPv6Address(high: high, low: low))
        default: return nil
        }
    }

    /// Builds the key for a packet going from (src, sport) to (dst, dport), and tells which canonical
    /// direction that packet travels: 0 when the source is endpoint A, 1 when it is B.
    @inline(__always)
    static func make(scope: UInt32, kind: FlowKind, proto: UInt8, family: UInt8,
                     src: (UInt64, UInt64), sport: UInt16, dst: (UInt64, UInt64), dport: UInt16) -> (FlowKey, Int) {
        let srcFirst = (src.0, src.1, sport) <= (dst.0, dst.1, dport)
        if srcFirst {
            return (FlowKey(scope: scope, kind: kind.rawValue, proto: proto, family: family, portA: sport, portB: dport,
                            aHigh: src.0, aLow: src.1, bHigh: dst.0, bLow: dst.1), 0)
        }
        return (FlowKey(scope: scope, kind: kind.rawValue, proto: proto, family: family, portA: dport, portB: sport,
                        aHigh: dst.0, aLow: dst.1, bHigh: src.0, bLow: src.1), 1)
    }
}

/// One direction of one flow record while streaming. The fields the steady state reads and writes come
/// first (the leg caches, then the counters), so a packet touches one or two cache lines of its leg.
struct FlowLegState {
    /// The last tunnel the leg rode (the hint for the next packet).
    var lastTunnel: Int32 = -1
    /// Learning cache: while the leg stays on this tunnel with this source MAC, the endpoint tables need no lookup.
    var cachedTunnel: Int32 = -2
    var cachedSourceMAC: UInt64 = .max
    var sourceEndpoint: Int32 = -1
    var ttlFirst: UInt8 = 0
    var ttlMin: UInt8 = .max
    var ttlMax: UInt8 = 0
    var hasTTL = false
    var packets = 0
    var bytes = 0
    var fileMask: UInt64 = 0
    var last = FrameRef.none
    // (small fields where `last` leaves padding)
    var tcpFlags: UInt16 = 0
    var tunnelOverflowCounted = false
    /// The first frame numbers.
    var evidence = EvidenceSample()
    var ovn: OVNPortKeys?
    var first = FrameRef.none
    /// Distinct tunnels (TEP pairs) the leg rode.
    var tunnels = SmallIndexSet()
    /// Inner MACs of the first frame (`.max`: none).
    private var sourceMACValue: UInt64 = .max
    private var destinationMACValue: UInt64 = .max

    var sourceMAC: MACAddress? {
        get { sourceMACValue == .max ? nil : MACAddress(rawValue: sourceMACValue) }
        set { sourceMACValue = newValue?.rawValue ?? .max }
    }
    var destinationMAC: MACAddress? {
        get { destinationMACValue == .max ? nil : MACAddress(rawValue: destinationMACValue) }
        set { destinationMACValue = newValue?.rawValue ?? .max }
    }

    var seen: Bool { packets > 0 }

    /// The leading bytes the steady state reads and writes (caches, counters, the evidence sample).
    static let hotBytes = MemoryLayout<FlowLegState>.offset(of: \FlowLegState.evidence)! + MemoryLayout<EvidenceSample>.size

    /// Counts one packet; `newTunnel` when the leg rode this tunnel for the first time.
    @inline(__always)
    mutating func record(_ l: LevelFacts, tunnel: Int32, bytes: Int, ovn: OVNPortKeys?, frame: FrameInfo, at: FrameRef,
                         maxEvidence: Int) -> (newTunnel: Bool, tunnelNotKept: Bool) {
        if packets == 0 {
            first = at
            if l.hasSourceMAC {
                sourceMAC = l.sourceMAC
                if l.hasEthernet { destinationMAC = l.destinationMAC }
            }
            self.ovn = ovn
        }
        count(bytes: bytes, hasTTL: l.hasIP, ttl: l.ttl, tcpFlags: l.tcpFlags, frame: frame, at: at, maxEvidence: maxEvidence)
        guard tunnel >= 0, tunnel != lastTunnel else { return (false, false) }
        lastTunnel = tunnel
        guard !tunnels.contains(tunnel) else { return (false, false) }
        if tunnels.insert(tunnel) { return (true, false) }
        guard !tunnelOverflowCounted else { return (false, false) }
        tunnelOverflowCounted = true
        return (false, true)
    }

    /// The counters of one more packet of a leg already seen (its first packet went through `record`): the
    /// summaries' fast path and `record` share it.
    @inline(__always)
    mutating func count(bytes: Int, hasTTL ip: Bool, ttl: UInt8, tcpFlags flags: UInt16, frame: FrameInfo, at: FrameRef,
                        maxEvidence: Int) {
        packets += 1
        self.bytes += bytes
        last = at
        evidence.append(frame.number, limit: maxEvidence)
        if ip {
            if !hasTTL {
                hasTTL = true
                ttlFirst = ttl
            }
            if ttl < ttlMin { ttlMin = ttl }
            if ttl > ttlMax { ttlMax = ttl }
        }
        tcpFlags |= flags
        fileMask |= 1 << UInt64(min(max(frame.fileIndex, 0), 63))
    }

    /// The cached source endpoint, when this packet has the leg's cached tunnel and source MAC.
    @inline(__always)
    func cachedEndpoint(tunnel: Int32, _ l: LevelFacts) -> Int32 {
        cachedEndpoint(tunnel: tunnel, sourceMAC: l.hasSourceMAC ? l.sourceMAC.rawValue : (l.arpSenderMAC?.rawValue ?? .max))
    }

    @inline(__always)
    func cachedEndpoint(tunnel: Int32, sourceMAC: UInt64) -> Int32 {
        cachedTunnel == tunnel && cachedSourceMAC == sourceMAC ? sourceEndpoint : -1
    }
}

/// One flow record (one scope) while streaming.
///
/// Size: 408 bytes per record (a 48-byte key, 8 bytes of flow fields, two 176-byte legs: caches and counters,
/// an inline sample of 4 evidence frames, first frame, MACs, up to 4 tunnels, OVN keys), so ≈ 204 bytes per
/// directional flow and nothing on the heap unless more than 4 evidence frames are configured (it was 488
/// bytes plus two 64-byte evidence arrays). On the 10k-flow synth capture the whole streaming state (10k
/// flow records, 14k tunnels of 264 bytes, 3k endpoints, the index tables) is ≈ 12 MiB, ≈ 600 bytes per
/// directional flow. `StreamingStateTests` pins the sizes. The steady state touches the key, the direction
/// fields next to it and the leg's leading caches and counters.
struct FlowState {
    let key: FlowKey
    /// The NAT-correlated record on the other side of the edge, -1 when none.
    var natPeer: Int32 = -1
    /// Direction of the first packet, and of the first pure SYN (-1 when none).
    private var firstDirectionValue: Int8 = 0
    private var synDirectionValue: Int8 = -1
    var encapsulation: TunnelEncapsulation?
    var ab = FlowLegState()
    var ba = FlowLegState()

    var firstDirection: Int {
        get { Int(firstDirectionValue) }
        set { firstDirectionValue = Int8(truncatingIfNeeded: newValue) }
    }
    var synDirection: Int {
        get { Int(synDirectionValue) }
        set { synDirectionValue = Int8(truncatingIfNeeded: newValue) }
    }

    init(key: FlowKey) { self.key = key }

    /// The key and flow fields before the legs, and where each leg starts: what the steady state touches of a
    /// record is these bytes and its leg's `FlowLegState.hotBytes`.
    static let keyBytes = MemoryLayout<FlowState>.offset(of: \FlowState.ab)!
    private static let legOffsets = (MemoryLayout<FlowState>.offset(of: \FlowState.ab)!, MemoryLayout<FlowState>.offset(of: \FlowState.ba)!)
    @inline(__always)
    static func legOffset(_ direction: Int) -> Int { direction == 0 ? legOffsets.0 : legOffsets.1 }

    /// Endpoint A / B addresses (IP flows and ARP/ND): the key's address words, nil for MAC-addressed keys.
    var addressA: IPAddress? { key.address(high: key.aHigh, low: key.aLow) }
    var addressB: IPAddress? { key.address(high: key.bHigh, low: key.bLow) }

    /// Counts one packet in `direction` (0 = A→B).
    @inline(__always)
    mutating func record(direction: Int, _ l: LevelFacts, tunnel: Int32, bytes: Int, ovn: OVNPortKeys?, frame: FrameInfo,
                         at: FrameRef, maxEvidence: Int) -> (newTunnel: Bool, tunnelNotKept: Bool, cachedEndpoint: Int32) {
        if l.isTCP, synDirection < 0, l.tcpFlags & TCPHeader.syn != 0, l.tcpFlags & TCPHeader.ack == 0 { synDirection = direction }
        if direction == 0 {
            let r = ab.record(l, tunnel: tunnel, bytes: bytes, ovn: ovn, frame: frame, at: at, maxEvidence: maxEvidence)
            return (r.newTunnel, r.tunnelNotKept, ab.cachedEndpoint(tunnel: tunnel, l))
        }
        let r = ba.record(l, tunnel: tunnel, bytes: bytes, ovn: ovn, frame: frame, at: at, maxEvidence: maxEvidence)
        return (r.newTunnel, r.tunnelNotKept, ba.cachedEndpoint(tunnel: tunnel, l))
    }

    /// One more TCP/UDP packet of a leg already seen, on the tunnel it rode last: what `record` does then.
    @inline(__always)
    mutating func countSteady(direction: Int, isTCP: Bool, tcpFlags: UInt16, ttl: UInt8, bytes: Int, frame: FrameInfo, at: FrameRef,
                              maxEvidence: Int) {
        if isTCP, synDirection < 0, tcpFlags & TCPHeader.syn != 0, tcpFlags & TCPHeader.ack == 0 { synDirection = direction }
        if direction == 0 {
            ab.count(bytes: bytes, hasTTL: true, ttl: ttl, tcpFlags: tcpFlags, frame: frame, at: at, maxEvidence: maxEvidence)
        } else {
            ba.count(bytes: bytes, hasTTL: true, ttl: ttl, tcpFlags: tcpFlags, frame: frame, at: at, maxEvidence: maxEvidence)
        }
    }

    @inline(__always)
    func lastTunnel(_ direction: Int) -> Int32 { direction == 0 ? ab.lastTunnel : ba.lastTunnel }

    /// The source endpoint a leg learned while riding `tunnel` with `sourceMAC`, -1 when it has none for them.
    @inline(__always)
    func cachedEndpoint(_ direction: Int, tunnel: Int32, sourceMAC: UInt64) -> Int32 {
        direction == 0 ? ab.cachedEndpoint(tunnel: tunnel, sourceMAC: sourceMAC) : ba.cachedEndpoint(tunnel: tunnel, sourceMAC: sourceMAC)
    }

    /// Remembers the source endpoint of a leg for this tunnel and MAC.
    mutating func cache(direction: Int, tunnel: Int32, sourceMAC: MACAddress, endpoint: Int32) {
        if direction == 0 {
            ab.cachedTunnel = tunnel
            ab.cachedSourceMAC = sourceMAC.rawValue
            ab.sourceEndpoint = endpoint
        } else {
            ba.cachedTunnel = tunnel
            ba.cachedSourceMAC = sourceMAC.rawValue
            ba.sourceEndpoint = endpoint
        }
    }

    /// The initiator's direction: the SYN sender for TCP, else the direction of the first packet.
    var forwardDirection: Int { synDirection >= 0 ? synDirection : firstDirection }

    func leg(_ direction: Int) -> FlowLegState { direction == 0 ? ab : ba }
    /// The direction when only one was seen.
    var onlyDirection: Int? { ab.seen == ba.seen ? nil : (ab.seen ? 0 : 1) }
    func source(_ direction: Int) -> IPAddress? { direction == 0 ? addressA : addressB }
    func destination(_ direction: Int) -> IPAddress? { direction == 0 ? addressB : addressA }
    func sourcePort(_ direction: Int) -> UInt16 { direction == 0 ? key.portA : key.portB }
    func destinationPort(_ direction: Int) -> UInt16 { direction == 0 ? key.portB : key.portA }
}
