import OverlayWire
import Testing

/// Inputs the libFuzzer targets in Tests/Fuzz found, kept so they never come back. Each test names the target,
/// what broke and why.
@Suite("Fuzz regressions: inputs found by Tests/Fuzz")
struct FuzzRegressionTests {
    /// FuzzDecoder: an Ethernet header whose EtherType is 0x6558 (transparent Ethernet bridging) was followed by
    /// another Ethernet header, with no limit, recursing once per 14 bytes: a 256 KiB record of stacked headers
    /// overflowed the stack (AddressSanitizer: stack-overflow). The header below is the one the fuzzer repeated.
    @Test("Ethernet stacked on Ethernet by EtherType 0x6558 stops at the depth limit, not at the end of the stack")
    func stackedTransparentEthernet() throws {
        let header: [UInt8] = [0xFC, 0x02, 0xC7, 0xD5, 0xEE, 0xC1, 0xE8, 0xF5, 0x00, 0x00, 0x02, 0x00, 0x65, 0x58]
        let frame = Array(repeatElement(header, count: 262_144 / 14 + 1).joined())
        let limit = DecoderConfiguration().maxTunnelDepth
        let p = PacketDecoder().decode(frame)
        #expect(p.layers.count == limit + 1)
        #expect(p.layers.allSatisfy { $0.kind == .ethernet })
        let problem = try #require(p.problems.first)
        #expect(p.problems.count == 1)
        #expect(problem.code == .depthLimit)
        #expect(problem.offset == (limit + 1) * 14)
        #expect(problem.reason == "Ethernet frames nested by EtherType 0x6558 deeper than \(limit) are not followed")
    }

    @Test("the bridging limit follows the configured tunnel depth, and a frame within it decodes to the end")
    func bridgingWithinTheLimit() {
        let ethernet: [UInt8] = [0x00, 0x50, 0x56, 0xAA, 0x10, 0x12, 0x00, 0x50, 0x56, 0xAA, 0x10, 0x11]
        let arp: [UInt8] = [0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01] + [UInt8](repeating: 0, count: 20)
        let frame = ethernet + [0x65, 0x58] + ethernet + [0x08, 0x06] + arp
        let decoder = PacketDecoder(configuration: DecoderConfiguration(maxTunnelDepth: 1))
        let p = decoder.decode(frame)
        #expect(p.layers.map(\.kind) == [.ethernet, .ethernet, .arp])
        #expect(p.problems.isEmpty, "\(p.problems)")
        let cut = PacketDecoder(configuration: DecoderConfiguration(maxTunnelDepth: 0)).decode(frame)
        #expect(cut.layers.map(\.kind) == [.ethernet])
        #expect(cut.problems.map(\.code) == [.depthLimit])
    }
}
