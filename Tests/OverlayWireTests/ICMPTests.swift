import OverlayWire
import Testing

@Suite("ICMP and ICMPv6")
struct ICMPTests {
    @Test func echoRequest() throws {
        let p = Wire.decode(HandMade.icmpEchoRequest)
        #expect(p.problems.isEmpty)
        let icmp = try #require(p.outer.icmp)
        #expect(icmp.offset == 34 && icmp.type == ICMPMessage.echoRequest && icmp.code == 0)
        #expect(icmp.identifier == 0x1f90 && icmp.sequence == 7 && icmp.checksumValid == true)
        #expect(icmp.name == "echo request" && !icmp.isError && icmp.quoted == nil && icmp.nextHopMTU == nil)
        #expect(p.payloadOffset == 42 && p.payloadLength == 16)
    }

    @Test func echoReplyWithABadChecksum() throws {
        let p = Wire.decode(Wire.patched(HandMade.icmpEchoRequest, at: 34, [0]))
        expectProblem(p, .icmp, .badChecksum, at: 36, saying: "ICMP checksum 0x5d25 is wrong")
        #expect(p.outer.icmp?.name == "echo reply" && p.outer.icmp?.checksumValid == false)
    }

    @Test func badInnerChecksumInATunnel() {
        let p = Wire.decode(Wire.patched(HandMade.vxlan4789, at: 86, [0x22, 0x35]))
        expectProblem(p, .icmp, .badChecksum, at: 86, saying: "0x2235 is wrong")
        #expect(p.level(1).icmp?.checksumValid == false && p.level(0).tunnel?.vni == 73728)
    }

    /// "Fragmentation needed" from the underlay router: the MTU and the Geneve packet it could not forward.
    @Test func fragmentationNeededQuotesTheGenevePacket() throws {
        let p = Wire.decode(HandMade.icmpFragmentationNeededGeneve)
        #expect(p.kinds == [.ethernet, .ipv4, .icmp])
        #expect(p.problems.isEmpty)
        let icmp = try #require(p.outer.icmp)
        #expect(icmp.type == ICMPMessage.destinationUnreachable && icmp.code == 4)
        #expect(icmp.isError && icmp.isFragmentationNeeded && icmp.name == "fragmentation needed")
        #expect(icmp.nextHopMTU == 1500 && icmp.identifier == nil)
        let q = try #require(icmp.quoted)
        #expect(q.source == IPAddress("172.20.11.51") && q.destination == IPAddress("172.20.11.52"))
        #expect(q.proto == .udp && q.identification == 0x4242 && q.totalLength == 1600 && q.dontFragment)
        #expect(q.sourcePort == 49320 && q.destinationPort == 6081)
        #expect(q.tunnelVNI == 69632)
    }

    @Test func quotedVXLANAndQuotedBFD() throws {
        let vxlan = Wire.decode(Wire.patched(HandMade.icmpFragmentationNeededGeneve, at: 64, Wire.be16(4789)))
        #expect(vxlan.outer.icmp?.quoted?.tunnelVNI == 69632, "VXLAN keeps its VNI at the same place")
        let bfd = Wire.decode(Wire.patched(HandMade.icmpFragmentationNeededGeneve, at: 64, Wire.be16(3784)))
        let q = try #require(bfd.outer.icmp?.quoted)
        #expect(q.destinationPort == 3784 && q.tunnelVNI == nil)
    }

    @Test func quotedHeaderWithACorruptIHL() throws {
        let p = Wire.decode(Wire.patched(HandMade.icmpFragmentationNeededGeneve, at: 42, [0x43]))
        let q = try #require(p.outer.icmp?.quoted)
        #expect(q.source == IPAddress("172.20.11.51"))
        #expect(q.sourcePort == nil && q.tunnelVNI == nil, "ports cannot be found behind a 12-byte header")
    }

    @Test func errorQuotingTooLittle() {
        let frame = Wire.refreshingIPv4Checksum(Wire.patched(HandMade.icmpFragmentationNeededGeneve, at: 16, Wire.be16(38)), headerAt: 14)
        #expect(Wire.decode(frame).outer.icmp?.quoted == nil)
    }

