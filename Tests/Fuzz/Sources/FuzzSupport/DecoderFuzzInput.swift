import OverlayWire

/// How FuzzDecoder reads its input: a selector byte, then the frame.
///
/// Selector bits 0–3 pick the link type (the supported ones plus one libpcap knows and we do not), bits 4–6 the
/// wire length (as captured, shorter, a few bytes longer, snaplen-cut, up to the 32-bit maximum a pcap record can
/// state), bit 7 a tight decoder configuration (limits at their minimum, checksums off, extra tunnel ports), so the
/// depth-limit and "decode-as" paths are reached too.
public struct DecoderFuzzInput {
    public static let linkTypes: [LinkType] = LinkType.supported + [LinkType(rawValue: 105)]

    public var linkType: LinkType
    public var tightConfiguration: Bool
    private var wireLengthChoice: Int

    public init(selector: UInt8) {
        linkType = Self.linkTypes[Int(selector & 0x0F) % Self.linkTypes.count]
        wireLengthChoice = Int(selector >> 4) & 0x07
        tightConfiguration = selector & 0x80 != 0
    }

    /// The selector that decodes a frame of `linkType` with its captured length and the default configuration.
    public static func selector(for linkType: LinkType) -> UInt8? {
        linkTypes.firstIndex(of: linkType).map { UInt8($0) }
    }

    /// The wire length handed to the decoder for a frame of `captured` bytes (nil = the captured length).
    public func wireLength(captured: Int) -> Int? {
        switch wireLengthChoice {
        case 0: return nil
        case 1: return max(0, captured - 1)   // shorter than captured: the decoder must not believe it
        case 2: return captured + 1
        case 3: return captured + 4            // e.g. a trailing FCS the capture dropped
        case 4: return captured + 100
        case 5: return captured + 65_536       // a snaplen-cut GSO/BIG TCP super-frame
        case 6: return Int(UInt32.max)         // the largest length a pcap record header can state
        default: return 0
        }
    }

    public static let defaultDecoder = PacketDecoder()

    /// Everything at its smallest: one tunnel level, one VLAN tag, one IPv6 extension header, one Geneve option.
    public static let tightDecoder = PacketDecoder(configuration: DecoderConfiguration(
        udpPorts: DecoderConfiguration.defaultPorts.merging([53: .geneve, 80: .vxlan, 123: .bfd]) { a, _ in a },
        maxTunnelDepth: 1, maxVLANTags: 1, maxIPv6ExtensionHeaders: 1, maxGeneveOptions: 1, verifyChecksums: false))

    public var decoder: PacketDecoder { tightConfiguration ? Self.tightDecoder : Self.defaultDecoder }
}
