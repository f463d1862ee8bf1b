import OverlayWire

/// The underlay MTU as an overlay needs it.
///
/// The rules:
/// 1. Encapsulation adds at least 50 bytes (Ethernet 14 + IPv4 20 + UDP 8 + Geneve 8, plus options) to the
///    inner frame, and the underlay must carry the outer packet whole. NSX requires an underlay MTU of at
///    least 1600 (1700 recommended). An outer IP packet longer than the underlay MTU is dropped, or
///    fragmented, by the first link that cannot carry it (error).
/// 2. TEPs set DF on tunnel packets. Outer fragments of tunnel packets cost reassembly on the receiving TEP
///    and are lost together (warning); when the same TEP pair also sends DF packets, something on the path
///    ignored DF or the TEP fragmented before sending (error).
/// 3. ICMP "fragmentation needed" (IPv4) or "packet too big" (IPv6) that quotes a tunnel packet is the
///    underlay saying its MTU is smaller than the overlay needs; it is matched, through the quoted source,
///    destination, UDP port, VNI and IP ID, to the tunnel packet that caused it (error).
///
/// Packets captured on the sending host before segmentation offload (TSO/GSO super-frames: longer than any
/// Ethernet MTU, or with IP length 0) never cross the wire at that size and are not judged.
struct MTUModel {
    let mtu: Int
    /// Longest IP packet any Ethernet underlay carries (9216-byte jumbo frames); longer is an offload artefact.
    static let maxOnWire = 9216
    private var oversize: [TEPPair: OversizeOutcome] = [:]
    private var fragments: [AddressPair: FragmentOutcome] = [:]
    private var tooBig: [TooBigKey: TooBigOutcome] = [:]
    private(set) var superFrames = 0
    private var superFrameEvidence: Evidence
    private var recent: [RecentTunnelPacket]
    private let recentMask: UInt64
    let evidenceLimit: Int
    let findingLimit: Int

    /// A recent tunnel packet large enough to draw an ICMP error, for matching.
    private struct RecentTunnelPacket {
        var source: IPAddress = .v4(IPv4Address(rawValue: 0))
        var destination: IPAddress = .v4(IPv4Address(rawValue: 0))
        var identification: UInt16 = 0
        var frame = 0
        var length = 0
        var vni: UInt32 = 0
    }

    init(configuration: ReferenceSwitchConfiguration) {
        mtu = configuration.underlayMTU
        evidenceLimit = configuration.maxEvidenceFrames
        findingLimit = configuration.maxFindingsPerKind
        superFrameEvidence = Evidence(limit: configuration.maxEvidenceFrames)
        var n = 1
        while n < max(64, configuration.recentFrameSlots / 4) { n <<= 1 }
        recent = Array(repeating: RecentTunnelPacket(), count: n)
        recentMask = UInt64(n - 1)
    }

    /// What the MTU rules read of a tunnel packet's outer IP header.
    struct OuterPacket {
        /// Outer IP packet length as its header states it; nil for a length-0 (BIG TCP / jumbogram) header.
        var length: Int?
        var isFragment: Bool
        /// The IPv4 DF bit (false for IPv6).
        var dontFragment: Bool
        /// IPv4 identification (0 for IPv6).
        var identification: UInt16

        init(_ level: NetworkLevel) {
            if let ip = level.ipv4 {
                length = ip.totalLength == 0 ? nil : Int(ip.totalLength)
            } else if let ip = level.ipv6 {
                length = ip.payloadLength == 0 ? nil : Int(ip.payloadLength) + 40
            }
            isFragment = level.isFragment
            dontFragment = level.dontFragment
            identification = level.ipv4?.identification ?? 0
        }

        init(_ s: LevelSummary) {
            length = s.hasIP && s.ipLength > 0 ? s.ipLength : nil
            isFragment = s.isFragment
            dontFragment = s.ipVersion == 4 && s.dontFragment
            identification = s.ipVersion == 4 ? UInt16(truncatingIfNeeded: s.ipIdentification) : 0
        }
    }

    private func slot(_ s: IPAddress, _ d: IPAddress, _ id: UInt16) -> Int {
        Int(mix(mix(s.hashWord, d.hashWord), UInt64(id)) & recentMask)
    }

