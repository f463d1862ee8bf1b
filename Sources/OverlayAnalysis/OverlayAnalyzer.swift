import OverlayWire
import OverlayInventory
import OverlayReference

/// The analysis engine: one streaming pass over decoded frames (in time order, several files already
/// merged), memory bounded by flows and endpoints, never by packets. `finish` turns what was gathered into
/// an `AnalysisResult`: topology, routers and edges, per-flow paths and classes, BFD, problems, findings.
///
/// Per packet the work is a handful of hash lookups keyed by small structs (tunnel, flow, and endpoints
/// only when a flow leg changes TEP or MAC); no strings, no per-packet allocation once tables are warm.
public final class OverlayAnalyzer {
    let configuration: AnalysisConfiguration
    let inventory: Inventory
    let hasInventory: Bool
    let reference: ReferenceSwitch

    // Capture summary.
    var packets = 0
    var wireBytes = 0
    var capturedBytes = 0
    var tunneledPackets = 0
    var firstTime: Timestamp?
    var lastTime: Timestamp?
    var linkTypes: [LinkType] = []
    var packetsPerFile: [Int] = []

    // Tables: a dictionary from key to index, and the states in an array (mutated in place).
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
    var finishedResult: AnalysisResult?

    public init(configuration: AnalysisConfiguration = AnalysisConfiguration(), inventory: Inventory? = nil) {
        self.configuration = configuration
        self.inventory = inventory ?? Inventory()
        self.hasInventory = !(inventory?.isEmpty ?? true)
        self.reference = ReferenceSwitch(configuration: configuration.reference, inventory: inventory)
    }

    /// How much the analyzer holds now: sizes of its tables and the evidence frames kept. These grow with
    /// flows and endpoints, never with packets.
    public var footprint: AnalyzerFootprint {
        AnalyzerFootprint(teps: teps.count, tunnels: tunnels.count, segments: segments.count, endpoints: endpoints.count,
                          flows: flows.count, evidenceFrames: flows.reduce(0) { $0 + $1.ab.evidence.count + $1.ba.evidence.count },
                          bfdSessions: bfdSessions.count, problemKinds: problems.states.count, natCandidates: nat.count,
                          endpointMoves: endpoints.reduce(0) { $0 + $1.moves.count })
    }

    // MARK: ingest

