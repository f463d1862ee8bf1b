import OverlayWire
import Testing

/// Link layers: Ethernet II, 802.1Q / 802.1ad tags, Linux cooked SLL / SLL2, BSD NULL / OpenBSD LOOP, raw IP.
@Suite("Link layers")
struct EthernetTests {
    /// The IPv4 packet of `HandMade.ipv4UDP` without its Ethernet header.
    static let ipv4Packet = Array(HandMade.ipv4UDP.dropFirst(14))
    /// The IPv6 packet of `HandMade.icmpv6NeighborSolicitation` without its Ethernet header.
    static let ipv6Packet = Array(HandMade.icmpv6NeighborSolicitation.dropFirst(14))

    @Test func ethernetIIHeaderFields() throws {
        let p = Wire.decode(HandMade.ipv4UDP)
        #expect(p.kinds == [.ethernet, .ipv4, .udp])
        #expect(p.problems.isEmpty)
        let eth = try #require(p.outer.ethernet)
        #expect(eth.offset == 0)
        #expect(eth.destination == MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x12))
        #expect(eth.source.description == "00:50:56:aa:10:11")
        #expect(eth.etherType == .ipv4)
        #expect(p.payloadOffset == 42 && p.payloadLength == 4)
        #expect(p.capturedLength == 46 && p.wireLength == 46 && p.linkType == .ethernet)
    }

    @Test func dot1QTagFields() throws {
        let p = Wire.decode(HandMade.vlanARPRequest)
        #expect(p.kinds == [.ethernet, .vlan, .arp])
        #expect(p.problems.isEmpty)
        #expect(p.outer.ethernet?.etherType == .vlan, "the Ethernet EtherType is the TPID")
        let tag = try #require(p.outer.vlan)
        #expect(tag.offset == 12, "a tag starts at its TPID")
        #expect(tag.tpid == .vlan && tag.priority == 5 && !tag.dropEligible && tag.id == 100)
        #expect(tag.nextEtherType == .arp)
        #expect(p.vlanIDs(level: 0) == [100])
        #expect(p.outer.vlanCount == 1)
    }

    @Test func dot1adStackedTags() throws {
        let p = Wire.decode(HandMade.qinqICMPEcho)
        #expect(p.kinds == [.ethernet, .vlan, .vlan, .ipv4, .icmp])
        #expect(p.problems.isEmpty)
        let tags = p.layers.compactMap { if case .vlan(let t) = $0 { t } else { nil } }
        #expect(tags.map(\.tpid) == [.qinq, .vlan])
        #expect(tags.map(\.offset) == [12, 16])
        #expect(tags[0].id == 200 && tags[0].priority == 0 && !tags[0].dropEligible)
        #expect(tags[1].id == 100 && tags[1].priority == 3 && tags[1].dropEligible)
        #expect(p.vlanIDs(level: 0) == [200, 100])
        #expect(p.outer.vlan?.id == 200, "the level's vlan is the outermost tag")
        #expect(p.outer.vlanCount == 2)
        #expect(p.outer.ipv4?.offset == 22)
    }

    @Test func preStandardQinQTPID() {
        let p = Wire.decode(Wire.patched(HandMade.qinqICMPEcho, at: 12, [0x91, 0x00]))
        #expect(p.kinds == [.ethernet, .vlan, .vlan, .ipv4, .icmp])
        #expect(p.outer.vlan?.tpid == .qinqLegacy)
    }

