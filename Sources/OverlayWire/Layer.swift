/// One decoded header. A packet is the ordered list of its layers, outer first; a tunnel header
/// (Geneve, VXLAN) closes one encapsulation level and the layers after it belong to the next.
public enum Layer: Hashable, Sendable {
    case loopback(LoopbackHeader)
    case linuxCooked(LinuxCookedHeader)
    case ethernet(EthernetHeader)
    case vlan(VLANTag)
    case arp(ARPPacket)
    case ipv4(IPv4Header)
    case ipv6(IPv6Header)
    case udp(UDPHeader)
    case tcp(TCPHeader)
    case icmp(ICMPMessage)
    case icmpv6(ICMPv6Message)
    case geneve(GeneveHeader)
    case vxlan(VXLANHeader)
    case bfd(BFDControl)

    public var kind: LayerKind {
        switch self {
        case .loopback: return .loopback
        case .linuxCooked: return .sll
        case .ethernet: return .ethernet
        case .vlan: return .vlan
        case .arp: return .arp
        case .ipv4: return .ipv4
        case .ipv6: return .ipv6
        case .udp: return .udp
        case .tcp: return .tcp
        case .icmp: return .icmp
        case .icmpv6: return .icmpv6
        case .geneve: return .geneve
        case .vxlan: return .vxlan
        case .bfd: return .bfd
        }
    }

    @inlinable
    public var isTunnel: Bool {
        switch self {
        case .geneve, .vxlan: return true
        default: return false
        }
    }
}

/// The tunnel header that leads from one encapsulation level to the next.
public enum TunnelHeader: Hashable, Sendable {
    case geneve(GeneveHeader)
    case vxlan(VXLANHeader)

    public var vni: UInt32 {
        switch self {
        case .geneve(let g): return g.vni
        case .vxlan(let v): return v.vni
        }
    }
    public var typeName: String {
        switch self {
        case .geneve: return "geneve"
        case .vxlan: return "vxlan"
        }
    }
    public var geneve: GeneveHeader? {
        if case .geneve(let g) = self { return g }
        return nil
    }
}
