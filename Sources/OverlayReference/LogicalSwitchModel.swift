import OverlayWire

/// The logical switch — an NSX segment, an OVN logical switch — as every transport node implements it.
///
/// The rules, as NSX and OVN apply them:
/// 1. **Learning.** A frame that arrives from TEP T in VNI V with inner source MAC M means "M is behind T
///    in V". (NSX hosts report their vNIC MACs to the central control plane, which gives every host the
///    MAC→TEP table of each segment; OVN has the same in `Port_Binding.chassis`.) The model learns from the
///    capture and, when an inventory is given, starts from the declared workloads.
/// 2. **Known unicast** goes to exactly one TEP — the one hosting the destination MAC — in the same VNI.
///    A copy to any other TEP is a *misdelivery*.
/// 3. **BUM** (broadcast, unknown unicast, multicast) is replicated head-end: the source TEP sends one
///    unicast Geneve copy to every other TEP that takes part in the segment (`SegmentSpan`). NSX's two-tier mode sends one
///    copy per *remote TEP subnet* to a proxy TEP (MTEP) that replicates locally, so only TEPs in the
///    source TEP's own subnet are owed a direct copy. An ARP request reaching every TEP is therefore normal.
/// 4. **Unknown unicast** should be rare, because the control plane knows every port's MAC; a unicast frame
///    replicated to several TEPs means the sending host did not know where the MAC lives.
///
/// Router MACs, edges and time are judged when the capture ends (`finish`), because whether a MAC is a
/// router's is only known once its behaviour across TEPs and segments has been seen.
struct LogicalSwitchModel {
    var table: MACTable
    private var groups: ReplicationGroups
    /// The last known-unicast copy per fingerprint slot, so a later misaddressed copy of the same frame is
    /// recognised as part of a flood rather than a misdelivery.
    private var recentDeliveries: [RecentDelivery]
    private let recentMask: UInt64
    private var bumOutcomes: [BUMSignature: BUMOutcome] = [:]
    private var floods: [FloodKey: FloodOutcome] = [:]
    private var misdeliveries: [MisdeliveryKey: MisdeliveryOutcome] = [:]
    /// Groups that could not be judged (closed early, or too many distinct outcomes to keep).
    private(set) var unjudgedGroups = 0
    let evidenceLimit: Int
    let outcomeLimit: Int

    private struct RecentDelivery {
        var key = GroupKey(source: -1, vni: 0, fingerprint: 0)
        var time: Nanos = 0
        var destination: TEPID = -1
        var frame = 0
    }

    init(configuration: ReferenceSwitchConfiguration) {
        table = MACTable(limit: configuration.maxTrackedMACs)
        groups = ReplicationGroups(capacity: configuration.maxOpenReplicationGroups,
                                   window: configuration.replicationWindow.nanoseconds)
        var slots = 1
        while slots < max(64, configuration.recentFrameSlots) { slots <<= 1 }
        recentDeliveries = Array(repeating: RecentDelivery(), count: slots)
        recentMask = UInt64(slots - 1)
        evidenceLimit = configuration.maxEvidenceFrames
        outcomeLimit = configuration.maxFindingsPerKind
    }

    // MARK: per frame

    /// Compares one tunneled frame with the delivery the model expects (rules 2–4).
    /// `verifiedEpoch`: the MAC table's location epoch at which the caller last saw `destinationMAC` live behind
    /// `destination` (0 if never); while the table's epoch is the same, the location is not looked up again.
    @inline(__always)
    mutating func deliver(frame: Int, time: Nanos, vni: UInt32, from source: TEPID, to destination: TEPID,
                          destinationMAC: MACAddress, fingerprint: UInt64, verifiedEpoch: inout UInt64) {
        closeExpiredGroups(now: time)
        let key = GroupKey(source: source, vni: vni, fingerprint: fingerprint)
        if verifiedEpoch == table.locationEpoch {
            deliverKnown(key, destination: destination, frame: frame, time: time)
        } else if destinationMAC.isMulticast {
            copy(key, kind: .bum, destinationMAC: destinationMAC, destination: destination, frame: frame, time: time)
        } else if let known = table.location(vni: vni, mac: destinationMAC) {
            if known.tep == destination {
                verifiedEpoch = table.locationEpoch
                deliverKnown(key, destination: destination, frame: frame, time: time)
            } else {
                copy(key, kind: .misaddressed(expected: known.tep, expectationObserved: known.observed),
                     destinationMAC: destinationMAC, destination: destination, frame: frame, time: time)
            }
        } else {
            copy(key, kind: .unknownUnicast, destinationMAC: destinationMAC, destination: destination, frame: frame, time: time)
        }
    }

