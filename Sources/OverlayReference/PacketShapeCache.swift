import OverlayTables
import OverlayWire

/// What the models found for one *packet shape* — one direction of one inner flow between two TEPs in one
/// segment, with the same inner MACs — so the next packet of that shape goes straight to its state instead
/// of looking up the MAC table, the router's flows and the segment span again (the datapath flow cache in
/// front of the slow path, as OVS does it).
///
/// Every cached item is either an index (tables only grow, so an index stays valid) or a decision with the
/// condition that keeps it true checked on every packet (the MAC table's location epoch, the flow leg's TTL).
/// Anything a cached item does not cover takes the full path, so the findings are the same with or without
/// the cache.
struct ShapeState {
    /// The source MAC's entry in `MACTable`, and the frames counted while its learning is steady.
    var learn = MACLearnCache()
    /// The MAC table's `locationEpoch` when the destination MAC was last seen to live behind this shape's
    /// destination TEP (0: not verified). While the epoch is unchanged no location changed, so the frame is
    /// known unicast delivered where the model expects it.
    var deliveryEpoch: UInt64 = 0
    /// The router's flow and the first TTL of this direction (see `DistributedRouterModel.observe`).
    var flow = FlowCacheEntry()
    /// Indices of the (VNI, source TEP) and (VNI, destination TEP) members in `SegmentSpan` (-1: not yet).
    var sourceMember: Int32 = -1
    var destinationMember: Int32 = -1
    /// The TEP pair's slot in `TunnelEndpointTable`'s counters (-1: not yet).
    var pairSlot: Int32 = -1
}

/// The router model's part of a `ShapeState`.
struct FlowCacheEntry {
    /// Index of the flow in the router's table (-1: not looked up yet, or not tracked).
    var index: Int32 = -1
    /// This direction's first packet is recorded and carried `ttl`: a packet with the same TTL changes nothing.
    var legKnown = false
    var ttl: UInt8?
}

/// The shapes seen so far, found by one open-addressing lookup per packet. Bounded: past `limit` shapes,
/// packets of new shapes take the full path every time (the answers are the same, only slower).
struct PacketShapeCache {
    /// The shape's identity in nine words (see `key(...)`), compared in full.
    struct Key: Equatable {
        var segment: UInt64      // VNI << 32 | family and presence flags
        var teps: UInt64         // source TEP << 32 | destination TEP
        var sourceMAC: UInt64    // raw MAC, or `absent`
        var destinationMAC: UInt64
        var source: (UInt64, UInt64)
        var destination: (UInt64, UInt64)
        var ports: UInt64        // source port << 32 | destination port << 16 | IP protocol

        static func == (a: Key, b: Key) -> Bool {
            a.segment == b.segment && a.teps == b.teps && a.sourceMAC == b.sourceMAC && a.destinationMAC == b.destinationMAC
                && a.source == b.source && a.destination == b.destination && a.ports == b.ports
        }
    }

    /// Key and state side by side: the key compare brings the state into cache.
    private struct Record {
        var key: Key
        var state = ShapeState()
    }
    private var records: [Record] = []
    private var index = IndexTable(capacity: 4096)
    private let hasher = KeyHasher()
    let limit: Int

    init(limit: Int) { self.limit = limit }

    static let absent: UInt64 = 1 << 63

    @inline(__always)
    static func family(_ ip: IPAddress?) -> UInt64 {
        switch ip {
        case .v4?: return 1
        case .v6?: return 2
        case nil: return 0
        }
    }

    @inline(__always)
    static func key(vni: UInt32, from source: TEPID, to destination: TEPID, _ inner: InnerFrame) -> Key {
        Key(segment: UInt64(vni) << 32 | family(inner.sourceIP) << 2 | family(inner.destinationIP),
            teps: UInt64(UInt32(bitPattern: source)) << 32 | UInt64(UInt32(bitPattern: destination)),
            sourceMAC: inner.sourceMAC?.rawValue ?? absent, destinationMAC: inner.destinationMAC?.rawValue ?? absent,
            source: inner.sourceIP?.keyWords ?? (0, 0), destination: inner.destinationIP?.keyWords ?? (0, 0),
            ports: UInt64(inner.sourcePort) << 32 | UInt64(inner.destinationPort) << 16 | UInt64(inner.ipProtocol.rawValue))
    }

    @inline(__always)
    static func hash(_ k: Key, _ hasher: KeyHasher) -> UInt64 {
        let a = hasher.hash(k.segment ^ k.ports, k.teps, k.sourceMAC, k.destinationMAC)
        return hasher.hash(a, k.source.0 ^ (k.destination.1 &* 0x9E37_79B9_7F4A_7C15), k.source.1, k.destination.0)
    }

    @inline(__always)
    func hash(_ key: Key) -> UInt64 { Self.hash(key, hasher) }

    /// The slot of `key`, whose `hash(_:)` is `h`: found, or added as a fresh state (`isNew`); nil when the cache
    /// is full.
    @inline(__always)
    mutating func slot(_ key: Key, hash h: UInt64) -> (slot: Int, isNew: Bool)? {
        if let i = index.find(h, { records[Int($0)].key == key }) { return (Int(i), false) }
        guard records.count < limit else { return nil }
        records.append(Record(key: key))
        let (hasher, known) = (hasher, records)
        index.insert(h, index: Int32(known.count - 1)) { Self.hash(known[Int($0)].key, hasher) }
        return (known.count - 1, true)
    }

    @inline(__always)
    func state(at slot: Int) -> ShapeState { records[slot].state }

    /// The record a lookup of `hash` will most likely end on (-1: none), from the index slots alone: loads them
    /// ahead of the lookup (see `ReferenceModels.loadAhead`).
    @inline(__always)
    func candidate(_ hash: UInt64) -> Int32 { index.candidate(hash) }

    /// Loads every cache line of record `i` (key and state, which straddle three or four lines); returns a byte
    /// of each for the caller's sink.
    @inline(__always)
    func loadRecord(_ i: Int32) -> Int {
        guard i >= 0, Int(i) < records.count else { return 0 }
        return records.withUnsafeBytes { raw in
            Int(truncatingIfNeeded: CacheLines.touch(raw.baseAddress! + Int(i) * MemoryLayout<Record>.stride, count: MemoryLayout<Record>.size))
        }
    }

    @inline(__always)
    mutating func store(_ state: ShapeState, at slot: Int) { records[slot].state = state }

    /// Hands every shape's pending learning counters to the MAC table (before anything reads its entries).
    mutating func flushLearning(into table: inout MACTable) {
        for i in records.indices { table.flush(&records[i].state.learn) }
    }
}
