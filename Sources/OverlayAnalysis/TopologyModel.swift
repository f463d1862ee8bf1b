import OverlayWire
import OverlayInventory

/// Why a MAC is taken for a router.
struct RouterEvidence {
    var reasons: [String] = []
    var frames: [Int] = []
    var declared = false
    var kind: Router.Kind = .distributed
    /// Found only as the next hop of routed traffic (never routing frames into a workload segment itself).
    var nextHopOnly = true

    mutating func add(_ reason: String, frame: Int?) {
        if !reasons.contains(reason) { reasons.append(reason) }
        if let f = frame, f > 0, frames.count < 8, !frames.contains(f) { frames.append(f) }
    }
}

/// What the end of the analysis knows about the overlay as a whole: which MACs are routers, which
/// segments are transit, the subnets of each segment, and so which addresses are outside the overlay.
/// Built once from the streaming tables; every rule says why in `RouterEvidence.reasons`.
struct TopologyModel {
    var routers: [MACAddress: RouterEvidence] = [:]
    /// Transit VNIs and why.
    var transit: [UInt32: String] = [:]
    var subnets: [UInt32: [IPPrefix]] = [:]
    var declaredSubnetVNIs: Set<UInt32> = []
    /// Derived /24 and /64 subnets by masked network address, for O(1) membership.
    private var derivedNetworks: [IPAddress: UInt32] = [:]
    private var declaredPrefixes: [(IPPrefix, UInt32)] = []
    /// Workload endpoints (not routers) by IP, preferring ones whose location was learned.
    var workloadByIP: [IPAddress: Int] = [:]
    var hasSubnetKnowledge: Bool { !derivedNetworks.isEmpty || !declaredPrefixes.isEmpty }

    func isRouter(_ mac: MACAddress?) -> Bool {
        guard let m = mac else { return false }
        return routers[m] != nil
    }

    /// The segment whose subnet contains `ip` (declared subnets first).
    func segment(of ip: IPAddress) -> UInt32? {
        for (p, vni) in declaredPrefixes where p.contains(ip) { return vni }
        return derivedNetworks[Self.network(of: ip)]
    }

    /// Outside the overlay: unicast, not link-local, not a known workload's, in no segment's subnet. With no
    /// subnet known at all, only public address space is taken for outside.
    func isExternal(_ ip: IPAddress, inventory: Inventory) -> Bool {
        guard !ip.isMulticast, !ip.isLinkLocal, !ip.isUnspecified else { return false }
        if case .v4(let a) = ip, a.isBroadcast { return false }
        if workloadByIP[ip] != nil || inventory.workload(ip: ip) != nil || segment(of: ip) != nil { return false }
        return hasSubnetKnowledge || ip.looksPublic
    }

    /// The /24 (IPv4) or /64 (IPv6) network address of `ip`.
    static func network(of ip: IPAddress) -> IPAddress {
        switch ip {
        case .v4(let a): return .v4(IPv4Address(rawValue: a.rawValue & 0xFFFF_FF00))
        case .v6(let a): return .v6(IPv6Address(high: a.high, low: 0))
        }
    }

    static func prefix(network: IPAddress) -> IPPrefix? {
        switch network {
        case .v4: return IPPrefix("\(network)/24")
        case .v6: return IPPrefix("\(network)/64")
        }
    }

    // MARK: building

    static func build(_ a: OverlayAnalyzer) -> TopologyModel {
        var m = TopologyModel()
        m.detectSourceRouters(a)
        m.detectDestinationRouters(a)
        m.detectTransit(a)
        m.deriveSubnets(a)
        m.detectNextHopGateways(a)
        for (mac, e) in m.routers where !e.declared {
            m.routers[mac]?.kind = e.nextHopOnly ? .gateway : .distributed
        }
        return m
    }

    /// Once edges are known: a learned router that sends only from edge/gateway TEPs and only into transit
    /// segments is the edge's service/gateway router; one that sends from a host, or routes into a workload
    /// segment, is a distributed router (an edge runs a DR instance too).
    mutating func refineRouterKinds(_ a: OverlayAnalyzer, roles: [IPAddress: TunnelEndpoint.Role]) {
        var teps: [MACAddress: Set<IPAddress>] = [:]
        var vnis: [MACAddress: Set<UInt32>] = [:]
        for e in a.endpoints where e.packetsSent > 0 && routers[e.key.mac] != nil {
            for t in e.teps.elements { teps[e.key.mac, default: []].insert(a.teps[Int(t)].ip) }
            vnis[e.key.mac, default: []].insert(e.key.vni)
        }
        for (mac, e) in routers where !e.declared {
            guard let from = teps[mac], !from.isEmpty else {
                routers[mac]?.kind = e.nextHopOnly ? .gateway : .distributed
                continue
            }
            let onEdges = from.allSatisfy { roles[$0] == .edge || roles[$0] == .gateway }
            let intoTransit = (vnis[mac] ?? []).allSatisfy { transit[$0] != nil }
            routers[mac]?.kind = onEdges && intoTransit ? .gateway : .distributed
        }
    }

