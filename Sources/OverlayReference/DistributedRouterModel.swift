import OverlayInventory
import OverlayTables
import OverlayWire

/// The distributed router — NSX's DR, an OVN logical router — as every host runs it.
///
/// The rules:
/// 1. **Routing happens on the source host.** A routed frame leaves the source host already in the
///    *destination* segment's VNI, with the router's MAC as inner source, the destination workload's MAC as
///    inner destination, and TTL − 1. The two directions of a routed flow therefore travel in different
///    VNIs — each one the VNI of its receiver — and are both sourced by the router MAC.
/// 2. **The router MAC is the same on every host** (NSX: one virtual MAC, by default 02:50:56:56:44:52), so it
///    appears behind every TEP and in every segment the router serves. That is normal, never a flap.
/// 3. **Within a segment, the two directions of a flow share the VNI.** Different VNIs need a router (rule 1)
///    or an edge (see `EdgeModel`); otherwise it is a *vni-mismatch*.
/// 4. **Only a router changes TTL, and a router rewrites the source MAC.** A flow direction whose packets keep
///    the sender's own MAC but lose TTL along the way crossed something that decremented TTL without routing.
///
/// How the model recognises a router MAC (any one rule suffices):
/// - R1: the inventory declares it (`routers[].macs`).
/// - R2: it is NSX's default distributed-router virtual MAC.
/// - R3: an L3 hop in a flow: the MAC sent one direction of a flow, but the other direction was addressed to
///   a different MAC. Hosts on one segment answer the MAC that sent them the packet; only a router between
///   them makes the two differ.
/// - R4: it sources packets of 3 or more IPv4 (5 or more IPv6) addresses: it forwards for others.
/// - R5: it is a source behind 2 or more TEPs or in 2 or more segments, and at least 90 % of its IP packets
///   carry a TTL below every usual initial value: they were routed before they reached the wire.
struct DistributedRouterModel {
    /// The NSX default virtual MAC of distributed-router downlinks (`vdr_mac`).
    static let nsxDefaultRouterMAC = MACAddress(0x02, 0x50, 0x56, 0x56, 0x44, 0x52)

    private(set) var declaredRouterMACs: Set<MACAddress> = []
    /// MACs shown by an L3 hop (R3).
    private(set) var l3HopMACs: Set<MACAddress> = []
    /// Inner flows in the order first seen, with the first frame of each direction; `flowIndex` finds a key's
    /// slot (seeded multiply hash: a SipHash `Dictionary` here cost a hash and a copy of the legs per packet).
    private var flowKeys: [InnerFlowKey] = []
    private var flowLegs: [FlowLegs] = []
    private var flowIndex = IndexTable(capacity: 4096)
    private let hasher = KeyHasher()
    private var mismatches: [FlowMismatch] = []
    private var drifts: [TTLDrift] = []
    let flowLimit: Int
    let mismatchLimit: Int
    let evidenceLimit: Int
    /// Flows not tracked because `flowLimit` was reached.
    private(set) var droppedFlows = 0

    init(configuration: ReferenceSwitchConfiguration, inventory: Inventory?) {
        flowLimit = configuration.maxTrackedFlows
        mismatchLimit = configuration.maxFindingsPerKind * 8
        evidenceLimit = configuration.maxEvidenceFrames
        for r in inventory?.routers ?? [] { declaredRouterMACs.formUnion(r.macs) }
        // OVN: the MACs of router ports (patch, l3gateway, chassisredirect) from a southbound dump.
        for p in inventory?.ovnPorts ?? [] where p.isRouterPort { if let mac = p.mac { declaredRouterMACs.insert(mac) } }
    }

    // MARK: per frame

