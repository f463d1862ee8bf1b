import OverlaySynth
import OverlayWire
import Testing

@Suite("PacketBuilder")
struct SynthPacketBuilderTests {
    let decoder = PacketDecoder()
    typealias F = SynthFixtures

    @Test func geneveWithInnerTCPDecodesCleanly() throws {
        let frame = F.geneveFrame(.geneve(vni: 69632), inner: F.innerTCP)
        #expect(frame.count == 14 + 20 + 8 + 8 + 14 + 20 + 20 + 5)
        let p = decoder.decode(frame)
        #expect(p.problems.isEmpty, "\(p.problems)")
        let outer = p.level(0), inner = p.level(1)
        #expect(outer.ipv4?.totalLength == UInt16(frame.count - 14))
        #expect(outer.ipv4?.checksumValid == true)
        #expect(outer.ipv4?.dontFragment == true)
        #expect(outer.udp?.length == UInt16(frame.count - 34))
        #expect(outer.udp?.checksum == 0)
        let g = try #require(outer.tunnel?.geneve)
        #expect(g.vni == 69632 && g.protocolType == .transparentEthernet && !g.critical && g.optionsLength == 0)
        #expect(inner.ethernet?.source == F.vm1 && inner.ethernet?.destination == F.vm2)
        #expect(inner.ipv4?.source == F.ip1 && inner.ipv4?.destination == F.ip2)
        #expect(inner.ipv4?.checksumValid == true)
        #expect(inner.tcp?.checksumValid == true && inner.tcp?.isSYN == true && inner.tcp?.sequence == 1000)
        #expect(p.payloadLength == 5)
    }

    @Test func ovnOptionSetsOptionLengthAndCriticalBit() throws {
        let frame = F.geneveFrame(.geneve(vni: 5, options: [.ovn(ingress: 1, egress: 0x8000)]), inner: F.innerTCP)
        let p = decoder.decode(frame)
        #expect(p.problems.isEmpty, "\(p.problems)")
        let g = try #require(p.outer.tunnel?.geneve)
        #expect(g.optionsLength == 8 && g.critical)
        #expect(p.ovnPortKeys == OVNPortKeys(ingress: 1, egress: 0x8000))
        #expect(p.ovnPortKeys?.egressIsMulticastGroup == true)
        #expect(p.geneveOptions.count == 1 && p.geneveOptions[0].dataLength == 4)
    }

    @Test func oddLengthOptionDataIsPaddedToWords() {
        let opt = SynthGeneveOption(optionClass: 0x0100, type: 0x01, data: Array("abc".utf8))
        let p = decoder.decode(F.geneveFrame(.geneve(vni: 9, options: [opt]), inner: F.innerTCP))
        #expect(p.problems.isEmpty)
        #expect(p.geneveOptions.first?.dataLength == 4)
        #expect(p.outer.tunnel?.geneve?.critical == false)
    }

    @Test func udpChecksumOverIPv4WhenAskedAndAlwaysOverIPv6() throws {
        let v4 = F.geneveFrame(.geneve(vni: 1), inner: F.innerTCP, outerUDP: .udp(sport: 1, dport: 6081))
        let p4 = decoder.decode(v4)
        #expect(p4.problems.isEmpty)
        #expect(p4.outer.udp?.checksumValid == true)

        let a = try #require(IPv6Address("fd00::51")), b = try #require(IPv6Address("fd00::52"))
        let v6 = PacketBuilder.build([
            .ethernet(src: F.tepMacA, dst: F.gatewayMac),
            .ipv6(src: a, dst: b, extensionHeaders: [.hopByHop(options: []), .destinationOptions(options: [0x1E, 0x01, 0xAA])]),
            .udp(sport: 50000, dport: 6081, zeroChecksum: true), .geneve(vni: 77),
        ] + F.innerTCP)
        let p6 = decoder.decode(v6)
        #expect(p6.problems.isEmpty, "\(p6.problems)")
        let ip6 = try #require(p6.outer.ipv6)
        #expect(ip6.extensionHeaderCount == 2 && ip6.extensionHeadersLength == 16 && ip6.upperProtocol == .udp)
        #expect(Int(ip6.payloadLength) == v6.count - 54)
        #expect(p6.outer.udp?.checksum != 0 && p6.outer.udp?.checksumValid == true)
        #expect(p6.level(1).tcp?.checksumValid == true)
    }

