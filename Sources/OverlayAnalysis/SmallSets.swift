import OverlayWire

/// Up to four distinct table indices kept inline, so per-flow bookkeeping never allocates.
/// A fifth distinct value is not stored; `overflowed` says so and the analyzer counts it in the limits.
struct SmallIndexSet: Sendable {
    private var s0: Int32 = -1, s1: Int32 = -1, s2: Int32 = -1, s3: Int32 = -1
    private(set) var count = 0
    private(set) var overflowed = false

    @inline(__always)
    func contains(_ v: Int32) -> Bool { v == s0 || v == s1 || v == s2 || v == s3 }

    /// Returns true when `v` was not there and could be stored.
    @inline(__always)
    mutating func insert(_ v: Int32) -> Bool {
        if contains(v) { return false }
        switch count {
        case 0: s0 = v
        case 1: s1 = v
        case 2: s2 = v
        case 3: s3 = v
        default:
            overflowed = true
            return false
        }
        count += 1
        return true
    }

    var elements: [Int32] { Array([s0, s1, s2, s3].prefix(count)) }
    var first: Int32? { count > 0 ? s0 : nil }
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
/// outer UDP source ports: enough to tell one hashed flow from many without a per-port table).
struct BoundedValueCounter: Sendable {
    private var values: [UInt16] = []
    private var last: UInt16 = 0
    private(set) var saturated = false

    @inline(__always)
    mutating func insert(_ v: UInt16, limit: Int) {
        if saturated || (v == last && !values.isEmpty) { return }
        last = v
        if values.contains(v) { return }
        if values.count >= limit {
            saturated = true
            values = []  // the exact values are no longer needed
            return
        }
        if values.isEmpty { values.reserveCapacity(min(limit, 16)) }
        values.append(v)
    }

    func distinct(limit: Int) -> Int { saturated ? limit : values.count }
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
