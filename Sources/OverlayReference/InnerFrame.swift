import OverlayWire

/// The fields of one inner (overlay) frame that the model's rules read, pulled out of the decoded layers
/// once per frame so each rule does not walk the layers again. A plain value: no allocation.
struct InnerFrame {
    var sourceMAC: MACAddress?
    var destinationMAC: MACAddress?
    var sourceIP: IPAddress?
    var destinationIP: IPAddress?
    var ipProtocol = IPProtocol(rawValue: 255)
    /// TCP/UDP ports; for ICMP/ICMPv6 echo both hold the echo identifier so the two directions share a flow.
    var sourcePort: UInt16 = 0
    var destinationPort: UInt16 = 0
    /// IPv4 TTL or IPv6 hop limit.
    var ttl: UInt8?
    /// IPv4 identification, or the IPv6 flow label: with the ports, sequence and length it names one packet.
    var ipIdentification: UInt32 = 0
    var ipLength = 0
    var isFragment = false
    var tcpFlags: UInt16 = 0
    var tcpSequence: UInt32 = 0
    var tcpAcknowledgment: UInt32 = 0
    var echo: Echo?
    var arp: ARPPacket?
    var neighborDiscovery: NeighborDiscovery?
    /// BFD or other TEP-to-TEP control traffic carried inside the tunnel: never a workload's frame.
    var isControl = false

    enum Echo { case request(id: UInt16, sequence: UInt16), reply(id: UInt16, sequence: UInt16) }
    /// IPv6 neighbour solicitation/advertisement: the IPv6 counterpart of an ARP request/reply.
    enum NeighborDiscovery { case solicitation(target: IPv6Address), advertisement(target: IPv6Address) }

    init() {}

    init(_ level: NetworkLevel) {
        if let eth = level.ethernet {
            sourceMAC = eth.source
            destinationMAC = eth.destination
        }
        arp = level.arp
        sourceIP = level.sourceIP
        destinationIP = level.destinationIP
        ttl = level.ttl
        if let ip = level.ipv4 {
            ipProtocol = ip.proto
            ipIdentification = UInt32(ip.identification)
            ipLength = Int(ip.totalLength)
            isFragment = ip.isFragment
        } else if let ip = level.ipv6 {
            ipProtocol = ip.upperProtocol
            ipIdentification = ip.fragment?.identification ?? ip.flowLabel
            ipLength = Int(ip.payloadLength) + 40
            isFragment = ip.isFragment
        }
        if let tcp = level.tcp {
            sourcePort = tcp.sourcePort
            destinationPort = tcp.destinationPort
            tcpFlags = tcp.flags
            tcpSequence = tcp.sequence
            tcpAcknowledgment = tcp.acknowledgment
        } else if let udp = level.udp {
            sourcePort = udp.sourcePort
            destinationPort = udp.destinationPort
            isControl = level.bfd != nil || udp.destinationPort == BFDControl.singleHopPort
                || udp.destinationPort == BFDControl.multihopPort
        } else if let icmp = level.icmp {
            if let id = icmp.identifier, let seq = icmp.sequence {
                if icmp.type == ICMPMessage.echoRequest { echo = .request(id: id, sequence: seq) }
                if icmp.type == ICMPMessage.echoReply { echo = .reply(id: id, sequence: seq) }
            }
        } else if let icmp = level.icmpv6 {
            if let id = icmp.identifier, let seq = icmp.sequence {
                if icmp.type == 128 { echo = .request(id: id, sequence: seq) }
                if icmp.type == 129 { echo = .reply(id: id, sequence: seq) }
            }
            if let target = icmp.targetAddress {
                if icmp.type == 135 { neighborDiscovery = .solicitation(target: target) }
                if icmp.type == 136 { neighborDiscovery = .advertisement(target: target) }
            }
        }
        if let echo {
            switch echo {
            case .request(let id, _), .reply(let id, _):
                sourcePort = id
                destinationPort = id
            }
        }
    }

