import Foundation
import OverlaySynth
import OverlayWire
import Testing

@Suite("Sample scenarios")
struct SynthScenarioTests {
    let decoder = PacketDecoder()
    typealias T = SampleTopology

    func decodeAll(_ frames: [SynthFrame]) -> [DecodedPacket] { frames.map { decoder.decode($0.bytes) } }

    @Test(arguments: [(SampleScenario.sameSegment, 18), (.routed, 13), (.northSouth, 22), (.ovnSameSegment, 15), (.bfd, 36), (.demo, 92)])
    func everyFrameDecodesCleanlyInTimeOrder(_ scenario: SampleScenario, _ count: Int) {
        let frames = scenario.frames()
        #expect(frames.count == count)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(frames.first?.timestamp == Scenario.epoch)
        for (i, p) in decodeAll(frames).enumerated() {
            #expect(p.problems.isEmpty, "\(scenario) frame \(i + 1): \(p.problems)")
        }
    }

    @Test func scenariosAreDeterministic() {
        for s in SampleScenario.allCases { #expect(s.frames() == s.frames(), "\(s)") }
        for f in FaultScenario.allCases { #expect(f.build().frames == f.build().frames, "\(f)") }
        #expect(PcapWriter.encode(Scenario.demo()) == PcapWriter.encode(Scenario.demo()))
        let later = Timestamp(seconds: 1_800_000_000, nanoseconds: 0)
        #expect(Scenario.routed(start: later).map(\.bytes) == Scenario.routed().map(\.bytes))
        #expect(Scenario.routed(start: later).first?.timestamp == later)
    }

    @Test func sameSegmentFacts() throws {
        let p = decodeAll(Scenario.sameSegment())
        #expect(p.allSatisfy { $0.outer.tunnel?.vni == T.web.vni && $0.geneveOptions.isEmpty })
        // Head-end replication of the broadcast ARP: one unicast copy per other TEP of the segment.
        #expect(p[0].level(1).ethernet?.destination == .broadcast && p[1].level(1).ethernet?.destination == .broadcast)
        #expect(p[0].outer.ipv4?.destination == T.esxi02.ip && p[1].outer.ipv4?.destination == T.esxi03.ip)
        #expect(p[0].level(1).arp?.isRequest == true && p[2].level(1).arp?.isReply == true)
        #expect(p[2].outer.ipv4?.source == T.esxi02.ip && p[2].level(1).ethernet?.destination == T.web01.mac)
        for packet in p[3...] {
            let fromWeb01 = packet.level(1).ipv4?.source == T.web01.ip
            #expect(packet.outer.ipv4?.source == (fromWeb01 ? T.esxi01.ip : T.esxi02.ip))
            #expect(packet.level(1).ethernet?.source == (fromWeb01 ? T.web01.mac : T.web02.mac))
            #expect(packet.level(1).ttl == 64)
        }
        #expect(p[3..<9].map { $0.level(1).icmp?.type } == [8, 0, 8, 0, 8, 0])
        #expect(p[9..<18].map { $0.level(1).tcp?.flagString } == ["S", "S.", ".", "P.", "P.", ".", "F.", "F.", "."])
        #expect(p[9].level(1).tcp?.destinationPort == 80)
        // Outer source port: a stable hash of the inner flow, in the dynamic range, per direction.
        let ports = p[9..<18].map { ($0.level(1).ipv4?.source, $0.outer.udp?.sourcePort) }
        #expect(Set(ports.filter { $0.0 == T.web01.ip }.map(\.1)).count == 1)
        #expect(p.allSatisfy { ($0.outer.udp?.sourcePort ?? 0) >= 49152 && $0.outer.udp?.checksum == 0 })
        #expect(p.allSatisfy { $0.outer.dontFragment && $0.outer.ttl == 64 })
    }

    @Test func routedFacts() {
        let p = decodeAll(Scenario.routed())
        for packet in p {
            let inner = packet.level(1)
            #expect(inner.ethernet?.source == T.routerMAC && inner.ttl == 63)
            if inner.ipv4?.source == T.web01.ip {
                #expect(packet.outer.tunnel?.vni == T.app.vni && inner.ethernet?.destination == T.app01.mac)
                #expect(packet.outer.ipv4?.source == T.esxi01.ip && packet.outer.ipv4?.destination == T.esxi03.ip)
            } else {
                #expect(inner.ipv4?.source == T.app01.ip)
                #expect(packet.outer.tunnel?.vni == T.web.vni && inner.ethernet?.destination == T.web01.mac)
                #expect(packet.outer.ipv4?.source == T.esxi03.ip && packet.outer.ipv4?.destination == T.esxi01.ip)
            }
        }
        #expect(p[0].level(1).tcp?.destinationPort == 443 && p[0].level(1).tcp?.isSYN == true)
        #expect(p[9..<13].map { $0.level(1).icmp?.type } == [8, 0, 8, 0])
    }

    @Test func northSouthFacts() {
        let p = decodeAll(Scenario.northSouth())
        for pair in stride(from: 0, to: p.count, by: 2) {
            let (first, second) = (p[pair], p[pair + 1])
            let outbound = first.isTunneled
            let tunnel = outbound ? first : second, uplink = outbound ? second : first
            #expect(!uplink.isTunneled && uplink.outer.vlan?.id == T.uplinkVLAN, "pair at \(pair + 1)")
            #expect(tunnel.outer.tunnel?.vni == T.transit.vni)
            let inner = tunnel.level(1)
            if outbound {
                #expect(tunnel.outer.ipv4?.source == T.esxi02.ip && tunnel.outer.ipv4?.destination == T.edge01.ip)
                #expect(inner.ethernet?.source == T.transitRouterMAC && inner.ethernet?.destination == T.serviceRouterMAC)
                #expect(inner.ipv4?.source == T.web02.ip && inner.ttl == 63)
                #expect(uplink.outer.ipv4?.source == T.snatAddress && uplink.outer.ttl == 62)
                #expect(uplink.outer.ethernet?.source == T.edgeUplinkMAC && uplink.outer.ethernet?.destination == T.physicalRouterMAC)
            } else {
                #expect(tunnel.outer.ipv4?.source == T.edge01.ip && tunnel.outer.ipv4?.destination == T.esxi02.ip)
                #expect(inner.ethernet?.source == T.serviceRouterMAC && inner.ipv4?.destination == T.web02.ip)
                #expect(uplink.outer.ipv4?.destination == T.snatAddress && uplink.outer.ethernet?.source == T.physicalRouterMAC)
                #expect(inner.ttl == uplink.outer.ttl.map { $0 - 1 })
            }
            // NAT rewrote the address, so both legs' transport checksums were computed separately and verify.
            #expect(tunnel.level(1).tcp?.checksumValid ?? tunnel.level(1).udp?.checksumValid == true)
            #expect(uplink.outer.tcp?.checksumValid ?? uplink.outer.udp?.checksumValid == true)
            #expect(inner.destinationPort == uplink.outer.destinationPort && inner.sourcePort == uplink.outer.sourcePort)
        }
        #expect(p[18].level(1).udp?.destinationPort == 53 && p[20].outer.udp?.sourcePort == 53)
    }

    @Test func ovnFacts() throws {
        let o = OVNSampleTopology.self
        let p = decodeAll(Scenario.ovnSameSegment())
        #expect(p.allSatisfy { $0.outer.tunnel?.vni == o.logicalSwitch.vni && $0.outer.tunnel?.geneve?.critical == true })
        #expect(p[0].ovnPortKeys == OVNPortKeys(ingress: 1, egress: o.floodGroupKey))
        #expect(p[0].level(1).ethernet?.destination == .broadcast)
        for packet in p.dropFirst() {
            let fromPort1 = packet.level(1).ethernet?.source == o.port1.workload.mac
            #expect(packet.ovnPortKeys == (fromPort1 ? OVNPortKeys(ingress: 1, egress: 2) : OVNPortKeys(ingress: 2, egress: 1)))
            #expect(packet.outer.ipv4?.source == (fromPort1 ? o.hv1.ip : o.hv2.ip))
        }
    }

    @Test func bfdSessionsAreUpAndSymmetric() throws {
        let p = decodeAll(Scenario.bfd(rounds: 1))
        #expect(p.count == 12)
        var sessions: [UInt32: UInt32] = [:]
        for packet in p {
            let g = try #require(packet.outer.tunnel?.geneve)
            #expect(g.oam && g.vni == 0)
            let bfd = try #require(packet.level(1).bfd)
            #expect(bfd.state == .up && packet.level(1).ttl == 255)
            #expect(packet.level(1).ipv4?.source == packet.outer.ipv4?.source)
            sessions[bfd.myDiscriminator] = bfd.yourDiscriminator
        }
        #expect(sessions.count == 12)
        #expect(sessions.allSatisfy { sessions[$0.value] == $0.key })
    }

    @Test func demoMergesEveryScenario() {
        let demo = Scenario.demo()
        var expected = Set(Scenario.sameSegment().map(\.bytes))
        expected.formUnion(Scenario.routed().map(\.bytes))
        expected.formUnion(Scenario.ovnSameSegment().map(\.bytes))
        #expect(expected.isSubset(of: Set(demo.map(\.bytes))))
        #expect(Scenario.merge([[demo[1]], [demo[0]]]) == [demo[0], demo[1]])
    }

    @Test func tsharkFindsNoErrorsInTheDemo() throws {
        guard let rows = try TShark.fields(PcapWriter.encode(Scenario.demo()),
                                           ["frame.number", "geneve.vni", "_ws.malformed", "_ws.expert.severity",
                                            "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status"]) else { return }
        #expect(rows.count == 92)
        for row in rows {
            #expect(row[2].isEmpty, "\(row)")
            let severities = row[3].split(separator: ",").compactMap { Int($0) }
            #expect(severities.allSatisfy { $0 < 0x0060_0000 }, "warning or error: \(row)")  // chat/note only
            #expect(!(row[4] + "," + row[5] + "," + row[6]).split(separator: ",").contains("0"), "bad checksum: \(row)")
        }
        let vnis = Set(rows.compactMap { TShark.number($0[1].split(separator: ",").first.map(String.init) ?? "") })
        #expect(vnis == [0, 5, 69632, 71680, 73728])
    }

    @Test func inventoryYAMLNamesTheTopology() {
        let y = SampleTopology.inventoryYAML
        for t in T.teps { #expect(y.contains("{ip: \(t.ip), name: \(t.name), role: \(t.ip == T.edge01.ip ? "edge" : "host")}")) }
        for t in [OVNSampleTopology.hv1, OVNSampleTopology.hv2] { #expect(y.contains("{ip: \(t.ip), name: \(t.name), role: host}")) }
        for w in T.workloads {
            #expect(y.contains("{name: \(w.name), mac: \"\(w.mac)\", ips: [\(w.ip)], vni: \(w.segment.vni), tep: \(w.tep.ip)}"))
        }
        #expect(y.contains("{vni: 71680, name: transit, subnets: [100.64.0.0/31], kind: transit}"))
        #expect(y.contains("{vni: 5, name: sw0, subnets: [10.2.0.0/24]}"))
        #expect(y.contains("macs: [\"02:50:56:56:44:52\", \"02:50:56:56:44:53\"]"))
        #expect(y.contains("{name: edge-01, tep: 172.20.11.100, transit_vni: 71680, uplink_vlan: 100, snat: [{from: 10.1.0.0/16, to: 192.0.2.10}]"))
        #expect(y.split(separator: "\n").filter { $0.hasPrefix("  - ") }.count == (4 + 2) + (3 + 1) + (3 + 2) + 1 + 1)
    }

    @Test func ovnSouthboundDumpsAreOVSDBJSON() throws {
        let dump = OVNSampleTopology.southbound
        func table(_ text: String) throws -> [[String: Any]] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let headings = try #require(object["headings"] as? [String])
            let data = try #require(object["data"] as? [[Any]])
            return data.map { Dictionary(uniqueKeysWithValues: zip(headings, $0)) }
        }
        let datapaths = try table(dump.datapathBinding)
        #expect(datapaths.count == 1 && datapaths[0]["tunnel_key"] as? Int == 5)
        let dpUUID = try #require((datapaths[0]["_uuid"] as? [Any])?.last as? String)
        #expect((datapaths[0]["_uuid"] as? [Any])?.first as? String == "uuid")
        let externalIDs = try #require(datapaths[0]["external_ids"] as? [Any])
        #expect(externalIDs.first as? String == "map")

        let ports = try table(dump.portBinding)
        #expect(ports.map { $0["logical_port"] as? String } == ["sw0-port1", "sw0-port2"])
        #expect(ports.map { $0["tunnel_key"] as? Int } == [1, 2])
        #expect(ports.allSatisfy { ($0["datapath"] as? [Any])?.last as? String == dpUUID })
        #expect(ports[0]["mac"] as? String == "50:54:00:00:00:01 10.2.0.11")
        #expect((ports[0]["tag"] as? [Any])?.first as? String == "set")

        let chassis = try table(dump.chassis), encaps = try table(dump.encap)
        #expect(chassis.map { $0["hostname"] as? String } == ["hv1", "hv2"])
        #expect(encaps.map { $0["ip"] as? String } == ["192.168.50.11", "192.168.50.12"])
        // Each port's chassis reference resolves to the chassis whose encap IP the capture shows.
        let chassisByUUID = Dictionary(uniqueKeysWithValues: chassis.map { (($0["_uuid"] as? [Any])?.last as? String ?? "", $0) })
        let hv2 = try #require(chassisByUUID[(ports[1]["chassis"] as? [Any])?.last as? String ?? ""])
        let encapUUID = (hv2["encaps"] as? [Any])?.last as? String
        #expect(encaps.first { ($0["_uuid"] as? [Any])?.last as? String == encapUUID }?["ip"] as? String == "192.168.50.12")
        #expect(dump.files.map(\.name) == ["Datapath_Binding.json", "Port_Binding.json", "Chassis.json", "Encap.json"])
    }
}