    /// Loads the recent-delivery slot `deliver` will write for a frame of `copyFingerprint`; returns a byte for a sink.
    @inline(__always)
    func loadAhead(copyFingerprint: UInt64) -> Int { recentDeliveries[Int(copyFingerprint & recentMask)].frame }

    /// The common case: known unicast to the TEP that hosts the MAC.
    @inline(__always)
    private mutating func deliverKnown(_ key: GroupKey, destination: TEPID, frame: Int, time: Nanos) {
        if groups.addToOpenGroup(key, destination: destination, frame: frame, time: time) { return }
        recentDeliveries[Int(key.fingerprint & recentMask)] = RecentDelivery(key: key, time: time, destination: destination, frame: frame)
    }

    private mutating func copy(_ key: GroupKey, kind: GroupKind, destinationMAC: MACAddress, destination: TEPID,
                               frame: Int, time: Nanos) {
        if groups.addToOpenGroup(key, destination: destination, frame: frame, time: time) { return }
        if groups.isFull, let slot = groups.closeOldest(now: time, force: true) { judge(slot) }
        let slot = groups.open(key, kind: kind, destinationMAC: destinationMAC, time: time)
        if case .bum = kind {} else {
            let recent = recentDeliveries[Int(key.fingerprint & recentMask)]
            if recent.key == key, time - recent.time <= groups.window, recent.destination != destination {
                groups.add(slot: slot, destination: recent.destination, frame: recent.frame)
            }
        }
        groups.add(slot: slot, destination: destination, frame: frame)
    }

    @inline(__always)
    mutating func closeExpiredGroups(now: Nanos) {
        guard groups.openCount > 0 else { return }
        while let slot = groups.closeOldest(now: now, force: false) { judge(slot) }
    }

    /// Judges a closed replication group against rules 2–4.
    private mutating func judge(_ slot: Int) {
        let g = groups.group(slot)
        let copiesTo = g.destinations.count
        if g.closedEarly && !(copiesTo >= 2 && !g.destinationMAC.isMulticast) {
            unjudgedGroups += 1
            return
        }
        switch g.kind {
        case .bum:
            guard Self.mustReachEveryTEP(g.destinationMAC) else { return }
            var signature: UInt64 = 0
            for d in g.destinations { signature ^= mix(0xB0B, UInt64(UInt32(bitPattern: d))) }
            let key = BUMSignature(vni: g.key.vni, source: g.key.source, destinations: signature)
            if bumOutcomes[key] == nil {
                guard bumOutcomes.count < outcomeLimit * 8 else { unjudgedGroups += 1; return }
                bumOutcomes[key] = BUMOutcome(destinations: g.destinations.sorted(), destinationMAC: g.destinationMAC)
            }
            bumOutcomes[key]?.add(frame: g.frames.first ?? 0, time: g.start, limit: evidenceLimit)
        case .unknownUnicast, .misaddressed:
            if copiesTo >= 2 {
                let key = FloodKey(vni: g.key.vni, mac: g.destinationMAC.rawValue)
                if floods[key] == nil {
                    guard floods.count < outcomeLimit else { unjudgedGroups += 1; return }
                    floods[key] = FloodOutcome(evidence: Evidence(limit: evidenceLimit))
                }
                floods[key]?.add(g)
            } else if case .misaddressed(let expected, let observed) = g.kind, let to = g.destinations.first {
                let key = MisdeliveryKey(vni: g.key.vni, mac: g.destinationMAC.rawValue, expected: expected, observed: to)
                if misdeliveries[key] == nil {
                    guard misdeliveries.count < outcomeLimit else { unjudgedGroups += 1; return }
                    misdeliveries[key] = MisdeliveryOutcome(evidence: Evidence(limit: evidenceLimit), expectationObserved: observed,
                                                            firstTime: g.start, lastTime: g.start)
                }
                misdeliveries[key]?.lastTime = g.start
                for f in g.frames { misdeliveries[key]?.evidence.add(f) }
            }
        }
    }

