import OverlayInventory
import OverlayWire

/// Tunables of the reference switch. Defaults suit NSX and OVN overlays; time values are in seconds.
public struct ReferenceSwitchConfiguration: Sendable, Hashable {
    /// Largest outer IP packet the underlay carries (NSX requires at least 1600).
    public var underlayMTU = 1600
    /// Bounds on model state: beyond them new items are counted in `ReferenceSwitch.droppedState`, not tracked.
    public var maxTrackedTEPs = 65_536
    public var maxTrackedSegments = 65_536
    public var maxTrackedMACs = 262_144
    public var maxTrackedFlows = 262_144
    public var maxPendingConversations = 65_536
    public var maxOpenReplicationGroups = 8_192
    /// Size of the direct-mapped caches of recent frames (copies, TTL comparison, ICMP matching).
    public var recentFrameSlots = 16_384
    /// Copies of one frame sent head-end by one TEP arrive within this window (they leave back to back).
    public var replicationWindow = 0.010
    /// Two sightings of one inner packet (two capture points) are compared within this window.
    public var copyWindow = 2.0
    /// A MAC that returns to a TEP it left within this window is flapping.
    public var flapWindow = 60.0
    /// A request is unanswered only if the capture went on this long after it.
    public var answerTimeout = 1.0
    /// A frame sent to a MAC's new TEP up to this long before the capture shows the MAC there is not a
    /// misdelivery: the control plane told the sender first (vMotion).
    public var locationGrace = 1.0
    /// NSX two-tier replication: only TEPs in the source TEP's own subnet (this prefix) are owed a direct
    /// copy of a BUM frame; the others get theirs from a proxy TEP. 0 = every TEP (pure head-end, OVN).
    public var tepSubnetPrefixLengthV4 = 24
    public var tepSubnetPrefixLengthV6 = 64
    /// A TEP that took part in a segment within this long before a BUM frame is still owed a copy.
    public var membershipHorizon = 60.0
    /// The capture shows every tunnel packet between any two TEPs (a tap or span of the whole underlay, or
    /// captures of every TEP merged). Off by default: a missing copy or answer is then only judged where the
    /// capture itself shows that the capture point would have seen it.
    public var completeUnderlayView = false
    /// Frames listed per finding (the message gives the total).
    public var maxEvidenceFrames = 8
    /// Distinct findings kept per rule.
    public var maxFindingsPerKind = 200

    public init(underlayMTU: Int = 1600) {
        self.underlayMTU = underlayMTU
    }
}

/// How much state the model declined to track because a bound was reached. All zero on ordinary captures;
/// anything else means some findings may be missing (never that a finding is wrong).
public struct ReferenceSwitchDroppedState: Sendable, Hashable {
    public var untrackedTEPs = 0
    public var untrackedSegments = 0
    public var untrackedMACs = 0
    public var untrackedFlows = 0
    public var untrackedRequests = 0
    public var replicationGroupsClosedEarly = 0
    public var unjudgedReplicationGroups = 0

    public var isEmpty: Bool { self == ReferenceSwitchDroppedState() }

    /// One line for reports, e.g. "1200 MACs, 40 flows not tracked (model limits reached)".
    public var summary: String {
        let parts = [(untrackedTEPs, "TEP"), (untrackedSegments, "segment"), (untrackedMACs, "MAC"), (untrackedFlows, "flow"), (untrackedRequests, "request"),
                     (replicationGroupsClosedEarly + unjudgedReplicationGroups, "replication group")]
            .filter { $0.0 > 0 }.map { plural($0.0, $0.1) }
        return parts.isEmpty ? "nothing dropped" : parts.joined(separator: ", ") + " not tracked (model limits reached)"
    }
}