    @Test func vlanArpIcmpBfdVxlanAndIcmpv6() throws {
        let arp = decoder.decode(PacketBuilder.build([
            .ethernet(src: F.vm1, dst: .broadcast), .vlan(id: 100, priority: 5),
            .arp(op: 1, senderMAC: F.vm1, senderIP: F.ip1, targetMAC: .zero, targetIP: F.ip2),
        ]))
        #expect(arp.problems.isEmpty)
        #expect(arp.outer.vlan?.id == 100 && arp.outer.vlan?.priority == 5)
        #expect(arp.outer.arp?.isRequest == true && arp.outer.arp?.targetIP == F.ip2)

        let echo = decoder.decode(PacketBuilder.build([
            .ethernet(src: F.vm1, dst: F.vm2), .ipv4(src: F.ip1, dst: F.ip2), .icmpEcho(request: true, id: 9, seq: 3),
            .payload([1, 2, 3]),
        ]))
        #expect(echo.problems.isEmpty)
        #expect(echo.outer.icmp?.identifier == 9 && echo.outer.icmp?.sequence == 3 && echo.outer.icmp?.checksumValid == true)

        let bfd = decoder.decode(F.geneveFrame(.geneve(vni: 0, oam: true), inner: [
            .ethernet(src: F.vm1, dst: F.vm2), .ipv4(src: F.tepA, dst: F.tepB, ttl: 255), .udp(sport: 49152, dport: 3784),
            .bfd(state: .up, myDisc: 0x11, yourDisc: 0x22),
        ]))
        #expect(bfd.problems.isEmpty, "\(bfd.problems)")
        #expect(bfd.outer.tunnel?.geneve?.oam == true)
        let b = try #require(bfd.level(1).bfd)
        #expect(b.state == .up && b.myDiscriminator == 0x11 && b.yourDiscriminator == 0x22 && b.version == 1)
        #expect(bfd.level(1).udp?.checksumValid == true)

        let vx = decoder.decode(PacketBuilder.build([
            .ethernet(src: F.tepMacA, dst: F.gatewayMac), .ipv4(src: F.tepA, dst: F.tepB),
            .udp(sport: 50001, dport: 4789, zeroChecksum: true), .vxlan(vni: 5001),
        ] + F.innerTCP))
        #expect(vx.problems.isEmpty)
        #expect(vx.outer.tunnel?.vni == 5001 && vx.level(1).tcp?.checksumValid == true)

        let a = try #require(IPv6Address("2001:db8::1")), c = try #require(IPv6Address("2001:db8::2"))
        let v6 = decoder.decode(PacketBuilder.build([
            .ethernet(src: F.vm1, dst: F.vm2), .ipv6(src: a, dst: c), .icmpv6Echo(request: true, id: 4, seq: 1), .payload([9, 9, 9]),
        ]))
        #expect(v6.problems.isEmpty)
        #expect(v6.outer.icmpv6?.identifier == 4 && v6.outer.icmpv6?.checksumValid == true)
    }

