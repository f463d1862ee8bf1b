import OverlayTables
import OverlayWire

/// A MAC address in one segment: the key of the logical switch's forwarding table.
struct MACKey: Hashable, Sendable {
    var vni: UInt32
    var mac: UInt64
}

/// One TEP behind which a MAC was seen as a source, and when.
struct MACPresence {
    var tep: TEPID
    var firstTime: Nanos
    var lastTime: Nanos
    var firstFrame: Int
    var lastFrame: Int
    var frames = 1
    /// The first source IP it used behind this TEP, and whether it used others there.
    var sourceIP: IPAddress?
    var moreIPs = false
}

/// A change of location: the MAC was a source behind `from`, then behind `to`.
struct MACMove {
    var from: TEPID
    var to: TEPID
    var frame: Int
    var time: Nanos
}

/// What the model knows about one MAC in one segment.
struct MACEntry {
    /// Where known unicast for this MAC is delivered now (the TEP it was last a source behind).
    var tep: TEPID
    /// False while the location comes only from the inventory: the capture has not shown it as a source yet.
    var observed: Bool
    var presences: [MACPresence] = []
    /// TEPs beyond the tracked presences.
    var untrackedPresences = 0
    var moves: [MACMove] = []
    var moveCount = 0
    /// Router evidence: the distinct source IPs it sent (IP and ARP sender), and how many of its IP
    /// packets carried a TTL below every usual initial value (a router forwarded them).
    var sourceIPs: [IPAddress] = []
    var moreSourceIPs = false
    var ipFrames = 0
    var decrementedTTLFrames = 0

    static let maxPresences = 4
    static let maxMoves = 16
    static let maxSourceIPs = 4

    init(tep: TEPID, observed: Bool) {
        self.tep = tep
        self.observed = observed
    }

    var firstFrame: Int { presences.map(\.firstFrame).min() ?? 0 }
    var firstTime: Nanos { presences.map(\.firstTime).min() ?? 0 }
    var lastTime: Nanos { presences.map(\.lastTime).max() ?? 0 }

    /// Records one frame sourced by this MAC behind `tep`.
    @inline(__always)
    mutating func sourced(behind tep: TEPID, frame: Int, time: Nanos, sourceIP: IPAddress?, ttl: UInt8?) {
        if let i = presences.firstIndex(where: { $0.tep == tep }) {
            presences[i].lastTime = time
            presences[i].lastFrame = frame
            presences[i].frames += 1
            if let ip = sourceIP, !presences[i].moreIPs, ip != presences[i].sourceIP {
                if presences[i].sourceIP == nil { presences[i].sourceIP = ip } else { presences[i].moreIPs = true }
            }
        } else if presences.count < Self.maxPresences {
            presences.append(MACPresence(tep: tep, firstTime: time, lastTime: time, firstFrame: frame, lastFrame: frame,
                                         sourceIP: sourceIP))
        } else {
            untrackedPresences += 1
        }
        if let ip = sourceIP, !moreSourceIPs, !sourceIPs.contains(ip) {
            if sourceIPs.count < Self.maxSourceIPs { sourceIPs.append(ip) } else { moreSourceIPs = true }
        }
        if let ttl {
            ipFrames += 1
            if !isInitialTTL(ttl) { decrementedTTLFrames += 1 }
        }
    }

    /// Learning one more source frame on an existing entry, in place: reading fields through
    /// `Dictionary.values[i]` first copied the whole entry (and retained its arrays) per packet.
    @inline(__always)
    mutating func learn(behind tep: TEPID, frame: Int, time: Nanos, sourceIP: IPAddress?, ttl: UInt8?) -> LearnOutcome {
        let previous = self.tep
        let wasObserved = observed
        sourced(behind: tep, frame: frame, time: time, sourceIP: sourceIP, ttl: ttl)
        if !wasObserved {
            observed = true
            self.tep = tep
            return .confirmed(declared: previous)
        }
        if previous == tep { return .unchanged }
        moved(to: tep, frame: frame, time: time)
        return .moved(from: previous)
    }

    mutating func moved(to tep: TEPID, frame: Int, time: Nanos) {
        moveCount += 1
        if moves.count < Self.maxMoves { moves.append(MACMove(from: self.tep, to: tep, frame: frame, time: time)) }
        self.tep = tep
    }

    var distinctSourceIPs: Int { sourceIPs.count + (moreSourceIPs ? 1 : 0) }
}

/// Senders start IPv4 TTL / IPv6 hop limit at one of a few values (Linux and macOS 64, Windows 128, network
/// operating systems and neighbour discovery 255, old stacks 32, link-local protocols 1). A packet carrying
/// anything else went through at least one router on its way.
@inline(__always)
func isInitialTTL(_ ttl: UInt8) -> Bool {
    ttl == 64 || ttl == 128 || ttl == 255 || ttl == 32 || ttl == 1
}

