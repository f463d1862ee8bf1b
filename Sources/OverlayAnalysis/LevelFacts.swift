import OverlayWire

/// The fields of one encapsulation level the analyzer needs, gathered in one pass over the packet's
/// layers (cheaper than `DecodedPacket.level(_:)` per level, and free of optionals in the hot path).
struct LevelFacts {
    /// Offset in the frame of the level's first header (inner frame size = wire length − this).
    var startOffset = -1
    var hasEthernet = false
    /// Link-layer source known (Ethernet, or a Linux cooked header's address).
    var hasSourceMAC = false
    var sourceMAC = MACAddress(rawValue: 0)
    var destinationMAC = MACAddress(rawValue: 0)
    var etherType: UInt16 = 0
    var vlan: UInt16 = FlowKey.noVLAN

    var ipVersion: UInt8 = 0
    var sourceIP = IPAddress.v4(IPv4Address(rawValue: 0))
    var destinationIP = IPAddress.v4(IPv4Address(rawValue: 0))
    var ttl: UInt8 = 0
    var dontFragment = false
    /// IP length from the header (IPv4 total length, IPv6 payload + 40); 0 when the header says 0 (GSO/BIG TCP).
    var ipLength = 0
    var ipOffset = 0
    var proto: UInt8 = 0
    /// A non-first fragment: no transport header.
    var laterFragment = false

    var hasPorts = false
    var sourcePort: UInt16 = 0
    var destinationPort: UInt16 = 0
    var isTCP = false
    var tcpFlags: UInt16 = 0

    var hasICMP = false
    var icmpType: UInt8 = 0
    var icmpIdentifier: UInt16?
    var ndTarget: IPv6Address?
    var ndLinkAddress: MACAddress?

    var hasARP = false
    var arpOperation: UInt16 = 0
    var arpSenderMAC: MACAddress?
    var arpSenderIP: IPv4Address?
    var arpTargetIP: IPv4Address?

    var bfd: BFDControl?

    var hasIP: Bool { ipVersion != 0 }

    init() {}

    /// The same facts from the decoder's summary of the level: plain fields, no Layer copied out of the packet.
    /// The parts a summary leaves out (ARP, neighbour discovery, BFD, a cooked header's address) are read
    /// from `layers`, only in the frames that have them.
    init(_ s: LevelSummary, layers: [Layer]) {
        startOffset = s.startOffset
        if s.contains(.ethernet) {
            hasEthernet = true
            hasSourceMAC = true
            sourceMAC = s.sourceMAC
            destinationMAC = s.destinationMAC
        } else if s.contains(.sll) {
            for i in s.layers {
                if case .linuxCooked(let h) = layers[i], let a = h.linkAddress, !hasSourceMAC {
                    hasSourceMAC = true
                    sourceMAC = a
                }
            }
        }
        etherType = s.etherType.rawValue
        if s.vlanCount > 0 { vlan = s.vlanID }
        if s.hasIP {
            ipVersion = s.ipVersion
            sourceIP = s.sourceIP
            destinationIP = s.destinationIP
            ttl = s.ttl
            dontFragment = s.dontFragment
            ipLength = s.ipLength
            ipOffset = s.ipOffset
            proto = s.ipProtocol.rawValue
            laterFragment = s.fragmentOffset != 0
        }
        if s.contains(.tcp) || s.contains(.udp) {
            hasPorts = true
            isTCP = s.contains(.tcp)
            sourcePort = s.sourcePort
            destinationPort = s.destinationPort
            tcpFlags = isTCP ? s.tcpFlags : 0
        }
        if s.contains(.icmp) {
            hasICMP = true
            icmpType = s.icmpType
            if s.icmpType == ICMPMessage.echoRequest || s.icmpType == ICMPMessage.echoReply { icmpIdentifier = s.icmpIdentifier }
        } else if s.contains(.icmpv6) {
            hasICMP = true
            icmpType = s.icmpType
            if s.icmpType == 128 || s.icmpType == 129 { icmpIdentifier = s.icmpIdentifier }
        }
        guard s.contains(.arp) || s.contains(.bfd) || (s.contains(.icmpv6) && (s.icmpType == 135 || s.icmpType == 136)) else { return }
        var geneve: GeneveHeader?, vxlan: VXLANHeader?
        var rare = LevelFacts()
        for i in s.layers { rare.absorb(layers[i], geneve: &geneve, vxlan: &vxlan) }
        hasARP = rare.hasARP
        arpOperation = rare.arpOperation
        arpSenderMAC = rare.arpSenderMAC
        arpSenderIP = rare.arpSenderIP
        arpTargetIP = rare.arpTargetIP
        ndTarget = rare.ndTarget
        ndLinkAddress = rare.ndLinkAddress
        bfd = rare.bfd
    }

