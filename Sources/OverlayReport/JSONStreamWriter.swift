import OverlayWire

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
    /// A stack kept by hand (not an Array): it is touched for every key and value, and an Array checked its
    /// uniqueness and bounds each time.
    private var hasItems: UnsafeMutablePointer<Bool>
    private var hasItemsCapacity = 16
    /// Open containers: the depth of `hasItems`.
    private var depth = 0
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
        self.hasItems = .allocate(capacity: hasItemsCapacity)
    }

    deinit {
        base.deallocate()
        hasItems.deallocate()
    }

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
        push()
    }

    public mutating func endObject() { close(UInt8(ascii: "}")) }

    public mutating func beginArray() {
        beforeValue()
        append(UInt8(ascii: "["))
        push()
    }

    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Where the items of the array this writer has open go: what a writer rendering some of them elsewhere
    /// (another thread) needs, to be added later with `appendItems(_:)`.
    struct ItemLayout: Sendable {
        let pretty: Bool
        let chunkSize: Int
        let indent: Int
    }

    func itemLayout() -> ItemLayout {
        precondition(depth > 0, "JSONStreamWriter: items outside a container")
        return ItemLayout(pretty: pretty, chunkSize: chunkSize, indent: baseIndent + depth - 1)
    }

    /// A writer for items laid out by `layout`: same indentation as there, and every item, its first included,
    /// is preceded by the comma it would follow there (so the items must come after at least one written there).
    init(continuing layout: ItemLayout) {
        self.init(pretty: layout.pretty, chunkSize: layout.chunkSize, baseIndent: layout.indent, sink: nil)
        push()
        hasItems[0] = true
    }

    /// Adds items a continuation writer rendered (its whole text).
    mutating func appendItems(_ text: [UInt8]) {
        guard !text.isEmpty else { return }
        text.withUnsafeBytes { append($0) }
        hasItems[depth - 1] = true
    }

    /// An object key whose text needs no escaping (the report's own keys: plain ASCII letters, digits, `_`).
    /// The report's most frequent call (≈ 220 per flow): separator, line break, indentation and `"key": ` go in
    /// with one reservation and a few word stores, without overflow checks (the sizes are a key's and an
    /// indentation's).
    public mutating func key(_ key: StaticString) {
        precondition(depth > 0, "JSONStreamWriter: a key outside an object")
        let n = key.utf8CodeUnitCount
        let top = hasItems + (depth &- 1)
        let comma = top.pointee
        top.pointee = true
        let spaces = pretty ? 2 &* (baseIndent &+ depth) : 0
        // Room for the comma, the line break, the indentation's 8-byte stores overshooting by up to 7 (the key
        // overwrites them), the key and its quotes, colon and space, and the key copy's word stores.
        reserve(spaces &+ n &+ 16)
        var p = base + count
        // The comma is stored either way and kept only when it belongs (no branch to mispredict).
        p[0] = UInt8(ascii: ",")
        p += comma ? 1 : 0
        if pretty {
            p[0] = UInt8(ascii: "\n")
            Self.storeSpaces(p + 1, spaces)
            p += 1 &+ spaces
        }
        p[0] = UInt8(ascii: "\"")
        if key.hasPointerRepresentation {
            Self.copyShort(key.utf8Start, to: p + 1, count: n)
        } else {
            key.withUTF8Buffer { source in for i in 0..<n { p[1 &+ i] = source[i] } }
        }
        p += n &+ 1
        // `": ` as one 4-byte store (the fourth byte, a space, is overwritten by what follows when compact).
        UnsafeMutableRawPointer(p).storeBytes(of: UInt32(littleEndian: 0x2020_3A22), as: UInt32.self)
        p += pretty ? 3 : 2
        count = p - base
        afterKey = true
    }

    /// Copies `n` bytes with word loads and stores that stay inside both ranges (two overlapping words for 4 to
    /// 16 bytes): keys are a few bytes, shorter than a `memmove` call is worth and than a byte loop runs fast.
    @inline(__always)
    private static func copyShort(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count n: Int) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        if n >= 8 {
            var i = 0
            while i &+ 8 < n {
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
                i &+= 8
            }
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), toByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 {
            to.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self), toByteOffset: n &- 4, as: UInt32.self)
        } else {
            for i in 0..<n { target[i] = source[i] }
        }
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
        appendWord(0x6C6C_756E, length: 4)  // "null"
    }

    public mutating func bool(_ b: Bool) {
        beforeValue()
        if b {
            appendWord(0x6575_7274, length: 4)  // "true"
        } else {
            appendWord(0x65_736C_6166, length: 5)  // "false"
        }
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
        for i in items.indices { string(items[i]) }
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
        guard depth > 0 else { return }  // the outermost value
        separateItem()
    }

    private mutating func beforeMember() { separateItem() }

    private mutating func afterMemberKey() {
        append(UInt8(ascii: ":"))
        if pretty { append(UInt8(ascii: " ")) }
        afterKey = true
    }

    @inline(__always)
    private mutating func separateItem() {
        let top = hasItems + (depth - 1)
        if top.pointee { append(UInt8(ascii: ",")) } else { top.pointee = true }
        if pretty { newline(baseIndent + depth) }
    }

    @inline(__always)
    private mutating func push() {
        if depth == hasItemsCapacity { growHasItems() }
        hasItems[depth] = false
        depth += 1
    }

    private mutating func growHasItems() {
        let bigger = UnsafeMutablePointer<Bool>.allocate(capacity: hasItemsCapacity * 2)
        bigger.initialize(from: hasItems, count: depth)
        hasItems.deallocate()
        hasItems = bigger
        hasItemsCapacity *= 2
    }

    private mutating func close(_ bracket: UInt8) {
        precondition(depth > 0, "JSONStreamWriter: close without an open container")
        depth -= 1
        if hasItems[depth] && pretty { newline(baseIndent + depth) }
        append(bracket)
    }

    /// A line break and `indent` levels of two spaces.
    @inline(__always)
    private mutating func newline(_ indent: Int) {
        let spaces = 2 * indent
        reserve(1 + spaces + 8)
        base[count] = UInt8(ascii: "\n")
        Self.storeSpaces(base + count + 1, spaces)
        count += 1 + spaces
    }

    /// Writes `n` spaces at `p` in 8-byte stores, overshooting by up to 7 bytes: callers reserve 8 more and write
    /// what follows over the overshoot (a memset call cost more than a line's indentation).
    @inline(__always)
    private static func storeSpaces(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) {
        let raw = UnsafeMutableRawPointer(p)
        var i = 0
        while i < n {
            raw.storeBytes(of: 0x2020_2020_2020_2020 as UInt64, toByteOffset: i, as: UInt64.self)
            i += 8
        }
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

    /// Lets `body` write at most `n` bytes straight into the buffer; it returns how many it wrote. One
    /// reservation for a short value written byte by byte (addresses).
    @inline(__always)
    mutating func appendDirect(atMost n: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(n)
        count += body(base + count)
    }

    private mutating func append(_ literal: StaticString) { literal.withUTF8Buffer { append($0) } }

    /// Up to 8 bytes given as the little-endian value of a word (the report's literals: `null`, `true`, `false`):
    /// one store instead of a copy call.
    @inline(__always)
    private mutating func appendWord(_ littleEndianBytes: UInt64, length: Int) {
        reserve(8)
        UnsafeMutableRawPointer(base + count).storeBytes(of: UInt64(littleEndian: littleEndianBytes), as: UInt64.self)
        count &+= length
    }

    /// `String(value)` without the temporary string (`DecimalText`).
    mutating func decimal(_ value: Int64) {
        reserve(1 + DecimalText.maximumDigits)
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        count += DecimalText.write(value.magnitude, into: base + count)
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
        let raw = UnsafeRawBufferPointer(bytes)
        while i < bytes.count {
            // Eight bytes at a time while none of them may need an escape (most strings have none).
            if i + 8 <= bytes.count && !JSONStreamWriter.mayNeedEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
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

    /// Whether any byte of `w` may be one `escapedBody` treats specially: below 0x20, `"`, `\\`, or 0x7F and above
    /// (DEL, and the UTF-8 lead byte of U+2028/U+2029 among other non-ASCII bytes). False positives only cost the
    /// byte-by-byte path; there are no false negatives (the usual SWAR zero-byte tests).
    @inline(__always)
    static func mayNeedEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        let control = (w &- 0x2020_2020_2020_2020) & ~w & highs  // a byte below 0x20
        let nonASCII = w & highs
        let quote = hasZeroByte(w ^ 0x2222_2222_2222_2222)
        let backslash = hasZeroByte(w ^ 0x5C5C_5C5C_5C5C_5C5C)
        let delete = hasZeroByte(w ^ 0x7F7F_7F7F_7F7F_7F7F)
        return control | nonASCII | quote | backslash | delete != 0
    }

    @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10 }
}