/// The embedded reference switch: a deterministic, offline model of distributed logical switching as NSX and
/// OVN do it. Replay a capture through it in time order (`observe`), then ask where reality and the model
/// disagree (`finish`).
///
/// The rules live with the parts that apply them, each readable on its own:
/// `LogicalSwitchModel` (learning, known unicast, BUM replication), `SegmentSpan` (which TEPs take part in a
/// segment, where the capture point is), `MACMobility` (moves, flaps, duplicates),
/// `DistributedRouterModel` (routing on the source host, router MACs, VNI mismatch), `EdgeModel` (north-south
/// through an edge), `TTLModel`, `GeneveRules` (RFC 8926), `MTUModel`, `ConversationTracker` (one-way
/// requests) and `IntentModel` (the inventory against the capture). BFD and Geneve OAM packets are control
/// traffic between TEPs and are not switched.
///
/// `observe` is O(1) amortised and allocates nothing for the common frame (known unicast between learnt
/// MACs); all state is bounded by `ReferenceSwitchConfiguration`.
public final class ReferenceSwitch {
    public let configuration: ReferenceSwitchConfiguration
    public let inventory: Inventory?
    /// Every model's state in one value: `observe` mutates it through one exclusive access per packet, where
    /// the class's own stored properties each cost a dynamic exclusivity check per access.
    private var models: ReferenceModels
    private var result: [Finding]?
    /// What the group path works out for each frame of a group before replaying it (see `ReferenceModels.prepare`).
    private let prepared = UnsafeMutablePointer<PreparedPacket>.allocate(capacity: ReferenceModels.groupLimit)

    public init(configuration: ReferenceSwitchConfiguration = .init(), inventory: Inventory? = nil) {
        self.configuration = configuration
        self.inventory = inventory
        models = ReferenceModels(configuration: configuration, inventory: inventory)
        prepared.initialize(repeating: PreparedPacket(), count: ReferenceModels.groupLimit)
    }

    deinit {
        prepared.deinitialize(count: ReferenceModels.groupLimit)
        prepared.deallocate()
    }

    /// Replays one decoded frame. Frames must come in capture time order.
    public func observe(frame: FrameInfo, packet: DecodedPacket) {
        models.observe(frame: frame, packet: packet)
    }

    /// Replays `count` decoded frames, in capture order, with the same result as `observe(frame:packet:)` for
    /// each; faster: in groups of `ReferenceModels.groupLimit` whose lookups are loaded ahead, so their cache
    /// misses overlap. The packets are left as they were.
    public func observe(frames: UnsafePointer<FrameInfo>, packets: UnsafeMutablePointer<DecodedPacket>, count: Int) {
        var start = 0
        while start < count {
            let n = min(ReferenceModels.groupLimit, count - start)
            models.observe(frames: frames + start, packets: packets + start, count: n, prepared: prepared)
            start += n
        }
    }

    /// Ends the replay: closes open replication groups, decides which MACs are routers', and returns every
    /// disagreement, sorted by first frame. Calling it again returns the same findings.
    public func finish() -> [Finding] {
        if let result { return result }
        models.flushLearning()
        models.logicalSwitch.flush()
        let v = verdicts()
        var all = models.headers.findings()
        all += models.mtu.findings(v)
        all += models.logicalSwitch.findings(v)
        all += MACMobility(flapWindow: configuration.flapWindow.nanoseconds, evidenceLimit: configuration.maxEvidenceFrames)
            .findings(models.logicalSwitch.table, v)
        all += models.router.findings(v)
        let drift = models.router.ttlFindings(v)
        all += drift.findings
        all += models.ttl.findings(v, reported: drift.pairs)
        all += models.conversations.findings(end: models.lastTime, v)
        if let intent = models.intent { all += intent.findings(v) }
        all.sort { a, b in
            (a.frames.first ?? 0, a.kind, a.message) < (b.frames.first ?? 0, b.kind, b.message)
        }
        result = all
        return all
    }

    private func verdicts() -> ModelVerdicts {
        ModelVerdicts(routerMACs: routerMACs, edgeTEPs: models.edges.edgeTEPs(models.teps), transitVNIs: models.edges.transitVNIs,
                      naming: Naming(inventory: inventory), teps: models.teps, span: models.span,
                      completeUnderlayView: configuration.completeUnderlayView,
                      membershipHorizon: configuration.membershipHorizon.nanoseconds,
                      locationGrace: configuration.locationGrace.nanoseconds,
                      tepSubnetPrefixV4: configuration.tepSubnetPrefixLengthV4,
                      tepSubnetPrefixV6: configuration.tepSubnetPrefixLengthV6)
    }

