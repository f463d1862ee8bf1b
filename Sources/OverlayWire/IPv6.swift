/// IPv6 fixed header (RFC 8200) plus what the walk over extension headers found.
public struct IPv6Header: Hashable, Sendable {
    public var offset: Int
    public var trafficClass: UInt8
    public var flowLabel: UInt32
    /// As on the wire; 0 without a jumbo option is Linux BIG TCP (length taken from the capture).
    public var payloadLength: UInt16
    /// The Next Header field of the fixed header.
    public var nextHeader: IPProtocol
    public var hopLimit: UInt8
    public var source: IPv6Address
    public var destination: IPv6Address
    /// The upper-layer protocol after every extension header.
    public var upperProtocol: IPProtocol
    /// Number of extension headers walked, and their total size in bytes.
    public var extensionHeaderCount: Int
    public var extensionHeadersLength: Int
    /// From a Fragment header, when present.
    public var fragment: Fragment?
    /// Jumbo payload length from a Hop-by-Hop option (RFC 2675), when present.
    public var jumboPayloadLength: UInt32?

    public struct Fragment: Hashable, Sendable {
        public var offset: Int
        public var moreFragments: Bool
        public var identification: UInt32
    }

    public var isFragment: Bool { fragment != nil }

    @inlinable @inline(__always)
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(40) else { return nil }
        offset = cursor.position
        let w0 = cursor.uncheckedUInt32(at: 0)
        trafficClass = UInt8(truncatingIfNeeded: w0 >> 20)
        flowLabel = w0 & 0xFFFFF
        payloadLength = cursor.uncheckedUInt16(at: 4)
        nextHeader = IPProtocol(rawValue: cursor.uncheckedUInt8(at: 6))
        hopLimit = cursor.uncheckedUInt8(at: 7)
        source = IPv6Address(high: cursor.uncheckedUInt64(at: 8), low: cursor.uncheckedUInt64(at: 16))
        destination = IPv6Address(high: cursor.uncheckedUInt64(at: 24), low: cursor.uncheckedUInt64(at: 32))
        cursor.position += 40
        upperProtocol = nextHeader
        extensionHeaderCount = 0
        extensionHeadersLength = 0
        fragment = nil
        jumboPayloadLength = nil
    }

    @inlinable
    public static func isExtensionHeader(_ p: IPProtocol) -> Bool {
        p == .hopByHop || p == .routing || p == .fragment || p == .destinationOptions || p == .ah
    }
}
