import OverlayWire
import OverlayInventory

/// The analyzer's streaming state: every table, updated once per frame. A value type mutated in place through
/// one access per frame (no dynamic exclusivity checks in the hot path); each record is updated by one
/// mutating call; nothing is allocated per packet once the tables are warm.
struct StreamingState {
    let configuration: AnalysisConfiguration
    /// The inventory's SNAT rules (edges), for NAT correlation.
    let snatRules: [SNATRule]

    // Capture summary.
    var packets = 0
    var wireBytes = 0
    var capturedBytes = 0
    var tunneledPackets = 0
    var firstTime: Timestamp?
    var lastTime: Timestamp?
    var linkTypes: [LinkType] = []
    var packetsPerFile: [Int] = []

    // Tables: a dictionary from key to index, and the records in an array.
    var tepIndex: [IPAddress: Int32] = [:]
    var teps: [TEPState] = []
    var tunnelIndex: [TunnelKey: Int32] = [:]
    var tunnels: [TunnelState] = []
    var segmentIndex: [UInt32: Int32] = [:]
    var segments: [SegmentState] = []
    var endpointIndex: [EndpointKey: Int32] = [:]
    var endpoints: [EndpointState] = []
    var flowIndex: [FlowKey: Int32] = [:]
    var flows: [FlowState] = []
    var bfdIndex: [BFDKey: Int32] = [:]
    var bfdSessions: [BFDSessionState] = []
    var problems = ProblemAggregator()
    var nat = NATCorrelator()
    var limits = AnalysisLimits()

    /// The tunnel of the previous packet: consecutive packets usually share it.
    private var lastTunnelKey: TunnelKey?
    private var lastTunnel: Int32 = -1

    init(configuration: AnalysisConfiguration, inventory: Inventory) {
        self.configuration = configuration
        self.snatRules = inventory.edges.flatMap(\.snat)
    }

    /// Applies one decoded frame (capture order).
    mutating func ingest(frame: FrameInfo, packet: DecodedPacket) {
        let at = FrameRef(frame: frame.number, time: frame.timestamp)
        noteCapture(frame)
        if !packet.problems.isEmpty {
            limits.problemSamplesNotKept += problems.note(packet.problems, frame: frame.number, maxSamples: configuration.maxProblemSamples)
        }

        // One pass over the layers: each tunnel header closes a level; the last level is the inner frame.
        var level = LevelFacts()
        var carrier = LevelFacts()
        var tunnel: Int32 = -1
        var tunneled = false
        var vni: UInt32 = 0
        var oam = false
        for layer in packet.layers {
            switch layer {
            case .geneve(let g):
                // A nested header that does not look like Geneve is payload that happened to use the port.
                if tunneled && !Self.plausible(g) { return noteFlow(level, tunneled: true, tunnel: tunnel, vni: vni, packet: packet, frame: frame, at: at) }
                tunneled = true
                vni = g.vni
                oam = g.oam
                tunnel = noteTunnel(level, vni: vni, encapsulation: .geneve, geneve: g, packet: packet, frame: frame, at: at)
                carrier = level
                level = LevelFacts()
            case .vxlan(let v):
                if tunneled && !Self.plausible(v) { return noteFlow(level, tunneled: true, tunnel: tunnel, vni: vni, packet: packet, frame: frame, at: at) }
                tunneled = true
                vni = v.vni
                oam = false
                tunnel = noteTunnel(level, vni: vni, encapsulation: .vxlan, geneve: nil, packet: packet, frame: frame, at: at)
                carrier = level
                level = LevelFacts()
            default:
                level.absorb(layer)
            }
        }
        if tunneled { tunneledPackets += 1 }
        if let bfd = level.bfd {
            noteBFD(bfd, level: level, carrier: carrier, tunneled: tunneled, vni: vni, at: at)
            return
        }
        // OAM (control) packets are tunnel health, not workload traffic: counted on the tunnel only.
        if tunneled && oam { return }
        noteFlow(level, tunneled: tunneled, tunnel: tunnel, vni: vni, packet: packet, frame: frame, at: at)
    }

