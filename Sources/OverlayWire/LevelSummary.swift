/// The fields of one encapsulation level that per-packet consumers read most (flow keys, MAC learning, paths),
/// as plain values the decoder fills in while it appends the headers.
///
/// Why it exists: reading a `Layer` back out of `DecodedPacket.layers` copies the whole ~150-byte enum and
/// calls an outlined tag reader for every layer looked at, and `level(_:)` builds a ~750-byte `NetworkLevel`
/// of optionals; for a handful of fields per packet either costs more than decoding the packet did. Fields
/// follow `NetworkLevel`: the level's first Ethernet header and IP header, its outermost VLAN tag, its last
/// transport header and tunnel header. Anything else is one `layers[i]` away: `layers` gives where the level's
/// headers are, `contains(_:)` which kinds are there.
public struct LevelSummary: Sendable, Hashable {
    /// Indices in `DecodedPacket.layers` of this level's headers (the tunnel header that ends it included); empty
    /// when the packet's layers were not recorded (`DecodedPacket.layersRecorded`).
    public var layers: Range<Int> = 0..<0
    /// Frame offset of the level's first header; -1 when the level has none.
    public var startOffset = -1
    /// Set bit `i`: the level has a layer of kind `LayerKind.allCases[i]` (see `contains`).
    @usableFromInline var kinds: UInt32 = 0

    /// Ethernet addresses of the first Ethernet header (zero without one); `sourceMAC` is also a Linux cooked
    /// header's link address.
    public var sourceMAC = MACAddress.zero
    public var destinationMAC = MACAddress.zero
    /// What follows the link header and its VLAN tags (0 when unknown).
    public var etherType = EtherType(rawValue: 0)
    public var vlanCount: UInt8 = 0
    /// ID of the outermost VLAN tag (meaningful when `vlanCount > 0`).
    public var vlanID: UInt16 = 0

    /// 4, 6, or 0 without an IP header.
    public var ipVersion: UInt8 = 0
    public var sourceIP = IPAddress.v4(IPv4Address(rawValue: 0))
    public var destinationIP = IPAddress.v4(IPv4Address(rawValue: 0))
    /// The upper-layer protocol (after IPv6 extension headers).
    public var ipProtocol = IPProtocol(rawValue: 255)
    /// IPv4 TTL or IPv6 hop limit.
    public var ttl: UInt8 = 0
    public var dontFragment = false
    /// A fragment (first or later) of a fragmented IP packet; `fragmentOffset` > 0 for a later one.
    public var isFragment = false
    public var fragmentOffset = 0
    /// IPv4 total length or IPv6 payload length + 40, as the header says (0 for GSO/BIG TCP super-frames).
    public var ipLength = 0
    /// Frame offset of the IP header.
    public var ipOffset = 0
    /// IPv4 identification; for IPv6 the Fragment header's identification, else the flow label.
    public var ipIdentification: UInt32 = 0

    /// TCP or UDP ports (0 without).
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    public var tcpFlags: UInt16 = 0
    public var tcpSequence: UInt32 = 0
    public var tcpAcknowledgment: UInt32 = 0
    /// ICMP or ICMPv6 type and code; echo identifier and sequence (0 when the message has none).
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0
    public var icmpIdentifier: UInt16 = 0
    public var icmpSequence: UInt16 = 0

    /// VNI of the tunnel header that ends this level (valid when it contains `.geneve` or `.vxlan`).
    public var tunnelVNI: UInt32 = 0
    /// The Geneve O bit of that header: a control (OAM) packet, not data.
    public var tunnelOAM = false
    /// The Geneve C bit of that header: a critical option is present.
    public var tunnelCritical = false
    /// That header's options: `DecodedPacket.geneveOptions[tunnelOptionStart ..< tunnelOptionStart + tunnelOptionCount]`
    /// (Geneve allows at most 63 options of 4 bytes in its 252-byte area, so 16 bits hold both).
    @usableFromInline var tunnelOptionStart: UInt16 = 0
    @usableFromInline var tunnelOptionCount: UInt16 = 0

    /// Indices in `DecodedPacket.geneveOptions` of the options of the tunnel header that ends this level.
    @inlinable
    public var tunnelOptions: Range<Int> { Int(tunnelOptionStart)..<(Int(tunnelOptionStart) + Int(tunnelOptionCount)) }

    public init() {}

    @inlinable
    public func contains(_ kind: LayerKind) -> Bool { kinds & Self.bit(kind) != 0 }

    /// The level has no header at all.
    @inlinable
    public var isEmpty: Bool { kinds == 0 }
    public var hasIP: Bool { ipVersion != 0 }
    public var hasTunnel: Bool { contains(.geneve) || contains(.vxlan) }

