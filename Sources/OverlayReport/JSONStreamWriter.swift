/// Writes JSON text as it goes, into one reusable buffer that is handed to a sink in chunks (a file descriptor,
/// a pipe), so a report of tens of megabytes never exists as a value tree or as one big string: memory stays at
/// the chunk size whatever the document's size. Without a sink the buffer just grows and `finishBytes()` returns it.
///
/// The text is the same, byte for byte, as `JSONValue.write` gives for the same values (`JSONValue` renders
/// through this writer): pretty output indents by two spaces, puts every array item and object member on its
/// own line and writes empty containers as `[]` and `{}`.
///
/// Use: `beginObject()`, then `key(_:)` followed by one value (or `field(_:_:)`), `endObject()`; `beginArray()`,
/// values, `endArray()`.
public struct JSONStreamWriter: ~Copyable {
    /// Receives the text in chunks, in order. A thrown error stops the writing: later chunks are dropped and
    /// `finish()` rethrows it.
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    public let pretty: Bool
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private let chunkSize: Int
    private let sink: Sink?
    private var failure: (any Error)?
    /// Indentation of the outermost value (JSONValue.write(to:pretty:indent:) can start deeper).
    private let baseIndent: Int
    /// Per open container: whether it has an item yet (the next one needs a comma; the close, a line break).
    private var hasItems: [Bool] = []
    /// A key was just written: the next value is its member's, no separator before it.
    private var afterKey = false

    /// `chunkSize`: the buffer's size, so at most this many bytes per call of the sink (a value longer than
    /// that is passed in one piece). `baseIndent`: the indentation level of the outermost value (for a value
    /// written inside text laid out elsewhere).
    public init(pretty: Bool, chunkSize: Int = 1 << 16, baseIndent: Int = 0, sink: Sink?) {
        self.pretty = pretty
        self.chunkSize = max(chunkSize, 256)
        self.capacity = sink == nil ? 1024 : self.chunkSize  // in memory: small values are common
        self.base = .allocate(capacity: capacity)
        self.sink = sink
        self.baseIndent = baseIndent
        hasItems.reserveCapacity(16)
    }

    deinit { base.deallocate() }

    /// Hands what is buffered to the sink and rethrows the first error the sink threw.
    public mutating func finish() throws {
        flush()
        if let failure { throw failure }
    }

    /// Without a sink: the whole text.
    public consuming func finishBytes() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    // MARK: Structure

    public mutating func beginObject() {
        beforeValue()
        append(UInt8(ascii: "{"))
        hasItems.append(false)
    }

    public mutating func endObject() { close(UInt8(ascii: "}")) }

    public mutating func beginArray() {
        beforeValue()
        append(UInt8(ascii: "["))
        hasItems.append(false)
    }

    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// An object key whose text needs no escaping (the report's own keys: plain ASCII letters, digits, `_`).
    public mutating func key(_ key: StaticString) {
        beforeMember()
        // One reservation for `"key": ` and a byte loop: keys are a few bytes, shorter than a memmove call is worth.
        let n = key.utf8CodeUnitCount
        reserve(n + 4)
        let p = base + count
        p[0] = UInt8(ascii: "\"")
        key.withUTF8Buffer { source in for i in 0..<n { p[1 + i] = source[i] } }
        p[n + 1] = UInt8(ascii: "\"")
        p[n + 2] = UInt8(ascii: ":")
        if pretty {
            p[n + 3] = UInt8(ascii: " ")
            count += n + 4
        } else {
            count += n + 3
        }
        afterKey = true
    }

    /// An object key from data (escaped).
    public mutating func key(text key: String) {
        beforeMember()
        escaped(key)
        afterMemberKey()
    }

    // MARK: Values

    public mutating func null() {
        beforeValue()
        append("null")
    }

    public mutating func bool(_ b: Bool) {
        beforeValue()
        append(b ? "true" : "false")
    }

    /// Clamped to Int64, as `JSONValue.integer`.
    public mutating func int<T: BinaryInteger>(_ value: T) {
        beforeValue()
        decimal(Int64(clamping: value))
    }

    public mutating func int<T: BinaryInteger>(_ value: T?) {
        if let value { int(value) } else { null() }
    }

    /// Whole numbers below 1e15 without a fraction, others as Swift prints them; not finite: null.
    public mutating func double(_ d: Double) {
        beforeValue()
        if !d.isFinite {
            append("null")
        } else if d == d.rounded() && abs(d) < 1e15 {
            decimal(Int64(d))
        } else {
            var text = String(d)
            text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
        }
    }

