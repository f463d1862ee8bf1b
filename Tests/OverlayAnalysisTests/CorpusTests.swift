import Testing
import Foundation
import OverlayWire
import OverlayCapture
@testable import OverlayAnalysis

/// The public corpus (outside the repository): `OVERLAYTRACE_CORPUS`, or `<repo>/../shared/corpus/public`.
enum PublicCorpus {
    static let directory: String? = {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["OVERLAYTRACE_CORPUS"], !env.isEmpty {
            return fm.fileExists(atPath: env) ? env : nil
        }
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }  // <repo>/Tests/OverlayAnalysisTests/CorpusTests.swift
        for _ in 0..<3 {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent("shared/corpus/public").path
            if fm.fileExists(atPath: candidate + "/MANIFEST.md") { return candidate }
        }
        return nil
    }()

    static var isPresent: Bool {
        if directory == nil { print("OverlayAnalysisTests: public corpus not found (set OVERLAYTRACE_CORPUS or place it at <repo>/../shared/corpus/public): corpus tests skipped") }
        return directory != nil
    }

    /// Reads the files as one timeline through OverlayCapture and analyzes them (see `CaptureAnalysis`).
    static func analyze(_ names: [String], walkLayers: Bool = false) throws -> AnalysisResult {
        try CaptureAnalysis.analyze(paths: names.map { (directory ?? ".") + "/" + $0 }, files: names, walkLayers: walkLayers)
    }
}

@Suite("Public corpus", .enabled(if: PublicCorpus.isPresent, "public corpus not found: skipped"))
struct CorpusTests {
    static func ip(_ s: String) -> IPAddress { IPAddress(s)! }

