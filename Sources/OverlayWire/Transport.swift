/// UDP header (RFC 768).
public struct UDPHeader: Hashable, Sendable {
    public static let size = 8
    public var offset: Int
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// As on the wire; 0 for GSO/BIG TCP super-frames.
    public var length: UInt16
    public var checksum: UInt16
    /// nil: not verified (zero checksum over IPv4, or payload not all captured).
    public var checksumValid: Bool?

    @inlinable @inline(__always)
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(8) else { return nil }
        offset = cursor.position
        sourcePort = cursor.uncheckedUInt16(at: 0)
        destinationPort = cursor.uncheckedUInt16(at: 2)
        length = cursor.uncheckedUInt16(at: 4)
        checksum = cursor.uncheckedUInt16(at: 6)
        checksumValid = nil
        cursor.position += Self.size
    }
}

/// TCP header (RFC 9293): ports, sequence numbers, flags and window; options kept as a length.
public struct TCPHeader: Hashable, Sendable {
    public var offset: Int
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var headerLength: Int
    /// The 9 flag bits: NS(0x100) CWR ECE URG ACK PSH RST SYN FIN(0x01).
    public var flags: UInt16
    public var window: UInt16
    public var checksum: UInt16
    public var urgentPointer: UInt16
    public var checksumValid: Bool?

    public static let fin: UInt16 = 0x01, syn: UInt16 = 0x02, rst: UInt16 = 0x04, psh: UInt16 = 0x08
    public static let ack: UInt16 = 0x10, urg: UInt16 = 0x20, ece: UInt16 = 0x40, cwr: UInt16 = 0x80

    public var isSYN: Bool { flags & Self.syn != 0 && flags & Self.ack == 0 }
    public var isSYNACK: Bool { flags & Self.syn != 0 && flags & Self.ack != 0 }

    /// tcpdump's flag string: `S`, `S.`, `P.`, `F.`, `R`, `.`
    public var flagString: String {
        var s = ""
        if flags & Self.syn != 0 { s += "S" }
        if flags & Self.fin != 0 { s += "F" }
        if flags & Self.psh != 0 { s += "P" }
        if flags & Self.rst != 0 { s += "R" }
        if flags & Self.urg != 0 { s += "U" }
        if flags & Self.ece != 0 { s += "E" }
        if flags & Self.cwr != 0 { s += "W" }
        if flags & Self.ack != 0 { s += "." }
        return s.isEmpty ? "none" : s
    }

    @inlinable @inline(__always)
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(20) else { return nil }
        offset = cursor.position
        sourcePort = cursor.uncheckedUInt16(at: 0)
        destinationPort = cursor.uncheckedUInt16(at: 2)
        sequence = cursor.uncheckedUInt32(at: 4)
        acknowledgment = cursor.uncheckedUInt32(at: 8)
        let hf = cursor.uncheckedUInt16(at: 12)
        headerLength = Int(hf >> 12) * 4
        flags = hf & 0x01FF
        window = cursor.uncheckedUInt16(at: 14)
        checksum = cursor.uncheckedUInt16(at: 16)
        urgentPointer = cursor.uncheckedUInt16(at: 18)
        checksumValid = nil
        cursor.position += 20
    }
}