    /// Broadcast and IPv6 solicited-node multicast (neighbour discovery, the IPv6 ARP) are flooded to every
    /// TEP of the segment. Other multicast may be pruned by IGMP/MLD snooping, so its fan-out is not judged.
    static func mustReachEveryTEP(_ mac: MACAddress) -> Bool {
        mac.isBroadcast || mac.rawValue >> 24 == 0x33_33_FF
    }

    /// Closes every open group (end of capture).
    mutating func flush() {
        while let slot = groups.closeOldest(now: .max, force: false) { judge(slot) }
    }

    var closedEarly: Int { groups.closedEarly }

    // MARK: end of capture

    func findings(_ v: ModelVerdicts) -> [Finding] {
        misdeliveryFindings(v) + floodFindings(v) + replicationFindings(v)
    }

    private func misdeliveryFindings(_ v: ModelVerdicts) -> [Finding] {
        var out: [Finding] = []
        for (key, o) in misdeliveries {
            let mac = MACAddress(rawValue: key.mac)
            // A router's MAC lives behind every TEP, and the edge terminates whatever it is sent.
            if v.routerMACs.contains(mac) || v.edgeTEPs.contains(key.observed) { continue }
            // Around a move (vMotion) senders and the capture disagree for a moment, and neither is wrong:
            // - the sender learnt the new TEP from the control plane before the MAC was a source there, or
            // - frames already in flight still reach the old TEP just after the move.
            if let entry = table.entry(vni: key.vni, mac: mac) {
                let early = entry.presences.contains { $0.tep == key.observed && $0.firstTime >= o.firstTime
                    && $0.firstTime - o.firstTime <= v.locationGrace }
                let late = entry.moves.contains { $0.from == key.observed && $0.time <= o.firstTime
                    && o.lastTime - $0.time <= v.locationGrace }
                if early || late { continue }
            }
            let observedTEP = v.teps.address(key.observed), expectedTEP = v.teps.address(key.expected)
            let basis = o.expectationObserved ? "the capture shows it as a source behind \(v.naming.tep(expectedTEP))"
                : "the inventory places it behind \(v.naming.tep(expectedTEP))"
            out.append(Finding(
                kind: .misdelivery, severity: .error,
                message: "Known-unicast frames for \(v.naming.mac(mac)) in \(v.naming.vni(key.vni)) were sent to \(v.naming.tep(observedTEP)), which does not host that MAC (\(basis)); \(o.evidence.text).",
                expected: "delivered to \(v.naming.tep(expectedTEP)), which hosts \(mac)",
                observed: "sent to \(v.naming.tep(observedTEP))",
                frames: o.evidence.frames, vni: key.vni))
        }
        return out
    }

    private func floodFindings(_ v: ModelVerdicts) -> [Finding] {
        var out: [Finding] = []
        for (key, o) in floods {
            let mac = MACAddress(rawValue: key.mac)
            if v.routerMACs.contains(mac) { continue }
            let where_ = table.entry(vni: key.vni, mac: mac).map { e in
                e.observed ? "the model had learnt it behind \(v.naming.tep(v.teps.address(e.tep))), so the sender flooded a MAC the segment knows"
                           : "the inventory places it behind \(v.naming.tep(v.teps.address(e.tep)))"
            } ?? "the MAC had not been seen as a source in this segment"
            let teps = o.destinations.map { v.teps.address($0) }
            out.append(Finding(
                kind: .unknownUnicastFlood, severity: .warning,
                message: "Unicast frames for \(v.naming.mac(mac)) in \(v.naming.vni(key.vni)) were replicated to \(o.destinations.count) TEPs (\(v.naming.teps(teps))) instead of one: \(where_). \(plural(o.groups, "frame was", plural: "frames were")) flooded; \(o.evidence.text).",
                expected: "one copy, to the TEP that hosts \(mac)",
                observed: "copies to \(v.naming.teps(teps))",
                frames: o.evidence.frames, vni: key.vni))
        }
        return out
    }

