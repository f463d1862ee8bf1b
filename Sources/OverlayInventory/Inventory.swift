import Foundation
import OverlayWire

/// What the user (or OVN) says the overlay contains: TEPs, segments, workloads, routers, edges and OVN ports.
/// The analyzer uses it to put names on what it sees and to know intent (router MACs, edges, SNAT).
///
/// Lookups are O(1): each array has a dictionary index, rebuilt whenever the array is assigned or mutated
/// (O(n) each time, so build arrays first and assign them once, or use `init(teps:segments:...)`; appending
/// entries one by one to a large inventory is quadratic).
///
/// When two workloads share a MAC or an IP (overlapping tenant subnets in OVN), the lookup by that MAC or IP
/// alone answers `nil` rather than guess; `workload(mac:vni:)`/`workload(ip:vni:)` still answer.
public struct Inventory: Sendable {
    public var teps: [InventoryTEP] { didSet { tepIndex = KeyIndex(teps) { [$0.ip] } } }
    public var segments: [InventorySegment] { didSet { segmentIndex = KeyIndex(segments) { [$0.vni] } } }
    public var workloads: [InventoryWorkload] { didSet { workloadIndex = WorkloadIndex(workloads) } }
    public var routers: [InventoryRouter] { didSet { routerMACs = Self.routerMACs(routers, edges) } }
    public var edges: [InventoryEdge] {
        didSet {
            edgeIndex = KeyIndex(edges) { [$0.tep] }
            routerMACs = Self.routerMACs(routers, edges)
        }
    }
    public var ovnPorts: [InventoryOVNPort] {
        didSet { ovnPortIndex = KeyIndex(ovnPorts) { [Self.portKey($0.datapathKey, $0.portKey)] } }
    }
    /// Names of OVN multicast groups from a `Multicast_Group` dump (they override the well-known names).
    public var ovnMulticastGroups: [InventoryOVNMulticastGroup] {
        didSet { multicastIndex = KeyIndex(ovnMulticastGroups) { [Self.portKey($0.datapathKey, $0.key)] } }
    }
    /// Things worth telling the user that did not stop the load (skipped OVN rows, ambiguous MACs/IPs, ...).
    public var warnings: [String] = []

    private var tepIndex = KeyIndex<IPAddress>()
    private var segmentIndex = KeyIndex<UInt32>()
    private var workloadIndex = WorkloadIndex()
    private var routerMACs: Set<MACAddress> = []
    private var edgeIndex = KeyIndex<IPAddress>()
    private var ovnPortIndex = KeyIndex<UInt64>()
    private var multicastIndex = KeyIndex<UInt64>()

    /// An empty inventory: every lookup answers `nil`/`false`.
    public init() {
        self.init(teps: [])
    }

    public init(
        teps: [InventoryTEP] = [], segments: [InventorySegment] = [], workloads: [InventoryWorkload] = [],
        routers: [InventoryRouter] = [], edges: [InventoryEdge] = [], ovnPorts: [InventoryOVNPort] = [],
        ovnMulticastGroups: [InventoryOVNMulticastGroup] = []
    ) {
        // `didSet` does not run in an initializer; build the indexes explicitly.
        self.teps = teps
        self.segments = segments
        self.workloads = workloads
        self.routers = routers
        self.edges = edges
        self.ovnPorts = ovnPorts
        self.ovnMulticastGroups = ovnMulticastGroups
        tepIndex = KeyIndex(teps) { [$0.ip] }
        segmentIndex = KeyIndex(segments) { [$0.vni] }
        workloadIndex = WorkloadIndex(workloads)
        routerMACs = Self.routerMACs(routers, edges)
        edgeIndex = KeyIndex(edges) { [$0.tep] }
        ovnPortIndex = KeyIndex(ovnPorts) { [Self.portKey($0.datapathKey, $0.portKey)] }
        multicastIndex = KeyIndex(ovnMulticastGroups) { [Self.portKey($0.datapathKey, $0.key)] }
    }

    // MARK: - Loading

    /// Reads inventory files (YAML or JSON, docs/inventory.md) and OVN southbound JSON dumps
    /// (`ovn-sbctl --format=json list <Table>`), in any mix, and merges them. OVN tables may be spread over
    /// several files; they are joined together. Throws `InventoryError` naming the file and the reason.
    public static func load(paths: [String]) throws -> Inventory {
        var loader = InventoryLoader()
        for path in paths { try loader.add(text: try readText(path), source: path) }
        return try loader.finish()
    }

