/// ARP over Ethernet/IPv4 (RFC 826). Other hardware/protocol types keep their sizes but no addresses.
public struct ARPPacket: Hashable, Sendable {
    public var offset: Int
    public var hardwareType: UInt16
    public var protocolType: EtherType
    public var operation: UInt16
    public var senderMAC: MACAddress?
    public var senderIP: IPv4Address?
    public var targetMAC: MACAddress?
    public var targetIP: IPv4Address?
    /// Hardware and protocol address sizes (6 and 4 for Ethernet/IPv4).
    public var hardwareAddressLength: UInt8
    public var protocolAddressLength: UInt8
    /// Bytes of the four addresses after the fixed part.
    public var addressesLength: Int { 2 * (Int(hardwareAddressLength) + Int(protocolAddressLength)) }

    public static let request: UInt16 = 1
    public static let reply: UInt16 = 2

    public var isRequest: Bool { operation == Self.request }
    public var isReply: Bool { operation == Self.reply }
    /// Gratuitous ARP: a host announcing its own address (sender IP == target IP).
    public var isGratuitous: Bool { senderIP != nil && senderIP == targetIP }

    public var operationName: String {
        switch operation {
        case 1: return "request"
        case 2: return "reply"
        case 3: return "rarp-request"
        case 4: return "rarp-reply"
        default: return "op-\(operation)"
        }
    }

    /// Parses the fixed 8-byte part, then the Ethernet/IPv4 addresses when the sizes are 6/4.
    /// Returns nil when even the fixed part is missing; `complete` tells whether the addresses were there.
    @inlinable
    public init?(parsing cursor: inout ByteCursor, complete: inout Bool) {
        guard cursor.has(8) else { return nil }
        offset = cursor.position
        hardwareType = cursor.readUInt16()!
        protocolType = EtherType(rawValue: cursor.readUInt16()!)
        hardwareAddressLength = cursor.readUInt8()!
        protocolAddressLength = cursor.readUInt8()!
        let hlen = Int(hardwareAddressLength), plen = Int(protocolAddressLength)
        operation = cursor.readUInt16()!
        senderMAC = nil; senderIP = nil; targetMAC = nil; targetIP = nil
        complete = cursor.has(2 * (hlen + plen))
        guard complete, hlen == 6, plen == 4 else {
            if complete { _ = cursor.skip(2 * (hlen + plen)) }
            return
        }
        senderMAC = MACAddress(reading: &cursor)
        senderIP = cursor.readUInt32().map(IPv4Address.init(rawValue:))
        targetMAC = MACAddress(reading: &cursor)
        targetIP = cursor.readUInt32().map(IPv4Address.init(rawValue:))
    }
}
