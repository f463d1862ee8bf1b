import Foundation
import OverlayWire
import Yams

/// Decodes an inventory file (YAML, or JSON, which is YAML) into an `Inventory`. Schema: docs/inventory.md.
///
/// Walks Yams' node tree rather than using `Decodable`: nodes keep their line and column (so every message
/// points at the offending line), scalars keep their exact text (YAML 1.1 would read an unquoted
/// `00:50:56:11:10:11` as a base-60 integer), and unknown keys are found without a shadow `CodingKeys` list.
struct InventoryFileDecoder {
    let source: String

    static let topLevelKeys = ["teps", "segments", "workloads", "routers", "edges"]
    static let tepKeys = ["ip", "name", "role"]
    static let segmentKeys = ["vni", "name", "subnets", "kind"]
    static let workloadKeys = ["name", "mac", "ips", "vni", "tep", "port_key"]
    static let routerKeys = ["name", "kind", "macs", "vnis"]
    static let edgeKeys = ["name", "tep", "transit_vni", "uplink_vlan", "snat", "sr_mac", "uplink_mac"]
    static let snatKeys = ["from", "to"]

    func decode(_ text: String) throws -> InventoryPart {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error)
        }
        guard let root, !isNull(root) else { return InventoryPart(source: source) }
        guard case .mapping = root else {
            let keys = Self.topLevelKeys.joined(separator: ", ")
            throw invalid(root, "expected a mapping with keys \(keys) at the top level, found \(describe(root))")
        }
        let top = try Entry(root, label: "top level", allowed: Self.topLevelKeys, decoder: self)
        return InventoryPart(
            source: source,
            teps: try top.entries("teps", allowed: Self.tepKeys, decodeTEP),
            segments: try top.entries("segments", allowed: Self.segmentKeys, decodeSegment),
            workloads: try top.entries("workloads", allowed: Self.workloadKeys, decodeWorkload),
            routers: try top.entries("routers", allowed: Self.routerKeys, decodeRouter),
            edges: try top.entries("edges", allowed: Self.edgeKeys, decodeEdge))
    }

    // MARK: - Entries

    private func decodeTEP(_ e: Entry) throws -> InventoryTEP {
        let ip = try e.required("ip", e.ip)
        return InventoryTEP(ip: ip, name: try e.string("name") ?? ip.description, role: try e.choice("role") ?? .host)
    }

    private func decodeSegment(_ e: Entry) throws -> InventorySegment {
        let vni = try e.required("vni", e.vni)
        return InventorySegment(
            vni: vni, name: try e.string("name") ?? "VNI \(vni)", subnets: try e.list("subnets", e.prefix),
            kind: try e.choice("kind") ?? .overlay)
    }

    private func decodeWorkload(_ e: Entry) throws -> InventoryWorkload {
        let name = try e.required("name", e.string)
        let workload = InventoryWorkload(
            name: name, mac: try e.mac("mac"), ips: try e.list("ips", e.ip), vni: try e.vni("vni"),
            tep: try e.ip("tep"),
            portKey: try e.integer("port_key", in: 1...32767, what: "an OVN port tunnel key (1…32767)")
                .map(UInt16.init))
        guard workload.mac != nil || !workload.ips.isEmpty else {
            throw e.error(.missingKey, at: e.node, "needs 'mac' or 'ips' to be recognisable in a capture")
        }
        return workload
    }

    private func decodeRouter(_ e: Entry) throws -> InventoryRouter {
        InventoryRouter(
            name: try e.required("name", e.string), kind: try e.choice("kind") ?? .distributed,
            macs: try e.list("macs", e.mac), vnis: try e.list("vnis", e.vni))
    }

    private func decodeEdge(_ e: Entry) throws -> InventoryEdge {
        InventoryEdge(
            name: try e.required("name", e.string), tep: try e.required("tep", e.ip),
            transitVNI: try e.vni("transit_vni"),
            uplinkVLAN: try e.integer("uplink_vlan", in: 0...4095, what: "a VLAN ID (0…4095)").map(UInt16.init),
            snat: try e.entries("snat", allowed: Self.snatKeys) { rule in
                SNATRule(from: try rule.required("from", rule.prefix), to: try rule.required("to", rule.ip))
            },
            serviceRouterMAC: try e.mac("sr_mac"), uplinkMAC: try e.mac("uplink_mac"))
    }

    // MARK: - Errors

    func error(_ code: InventoryError.Code, at node: Node?, _ message: String) -> InventoryError {
        InventoryError(code, file: source, line: node?.mark?.line, column: node?.mark?.column, message: message)
    }

    private func invalid(_ node: Node, _ message: String) -> InventoryError { error(.invalidValue, at: node, message) }

    private func syntaxError(_ error: YamlError) -> InventoryError {
        let reason: String
        let mark: Mark?
        switch error {
        case .scanner(let context, let problem, let m, _), .parser(let context, let problem, let m, _),
            .composer(let context, let problem, let m, _):
            // "did not find expected ',' or '}' (while parsing a flow mapping that starts at line 2)"
            reason = problem + (context.map { " (\($0.text) that starts at line \($0.mark.line))" } ?? "")
            mark = m
        case .duplicatedKeysInMapping(let duplicates, let context):
            reason = "duplicate key " + duplicates.map { "'\($0)'" }.joined(separator: ", ")
            mark = context.mark
        case .reader(let problem, _, _, _):
            reason = problem
            mark = nil
        default:
            reason = error.description
            mark = nil
        }
        return InventoryError(
            .syntax, file: source, line: mark?.line, column: mark?.column,
            message: "not a valid YAML or JSON inventory: \(reason)")
    }
}

