import OverlayWire
import Testing

/// Geneve (RFC 8926): header, options, the option-class registry, OVN port keys, inner protocols, nesting.
@Suite("Geneve")
struct GeneveTests {
    /// `n` Geneve tunnels nested with protocol 0x0800, the innermost carrying an ICMP echo. Level k (1-based)
    /// has VNI k and one OVN option with ingress key k and egress key 100 + k.
    static func nestedGeneve(_ n: Int) -> [UInt8] {
        var packet = Array(HandMade.icmpEchoRequest.dropFirst(14))
        for k in stride(from: n, through: 1, by: -1) {
            let level = UInt8(k)
            let geneve: [UInt8] = [0x02, 0x40, 0x08, 0x00, 0x00, 0x00, level, 0x00,
                                   0x01, 0x02, 0x80, 0x01, 0x00, level, 0x00, 100 + level]
            let udpLength = 8 + geneve.count + packet.count
            let udp = Wire.be16(50000) + Wire.be16(6081) + Wire.be16(UInt16(udpLength)) + [0, 0]
            var ip: [UInt8] = [0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 172, 20, 11, level, 172, 20, 12, level]
            ip = Wire.patched(ip, at: 2, Wire.be16(UInt16(20 + udpLength)))
            packet = Wire.refreshingIPv4Checksum(ip + udp + geneve + packet, headerAt: 0)
        }
        return Array(HandMade.icmpEchoRequest.prefix(14)) + packet
    }

