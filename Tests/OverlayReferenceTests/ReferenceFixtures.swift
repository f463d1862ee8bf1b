import OverlayInventory
import OverlayReference
import OverlaySynth
import OverlayWire

/// A workload of the reference topology: its MAC, IP, segment and the TEP that hosts it.
struct Workload {
    var name: String
    var mac: MACAddress
    var ip: IPv4Address
    var vni: UInt32
    var tep: IPv4Address
}

/// The reference sample topology of the helper brief (NSX-flavoured).
enum Topology {
    static let esxi01 = IPv4Address(172, 20, 11, 51), esxi02 = IPv4Address(172, 20, 11, 52)
    static let esxi03 = IPv4Address(172, 20, 11, 53), edge01 = IPv4Address(172, 20, 11, 100)
    static let gatewayMAC = MACAddress(0x00, 0x1c, 0x73, 0x00, 0x00, 0x01)
    static let web: UInt32 = 69632, app: UInt32 = 73728, transit: UInt32 = 71680
    static let routerMAC = MACAddress(0x02, 0x50, 0x56, 0x56, 0x44, 0x52)
    static let transitRouterMAC = MACAddress(0x02, 0x50, 0x56, 0x56, 0x44, 0x53)
    static let serviceRouterMAC = MACAddress(0x02, 0x50, 0x56, 0x56, 0x44, 0x54)
    static let outside = IPv4Address(203, 0, 113, 50)
    static let webGateway = IPv4Address(10, 1, 10, 1), appGateway = IPv4Address(10, 1, 20, 1)

    static let web01 = Workload(name: "web-01", mac: MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x11), ip: IPv4Address(10, 1, 10, 11), vni: web, tep: esxi01)
    static let web02 = Workload(name: "web-02", mac: MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x12), ip: IPv4Address(10, 1, 10, 12), vni: web, tep: esxi02)
    static let app01 = Workload(name: "app-01", mac: MACAddress(0x00, 0x50, 0x56, 0xaa, 0x20, 0x11), ip: IPv4Address(10, 1, 20, 11), vni: app, tep: esxi03)
    /// A third web VM, behind esxi-03 (replication tests) — not in the brief's topology.
    static let web03 = Workload(name: "web-03", mac: MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x13), ip: IPv4Address(10, 1, 10, 13), vni: web, tep: esxi03)
    /// A fourth web VM on esxi-01 beside web-01 (same-host trace) — not in the brief's topology.
    static let web04 = Workload(name: "web-04", mac: MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x14), ip: IPv4Address(10, 1, 10, 14), vni: web, tep: esxi01)

    static func tepMAC(_ tep: IPv4Address) -> MACAddress {
        MACAddress(0x00, 0x50, 0x56, 0x6b, tep == edge01 ? 0x01 : 0x00, tep == edge01 ? 0x00 : UInt8(tep.rawValue & 0xFF))
    }

    /// The inventory of the reference topology (plus web-03 and web-04).
    static func inventory(workloads: [Workload] = [web01, web02, app01, web03, web04]) -> Inventory {
        var inv = Inventory()
        inv.teps = [
            InventoryTEP(ip: .v4(esxi01), name: "esxi-01", role: .host), InventoryTEP(ip: .v4(esxi02), name: "esxi-02", role: .host),
            InventoryTEP(ip: .v4(esxi03), name: "esxi-03", role: .host), InventoryTEP(ip: .v4(edge01), name: "edge-01", role: .edge),
        ]
        inv.segments = [
            InventorySegment(vni: web, name: "web", subnets: [IPPrefix("10.1.10.0/24")!], kind: .overlay),
            InventorySegment(vni: app, name: "app", subnets: [IPPrefix("10.1.20.0/24")!], kind: .overlay),
            InventorySegment(vni: transit, name: "transit", subnets: [IPPrefix("100.64.0.0/31")!], kind: .transit),
        ]
        inv.workloads = workloads.map {
            InventoryWorkload(name: $0.name, mac: $0.mac, ips: [.v4($0.ip)], vni: $0.vni, tep: .v4($0.tep), portKey: nil)
        }
        inv.routers = [
            InventoryRouter(name: "t1-dr", kind: .distributed, macs: [routerMAC, transitRouterMAC], vnis: [web, app, transit]),
            InventoryRouter(name: "t0-sr", kind: .gateway, macs: [serviceRouterMAC], vnis: [transit]),
        ]
        inv.edges = [InventoryEdge(name: "edge-01", tep: .v4(edge01), transitVNI: transit, uplinkVLAN: 100,
                                   snat: [SNATRule(from: IPPrefix("10.1.0.0/16")!, to: .v4(IPv4Address(192, 0, 2, 10)))])]
        return inv
    }
}

