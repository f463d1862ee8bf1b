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

    /// Writes UTF-8 into a byte buffer (through `JSONStreamWriter`, so a document streamed piece by piece and
    /// the same document as a value give the same bytes).
    public func write(to out: inout [UInt8], pretty: Bool, indent: Int) {
        var writer = JSONStreamWriter(pretty: pretty, baseIndent: indent, sink: nil)
        writer.value(self)
        out.append(contentsOf: writer.finishBytes())
    }

    public static func escape(_ s: String, into out: inout String) {
        var writer = JSONStreamWriter(pretty: false, sink: nil)
        writer.string(s)
        out += String(decoding: writer.finishBytes(), as: UTF8.self)
    }
}

extension JSONStreamWriter {
    /// A value tree, at the current position: for the small, irregular parts of a streamed document.
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .number(let text): number(text)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for (k, item) in members {
                key(text: k)
                value(item)
            }
            endObject()
        }
    }
}