    private mutating func mark(_ mac: MACAddress, _ reason: String, frame: Int?, routes: Bool) {
        var e = routers[mac] ?? RouterEvidence()
        e.add(reason, frame: frame)
        if routes { e.nextHopOnly = false }
        routers[mac] = e
    }

    /// Rules on what a MAC sends: declared, the reference model's view, several segments, many addresses,
    /// routed TTLs, addresses another MAC announces, addresses outside the declared subnets.
    private mutating func detectSourceRouters(_ a: OverlayAnalyzer) {
        for r in a.inventory.routers {
            for mac in r.macs {
                var e = routers[mac] ?? RouterEvidence()
                e.declared = true
                e.kind = r.kind == .gateway ? .gateway : .distributed
                e.nextHopOnly = r.kind == .gateway
                e.add("declared in the inventory as \(r.name)", frame: nil)
                routers[mac] = e
            }
        }
        // OVN logical router ports (patch / l3gateway / chassisredirect) from a southbound dump.
        for port in a.inventory.ovnPorts where port.isRouterPort {
            guard let mac = port.mac, routers[mac]?.declared != true else { continue }
            var e = routers[mac] ?? RouterEvidence()
            e.declared = true
            e.kind = port.type == "patch" ? .distributed : .gateway
            e.nextHopOnly = port.type != "patch"
            e.add("OVN logical router port \(port.name) (\(port.type))", frame: nil)
            routers[mac] = e
        }
        for mac in a.reference.routerMACs where !isRouter(mac) {
            mark(mac, "the reference switch model treats it as a router", frame: nil, routes: true)
        }
        var vnisByMAC: [MACAddress: [UInt32]] = [:]
        var firstFrameByMAC: [MACAddress: Int] = [:]
        var announcedBy: [IPAddress: MACAddress] = [:]
        for e in a.endpoints {
            for ip in e.announcedIPs.items where announcedBy[ip] == nil { announcedBy[ip] = e.key.mac }
            guard e.packetsSent > 0 else { continue }
            vnisByMAC[e.key.mac, default: []].append(e.key.vni)
            if firstFrameByMAC[e.key.mac] == nil { firstFrameByMAC[e.key.mac] = e.firstSourceFrame }
        }
        for (mac, vnis) in vnisByMAC where vnis.count >= 2 {
            let list = vnis.sorted().map(String.init).joined(separator: ", ")
            mark(mac, "sources frames in several segments (VNIs \(list))", frame: firstFrameByMAC[mac], routes: true)
        }
        let threshold = a.configuration.routerAddressThreshold
        for e in a.endpoints where e.packetsSent > 0 {
            let mac = e.key.mac
            let addresses = e.sourcedIPs.items.filter { !$0.isLinkLocal }
            if addresses.count + e.sourcedIPs.dropped >= threshold {
                mark(mac, "sources frames for \(addresses.count + e.sourcedIPs.dropped) addresses in VNI \(e.key.vni)",
                     frame: e.firstSourceFrame, routes: true)
            }
            if e.otherTTLFrames > 0 && e.initialTTLFrames == 0 {
                mark(mac, "every IP frame it sent had a TTL below the usual initial values (64/128/255): it forwards, it does not originate",
                     frame: e.firstSourceFrame, routes: true)
            }
            for ip in e.sourcedIPs.items {
                if let owner = announcedBy[ip], owner != mac {
                    mark(mac, "sources frames for \(ip), which \(owner) announces as its own", frame: e.firstSourceFrame, routes: true)
                    break
                }
            }
            if let declared = a.inventory.segment(vni: e.key.vni)?.subnets, !declared.isEmpty,
               let outside = e.sourcedIPs.items.first(where: { ip in !ip.isLinkLocal && !declared.contains { $0.contains(ip) } }) {
                mark(mac, "sources frames for \(outside), outside the declared subnets of VNI \(e.key.vni)",
                     frame: e.firstSourceFrame, routes: true)
            }
        }
    }