    /// Whether a tunnel header found inside a tunnel is one (rather than inner UDP to port 6081/4789 whose
    /// payload is something else): version 0, no reserved flags, a protocol type a TEP delivers.
    static func plausible(_ g: GeneveHeader) -> Bool {
        g.version == 0 && g.reservedFlags == 0 && g.reserved == 0
            && [EtherType.transparentEthernet, .ipv4, .ipv6, .arp].contains(g.protocolType)
    }

    /// VXLAN: the I flag set and the reserved byte after the VNI zero.
    static func plausible(_ v: VXLANHeader) -> Bool { v.vniValid && v.reserved == 0 }

    private mutating func noteCapture(_ frame: FrameInfo) {
        packets += 1
        wireBytes += frame.wireLength
        capturedBytes += frame.capturedLength
        if firstTime == nil { firstTime = frame.timestamp }
        if let l = lastTime, l > frame.timestamp {} else { lastTime = frame.timestamp }
        if linkTypes.last != frame.linkType && !linkTypes.contains(frame.linkType) { linkTypes.append(frame.linkType) }
        let file = frame.fileIndex
        if file >= 0 && file < 4096 {
            if file >= packetsPerFile.count { packetsPerFile += Array(repeating: 0, count: file + 1 - packetsPerFile.count) }
            packetsPerFile[file] += 1
        }
    }

    func markedFull(_ table: String, _ at: FrameRef, in limits: inout AnalysisLimits) {
        if limits.tablesFull[table] == nil { limits.tablesFull[table] = at.frame }
    }

    // MARK: tunnels and TEPs

    /// Counts one tunnel header on the TEP pair of the level that carries it; returns the tunnel index or -1.
    private mutating func noteTunnel(_ outer: LevelFacts, vni: UInt32, encapsulation: TunnelEncapsulation, geneve: GeneveHeader?,
                                     packet: DecodedPacket, frame: FrameInfo, at: FrameRef) -> Int32 {
        guard outer.hasIP else { return -1 }
        let key = TunnelKey(source: outer.sourceIP, destination: outer.destinationIP, vni: vni, encapsulation: encapsulation)
        let t: Int32
        if key == lastTunnelKey {
            t = lastTunnel
        } else if let i = tunnelIndex[key] {
            t = i
        } else {
            t = createTunnel(key, at: at)
            guard t >= 0 else {
                limits.packetsInUntrackedTunnels += 1
                return -1
            }
        }
        lastTunnelKey = key
        lastTunnel = t
        let options = geneve.map { g in g.optionIndices.isEmpty ? packet.geneveOptions[0..<0] : packet.options(of: g) }
        let notKept = tunnels[Int(t)].record(outer, geneve: geneve, options: options, wireLength: frame.wireLength, at: at,
                                             configuration: configuration)
        limits.optionKindsNotKept += notKept
        let record = tunnels[Int(t)]
        teps[Int(record.sourceTEP)].sent(frame.wireLength, at: at, mac: outer.hasSourceMAC ? outer.sourceMAC : nil)
        teps[Int(record.destinationTEP)].received(frame.wireLength, at: at)
        segments[Int(record.segment)].count(frame.wireLength, at: at)
        return t
    }

    private mutating func createTunnel(_ key: TunnelKey, at: FrameRef) -> Int32 {
        guard tunnels.count < configuration.maxTunnels else {
            markedFull("tunnels", at, in: &limits)
            return -1
        }
        guard let s = tep(key.source, at: at), let d = tep(key.destination, at: at), let g = segment(key.vni, at: at) else { return -1 }
        let bit: UInt8 = key.encapsulation == .geneve ? 1 : 2
        teps[Int(s)].encapsulations |= bit
        teps[Int(d)].encapsulations |= bit
        segments[Int(g)].encapsulations |= bit
        let t = Int32(tunnels.count)
        tunnels.append(TunnelState(key: key, sourceTEP: s, destinationTEP: d, segment: g))
        tunnelIndex[key] = t
        return t
    }

    private mutating func tep(_ ip: IPAddress, at: FrameRef) -> Int32? {
        if let i = tepIndex[ip] { return i }
        guard teps.count < configuration.maxTEPs else {
            markedFull("teps", at, in: &limits)
            return nil
        }
        let i = Int32(teps.count)
        teps.append(TEPState(ip: ip))
        tepIndex[ip] = i
        return i
    }

