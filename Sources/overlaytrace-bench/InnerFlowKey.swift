import OverlayWire

/// What `pcapgeneve.c` counts flows by: the VNI and the inner 5-tuple. IPv4 addresses sit in the low word of
/// the high half, so one layout serves both families; ICMP uses (echo identifier, type) as its "ports" like the C code.
struct InnerFlowKey: Equatable {
    var sourceHigh: UInt64 = 0
    var sourceLow: UInt64 = 0
    var destinationHigh: UInt64 = 0
    var destinationLow: UInt64 = 0
    var vni: UInt32 = 0
    var sourcePort: UInt16 = 0
    var destinationPort: UInt16 = 0
    var proto: UInt8 = 0
    /// 4 or 6; 0 marks an empty slot of the flow table.
    var family: UInt8 = 0

    /// The empty slot.
    init() {}

    /// Multiply-xorshift over the key's words: cheap, and good enough for linear probing with a power-of-two table.
    @inline(__always)
    var hashValue64: UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = (sourceHigh ^ (sourceLow &* k)) &* k
        h = (h ^ destinationHigh ^ (destinationLow &* 0xC2B2_AE3D_27D4_EB4F)) &* k
        let ports = UInt64(vni) << 32 | UInt64(sourcePort) << 16 | UInt64(destinationPort)
        h = (h ^ ports ^ UInt64(proto) << 56 ^ UInt64(family) << 48) &* k
        return h ^ (h >> 29)
    }

    /// The key of a tunneled packet: the first tunnel's VNI and the 5-tuple right after it; nil when the packet
    /// is not tunneled or carries no inner IP header. Reads the decoder's level summaries: plain fields, no
    /// Layer copied out of `layers`.
    @inline(__always)
    init?(_ packet: DecodedPacket) {
        guard let outer = packet.summary(level: 0), outer.hasTunnel, let inner = packet.summary(level: 1), inner.hasIP else {
            return nil
        }
        vni = outer.tunnelVNI
        family = inner.ipVersion
        proto = inner.ipProtocol.rawValue
        switch (inner.sourceIP, inner.destinationIP) {
        case (.v4(let s), .v4(let d)):
            sourceHigh = UInt64(s.rawValue)
            destinationHigh = UInt64(d.rawValue)
        case (.v6(let s), .v6(let d)):
            sourceHigh = s.high
            sourceLow = s.low
            destinationHigh = d.high
            destinationLow = d.low
        default:
            return nil
        }
        if inner.contains(.icmp) || inner.contains(.icmpv6) {
            sourcePort = inner.icmpIdentifier
            destinationPort = UInt16(inner.icmpType)
        } else {
            sourcePort = inner.sourcePort
            destinationPort = inner.destinationPort
        }
    }
}
