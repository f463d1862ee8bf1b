import OverlayWire
import Testing

@Suite("ARP")
struct ARPTests {
    @Test func requestFields() throws {
        let p = Wire.decode(HandMade.vlanARPRequest)
        #expect(p.problems.isEmpty)
        let arp = try #require(p.outer.arp)
        #expect(arp.offset == 18)
        #expect(arp.hardwareType == 1 && arp.protocolType == .ipv4)
        #expect(arp.hardwareAddressLength == 6 && arp.protocolAddressLength == 4 && arp.addressesLength == 20)
        #expect(arp.operation == ARPPacket.request && arp.isRequest && !arp.isReply && arp.operationName == "request")
        #expect(arp.senderMAC?.description == "00:50:56:aa:10:11")
        #expect(arp.senderIP == IPv4Address(10, 1, 10, 11))
        #expect(arp.targetMAC == .zero)
        #expect(arp.targetIP?.description == "10.1.10.12")
        #expect(!arp.isGratuitous)
    }

    @Test func replyLeavesTheEthernetPaddingAsPayload() throws {
        let p = Wire.decode(HandMade.arpReply)
        #expect(p.kinds == [.ethernet, .arp])
        #expect(p.problems.isEmpty)
        let arp = try #require(p.outer.arp)
        #expect(arp.isReply && arp.operationName == "reply")
        #expect(arp.senderMAC == MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x12))
        #expect(arp.targetMAC?.description == "00:50:56:aa:10:11")
        #expect(p.payloadOffset == 42 && p.payloadLength == 18)
    }

    @Test func gratuitousARP() throws {
        // Target protocol address = sender's: 10.1.10.11 announcing itself.
        let p = Wire.decode(Wire.patched(HandMade.vlanARPRequest, at: 42, [10, 1, 10, 11]))
        #expect(try #require(p.outer.arp).isGratuitous)
    }

    @Test func otherOperationsAndAddressSizes() throws {
        let rarp = Wire.decode(Wire.patched(HandMade.arpReply, at: 20, [0x00, 0x04]))
        #expect(rarp.outer.arp?.operationName == "rarp-reply")
        #expect(Wire.decode(Wire.patched(HandMade.arpReply, at: 20, [0x00, 0x09])).outer.arp?.operationName == "op-9")
        // Hardware size 4 and protocol size 4: a valid packet of another kind, sizes kept, no addresses claimed.
        let p = Wire.decode(Wire.patched(HandMade.arpReply, at: 18, [4]))
        #expect(p.problems.isEmpty)
        let arp = try #require(p.outer.arp)
        #expect(arp.senderMAC == nil && arp.senderIP == nil && arp.addressesLength == 16)
    }

    @Test func truncatedFixedPartAndAddresses() {
        let fixed = Wire.decode(Array(HandMade.arpReply.prefix(20)))
        #expect(fixed.kinds == [.ethernet])
        expectProblem(fixed, .arp, .truncated, at: 14, saying: "ARP header needs 8 bytes")
        let addresses = Wire.decode(Array(HandMade.arpReply.prefix(32)), wireLength: 60)
        #expect(addresses.kinds == [.ethernet, .arp], "the fixed part is kept")
        #expect(addresses.outer.arp?.operation == 2)
        expectProblem(addresses, .arp, .truncated, at: 22, saying: "capture stops after 10")
    }

    /// ARP right after Geneve (protocol 0x0806), its addresses cut short by the outer UDP length.
    @Test func addressesCutByAnEnclosingLengthAreInvalidNotTruncated() {
        let p = Wire.decode(Wire.patched(HandMade.geneveInnerARP, at: 38, Wire.be16(40)))
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve, .arp])
        expectProblem(p, .arp, .invalidLength, at: 58, saying: "UDP length leaves only 16")
    }
}