    /// Like `load(paths:)` for text already in memory (one inventory file or one dump); `source` names it in errors.
    public static func parse(_ text: String, source: String) throws -> Inventory {
        var loader = InventoryLoader()
        try loader.add(text: text, source: source)
        return try loader.finish()
    }

    private static func readText(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InventoryError(.unreadable, file: path, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw InventoryError(.unreadable, file: path, message: "is a directory, not an inventory file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InventoryError(.unreadable, file: path, message: "cannot be read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InventoryError(
                .unreadable, file: path, message: "is not UTF-8 text; an inventory is YAML or JSON (is this a capture?)"
            )
        }
        return text
    }

    // MARK: - Lookups (O(1))

    public func tep(_ ip: IPAddress) -> InventoryTEP? { tepIndex[ip].map { teps[$0] } }
    public func segment(vni: UInt32) -> InventorySegment? { segmentIndex[vni].map { segments[$0] } }
    public func workload(mac: MACAddress) -> InventoryWorkload? { workloadIndex.byMAC[mac].map { workloads[$0] } }
    public func workload(ip: IPAddress) -> InventoryWorkload? { workloadIndex.byIP[ip].map { workloads[$0] } }

    public func workload(mac: MACAddress, vni: UInt32) -> InventoryWorkload? {
        workloadIndex.byVNIMAC[VNIKey(vni: vni, key: mac)].map { workloads[$0] }
    }

    public func workload(ip: IPAddress, vni: UInt32) -> InventoryWorkload? {
        workloadIndex.byVNIIP[VNIKey(vni: vni, key: ip)].map { workloads[$0] }
    }

    /// A MAC of a router or of an edge's service router / uplink: frames from it were routed.
    public func isRouterMAC(_ mac: MACAddress) -> Bool { routerMACs.contains(mac) }
    public func edge(tep: IPAddress) -> InventoryEdge? { edgeIndex[tep].map { edges[$0] } }

    public func ovnPort(datapathKey: UInt32, portKey: UInt16) -> InventoryOVNPort? {
        ovnPortIndex[Self.portKey(datapathKey, portKey)].map { ovnPorts[$0] }
    }

    /// The name of an OVN multicast group (egress port key ≥ 32768): from a `Multicast_Group` dump when one was
    /// loaded, else the group ovn-northd creates with that key on every datapath (`wellKnownOVNMulticastGroups`).
    public func ovnMulticastGroupName(datapathKey: UInt32, key: UInt16) -> String? {
        if let i = multicastIndex[Self.portKey(datapathKey, key)] { return ovnMulticastGroups[i].name }
        return Self.wellKnownOVNMulticastGroups[key]
    }

    /// Fixed tunnel keys of ovn-northd's own multicast groups (OVN lib/mcast-group-index.h, `ovn_mcast_tunnel_keys`,
    /// OVN 22.x and later). Keys from 32773 up are IP multicast groups, named only by a `Multicast_Group` dump.
    /// Older OVN numbered 32771/32772 differently (`_MC_mrouter_static`, `_MC_static`); dump `Multicast_Group`
    /// to be exact.
    public static let wellKnownOVNMulticastGroups: [UInt16: String] = [
        32768: "_MC_flood",
        32769: "_MC_unknown",
        32770: "_MC_mrouter_flood",
        32771: "_MC_static",
        32772: "_MC_flood_l2",
    ]

    public var isEmpty: Bool {
        teps.isEmpty && segments.isEmpty && workloads.isEmpty && routers.isEmpty && edges.isEmpty && ovnPorts.isEmpty
            && ovnMulticastGroups.isEmpty
    }

    static func portKey(_ datapath: UInt32, _ port: UInt16) -> UInt64 { UInt64(datapath) << 16 | UInt64(port) }

    private static func routerMACs(_ routers: [InventoryRouter], _ edges: [InventoryEdge]) -> Set<MACAddress> {
        Set(routers.flatMap(\.macs) + edges.flatMap(\.routerMACs))
    }
}

/// Reads any mix of inventory files and OVN dumps; OVN tables are joined once all files are read.
struct InventoryLoader {
    private var parts: [InventoryPart] = []
    private var southbound = OVNSouthbound()

