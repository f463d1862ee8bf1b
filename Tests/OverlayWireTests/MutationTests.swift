import OverlayWire
import Testing

/// Random and systematic corruption of valid packets: whatever the bytes, the decoder returns (no trap, no
/// out-of-bounds read: debug builds check every raw load, `--sanitize=address` checks the rest) and its result
/// keeps the invariants of `DecodeInvariants`.
@Suite("Mutation")
struct MutationTests {
    static var seeds: [PropertySeeds.Seed] {
        (PropertySeeds.handMade + PropertySeeds.corpus).filter { $0.bytes.count <= 4096 }
    }

    /// 20 000 mutants from a fixed seed: 1 to 4 edited bytes (mostly in the first 160 bytes, where the headers
    /// are), sometimes cut short, decoded with a wire length that may exceed the bytes, under the seed's link
    /// type or another one.
    @Test func randomMutationsKeepTheInvariants() {
        var rng = SplitMix64(seed: 0x0E7A_11A7_2026)
        let seeds = Self.seeds
        let linkTypes = LinkType.supported + [LinkType(rawValue: 105)]
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        var failures: [String] = []
        for i in 0..<20_000 {
            let seed = seeds[i % seeds.count]
            var bytes = seed.bytes
            let mark = rng.next()
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let span = Int.random(in: 0..<10, using: &rng) < 8 ? min(bytes.count, 160) : bytes.count
                let at = Int.random(in: 0..<span, using: &rng)
                switch rng.next() % 4 {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                case 2: bytes[at] = [0x00, 0xFF, 0x80, 0x7F, 0x01][Int(rng.next() % 5)]
                default: bytes[at] = bytes[Int.random(in: 0..<bytes.count, using: &rng)]
                }
            }
            if rng.next() % 4 == 0 { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
            let wire = [bytes.count, seed.wireLength, bytes.count + Int.random(in: 0..<2000, using: &rng)][Int(rng.next() % 3)]
            let link = rng.next() % 8 == 0 ? linkTypes[Int(rng.next() % UInt64(linkTypes.count))] : seed.linkType
            bytes.withUnsafeBytes { decoder.decode($0, linkType: link, wireLength: wire, into: &packet) }
            let broken = DecodeInvariants.violations(packet, frame: bytes)
            if !broken.isEmpty && failures.count < 20 {
                failures.append("mutant \(i) of \(seed.name) (mark \(mark)): " + broken.joined(separator: "; "))
            }
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
    }

    /// Every byte of every header area (the first 160 bytes) set to 0x00 and to 0xFF in turn: the length
    /// fields, flags and type fields all see their extremes.
    @Test func everyHeaderByteAtItsExtremes() {
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        var failures: [String] = []
        var decodes = 0
        for seed in Self.seeds {
            for at in 0..<min(seed.bytes.count, 160) {
                for value: UInt8 in [0x00, 0xFF] where seed.bytes[at] != value {
                    var bytes = seed.bytes
                    bytes[at] = value
                    bytes.withUnsafeBytes { decoder.decode($0, linkType: seed.linkType, wireLength: seed.wireLength, into: &packet) }
                    decodes += 1
                    let broken = DecodeInvariants.violations(packet, frame: bytes)
                    if !broken.isEmpty && failures.count < 20 {
                        failures.append("\(seed.name) byte \(at) = \(value): " + broken.joined(separator: "; "))
                    }
                }
            }
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        #expect(decodes > 5_000)
    }

    /// Reusing one `DecodedPacket` across packets leaves nothing of the previous packet behind.
    @Test func reusedPacketStorageIsCleared() {
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        HandMade.geneveFourOptions.withUnsafeBytes { decoder.decode($0, linkType: .ethernet, into: &packet) }
        #expect(packet.ovnPortKeys != nil && packet.geneveOptions.count == 4)
        Array(HandMade.ipv4UDP.prefix(20)).withUnsafeBytes { decoder.decode($0, linkType: .ethernet, into: &packet) }
        #expect(packet.ovnPortKeys == nil && packet.geneveOptions.isEmpty && packet.layers.count == 1)
        #expect(packet.problems.count == 1 && packet.payloadLength == 0)
        HandMade.ipv4UDP.withUnsafeBytes { decoder.decode($0, linkType: .ethernet, into: &packet) }
        #expect(packet.problems.isEmpty && packet.kinds == [.ethernet, .ipv4, .udp])
    }
}
