import OverlayWire
import Testing

@Suite("IPv4")
struct IPv4Tests {
    @Test func headerFields() throws {
        let p = Wire.decode(HandMade.ipv4UDP)
        let ip = try #require(p.outer.ipv4)
        #expect(ip.offset == 14 && ip.headerLength == 20 && ip.optionsLength == 0)
        #expect(ip.tos == 0 && ip.totalLength == 32 && ip.identification == 0x1234)
        #expect(ip.dontFragment && !ip.moreFragments && !ip.reservedFlag && ip.fragmentOffset == 0 && !ip.isFragment)
        #expect(ip.ttl == 64 && ip.proto == .udp && ip.checksum == 0x0081)
        #expect(ip.source.description == "10.1.10.11" && ip.destination == IPv4Address(10, 1, 10, 12))
        #expect(ip.checksumValid == true)
        #expect(p.outer.sourceIP == IPAddress("10.1.10.11") && p.outer.ipProtocol == .udp && p.outer.ttl == 64)
        #expect(p.outer.dontFragment && !p.outer.isFragment)
    }

    @Test func dscpAndECN() throws {
        let frame = Wire.refreshingIPv4Checksum(Wire.patched(HandMade.ipv4UDP, at: 15, [0xb9]), headerAt: 14)
        let ip = try #require(Wire.decode(frame).outer.ipv4)
        #expect(ip.dscp == 46 && ip.ecn == 1)
        #expect(ip.checksumValid == true)
    }

    @Test func optionsAreSkippedByTheHeaderLength() throws {
        let p = Wire.decode(HandMade.ipv4OptionsUDP)
        #expect(p.problems.isEmpty)
        let ip = try #require(p.outer.ipv4)
        #expect(ip.headerLength == 24 && ip.optionsLength == 4)
        #expect(ip.checksumValid == true, "the options are inside the header checksum")
        #expect(p.outer.udp?.offset == 38 && p.outer.udp?.checksumValid == true)
        #expect(p.payloadOffset == 46 && p.payloadLength == 4)
    }

    /// The first fragment carries the UDP header of a bigger datagram: its length is not a fault here.
    @Test func firstFragment() throws {
        let p = Wire.decode(HandMade.ipv4FirstFragment)
        #expect(p.kinds == [.ethernet, .ipv4, .udp])
        #expect(p.problems.isEmpty)
        let ip = try #require(p.outer.ipv4)
        #expect(ip.moreFragments && ip.fragmentOffset == 0 && ip.isFragment && ip.identification == 0x0abc)
        #expect(p.outer.udp?.length == 1008)
        #expect(p.outer.udp?.checksumValid == nil, "a fragment's UDP checksum cannot be verified")
        #expect(p.payloadOffset == 42 && p.payloadLength == 16)
    }

