import OverlayWire

/// Accumulates the frames of one scenario on a microsecond clock, with the per-sender counters real stacks
/// keep (IPv4 identification) and a seeded generator for everything that looks random (ISNs, ports).
struct ScenarioRecorder {
    private(set) var frames: [SynthFrame] = []
    /// Microseconds since the Unix epoch (µs keeps the frames exact in a microsecond pcap).
    private(set) var clock: Int64
    var rng: SplitMix64
    private var ipIDs: [IPv4Address: UInt16] = [:]

    init(start: Timestamp, seed: UInt64) {
        clock = start.seconds * 1_000_000 + Int64(start.nanoseconds / 1000)
        rng = SplitMix64(seed: seed)
    }

    var now: Timestamp { Timestamp(seconds: clock / 1_000_000, nanoseconds: UInt32(clock % 1_000_000) * 1000) }

    mutating func wait(_ microseconds: Int64) { clock += microseconds }

    /// Appends a frame `after` microseconds from the last one.
    mutating func emit(_ bytes: [UInt8], after microseconds: Int64 = 0) {
        clock += microseconds
        frames.append(SynthFrame(timestamp: now, bytes: bytes))
    }

    /// The next IPv4 identification a sender uses (starting from a seeded value, as real stacks do).
    mutating func nextIPID(_ sender: IPv4Address) -> UInt16 {
        let id = ipIDs[sender] ?? UInt16(truncatingIfNeeded: rng.next())
        ipIDs[sender] = id &+ 1
        return id
    }

    /// Random ephemeral port in the Linux default range.
    mutating func ephemeralPort() -> UInt16 { UInt16(32768 + rng.below(60999 - 32768)) }

    /// An inner IPv4 packet with its Ethernet header: `[ethernet, ipv4] + upper`.
    mutating func innerIPv4(srcMAC: MACAddress, dstMAC: MACAddress, src: IPv4Address, dst: IPv4Address, ttl: UInt8,
                            _ upper: [SynthLayer]) -> [SynthLayer] {
        [.ethernet(src: srcMAC, dst: dstMAC), .ipv4(src: src, dst: dst, ttl: ttl, id: nextIPID(src))] + upper
    }

    /// Geneve-encapsulates `inner` from one TEP to another, NSX/OVS style: peer TEP's MAC on the shared TEP
    /// subnet, outer TTL 64 with DF, outer UDP source port = hash of the inner flow, outer UDP checksum 0.
    mutating func tunnel(from a: SynthTEP, to b: SynthTEP, vni: UInt32, options: [SynthGeneveOption] = [],
                         oam: Bool = false, dontFragment: Bool = true, inner: [SynthLayer], after microseconds: Int64 = 0) {
        emit(Self.geneveFrame(from: a, to: b, vni: vni, options: options, oam: oam, ipID: nextIPID(a.ip),
                              dontFragment: dontFragment, inner: inner), after: microseconds)
    }

    /// Sends an inner IPv4 packet along `leg` (fresh IPv4 identification unless given).
    mutating func send(_ leg: TunnelLeg, _ upper: [SynthLayer], id: UInt16? = nil, after microseconds: Int64 = 0) {
        let inner: [SynthLayer] = [.ethernet(src: leg.srcMAC, dst: leg.dstMAC),
                                   .ipv4(src: leg.srcIP, dst: leg.dstIP, ttl: leg.ttl, id: id ?? nextIPID(leg.srcIP))] + upper
        tunnel(from: leg.fromTEP, to: leg.toTEP, vni: leg.vni, options: leg.options, inner: inner, after: microseconds)
    }

    /// Plays a TCP exchange: client segments along `client`, server segments along `server`, a few hundred
    /// microseconds apart.
    mutating func play(_ segments: [(fromClient: Bool, layers: [SynthLayer])], client: TunnelLeg, server: TunnelLeg,
                       firstAfter: Int64 = 0) {
        for (i, s) in segments.enumerated() {
            send(s.fromClient ? client : server, s.layers, after: i == 0 ? firstAfter : 180 + Int64(rng.below(240)))
        }
    }

