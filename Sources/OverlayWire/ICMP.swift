/// The start of the packet an ICMP/ICMPv6 error quotes (its IP header and the first bytes after it):
/// enough to match the error to the packet that caused it, e.g. a Geneve packet too big for the underlay.
public struct QuotedPacket: Hashable, Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    public var proto: IPProtocol
    /// IPv4 identification (0 for IPv6).
    public var identification: UInt16
    /// Length of the quoted packet as its own header states it.
    public var totalLength: Int
    public var dontFragment: Bool
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    /// When the quoted packet is a Geneve/VXLAN packet and its header was quoted.
    public var tunnelVNI: UInt32?
}

/// ICMP for IPv4 (RFC 792): type/code, echo identifiers, and the quoted packet of error messages.
public struct ICMPMessage: Hashable, Sendable {
    public var offset: Int
    public var type: UInt8
    public var code: UInt8
    public var checksum: UInt16
    public var checksumValid: Bool?
    /// Echo request/reply identifier and sequence.
    public var identifier: UInt16?
    public var sequence: UInt16?
    /// "Fragmentation needed" (type 3 code 4): the next-hop MTU (RFC 1191).
    public var nextHopMTU: UInt16?
    public var quoted: QuotedPacket?

    public static let echoReply: UInt8 = 0, destinationUnreachable: UInt8 = 3, echoRequest: UInt8 = 8
    public static let timeExceeded: UInt8 = 11, parameterProblem: UInt8 = 12, redirect: UInt8 = 5

    public var isError: Bool {
        switch type {
        case 3, 4, 5, 11, 12: return true
        default: return false
        }
    }
    public var isFragmentationNeeded: Bool { type == 3 && code == 4 }

    public var name: String {
        switch (type, code) {
        case (0, _): return "echo reply"
        case (3, 0): return "net unreachable"
        case (3, 1): return "host unreachable"
        case (3, 2): return "protocol unreachable"
        case (3, 3): return "port unreachable"
        case (3, 4): return "fragmentation needed"
        case (3, 13): return "administratively prohibited"
        case (3, _): return "unreachable code \(code)"
        case (5, _): return "redirect"
        case (8, _): return "echo request"
        case (11, 0): return "time exceeded in transit"
        case (11, _): return "time exceeded (reassembly)"
        case (12, _): return "parameter problem"
        default: return "type \(type) code \(code)"
        }
    }

    @inlinable @inline(__always)
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(8) else { return nil }
        offset = cursor.position
        type = cursor.uncheckedUInt8(at: 0)
        code = cursor.uncheckedUInt8(at: 1)
        checksum = cursor.uncheckedUInt16(at: 2)
        checksumValid = nil
        identifier = nil; sequence = nil; nextHopMTU = nil; quoted = nil
        if type == 0 || type == 8 || type == 13 || type == 14 {
            identifier = cursor.uncheckedUInt16(at: 4)
            sequence = cursor.uncheckedUInt16(at: 6)
        } else if type == 3 && code == 4 {
            nextHopMTU = cursor.uncheckedUInt16(at: 6)
        }
        cursor.position += 8
    }
}

/// ICMPv6 (RFC 4443) with neighbor discovery targets (RFC 4861) and packet-too-big MTU.
///
/// Layout: the optional fields are stored as plain values plus a presence bit (zero when absent, so the synthesized
/// equality is unchanged) and the big `quoted` comes first, which keeps the struct at 120 bytes. That bounds
/// `Layer` below 128 bytes, the size the compiler copies inline: every header the decoder appends is a `Layer`.
public struct ICMPv6Message: Hashable, Sendable {
    public var quoted: QuotedPacket?
    public var type: UInt8
    public var code: UInt8
    public var checksumValid: Bool?
    public var checksum: UInt16
    /// Which optional fields are present (`Present`).
    @usableFromInline var present: UInt8
    @usableFromInline var storedIdentifier: UInt16
    @usableFromInline var storedSequence: UInt16
    @usableFromInline var storedMTU: UInt32
    public var offset: Int
    @usableFromInline var storedTargetAddress: IPv6Address
    @usableFromInline var storedLinkLayerAddress: MACAddress

