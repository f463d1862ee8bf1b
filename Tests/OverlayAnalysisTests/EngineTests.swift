import Testing
import OverlayWire
import OverlaySynth
import OverlayInventory
@testable import OverlayAnalysis

@Suite("Engine: OVN, moves, BFD, problems, combined capture")
struct EngineTests {
    typealias T = Topo

    @Test("All three classes in one capture keep their own classes and paths")
    func combined() throws {
        let feed = Feed(inventory: T.inventory)
        Scenario.sameSegment(feed)   // frames 1–8
        Scenario.routed(feed)        // frames 9–11
        Scenario.northSouth(feed)    // frames 12–17
        let r = feed.finish()
        let byPort = Dictionary(uniqueKeysWithValues: r.flows.compactMap { f in f.destinationPort.map { ($0, f) } })
        #expect(byPort[80]?.flowClass == .eastWestSameSegment)
        #expect(byPort[8080]?.flowClass == .eastWestRouted)
        #expect(byPort[443]?.flowClass == .northSouth)
        #expect(byPort[8080]?.frames == [9, 10, 11])
        #expect(byPort[443]?.frames == [12, 13, 14, 15, 16, 17])
        #expect(r.flows.map(\.id) == Array(1...r.flows.count))
        #expect(r.flows.map(\.first.frame) == r.flows.map(\.first.frame).sorted())
        #expect(r.teps.map(\.role) == [.host, .host, .host, .edge])
        #expect(r.segments.map(\.vni) == [T.web, T.transit, T.app])
        #expect(r.segment(vni: T.transit)?.kind == .transit)
        #expect(r.router(mac: T.routerMAC)?.declared == true)
        #expect(r.router(mac: T.routerMAC)?.vnis == [T.web, T.app])
        // Routers are never workloads.
        #expect(!r.endpoints.contains { $0.mac == T.routerMAC || $0.mac == T.serviceRouterMAC })
        #expect(Set(r.endpoints.map(\.name)) == ["web-01", "web-02", "app-01"])
    }

    @Test("OVN option port keys are explained with the southbound ports")
    func ovnPorts() throws {
        var inv = Inventory()
        inv.ovnPorts = [
            InventoryOVNPort(datapathKey: 1, portKey: 1, name: "vm1-port", datapathName: "ls-web", mac: T.web01.mac, ips: [.v4(T.web01.ip)]),
            InventoryOVNPort(datapathKey: 1, portKey: 2, name: "vm2-port", datapathName: "ls-web", mac: T.web02.mac, ips: [.v4(T.web02.ip)]),
        ]
        let feed = Feed(inventory: inv)
        let icmp: (Bool) -> [SynthLayer] = { request in
            request
                ? [.ethernet(src: T.web01.mac, dst: T.web02.mac), .ipv4(src: T.web01.ip, dst: T.web02.ip), .icmpEcho(request: true, id: 7, seq: 1)]
                : [.ethernet(src: T.web02.mac, dst: T.web01.mac), .ipv4(src: T.web02.ip, dst: T.web01.ip), .icmpEcho(request: false, id: 7, seq: 1)]
        }
        feed.add(T.geneve(T.esxi01, T.esxi02, vni: 1, options: [.ovn(ingress: 1, egress: 2)], icmp(true)))
        feed.add(T.geneve(T.esxi02, T.esxi01, vni: 1, options: [.ovn(ingress: 2, egress: 1)], icmp(false)))
        feed.add(T.geneve(T.esxi01, T.esxi02, vni: 1, options: [.ovn(ingress: 1, egress: 32768)],
                          [.ethernet(src: T.web01.mac, dst: .broadcast),
                           .arp(op: 1, senderMAC: T.web01.mac, senderIP: T.web01.ip, targetMAC: .zero, targetIP: T.web02.ip)]))
        let r = feed.finish()
        let ping = try #require(r.flows.first { $0.protocolName == "icmp" })
        #expect(ping.icmpIdentifier == 7)
        #expect(ping.flowClass == .eastWestSameSegment)
        #expect(ping.ovn == "datapath ls-web, inport vm1-port, outport vm2-port")
        #expect(ping.legs.first { $0.direction == .reverse }?.ovn?.text == "datapath ls-web, inport vm2-port, outport vm1-port")
        #expect(ping.forwardPath.pathText ==
            "VM vm1-port 10.1.10.11 (00:50:56:aa:10:11) → TEP 172.20.11.51 → Geneve VNI 1 (ls-web), inport vm1-port, outport vm2-port → TEP 172.20.11.52 → VM vm2-port 10.1.10.12")
        let arp = try #require(r.flows.first { $0.protocolName == "arp" })
        #expect(arp.ovn == "datapath ls-web, inport vm1-port, outport _MC_flood")
        #expect(r.segment(vni: 1)?.name == "ls-web")
        let tunnel = try #require(r.tunnels.first { $0.source == .v4(T.esxi01.ip) })
        #expect(tunnel.options.map(\.optionClass) == [0x0102])
        #expect(tunnel.options.first?.packets == 2)
        #expect(tunnel.criticalPackets == 2)
    }

    @Test("A workload that moves between TEPs is followed, with the frame of each move")
    func moves() throws {
        let feed = Feed()
        let ping: (T.TEP, UInt16) -> [UInt8] = { tep, seq in
            T.geneve(tep, T.esxi03, vni: T.web, [.ethernet(src: T.web01.mac, dst: T.web02.mac),
                                                  .ipv4(src: T.web01.ip, dst: T.web02.ip), .icmpEcho(request: true, id: 1, seq: seq)])
        }
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
        feed.add(PacketBuilder.build([.ethernet(src: T.esxi01.mac, dst: T.underlayGateway), .ipv4(src: T.esxi01.ip, dst: T.edge01.ip, ttl: 255),
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
        feed.add(PacketBuilder.build([.ethernet(src: T.esxi01.mac, dst: T.underlayGateway), .ipv4(src: T.ip("198.51.100.1"), dst: T.ip("198.51.100.2")),
                                      .udp(sport: 5000, dport: 53), .payload([1, 2, 3])]))
        let r = feed.finish()
        let f = try #require(r.flows.first)
        #expect(f.flowClass == .unknown && !f.tunneled)
        #expect(f.classReason.hasPrefix("untunneled traffic"))
        #expect(f.forwardPath.pathText == "host 198.51.100.1 → host 198.51.100.2")
        #expect(r.notes.contains { $0.contains("No Geneve or VXLAN traffic") })
    }
}