    /// A web request/response over a fresh TCP connection from `client`'s host to port 80.
    mutating func httpExchange(client: TunnelLeg, server: TunnelLeg, body: String, firstAfter: Int64) {
        var tcp = TCPExchange(clientPort: ephemeralPort(), serverPort: 80, rng: &rng)
        play(tcp.conversation(request: ApplicationPayloads.httpRequest(host: client.dstIP.description),
                              response: ApplicationPayloads.httpResponse(body: body)),
             client: client, server: server, firstAfter: firstAfter)
    }

    /// An inner ARP frame: a broadcast request from `sender` for `targetIP`, or (with `replyTo`) its unicast reply.
    static func arp(from sender: SynthWorkload, for targetIP: IPv4Address, replyTo requester: SynthWorkload? = nil) -> [SynthLayer] {
        guard let requester else {
            return [.ethernet(src: sender.mac, dst: .broadcast),
                    .arp(op: ARPPacket.request, senderMAC: sender.mac, senderIP: sender.ip, targetMAC: .zero, targetIP: targetIP)]
        }
        return [.ethernet(src: sender.mac, dst: requester.mac),
                .arp(op: ARPPacket.reply, senderMAC: sender.mac, senderIP: sender.ip, targetMAC: requester.mac, targetIP: requester.ip)]
    }

    static func geneveFrame(from a: SynthTEP, to b: SynthTEP, vni: UInt32, options: [SynthGeneveOption] = [],
                            oam: Bool = false, ipID: UInt16, dontFragment: Bool = true, inner: [SynthLayer],
                            geneve: SynthLayer? = nil) -> [UInt8] {
        PacketBuilder.build([
            .ethernet(src: a.mac, dst: b.mac),
            .ipv4(src: a.ip, dst: b.ip, ttl: 64, id: ipID, dontFragment: dontFragment),
            .udp(sport: FlowHash.sourcePort(for: inner), dport: GeneveHeader.port, zeroChecksum: true),
            geneve ?? .geneve(vni: vni, oam: oam, options: options),
        ] + inner)
    }
}

/// One direction of an overlay conversation: which TEPs, which VNI, and the inner L2/L3 header values
/// (a routed leg has the router's MAC as source and a decremented TTL).
struct TunnelLeg {
    var fromTEP: SynthTEP
    var toTEP: SynthTEP
    var vni: UInt32
    var srcMAC: MACAddress
    var dstMAC: MACAddress
    var srcIP: IPv4Address
    var dstIP: IPv4Address
    var ttl: UInt8 = 64
    var options: [SynthGeneveOption] = []

    /// Two workloads on one segment, switched: TTL untouched, the workloads' own MACs.
    static func switched(_ a: SynthWorkload, _ b: SynthWorkload, options: [SynthGeneveOption] = []) -> TunnelLeg {
        TunnelLeg(fromTEP: a.tep, toTEP: b.tep, vni: a.segment.vni, srcMAC: a.mac, dstMAC: b.mac, srcIP: a.ip, dstIP: b.ip,
                  options: options)
    }

    /// Routed by the distributed router on the source host: leaves in the destination's VNI, router MAC, TTL − 1.
    static func routed(_ a: SynthWorkload, _ b: SynthWorkload) -> TunnelLeg {
        TunnelLeg(fromTEP: a.tep, toTEP: b.tep, vni: b.segment.vni, srcMAC: SampleTopology.routerMAC, dstMAC: b.mac,
                  srcIP: a.ip, dstIP: b.ip, ttl: 63)
    }
}