    mutating func add(text: String, source: String) throws {
        if let tables = try OVSDBTable.tables(in: text, source: source) {
            try southbound.add(tables)
        } else {
            parts.append(try InventoryFileDecoder(source: source).decode(text))
        }
    }

    func finish() throws -> Inventory {
        var all = parts
        if !southbound.isEmpty {
            all.append(try southbound.inventory())
        }
        return try InventoryMerger.merge(all)
    }
}

// MARK: - Indexes

/// Array positions by key; the first entry with a key wins (merging has already rejected conflicts).
struct KeyIndex<Key: Hashable & Sendable>: Sendable {
    private var positions: [Key: Int] = [:]

    init() {}

    init<T>(_ items: [T], keys: (T) -> [Key]) {
        for (i, item) in items.enumerated() {
            for key in keys(item) where positions[key] == nil { positions[key] = i }
        }
    }

    subscript(key: Key) -> Int? { positions[key] }
}

struct VNIKey<Key: Hashable & Sendable>: Hashable, Sendable {
    var vni: UInt32
    var key: Key
}

/// Workload positions by MAC and IP; a key claimed by two different workloads answers nothing.
struct WorkloadIndex: Sendable {
    private(set) var byMAC: [MACAddress: Int] = [:]
    private(set) var byIP: [IPAddress: Int] = [:]
    private(set) var byVNIMAC: [VNIKey<MACAddress>: Int] = [:]
    private(set) var byVNIIP: [VNIKey<IPAddress>: Int] = [:]
    /// Keys dropped because two workloads claim them, for warnings.
    private(set) var ambiguousMACs: [MACAddress] = []
    private(set) var ambiguousIPs: [IPAddress] = []

    init() {}

    init(_ workloads: [InventoryWorkload]) {
        byMAC.reserveCapacity(workloads.count)
        byIP.reserveCapacity(workloads.count)
        byVNIMAC.reserveCapacity(workloads.count)
        byVNIIP.reserveCapacity(workloads.count)
        var ambiguousMAC: Set<MACAddress> = []
        var ambiguousIP: Set<IPAddress> = []
        var ambiguousVNIMAC: Set<VNIKey<MACAddress>> = []
        var ambiguousVNIIP: Set<VNIKey<IPAddress>> = []
        for (i, w) in workloads.enumerated() {
            if let mac = w.mac {
                Self.claim(&byMAC, &ambiguousMAC, mac, i)
                if let vni = w.vni { Self.claim(&byVNIMAC, &ambiguousVNIMAC, VNIKey(vni: vni, key: mac), i) }
            }
            for (k, ip) in w.ips.enumerated() where !w.ips[..<k].contains(ip) {
                Self.claim(&byIP, &ambiguousIP, ip, i)
                if let vni = w.vni { Self.claim(&byVNIIP, &ambiguousVNIIP, VNIKey(vni: vni, key: ip), i) }
            }
        }
        ambiguousMACs = ambiguousMAC.sorted()
        ambiguousIPs = ambiguousIP.sorted()
    }

    private static func claim<K: Hashable>(_ index: inout [K: Int], _ ambiguous: inout Set<K>, _ key: K, _ i: Int) {
        if ambiguous.contains(key) { return }
        if index[key] == nil {
            index[key] = i
        } else {
            index[key] = nil
            ambiguous.insert(key)
        }
    }
}

extension Inventory {
    /// MACs and IPs claimed by more than one workload (lookups by them alone answer `nil`).
    var ambiguousWorkloadKeys: (macs: [MACAddress], ips: [IPAddress]) {
        (workloadIndex.ambiguousMACs, workloadIndex.ambiguousIPs)
    }
}

extension Inventory: Equatable {
    /// Same entries in the same order, and the same warnings (indexes are derived from the entries).
    public static func == (a: Inventory, b: Inventory) -> Bool {
        a.teps == b.teps && a.segments == b.segments && a.workloads == b.workloads && a.routers == b.routers
            && a.edges == b.edges && a.ovnPorts == b.ovnPorts && a.ovnMulticastGroups == b.ovnMulticastGroups
            && a.warnings == b.warnings
    }
}
