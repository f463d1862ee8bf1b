import OverlayWire
import OverlayTables
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
    var tunnelIndex = IndexTable()
    var tunnels: [TunnelState] = []
    var segmentIndex: [UInt32: Int32] = [:]
    var segments: [SegmentState] = []
    var endpointIndex: [EndpointKey: Int32] = [:]
    var endpoints: [EndpointState] = []
    /// Each endpoint's current TEP (switch learning), apart from the records so the per-packet check stays in cache.
    var endpointTEP: [Int32] = []
    var flowIndex = IndexTable(capacity: 4096)
    let keyHasher = KeyHasher()
    var flows: [FlowState] = []
    var bfdIndex: [BFDKey: Int32] = [:]
    var bfdSessions: [BFDSessionState] = []
    var problems = ProblemAggregator()
    var nat = NATCorrelator()
    var limits = AnalysisLimits()

    /// The tunnel of the previous packet: consecutive packets usually share it.
    private var lastTunnelKey: TunnelKey?
    private var lastTunnel: Int32 = -1
    /// Where `loadAhead`'s loads go (so they are not optimized away); never read.
    private var loadAheadSink: UInt64 = 0

    init(configuration: AnalysisConfiguration, inventory: Inventory) {
        self.configuration = configuration
        self.snatRules = inventory.edges.flatMap(\.snat)
    }

    /// A tunnel header with the level that carries it, not yet counted (the innermost one waits for the flow
    /// lookup, whose leg usually knows the tunnel's index already).
    struct PendingTunnel {
        var carrier: LevelFacts
        var vni: UInt32
        var encapsulation: TunnelEncapsulation
        /// A Geneve header's O and C bits and where its options sit in `DecodedPacket.geneveOptions` (VXLAN has
        /// none of these).
        var oam = false
        var critical = false
        var options: Range<Int> = 0..<0
    }

    /// Most packets ingested together; `AnalysisPipeline` hands over groups of this size.
    static let groupLimit = 32

    /// Applies `count` (≤ `groupLimit`) decoded frames in capture order, exactly as `ingest(frame:packet:)` one
    /// by one would, after loading ahead what their lookups will read (`loadAhead`).
    mutating func ingest(frames: UnsafePointer<FrameInfo>, packets: UnsafeMutablePointer<DecodedPacket>, count: Int) {
        loadAheadSink ^= loadAhead(packets, count: min(count, Self.groupLimit))
        for i in 0..<count {
            // `inout` (by address): passing `packets[i]` borrowed would copy it, retaining its arrays.
            ingest(frame: frames[i], packet: &packets[i])
        }
    }

    /// Loads, for a group of packets about to be ingested, the index slots and the hot bytes of the tunnel and
    /// flow records their steady-state lookups will read, one table level at a time over the whole group, so the
    /// cache misses of different packets overlap instead of each packet waiting for its own (dependent misses:
    /// index slot, then record, then the tunnel's source-port slot). Swift has no prefetch: these are plain
    /// loads whose values only feed a sink. Reads only; a wrong guess (a new flow) just loads a line for nothing.
    private func loadAhead(_ packets: UnsafePointer<DecodedPacket>, count: Int) -> UInt64 {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * Self.groupLimit) { scratch in
            let g = Self.groupLimit
            // Hashes (no memory but the packets, just decoded and in cache); direction 2: not the steady shape.
            for i in 0..<count {
                scratch[2 * g + i] = 2
                guard let s0 = packets[i].summary(level: 0), s0.hasTunnel, let s1 = packets[i].summary(level: 1), s1.hasIP else { continue }
                let isTCP = s1.contains(.tcp)
                guard isTCP || s1.contains(.udp) else { continue }
                let (tunnelKey, key, direction) = Self.steadyKeys(s0, s1, isTCP: isTCP)
                scratch[i] = Int(truncatingIfNeeded: tunnelKey.tableHash(keyHasher))
                scratch[g + i] = Int(truncatingIfNeeded: key.tableHash(keyHasher))
                scratch[2 * g + i] = direction
                scratch[3 * g + i] = s0.contains(.udp) || s0.contains(.tcp) ? Int(s0.sourcePort) : 0
            }
            // Index slots: independent loads.
            for i in 0..<count where scratch[2 * g + i] != 2 {
                scratch[i] = Int(tunnelIndex.candidate(UInt64(bitPattern: Int64(scratch[i]))))
                scratch[g + i] = Int(flowIndex.candidate(UInt64(bitPattern: Int64(scratch[g + i]))))
            }
            // Records: the lines the steady state touches.
            var sink: UInt64 = 0
            tunnels.withUnsafeBytes { tunnelBytes in
                flows.withUnsafeBytes { flowBytes in
                    let tunnelStride = MemoryLayout<TunnelState>.stride, flowStride = MemoryLayout<FlowState>.stride
                    let tunnelHot = TunnelState.hotBytes, keyHot = FlowState.keyBytes, legHot = FlowLegState.hotBytes
                    let legs = (FlowState.legOffset(0), FlowState.legOffset(1))
                    for i in 0..<count where scratch[2 * g + i] != 2 {
                        let t = scratch[i], f = scratch[g + i]
                        if t >= 0 && t < tunnels.count {
                            sink ^= Self.touch(tunnelBytes, from: t * tunnelStride, count: tunnelHot)
                        }
                        if f >= 0 && f < flows.count {
                            let base = f * flowStride
                            sink ^= Self.touch(flowBytes, from: base, count: keyHot)
                            sink ^= Self.touch(flowBytes, from: base + (scratch[2 * g + i] == 0 ? legs.0 : legs.1), count: legHot)
                        }
                    }
                }
            }
            // The tunnel's source-port set: its slot array hangs off the record loaded above.
            tunnels.withUnsafeBufferPointer { tunnels in
                for i in 0..<count where scratch[2 * g + i] != 2 && scratch[i] >= 0 && scratch[i] < tunnels.count {
                    sink &+= UInt64(tunnels[scratch[i]].sourcePorts.slotAhead(UInt16(truncatingIfNeeded: scratch[3 * g + i])))
                }
            }
            return sink
        }
    }

    /// One byte from each cache line of `bytes[from ..< from + count]`.
    @inline(__always)
    private static func touch(_ bytes: UnsafeRawBufferPointer, from: Int, count: Int) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        return CacheLines.touch(base + from, count: count)
    }

    /// Applies one decoded frame (capture order).
    mutating func ingest(frame: FrameInfo, packet: DecodedPacket) {
        var packet = packet
        ingest(frame: frame, packet: &packet)
    }

    /// `ingest(frame:packet:)` for a packet in place (a batch slot): `inout` is passed by address, where a
    /// borrowed argument read through a pointer is copied first (424 bytes and a retain of each array).
    mutating func ingest(frame: FrameInfo, packet: inout DecodedPacket) {
        let at = FrameRef(frame: frame.number, time: frame.timestamp)
        noteCapture(frame)
        if !packet.problems.isEmpty {
            limits.problemSamplesNotKept += problems.note(packet.problems, frame: frame.number, maxSamples: configuration.maxProblemSamples)
        }

        if ingestSteady(packet, frame: frame, at: at) { return }

        // The common shapes (no tunnel, or one) come from the decoder's level summaries; nested tunnels take
        // one pass over the layers, where each tunnel header closes a level. Outer tunnels of a nested stack are
        // counted at once; the innermost waits for the flow.
        var level = LevelFacts()
        var pending: PendingTunnel?
        if !readSummaries(packet, level: &level, pending: &pending) {
            walk(packet, frame: frame, at: at, level: &level, pending: &pending)
        }
        guard let tunnel = pending else {
            if let bfd = level.bfd { return noteBFD(bfd, sender: level, tunneled: false, vni: 0, at: at) }
            return noteFlow(level, tunnel: nil, packet: packet, frame: frame, at: at)
        }
        tunneledPackets += 1
        // BFD and OAM (control) packets are tunnel health, not workload traffic.
        if let bfd = level.bfd {
            _ = noteTunnel(tunnel, hint: -1, packet: packet, frame: frame, at: at)
            return noteBFD(bfd, sender: tunnel.carrier, tunneled: true, vni: tunnel.vni, at: at)
        }
        if tunnel.oam {
            _ = noteTunnel(tunnel, hint: -1, packet: packet, frame: frame, at: at)
            return
        }
        noteFlow(level, tunnel: tunnel, packet: packet, frame: frame, at: at)
    }

    /// The steady state of the common shape, read in place from the decoder's summaries: one Geneve or VXLAN
    /// tunnel carrying Ethernet + IP + TCP/UDP, of a flow leg already seen on this very tunnel with this source
    /// MAC, whose source endpoint sits behind the tunnel's source TEP. Such a packet only moves counters: the
    /// same updates the general path makes (no `LevelFacts`, no `PendingTunnel`, no table lookup but the
    /// flow's). Anything else returns false before changing anything, and takes the general path.
    @inline(__always)
    private mutating func ingestSteady(_ packet: DecodedPacket, frame: FrameInfo, at: FrameRef) -> Bool {
        guard let s0 = packet.summary(level: 0), s0.hasTunnel, s0.hasIP, !s0.tunnelOAM,
              let s1 = packet.summary(level: 1) else { return false }
        let isTCP = s1.contains(.tcp)
        guard !s1.hasTunnel, !s1.isEmpty, s1.contains(.ethernet), s1.hasIP, s1.fragmentOffset == 0,
              isTCP ? s1.ipProtocol.rawValue == 6 : (s1.contains(.udp) && s1.ipProtocol.rawValue == 17),
              !s1.contains(.icmp), !s1.contains(.icmpv6), !s1.contains(.arp), !s1.contains(.bfd) else { return false }
        let geneve = s0.contains(.geneve)
        // The tunnel is looked up by its own key before the flow, not through the flow leg's last tunnel: the
        // two lookups do not depend on each other, so their cache misses overlap instead of adding up.
        let (tunnelKey, key, direction) = Self.steadyKeys(s0, s1, isTCP: isTCP)
        let t: Int32
        if tunnelKey == lastTunnelKey {
            t = lastTunnel  // a burst on one tunnel: no lookup
        } else if let i = tunnelIndex.find(tunnelKey.tableHash(keyHasher), { tunnels[Int($0)].key == tunnelKey }) {
            t = i
        } else {
            return false
        }
        guard let found = flowIndex.find(key.tableHash(keyHasher), { flows[Int($0)].key == key }) else { return false }
        let f = Int(found)
        guard flows[f].lastTunnel(direction) == t else { return false }
        let ti = Int(t)
        let e = flows[f].cachedEndpoint(direction, tunnel: t, sourceMAC: s1.sourceMAC.rawValue)
        guard e >= 0, endpointTEP[Int(e)] == tunnels[ti].sourceTEP else { return false }
        // The header's C bit and options from the summary: reading the `Layer` back would copy the whole enum.
        let critical = geneve && s0.tunnelCritical
        let options = geneve ? s0.tunnelOptions.clamped(to: 0..<packet.geneveOptions.count) : 0..<0

        // From here on, what `noteTunnel`, `FlowState.record` and `learn` do for such a packet.
        tunneledPackets += 1
        lastTunnelKey = tunnelKey
        lastTunnel = t
        let wire = frame.wireLength
        let outerPorts = s0.contains(.udp) || s0.contains(.tcp)
        tunnels[ti].count(sourcePort: outerPorts ? s0.sourcePort : 0, ttl: s0.ttl, ipVersion: s0.ipVersion, dontFragment: s0.dontFragment,
                          outerLength: s0.ipLength > 0 ? s0.ipLength : wire - s0.ipOffset, wireLength: wire, at: at,
                          exactSourcePortLimit: configuration.exactSourcePortLimit)
        if geneve {
            if critical { tunnels[ti].critical += 1 }
            for i in options where !tunnels[ti].countOption(packet.geneveOptions[i].optionClass, packet.geneveOptions[i].type,
                                                            limit: configuration.maxOptionKindsPerTunnel) {
                limits.optionKindsNotKept += 1
            }
        }
        let outerMAC = s0.contains(.ethernet) || (s0.contains(.sll) && s0.sourceMAC.rawValue != 0)
        teps[Int(tunnels[ti].sourceTEP)].sent(wire, at: at, mac: outerMAC ? s0.sourceMAC : nil)
        teps[Int(tunnels[ti].destinationTEP)].received(wire, at: at)
        segments[Int(tunnels[ti].segment)].count(wire, at: at)
        flows[f].countSteady(direction: direction, isTCP: isTCP, tcpFlags: isTCP ? s1.tcpFlags : 0, ttl: s1.ttl,
                             bytes: s1.startOffset >= 0 ? max(0, wire - s1.startOffset) : wire, frame: frame, at: at,
                             maxEvidence: configuration.maxEvidencePerLeg)
        return true
    }

    /// The tunnel and flow keys of a packet of the steady shape (level 0 carries the tunnel, level 1 TCP or UDP),
    /// and the packet's direction in its flow.
    @inline(__always)
    static func steadyKeys(_ s0: LevelSummary, _ s1: LevelSummary, isTCP: Bool) -> (tunnel: TunnelKey, flow: FlowKey, direction: Int) {
        let vni = s0.tunnelVNI
        let tunnel = TunnelKey(source: s0.sourceIP, destination: s0.destinationIP, vni: vni,
                               encapsulation: s0.contains(.geneve) ? .geneve : .vxlan)
        let (flow, direction) = FlowKey.make(scope: vni, kind: isTCP ? .tcp : .udp, proto: s1.ipProtocol.rawValue, family: s1.ipVersion,
                                             src: s1.sourceIP.words, sport: s1.sourcePort, dst: s1.destinationIP.words,
                                             dport: s1.destinationPort)
        return (tunnel, flow, direction)
    }

    /// The common shapes from the decoder's summaries: no tunnel, or exactly one (the header that ends level 0)
    /// with no tunnel inside; nothing is copied out of the layers (a plain packet may have none, see
    /// `LayerRecording.unlessPlain`). False when the packet needs the layer walk.
    @inline(__always)
    private func readSummaries(_ packet: borrowing DecodedPacket, level: inout LevelFacts, pending: inout PendingTunnel?) -> Bool {
        guard let s0 = packet.summary(level: 0) else { return false }
        guard s0.hasTunnel else {
            level = LevelFacts(s0, in: packet)
            return true
        }
        guard let s1 = packet.summary(level: 1), !s1.hasTunnel else { return false }
        // A VXLAN header's summary has no O or C bit and no options.
        pending = PendingTunnel(carrier: LevelFacts(s0, in: packet), vni: s0.tunnelVNI,
                                encapsulation: s0.contains(.geneve) ? .geneve : .vxlan, oam: s0.tunnelOAM,
                                critical: s0.tunnelCritical, options: s0.tunnelOptions)
        level = LevelFacts(s1, in: packet)
        return true
    }

    /// The general case: every layer in order (nested tunnels, or packets built by hand).
    private mutating func walk(_ packet: DecodedPacket, frame: FrameInfo, at: FrameRef, level: inout LevelFacts,
                               pending: inout PendingTunnel?) {
        packet.layers.withUnsafeBufferPointer { layers in
            for i in 0..<layers.count {
                var geneve: GeneveHeader?
                var vxlan: VXLANHeader?
                level.absorb(layers[i], geneve: &geneve, vxlan: &vxlan)
                let header: PendingTunnel
                if let g = geneve {
                    header = PendingTunnel(carrier: level, vni: g.vni, encapsulation: .geneve, oam: g.oam, critical: g.critical,
                                           options: g.optionIndices)
                } else if let v = vxlan {
                    header = PendingTunnel(carrier: level, vni: v.vni, encapsulation: .vxlan)
                } else {
                    continue
                }
                if let outer = pending {
                    // A nested header that does not look like a tunnel is payload that happened to use the port.
                    guard geneve.map(Self.plausible) ?? vxlan.map(Self.plausible) ?? false else { return }
                    _ = noteTunnel(outer, hint: -1, packet: packet, frame: frame, at: at)
                }
                pending = header
                level = LevelFacts()
            }
        }
    }

    /// Whether a tunnel header found inside a tunnel is one (rather than inner UDP to port 6081/4789 whose
    /// payload is something else): version 0, no reserved flags, a protocol type a TEP delivers.
    static func plausible(_ g: GeneveHeader) -> Bool {
        guard g.version == 0 && g.reservedFlags == 0 && g.reserved == 0 else { return false }
        switch g.protocolType {
        case .transparentEthernet, .ipv4, .ipv6, .arp: return true
        default: return false
        }
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
    /// `hint` is the tunnel the flow leg rode last time: when its key matches, no table lookup is needed.
    private mutating func noteTunnel(_ p: PendingTunnel, hint: Int32, packet: DecodedPacket, frame: FrameInfo, at: FrameRef) -> Int32 {
        let outer = p.carrier
        guard outer.hasIP else { return -1 }
        let key = TunnelKey(source: outer.sourceIP, destination: outer.destinationIP, vni: p.vni, encapsulation: p.encapsulation)
        let t: Int32
        if hint >= 0 && tunnels[Int(hint)].key == key {
            t = hint
        } else if key == lastTunnelKey {
            t = lastTunnel
        } else if let i = tunnelIndex.find(key.tableHash(keyHasher), { tunnels[Int($0)].key == key }) {
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
        let ti = Int(t)
        let options = packet.geneveOptions[p.options.clamped(to: 0..<packet.geneveOptions.count)]
        limits.optionKindsNotKept += tunnels[ti].record(outer, oam: p.oam, critical: p.critical, options: options, wireLength: frame.wireLength,
                                                        at: at, configuration: configuration)
        teps[Int(tunnels[ti].sourceTEP)].sent(frame.wireLength, at: at, mac: outer.hasSourceMAC ? outer.sourceMAC : nil)
        teps[Int(tunnels[ti].destinationTEP)].received(frame.wireLength, at: at)
        segments[Int(tunnels[ti].segment)].count(frame.wireLength, at: at)
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
        tunnelIndex.insert(key.tableHash(keyHasher), index: t) { tunnels[Int($0)].key.tableHash(keyHasher) }
        return t
    }

    /// The index of `key` in a capped table, adding the record `make` builds when there is room; nil (and the
    /// table marked full) when there is none.
    private static func findOrAdd<Key: Hashable, Record>(_ key: Key, _ index: inout [Key: Int32], _ records: inout [Record],
                                                        cap: Int, table: String, at: FrameRef, limits: inout AnalysisLimits,
                                                        make: () -> Record) -> Int32? {
        if let i = index[key] { return i }
        guard records.count < cap else {
            if limits.tablesFull[table] == nil { limits.tablesFull[table] = at.frame }
            return nil
        }
        let i = Int32(records.count)
        records.append(make())
        index[key] = i
        return i
    }

    private mutating func tep(_ ip: IPAddress, at: FrameRef) -> Int32? {
        Self.findOrAdd(ip, &tepIndex, &teps, cap: configuration.maxTEPs, table: "teps", at: at, limits: &limits) { TEPState(ip: ip) }
    }

    private mutating func segment(_ vni: UInt32, at: FrameRef) -> Int32? {
        let i = Self.findOrAdd(vni, &segmentIndex, &segments, cap: configuration.maxSegments, table: "segments", at: at,
                               limits: &limits) { SegmentState(vni: vni) }
        if i == nil { limits.packetsInUntrackedSegments += 1 }
        return i
    }

    // MARK: flows

    /// The flow key of an inner (or untunneled) level, and the direction of this packet (the key holds the A/B addresses).
    private func flowKey(_ l: LevelFacts, scope: UInt32) -> (FlowKey, Int)? {
        if l.hasARP, !l.hasIP {
            guard let s = l.arpSenderIP, let t = l.arpTargetIP else { return nil }
            let src = IPAddress.v4(s), dst = IPAddress.v4(t)
            let (k, d) = FlowKey.make(scope: scope, kind: .arp, proto: 0, family: 4, src: src.words, sport: 0, dst: dst.words, dport: 0)
            return (k, d)
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
            return (k, d)
        }
        if l.hasEthernet {
            let (k, d) = FlowKey.make(scope: scope, kind: .l2, proto: 0, family: 0, src: (0, l.sourceMAC.rawValue),
                                      sport: l.etherType, dst: (0, l.destinationMAC.rawValue), dport: l.etherType)
            return (k, d)
        }
        return nil
    }

    private mutating func noteFlow(_ l: LevelFacts, tunnel pending: PendingTunnel?, packet: DecodedPacket, frame: FrameInfo,
                                   at: FrameRef) {
        let scope = pending?.vni ?? FlowKey.scope(vlan: l.vlan == FlowKey.noVLAN ? nil : l.vlan)
        guard let (key, direction) = flowKey(l, scope: scope) else {
            if let p = pending { _ = noteTunnel(p, hint: -1, packet: packet, frame: frame, at: at) }
            return
        }
        var f = -1
        let hash = key.tableHash(keyHasher)
        if let i = flowIndex.find(hash, { flows[Int($0)].key == key }) {
            f = Int(i)
        } else if flows.count < configuration.maxFlows {
            f = flows.count
            var state = FlowState(key: key)
            state.firstDirection = direction
            state.encapsulation = pending?.encapsulation
            flows.append(state)
            flowIndex.insert(hash, index: Int32(f)) { flows[Int($0)].key.tableHash(keyHasher) }
            switch key.flowKind {
            case .tcp, .udp, .icmp, .icmpv6: correlateNewFlow(f, direction: direction, at: at)
            default: break
            }
        } else {
            limits.packetsInUntrackedFlows += 1
            markedFull("flows", at, in: &limits)
        }
        var tunnel: Int32 = -1
        if let p = pending {
            tunnel = noteTunnel(p, hint: f >= 0 ? flows[f].lastTunnel(direction) : -1, packet: packet, frame: frame, at: at)
            guard tunnel >= 0 else { return }
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
        if let p = pending {
            learn(l, tunnel: tunnel, vni: p.vni, flow: f, direction: direction, cached: cachedEndpoint, frame: frame, at: at)
        }
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
        guard !sourceMAC.isMulticast, sourceMAC.rawValue != 0 else { return }

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
        // Per packet only the (small, cache-resident) current-TEP array is touched; the endpoint's counters are
        // folded in from its flow legs at the end, except for packets of flows the table could not track.
        let sourceTEP = tunnels[Int(tunnel)].sourceTEP
        let ei = Int(e)
        if flow < 0 {
            let innerBytes = l.startOffset >= 0 ? max(0, frame.wireLength - l.startOffset) : frame.wireLength
            endpoints[ei].count(innerBytes, ttl: l.hasIP ? l.ttl : nil, at: at)
        }
        guard endpointTEP[ei] != sourceTEP else { return }
        let previous = endpointTEP[ei]
        endpointTEP[ei] = sourceTEP
        endpoints[ei].learned(behind: sourceTEP, at: at)
        if previous >= 0 {
            let move = WorkloadMove(at: at, from: teps[Int(previous)].ip, to: teps[Int(sourceTEP)].ip, fromName: nil, toName: nil)
            if !endpoints[Int(e)].keep(move, limit: configuration.maxMovesPerEndpoint) { limits.movesNotKept += 1 }
        }
    }

    /// The destination MAC of a unicast frame owns the destination IP unless it is a router (decided at the end).
    private mutating func noteDestination(_ l: LevelFacts, vni: UInt32, tunnel: Int32, at: FrameRef) {
        guard l.hasEthernet, !l.destinationMAC.isMulticast, l.destinationMAC.rawValue != 0 else { return }
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
        guard let ip = claimed, !owner.isMulticast, owner.rawValue != 0 else { return }
        guard let e = endpoint(EndpointKey(vni: vni, mac: owner), at: at) else {
            limits.packetsWithUntrackedEndpoint += 1
            return
        }
        if endpoints[Int(e)].announcedIPs.insert(ip, limit: configuration.maxIPsPerEndpoint) == .dropped {
            limits.endpointIPsNotKept += 1
        }
    }

    private mutating func endpoint(_ key: EndpointKey, at: FrameRef) -> Int32? {
        let before = endpoints.count
        let i = Self.findOrAdd(key, &endpointIndex, &endpoints, cap: configuration.maxEndpoints, table: "endpoints", at: at,
                               limits: &limits) { EndpointState(key: key) }
        if endpoints.count > before { endpointTEP.append(-1) }
        return i
    }

    // MARK: BFD

    /// `sender`: the level whose addresses name the two ends (the carrier of a tunneled session).
    private mutating func noteBFD(_ bfd: BFDControl, sender: LevelFacts, tunneled: Bool, vni: UInt32, at: FrameRef) {
        guard sender.hasIP else { return }
        let s = sender.sourceIP, d = sender.destinationIP
        let key = BFDKey(a: min(s, d), b: max(s, d), tunneled: tunneled)
        guard let found = Self.findOrAdd(key, &bfdIndex, &bfdSessions, cap: configuration.maxBFDSessions, table: "bfd-sessions",
                                         at: at, limits: &limits, make: { BFDSessionState(key: key, vni: tunneled ? vni : nil) }) else {
            limits.packetsInUntrackedBFDSessions += 1
            return
        }
        let i = Int(found)
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

    /// Adds each flow leg's counters (packets, bytes, first/last, TTL kind) to the endpoint that sent it.
    /// Called once, at the end of the capture.
    mutating func foldLegsIntoEndpoints() {
        for f in flows.indices {
            for leg in [flows[f].ab, flows[f].ba] where leg.seen && leg.sourceEndpoint >= 0 {
                endpoints[Int(leg.sourceEndpoint)].fold(leg)
            }
        }
    }
}
