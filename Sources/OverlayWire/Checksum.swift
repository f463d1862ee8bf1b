/// The Internet checksum (RFC 1071) over borrowed bytes, with IPv4/IPv6 pseudo-headers for L4.
public enum InternetChecksum {
    /// One's-complement sum of the bytes as 16-bit big-endian words, plus `initial`, not yet folded or inverted.
    /// The value is defined up to the one's-complement fold: `fold` of it (and of anything added to it) is the
    /// RFC 1071 sum; it is zero only when every byte and `initial` are.
    ///
    /// Fast path (RFC 1071 §2: the sum is byte-order independent, and any word width works with end-around
    /// carry): the bytes are added as native-order 64-bit words into two accumulators, each carry out counted
    /// apart (an add and an add-with-carry per 8 bytes, no byte swap, no split into halves); 2^64 ≡ 1 modulo
    /// 0xFFFF, so the carries are added back once at the end, then the sum is folded to 16 bits and swapped
    /// back to network order once.
    @inlinable
    public static func sum(_ bytes: UnsafeRawBufferPointer, initial: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        var a: UInt64 = 0, b: UInt64 = 0
        var carries: UInt64 = 0
        var i = 0
        if let p = bytes.baseAddress {  // checked once: the loop reads through the pointer
            @inline(__always) func add(_ acc: inout UInt64, _ offset: Int) {
                let (sum, carry) = acc.addingReportingOverflow(p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                acc = sum
                carries &+= carry ? 1 : 0
            }
            while i &+ 32 <= n {
                add(&a, i)
                add(&b, i &+ 8)
                add(&a, i &+ 16)
                add(&b, i &+ 24)
                i &+= 32
            }
            while i &+ 8 <= n {
                add(&a, i)
                i &+= 8
            }
        }
        // The tail, in 32-bit halves of a 64-bit accumulator that cannot overflow here.
        var t = (a & 0xFFFF_FFFF) &+ (a >> 32) &+ (b & 0xFFFF_FFFF) &+ (b >> 32) &+ carries
        if i + 4 <= n {
            t &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            i += 4
        }
        if i + 2 <= n {
            t &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt16.self))
            i += 2
        }
        if i < n {
            // A lone last byte is the high byte of a zero-padded big-endian word; read that word in host order.
            t &+= UInt64(UInt16(bigEndian: UInt16(bytes[i]) << 8))
        }
        // 2^32 ≡ 1 (mod 0xFFFF): fold by 32-bit halves, then to 16 bits.
        var s = (t & 0xFFFF_FFFF) &+ (t >> 32)
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