    /// What the model believes are router MACs: declared in the inventory, NSX's default DR MAC, or learnt
    /// from behaviour (see `DistributedRouterModel`). Computed from the frames observed so far.
    public var routerMACs: Set<MACAddress> {
        models.flushLearning()
        return models.router.routerMACs(models.logicalSwitch.table)
    }

    /// TEPs the model treats as edges (declared, or learnt from outside traffic), by underlay address.
    public var edgeTEPs: Set<IPAddress> { Set(models.edges.edgeTEPs(models.teps).map { models.teps.address($0) }) }

    /// Where the model delivers known unicast for `mac` in `vni` now: the TEP it was last a source behind
    /// (or the inventory's, until the capture shows it).
    public func location(of mac: MACAddress, vni: UInt32) -> IPAddress? {
        models.logicalSwitch.table.location(vni: vni, mac: mac).map { models.teps.address($0.tep) }
    }

    /// State not tracked because a bound in the configuration was reached.
    public var droppedState: ReferenceSwitchDroppedState {
        ReferenceSwitchDroppedState(
            untrackedTEPs: models.teps.dropped, untrackedSegments: models.span.dropped, untrackedMACs: models.logicalSwitch.table.dropped,
            untrackedFlows: models.router.droppedFlows,
            untrackedRequests: models.conversations.dropped, replicationGroupsClosedEarly: models.logicalSwitch.closedEarly,
            unjudgedReplicationGroups: models.logicalSwitch.unjudgedGroups)
    }
}

/// The models of the reference switch and their per-frame rules (see `ReferenceSwitch`).
struct ReferenceModels {
    var teps: TunnelEndpointTable
    var logicalSwitch: LogicalSwitchModel
    var router: DistributedRouterModel
    var edges: EdgeModel
    var ttl: TTLModel
    var headers: GeneveRules
    var mtu: MTUModel
    var conversations: ConversationTracker
    var intent: IntentModel?
    var span: SegmentSpan
    var shapes: PacketShapeCache
    var lastTime: Nanos = 0
    /// Counts learnt source frames: their order, for `MACLearnCache`.
    var sequence = 0
    /// Where the group path's loads ahead go (so they are not optimized away); never read. Per instance: a
    /// shared static would be written by every reference thread at once.
    var loadAheadSink = 0

    init(configuration: ReferenceSwitchConfiguration, inventory: Inventory?) {
        teps = TunnelEndpointTable(limit: configuration.maxTrackedTEPs)
        span = SegmentSpan(limit: configuration.maxTrackedSegments)
        shapes = PacketShapeCache(limit: configuration.maxTrackedFlows)
        logicalSwitch = LogicalSwitchModel(configuration: configuration)
        router = DistributedRouterModel(configuration: configuration, inventory: inventory)
        edges = EdgeModel(inventory: inventory)
        ttl = TTLModel(configuration: configuration)
        headers = GeneveRules(evidenceLimit: configuration.maxEvidenceFrames)
        mtu = MTUModel(configuration: configuration)
        conversations = ConversationTracker(configuration: configuration)
        if let inventory, !inventory.isEmpty {
            intent = IntentModel(inventory: inventory, configuration: configuration)
            // What the control plane tells every host before any packet flows: the declared workloads' locations.
            for w in inventory.workloads {
                guard let mac = w.mac, let vni = w.vni, let tep = w.tep, let id = teps.intern(tep) else { continue }
                logicalSwitch.table.seed(vni: vni, mac: mac, tep: id)
            }
        }
    }

    /// Replays one decoded frame. Frames must come in capture time order.
    mutating func observe(frame: FrameInfo, packet: DecodedPacket) {
        var packet = packet
        observe(frame: frame, packet: &packet, prepared: nil)
    }