    /// Rules 1 and 2 for one tunnel packet (a first fragment also lands here: its UDP and tunnel headers decode).
    @inline(__always)
    mutating func observeTunnel(frame: Int, outer: OuterPacket, vni: UInt32, from source: TEPID, to destination: TEPID,
                                sourceIP: IPAddress, destinationIP: IPAddress) {
        guard let length = outer.length, length <= Self.maxOnWire else {
            superFrames += 1
            superFrameEvidence.add(frame)
            return
        }
        if length > mtu {
            let key = TEPPair(source: source, destination: destination)
            if oversize[key] == nil {
                guard oversize.count < findingLimit else { return }
                oversize[key] = OversizeOutcome(evidence: Evidence(limit: evidenceLimit), source: sourceIP, destination: destinationIP, vni: vni)
            }
            oversize[key]?.add(frame, length)
        }
        if outer.isFragment { fragment(frame: frame, dontFragment: outer.dontFragment, sourceIP, destinationIP) }
        let minimum: Int
        if case .v4 = sourceIP { minimum = 576 } else { minimum = 1280 }
        if length > minimum {
            let id = outer.identification
            recent[slot(sourceIP, destinationIP, id)] = RecentTunnelPacket(source: sourceIP, destination: destinationIP,
                                                                           identification: id, frame: frame, length: length, vni: vni)
        }
    }

    /// Rules 2 and 3 for a packet that is not itself a decodable tunnel packet.
    mutating func observeUnderlay(frame: Int, outer: NetworkLevel, teps: TunnelEndpointTable) {
        if outer.isFragment, outer.ipProtocol == .udp, let s = outer.sourceIP, let d = outer.destinationIP,
           let a = teps.id(of: s), let b = teps.id(of: d), teps.sawTraffic(from: a, to: b) {
            // A later fragment (no UDP header) between two TEPs that exchange tunnel packets.
            fragment(frame: frame, dontFragment: outer.dontFragment, s, d)
        }
        if let icmp = outer.icmp, icmp.isFragmentationNeeded, let q = icmp.quoted {
            tooBig(frame: frame, reporter: outer.sourceIP, quoted: q, mtu: icmp.nextHopMTU.map(Int.init))
        } else if let icmp = outer.icmpv6, icmp.isPacketTooBig, let q = icmp.quoted {
            tooBig(frame: frame, reporter: outer.sourceIP, quoted: q, mtu: icmp.mtu.map(Int.init))
        }
    }

    private mutating func fragment(frame: Int, dontFragment: Bool, _ s: IPAddress, _ d: IPAddress) {
        let key = AddressPair(source: s, destination: d)
        if fragments[key] == nil {
            guard fragments.count < findingLimit else { return }
            fragments[key] = FragmentOutcome(evidence: Evidence(limit: evidenceLimit))
        }
        fragments[key]?.evidence.add(frame)
        if dontFragment { fragments[key]?.withDF += 1 }
    }

    private mutating func tooBig(frame: Int, reporter: IPAddress?, quoted q: QuotedPacket, mtu reported: Int?) {
        let port = q.destinationPort ?? 0
        let tunnelPort = port == GeneveHeader.port || port == VXLANHeader.port || port == VXLANHeader.linuxLegacyPort
        guard q.proto == .udp, q.tunnelVNI != nil || tunnelPort else { return }
        let key = TooBigKey(reporter: reporter, source: q.source, destination: q.destination, mtu: reported ?? 0)
        if tooBig[key] == nil {
            guard tooBig.count < findingLimit else { return }
            tooBig[key] = TooBigOutcome(evidence: Evidence(limit: evidenceLimit), quoted: q)
        }
        let r = recent[slot(q.source, q.destination, q.identification)]
        if tooBig[key]?.cause == nil, r.frame > 0, r.source == q.source, r.destination == q.destination, r.identification == q.identification,
           q.tunnelVNI == nil || q.tunnelVNI == r.vni {
            tooBig[key]?.cause = (r.frame, r.length, r.vni)
        }
        tooBig[key]?.evidence.add(frame)
    }