    @Test func ovnHeaderAndOption() throws {
        let frame = HandMade.geneveOVN
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve, .ethernet, .ipv4, .tcp])
        #expect(p.problems.isEmpty, "OVN's critical option is understood")
        let g = try #require(p.geneveHeaders.first)
        #expect(g.offset == 42 && g.version == 0 && g.optionsLength == 8)
        #expect(!g.oam && g.critical && g.reservedFlags == 0 && g.reserved == 0)
        #expect(g.protocolType == .transparentEthernet && g.vni == 69632)
        let options = p.options(of: g)
        #expect(options.count == 1)
        let o = try #require(options.first)
        #expect(o.offset == 50 && o.dataOffset == 54 && o.optionClass == 0x0102 && o.type == 0x80)
        #expect(o.isCritical && o.reservedBits == 0 && o.dataLength == 4 && o.totalLength == 8)
        #expect(o.className == "Open Virtual Networking (OVN)")
        #expect(p.ovnPortKeys == OVNPortKeys(ingress: 3, egress: 5))
        #expect(p.ovnPortKeys?.egressIsMulticastGroup == false)
        let fields = frame.withUnsafeBytes { o.decodedFields(in: $0) }
        #expect(fields == [
            GeneveOptionField("ingress_port_key", .number(3)),
            GeneveOptionField("egress_port_key", .number(5)),
            GeneveOptionField("egress_is_multicast_group", .flag(false)),
        ])
    }

    @Test func levelsSeparateTheUnderlayFromTheOverlay() throws {
        let p = Wire.decode(HandMade.geneveOVN)
        #expect(p.isTunneled && p.tunnelDepth == 1)
        let outer = p.level(0), inner = p.level(1)
        #expect(outer.sourceIP == IPAddress("172.20.11.51") && outer.destinationIP == IPAddress("172.20.11.52"))
        #expect(outer.destinationPort == 6081 && outer.udp?.checksum == 0 && outer.udp?.checksumValid == nil)
        #expect(outer.tunnel?.typeName == "geneve" && outer.tunnel?.vni == 69632 && outer.tunnel?.geneve != nil)
        #expect(inner.ethernet?.source.description == "00:50:56:aa:10:11" && inner.ethernet?.destination.description == "00:50:56:aa:10:12")
        #expect(inner.sourceIP == IPAddress("10.1.10.11") && inner.destinationIP == IPAddress("10.1.10.12"))
        #expect(inner.tcp?.isSYN == true && inner.destinationPort == 80 && inner.tunnel == nil)
        #expect(p.innermost == inner)
        #expect(p.level(2).isEmpty)
    }

    @Test func everyOptionOfAHeader() throws {
        let frame = HandMade.geneveFourOptions
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve, .ethernet, .arp])
        #expect(p.problems.isEmpty, "C is set and the one critical option (OVN) is understood")
        let g = try #require(p.geneveHeaders.first)
        #expect(g.optionsLength == 36 && g.vni == 0xFF_FFFF && g.critical)
        let options = Array(p.options(of: g))
        #expect(options.map(\.optionClass) == [0x0100, 0xFF00, 0x0104, 0x0102])
        #expect(options.map(\.type) == [0x01, 0x05, 0x02, 0x80])
        #expect(options.map(\.isCritical) == [false, false, false, true])
        #expect(options.map(\.dataLength) == [12, 4, 0, 4])
        #expect(options.map(\.offset) == [50, 66, 74, 78])
        #expect(options.map(\.className) == ["Linux", "Experimental", "VMware, Inc.", "Open Virtual Networking (OVN)"])
        frame.withUnsafeBytes { bytes in
            #expect(options[0].decodedFields(in: bytes) == [GeneveOptionField("text", .text("hi there"))])
            #expect(hexString(UnsafeRawBufferPointer(rebasing: bytes[options[1].dataOffset..<(options[1].dataOffset + 4)])) == "deadbeef")
            #expect(options[1].decodedFields(in: bytes).isEmpty, "no decoder for the experimental class")
            #expect(options[2].decodedFields(in: bytes).isEmpty)
        }
        #expect(p.ovnPortKeys == OVNPortKeys(ingress: 32767, egress: 32768))
        #expect(p.ovnPortKeys?.egressIsMulticastGroup == true)
        #expect(p.level(1).arp?.isReply == true)
    }

    @Test func ovnPortKeyBits() {
        let keys = OVNOptionDecoder.portKeys(0xFFFF_0001)
        #expect(keys.ingress == 0x7FFF, "the top bit is not part of the 15-bit ingress key")
        #expect(keys.egress == 1 && !keys.egressIsMulticastGroup)
        #expect(!OVNPortKeys(ingress: 1, egress: 32767).egressIsMulticastGroup)
        #expect(OVNPortKeys(ingress: 1, egress: 32768).egressIsMulticastGroup)
        #expect(OVNOptionDecoder().understands(type: 0x80, dataLength: 4))
        #expect(!OVNOptionDecoder().understands(type: 0x80, dataLength: 8))
        #expect(GeneveOptionRegistry.understands(optionClass: 0x0102, type: 0x80, dataLength: 4))
        #expect(!GeneveOptionRegistry.understands(optionClass: 0x0102, type: 0x81, dataLength: 4))
        #expect(!GeneveOptionRegistry.understands(optionClass: 0x0000, type: 0x80, dataLength: 8))
        #expect(GeneveOptionRegistry.decoder(for: 0x0100, type: 1) is LinuxOptionDecoder)
        #expect(GeneveOptionRegistry.decoder(for: 0x0105, type: 1) == nil)
    }

    @Test(arguments: [
        (UInt16(0x0000), "Standard"), (0x00FF, "Standard"), (0x0100, "Linux"), (0x0101, "Open vSwitch (OVS)"),
        (0x0102, "Open Virtual Networking (OVN)"), (0x0103, "In-band Network Telemetry (INT)"), (0x0104, "VMware, Inc."),
        (0x0105, "Amazon.com, Inc."), (0x0106, "Cisco Systems, Inc."), (0x0107, "Oracle Corporation"),
        (0x0108, "Amazon.com, Inc."), (0x0110, "Amazon.com, Inc."), (0x0111, "IBM"), (0x0118, "IBM"), (0x0119, "Ericsson"),
        (0x0129, "Oxide Computer Company"), (0x0130, "Cisco Systems, Inc."), (0x0132, "Google LLC"), (0x0135, "Google LLC"),
        (0x0136, "InfoQuick Global Connection Tech Ltd."), (0x014B, "Cilium"), (0x014C, "Corelight, Inc."),
        (0x0170, "7Generation"), (0x0171, "Unassigned"), (0xFEFF, "Unassigned"), (0xFF00, "Experimental"), (0xFF72, "Experimental"),
        (0xFFFF, "Experimental"),
    ])
    func optionClassRegistryNames(optionClass: UInt16, name: String) {
        #expect(GeneveOptionRegistry.className(optionClass) == name)
    }

    @Test func innerProtocolTypes() {
        let ipv4 = Wire.decode(HandMade.geneveInnerIPv4)
        #expect(ipv4.kinds == [.ethernet, .ipv4, .udp, .geneve, .ipv4, .udp])
        #expect(ipv4.problems.isEmpty)
        #expect(ipv4.geneveHeaders.first?.protocolType == .ipv4)
        #expect(ipv4.udpHeaders.map(\.checksumValid) == [true, true])
        #expect(ipv4.level(1).ethernet == nil && ipv4.level(1).destinationPort == 53)

        let ipv6 = Wire.decode(HandMade.geneveInnerIPv6)
        #expect(ipv6.kinds == [.ethernet, .ipv6, .udp, .geneve, .ipv6, .icmpv6])
        #expect(ipv6.problems.isEmpty)
        #expect(ipv6.geneveHeaders.first?.vni == 71680)

        let arp = Wire.decode(HandMade.geneveInnerARP)
        #expect(arp.kinds == [.ethernet, .ipv4, .udp, .geneve, .arp])
        #expect(arp.problems.isEmpty)
        #expect(arp.level(1).arp?.targetIP == IPv4Address(10, 1, 10, 12))
    }

    @Test func oamFlag() throws {
        let g = try #require(Wire.decode(Wire.patched(HandMade.geneveInnerARP, at: 43, [0x80])).geneveHeaders.first)
        #expect(g.oam && !g.critical)
    }

    @Test func unknownVersionStopsAtTheHeader() {
        for versionByte: UInt8 in [0x40, 0xC0] {
            let p = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 42, [versionByte | 0x02]))
            #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve])
            expectProblem(p, .geneve, .unsupportedVersion, at: 42, saying: "version \(versionByte >> 6) is unknown")
            // What comes before the fault is intact.
            #expect(p.outer.sourceIP == IPAddress("172.20.11.51") && p.outer.ipv4?.checksumValid == true)
            #expect(p.outer.sourcePort == 52000 && p.outer.destinationPort == 6081 && p.outer.tunnel?.vni == 69632)
        }
    }

    @Test func reservedFlagBitsAndReservedByte() {
        let flags = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 43, [0x41]))
        expectProblem(flags, .geneve, .reservedBitsSet, at: 43, saying: "0x01")
        #expect(flags.geneveHeaders.first?.reservedFlags == 1)
        #expect(flags.kinds.count == 7, "decoding goes on")
        let byte = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 49, [0x5a]))
        expectProblem(byte, .geneve, .reservedBitsSet, at: 49, saying: "after the VNI is 0x5a")
        #expect(byte.geneveHeaders.first?.reserved == 0x5a && byte.geneveHeaders.first?.vni == 69632)
    }

    @Test func optionReservedBits() {
        let p = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 53, [0x21]))
        expectProblem(p, .geneve, .reservedBitsSet, at: 53, saying: "reserved bits 1")
        #expect(p.geneveOptions.first?.reservedBits == 1 && p.geneveOptions.first?.dataLength == 4)
    }

    @Test func criticalFlagWithoutACriticalOption() {
        let p = Wire.decode(Wire.patched(HandMade.geneveInnerARP, at: 43, [0x40]))
        expectProblem(p, .geneve, .criticalFlagMismatch, at: 43, saying: "C flag is set but no option is critical")
        #expect(p.kinds.last == .arp)
    }

    @Test func criticalOptionWithoutTheCriticalFlag() {
        let p = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 43, [0x00]))
        expectProblem(p, .geneve, .criticalFlagMismatch, at: 43, saying: "C flag is clear")
        #expect(p.ovnPortKeys != nil)
    }

    @Test func unknownCriticalOption() {
        let p = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 52, [0x81]))
        expectProblem(p, .geneve, .unknownCriticalOption, at: 50, saying: "class 0x0102 (Open Virtual Networking (OVN)) type 0x81 is not understood")
        #expect(p.ovnPortKeys == nil, "only type 0x80 carries port keys")
        #expect(p.kinds.count == 7, "decoding goes on to the inner frame")
        // Not critical: not understood, but no receiver must drop it.
        #expect(Wire.decode(Wire.patched(Wire.patched(HandMade.geneveOVN, at: 52, [0x01]), at: 43, [0x00])).problems.isEmpty)
    }

    @Test func unknownProtocolType() {
        let p = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 44, [0x88, 0xcc]))
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve])
        expectProblem(p, .geneve, .unknownProtocolType, at: 44, saying: "0x88cc")
        #expect(p.payloadOffset == 58)
    }

    /// An option whose length reaches past Opt Len: invalid, and not also a C-flag verdict on a half-read area.
    @Test func optionOverrunningTheOptionArea() {
        let p = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 53, [0x02]))
        expectProblem(p, .geneve, .invalidLength, at: 50, saying: "of 12 bytes overruns the option area (8 bytes left)")
        #expect(p.problems.count == 1)
        #expect(p.geneveOptions.isEmpty)
        #expect(p.kinds.count == 7, "Opt Len still says where the inner frame starts")
    }

    @Test func optionAreaBeyondTheUDPPayload() {
        let p = Wire.decode(Wire.patched(HandMade.geneveOVN, at: 42, [0x3f]))
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve])
        expectProblem(p, .geneve, .invalidLength, at: 50, saying: "(Opt Len 63) needs 252 bytes but the UDP length leaves only 62")
        #expect(p.geneveOptions.isEmpty, "the bytes after the header are not known to be options")
        #expect(p.geneveHeaders.first?.vni == 69632 && p.outer.udp?.length == 78 && p.outer.destinationIP == IPAddress("172.20.11.52"))
    }

    @Test func headerCutBySnaplen() {
        let p = Wire.decode(Array(HandMade.geneveOVN.prefix(46)), wireLength: 112)
        #expect(p.kinds == [.ethernet, .ipv4, .udp])
        expectProblem(p, .geneve, .truncated, at: 42, saying: "Geneve header needs 8 bytes but the capture stops after 4")
    }

    /// The capture stops inside the option area: the options captured whole are still listed.
    @Test func optionAreaCutBySnaplen() {
        let p = Wire.decode(Array(HandMade.geneveFourOptions.prefix(70)), wireLength: 128)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .geneve])
        expectProblem(p, .geneve, .truncated, at: 50, saying: "(Opt Len 9) needs 36 bytes but the capture stops after 20")
        #expect(p.geneveOptions.map(\.optionClass) == [0x0100])
        #expect(p.problems(.criticalFlagMismatch).isEmpty)
    }

    @Test func tunnelPayloadCutBySnaplenOrMissing() {
        let cut = Wire.decode(Array(HandMade.geneveOVN.prefix(58)), wireLength: 112)
        expectProblem(cut, .geneve, .truncated, at: 58, saying: "capture stops after 0")
        // The IP and UDP lengths end right after the option: nothing was carried (Zeek's geneve_empty_packet).
        var empty = Wire.patched(Array(HandMade.geneveOVN.prefix(58)), at: 38, Wire.be16(24))
        empty = Wire.refreshingIPv4Checksum(Wire.patched(empty, at: 16, Wire.be16(44)), headerAt: 14)
        expectProblem(Wire.decode(empty, wireLength: 112), .geneve, .invalidLength, at: 58, saying: "carries no payload")
    }

    @Test func optionCountLimit() {
        let p = Wire.decode(HandMade.geneveFourOptions, configuration: DecoderConfiguration(maxGeneveOptions: 2))
        expectProblem(p, .geneve, .depthLimit, at: 74, saying: "more than 2 Geneve options")
        #expect(p.geneveOptions.count == 2)
        #expect(p.problems.count == 1, "no C-flag verdict on options not read")
        #expect(p.kinds.last == .arp)
    }

    @Test func tunnelInsideATunnel() throws {
        let p = Wire.decode(HandMade.geneveInsideVXLAN)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .vxlan, .ethernet, .ipv4, .udp, .geneve, .ethernet, .arp])
        #expect(p.problems.isEmpty)
        #expect(p.tunnelDepth == 2)
        #expect(p.level(0).tunnel == .vxlan(try #require(p.vxlanHeaders.first)))
        #expect(p.level(0).tunnel?.vni == 5001 && p.level(1).tunnel?.vni == 69632)
        #expect(p.level(1).sourceIP == IPAddress("192.168.0.1"))
        #expect(p.level(2).arp?.isRequest == true && p.innermost.arp != nil)
        #expect(p.level(2).ethernet?.destination == .broadcast)
    }

    @Test func tunnelDepthLimitFromTheConfiguration() {
        let one = Wire.decode(HandMade.geneveInsideVXLAN, configuration: DecoderConfiguration(maxTunnelDepth: 1))
        #expect(one.kinds == [.ethernet, .ipv4, .udp, .vxlan, .ethernet, .ipv4, .udp, .geneve])
        expectProblem(one, .geneve, .depthLimit, at: 92, saying: "deeper than 1 levels")
        let none = Wire.decode(HandMade.geneveInsideVXLAN, configuration: DecoderConfiguration(maxTunnelDepth: 0))
        #expect(none.kinds == [.ethernet, .ipv4, .udp, .vxlan])
        expectProblem(none, .vxlan, .depthLimit, at: 42)
    }

    /// Four nested Geneve tunnels decode whole; a fifth is named and not followed (default depth 4).
    @Test func defaultDepthLimitAndOptionsPerHeader() throws {
        let four = Wire.decode(Self.nestedGeneve(4))
        #expect(four.problems.isEmpty)
        #expect(four.tunnelDepth == 4 && four.level(4).icmp?.type == 8)
        #expect(four.geneveHeaders.map(\.vni) == [1, 2, 3, 4])
        #expect(four.geneveOptions.count == 4)
        Self.nestedGeneve(4).withUnsafeBytes { bytes in
            for (i, g) in four.geneveHeaders.enumerated() {
                let options = four.options(of: g)
                #expect(options.count == 1)
                let fields = options.first?.decodedFields(in: bytes) ?? []
                #expect(fields.first == GeneveOptionField("ingress_port_key", .number(UInt64(i + 1))))
            }
        }
        #expect(four.ovnPortKeys == OVNPortKeys(ingress: 1, egress: 101), "the outermost header's keys")

        let five = Wire.decode(Self.nestedGeneve(5))
        #expect(five.geneveHeaders.count == 5)
        expectProblem(five, .geneve, .depthLimit, at: 14 + 4 * 44 + 28, saying: "deeper than 4 levels")
        #expect(five.kinds.last == .geneve)
    }
}