    /// Records the first frame of each direction of an inner flow; when both are known, compares them.
    /// `cache`: what the caller remembers of this frame's flow direction (see `FlowCacheEntry`), kept up to date.
    @inline(__always)
    mutating func observe(frame: Int, vni: UInt32, from source: TEPID, to destination: TEPID, inner: InnerFrame,
                          cache: inout FlowCacheEntry) {
        // This direction's first packet is known and had the same TTL: nothing to record or compare. Checked before
        // the key is built (the common packet needs none): a packet without a key returns without effect as well.
        if cache.legKnown, cache.ttl == inner.ttl { return }
        guard let key = InnerFlowKey(inner) else { return }
        let found: Int32?
        if cache.index >= 0 {
            found = cache.index
        } else {
            found = flowIndex.find(key.hash(hasher)) { flowKeys[Int($0)] == key }
        }
        if let found {
            let i = Int(found)
            cache.index = found
            // The common path: a later packet of a known direction; only its TTL is compared.
            if key.forward, let known = flowLegs[i].forward {
                cache.legKnown = true
                cache.ttl = known.ttl
                if known.ttl != inner.ttl, !known.ttlDrifted {
                    flowLegs[i].forward?.ttlDrifted = true
                    ttlDrift(key, known, frame: frame, vni: vni, inner: inner)
                }
                return
            }
            if !key.forward, let known = flowLegs[i].reverse {
                cache.legKnown = true
                cache.ttl = known.ttl
                if known.ttl != inner.ttl, !known.ttlDrifted {
                    flowLegs[i].reverse?.ttlDrifted = true
                    ttlDrift(key, known, frame: frame, vni: vni, inner: inner)
                }
                return
            }
            let leg = FlowLeg(vni: vni, sourceMAC: inner.sourceMAC, destinationMAC: inner.destinationMAC,
                              source: source, destination: destination, frame: frame, ttl: inner.ttl)
            if key.forward { flowLegs[i].forward = leg } else { flowLegs[i].reverse = leg }
            cache.legKnown = true
            cache.ttl = inner.ttl
            if let f = flowLegs[i].forward, let r = flowLegs[i].reverse { compare(key, f, r) }
            return
        }
        guard flowKeys.count < flowLimit else {
            droppedFlows += 1
            return
        }
        let leg = FlowLeg(vni: vni, sourceMAC: inner.sourceMAC, destinationMAC: inner.destinationMAC,
                          source: source, destination: destination, frame: frame, ttl: inner.ttl)
        flowKeys.append(key)
        flowLegs.append(key.forward ? FlowLegs(forward: leg, reverse: nil) : FlowLegs(forward: nil, reverse: leg))
        let (hasher, keys) = (hasher, flowKeys)
        flowIndex.insert(key.hash(hasher), index: Int32(keys.count - 1)) { keys[Int($0)].hash(hasher) }
        cache.index = Int32(keys.count - 1)
        cache.legKnown = true
        cache.ttl = inner.ttl
    }

    /// Rule 4: a sender keeps one TTL for a flow. A later packet of the same direction, from the same source
    /// MAC in the same VNI, that starts at a usual initial TTL and arrives lower was decremented by something
    /// that did not route it. Traceroute-style probes (TTL below 32) are not judged.
    private mutating func ttlDrift(_ key: InnerFlowKey, _ first: FlowLeg, frame: Int, vni: UInt32, inner: InnerFrame) {
        guard let was = first.ttl, let now = inner.ttl, isInitialTTL(was), was > 1, now >= 32, now < was,
              inner.sourceMAC == first.sourceMAC, vni == first.vni, drifts.count < mismatchLimit else { return }
        drifts.append(TTLDrift(key: key, forward: key.forward, first: first, frame: frame, ttl: now))
    }

    private mutating func compare(_ key: InnerFlowKey, _ f: FlowLeg, _ r: FlowLeg) {
        // R3: who sent one direction vs who the other direction was addressed to.
        if l3HopMACs.count < flowLimit {
            if let s = f.sourceMAC, let d = r.destinationMAC, s != d, !s.isMulticast { l3HopMACs.insert(s) }
            if let s = r.sourceMAC, let d = f.destinationMAC, s != d, !s.isMulticast { l3HopMACs.insert(s) }
        }
        if f.vni != r.vni, mismatches.count < mismatchLimit {
            let forwardFirst = f.frame <= r.frame
            mismatches.append(FlowMismatch(key: key, out: forwardFirst ? f : r, back: forwardFirst ? r : f, outIsForward: forwardFirst))
        }
    }

    // MARK: end of capture

