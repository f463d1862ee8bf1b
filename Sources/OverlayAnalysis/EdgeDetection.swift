import OverlayWire
import OverlayInventory

/// Why a TEP is taken for an edge or gateway node.
struct EdgeEvidence {
    var reasons: [String] = []
    var frames: [Int] = []
    var vnis: Set<UInt32> = []
    var uplinkVLANs: Set<UInt16> = []
    var translations: [AddressTranslation] = []

    /// One entry per (kind, inside, outside); the evidence of every flow showing it is merged and the earliest
    /// frames kept, so the result does not depend on the order flows are visited in.
    mutating func addTranslation(_ t: AddressTranslation) {
        if let i = translations.firstIndex(where: { $0.inside == t.inside && $0.outside == t.outside && $0.kind == t.kind }) {
            translations[i].frames = Array(Set(translations[i].frames + t.frames).sorted().prefix(8))
        } else if translations.count < 16 {
            translations.append(t)
        }
    }
    var flows = 0
    var uplink = false
    var declared = false

    private var kinds: Set<String> = []

    /// Keeps one reason per kind (with the first example), so a busy edge lists each kind once.
    mutating func add(_ reason: String, example: String? = nil, frame: Int?) {
        if kinds.insert(reason).inserted, reasons.count < 8 { reasons.append(example.map { "\(reason) such as \($0)" } ?? reason) }
        if let f = frame, f > 0, frames.count < 8, !frames.contains(f) { frames.append(f) }
    }

    func role(transit: [UInt32: String]) -> TunnelEndpoint.Role {
        declared || uplink || vnis.contains { transit[$0] != nil } ? .edge : .gateway
    }
}

extension OverlayAnalyzer {
    /// The translation between the tunnel leg and the uplink leg of a flow (forward legs preferred).
    func translation(of g: FlowGroup) -> AddressTranslation? {
        for forward in [true, false] {
            guard let t = g.legs.first(where: { $0.tunneled && $0.forward == forward }),
                  let u = g.legs.first(where: { !$0.tunneled && $0.forward == forward }),
                  let ts = t.source, let td = t.destination, let us = u.source, let ud = u.destination else { continue }
            let frames = [t.first.frame, u.first.frame].sorted()
            // Forward: the overlay side is the tunnel leg's source (SNAT) or destination (DNAT); reverse: mirrored.
            let (snatInside, snatOutside, sIn, sOut) = forward ? (ts, us, t.sourcePort, u.sourcePort) : (td, ud, t.destinationPort, u.destinationPort)
            let (dnatInside, dnatOutside, dIn, dOut) = forward ? (td, ud, t.destinationPort, u.destinationPort) : (ts, us, t.sourcePort, u.sourcePort)
            let ported = t.hasPorts
            if snatInside != snatOutside || (ported && sIn != sOut) {
                return AddressTranslation(kind: .snat, inside: snatInside, outside: snatOutside,
                                          insidePort: ported && sIn != sOut ? sIn : nil, outsidePort: ported && sIn != sOut ? sOut : nil,
                                          frames: frames)
            }
            if dnatInside != dnatOutside || (ported && dIn != dOut) {
                return AddressTranslation(kind: .dnat, inside: dnatInside, outside: dnatOutside,
                                          insidePort: ported && dIn != dOut ? dIn : nil, outsidePort: ported && dIn != dOut ? dOut : nil,
                                          frames: frames)
            }
            return AddressTranslation(kind: .none, inside: snatInside, outside: snatOutside, insidePort: nil, outsidePort: nil,
                                      frames: frames)
        }
        return nil
    }

    /// Whether a tunnel leg runs towards the uplink (overlay → edge → outside) rather than from it.
    func isOutbound(_ l: LegInfo, uplink u: LegInfo, translation: AddressTranslation?) -> Bool {
        if let t = translation, t.kind != .none { return (t.kind == .snat) == l.forward }
        if u.forward == l.forward { return u.first.frame >= l.first.frame }
        return l.forward
    }

    /// Edges and gateways: declared ones; TEPs where tunnel legs of flows with an uplink leg end or start;
    /// TEPs that receive overlay traffic for outside addresses or send overlay traffic from them.
    func detectEdges(_ groups: [FlowGroup], _ model: TopologyModel) -> [IPAddress: EdgeEvidence] {
        var edges: [IPAddress: EdgeEvidence] = [:]
        for e in inventory.edges {
            edges[e.tep, default: EdgeEvidence()].declared = true
            edges[e.tep]?.add("declared in the inventory as edge \(e.name)", frame: nil)
            if let v = e.transitVNI { edges[e.tep]?.vnis.insert(v) }
        }
        for t in inventory.teps where t.role == .edge {
            edges[t.ip, default: EdgeEvidence()].declared = true
            edges[t.ip]?.add("declared in the inventory as edge node \(t.name)", frame: nil)
        }
        for g in groups where !g.tunneledLegs.isEmpty {
            var touched: Set<IPAddress> = []
            let uplinks = g.uplinkLegs
            let translation = uplinks.isEmpty ? nil : translation(of: g)
            for l in g.tunneledLegs {
                var ends: [(IPAddress, String, String?)] = []
                if let u = uplinks.first(where: { $0.forward == l.forward }) ?? uplinks.first {
                    let vlan = u.vlan.map { "VLAN \($0)" } ?? "an untagged link"
                    let side = isOutbound(l, uplink: u, translation: translation) ? l.destinationTEPs : l.sourceTEPs
                    for ip in side {
                        ends.append((ip, "tunnel legs of flows that continue untunneled on \(vlan) end or start here", nil))
                        edges[ip, default: EdgeEvidence()].uplink = true
                        if let v = u.vlan { edges[ip]?.uplinkVLANs.insert(v) }
                        if let t = translation { edges[ip]?.addTranslation(t) }
                    }
                }
                if let d = l.destination, model.isExternal(d, inventory: inventory) {
                    for ip in l.destinationTEPs { ends.append((ip, "receives overlay traffic for outside addresses", "\(d)")) }
                }
                if let s = l.source, model.isExternal(s, inventory: inventory) {
                    for ip in l.sourceTEPs { ends.append((ip, "sends overlay traffic from outside addresses", "\(s)")) }
                }
                for (ip, reason, example) in ends {
                    edges[ip, default: EdgeEvidence()].add(reason, example: example, frame: l.first.frame)
                    if let v = l.vni { edges[ip]?.vnis.insert(v) }
                    touched.insert(ip)
                }
            }
            for ip in touched { edges[ip]?.flows += 1 }
        }
        return edges
    }
}