    /// A number already in JSON text form, written as it is.
    public mutating func number(_ text: String) {
        beforeValue()
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public mutating func string(_ s: String) {
        beforeValue()
        escaped(s)
    }

    public mutating func string(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    /// A string value written in pieces: `beginString()`, any number of `stringPiece(_:)`, `endString()`.
    /// Escaping works byte by byte, so the pieces give the same text as their concatenation would.
    public mutating func beginString() {
        beforeValue()
        append(UInt8(ascii: "\""))
    }

    public mutating func stringPiece(_ s: String) {
        var s = s
        s.withUTF8 { escapedBody($0) }
    }

    public mutating func endString() { append(UInt8(ascii: "\"")) }

    public mutating func strings(_ items: [String]) {
        beginArray()
        for s in items { string(s) }
        endArray()
    }

    public mutating func ints<S: Sequence>(_ items: S) where S.Element: BinaryInteger {
        beginArray()
        for i in items { int(i) }
        endArray()
    }

    // MARK: Members

    public mutating func field<T: BinaryInteger>(_ k: StaticString, _ v: T) { key(k); int(v) }
    public mutating func field<T: BinaryInteger>(_ k: StaticString, _ v: T?) { key(k); int(v) }
    public mutating func field(_ k: StaticString, _ v: String) { key(k); string(v) }
    public mutating func field(_ k: StaticString, _ v: String?) { key(k); string(v) }
    public mutating func field(_ k: StaticString, _ v: Bool) { key(k); bool(v) }
    public mutating func field(_ k: StaticString, _ v: Double) { key(k); double(v) }
    public mutating func field(_ k: StaticString, strings v: [String]) { key(k); strings(v) }
    public mutating func field<S: Sequence>(_ k: StaticString, ints v: S) where S.Element: BinaryInteger { key(k); ints(v) }

    // MARK: Layout

    mutating func beforeValue() {
        if afterKey {
            afterKey = false
            return
        }
        guard !hasItems.isEmpty else { return }  // the outermost value
        separateItem()
    }

    private mutating func beforeMember() { separateItem() }

    private mutating func afterMemberKey() {
        append(UInt8(ascii: ":"))
        if pretty { append(UInt8(ascii: " ")) }
        afterKey = true
    }

    private mutating func separateItem() {
        let last = hasItems.count - 1
        if hasItems[last] { append(UInt8(ascii: ",")) } else { hasItems[last] = true }
        if pretty { newline(baseIndent + hasItems.count) }
    }

    private mutating func close(_ bracket: UInt8) {
        let had = hasItems.removeLast()
        if had && pretty { newline(baseIndent + hasItems.count) }
        append(bracket)
    }

    private mutating func newline(_ indent: Int) {
        reserve(1 + 2 * indent)
        base[count] = UInt8(ascii: "\n")
        (base + count + 1).initialize(repeating: UInt8(ascii: " "), count: 2 * indent)
        count += 1 + 2 * indent
    }

    // MARK: Bytes

    /// Room for `n` more bytes: flushes a full chunk to the sink, or grows when there is no sink.
    @inline(__always)
    mutating func reserve(_ n: Int) {
        if count + n > capacity { makeRoom(n) }
    }

    private mutating func makeRoom(_ n: Int) {
        if sink != nil { flush() }
        if count + n > capacity {
            let grown = max(capacity * 2, count + n)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            bigger.initialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity = grown
        }
    }

    private mutating func flush() {
        guard let sink, count > 0 else { return }
        if failure == nil {
            do {
                try sink(UnsafeRawBufferPointer(start: base, count: count))
            } catch {
                failure = error
            }
        }
        count = 0
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) { append(UnsafeRawBufferPointer(bytes)) }

    private mutating func append(_ literal: StaticString) { literal.withUTF8Buffer { append($0) } }

    /// `String(value)` without the temporary string.
    mutating func decimal(_ value: Int64) {
        reserve(20)
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var v = value.magnitude
        var digits = 0
        var tmp = v
        repeat {
            digits += 1
            tmp /= 10
        } while tmp > 0
        var i = count + digits - 1
        repeat {
            base[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
            i -= 1
        } while v > 0
        count += digits
    }

    /// A JSON string: quotes, and the escapes RFC 8259 requires plus DEL, U+2028 and U+2029 (which break
    /// JavaScript parsers). Strings with nothing to escape, most of a report, are copied whole.
    private mutating func escaped(_ s: String) {
        var s = s
        s.withUTF8 { bytes in
            append(UInt8(ascii: "\""))
            escapedBody(bytes)
            append(UInt8(ascii: "\""))
        }
    }

    private mutating func escapedBody(_ bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0  // first byte not yet written
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0x7F && b != 0xE2 {  // the common case: nothing to do
                i += 1
                continue
            }
            var escape: StaticString? = nil
            var length = 1
            switch b {
            case 0x22: escape = "\\\""
            case 0x5C: escape = "\\\\"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && bytes[i + 2] == 0xA8:
                escape = "\\u2028"
                length = 3
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && bytes[i + 2] == 0xA9:
                escape = "\\u2029"
                length = 3
            default:
                if b < 0x20 || b == 0x7F {
                    append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<i]))
                    append("\\u00")
                    append(JSONStreamWriter.hexDigit(b >> 4))
                    append(JSONStreamWriter.hexDigit(b & 0xF))
                    i += 1
                    start = i
                    continue
                }
            }
            if let escape {
                append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<i]))
                append(escape)
                i += length
                start = i
            } else {
                i += 1
            }
        }
        append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<bytes.count]))
    }

    @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10 }
}