/// Inner frames (what a workload or router puts inside the tunnel).
enum Inner {
    static func tcp(_ from: Workload, _ to: Workload, sport: UInt16 = 40000, dport: UInt16 = 80, flags: UInt16,
                    seq: UInt32 = 1000, ack: UInt32 = 0, ttl: UInt8 = 64, id: UInt16 = 1, payload: Int = 0,
                    sourceMAC: MACAddress? = nil, destinationMAC: MACAddress? = nil) -> [SynthLayer] {
        [.ethernet(src: sourceMAC ?? from.mac, dst: destinationMAC ?? to.mac), .ipv4(src: from.ip, dst: to.ip, ttl: ttl, id: id),
         .tcp(sport: sport, dport: dport, seq: seq, ack: ack, flags: flags), .payload(Array(repeating: 0x61, count: payload))]
    }

    /// A TCP segment between explicit addresses (routed and north-south legs).
    static func tcp(mac: (MACAddress, MACAddress), ip: (IPv4Address, IPv4Address), sport: UInt16, dport: UInt16, flags: UInt16,
                    seq: UInt32 = 1000, ack: UInt32 = 0, ttl: UInt8, id: UInt16 = 1) -> [SynthLayer] {
        [.ethernet(src: mac.0, dst: mac.1), .ipv4(src: ip.0, dst: ip.1, ttl: ttl, id: id),
         .tcp(sport: sport, dport: dport, seq: seq, ack: ack, flags: flags)]
    }

    static func echo(mac: (MACAddress, MACAddress), ip: (IPv4Address, IPv4Address), request: Bool, id: UInt16 = 7, seq: UInt16 = 1,
                     ttl: UInt8 = 64) -> [SynthLayer] {
        [.ethernet(src: mac.0, dst: mac.1), .ipv4(src: ip.0, dst: ip.1, ttl: ttl, id: seq),
         .icmpEcho(request: request, id: id, seq: seq), .payload(Array(repeating: 0x55, count: 32))]
    }

    static func udp(_ from: Workload, _ to: Workload, sport: UInt16, dport: UInt16, id: UInt16 = 1, payload: Int = 40) -> [SynthLayer] {
        [.ethernet(src: from.mac, dst: to.mac), .ipv4(src: from.ip, dst: to.ip, id: id),
         .udp(sport: sport, dport: dport), .payload(Array(repeating: 0x42, count: payload))]
    }

    static func arpRequest(from w: Workload, for target: IPv4Address, sourceMAC: MACAddress? = nil, senderIP: IPv4Address? = nil) -> [SynthLayer] {
        [.ethernet(src: sourceMAC ?? w.mac, dst: .broadcast),
         .arp(op: ARPPacket.request, senderMAC: sourceMAC ?? w.mac, senderIP: senderIP ?? w.ip, targetMAC: .zero, targetIP: target)]
    }

    static func arpReply(from w: Workload, to mac: MACAddress, ip: IPv4Address) -> [SynthLayer] {
        [.ethernet(src: w.mac, dst: mac), .arp(op: ARPPacket.reply, senderMAC: w.mac, senderIP: w.ip, targetMAC: mac, targetIP: ip)]
    }
}

