import OverlayWire
import Testing

@Suite("IPv6")
struct IPv6Tests {
    @Test func fixedHeaderFields() throws {
        let p = Wire.decode(HandMade.icmpv6NeighborSolicitation)
        #expect(p.problems.isEmpty)
        let ip = try #require(p.outer.ipv6)
        #expect(ip.offset == 14 && ip.trafficClass == 0 && ip.flowLabel == 0)
        #expect(ip.payloadLength == 32 && ip.nextHeader == .icmpv6 && ip.upperProtocol == .icmpv6 && ip.hopLimit == 255)
        #expect(ip.source.description == "fe80::250:56ff:feaa:1011")
        #expect(ip.destination == IPv6Address("ff02::1:ff00:2"))
        #expect(ip.extensionHeaderCount == 0 && ip.extensionHeadersLength == 0 && !ip.isFragment && ip.jumboPayloadLength == nil)
        #expect(p.outer.ttl == 255 && p.outer.ipProtocol == .icmpv6)
    }

    @Test func trafficClassAndFlowLabel() throws {
        let p = Wire.decode(Wire.patched(HandMade.icmpv6NeighborSolicitation, at: 14, [0x6b, 0x81, 0x23, 0x45]))
        let ip = try #require(p.outer.ipv6)
        #expect(ip.trafficClass == 0xb8 && ip.flowLabel == 0x12345)
        #expect(p.problems.isEmpty, "neither is covered by a checksum")
    }

    /// Hop-by-Hop, Routing, an atomic Fragment and Destination Options before UDP. The UDP checksum was made
    /// with the routing header's final destination, as RFC 8200 §8.1 asks.
    @Test func extensionHeaderChain() throws {
        let p = Wire.decode(HandMade.ipv6ExtensionChainUDP)
        #expect(p.kinds == [.ethernet, .ipv6, .udp])
        #expect(p.problems.isEmpty)
        let ip = try #require(p.outer.ipv6)
        #expect(ip.nextHeader == .hopByHop && ip.upperProtocol == .udp)
        #expect(ip.extensionHeaderCount == 4 && ip.extensionHeadersLength == 48)
        let fragment = try #require(ip.fragment)
        #expect(fragment.offset == 0 && !fragment.moreFragments && fragment.identification == 0x5678)
        #expect(p.outer.udp?.offset == 102)
        #expect(p.outer.udp?.checksumValid == true, "pseudo-header with the final destination")
        #expect(p.payloadOffset == 110 && p.payloadLength == 4)
    }

    /// With no segments left the destination field is final, so the same checksum no longer verifies.
    @Test func routingHeaderWithoutSegmentsLeftUsesTheHeaderDestination() {
        let p = Wire.decode(Wire.patched(HandMade.ipv6ExtensionChainUDP, at: 65, [0]))
        expectProblem(p, .udp, .badChecksum, at: 108)
    }

    @Test func firstFragmentIsDecodedButNotChecksummed() {
        let p = Wire.decode(Wire.patched(HandMade.ipv6ExtensionChainUDP, at: 89, [0x01]))
        #expect(p.kinds == [.ethernet, .ipv6, .udp])
        #expect(p.problems.isEmpty)
        #expect(p.outer.udp?.checksumValid == nil)
        #expect(p.outer.ipv6?.fragment?.moreFragments == true)
    }

    /// After a Fragment header with a non-zero offset come fragment data, not headers.
    @Test func laterFragmentStopsAtTheFragmentHeader() throws {
        let p = Wire.decode(Wire.patched(HandMade.ipv6ExtensionChainUDP, at: 88, [0x05, 0xc8]))
        #expect(p.kinds == [.ethernet, .ipv6])
        #expect(p.problems.isEmpty)
        let ip = try #require(p.outer.ipv6)
        #expect(ip.fragment?.offset == 1480)
        #expect(ip.extensionHeaderCount == 3 && ip.upperProtocol == .destinationOptions)
        #expect(p.payloadOffset == 94 && p.payloadLength == 20)
    }

    @Test func jumbogram() throws {
        let p = Wire.decode(HandMade.ipv6JumboTCP)
        #expect(p.kinds == [.ethernet, .ipv6, .tcp])
        #expect(p.problems.isEmpty)
        let ip = try #require(p.outer.ipv6)
        #expect(ip.payloadLength == 0 && ip.jumboPayloadLength == 65564 && ip.upperProtocol == .tcp)
        #expect(p.outer.tcp?.checksumValid == true)
        #expect(p.payloadLength == 65536)
    }

