/// IPv4 header (RFC 791), options kept as a length, fragments noted.
public struct IPv4Header: Hashable, Sendable {
    public var offset: Int
    public var headerLength: Int
    public var tos: UInt8
    /// As on the wire; 0 is legal for Linux BIG TCP / GSO super-frames (length taken from the capture).
    public var totalLength: UInt16
    public var identification: UInt16
    public var dontFragment: Bool
    public var moreFragments: Bool
    public var reservedFlag: Bool
    /// In bytes (the field × 8).
    public var fragmentOffset: Int
    public var ttl: UInt8
    public var proto: IPProtocol
    public var checksum: UInt16
    public var source: IPv4Address
    public var destination: IPv4Address
    /// nil when not verified (header not all captured); otherwise whether the header checksum is right.
    public var checksumValid: Bool?

    public var optionsLength: Int { headerLength - 20 }
    public var isFragment: Bool { moreFragments || fragmentOffset != 0 }
    public var dscp: UInt8 { tos >> 2 }
    public var ecn: UInt8 { tos & 3 }

    /// Reads the 20-byte fixed header. Version and IHL are checked by the decoder, which knows the context.
    @inlinable @inline(__always)
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(20) else { return nil }
        offset = cursor.position
        let vihl = cursor.uncheckedUInt8(at: 0)
        headerLength = Int(vihl & 0x0F) * 4
        tos = cursor.uncheckedUInt8(at: 1)
        totalLength = cursor.uncheckedUInt16(at: 2)
        identification = cursor.uncheckedUInt16(at: 4)
        let ff = cursor.uncheckedUInt16(at: 6)
        reservedFlag = ff & 0x8000 != 0
        dontFragment = ff & 0x4000 != 0
        moreFragments = ff & 0x2000 != 0
        fragmentOffset = Int(ff & 0x1FFF) * 8
        ttl = cursor.uncheckedUInt8(at: 8)
        proto = IPProtocol(rawValue: cursor.uncheckedUInt8(at: 9))
        checksum = cursor.uncheckedUInt16(at: 10)
        source = IPv4Address(rawValue: cursor.uncheckedUInt32(at: 12))
        destination = IPv4Address(rawValue: cursor.uncheckedUInt32(at: 16))
        checksumValid = nil
        cursor.position += 20
    }
}
