import OverlayWire
import Testing

/// Every valid packet cut at every offset, as a snaplen would cut it (the wire length stays the original):
/// the decode never traps, never places a layer beyond the captured bytes, invents no layer, names the cut
/// as "truncated" (never as an invalid length or a bad checksum), and verifies no checksum it cannot see whole.
@Suite("Truncation at every offset")
struct TruncationTests {
    @Test func handMadeFramesCutAtEveryOffset() {
        Self.check(PropertySeeds.handMade)
    }

    @Test(.enabled(if: Corpus.isPresent, Comment(rawValue: Corpus.absenceNote)))
    func corpusFramesCutAtEveryOffset() {
        #expect(PropertySeeds.corpus.count == Corpus.captures().count)
        Self.check(PropertySeeds.corpus)
    }

    /// Every offset of a frame up to 2 KiB; beyond that (GSO and BIG TCP super-frames) every offset of the
    /// first 1 KiB, where the headers are, and 200 evenly spread cuts after it.
    static func offsets(_ count: Int) -> [Int] {
        if count <= 2048 { return Array(0...count) }
        return Array(0...1024) + Array(stride(from: 1025, to: count, by: max(1, count / 200))) + [count - 1, count]
    }

    static func checksumVerdicts(_ p: DecodedPacket) -> [Bool?] {
        p.layers.map { layer -> Bool? in
            switch layer {
            case .ipv4(let h): return h.checksumValid
            case .udp(let h): return h.checksumValid
            case .tcp(let h): return h.checksumValid
            case .icmp(let h): return h.checksumValid
            case .icmpv6(let h): return h.checksumValid
            default: return nil
            }
        }
    }

    static func check(_ seeds: [PropertySeeds.Seed], sourceLocation: SourceLocation = #_sourceLocation) {
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        var failures: [String] = []
        var decodes = 0
        for seed in seeds {
            let full = decoder.decode(seed.bytes, linkType: seed.linkType, wireLength: seed.wireLength)
            let fullProblems = Set(full.problems.map { "\($0.layer.rawValue)/\($0.code.rawValue)" })
            let fullVerdicts = checksumVerdicts(full)
            for cut in offsets(seed.bytes.count) {
                let prefix = Array(seed.bytes.prefix(cut))
                prefix.withUnsafeBytes { decoder.decode($0, linkType: seed.linkType, wireLength: seed.wireLength, into: &packet) }
                decodes += 1
                var broken = DecodeInvariants.violations(packet, frame: prefix)
                if !full.kinds.starts(with: packet.kinds) {
                    broken.append("layers \(packet.kinds) are not a prefix of \(full.kinds)")
                }
                if packet.kinds.count < full.kinds.count && packet.problems(.truncated).isEmpty {
                    broken.append("a header was cut (\(packet.kinds) of \(full.kinds)) but no problem says truncated: \(packet.problems)")
                }
                for problem in packet.problems where problem.code != .truncated
                    && !fullProblems.contains("\(problem.layer.rawValue)/\(problem.code.rawValue)") {
                    broken.append("the cut is reported as something else: \(problem)")
                }
                for (i, verdict) in checksumVerdicts(packet).enumerated() where verdict != nil && verdict != fullVerdicts[i] {
                    broken.append("checksum verdict \(String(describing: verdict)) of layer \(i) differs from the whole frame's")
                }
                if !broken.isEmpty && failures.count < 20 {
                    failures.append("\(seed.name) cut at \(cut) of \(seed.bytes.count): " + broken.joined(separator: "; "))
                }
            }
        }
        for failure in failures { Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation) }
        #expect(decodes > seeds.count, sourceLocation: sourceLocation)
    }
}