    @Test("tcpdump-geneve.pcap: two OVS TEPs, VNI 10 one way and VNI 11 the other")
    func tcpdumpGeneve() throws {
        let r = try PublicCorpus.analyze(["tcpdump-geneve.pcap"])
        #expect(r.capture.packets == 39 && r.capture.tunneledPackets == 39)
        #expect(r.teps.map(\.ip) == [Self.ip("20.0.0.1"), Self.ip("20.0.0.2")])
        #expect(r.teps.allSatisfy { $0.vnis == [10, 11] })
        #expect(r.segments.map(\.vni) == [10, 11])
        #expect(r.tunnels.map { "\($0.source)>\($0.destination)/\($0.vni):\($0.packets)" } ==
                ["20.0.0.1>20.0.0.2/10:19", "20.0.0.2>20.0.0.1/11:20"])
        let critical = try #require(r.tunnels.first)
        #expect(critical.criticalPackets == 19 && critical.options.map(\.optionClass) == [0x0000])
        // Each direction of the same inner flow rides its own VNI between the same two MACs: joined, not routed.
        #expect(r.flows.count == 2)
        #expect(r.routers.isEmpty)
        for f in r.flows {
            #expect(f.flowClass == .eastWestSameSegment)
            #expect(f.vnis == [10, 11])
            #expect(f.classReason.contains("asymmetric tunnel keys"))
        }
        let ping = try #require(r.flows.first { $0.protocolName == "icmp" })
        #expect(ping.forwardPath.pathText == "VM 30.0.0.1 (b6:9e:d2:49:51:48) → TEP 20.0.0.1 → Geneve VNI 10 → TEP 20.0.0.2 → VM 30.0.0.2")
        #expect(ping.reversePath.pathText == "VM 30.0.0.2 (fe:71:d8:83:72:4f) → TEP 20.0.0.2 → Geneve VNI 11 → TEP 20.0.0.1 → VM 30.0.0.1")
        let learned = r.endpoints.filter { $0.location == .learned }.map { "\($0.vni) \($0.mac) \($0.tep.map { "\($0)" } ?? "-")" }
        #expect(learned == ["10 b6:9e:d2:49:51:48 20.0.0.1", "11 fe:71:d8:83:72:4f 20.0.0.2"])
    }

    @Test("zeek-vxlan.pcap: VXLAN VNI 123 between two TEPs, ARP and ICMP switched in the segment")
    func zeekVXLAN() throws {
        let r = try PublicCorpus.analyze(["zeek-vxlan.pcap"])
        #expect(r.teps.map(\.ip) == [Self.ip("192.168.56.11"), Self.ip("192.168.56.12")])
        #expect(r.segments.map(\.vni) == [123])
        #expect(r.segments.first?.encapsulations == [.vxlan])
        #expect(r.segments.first?.subnets.map(\.description) == ["10.0.0.0/24"])
        #expect(r.flows.count == 2)
        let arp = try #require(r.flows.first)
        #expect(arp.protocolName == "arp" && arp.frames == [1, 2] && arp.flowClass == .eastWestSameSegment)
        let ping = try #require(r.flows.last)
        #expect(ping.protocolName == "icmp" && ping.frames == Array(3...10))
        #expect(ping.forwardPath.pathText == "VM 10.0.0.1 (ba:09:2b:6e:f8:be) → TEP 192.168.56.11 → VXLAN VNI 123 → TEP 192.168.56.12 → VM 10.0.0.2")
        #expect(r.endpoints.map { "\($0.mac) \($0.ips) \($0.tep.map { "\($0)" } ?? "-")" } ==
                ["4a:7f:01:3b:a2:71 [10.0.0.2] 192.168.56.12", "ba:09:2b:6e:f8:be [10.0.0.1] 192.168.56.11"])
    }

    @Test("The same packets in Geneve and in VXLAN, analyzed as one timeline from two files")
    func twoFiles() throws {
        let r = try PublicCorpus.analyze(["suricata-verify-geneve-decoder.pcap", "zeek-vxlan.pcap"])
        #expect(r.capture.packets == 20 && r.capture.packetsPerFile == [10, 10])
        #expect(r.segments.map { "\($0.vni) \($0.encapsulations.map(\.rawValue))" } == ["123 [\"geneve\", \"vxlan\"]"])
        #expect(r.tunnels.map(\.encapsulation) == [.geneve, .vxlan, .geneve, .vxlan])
        // The ARP exchange is the same in both files; the pings use different echo identifiers.
        #expect(r.flows.map(\.protocolName) == ["arp", "icmp", "icmp"])
        #expect(r.flows.map(\.files) == [[0, 1], [1], [0]])
        #expect(r.flows.map(\.forward.packets) == [2, 4, 4])
    }

    @Test("mercury-aws_geneve.pcap: GWLB tunnel legs with bare inner IP, and the plain return traffic")
    func awsGWLB() throws {
        let r = try PublicCorpus.analyze(["mercury-aws_geneve.pcap"])
        #expect(r.capture.packets == 402 && r.capture.tunneledPackets == 224)
        #expect(r.segments.map(\.vni) == [0])
        // Forward legs are tunneled with bare inner IP to the appliance; the answers come back untunneled.
        #expect(r.teps.map(\.ip) == [Self.ip("10.2.20.201"), Self.ip("10.2.20.244")])
        #expect(r.teps.first?.role == .edge)
        #expect(r.endpoints.isEmpty && r.routers.isEmpty)
        #expect(r.flows.allSatisfy { $0.flowClass == .northSouth || !$0.tunneled })
        let answered = r.flows.filter { $0.tunneled && !$0.reversePath.isEmpty }
        #expect(!answered.isEmpty)
        for f in answered {
            #expect(f.legs.contains { !$0.tunneled && $0.direction == .reverse })
            #expect(f.translation == nil)
            #expect(f.reversePath.first?.kind == .external)
        }
        let tls = try #require(r.flows.first { $0.destination == Self.ip("13.248.140.122") && !$0.reversePath.isEmpty })
        #expect(tls.forwardPath.pathText == "VM 10.3.30.122 → TEP 10.2.20.244 → Geneve VNI 0 → edge TEP 10.2.20.201 → outside 13.248.140.122")
        #expect(tls.reversePath.pathText == "outside 13.248.140.122 → uplink (untagged) → VM 10.3.30.122")
        #expect(r.notes.contains { $0.contains("bare IP packets") })
    }

    @Test("zeek-vxlan-triple-v2.pcap: every nesting level is a TEP pair; the flow belongs to the innermost VNI")
    func nestedVXLAN() throws {
        let r = try PublicCorpus.analyze(["zeek-vxlan-triple-v2.pcap"])
        #expect(r.tunnels.map { "\($0.source)>\($0.destination)/\($0.vni)" } == ["1.1.1.1>1.1.1.9/1", "2.2.2.2>2.2.2.9/2", "3.3.3.3>3.3.3.9/3"])
        #expect(r.segments.map(\.vni) == [1, 2, 3])
        let f = try #require(r.flows.first)
        #expect(r.flows.count == 1)
        #expect(f.protocolName == "udp" && f.destinationPort == 53 && f.vnis == [3])
        #expect(f.source == Self.ip("4.4.4.4") && f.teps == [Self.ip("3.3.3.3"), Self.ip("3.3.3.9")])
    }

    @Test("every corpus capture: analyzed without a crash, sorted output, every claim with evidence frames")
    func invariants() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: PublicCorpus.directory ?? ".")
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
        #expect(names.count >= 30)
        for name in names {
            let r = try PublicCorpus.analyze([name])
            #expect(r.capture.packets > 0, "\(name)")
            #expect(r.teps.map(\.ip) == r.teps.map(\.ip).sorted(), "\(name)")
            #expect(r.segments.map(\.vni) == r.segments.map(\.vni).sorted(), "\(name)")
            #expect(r.flows.map(\.first.frame) == r.flows.map(\.first.frame).sorted(), "\(name)")
            for f in r.flows {
                #expect(!f.frames.isEmpty && f.frames.allSatisfy { $0 >= 1 && $0 <= r.capture.packets }, "\(name) flow \(f.id)")
                #expect(!f.forwardPath.isEmpty || !f.reversePath.isEmpty, "\(name) flow \(f.id)")
                #expect((f.forwardPath + f.reversePath).allSatisfy { !$0.frames.isEmpty && !$0.text.isEmpty && f.legs.indices.contains($0.leg) }, "\(name) flow \(f.id)")
                #expect(f.flowClass != .unknown || !f.classReason.isEmpty, "\(name) flow \(f.id)")
            }
            for router in r.routers { #expect(!router.reasons.isEmpty, "\(name) \(router.mac)") }
            let tunneled = r.capture.tunneledPackets
            #expect(r.tunnels.reduce(0) { $0 + $1.packets } >= tunneled, "\(name)")
            #expect(r.limits.tablesFull.isEmpty && r.limits.packetsInUntrackedFlows == 0, "\(name)")
        }
    }

    /// Everything a report shows that depends on how a packet was read.
    static func digest(_ r: AnalysisResult) -> [String] {
        r.teps.map { "tep \($0.ip) \($0.macs) \($0.vnis) \($0.txPackets)/\($0.rxPackets) \($0.role)" }
            + r.tunnels.map { "tunnel \($0.source)>\($0.destination)/\($0.vni) \($0.packets) \($0.bytes) \($0.innerFlows) \($0.sourcePortSpread) \($0.outerTTLs) \($0.largestOuterPacket) \($0.oamPackets)" }
            + r.endpoints.map { "endpoint \($0.vni) \($0.mac) \($0.ips) \(String(describing: $0.tep)) \($0.packetsSent) \($0.bytesSent)" }
            + r.flows.map { "flow \($0.protocolName) \($0.flowClass.rawValue) \($0.frames) \($0.forward.packets)/\($0.reverse.packets) \($0.forwardPath.pathText) | \($0.reversePath.pathText)" }
            + r.bfdSessions.map { "bfd \($0.endpoints) \($0.state) \($0.packets)" }
            + r.routers.map { "router \($0.mac) \($0.vnis)" }
    }

    @Test("every corpus capture: the decoder's level summaries and the walk over every layer give the same analysis")
    func summariesMatchTheLayerWalk() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: PublicCorpus.directory ?? ".")
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
        for name in names {
            let fast = try PublicCorpus.analyze([name]), walked = try PublicCorpus.analyze([name], walkLayers: true)
            #expect(Self.digest(fast) == Self.digest(walked), "\(name)")
        }
    }
}
