import Testing
import OverlayWire
@testable import OverlayAnalysis

@Suite("Label text: pieces written as bytes give what string interpolation gives")
struct LabelTextTests {
    @Test("integers: every digit count and its edges, as String(value) writes them")
    func decimals() {
        var values: [UInt64] = [0, 1, 9, 10, 11, 99, 100, 65535, 65536, UInt64(UInt32.max), UInt64.max, UInt64.max - 1]
        var p: UInt64 = 1
        for _ in 0..<19 {
            p *= 10
            values += [p - 1, p, p + 1]
        }
        for v in values {
            var text = LabelText(capacity: 1)
            text.append(decimal: v)
            #expect(text.string == String(v))
        }
        var small = LabelText()
        small.append(decimal: UInt16.max)
        small.append(" ")
        small.append(decimal: UInt32(69632))
        #expect(small.string == "65535 69632")
        var ports = LabelText()
        ports.append(name: nil, orKey: UInt32(7312))
        ports.append(",")
        ports.append(name: "sw0-port1", orKey: UInt16(1))
        ports.append(",")
        ports.append(name: nil, orKey: UInt16(32768))
        #expect(ports.string == "7312,sw0-port1,32768")
    }

    @Test("addresses, names with non-ASCII text, and growth past the first capacity")
    func piecesAndGrowth() {
        let v4 = IPAddress.v4(IPv4Address(172, 20, 11, 51))
        let v6 = IPAddress("fe80::250:56ff:feaa:1011")!
        var text = LabelText(capacity: 8)
        var expected = ""
        for i in 0..<40 {
            text.append("VM ")
            text.append("wéb-\(i) 🙂")
            text.append(" ")
            text.append(i % 2 == 0 ? v4 : v6)
            text.append(decimal: UInt32(i))
            expected += "VM wéb-\(i) 🙂 \(i % 2 == 0 ? v4 : v6)\(i)"
        }
        #expect(text.string == expected)
        #expect(LabelText().string.isEmpty)
    }
}
