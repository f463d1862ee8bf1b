import OverlayWire
import Testing

@Suite("UDP")
struct UDPTests {
    /// The UDP checksum of `length` bytes at `udp` under the IPv4 header at `ip`, worked out in the test.
    static func checksum(_ b: [UInt8], ip: Int, udp: Int, length: Int) -> UInt16 {
        var segment = Array(b[udp..<(udp + length)])
        segment[6] = 0
        segment[7] = 0
        let pseudo = Array(b[(ip + 12)..<(ip + 20)]) + [0, 17] + Wire.be16(UInt16(length))
        let c = Wire.onesComplement((pseudo + segment)[...])
        return c == 0 ? 0xFFFF : c
    }

    @Test func headerFields() throws {
        let p = Wire.decode(HandMade.ipv4UDP)
        let udp = try #require(p.outer.udp)
        #expect(udp.offset == 34 && udp.sourcePort == 51544 && udp.destinationPort == 53)
        #expect(udp.length == 12 && udp.checksum == 0x4969 && udp.checksumValid == true)
        #expect(p.outer.sourcePort == 51544 && p.outer.destinationPort == 53)
    }

    @Test func zeroChecksumOverIPv4IsLegalAndNotVerified() {
        let p = Wire.decode(Wire.patched(HandMade.ipv4UDP, at: 40, [0, 0]))
        #expect(p.problems.isEmpty)
        #expect(p.outer.udp?.checksumValid == nil)
    }

    @Test func badChecksumNamesTheLikelyOffload() {
        let p = Wire.decode(Wire.patched(HandMade.ipv4UDP, at: 40, [0x12, 0x34]))
        expectProblem(p, .udp, .badChecksum, at: 40, saying: "0x1234 is wrong (checksum offload")
        #expect(p.outer.udp?.checksumValid == false)
        #expect(p.payloadOffset == 42, "decoding goes on")
    }

    @Test func badInnerChecksumInATunnel() {
        let corrupt = Wire.patched(HandMade.geneveInnerIPv4, at: 76, [0x00, 0x01])
        // The outer checksum covers the inner bytes too, so both are wrong ...
        #expect(Wire.decode(corrupt).problems(.badChecksum).map(\.offset) == [40, 76])
        // ... unless the outer one is 0 (not computed, legal over IPv4): then only the inner fault shows.
        let p = Wire.decode(Wire.patched(corrupt, at: 40, [0, 0]))
        expectProblem(p, .udp, .badChecksum, at: 76, saying: "0x0001 is wrong")
        #expect(p.udpHeaders.map(\.checksumValid) == [nil, false])
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve, .ipv4, .udp])
    }

    @Test func zeroChecksumOverIPv6IsAProblemOutsideTunnels() {
        let p = Wire.decode(Wire.patched(HandMade.ipv6ExtensionChainUDP, at: 108, [0, 0]))
        expectProblem(p, .udp, .badChecksum, at: 108, saying: "only for tunnel")
        // Geneve over IPv6 may leave it 0 (RFC 6935/6936).
        let tunnel = Wire.decode(HandMade.geneveInnerIPv6)
        #expect(tunnel.problems.isEmpty)
        #expect(tunnel.outer.udp?.checksum == 0 && tunnel.outer.udp?.checksumValid == nil)
    }

    @Test func lengthBelowTheHeader() {
        for length: UInt16 in [0, 4, 7] {
            let p = Wire.decode(Wire.patched(HandMade.ipv4UDP, at: 38, Wire.be16(length)))
            #expect(p.kinds == [.ethernet, .ipv4, .udp])
            expectProblem(p, .udp, .invalidLength, at: 38, saying: "UDP length \(length) is below the 8-byte header")
        }
    }

    @Test func lengthBeyondTheIPPayload() {
        let p = Wire.decode(Wire.patched(HandMade.ipv4UDP, at: 38, Wire.be16(20)))
        expectProblem(p, .udp, .invalidLength, at: 38, saying: "20 exceeds the 12 bytes")
        #expect(p.payloadOffset == 42 && p.payloadLength == 4)
    }

    /// Bytes after the datagram inside the IP packet: the checksum's pseudo-header uses the UDP length.
    @Test func datagramShorterThanTheIPPayload() {
        var frame = Wire.patched(HandMade.ipv4UDP, at: 38, Wire.be16(10))
        frame = Wire.patched(frame, at: 40, Wire.be16(Self.checksum(frame, ip: 14, udp: 34, length: 10)))
        let p = Wire.decode(frame)
        #expect(p.problems.isEmpty)
        #expect(p.outer.udp?.checksumValid == true)
        #expect(p.payloadOffset == 42 && p.payloadLength == 2)
    }

    /// BIG TCP leaves both the IPv4 total length and the UDP length at 0; the tunnel still decodes.
    @Test func lengthZeroUnderABigTCPIPv4Header() {
        var frame = Wire.refreshingIPv4Checksum(Wire.patched(HandMade.geneveOVN, at: 16, [0, 0]), headerAt: 14)
        frame = Wire.patched(frame, at: 38, [0, 0])
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve, .ethernet, .ipv4, .tcp])
        #expect(p.problems.isEmpty)
    }

    @Test func headerCutBySnaplen() {
        let p = Wire.decode(Array(HandMade.ipv4UDP.prefix(38)), wireLength: 46)
        #expect(p.kinds == [.ethernet, .ipv4])
        expectProblem(p, .udp, .truncated, at: 34, saying: "capture stops after 4")
    }

    /// `--decode-as 9999=vxlan`: the port map is data.
    @Test func customPortMapping() {
        let vxlanOn9999 = Wire.patched(HandMade.vxlan4789, at: 36, Wire.be16(9999))
        #expect(Wire.decode(vxlanOn9999).kinds == [.ethernet, .ipv4, .udp], "9999 is not a tunnel port by default")
        var ports = DecoderConfiguration.defaultPorts
        ports[9999] = .vxlan
        let mapped = Wire.decode(vxlanOn9999, configuration: DecoderConfiguration(udpPorts: ports))
        #expect(mapped.kinds == [.ethernet, .ipv4, .udp, .vxlan, .ethernet, .ipv4, .icmp])
        #expect(mapped.outer.tunnel?.vni == 73728)

        ports[9999] = .geneve
        let geneveOn9999 = Wire.patched(HandMade.geneveOVN, at: 36, Wire.be16(9999))
        #expect(Wire.decode(geneveOn9999, configuration: DecoderConfiguration(udpPorts: ports)).geneveHeaders.count == 1)

        ports[9999] = .bfd
        let bfdOn9999 = Wire.patched(Wire.patched(HandMade.bfdUp, at: 36, Wire.be16(9999)), at: 40, [0, 0])
        #expect(Wire.decode(bfdOn9999, configuration: DecoderConfiguration(udpPorts: ports)).kinds.last == .bfd)

        let none = Wire.decode(HandMade.vxlan4789, configuration: DecoderConfiguration(udpPorts: [:]))
        #expect(none.kinds == [.ethernet, .ipv4, .udp], "an empty map decodes no tunnel")
        #expect(UDPPortProtocol.allCases.count == 3)
    }
}
