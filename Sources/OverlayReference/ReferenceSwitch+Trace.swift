import OverlayInventory
import OverlayWire

/// One step of a path, as ovn-trace and NSX Traceflow list them: a workload, a TEP, a tunnel leg, a
/// router, an edge, an uplink, or a note. Tunnel hops also carry their underlay endpoints and VNI, so an
/// observed path can be compared with the expected one.
public struct PathHop: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case workload, tep, tunnel, router, edge, uplink, note
    }

    public var kind: Kind
    public var text: String
    public var sourceTEP: IPAddress?
    public var destinationTEP: IPAddress?
    public var vni: UInt32?

    public init(kind: Kind, text: String, sourceTEP: IPAddress? = nil, destinationTEP: IPAddress? = nil, vni: UInt32? = nil) {
        self.kind = kind
        self.text = text
        self.sourceTEP = sourceTEP
        self.destinationTEP = destinationTEP
        self.vni = vni
    }

    public var description: String { "\(kind.rawValue): \(text)" }
}

/// What to trace: `--from VM-or-IP --to IP [tcp/80|udp/53|icmp]`.
public struct TraceQuery: Hashable, Sendable {
    public enum TransportSpec: Hashable, Sendable, CustomStringConvertible {
        case tcp(port: UInt16)
        case udp(port: UInt16)
        case icmp

        /// "tcp/80", "udp/53", "icmp" (case-insensitive); nil when unreadable.
        public init?(_ text: String) {
            let t = text.lowercased()
            if t == "icmp" || t == "icmp6" || t == "ping" {
                self = .icmp
                return
            }
            let parts = t.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, let port = UInt16(parts[1]), port > 0 else { return nil }
            switch parts[0] {
            case "tcp": self = .tcp(port: port)
            case "udp": self = .udp(port: port)
            default: return nil
            }
        }

        public var description: String {
            switch self {
            case .tcp(let p): return "tcp/\(p)"
            case .udp(let p): return "udp/\(p)"
            case .icmp: return "icmp"
            }
        }
    }

    public var from: String
    public var to: String
    /// nil when the text could not be read; ICMP echo when none was given (as Traceflow's default).
    public var transport: TransportSpec?
    public var protocolText: String?

    public init(from: String, to: String, protocolSpec: String? = nil) {
        self.from = from
        self.to = to
        protocolText = protocolSpec
        transport = protocolSpec.map { TransportSpec($0) } ?? .icmp
    }
}

/// The expected path of a synthetic packet through the model, and whether it is delivered.
public struct TraceResult: Hashable, Sendable {
    public enum Verdict: Hashable, Sendable {
        case delivered
        case cannotDeliver(reason: String)
    }

    public enum PathClass: String, Hashable, Sendable {
        case sameHost = "same host"
        case eastWestSameSegment = "east-west, same segment"
        case eastWestRouted = "east-west, routed"
        case northSouth = "north-south"
    }

    public var query: TraceQuery
    public var hops: [PathHop]
    public var verdict: Verdict
    public var pathClass: PathClass?

    public var isDelivered: Bool { verdict == .delivered }
    /// The tunnel legs a capture of this flow should show (TEP → TEP, VNI).
    public var tunnelHops: [PathHop] { hops.filter { $0.kind == .tunnel } }

    /// One line: "east-west, routed: delivered" / "cannot deliver: unknown source …".
    public var summary: String {
        switch verdict {
        case .delivered: return "\(pathClass?.rawValue ?? "path"): delivered"
        case .cannotDeliver(let reason): return "cannot deliver: \(reason)"
        }
    }
}

extension ReferenceSwitch {
    /// Walks a synthetic packet through the model — offline, like ovn-trace or NSX Traceflow — and returns
    /// the hops it is expected to take, or why it cannot be delivered.
    ///
    /// - Same segment, different hosts: workload → its TEP (MAC lookup) → Geneve in the segment's VNI →
    ///   destination TEP → destination workload.
    /// - Different segments: the distributed router on the *source* host routes (VNI a → b, TTL − 1, inner
    ///   source MAC → router MAC), then Geneve to the destination's TEP in VNI b.
    /// - Outside every segment: the DR routes to the edge over the transit VNI; the edge's service router
    ///   applies SNAT and sends the packet untunneled on its uplink VLAN.
    /// - Same host: switched or routed inside the host; it never crosses the underlay.
    public static func expectedPath(from: String, to: String, protocolSpec: String?, inventory: Inventory) -> TraceResult {
        expectedPath(TraceQuery(from: from, to: to, protocolSpec: protocolSpec), inventory: inventory)
    }