/// A synthetic capture built frame by frame, with 1-based frame numbers and a clock, replayed through the
/// reference switch.
struct CaptureScript {
    private(set) var frames: [(info: FrameInfo, packet: DecodedPacket, bytes: [UInt8])] = []
    /// Seconds since the epoch of the next frame.
    private(set) var clock = 1_700_000_000.0
    let decoder = PacketDecoder()

    var count: Int { frames.count }

    /// Appends a raw frame `gap` seconds after the previous one; returns its frame number.
    @discardableResult
    mutating func add(_ bytes: [UInt8], after gap: Double = 0.001) -> Int {
        clock += gap
        let seconds = clock.rounded(.down)
        let ts = Timestamp(seconds: Int64(seconds), nanoseconds: UInt32(((clock - seconds) * 1e9).rounded()))
        let number = frames.count + 1
        let info = FrameInfo(number: number, timestamp: ts, capturedLength: bytes.count, wireLength: bytes.count, linkType: .ethernet)
        frames.append((info, decoder.decode(bytes), bytes))
        return number
    }

    /// A Geneve packet from TEP `from` to TEP `to` in `vni` carrying `inner`.
    @discardableResult
    mutating func tunnel(_ from: IPv4Address, _ to: IPv4Address, vni: UInt32, _ inner: [SynthLayer], after gap: Double = 0.001,
                         geneve: SynthLayer? = nil, outerID: UInt16 = 0, dontFragment: Bool = true) -> Int {
        add(Self.tunnelFrame(from, to, vni: vni, inner, geneve: geneve, outerID: outerID, dontFragment: dontFragment), after: gap)
    }

    /// The bytes of a Geneve packet (outer Ethernet/IPv4/UDP 6081, DF set, outer UDP checksum 0, as NSX sends).
    static func tunnelFrame(_ from: IPv4Address, _ to: IPv4Address, vni: UInt32, _ inner: [SynthLayer], geneve: SynthLayer? = nil,
                            outerID: UInt16 = 0, dontFragment: Bool = true) -> [UInt8] {
        PacketBuilder.build([
            .ethernet(src: Topology.tepMAC(from), dst: Topology.gatewayMAC),
            .ipv4(src: from, dst: to, ttl: 64, id: outerID, dontFragment: dontFragment),
            .udp(sport: 49152 &+ UInt16(truncatingIfNeeded: vni &* 7 &+ from.rawValue), dport: 6081, zeroChecksum: true),
            geneve ?? .geneve(vni: vni),
        ] + inner)
    }

    /// Head-end replication: one copy of `inner` to each TEP in `to`, back to back. Returns the frame numbers.
    @discardableResult
    mutating func replicate(_ from: IPv4Address, to: [IPv4Address], vni: UInt32, _ inner: [SynthLayer], after gap: Double = 0.001) -> [Int] {
        to.enumerated().map { i, tep in tunnel(from, tep, vni: vni, inner, after: i == 0 ? gap : 0.000_01) }
    }

    /// Replays every frame in order and returns the switch (for its properties) and its findings.
    func replay(_ configuration: ReferenceSwitchConfiguration = .init(), inventory: Inventory? = nil) -> (ReferenceSwitch, [Finding]) {
        let model = ReferenceSwitch(configuration: configuration, inventory: inventory)
        for f in frames { model.observe(frame: f.info, packet: f.packet) }
        return (model, model.finish())
    }
}

extension [Finding] {
    func of(_ kind: Finding.Kind) -> [Finding] { filter { $0.kind == kind } }
    /// "kind severity frames: message" lines, for failure messages.
    var listing: String { map { "\($0.kind.rawValue) \($0.severity.rawValue) \($0.frames): \($0.message)" }.joined(separator: "\n") }
}

let syn = TCPHeader.syn, ack = TCPHeader.ack, synAck = TCPHeader.syn | TCPHeader.ack, psh = TCPHeader.psh