    private mutating func segment(_ vni: UInt32, at: FrameRef) -> Int32? {
        if let i = segmentIndex[vni] { return i }
        guard segments.count < configuration.maxSegments else {
            limits.packetsInUntrackedSegments += 1
            markedFull("segments", at, in: &limits)
            return nil
        }
        let i = Int32(segments.count)
        segments.append(SegmentState(vni: vni))
        segmentIndex[vni] = i
        return i
    }

    // MARK: flows

    /// The flow key of an inner (or untunneled) level, the direction of this packet, and the A/B addresses.
    private func flowKey(_ l: LevelFacts, scope: UInt32) -> (FlowKey, Int, IPAddress?, IPAddress?)? {
        if l.hasARP, !l.hasIP {
            guard let s = l.arpSenderIP, let t = l.arpTargetIP else { return nil }
            let src = IPAddress.v4(s), dst = IPAddress.v4(t)
            let (k, d) = FlowKey.make(scope: scope, kind: .arp, proto: 0, family: 4, src: src.words, sport: 0, dst: dst.words, dport: 0)
            return (k, d, d == 0 ? src : dst, d == 0 ? dst : src)
        }
        if l.hasIP {
            var kind = FlowKind.otherIP
            var sport: UInt16 = 0, dport: UInt16 = 0
            var src = l.sourceIP, dst = l.destinationIP
            if l.hasPorts && !l.laterFragment && (l.proto == 6 || l.proto == 17) {
                kind = l.isTCP ? .tcp : .udp
                sport = l.sourcePort
                dport = l.destinationPort
            } else if l.hasICMP {
                kind = l.ipVersion == 4 ? .icmp : .icmpv6
                if let id = l.icmpIdentifier {
                    sport = id
                    dport = id
                } else if l.ipVersion == 6, l.icmpType == 135 || l.icmpType == 136, let target = l.ndTarget {
                    // Neighbor discovery pairs like ARP: solicitation (source → target), advertisement (target → asker).
                    kind = .neighborDiscovery
                    if l.icmpType == 135 { dst = .v6(target) } else { src = .v6(target) }
                }
            }
            let (k, d) = FlowKey.make(scope: scope, kind: kind, proto: l.proto, family: l.ipVersion,
                                      src: src.words, sport: sport, dst: dst.words, dport: dport)
            return (k, d, d == 0 ? src : dst, d == 0 ? dst : src)
        }
        if l.hasEthernet {
            let (k, d) = FlowKey.make(scope: scope, kind: .l2, proto: 0, family: 0, src: (0, l.sourceMAC.rawValue),
                                      sport: l.etherType, dst: (0, l.destinationMAC.rawValue), dport: l.etherType)
            return (k, d, nil, nil)
        }
        return nil
    }

    private mutating func noteFlow(_ l: LevelFacts, tunneled: Bool, tunnel: Int32, vni: UInt32, packet: DecodedPacket,
                                   frame: FrameInfo, at: FrameRef) {
        if tunneled && tunnel < 0 { return }
        let scope = tunneled ? vni : FlowKey.scope(vlan: l.vlan == FlowKey.noVLAN ? nil : l.vlan)
        guard let (key, direction, a, b) = flowKey(l, scope: scope) else { return }
        var f = -1
        if let i = flowIndex[key] {
            f = Int(i)
        } else if flows.count < configuration.maxFlows {
            f = flows.count
            var state = FlowState(key: key, addressA: a, addressB: b)
            state.firstDirection = direction
            state.encapsulation = tunneled ? tunnels[Int(tunnel)].encapsulation : nil
            flows.append(state)
            flowIndex[key] = Int32(f)
            switch key.flowKind {
            case .tcp, .udp, .icmp, .icmpv6: correlateNewFlow(f, direction: direction, at: at)
            default: break
            }
        } else {
            limits.packetsInUntrackedFlows += 1
            markedFull("flows", at, in: &limits)
        }
        var cachedEndpoint: Int32 = -1
        if f >= 0 {
            let innerBytes = l.startOffset >= 0 ? max(0, frame.wireLength - l.startOffset) : frame.wireLength
            let r = flows[f].record(direction: direction, l, tunnel: tunnel, bytes: innerBytes, ovn: packet.ovnPortKeys,
                                    frame: frame, at: at, maxEvidence: configuration.maxEvidencePerLeg)
            if r.newTunnel { tunnels[Int(tunnel)].innerFlows += 1 }
            if r.tunnelNotKept { limits.legTunnelsNotKept += 1 }
            cachedEndpoint = r.cachedEndpoint
        }
        if tunneled { learn(l, tunnel: tunnel, vni: vni, flow: f, direction: direction, cached: cachedEndpoint, frame: frame, at: at) }
    }

