import OverlayWire
import Testing

@Suite("TCP")
struct TCPTests {
    static let unchecked = DecoderConfiguration(verifyChecksums: false)

    @Test func synWithOptions() throws {
        let p = Wire.decode(HandMade.tcpSYN)
        #expect(p.problems.isEmpty)
        let tcp = try #require(p.outer.tcp)
        #expect(tcp.offset == 34 && tcp.sourcePort == 51544 && tcp.destinationPort == 80)
        #expect(tcp.sequence == 0x0102_0304 && tcp.acknowledgment == 0)
        #expect(tcp.headerLength == 40 && tcp.flags == TCPHeader.syn && tcp.isSYN && !tcp.isSYNACK)
        #expect(tcp.flagString == "S" && tcp.window == 64240 && tcp.urgentPointer == 0)
        #expect(tcp.checksum == 0x270f && tcp.checksumValid == true)
        #expect(p.payloadOffset == 74 && p.payloadLength == 0, "the options belong to the header")
    }

    @Test func sequenceAcknowledgmentAndWindow() throws {
        let tcp = try #require(Wire.decode(HandMade.bigTCPIPv4).outer.tcp)
        #expect(tcp.sequence == 1000 && tcp.acknowledgment == 2000 && tcp.window == 502)
        #expect(tcp.flags == TCPHeader.psh | TCPHeader.ack && tcp.flagString == "P.")
    }

    @Test(arguments: [
        (UInt8(0x12), "S."), (0x11, "F."), (0x04, "R"), (0x14, "R."), (0x10, "."), (0x00, "none"),
        (0xc2, "SEW"), (0x29, "FPU"),
    ])
    func flagStrings(flags: UInt8, text: String) throws {
        let tcp = try #require(Wire.decode(Wire.patched(HandMade.tcpSYN, at: 47, [flags]), configuration: Self.unchecked).outer.tcp)
        #expect(tcp.flagString == text)
        #expect(tcp.isSYNACK == (flags == 0x12))
    }

    @Test func nonceSumBitIsKeptInTheFlags() throws {
        let tcp = try #require(Wire.decode(Wire.patched(HandMade.tcpSYN, at: 46, [0xa1]), configuration: Self.unchecked).outer.tcp)
        #expect(tcp.flags == 0x102)
        #expect(tcp.headerLength == 40)
    }

    @Test func badChecksum() {
        let p = Wire.decode(Wire.patched(HandMade.tcpSYN, at: 50, [0xbe, 0xef]))
        expectProblem(p, .tcp, .badChecksum, at: 50, saying: "0xbeef is wrong")
        #expect(p.outer.tcp?.checksumValid == false)
        #expect(p.payloadOffset == 74, "decoding goes on")
    }

    /// An inner checksum is wrong for what it is: no "captured on the sending host" guess for a small inner frame.
    @Test func badInnerChecksumInATunnel() {
        let p = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 108, [0xde, 0xad]))
        expectProblem(p, .tcp, .badChecksum, at: 108, saying: "0xdead is wrong")
        #expect(p.problems.first?.reason.contains("offload") == false)
        #expect(p.level(1).tcp?.checksumValid == false && p.level(1).ipv4?.checksumValid == true)
    }

    @Test func dataOffsetBelowTwenty() {
        let p = Wire.decode(Wire.patched(HandMade.tcpSYN, at: 46, [0x40]), configuration: Self.unchecked)
        #expect(p.kinds == [.ethernet, .ipv4, .tcp])
        expectProblem(p, .tcp, .invalidLength, at: 46, saying: "data offset 16 is below 20")
    }

    @Test func optionsCutByTheIPTotalLength() {
        let frame = Wire.refreshingIPv4Checksum(Wire.patched(HandMade.tcpSYN, at: 16, Wire.be16(50)), headerAt: 14)
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv4, .tcp])
        expectProblem(p, .tcp, .invalidLength, at: 34, saying: "needs 40 bytes but the IPv4 total length leaves only 30")
    }

    @Test func optionsCutBySnaplen() {
        let p = Wire.decode(Array(HandMade.tcpSYN.prefix(60)), wireLength: 74)
        #expect(p.kinds == [.ethernet, .ipv4, .tcp])
        expectProblem(p, .tcp, .truncated, at: 34, saying: "capture stops after 26")
        #expect(p.outer.tcp?.checksumValid == nil)
    }

    @Test func fixedHeaderCutBySnaplen() {
        let p = Wire.decode(Array(HandMade.tcpSYN.prefix(44)), wireLength: 74)
        #expect(p.kinds == [.ethernet, .ipv4])
        expectProblem(p, .tcp, .truncated, at: 34, saying: "TCP header needs 20 bytes")
    }
}
