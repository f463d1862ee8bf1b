/// A named field decoded from a Geneve option's data.
public struct GeneveOptionField: Hashable, Sendable {
    public enum Value: Hashable, Sendable {
        case number(UInt64)
        case text(String)
        case flag(Bool)
    }
    public var name: String
    public var value: Value
    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// Decodes the data of the options of one class. Adding a vendor's options is one new file that conforms to
/// this protocol and one line in `GeneveOptionRegistry.decoders`.
public protocol GeneveOptionDecoder: Sendable {
    var optionClass: UInt16 { get }
    /// Whether this decoder understands `type` (a receiver may then accept it when critical).
    func understands(type: UInt8, dataLength: Int) -> Bool
    func fields(type: UInt8, data: UnsafeRawBufferPointer) -> [GeneveOptionField]
}

/// Option class names (IANA "Geneve Option Class" registry) and the decoders this build knows.
public enum GeneveOptionRegistry {
    public static let decoders: [any GeneveOptionDecoder] = [OVNOptionDecoder(), LinuxOptionDecoder()]

    public static func decoder(for optionClass: UInt16, type: UInt8) -> (any GeneveOptionDecoder)? {
        decoders.first { $0.optionClass == optionClass }
    }

    /// Whether a receiver built with these decoders understands the option (RFC 8926 §3.5: a critical
    /// option that is not understood means the packet must be dropped).
    public static func understands(optionClass: UInt16, type: UInt8, dataLength: Int) -> Bool {
        if optionClass == OVNOptionDecoder.ovnClass { return type == OVNOptionDecoder.portKeysType && dataLength == 4 }
        return decoder(for: optionClass, type: type)?.understands(type: type, dataLength: dataLength) ?? false
    }

    /// The IANA "Geneve Option Class" registry (RFC 8926 §7), assignments up to 0x0170; 0x0000-0x00FF is the
    /// IETF-review range, which tcpdump and Wireshark call "Standard".
    public static func className(_ c: UInt16) -> String {
        switch c {
        case 0x0000...0x00FF: return "Standard"
        case 0x0100: return "Linux"
        case 0x0101: return "Open vSwitch (OVS)"
        case 0x0102: return "Open Virtual Networking (OVN)"
        case 0x0103: return "In-band Network Telemetry (INT)"
        case 0x0104: return "VMware, Inc."
        case 0x0105, 0x0108...0x0110: return "Amazon.com, Inc."
        case 0x0106, 0x0130...0x0131: return "Cisco Systems, Inc."
        case 0x0107: return "Oracle Corporation"
        case 0x0111...0x0118: return "IBM"
        case 0x0119...0x0128: return "Ericsson"
        case 0x0129: return "Oxide Computer Company"
        case 0x0132...0x0135: return "Google LLC"
        case 0x0136: return "InfoQuick Global Connection Tech Ltd."
        case 0x0137...0x0140: return "Alibaba, inc"
        case 0x0141...0x0144: return "Palo Alto Networks"
        case 0x0145...0x0149: return "Huawei Technologies Co., Ltd"
        case 0x014A: return "EMnify GmbH"
        case 0x014B: return "Cilium"
        case 0x014C: return "Corelight, Inc."
        case 0x014D: return "1NCE GmbH"
        case 0x014E...0x0157: return "Cloud of China Telecom (CTYUN)"
        case 0x0158...0x0161: return "Volcengine, inc"
        case 0x0162: return "nat64.net"
        case 0x0163: return "Multi Segment SD-WAN"
        case 0x0164: return "cPacket Networks"
        case 0x0165...0x0167: return "Tencent"
        case 0x0168: return "ExtraHop Networks, Inc."
        case 0x0169: return "Soosan INT Co., Ltd."
        case 0x016A...0x016C: return "Spacelink, Inc"
        case 0x016D: return "617A Corporation"
        case 0x016E: return "Zscaler"
        case 0x016F...0x0170: return "7Generation"
        case 0xFF00...0xFFFF: return "Experimental"
        default: return "Unassigned"
        }
    }
}

/// OVN (class 0x0102, type 0x80, 4 bytes): `0 | ingress port key (15) | egress port key (16)`.
/// The keys are `Port_Binding.tunnel_key` values in the southbound database; an egress key ≥ 32768 is a
/// multicast group (`Multicast_Group.tunnel_key`, e.g. the flood group of a logical switch).
public struct OVNOptionDecoder: GeneveOptionDecoder {
    public static let ovnClass: UInt16 = 0x0102
    public static let portKeysType: UInt8 = 0x80
    public var optionClass: UInt16 { Self.ovnClass }
    public init() {}

    public func understands(type: UInt8, dataLength: Int) -> Bool {
        type == Self.portKeysType && dataLength == 4
    }

    @inlinable
    public static func portKeys(_ word: UInt32) -> OVNPortKeys {
        OVNPortKeys(ingress: UInt16((word >> 16) & 0x7FFF), egress: UInt16(truncatingIfNeeded: word))
    }

    public func fields(type: UInt8, data: UnsafeRawBufferPointer) -> [GeneveOptionField] {
        guard understands(type: type, dataLength: data.count) else { return [] }
        let word = UInt32(bigEndian: data.loadUnaligned(as: UInt32.self))
        let keys = Self.portKeys(word)
        return [
            GeneveOptionField("ingress_port_key", .number(UInt64(keys.ingress))),
            GeneveOptionField("egress_port_key", .number(UInt64(keys.egress))),
            GeneveOptionField("egress_is_multicast_group", .flag(keys.egressIsMulticastGroup)),
        ]
    }
}

/// Linux (class 0x0100): the kernel and tools such as `ip link ... geneve` let users set opaque test
/// options; we show printable data as text, which is what those options usually carry.
public struct LinuxOptionDecoder: GeneveOptionDecoder {
    public var optionClass: UInt16 { 0x0100 }
    public init() {}
    public func understands(type: UInt8, dataLength: Int) -> Bool { false }
    public func fields(type: UInt8, data: UnsafeRawBufferPointer) -> [GeneveOptionField] {
        let trimmed = data.prefix { $0 != 0 }
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return [] }
        return [GeneveOptionField("text", .text(String(decoding: trimmed, as: UTF8.self)))]
    }
}
