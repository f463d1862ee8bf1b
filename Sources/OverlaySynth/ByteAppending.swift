import OverlayWire

/// Fixed-width appends for building wire formats: big-endian for network headers, little-endian for the
/// pcap/pcapng file structures we write.
extension Array where Element == UInt8 {
    @inlinable mutating func appendBE16(_ v: UInt16) {
        append(UInt8(truncatingIfNeeded: v >> 8)); append(UInt8(truncatingIfNeeded: v))
    }
    @inlinable mutating func appendBE32(_ v: UInt32) {
        appendBE16(UInt16(truncatingIfNeeded: v >> 16)); appendBE16(UInt16(truncatingIfNeeded: v))
    }
    @inlinable mutating func appendBE64(_ v: UInt64) {
        appendBE32(UInt32(truncatingIfNeeded: v >> 32)); appendBE32(UInt32(truncatingIfNeeded: v))
    }
    @inlinable mutating func appendLE16(_ v: UInt16) {
        append(UInt8(truncatingIfNeeded: v)); append(UInt8(truncatingIfNeeded: v >> 8))
    }
    @inlinable mutating func appendLE32(_ v: UInt32) {
        appendLE16(UInt16(truncatingIfNeeded: v)); appendLE16(UInt16(truncatingIfNeeded: v >> 16))
    }
    @inlinable mutating func appendMAC(_ m: MACAddress) {
        for shift in stride(from: 40, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: m.rawValue >> UInt64(shift))) }
    }
    @inlinable mutating func appendIPv4(_ a: IPv4Address) { appendBE32(a.rawValue) }
    @inlinable mutating func appendIPv6(_ a: IPv6Address) { appendBE64(a.high); appendBE64(a.low) }

    /// Overwrites a big-endian 16-bit field in place.
    @inlinable mutating func setBE16(_ v: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: v >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: v)
    }
    @inlinable func readBE16(at offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }
}

extension InternetChecksum {
    /// The checksum field value for `bytes` (checksum field zeroed).
    static func compute(_ bytes: [UInt8], initial: UInt64 = 0) -> UInt16 {
        bytes.withUnsafeBytes { compute($0, initial: initial) }
    }
}