    // MARK: endpoint learning

    /// Learns the source endpoint behind the outer source TEP (as a switch does), its addresses, and the
    /// destination endpoint's address. The flow leg caches the source endpoint: while a leg keeps its tunnel
    /// and source MAC, no endpoint lookup is needed.
    private mutating func learn(_ l: LevelFacts, tunnel: Int32, vni: UInt32, flow: Int, direction: Int, cached: Int32,
                                frame: FrameInfo, at: FrameRef) {
        let sourceMAC: MACAddress
        if l.hasSourceMAC {
            sourceMAC = l.sourceMAC
        } else if let m = l.arpSenderMAC {
            sourceMAC = m
        } else {
            return
        }
        if l.hasARP || l.ndTarget != nil { announce(l, vni: vni, sourceMAC: sourceMAC, at: at) }
        guard !sourceMAC.isMulticast, sourceMAC != .zero else { return }

        var e = cached
        if e < 0 {
            guard let i = endpoint(EndpointKey(vni: vni, mac: sourceMAC), at: at) else {
                limits.packetsWithUntrackedEndpoint += 1
                return
            }
            e = i
            if l.hasIP, !l.sourceIP.isUnspecified, endpoints[Int(e)].sourcedIPs.insert(l.sourceIP, limit: configuration.maxIPsPerEndpoint) == .dropped {
                limits.endpointIPsNotKept += 1
            }
            if endpoints[Int(e)].firstSourceFrame == 0 { endpoints[Int(e)].firstSourceFrame = frame.number }
            noteDestination(l, vni: vni, tunnel: tunnel, at: at)
            if flow >= 0 { flows[flow].cache(direction: direction, tunnel: tunnel, sourceMAC: sourceMAC, endpoint: e) }
        }
        let sourceTEP = tunnels[Int(tunnel)].sourceTEP
        let previous = endpoints[Int(e)].sent(frame.wireLength, ttl: l.hasIP ? l.ttl : nil, from: sourceTEP, at: at)
        if previous >= 0 {
            let move = WorkloadMove(at: at, from: teps[Int(previous)].ip, to: teps[Int(sourceTEP)].ip, fromName: nil, toName: nil)
            if !endpoints[Int(e)].keep(move, limit: configuration.maxMovesPerEndpoint) { limits.movesNotKept += 1 }
        }
    }

    /// The destination MAC of a unicast frame owns the destination IP unless it is a router (decided at the end).
    private mutating func noteDestination(_ l: LevelFacts, vni: UInt32, tunnel: Int32, at: FrameRef) {
        guard l.hasEthernet, !l.destinationMAC.isMulticast, l.destinationMAC != .zero else { return }
        guard let d = endpoint(EndpointKey(vni: vni, mac: l.destinationMAC), at: at) else {
            limits.packetsWithUntrackedEndpoint += 1
            return
        }
        endpoints[Int(d)].destinationTEP = tunnels[Int(tunnel)].destinationTEP
        if l.hasIP, !l.destinationIP.isMulticast, !l.destinationIP.isUnspecified,
           endpoints[Int(d)].destinationIPs.insert(l.destinationIP, limit: configuration.maxIPsPerEndpoint) == .dropped {
            limits.endpointIPsNotKept += 1
        }
    }

    /// ARP senders and neighbor-discovery targets claim their addresses.
    private mutating func announce(_ l: LevelFacts, vni: UInt32, sourceMAC: MACAddress, at: FrameRef) {
        var claimed: IPAddress?
        var owner = sourceMAC
        if l.hasARP, let ip = l.arpSenderIP, ip.rawValue != 0 {
            claimed = .v4(ip)
            if let m = l.arpSenderMAC { owner = m }
        } else if l.icmpType == 136, let target = l.ndTarget {
            claimed = .v6(target)
            if let m = l.ndLinkAddress { owner = m }
        } else if l.icmpType == 135, l.hasIP, !l.sourceIP.isUnspecified {
            claimed = l.sourceIP
            if let m = l.ndLinkAddress { owner = m }
        }
        guard let ip = claimed, !owner.isMulticast, owner != .zero else { return }
        guard let e = endpoint(EndpointKey(vni: vni, mac: owner), at: at) else {
            limits.packetsWithUntrackedEndpoint += 1
            return
        }
        if endpoints[Int(e)].announcedIPs.insert(ip, limit: configuration.maxIPsPerEndpoint) == .dropped {
            limits.endpointIPsNotKept += 1
        }
    }

