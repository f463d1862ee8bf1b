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
        beginString()
        unsignedDecimal(UInt8(truncatingIfNeeded: a.rawValue >> 24))
        append(UInt8(ascii: "."))
        unsignedDecimal(UInt8(truncatingIfNeeded: a.rawValue >> 16))
        append(UInt8(ascii: "."))
        unsignedDecimal(UInt8(truncatingIfNeeded: a.rawValue >> 8))
        append(UInt8(ascii: "."))
        unsignedDecimal(UInt8(truncatingIfNeeded: a.rawValue))
        endString()
    }

    public mutating func mac(_ a: MACAddress?) {
        guard let a else { return null() }
        beginString()
        for i in 0..<6 {
            if i > 0 { append(UInt8(ascii: ":")) }
            let octet = UInt8(truncatingIfNeeded: a.rawValue >> (40 - 8 * UInt64(i)))
            append(JSONStreamWriter.hexDigit(octet >> 4))
            append(JSONStreamWriter.hexDigit(octet & 0xF))
        }
        endString()
    }

    /// `Timestamp.description` as a JSON number: seconds, a dot, nine digits of nanoseconds.
    public mutating func time(_ t: Timestamp?) {
        guard let t else { return null() }
        beforeValue()
        decimal(t.seconds)
        append(UInt8(ascii: "."))
        var ns = t.nanoseconds
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            for i in stride(from: 8, through: 0, by: -1) {
                d[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: ns % 10)
                ns /= 10
            }
        }
        withUnsafeBytes(of: &digits) { append($0) }
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

    private mutating func unsignedDecimal(_ v: UInt8) {
        if v >= 100 { append(UInt8(ascii: "0") &+ v / 100) }
        if v >= 10 { append(UInt8(ascii: "0") &+ (v / 10) % 10) }
        append(UInt8(ascii: "0") &+ v % 10)
    }
}
