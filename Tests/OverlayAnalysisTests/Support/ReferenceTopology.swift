import Foundation
import OverlayWire
import OverlaySynth
import OverlayInventory
@testable import OverlayAnalysis

/// The brief's reference topology as OverlaySynth defines it (`SampleTopology`), plus a builder for the
/// hand-made frames of cases the sample scenarios do not cover (moves, BFD state changes, faults).
enum Topo {
    typealias TEP = SynthTEP
    typealias VM = SynthWorkload
    typealias S = SampleTopology

    static let esxi01 = S.esxi01, esxi02 = S.esxi02, esxi03 = S.esxi03, edge01 = S.edge01
    static let web01 = S.web01, web02 = S.web02, app01 = S.app01
    static let web = S.web.vni, app = S.app.vni, transit = S.transit.vni
    static let routerMAC = S.routerMAC, routerTransitMAC = S.transitRouterMAC, serviceRouterMAC = S.serviceRouterMAC
    static let edgeUplinkMAC = S.edgeUplinkMAC, physicalRouterMAC = S.physicalRouterMAC
    static let snatAddress = S.snatAddress, outsideHost = S.externalHost, uplinkVLAN = S.uplinkVLAN

    static func ip(_ s: String) -> IPv4Address { IPv4Address(s)! }

    /// The inventory of the sample topology (names, segments, router, edge with SNAT), built from
    /// `SampleTopology`'s values.
    static var inventory: Inventory {
        var inv = Inventory()
        inv.teps = S.hostTEPs.map { InventoryTEP(ip: .v4($0.ip), name: $0.name, role: .host) }
            + [InventoryTEP(ip: .v4(edge01.ip), name: edge01.name, role: .edge)]
        inv.segments = S.segments.map { s in
            InventorySegment(vni: s.vni, name: s.name, subnets: [IPPrefix(s.subnet)!], kind: s.vni == transit ? .transit : .overlay)
        }
        inv.workloads = S.workloads.map {
            InventoryWorkload(name: $0.name, mac: $0.mac, ips: [.v4($0.ip)], vni: $0.segment.vni, tep: .v4($0.tep.ip))
        }
        inv.routers = [InventoryRouter(name: "dr-01", kind: .distributed, macs: [routerMAC, routerTransitMAC])]
        inv.edges = [InventoryEdge(name: "edge-01", tep: .v4(edge01.ip), transitVNI: transit, uplinkVLAN: uplinkVLAN,
                                   snat: [SNATRule(from: IPPrefix("10.1.0.0/16")!, to: .v4(snatAddress))])]
        return inv
    }

    /// The OVN sample's southbound dump, loaded the way `--inventory` loads it (one file per table).
    static func ovnInventory() throws -> Inventory {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overlayanalysis-ovn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (name, contents) in OVNSampleTopology.southbound.files {
            let url = dir.appendingPathComponent(name)
            try contents.write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        return try Inventory.load(paths: paths)
    }

    /// A Geneve frame between two TEPs, NSX-style (outer TTL 64, DF, UDP checksum 0).
    static func geneve(_ from: TEP, _ to: TEP, vni: UInt32, sport: UInt16 = 50_000, oam: Bool = false,
                       options: [SynthGeneveOption] = [], _ inner: [SynthLayer]) -> [UInt8] {
        PacketBuilder.build([
            .ethernet(src: from.mac, dst: S.underlayGatewayMAC),
            .ipv4(src: from.ip, dst: to.ip, ttl: 64, dontFragment: true),
            .udp(sport: sport, dport: GeneveHeader.port, zeroChecksum: true),
            .geneve(vni: vni, oam: oam, options: options),
        ] + inner)
    }

    static func tcp(_ srcMAC: MACAddress, _ dstMAC: MACAddress, _ src: IPv4Address, _ dst: IPv4Address, sport: UInt16, dport: UInt16,
                    flags: UInt16, ttl: UInt8 = 64) -> [SynthLayer] {
        [.ethernet(src: srcMAC, dst: dstMAC), .ipv4(src: src, dst: dst, ttl: ttl), .tcp(sport: sport, dport: dport, seq: 1, flags: flags)]
    }

    static func ping(_ from: VM, _ to: VM, seq: UInt16) -> [SynthLayer] {
        [.ethernet(src: from.mac, dst: to.mac), .ipv4(src: from.ip, dst: to.ip), .icmpEcho(request: true, id: 1, seq: seq)]
    }

    static let syn = TCPHeader.syn
    static let synAck = TCPHeader.syn | TCPHeader.ack
    static let ack = TCPHeader.ack
}

/// Feeds frames to an analyzer as a capture would: decoded, numbered from 1, in time order.
final class Feed {
    let analyzer: OverlayAnalyzer
    private let decoder = PacketDecoder()
    private var packet = DecodedPacket()
    private(set) var frameNumber = 0
    private var time = OverlaySynth.Scenario.epoch

    init(configuration: AnalysisConfiguration = AnalysisConfiguration(), inventory: Inventory? = nil) {
        analyzer = OverlayAnalyzer(configuration: configuration, inventory: inventory)
    }

    convenience init(_ frames: [SynthFrame], inventory: Inventory? = nil) {
        self.init(inventory: inventory)
        add(frames)
    }

    /// Adds the frames of a sample capture with their own timestamps.
    func add(_ frames: [SynthFrame], file: Int = 0) {
        for f in frames {
            time = f.timestamp
            ingest(f.bytes, wireLength: f.wireLength, file: file)
        }
    }

    /// Adds one hand-made frame `milliseconds` after the previous one; returns its frame number.
    @discardableResult
    func add(_ bytes: [UInt8], file: Int = 0, after milliseconds: UInt32 = 1) -> Int {
        var ns = UInt64(time.nanoseconds) + UInt64(milliseconds) * 1_000_000
        time.seconds += Int64(ns / 1_000_000_000)
        ns %= 1_000_000_000
        time.nanoseconds = UInt32(ns)
        return ingest(bytes, wireLength: bytes.count, file: file)
    }

    @discardableResult
    private func ingest(_ bytes: [UInt8], wireLength: Int, file: Int) -> Int {
        frameNumber += 1
        bytes.withUnsafeBytes { decoder.decode($0, linkType: .ethernet, wireLength: wireLength, into: &packet) }
        analyzer.ingest(frame: FrameInfo(number: frameNumber, timestamp: time, capturedLength: bytes.count, wireLength: wireLength,
                                         linkType: .ethernet, fileIndex: file), packet: packet)
        return frameNumber
    }

    func finish(files: [String] = ["test.pcap"]) -> AnalysisResult { analyzer.finish(files: files, warnings: []) }
}
