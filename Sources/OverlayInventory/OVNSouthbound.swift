import OverlayWire

/// The OVN southbound tables OverlayTrace reads, gathered from any number of `ovn-sbctl --format=json list`
/// dumps (tables may come in separate files), then joined into an `Inventory`.
///
/// What is mapped (docs/inventory.md has the long form):
/// - `Datapath_Binding`: `tunnel_key` is the VNI. A logical switch becomes a segment (`.overlay`); a logical
///   router (external_ids `logical-router`, or `type` = logical-router in newer OVN) becomes a router and also a
///   `.transit` segment, because traffic redirected to a gateway chassis is tunneled in the router's datapath key.
///   Name: external_ids `name`, else `name2`.
/// - `Port_Binding`: (datapath key, `tunnel_key`) → an `InventoryOVNPort`; `mac` strings are "MAC IP..." (IPs may
///   carry a /len on router ports; "router", "unknown", "dynamic" carry no address). VIF ports (type "") with a
///   MAC also become workloads behind their chassis' TEP. Ports of router datapaths give the router its MACs;
///   a router port's `options:peer` names the switch-side patch port, whose switch gets the router port's networks
///   as subnets and whose VNI joins the router's `vnis`. A router with `l3gateway` ports is a gateway router.
/// - `Chassis` + `Encap`: each encap IP is a TEP named by the chassis hostname (else its name). A chassis that
///   hosts a `chassisredirect`/`l3gateway` port, or is marked `enable-chassis-as-gw`, is an edge (gateway chassis).
/// - `Multicast_Group`: (datapath key, `tunnel_key`) → name, for the egress keys ≥ 32768 in the Geneve option.
struct OVNSouthbound {
    enum Table: String, CaseIterable {
        case datapathBinding = "Datapath_Binding"
        case portBinding = "Port_Binding"
        case chassis = "Chassis"
        case encap = "Encap"
        case multicastGroup = "Multicast_Group"

        var requiredColumns: [String] {
            switch self {
            case .datapathBinding: return ["_uuid", "tunnel_key", "external_ids"]
            case .portBinding: return ["logical_port", "tunnel_key", "datapath"]
            case .chassis: return ["_uuid", "name", "encaps"]
            case .encap: return ["ip", "type", "chassis_name"]
            case .multicastGroup: return ["datapath", "name", "tunnel_key"]
            }
        }

        /// Recognises a table by its columns (`ovn-sbctl` prints no table name); Port_Binding and
        /// Multicast_Group are told apart from Datapath_Binding by their `datapath` column.
        static func identify(_ table: OVSDBTable) -> Table? {
            if let caption = table.caption, let word = caption.split(separator: " ").first {
                return Table(rawValue: String(word))
            }
            if table.has("logical_port") && table.has("datapath") && table.has("tunnel_key") { return .portBinding }
            if table.has("datapath") && table.has("name") && table.has("tunnel_key") { return .multicastGroup }
            if table.has("tunnel_key") && table.has("external_ids") && !table.has("datapath") {
                return .datapathBinding
            }
            if table.has("encaps") && table.has("name") { return .chassis }
            if table.has("ip") && table.has("chassis_name") && table.has("type") { return .encap }
            return nil
        }
    }

    struct Datapath {
        var key: UInt32
        var name: String?
        var isRouter: Bool
    }

    struct Port {
        var logicalPort: String
        var type: String
        var datapath: String
        var key: UInt16
        var chassis: String?
        var encap: String?
        var macs: [String]
        var peer: String?
    }

    struct Chassis {
        var name: String
        var hostname: String?
        var encaps: [String]
        var markedAsGateway: Bool
        var displayName: String { hostname ?? name }
    }

    struct Encap {
        var ip: IPAddress
        var type: String
        var chassisName: String
    }

    struct MulticastGroup {
        var datapath: String
        var key: UInt16
        var name: String
    }

    private(set) var datapaths: [String: Datapath] = [:]
    private(set) var ports: [Port] = []
    private(set) var chassis: [String: Chassis] = [:]
    private(set) var encaps: [String: Encap] = [:]
    private(set) var multicastGroups: [MulticastGroup] = []
    private(set) var sources: [String] = []
    private var seen: Set<Table> = []

    var isEmpty: Bool { sources.isEmpty }

    // MARK: - Reading