    public static func expectedPath(_ query: TraceQuery, inventory: Inventory) -> TraceResult {
        var walk = TraceWalk(query: query, inventory: inventory)
        return walk.run()
    }
}

/// The walk itself: resolve both ends in the inventory, pick the case, list the hops.
struct TraceWalk {
    let query: TraceQuery
    let inventory: Inventory
    var hops: [PathHop] = []
    static let initialTTL = 64

    init(query: TraceQuery, inventory: Inventory) {
        self.query = query
        self.inventory = inventory
    }

    /// A resolved end of the path.
    struct End {
        var name: String
        var ip: IPAddress
        var mac: MACAddress?
        var vni: UInt32?
        var tep: IPAddress?
    }

    private func fail(_ reason: String) -> TraceResult {
        TraceResult(query: query, hops: hops, verdict: .cannotDeliver(reason: reason), pathClass: nil)
    }

    private func done(_ pathClass: TraceResult.PathClass) -> TraceResult {
        TraceResult(query: query, hops: hops, verdict: .delivered, pathClass: pathClass)
    }

    mutating func run() -> TraceResult {
        guard let transport = query.transport else {
            return fail("cannot read protocol '\(query.protocolText ?? "")': use tcp/PORT, udp/PORT or icmp")
        }
        guard let workload = sourceWorkload() else {
            return fail("unknown source '\(query.from)': no workload with that name, IP or MAC in the inventory")
        }
        let sourceIP = IPAddress(query.from).flatMap { workload.ips.contains($0) ? $0 : nil } ?? workload.ips.first
        guard let sourceIP else { return fail("the inventory gives workload \(workload.name) no IP address") }
        let source = End(name: workload.name, ip: sourceIP, mac: workload.mac, vni: workload.vni ?? segment(containing: sourceIP)?.vni, tep: workload.tep)
        guard let destinationIP = IPAddress(query.to) ?? inventory.workloads.first(where: { $0.name == query.to })?.ips.first else {
            return fail("destination '\(query.to)' is neither an IP address nor a workload with an IP")
        }
        guard destinationIP != sourceIP else { return fail("source and destination are the same address \(sourceIP)") }
        guard let sourceVNI = source.vni else {
            return fail("source \(source.name) (\(sourceIP)) is on no segment the inventory knows (no VNI, no subnet containing it)")
        }
        guard let sourceTEP = source.tep else {
            return fail("the inventory does not say which TEP hosts \(source.name)")
        }
        let flow = flowText(sourceIP, destinationIP, transport)
        hops.append(PathHop(kind: .workload, text: "\(source.name) \(sourceIP)\(source.mac.map { " \($0)" } ?? "") on \(segmentName(sourceVNI)) sends \(flow), TTL \(Self.initialTTL)"))

        let destinationWorkload = inventory.workload(ip: destinationIP)
        let destinationSegment = destinationWorkload?.vni.flatMap { inventory.segment(vni: $0) } ?? segment(containing: destinationIP)
        guard let destinationSegment else {
            return northSouth(source: source, sourceVNI: sourceVNI, sourceTEP: sourceTEP, destination: destinationIP, transport: transport)
        }
        guard let w = destinationWorkload else {
            return fail("no workload with IP \(destinationIP) is declared on \(segmentName(destinationSegment.vni)): its MAC is unknown, the ARP request would be flooded and go unanswered")
        }
        guard let destinationTEP = w.tep else { return fail("the inventory does not say which TEP hosts \(w.name)") }
        let destination = End(name: w.name, ip: destinationIP, mac: w.mac, vni: destinationSegment.vni, tep: destinationTEP)
        if destinationSegment.vni == sourceVNI {
            return sameSegment(source: source, destination: destination, vni: sourceVNI, sourceTEP: sourceTEP, flow: flow)
        }
        return routed(source: source, destination: destination, from: sourceVNI, to: destinationSegment.vni, sourceTEP: sourceTEP, flow: flow)
    }

