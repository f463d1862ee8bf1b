/// A 48-bit IEEE MAC address, stored in the low 48 bits of a `UInt64` so it is cheap to hash and compare.
public struct MACAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    @inlinable
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) {
        self.rawValue = UInt64(b0) << 40 | UInt64(b1) << 32 | UInt64(b2) << 24
            | UInt64(b3) << 16 | UInt64(b4) << 8 | UInt64(b5)
    }

    /// Reads 6 bytes at the cursor's position, or `nil` when fewer remain.
    @inlinable
    public init?(reading cursor: inout ByteCursor) {
        guard let hi = cursor.peekUInt16(), let lo = cursor.peekUInt32(at: 2) else { return nil }
        cursor.position += 6
        self.rawValue = UInt64(hi) << 32 | UInt64(lo)
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (or `-` separated).
    public init?(_ text: String) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var v: UInt64 = 0
        for p in parts {
            guard p.count <= 2, let b = UInt8(p, radix: 16) else { return nil }
            v = v << 8 | UInt64(b)
        }
        self.rawValue = v
    }

    public static let broadcast = MACAddress(rawValue: 0xFFFF_FFFF_FFFF)
    public static let zero = MACAddress(rawValue: 0)

    @inlinable public var octets: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> UInt64(40 - 8 * $0)) } }
    /// Group bit set: broadcast or multicast (BUM traffic on a logical switch).
    @inlinable public var isMulticast: Bool { (rawValue >> 40) & 1 == 1 }
    @inlinable public var isBroadcast: Bool { rawValue == 0xFFFF_FFFF_FFFF }

    public var description: String {
        String(unsafeUninitializedCapacity: Self.textLength) { writeText(into: $0.baseAddress!) }
    }
    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.rawValue < b.rawValue }

    /// Bytes of the text form.
    public static let textLength = 17

    /// Writes the text form ("00:50:56:aa:10:11", lower case) into `out[0 ..< textLength]`; returns its length.
    /// Reports write thousands of addresses: written in place, not built from per-octet strings.
    @inlinable @discardableResult
    public func writeText(into out: UnsafeMutablePointer<UInt8>) -> Int {
        for i in 0..<6 {
            let octet = UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * UInt64(i)))
            out[3 * i] = Self.hexDigit(octet >> 4)
            out[3 * i + 1] = Self.hexDigit(octet & 0xF)
            if i < 5 { out[3 * i + 2] = UInt8(ascii: ":") }
        }
        return Self.textLength
    }

    @inlinable @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? UInt8(ascii: "0") &+ v : UInt8(ascii: "a") &+ (v &- 10) }
}

/// An IPv4 address in host byte order.
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, let b = UInt8(p) else { return nil }
            v = v << 8 | UInt32(b)
        }
        rawValue = v
    }

    public var description: String {
        String(unsafeUninitializedCapacity: Self.maximumTextLength) { writeText(into: $0.baseAddress!) }
    }

    /// Bytes of the longest text form ("255.255.255.255").
    public static let maximumTextLength = 15

    /// Writes the dotted-decimal text form into `out` (at most `maximumTextLength` bytes); returns its length.
    @inlinable @discardableResult
    public func writeText(into out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        for shift in stride(from: 24, through: 0, by: -8) {
            let v = UInt8(truncatingIfNeeded: rawValue >> UInt32(shift))
            if shift != 24 {
                out[n] = UInt8(ascii: ".")
                n += 1
            }
            if v >= 100 {
                out[n] = UInt8(ascii: "0") &+ v / 100
                n += 1
            }
            if v >= 10 {
                out[n] = UInt8(ascii: "0") &+ (v / 10) % 10
                n += 1
            }
            out[n] = UInt8(ascii: "0") &+ v % 10
            n += 1
        }
        return n
    }
    public var isMulticast: Bool { rawValue >> 28 == 0xE }
    public var isBroadcast: Bool { rawValue == 0xFFFF_FFFF }
    /// RFC 1918, shared address space (RFC 6598) and link-local: addresses that stay inside a site.
    public var isPrivate: Bool {
        rawValue >> 24 == 10 || rawValue >> 20 == 0xAC1 || rawValue >> 16 == 0xC0A8
            || rawValue >> 22 == (100 << 2 | 1) || rawValue >> 16 == 0xA9FE || rawValue >> 24 == 127
    }
    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.rawValue < b.rawValue }
}

/// An IPv6 address as two big-endian halves.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64
    @inlinable public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    @inlinable
    public init?(reading cursor: inout ByteCursor) {
        guard let h = cursor.peekUInt64(), let l = cursor.peekUInt64(at: 8) else { return nil }
        cursor.position += 16
        high = h
        low = l
    }

    public init?(_ text: String) {
        // Accepts the full and the "::"-compressed forms (no embedded IPv4).
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ s: Substring) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            for g in s.split(separator: ":", omittingEmptySubsequences: false) {
                guard !g.isEmpty, g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<4 { h = h << 16 | UInt64(all[i]) }
        for i in 4..<8 { l = l << 16 | UInt64(all[i]) }
        high = h
        low = l
    }

    public var groups: [UInt16] {
        (0..<4).map { UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * $0)) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * $0)) }
    }

    /// RFC 5952 text form: lower-case, longest run of zero groups (≥ 2) compressed to "::".
    public var description: String {
        let g = groups
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > bestLen { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        func hex(_ r: Range<Int>) -> String { r.map { String(g[$0], radix: 16) }.joined(separator: ":") }
        if bestLen < 2 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLen)..<8)
    }
    public var isMulticast: Bool { high >> 56 == 0xFF }
    public var isLinkLocal: Bool { high >> 54 == 0x3FA }
    public static func < (a: IPv6Address, b: IPv6Address) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// Either family; what flow keys, TEPs and workloads are keyed by.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public init?(_ text: String) {
        if let a = IPv4Address(text) { self = .v4(a) } else if let a = IPv6Address(text) { self = .v6(a) } else { return nil }
    }
    public var description: String {
        switch self {
        case .v4(let a): return a.description
        case .v6(let a): return a.description
        }
    }
    public var isMulticast: Bool {
        switch self {
        case .v4(let a): return a.isMulticast || a.isBroadcast
        case .v6(let a): return a.isMulticast
        }
    }
    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v6(let x), .v6(let y)): return x < y
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }
}

@usableFromInline
func hex2(_ b: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
    return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
}

/// Lower-case hex of raw bytes, e.g. option data in JSON.
public func hexString(_ bytes: UnsafeRawBufferPointer) -> String {
    var s = ""
    s.reserveCapacity(bytes.count * 2)
    for b in bytes { s += hex2(b) }
    return s
}

extension String {
    /// Splits on the first "::" only (IPv6 text form); no Foundation in this module.
    fileprivate func components(separatedByDoubleColon _: Void) -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var i = startIndex
        while i < endIndex {
            let next = index(after: i)
            if self[i] == ":", next < endIndex, self[next] == ":" {
                parts.append(self[start..<i])
                start = index(after: next)
                i = start
                continue
            }
            i = next
        }
        parts.append(self[start..<endIndex])
        return parts
    }
}