    private mutating func endpoint(_ key: EndpointKey, at: FrameRef) -> Int32? {
        if let i = endpointIndex[key] { return i }
        guard endpoints.count < configuration.maxEndpoints else {
            markedFull("endpoints", at, in: &limits)
            return nil
        }
        let i = Int32(endpoints.count)
        endpoints.append(EndpointState(key: key))
        endpointIndex[key] = i
        return i
    }

    // MARK: BFD

    private mutating func noteBFD(_ bfd: BFDControl, level: LevelFacts, carrier: LevelFacts, tunneled: Bool, vni: UInt32, at: FrameRef) {
        let ends = tunneled ? carrier : level
        guard ends.hasIP else { return }
        let s = ends.sourceIP, d = ends.destinationIP
        let key = BFDKey(a: min(s, d), b: max(s, d), tunneled: tunneled)
        let i: Int
        if let existing = bfdIndex[key] {
            i = Int(existing)
        } else {
            guard bfdSessions.count < configuration.maxBFDSessions else {
                limits.packetsInUntrackedBFDSessions += 1
                markedFull("bfd-sessions", at, in: &limits)
                return
            }
            i = bfdSessions.count
            bfdSessions.append(BFDSessionState(key: key, vni: tunneled ? vni : nil))
            bfdIndex[key] = Int32(i)
        }
        if !bfdSessions[i].observe(bfd, sender: s, at: at, maxTransitions: configuration.maxBFDTransitions) {
            limits.bfdTransitionsNotKept += 1
        }
    }

    // MARK: NAT correlation

    /// Offers a new IP flow to the NAT correlator: pairs it with a recent flow on the other side of an edge,
    /// or remembers it for a later one.
    private mutating func correlateNewFlow(_ f: Int, direction: Int, at: FrameRef) {
        let flow = flows[f]
        guard let src = flow.source(direction), let dst = flow.destination(direction) else { return }
        let ported = flow.key.flowKind == .tcp || flow.key.flowKind == .udp
        let tunneled = flow.key.isTunneled
        let candidate = NATCorrelator.Candidate(
            flow: Int32(f), time: at.time.totalNanoseconds,
            source: NATCorrelator.Key(address: src, port: ported ? flow.sourcePort(direction) : 0, proto: flow.key.proto),
            destination: NATCorrelator.Key(address: dst, port: ported ? flow.destinationPort(direction) : 0, proto: flow.key.proto))
        let window = Int64(configuration.natCorrelationWindow * 1e9)
        let peer = nat.match(candidate, tunneled: tunneled, window: window) { other in
            flows[Int(other)].natPeer < 0 && natPlausible(tunneled: tunneled ? f : Int(other), uplink: tunneled ? Int(other) : f)
        }
        if let p = peer {
            nat.consume(p, tunneled: !tunneled)
            flows[f].natPeer = p.flow
            flows[Int(p.flow)].natPeer = Int32(f)
        } else if !nat.remember(candidate, tunneled: tunneled, window: window, capacity: configuration.maxNATCandidates) {
            limits.natCandidatesNotKept += 1
        }
    }

    /// When the inventory declares SNAT rules, a tunnel leg from a covered address only pairs with an uplink
    /// leg sourced from the rule's address.
    private func natPlausible(tunneled t: Int, uplink u: Int) -> Bool {
        guard !snatRules.isEmpty else { return true }
        let tf = flows[t], uf = flows[u]
        guard let inside = tf.source(tf.firstDirection), let outside = uf.source(uf.firstDirection) else { return true }
        let covering = snatRules.filter { $0.from.contains(inside) }
        if covering.isEmpty { return true }
        return covering.contains { $0.to == outside } || inside == outside
    }
}
