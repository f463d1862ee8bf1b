/// A JSON document with ordered object keys, so output is byte-for-byte stable (documented schemas,
/// golden tests, diffs between runs). Strings are escaped per RFC 8259, so nothing from a capture can
/// break the document.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// A number already in JSON text form (e.g. a timestamp with nanosecond digits a Double would round).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered() == b.rendered() }
    public func hash(into h: inout Hasher) { h.combine(rendered()) }

    public static func integer<T: BinaryInteger>(_ v: T) -> JSONValue { .int(Int64(clamping: v)) }
    public static func optional<T>(_ v: T?, _ f: (T) -> JSONValue) -> JSONValue { v.map(f) ?? .null }
    public static func strings<S: Sequence>(_ s: S) -> JSONValue where S.Element: CustomStringConvertible {
        .array(s.map { .string($0.description) })
    }

    /// Compact (one line) or pretty (two-space indent) text.
    public func rendered(pretty: Bool = false) -> String {
        var bytes: [UInt8] = []
        write(to: &bytes, pretty: pretty, indent: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    public func write(to out: inout String, pretty: Bool, indent: Int) {
        var bytes: [UInt8] = []
        write(to: &bytes, pretty: pretty, indent: indent)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Writes UTF-8 into a byte buffer: a multi-megabyte report is millions of small appends, which cost several
    /// times more on a String (per-append capacity, count and ASCII-flag bookkeeping) than on an array of bytes.
    public func write(to out: inout [UInt8], pretty: Bool, indent: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): JSONValue.appendDecimal(i, to: &out)
        case .double(let d):
            if d.isFinite {
                out.append(contentsOf: (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)).utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): JSONValue.escape(s, into: &out)
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { JSONValue.newline(&out, indent + 1) }
                item.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSONValue.newline(&out, indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { JSONValue.newline(&out, indent + 1) }
                JSONValue.escape(k, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                v.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSONValue.newline(&out, indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A line break and two spaces per level.
    static func newline(_ out: inout [UInt8], _ indent: Int) {
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<indent {
            out.append(UInt8(ascii: " "))
            out.append(UInt8(ascii: " "))
        }
    }

    /// `String(i)` without the temporary string.
    static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var v = value.magnitude
        var digits: (UInt64, Int) = (0, 0)  // reversed digits, 4 bits each (at most 20 digits: two passes)
        if v >= 10_000_000_000_000_000 {
            out.append(contentsOf: String(v).utf8)
            return
        }
        repeat {
            digits.0 = digits.0 << 4 | (v % 10)
            digits.1 += 1
            v /= 10
        } while v > 0
        for _ in 0..<digits.1 {
            out.append(UInt8(ascii: "0") + UInt8(digits.0 & 0xF))
            digits.0 >>= 4
        }
    }

    /// Whether `s` has nothing to escape: no quote, backslash, control character, DEL, U+2028 or U+2029.
    /// Most strings in a report (addresses, names, numbers as text) have none and are copied whole.
    static func needsNoEscaping(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F { return false }
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
                if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                    return false
                }
                i += 1
            }
            return true
        }
    }

    static func escape(_ s: String, into out: inout [UInt8]) {
        if needsNoEscaping(s) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
        } else {
            var text = ""
            escape(s, into: &text)
            out.append(contentsOf: text.utf8)
        }
    }

    public static func escape(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
