import OverlayWire

/// A label (a class reason, a segment hop's OVN ports) written piece by piece as UTF-8 into one buffer and made
/// a `String` once. String interpolation builds and appends a temporary string per piece (an integer's
/// `description`, an optional's fallback): ≈ 4–6k instructions for the few labels every flow needs, several
/// times what this costs for the same text. Bytes only come from `String`s, literals, digits and address text,
/// so the buffer is always valid UTF-8.
struct LabelText: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(capacity: Int = 128) {
        self.capacity = max(capacity, 32)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var string: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

    /// Room for `n` more bytes.
    private mutating func reserve(_ n: Int) {
        guard count + n > capacity else { return }
        let grown = max(2 * capacity, count + n)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.initialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = grown
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { append($0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// `String(value)` of an unsigned value (VNIs, port keys).
    mutating func append(decimal value: UInt64) {
        reserve(DecimalText.maximumDigits)
        count += DecimalText.write(value, into: base + count)
    }

    mutating func append(decimal value: UInt32) { append(decimal: UInt64(value)) }
    mutating func append(decimal value: UInt16) { append(decimal: UInt64(value)) }

    /// A name when there is one, else the key it names (OVN datapaths and ports).
    mutating func append(name: String?, orKey key: UInt32) {
        if let name { append(name) } else { append(decimal: key) }
    }

    mutating func append(name: String?, orKey key: UInt16) { append(name: name, orKey: UInt32(key)) }

    /// `ip.description`.
    mutating func append(_ ip: IPAddress) {
        guard case .v4(let a) = ip else { return append(ip.description) }
        reserve(IPv4Address.maximumTextLength)
        count += a.writeText(into: base + count)
    }
}