    @Test func jumboPayloadLengthMustExceed65535() {
        let small = Wire.patched(HandMade.ipv6JumboTCPHeaders, at: 58, [0, 0, 0, 33]) + Array("jumbo".utf8)
        let p = Wire.decode(small)
        expectProblem(p, .ipv6, .invalidLength, at: 54, saying: "not above 65535")
        #expect(p.kinds == [.ethernet, .ipv6, .tcp], "decoding goes on")
        #expect(p.payloadLength == 5)
    }

    @Test func jumboOptionWithANonZeroPayloadLength() {
        let p = Wire.decode(Wire.patched(HandMade.ipv6JumboTCP, at: 18, Wire.be16(33)))
        expectProblem(p, .ipv6, .invalidLength, at: 18, saying: "non-zero payload length")
    }

    /// Payload length 0 and no jumbo option: Linux BIG TCP. The frame gives the length.
    @Test func payloadLengthZeroWithoutJumboIsBigTCP() {
        let p = Wire.decode(HandMade.ipv6PayloadLengthZeroTCP)
        #expect(p.kinds == [.ethernet, .ipv6, .tcp])
        #expect(p.problems.isEmpty)
        #expect(p.outer.tcp?.checksumValid == true)
        #expect(p.payloadOffset == 74 && p.payloadLength == 4)
    }

    @Test func payloadLengthBeyondTheFrame() {
        let p = Wire.decode(Wire.patched(HandMade.icmpv6NeighborSolicitation, at: 18, Wire.be16(256)))
        expectProblem(p, .ipv6, .invalidLength, at: 18, saying: "256 exceeds the 32 bytes")
        #expect(p.kinds == [.ethernet, .ipv6, .icmpv6])
        #expect(p.outer.icmpv6?.checksumValid == true)
    }

    /// Nine Destination Options headers where eight are walked.
    @Test func extensionHeaderDepthLimit() {
        var frame = Array(HandMade.ipv6ExtensionChainUDP.prefix(54))
        frame = Wire.patched(frame, at: 18, Wire.be16(9 * 8 + 12))
        frame[20] = IPProtocol.destinationOptions.rawValue
        for i in 0..<9 { frame += [i == 8 ? 17 : 60, 0, 0x01, 0x04, 0, 0, 0, 0] }
        frame += [0x1b, 0x58, 0x1b, 0x59, 0x00, 0x0c, 0x00, 0x00] + Array("deep".utf8)
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv6])
        expectProblem(p, .ipv6, .depthLimit, at: 118, saying: "more than 8")
        #expect(p.outer.ipv6?.extensionHeaderCount == 8)
        let wider = Wire.decode(frame, configuration: DecoderConfiguration(maxIPv6ExtensionHeaders: 9, verifyChecksums: false))
        #expect(wider.kinds == [.ethernet, .ipv6, .udp])
        #expect(wider.problems.isEmpty)
        #expect(wider.outer.udp?.offset == 126)
    }

    @Test func extensionHeaderCutByThePayloadLengthIsInvalid() {
        let p = Wire.decode(Wire.patched(HandMade.ipv6ExtensionChainUDP, at: 18, Wire.be16(20)))
        #expect(p.kinds == [.ethernet, .ipv6])
        expectProblem(p, .ipv6, .invalidLength, at: 62, saying: "IPv6 payload length leaves only 12")
    }

    @Test func extensionHeaderCutBySnaplenIsTruncated() {
        let p = Wire.decode(Array(HandMade.ipv6ExtensionChainUDP.prefix(70)), wireLength: 114)
        #expect(p.kinds == [.ethernet, .ipv6])
        expectProblem(p, .ipv6, .truncated, at: 62, saying: "capture stops after 8")
    }

    @Test func wrongVersionAndTruncatedFixedHeader() {
        let p = Wire.decode(Wire.patched(HandMade.icmpv6NeighborSolicitation, at: 14, [0x40]))
        expectProblem(p, .ipv6, .unsupportedVersion, at: 14, saying: "version 4")
        expectProblem(Wire.decode(Array(HandMade.icmpv6NeighborSolicitation.prefix(50))), .ipv6, .truncated, at: 14, saying: "needs 40 bytes")
    }
}
