import OverlayWire
import OverlayInventory

/// Builds the hop list of one direction of one flow from its captured legs.
///
/// Routing in a distributed router happens on the source host, so a routed frame is captured already in
/// the destination VNI with the router MAC as inner source; the source segment is inferred from where the
/// source address was learned, and the TTL before routing is the captured TTL + 1 (one routing hop).
struct PathBuilder {
    let labels: Labels
    let group: FlowGroup
    let translation: AddressTranslation?
    /// The analyzer's endpoints (for the MAC and VNI of a workload found by address).
    let endpoints: [EndpointState]

    private func endpointKey(_ i: Int) -> EndpointKey { endpoints[i].key }

    /// The hops of one direction, in an array sized to them (results keep one per flow and direction).
    func path(forward: Bool) -> [PathHop] {
        let hops = build(forward: forward)
        return hops.count == hops.capacity ? hops : hops.map { $0 }
    }

    private func build(forward: Bool) -> [PathHop] {
        let legs = group.legs.filter { $0.forward == forward }
        let uplink = legs.first { !$0.tunneled }
        guard let l = legs.first(where: \.tunneled) else {
            guard let u = uplink else { return [] }
            return group.tunneledLegs.isEmpty ? untunneled(u) : uplinkOnly(u, forward: forward)
        }
        var hops: [PathHop] = []
        hops.reserveCapacity(5)
        let at = l.index
        let vni = l.vni ?? 0
        let sourceMAC = l.state.sourceMAC, destinationMAC = l.state.destinationMAC
        let inbound = uplink.map { u in
            translation.map { $0.kind != .none ? ($0.kind == .dnat) == forward : u.first.frame < l.first.frame }
                ?? (u.first.frame < l.first.frame)
        } ?? false

        // Where the frame came from.
        if inbound, let u = uplink {
            if let s = u.source { hops.append(PathHop(kind: .external, text: labels.outside(s), ip: s, leg: u.index, frames: group.legs[u.index].evidence)) }
            hops.append(uplinkHop(u, forward: forward))
        }
        if let mac = sourceMAC, labels.model.isRouter(mac) {
            if !inbound { hops.append(origin(l.source, leg: at)) }
            hops.append(routerHop(mac, on: l, vni: vni, leg: at))
        } else if !inbound && sourceMAC == nil, let s = l.source, labels.isExternal(s) {
            hops.append(PathHop(kind: .external, text: labels.outside(s), ip: s, leg: at, frames: group.legs[at].evidence))
        } else if !inbound {
            hops.append(PathHop(kind: .workload, text: labels.workload(mac: sourceMAC, ip: l.source, showMAC: true),
                                name: labels.names.workload(mac: sourceMAC, ip: l.source), ip: l.source, mac: sourceMAC,
                                vni: vni, leg: at, frames: group.legs[at].evidence))
        }

        // Across the underlay.
        hops.append(tepHop(l.sourceTEPs, replication: false, leg: at))
        var segmentText = labels.segment(vni, l.encapsulation)
        if let keys = l.state.ovn {
            let ovn = labels.ovn(keys, vni: vni)
            var text = LabelText()
            text.append(segmentText)
            text.append(", inport ")
            text.append(name: ovn.ingressName, orKey: ovn.ingressKey)
            text.append(", outport ")
            text.append(name: ovn.egressName, orKey: ovn.egressKey)
            segmentText = text.string
        }
        hops.append(PathHop(kind: .segment, text: segmentText, name: labels.names.segment(vni), vni: vni, leg: at, frames: group.legs[at].evidence))
        let flooded = destinationMAC.map(\.isMulticast) ?? true
        hops.append(tepHop(l.destinationTEPs, replication: flooded && l.destinationTEPs.count > 1, leg: at))

        // Where it went.
        if let mac = destinationMAC, mac.isMulticast {
            hops.append(PathHop(kind: .broadcast, text: broadcastText(l, mac), ip: l.destination, mac: mac, leg: at, frames: group.legs[at].evidence))
        } else if labels.model.isRouter(destinationMAC) || (destinationMAC == nil && l.destination.map { labels.isExternal($0) } == true) {
            let external = l.destination.map { labels.isExternal($0) } ?? false
            if external || (uplink != nil && !inbound) {
                if let u = uplink, !inbound { hops.append(uplinkHop(u, forward: forward)) }
                if let d = uplink.flatMap({ inbound ? nil : $0.destination }) ?? l.destination {
                    hops.append(PathHop(kind: .external, text: labels.outside(d), ip: d, leg: at, frames: group.legs[at].evidence))
                }
            } else if let mac = destinationMAC {
                // Routed once more at the far end (the destination host's distributed router, or a gateway):
                // that last hop into the workload's segment happens inside the host.
                hops.append(deliveryHop(mac, on: l, vni: vni, leg: at))
                hops.append(origin(l.destination, leg: at, showMAC: false))
            }
        } else if destinationMAC != nil || l.destination != nil {
            hops.append(PathHop(kind: .workload, text: labels.workload(mac: destinationMAC, ip: l.destination, showMAC: false),
                                name: labels.names.workload(mac: destinationMAC, ip: l.destination), ip: l.destination,
                                mac: destinationMAC, vni: vni, leg: at, frames: group.legs[at].evidence))
        }
        return hops
    }