    /// Five tags where four are allowed: the fifth TPID is named, nothing after it is guessed at.
    @Test func stackedTagDepthLimit() {
        let tag: [UInt8] = [0x81, 0x00, 0x00, 0x07]
        var frame = Array(HandMade.ipv4UDP[0..<12])
        for _ in 0..<5 { frame += tag }
        frame += [0x08, 0x00] + Self.ipv4Packet
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .vlan, .vlan, .vlan, .vlan])
        expectProblem(p, .vlan, .depthLimit, at: 28, saying: "4 stacked VLAN tags")
        let wider = Wire.decode(frame, configuration: DecoderConfiguration(maxVLANTags: 5))
        #expect(wider.kinds == [.ethernet, .vlan, .vlan, .vlan, .vlan, .vlan, .ipv4, .udp])
        #expect(wider.problems.isEmpty)
        #expect(wider.vlanIDs(level: 0) == [7, 7, 7, 7, 7])
    }

    @Test func ieee8023LengthFieldAndUnknownEtherTypeStopAtThePayload() {
        for type: [UInt8] in [[0x00, 0x2e], [0x88, 0xcc]] {
            let p = Wire.decode(Wire.patched(HandMade.ipv4UDP, at: 12, type))
            #expect(p.kinds == [.ethernet])
            #expect(p.problems.isEmpty, "an EtherType we do not decode is not a fault")
            #expect(p.payloadOffset == 14 && p.payloadLength == HandMade.ipv4UDP.count - 14)
        }
    }

    @Test func truncatedEthernetHeader() {
        let cut = Array(HandMade.ipv4UDP.prefix(10))
        expectProblem(Wire.decode(cut), .ethernet, .truncated, at: 0, saying: "frame ends after 10")
        let snapped = Wire.decode(cut, wireLength: 46)
        expectProblem(snapped, .ethernet, .truncated, at: 0, saying: "captured 10 of 46 bytes")
        #expect(snapped.layers.isEmpty)
    }

    @Test func linuxCookedV1() throws {
        let sll: [UInt8] = [
            0x00, 0x00,  // packet type 0: to us
            0x00, 0x01,  // ARPHRD_ETHER
            0x00, 0x06,  // link-layer address length
            0x00, 0x50, 0x56, 0xaa, 0x10, 0x11, 0x00, 0x00,  // address, padded to 8
            0x08, 0x00,  // protocol: IPv4
        ]
        let p = Wire.decode(sll + Self.ipv4Packet, linkType: .linuxSLL)
        #expect(p.kinds == [.sll, .ipv4, .udp])
        #expect(p.problems.isEmpty)
        let h = try #require(p.outer.linuxCooked)
        #expect(h.version == 1 && h.packetType == 0 && h.arphrdType == 1 && h.interfaceIndex == nil)
        #expect(h.linkAddress?.description == "00:50:56:aa:10:11")
        #expect(h.protocolType == .ipv4)
        #expect(p.outer.ipv4?.offset == 16)
        #expect(p.outer.sourcePort == 51544)
    }

    /// `tcpdump -i any` on a VLAN parent interface keeps the tag after the cooked header.
    @Test func linuxCookedV1WithVLANTag() {
        let sll: [UInt8] = [0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x00, 0x50, 0x56, 0xaa, 0x10, 0x11, 0x00, 0x00, 0x81, 0x00]
        let tag: [UInt8] = [0x00, 0x64, 0x08, 0x00]  // VID 100, then IPv4
        let p = Wire.decode(sll + tag + Self.ipv4Packet, linkType: .linuxSLL)
        #expect(p.kinds == [.sll, .vlan, .ipv4, .udp])
        #expect(p.vlanIDs(level: 0) == [100])
        #expect(p.problems.isEmpty)
    }

    @Test func linuxCookedV2() throws {
        let sll2: [UInt8] = [
            0x86, 0xdd,  // protocol: IPv6
            0x00, 0x00,  // reserved
            0x00, 0x00, 0x00, 0x03,  // interface index 3
            0x00, 0x01,  // ARPHRD_ETHER
            0x04,  // packet type 4: sent by us
            0x06,  // address length
            0x00, 0x50, 0x56, 0xaa, 0x10, 0x11, 0x00, 0x00,
        ]
        let p = Wire.decode(sll2 + Self.ipv6Packet, linkType: .linuxSLL2)
        #expect(p.kinds == [.sll, .ipv6, .icmpv6])
        #expect(p.problems.isEmpty)
        let h = try #require(p.outer.linuxCooked)
        #expect(h.version == 2 && h.packetType == 4 && h.interfaceIndex == 3 && h.arphrdType == 1)
        #expect(h.linkAddress == MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x11))
        #expect(p.outer.icmpv6?.type == 135)
    }

    @Test func truncatedLinuxCookedHeaders() {
        expectProblem(Wire.decode([0, 0, 0, 1, 0, 6, 1, 2, 3, 4], linkType: .linuxSLL), .sll, .truncated, at: 0, saying: "needs 16 bytes")
        expectProblem(Wire.decode(Array(repeating: 0, count: 19), linkType: .linuxSLL2), .sll, .truncated, at: 0, saying: "needs 20 bytes")
    }

    @Test func bsdNullLoopbackInHostOrder() throws {
        let v4 = Wire.decode([0x02, 0x00, 0x00, 0x00] + Self.ipv4Packet, linkType: .null)
        #expect(v4.kinds == [.loopback, .ipv4, .udp])
        #expect(v4.problems.isEmpty)
        // AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS): all mean IPv6.
        for family: UInt8 in [24, 28, 30] {
            let v6 = Wire.decode([family, 0x00, 0x00, 0x00] + Self.ipv6Packet, linkType: .null)
            #expect(v6.kinds == [.loopback, .ipv6, .icmpv6])
            guard case .loopback(let h)? = v6.layers.first else { Issue.record("no loopback layer"); continue }
            #expect(h.family == UInt32(family))
        }
        // A big-endian writer: the same value the other way round.
        #expect(Wire.decode([0x00, 0x00, 0x00, 0x02] + Self.ipv4Packet, linkType: .null).kinds == [.loopback, .ipv4, .udp])
    }

    @Test func openBSDLoopInNetworkOrder() {
        #expect(Wire.decode([0x00, 0x00, 0x00, 0x02] + Self.ipv4Packet, linkType: .loop).kinds == [.loopback, .ipv4, .udp])
        #expect(Wire.decode([0x00, 0x00, 0x00, 0x18] + Self.ipv6Packet, linkType: .loop).kinds == [.loopback, .ipv6, .icmpv6])
    }

    @Test func unknownLoopbackFamilyAndTruncatedLoopback() {
        let p = Wire.decode([0x07, 0x00, 0x00, 0x00] + Self.ipv4Packet, linkType: .null)
        #expect(p.kinds == [.loopback])
        expectProblem(p, .loopback, .malformed, at: 0, saying: "family 7")
        expectProblem(Wire.decode([0x02, 0x00], linkType: .null), .loopback, .truncated, at: 0)
    }

    @Test(arguments: [LinkType.raw, .rawLinux, .ipv4])
    func rawIPv4LinkTypes(linkType: LinkType) {
        let p = Wire.decode(Self.ipv4Packet, linkType: linkType)
        #expect(p.kinds == [.ipv4, .udp])
        #expect(p.problems.isEmpty)
        #expect(p.outer.ipv4?.offset == 0)
        #expect(p.linkType == linkType)
    }

    @Test(arguments: [LinkType.raw, .rawLinux, .ipv6])
    func rawIPv6LinkTypes(linkType: LinkType) {
        let p = Wire.decode(Self.ipv6Packet, linkType: linkType)
        #expect(p.kinds == [.ipv6, .icmpv6])
        #expect(p.problems.isEmpty)
    }

    @Test func rawFrameWithAnotherIPVersion() {
        var packet = Self.ipv4Packet
        packet[0] = 0x55
        let p = Wire.decode(packet, linkType: .raw)
        #expect(p.layers.isEmpty)
        expectProblem(p, .frame, .unsupportedVersion, at: 0, saying: "version 5")
        expectProblem(Wire.decode([], linkType: .raw), .frame, .truncated, at: 0)
    }

    @Test func unsupportedLinkTypeIsAProblemNotACrash() {
        let wifi = LinkType(rawValue: 105)
        #expect(!wifi.isSupported)
        #expect(LinkType.supported.allSatisfy { $0.isSupported })
        let p = Wire.decode(HandMade.ipv4UDP, linkType: wifi)
        #expect(p.layers.isEmpty)
        expectProblem(p, .frame, .unsupportedLinkType, at: 0, saying: "105")
    }
}
