import OverlayWire

/// One fault capture: its frames, what a reference switch should conclude, and which frames show it.
public struct FaultCase: Sendable {
    public var scenario: FaultScenario
    public var frames: [SynthFrame]
    /// One sentence: the finding an analyzer should report.
    public var expectedFinding: String
    /// 1-based numbers of the frames the finding rests on.
    public var frameNumbers: [Int]
    /// The decode problem those frames carry, for faults the decoder itself sees (Geneve header faults).
    public var decodeProblem: DecodeProblem.Code?
}

/// Small captures (1–6 frames) of one fault each, on the sample topology, for reference-switch and
/// analysis tests. Unless a case says otherwise the traffic is web-01 (esxi-01) ↔ web-02 (esxi-02) in
/// web, VNI 69632.
public enum FaultScenario: String, CaseIterable, Sendable {
    case misdelivery
    case macFlap = "mac-flap"
    case macMove = "mac-move"
    case vniMismatch = "vni-mismatch"
    case oversizeOuterPacket = "oversize-outer-packet"
    case outerFragments = "outer-fragments"
    case fragmentationNeeded = "fragmentation-needed"
    case geneveReservedBits = "geneve-reserved-bits"
    case geneveCriticalFlagMismatch = "geneve-critical-flag-mismatch"
    case geneveUnknownCriticalOption = "geneve-unknown-critical-option"
    case geneveVersion = "geneve-version"
    case geneveUnknownProtocolType = "geneve-unknown-protocol-type"
    case geneveOptionOverrun = "geneve-option-overrun"
    case oneWayARP = "one-way-arp"
    case oneWayTCP = "one-way-tcp"
    case oneWayEcho = "one-way-echo"
    case unknownUnicastFlood = "unknown-unicast-flood"
    case incompleteReplication = "incomplete-replication"
    case ttlChangedWithoutRouter = "ttl-changed-without-router"