    mutating func add(_ tables: [OVSDBTable]) throws {
        for table in tables {
            guard let kind = Table.identify(table) else {
                if table.caption != nil { continue }  // an ovsdb-client dump of a table we do not use
                throw InventoryError(
                    .ovnDump, file: table.source,
                    message: "table \(table.ordinal) with columns \(table.headings.joined(separator: ", ")) is none of "
                        + Table.allCases.map(\.rawValue).joined(separator: ", ")
                        + " (dump them with `ovn-sbctl --format=json list <Table>`, without --columns)")
            }
            for column in kind.requiredColumns where !table.has(column) {
                throw InventoryError(
                    .ovnDump, file: table.source,
                    message: "\(kind.rawValue) table lacks the column '\(column)' (dump it without --columns)")
            }
            if !sources.contains(table.source) { sources.append(table.source) }
            seen.insert(kind)
            for (number, row) in table.rows.enumerated() {
                let reader = RowReader(table: table, kind: kind, row: row, number: number + 1)
                switch kind {
                case .datapathBinding: try addDatapath(reader)
                case .portBinding: ports.append(try readPort(reader))
                case .chassis: try addChassis(reader)
                case .encap: try addEncap(reader)
                case .multicastGroup: multicastGroups.append(try readMulticastGroup(reader))
                }
            }
        }
    }

    private mutating func addDatapath(_ r: RowReader) throws {
        let uuid = try r.uuid("_uuid")
        let ids = r.map("external_ids")
        let key = try r.integer("tunnel_key", in: 1...0xFF_FFFF)
        let isRouter = ids["logical-router"] != nil || r.string("type") == "logical-router"
        datapaths[uuid] = Datapath(key: UInt32(key), name: ids["name"] ?? ids["name2"], isRouter: isRouter)
    }

    private func readPort(_ r: RowReader) throws -> Port {
        Port(
            logicalPort: try r.requiredString("logical_port"), type: r.string("type") ?? "",
            datapath: try r.uuid("datapath"), key: UInt16(try r.integer("tunnel_key", in: 1...0x7FFF)),
            chassis: r.optionalUUID("chassis"), encap: r.optionalUUID("encap"), macs: r.strings("mac"),
            peer: r.map("options")["peer"])
    }

    private mutating func addChassis(_ r: RowReader) throws {
        let uuid = try r.uuid("_uuid")
        // ovn-cms-options lives in other_config since OVN 20.06, in external_ids before.
        let options =
            (r.map("other_config")["ovn-cms-options"] ?? "") + "," + (r.map("external_ids")["ovn-cms-options"] ?? "")
        let hostname = r.string("hostname").flatMap { $0.isEmpty ? nil : $0 }
        chassis[uuid] = Chassis(
            name: try r.requiredString("name"), hostname: hostname, encaps: r.uuids("encaps"),
            markedAsGateway: options.split(separator: ",").contains("enable-chassis-as-gw"))
    }

    private mutating func addEncap(_ r: RowReader) throws {
        let text = try r.requiredString("ip")
        guard let ip = IPAddress(text) else { throw r.error("ip \"\(text)\" is not an IP address") }
        let encap = Encap(ip: ip, type: r.string("type") ?? "", chassisName: try r.requiredString("chassis_name"))
        // Without _uuid (dumped with --columns) the encap can still be joined by chassis_name.
        encaps[r.optionalUUID("_uuid") ?? "\(r.table.source)#\(r.table.ordinal)#\(r.number)"] = encap
    }

    private func readMulticastGroup(_ r: RowReader) throws -> MulticastGroup {
        MulticastGroup(
            datapath: try r.uuid("datapath"), key: UInt16(try r.integer("tunnel_key", in: 1...0xFFFF)),
            name: try r.requiredString("name"))
    }

    // MARK: - Joining