    private mutating func sameSegment(source: End, destination: End, vni: UInt32, sourceTEP: IPAddress, flow: String) -> TraceResult {
        guard let destinationTEP = destination.tep else { return fail("the inventory does not say which TEP hosts \(destination.name)") }
        let dmac = destination.mac.map(\.description) ?? "its MAC"
        if destinationTEP == sourceTEP {
            hops.append(PathHop(kind: .note, text: "switched inside \(tepName(sourceTEP)) on \(segmentName(vni)): both workloads are on this host, so the frame never crosses the underlay (a TEP capture cannot show it)"))
            hops.append(PathHop(kind: .workload, text: "\(destination.name) \(destination.ip) receives it, TTL \(Self.initialTTL)"))
            return done(.sameHost)
        }
        hops.append(PathHop(kind: .tep, text: "\(tepName(sourceTEP)): logical switch \(segmentName(vni)) looks up \(dmac) → behind \(tepName(destinationTEP)); encapsulates"))
        hops.append(PathHop(kind: .tunnel, text: "Geneve \(sourceTEP) → \(destinationTEP), VNI \(vni), inner \(source.mac.map(\.description) ?? "?") → \(dmac), TTL \(Self.initialTTL)",
                            sourceTEP: sourceTEP, destinationTEP: destinationTEP, vni: vni))
        hops.append(PathHop(kind: .tep, text: "\(tepName(destinationTEP)): decapsulates, delivers to the port of \(dmac) on \(segmentName(vni))"))
        hops.append(PathHop(kind: .workload, text: "\(destination.name) \(destination.ip) receives \(flow), TTL \(Self.initialTTL)"))
        return done(.eastWestSameSegment)
    }

    private mutating func routed(source: End, destination: End, from a: UInt32, to b: UInt32, sourceTEP: IPAddress, flow: String) -> TraceResult {
        guard let router = distributedRouter(connecting: [a, b]) else {
            return fail("no route: no distributed router in the inventory connects \(segmentName(a)) and \(segmentName(b))")
        }
        guard let destinationTEP = destination.tep else { return fail("the inventory does not say which TEP hosts \(destination.name)") }
        let ttl = Self.initialTTL - 1
        let dmac = destination.mac.map(\.description) ?? "its MAC"
        hops.append(PathHop(kind: .router, text: "\(router.name) (distributed router) on \(tepName(sourceTEP)) routes \(segmentName(a)) → \(segmentName(b)): TTL \(Self.initialTTL) → \(ttl), inner source MAC → \(macList(router.macs)), destination MAC → \(dmac)"))
        if destinationTEP == sourceTEP {
            hops.append(PathHop(kind: .note, text: "routed inside \(tepName(sourceTEP)): both workloads are on this host, so the packet never crosses the underlay (a TEP capture cannot show it)"))
            hops.append(PathHop(kind: .workload, text: "\(destination.name) \(destination.ip) receives it, TTL \(ttl)"))
            return done(.sameHost)
        }
        hops.append(PathHop(kind: .tep, text: "\(tepName(sourceTEP)): logical switch \(segmentName(b)) looks up \(dmac) → behind \(tepName(destinationTEP)); encapsulates"))
        hops.append(PathHop(kind: .tunnel, text: "Geneve \(sourceTEP) → \(destinationTEP), VNI \(b), inner \(macList(router.macs)) → \(dmac), TTL \(ttl)",
                            sourceTEP: sourceTEP, destinationTEP: destinationTEP, vni: b))
        hops.append(PathHop(kind: .tep, text: "\(tepName(destinationTEP)): decapsulates, delivers to the port of \(dmac) on \(segmentName(b))"))
        hops.append(PathHop(kind: .workload, text: "\(destination.name) \(destination.ip) receives \(flow), TTL \(ttl)"))
        return done(.eastWestRouted)
    }