    @Test func icmpFragmentationNeededQuotesTheGenevePacket() throws {
        let big = F.geneveFrame(.geneve(vni: 69632), inner: F.innerTCP)
        let quoted = Array(big[14..<(14 + 20 + 8 + 8)])
        let p = decoder.decode(PacketBuilder.build([
            .ethernet(src: F.gatewayMac, dst: F.tepMacA), .ipv4(src: IPv4Address(172, 20, 11, 1), dst: F.tepA),
            .icmpError(type: 3, code: 4, mtu: 1500, quoting: quoted + [0x01]),  // odd length on purpose
        ]))
        #expect(p.problems.isEmpty, "\(p.problems)")
        let icmp = try #require(p.outer.icmp)
        #expect(icmp.isFragmentationNeeded && icmp.nextHopMTU == 1500 && icmp.checksumValid == true)
        #expect(icmp.quoted?.tunnelVNI == 69632 && icmp.quoted?.destinationPort == 6081)
    }

    @Test func ipv4FragmentsOfAGenevePacket() throws {
        let whole = F.geneveFrame(.geneve(vni: 69632), inner: F.innerTCP + [.payload([UInt8](repeating: 0xAB, count: 200))],
                                  outerIP: .ipv4(src: F.tepA, dst: F.tepB, id: 0x1234, dontFragment: false))
        let fragments = PacketBuilder.fragmentIPv4(whole, mtu: 200)
        #expect(fragments.count == 2)
        var reassembled: [UInt8] = []
        for (i, f) in fragments.enumerated() {
            let p = decoder.decode(f)
            // Only the outer IPv4 header is judged: what a first fragment carries is cut short by design.
            #expect(p.problems.filter { $0.offset < 34 }.isEmpty, "\(p.problems)")
            let ip = try #require(p.outer.ipv4)
            #expect(ip.identification == 0x1234 && ip.isFragment && ip.checksumValid == true)
            #expect(ip.moreFragments == (i == 0))
            #expect(f.count - 14 <= 200)
            #expect(ip.fragmentOffset == reassembled.count)
            reassembled += f[34...]
        }
        #expect(reassembled == Array(whole[34...]))
        #expect(PacketBuilder.fragmentIPv4(whole, mtu: 2000) == [whole])
    }

    @Test(arguments: [
        (SynthLayer.geneve(vni: 1, reservedFlags: 0x01), DecodeProblem.Code.reservedBitsSet),
        (.geneve(vni: 1).with(.geneveReservedByte(0x7F)), .reservedBitsSet),
        (.geneve(vni: 1, critical: true), .criticalFlagMismatch),
        (.geneve(vni: 1, critical: false, options: [.ovn(ingress: 1, egress: 2)]), .criticalFlagMismatch),
        (.geneve(vni: 1, options: [SynthGeneveOption(optionClass: 0x0104, type: 0x81, data: [0, 0, 0, 1])]), .unknownCriticalOption),
        (.geneve(vni: 1, version: 1), .unsupportedVersion),
        (.geneve(vni: 1, options: [.ovn(ingress: 1, egress: 2)]).with(.geneveOptionLength(index: 0, words: 3)), .invalidLength),
        (.geneve(vni: 1, protocolType: EtherType(rawValue: 0x1234)), .unknownProtocolType),
    ])
    func geneveHeaderFaults(_ geneve: SynthLayer, _ expected: DecodeProblem.Code) {
        let p = decoder.decode(F.geneveFrame(geneve, inner: F.innerTCP))
        #expect(p.problems.map(\.code).contains(expected), "\(p.problems)")
        #expect(p.problems.allSatisfy { $0.layer == .geneve }, "\(p.problems)")
    }

