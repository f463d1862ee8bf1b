/// The Internet checksum (RFC 1071) over borrowed bytes, with IPv4/IPv6 pseudo-headers for L4.
public enum InternetChecksum {
    /// One's-complement sum of 16-bit big-endian words, not yet folded or inverted.
    @inlinable
    public static func sum(_ bytes: UnsafeRawBufferPointer, initial: UInt64 = 0) -> UInt64 {
        var acc = initial
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            acc &+= (w >> 48) &+ ((w >> 32) & 0xFFFF) &+ ((w >> 16) & 0xFFFF) &+ (w & 0xFFFF)
            i += 8
        }
        while i + 2 <= n {
            acc &+= UInt64(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt16.self)))
            i += 2
        }
        if i < n { acc &+= UInt64(bytes[i]) << 8 }
        return acc
    }

    @inlinable
    public static func fold(_ sum: UInt64) -> UInt16 {
        var s = sum
        while s >> 16 != 0 { s = (s & 0xFFFF) &+ (s >> 16) }
        return UInt16(s)
    }

    /// The checksum field value that makes `bytes` (with the field zeroed) verify.
    @inlinable
    public static func compute(_ bytes: UnsafeRawBufferPointer, initial: UInt64 = 0) -> UInt16 {
        ~fold(sum(bytes, initial: initial))
    }

    /// True when `bytes` (checksum field included) verify.
    @inlinable
    public static func verify(_ bytes: UnsafeRawBufferPointer, initial: UInt64 = 0) -> Bool {
        fold(sum(bytes, initial: initial)) == 0xFFFF
    }

    @inlinable
    public static func pseudoHeader(source: IPv4Address, destination: IPv4Address, proto: IPProtocol, length: Int) -> UInt64 {
        UInt64(source.rawValue >> 16) + UInt64(source.rawValue & 0xFFFF)
            + UInt64(destination.rawValue >> 16) + UInt64(destination.rawValue & 0xFFFF)
            + UInt64(proto.rawValue) + UInt64(length & 0xFFFF) + UInt64(length >> 16)
    }

    @inlinable
    public static func pseudoHeader(source: IPv6Address, destination: IPv6Address, proto: IPProtocol, length: Int) -> UInt64 {
        func words(_ v: UInt64) -> UInt64 { (v >> 48) + ((v >> 32) & 0xFFFF) + ((v >> 16) & 0xFFFF) + (v & 0xFFFF) }
        return words(source.high) + words(source.low) + words(destination.high) + words(destination.low)
            + UInt64(proto.rawValue) + UInt64(length & 0xFFFF) + UInt64(length >> 16)
    }
}
