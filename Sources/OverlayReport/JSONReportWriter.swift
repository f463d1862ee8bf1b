/// The JSON report as text: pretty (two-space indent) or compact, always ending in a newline so files and pipes
/// behave like every other line-oriented tool's output. Streamed to a sink in chunks (`write`), or in memory.
public enum JSONReportWriter {
    public enum Style: Sendable {
        case pretty, compact
    }

    /// Streams the document that `body` writes to `sink` in chunks of `chunkSize` bytes, then a newline.
    /// Rethrows the first error of the sink (the rest of the document is then dropped).
    public static func write(style: Style = .pretty, chunkSize: Int = 1 << 16, to sink: @escaping JSONStreamWriter.Sink,
                             _ body: (inout JSONStreamWriter) -> Void) throws {
        var writer = JSONStreamWriter(pretty: style == .pretty, chunkSize: chunkSize, sink: sink)
        body(&writer)
        writer.append(UInt8(ascii: "\n"))
        try writer.finish()
    }

    /// The document that `body` writes, as one string.
    public static func render(style: Style = .pretty, _ body: (inout JSONStreamWriter) -> Void) -> String {
        var writer = JSONStreamWriter(pretty: style == .pretty, sink: nil)
        body(&writer)
        writer.append(UInt8(ascii: "\n"))
        return String(decoding: writer.finishBytes(), as: UTF8.self)
    }

    public static func render(_ document: JSONValue, style: Style = .pretty) -> String {
        render(style: style) { $0.value(document) }
    }

    public static func render<T: JSONConvertible>(_ value: T, style: Style = .pretty) -> String {
        render(value.jsonValue, style: style)
    }
}

/// A type with a fixed JSON shape. Conform report model types to it and build objects with ordered keys:
/// `.object([("ip", ip.jsonValue), ("vnis", vnis.jsonValue)])`.
public protocol JSONConvertible {
    var jsonValue: JSONValue { get }
}

extension JSONValue: JSONConvertible {
    public var jsonValue: JSONValue { self }
}

extension String: JSONConvertible {
    public var jsonValue: JSONValue { .string(self) }
}

extension Bool: JSONConvertible {
    public var jsonValue: JSONValue { .bool(self) }
}

extension Double: JSONConvertible {
    public var jsonValue: JSONValue { .double(self) }
}

extension Int: JSONConvertible { public var jsonValue: JSONValue { .integer(self) } }
extension Int64: JSONConvertible { public var jsonValue: JSONValue { .integer(self) } }
extension UInt8: JSONConvertible { public var jsonValue: JSONValue { .integer(self) } }
extension UInt16: JSONConvertible { public var jsonValue: JSONValue { .integer(self) } }
extension UInt32: JSONConvertible { public var jsonValue: JSONValue { .integer(self) } }
/// Clamped to Int64: counters beyond 9.2e18 are not something a capture can produce.
extension UInt64: JSONConvertible { public var jsonValue: JSONValue { .integer(self) } }

extension Optional: JSONConvertible where Wrapped: JSONConvertible {
    public var jsonValue: JSONValue { map(\.jsonValue) ?? .null }
}

extension Array: JSONConvertible where Element: JSONConvertible {
    public var jsonValue: JSONValue { .array(map(\.jsonValue)) }
}

extension JSONValue {
    /// An object from key/value pairs, leaving out keys whose value is nil (optional fields that are absent
    /// rather than null).
    public static func object(omittingNil members: [(String, (any JSONConvertible)?)]) -> JSONValue {
        .object(members.compactMap { key, value in value.map { (key, $0.jsonValue) } })
    }
}