    /// Every MAC the model believes is a router's (rules R1–R5).
    func routerMACs(_ table: MACTable) -> Set<MACAddress> {
        var routers = declaredRouterMACs
        routers.insert(Self.nsxDefaultRouterMAC)
        routers.formUnion(l3HopMACs)
        struct Profile { var teps: Set<TEPID> = []; var vnis = 0; var v4: Set<IPAddress> = []; var v6: Set<IPAddress> = []; var ip = 0; var routed = 0 }
        var profiles: [UInt64: Profile] = [:]
        for (key, e) in table.entries where e.observed {
            var p = profiles[key.mac] ?? Profile()
            p.vnis += 1
            for presence in e.presences { p.teps.insert(presence.tep) }
            if e.untrackedPresences > 0 { p.teps.insert(-1) }
            for ip in e.sourceIPs {
                if case .v4 = ip { p.v4.insert(ip) } else { p.v6.insert(ip) }
            }
            if e.moreSourceIPs { p.v4.insert(.v4(IPv4Address(rawValue: 0xFFFF_FFFF))); p.v6.insert(.v6(IPv6Address(high: 0, low: 0))) }
            p.ip += e.ipFrames
            p.routed += e.decrementedTTLFrames
            profiles[key.mac] = p
        }
        for (mac, p) in profiles {
            let forwardsForOthers = p.v4.count >= 3 || p.v6.count >= 5
            let routedEverywhere = (p.teps.count >= 2 || p.vnis >= 2) && p.ip > 0 && p.routed * 10 >= p.ip * 9
            if forwardsForOthers || routedEverywhere { routers.insert(MACAddress(rawValue: mac)) }
        }
        return routers
    }

    /// ttl findings of rule 4 (router MACs excluded: a router's upstream path may change).
    /// Also returns the (source, destination) pairs reported, so the same drift is not told twice.
    func ttlFindings(_ v: ModelVerdicts) -> (findings: [Finding], pairs: Set<AddressPair>) {
        var out: [Finding] = []
        var seen: Set<AddressPair> = []
        for d in drifts {
            guard let mac = d.first.sourceMAC, !v.routerMACs.contains(mac), let was = d.first.ttl else { continue }
            let (s, t) = d.forward ? (d.key.low, d.key.high) : (d.key.high, d.key.low)
            guard seen.insert(AddressPair(source: s, destination: t)).inserted else { continue }
            out.append(Finding(
                kind: .ttl, severity: .warning,
                message: "Inner TTL of \(d.key.text(forward: d.forward)) dropped from \(was) (frame \(d.first.frame)) to \(d.ttl) (frame \(d.frame)) while the inner source MAC stayed \(v.naming.mac(mac)), the sender's own: no router rewrote the frame, so something on the path decremented TTL without routing.",
                expected: "TTL \(was) throughout (no router crossed: source MAC unchanged)",
                observed: "TTL \(d.ttl) from frame \(d.frame)",
                frames: [d.frame], vni: d.first.vni))
        }
        return (out, seen)
    }

    /// vni-mismatch findings: flows whose directions used different VNIs with nothing to explain it.
    func findings(_ v: ModelVerdicts) -> [Finding] {
        struct Group { var first: FlowMismatch; var evidence: Evidence; var flows = 0 }
        var groups: [MismatchGroupKey: Group] = [:]
        for m in mismatches {
            // Without inner MACs (bare-IP Geneve payloads) there is no L2 evidence either way: not judged.
            guard let os = m.out.sourceMAC, let bs = m.back.sourceMAC else { continue }
            let explained = v.routerMACs.contains(os) || v.routerMACs.contains(bs)
                || [m.out.source, m.out.destination, m.back.source, m.back.destination].contains { v.edgeTEPs.contains($0) }
                || v.transitVNIs.contains(m.out.vni) || v.transitVNIs.contains(m.back.vni)
            if explained { continue }
            let key = MismatchGroupKey(out: m.out.vni, back: m.back.vni, source: m.out.source, destination: m.out.destination)
            if groups[key] == nil { groups[key] = Group(first: m, evidence: Evidence(limit: evidenceLimit)) }
            groups[key]?.flows += 1
            groups[key]?.evidence.add(m.back.frame)  // the direction that disagrees with the first one
        }
        return groups.values.map { g in
            let m = g.first
            let others = g.flows > 1 ? " (\(g.flows) flows like this)" : ""
            return Finding(
                kind: .vniMismatch, severity: .error,
                message: "The two directions of \(m.key.text(forward: m.outIsForward)) travel in different segments: \(v.naming.vni(m.out.vni)) out (frame \(m.out.frame), \(v.teps.address(m.out.source)) → \(v.teps.address(m.out.destination))) and \(v.naming.vni(m.back.vni)) back (frame \(m.back.frame), \(v.teps.address(m.back.source)) → \(v.teps.address(m.back.destination)))\(others). Neither direction is sourced by a router MAC and no edge is involved, so both belong to one segment and one VNI.",
                expected: "both directions in one VNI (a same-segment flow between \(m.out.sourceMAC.map(v.naming.mac) ?? "?") and \(m.back.sourceMAC.map(v.naming.mac) ?? "?"))",
                observed: "out in VNI \(m.out.vni), back in VNI \(m.back.vni)",
                frames: g.evidence.frames, vni: m.out.vni)
        }
    }
}

