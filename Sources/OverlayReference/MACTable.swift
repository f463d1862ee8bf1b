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
    /// The replay order of the frame `lastTime`/`lastFrame` come from (see `MACLearnCache`).
    var lastSequence = 0
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
    mutating func sourced(behind tep: TEPID, frame: Int, time: Nanos, sourceIP: IPAddress?, ttl: UInt8?, sequence: Int) {
        if let i = presences.firstIndex(where: { $0.tep == tep }) {
            presences[i].lastTime = time
            presences[i].lastFrame = frame
            presences[i].lastSequence = sequence
            presences[i].frames += 1
            if let ip = sourceIP, !presences[i].moreIPs, ip != presences[i].sourceIP {
                if presences[i].sourceIP == nil { presences[i].sourceIP = ip } else { presences[i].moreIPs = true }
            }
        } else if presences.count < Self.maxPresences {
            presences.append(MACPresence(tep: tep, firstTime: time, lastTime: time, firstFrame: frame, lastFrame: frame,
                                         sourceIP: sourceIP, lastSequence: sequence))
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
    mutating func learn(behind tep: TEPID, frame: Int, time: Nanos, sourceIP: IPAddress?, ttl: UInt8?, sequence: Int) -> LearnOutcome {
        let previous = self.tep
        let wasObserved = observed
        sourced(behind: tep, frame: frame, time: time, sourceIP: sourceIP, ttl: ttl, sequence: sequence)
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

    /// The index of the presence behind `tep`, when one more frame from there with `sourceIP` would change
    /// nothing but that presence's last time and frame counters and the TTL counters (see `MACLearnCache`).
    func steadyPresence(behind tep: TEPID, sourceIP: IPAddress?) -> Int? {
        guard observed, self.tep == tep, let i = presences.firstIndex(where: { $0.tep == tep }) else { return nil }
        if let ip = sourceIP {
            guard presences[i].moreIPs || presences[i].sourceIP == ip, moreSourceIPs || sourceIPs.contains(ip) else { return nil }
        }
        return i
    }
}

/// One packet shape's source-MAC learning (see `ShapeState`): the entry's index, and, once learning is steady
/// — the MAC is behind the shape's TEP where the model already has it, with its source IP already recorded —
/// the counters of the frames since, added to the entry by `MACTable.flush` instead of per frame (one random
/// memory access less per packet). Steady holds while the table's `locationEpoch` is the one it was seen at:
/// no location, hence not the entry's TEP, changed since; the presence and IP conditions never undo themselves.
struct MACLearnCache {
    var entry: Int32 = -1
    var presence: Int32 = -1
    var steadyEpoch: UInt64 = 0
    var frames = 0
    var ipFrames = 0
    var decrementedTTLFrames = 0
    var lastTime: Nanos = 0
    var lastFrame = 0
    var lastSequence = 0
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
    /// `cache`: what the caller's packet shape remembers (see `MACLearnCache`); `canBeSteady`: every frame of
    /// that shape has this `sourceIP` (false for ARP, whose sender IP is not part of the shape).
    /// `sequence`: the frame's place in the replay.
    @inline(__always)
    mutating func learn(vni: UInt32, mac: MACAddress, behind tep: TEPID, frame: Int, time: Nanos,
                        sourceIP: IPAddress?, ttl: UInt8?, sequence: Int, cache: inout MACLearnCache, canBeSteady: Bool) -> LearnOutcome {
        if canBeSteady, cache.steadyEpoch == locationEpoch {
            cache.frames += 1
            cache.lastTime = time
            cache.lastFrame = frame
            cache.lastSequence = sequence
            if let ttl {
                cache.ipFrames += 1
                if !isInitialTTL(ttl) { cache.decrementedTTLFrames += 1 }
            }
            return .unchanged
        }
        if let i = cache.entry >= 0 ? Int(cache.entry) : find(vni: vni, mac: mac.rawValue) {
            cache.entry = Int32(i)
            let outcome = entryList[i].learn(behind: tep, frame: frame, time: time, sourceIP: sourceIP, ttl: ttl, sequence: sequence)
            switch outcome {
            case .unchanged, .untracked: break
            case .learned, .moved, .confirmed:
                locations[i] = Location(tep: tep, observed: true)
                locationEpoch &+= 1
            }
            if canBeSteady, let p = entryList[i].steadyPresence(behind: tep, sourceIP: sourceIP) {
                cache.presence = Int32(p)
                cache.steadyEpoch = locationEpoch
            }
            return outcome
        }
        guard keys.count < limit else {
            dropped += 1
            return .untracked
        }
        var e = MACEntry(tep: tep, observed: true)
        e.sourced(behind: tep, frame: frame, time: time, sourceIP: sourceIP, ttl: ttl, sequence: sequence)
        cache.entry = Int32(keys.count)
        append(MACKey(vni: vni, mac: mac.rawValue), e)
        return .learned
    }

    /// Adds the frames a shape counted while its learning was steady to the entry, and clears them.
    mutating func flush(_ cache: inout MACLearnCache) {
        guard cache.frames > 0 else { return }
        let i = Int(cache.entry), p = Int(cache.presence)
        entryList[i].presences[p].frames += cache.frames
        if cache.lastSequence > entryList[i].presences[p].lastSequence {
            entryList[i].presences[p].lastTime = cache.lastTime
            entryList[i].presences[p].lastFrame = cache.lastFrame
            entryList[i].presences[p].lastSequence = cache.lastSequence
        }
        entryList[i].ipFrames += cache.ipFrames
        entryList[i].decrementedTTLFrames += cache.decrementedTTLFrames
        cache.frames = 0
        cache.ipFrames = 0
        cache.decrementedTTLFrames = 0
    }
}
