import Foundation
import OverlayWire
import Testing
@testable import OverlayReport

@Suite("JSON stream writer")
struct JSONStreamWriterTests {
    /// A document with every shape the writer lays out: nested and empty containers, escapes, numbers.
    static let document: JSONValue = .object([
        ("empty_array", .array([])),
        ("empty_object", .object([])),
        ("nested", .array([.object([("a", .int(-1)), ("b", .array([.null, .bool(true), .bool(false)]))]), .array([])])),
        ("numbers", .array([.int(0), .int(Int64.min), .int(Int64.max), .double(1), .double(0.25), .double(.nan),
                            .double(-3e20), .number("1422828273.817203000")])),
        ("text", .string("tab\there \"quoted\" back\\slash \u{7F} \u{1} \u{2028}\u{2029} é 🙂")),
        ("key \"quoted\"\n", .string("")),
    ])

    static func streamed(_ value: JSONValue, pretty: Bool, chunkSize: Int) throws -> (text: String, chunks: Int) {
        var collected: [UInt8] = []
        var chunks = 0
        var writer = JSONStreamWriter(pretty: pretty, chunkSize: chunkSize) { bytes in
            collected.append(contentsOf: bytes)
            chunks += 1
        }
        writer.value(value)
        try writer.finish()
        return (String(decoding: collected, as: UTF8.self), chunks)
    }