/// One mapping of the file (the top level, a TEP, a workload, ...) and where it sits, for messages.
private struct Entry {
    let node: Node
    let label: String
    let values: [String: Node]
    let decoder: InventoryFileDecoder

    /// Rejects keys the schema does not have: a typo must not silently drop what the user meant.
    init(_ node: Node, label: String, allowed: [String], decoder: InventoryFileDecoder) throws {
        self.node = node
        self.decoder = decoder
        guard case .mapping(let mapping) = node else {
            throw decoder.error(
                .invalidValue, at: node, "\(label): expected a mapping (key: value), found \(describe(node))")
        }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw decoder.error(.invalidValue, at: key, "\(label): keys must be plain words")
            }
            guard allowed.contains(scalar.string) else {
                var message = "\(label): unknown key '\(scalar.string)'"
                if let guess = closest(to: scalar.string, in: allowed) { message += " (did you mean '\(guess)'?)" }
                message += "; allowed keys: \(allowed.joined(separator: ", "))"
                throw decoder.error(.unknownKey, at: key, message)
            }
            values[scalar.string] = value
        }
        self.values = values
        // Name entries by their name once known: "workloads[2] (web-01)" beats "workloads[2]".
        if let name = values["name"], case .scalar(let scalar) = name, !isNull(name) {
            self.label = "\(label) (\(scalar.string))"
        } else {
            self.label = label
        }
    }

    func error(_ code: InventoryError.Code, at node: Node, _ message: String) -> InventoryError {
        decoder.error(code, at: node, "\(label): \(message)")
    }

    /// A key whose absence makes the entry meaningless.
    func required<T>(_ key: String, _ read: (String) throws -> T?) throws -> T {
        guard let value = try read(key) else { throw error(.missingKey, at: node, "missing required key '\(key)'") }
        return value
    }

    /// A list of mappings under `key`, each decoded by `decode`.
    func entries<T>(_ key: String, allowed: [String], _ decode: (Entry) throws -> T) throws -> [T] {
        try nodes(key).enumerated().map { index, item in
            try decode(Entry(item, label: "\(key)[\(index)]", allowed: allowed, decoder: decoder))
        }
    }

    /// A list of scalars under `key`; a single scalar is a one-element list.
    func list<T>(_ key: String, _ parse: (Node, String, String) throws -> T) throws -> [T] {
        try nodes(key).map { item in
            guard let text = try scalar(item, key) else {
                throw error(.invalidValue, at: item, "\(key) has an empty item")
            }
            return try parse(item, text, key)
        }
    }

    private func nodes(_ key: String) throws -> [Node] {
        guard let value = values[key], !isNull(value) else { return [] }
        switch value {
        case .sequence(let sequence): return Array(sequence)
        case .scalar: return [value]
        default: throw error(.invalidValue, at: value, "\(key) must be a list, found \(describe(value))")
        }
    }

    /// The scalar text of a node; `nil` for YAML null (`~`, `null` or nothing).
    private func scalar(_ node: Node, _ key: String) throws -> String? {
        if isNull(node) { return nil }
        guard case .scalar(let scalar) = node else {
            throw error(.invalidValue, at: node, "\(key) must be a single value, found \(describe(node))")
        }
        return scalar.string
    }

    private func value<T>(_ key: String, _ parse: (Node, String, String) throws -> T) throws -> T? {
        guard let node = values[key], let text = try scalar(node, key) else { return nil }
        return try parse(node, text, key)
    }

    // MARK: Typed keys

    func string(_ key: String) throws -> String? { try value(key) { _, text, _ in text } }
    func ip(_ key: String) throws -> IPAddress? { try value(key, ip) }
    func mac(_ key: String) throws -> MACAddress? { try value(key, mac) }
    func vni(_ key: String) throws -> UInt32? { try value(key, vni) }
    func prefix(_ key: String) throws -> IPPrefix? { try value(key, prefix) }

    func integer(_ key: String, in range: ClosedRange<Int>, what: String) throws -> Int? {
        try value(key) { node, text, _ in
            guard let number = parseInteger(text), range.contains(number) else {
                throw error(.invalidValue, at: node, "\(key) \"\(text)\" is not \(what)")
            }
            return number
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String) throws -> T? where T.RawValue == String {
        try value(key) { node, text, _ in
            guard let choice = T(rawValue: text) else {
                let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw error(.invalidValue, at: node, "\(key) \"\(text)\" is not one of: \(allowed)")
            }
            return choice
        }
    }

    // Value parsers: (node, text, key) → value; `key` names the key or list in messages.

    func ip(_ node: Node, _ text: String, _ key: String) throws -> IPAddress {
        guard let ip = IPAddress(text) else {
            throw error(.invalidValue, at: node, "\(key) \"\(text)\" is not an IPv4 or IPv6 address")
        }
        return ip
    }

    func mac(_ node: Node, _ text: String, _ key: String) throws -> MACAddress {
        guard let mac = MACAddress(text) else {
            throw error(.invalidValue, at: node, "\(key) \"\(text)\" is not a MAC address (expected aa:bb:cc:dd:ee:ff)")
        }
        return mac
    }

    func vni(_ node: Node, _ text: String, _ key: String) throws -> UInt32 {
        guard let number = parseInteger(text), (0...0xFF_FFFF).contains(number) else {
            throw error(.invalidValue, at: node, "\(key) \"\(text)\" is not a VNI (0…16777215, 24 bits)")
        }
        return UInt32(number)
    }

    func prefix(_ node: Node, _ text: String, _ key: String) throws -> IPPrefix {
        guard let prefix = IPPrefix(text) else {
            throw error(.invalidValue, at: node, "\(key) \"\(text)\" is not an IP prefix (expected e.g. 10.1.10.0/24)")
        }
        return prefix
    }
}

