/// `DecoderConfiguration.udpPorts` in the form the decoder looks it up for every UDP header: up to eight
/// mappings compared at once in a SIMD vector (a Dictionary lookup hashes with SipHash, several times the cost for
/// a handful of ports), more than eight in the dictionary itself. Answers exactly as the dictionary does.
///
/// Owns the dictionary of a large map; the per-packet path reads it through `lookup`, a trivially copyable view.
@usableFromInline
struct UDPPortTable: Sendable {
    /// The dictionary of a map with more than eight entries, kept alive by the table.
    final class Overflow: Sendable {
        let map: [UInt16: UDPPortProtocol]
        init(_ map: [UInt16: UDPPortProtocol]) { self.map = map }
    }

    private(set) var lookup = UDPPortLookup()
    private var overflow: Overflow?

    init(_ map: [UInt16: UDPPortProtocol]) {
        guard map.count <= 8 else {
            let overflow = Overflow(map)
            self.overflow = overflow
            lookup.overflow = Unmanaged.passUnretained(overflow)
            return
        }
        var slot = 0
        for (port, kind) in map {
            lookup.ports[slot] = port
            lookup.codes[slot] = UDPPortLookup.code(kind)
            slot += 1
        }
    }

    subscript(port: UInt16) -> UDPPortProtocol? {
        withExtendedLifetime(overflow) { lookup[port] }
    }
}

/// The lookup half of `UDPPortTable`: no reference counting when copied (a decode run takes one per packet).
/// Valid only while the `UDPPortTable` it came from lives (`PacketDecoder` keeps that table beside it).
@usableFromInline
struct UDPPortLookup: @unchecked Sendable {  // the unmanaged reference is to an immutable, Sendable object
    var ports = SIMD8<UInt16>()
    /// `code(_:)` of the protocol of each used slot; 0 in unused slots (whose port is 0 too).
    var codes = SIMD8<UInt16>()
    /// Unmanaged, not `unowned(unsafe)`: binding that to a local retains it, on every lookup.
    var overflow: Unmanaged<UDPPortTable.Overflow>?

    @inline(__always)
    subscript(port: UInt16) -> UDPPortProtocol? {
        if let overflow { return overflow.takeUnretainedValue().map[port] }
        // Ports are unique: at most one slot matches; unused slots have code 0 and so answer nil even for port 0.
        let code = codes.replacing(with: 0, where: ports .!= SIMD8(repeating: port)).max()
        return Self.kind(code)
    }

    static func code(_ kind: UDPPortProtocol) -> UInt16 {
        switch kind {
        case .geneve: return 1
        case .vxlan: return 2
        case .bfd: return 3
        }
    }

    @inline(__always)
    static func kind(_ code: UInt16) -> UDPPortProtocol? {
        switch code {
        case 1: return .geneve
        case 2: return .vxlan
        case 3: return .bfd
        default: return nil
        }
    }
}

/// The parts of `DecoderConfiguration` one decode reads, prepared once per decoder: trivially copyable (no
/// dictionary to retain and release per packet), ports in a `UDPPortLookup` of the decoder's `UDPPortTable`.
@usableFromInline
struct DecodeSettings: Sendable {
    var udpPorts: UDPPortLookup
    var maxTunnelDepth: Int
    var maxVLANTags: Int
    var maxIPv6ExtensionHeaders: Int
    var maxGeneveOptions: Int
    var verifyChecksums: Bool

    /// `ports` must outlive every use of these settings.
    init(_ c: DecoderConfiguration, ports: UDPPortTable) {
        udpPorts = ports.lookup
        maxTunnelDepth = c.maxTunnelDepth
        maxVLANTags = c.maxVLANTags
        maxIPv6ExtensionHeaders = c.maxIPv6ExtensionHeaders
        maxGeneveOptions = c.maxGeneveOptions
        verifyChecksums = c.verifyChecksums
    }
}
