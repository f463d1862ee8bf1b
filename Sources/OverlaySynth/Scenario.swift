import OverlayWire

/// The sample captures of the reference topology (`SampleTopology`), each a pure function of its start
/// time: same inputs, byte-identical frames. Frame numbers below are 1-based, as Wireshark shows them.
public enum Scenario {
    /// 2023-11-14 22:13:20 UTC: the default start of every sample capture.
    public static let epoch = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)

    /// web-01 (esxi-01) ↔ web-02 (esxi-02) on web, VNI 69632 (18 frames):
    /// 1–2 ARP request from web-01, broadcast, head-end replicated by esxi-01 to esxi-02 (1) and esxi-03 (2);
    /// 3 ARP reply from web-02, unicast; 4–9 ICMP echo request/reply ×3 (1 s apart);
    /// 10–18 TCP web-01 → web-02:80: SYN, SYN/ACK, ACK, GET, response, ACK, FIN, FIN, ACK.
    public static func sameSegment(start: Timestamp = epoch) -> [SynthFrame] {
        var r = ScenarioRecorder(start: start, seed: 0x5A3E_5E60)
        let a = SampleTopology.web01, b = SampleTopology.web02
        let vni = SampleTopology.web.vni
        for (i, tep) in SampleTopology.replicationTargets(of: a.segment, from: a.tep).enumerated() {
            r.tunnel(from: a.tep, to: tep, vni: vni, inner: ScenarioRecorder.arp(from: a, for: b.ip), after: i == 0 ? 0 : 14)
        }
        r.tunnel(from: b.tep, to: a.tep, vni: vni, inner: ScenarioRecorder.arp(from: b, for: a.ip, replyTo: a), after: 210)
        let ab = TunnelLeg.switched(a, b), ba = TunnelLeg.switched(b, a)
        r.ping(ab, ba, count: 3, firstAfter: 95)
        r.httpExchange(client: ab, server: ba, body: "hello from web-02\n", firstAfter: 250_000)
        return r.frames
    }

    /// web-01 (10.1.10.11, esxi-01) → app-01 (10.1.20.11, esxi-03), distributed routing on the source host
    /// (13 frames). web-01 → app-01 leaves esxi-01 in app (VNI 73728) with inner source MAC = DR vMAC
    /// 02:50:56:56:44:52 and TTL 63; app-01 → web-01 leaves esxi-03 in web (VNI 69632), DR vMAC, TTL 63.
    /// 1–9 TCP to 443: SYN, SYN/ACK, ACK, ClientHello, ServerHello, ACK, FIN, FIN, ACK;
    /// 10–13 ICMP echo request/reply ×2.
    public static func routed(start: Timestamp = epoch) -> [SynthFrame] {
        var r = ScenarioRecorder(start: start, seed: 0x2007_ED00)
        let a = SampleTopology.web01, b = SampleTopology.app01
        let ab = TunnelLeg.routed(a, b), ba = TunnelLeg.routed(b, a)
        var tcp = TCPExchange(clientPort: r.ephemeralPort(), serverPort: 443, rng: &r.rng)
        let hello = ApplicationPayloads.tlsHello(client: true, random: &r.rng)
        let serverHello = ApplicationPayloads.tlsHello(client: false, random: &r.rng)
        r.play(tcp.conversation(request: hello, response: serverHello), client: ab, server: ba)
        r.ping(ab, ba, count: 2, firstAfter: 400_000)
        return r.frames
    }

    /// web-02 (esxi-02) → 203.0.113.50 through edge-01 (22 frames). Every packet appears twice: on the
    /// tunnel leg between esxi-02 and the edge TEP in transit VNI 71680 (inner MACs DR-transit
    /// 02:50:56:56:44:53 ↔ edge SR 02:50:56:56:44:54, inner addresses before NAT) and on the edge uplink,
    /// untunneled on VLAN 100 (edge uplink MAC ↔ physical router MAC, SNAT 10.1.10.12 → 192.0.2.10).
    /// Outbound: tunnel leg first (TTL 63, the host DR routed), uplink 40 µs later (TTL 62, the SR routed).
    /// Inbound: uplink first (TTL 56), then the tunnel leg edge → esxi-02 in VNI 71680 (TTL 55); the host DR
    /// delivers to web-02 locally, which no underlay capture shows.
    /// 1–18 TCP to 443 (9 segments × 2 legs); 19–22 DNS query/answer to 203.0.113.50:53 (× 2 legs).
    public static func northSouth(start: Timestamp = epoch) -> [SynthFrame] {
        var r = ScenarioRecorder(start: start, seed: 0x0057_0117)
        let vm = SampleTopology.web02
        var tcp = TCPExchange(clientPort: r.ephemeralPort(), serverPort: 443, rng: &r.rng)
        let hello = ApplicationPayloads.tlsHello(client: true, random: &r.rng)
        let serverHello = ApplicationPayloads.tlsHello(client: false, random: &r.rng)
        for (i, s) in tcp.conversation(request: hello, response: serverHello).enumerated() {
            r.northSouth(vm, outbound: s.fromClient, s.layers, after: i == 0 ? 0 : 300 + Int64(r.rng.below(300)))
        }
        let port = r.ephemeralPort(), id = UInt16(truncatingIfNeeded: r.rng.next())
        r.northSouth(vm, outbound: true, [.udp(sport: port, dport: 53),
                                          .payload(ApplicationPayloads.dns(id: id, name: "www.example.com"))], after: 300_000)
        r.northSouth(vm, outbound: false, [.udp(sport: 53, dport: port),
                                           .payload(ApplicationPayloads.dns(id: id, name: "www.example.com", answer: [198, 51, 100, 80]))],
                     after: 2_100)
        return r.frames
    }

    /// BFD between every pair of TEPs that share a segment (host ↔ host, host ↔ edge: 6 sessions), both
    /// directions, state Up, once per `interval` for `rounds` rounds: 12 frames per round. Carried the
    /// NSX way: inside Geneve with the O (OAM) bit set and VNI 0; the inner frame is TEP MAC → TEP MAC,
    /// IPv4 TEP → TEP with TTL 255 (RFC 5881), UDP to 3784.
    public static func bfd(start: Timestamp = epoch, rounds: Int = 3, intervalMicroseconds: Int64 = 1_000_000) -> [SynthFrame] {
        var r = ScenarioRecorder(start: start, seed: 0xBFD0)
        let teps = SampleTopology.teps
        var pairs: [(SynthTEP, SynthTEP, Int, Int)] = []
        for i in teps.indices {
            for j in teps.indices where i < j { pairs.append((teps[i], teps[j], i, j)) }
        }
        func discriminator(_ i: Int, _ j: Int) -> UInt32 { 0x4E53_0000 | UInt32(i + 1) << 8 | UInt32(j + 1) }
        for round in 0..<max(0, rounds) {
            for (n, (a, b, i, j)) in pairs.enumerated() {
                for (x, y, xi, yi) in [(a, b, i, j), (b, a, j, i)] {
                    r.tunnel(from: x, to: y, vni: 0, oam: true, inner: [
                        .ethernet(src: x.mac, dst: y.mac), .ipv4(src: x.ip, dst: y.ip, ttl: 255, id: r.nextIPID(x.ip)),
                        .udp(sport: UInt16(49152 + 16 * xi + yi), dport: BFDControl.singleHopPort),
                        .bfd(state: .up, myDisc: discriminator(xi, yi), yourDisc: discriminator(yi, xi)),
                    ], after: round == 0 && n == 0 && x == a ? 0 : 37)
                }
            }
            r.wait(intervalMicroseconds - 37 * Int64(pairs.count * 2))
        }
        return r.frames
    }

    /// Everything above in one time-ordered capture (the README's default input): same-segment from 0 s,
    /// routed from 0.3 s, north-south from 0.6 s, the OVN capture from 0.9 s and 2 rounds of BFD (at 0.05 s
    /// and 2.05 s), interleaved by timestamp: 18 + 13 + 22 + 15 + 24 = 92 frames.
    public static func demo(start: Timestamp = epoch) -> [SynthFrame] {
        func at(_ microseconds: Int64) -> Timestamp {
            let t = start.seconds * 1_000_000 + Int64(start.nanoseconds / 1000) + microseconds
            return Timestamp(seconds: t / 1_000_000, nanoseconds: UInt32(t % 1_000_000) * 1000)
        }
        return merge([
            sameSegment(start: at(0)), routed(start: at(300_000)), northSouth(start: at(600_000)),
            ovnSameSegment(start: at(900_000)), bfd(start: at(50_000), rounds: 2, intervalMicroseconds: 2_000_000),
        ])
    }

    /// Merges captures into one timeline; frames with equal timestamps keep the order of `captures`.
    public static func merge(_ captures: [[SynthFrame]]) -> [SynthFrame] {
        var all: [(Int, Int, SynthFrame)] = []
        for (c, frames) in captures.enumerated() {
            for (i, f) in frames.enumerated() { all.append((c, i, f)) }
        }
        all.sort { ($0.2.timestamp, $0.0, $0.1) < ($1.2.timestamp, $1.0, $1.1) }
        return all.map(\.2)
    }
}

