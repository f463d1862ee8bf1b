import OverlayWire

/// The `decode --json` object for one packet (JSON Lines). Schema: docs/json-decode.md. Keys are only
/// ever added, never renamed or removed, so scripts can rely on them.
public enum PacketJSON {
    public static func object(frame: FrameInfo, packet: DecodedPacket, bytes: UnsafeRawBufferPointer) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("frame", .integer(frame.number)),
            ("time", .number(frame.timestamp.description)),
            ("caplen", .integer(frame.capturedLength)),
            ("len", .integer(frame.wireLength)),
            ("link_type", .integer(frame.linkType.rawValue)),
        ]
        if frame.fileIndex > 0 { members.append(("file_index", .integer(frame.fileIndex))) }
        let levels = packet.tunnelDepth
        members.append(("outer", levelObject(packet, 0)))
        members.append(contentsOf: tunnelAndInner(packet, level: 0, depth: levels, bytes: bytes))
        members.append(("problems", .array(packet.problems.map(problem))))
        return .object(members)
    }

    static func tunnelAndInner(_ p: DecodedPacket, level: Int, depth: Int, bytes: UnsafeRawBufferPointer) -> [(String, JSONValue)] {
        let lv = p.level(level)
        guard let tunnel = lv.tunnel else { return [("tunnel", .null), ("inner", .null)] }
        let innerLevel = p.level(level + 1)
        var inner: JSONValue = .null
        if !innerLevel.isEmpty || level + 1 <= depth {
            if case .object(var m) = levelObject(p, level + 1) {
                if level + 1 < depth { m.append(contentsOf: tunnelAndInner(p, level: level + 1, depth: depth, bytes: bytes)) }
                inner = .object(m)
            }
        }
        return [("tunnel", tunnelObject(tunnel, packet: p, bytes: bytes)), ("inner", inner)]
    }

    static func tunnelObject(_ t: TunnelHeader, packet: DecodedPacket, bytes: UnsafeRawBufferPointer) -> JSONValue {
        switch t {
        case .geneve(let g):
            let options = packet.options(of: g).map { option(for: $0, bytes: bytes) }
            return .object([
                ("type", .string("geneve")),
                ("vni", .integer(g.vni)),
                ("version", .integer(g.version)),
                ("oam", .bool(g.oam)),
                ("critical", .bool(g.critical)),
                ("reserved_flags", .integer(g.reservedFlags)),
                ("protocol", .string(g.protocolType.hex)),
                ("options_length", .integer(g.optionsLength)),
                ("options", .array(options)),
            ])
        case .vxlan(let v):
            return .object([
                ("type", .string("vxlan")),
                ("vni", .integer(v.vni)),
                ("flags", .string(hexNumber(v.flags, width: 4))),
                ("group_policy", v.groupPolicy ? .integer(v.groupPolicyID) : .null),
                ("protocol", .string(EtherType.transparentEthernet.hex)),
                ("oam", .bool(false)),
                ("critical", .bool(false)),
                ("options", .array([])),
            ])
        }
    }

    static func option(for o: GeneveOption, bytes: UnsafeRawBufferPointer) -> JSONValue {
        let end = o.dataOffset + o.dataLength
        let data = end <= bytes.count ? hexString(UnsafeRawBufferPointer(rebasing: bytes[o.dataOffset..<end])) : ""
        var m: [(String, JSONValue)] = [
            ("class", .string(hexNumber(o.optionClass, width: 4))),
            ("class_name", .string(o.className)),
            ("type", .string(hexNumber(o.type, width: 2))),
            ("critical", .bool(o.isCritical)),
            ("length", .integer(o.dataLength)),
            ("data", .string(data)),
        ]
        let fields = o.decodedFields(in: bytes)
        if !fields.isEmpty {
            m.append(("decoded", .object(fields.map { f in
                switch f.value {
                case .number(let n): return (f.name, .integer(n))
                case .text(let t): return (f.name, .string(t))
                case .flag(let b): return (f.name, .bool(b))
                }
            })))
        }
        return .object(m)
    }

    /// The L2/L3/L4 of one encapsulation level (the same shape for `outer` and `inner`).
    static func levelObject(_ p: DecodedPacket, _ index: Int) -> JSONValue {
        let lv = p.level(index)
        var m: [(String, JSONValue)] = [
            ("src_mac", .optional(lv.ethernet?.source) { .string($0.description) }),
            ("dst_mac", .optional(lv.ethernet?.destination) { .string($0.description) }),
            ("vlans", .array(p.vlanIDs(level: index).map { .integer($0) })),
            ("src", .optional(lv.sourceIP) { .string($0.description) }),
            ("dst", .optional(lv.destinationIP) { .string($0.description) }),
            ("proto", .optional(lv.ipProtocol) { .integer($0.rawValue) }),
            ("sport", .optional(lv.sourcePort) { .integer($0) }),
            ("dport", .optional(lv.destinationPort) { .integer($0) }),
            ("ttl", .optional(lv.ttl) { .integer($0) }),
        ]
        if let ip = lv.ipv4 {
            m.append(("ip_id", .integer(ip.identification)))
            m.append(("df", .bool(ip.dontFragment)))
            m.append(("fragment", .bool(ip.isFragment)))
            m.append(("ip_len", .integer(ip.totalLength)))
        } else if let ip = lv.ipv6 {
            m.append(("flow_label", .integer(ip.flowLabel)))
            m.append(("fragment", .bool(ip.isFragment)))
            m.append(("ip_len", .integer(ip.payloadLength)))
        }
        if let tcp = lv.tcp {
            m.append(("tcp_flags", .string(tcp.flagString)))
            m.append(("tcp_seq", .integer(tcp.sequence)))
            m.append(("tcp_ack", .integer(tcp.acknowledgment)))
            m.append(("tcp_window", .integer(tcp.window)))
        }
        if let icmp = lv.icmp {
            m.append(("icmp_type", .integer(icmp.type)))
            m.append(("icmp_code", .integer(icmp.code)))
            if let mtu = icmp.nextHopMTU { m.append(("icmp_mtu", .integer(mtu))) }
            if let q = icmp.quoted { m.append(("icmp_quoted", quoted(q))) }
        } else if let icmp = lv.icmpv6 {
            m.append(("icmp_type", .integer(icmp.type)))
            m.append(("icmp_code", .integer(icmp.code)))
            if let mtu = icmp.mtu { m.append(("icmp_mtu", .integer(mtu))) }
            if let t = icmp.targetAddress { m.append(("nd_target", .string(t.description))) }
            if let q = icmp.quoted { m.append(("icmp_quoted", quoted(q))) }
        }
        if let a = lv.arp {
            m.append(("arp", .object([
                ("op", .integer(a.operation)),
                ("sender_mac", .optional(a.senderMAC) { .string($0.description) }),
                ("sender_ip", .optional(a.senderIP) { .string($0.description) }),
                ("target_mac", .optional(a.targetMAC) { .string($0.description) }),
                ("target_ip", .optional(a.targetIP) { .string($0.description) }),
            ])))
        }
        if let b = lv.bfd {
            m.append(("bfd", .object([
                ("state", .string(b.state.description)),
                ("diag", .integer(b.diagnostic)),
                ("diag_name", .string(b.diagnosticName)),
                ("my_discriminator", .integer(b.myDiscriminator)),
                ("your_discriminator", .integer(b.yourDiscriminator)),
                ("detect_mult", .integer(b.detectMultiplier)),
                ("min_tx_us", .integer(b.desiredMinTxInterval)),
                ("min_rx_us", .integer(b.requiredMinRxInterval)),
            ])))
        }
        return .object(m)
    }

    static func quoted(_ q: QuotedPacket) -> JSONValue {
        .object([
            ("src", .string(q.source.description)),
            ("dst", .string(q.destination.description)),
            ("proto", .integer(q.proto.rawValue)),
            ("ip_id", .integer(q.identification)),
            ("length", .integer(q.totalLength)),
            ("sport", .optional(q.sourcePort) { .integer($0) }),
            ("dport", .optional(q.destinationPort) { .integer($0) }),
            ("vni", .optional(q.tunnelVNI) { .integer($0) }),
        ])
    }

    static func problem(_ p: DecodeProblem) -> JSONValue {
        .object([
            ("layer", .string(p.layer.rawValue)),
            ("offset", .integer(p.offset)),
            ("code", .string(p.code.rawValue)),
            ("reason", .string(p.reason)),
        ])
    }
}