    private mutating func northSouth(source: End, sourceVNI: UInt32, sourceTEP: IPAddress, destination: IPAddress,
                                     transport: TraceQuery.TransportSpec) -> TraceResult {
        guard let router = distributedRouter(connecting: [sourceVNI]) else {
            return fail("no route: \(destination) is outside every segment and no distributed router serves \(segmentName(sourceVNI))")
        }
        let snatRule = { (e: InventoryEdge) in e.snat.first { $0.from.contains(source.ip) } }
        guard let edge = inventory.edges.first(where: { snatRule($0) != nil }) ?? inventory.edges.first else {
            return fail("no edge: \(destination) is outside every segment and the inventory declares no edge or gateway")
        }
        let transit = edge.transitVNI ?? inventory.segments.first { $0.kind == .transit }?.vni
        let serviceRouter = inventory.routers.first { $0.kind == .gateway && (transit.map($0.vnis.contains) ?? false) }
            ?? inventory.routers.first { $0.kind == .gateway }
        hops.append(PathHop(kind: .router, text: "\(router.name) (distributed router) on \(tepName(sourceTEP)): \(destination) is outside every segment, default route to \(edge.name)\(transit.map { " over the transit segment \(segmentName($0))" } ?? ""): TTL \(Self.initialTTL) → \(Self.initialTTL - 1), inner source MAC → \(macList(router.macs))\(serviceRouter.map { ", destination MAC → \(macList($0.macs))" } ?? "")"))
        if edge.tep == sourceTEP {
            hops.append(PathHop(kind: .note, text: "the source runs on the edge node itself: handed to the service router inside the node, no tunnel"))
        } else {
            hops.append(PathHop(kind: .tep, text: "\(tepName(sourceTEP)): encapsulates toward the edge TEP \(edge.tep)"))
            hops.append(PathHop(kind: .tunnel, text: "Geneve \(sourceTEP) → \(edge.tep), VNI \(transit.map(String.init) ?? "(transit VNI not declared)"), inner \(source.ip) → \(destination) (addresses unchanged), TTL \(Self.initialTTL - 1)",
                                sourceTEP: sourceTEP, destinationTEP: edge.tep, vni: transit))
        }
        let rule = snatRule(edge)
        let translated = rule?.to
        let nat = rule.map { "SNAT \(source.ip) → \($0.to) (rule \($0.from))" } ?? "no SNAT rule matches \(source.ip): it leaves with its own address"
        hops.append(PathHop(kind: .edge, text: "\(edge.name)\(serviceRouter.map { " service router \($0.name)" } ?? ""): decapsulates, routes to the uplink, \(nat), TTL \(Self.initialTTL - 1) → \(Self.initialTTL - 2)"))
        let vlan = edge.uplinkVLAN.map { "VLAN \($0)" } ?? "its uplink (VLAN not declared)"
        hops.append(PathHop(kind: .uplink, text: "untunneled on \(vlan): \(flowText(translated ?? source.ip, destination, transport)), TTL \(Self.initialTTL - 2), toward \(destination)"))
        return done(.northSouth)
    }

    // MARK: lookups

    private func sourceWorkload() -> InventoryWorkload? {
        if let w = inventory.workloads.first(where: { $0.name == query.from }) { return w }
        if let w = inventory.workloads.first(where: { $0.name.lowercased() == query.from.lowercased() }) { return w }
        if let ip = IPAddress(query.from), let w = inventory.workload(ip: ip) { return w }
        if let mac = MACAddress(query.from), let w = inventory.workload(mac: mac) { return w }
        return nil
    }

    private func segment(containing ip: IPAddress) -> InventorySegment? {
        inventory.segments.first { $0.subnets.contains { $0.contains(ip) } }
    }

    /// A distributed router serving every one of `vnis` (one that lists no VNIs serves all).
    private func distributedRouter(connecting vnis: [UInt32]) -> InventoryRouter? {
        let serves = { (r: InventoryRouter) in r.vnis.isEmpty || vnis.allSatisfy(r.vnis.contains) }
        return inventory.routers.first { $0.kind == .distributed && serves($0) }
    }

    private func segmentName(_ vni: UInt32) -> String {
        inventory.segment(vni: vni).map { "\($0.name) (VNI \(vni))" } ?? "VNI \(vni)"
    }

    private func tepName(_ ip: IPAddress) -> String {
        if let t = inventory.tep(ip) { return "\(t.name) (\(ip))" }
        if let e = inventory.edge(tep: ip) { return "\(e.name) (\(ip))" }
        return "TEP \(ip)"
    }

    private func macList(_ macs: [MACAddress]) -> String {
        macs.isEmpty ? "the router MAC (not declared)" : macs.map(\.description).joined(separator: " or ")
    }

    private func flowText(_ s: IPAddress, _ d: IPAddress, _ t: TraceQuery.TransportSpec) -> String {
        switch t {
        case .tcp(let p): return "tcp \(s) → \(d):\(p)"
        case .udp(let p): return "udp \(s) → \(d):\(p)"
        case .icmp: return "icmp echo \(s) → \(d)"
        }
    }
}
