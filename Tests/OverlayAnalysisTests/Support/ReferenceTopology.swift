import OverlayWire
import OverlaySynth
import OverlayInventory
@testable import OverlayAnalysis

/// The brief's reference topology (NSX-flavoured), built frame by frame with OverlaySynth's PacketBuilder.
enum Topo {
    struct TEP {
        let ip: IPv4Address
        let mac: MACAddress
        let name: String
    }
    struct VM {
        let ip: IPv4Address
        let mac: MACAddress
        let name: String
        let vni: UInt32
        let tep: TEP
    }

    static let esxi01 = TEP(ip: ip("172.20.11.51"), mac: mac("00:50:56:6b:00:51"), name: "esxi-01")
    static let esxi02 = TEP(ip: ip("172.20.11.52"), mac: mac("00:50:56:6b:00:52"), name: "esxi-02")
    static let esxi03 = TEP(ip: ip("172.20.11.53"), mac: mac("00:50:56:6b:00:53"), name: "esxi-03")
    static let edge01 = TEP(ip: ip("172.20.11.100"), mac: mac("00:50:56:6b:01:00"), name: "edge-01")
    static let underlayGateway = mac("00:1c:73:00:00:01")

    static let web: UInt32 = 69632
    static let app: UInt32 = 73728
    static let transit: UInt32 = 71680

    static let web01 = VM(ip: ip("10.1.10.11"), mac: mac("00:50:56:aa:10:11"), name: "web-01", vni: web, tep: esxi01)
    static let web02 = VM(ip: ip("10.1.10.12"), mac: mac("00:50:56:aa:10:12"), name: "web-02", vni: web, tep: esxi02)
    static let app01 = VM(ip: ip("10.1.20.11"), mac: mac("00:50:56:aa:20:11"), name: "app-01", vni: app, tep: esxi03)

    static let routerMAC = mac("02:50:56:56:44:52")
    static let routerTransitMAC = mac("02:50:56:56:44:53")
    static let serviceRouterMAC = mac("02:50:56:56:44:54")
    static let edgeUplinkMAC = mac("00:50:56:6b:01:99")
    static let physicalRouterMAC = mac("00:1c:73:00:01:00")
    static let snatAddress = ip("192.0.2.10")
    static let outsideHost = ip("203.0.113.50")
    static let uplinkVLAN: UInt16 = 100

    static func ip(_ s: String) -> IPv4Address { IPv4Address(s)! }
    static func mac(_ s: String) -> MACAddress { MACAddress(s)! }

    /// The inventory of the reference topology (names, segments, router, edge with SNAT).
    static var inventory: Inventory {
        var inv = Inventory()
        inv.teps = [esxi01, esxi02, esxi03].map { InventoryTEP(ip: .v4($0.ip), name: $0.name, role: .host) }
            + [InventoryTEP(ip: .v4(edge01.ip), name: edge01.name, role: .edge)]
        inv.segments = [
            InventorySegment(vni: web, name: "web", subnets: [IPPrefix("10.1.10.0/24")!], kind: .overlay),
            InventorySegment(vni: app, name: "app", subnets: [IPPrefix("10.1.20.0/24")!], kind: .overlay),
            InventorySegment(vni: transit, name: "transit", subnets: [IPPrefix("100.64.0.0/31")!], kind: .transit),
        ]
        inv.workloads = [web01, web02, app01].map {
            InventoryWorkload(name: $0.name, mac: $0.mac, ips: [.v4($0.ip)], vni: $0.vni, tep: .v4($0.tep.ip))
        }
        inv.routers = [InventoryRouter(name: "t1-dr", kind: .distributed, macs: [routerMAC, routerTransitMAC], vnis: [web, app, transit])]
        inv.edges = [InventoryEdge(name: "edge-01", tep: .v4(edge01.ip), transitVNI: transit, uplinkVLAN: uplinkVLAN,
                                   snat: [SNATRule(from: IPPrefix("10.1.0.0/16")!, to: .v4(snatAddress))])]
        return inv
    }

    /// A Geneve frame from one TEP to another, NSX-style (outer TTL 64, DF, UDP checksum 0, source port = flow hash).
    static func geneve(_ from: TEP, _ to: TEP, vni: UInt32, sport: UInt16 = 50_000, oam: Bool = false,
                       options: [SynthGeneveOption] = [], _ inner: [SynthLayer]) -> [UInt8] {
        PacketBuilder.build([
            .ethernet(src: from.mac, dst: underlayGateway),
            .ipv4(src: from.ip, dst: to.ip, ttl: 64, dontFragment: true),
            .udp(sport: sport, dport: GeneveHeader.port, zeroChecksum: true),
            .geneve(vni: vni, oam: oam, options: options),
        ] + inner)
    }

    static func tcp(_ srcMAC: MACAddress, _ dstMAC: MACAddress, _ src: IPv4Address, _ dst: IPv4Address, sport: UInt16, dport: UInt16,
                    flags: UInt16, ttl: UInt8 = 64, seq: UInt32 = 1, ack: UInt32 = 0) -> [SynthLayer] {
        [.ethernet(src: srcMAC, dst: dstMAC), .ipv4(src: src, dst: dst, ttl: ttl),
         .tcp(sport: sport, dport: dport, seq: seq, ack: ack, flags: flags)]
    }

    static let syn = TCPHeader.syn
    static let synAck = TCPHeader.syn | TCPHeader.ack
    static let ack = TCPHeader.ack
    static let pshAck = TCPHeader.psh | TCPHeader.ack
}

/// Feeds frames to an analyzer as a capture would: decoded, numbered from 1, 1 ms apart.
final class Feed {
    let analyzer: OverlayAnalyzer
    private let decoder = PacketDecoder()
    private var packet = DecodedPacket()
    private(set) var frameNumber = 0
    private var time = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)

    init(configuration: AnalysisConfiguration = AnalysisConfiguration(), inventory: Inventory? = nil) {
        analyzer = OverlayAnalyzer(configuration: configuration, inventory: inventory)
    }

    /// Adds one frame; returns its frame number.
    @discardableResult
    func add(_ bytes: [UInt8], file: Int = 0, after milliseconds: UInt32 = 1) -> Int {
        frameNumber += 1
        advance(milliseconds)
        bytes.withUnsafeBytes { decoder.decode($0, linkType: .ethernet, wireLength: bytes.count, into: &packet) }
        analyzer.ingest(frame: FrameInfo(number: frameNumber, timestamp: time, capturedLength: bytes.count, wireLength: bytes.count,
                                         linkType: .ethernet, fileIndex: file), packet: packet)
        return frameNumber
    }

    func advance(_ milliseconds: UInt32) {
        var ns = UInt64(time.nanoseconds) + UInt64(milliseconds) * 1_000_000
        time.seconds += Int64(ns / 1_000_000_000)
        ns %= 1_000_000_000
        time.nanoseconds = UInt32(ns)
    }

    func finish(files: [String] = ["test.pcap"]) -> AnalysisResult { analyzer.finish(files: files, warnings: []) }
}
