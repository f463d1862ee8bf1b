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
        beforeValue()
        appendDirect(atMost: 17) { p in
            p[0] = UInt8(ascii: "\"")
            var n = 1
            for shift in stride(from: 24, through: 0, by: -8) {
                let v = UInt8(truncatingIfNeeded: a.rawValue >> UInt32(shift))
                if shift != 24 {
                    p[n] = UInt8(ascii: ".")
                    n += 1
                }
                if v >= 100 {
                    p[n] = UInt8(ascii: "0") &+ v / 100
                    n += 1
                }
                if v >= 10 {
                    p[n] = UInt8(ascii: "0") &+ (v / 10) % 10
                    n += 1
                }
                p[n] = UInt8(ascii: "0") &+ v % 10
                n += 1
            }
            p[n] = UInt8(ascii: "\"")
            return n + 1
        }
    }

    public mutating func mac(_ a: MACAddress?) {
        guard let a else { return null() }
        beforeValue()
        appendDirect(atMost: 19) { p in
            p[0] = UInt8(ascii: "\"")
            for i in 0..<6 {
                let octet = UInt8(truncatingIfNeeded: a.rawValue >> (40 - 8 * UInt64(i)))
                p[1 + 3 * i] = JSONStreamWriter.hexDigit(octet >> 4)
                p[2 + 3 * i] = JSONStreamWriter.hexDigit(octet & 0xF)
                p[3 + 3 * i] = i < 5 ? UInt8(ascii: ":") : UInt8(ascii: "\"")
            }
            return 19
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
