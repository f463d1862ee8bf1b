@testable import OverlayInventory
import Testing

/// The JSON reader behind the OVN dumps: strict, exact integers, documents one after another.
@Suite struct JSONParserTests {
    private func parseAll(_ text: String) throws(JSONSyntaxError) -> [JSONValue] {
        var parser = JSONParser(Array(text.utf8))
        var values: [JSONValue] = []
        while !parser.isAtEnd { values.append(try parser.parseDocument()) }
        return values
    }

    @Test func valuesOfEveryKind() throws {
        let values = try parseAll(#"{"a": [1, -2, 3.5, 1e3, true, false, null, "x"], "b": {}}"#)
        #expect(values == [
            .object([
                "a": .array([.integer(1), .integer(-2), .real(3.5), .real(1000), .bool(true), .bool(false), .null, .string("x")]),
                "b": .object([:]),
            ])
        ])
    }

    @Test func largeIntegersStayExact() throws {
        #expect(try parseAll("[9007199254740993]") == [.array([.integer(9_007_199_254_740_993)])])
    }

    @Test func stringEscapes() throws {
        let values = try parseAll(#"["a\"b\\c\/d\n\t", "\u00e9\u4e2d", "\ud83d\ude00", "caf\u00E9 ok"]"#)
        #expect(values == [.array([.string("a\"b\\c/d\n\t"), .string("é中"), .string("😀"), .string("café ok")])])
    }

    @Test func documentsOneAfterAnother() throws {
        #expect(try parseAll("{\"x\": 1}\n[2]\n\n{}").count == 3)
    }

    @Test(arguments: [
        "{\"a\": 1,}", "[1 2]", "{\"a\" 1}", "[\"unterminated]", "[01x]", "[-]", "[1.]", "[tru]", "{a: 1}",
        "[\"\\ud83d\"]", "[\"\\q\"]", "[\"tab\there\"]", "[1e]",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try parseAll(text) }
    }

    @Test func errorsCarryLineAndColumn() {
        var parser = JSONParser(Array("{\"data\": [\n  [1, 2],\n  [3,, 4]\n]}".utf8))
        do {
            _ = try parser.parseDocument()
            Issue.record("malformed JSON parsed")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 6)
        }
    }

    @Test func hostileNestingIsRefusedNotRecursedInto() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try parseAll(deep) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(throws: Never.self) { try parseAll(fine) }
    }
}
