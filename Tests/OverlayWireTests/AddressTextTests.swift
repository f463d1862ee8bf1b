import Testing
@testable import OverlayWire

/// The text forms of MAC and IPv4 addresses are written byte by byte (reports write thousands): checked against
/// the plain per-octet formulas, on edge values and seeded random ones.
@Suite struct AddressTextTests {
    static func macFormula(_ m: MACAddress) -> String {
        (0..<6).map { i -> String in
            let octet = UInt8(truncatingIfNeeded: m.rawValue >> (40 - 8 * UInt64(i)))
            let hex = String(octet, radix: 16)
            return octet < 16 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    static func ipv4Formula(_ a: IPv4Address) -> String {
        "\(a.rawValue >> 24).\((a.rawValue >> 16) & 0xFF).\((a.rawValue >> 8) & 0xFF).\(a.rawValue & 0xFF)"
    }

    @Test func macTextIsColonSeparatedLowerCaseHex() {
        #expect(MACAddress(rawValue: 0x0050_56AA_1011).description == "00:50:56:aa:10:11")
        #expect(MACAddress(rawValue: 0).description == "00:00:00:00:00:00")
        #expect(MACAddress(rawValue: 0xFFFF_FFFF_FFFF).description == "ff:ff:ff:ff:ff:ff")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let m = MACAddress(rawValue: state >> 16)
            #expect(m.description == Self.macFormula(m))
        }
    }

    @Test func ipv4TextIsDottedDecimalWithoutLeadingZeros() {
        for a in [IPv4Address(0, 0, 0, 0), IPv4Address(255, 255, 255, 255), IPv4Address(10, 1, 10, 11),
                  IPv4Address(100, 64, 0, 9), IPv4Address(1, 20, 199, 200)] {
            #expect(a.description == Self.ipv4Formula(a))
        }
        #expect(IPv4Address(172, 20, 11, 51).description == "172.20.11.51")
        var state: UInt64 = 12345
        for _ in 0..<2000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let a = IPv4Address(rawValue: UInt32(truncatingIfNeeded: state >> 32))
            #expect(a.description == Self.ipv4Formula(a))
        }
    }
}
