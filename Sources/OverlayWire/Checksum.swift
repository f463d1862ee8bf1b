/// The Internet checksum (RFC 1071) over borrowed bytes, with IPv4/IPv6 pseudo-headers for L4.
public enum InternetChecksum {
    /// One's-complement sum of the bytes as 16-bit big-endian words, plus `initial`, not yet folded or inverted.
    /// The value is defined up to the one's-complement fold: `fold` of it (and of anything added to it) is the
    /// RFC 1071 sum; it is zero only when every byte and `initial` are.
    ///
    /// Fast path (RFC 1071 §2: the sum is byte-order independent): the bytes are summed as native-order 32-bit
    /// halves of 8-byte loads into two 64-bit accumulators — no byte swap per word, no carry handling until the
    /// end — then folded to 16 bits and swapped back to network order once.
    @inlinable
    public static func sum(_ bytes: UnsafeRawBufferPointer, initial: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        var a: UInt64 = 0, b: UInt64 = 0
        var i = 0
        // Each 8-byte load adds at most 2 × (2^32 − 1): 2^31 loads per accumulator before it could wrap.
        while i + 16 <= n {
            let w0 = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let w1 = bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            a &+= (w0 & 0xFFFF_FFFF) &+ (w0 >> 32)
            b &+= (w1 & 0xFFFF_FFFF) &+ (w1 >> 32)
            i += 16
        }
        if i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            a &+= (w & 0xFFFF_FFFF) &+ (w >> 32)
            i += 8
        }
        if i + 4 <= n {
            a &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            i += 4
        }
        if i + 2 <= n {
            b &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt16.self))
            i += 2
        }
        if i < n {
            // A lone last byte is the high byte of a zero-padded big-endian word; read that word in host order.
            b &+= UInt64(UInt16(bigEndian: UInt16(bytes[i]) << 8))
        }
        // 2^32 ≡ 1 (mod 0xFFFF): fold the 64-bit accumulators by 32-bit halves, then to 16 bits.
        var s = (a & 0xFFFF_FFFF) &+ (a >> 32) &+ (b & 0xFFFF_FFFF) &+ (b >> 32)
        while s >> 16 != 0 { s = (s & 0xFFFF) &+ (s >> 16) }
        // The host-order sum, folded, is the network-order sum with its bytes swapped (the identity on big-endian).
        return initial &+ UInt64(UInt16(bigEndian: UInt16(truncatingIfNeeded: s)))
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
