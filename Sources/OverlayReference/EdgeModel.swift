import OverlayInventory
import OverlayWire

/// Edges and gateways — the NSX edge's service router (SR), OVN's gateway chassis.
///
/// The rules:
/// 1. Traffic for a destination outside every segment is routed by the distributed router on the source
///    host to the edge: tunneled to the **edge TEP**, in a **transit VNI** (NSX: the DR↔SR transit segment;
///    OVN: the logical router's datapath toward the chassis-redirect port).
/// 2. The edge applies SNAT/DNAT and sends the packet untunneled on its uplink VLAN.
/// 3. Replies come back from the edge TEP, routed again — often in the destination segment's VNI rather
///    than the transit VNI. Different VNIs out and back through an edge are therefore normal.
///
/// Which TEPs are edges: those the inventory declares (`edges[].tep`, TEPs with role `edge`), and TEPs the
/// capture shows exchanging inner traffic with public IPv4 addresses in both directions (only an edge
/// receives packets for the outside *and* sends packets from it). Transit VNIs come from the inventory.
struct EdgeModel {
    private(set) var declaredEdges: Set<IPAddress> = []
    private(set) var transitVNIs: Set<UInt32> = []
    /// Per TEP id: it received inner packets for a public address / sent inner packets from one.
    private var receivesOutside: [Bool] = []
    private var sendsOutside: [Bool] = []

    init(inventory: Inventory?) {
        guard let inventory else { return }
        for e in inventory.edges {
            declaredEdges.insert(e.tep)
            if let t = e.transitVNI { transitVNIs.insert(t) }
        }
        for t in inventory.teps where t.role == .edge { declaredEdges.insert(t.ip) }
        for s in inventory.segments where s.kind == .transit { transitVNIs.insert(s.vni) }
    }

    @inline(__always)
    mutating func observe(from source: TEPID, to destination: TEPID, inner: InnerFrame) {
        if case .v4(let d)? = inner.destinationIP, Self.isOutside(d) { Self.mark(&receivesOutside, destination) }
        if case .v4(let s)? = inner.sourceIP, Self.isOutside(s) { Self.mark(&sendsOutside, source) }
    }

    private func isMarked(_ flags: [Bool], _ id: TEPID) -> Bool { Int(id) < flags.count && flags[Int(id)] }

    private static func mark(_ flags: inout [Bool], _ id: TEPID) {
        let i = Int(id)
        if i >= flags.count { flags.append(contentsOf: repeatElement(false, count: i - flags.count + 1)) }
        flags[i] = true
    }

    /// A public unicast IPv4 address: not private, shared, link-local, loopback, multicast or broadcast.
    static func isOutside(_ a: IPv4Address) -> Bool {
        !a.isPrivate && !a.isMulticast && !a.isBroadcast && a.rawValue != 0
    }

    func edgeTEPs(_ teps: TunnelEndpointTable) -> Set<TEPID> {
        var out: Set<TEPID> = []
        for ip in declaredEdges { if let id = teps.id(of: ip) { out.insert(id) } }
        for i in 0..<teps.count where isMarked(receivesOutside, TEPID(i)) && isMarked(sendsOutside, TEPID(i)) {
            out.insert(TEPID(i))
        }
        return out
    }
}
