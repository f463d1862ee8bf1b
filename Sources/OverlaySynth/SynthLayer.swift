import OverlayWire

/// One header (or the payload) of a synthetic frame, outer first. `PacketBuilder.build` fills every field
/// that depends on what follows (EtherTypes, next protocol, lengths, checksums, Geneve option length and
/// C bit) so callers state intent only; `SynthFault`s break a field on purpose.
public indirect enum SynthLayer: Hashable, Sendable {
    /// `etherType` nil: derived from the next layer.
    case ethernet(src: MACAddress, dst: MACAddress, etherType: EtherType? = nil)
    case vlan(id: UInt16, priority: UInt8 = 0, tpid: EtherType = .vlan)
    case ipv4(src: IPv4Address, dst: IPv4Address, ttl: UInt8 = 64, id: UInt16 = 0, dontFragment: Bool = true,
              moreFragments: Bool = false, fragmentOffset: Int = 0, tos: UInt8 = 0, options: [UInt8] = [])
    case ipv6(src: IPv6Address, dst: IPv6Address, hopLimit: UInt8 = 64, extensionHeaders: [SynthIPv6ExtensionHeader] = [],
              trafficClass: UInt8 = 0, flowLabel: UInt32 = 0)
    /// The checksum is always computed over IPv6 (RFC 8200 forbids 0); over IPv4 `zeroChecksum` sends 0,
    /// as Linux/OVS do for Geneve.
    case udp(sport: UInt16, dport: UInt16, zeroChecksum: Bool = false)
    case tcp(sport: UInt16, dport: UInt16, seq: UInt32, ack: UInt32 = 0, flags: UInt16, window: UInt16 = 64240,
             options: [UInt8] = [])
    case icmpEcho(request: Bool, id: UInt16, seq: UInt16)
    /// An ICMPv4 error (type 3/4/5/11/12): `mtu` fills the next-hop MTU of "fragmentation needed";
    /// `quoting` is the start of the offending IP packet.
    case icmpError(type: UInt8, code: UInt8, mtu: UInt16? = nil, quoting: [UInt8])
    /// ICMPv6 with the 4 bytes after type/code/checksum and what follows them in `body`.
    case icmpv6(type: UInt8, code: UInt8, body: [UInt8])
    case arp(op: UInt16, senderMAC: MACAddress, senderIP: IPv4Address, targetMAC: MACAddress, targetIP: IPv4Address)
    /// `protocolType` nil: derived from the next layer (Ethernet → 0x6558). `critical` nil: set when any option
    /// is critical, as a correct sender does.
    case geneve(vni: UInt32, protocolType: EtherType? = nil, oam: Bool = false, critical: Bool? = nil,
                options: [SynthGeneveOption] = [], version: UInt8 = 0, reservedFlags: UInt8 = 0)
    case vxlan(vni: UInt32, flags: UInt16 = 0x0800, groupPolicyID: UInt16 = 0)
    case bfd(state: BFDControl.State, diag: UInt8 = 0, myDisc: UInt32, yourDisc: UInt32, detectMult: UInt8 = 3,
             minTxMicroseconds: UInt32 = 1_000_000, minRxMicroseconds: UInt32 = 1_000_000, poll: Bool = false, final: Bool = false)
    case payload([UInt8])
    /// A layer built correctly, then broken as the faults say.
    case faulty(SynthLayer, [SynthFault])

    /// This layer with deliberate faults applied after its fields are computed.
    public func with(_ faults: SynthFault...) -> SynthLayer { .faulty(self, faults) }

    public static func icmpv6Echo(request: Bool, id: UInt16, seq: UInt16) -> SynthLayer {
        var body: [UInt8] = []
        body.appendBE16(id)
        body.appendBE16(seq)
        return .icmpv6(type: request ? 128 : 129, code: 0, body: body)
    }

    /// The layer without its fault wrapper.
    var base: SynthLayer {
        if case .faulty(let l, _) = self { return l.base }
        return self
    }
    var faults: [SynthFault] {
        if case .faulty(let l, let f) = self { return l.faults + f }
        return []
    }
}

/// A deliberate error in one layer, for fault tests.
public enum SynthFault: Hashable, Sendable {
    /// The layer's checksum (IPv4 header, UDP, TCP, ICMP, ICMPv6) is made wrong.
    case badChecksum
    /// Explicit length field: IPv4 total length, IPv6 payload length or UDP length.
    case length(UInt16)
    /// Geneve Opt Len field, in 4-byte words.
    case geneveOptionsLength(words: UInt8)
    /// The length field (4-byte words) of Geneve option `index`.
    case geneveOptionLength(index: Int, words: UInt8)
    /// The Geneve reserved byte after the VNI.
    case geneveReservedByte(UInt8)
    /// Overwrites the bytes at `offset` within this layer's header.
    case overwrite(offset: Int, bytes: [UInt8])
}

/// One Geneve option TLV; `data` is zero-padded to a multiple of 4 bytes.
public struct SynthGeneveOption: Hashable, Sendable {
    public var optionClass: UInt16
    public var type: UInt8
    public var data: [UInt8]

    public init(optionClass: UInt16, type: UInt8, data: [UInt8]) {
        self.optionClass = optionClass
        self.type = type
        self.data = data
    }

    public var isCritical: Bool { type & 0x80 != 0 }

    /// OVN's logical port keys (class 0x0102, type 0x80 — critical — 4 bytes: 0 | ingress(15) | egress(16)).
    public static func ovn(ingress: UInt16, egress: UInt16) -> SynthGeneveOption {
        var data: [UInt8] = []
        data.appendBE16(ingress & 0x7FFF)
        data.appendBE16(egress)
        return SynthGeneveOption(optionClass: OVNOptionDecoder.ovnClass, type: OVNOptionDecoder.portKeysType, data: data)
    }
}

/// An IPv6 extension header; option data is padded (PadN) to the 8-byte multiple the format needs.
public enum SynthIPv6ExtensionHeader: Hashable, Sendable {
    case hopByHop(options: [UInt8])
    case destinationOptions(options: [UInt8])
    case routing(type: UInt8, segmentsLeft: UInt8, data: [UInt8])
    case fragment(offset: Int, moreFragments: Bool, id: UInt32)

    var protocolNumber: IPProtocol {
        switch self {
        case .hopByHop: return .hopByHop
        case .destinationOptions: return .destinationOptions
        case .routing: return .routing
        case .fragment: return .fragment
        }
    }
}

/// One frame of a synthetic capture.
public struct SynthFrame: Hashable, Sendable {
    public var timestamp: Timestamp
    public var bytes: [UInt8]
    /// Length on the wire; more than `bytes.count` for a record cut by a snaplen.
    public var wireLength: Int
    /// pcapng interface, when the capture has several.
    public var interface: Int

    public init(timestamp: Timestamp, bytes: [UInt8], wireLength: Int? = nil, interface: Int = 0) {
        self.timestamp = timestamp
        self.bytes = bytes
        self.wireLength = max(wireLength ?? bytes.count, bytes.count)
        self.interface = interface
    }
}
