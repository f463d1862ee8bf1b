import Testing
import OverlayWire
import OverlaySynth
import OverlayInventory
@testable import OverlayAnalysis

@Suite("Engine: OVN, moves, BFD, problems, combined capture")
struct EngineTests {
    typealias T = Topo

    @Test("demo: every sample in one timeline keeps its own classes and paths")
    func demo() throws {
        let r = Feed(Scenario.demo(), inventory: T.inventory).finish()
        #expect(r.capture.packets == 92)
        #expect(r.flows.map(\.id) == Array(1...r.flows.count))
        #expect(r.flows.map(\.first.frame) == r.flows.map(\.first.frame).sorted())
        let classes = r.flows.map { "\($0.protocolName) \($0.flowClass.rawValue) \($0.vnis)" }
        #expect(classes == [
            "arp east-west/same-segment [69632]", "icmp east-west/same-segment [69632]", "tcp east-west/routed [69632, 73728]",
            "tcp north-south [71680]", "icmp east-west/routed [69632, 73728]", "arp east-west/same-segment [5]",
            "icmp east-west/same-segment [5]", "udp north-south [71680]", "tcp east-west/same-segment [5]",
            "tcp east-west/same-segment [69632]",
        ])
        #expect(r.teps.map(\.role) == [.host, .host, .host, .edge, .host, .host])
        #expect(r.segments.map(\.vni) == [0, 5, T.web, T.transit, T.app])
        #expect(r.segment(vni: T.transit)?.kind == .transit)
        #expect(r.router(mac: T.routerMAC)?.declared == true && r.router(mac: T.routerMAC)?.vnis == [T.web, T.app])
        // Routers are never workloads; the workloads sit where the sample put them.
        #expect(!r.endpoints.contains { r.router(mac: $0.mac) != nil })
        #expect(Set(r.endpoints.compactMap(\.name)) == ["web-01", "web-02", "app-01"])
        #expect(r.endpoint(mac: T.web02.mac, vni: T.web)?.tep == .v4(T.esxi02.ip))
        #expect(r.bfdSessions.count == 6 && r.bfdSessions.allSatisfy { $0.state == .up && $0.tunneled && $0.packets == 4 })
        #expect(r.problems.isEmpty && !r.limits.anyDropped)
    }

    @Test("ovn-same-segment: OVN option port keys are explained with the southbound dump")
    func ovnPorts() throws {
        let inventory = try T.ovnInventory()
        let r = Feed(Scenario.ovnSameSegment(), inventory: inventory).finish()
        #expect(r.teps.map(\.name) == ["hv1", "hv2"])
        #expect(r.segments.map(\.vni) == [5] && r.segments.first?.name == "sw0")
        #expect(r.flows.map(\.protocolName) == ["arp", "icmp", "tcp"])
        let ping = r.flows[1]
        #expect(ping.flowClass == .eastWestSameSegment)
        #expect(ping.ovn == "datapath sw0, inport sw0-port1, outport sw0-port2")
        #expect(ping.legs.first { $0.direction == .reverse }?.ovn?.text == "datapath sw0, inport sw0-port2, outport sw0-port1")
        #expect(ping.forwardPath.pathText ==
            "VM sw0-port1 10.2.0.11 (50:54:00:00:00:01) → TEP 192.168.50.11 (hv1) → Geneve VNI 5 (sw0), inport sw0-port1, outport sw0-port2 → TEP 192.168.50.12 (hv2) → VM sw0-port2 10.2.0.12")
        let arp = r.flows[0]
        #expect(arp.ovn == "datapath sw0, inport sw0-port1, outport _MC_flood")
        let legs = arp.legs.compactMap(\.ovn)
        #expect(legs.first?.egressIsMulticastGroup == true && legs.first?.egressKey == 32768)
        let tunnel = try #require(r.tunnels.first)
        #expect(tunnel.options.map(\.optionClass) == [0x0102] && tunnel.options.first?.critical == true)
        #expect(tunnel.criticalPackets == tunnel.packets)
        #expect(r.endpoints.map(\.name) == ["sw0-port1", "sw0-port2"])
    }

    @Test("OVN port keys without an inventory stay keys")
    func ovnWithoutInventory() throws {
        let r = Feed(Scenario.ovnSameSegment()).finish()
        #expect(r.flows[1].ovn == "datapath 5, inport 1, outport 2")
        #expect(r.flows[0].ovn == "datapath 5, inport 1, outport _MC_flood")
    }

    @Test("A workload that moves between TEPs is followed, with the frame of each move")
    func moves() throws {
        let feed = Feed()
        let ping: (T.TEP, UInt16) -> [UInt8] = { tep, seq in T.geneve(tep, T.esxi03, vni: T.web, T.ping(T.web01, T.web02, seq: seq)) }
        feed.add(ping(T.esxi01, 1))
        feed.add(ping(T.esxi01, 2))
        let moved = feed.add(ping(T.esxi02, 3))
        feed.add(ping(T.esxi02, 4))
        let back = feed.add(ping(T.esxi01, 5))
        let r = feed.finish()
        let w = try #require(r.endpoint(mac: T.web01.mac, vni: T.web))
        #expect(w.moves.map(\.at.frame) == [moved, back])
        #expect(w.moves.map(\.from) == [.v4(T.esxi01.ip), .v4(T.esxi02.ip)])
        #expect(w.moves.map(\.to) == [.v4(T.esxi02.ip), .v4(T.esxi01.ip)])
        #expect(w.tep == .v4(T.esxi01.ip))
        #expect(w.teps == [.v4(T.esxi01.ip), .v4(T.esxi02.ip)])
        let f = try #require(r.flows.first)
        #expect(f.remarks.contains { $0.contains("several TEPs") })
        #expect(f.forwardPath[1].text == "TEP 172.20.11.51, then TEP 172.20.11.52")
    }

    @Test("bfd sample: one session per TEP pair, Up, inside Geneve with the O bit")
    func bfdSample() throws {
        let r = Feed(Scenario.bfd(), inventory: T.inventory).finish()
        #expect(r.bfdSessions.count == 6)
        let s = try #require(r.bfdSessions.first)
        #expect(s.endpoints == [.v4(T.esxi01.ip), .v4(T.esxi02.ip)] && s.names == ["esxi-01", "esxi-02"])
        #expect(s.state == .up && s.flaps == 0 && s.packets == 6 && s.vni == 0)
        #expect(s.sides.map(\.myDiscriminator) == s.sides.reversed().map(\.yourDiscriminator))
        #expect(s.sides.allSatisfy { $0.lateIntervals == 0 && $0.detectMultiplier == 3 && $0.desiredMinTxInterval == 1_000_000 })
        #expect(r.flows.isEmpty && r.endpoints.isEmpty)
        #expect(r.tunnels.allSatisfy { $0.oamPackets == $0.packets })
    }

    @Test("BFD inside Geneve between two TEPs: state timeline, flaps, diagnostics, discriminators")
    func bfdInsideTunnels() throws {
        let feed = Feed(inventory: T.inventory)
        let bfd: (T.TEP, T.TEP, BFDControl.State, UInt8, UInt32, UInt32) -> [UInt8] = { from, to, state, diag, my, your in
            T.geneve(from, to, vni: 0, oam: true, [
                .ethernet(src: from.mac, dst: to.mac), .ipv4(src: from.ip, dst: to.ip, ttl: 255),
                .udp(sport: 49_152, dport: BFDControl.singleHopPort),
                .bfd(state: state, diag: diag, myDisc: my, yourDisc: your, minTxMicroseconds: 1_000_000, minRxMicroseconds: 1_000_000)])
        }
        feed.add(bfd(T.esxi01, T.esxi02, .down, 0, 11, 0))
        feed.add(bfd(T.esxi02, T.esxi01, .initializing, 0, 22, 11))
        let up1 = feed.add(bfd(T.esxi01, T.esxi02, .up, 0, 11, 22))
        feed.add(bfd(T.esxi02, T.esxi01, .up, 0, 22, 11))
        feed.add(bfd(T.esxi01, T.esxi02, .up, 0, 11, 22), after: 1000)
        // esxi-02 goes silent for 5 s, then esxi-01 declares the session down (diag 1).
        let down = feed.add(bfd(T.esxi01, T.esxi02, .down, 1, 11, 0), after: 5000)
        let r = feed.finish()
        #expect(r.bfdSessions.count == 1)
        let s = try #require(r.bfdSessions.first)
        #expect(s.tunneled && s.vni == 0)
        #expect(s.endpoints == [.v4(T.esxi01.ip), .v4(T.esxi02.ip)])
        #expect(s.names == ["esxi-01", "esxi-02"])
        #expect(s.state == .down)
        #expect(s.flaps == 1)
        #expect(s.packets == 6)
        #expect(s.transitions.map(\.to) == [.down, .initializing, .up, .up, .down])
        #expect(s.transitions.map(\.at.frame) == [1, 2, up1, 4, down])
        let one = try #require(s.sides.first)
        #expect(one.sender == .v4(T.esxi01.ip) && one.myDiscriminator == 11 && one.yourDiscriminator == 0)
        #expect(one.diagnostic == 1 && one.diagnosticName == "Control Detection Time Expired")
        #expect(one.detectMultiplier == 3 && one.desiredMinTxInterval == 1_000_000)
        #expect(one.lateIntervals == 1)
        // OAM/BFD frames are tunnel health, never workload flows.
        #expect(r.flows.isEmpty && r.endpoints.isEmpty)
        #expect(r.tunnels.allSatisfy { $0.oamPackets == $0.packets })
    }

    @Test("BFD outside tunnels is a session between underlay addresses")
    func bfdUntunneled() throws {
        let feed = Feed()
        feed.add(PacketBuilder.build([.ethernet(src: T.esxi01.mac, dst: SampleTopology.underlayGatewayMAC), .ipv4(src: T.esxi01.ip, dst: T.edge01.ip, ttl: 255),
                                      .udp(sport: 49_153, dport: BFDControl.singleHopPort), .bfd(state: .up, myDisc: 5, yourDisc: 6)]))
        let r = feed.finish()
        let s = try #require(r.bfdSessions.first)
        #expect(!s.tunneled && s.vni == nil && s.state == .up)
        #expect(r.flows.isEmpty)
    }

    @Test("Decode problems are aggregated by layer and code with a bounded sample of frames")
    func problems() throws {
        let feed = Feed()
        for i in 0..<12 {
            feed.add(T.geneve(T.esxi01, T.esxi02, vni: T.web, [
                .ethernet(src: T.web01.mac, dst: T.web02.mac), .ipv4(src: T.web01.ip, dst: T.web02.ip),
                SynthLayer.tcp(sport: 40_000, dport: 80, seq: UInt32(i), flags: T.ack).with(.badChecksum)]))
        }
        let r = feed.finish()
        let p = try #require(r.problems.first { $0.layer == .tcp && $0.code == .badChecksum })
        #expect(p.count == 12)
        #expect(p.frames == Array(1...8))
        #expect(p.firstReason.contains("TCP checksum"))
        #expect(r.limits.problemSamplesNotKept == 4)
    }

    @Test("Several files are one timeline: per-file counts, and flows say which files saw them")
    func severalFiles() throws {
        let feed = Feed()
        let syn = T.geneve(T.esxi01, T.esxi02, vni: T.web, T.tcp(T.web01.mac, T.web02.mac, T.web01.ip, T.web02.ip, sport: 1, dport: 2, flags: T.syn))
        feed.add(syn, file: 0)
        feed.add(syn, file: 1)
        let r = feed.finish(files: ["esxi-01.pcap", "esxi-02.pcap"])
        #expect(r.capture.files == ["esxi-01.pcap", "esxi-02.pcap"])
        #expect(r.capture.packetsPerFile == [1, 1])
        #expect(r.flows.first?.files == [0, 1])
        #expect(r.flows.first?.remarks.contains { $0.contains("files 1 and 2") } == true)
        #expect(r.notes.contains { $0.contains("one timeline") })
    }

    @Test("Untunneled traffic is its own flow, classed unknown with the reason")
    func untunneled() throws {
        let feed = Feed()
        feed.add(PacketBuilder.build([.ethernet(src: T.esxi01.mac, dst: SampleTopology.underlayGatewayMAC), .ipv4(src: T.ip("198.51.100.1"), dst: T.ip("198.51.100.2")),
                                      .udp(sport: 5000, dport: 53), .payload([1, 2, 3])]))
        let r = feed.finish()
        let f = try #require(r.flows.first)
        #expect(f.flowClass == .unknown && !f.tunneled)
        #expect(f.classReason.hasPrefix("untunneled traffic"))
        #expect(f.forwardPath.pathText == "host 198.51.100.1 → host 198.51.100.2")
        #expect(r.notes.contains { $0.contains("No Geneve or VXLAN traffic") })
    }

    @Test("demo: the decoder's level summaries and the walk over every layer give the same analysis")
    func summariesMatchTheLayerWalkOnTheDemo() throws {
        let fast = Feed(Scenario.demo(), inventory: T.inventory).finish()
        let analyzer = OverlayAnalyzer(inventory: T.inventory)
        let decoder = PacketDecoder()
        for (i, f) in Scenario.demo().enumerated() {
            let decoded = decoder.decode(f.bytes, wireLength: f.wireLength)
            var p = decoded
            p.layers = decoded.layers  // hand-edited: the summaries are withdrawn
            analyzer.ingest(frame: FrameInfo(number: i + 1, timestamp: f.timestamp, capturedLength: f.bytes.count,
                                             wireLength: f.wireLength, linkType: .ethernet), packet: p)
        }
        let walked = analyzer.finish(files: ["demo"], warnings: [])
        #expect(CorpusTests.digest(fast) == CorpusTests.digest(walked))
        #expect(!fast.flows.isEmpty)
    }

    @Test("IPv6 inside the overlay: neighbor discovery joins solicitation and advertisement, owns the address, /64 derived")
    func ipv6NeighborDiscovery() throws {
        let a = IPv6Address("2001:db8:10::11")!, b = IPv6Address("2001:db8:10::12")!
        let solicitedNode = IPv6Address("ff02::1:ff00:12")!
        func nd(type: UInt8, target: IPv6Address, option: UInt8, mac: MACAddress) -> [UInt8] {
            var body: [UInt8] = [type == 136 ? 0x60 : 0, 0, 0, 0]
            for shift in stride(from: 56, through: 0, by: -8) { body.append(UInt8(truncatingIfNeeded: target.high >> UInt64(shift))) }
            for shift in stride(from: 56, through: 0, by: -8) { body.append(UInt8(truncatingIfNeeded: target.low >> UInt64(shift))) }
            body += [option, 1] + mac.octets
            return body
        }
        let feed = Feed()
        let ns = feed.add(T.geneve(T.esxi01, T.esxi02, vni: T.web, [
            .ethernet(src: T.web01.mac, dst: MACAddress(0x33, 0x33, 0xff, 0x00, 0x00, 0x12)),
            .ipv6(src: a, dst: solicitedNode, hopLimit: 255), .icmpv6(type: 135, code: 0, body: nd(type: 135, target: b, option: 1, mac: T.web01.mac))]))
        let na = feed.add(T.geneve(T.esxi02, T.esxi01, vni: T.web, [
            .ethernet(src: T.web02.mac, dst: T.web01.mac),
            .ipv6(src: b, dst: a, hopLimit: 255), .icmpv6(type: 136, code: 0, body: nd(type: 136, target: b, option: 2, mac: T.web02.mac))]))
        feed.add(T.geneve(T.esxi01, T.esxi02, vni: T.web, [
            .ethernet(src: T.web01.mac, dst: T.web02.mac), .ipv6(src: a, dst: b), .tcp(sport: 50_000, dport: 22, seq: 1, flags: T.syn)]))
        let r = feed.finish()
        let resolution = try #require(r.flows.first { $0.protocolName == "nd" })
        #expect(resolution.frames == [ns, na] && resolution.flowClass == .eastWestSameSegment)
        #expect(resolution.source == .v6(a) && resolution.destination == .v6(b))
        #expect(r.endpoint(mac: T.web02.mac, vni: T.web)?.ips == [.v6(b)])
        #expect(r.endpoint(mac: T.web01.mac, vni: T.web)?.ips == [.v6(a)])
        #expect(r.segment(vni: T.web)?.subnets.map(\.description) == ["2001:db8:10::/64"])
        let ssh = try #require(r.flows.first { $0.protocolName == "tcp" })
        #expect(ssh.forwardPath.pathText == "VM 2001:db8:10::11 (00:50:56:aa:10:11) → TEP 172.20.11.51 → Geneve VNI 69632 → TEP 172.20.11.52 → VM 2001:db8:10::12")
        #expect(ssh.tcpState == .synSent)
    }
}