    @Test(arguments: [
        (UInt8(3), UInt8(3), "port unreachable"), (3, 13, "administratively prohibited"), (11, 0, "time exceeded in transit"),
        (5, 1, "redirect"), (12, 0, "parameter problem"), (42, 1, "type 42 code 1"),
    ])
    func icmpNames(type: UInt8, code: UInt8, name: String) {
        let p = Wire.decode(Wire.patched(HandMade.icmpFragmentationNeededGeneve, at: 34, [type, code]))
        #expect(p.outer.icmp?.name == name)
        #expect(p.outer.icmp?.isError == [3, 5, 11, 12].contains(type))
    }

    @Test func headerCutByTheIPTotalLength() {
        let frame = Wire.refreshingIPv4Checksum(Wire.patched(HandMade.icmpEchoRequest, at: 16, Wire.be16(24)), headerAt: 14)
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv4])
        expectProblem(p, .icmp, .invalidLength, at: 34, saying: "IPv4 total length leaves only 4")
    }

    @Test func packetTooBigQuotesTheGenevePacket() throws {
        let p = Wire.decode(HandMade.icmpv6PacketTooBigGeneve)
        #expect(p.kinds == [.ethernet, .ipv6, .icmpv6])
        #expect(p.problems.isEmpty)
        let icmp = try #require(p.outer.icmpv6)
        #expect(icmp.type == 2 && icmp.isPacketTooBig && icmp.isError && icmp.name == "packet too big")
        #expect(icmp.mtu == 1400 && icmp.checksumValid == true)
        let q = try #require(icmp.quoted)
        #expect(q.source == IPAddress("2001:db8:11::51") && q.destination == IPAddress("2001:db8:11::52"))
        #expect(q.proto == .udp && q.totalLength == 1540 && q.identification == 0)
        #expect(q.sourcePort == 50000 && q.destinationPort == 6081 && q.tunnelVNI == 73728)
    }

    @Test func neighborSolicitation() throws {
        let icmp = try #require(Wire.decode(HandMade.icmpv6NeighborSolicitation).outer.icmpv6)
        #expect(icmp.type == 135 && icmp.name == "neighbor solicitation" && !icmp.isError)
        #expect(icmp.targetAddress == IPv6Address("2001:db8:10::2"))
        #expect(icmp.linkLayerAddress == MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x11), "source link-layer address option")
        #expect(icmp.checksumValid == true)
    }

    @Test func neighborAdvertisement() throws {
        let icmp = try #require(Wire.decode(HandMade.icmpv6NeighborAdvertisement).outer.icmpv6)
        #expect(icmp.type == 136 && icmp.name == "neighbor advertisement")
        #expect(icmp.targetAddress?.description == "2001:db8:10::2")
        #expect(icmp.linkLayerAddress?.description == "00:50:56:aa:10:12", "target link-layer address option")
        #expect(icmp.checksumValid == true)
    }

    @Test func neighborDiscoveryOptionOfLengthZeroEndsTheWalk() throws {
        let p = Wire.decode(Wire.patched(HandMade.icmpv6NeighborSolicitation, at: 79, [0]), configuration: DecoderConfiguration(verifyChecksums: false))
        let icmp = try #require(p.outer.icmpv6)
        #expect(icmp.targetAddress != nil && icmp.linkLayerAddress == nil)
    }

    @Test func echoInsideATunnel() throws {
        let p = Wire.decode(HandMade.geneveInnerIPv6)
        let icmp = try #require(p.level(1).icmpv6)
        #expect(icmp.type == 128 && icmp.name == "echo request" && icmp.identifier == 0x0b0b && icmp.sequence == 2)
        #expect(icmp.checksumValid == true)
    }

    @Test func icmpv6BadChecksum() {
        let p = Wire.decode(Wire.patched(HandMade.icmpv6NeighborAdvertisement, at: 56, [0, 1]))
        expectProblem(p, .icmpv6, .badChecksum, at: 56, saying: "ICMPv6 checksum 0x0001 is wrong")
    }

    @Test func icmpv6HeaderCutBySnaplen() {
        let p = Wire.decode(Array(HandMade.icmpv6NeighborAdvertisement.prefix(58)), wireLength: 86)
        expectProblem(p, .icmpv6, .truncated, at: 54, saying: "ICMPv6 header needs 8 bytes")
    }
}