    public func build(start: Timestamp = Scenario.epoch) -> FaultCase {
        var r = ScenarioRecorder(start: start, seed: 0xFA17 ^ UInt64(FaultScenario.allCases.firstIndex(of: self) ?? 0))
        let t = SampleTopology.self
        let a = t.web01, b = t.web02, vni = t.web.vni
        let ab = TunnelLeg.switched(a, b), ba = TunnelLeg.switched(b, a)
        let echoID = UInt16(truncatingIfNeeded: r.rng.next())
        func echo(_ request: Bool, _ seq: UInt16) -> [SynthLayer] {
            [.icmpEcho(request: request, id: echoID, seq: seq), .payload(ApplicationPayloads.pingBody(seq))]
        }
        func done(_ finding: String, _ numbers: [Int], _ problem: DecodeProblem.Code? = nil) -> FaultCase {
            FaultCase(scenario: self, frames: r.frames, expectedFinding: finding, frameNumbers: numbers, decodeProblem: problem)
        }
        /// A full-size (1514-byte inner frame) TCP segment web-01 → web-02 in Geneve: 1550 outer IPv4 bytes.
        func fullSizeGeneveFrame(dontFragment: Bool) -> [UInt8] {
            var tcp = TCPExchange(clientPort: r.ephemeralPort(), serverPort: 80, rng: &r.rng)
            let segment = tcp.segment(fromClient: true, flags: TCPHeader.psh | TCPHeader.ack,
                                      payload: [UInt8](repeating: 0x62, count: 1460))
            let inner: [SynthLayer] = [.ethernet(src: a.mac, dst: b.mac), .ipv4(src: a.ip, dst: b.ip, id: r.nextIPID(a.ip))] + segment
            return ScenarioRecorder.geneveFrame(from: t.esxi01, to: t.esxi02, vni: vni, ipID: r.nextIPID(t.esxi01.ip),
                                                dontFragment: dontFragment, inner: inner)
        }

        switch self {
        case .misdelivery:
            r.send(ba, echo(true, 1))
            var wrong = ab
            wrong.toTEP = t.esxi03
            r.send(wrong, echo(false, 1), after: 400)
            return done("Known unicast to web-02 00:50:56:aa:10:12 (learned behind esxi-02 172.20.11.52 in frame 1) "
                        + "was tunneled to esxi-03 172.20.11.53, which does not host it", [2])

        case .macFlap:
            for (i, tep) in [t.esxi02, t.esxi03, t.esxi02, t.esxi03].enumerated() {
                var leg = ba
                leg.fromTEP = tep
                r.send(leg, echo(true, UInt16(i + 1)), after: i == 0 ? 0 : 100_000)
            }
            return done("MAC 00:50:56:aa:10:12 (web-02) flaps between esxi-02 and esxi-03 in VNI 69632 "
                        + "(3 moves in 0.3 s)", [2, 3, 4])

        case .macMove:
            r.send(ba, echo(true, 1))
            r.send(ab, echo(false, 1), after: 400)
            var moved = b
            moved.tep = t.esxi03
            let garp = ScenarioRecorder.arp(from: b, for: b.ip)  // gratuitous: sender IP == target IP
            for (i, target) in t.replicationTargets(of: t.web, from: t.esxi03).enumerated() {
                r.tunnel(from: t.esxi03, to: target, vni: vni, inner: garp, after: i == 0 ? 2_000_000 : 15)
            }
            r.send(TunnelLeg.switched(moved, a), echo(true, 2), after: 500_000)
            r.send(TunnelLeg.switched(a, moved), echo(false, 2), after: 400)
            return done("MAC 00:50:56:aa:10:12 (web-02) moved once from esxi-02 to esxi-03 (gratuitous ARP in frames 3–4, "
                        + "as after a vMotion); traffic follows it — a move, not a flap", [3])

        case .vniMismatch:
            r.send(ab, echo(true, 1))
            var reply = ba
            reply.vni = t.app.vni
            r.send(reply, echo(false, 1), after: 400)
            return done("Echo request in VNI 69632 (frame 1) is answered in VNI 73728 (frame 2) with the workloads' own MACs "
                        + "and TTL 64: no router is involved, so both directions must share one VNI", [2])

        case .oversizeOuterPacket:
            var tcp = TCPExchange(clientPort: r.ephemeralPort(), serverPort: 80, rng: &r.rng)
            let data = [UInt8](repeating: 0x61, count: 1560)  // inner IPv4 1600 bytes → outer IPv4 1650
            let segment = tcp.segment(fromClient: true, flags: TCPHeader.psh | TCPHeader.ack, payload: data)
            let id = r.nextIPID(a.ip)
            r.send(ab, segment, id: id)
            r.send(ab, segment, id: id &+ 1, after: 210_000)  // the retransmission, equally too big
            return done("Outer IPv4 packets of 1650 bytes with DF set between esxi-01 and esxi-02 exceed the 1600-byte "
                        + "underlay MTU NSX requires; frame 2 is the retransmission", [1, 2])

        case .outerFragments:
            let whole = fullSizeGeneveFrame(dontFragment: false)
            for (i, fragment) in PacketBuilder.fragmentIPv4(whole, mtu: 1500).enumerated() { r.emit(fragment, after: i == 0 ? 0 : 3) }
            return done("A 1550-byte outer IPv4 (Geneve) packet from esxi-01 to esxi-02 was fragmented by the underlay (outer IPv4 "
                        + "fragments, DF clear): the underlay MTU is below the overlay's need", [1, 2])

        case .fragmentationNeeded:
            let big = fullSizeGeneveFrame(dontFragment: true)
            r.emit(big)
            let quote = Array(big[14..<min(big.count, 14 + 576 - 28)])  // RFC 1812: as much as fits in 576 bytes
            r.emit(PacketBuilder.build([
                .ethernet(src: t.underlayGatewayMAC, dst: t.esxi01.mac),
                .ipv4(src: t.underlayGatewayIP, dst: t.esxi01.ip, ttl: 255, id: r.nextIPID(t.underlayGatewayIP), dontFragment: false),
                .icmpError(type: ICMPMessage.destinationUnreachable, code: 4, mtu: 1500, quoting: quote),
            ]), after: 180)
            return done("The underlay gateway 172.20.11.1 reports fragmentation needed (next-hop MTU 1500) for the 1550-byte "
                        + "outer IPv4 (Geneve) packet of frame 1 (VNI 69632, esxi-01 → esxi-02)", [2])

        case .geneveReservedBits, .geneveCriticalFlagMismatch, .geneveUnknownCriticalOption, .geneveVersion,
             .geneveUnknownProtocolType, .geneveOptionOverrun:
            let (header, finding, problem) = geneveFault(vni: vni)
            let inner: [SynthLayer] = [.ethernet(src: a.mac, dst: b.mac), .ipv4(src: a.ip, dst: b.ip, id: r.nextIPID(a.ip))] + echo(true, 1)
            r.emit(ScenarioRecorder.geneveFrame(from: t.esxi01, to: t.esxi02, vni: vni, ipID: r.nextIPID(t.esxi01.ip),
                                                inner: inner, geneve: header))
            return done(finding, [1], problem)

        case .oneWayARP:
            let nobody = IPv4Address(10, 1, 10, 99)
            for round in 0..<3 {
                for (i, tep) in t.replicationTargets(of: t.web, from: a.tep).enumerated() {
                    r.tunnel(from: a.tep, to: tep, vni: vni, inner: ScenarioRecorder.arp(from: a, for: nobody),
                             after: round == 0 && i == 0 ? 0 : (i == 0 ? 1_000_000 : 15))
                }
            }
            return done("web-01 asks for 10.1.10.99 three times (ARP, head-end replicated to esxi-02 and esxi-03) and "
                        + "no reply is seen", [1, 2, 3, 4, 5, 6])

        case .oneWayTCP:
            var tcp = TCPExchange(clientPort: r.ephemeralPort(), serverPort: 8443, rng: &r.rng)
            let syn = tcp.segment(fromClient: true, flags: TCPHeader.syn)
            r.send(ab, syn)
            r.send(ab, syn, after: 1_000_000)   // retransmissions keep the sequence number
            r.send(ab, syn, after: 2_000_000)
            return done("TCP SYN web-01 → web-02:8443 sent three times (retransmitted) and never answered: "
                        + "no SYN/ACK in the capture", [1, 2, 3])

        case .oneWayEcho:
            for seq in 1...3 { r.send(ab, echo(true, UInt16(seq)), after: seq == 1 ? 0 : 1_000_000) }
            return done("Three ICMP echo requests web-01 → web-02 without a reply", [1, 2, 3])

        case .unknownUnicastFlood:
            let unknownMAC = MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x99)
            let inner: [SynthLayer] = [.ethernet(src: a.mac, dst: unknownMAC),
                                       .ipv4(src: a.ip, dst: IPv4Address(10, 1, 10, 99), id: r.nextIPID(a.ip))] + echo(true, 1)
            for (i, tep) in t.replicationTargets(of: t.web, from: a.tep).enumerated() {
                r.tunnel(from: a.tep, to: tep, vni: vni, inner: inner, after: i == 0 ? 0 : 15)
            }
            return done("Unicast to 00:50:56:aa:10:99, a MAC no TEP has announced, is flooded by esxi-01 to every other TEP "
                        + "of VNI 69632 (esxi-02, esxi-03): unknown-unicast flooding", [1, 2])

        case .incompleteReplication:
            for (i, tep) in t.replicationTargets(of: t.web, from: a.tep).enumerated() {
                r.tunnel(from: a.tep, to: tep, vni: vni, inner: ScenarioRecorder.arp(from: a, for: b.ip), after: i == 0 ? 0 : 15)
            }
            r.tunnel(from: b.tep, to: a.tep, vni: vni, inner: ScenarioRecorder.arp(from: b, for: IPv4Address(10, 1, 10, 1)), after: 500_000)
            return done("Broadcast ARP from web-02 is replicated by esxi-02 only to esxi-01; esxi-03, which frames 1–2 show in "
                        + "VNI 69632, gets no copy (incomplete head-end replication)", [3])

        case .ttlChangedWithoutRouter:
            r.send(ab, echo(true, 1))
            r.send(ba, echo(false, 1), after: 400)
            var decremented = ab
            decremented.ttl = 63
            r.send(decremented, echo(true, 2), after: 1_000_000)
            r.send(ba, echo(false, 2), after: 400)
            return done("Frame 3 of web-01 → web-02 arrives with inner TTL 63 (frame 1 had 64) while the inner source MAC is "
                        + "still web-01's own: the TTL changed with no router on the path", [3])
        }
    }

    /// The Geneve header (and what it breaks) of the Geneve-fault cases.
    private func geneveFault(vni: UInt32) -> (SynthLayer, String, DecodeProblem.Code) {
        switch self {
        case .geneveReservedBits:
            return (.geneve(vni: vni, reservedFlags: 0x05), "Geneve reserved flag bits set (0x05) on a packet from esxi-01", .reservedBitsSet)
        case .geneveCriticalFlagMismatch:
            return (.geneve(vni: vni, critical: true), "Geneve C flag set although no option is critical", .criticalFlagMismatch)
        case .geneveUnknownCriticalOption:
            return (.geneve(vni: vni, options: [SynthGeneveOption(optionClass: 0x0104, type: 0x85, data: [0, 0, 0, 7])]),
                    "Critical Geneve option class 0x0104 type 0x85 that no receiver here understands: the packet must be dropped",
                    .unknownCriticalOption)
        case .geneveVersion:
            return (.geneve(vni: vni, version: 1), "Geneve version 1 (only 0 is defined): a receiver must drop it", .unsupportedVersion)
        case .geneveUnknownProtocolType:
            return (.geneve(vni: vni, protocolType: EtherType(rawValue: 0x88B6)),
                    "Geneve protocol type 0x88b6 is not one a TEP can deliver", .unknownProtocolType)
        default:
            return (.geneve(vni: vni, options: [.ovn(ingress: 1, egress: 2)]).with(.geneveOptionLength(index: 0, words: 4)),
                    "A Geneve option claims 16 data bytes but the option area holds only 4: it overruns the area", .invalidLength)
        }
    }
}
