/// Protocol numbers as open sets (struct + static lets, as swift-nio does): unknown values round-trip
/// instead of failing to decode.

public struct EtherType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let arp = EtherType(rawValue: 0x0806)
    public static let vlan = EtherType(rawValue: 0x8100)        // 802.1Q C-tag
    public static let qinq = EtherType(rawValue: 0x88A8)        // 802.1ad S-tag
    public static let qinqLegacy = EtherType(rawValue: 0x9100)  // pre-standard stacked tag
    public static let ipv6 = EtherType(rawValue: 0x86DD)
    public static let transparentEthernet = EtherType(rawValue: 0x6558)  // Geneve/NVGRE: inner Ethernet frame

    @inlinable public var isVLANTag: Bool { self == .vlan || self == .qinq || self == .qinqLegacy }

    /// "0x0800"-style string, as the JSON schema writes protocol types.
    public var hex: String { hex4(rawValue) }
    public var description: String { hex }
}

public struct IPProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let hopByHop = IPProtocol(rawValue: 0)
    public static let icmp = IPProtocol(rawValue: 1)
    public static let igmp = IPProtocol(rawValue: 2)
    public static let ipip = IPProtocol(rawValue: 4)
    public static let tcp = IPProtocol(rawValue: 6)
    public static let udp = IPProtocol(rawValue: 17)
    public static let ipv6Encap = IPProtocol(rawValue: 41)
    public static let routing = IPProtocol(rawValue: 43)
    public static let fragment = IPProtocol(rawValue: 44)
    public static let gre = IPProtocol(rawValue: 47)
    public static let esp = IPProtocol(rawValue: 50)
    public static let ah = IPProtocol(rawValue: 51)
    public static let icmpv6 = IPProtocol(rawValue: 58)
    public static let noNextHeader = IPProtocol(rawValue: 59)
    public static let destinationOptions = IPProtocol(rawValue: 60)
    public static let sctp = IPProtocol(rawValue: 132)

    /// Short lower-case name, as tcpdump prints it.
    public var name: String {
        switch rawValue {
        case 1: return "icmp"
        case 2: return "igmp"
        case 6: return "tcp"
        case 17: return "udp"
        case 47: return "gre"
        case 50: return "esp"
        case 58: return "icmp6"
        case 132: return "sctp"
        default: return "ip-proto-\(rawValue)"
        }
    }
    public var description: String { name }
}

/// Link-layer header types (LINKTYPE_* values from the pcap/pcapng specs; libpcap reports these).
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    @inlinable public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let null = LinkType(rawValue: 0)          // BSD loopback, host-order AF_ family
    public static let ethernet = LinkType(rawValue: 1)
    public static let rawLinux = LinkType(rawValue: 12)     // DLT_RAW as libpcap reports on Linux
    public static let raw = LinkType(rawValue: 101)         // LINKTYPE_RAW
    public static let loop = LinkType(rawValue: 108)        // OpenBSD loopback, network-order AF_ family
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)
    public static let linuxSLL2 = LinkType(rawValue: 276)

    public static let supported: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .raw, .rawLinux, .ipv4, .ipv6, .null, .loop]
    public var isSupported: Bool { LinkType.supported.contains(self) }

    public var name: String {
        switch self {
        case .null: return "NULL (BSD loopback)"
        case .ethernet: return "EN10MB (Ethernet)"
        case .raw, .rawLinux: return "RAW (raw IP)"
        case .loop: return "LOOP (OpenBSD loopback)"
        case .linuxSLL: return "LINUX_SLL (Linux cooked v1)"
        case .ipv4: return "IPV4 (raw IPv4)"
        case .ipv6: return "IPV6 (raw IPv6)"
        case .linuxSLL2: return "LINUX_SLL2 (Linux cooked v2)"
        default: return "link type \(rawValue)"
        }
    }
    public var description: String { name }
}

@usableFromInline
func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 4 - s.count)) + s
}

/// "0x…" with at least `width` hex digits.
public func hexNumber<T: BinaryInteger>(_ v: T, width: Int) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, width - s.count)) + s
}

/// Decimal text written in place (reports and labels write tens of thousands of numbers: no temporary `String`).
public enum DecimalText {
    /// The most digits a `UInt64` has.
    public static let maximumDigits = 20

    /// Writes `value` in decimal into `out[0 ..< maximumDigits]`, as `String(value)` does; returns its length.
    /// Digits are counted by comparison and written two at a time from a table of pairs: one division per two
    /// digits instead of two per digit.
    @inlinable
    public static func write(_ value: UInt64, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var v = value
        var digits = 1
        var limit: UInt64 = 10
        while digits < 20 && v >= limit {  // past 19 digits `limit` would overflow; a UInt64 has at most 20
            digits += 1
            limit &*= 10
        }
        let pairs = digitPairs.utf8Start
        var i = digits
        while v >= 100 {
            let r = Int(v % 100)
            v /= 100
            i -= 2
            out[i] = pairs[2 * r]
            out[i + 1] = pairs[2 * r + 1]
        }
        if v >= 10 {
            out[i - 2] = pairs[2 * Int(v)]
            out[i - 1] = pairs[2 * Int(v) + 1]
        } else {
            out[i - 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v)
        }
        return digits
    }

    /// "00", "01", … "99" back to back.
    @usableFromInline
    static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }
}
