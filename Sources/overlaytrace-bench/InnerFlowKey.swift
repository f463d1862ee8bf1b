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
    /// is not tunneled or carries no inner IP header.
    @inline(__always)
    init?(_ packet: DecodedPacket) {
        // Find the layers by kind first (`kind` reads the enum in place); copy out only the payloads the key needs:
        // switching over every 152-byte Layer copies each one out of the array.
        let found = packet.layers.withUnsafeBufferPointer { layers -> Bool in
            var i = 0
            while i < layers.count && !layers[i].isTunnel { i += 1 }
            guard i < layers.count else { return false }
            switch layers[i].kind {
            case .geneve: if case .geneve(let g) = layers[i] { vni = g.vni }
            case .vxlan: if case .vxlan(let v) = layers[i] { vni = v.vni }
            default: return false
            }
            i += 1
            while i < layers.count {
                switch layers[i].kind {
                case .ipv4 where family == 0:
                    if case .ipv4(let ip) = layers[i] {
                        family = 4
                        proto = ip.proto.rawValue
                        sourceHigh = UInt64(ip.source.rawValue)
                        destinationHigh = UInt64(ip.destination.rawValue)
                    }
                case .ipv6 where family == 0:
                    if case .ipv6(let ip) = layers[i] {
                        family = 6
                        proto = ip.upperProtocol.rawValue
                        sourceHigh = ip.source.high
                        sourceLow = ip.source.low
                        destinationHigh = ip.destination.high
                        destinationLow = ip.destination.low
                    }
                case .tcp where family != 0:
                    if case .tcp(let t) = layers[i] {
                        sourcePort = t.sourcePort
                        destinationPort = t.destinationPort
                    }
                    return true
                case .udp where family != 0:
                    if case .udp(let u) = layers[i] {
                        sourcePort = u.sourcePort
                        destinationPort = u.destinationPort
                    }
                    return true
                case .icmp where family != 0:
                    if case .icmp(let m) = layers[i] {
                        sourcePort = m.identifier ?? 0
                        destinationPort = UInt16(m.type)
                    }
                    return true
                case .icmpv6 where family != 0:
                    if case .icmpv6(let m) = layers[i] {
                        sourcePort = m.identifier ?? 0
                        destinationPort = UInt16(m.type)
                    }
                    return true
                default:
                    break
                }
                i += 1
            }
            return family != 0
        }
        if !found { return nil }
    }
}