    /// The original sender/receiver of a routed (or untunneled) leg of a tunneled flow, from what the capture
    /// learned about the address: a workload, or an outside address.
    private func origin(_ ip: IPAddress?, leg at: Int, showMAC: Bool = true) -> PathHop {
        guard let a = ip else { return PathHop(kind: .workload, text: "VM (address unknown)", leg: at, frames: group.legs[at].evidence) }
        if let e = labels.model.workloadByIP[a] {
            let k = endpointKey(e)
            return PathHop(kind: .workload, text: labels.workload(mac: k.mac, ip: a, showMAC: showMAC),
                           name: labels.names.workload(mac: k.mac, ip: a), ip: a, mac: k.mac, vni: k.vni, leg: at, frames: group.legs[at].evidence)
        }
        if labels.isExternal(a) {
            return PathHop(kind: .external, text: labels.outside(a), ip: a, leg: at, frames: group.legs[at].evidence)
        }
        if let w = labels.inventory.workload(ip: a) {
            return PathHop(kind: .workload, text: labels.workload(mac: w.mac, ip: a, showMAC: showMAC), name: w.name, ip: a,
                           mac: w.mac, vni: w.vni, leg: at, frames: group.legs[at].evidence)
        }
        return PathHop(kind: .workload, text: labels.workload(mac: nil, ip: a, showMAC: false), ip: a, leg: at, frames: group.legs[at].evidence)
    }

    /// The segment a routed frame came from: where its source address was learned, the subnet that holds
    /// it, the inventory, or — for outside sources — the transit segment the flow used.
    func sourceVNI(of ip: IPAddress?, leg: LegInfo) -> UInt32? {
        guard let a = ip else { return nil }
        if let e = labels.model.workloadByIP[a] { return endpointKey(e).vni }
        if let v = labels.model.segment(of: a) { return v }
        if let v = labels.inventory.workload(ip: a)?.vni { return v }
        if let v = group.legs.compactMap(\.vni).first(where: { labels.model.transit[$0] != nil && $0 != leg.vni }) { return v }
        for t in leg.sourceTEPs {
            if let v = labels.inventory.edge(tep: t)?.transitVNI, v != leg.vni { return v }
        }
        return nil
    }

    private func routerHop(_ mac: MACAddress, on l: LegInfo, vni: UInt32, leg at: Int) -> PathHop {
        let from = sourceVNI(of: l.source, leg: l)
        var detail = from.map { "VNI \($0) → \(vni)" } ?? "into VNI \(vni)"
        var before: UInt8?
        if let after = l.ttl, after < 255 {
            before = after + 1
            detail += ", TTL \(after + 1) → \(after)"
        }
        return PathHop(kind: .router, text: "\(labels.router(mac)) (\(detail))", name: labels.names.router(mac)?.name,
                       mac: mac, vni: vni, fromVNI: from, ttlBefore: before, ttlAfter: l.ttl, leg: at, frames: group.legs[at].evidence)
    }

    /// A router that receives the frame and routes it into the destination's segment on its own host.
    private func deliveryHop(_ mac: MACAddress, on l: LegInfo, vni: UInt32, leg at: Int) -> PathHop {
        let into = destinationVNI(of: l.destination)
        var detail = into.map { "VNI \(vni) → \($0)" } ?? "from VNI \(vni)"
        var after: UInt8?
        if let ttl = l.ttl, ttl > 0 {
            after = ttl - 1
            detail += ", TTL \(ttl) → \(ttl - 1)"
        }
        return PathHop(kind: .router, text: "\(labels.router(mac)) (\(detail))", name: labels.names.router(mac)?.name, mac: mac,
                       vni: into, fromVNI: vni, ttlBefore: l.ttl, ttlAfter: after, leg: at, frames: group.legs[at].evidence)
    }

    /// The segment of a destination address: where it was learned, the subnet that holds it, the labels.inventory.
    func destinationVNI(of ip: IPAddress?) -> UInt32? {
        guard let a = ip else { return nil }
        if let e = labels.model.workloadByIP[a] { return endpointKey(e).vni }
        return labels.model.segment(of: a) ?? labels.inventory.workload(ip: a)?.vni
    }

