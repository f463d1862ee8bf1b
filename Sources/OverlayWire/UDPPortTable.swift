/// `DecoderConfiguration.udpPorts` in the form the decoder looks it up for every UDP header: up to eight
/// mappings scanned inline (a Dictionary lookup hashes with SipHash, several times the cost for a handful of
/// ports), more than eight in the dictionary itself. Answers exactly as the dictionary does.
@usableFromInline
struct UDPPortTable: Sendable {
    private var ports = SIMD8<UInt16>()
    /// `code(_:)` of the protocol of each used slot.
    private var codes = SIMD8<UInt16>()
    private var count = 0
    private var overflow: [UInt16: UDPPortProtocol]?

    init(_ map: [UInt16: UDPPortProtocol]) {
        guard map.count <= 8 else {
            overflow = map
            return
        }
        for (port, kind) in map {
            ports[count] = port
            codes[count] = Self.code(kind)
            count += 1
        }
    }

    subscript(port: UInt16) -> UDPPortProtocol? {
        if let overflow { return overflow[port] }
        for slot in 0..<count where ports[slot] == port { return Self.kind(codes[slot]) }
        return nil
    }

    private static func code(_ kind: UDPPortProtocol) -> UInt16 {
        switch kind {
        case .geneve: return 1
        case .vxlan: return 2
        case .bfd: return 3
        }
    }

    private static func kind(_ code: UInt16) -> UDPPortProtocol? {
        switch code {
        case 1: return .geneve
        case 2: return .vxlan
        case 3: return .bfd
        default: return nil
        }
    }
}

/// The parts of `DecoderConfiguration` one decode reads, prepared once per decoder (no dictionary to retain
/// and release per packet, ports in `UDPPortTable`).
@usableFromInline
struct DecodeSettings: Sendable {
    var udpPorts: UDPPortTable
    var maxTunnelDepth: Int
    var maxVLANTags: Int
    var maxIPv6ExtensionHeaders: Int
    var maxGeneveOptions: Int
    var verifyChecksums: Bool

    init(_ c: DecoderConfiguration) {
        udpPorts = UDPPortTable(c.udpPorts)
        maxTunnelDepth = c.maxTunnelDepth
        maxVLANTags = c.maxVLANTags
        maxIPv6ExtensionHeaders = c.maxIPv6ExtensionHeaders
        maxGeneveOptions = c.maxGeneveOptions
        verifyChecksums = c.verifyChecksums
    }
}
