import OverlayWire

/// One captured direction of one flow record, resolved for the end-of-capture assembly. A reference: a
/// group lists its legs several ways (by direction, tunneled or not) without copying them.
final class LegInfo {
    let record: Int
    let direction: Int
    /// In the initiator's direction.
    let forward: Bool
    /// Position in the group's legs (and in `Flow.legs`).
    var index = 0
    let state: FlowLegState
    /// The leg's evidence frames, built once (every hop of the leg shares the array).
    let evidence: [Int]
    let key: FlowKey
    let encapsulation: TunnelEncapsulation?
    let source: IPAddress?
    let destination: IPAddress?
    let sourcePort: UInt16
    let destinationPort: UInt16
    let sourceTEPs: [IPAddress]
    let destinationTEPs: [IPAddress]

    init(record: Int, direction: Int, forward: Bool, state: FlowLegState, key: FlowKey, encapsulation: TunnelEncapsulation?,
         source: IPAddress?, destination: IPAddress?, sourcePort: UInt16, destinationPort: UInt16, sourceTEPs: [IPAddress],
         destinationTEPs: [IPAddress]) {
        self.record = record
        self.direction = direction
        self.forward = forward
        self.state = state
        self.evidence = state.evidence.frames
        self.key = key
        self.encapsulation = encapsulation
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sourceTEPs = sourceTEPs
        self.destinationTEPs = destinationTEPs
    }

    var tunneled: Bool { key.isTunneled }
    var vni: UInt32? { key.vni }
    var vlan: UInt16? { key.vlan }
    var first: FrameRef { state.first }
    var ttl: UInt8? { state.hasTTL ? state.ttlFirst : nil }
    var hasPorts: Bool { key.flowKind == .tcp || key.flowKind == .udp }
}

/// The flow records that make up one logical flow (routed legs in several VNIs, the uplink leg beyond a NAT),
/// with every captured direction labelled forward or reverse.
struct FlowGroup {
    let records: [Int]
    /// Seen legs in order of first frame, and the same split by direction and by tunneling (computed once).
    let legs: [LegInfo]
    let forwardLegs: [LegInfo]
    let reverseLegs: [LegInfo]
    let tunneledLegs: [LegInfo]
    let uplinkLegs: [LegInfo]
    let kind: FlowKind
    let proto: UInt8
    /// The record and direction that define "forward".
    let anchor: Int
    let anchorDirection: Int

    init(records: [Int], legs: [LegInfo], kind: FlowKind, proto: UInt8, anchor: Int, anchorDirection: Int) {
        self.records = records
        self.legs = legs
        forwardLegs = legs.filter(\.forward)
        reverseLegs = legs.filter { !$0.forward }
        tunneledLegs = legs.filter(\.tunneled)
        uplinkLegs = legs.filter { !$0.tunneled }
        self.kind = kind
        self.proto = proto
        self.anchor = anchor
        self.anchorDirection = anchorDirection
    }

    /// What a group is replaced by once its flow is built (no legs, nothing allocated).
    static var released: FlowGroup { FlowGroup(records: [], legs: [], kind: .otherIP, proto: 0, anchor: 0, anchorDirection: 0) }

    var first: Int { legs.first?.first.frame ?? .max }
    var isAddressResolution: Bool { kind == .arp || kind == .neighborDiscovery }
}

