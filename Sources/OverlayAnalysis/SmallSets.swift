import OverlayWire

/// Up to four distinct table indices kept inline, so per-flow bookkeeping never allocates.
/// A fifth distinct value is not stored; `overflowed` says so and the analyzer counts it in the limits.
struct SmallIndexSet: Sendable {
    private var s0: Int32 = -1, s1: Int32 = -1, s2: Int32 = -1, s3: Int32 = -1
    private var stored: UInt8 = 0
    private(set) var overflowed = false
    var count: Int { Int(stored) }

    @inline(__always)
    func contains(_ v: Int32) -> Bool { v == s0 || v == s1 || v == s2 || v == s3 }

    /// Returns true when `v` was not there and could be stored.
    @inline(__always)
    mutating func insert(_ v: Int32) -> Bool {
        if contains(v) { return false }
        switch stored {
        case 0: s0 = v
        case 1: s1 = v
        case 2: s2 = v
        case 3: s3 = v
        default:
            overflowed = true
            return false
        }
        stored += 1
        return true
    }

    var elements: [Int32] { Array([s0, s1, s2, s3].prefix(count)) }
    var first: Int32? { count > 0 ? s0 : nil }
}

/// The first frame numbers of a flow leg (its evidence sample): four inline, more (when configured so) out of
/// line. The common leg allocates nothing for it, and the per-packet "sample full?" check reads no heap memory.
struct EvidenceSample: Sendable {
    private var f0 = 0, f1 = 0, f2 = 0, f3 = 0
    private var more: [Int] = []
    /// Inline frames kept (0...4); the others are in `more`.
    private var inline: UInt8 = 0

    var count: Int { Int(inline) + more.count }

    /// Keeps `frame` while fewer than `limit` are kept.
    @inline(__always)
    mutating func append(_ frame: Int, limit: Int) {
        switch inline {
        case 0 where limit > 0: f0 = frame
        case 1 where limit > 1: f1 = frame
        case 2 where limit > 2: f2 = frame
        case 3 where limit > 3: f3 = frame
        case 4 where more.count + 4 < limit:
            more.append(frame)
            return
        default: return
        }
        inline += 1
    }

    var first: Int? { inline > 0 ? f0 : nil }
    /// The kept frames, in order.
    var frames: [Int] { Array([f0, f1, f2, f3].prefix(Int(inline))) + more }
}

/// A set of byte values (TTLs) as a 256-bit bitmap: exact and allocation-free.
struct ByteSet: Sendable {
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    @inline(__always)
    mutating func insert(_ v: UInt8) {
        let bit = UInt64(1) << UInt64(v & 63)
        switch v >> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        case 2: w2 |= bit
        default: w3 |= bit
        }
    }

    var elements: [UInt8] {
        var out: [UInt8] = []
        for (i, w) in [w0, w1, w2, w3].enumerated() where w != 0 {
            for b in 0..<64 where w & (UInt64(1) << UInt64(b)) != 0 { out.append(UInt8(i * 64 + b)) }
        }
        return out
    }
}

/// Distinct 16-bit values counted exactly up to a limit, then only "at least the limit" (ECMP entropy of
/// outer UDP source ports: enough to tell one hashed flow from many without a per-port table). An open-
/// addressing set that starts at 8 slots and doubles at half load, so a packet costs a probe or two, not a
/// scan, and a tunnel with few flows keeps a small table.
struct BoundedValueCounter: Sendable {
    /// value + 1 (0 = empty slot), so port 0 can be counted too.
    private var slots: [UInt32] = []
    private var count = 0
    private var last: UInt32 = 0
    private(set) var saturated = false

    @inline(__always)
    mutating func insert(_ v: UInt16, limit: Int) {
        let stored = UInt32(v) + 1
        if saturated || stored == last { return }
        last = stored
        if slots.isEmpty { slots = Array(repeating: 0, count: 8) }
        var i = Self.slot(stored, in: slots)
        if slots[i] == stored { return }
        guard count < limit else {
            saturated = true
            slots = []  // the exact values are no longer needed
            return
        }
        if (count + 1) * 2 > slots.count {
            let old = slots
            slots = Array(repeating: 0, count: old.count * 2)
            for value in old where value != 0 { slots[Self.slot(value, in: slots)] = value }
            i = Self.slot(stored, in: slots)
        }
        slots[i] = stored
        count += 1
    }

    /// A read of the slot `insert(v)` probes first: loads it ahead (see `StreamingState.loadAhead`).
    @inline(__always)
    func slotAhead(_ v: UInt16) -> UInt32 {
        let stored = UInt32(v) + 1
        guard !saturated, stored != last, !slots.isEmpty else { return 0 }
        return slots[Int(truncatingIfNeeded: (stored &* 0x9E37_79B1) >> 16) & (slots.count - 1)]
    }

    /// The slot holding `stored`, or the empty slot where it belongs.
    @inline(__always)
    private static func slot(_ stored: UInt32, in slots: [UInt32]) -> Int {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: (stored &* 0x9E37_79B1) >> 16) & mask
        while slots[i] != 0 && slots[i] != stored { i = (i + 1) & mask }
        return i
    }

    func distinct(limit: Int) -> Int { saturated ? limit : count }
}

/// Bounded, deduplicated list used for per-object samples (IPs of an endpoint…). `dropped` counts the
/// insertions refused for lack of room (a value refused twice counts twice: it cannot be remembered).
struct BoundedList<Element: Hashable & Sendable>: Sendable {
    enum Insertion { case inserted, present, dropped }

    private(set) var items: [Element] = []
    private(set) var dropped = 0

    @discardableResult
    mutating func insert(_ v: Element, limit: Int) -> Insertion {
        if items.contains(v) { return .present }
        guard items.count < limit else {
            dropped += 1
            return .dropped
        }
        items.append(v)
        return .inserted
    }
}

/// Address words for hashing and ordering: IPv4 in the low word, IPv6 as its two halves, MACs as 48 bits.
extension IPAddress {
    @inline(__always)
    var words: (UInt64, UInt64) {
        switch self {
        case .v4(let a): return (0, UInt64(a.rawValue))
        case .v6(let a): return (a.high, a.low)
        }
    }
    @inline(__always)
    var family: UInt8 {
        switch self {
        case .v4: return 4
        case .v6: return 6
        }
    }
    var isUnspecified: Bool { words == (0, 0) }
    /// Private/site-local space (RFC 1918, RFC 6598, loopback, link-local; IPv6 ULA and link-local).
    var looksPrivate: Bool {
        switch self {
        case .v4(let a): return a.isPrivate
        case .v6(let a): return a.high >> 57 == 0x7E || a.isLinkLocal
        }
    }
    /// Globally routed unicast space: what traffic to "the outside" is addressed to.
    var looksPublic: Bool {
        switch self {
        case .v4(let a): return !a.isPrivate && !a.isMulticast && !a.isBroadcast && a.rawValue >> 24 != 0
        case .v6(let a): return a.high >> 61 == 1
        }
    }
    /// IPv6 link-local (fe80::/10) or IPv4 link-local (169.254/16): never a segment's subnet.
    var isLinkLocal: Bool {
        switch self {
        case .v4(let a): return a.rawValue >> 16 == 0xA9FE
        case .v6(let a): return a.isLinkLocal
        }
    }
}