/// An inner flow, direction-free: the lower endpoint first. `forward` says which way the frame went.
struct InnerFlowKey: Hashable {
    var low: IPAddress
    var high: IPAddress
    var lowPort: UInt16
    var highPort: UInt16
    var proto: UInt8
    /// Not part of the identity: whether this frame went low → high.
    var forward: Bool

    init?(_ inner: InnerFrame) {
        guard let s = inner.sourceIP, let d = inner.destinationIP, !inner.isFragment else { return nil }
        let p = inner.ipProtocol
        guard p == .tcp || p == .udp || inner.echo != nil else { return nil }
        if (s, inner.sourcePort) <= (d, inner.destinationPort) {
            low = s; high = d; lowPort = inner.sourcePort; highPort = inner.destinationPort; forward = true
        } else {
            low = d; high = s; lowPort = inner.destinationPort; highPort = inner.sourcePort; forward = false
        }
        proto = p.rawValue
    }

    static func == (a: Self, b: Self) -> Bool {
        a.low == b.low && a.high == b.high && a.lowPort == b.lowPort && a.highPort == b.highPort && a.proto == b.proto
    }
    func hash(into h: inout Hasher) {
        h.combine(low)
        h.combine(high)
        h.combine(UInt64(lowPort) << 24 | UInt64(highPort) << 8 | UInt64(proto))
    }

    /// The key's hash for `IndexTable` (direction-free, like `==`).
    @inline(__always)
    func hash(_ hasher: KeyHasher) -> UInt64 {
        let (l0, l1) = low.keyWords, (h0, h1) = high.keyWords
        return hasher.hash(l0, l1 ^ (UInt64(lowPort) << 48 | UInt64(highPort) << 32 | UInt64(proto) << 16), h0, h1)
    }

    /// "tcp 10.1.10.11:40000 → 10.1.10.12:80" in the direction of the first frame.
    func text(forward: Bool) -> String {
        let name = IPProtocol(rawValue: proto).name
        let (a, ap, b, bp) = forward ? (low, lowPort, high, highPort) : (high, highPort, low, lowPort)
        if proto == IPProtocol.icmp.rawValue || proto == IPProtocol.icmpv6.rawValue { return "\(name) echo \(a) → \(b) (id \(ap))" }
        return "\(name) \(a):\(ap) → \(b):\(bp)"
    }
}

struct FlowLeg {
    var vni: UInt32
    var sourceMAC: MACAddress?
    var destinationMAC: MACAddress?
    var source: TEPID
    var destination: TEPID
    var frame: Int
    /// The TTL of the first packet of this direction, and whether a later one differed.
    var ttl: UInt8?
    var ttlDrifted = false
}

/// A later packet of a flow direction whose TTL is lower than the first one's, with the same source MAC.
struct TTLDrift {
    var key: InnerFlowKey
    var forward: Bool
    var first: FlowLeg
    var frame: Int
    var ttl: UInt8
}

struct FlowLegs {
    var forward: FlowLeg?
    var reverse: FlowLeg?
}

/// The first frames of the two directions of a flow, seen in different VNIs.
struct FlowMismatch {
    var key: InnerFlowKey
    /// The direction seen first, and the other.
    var out: FlowLeg
    var back: FlowLeg
    var outIsForward: Bool
}

struct MismatchGroupKey: Hashable {
    var out: UInt32
    var back: UInt32
    var source: TEPID
    var destination: TEPID
}