    /// `prepared`: what `prepare` worked out for this frame (its inner frame, TEPs and shape hash), or nil.
    /// `packet` is `inout` only to be passed by address (a batch slot is not copied); it is not changed.
    @inline(__always)
    mutating func observe(frame: FrameInfo, packet: inout DecodedPacket, prepared: UnsafeMutablePointer<PreparedPacket>?) {
        let number = frame.number
        let time = frame.timestamp.totalNanoseconds
        lastTime = max(lastTime, time)
        var verdict = GeneveRules.Verdict.accept
        if !packet.problems.isEmpty { verdict = headers.inspect(packet.problems, frame: number) }

        // The decoder's level summaries when it filled them in (always, unless the layers were edited by hand):
        // plain fields instead of NetworkLevels built from the layers.
        let vni: UInt32, oam: Bool, outerSource: IPAddress, outerDestination: IPAddress, outer: MTUModel.OuterPacket
        if let s0 = packet.summary(level: 0) {
            guard s0.hasTunnel, s0.hasIP else { return observeUntunneled(number: number, time: time, outer: packet.level(0)) }
            (vni, oam, outerSource, outerDestination, outer) = (s0.tunnelVNI, s0.tunnelOAM, s0.sourceIP, s0.destinationIP, .init(s0))
        } else {
            let level = packet.level(0)
            guard let tunnel = level.tunnel, let s = level.sourceIP, let d = level.destinationIP else {
                return observeUntunneled(number: number, time: time, outer: level)
            }
            (vni, oam, outerSource, outerDestination, outer) = (tunnel.vni, tunnel.geneve?.oam == true, s, d, .init(level))
        }
        // TEPs the prepare pass found are the ones `intern` would find (ids never change), without its side effects.
        let source: TEPID, destination: TEPID
        if let prepared, prepared.pointee.source >= 0 {
            (source, destination) = (prepared.pointee.source, prepared.pointee.destination)
        } else {
            guard let s = teps.intern(outerSource), let d = teps.intern(outerDestination) else { return }
            (source, destination) = (s, d)
        }
        // Counted per TEP pair further down for switched frames (the shape caches the pair's slot); here for the others.
        var pairSlot: Int32 = -1
        mtu.observeTunnel(frame: number, outer: outer, vni: vni, from: source, to: destination,
                          sourceIP: outerSource, destinationIP: outerDestination)
        // Geneve OAM packets are TEP-to-TEP control traffic (often in a VNI of their own); a must-drop packet
        // never reaches a workload.
        intent?.observeTunnel(frame: number, vni: oam ? nil : vni, from: source, to: destination, teps: teps)
        if oam || verdict == .mustDrop {
            teps.noteTunnelPacket(from: source, to: destination, dontFragment: outer.dontFragment, slot: &pairSlot)
            return
        }
        // The prepared inner frame is read in place (a copy of it cost a store-forwarding stall per packet).
        if let prepared, prepared.pointee.hasInner {
            observeInner(number: number, time: time, vni: vni, from: source, to: destination, dontFragment: outer.dontFragment,
                         inner: prepared.pointee.inner, fingerprint: prepared.pointee.fingerprint,
                         shapeHash: prepared.pointee.source >= 0 ? prepared.pointee.shapeHash : nil)
        } else {
            let inner = packet.summary(level: 1).map { InnerFrame($0, packet: packet) } ?? InnerFrame(packet.level(1))
            observeInner(number: number, time: time, vni: vni, from: source, to: destination, dontFragment: outer.dontFragment,
                         inner: inner, fingerprint: inner.packetFingerprint, shapeHash: nil)
        }
    }