    @inlinable @inline(__always)
    static func bit(_ kind: LayerKind) -> UInt32 {
        switch kind {
        case .frame: return 1 << 0
        case .loopback: return 1 << 1
        case .sll: return 1 << 2
        case .ethernet: return 1 << 3
        case .vlan: return 1 << 4
        case .arp: return 1 << 5
        case .ipv4: return 1 << 6
        case .ipv6: return 1 << 7
        case .udp: return 1 << 8
        case .tcp: return 1 << 9
        case .icmp: return 1 << 10
        case .icmpv6: return 1 << 11
        case .geneve: return 1 << 12
        case .vxlan: return 1 << 13
        case .bfd: return 1 << 14
        case .payload: return 1 << 15
        }
    }

    // One `note` per header kind, called by `DecodedPacket`'s typed appends (no switch over a Layer).

    @inlinable @inline(__always)
    mutating func noteLayer(_ kind: LayerKind, at index: Int, offset: Int) {
        if index >= 0 { layers = (layers.isEmpty ? index : layers.lowerBound)..<(index + 1) }
        kinds |= Self.bit(kind)
        if startOffset < 0 && offset >= 0 { startOffset = offset }
    }

    @inlinable @inline(__always)
    mutating func note(linuxCooked h: LinuxCookedHeader, at index: Int) {
        if let a = h.linkAddress, !contains(.ethernet) { sourceMAC = a }
        etherType = h.protocolType
        noteLayer(.sll, at: index, offset: h.offset)
    }

    @inlinable @inline(__always)
    mutating func note(ethernet h: EthernetHeader, at index: Int) {
        if !contains(.ethernet) {
            sourceMAC = h.source
            destinationMAC = h.destination
            etherType = h.etherType
        }
        noteLayer(.ethernet, at: index, offset: h.offset)
    }

    @inlinable @inline(__always)
    mutating func note(vlan t: VLANTag, at index: Int) {
        if vlanCount == 0 { vlanID = t.id }
        vlanCount &+= 1
        etherType = t.nextEtherType
        noteLayer(.vlan, at: index, offset: -1)
    }

    @inlinable @inline(__always)
    mutating func note(ipv4 h: IPv4Header, at index: Int) {
        if ipVersion == 0 {
            ipVersion = 4
            sourceIP = .v4(h.source)
            destinationIP = .v4(h.destination)
            ipProtocol = h.proto
            ttl = h.ttl
            dontFragment = h.dontFragment
            isFragment = h.isFragment
            fragmentOffset = h.fragmentOffset
            ipLength = Int(h.totalLength)
            ipOffset = h.offset
            ipIdentification = UInt32(h.identification)
        }
        noteLayer(.ipv4, at: index, offset: h.offset)
    }

    @inlinable @inline(__always)
    mutating func note(ipv6 h: IPv6Header, at index: Int) {
        if ipVersion == 0 {
            ipVersion = 6
            sourceIP = .v6(h.source)
            destinationIP = .v6(h.destination)
            ipProtocol = h.upperProtocol
            ttl = h.hopLimit
            dontFragment = true
            isFragment = h.fragment != nil
            fragmentOffset = h.fragment?.offset ?? 0
            ipLength = h.payloadLength == 0 ? 0 : Int(h.payloadLength) + 40
            ipOffset = h.offset
            ipIdentification = h.fragment?.identification ?? h.flowLabel
        }
        noteLayer(.ipv6, at: index, offset: h.offset)
    }

    @inlinable @inline(__always)
    mutating func note(udp h: UDPHeader, at index: Int) {
        sourcePort = h.sourcePort
        destinationPort = h.destinationPort
        noteLayer(.udp, at: index, offset: -1)
    }

    @inlinable @inline(__always)
    mutating func note(tcp h: TCPHeader, at index: Int) {
        sourcePort = h.sourcePort
        destinationPort = h.destinationPort
        tcpFlags = h.flags
        tcpSequence = h.sequence
        tcpAcknowledgment = h.acknowledgment
        noteLayer(.tcp, at: index, offset: -1)
    }

    @inlinable @inline(__always)
    mutating func note(icmpType type: UInt8, code: UInt8, identifier: UInt16?, sequence: UInt16?, kind: LayerKind, at index: Int) {
        icmpType = type
        icmpCode = code
        icmpIdentifier = identifier ?? 0
        icmpSequence = sequence ?? 0
        noteLayer(kind, at: index, offset: -1)
    }

    @inlinable @inline(__always)
    mutating func note(tunnelVNI vni: UInt32, oam: Bool, kind: LayerKind, at index: Int) {
        tunnelVNI = vni
        tunnelOAM = oam
        noteLayer(kind, at: index, offset: -1)
    }

    @inlinable @inline(__always)
    mutating func note(geneve g: GeneveHeader, at index: Int) {
        tunnelCritical = g.critical
        tunnelOptionStart = UInt16(truncatingIfNeeded: g.optionIndices.lowerBound)
        tunnelOptionCount = UInt16(truncatingIfNeeded: g.optionIndices.count)
        note(tunnelVNI: g.vni, oam: g.oam, kind: .geneve, at: index)
    }
}
