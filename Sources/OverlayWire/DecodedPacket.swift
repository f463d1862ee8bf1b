/// Everything decoded from one frame. Holds offsets and values only, never pointers, so it may outlive
/// the buffer it came from. Reuse one instance across packets (`PacketDecoder.decode(_:into:)` clears it
/// keeping its storage) so the hot path allocates nothing per packet.
public struct DecodedPacket: Sendable {
    public var linkType: LinkType
    public var capturedLength: Int
    public var wireLength: Int
    /// Outer first; tunnel headers separate encapsulation levels. Empty for a packet of the plain tunneled shape
    /// decoded with `LayerRecording.unlessPlain` (`layersRecorded` is false): its summaries say what it holds.
    public var layers: [Layer] {
        didSet { levelsInSync = false }  // edited by hand: the decoder's level summaries no longer describe it
    }
    /// Options of every Geneve header in the packet; each header names its range.
    public var geneveOptions: [GeneveOption]
    public var problems: [DecodeProblem]
    /// OVN logical port keys from the outermost Geneve header that carries them.
    public var ovnPortKeys: OVNPortKeys?
    /// Offset and length of the bytes left undecoded after the last layer (application payload).
    public var payloadOffset: Int
    public var payloadLength: Int

    // Summaries of levels 0 and 1, filled in by the decoder as it appends each header (`appendLayer`).
    @usableFromInline var summary0 = LevelSummary()
    @usableFromInline var summary1 = LevelSummary()
    /// Tunnel headers appended so far: the level the next header belongs to.
    @usableFromInline var tunnelsAppended = 0
    /// False once `layers` was changed other than through `appendLayer`: the summaries are then not offered.
    @usableFromInline var levelsInSync = true
    /// Whether the decoder appended this packet's headers to `layers` (see `LayerRecording`); when false, only the
    /// level summaries (`summary(level:)`), the options, the OVN port keys and the problems describe the packet.
    public var layersRecorded: Bool { recordingLayers }
    @usableFromInline var recordingLayers = true

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
        reset(linkType: linkType, capturedLength: capturedLength, wireLength: wireLength, recordingLayers: true)
    }

    @inlinable
    mutating func reset(linkType: LinkType, capturedLength: Int, wireLength: Int, recordingLayers: Bool) {
        self.linkType = linkType
        self.capturedLength = capturedLength
        self.wireLength = wireLength
        if !layers.isEmpty { layers.removeAll(keepingCapacity: true) }  // empty after a plain packet (unlessPlain)
        if !geneveOptions.isEmpty { geneveOptions.removeAll(keepingCapacity: true) }
        if !problems.isEmpty { problems.removeAll(keepingCapacity: true) }
        ovnPortKeys = nil
        payloadOffset = 0
        payloadLength = 0
        summary0 = LevelSummary()
        summary1 = LevelSummary()
        tunnelsAppended = 0
        levelsInSync = true
        self.recordingLayers = recordingLayers
    }

    // The decoder's only way to add layers: append, then fold the header into its level's summary. Typed, so
    // that no switch over a Layer (a copy of the whole enum and an outlined tag read) is needed.

    /// Appends `layer` and returns its index, leaving `levelsInSync` as it was; -1 (nothing appended) when the
    /// packet's layers are not recorded.
    @inlinable @inline(__always)
    mutating func appendRaw(_ layer: @autoclosure () -> Layer) -> Int {
        // An autoclosure, so that the 128-byte enum is built only when it is kept.
        guard recordingLayers else { return -1 }
        let inSync = levelsInSync
        let index = layers.count
        layers.append(layer())
        levelsInSync = inSync
        return index
    }

    /// The summary of the level being decoded (levels 0 and 1 are kept).
    @inlinable @inline(__always)
    mutating func withCurrentSummary(_ body: (inout LevelSummary) -> Void) {
        switch tunnelsAppended {
        case 0: body(&summary0)
        case 1: body(&summary1)
        default: break
        }
    }

    @inlinable @inline(__always)
    mutating func append(loopback h: LoopbackHeader) {
        let i = appendRaw(.loopback(h))
        withCurrentSummary { $0.noteLayer(.loopback, at: i, offset: h.offset) }
    }

    @inlinable @inline(__always)
    mutating func append(linuxCooked h: LinuxCookedHeader) {
        let i = appendRaw(.linuxCooked(h))
        withCurrentSummary { $0.note(linuxCooked: h, at: i) }
    }

    @inlinable @inline(__always)
    mutating func append(ethernet h: EthernetHeader) {
        let i = appendRaw(.ethernet(h))
        withCurrentSummary { $0.note(ethernet: h, at: i) }
    }

    @inlinable @inline(__always)
    mutating func append(vlan t: VLANTag) {
        let i = appendRaw(.vlan(t))
        withCurrentSummary { $0.note(vlan: t, at: i) }
    }

    @inlinable @inline(__always)
    mutating func append(arp a: ARPPacket) {
        let i = appendRaw(.arp(a))
        withCurrentSummary { $0.noteLayer(.arp, at: i, offset: a.offset) }
    }

    @inlinable @inline(__always)
    mutating func append(ipv4 h: IPv4Header) {
        let i = appendRaw(.ipv4(h))
        withCurrentSummary { $0.note(ipv4: h, at: i) }
    }

    @inlinable @inline(__always)
    mutating func append(ipv6 h: IPv6Header) {
        let i = appendRaw(.ipv6(h))
        withCurrentSummary { $0.note(ipv6: h, at: i) }
    }

    @inlinable @inline(__always)
    mutating func append(udp h: UDPHeader) {
        let i = appendRaw(.udp(h))
        withCurrentSummary { $0.note(udp: h, at: i) }
    }

    @inlinable @inline(__always)
    mutating func append(tcp h: TCPHeader) {
        let i = appendRaw(.tcp(h))
        withCurrentSummary { $0.note(tcp: h, at: i) }
    }

    @inlinable @inline(__always)
    mutating func append(icmp m: ICMPMessage) {
        let i = appendRaw(.icmp(m))
        withCurrentSummary {
            $0.note(icmpType: m.type, code: m.code, identifier: m.identifier, sequence: m.sequence, kind: .icmp, at: i)
        }
    }

    @inlinable @inline(__always)
    mutating func append(icmpv6 m: ICMPv6Message) {
        let i = appendRaw(.icmpv6(m))
        withCurrentSummary {
            $0.note(icmpType: m.type, code: m.code, identifier: m.identifier, sequence: m.sequence, kind: .icmpv6, at: i)
        }
    }

    @inlinable @inline(__always)
    mutating func append(bfd b: BFDControl) {
        let i = appendRaw(.bfd(b))
        withCurrentSummary { $0.noteLayer(.bfd, at: i, offset: -1) }
    }

    @inlinable @inline(__always)
    mutating func append(geneve g: GeneveHeader) {
        let i = appendRaw(.geneve(g))
        withCurrentSummary { $0.note(geneve: g, at: i) }
        tunnelsAppended += 1
    }

    @inlinable @inline(__always)
    mutating func append(vxlan v: VXLANHeader) {
        let i = appendRaw(.vxlan(v))
        withCurrentSummary { $0.note(tunnelVNI: v.vni, oam: false, kind: .vxlan, at: i) }
        tunnelsAppended += 1
    }

    /// The summary of level 0 (the underlay) or 1 (what the first tunnel carries), as the decoder filled it in:
    /// the cheap way to read a few fields per packet. nil for deeper levels and once `layers` was edited by hand
    /// (use `level(_:)` then).
    @inlinable
    public func summary(level index: Int) -> LevelSummary? {
        guard levelsInSync else { return nil }
        switch index {
        case 0: return summary0
        case 1: return summary1
        default: return nil
        }
    }

    /// The shape whose layers `LayerRecording.unlessPlain` leaves out, because its level summaries hold all that
    /// the analysis reads: no decode problem; exactly one tunnel (Geneve or VXLAN over UDP over IPv4/IPv6 over
    /// Ethernet, Linux cooked or VLAN tags); inside it Ethernet or IP, then TCP, UDP, or an ICMP/ICMPv6 message that
    /// is neither an error (those quote a packet) nor neighbour discovery (its target is not summarised).
    @inlinable
    public var isPlainTunneled: Bool {
        @inline(__always) get {
            guard levelsInSync, problems.isEmpty, tunnelsAppended == 1, summary0.hasIP else { return false }
            let outerKinds = LevelSummary.bit(.ethernet) | LevelSummary.bit(.sll) | LevelSummary.bit(.vlan) | LevelSummary.bit(.ipv4)
                | LevelSummary.bit(.ipv6) | LevelSummary.bit(.udp) | LevelSummary.bit(.geneve) | LevelSummary.bit(.vxlan)
            let innerKinds = LevelSummary.bit(.ethernet) | LevelSummary.bit(.vlan) | LevelSummary.bit(.ipv4) | LevelSummary.bit(.ipv6)
                | LevelSummary.bit(.tcp) | LevelSummary.bit(.udp) | LevelSummary.bit(.icmp) | LevelSummary.bit(.icmpv6)
            guard summary0.kinds & ~outerKinds == 0, summary1.kinds & ~innerKinds == 0, summary1.hasIP else { return false }
            if summary1.contains(.icmp) { return summary1.icmpType == ICMPMessage.echoReply || summary1.icmpType == ICMPMessage.echoRequest }
            if summary1.contains(.icmpv6) { return summary1.icmpType == 128 || summary1.icmpType == 129 }
            return true
        }
    }

    /// Number of tunnel headers, i.e. the index of the innermost level.
    public var tunnelDepth: Int {
        levelsInSync ? tunnelsAppended : layers.reduce(0) { $0 + ($1.isTunnel ? 1 : 0) }
    }
    public var isTunneled: Bool { levelsInSync ? tunnelsAppended > 0 : layers.contains { $0.isTunnel } }

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