    @Test("pretty layout: empty containers inline, two-space indent, items on their own lines")
    func prettyLayout() {
        let text = JSONValue.object([("a", .array([])), ("b", .array([.int(1), .object([("c", .object([]))])]))])
            .rendered(pretty: true)
        #expect(text == """
        {
          "a": [],
          "b": [
            1,
            {
              "c": {}
            }
          ]
        }
        """)
    }

    @Test("streamed in small chunks: the same bytes as in memory", arguments: [true, false])
    func chunks(pretty: Bool) throws {
        let big = JSONValue.array(Array(repeating: Self.document, count: 40))
        let whole = big.rendered(pretty: pretty)
        let (text, chunks) = try Self.streamed(big, pretty: pretty, chunkSize: 256)
        #expect(text == whole)
        #expect(chunks > 10)
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [Any])
    }

    @Test("items on two threads: the same bytes as on one, for every chunk count, nested, pretty and compact",
          arguments: [true, false])
    func itemsOnTwoThreads(pretty: Bool) throws {
        let chunk = JSONStreamWriter.parallelChunk
        for count in [0, 1, chunk - 1, 3 * chunk, 4 * chunk - 1, 4 * chunk, 4 * chunk + 1, 9 * chunk + 7] {
            func render(threads: Int, chunkSize: Int) throws -> String {
                var collected: [UInt8] = []
                var writer = JSONStreamWriter(pretty: pretty, chunkSize: chunkSize) { collected.append(contentsOf: $0) }
                writer.beginObject()
                writer.key("before"); writer.value(Self.document)
                writer.key("list"); writer.beginArray()
                writer.items(count: count, threads: threads) { i, w in
                    w.beginObject()
                    w.field("index", i)
                    w.key("value"); w.value(i % 7 == 0 ? Self.document : .array([.int(Int64(i)), .string("item \(i)")]))
                    w.endObject()
                }
                writer.endArray()
                writer.key("after"); writer.beginArray(); writer.endArray()
                writer.endObject()
                try writer.finish()
                return String(decoding: collected, as: UTF8.self)
            }
            let one = try render(threads: 1, chunkSize: 1 << 16)
            #expect(try render(threads: 2, chunkSize: 1 << 16) == one, "\(count) items")
            #expect(try render(threads: 2, chunkSize: 256) == one, "\(count) items, small chunks")
            let parsed = try JSONSerialization.jsonObject(with: Data(one.utf8)) as? [String: Any]
            #expect((parsed?["list"] as? [Any])?.count == count)
        }
    }

    @Test("a value starting deeper (indent) continues the surrounding layout")
    func baseIndent() {
        var out: [UInt8] = []
        JSONValue.array([.int(1)]).write(to: &out, pretty: true, indent: 2)
        #expect(String(decoding: out, as: UTF8.self) == "[\n      1\n    ]")
    }

    @Test("a sink error stops the writing and comes back from finish()")
    func sinkError() {
        struct Full: Error {}
        var calls = 0
        var writer = JSONStreamWriter(pretty: false, chunkSize: 256) { _ in
            calls += 1
            throw Full()
        }
        writer.value(.array(Array(repeating: .string(String(repeating: "x", count: 100)), count: 20)))
        #expect(throws: Full.self) { try writer.finish() }
        #expect(calls == 1)
    }

    /// The escaping the writer replaced (scalar by scalar, into a String): the bytes must not change.
    static func scalarEscape(_ s: String) -> String {
        var out = "\""
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
        return out + "\""
    }

    @Test("escaping byte by byte gives what escaping scalar by scalar gave; pieces as their concatenation")
    func escaping() {
        var samples = Hostile.strings + ["", "plain", "\u{2028}", "a\u{2029}b", "\u{2027}\u{202A}", "\u{0}\u{1F}\u{7F}\u{80}",
                                         "\u{8}\u{C}\r\n\t", "…→ 🙂 é", "\\\"\\"]
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = ["a", "\"", "\\", "\n", "\u{1}", "\u{7F}", "\u{2028}", "\u{2029}", "é", "→", "🙂", "\u{E000}"]
        for _ in 0..<200 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0..<12, using: &generator) { s.append(alphabet.randomElement(using: &generator)!) }
            samples.append(String(s))
        }
        for s in samples {
            var escaped = ""
            JSONValue.escape(s, into: &escaped)
            #expect(escaped == Self.scalarEscape(s), "\(Array(s.unicodeScalars))")
            let cut = s.index(s.startIndex, offsetBy: s.count / 2)
            var writer = JSONStreamWriter(pretty: false, sink: nil)
            writer.beginString()
            writer.stringPiece(String(s[..<cut]))
            writer.stringPiece(String(s[cut...]))
            writer.endString()
            #expect(String(decoding: writer.finishBytes(), as: UTF8.self) == Self.scalarEscape(s))
        }
    }

    @Test("addresses and timestamps: the same text as their descriptions")
    func wireValues() {
        func rendered(_ write: (inout JSONStreamWriter) -> Void) -> String {
            var writer = JSONStreamWriter(pretty: false, sink: nil)
            write(&writer)
            return String(decoding: writer.finishBytes(), as: UTF8.self)
        }
        let v4: [UInt32] = [0, 0xFFFF_FFFF, 0x0A01_0A0B, 0xAC14_0B33, 0x6400_0001, 0x0909_6309, 0xC0A8_FE0A]
        for raw in v4 {
            let a = IPAddress.v4(IPv4Address(rawValue: raw))
            #expect(rendered { $0.ip(a) } == "\"\(a.description)\"")
        }
        let v6 = IPAddress.v6(IPv6Address(high: 0xFE80_0000_0000_0000, low: 0x0250_56FF_FEAA_1011))
        #expect(rendered { $0.ip(v6) } == "\"\(v6.description)\"")
        #expect(rendered { $0.ip(nil) } == "null")
        for raw: UInt64 in [0, 0xFFFF_FFFF_FFFF, 0x0050_56AA_1011, 0x0A00_0B0C_F00D] {
            let m = MACAddress(rawValue: raw)
            #expect(rendered { $0.mac(m) } == "\"\(m.description)\"")
        }
        #expect(rendered { $0.mac(nil) } == "null")
        for t in [Timestamp(seconds: 1_422_828_273, nanoseconds: 817_203_000), Timestamp(seconds: 0, nanoseconds: 0),
                  Timestamp(seconds: 7, nanoseconds: 5), Timestamp(seconds: 1_700_000_000, nanoseconds: 999_999_999)] {
            #expect(rendered { $0.time(t) } == t.description)
        }
        #expect(rendered { $0.ips([v6, .v4(IPv4Address(10, 0, 0, 1))]) } == "[\"\(v6)\",\"10.0.0.1\"]")
    }

    @Test("escaping: a byte that needs care at every position of a long plain run (the 8-byte scan)")
    func escapingInsidePlainRuns() {
        let specials: [String] = ["\"", "\\", "\n", "\u{1}", "\u{1F}", "\u{7F}", "\u{80}", "é", "\u{2028}", "\u{2029}", "→", " ", "~"]
        for special in specials {
            for length in 0..<26 {
                for position in 0...length {
                    let s = String(repeating: "a", count: position) + special + String(repeating: "b", count: length - position)
                    var writer = JSONStreamWriter(pretty: false, sink: nil)
                    writer.string(s)
                    #expect(String(decoding: writer.finishBytes(), as: UTF8.self) == Self.scalarEscape(s), "\(Array(s.unicodeScalars))")
                }
            }
        }
    }

    @Test("deep nesting (past the container stack's first capacity): pretty indentation of every level")
    func deepNesting() {
        let depth = 40
        var writer = JSONStreamWriter(pretty: true, sink: nil)
        for _ in 0..<depth { writer.beginArray() }
        writer.int(7)
        for _ in 0..<depth { writer.endArray() }
        var expected = ""
        for level in 0..<depth { expected += String(repeating: "  ", count: level) + "[\n" }
        expected += String(repeating: "  ", count: depth) + "7"
        for level in stride(from: depth - 1, through: 0, by: -1) { expected += "\n" + String(repeating: "  ", count: level) + "]" }
        #expect(String(decoding: writer.finishBytes(), as: UTF8.self) == expected)
    }

    @Test("integers: every digit count and its edges, as String(value) writes them")
    func integers() {
        var values: [Int64] = [0, 1, -1, 9, 10, 11, 99, 100, 101, Int64.max, Int64.min, Int64.min + 1]
        var p: Int64 = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, p + 1, -(p - 1), -p, -(p + 1), p / 2 + 37]
        }
        for v in values {
            var writer = JSONStreamWriter(pretty: false, sink: nil)
            writer.int(v)
            #expect(String(decoding: writer.finishBytes(), as: UTF8.self) == String(v))
        }
    }

    @Test("fields: optionals become null, integers clamp, doubles as JSONValue writes them")
    func fields() {
        var writer = JSONStreamWriter(pretty: false, sink: nil)
        writer.beginObject()
        writer.field("a", Optional<Int>.none)
        writer.field("b", UInt64.max)
        writer.field("c", Optional<String>.none)
        writer.field("d", 2.0)
        writer.field("e", 0.1)
        writer.field("f", strings: ["x"])
        writer.endObject()
        #expect(String(decoding: writer.finishBytes(), as: UTF8.self)
            == #"{"a":null,"b":9223372036854775807,"c":null,"d":2,"e":0.1,"f":["x"]}"#)
    }

    /// Report keys of every length from 0 to 40 (the word-copy cases: under 4, 4–7, 8, 9–16, longer).
    static let literalKeys: [StaticString] = [
        "", "a", "ab", "abc", "abcd", "abcde",
        "abcdef", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghij", "abcdefghijk",
        "abcdefghijkl", "abcdefghijklm", "abcdefghijklmn", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq",
        "abcdefghijklmnopqr", "abcdefghijklmnopqrs", "abcdefghijklmnopqrst", "abcdefghijklmnopqrstu", "abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuvw",
        "abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwxy", "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz0", "abcdefghijklmnopqrstuvwxyz01", "abcdefghijklmnopqrstuvwxyz012",
        "abcdefghijklmnopqrstuvwxyz0123", "abcdefghijklmnopqrstuvwxyz01234", "abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz0123456", "abcdefghijklmnopqrstuvwxyz01234567", "abcdefghijklmnopqrstuvwxyz012345678",
        "abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789_", "abcdefghijklmnopqrstuvwxyz0123456789_A", "abcdefghijklmnopqrstuvwxyz0123456789_AB", "abcdefghijklmnopqrstuvwxyz0123456789_ABC",
    ]

    @Test("literal keys (word copies) give the bytes escaped keys give: every length, pretty and compact, nested",
          arguments: [true, false])
    func literalKeys(pretty: Bool) throws {
        var literal = JSONStreamWriter(pretty: pretty, sink: nil)
        var escaped = JSONStreamWriter(pretty: pretty, sink: nil)
        for depth in 0..<3 {
            literal.beginObject()
            escaped.beginObject()
            for (i, key) in Self.literalKeys.enumerated() {
                literal.key(key)
                escaped.key(text: key.description)
                if i % 3 == 0 {
                    literal.null(); escaped.null()
                } else if i % 3 == 1 {
                    literal.bool(i % 2 == 0); escaped.bool(i % 2 == 0)
                } else {
                    literal.int(i * depth); escaped.int(i * depth)
                }
            }
            literal.key("nested")
            escaped.key(text: "nested")
        }
        literal.null(); escaped.null()
        for _ in 0..<3 {
            literal.endObject()
            escaped.endObject()
        }
        let a = String(decoding: literal.finishBytes(), as: UTF8.self), b = String(decoding: escaped.finishBytes(), as: UTF8.self)
        #expect(a == b)
        #expect(a.contains("\"abcdefghijklmnopqrstuvwxyz0123456789_ABC\""))
        #expect(try JSONSerialization.jsonObject(with: Data(a.utf8)) is [String: Any])
    }
}
