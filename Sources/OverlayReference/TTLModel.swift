import OverlayWire

/// TTL along the overlay path, checked when the capture holds two copies of one inner packet (two capture
/// points, or a vNIC capture beside an uplink capture):
///
/// - A tunnel does not touch the inner packet: the same packet with the **same inner MACs** (no router
///   rewrote it) must carry the same TTL in both copies. A difference means something between the capture
///   points decremented TTL without routing.
/// - A router that rewrites the inner source MAC (the distributed router on the source host, an edge)
///   decrements TTL by one. The same packet **with the source MAC rewritten to a router MAC, in another
///   VNI** and an equal TTL crossed a router that did not decrement it.
///
/// Both comparisons are order-free (merged captures can be skewed in time). Without two copies nothing is
/// judged, so a capture from one point never yields a TTL finding.
struct TTLModel {
    /// The direct-mapped cache of recent packets, keyed by fingerprint. The high halves of the fingerprints have
    /// an array of their own: every packet reads one (4 bytes in 64 KiB stay in cache), and only a match, which is
    /// rare, reads the slot beside it. Every packet writes its slot, one cache line (`SeenPacketSlots`).
    private var tags: [UInt32]
    private var slots: SeenPacketSlots
    private let mask: UInt64
    let window: Nanos
    let evidenceLimit: Int
    let findingLimit: Int
    private var unchangedMACs: [TTLPairKey: TTLOutcome] = [:]
    private var routedCandidates: [TTLPairKey: TTLOutcome] = [:]

    /// The identity of one IP packet, and where and how it was seen.
    struct SeenPacket {
        var fingerprint: UInt64 = 0
        var source: IPAddress = .v4(IPv4Address(rawValue: 0))
        var destination: IPAddress = .v4(IPv4Address(rawValue: 0))
        var time: Nanos = .min
        var frame = 0
        var ttl: UInt8 = 0
        var sourceMAC = MACAddress.zero
        var destinationMAC = MACAddress.zero
        /// nil: seen untunneled (a vNIC or uplink capture).
        var vni: UInt32?
    }

    init(configuration: ReferenceSwitchConfiguration) {
        var n = 1
        while n < max(64, configuration.recentFrameSlots) { n <<= 1 }
        slots = SeenPacketSlots(count: n)
        tags = Array(repeating: 0, count: n)
        mask = UInt64(n - 1)
        window = configuration.copyWindow.nanoseconds
        evidenceLimit = configuration.maxEvidenceFrames
        findingLimit = configuration.maxFindingsPerKind
    }

    @inline(__always)
    /// `fingerprint`: the frame's `packetFingerprint`.
    mutating func observe(frame: Int, time: Nanos, vni: UInt32?, inner: InnerFrame, fingerprint fp: UInt64) {
        guard let ttl = inner.ttl, let s = inner.sourceIP, let d = inner.destinationIP,
              let sm = inner.sourceMAC, let dm = inner.destinationMAC else { return }
        let i = Int(fp & mask)
        if tags[i] == UInt32(truncatingIfNeeded: fp >> 32) {
            let prev = slots.packet(at: i)
            if prev.fingerprint == fp, prev.source == s, prev.destination == d, time - prev.time <= window, prev.frame != frame {
                if prev.sourceMAC == sm && prev.destinationMAC == dm && prev.ttl != ttl {
                    record(&unchangedMACs, s, d, prev.frame, frame, detail: (prev.ttl, ttl, prev.vni, vni, prev.sourceMAC, sm))
                } else if prev.sourceMAC != sm && prev.ttl == ttl && prev.vni != vni {
                    record(&routedCandidates, s, d, prev.frame, frame, detail: (prev.ttl, ttl, prev.vni, vni, prev.sourceMAC, sm))
                }
            }
        }
        tags[i] = UInt32(truncatingIfNeeded: fp >> 32)
        slots.store(SeenPacket(fingerprint: fp, source: s, destination: d, time: time, frame: frame, ttl: ttl,
                               sourceMAC: sm, destinationMAC: dm, vni: vni), at: i)
    }

    /// Loads the tag and the slot `observe` will read and write for `fingerprint`; returns them for a sink.
    @inline(__always)
    func loadAhead(fingerprint fp: UInt64) -> Int {
        let i = Int(fp & mask)
        return Int(tags[i]) &+ slots.loadAhead(i)
    }

    private func record(_ into: inout [TTLPairKey: TTLOutcome], _ s: IPAddress, _ d: IPAddress, _ a: Int, _ b: Int,
                        detail: (UInt8, UInt8, UInt32?, UInt32?, MACAddress, MACAddress)) {
        let key = TTLPairKey(source: s, destination: d)
        if into[key] == nil {
            guard into.count < findingLimit else { return }
            into[key] = TTLOutcome(evidence: Evidence(limit: evidenceLimit), ttlA: detail.0, ttlB: detail.1, vniA: detail.2,
                                   vniB: detail.3, macA: detail.4, macB: detail.5)
        }
        into[key]?.evidence.add(a)
        into[key]?.evidence.add(b)
    }