    private func tepHop(_ teps: [IPAddress], replication: Bool, leg at: Int) -> PathHop {
        guard let first = teps.first else { return PathHop(kind: .tep, text: "TEP (unknown)", leg: at, frames: group.legs[at].evidence) }
        if replication {
            let list = teps.map { labels.tep($0) }.joined(separator: ", ")
            return PathHop(kind: .replication, text: "replicated to \(list)", teps: teps, leg: at, frames: group.legs[at].evidence)
        }
        let isEdge = labels.roles[first] == .edge || labels.roles[first] == .gateway
        let text = teps.count == 1 ? labels.tep(first) : teps.map { labels.tep($0) }.joined(separator: ", then ")
        return PathHop(kind: isEdge ? .edgeTEP : .tep, text: text, name: labels.names.tep(first), ip: first, teps: teps, leg: at, frames: group.legs[at].evidence)
    }

    private func broadcastText(_ l: LegInfo, _ mac: MACAddress) -> String {
        if (group.kind == .arp || group.kind == .neighborDiscovery), let t = l.destination { return "broadcast (who-has \(t))" }
        if let d = l.destination, d.isMulticast { return "multicast \(d)" }
        return mac.isBroadcast ? "broadcast" : "multicast \(mac)"
    }

    /// "uplink VLAN 100, SNAT 10.1.10.12 → 192.0.2.10" (the NAT as seen in this direction).
    private func uplinkHop(_ u: LegInfo, forward: Bool) -> PathHop {
        var text = u.vlan.map { "uplink VLAN \($0)" } ?? "uplink (untagged)"
        if let t = translation, t.kind != .none {
            let inside = endpoint(t.inside, t.insidePort), outside = endpoint(t.outside, t.outsidePort)
            switch (t.kind, forward) {
            case (.snat, true): text += ", SNAT \(inside) → \(outside)"
            case (.snat, false): text += ", un-SNAT \(outside) → \(inside)"
            case (.dnat, true): text += ", DNAT \(outside) → \(inside)"
            default: text += ", un-DNAT \(inside) → \(outside)"
            }
        }
        return PathHop(kind: .uplink, text: text, vlan: u.vlan, leg: u.index, frames: group.legs[u.index].evidence)
    }

    private func endpoint(_ ip: IPAddress, _ port: UInt16?) -> String {
        let text = labels.address(ip)
        guard let p = port else { return text }
        if case .v6 = ip { return "[" + text + "]:" + String(p) }
        return text + ":" + String(p)
    }

    /// A direction of a tunneled flow seen only untunneled: inbound (outside → uplink), or outbound
    /// (uplink → outside) when its tunnel leg is not in the capture.
    private func uplinkOnly(_ u: LegInfo, forward: Bool) -> [PathHop] {
        let f = u.index
        let inbound = u.source.map { labels.isExternal($0) } ?? false
            || u.destination.map { !labels.isExternal($0) } ?? false
        var hops: [PathHop] = []
        if inbound {
            if let s = u.source { hops.append(PathHop(kind: .external, text: labels.outside(s), ip: s, leg: f, frames: group.legs[f].evidence)) }
            hops.append(uplinkHop(u, forward: forward))
            if translation == nil || translation?.kind == AddressTranslation.Kind.none { hops.append(origin(u.destination, leg: f, showMAC: false)) }
        } else {
            hops.append(origin(u.source, leg: f))
            hops.append(uplinkHop(u, forward: forward))
            if let d = u.destination { hops.append(PathHop(kind: .external, text: labels.outside(d), ip: d, leg: f, frames: group.legs[f].evidence)) }
        }
        return hops
    }

    /// Traffic that never entered a tunnel: host → (VLAN) → host.
    private func untunneled(_ u: LegInfo) -> [PathHop] {
        let f = u.index
        var hops = [PathHop(kind: .host, text: labels.host(u.source, mac: u.source == nil ? u.state.sourceMAC : nil),
                            ip: u.source, mac: u.state.sourceMAC, leg: f, frames: group.legs[f].evidence)]
        if let v = u.vlan { hops.append(PathHop(kind: .uplink, text: "VLAN \(v)", vlan: v, leg: f, frames: group.legs[f].evidence)) }
        hops.append(PathHop(kind: .host, text: labels.host(u.destination, mac: u.destination == nil ? u.state.destinationMAC : nil),
                            ip: u.destination, mac: u.state.destinationMAC, leg: f, frames: group.legs[f].evidence))
        return hops
    }
}