    /// Feeds one decoded frame. Frames must come in capture (time) order.
    public func ingest(frame: FrameInfo, packet: DecodedPacket) {
        guard finishedResult == nil else { return }
        reference.observe(frame: frame, packet: packet)
        let at = FrameRef(frame: frame.number, time: frame.timestamp)
        noteCapture(frame)
        if !packet.problems.isEmpty {
            limits.problemSamplesNotKept += problems.note(packet.problems, frame: frame.number, maxSamples: configuration.maxProblemSamples)
        }

        var level = LevelFacts()
        var carrier = LevelFacts()
        var tunnel: Int32 = -1
        var tunneled = false
        var vni: UInt32 = 0
        var oam = false
        for layer in packet.layers {
            switch layer {
            case .geneve(let g):
                tunneled = true
                vni = g.vni
                oam = g.oam
                tunnel = noteTunnel(level, vni: vni, encapsulation: .geneve, geneve: g, packet: packet, frame: frame, at: at)
                carrier = level
                level = LevelFacts()
            case .vxlan(let v):
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
        if tunneled && tunnel < 0 { return }
        noteFlow(level, tunneled: tunneled, tunnel: tunnel, vni: vni, ovn: packet.ovnPortKeys, frame: frame, at: at)
    }

    private func noteCapture(_ frame: FrameInfo) {
        packets += 1
        wireBytes += frame.wireLength
        capturedBytes += frame.capturedLength
        if firstTime == nil { firstTime = frame.timestamp }
        if let l = lastTime, l > frame.timestamp {} else { lastTime = frame.timestamp }
        if linkTypes.last != frame.linkType && !linkTypes.contains(frame.linkType) { linkTypes.append(frame.linkType) }
        let file = max(0, frame.fileIndex)
        if file < 4096 {
            while packetsPerFile.count <= file { packetsPerFile.append(0) }
            packetsPerFile[file] += 1
        }
    }

    // MARK: tunnels and TEPs

    /// Counts one tunnel header on the TEP pair of the level that carries it; returns the tunnel index or -1.
    private func noteTunnel(_ outer: LevelFacts, vni: UInt32, encapsulation: TunnelEncapsulation, geneve: GeneveHeader?,
                            packet: DecodedPacket, frame: FrameInfo, at: FrameRef) -> Int32 {
        guard outer.hasIP else { return -1 }
        let key = TunnelKey(source: outer.sourceIP, destination: outer.destinationIP, vni: vni, encapsulation: encapsulation)
        let t: Int32
        if key == lastTunnelKey {
            t = lastTunnel
        } else if let i = tunnelIndex[key] {
            t = i
            lastTunnelKey = key
            lastTunnel = i
        } else {
            t = createTunnel(key, at: at)
            guard t >= 0 else {
                limits.packetsInUntrackedTunnels += 1
                return -1
            }
            lastTunnelKey = key
            lastTunnel = t
        }
        let bytes = frame.wireLength
        let ti = Int(t)
        tunnels[ti].packets += 1
        tunnels[ti].bytes += bytes
        if tunnels[ti].first.frame == 0 { tunnels[ti].first = at }
        tunnels[ti].last = at
        tunnels[ti].sourcePorts.insert(outer.sourcePort, limit: configuration.exactSourcePortLimit)
        tunnels[ti].ttls.insert(outer.ttl)
        if outer.ipVersion == 4 {
            if outer.dontFragment { tunnels[ti].dontFragment += 1 } else { tunnels[ti].fragmentable += 1 }
        }
        let outerLength = outer.ipLength > 0 ? outer.ipLength : frame.wireLength - outer.ipOffset
        if outerLength > tunnels[ti].largestOuter {
            tunnels[ti].largestOuter = outerLength
            tunnels[ti].largestOuterFrame = frame.number
        }
        if let g = geneve {
            if g.oam { tunnels[ti].oam += 1 }
            if g.critical { tunnels[ti].critical += 1 }
            if !g.optionIndices.isEmpty {
                for option in packet.options(of: g)
                where !tunnels[ti].countOption(option.optionClass, option.type, limit: configuration.maxOptionKindsPerTunnel) {
                    limits.optionKindsNotKept += 1
                }
            }
        }
        let s = Int(tunnels[ti].sourceTEP), d = Int(tunnels[ti].destinationTEP)
        teps[s].txPackets += 1
        teps[s].txBytes += bytes
        teps[s].touch(at)
        if outer.hasSourceMAC { teps[s].macs.insert(outer.sourceMAC) }
        teps[d].rxPackets += 1
        teps[d].rxBytes += bytes
        teps[d].touch(at)
        let g = Int(tunnels[ti].segment)
        segments[g].packets += 1
        segments[g].bytes += bytes
        if segments[g].first.frame == 0 { segments[g].first = at }
        segments[g].last = at
        return t
    }

    private func createTunnel(_ key: TunnelKey, at: FrameRef) -> Int32 {
        guard tunnels.count < configuration.maxTunnels else {
            markFull("tunnels", at)
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

    private func tep(_ ip: IPAddress, at: FrameRef) -> Int32? {
        if let i = tepIndex[ip] { return i }
        guard teps.count < configuration.maxTEPs else {
            markFull("teps", at)
            return nil
        }
        let i = Int32(teps.count)
        teps.append(TEPState(ip: ip))
        tepIndex[ip] = i
        return i
    }

    private func segment(_ vni: UInt32, at: FrameRef) -> Int32? {
        if let i = segmentIndex[vni] { return i }
        guard segments.count < configuration.maxSegments else {
            limits.packetsInUntrackedSegments += 1
            markFull("segments", at)
            return nil
        }
        let i = Int32(segments.count)
        segments.append(SegmentState(vni: vni))
        segmentIndex[vni] = i
        return i
    }

    func markFull(_ table: String, _ at: FrameRef) {
        if limits.tablesFull[table] == nil { limits.tablesFull[table] = at.frame }
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

    private func noteFlow(_ l: LevelFacts, tunneled: Bool, tunnel: Int32, vni: UInt32, ovn: OVNPortKeys?,
                          frame: FrameInfo, at: FrameRef) {
        let scope = tunneled ? vni : FlowKey.scope(vlan: l.vlan == FlowKey.noVLAN ? nil : l.vlan)
        guard let (key, direction, a, b) = flowKey(l, scope: scope) else { return }
        let f: Int
        if let i = flowIndex[key] {
            f = Int(i)
        } else {
            guard flows.count < configuration.maxFlows else {
                limits.packetsInUntrackedFlows += 1
                markFull("flows", at)
                if tunneled { learn(l, tunnel: tunnel, vni: vni, flow: -1, direction: direction, frame: frame, at: at) }
                return
            }
            f = flows.count
            var state = FlowState(key: key, addressA: a, addressB: b)
            state.firstDirection = direction
            state.encapsulation = tunneled ? tunnels[Int(tunnel)].encapsulation : nil
            flows.append(state)
            flowIndex[key] = Int32(f)
            if key.flowKind == .tcp || key.flowKind == .udp || key.flowKind == .icmp || key.flowKind == .icmpv6 {
                correlateNewFlow(f, direction: direction, at: at)
            }
        }
        let innerBytes = l.startOffset >= 0 ? max(0, frame.wireLength - l.startOffset) : frame.wireLength
        let newTunnel: Bool
        if direction == 0 {
            newTunnel = update(&flows[f].ab, l, tunnel: tunnel, bytes: innerBytes, ovn: ovn, frame: frame, at: at)
        } else {
            newTunnel = update(&flows[f].ba, l, tunnel: tunnel, bytes: innerBytes, ovn: ovn, frame: frame, at: at)
        }
        if newTunnel { tunnels[Int(tunnel)].innerFlows += 1 }
        if l.isTCP, flows[f].synDirection < 0, l.tcpFlags & TCPHeader.syn != 0, l.tcpFlags & TCPHeader.ack == 0 {
            flows[f].synDirection = direction
        }
        if tunneled { learn(l, tunnel: tunnel, vni: vni, flow: f, direction: direction, frame: frame, at: at) }
    }

    /// Updates one leg; returns true when the leg rode this tunnel for the first time.
    @inline(__always)
    private func update(_ leg: inout FlowLegState, _ l: LevelFacts, tunnel: Int32, bytes: Int, ovn: OVNPortKeys?,
                        frame: FrameInfo, at: FrameRef) -> Bool {
        if leg.packets == 0 {
            leg.first = at
            leg.evidence.reserveCapacity(configuration.maxEvidencePerLeg)
            if l.hasSourceMAC {
                leg.sourceMAC = l.sourceMAC
                if l.hasEthernet { leg.destinationMAC = l.destinationMAC }
            }
            leg.ovn = ovn
        }
        leg.packets += 1
        leg.bytes += bytes
        leg.last = at
        if leg.evidence.count < configuration.maxEvidencePerLeg { leg.evidence.append(frame.number) }
        if l.hasIP {
            if !leg.hasTTL {
                leg.hasTTL = true
                leg.ttlFirst = l.ttl
            }
            leg.ttlMin = min(leg.ttlMin, l.ttl)
            leg.ttlMax = max(leg.ttlMax, l.ttl)
        }
        leg.tcpFlags |= l.tcpFlags
        leg.fileMask |= 1 << UInt64(min(max(frame.fileIndex, 0), 63))
        guard tunnel >= 0 else { return false }
        if leg.tunnels.contains(tunnel) { return false }
        let inserted = leg.tunnels.insert(tunnel)
        if !inserted && leg.tunnels.overflowed && leg.cachedTunnel != tunnel { limits.legTunnelsNotKept += 1 }
        return inserted
    }

    // MARK: endpoint learning

    /// Learns the source endpoint behind the outer source TEP (as a switch does), its addresses, and the
    /// destination endpoint's address. Uses the flow leg as a cache: while a leg keeps its tunnel and source
    /// MAC, no endpoint lookup is needed.
    private func learn(_ l: LevelFacts, tunnel: Int32, vni: UInt32, flow: Int, direction: Int, frame: FrameInfo, at: FrameRef) {
        let sourceMAC: MACAddress
        if l.hasSourceMAC {
            sourceMAC = l.sourceMAC
        } else if let m = l.arpSenderMAC {
            sourceMAC = m
        } else {
            return
        }
        let sourceTEP = tunnels[Int(tunnel)].sourceTEP
        if l.hasARP || l.ndTarget != nil { announce(l, vni: vni, sourceMAC: sourceMAC, at: at) }
        guard !sourceMAC.isMulticast, sourceMAC != .zero else { return }

        var e: Int32 = -1
        if flow >= 0 {
            let leg = direction == 0 ? flows[flow].ab : flows[flow].ba
            if leg.cachedTunnel == tunnel && leg.cachedSourceMAC == sourceMAC.rawValue { e = leg.sourceEndpoint }
        }
        if e < 0 || flow < 0 {
            guard let i = endpoint(EndpointKey(vni: vni, mac: sourceMAC), at: at) else {
                limits.packetsWithUntrackedEndpoint += 1
                return
            }
            e = i
            if l.hasIP, !l.sourceIP.isUnspecified, !endpoints[Int(e)].sourcedIPs.insert(l.sourceIP, limit: configuration.maxIPsPerEndpoint),
               endpoints[Int(e)].sourcedIPs.items.count >= configuration.maxIPsPerEndpoint {
                limits.endpointIPsNotKept += 1
            }
            if endpoints[Int(e)].firstSourceFrame == 0 { endpoints[Int(e)].firstSourceFrame = frame.number }
            noteDestination(l, vni: vni, tunnel: tunnel, at: at)
            if flow >= 0 {
                if direction == 0 {
                    flows[flow].ab.cachedTunnel = tunnel
                    flows[flow].ab.cachedSourceMAC = sourceMAC.rawValue
                    flows[flow].ab.sourceEndpoint = e
                } else {
                    flows[flow].ba.cachedTunnel = tunnel
                    flows[flow].ba.cachedSourceMAC = sourceMAC.rawValue
                    flows[flow].ba.sourceEndpoint = e
                }
            }
        }
        let ei = Int(e)
        endpoints[ei].packetsSent += 1
        endpoints[ei].bytesSent += frame.wireLength
        if endpoints[ei].first.frame == 0 { endpoints[ei].first = at }
        endpoints[ei].last = at
        if l.hasIP {
            if EndpointState.isInitialTTL(l.ttl) { endpoints[ei].initialTTLFrames += 1 } else { endpoints[ei].otherTTLFrames += 1 }
        }
        if endpoints[ei].tep != sourceTEP {
            let previous = endpoints[ei].tep
            endpoints[ei].tep = sourceTEP
            _ = endpoints[ei].teps.insert(sourceTEP)
            if previous >= 0 {
                if endpoints[ei].moves.count < configuration.maxMovesPerEndpoint {
                    endpoints[ei].moves.append(WorkloadMove(at: at, from: teps[Int(previous)].ip, to: teps[Int(sourceTEP)].ip,
                                                            fromName: nil, toName: nil))
                } else {
                    endpoints[ei].movesNotKept += 1
                    limits.movesNotKept += 1
                }
            }
        }
    }

    /// The destination MAC of a unicast frame owns the destination IP unless it is a router (decided at the end).
    private func noteDestination(_ l: LevelFacts, vni: UInt32, tunnel: Int32, at: FrameRef) {
        guard l.hasEthernet, !l.destinationMAC.isMulticast, l.destinationMAC != .zero else { return }
        guard let d = endpoint(EndpointKey(vni: vni, mac: l.destinationMAC), at: at) else {
            limits.packetsWithUntrackedEndpoint += 1
            return
        }
        endpoints[Int(d)].destinationTEP = tunnels[Int(tunnel)].destinationTEP
        if l.hasIP, !l.destinationIP.isMulticast, !l.destinationIP.isUnspecified,
           !endpoints[Int(d)].destinationIPs.insert(l.destinationIP, limit: configuration.maxIPsPerEndpoint),
           endpoints[Int(d)].destinationIPs.items.count >= configuration.maxIPsPerEndpoint {
            limits.endpointIPsNotKept += 1
        }
    }

    /// ARP senders and neighbor-discovery targets claim their addresses.
    private func announce(_ l: LevelFacts, vni: UInt32, sourceMAC: MACAddress, at: FrameRef) {
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
        if !endpoints[Int(e)].announcedIPs.insert(ip, limit: configuration.maxIPsPerEndpoint),
           endpoints[Int(e)].announcedIPs.items.count >= configuration.maxIPsPerEndpoint {
            limits.endpointIPsNotKept += 1
        }
    }

    private func endpoint(_ key: EndpointKey, at: FrameRef) -> Int32? {
        if let i = endpointIndex[key] { return i }
        guard endpoints.count < configuration.maxEndpoints else {
            markFull("endpoints", at)
            return nil
        }
        let i = Int32(endpoints.count)
        endpoints.append(EndpointState(key: key))
        endpointIndex[key] = i
        return i
    }

    // MARK: BFD

    private func noteBFD(_ bfd: BFDControl, level: LevelFacts, carrier: LevelFacts, tunneled: Bool, vni: UInt32, at: FrameRef) {
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
                markFull("bfd-sessions", at)
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

    private func correlateNewFlow(_ f: Int, direction: Int, at: FrameRef) {
        let flow = flows[f]
        guard let src = flow.source(direction), let dst = flow.destination(direction) else { return }
        let ported = flow.key.flowKind == .tcp || flow.key.flowKind == .udp
        let candidate = NATCorrelator.Candidate(
            flow: Int32(f), time: at.time.totalNanoseconds,
            source: NATCorrelator.Key(address: src, port: ported ? flow.sourcePort(direction) : 0, proto: flow.key.proto),
            destination: NATCorrelator.Key(address: dst, port: ported ? flow.destinationPort(direction) : 0, proto: flow.key.proto))
        let window = Int64(configuration.natCorrelationWindow * 1e9)
        let (peer, dropped) = nat.offer(candidate, tunneled: flow.key.isTunneled, window: window,
                                        capacity: configuration.maxNATCandidates) { [self] other in
            flows[Int(other)].natPeer < 0 && natPlausible(tunneled: flow.key.isTunneled ? f : Int(other),
                                                         uplink: flow.key.isTunneled ? Int(other) : f)
        }
        if dropped { limits.natCandidatesNotKept += 1 }
        if let p = peer {
            flows[f].natPeer = p
            flows[Int(p)].natPeer = Int32(f)
        }
    }

    /// When the inventory declares SNAT rules, a tunnel leg from a covered address only pairs with an uplink
    /// leg sourced from the rule's address.
    private func natPlausible(tunneled t: Int, uplink u: Int) -> Bool {
        let rules = inventory.edges.flatMap(\.snat)
        guard !rules.isEmpty else { return true }
        let tf = flows[t], uf = flows[u]
        guard let inside = tf.source(tf.firstDirection), let outside = uf.source(uf.firstDirection) else { return true }
        let covering = rules.filter { $0.from.contains(inside) }
        if covering.isEmpty { return true }
        return covering.contains { $0.to == outside } || inside == outside
    }
}

/// Table sizes and stored evidence: what the analyzer's memory is made of.
public struct AnalyzerFootprint: Hashable, Sendable {
    public var teps: Int
    public var tunnels: Int
    public var segments: Int
    public var endpoints: Int
    public var flows: Int
    public var evidenceFrames: Int
    public var bfdSessions: Int
    public var problemKinds: Int
    public var natCandidates: Int
    public var endpointMoves: Int
}