    @usableFromInline enum Present {
        @usableFromInline static let identifier: UInt8 = 1, sequence: UInt8 = 2, mtu: UInt8 = 4
        @usableFromInline static let targetAddress: UInt8 = 8, linkLayerAddress: UInt8 = 16
    }

    @inlinable @inline(__always)
    func stored<T>(_ bit: UInt8, _ value: T) -> T? { present & bit != 0 ? value : nil }

    @inlinable @inline(__always)
    mutating func setPresent(_ bit: UInt8, _ isPresent: Bool) {
        present = isPresent ? present | bit : present & ~bit
    }

    public var identifier: UInt16? {
        @inlinable get { stored(Present.identifier, storedIdentifier) }
        @inlinable set { storedIdentifier = newValue ?? 0; setPresent(Present.identifier, newValue != nil) }
    }
    public var sequence: UInt16? {
        @inlinable get { stored(Present.sequence, storedSequence) }
        @inlinable set { storedSequence = newValue ?? 0; setPresent(Present.sequence, newValue != nil) }
    }
    /// Packet Too Big (type 2): the MTU of the next hop.
    public var mtu: UInt32? {
        @inlinable get { stored(Present.mtu, storedMTU) }
        @inlinable set { storedMTU = newValue ?? 0; setPresent(Present.mtu, newValue != nil) }
    }
    /// Neighbor solicitation/advertisement and redirect: the target address.
    public var targetAddress: IPv6Address? {
        @inlinable get { stored(Present.targetAddress, storedTargetAddress) }
        @inlinable set {
            storedTargetAddress = newValue ?? IPv6Address(high: 0, low: 0)
            setPresent(Present.targetAddress, newValue != nil)
        }
    }
    /// Source/target link-layer address option of neighbor discovery, when present.
    public var linkLayerAddress: MACAddress? {
        @inlinable get { stored(Present.linkLayerAddress, storedLinkLayerAddress) }
        @inlinable set {
            storedLinkLayerAddress = newValue ?? .zero
            setPresent(Present.linkLayerAddress, newValue != nil)
        }
    }

    public var isError: Bool { type < 128 }
    public var isPacketTooBig: Bool { type == 2 }

    public var name: String {
        switch type {
        case 1: return "destination unreachable"
        case 2: return "packet too big"
        case 3: return "time exceeded"
        case 4: return "parameter problem"
        case 128: return "echo request"
        case 129: return "echo reply"
        case 133: return "router solicitation"
        case 134: return "router advertisement"
        case 135: return "neighbor solicitation"
        case 136: return "neighbor advertisement"
        case 137: return "redirect"
        case 143: return "multicast listener report v2"
        default: return "type \(type) code \(code)"
        }
    }

    @inlinable @inline(__always)
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(8) else { return nil }
        offset = cursor.position
        type = cursor.uncheckedUInt8(at: 0)
        code = cursor.uncheckedUInt8(at: 1)
        checksum = cursor.uncheckedUInt16(at: 2)
        checksumValid = nil
        quoted = nil
        present = 0
        storedIdentifier = 0; storedSequence = 0; storedMTU = 0
        storedTargetAddress = IPv6Address(high: 0, low: 0); storedLinkLayerAddress = .zero
        switch type {
        case 2:
            mtu = cursor.uncheckedUInt32(at: 4)
        case 128, 129:
            identifier = cursor.uncheckedUInt16(at: 4)
            sequence = cursor.uncheckedUInt16(at: 6)
        case 135, 136, 137:
            var t = cursor
            t.position += 8
            targetAddress = IPv6Address(reading: &t)
            if type != 137 {
                // Options: type(1) length(1, units of 8 bytes); 1 = source, 2 = target link-layer address.
                var guardCount = 0
                while let ot = t.peekUInt8(), let ol = t.peekUInt8(at: 1), ol > 0, guardCount < 16 {
                    guardCount += 1
                    if ot == 1 || ot == 2, ol == 1 {
                        var a = t
                        a.position += 2
                        linkLayerAddress = MACAddress(reading: &a)
                    }
                    guard t.skip(Int(ol) * 8) else { break }
                }
            }
        default:
            break
        }
        cursor.position += 8
    }
}
