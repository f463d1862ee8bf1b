/// One table as `ovn-sbctl --format=json list <Table>` prints it:
/// `{"data": [[cell, ...], ...], "headings": ["_uuid", "external_ids", ...]}`, where a cell is an atom
/// (string, integer, real, boolean) or `["uuid", "…"]`, `["set", [atom, ...]]`, `["map", [[key, value], ...]]`.
/// A set with one element may be printed as the bare element; an empty set is `["set", []]`.
struct OVSDBTable {
    var caption: String?
    var headings: [String]
    var rows: [[JSONValue]]
    /// File and position of the table in it, for messages ("sb.json, table 2").
    var source: String
    var ordinal: Int
    private var columnIndex: [String: Int]

    init(caption: String?, headings: [String], rows: [[JSONValue]], source: String, ordinal: Int) {
        self.caption = caption
        self.headings = headings
        self.rows = rows
        self.source = source
        self.ordinal = ordinal
        var index: [String: Int] = [:]
        for (i, name) in headings.enumerated() where index[name] == nil { index[name] = i }
        columnIndex = index
    }

    func has(_ column: String) -> Bool { columnIndex[column] != nil }

    func cell(_ row: [JSONValue], _ column: String) -> JSONValue? {
        guard let i = columnIndex[column], i < row.count else { return nil }
        return row[i]
    }

    /// Every table in `text` when it is `ovn-sbctl`/`ovsdb-client` JSON output (one table, several documents one
    /// after another, or a JSON array of tables); `nil` when it is something else (an inventory file).
    static func tables(in text: String, source: String) throws -> [OVSDBTable]? {
        var parser = JSONParser(Array(text.utf8))
        guard parser.nextIsContainer else { return nil }  // YAML, or empty
        var tables: [OVSDBTable] = []
        var number = 0
        while !parser.isAtEnd {
            let value: JSONValue
            do {
                value = try parser.parseDocument()
            } catch {
                // Invalid JSON in the first document: let the YAML reader report it (a JSON inventory with a typo).
                if number == 0 { return nil }
                throw InventoryError(
                    .ovnDump, file: source, line: error.line, column: error.column,
                    message: "JSON document \(number + 1) does not parse: \(error.message)")
            }
            number += 1
            let candidates: [JSONValue]
            if case .array(let items) = value { candidates = items } else { candidates = [value] }
            for candidate in candidates {
                guard let table = try table(from: candidate, source: source, ordinal: tables.count + 1) else {
                    if number == 1 && tables.isEmpty { return nil }  // a JSON inventory, not a dump
                    throw InventoryError(
                        .ovnDump, file: source,
                        message:
                            "JSON document \(number) is not an ovn-sbctl --format=json table (no \"headings\"/\"data\")"
                    )
                }
                tables.append(table)
            }
        }
        return tables.isEmpty ? nil : tables
    }

    private static func table(from value: JSONValue, source: String, ordinal: Int) throws -> OVSDBTable? {
        guard case .object(let object) = value, let headingsValue = object["headings"], let dataValue = object["data"]
        else { return nil }
        func malformed(_ why: String) -> InventoryError {
            InventoryError(.ovnDump, file: source, message: "table \(ordinal): \(why)")
        }
        guard case .array(let headingItems) = headingsValue else { throw malformed("\"headings\" is not a list") }
        let headings = try headingItems.map { item -> String in
            guard case .string(let name) = item else { throw malformed("\"headings\" holds a non-string") }
            return name
        }
        guard case .array(let dataItems) = dataValue else { throw malformed("\"data\" is not a list") }
        let rows = try dataItems.enumerated().map { number, item -> [JSONValue] in
            guard case .array(let cells) = item, cells.count == headings.count else {
                throw malformed("row \(number + 1) does not have one cell per heading (\(headings.count))")
            }
            return cells
        }
        var caption: String?
        if case .string(let text)? = object["caption"] { caption = text }
        return OVSDBTable(caption: caption, headings: headings, rows: rows, source: source, ordinal: ordinal)
    }
}

// MARK: - OVSDB datum shapes

extension JSONValue {
    /// `["uuid", "…"]` (or `["named-uuid", "…"]`) → the UUID text.
    var ovsdbUUID: String? {
        guard case .array(let pair) = self, pair.count == 2, case .string(let tag) = pair[0],
            tag == "uuid" || tag == "named-uuid", case .string(let uuid) = pair[1]
        else { return nil }
        return uuid
    }

    /// The elements of a set; a bare atom (or UUID) is a one-element set.
    var ovsdbSetElements: [JSONValue] {
        if case .array(let pair) = self, pair.count == 2, case .string("set") = pair[0],
            case .array(let items) = pair[1]
        {
            return items
        }
        return [self]
    }

    /// `["map", [[k, v], ...]]` with string keys and values (numbers are rendered as text).
    var ovsdbStringMap: [String: String]? {
        guard case .array(let pair) = self, pair.count == 2, case .string("map") = pair[0],
            case .array(let entries) = pair[1]
        else { return nil }
        var map: [String: String] = [:]
        for entry in entries {
            guard case .array(let kv) = entry, kv.count == 2, let key = kv[0].atomText, let value = kv[1].atomText
            else { return nil }
            map[key] = value
        }
        return map
    }

    /// A string column; an empty set (optional column not set) is `nil`.
    var ovsdbString: String? {
        let elements = ovsdbSetElements
        guard elements.count == 1, case .string(let text) = elements[0] else { return nil }
        return text
    }

    var ovsdbInteger: Int64? {
        let elements = ovsdbSetElements
        guard elements.count == 1, case .integer(let value) = elements[0] else { return nil }
        return value
    }

    var ovsdbStrings: [String] {
        ovsdbSetElements.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
    }

    var ovsdbUUIDs: [String] { ovsdbSetElements.compactMap(\.ovsdbUUID) }

    private var atomText: String? {
        switch self {
        case .string(let text): return text
        case .integer(let value): return String(value)
        case .bool(let value): return String(value)
        case .real(let value): return String(value)
        default: return ovsdbUUID
        }
    }
}