/// The named sample captures, e.g. for `overlaytrace synth <name>`.
public enum SampleScenario: String, CaseIterable, Sendable {
    case demo
    case sameSegment = "same-segment"
    case routed
    case northSouth = "north-south"
    case ovnSameSegment = "ovn-same-segment"
    case bfd

    public func frames(start: Timestamp = Scenario.epoch) -> [SynthFrame] {
        switch self {
        case .demo: return Scenario.demo(start: start)
        case .sameSegment: return Scenario.sameSegment(start: start)
        case .routed: return Scenario.routed(start: start)
        case .northSouth: return Scenario.northSouth(start: start)
        case .ovnSameSegment: return Scenario.ovnSameSegment(start: start)
        case .bfd: return Scenario.bfd(start: start)
        }
    }

    /// Writes the capture as a microsecond pcap (Ethernet).
    public func writePcap(to path: String, start: Timestamp = Scenario.epoch) throws(CaptureWriteError) {
        try PcapWriter.write(frames(start: start), to: path)
    }
}

extension ScenarioRecorder {
    /// `count` echo request/reply pairs, one second apart, reply ~400 µs after its request.
    mutating func ping(_ there: TunnelLeg, _ back: TunnelLeg, count: Int, firstAfter: Int64) {
        let id = UInt16(truncatingIfNeeded: rng.next())
        for seq in 1...UInt16(max(1, count)) {
            let body = ApplicationPayloads.pingBody(seq)
            send(there, [.icmpEcho(request: true, id: id, seq: seq), .payload(body)], after: seq == 1 ? firstAfter : 999_600)
            send(back, [.icmpEcho(request: false, id: id, seq: seq), .payload(body)], after: 380 + Int64(rng.below(40)))
        }
    }

