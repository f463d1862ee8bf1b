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
    private var ids: [IPAddress: TEPID] = [:]
    private(set) var addresses: [IPAddress] = []
    /// Tunnel packets per direction, and how many of them had DF set in the outer header.
    private(set) var pairs: [TEPPair: PairCounters] = [:]
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

    func id(of ip: IPAddress) -> TEPID? { ids[ip] }
    func address(_ id: TEPID) -> IPAddress { addresses[Int(id)] }

    /// The id of `ip`, adding it when new; nil once `limit` TEPs are tracked.
    mutating func intern(_ ip: IPAddress) -> TEPID? {
        if let id = ids[ip] { return id }
        guard addresses.count < limit else {
            dropped += 1
            return nil
        }
        let id = TEPID(addresses.count)
        ids[ip] = id
        addresses.append(ip)
        receives.append(false)
        sends.append(false)
        return id
    }

    mutating func noteTunnelPacket(from source: TEPID, to destination: TEPID, dontFragment: Bool) {
        let pair = TEPPair(source: source, destination: destination)
        if pair != lastPair {
            lastPair = pair
            sends[Int(source)] = true
            receives[Int(destination)] = true
        }
        pairs[pair, default: PairCounters()].count(dontFragment: dontFragment)
    }

    func sawTraffic(from source: TEPID, to destination: TEPID) -> Bool {
        pairs[TEPPair(source: source, destination: destination)] != nil
    }

    func sawTraffic(to destination: TEPID) -> Bool { receives[Int(destination)] }

    func counters(from source: TEPID, to destination: TEPID) -> PairCounters? {
        pairs[TEPPair(source: source, destination: destination)]
    }
}