extension OverlayAnalyzer {
    /// Joins flow records into logical flows: NAT-correlated pairs, and the legs of one IP 5-tuple in several
    /// VNIs when a router MAC is involved (a routed flow changes VNI; overlapping tenant address spaces
    /// without a router between them stay apart).
    func groupFlows(_ model: TopologyModel, threads: Int = 1) -> [FlowGroup] {
        var parent = Array(0..<flows.count)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        func union(_ a: Int, _ b: Int) {
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        for (i, f) in flows.enumerated() where f.natPeer >= 0 { union(i, Int(f.natPeer)) }
        var routedBuckets: [FlowKey: [Int]] = [:]
        var plainBuckets: [FlowKey: [Int]] = [:]
        for (i, f) in flows.enumerated() where f.key.isTunneled {
            switch f.key.flowKind {
            case .tcp, .udp, .icmp, .icmpv6, .otherIP: break
            default: continue
            }
            let routed = model.isRouter(f.ab.sourceMAC) || model.isRouter(f.ab.destinationMAC)
                || model.isRouter(f.ba.sourceMAC) || model.isRouter(f.ba.destinationMAC)
            if routed { routedBuckets[f.key.unscoped, default: []].append(i) } else { plainBuckets[f.key.unscoped, default: []].append(i) }
        }
        for (_, members) in routedBuckets where members.count > 1 {
            for m in members.dropFirst() { union(members[0], m) }
        }
        // Asymmetric tunnel keys: one direction in one VNI, the other in another, between the same two MACs.
        for (_, members) in plainBuckets where members.count == 2 {
            let x = flows[members[0]], y = flows[members[1]]
            guard let dx = x.onlyDirection, let dy = y.onlyDirection, dx != dy else { continue }
            let lx = x.leg(dx), ly = y.leg(dy)
            if lx.sourceMAC != nil, lx.sourceMAC == ly.destinationMAC, lx.destinationMAC == ly.sourceMAC { union(members[0], members[1]) }
        }
        // Members of each component in record order, components in order of their root (no hashing).
        var componentOfRoot = [Int](repeating: -1, count: flows.count)
        var components: [[Int]] = []
        for i in flows.indices {
            let root = find(i)
            if componentOfRoot[root] < 0 {
                componentOfRoot[root] = components.count
                components.append([i])
            } else {
                components[componentOfRoot[root]].append(i)
            }
        }
        // In order of first frame, so the flows come out sorted without moving the (large) Flow values. No two
        // groups with legs share a first frame (a frame belongs to one record), so the order does not depend on
        // the order the components were listed in.
        var groups = makeGroups(components, threads: threads)
        groups.sort { $0.first < $1.first }
        return groups
    }

    /// One group per component; with `threads` ≥ 2 the second half is made on another core (groups are independent).
    private func makeGroups(_ components: [[Int]], threads: Int) -> [FlowGroup] {
        let n = components.count
        guard n > 0 else { return [] }
        return [FlowGroup](unsafeUninitializedCapacity: n) { buffer, count in
            let groups = buffer.baseAddress!
            let tunnelCount = tunnels.count
            _ = SecondThread<Void>.inHalves(count: n, threads: threads) { range in
                var tepLists = TEPLists(tunnels: tunnelCount)
                for i in range { (groups + i).initialize(to: makeGroup(components[i], tepLists: &tepLists)) }
            }
            count = n
        }
    }

    /// `tepLists` interns the TEP lists of legs: most flows cross the same few TEP pairs.
    private func makeGroup(_ records: [Int], tepLists: inout TEPLists) -> FlowGroup {
        // Forward is the first SYN's direction, else the direction of the earliest packet.
        var anchor = records[0], anchorDirection = flows[records[0]].firstDirection
        var best = Int.max
        var bestIsSYN = false
        for r in records {
            let f = flows[r]
            let firstFrame = min(f.ab.seen ? f.ab.first.frame : .max, f.ba.seen ? f.ba.first.frame : .max)
            let isSYN = f.synDirection >= 0
            if (isSYN && !bestIsSYN) || (isSYN == bestIsSYN && firstFrame < best) {
                anchor = r
                anchorDirection = f.forwardDirection
                best = firstFrame
                bestIsSYN = isSYN
            }
        }
        let a = flows[anchor]
        let initiator = (a.source(anchorDirection), a.sourcePort(anchorDirection))
        let responder = (a.destination(anchorDirection), a.destinationPort(anchorDirection))

        func isForward(_ r: Int, _ d: Int) -> Bool {
            if r == anchor { return d == anchorDirection }
            let f = flows[r]
            let s = (f.source(d), f.sourcePort(d)), t = (f.destination(d), f.destinationPort(d))
            if s == initiator || t == responder { return true }
            if s == responder || t == initiator { return false }
            if f.source(d) == initiator.0 || f.destination(d) == responder.0 { return true }
            if f.source(d) == responder.0 || f.destination(d) == initiator.0 { return false }
            return d == f.forwardDirection
        }

        var legs: [LegInfo] = []
        legs.reserveCapacity(records.count * 2)
        for r in records {
            let f = flows[r]
            for d in 0..<2 where f.leg(d).seen {
                let state = f.leg(d)
                var sources: [IPAddress], destinations: [IPAddress]
                if state.tunnels.count == 1, let t = state.tunnels.first {
                    (sources, destinations) = tepLists.ofTunnel(Int(t), tunnels[Int(t)].key)
                } else {
                    sources = []
                    destinations = []
                    for t in state.tunnels.elements {
                        let k = tunnels[Int(t)].key
                        if !sources.contains(k.source) { sources.append(k.source) }
                        if !destinations.contains(k.destination) { destinations.append(k.destination) }
                    }
                    sources = tepLists.shared(sources)
                    destinations = tepLists.shared(destinations)
                }
                legs.append(LegInfo(record: r, direction: d, forward: isForward(r, d), state: state, key: f.key,
                                    encapsulation: f.encapsulation, source: f.source(d), destination: f.destination(d),
                                    sourcePort: f.sourcePort(d), destinationPort: f.destinationPort(d),
                                    sourceTEPs: sources, destinationTEPs: destinations))
            }
        }
        legs.sort { $0.first.frame < $1.first.frame }
        for (i, leg) in legs.enumerated() { leg.index = i }
        return FlowGroup(records: records.sorted(), legs: legs, kind: a.key.flowKind, proto: a.key.proto,
                         anchor: anchor, anchorDirection: anchorDirection)
    }
}

/// The TEP lists of legs, one array per distinct list: most flows cross the same few TEP pairs, and most legs
/// a single tunnel (its lists are kept by tunnel index, so those legs neither build nor hash an array).
struct TEPLists {
    private var interned: [[IPAddress]: [IPAddress]] = [:]
    private var byTunnel: [(sources: [IPAddress], destinations: [IPAddress])?]

    init(tunnels: Int) { byTunnel = Array(repeating: nil, count: tunnels) }

    mutating func shared(_ list: [IPAddress]) -> [IPAddress] {
        if let known = interned[list] { return known }
        interned[list] = list
        return list
    }

    /// The source and destination TEP lists of a leg that crossed only tunnel `index`.
    mutating func ofTunnel(_ index: Int, _ key: TunnelKey) -> (sources: [IPAddress], destinations: [IPAddress]) {
        if let known = byTunnel[index] { return known }
        let lists = (sources: shared([key.source]), destinations: shared([key.destination]))
        byTunnel[index] = lists
        return lists
    }
}
