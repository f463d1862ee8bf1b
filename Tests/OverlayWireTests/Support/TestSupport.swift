import OverlayWire
import Testing

/// Decoding and byte-editing helpers shared by the wire tests.
enum Wire {
    static func decode(_ bytes: [UInt8], linkType: LinkType = .ethernet, wireLength: Int? = nil,
                       configuration: DecoderConfiguration = DecoderConfiguration()) -> DecodedPacket {
        PacketDecoder(configuration: configuration).decode(bytes, linkType: linkType, wireLength: wireLength)
    }

    /// `bytes` with `replacement` written from `offset` on.
    static func patched(_ bytes: [UInt8], at offset: Int, _ replacement: [UInt8]) -> [UInt8] {
        var b = bytes
        b.replaceSubrange(offset..<(offset + replacement.count), with: replacement)
        return b
    }

    /// RFC 1071 over a byte range: kept apart from `InternetChecksum`, so a test that fixes up a header after
    /// editing it does not lean on the code it tests.
    static func onesComplement(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var sum: UInt32 = 0
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let hi = UInt32(bytes[i]) << 8
            let lo = i + 1 < bytes.endIndex ? UInt32(bytes[i + 1]) : 0
            sum += hi | lo
            i += 2
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// Rewrites the header checksum of the IPv4 header at `offset` (after an edit of that header).
    static func refreshingIPv4Checksum(_ bytes: [UInt8], headerAt offset: Int) -> [UInt8] {
        var b = bytes
        let length = Int(b[offset] & 0x0F) * 4
        b[offset + 10] = 0
        b[offset + 11] = 0
        let c = onesComplement(b[offset..<(offset + length)])
        b[offset + 10] = UInt8(c >> 8)
        b[offset + 11] = UInt8(c & 0xFF)
        return b
    }

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
}

extension DecodedPacket {
    /// The kinds of the layers, outer first: the shape of the decode at a glance.
    var kinds: [LayerKind] { layers.map(\.kind) }

    var geneveHeaders: [GeneveHeader] { layers.compactMap { if case .geneve(let g) = $0 { g } else { nil } } }
    var vxlanHeaders: [VXLANHeader] { layers.compactMap { if case .vxlan(let v) = $0 { v } else { nil } } }
    var ipv4Headers: [IPv4Header] { layers.compactMap { if case .ipv4(let h) = $0 { h } else { nil } } }
    var udpHeaders: [UDPHeader] { layers.compactMap { if case .udp(let h) = $0 { h } else { nil } } }

    func problems(_ code: DecodeProblem.Code) -> [DecodeProblem] { problems.filter { $0.code == code } }
}

/// Asserts that `packet` carries exactly one problem of `code` at `layer` and `offset`, whose reason says
/// something in plain words (and contains `words` when given).
func expectProblem(_ packet: DecodedPacket, _ layer: LayerKind, _ code: DecodeProblem.Code, at offset: Int,
                   saying words: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    let matches = packet.problems.filter { $0.layer == layer && $0.code == code }
    #expect(matches.count == 1, "expected one \(layer.rawValue)/\(code.rawValue) problem, got \(packet.problems)",
            sourceLocation: sourceLocation)
    guard let p = matches.first else { return }
    #expect(p.offset == offset, "offset of \(p)", sourceLocation: sourceLocation)
    #expect(p.reason.count > 15 && p.reason.contains(" "), "reason in plain words: \(p.reason)", sourceLocation: sourceLocation)
    if let words {
        #expect(p.reason.contains(words), "reason \"\(p.reason)\" should mention \"\(words)\"", sourceLocation: sourceLocation)
    }
}
