import Testing
@testable import OverlayWire

/// The decoder appends every header as a `Layer`; above 128 bytes the compiler copies one with a `memcpy` call
/// instead of a few vector moves, once per header per packet. `ICMPv6Message` (the largest case) stores its
/// optional fields as values plus presence bits to stay below that: they must still read back as optionals.
@Suite("Layer layout") struct LayerLayoutTests {
    @Test func layerIsCopiedInline() {
        #expect(MemoryLayout<Layer>.size <= 128)
        #expect(MemoryLayout<Layer>.stride <= 128)
    }

    @Test func icmpv6OptionalsRoundTrip() throws {
        var m = try #require(Wire.decode(HandMade.icmpv6NeighborSolicitation).outer.icmpv6)
        let target = try #require(m.targetAddress)
        #expect(m.identifier == nil && m.sequence == nil && m.mtu == nil)
        let original = m

        m.identifier = 7
        m.sequence = 0
        m.mtu = 1280
        m.linkLayerAddress = MACAddress(rawValue: 0x0200_0000_0001)
        #expect(m.identifier == 7 && m.sequence == 0 && m.mtu == 1280)
        #expect(m.linkLayerAddress == MACAddress(rawValue: 0x0200_0000_0001) && m.targetAddress == target)
        #expect(m != original)

        // Cleared again, the message equals (and hashes like) the one it started as.
        m.identifier = nil
        m.sequence = nil
        m.mtu = nil
        m.linkLayerAddress = original.linkLayerAddress
        #expect(m == original && m.hashValue == original.hashValue)
        m.targetAddress = nil
        #expect(m.targetAddress == nil && m != original)
    }
}
