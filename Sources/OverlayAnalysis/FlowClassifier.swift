import OverlayWire
import OverlayInventory

/// The class of a flow and why, from its legs and the topology labels.model.
///
/// Rules, in order:
/// 1. No tunneled leg → `unknown` ("untunneled traffic").
/// 2. ARP / neighbor discovery → `east-west/same-segment` (address resolution never leaves a segment).
/// 3. A correlated untunneled uplink leg → `north-south` (the flow leaves the overlay at the edge).
/// 4. A router MAC as inner source or destination:
///    - an outside address (in no segment's subnet), or a transit segment → `north-south`;
///    - otherwise → `east-west/routed` (or `unknown` when the only leg goes to a router and nothing tells
///      where it went next).
/// 5. Bare IP inside the tunnel (no inner Ethernet): `north-south` when an address is outside, else
///    `unknown` (switching and routing look the same).
/// 6. Otherwise → `east-west/same-segment`.
struct FlowClassifier {
    let labels: Labels

    func classify(_ g: FlowGroup, translation: AddressTranslation?) -> (FlowClass, String) {
        let tunneled = g.tunneledLegs
        guard let first = tunneled.first else {
            let where_ = g.legs.first?.vlan.map { " (VLAN \($0))" } ?? ""
            return (.unknown, "untunneled traffic\(where_): no leg of this flow crossed a Geneve/VXLAN tunnel")
        }
        let vnis = OverlayAnalyzer.sortedUnique(tunneled.compactMap(\.vni))
        let vniText = vnis.map(String.init).joined(separator: ", ")
        if g.isAddressResolution {
            let answered = !g.forwardLegs.isEmpty && !g.reverseLegs.isEmpty
            return (.eastWestSameSegment, "address resolution inside VNI \(vniText)" + (answered ? "" : " (no answer seen)"))
        }
        if let u = g.uplinkLegs.first {
            let edgeTEPs = edgeSide(tunneled)
            let at = edgeTEPs.first.map { " at \(labels.tep($0))" } ?? ""
            let vlan = u.vlan.map { "VLAN \($0)" } ?? "an untagged uplink"
            var nat = ""
            if let t = translation, t.kind != .none { nat = ", \(t.kind == .snat ? "SNAT" : "DNAT") \(t.inside) ↔ \(t.outside)" }
            return (.northSouth, "leaves the overlay\(at) and continues untunneled on \(vlan)\(nat)")
        }
        if let router = firstRouterMAC(tunneled) {
            let addresses: [IPAddress] = tunneled.flatMap { l -> [IPAddress] in [l.source, l.destination].compactMap { $0 } }
            let outside = addresses.first { labels.isExternal($0) }
            if let o = outside {
                return (.northSouth, "routed between the overlay and outside address \(o) (router \(router), VNI \(vniText))")
            }
            if let transit = vnis.first(where: { labels.model.transit[$0] != nil }) {
                return (.northSouth, "routed over transit segment VNI \(transit) towards an edge (router \(router))")
            }
            let routedAtSource = tunneled.contains { labels.model.isRouter($0.state.sourceMAC) }
            if !routedAtSource && vnis.count == 1 && !labels.model.hasSubnetKnowledge {
                return (.unknown, "only one leg seen: sent to router \(router); where it went next is not in the capture")
            }
            if vnis.count > 1 {
                return (.eastWestRouted, "routed by \(router) between VNIs \(vniText)")
            }
            return (.eastWestRouted, "routed by \(router) into VNI \(vniText)")
        }
        if tunneled.allSatisfy({ $0.state.sourceMAC == nil }) {
            let addresses: [IPAddress] = tunneled.flatMap { l -> [IPAddress] in [l.source, l.destination].compactMap { $0 } }
            if let o = addresses.first(where: { labels.isExternal($0) }) {
                let at = first.destinationTEPs.first.map { " through \(labels.tep($0))" } ?? ""
                return (.northSouth, "bare IP tunneled\(at) to or from outside address \(o) (gateway or service insertion)")
            }
            return (.unknown, "the tunnel carries bare IP packets (no inner Ethernet): switching and routing cannot be told apart")
        }
        if vnis.count > 1 {
            return (.eastWestSameSegment, "switched between the same two MACs, each direction in its own VNI (\(vniText)): asymmetric tunnel keys")
        }
        return (.eastWestSameSegment, labels.switched(vni: vnis[0], from: first.sourceTEPs.first, to: first.destinationTEPs.first))
    }

    /// The first router MAC among the legs' inner source and destination MACs, in leg order.
    private func firstRouterMAC(_ legs: [LegInfo]) -> MACAddress? {
        for l in legs {
            if let m = l.state.sourceMAC, labels.model.isRouter(m) { return m }
            if let m = l.state.destinationMAC, labels.model.isRouter(m) { return m }
        }
        return nil
    }

    /// The TEPs on the uplink side of a flow's tunnel legs (destination of outbound legs, source of inbound).
    private func edgeSide(_ legs: [LegInfo]) -> [IPAddress] {
        var out: [IPAddress] = []
        for l in legs {
            for ip in l.destinationTEPs + l.sourceTEPs where labels.roles[ip] == .edge || labels.roles[ip] == .gateway {
                if !out.contains(ip) { out.append(ip) }
            }
        }
        return out
    }
}
