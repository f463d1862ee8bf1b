import OverlayInventory
import OverlayWire
import Testing

@Suite struct IPPrefixTests {
    @Test func parsesAndClearsHostBits() throws {
        let p = try #require(IPPrefix("10.1.10.7/24"))
        #expect(p.description == "10.1.10.0/24")
        #expect(p == IPPrefix("10.1.10.0/24"))
        #expect(p.length == 24)
        #expect(try #require(IPPrefix("2001:db8:1:2::99/32")).description == "2001:db8::/32")
    }

    @Test func bareAddressIsAHostPrefix() throws {
        let v4 = try #require(IPPrefix("192.0.2.10"))
        #expect(v4.length == 32)
        #expect(v4.contains(ip("192.0.2.10")))
        #expect(!v4.contains(ip("192.0.2.11")))
        let v6 = try #require(IPPrefix("fd00::5"))
        #expect(v6.length == 128)
        #expect(v6.contains(ip("fd00::5")))
        #expect(!v6.contains(ip("fd00::4")))
    }

    @Test func ipv4Boundaries() throws {
        let p = try #require(IPPrefix("10.1.0.0/16"))
        #expect(p.contains(ip("10.1.0.0")))
        #expect(p.contains(ip("10.1.255.255")))
        #expect(!p.contains(ip("10.0.255.255")))
        #expect(!p.contains(ip("10.2.0.0")))
        let transit = try #require(IPPrefix("100.64.0.0/31"))
        #expect(transit.contains(ip("100.64.0.1")))
        #expect(!transit.contains(ip("100.64.0.2")))
    }

    @Test func zeroLengthContainsItsWholeFamilyOnly() throws {
        let any4 = try #require(IPPrefix("0.0.0.0/0"))
        #expect(any4.contains(ip("0.0.0.0")))
        #expect(any4.contains(ip("255.255.255.255")))
        #expect(!any4.contains(ip("::1")))
        let any6 = try #require(IPPrefix("::/0"))
        #expect(any6.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")))
        #expect(any6.contains(ip("::")))
        #expect(!any6.contains(ip("10.1.10.11")))
        #expect(try #require(IPPrefix("10.9.9.9/0")).description == "0.0.0.0/0")
    }

    @Test func ipv6LengthsAroundTheHalfBoundary() throws {
        let p64 = try #require(IPPrefix("2001:db8:0:1::/64"))
        #expect(p64.contains(ip("2001:db8:0:1:ffff:ffff:ffff:ffff")))
        #expect(!p64.contains(ip("2001:db8:0:2::")))
        let p65 = try #require(IPPrefix("2001:db8:0:1:8000::/65"))
        #expect(p65.contains(ip("2001:db8:0:1:8000::1")))
        #expect(!p65.contains(ip("2001:db8:0:1:7fff::1")))
        let p128 = try #require(IPPrefix("2001:db8::1/128"))
        #expect(p128.contains(ip("2001:db8::1")))
        #expect(!p128.contains(ip("2001:db8::2")))
        let p1 = try #require(IPPrefix("8000::/1"))
        #expect(p1.contains(ip("ffff::")))
        #expect(!p1.contains(ip("7fff::")))
    }

    @Test(arguments: [
        "", "/24", "10.1.10.0/", "10.1.10.0/33", "10.1.10.0/-1", "10.1.10.0/+8", "10.1.10.0/ 8", "10.1.10.0/24/1",
        "10.1.10/24", "10.1.10.0/0x18", "2001:db8::/129", "2001:db8::/1000", "web", "10.1.10.0/24 ",
    ])
    func rejectsBadText(_ text: String) {
        #expect(IPPrefix(text) == nil, "\(text) should not parse")
    }

    @Test func lengthOutOfRangeIsRejectedByTheMemberwiseInit() {
        #expect(IPPrefix(address: ip("10.0.0.0"), length: 33) == nil)
        #expect(IPPrefix(address: ip("::"), length: -1) == nil)
        #expect(IPPrefix(address: ip("::"), length: 128)?.description == "::/128")
    }
}
