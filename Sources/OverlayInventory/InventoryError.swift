import Foundation

/// Why an inventory file or OVN dump was rejected. The description reads like a compiler diagnostic,
/// `file:line:column: message`, so an editor or a tired engineer can jump straight to the bad line.
public struct InventoryError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// The file could not be read (missing, a directory, no permission) or is not UTF-8 text.
        case unreadable
        /// Neither YAML nor JSON: the parser stopped at `line`.
        case syntax
        /// A key the schema does not know (often a typo); the message names it and the keys allowed.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value has the wrong shape or does not parse (IP, MAC, VNI, VLAN, prefix, role, ...).
        case invalidValue
        /// Two files (or two entries) say contradictory things about the same TEP, VNI, MAC, port, ...
        case conflict
        /// A JSON document that looks like `ovn-sbctl --format=json` output but is malformed or incomplete.
        case ovnDump
    }

    public var code: Code
    /// The file the problem is in; for conflicts between files, the later one (the message names both).
    public var file: String
    /// 1-based position of the offending node, when the parser knows it.
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(_ code: Code, file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(message)"
    }
}

extension InventoryError: LocalizedError {
    public var errorDescription: String? { description }
}