    /// The inventory the tables describe, named after the dump files.
    func inventory() throws -> InventoryPart {
        var notes: [String] = []
        let source = sources.joined(separator: ", ")
        if !seen.contains(.datapathBinding) && !(ports.isEmpty && multicastGroups.isEmpty) {
            throw InventoryError(
                .ovnDump, file: source,
                message: "Port_Binding/Multicast_Group rows need the Datapath_Binding table to know their datapath "
                    + "tunnel keys: add `ovn-sbctl --format=json list Datapath_Binding`")
        }
        if seen.contains(.chassis) && !seen.contains(.encap) {
            notes.append(
                "\(source): Chassis dumped without Encap, so chassis have no TEP address "
                    + "(add `ovn-sbctl --format=json list Encap`)")
        }

        var keyOwner: [UInt32: String] = [:]
        for (uuid, datapath) in datapaths {
            if let other = keyOwner[datapath.key], other != uuid {
                throw InventoryError(
                    .conflict, file: source,
                    message: "two Datapath_Binding rows (\(other), \(uuid)) have tunnel_key \(datapath.key): "
                        + "dumps from different moments or deployments?")
            }
            keyOwner[datapath.key] = uuid
        }

        let chassisByName = Dictionary(chassis.values.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var gatewayChassis = Set(chassis.filter { $0.value.markedAsGateway }.map(\.value.name))
        var gatewayTransit: [String: UInt32] = [:]  // chassis name → lowest router datapath key it serves
        var portsByName: [String: Port] = [:]
        for port in ports { portsByName[port.logicalPort] = port }

        // One TEP per chassis, chosen once: its Geneve encap, and among equals the lowest IP, so the choice is stable.
        var encapsByChassisName: [String: [Encap]] = [:]
        for encap in encaps.values { encapsByChassisName[encap.chassisName, default: []].append(encap) }
        var tepByChassis: [String: IPAddress] = [:]
        for (uuid, c) in chassis {
            let candidates = c.encaps.compactMap { encaps[$0] } + (encapsByChassisName[c.name] ?? [])
            tepByChassis[uuid] = candidates.min { a, b in a.type == b.type ? a.ip < b.ip : a.type == "geneve" }?.ip
        }
        func tepIP(ofChassis uuid: String?, encap: String? = nil) -> IPAddress? {
            if let encap, let ip = encaps[encap]?.ip { return ip }
            return uuid.flatMap { tepByChassis[$0] }
        }

        var part = InventoryPart(source: source)
        var routerMACs: [String: Set<MACAddress>] = [:]
        var routerVNIs: [String: Set<UInt32>] = [:]
        var gatewayRouters: Set<String> = []
        var subnets: [String: [IPPrefix]] = [:]
        var missingChassis = false
        var orphans: [String] = []  // rows whose datapath is not in the Datapath_Binding dump

        for port in ports {
            guard let datapath = datapaths[port.datapath] else {
                orphans.append(port.logicalPort)
                continue
            }
            let address = Self.address(in: port.macs)
            var chassisName: String?
            if let uuid = port.chassis {
                if let c = chassis[uuid] {
                    chassisName = c.displayName
                    if port.type == "chassisredirect" || port.type == "l3gateway" {
                        gatewayChassis.insert(c.name)
                        gatewayTransit[c.name] = min(gatewayTransit[c.name] ?? .max, datapath.key)
                    }
                } else {
                    missingChassis = true
                }
            }
            part.ovnPorts.append(
                InventoryOVNPort(
                    datapathKey: datapath.key, portKey: port.key, name: port.logicalPort, datapathName: datapath.name,
                    chassis: chassisName, mac: address?.mac, ips: address?.ips ?? [], type: port.type))

            if datapath.isRouter {
                if let mac = address?.mac { routerMACs[port.datapath, default: []].insert(mac) }
                if port.type == "l3gateway" { gatewayRouters.insert(port.datapath) }
                // The switch on the other side of this router port: its VNI and the port's networks.
                if let peerName = port.peer, let peer = portsByName[peerName],
                    let peerDatapath = datapaths[peer.datapath],
                    !peerDatapath.isRouter
                {
                    routerVNIs[port.datapath, default: []].insert(peerDatapath.key)
                    subnets[peer.datapath, default: []].append(contentsOf: address?.networks ?? [])
                }
            } else if port.type.isEmpty, let address {
                part.workloads.append(
                    InventoryWorkload(
                        name: port.logicalPort, mac: address.mac, ips: address.ips, vni: datapath.key,
                        tep: tepIP(ofChassis: port.chassis, encap: port.encap), portKey: port.key))
            }
        }
        if missingChassis {
            notes.append(
                seen.contains(.chassis)
                    ? "\(source): some Port_Binding rows name a chassis missing from the Chassis dump"
                    : "\(source): Port_Binding without the Chassis table: ports show no chassis "
                        + "(add `ovn-sbctl --format=json list Chassis` and `list Encap`)")
        }

        for (uuid, datapath) in datapaths {
            let name = datapath.name ?? "datapath \(datapath.key)"
            var unique: [IPPrefix] = []
            for prefix in subnets[uuid] ?? [] where !unique.contains(prefix) { unique.append(prefix) }
            part.segments.append(
                InventorySegment(
                    vni: datapath.key, name: name, subnets: unique, kind: datapath.isRouter ? .transit : .overlay))
            if datapath.isRouter {
                part.routers.append(
                    InventoryRouter(
                        name: name, kind: gatewayRouters.contains(uuid) ? .gateway : .distributed,
                        macs: (routerMACs[uuid] ?? []).sorted(),
                        vnis: (routerVNIs[uuid, default: []].union([datapath.key])).sorted()))
            }
        }

        for encap in encaps.values {
            let owner = chassisByName[encap.chassisName]
            let isGateway = gatewayChassis.contains(encap.chassisName)
            part.teps.append(
                InventoryTEP(
                    ip: encap.ip, name: owner?.displayName ?? encap.chassisName, role: isGateway ? .edge : .host))
        }
        for (uuid, c) in chassis where gatewayChassis.contains(c.name) {
            guard let ip = tepIP(ofChassis: uuid) else { continue }
            part.edges.append(InventoryEdge(name: c.displayName, tep: ip, transitVNI: gatewayTransit[c.name]))
        }

        for group in multicastGroups {
            guard let datapath = datapaths[group.datapath] else {
                orphans.append(group.name)
                continue
            }
            part.ovnMulticastGroups.append(
                InventoryOVNMulticastGroup(datapathKey: datapath.key, key: group.key, name: group.name))
        }

        if !orphans.isEmpty {
            notes.append(
                "\(source): skipped \(orphans.count) Port_Binding/Multicast_Group row(s) whose datapath is not "
                    + "in the Datapath_Binding dump (dumps taken at different moments?), e.g. "
                    + orphans.prefix(3).joined(separator: ", "))
        }
        part.teps = Self.unique(part.teps.sorted { $0.ip < $1.ip })
        part.segments.sort { $0.vni < $1.vni }
        part.workloads.sort { ($0.vni ?? 0, $0.portKey ?? 0, $0.name) < ($1.vni ?? 0, $1.portKey ?? 0, $1.name) }
        part.routers.sort { $0.name < $1.name }
        part.edges.sort { $0.name < $1.name }
        part.ovnPorts.sort { ($0.datapathKey, $0.portKey) < ($1.datapathKey, $1.portKey) }
        part.ovnMulticastGroups.sort { ($0.datapathKey, $0.key) < ($1.datapathKey, $1.key) }
        part.warnings = notes
        return part
    }

    private static func unique<T: Hashable>(_ items: [T]) -> [T] {
        var seen: Set<T> = []
        return items.filter { seen.insert($0).inserted }
    }

    /// The first "MAC [IP[/len]...]" string of a Port_Binding `mac` set. "router", "unknown" and "dynamic"
    /// name no address.
    static func address(in macs: [String]) -> (mac: MACAddress, ips: [IPAddress], networks: [IPPrefix])? {
        for text in macs {
            let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = tokens.first, let mac = MACAddress(String(first)) else { continue }
            var ips: [IPAddress] = []
            var networks: [IPPrefix] = []
            for token in tokens.dropFirst() {
                // "10.0.0.5" on a VIF, "10.0.0.1/24" on a router port (the address and its network).
                guard let slash = token.firstIndex(of: "/") else {
                    if let ip = IPAddress(String(token)) { ips.append(ip) }
                    continue
                }
                guard let ip = IPAddress(String(token[..<slash])),
                    let length = Int(token[token.index(after: slash)...]),
                    let network = IPPrefix(address: ip, length: length)
                else { continue }
                ips.append(ip)
                networks.append(network)
            }
            return (mac, ips, networks)
        }
        return nil
    }
}

/// Typed access to one row, with messages that say which table, row and column is wrong.
private struct RowReader {
    let table: OVSDBTable
    let kind: OVNSouthbound.Table
    let row: [JSONValue]
    let number: Int