    /// Rules on what a MAC receives: frames for many addresses, for addresses outside its segment's
    /// declared subnets or owned by another MAC, routed frames from an inside to an outside-looking address,
    /// and tunnel legs that continue beyond an edge (NAT-correlated): such a MAC is a next hop, not a host.
    private mutating func detectDestinationRouters(_ a: OverlayAnalyzer) {
        let threshold = a.configuration.routerAddressThreshold
        var ownedBy: [IPAddress: MACAddress] = [:]
        for e in a.endpoints {
            for ip in e.announcedIPs.items where ownedBy[ip] == nil { ownedBy[ip] = e.key.mac }
            if !isRouter(e.key.mac) { for ip in e.sourcedIPs.items where ownedBy[ip] == nil { ownedBy[ip] = e.key.mac } }
        }
        for e in a.endpoints where !isRouter(e.key.mac) {
            let mac = e.key.mac
            let addresses = e.destinationIPs.items.filter { !$0.isLinkLocal }
            if e.sourcedIPs.items.isEmpty, addresses.count + e.destinationIPs.dropped >= threshold {
                mark(mac, "receives frames for \(addresses.count + e.destinationIPs.dropped) addresses in VNI \(e.key.vni)",
                     frame: nil, routes: false)
                continue
            }
            if let ip = addresses.first(where: { ownedBy[$0] != nil && ownedBy[$0] != mac }), let owner = ownedBy[ip] {
                mark(mac, "receives frames for \(ip), which \(owner) owns", frame: nil, routes: false)
                continue
            }
            if let declared = a.inventory.segment(vni: e.key.vni)?.subnets, !declared.isEmpty,
               let outside = addresses.first(where: { ip in !declared.contains { $0.contains(ip) } }) {
                mark(mac, "receives frames for \(outside), outside the declared subnets of VNI \(e.key.vni)", frame: nil, routes: false)
            }
        }
        for (r, f) in a.flows.enumerated() where f.key.isTunneled {
            for d in 0..<2 {
                let leg = f.leg(d)
                guard leg.seen, let dmac = leg.destinationMAC, !dmac.isMulticast, !isRouter(dmac),
                      let dst = f.destination(d), let src = f.source(d) else { continue }
                if f.natPeer >= 0 {
                    let peer = a.flows[Int(f.natPeer)]
                    if peer.addressA == dst || peer.addressB == dst {
                        mark(dmac, "next hop of a flow that continues untunneled beyond the edge to \(dst)",
                             frame: leg.evidence.first ?? a.flows[r].ab.evidence.first, routes: false)
                        continue
                    }
                }
                if isRouter(leg.sourceMAC), dst.looksPublic, src.looksPrivate {
                    mark(dmac, "next hop of routed traffic from inside address \(src) to outside address \(dst)",
                         frame: leg.evidence.first, routes: false)
                }
            }
        }
    }

    /// Transit segments: declared, or where only routers send and receive (router-to-router); every MAC
    /// attached to one is a router.
    private mutating func detectTransit(_ a: OverlayAnalyzer) {
        for s in a.inventory.segments where s.kind == .transit {
            transit[s.vni] = "declared as a transit segment in the inventory"
        }
        for e in a.inventory.edges {
            if let v = e.transitVNI, transit[v] == nil { transit[v] = "declared as the transit segment of edge \(e.name)" }
        }
        var members: [UInt32: (routers: Int, others: Int)] = [:]
        for e in a.endpoints {
            var c = members[e.key.vni] ?? (0, 0)
            if isRouter(e.key.mac) { c.routers += 1 } else { c.others += 1 }
            members[e.key.vni] = c
        }
        var senders: Set<UInt32> = []
        for e in a.endpoints where e.packetsSent > 0 { senders.insert(e.key.vni) }
        for (vni, c) in members where c.routers >= 2 && c.others == 0 && senders.contains(vni)
            && transit[vni] == nil && a.inventory.segment(vni: vni) == nil {
            transit[vni] = "only router MACs send and receive in it (router-to-router transit)"
        }
        for e in a.endpoints where transit[e.key.vni] != nil && !isRouter(e.key.mac) {
            mark(e.key.mac, "attached to transit segment VNI \(e.key.vni)", frame: e.firstSourceFrame, routes: false)
        }
    }

    /// Subnets per segment: declared, or /24 and /64 around the addresses of its workloads.
    private mutating func deriveSubnets(_ a: OverlayAnalyzer) {
        for s in a.inventory.segments where !s.subnets.isEmpty {
            subnets[s.vni] = s.subnets
            declaredSubnetVNIs.insert(s.vni)
            for p in s.subnets { declaredPrefixes.append((p, s.vni)) }
        }
        var derived: [UInt32: Set<IPAddress>] = [:]
        for (i, e) in a.endpoints.enumerated() where !isRouter(e.key.mac) {
            for ip in e.ownedIPs where !ip.isLinkLocal && !ip.isMulticast && !ip.isUnspecified {
                if let existing = workloadByIP[ip], a.endpoints[existing].tep >= 0 || e.tep < 0 {} else { workloadByIP[ip] = i }
                guard transit[e.key.vni] == nil, !declaredSubnetVNIs.contains(e.key.vni) else { continue }
                derived[e.key.vni, default: []].insert(Self.network(of: ip))
            }
        }
        // In VNI order, so a network seen in two segments always belongs to the same one.
        for (vni, networks) in derived.sorted(by: { $0.key < $1.key }) {
            let sorted = networks.sorted()
            subnets[vni] = sorted.compactMap { Self.prefix(network: $0) }
            for n in sorted where derivedNetworks[n] == nil { derivedNetworks[n] = vni }
        }
    }

    /// The destination MAC of a routed frame heading outside the overlay is the next-hop gateway.
    private mutating func detectNextHopGateways(_ a: OverlayAnalyzer) {
        for f in a.flows where f.key.isTunneled {
            for d in 0..<2 {
                let leg = f.leg(d)
                guard leg.seen, let dst = f.destination(d), let dmac = leg.destinationMAC, !dmac.isMulticast,
                      !isRouter(dmac), isExternal(dst, inventory: a.inventory) else { continue }
                mark(dmac, "next hop for outside address \(dst)", frame: leg.evidence.first, routes: false)
            }
        }
    }
}
