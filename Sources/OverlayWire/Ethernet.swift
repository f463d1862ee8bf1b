/// Ethernet II header (the 14 bytes before any 802.1Q/802.1ad tag).
public struct EthernetHeader: Hashable, Sendable {
    public static let size = 14
    public var offset: Int
    public var destination: MACAddress
    public var source: MACAddress
    /// The EtherType field right after the addresses (a TPID when the frame is tagged).
    public var etherType: EtherType

    @inlinable @inline(__always)
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(Self.size) else { return nil }
        offset = cursor.position
        destination = cursor.uncheckedMAC(at: 0)
        source = cursor.uncheckedMAC(at: 6)
        etherType = EtherType(rawValue: cursor.uncheckedUInt16(at: 12))
        cursor.position += Self.size
    }

    public init(offset: Int = 0, destination: MACAddress, source: MACAddress, etherType: EtherType) {
        self.offset = offset
        self.destination = destination
        self.source = source
        self.etherType = etherType
    }
}

/// One 802.1Q (C-tag) or 802.1ad (S-tag) tag: the TPID that announced it and the 16-bit TCI, then the
/// EtherType that follows.
public struct VLANTag: Hashable, Sendable {
    public static let size = 4
    public var offset: Int
    public var tpid: EtherType
    public var priority: UInt8
    public var dropEligible: Bool
    public var id: UInt16
    public var nextEtherType: EtherType

    @inlinable @inline(__always)
    public init?(parsing cursor: inout ByteCursor, tpid: EtherType) {
        guard cursor.has(Self.size) else { return nil }
        offset = cursor.position - 2  // the TPID belongs to this tag
        let tci = cursor.uncheckedUInt16(at: 0)
        let next = cursor.uncheckedUInt16(at: 2)
        cursor.position += Self.size
        self.tpid = tpid
        priority = UInt8(tci >> 13)
        dropEligible = tci & 0x1000 != 0
        id = tci & 0x0FFF
        nextEtherType = EtherType(rawValue: next)
    }
}

/// Linux "cooked" capture headers (LINKTYPE_LINUX_SLL v1, 16 bytes, and SLL2, 20 bytes), as written by
/// `tcpdump -i any`.
public struct LinuxCookedHeader: Hashable, Sendable {
    public var offset: Int
    public var version: UInt8
    /// 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us.
    public var packetType: UInt16
    public var arphrdType: UInt16
    public var interfaceIndex: UInt32?
    public var linkAddress: MACAddress?
    public var protocolType: EtherType

    @inlinable @inline(__always)
    public init?(parsingV1 cursor: inout ByteCursor) {
        guard cursor.has(16) else { return nil }
        offset = cursor.position
        version = 1
        packetType = cursor.readUInt16()!
        arphrdType = cursor.readUInt16()!
        let addrLen = cursor.readUInt16()!
        var addr = cursor
        linkAddress = addrLen == 6 ? MACAddress(reading: &addr) : nil
        _ = cursor.skip(8)
        protocolType = EtherType(rawValue: cursor.readUInt16()!)
        interfaceIndex = nil
    }

    @inlinable @inline(__always)
    public init?(parsingV2 cursor: inout ByteCursor) {
        guard cursor.has(20) else { return nil }
        offset = cursor.position
        version = 2
        protocolType = EtherType(rawValue: cursor.readUInt16()!)
        _ = cursor.skip(2)
        interfaceIndex = cursor.readUInt32()!
        arphrdType = cursor.readUInt16()!
        packetType = UInt16(cursor.readUInt8()!)
        let addrLen = cursor.readUInt8()!
        var addr = cursor
        linkAddress = addrLen == 6 ? MACAddress(reading: &addr) : nil
        _ = cursor.skip(8)
    }
}

/// BSD loopback (LINKTYPE_NULL, host byte order) and OpenBSD LOOP (network byte order): a 4-byte address family.
public struct LoopbackHeader: Hashable, Sendable {
    public var offset: Int
    public var family: UInt32

    /// The payload's network layer: AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30 depending on the OS.
    public var etherType: EtherType? {
        switch family {
        case 2: return .ipv4
        case 10, 24, 28, 30: return .ipv6
        default: return nil
        }
    }

    @inlinable
    public init?(parsing cursor: inout ByteCursor, networkOrder: Bool) {
        guard let raw = cursor.peekUInt32() else { return nil }
        offset = cursor.position
        cursor.position += 4
        if networkOrder {
            family = raw
        } else {
            // Host order of the writer: small values show which way round it is.
            family = raw > 0xFFFF ? raw.byteSwapped : raw
        }
    }
}
