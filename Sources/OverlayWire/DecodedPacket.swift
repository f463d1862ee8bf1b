/// Everything decoded from one frame. Holds offsets and values only, never pointers, so it may outlive
/// the buffer it came from. Reuse one instance across packets (`PacketDecoder.decode(_:into:)` clears it
/// keeping its storage) so the hot path allocates nothing per packet.
public struct DecodedPacket: Sendable {
    public var linkType: LinkType
    public var capturedLength: Int
    public var wireLength: Int
    /// Outer first; tunnel headers separate encapsulation levels.
    public var layers: [Layer]
    /// Options of every Geneve header in the packet; each header names its range.
    public var geneveOptions: [GeneveOption]
    public var problems: [DecodeProblem]
    /// OVN logical port keys from the outermost Geneve header that carries them.
    public var ovnPortKeys: OVNPortKeys?
    /// Offset and length of the bytes left undecoded after the last layer (application payload).
    public var payloadOffset: Int
    public var payloadLength: Int

    public init() {
        linkType = .ethernet
        capturedLength = 0
        wireLength = 0
        layers = []
        geneveOptions = []
        problems = []
        ovnPortKeys = nil
        payloadOffset = 0
        payloadLength = 0
        layers.reserveCapacity(16)
    }

    @inlinable
    public mutating func reset(linkType: LinkType, capturedLength: Int, wireLength: Int) {
        self.linkType = linkType
        self.capturedLength = capturedLength
        self.wireLength = wireLength
        layers.removeAll(keepingCapacity: true)
        if !geneveOptions.isEmpty { geneveOptions.removeAll(keepingCapacity: true) }
        if !problems.isEmpty { problems.removeAll(keepingCapacity: true) }
        ovnPortKeys = nil
        payloadOffset = 0
        payloadLength = 0
    }

    /// Number of tunnel headers, i.e. the index of the innermost level.
    public var tunnelDepth: Int { layers.reduce(0) { $0 + ($1.isTunnel ? 1 : 0) } }
    public var isTunneled: Bool { layers.contains { $0.isTunnel } }

    /// The headers of one encapsulation level: 0 is the underlay, 1 what the first tunnel carries, …
    @inlinable
    public func level(_ index: Int) -> NetworkLevel {
        var level = NetworkLevel()
        var current = 0
        for layer in layers {
            if current > index { break }
            if current == index { level.absorb(layer) }
            if layer.isTunnel { current += 1 }
        }
        return level
    }

    public var outer: NetworkLevel { level(0) }
    /// The innermost level (the outer one for an untunneled packet).
    public var innermost: NetworkLevel { level(tunnelDepth) }

    /// VLAN IDs of one level, outermost tag first.
    public func vlanIDs(level index: Int) -> [UInt16] {
        var ids: [UInt16] = []
        var current = 0
        for layer in layers {
            if current == index, case .vlan(let t) = layer { ids.append(t.id) }
            if layer.isTunnel { current += 1 }
            if current > index { break }
        }
        return ids
    }

    /// The options of a Geneve header of this packet.
    public func options(of header: GeneveHeader) -> ArraySlice<GeneveOption> {
        let r = header.optionIndices.clamped(to: 0..<geneveOptions.count)
        return geneveOptions[r]
    }
}

/// The headers found at one encapsulation level, with the usual accessors (addresses, ports, TTL).
public struct NetworkLevel: Hashable, Sendable {
    public var ethernet: EthernetHeader?
    public var vlanCount = 0
    /// Outermost VLAN tag of this level.
    public var vlan: VLANTag?
    public var linuxCooked: LinuxCookedHeader?
    public var arp: ARPPacket?
    public var ipv4: IPv4Header?
    public var ipv6: IPv6Header?
    public var udp: UDPHeader?
    public var tcp: TCPHeader?
    public var icmp: ICMPMessage?
    public var icmpv6: ICMPv6Message?
    public var bfd: BFDControl?
    /// The tunnel header that ends this level, if any.
    public var tunnel: TunnelHeader?

    public init() {}

    @inlinable
    mutating func absorb(_ layer: Layer) {
        switch layer {
        case .loopback: break
        case .linuxCooked(let h): linuxCooked = h
        case .ethernet(let h): if ethernet == nil { ethernet = h }
        case .vlan(let t):
            if vlan == nil { vlan = t }
            vlanCount += 1
        case .arp(let a): arp = a
        case .ipv4(let h): if ipv4 == nil && ipv6 == nil { ipv4 = h }
        case .ipv6(let h): if ipv4 == nil && ipv6 == nil { ipv6 = h }
        case .udp(let h): udp = h
        case .tcp(let h): tcp = h
        case .icmp(let h): icmp = h
        case .icmpv6(let h): icmpv6 = h
        case .bfd(let h): bfd = h
        case .geneve(let g): tunnel = .geneve(g)
        case .vxlan(let v): tunnel = .vxlan(v)
        }
    }

    public var isEmpty: Bool { ethernet == nil && arp == nil && ipv4 == nil && ipv6 == nil && linuxCooked == nil }

    public var sourceIP: IPAddress? {
        if let h = ipv4 { return .v4(h.source) }
        if let h = ipv6 { return .v6(h.source) }
        return nil
    }
    public var destinationIP: IPAddress? {
        if let h = ipv4 { return .v4(h.destination) }
        if let h = ipv6 { return .v6(h.destination) }
        return nil
    }
    /// The upper-layer protocol (after IPv6 extension headers).
    public var ipProtocol: IPProtocol? {
        if let h = ipv4 { return h.proto }
        if let h = ipv6 { return h.upperProtocol }
        return nil
    }
    /// TTL (IPv4) or hop limit (IPv6).
    public var ttl: UInt8? { ipv4?.ttl ?? ipv6?.hopLimit }
    public var sourcePort: UInt16? { tcp?.sourcePort ?? udp?.sourcePort }
    public var destinationPort: UInt16? { tcp?.destinationPort ?? udp?.destinationPort }
    public var isFragment: Bool { ipv4?.isFragment ?? ipv6?.isFragment ?? false }
    public var dontFragment: Bool { ipv4?.dontFragment ?? false }
}