/// Decimal, or hexadecimal with 0x (VNIs are often quoted in hex).
private func parseInteger(_ text: String) -> Int? {
    let lower = text.lowercased()
    if lower.hasPrefix("0x") {
        let digits = lower.dropFirst(2)
        guard !digits.isEmpty, digits.count <= 8, digits.allSatisfy(\.isHexDigit) else { return nil }
        return Int(digits, radix: 16)
    }
    guard !text.isEmpty, text.count <= 10, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int(text)
}

private func isNull(_ node: Node) -> Bool {
    guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
    return node.null != nil
}

private func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar): return "\"\(scalar.string)\""
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}

/// The allowed key nearest to a typo (edit distance ≤ 2), for "did you mean".
private func closest(to word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let lower = Array(word.lowercased())
    let best = candidates.map { ($0, distance(lower, Array($0))) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= 2 else { return nil }
    return best.0
}

// MARK: - Writing

extension Inventory {
    /// The inventory in the file schema (docs/inventory.md), as YAML with one flow mapping per entry; reading it
    /// back gives the same TEPs, segments, workloads, routers and edges. OVN ports, multicast groups and warnings
    /// have no place in the schema and are left out.
    public func inventoryFileText() throws -> String {
        func text(_ value: String, quoted: Bool = false) -> Node {
            Node(value, Tag(.str), quoted ? .doubleQuoted : .any)
        }
        func number<T: BinaryInteger>(_ value: T) -> Node { Node(String(value), Tag(.int)) }
        func list(_ items: [Node]) -> Node { Node(items, Tag(.seq), .flow) }
        func entry(_ pairs: [(String, Node?)]) -> Node {
            Node(pairs.compactMap { key, value in value.map { (Node(key), $0) } }, Tag(.map), .flow)
        }
        // MACs are quoted: unquoted all-digit MACs are base-60 integers to YAML 1.1 readers.
        func mac(_ value: MACAddress) -> Node { text(value.description, quoted: true) }

        var sections: [(Node, Node)] = []
        func section(_ key: String, _ entries: [Node]) {
            if !entries.isEmpty { sections.append((Node(key), Node(entries, Tag(.seq), .block))) }
        }
        section("teps", teps.map {
            entry([("ip", text($0.ip.description)), ("name", text($0.name)), ("role", text($0.role.rawValue))])
        })
        section("segments", segments.map {
            entry([
                ("vni", number($0.vni)), ("name", text($0.name)),
                ("subnets", $0.subnets.isEmpty ? nil : list($0.subnets.map { text($0.description) })),
                ("kind", text($0.kind.rawValue)),
            ])
        })
        section("workloads", workloads.map {
            entry([
                ("name", text($0.name)), ("mac", $0.mac.map(mac)),
                ("ips", $0.ips.isEmpty ? nil : list($0.ips.map { text($0.description) })),
                ("vni", $0.vni.map(number)), ("tep", $0.tep.map { text($0.description) }),
                ("port_key", $0.portKey.map(number)),
            ])
        })
        section("routers", routers.map {
            entry([
                ("name", text($0.name)), ("kind", text($0.kind.rawValue)), ("macs", list($0.macs.map(mac))),
                ("vnis", list($0.vnis.map(number))),
            ])
        })
        section("edges", edges.map {
            entry([
                ("name", text($0.name)), ("tep", text($0.tep.description)),
                ("transit_vni", $0.transitVNI.map(number)), ("uplink_vlan", $0.uplinkVLAN.map(number)),
                ("snat", $0.snat.isEmpty ? nil : list($0.snat.map {
                    entry([("from", text($0.from.description)), ("to", text($0.to.description))])
                })),
                ("sr_mac", $0.serviceRouterMAC.map(mac)), ("uplink_mac", $0.uplinkMAC.map(mac)),
            ])
        })
        // width -1: one entry per line however long, so each entry stays greppable.
        return try Yams.serialize(node: Node(sections, Tag(.map), .block), width: -1, allowUnicode: true)
    }
}
