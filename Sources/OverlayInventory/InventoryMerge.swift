import OverlayWire

/// The entries of one decoded file (or of the joined OVN dumps) and where they came from. Plain arrays: the
/// indexes are built once, on the merged `Inventory`.
struct InventoryPart {
    var source: String
    var teps: [InventoryTEP] = []
    var segments: [InventorySegment] = []
    var workloads: [InventoryWorkload] = []
    var routers: [InventoryRouter] = []
    var edges: [InventoryEdge] = []
    var ovnPorts: [InventoryOVNPort] = []
    var ovnMulticastGroups: [InventoryOVNMulticastGroup] = []
    var warnings: [String] = []
}

/// Merges inventories in order. Later entries add to earlier ones (more subnets, MACs, IPs, SNAT rules, a
/// missing field filled in); entries that contradict each other — the same TEP IP with two names, the same VNI
/// with two names — are an error naming both values and both files.
enum InventoryMerger {
    static func merge(_ parts: [InventoryPart]) throws -> Inventory {
        var teps = Merged<IPAddress, InventoryTEP>()
        var segments = Merged<UInt32, InventorySegment>()
        var workloads = Merged<String, InventoryWorkload>()
        var routers = Merged<String, InventoryRouter>()
        var edges = Merged<String, InventoryEdge>()
        var edgeNames = Merged<IPAddress, String>()
        var ports = Merged<UInt64, InventoryOVNPort>()
        var groups = Merged<UInt64, InventoryOVNMulticastGroup>()
        var warnings: [String] = []

        for part in parts {
            let source = part.source
            let inventory = part
            warnings += inventory.warnings
            for tep in inventory.teps {
                try teps.add(tep, key: tep.ip, source: source) { old, new, clash in
                    guard old == new else {
                        throw clash("TEP \(tep.ip)", "'\(old.name)' (\(old.role))", "'\(new.name)' (\(new.role))")
                    }
                }
            }
            for segment in inventory.segments {
                try segments.add(segment, key: segment.vni, source: source) { old, new, clash in
                    let what = "VNI \(segment.vni)"
                    guard old.name == new.name else { throw clash(what, "'\(old.name)'", "'\(new.name)'") }
                    guard old.kind == new.kind else {
                        throw clash("\(what) (\(old.name))", old.kind.rawValue, new.kind.rawValue)
                    }
                    old.subnets.appendUnique(new.subnets)
                }
            }
            for workload in inventory.workloads {
                try workloads.add(workload, key: workload.name, source: source) { old, new, clash in
                    let what = "workload \(workload.name)"
                    try fill(&old.mac, new.mac, "\(what) mac", clash)
                    try fill(&old.vni, new.vni, "\(what) vni", clash)
                    try fill(&old.tep, new.tep, "\(what) tep", clash)
                    try fill(&old.portKey, new.portKey, "\(what) port key", clash)
                    old.ips.appendUnique(new.ips)
                }
            }
            for router in inventory.routers {
                try routers.add(router, key: router.name, source: source) { old, new, clash in
                    guard old.kind == new.kind else {
                        throw clash("router \(router.name)", old.kind.rawValue, new.kind.rawValue)
                    }
                    old.macs.appendUnique(new.macs)
                    old.vnis.appendUnique(new.vnis)
                }
            }
            for edge in inventory.edges {
                try edgeNames.add(edge.name, key: edge.tep, source: source) { old, new, clash in
                    guard old == new else { throw clash("edge TEP \(edge.tep)", "'\(old)'", "'\(new)'") }
                }
                try edges.add(edge, key: edge.name, source: source) { old, new, clash in
                    let what = "edge \(edge.name)"
                    guard old.tep == new.tep else { throw clash("\(what) tep", "\(old.tep)", "\(new.tep)") }
                    try fill(&old.transitVNI, new.transitVNI, "\(what) transit_vni", clash)
                    try fill(&old.uplinkVLAN, new.uplinkVLAN, "\(what) uplink_vlan", clash)
                    try fill(&old.serviceRouterMAC, new.serviceRouterMAC, "\(what) sr_mac", clash)
                    try fill(&old.uplinkMAC, new.uplinkMAC, "\(what) uplink_mac", clash)
                    old.snat.appendUnique(new.snat)
                }
            }
            for port in inventory.ovnPorts {
                let key = Inventory.portKey(port.datapathKey, port.portKey)
                try ports.add(port, key: key, source: source) { old, new, clash in
                    guard old == new else {
                        throw clash(
                            "OVN port (datapath \(port.datapathKey), key \(port.portKey))", "'\(old.name)'",
                            "'\(new.name)'")
                    }
                }
            }
            for group in inventory.ovnMulticastGroups {
                let key = Inventory.portKey(group.datapathKey, group.key)
                try groups.add(group, key: key, source: source) { old, new, clash in
                    guard old == new else {
                        throw clash(
                            "OVN multicast group (datapath \(group.datapathKey), key \(group.key))", "'\(old.name)'",
                            "'\(new.name)'")
                    }
                }
            }
        }

        var merged = Inventory(
            teps: teps.values, segments: segments.values, workloads: workloads.values, routers: routers.values,
            edges: edges.values, ovnPorts: ports.values, ovnMulticastGroups: groups.values)
        let ambiguous = merged.ambiguousWorkloadKeys
        let keys = ambiguous.macs.map { "MAC \($0)" } + ambiguous.ips.map { "IP \($0)" }
        if !keys.isEmpty {
            let shown =
                keys.prefix(10).joined(separator: ", ") + (keys.count > 10 ? " and \(keys.count - 10) more" : "")
            warnings.append("several workloads share \(shown): they are named only when the VNI is known")
        }
        merged.warnings = warnings
        return merged
    }

    /// Fills a field the earlier entry left empty; two different values are a conflict.
    private static func fill<T: Equatable & CustomStringConvertible>(
        _ old: inout T?, _ new: T?, _ what: String, _ clash: Clash
    ) throws {
        guard let new else { return }
        guard let current = old else {
            old = new
            return
        }
        guard current == new else { throw clash(what, current.description, new.description) }
    }
}

/// Builds the conflict error for one entry: (what, earlier value, later value).
typealias Clash = (String, String, String) -> InventoryError

/// Entries in first-seen order, keyed by identity, remembering which file each came from.
private struct Merged<Key: Hashable, Value> {
    private(set) var values: [Value] = []
    private var owners: [Key: (index: Int, source: String)] = [:]

    /// Adds `value`; when `key` is already taken, `combine` folds `value` into the earlier entry or throws
    /// the conflict its `Clash` builds (naming both files).
    mutating func add(
        _ value: Value, key: Key, source: String, combine: (inout Value, Value, Clash) throws -> Void
    ) throws {
        guard let owner = owners[key] else {
            owners[key] = (values.count, source)
            values.append(value)
            return
        }
        let clash: Clash = { what, earlier, later in
            let message =
                owner.source == source
                ? "\(what) is \(earlier) and also \(later) in \(source)"
                : "\(what) is \(earlier) in \(owner.source) but \(later) in \(source)"
            return InventoryError(.conflict, file: source, message: message)
        }
        try combine(&values[owner.index], value, clash)
    }
}

extension Array where Element: Equatable {
    fileprivate mutating func appendUnique(_ items: [Element]) {
        for item in items where !contains(item) { append(item) }
    }
}