    /// `reported`: address pairs whose TTL drift the flow rule (`DistributedRouterModel` rule 4) already told.
    func findings(_ v: ModelVerdicts, reported: Set<AddressPair>) -> [Finding] {
        var out: [Finding] = []
        func place(_ vni: UInt32?) -> String { vni.map { v.naming.vni($0) } ?? "untunneled" }
        for (key, o) in unchangedMACs where !reported.contains(AddressPair(source: key.source, destination: key.destination)) {
            out.append(Finding(
                kind: .ttl, severity: .warning,
                message: "The same packet \(key.source) → \(key.destination) was seen with TTL \(o.ttlA) (\(place(o.vniA))) and TTL \(o.ttlB) (\(place(o.vniB))) but the same inner MACs: something between the capture points changed the TTL without routing (a tunnel must not touch the inner packet); \(o.evidence.text).",
                expected: "the same TTL in both copies (no router crossed: inner MACs unchanged)",
                observed: "TTL \(o.ttlA) and TTL \(o.ttlB)",
                frames: o.evidence.frames, vni: o.vniB ?? o.vniA))
        }
        for (key, o) in routedCandidates {
            // Only when the rewritten source MAC is a router's: then a router forwarded it without TTL − 1.
            let routed = v.routerMACs.contains(o.macB) ? o.macB : v.routerMACs.contains(o.macA) ? o.macA : nil
            guard let router = routed else { continue }
            out.append(Finding(
                kind: .ttl, severity: .warning,
                message: "The same packet \(key.source) → \(key.destination) was routed (inner source MAC rewritten to router MAC \(router); \(place(o.vniA)) → \(place(o.vniB))) but kept TTL \(o.ttlA): a router must decrement it; \(o.evidence.text).",
                expected: "TTL \(o.ttlA) → \(o.ttlA > 0 ? o.ttlA - 1 : 0) across the router",
                observed: "TTL \(o.ttlA) in both copies",
                frames: o.evidence.frames, vni: o.vniB ?? o.vniA))
        }
        return out
    }
}

/// `TTLModel`'s slots, one 64-byte cache line each (where a `SeenPacket` takes 104 bytes and straddles two or
/// three): seven words, the slots aligned to 64 bytes in the array. IPv4 addresses fit in the line; a packet with
/// IPv6 addresses keeps them in `wide`, allocated when the first one comes.
struct SeenPacketSlots {
    private var words: [UInt64]
    /// Index of slot 0's first word: the first 64-byte boundary in `words`.
    private let base: Int
    private var wide: [(IPAddress, IPAddress)] = []

    // Word 3: source MAC | TTL << 48 | has VNI << 56 | IPv6 (in `wide`) << 57. Word 5: VNI | IPv4 source << 32.
    private static let macMask: UInt64 = 0xFFFF_FFFF_FFFF

    init(count: Int) {
        words = Array(repeating: 0, count: count * 8 + 8)
        let address = words.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        base = Int((64 - address % 64) % 64) / 8
        for i in 0..<count { words[base + i * 8 + 1] = UInt64(bitPattern: Nanos.min) }  // SeenPacket's time
    }

    @inline(__always)
    func packet(at i: Int) -> TTLModel.SeenPacket {
        let w = base + i * 8
        let flags = words[w + 3] >> 56
        let source: IPAddress, destination: IPAddress
        if flags & 2 != 0 {
            (source, destination) = wide[i]
        } else {
            source = .v4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: words[w + 5] >> 32)))
            destination = .v4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: words[w + 6])))
        }
        return TTLModel.SeenPacket(
            fingerprint: words[w], source: source, destination: destination, time: Nanos(bitPattern: words[w + 1]),
            frame: Int(Int64(bitPattern: words[w + 2])), ttl: UInt8(truncatingIfNeeded: words[w + 3] >> 48),
            sourceMAC: MACAddress(rawValue: words[w + 3] & Self.macMask), destinationMAC: MACAddress(rawValue: words[w + 4]),
            vni: flags & 1 != 0 ? UInt32(truncatingIfNeeded: words[w + 5]) : nil)
    }

    /// Loads slot `i`'s line (its first word) for a sink.
    @inline(__always)
    func loadAhead(_ i: Int) -> Int { Int(truncatingIfNeeded: words[base + i * 8]) }

    @inline(__always)
    mutating func store(_ p: TTLModel.SeenPacket, at i: Int) {
        let w = base + i * 8
        var flags: UInt64 = p.vni == nil ? 0 : 1
        var s4: UInt32 = 0, d4: UInt32 = 0
        if case .v4(let s) = p.source, case .v4(let d) = p.destination {
            s4 = s.rawValue
            d4 = d.rawValue
        } else {
            flags |= 2
            if wide.isEmpty { wide = Array(repeating: (p.source, p.destination), count: (words.count - 8) / 8) }
            wide[i] = (p.source, p.destination)
        }
        words[w] = p.fingerprint
        words[w + 1] = UInt64(bitPattern: p.time)
        words[w + 2] = UInt64(bitPattern: Int64(p.frame))
        words[w + 3] = p.sourceMAC.rawValue | UInt64(p.ttl) << 48 | flags << 56
        words[w + 4] = p.destinationMAC.rawValue
        words[w + 5] = UInt64(p.vni ?? 0) | UInt64(s4) << 32
        words[w + 6] = UInt64(d4)
    }
}

struct TTLPairKey: Hashable {
    var source: IPAddress
    var destination: IPAddress
}

struct TTLOutcome {
    var evidence: Evidence
    var ttlA: UInt8
    var ttlB: UInt8
    var vniA: UInt32?
    var vniB: UInt32?
    var macA: MACAddress
    var macB: MACAddress
}
