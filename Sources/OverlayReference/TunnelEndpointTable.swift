import OverlayTables
import OverlayWire

/// A tunnel endpoint interned to a small integer, so per-frame state is keyed by cheap values.
typealias TEPID = Int32

/// One direction between two TEPs.
struct TEPPair: Hashable, Sendable {
    var source: TEPID
    var destination: TEPID
}

/// The tunnel endpoints the capture shows and which directions between them it sees.
///
/// What a capture *can* see decides several rules: a missing ARP reply or BUM copy is only a finding when
/// the capture point shows other traffic in that direction (a capture on one TEP's uplink sees everything
/// that TEP sends and receives, and nothing between two other TEPs).
struct TunnelEndpointTable {
    /// TEP id → address; `ids` finds an address's id (seeded multiply hash, no SipHash per packet).
    private(set) var addresses: [IPAddress] = []
    private var ids = IndexTable(capacity: 64)
    /// Tunnel packets per direction, and how many of them had DF set in the outer header; `pairIndex` finds a
    /// pair's slot in `pairKeys`/`pairCounters`.
    private var pairKeys: [TEPPair] = []
    private var pairCounters: [PairCounters] = []
    private var pairIndex = IndexTable(capacity: 256)
    private let hasher = KeyHasher()
    private var lastPairSlot = -1
    /// Per TEP: the capture shows tunnel packets arriving at it / leaving it.
    private(set) var receives: [Bool] = []
    private(set) var sends: [Bool] = []
    let limit: Int
    /// TEPs not tracked because `limit` was reached (their frames are not modelled).
    private(set) var dropped = 0
    private var lastPair = TEPPair(source: -1, destination: -1)

    struct PairCounters {
        var frames = 0
        var dontFragment = 0

        mutating func count(dontFragment df: Bool) {
            frames += 1
            if df { dontFragment += 1 }
        }
    }

    init(limit: Int) { self.limit = limit }

    var count: Int { addresses.count }

    @inline(__always)
    func id(of ip: IPAddress) -> TEPID? { ids.find(hasher.hash(ip)) { addresses[Int($0)] == ip } }
    func address(_ id: TEPID) -> IPAddress { addresses[Int(id)] }

    /// The id of `ip`, adding it when new; nil once `limit` TEPs are tracked.
    @inline(__always)
    mutating func intern(_ ip: IPAddress) -> TEPID? {
        let h = hasher.hash(ip)
        if let id = ids.find(h, { addresses[Int($0)] == ip }) { return id }
        guard addresses.count < limit else {
            dropped += 1
            return nil
        }
        let id = TEPID(addresses.count)
        addresses.append(ip)
        let (hasher, known) = (hasher, addresses)
        ids.insert(h, index: id) { hasher.hash(known[Int($0)]) }
        receives.append(false)
        sends.append(false)
        return id
    }

    @inline(__always)
    private func pairHash(_ p: TEPPair) -> UInt64 { Self.pairHash(p, hasher) }

    @inline(__always)
    private static func pairHash(_ p: TEPPair, _ hasher: KeyHasher) -> UInt64 {
        hasher.hash(UInt64(UInt32(bitPattern: p.source)) << 32 | UInt64(UInt32(bitPattern: p.destination)), 0x7E9)
    }

    private func pairSlot(_ pair: TEPPair) -> Int? {
        pairIndex.find(pairHash(pair)) { pairKeys[Int($0)] == pair }.map(Int.init)
    }

    /// `slot`: the pair's slot in the counters when the caller knows it (-1 otherwise); set once known.
    @inline(__always)
    mutating func noteTunnelPacket(from source: TEPID, to destination: TEPID, dontFragment: Bool, slot: inout Int32) {
        let pair = TEPPair(source: source, destination: destination)
        if pair != lastPair {
            lastPair = pair
            sends[Int(source)] = true
            receives[Int(destination)] = true
            if slot >= 0 {
                lastPairSlot = Int(slot)
            } else if let found = pairSlot(pair) {
                lastPairSlot = found
            } else {
                lastPairSlot = pairKeys.count
                pairKeys.append(pair)
                pairCounters.append(PairCounters())
                let (hasher, pairKeys) = (hasher, pairKeys)
                pairIndex.insert(Self.pairHash(pair, hasher), index: Int32(lastPairSlot)) { Self.pairHash(pairKeys[Int($0)], hasher) }
            }
        }
        slot = Int32(lastPairSlot)
        pairCounters[lastPairSlot].count(dontFragment: dontFragment)
    }

    func sawTraffic(from source: TEPID, to destination: TEPID) -> Bool {
        pairSlot(TEPPair(source: source, destination: destination)) != nil
    }

    func sawTraffic(to destination: TEPID) -> Bool { receives[Int(destination)] }

    func counters(from source: TEPID, to destination: TEPID) -> PairCounters? {
        pairSlot(TEPPair(source: source, destination: destination)).map { pairCounters[$0] }
    }
}