    private func replicationFindings(_ v: ModelVerdicts) -> [Finding] {
        struct Gap { var evidence: Evidence; var missing: [TEPID: SegmentSpan.Member] = [:]; var reached: Set<TEPID> = []; var mac: MACAddress }
        var gaps: [TEPPairInVNI: Gap] = [:]
        let membersByVNI = v.span.members
        for (key, o) in bumOutcomes {
            guard let members = membersByVNI[key.vni] else { continue }
            let source = v.teps.address(key.source)
            // The capture point sees every copy this TEP sends: it is this TEP's uplink, or it sees the whole underlay.
            let seesAllCopies = v.completeUnderlayView || v.span.anchor == key.source
            for (frame, time) in o.samples {
                var missing: [TEPID: SegmentSpan.Member] = [:]
                for (tep, m) in members where tep != key.source && !o.destinations.contains(tep) {
                    // Took part in the segment before this frame and recently enough to still be in it.
                    guard m.firstTime <= time, m.lastTime + v.membershipHorizon >= time else { continue }
                    let tepAddress = v.teps.address(tep)
                    // Owed a direct copy only in the source TEP's subnet (two-tier replication), and judged only
                    // where the capture point would show that copy.
                    guard tepAddress.sharesPrefix(with: source, v4Length: v.tepSubnetPrefixV4, v6Length: v.tepSubnetPrefixV6),
                          seesAllCopies || v.teps.sawTraffic(from: key.source, to: tep) else { continue }
                    missing[tep] = m
                }
                guard !missing.isEmpty else { continue }
                let gk = TEPPairInVNI(vni: key.vni, source: key.source)
                if gaps[gk] == nil { gaps[gk] = Gap(evidence: Evidence(limit: evidenceLimit), mac: o.destinationMAC) }
                gaps[gk]?.evidence.add(frame)
                gaps[gk]?.reached.formUnion(o.destinations)
                for (t, m) in missing where gaps[gk]?.missing[t] == nil { gaps[gk]?.missing[t] = m }
            }
        }
        var out: [Finding] = []
        for (key, gap) in gaps {
            let source = v.teps.address(key.source)
            let missing = gap.missing.keys.map { v.teps.address($0) }
            let reached = gap.reached.map { v.teps.address($0) }
            let why = gap.missing.sorted { $0.key < $1.key }.map { t, m in
                "\(v.naming.tep(v.teps.address(t))) takes part in the segment (from frame \(m.firstFrame))"
            }.joined(separator: "; ")
            let view = v.completeUnderlayView ? "the capture is declared to show the whole underlay"
                : v.span.anchor == key.source ? "the capture is on \(source)'s uplink, where every copy it sends is visible"
                : "the capture shows \(source)'s other traffic to \(missing.count == 1 ? "that TEP" : "those TEPs")"
            let what = gap.mac.isBroadcast ? "Broadcast" : "Neighbour-discovery multicast"
            out.append(Finding(
                kind: .incompleteReplication, severity: .warning,
                message: "\(what) frames from \(v.naming.tep(source)) in \(v.naming.vni(key.vni)) were not replicated to every TEP of the segment: \(v.naming.teps(missing)) got no copy although \(why), and \(view); \(gap.evidence.text).",
                expected: "a copy to every other TEP of the segment: \(v.naming.teps(reached + missing))",
                observed: reached.isEmpty ? "no copies" : "copies to \(v.naming.teps(reached)) only",
                frames: gap.evidence.frames, vni: key.vni))
        }
        return out
    }
}

struct TEPPairInVNI: Hashable {
    var vni: UInt32
    var source: TEPID
}

struct BUMSignature: Hashable {
    var vni: UInt32
    var source: TEPID
    var destinations: UInt64
}

/// BUM frames from one TEP in one segment that reached the same set of TEPs.
struct BUMOutcome {
    var destinations: [TEPID]
    var destinationMAC: MACAddress
    var samples: [(frame: Int, time: Nanos)] = []
    var count = 0

    mutating func add(frame: Int, time: Nanos, limit: Int) {
        count += 1
        if samples.count < limit { samples.append((frame, time)) }
    }
}

struct FloodKey: Hashable {
    var vni: UInt32
    var mac: UInt64
}

struct FloodOutcome {
    var evidence: Evidence
    var destinations: [TEPID] = []
    var groups = 0

    mutating func add(_ g: ReplicationGroup) {
        groups += 1
        for f in g.frames { evidence.add(f) }
        for d in g.destinations where !destinations.contains(d) && destinations.count < 64 { destinations.append(d) }
    }
}

struct MisdeliveryKey: Hashable {
    var vni: UInt32
    var mac: UInt64
    var expected: TEPID
    var observed: TEPID
}

struct MisdeliveryOutcome {
    var evidence: Evidence
    var expectationObserved: Bool
    var firstTime: Nanos
    var lastTime: Nanos
}