/// What learning one source frame changed.
enum LearnOutcome {
    /// Seen again behind the TEP the model already had.
    case unchanged
    /// First time this MAC is a source in this segment.
    case learned
    /// It was a source behind another TEP before (a move, or a flap in the making).
    case moved(from: TEPID)
    /// First observation of a MAC the inventory placed; `declared` is where the inventory put it.
    case confirmed(declared: TEPID)
    /// Not tracked: the table is full.
    case untracked
}

/// The per-segment MAC forwarding tables of the logical switches, learned from (inner source MAC, outer
/// source TEP, VNI) and optionally seeded from the inventory — what NSX's central control plane and OVN's
/// port bindings give every host.
///
/// Entries live in an array in insertion order (their index never changes, so the reference switch's flow
/// cache can hold it); an open-addressing `IndexTable` with a seeded multiply hash finds them, where a
/// SipHash `Dictionary` cost two hashes per packet.
struct MACTable {
    private(set) var keys: [MACKey] = []
    private(set) var entryList: [MACEntry] = []
    /// Each entry's `(tep, observed)`, kept beside the entries for the per-packet delivery lookup: a plain value,
    /// where reading an entry copies it with its arrays.
    private(set) var locations: [Location] = []
    struct Location {
        var tep: TEPID
        var observed: Bool
    }
    private var index = IndexTable(capacity: 1024)
    private let hasher = KeyHasher()
    let limit: Int
    /// Source MACs not learned because the table was full.
    private(set) var dropped = 0
    /// Changes whenever any entry is added or any location changes: a delivery decision taken at one epoch
    /// holds while the epoch is the same (see `ShapeState.deliveryEpoch`).
    private(set) var locationEpoch: UInt64 = 1

    init(limit: Int) { self.limit = limit }

    var count: Int { keys.count }

    /// Every entry with its key, in the order the entries were created.
    var entries: Zip2Sequence<[MACKey], [MACEntry]> { zip(keys, entryList) }

    @inline(__always)
    private func hash(_ key: MACKey) -> UInt64 { hasher.hash(UInt64(key.vni), key.mac) }

    /// The index of the entry of `mac` in `vni`, if any.
    @inline(__always)
    func find(vni: UInt32, mac: UInt64) -> Int? {
        let key = MACKey(vni: vni, mac: mac)
        return index.find(hash(key)) { keys[Int($0)] == key }.map(Int.init)
    }

    /// Where the model delivers known unicast for `mac` in `vni`, or nil (unknown unicast: flooded).
    @inline(__always)
    func location(vni: UInt32, mac: MACAddress) -> (tep: TEPID, observed: Bool)? {
        guard let i = find(vni: vni, mac: mac.rawValue) else { return nil }
        let l = locations[i]
        return (l.tep, l.observed)
    }

    func entry(vni: UInt32, mac: MACAddress) -> MACEntry? { find(vni: vni, mac: mac.rawValue).map { entryList[$0] } }

    private mutating func append(_ key: MACKey, _ entry: MACEntry) {
        let i = Int32(keys.count)
        keys.append(key)
        entryList.append(entry)
        locations.append(Location(tep: entry.tep, observed: entry.observed))
        locationEpoch &+= 1
        let (hasher, keys) = (hasher, keys)
        index.insert(hash(key), index: i) { hasher.hash(UInt64(keys[Int($0)].vni), keys[Int($0)].mac) }
    }

    /// Places an inventory workload before the capture starts.
    mutating func seed(vni: UInt32, mac: MACAddress, tep: TEPID) {
        guard find(vni: vni, mac: mac.rawValue) == nil, keys.count < limit else { return }
        append(MACKey(vni: vni, mac: mac.rawValue), MACEntry(tep: tep, observed: false))
    }

    /// Learns `mac` as a source behind `tep` in `vni` (the data-plane rule every NSX host and OVS bridge applies).
    /// `cached`: the entry's index when the caller knows it (-1 otherwise); set to it once known.
    @inline(__always)
    mutating func learn(vni: UInt32, mac: MACAddress, behind tep: TEPID, frame: Int, time: Nanos,
                        sourceIP: IPAddress?, ttl: UInt8?, cached: inout Int32) -> LearnOutcome {
        if let i = cached >= 0 ? Int(cached) : find(vni: vni, mac: mac.rawValue) {
            cached = Int32(i)
            let outcome = entryList[i].learn(behind: tep, frame: frame, time: time, sourceIP: sourceIP, ttl: ttl)
            switch outcome {
            case .unchanged, .untracked: break
            case .learned, .moved, .confirmed:
                locations[i] = Location(tep: tep, observed: true)
                locationEpoch &+= 1
            }
            return outcome
        }
        guard keys.count < limit else {
            dropped += 1
            return .untracked
        }
        var e = MACEntry(tep: tep, observed: true)
        e.sourced(behind: tep, frame: frame, time: time, sourceIP: sourceIP, ttl: ttl)
        cached = Int32(keys.count)
        append(MACKey(vni: vni, mac: mac.rawValue), e)
        return .learned
    }
}
