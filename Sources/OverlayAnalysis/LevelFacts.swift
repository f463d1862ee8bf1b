import OverlayWire

/// The fields of one encapsulation level the analyzer needs, as plain values: taken from the decoder's level
/// summary for the common shapes, or gathered layer by layer for nested tunnels (cheaper than
/// `DecodedPacket.level(_:)`, and free of optionals in the hot path).
struct LevelFacts: Equatable {
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

    /// From the decoder's summary of the level (no copy of the level's layers); only the rare headers the
    /// summary does not carry (ARP, neighbor discovery, BFD) are read from `packet.layers`.
    @inline(__always)
    init(_ s: LevelSummary, in packet: borrowing DecodedPacket) {
        startOffset = s.startOffset
        hasEthernet = s.contains(.ethernet)
        hasSourceMAC = hasEthernet || (s.contains(.sll) && s.sourceMAC.rawValue != 0)
        if hasSourceMAC { sourceMAC = s.sourceMAC }
        if hasEthernet { destinationMAC = s.destinationMAC }
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
        isTCP = s.contains(.tcp)
        if isTCP || s.contains(.udp) {
            hasPorts = true
            sourcePort = s.sourcePort
            destinationPort = s.destinationPort
            tcpFlags = isTCP ? s.tcpFlags : 0
        }
        let icmpv6 = s.contains(.icmpv6)
        if s.contains(.icmp) || icmpv6 {
            hasICMP = true
            icmpType = s.icmpType
            let echo = icmpv6 ? (icmpType == 128 || icmpType == 129) : (icmpType == 0 || icmpType == 8)
            if echo { icmpIdentifier = s.icmpIdentifier }
        }
        // The rare headers: read their layer (one copy, only when present).
        guard s.contains(.arp) || s.contains(.bfd) || (icmpv6 && (icmpType == 135 || icmpType == 136)) else { return }
        var unused1: GeneveHeader?, unused2: VXLANHeader?
        for i in s.layers where i < packet.layers.count {
            switch packet.layers[i].kind {
            case .arp, .bfd, .icmpv6:
                var scratch = LevelFacts()
                scratch.absorb(packet.layers[i], geneve: &unused1, vxlan: &unused2)
                if scratch.hasARP {
                    hasARP = true
                    arpOperation = scratch.arpOperation
                    arpSenderMAC = scratch.arpSenderMAC
                    arpSenderIP = scratch.arpSenderIP
                    arpTargetIP = scratch.arpTargetIP
                    if startOffset < 0 { startOffset = scratch.startOffset }
                }
                if let b = scratch.bfd { bfd = b }
                if scratch.ndTarget != nil {
                    ndTarget = scratch.ndTarget
                    ndLinkAddress = scratch.ndLinkAddress
                }
            default:
                continue
            }
        }
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