    func error(_ message: String) -> InventoryError {
        var what = "\(kind.rawValue) row \(number)"
        if let name = (table.cell(row, "logical_port") ?? table.cell(row, "name"))?.ovsdbString {
            what += " (\(name))"
        }
        return InventoryError(.ovnDump, file: table.source, message: "\(what): \(message)")
    }

    func uuid(_ column: String) throws -> String {
        guard let uuid = table.cell(row, column)?.ovsdbUUID else {
            throw error("\(column) is not a [\"uuid\", …] reference")
        }
        return uuid
    }

    func optionalUUID(_ column: String) -> String? { table.cell(row, column)?.ovsdbUUIDs.first }
    func uuids(_ column: String) -> [String] { table.cell(row, column)?.ovsdbUUIDs ?? [] }
    func string(_ column: String) -> String? { table.cell(row, column)?.ovsdbString }
    func strings(_ column: String) -> [String] { table.cell(row, column)?.ovsdbStrings ?? [] }
    func map(_ column: String) -> [String: String] { table.cell(row, column)?.ovsdbStringMap ?? [:] }

    func requiredString(_ column: String) throws -> String {
        guard let text = string(column) else { throw error("\(column) is not a string") }
        return text
    }

    func integer(_ column: String, in range: ClosedRange<Int64>) throws -> Int64 {
        guard let value = table.cell(row, column)?.ovsdbInteger, range.contains(value) else {
            throw error("\(column) is not an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }
}