    /// One packet of a north-south flow of `vm`, on both legs (see `Scenario.northSouth`).
    mutating func northSouth(_ vm: SynthWorkload, outbound: Bool, _ upper: [SynthLayer], after microseconds: Int64) {
        let t = SampleTopology.self
        let transitVNI = t.transit.vni
        if outbound {
            let id = nextIPID(vm.ip)
            tunnel(from: vm.tep, to: t.edge01, vni: transitVNI, inner: [
                .ethernet(src: t.transitRouterMAC, dst: t.serviceRouterMAC),
                .ipv4(src: vm.ip, dst: t.externalHost, ttl: 63, id: id),
            ] + upper, after: microseconds)
            emit(PacketBuilder.build([
                .ethernet(src: t.edgeUplinkMAC, dst: t.physicalRouterMAC), .vlan(id: t.uplinkVLAN),
                .ipv4(src: t.snatAddress, dst: t.externalHost, ttl: 62, id: id),
            ] + upper), after: 40)
        } else {
            let id = nextIPID(t.externalHost)
            emit(PacketBuilder.build([
                .ethernet(src: t.physicalRouterMAC, dst: t.edgeUplinkMAC), .vlan(id: t.uplinkVLAN),
                .ipv4(src: t.externalHost, dst: t.snatAddress, ttl: 56, id: id, dontFragment: false),
            ] + upper), after: microseconds)
            tunnel(from: t.edge01, to: vm.tep, vni: transitVNI, inner: [
                .ethernet(src: t.serviceRouterMAC, dst: t.transitRouterMAC),
                .ipv4(src: t.externalHost, dst: vm.ip, ttl: 55, id: id, dontFragment: false),
            ] + upper, after: 40)
        }
    }
}
