import OverlayWire
import Testing

/// VXLAN (RFC 7348) and its Group Policy extension.
@Suite("VXLAN")
struct VXLANTests {
    @Test func headerFields() throws {
        let p = Wire.decode(HandMade.vxlan4789)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .vxlan, .ethernet, .ipv4, .icmp])
        #expect(p.problems.isEmpty)
        let v = try #require(p.vxlanHeaders.first)
        #expect(v.offset == 42 && v.flags == 0x0800 && v.vniValid && v.vni == 73728 && v.reserved == 0)
        #expect(!v.groupPolicy && v.groupPolicyID == 0 && v.reservedFlagBits == 0)
        #expect(p.level(0).tunnel?.typeName == "vxlan" && p.level(0).tunnel?.geneve == nil)
        #expect(p.level(1).ethernet?.destination.description == "00:50:56:aa:20:11")
        #expect(p.level(1).destinationIP == IPAddress("10.1.20.11") && p.level(1).icmp?.checksumValid == true)
    }

    @Test func linuxLegacyPort() {
        let p = Wire.decode(HandMade.vxlan8472)
        #expect(p.outer.udp?.destinationPort == VXLANHeader.linuxLegacyPort)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .vxlan, .ethernet, .ipv4, .icmp])
        #expect(p.level(0).tunnel?.vni == 73728)
    }

    @Test func groupPolicy() throws {
        let p = Wire.decode(HandMade.vxlanGroupPolicy)
        #expect(p.problems.isEmpty)
        let v = try #require(p.vxlanHeaders.first)
        #expect(v.groupPolicy && v.dontLearn && !v.policyApplied && v.groupPolicyID == 200)
        let applied = try #require(Wire.decode(Wire.patched(HandMade.vxlanGroupPolicy, at: 42, [0x88, 0x08])).vxlanHeaders.first)
        #expect(applied.policyApplied && !applied.dontLearn)
    }

    @Test func instanceFlagClear() {
        let p = Wire.decode(Wire.patched(HandMade.vxlan4789, at: 42, [0x00]))
        expectProblem(p, .vxlan, .malformed, at: 42, saying: "I flag is clear")
        #expect(p.kinds.count == 7)
    }

    /// Flags 0xff01 as in suricata-verify's hand-crafted capture: reserved bits, and G set too.
    @Test func reservedBits() throws {
        let p = Wire.decode(Wire.patched(HandMade.vxlan4789, at: 42, [0xff, 0x01]))
        expectProblem(p, .vxlan, .reservedBitsSet, at: 42, saying: "flags 0xff01")
        #expect(try #require(p.vxlanHeaders.first).reservedFlagBits == 0x7701)
        #expect(p.kinds.count == 7, "decoding goes on")
        expectProblem(Wire.decode(Wire.patched(HandMade.vxlan4789, at: 49, [0x01])), .vxlan, .reservedBitsSet, at: 42, saying: "reserved 0x01")
        expectProblem(Wire.decode(Wire.patched(HandMade.vxlan4789, at: 44, [0x00, 0x07])), .vxlan, .reservedBitsSet, at: 42)
    }

    @Test func headerCutBySnaplen() {
        let p = Wire.decode(Array(HandMade.vxlan4789.prefix(47)), wireLength: 100)
        #expect(p.kinds == [.ethernet, .ipv4, .udp])
        expectProblem(p, .vxlan, .truncated, at: 42, saying: "VXLAN header needs 8 bytes but the capture stops after 5")
    }

    @Test func noPayloadAfterTheHeader() {
        var frame = Wire.patched(Array(HandMade.vxlan4789.prefix(50)), at: 38, Wire.be16(16))
        frame = Wire.refreshingIPv4Checksum(Wire.patched(frame, at: 16, Wire.be16(36)), headerAt: 14)
        let p = Wire.decode(frame)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .vxlan])
        expectProblem(p, .vxlan, .invalidLength, at: 50, saying: "carries no payload")
    }

    @Test func innerFrameCutBySnaplen() {
        let p = Wire.decode(Array(HandMade.vxlan4789.prefix(60)), wireLength: 100)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .vxlan])
        expectProblem(p, .ethernet, .truncated, at: 50, saying: "capture stops after 10")
    }
}