/// The outer UDP source port a TEP derives from the inner flow (ECMP entropy): FNV-1a over the inner
/// addresses, protocol and ports (MACs when there is no IP), folded into 49152–65535.
enum FlowHash {
    static func sourcePort(for inner: [SynthLayer]) -> UInt16 {
        var h: UInt32 = 0x811C_9DC5
        func mix(_ v: UInt64, bytes: Int) {
            for i in 0..<bytes {
                h ^= UInt32(truncatingIfNeeded: v >> UInt64(8 * i)) & 0xFF
                h = h &* 0x0100_0193
            }
        }
        var sawIP = false
        for layer in inner {
            switch layer.base {
            case .ipv4(let s, let d, _, _, _, _, _, _, _) where !sawIP:
                sawIP = true
                mix(UInt64(s.rawValue), bytes: 4); mix(UInt64(d.rawValue), bytes: 4)
            case .udp(let s, let d, _): mix(17, bytes: 1); mix(UInt64(s) << 16 | UInt64(d), bytes: 4)
            case .tcp(let s, let d, _, _, _, _, _): mix(6, bytes: 1); mix(UInt64(s) << 16 | UInt64(d), bytes: 4)
            case .icmpEcho(_, let id, _): mix(1, bytes: 1); mix(UInt64(id), bytes: 2)
            case .ethernet(let s, let d, _) where !sawIP: mix(s.rawValue, bytes: 6); mix(d.rawValue, bytes: 6)
            default: continue
            }
        }
        return 49152 | UInt16(truncatingIfNeeded: h ^ (h >> 16)) & 0x3FFF
    }
}

/// Sequence/acknowledgment bookkeeping for one TCP connection, so scenarios state only who sends what.
struct TCPExchange {
    let clientPort: UInt16
    let serverPort: UInt16
    private(set) var clientNext: UInt32
    private(set) var serverNext: UInt32

    init(clientPort: UInt16, serverPort: UInt16, rng: inout SplitMix64) {
        self.clientPort = clientPort
        self.serverPort = serverPort
        clientNext = UInt32(truncatingIfNeeded: rng.next())
        serverNext = UInt32(truncatingIfNeeded: rng.next())
    }

    /// The TCP layer (and payload) of the next segment one side sends.
    mutating func segment(fromClient: Bool, flags: UInt16, payload: [UInt8] = [], window: UInt16 = 64240) -> [SynthLayer] {
        let seq = fromClient ? clientNext : serverNext
        let ack = flags & TCPHeader.ack != 0 ? (fromClient ? serverNext : clientNext) : 0
        let consumed = UInt32(payload.count) + (flags & TCPHeader.syn != 0 ? 1 : 0) + (flags & TCPHeader.fin != 0 ? 1 : 0)
        if fromClient { clientNext &+= consumed } else { serverNext &+= consumed }
        let tcp = SynthLayer.tcp(sport: fromClient ? clientPort : serverPort, dport: fromClient ? serverPort : clientPort,
                                 seq: seq, ack: ack, flags: flags, window: window)
        return payload.isEmpty ? [tcp] : [tcp, .payload(payload)]
    }

    /// The usual short conversation: handshake, one request, one response, ACK, FIN from each side, last ACK.
    /// Returns the segments in order with who sends each (true = client).
    mutating func conversation(request: [UInt8], response: [UInt8]) -> [(fromClient: Bool, layers: [SynthLayer])] {
        let syn = TCPHeader.syn, ack = TCPHeader.ack, psh = TCPHeader.psh, fin = TCPHeader.fin
        return [
            (true, segment(fromClient: true, flags: syn)),
            (false, segment(fromClient: false, flags: syn | ack, window: 65160)),
            (true, segment(fromClient: true, flags: ack)),
            (true, segment(fromClient: true, flags: psh | ack, payload: request)),
            (false, segment(fromClient: false, flags: psh | ack, payload: response, window: 65160)),
            (true, segment(fromClient: true, flags: ack)),
            (true, segment(fromClient: true, flags: fin | ack)),
            (false, segment(fromClient: false, flags: fin | ack, window: 65160)),
            (true, segment(fromClient: true, flags: ack)),
        ]
    }
}