    @Test func checksumAndLengthFaults() {
        func problems(_ layers: [SynthLayer]) -> [DecodeProblem] { decoder.decode(PacketBuilder.build(layers)).problems }
        let eth = SynthLayer.ethernet(src: F.vm1, dst: F.vm2), ip = SynthLayer.ipv4(src: F.ip1, dst: F.ip2)
        let tcp = SynthLayer.tcp(sport: 1, dport: 2, seq: 0, flags: TCPHeader.ack)
        #expect(problems([eth, ip.with(.badChecksum), tcp]).map(\.code) == [.badChecksum])
        #expect(problems([eth, ip.with(.badChecksum), tcp]).first?.layer == .ipv4)
        #expect(problems([eth, ip, tcp.with(.badChecksum)]).map(\.layer) == [.tcp])
        #expect(problems([eth, ip, .udp(sport: 1, dport: 2).with(.badChecksum)]).map(\.layer) == [.udp])
        #expect(problems([eth, ip, .icmpEcho(request: false, id: 1, seq: 1).with(.badChecksum)]).map(\.layer) == [.icmp])
        // Total length 0 (BIG TCP) is legal: the frame gives the length, and the header checksum stays right.
        let zero = decoder.decode(PacketBuilder.build([eth, ip.with(.length(0)), tcp]))
        #expect(zero.problems.isEmpty)
        #expect(zero.outer.ipv4?.totalLength == 0 && zero.outer.ipv4?.checksumValid == true)
        #expect(problems([eth, ip.with(.length(400)), tcp]).map(\.code) == [.invalidLength])
        // Opt Len announcing more than the packet holds.
        let overrun = decoder.decode(F.geneveFrame(.geneve(vni: 1).with(.geneveOptionsLength(words: 63)), inner: []))
        #expect(overrun.problems.map(\.code).contains(.invalidLength))
    }

    @Test func tsharkSeesTheSameFieldsAndNoErrors() throws {
        let frames: [[UInt8]] = [
            F.geneveFrame(.geneve(vni: 69632), inner: F.innerTCP),
            F.geneveFrame(.geneve(vni: 5, options: [.ovn(ingress: 1, egress: 2)]), inner: F.innerTCP),
            F.geneveFrame(.geneve(vni: 73728), inner: [
                .ethernet(src: F.vm2, dst: F.vm1), .ipv4(src: F.ip2, dst: F.ip1, ttl: 63),
                .udp(sport: 40000, dport: 9999), .payload([0, 1, 2, 3, 4, 5, 6]),
            ], outerUDP: .udp(sport: 60000, dport: 6081)),
        ]
        let pcap = PcapWriter.encode(frames.enumerated().map {
            SynthFrame(timestamp: Timestamp(seconds: 1_700_000_000 + Int64($0.offset), nanoseconds: 0), bytes: $0.element)
        })
        guard let rows = try TShark.fields(pcap, [
            "geneve.vni", "geneve.option.class", "geneve.flags.critical", "ip.src", "ip.dst", "ip.ttl",
            "ip.checksum.status", "udp.checksum.status", "tcp.checksum.status", "_ws.malformed", "_ws.expert.severity",
        ]) else { return }
        #expect(rows.count == 3)
        guard rows.count == 3 else { return }
        #expect(rows.map { TShark.number($0[0]) } == [69632, 5, 73728], "\(rows)")
        #expect(rows[1][1] == "0x0102" || rows[1][1] == "258", "\(rows[1])")
        #expect(rows[1][2] == "1" || rows[1][2] == "True", "\(rows[1])")
        #expect(rows[0][3] == "172.20.11.51,10.1.10.11" && rows[0][4] == "172.20.11.52,10.1.10.12")
        #expect(rows[2][5] == "64,63")
        for row in rows {
            // Checksum status 1 = good, 3 = not present (the zero outer UDP checksum); 0 would be bad.
            let ip = row[6].split(separator: ","), udp = row[7].split(separator: ","), tcp = row[8].split(separator: ",")
            #expect(ip.count == 2 && ip.allSatisfy { $0 == "1" }, "\(row)")
            #expect(!udp.isEmpty && udp.allSatisfy { $0 == "1" || $0 == "3" } && udp.contains("1") == (row[7] != "3"), "\(row)")
            #expect(tcp.allSatisfy { $0 == "1" }, "\(row)")
            #expect(row[9].isEmpty, "malformed: \(row)")
            #expect(!row[10].contains("8388608") && !row[10].contains("6291456"), "expert error/warning: \(row)")
        }
    }
}