    /// A Geneve packet fragmented by the underlay: the first fragment ends inside the inner IPv4 header.
    /// That is where the fragment ends, not a lie of some length field.
    @Test func tunnelInAFirstFragment() {
        var frame = Wire.patched(HandMade.geneveOVN, at: 16, Wire.be16(70))
        frame = Wire.refreshingIPv4Checksum(Wire.patched(frame, at: 20, [0x20, 0x00]), headerAt: 14)
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve, .ethernet])
        #expect(p.outer.isFragment && p.outer.tunnel?.vni == 69632 && p.ovnPortKeys != nil)
        expectProblem(p, .ipv4, .truncated, at: 72, saying: "this IP fragment holds only 12 (the rest is in later fragments)")
        #expect(p.problems.count == 1, "the UDP length covering all fragments is no fault")
    }

    @Test func laterFragmentHasNoTransportHeader() throws {
        let p = Wire.decode(HandMade.ipv4LaterFragment)
        #expect(p.kinds == [.ethernet, .ipv4])
        #expect(p.problems.isEmpty)
        let ip = try #require(p.outer.ipv4)
        #expect(ip.fragmentOffset == 1480 && !ip.moreFragments && p.outer.isFragment)
        #expect(p.payloadOffset == 34 && p.payloadLength == 16)
    }

    /// Linux BIG TCP: total length 0, the frame gives the length, and the TCP checksum covers all of it.
    @Test func totalLengthZeroIsBigTCP() throws {
        let p = Wire.decode(HandMade.bigTCPIPv4)
        #expect(p.kinds == [.ethernet, .ipv4, .tcp])
        #expect(p.problems.isEmpty)
        #expect(p.outer.ipv4?.totalLength == 0)
        #expect(p.outer.tcp?.checksumValid == true)
        #expect(p.payloadOffset == 54 && p.payloadLength == 8)
    }

    /// A BIG TCP frame cut by the snaplen: the length comes from the wire, so the checksum is not "verified"
    /// over the captured part (which would call a good checksum bad).
    @Test func bigTCPCutBySnaplenIsNotChecksummed() {
        let p = Wire.decode(Array(HandMade.bigTCPIPv4.prefix(58)), wireLength: 62)
        #expect(p.kinds == [.ethernet, .ipv4, .tcp])
        #expect(p.problems.isEmpty)
        #expect(p.outer.tcp?.checksumValid == nil)
    }

    @Test func badHeaderChecksumIsReportedAndDecodingGoesOn() {
        let p = Wire.decode(Wire.patched(HandMade.ipv4UDP, at: 24, [0xde, 0xad]))
        expectProblem(p, .ipv4, .badChecksum, at: 24, saying: "0xdead")
        #expect(p.outer.ipv4?.checksumValid == false)
        #expect(p.kinds == [.ethernet, .ipv4, .udp])
        #expect(p.outer.udp?.checksumValid == true, "the pseudo-header does not include the IP checksum")
    }

    @Test func checksumVerificationCanBeSwitchedOff() {
        let frame = Wire.patched(HandMade.ipv4UDP, at: 24, [0xde, 0xad])
        let p = Wire.decode(frame, configuration: DecoderConfiguration(verifyChecksums: false))
        #expect(p.problems.isEmpty)
        #expect(p.outer.ipv4?.checksumValid == nil && p.outer.udp?.checksumValid == nil)
    }

    @Test func wrongVersionInAnIPv4Header() {
        let p = Wire.decode(Wire.patched(HandMade.ipv4UDP, at: 14, [0x65]))
        #expect(p.kinds == [.ethernet, .ipv4])
        expectProblem(p, .ipv4, .unsupportedVersion, at: 14, saying: "version 6")
    }

    @Test func headerLengthBelowTwenty() {
        let p = Wire.decode(Wire.patched(HandMade.ipv4UDP, at: 14, [0x44]))
        #expect(p.kinds == [.ethernet, .ipv4])
        expectProblem(p, .ipv4, .invalidLength, at: 14, saying: "below 20")
    }

    @Test func totalLengthShorterThanTheHeader() {
        let frame = Wire.refreshingIPv4Checksum(Wire.patched(HandMade.ipv4UDP, at: 16, Wire.be16(19)), headerAt: 14)
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv4])
        expectProblem(p, .ipv4, .invalidLength, at: 16, saying: "shorter than its header")
    }

    @Test func totalLengthBeyondTheFrameIsReportedThenTheFrameIsUsed() {
        let frame = Wire.refreshingIPv4Checksum(Wire.patched(HandMade.ipv4UDP, at: 16, Wire.be16(1500)), headerAt: 14)
        let p = Wire.decode(frame)
        expectProblem(p, .ipv4, .invalidLength, at: 16, saying: "1500 exceeds the 32 bytes")
        #expect(p.kinds == [.ethernet, .ipv4, .udp])
        #expect(p.outer.udp?.checksumValid == true)
    }

    @Test func ethernetPaddingIsNotPartOfThePacket() {
        let p = Wire.decode(HandMade.ipv4UDP + [UInt8](repeating: 0, count: 14))
        #expect(p.problems.isEmpty)
        #expect(p.payloadOffset == 42 && p.payloadLength == 4)
        #expect(p.outer.udp?.checksumValid == true)
    }

    @Test func headerWithOptionsCutBySnaplen() {
        let p = Wire.decode(Array(HandMade.ipv4OptionsUDP.prefix(36)), wireLength: 50)
        #expect(p.kinds == [.ethernet, .ipv4])
        expectProblem(p, .ipv4, .truncated, at: 14, saying: "needs 24 bytes but the capture stops after 22")
    }

    @Test func fixedHeaderTruncated() {
        expectProblem(Wire.decode(Array(HandMade.ipv4UDP.prefix(30))), .ipv4, .truncated, at: 14, saying: "needs 20 bytes")
    }

    @Test func evilBit() {
        let frame = Wire.refreshingIPv4Checksum(Wire.patched(HandMade.ipv4UDP, at: 20, [0xc0]), headerAt: 14)
        let p = Wire.decode(frame)
        expectProblem(p, .ipv4, .reservedBitsSet, at: 20, saying: "reserved flag")
        #expect(p.outer.ipv4?.reservedFlag == true)
        #expect(p.kinds == [.ethernet, .ipv4, .udp])
    }

    /// Total length 24 leaves 4 bytes for an 8-byte UDP header: the length lies, the capture is complete.
    @Test func transportHeaderCutByTheTotalLengthIsInvalid() {
        let frame = Wire.refreshingIPv4Checksum(Wire.patched(HandMade.ipv4UDP, at: 16, Wire.be16(24)), headerAt: 14)
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv4])
        expectProblem(p, .udp, .invalidLength, at: 34, saying: "IPv4 total length leaves only 4")
    }
}