    /// The rest of `observe` for a tunneled frame that reaches the switch: `fingerprint` is `inner`'s
    /// `packetFingerprint`, `shapeHash` its shape key's hash when the caller has it.
    @inline(never)
    private mutating func observeInner(number: Int, time: Nanos, vni: UInt32, from source: TEPID, to destination: TEPID,
                                       dontFragment: Bool, inner: InnerFrame, fingerprint packetFingerprint: UInt64,
                                       shapeHash: UInt64?) {
        if inner.isControl {  // BFD between TEPs inside the tunnel
            var pairSlot: Int32 = -1
            teps.noteTunnelPacket(from: source, to: destination, dontFragment: dontFragment, slot: &pairSlot)
            return
        }
        // One lookup finds what the models learnt about this packet shape (`PacketShapeCache`).
        let shapeKey = PacketShapeCache.key(vni: vni, from: source, to: destination, inner)
        let found = shapes.slot(shapeKey, hash: shapeHash ?? shapes.hash(shapeKey))
        var state = found.map { shapes.state(at: $0.slot) } ?? ShapeState()
        teps.noteTunnelPacket(from: source, to: destination, dontFragment: dontFragment, slot: &state.pairSlot)
        span.observe(frame: number, time: time, vni: vni, from: source, to: destination,
                     sourceMember: &state.sourceMember, destinationMember: &state.destinationMember)

        if let destinationMAC = inner.destinationMAC {
            logicalSwitch.deliver(frame: number, time: time, vni: vni, from: source, to: destination,
                                  destinationMAC: destinationMAC, fingerprint: inner.copyFingerprint(packetFingerprint),
                                  verifiedEpoch: &state.deliveryEpoch)
        } else {
            logicalSwitch.closeExpiredGroups(now: time)
        }
        if let sourceMAC = inner.sourceMAC, !sourceMAC.isMulticast, sourceMAC != .zero {
            let sourceIP = (inner.sourceIP ?? inner.arp?.senderIP.map(IPAddress.v4)).flatMap { $0.isHostAddress ? $0 : nil }
            sequence += 1
            let outcome = logicalSwitch.table.learn(vni: vni, mac: sourceMAC, behind: source, frame: number, time: time,
                                                    sourceIP: sourceIP, ttl: inner.ttl, sequence: sequence,
                                                    cache: &state.learn, canBeSteady: inner.sourceIP != nil)
            switch outcome {
            case .unchanged, .untracked: break
            case .learned, .moved:
                intent?.observeLocation(mac: sourceMAC, vni: vni, tep: source, frame: number, teps: teps)
            case .confirmed(let declared):
                if declared != source { intent?.observeLocation(mac: sourceMAC, vni: vni, tep: source, frame: number, teps: teps) }
            }
        }
        router.observe(frame: number, vni: vni, from: source, to: destination, inner: inner, cache: &state.flow)
        // The edge rules only mark TEPs by the inner addresses, all part of the shape: the first packet did it.
        if found?.isNew ?? true { edges.observe(from: source, to: destination, inner: inner) }
        ttl.observe(frame: number, time: time, vni: vni, inner: inner, fingerprint: packetFingerprint)
        conversations.observe(frame: number, time: time, vni: vni, from: source, to: destination, inner: inner)
        if let found { shapes.store(state, at: found.slot) }
    }

    /// Brings the MAC table's entries up to date with what the shapes counted (see `MACLearnCache`).
    mutating func flushLearning() { shapes.flushLearning(into: &logicalSwitch.table) }

    private mutating func observeUntunneled(number: Int, time: Nanos, outer: NetworkLevel) {
        logicalSwitch.closeExpiredGroups(now: time)
        guard outer.ipv4 != nil || outer.ipv6 != nil else { return }
        mtu.observeUnderlay(frame: number, outer: outer, teps: teps)
        // A vNIC or uplink capture beside the tunnel capture: the same packets before/after the overlay.
        if outer.bfd == nil {
            let inner = InnerFrame(outer)
            ttl.observe(frame: number, time: time, vni: nil, inner: inner, fingerprint: inner.packetFingerprint)
        }
    }
}

extension IPAddress {
    /// An address a host owns: not unspecified (DHCP, ARP probes), link-local, multicast or broadcast — the
    /// addresses that count when deciding whether a MAC forwards for others.
    var isHostAddress: Bool {
        switch self {
        case .v4(let a): return a.rawValue != 0 && a.rawValue >> 16 != 0xA9FE && !a.isMulticast && !a.isBroadcast
        case .v6(let a): return !(a.high == 0 && a.low == 0) && !a.isLinkLocal && !a.isMulticast
        }
    }
}

/// What the model concluded once the capture ended, shared by every rule that writes findings.
struct ModelVerdicts {
    let routerMACs: Set<MACAddress>
    let edgeTEPs: Set<TEPID>
    let transitVNIs: Set<UInt32>
    let naming: Naming
    let teps: TunnelEndpointTable
    let span: SegmentSpan
    let completeUnderlayView: Bool
    let membershipHorizon: Nanos
    let locationGrace: Nanos
    let tepSubnetPrefixV4: Int
    let tepSubnetPrefixV6: Int
}
