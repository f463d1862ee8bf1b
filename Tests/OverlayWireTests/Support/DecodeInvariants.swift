import OverlayWire

extension Layer {
    /// Where the header starts in the frame.
    var offset: Int {
        switch self {
        case .loopback(let h): return h.offset
        case .linuxCooked(let h): return h.offset
        case .ethernet(let h): return h.offset
        case .vlan(let h): return h.offset
        case .arp(let h): return h.offset
        case .ipv4(let h): return h.offset
        case .ipv6(let h): return h.offset
        case .udp(let h): return h.offset
        case .tcp(let h): return h.offset
        case .icmp(let h): return h.offset
        case .icmpv6(let h): return h.offset
        case .geneve(let h): return h.offset
        case .vxlan(let h): return h.offset
        case .bfd(let h): return h.offset
        }
    }
}

/// What must hold for the decode of any bytes at all, valid or not.
enum DecodeInvariants {
    /// The broken invariants of `p`, decoded from `frame` (empty when all hold). It also walks every accessor
    /// and text form a report would use, so that those paths are exercised on arbitrary input too.
    static func violations(_ p: DecodedPacket, frame: [UInt8]) -> [String] {
        var broken: [String] = []
        let count = frame.count
        if p.capturedLength != count { broken.append("capturedLength \(p.capturedLength) != \(count)") }
        if p.wireLength < count { broken.append("wireLength \(p.wireLength) < captured \(count)") }
        var previous = -1
        for layer in p.layers {
            // A (VLAN) tag's offset is its TPID, two bytes before the bytes it read.
            let start = layer.kind == .vlan ? layer.offset + 2 : layer.offset
            if start < 0 || start >= count { broken.append("\(layer.kind) at \(layer.offset) outside the \(count) captured bytes") }
            if layer.offset < previous { broken.append("\(layer.kind) at \(layer.offset) before the previous layer at \(previous)") }
            previous = layer.offset
        }
        if p.layers.count > 64 { broken.append("\(p.layers.count) layers") }
        for problem in p.problems {
            if problem.offset < 0 || problem.offset > count { broken.append("problem offset \(problem.offset) outside the frame: \(problem)") }
            if problem.reason.isEmpty { broken.append("problem without a reason at \(problem.offset)") }
        }
        if p.payloadOffset < 0 || p.payloadLength < 0 || p.payloadOffset + p.payloadLength > count {
            broken.append("payload \(p.payloadOffset)+\(p.payloadLength) outside the frame")
        }
        for option in p.geneveOptions where option.offset < 0 || option.offset + option.totalLength > count {
            broken.append("Geneve option at \(option.offset) of \(option.totalLength) bytes outside the frame")
        }
        var text = ""
        frame.withUnsafeBytes { bytes in
            for g in p.geneveHeaders {
                if g.optionIndices.lowerBound < 0 || g.optionIndices.upperBound > p.geneveOptions.count {
                    broken.append("option indices \(g.optionIndices) of \(p.geneveOptions.count)")
                }
                for option in p.options(of: g) {
                    text += option.className
                    for field in option.decodedFields(in: bytes) { text += field.name }
                }
            }
        }
        for i in 0...(p.tunnelDepth + 1) {
            let level = p.level(i)
            text += [level.sourceIP?.description, level.destinationIP?.description, level.ethernet?.source.description,
                     level.tcp?.flagString, level.icmp?.name, level.icmpv6?.name, level.arp?.operationName,
                     level.bfd?.diagnosticName, level.bfd?.state.description, level.tunnel?.typeName,
                     level.ipProtocol?.name, level.sourcePort.map { "\($0)" }, level.ttl.map { "\($0)" },
                     level.icmp?.quoted.map { "\($0.source)" }, level.icmpv6?.targetAddress?.description,
                     level.linuxCooked?.linkAddress?.description]
                .compactMap { $0 }.joined()
            _ = p.vlanIDs(level: i)
        }
        text += p.problems.map(\.description).joined()
        if text.utf8.count > 1 << 20 { broken.append("\(text.utf8.count) bytes of text for one packet") }
        return broken
    }
}

/// SplitMix64: a tiny seeded generator, so a failing mutation can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The valid frames the property tests start from: the hand-made ones, the same packets under the other link
/// types, and (when the corpus is present) the first frame of each public capture.
enum PropertySeeds {
    struct Seed {
        var name: String
        var linkType: LinkType
        var bytes: [UInt8]
        /// The original wire length (larger than `bytes.count` for a corpus frame cut by its snaplen).
        var wireLength: Int
    }

    static let handMade: [Seed] = {
        var seeds = HandMade.all.map { Seed(name: $0.name, linkType: .ethernet, bytes: $0.bytes, wireLength: $0.bytes.count) }
        let v4 = Array(HandMade.geneveOVN.dropFirst(14)), v6 = Array(HandMade.geneveInnerIPv6.dropFirst(14))
        let sll: [UInt8] = [0, 0, 0, 1, 0, 6, 0x00, 0x50, 0x56, 0xaa, 0x10, 0x11, 0, 0, 0x08, 0x00]
        let sll2: [UInt8] = [0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 0x00, 0x50, 0x56, 0xaa, 0x10, 0x11, 0, 0]
        for (name, link, bytes) in [("sll+geneveOVN", LinkType.linuxSLL, sll + v4), ("sll2+geneveInnerIPv6", .linuxSLL2, sll2 + v6),
                                    ("null+geneveOVN", .null, [2, 0, 0, 0] + v4), ("loop+geneveInnerIPv6", .loop, [0, 0, 0, 24] + v6),
                                    ("raw+geneveOVN", .raw, v4), ("ipv6+geneveInnerIPv6", .ipv6, v6)] {
            seeds.append(Seed(name: name, linkType: link, bytes: bytes, wireLength: bytes.count))
        }
        return seeds
    }()

    /// One frame per corpus capture: the first that is tunnelled, else the first.
    static let corpus: [Seed] = {
        guard Corpus.isPresent else { return [] }
        let decoder = PacketDecoder()
        return Corpus.captures().compactMap { name in
            guard let frames = try? PcapFixtureReader.read(path: Corpus.path(name)), !frames.isEmpty else { return nil }
            let chosen = frames.first { decoder.decode($0.bytes, linkType: $0.linkType).isTunneled } ?? frames[0]
            return Seed(name: name, linkType: chosen.linkType, bytes: chosen.bytes, wireLength: chosen.wireLength)
        }
    }()
}
