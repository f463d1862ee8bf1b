import OverlayWire

/// The addresses and timestamps a report is full of, written straight into the buffer: their `description`s
/// build several temporary strings each (a MAC address: an array, six strings and a join), which for a report
/// of 10,000 flows is most of its allocations. Same text as `description` (tested); IPv6 goes through it.
extension JSONStreamWriter {
    public mutating func ip(_ a: IPAddress?) {
        switch a {
        case .v4(let v4)?: ipv4(v4)
        case .v6(let v6)?: string(v6.description)
        case nil: null()
        }
    }

    public mutating func ipv4(_ a: IPv4Address) {
        quotedText(atMost: IPv4Address.maximumTextLength) { a.writeText(into: $0) }
    }

    public mutating func mac(_ a: MACAddress?) {
        guard let a else { return null() }
        quotedText(atMost: MACAddress.textLength) { a.writeText(into: $0) }
    }

    /// A string value whose text (nothing to escape, at most `n` bytes) `write` puts in place; returns its length.
    private mutating func quotedText(atMost n: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        beforeValue()
        appendDirect(atMost: n + 2) { p in
            p[0] = UInt8(ascii: "\"")
            let end = 1 + write(p + 1)
            p[end] = UInt8(ascii: "\"")
            return end + 1
        }
    }

    /// `Timestamp.description` as a JSON number: seconds, a dot, nine digits of nanoseconds.
    public mutating func time(_ t: Timestamp?) {
        guard let t else { return null() }
        beforeValue()
        decimal(t.seconds)
        appendDirect(atMost: 10) { p in
            p[0] = UInt8(ascii: ".")
            var ns = t.nanoseconds
            for i in stride(from: 9, through: 1, by: -1) {
                p[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: ns % 10)
                ns /= 10
            }
            return 10
        }
    }

    public mutating func ips(_ items: [IPAddress]) {
        beginArray()
        for a in items { ip(a) }
        endArray()
    }

    public mutating func macs(_ items: [MACAddress]) {
        beginArray()
        for a in items { mac(a) }
        endArray()
    }
}
