import OverlayWire

/// Live health of the tunnels seen on a TEP link: one row per TEP pair and direction, with rates since the
/// previous snapshot. What an engineer watches during an incident: is the tunnel one-way, is BFD up, are
/// packets too big for the underlay, are there fragments or ICMP errors.
///
/// Memory is bounded by the number of TEP pairs (capped) and, per pair, a capped set of VNIs and inner flows.
public final class TunnelHealthMonitor {
    public struct PairKey: Hashable, Sendable, Comparable {
        public var source: IPAddress
        public var destination: IPAddress
        public static func < (a: PairKey, b: PairKey) -> Bool { (a.source, a.destination) < (b.source, b.destination) }
        var reversed: PairKey { PairKey(source: destination, destination: source) }
    }

    /// One direction of one TEP pair.
    public struct Row: Sendable, Hashable {
        public var source: IPAddress
        public var destination: IPAddress
        public var packets: Int = 0
        public var bytes: Int = 0
        /// Rates over the interval since the previous snapshot.
        public var packetsPerSecond: Double = 0
        public var bytesPerSecond: Double = 0
        public var vnis: [UInt32] = []
        /// Distinct inner flows (capped at `TunnelHealthMonitor.maxInnerFlowsPerPair`, then "at least").
        public var innerFlows: Int = 0
        public var bfdState: BFDControl.State?
        public var bfdDiagnostic: UInt8?
        public var bfdFlaps: Int = 0
        /// Traffic this way but none the other way so far.
        public var oneWay: Bool = false
        /// Largest outer IP packet (IP total length), against the underlay MTU.
        public var largestOuterPacket: Int = 0
        public var overMTU: Int = 0
        public var fragments: Int = 0
        public var icmpErrors: Int = 0
        public var lastSeen: Timestamp?
    }

    public static let maxPairs = 4096
    public static let maxInnerFlowsPerPair = 10_000
    public static let maxVNIsPerPair = 64

    private struct PairState {
        var row: Row
        var packetsAtLastSnapshot = 0
        var bytesAtLastSnapshot = 0
        var vnis: Set<UInt32> = []
        var innerFlows: Set<Int> = []
    }

    public let mtu: Int
    private var pairs: [PairKey: PairState] = [:]
    private var lastSnapshot: Timestamp?
    /// Pairs not tracked because `maxPairs` was reached (reported, never silent).
    public private(set) var droppedPairs = 0

    public init(mtu: Int = 1600) {
        self.mtu = mtu
    }

    public func observe(frame: FrameInfo, packet: DecodedPacket) {
        let outer = packet.level(0)
        guard let src = outer.sourceIP, let dst = outer.destinationIP else { return }
        // ICMP errors quoting a tunnel packet are charged to the tunnel they complain about.
        if let quoted = outer.icmp?.quoted ?? outer.icmpv6?.quoted, quoted.tunnelVNI != nil || isTunnelPort(quoted.destinationPort) {
            update(PairKey(source: quoted.source, destination: quoted.destination), frame: frame) { $0.row.icmpErrors += 1 }
            return
        }
        let key = PairKey(source: src, destination: dst)
        if outer.isFragment && outer.udp == nil {
            // A later fragment: only known tunnels are charged (an unrelated fragmented flow is not a tunnel).
            if pairs[key] != nil { update(key, frame: frame) { $0.row.fragments += 1 } }
            return
        }
        let bfd = outer.bfd ?? (outer.tunnel != nil ? packet.level(1).bfd : nil)
        guard outer.tunnel != nil || bfd != nil else { return }
        let ipLength = Int(outer.ipv4?.totalLength ?? 0) != 0 ? Int(outer.ipv4!.totalLength)
            : outer.ipv6.map { Int($0.payloadLength) + 40 } ?? frame.wireLength
        let inner = outer.tunnel != nil ? packet.level(1) : NetworkLevel()
        update(key, frame: frame) { s in
            s.row.packets += 1
            s.row.bytes += frame.wireLength
            s.row.largestOuterPacket = max(s.row.largestOuterPacket, ipLength)
            if ipLength > self.mtu { s.row.overMTU += 1 }
            if outer.isFragment { s.row.fragments += 1 }
            if let vni = outer.tunnel?.vni, s.vnis.count < Self.maxVNIsPerPair { s.vnis.insert(vni) }
            if let b = bfd {
                if s.row.bfdState == .up && b.state != .up { s.row.bfdFlaps += 1 }
                s.row.bfdState = b.state
                s.row.bfdDiagnostic = b.diagnostic
            } else if s.innerFlows.count < Self.maxInnerFlowsPerPair, let isrc = inner.sourceIP ?? inner.arp.map({ .v4($0.senderIP ?? IPv4Address(rawValue: 0)) }) {
                var h = Hasher()
                h.combine(outer.tunnel?.vni)
                h.combine(isrc)
                h.combine(inner.destinationIP)
                h.combine(inner.ipProtocol?.rawValue)
                h.combine(inner.sourcePort)
                h.combine(inner.destinationPort)
                s.innerFlows.insert(h.finalize())
            }
        }
    }

    private func isTunnelPort(_ port: UInt16?) -> Bool {
        port == GeneveHeader.port || port == VXLANHeader.port || port == VXLANHeader.linuxLegacyPort
    }

    private func update(_ key: PairKey, frame: FrameInfo, _ body: (inout PairState) -> Void) {
        if pairs[key] == nil {
            guard pairs.count < Self.maxPairs else {
                droppedPairs += 1
                return
            }
            pairs[key] = PairState(row: Row(source: key.source, destination: key.destination))
        }
        body(&pairs[key]!)
        pairs[key]!.row.lastSeen = frame.timestamp
    }

    /// Rows sorted by pair, with rates over the time since the previous snapshot (capture time, so replays
    /// of files give the same numbers as live capture).
    public func snapshot(now: Timestamp) -> [Row] {
        let interval = lastSnapshot.map { now.seconds(since: $0) } ?? 0
        lastSnapshot = now
        var rows: [Row] = []
        rows.reserveCapacity(pairs.count)
        for key in pairs.keys.sorted() {
            var s = pairs[key]!
            if interval > 0 {
                s.row.packetsPerSecond = Double(s.row.packets - s.packetsAtLastSnapshot) / interval
                s.row.bytesPerSecond = Double(s.row.bytes - s.bytesAtLastSnapshot) / interval
            }
            s.packetsAtLastSnapshot = s.row.packets
            s.bytesAtLastSnapshot = s.row.bytes
            s.row.vnis = s.vnis.sorted()
            s.row.innerFlows = s.innerFlows.count
            s.row.oneWay = s.row.packets > 0 && (pairs[key.reversed]?.row.packets ?? 0) == 0
            pairs[key] = s
            rows.append(s.row)
        }
        return rows
    }
}