    func findings(_ v: ModelVerdicts) -> [Finding] {
        var out: [Finding] = []
        for (pair, o) in oversize {
            out.append(Finding(
                kind: .mtu, severity: .error,
                message: "\(plural(o.evidence.count, "tunnel packet")) from \(v.naming.tep(o.source)) to \(v.naming.tep(o.destination)) \(o.evidence.count == 1 ? "is" : "are") longer than the underlay MTU of \(mtu) bytes (largest \(o.largest) bytes of outer IP, first in \(v.naming.vni(o.vni))): a link that carries only \(mtu) drops or fragments \(o.evidence.count == 1 ? "it" : "them"). Raise the underlay MTU (NSX needs ≥ 1600, 1700 recommended) or lower the workloads' MTU; \(o.evidence.text).",
                expected: "outer IP packets of at most \(mtu) bytes",
                observed: "up to \(o.largest) bytes between \(v.teps.address(pair.source)) and \(v.teps.address(pair.destination))",
                frames: o.evidence.frames, vni: o.vni))
        }
        for (pair, o) in fragments {
            let dfOnPath = v.teps.id(of: pair.source).flatMap { s in v.teps.id(of: pair.destination).flatMap { v.teps.counters(from: s, to: $0) } }
                .map { $0.dontFragment > 0 } ?? false
            let severity: Finding.Severity = dfOnPath || o.withDF > 0 ? .error : .warning
            let why = o.withDF > 0 ? "some fragments even carry DF, which contradicts fragmentation"
                : dfOnPath ? "the same TEPs send their other tunnel packets with DF set, so something fragmented packets it should have dropped (or the TEP fragments before sending)"
                : "the receiving TEP must reassemble them and one lost fragment loses the whole packet"
            out.append(Finding(
                kind: .mtu, severity: severity,
                message: "Tunnel packets from \(v.naming.tep(pair.source)) to \(v.naming.tep(pair.destination)) are fragmented in the underlay: \(why); \(o.evidence.text).",
                expected: "tunnel packets carried whole (DF set, underlay MTU ≥ inner MTU + overhead)",
                observed: "\(plural(o.evidence.count, "outer fragment"))",
                frames: o.evidence.frames))
        }
        for (key, o) in tooBig {
            let reporter = key.reporter.map { "\($0)" } ?? "a router"
            let mtuText = key.mtu > 0 ? "\(key.mtu) bytes" : "an unstated size"
            let cause: String
            if let c = o.cause {
                cause = "It answers frame \(c.frame), a \(c.length)-byte tunnel packet in \(v.naming.vni(c.vni))"
            } else {
                cause = "The packet that caused it (IP ID \(o.quoted.identification)\(o.quoted.tunnelVNI.map { ", VNI \($0)" } ?? "")) is not in the capture"
            }
            out.append(Finding(
                kind: .mtu, severity: .error,
                message: "\(reporter) reports that tunnel packets from \(v.naming.tep(key.source)) to \(v.naming.tep(key.destination)) do not fit its next hop (MTU \(mtuText)). \(cause). The underlay path is narrower than the overlay needs; \(o.evidence.text).",
                expected: "an underlay path MTU of at least \(mtu)",
                observed: "ICMP too big from \(reporter), MTU \(mtuText)",
                frames: o.evidence.frames, vni: o.cause?.vni ?? o.quoted.tunnelVNI))
        }
        if superFrames > 0 {
            out.append(Finding(
                kind: .mtu, severity: .info,
                message: "\(plural(superFrames, "tunnel packet")) \(superFrames == 1 ? "is" : "are") larger than any Ethernet MTU or carry IP length 0: captured on the sending host before segmentation offload (TSO/GSO), so their size says nothing about the underlay and was not checked; \(superFrameEvidence.text).",
                frames: superFrameEvidence.frames))
        }
        return out
    }
}

struct AddressPair: Hashable {
    var source: IPAddress
    var destination: IPAddress
}

struct OversizeOutcome {
    var evidence: Evidence
    var source: IPAddress
    var destination: IPAddress
    var vni: UInt32
    var largest = 0

    mutating func add(_ frame: Int, _ length: Int) {
        evidence.add(frame)
        largest = max(largest, length)
    }
}

struct FragmentOutcome {
    var evidence: Evidence
    var withDF = 0
}

struct TooBigKey: Hashable {
    var reporter: IPAddress?
    var source: IPAddress
    var destination: IPAddress
    var mtu: Int
}

struct TooBigOutcome {
    var evidence: Evidence
    var quoted: QuotedPacket
    var cause: (frame: Int, length: Int, vni: UInt32)?
}
