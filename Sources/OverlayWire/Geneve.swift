/// Geneve (RFC 8926), UDP destination port 6081.
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |        Virtual Network Identifier (VNI)       |    Reserved   |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                    Variable-Length Options                    |
public struct GeneveHeader: Hashable, Sendable {
    public static let port: UInt16 = 6081
    public static let baseSize = 8

    public var offset: Int
    public var version: UInt8
    /// Total option bytes announced by the header (Opt Len × 4).
    public var optionsLength: Int
    /// O: control (OAM) packet, not data.
    public var oam: Bool
    /// C: at least one critical option is present.
    public var critical: Bool
    /// The 6 reserved flag bits, which a sender must set to zero.
    public var reservedFlags: UInt8
    public var protocolType: EtherType
    public var vni: UInt32
    /// The reserved byte after the VNI.
    public var reserved: UInt8
    /// Where this header's options sit in `DecodedPacket.geneveOptions`.
    public var optionIndices: Range<Int>

    @inlinable @inline(__always)
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(Self.baseSize) else { return nil }
        offset = cursor.position
        let w0 = cursor.uncheckedUInt32(at: 0)
        let w1 = cursor.uncheckedUInt32(at: 4)
        version = UInt8(w0 >> 30)
        optionsLength = Int((w0 >> 24) & 0x3F) * 4
        oam = w0 & 0x0080_0000 != 0
        critical = w0 & 0x0040_0000 != 0
        reservedFlags = UInt8((w0 >> 16) & 0x3F)
        protocolType = EtherType(rawValue: UInt16(truncatingIfNeeded: w0))
        vni = w1 >> 8
        reserved = UInt8(truncatingIfNeeded: w1)
        optionIndices = 0..<0
        cursor.position += Self.baseSize
    }
}

/// One Geneve option TLV: `Class(16) Type(8, high bit = critical) R(3) Length(5, 4-byte words) Data`.
public struct GeneveOption: Hashable, Sendable {
    public static let headerSize = 4
    /// Offset of the option header in the frame.
    public var offset: Int
    public var optionClass: UInt16
    public var type: UInt8
    public var reservedBits: UInt8
    /// Bytes of data, without the 4-byte option header.
    public var dataLength: Int
    public var dataOffset: Int { offset + Self.headerSize }
    public var isCritical: Bool { type & 0x80 != 0 }
    public var totalLength: Int { Self.headerSize + dataLength }

    public var className: String { GeneveOptionRegistry.className(optionClass) }

    public init(offset: Int, optionClass: UInt16, type: UInt8, reservedBits: UInt8, dataLength: Int) {
        self.offset = offset
        self.optionClass = optionClass
        self.type = type
        self.reservedBits = reservedBits
        self.dataLength = dataLength
    }

    /// Named fields a registered decoder finds in the data (empty when none knows the class/type).
    public func decodedFields(in frame: UnsafeRawBufferPointer) -> [GeneveOptionField] {
        guard dataOffset + dataLength <= frame.count,
              let decoder = GeneveOptionRegistry.decoder(for: optionClass, type: type) else { return [] }
        return decoder.fields(type: type, data: UnsafeRawBufferPointer(rebasing: frame[dataOffset..<(dataOffset + dataLength)]))
    }
}

/// OVN's logical port keys carried in option class 0x0102 type 0x80 (see `OVNOptionDecoder`).
public struct OVNPortKeys: Hashable, Sendable {
    /// 15-bit logical ingress port key.
    public var ingress: UInt16
    /// 16-bit logical egress port key; ≥ 32768 is a multicast group.
    public var egress: UInt16
    public var egressIsMulticastGroup: Bool { egress >= 0x8000 }
    public init(ingress: UInt16, egress: UInt16) {
        self.ingress = ingress
        self.egress = egress
    }
}