    /// The same frame from the decoder's summary of the level (plain fields, no layer copied out of the packet);
    /// the rare parts a summary leaves out (ARP, a neighbour discovery target) are read from `packet`'s layers
    /// (borrowed: passing the array itself retained it, a write to a line the decoding core owns, per packet).
    init(_ s: LevelSummary, packet: borrowing DecodedPacket) {
        if s.contains(.ethernet) {
            sourceMAC = s.sourceMAC
            destinationMAC = s.destinationMAC
        }
        if s.contains(.arp) {
            for i in s.layers { if case .arp(let a) = packet.layers[i] { arp = a } }
        }
        if s.hasIP {
            sourceIP = s.sourceIP
            destinationIP = s.destinationIP
            ttl = s.ttl
            ipProtocol = s.ipProtocol
            ipIdentification = s.ipIdentification
            // NetworkLevel-based: the IPv6 payload length + 40 even when the header says 0.
            ipLength = s.ipVersion == 6 && s.ipLength == 0 ? 40 : s.ipLength
            isFragment = s.isFragment
        }
        if s.contains(.tcp) {
            sourcePort = s.sourcePort
            destinationPort = s.destinationPort
            tcpFlags = s.tcpFlags
            tcpSequence = s.tcpSequence
            tcpAcknowledgment = s.tcpAcknowledgment
        } else if s.contains(.udp) {
            sourcePort = s.sourcePort
            destinationPort = s.destinationPort
            isControl = s.contains(.bfd) || s.destinationPort == BFDControl.singleHopPort
                || s.destinationPort == BFDControl.multihopPort
        } else if s.contains(.icmp) {
            // Echo types always carry an identifier and a sequence.
            if s.icmpType == ICMPMessage.echoRequest { echo = .request(id: s.icmpIdentifier, sequence: s.icmpSequence) }
            if s.icmpType == ICMPMessage.echoReply { echo = .reply(id: s.icmpIdentifier, sequence: s.icmpSequence) }
        } else if s.contains(.icmpv6) {
            if s.icmpType == 128 { echo = .request(id: s.icmpIdentifier, sequence: s.icmpSequence) }
            if s.icmpType == 129 { echo = .reply(id: s.icmpIdentifier, sequence: s.icmpSequence) }
            if s.icmpType == 135 || s.icmpType == 136 {
                for i in s.layers {
                    guard case .icmpv6(let m) = packet.layers[i], let target = m.targetAddress else { continue }
                    neighborDiscovery = m.type == 135 ? .solicitation(target: target) : .advertisement(target: target)
                }
            }
        }
        if let echo {
            switch echo {
            case .request(let id, _), .reply(let id, _):
                sourcePort = id
                destinationPort = id
            }
        }
    }

    var isIP: Bool { sourceIP != nil && destinationIP != nil }
    var isTCP: Bool { ipProtocol == .tcp }

    /// Identifies one inner frame among its copies (BUM replication, two capture points): what a TEP does
    /// not change when it replicates or forwards a frame on the same segment.
    var copyFingerprint: UInt64 { copyFingerprint(packetFingerprint) }

    /// `copyFingerprint` from this frame's `packetFingerprint`, when the caller has it already.
    @inline(__always)
    func copyFingerprint(_ packetFingerprint: UInt64) -> UInt64 {
        var h = mix(sourceMAC?.rawValue ?? 0, destinationMAC?.rawValue ?? 0)
        h = mix(h, packetFingerprint)
        return h
    }

    /// Identifies one IP packet whatever the L2 around it (a router rewrites MACs and TTL, not these), or
    /// one ARP message.
    var packetFingerprint: UInt64 {
        var h: UInt64 = 0x51_7C_C1_B7_27_22_0A_95
        if let s = sourceIP, let d = destinationIP {
            h = mix(h, s.hashWord)
            h = mix(h, d.hashWord)
            h = mix(h, UInt64(ipIdentification) << 16 | UInt64(ipProtocol.rawValue))
            h = mix(h, UInt64(sourcePort) << 48 | UInt64(destinationPort) << 32 | UInt64(UInt32(truncatingIfNeeded: ipLength)))
            h = mix(h, UInt64(tcpSequence) << 32 | UInt64(tcpAcknowledgment))
            if let echo {
                switch echo {
                case .request(_, let s): h = mix(h, 0x1_0000 | UInt64(s))
                case .reply(_, let s): h = mix(h, 0x2_0000 | UInt64(s))
                }
            }
        } else if let arp {
            h = mix(h, UInt64(arp.operation))
            h = mix(h, arp.senderMAC?.rawValue ?? 0)
            h = mix(h, UInt64(arp.senderIP?.rawValue ?? 0) << 32 | UInt64(arp.targetIP?.rawValue ?? 0))
        }
        return h
    }
}