    /// Takes what this level needs from one layer; a tunnel header is handed back instead (it ends the level).
    @inline(__always)
    mutating func absorb(_ layer: Layer, geneve: inout GeneveHeader?, vxlan: inout VXLANHeader?) {
        switch layer {
        case .loopback(let h):
            if startOffset < 0 { startOffset = h.offset }
        case .linuxCooked(let h):
            if startOffset < 0 { startOffset = h.offset }
            if let a = h.linkAddress, !hasSourceMAC {
                hasSourceMAC = true
                sourceMAC = a
            }
            etherType = h.protocolType.rawValue
        case .ethernet(let h):
            if startOffset < 0 { startOffset = h.offset }
            if !hasEthernet {
                hasEthernet = true
                hasSourceMAC = true
                sourceMAC = h.source
                destinationMAC = h.destination
                etherType = h.etherType.rawValue
            }
        case .vlan(let t):
            if vlan == FlowKey.noVLAN { vlan = t.id }
            etherType = t.nextEtherType.rawValue
        case .arp(let a):
            if startOffset < 0 { startOffset = a.offset }
            hasARP = true
            arpOperation = a.operation
            arpSenderMAC = a.senderMAC
            arpSenderIP = a.senderIP
            arpTargetIP = a.targetIP
        case .ipv4(let h):
            if startOffset < 0 { startOffset = h.offset }
            guard ipVersion == 0 else { return }
            ipVersion = 4
            sourceIP = .v4(h.source)
            destinationIP = .v4(h.destination)
            ttl = h.ttl
            dontFragment = h.dontFragment
            ipLength = Int(h.totalLength)
            ipOffset = h.offset
            proto = h.proto.rawValue
            laterFragment = h.fragmentOffset != 0
        case .ipv6(let h):
            if startOffset < 0 { startOffset = h.offset }
            guard ipVersion == 0 else { return }
            ipVersion = 6
            sourceIP = .v6(h.source)
            destinationIP = .v6(h.destination)
            ttl = h.hopLimit
            dontFragment = true
            ipLength = h.payloadLength == 0 ? 0 : Int(h.payloadLength) + 40
            ipOffset = h.offset
            proto = h.upperProtocol.rawValue
            laterFragment = (h.fragment?.offset ?? 0) != 0
        case .udp(let h):
            guard !hasPorts else { return }
            hasPorts = true
            sourcePort = h.sourcePort
            destinationPort = h.destinationPort
        case .tcp(let h):
            guard !hasPorts else { return }
            hasPorts = true
            isTCP = true
            sourcePort = h.sourcePort
            destinationPort = h.destinationPort
            tcpFlags = h.flags
        case .icmp(let m):
            guard !hasICMP else { return }
            hasICMP = true
            icmpType = m.type
            if m.type == ICMPMessage.echoRequest || m.type == ICMPMessage.echoReply { icmpIdentifier = m.identifier }
        case .icmpv6(let m):
            guard !hasICMP else { return }
            hasICMP = true
            icmpType = m.type
            if m.type == 128 || m.type == 129 { icmpIdentifier = m.identifier }
            if m.type == 135 || m.type == 136 {
                ndTarget = m.targetAddress
                ndLinkAddress = m.linkLayerAddress
            }
        case .bfd(let b):
            bfd = b
        case .geneve(let g):
            geneve = g
        case .vxlan(let v):
            vxlan = v
        }
    }
}
