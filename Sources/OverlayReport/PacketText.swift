import OverlayWire

/// tcpdump-style text for `decode`: one line per packet, overlay-aware, e.g.
/// `12 0.004512 172.20.11.51 > 172.20.11.52 geneve vni 69632 [ovn in=3 out=5] | 00:50:56:aa:00:01 > 00:50:56:aa:00:02 10.1.10.11.51544 > 10.1.10.12.80 tcp [S]`
/// and, verbose, every header field and option on indented lines after it.
public enum PacketText {
    public static func line(frame: FrameInfo, packet: DecodedPacket, time: String) -> String {
        var parts: [String] = []
        let depth = packet.tunnelDepth
        for i in 0...depth {
            let lv = packet.level(i)
            var s = i > 0 ? levelLine(lv, showMACs: true, packet: packet, level: i) : levelLine(lv, showMACs: false, packet: packet, level: i)
            if let t = lv.tunnel { s += (s.isEmpty ? "" : " ") + tunnelText(t, packet: packet) }
            parts.append(s)
        }
        var out = "\(frame.number) \(time) " + parts.filter { !$0.isEmpty }.joined(separator: " | ")
        if frame.capturedLength < frame.wireLength { out += " [captured \(frame.capturedLength) of \(frame.wireLength)]" }
        for p in packet.problems { out += " !! \(p.layer.rawValue): \(p.reason)" }
        return out
    }

    static func tunnelText(_ t: TunnelHeader, packet: DecodedPacket) -> String {
        switch t {
        case .geneve(let g):
            var s = "geneve vni \(g.vni)"
            if g.oam { s += " oam" }
            if g.protocolType != .transparentEthernet { s += " proto \(g.protocolType.hex)" }
            if let k = packet.ovnPortKeys, packet.options(of: g).contains(where: { $0.optionClass == OVNOptionDecoder.ovnClass }) {
                s += " [ovn in=\(k.ingress) out=\(k.egress)\(k.egressIsMulticastGroup ? " mcast" : "")]"
            }
            let others = packet.options(of: g).filter { $0.optionClass != OVNOptionDecoder.ovnClass }
            if !others.isEmpty { s += " [\(others.count) option\(others.count == 1 ? "" : "s")]" }
            return s
        case .vxlan(let v):
            var s = "vxlan vni \(v.vni)"
            if v.groupPolicy { s += " gbp \(v.groupPolicyID)" }
            return s
        }
    }

    static func endpoint(_ ip: IPAddress?, _ port: UInt16?) -> String {
        guard let ip else { return "?" }
        return port.map { "\(ip).\($0)" } ?? ip.description
    }

    static func levelLine(_ lv: NetworkLevel, showMACs: Bool, packet: DecodedPacket, level: Int) -> String {
        var s: [String] = []
        if showMACs, let e = lv.ethernet { s.append("\(e.source) > \(e.destination)") }
        let vlans = packet.vlanIDs(level: level)
        if !vlans.isEmpty { s.append("vlan " + vlans.map(String.init).joined(separator: ",")) }
        if let a = lv.arp {
            switch a.operation {
            case ARPPacket.request:
                s.append("arp who-has \(a.targetIP?.description ?? "?") tell \(a.senderIP?.description ?? "?")")
            case ARPPacket.reply:
                s.append("arp reply \(a.senderIP?.description ?? "?") is-at \(a.senderMAC?.description ?? "?")")
            default:
                s.append("arp \(a.operationName)")
            }
            return s.joined(separator: " ")
        }
        guard lv.ipv4 != nil || lv.ipv6 != nil else { return s.joined(separator: " ") }
        if lv.tunnel != nil || lv.bfd != nil && level == 0 {
            s.append("\(lv.sourceIP?.description ?? "?") > \(lv.destinationIP?.description ?? "?")")
        } else {
            s.append("\(endpoint(lv.sourceIP, lv.sourcePort)) > \(endpoint(lv.destinationIP, lv.destinationPort))")
        }
        if let t = lv.tcp {
            s.append("tcp [\(t.flagString)]")
        } else if let b = lv.bfd {
            s.append("bfd \(b.state) diag \(b.diagnostic) my \(b.myDiscriminator) your \(b.yourDiscriminator)")
        } else if lv.udp != nil, lv.tunnel == nil {
            s.append("udp")
        } else if let i = lv.icmp {
            var t = "icmp \(i.name)"
            if let id = i.identifier, let seq = i.sequence { t += " id \(id) seq \(seq)" }
            if let mtu = i.nextHopMTU { t += " mtu \(mtu)" }
            if let q = i.quoted { t += " (for \(quotedText(q)))" }
            s.append(t)
        } else if let i = lv.icmpv6 {
            var t = "icmp6 \(i.name)"
            if let target = i.targetAddress { t += " \(target)" }
            if let mtu = i.mtu { t += " mtu \(mtu)" }
            if let q = i.quoted { t += " (for \(quotedText(q)))" }
            s.append(t)
        } else if lv.tunnel == nil, let p = lv.ipProtocol {
            s.append(p.name)
        }
        if lv.isFragment { s.append("frag") }
        return s.joined(separator: " ")
    }

    static func quotedText(_ q: QuotedPacket) -> String {
        var t = "\(endpoint(q.source, q.sourcePort)) > \(endpoint(q.destination, q.destinationPort)) \(q.proto.name) len \(q.totalLength)"
        if let vni = q.tunnelVNI { t += " vni \(vni)" }
        return t
    }

    /// The `-v` detail: every header, one per line, indented by encapsulation level.
    public static func verbose(packet: DecodedPacket, bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        var level = 0
        for layer in packet.layers {
            let pad = String(repeating: "    ", count: level + 1)
            lines.append(pad + describe(layer, packet: packet, bytes: bytes, pad: pad))
            if layer.isTunnel { level += 1 }
        }
        return lines
    }

    static func yes(_ b: Bool) -> String { b ? "1" : "0" }

    static func describe(_ layer: Layer, packet: DecodedPacket, bytes: UnsafeRawBufferPointer, pad: String) -> String {
        switch layer {
        case .loopback(let h): return "loopback: family \(h.family)"
        case .linuxCooked(let h):
            return "linux-sll\(h.version == 2 ? "2" : ""): packet type \(h.packetType), hatype \(h.arphrdType), protocol \(h.protocolType.hex)"
                + (h.linkAddress.map { ", address \($0)" } ?? "") + (h.interfaceIndex.map { ", ifindex \($0)" } ?? "")
        case .ethernet(let e): return "ethernet: \(e.source) > \(e.destination), type \(e.etherType.hex)"
        case .vlan(let v): return "vlan: tpid \(v.tpid.hex), id \(v.id), pcp \(v.priority), dei \(yes(v.dropEligible)), type \(v.nextEtherType.hex)"
        case .arp(let a):
            return "arp: \(a.operationName), sender \(a.senderMAC?.description ?? "?") \(a.senderIP?.description ?? "?"), target \(a.targetMAC?.description ?? "?") \(a.targetIP?.description ?? "?")"
        case .ipv4(let h):
            return "ipv4: \(h.source) > \(h.destination), proto \(h.proto.rawValue) (\(h.proto.name)), ttl \(h.ttl), tos \(hexNumber(h.tos, width: 2)), id \(h.identification), len \(h.totalLength), hlen \(h.headerLength), flags [\(h.dontFragment ? "DF" : "")\(h.moreFragments ? "MF" : "")], frag offset \(h.fragmentOffset), cksum \(hexNumber(h.checksum, width: 4))\(checksumNote(h.checksumValid))"
        case .ipv6(let h):
            var s = "ipv6: \(h.source) > \(h.destination), next \(h.nextHeader.rawValue), upper \(h.upperProtocol.rawValue) (\(h.upperProtocol.name)), hlim \(h.hopLimit), class \(hexNumber(h.trafficClass, width: 2)), flow \(hexNumber(h.flowLabel, width: 5)), payload len \(h.payloadLength)"
            if h.extensionHeaderCount > 0 { s += ", \(h.extensionHeaderCount) extension header(s) of \(h.extensionHeadersLength) bytes" }
            if let f = h.fragment { s += ", fragment offset \(f.offset) id \(f.identification)\(f.moreFragments ? " MF" : "")" }
            if let j = h.jumboPayloadLength { s += ", jumbo \(j)" }
            return s
        case .udp(let u):
            return "udp: \(u.sourcePort) > \(u.destinationPort), len \(u.length), cksum \(hexNumber(u.checksum, width: 4))\(checksumNote(u.checksumValid))"
        case .tcp(let t):
            return "tcp: \(t.sourcePort) > \(t.destinationPort), flags [\(t.flagString)], seq \(t.sequence), ack \(t.acknowledgment), win \(t.window), hlen \(t.headerLength), cksum \(hexNumber(t.checksum, width: 4))\(checksumNote(t.checksumValid))"
        case .icmp(let i):
            var s = "icmp: \(i.name) (type \(i.type) code \(i.code))"
            if let id = i.identifier, let seq = i.sequence { s += ", id \(id) seq \(seq)" }
            if let mtu = i.nextHopMTU { s += ", next-hop mtu \(mtu)" }
            if let q = i.quoted { s += ", quoting \(quotedText(q)) id \(q.identification)\(q.dontFragment ? " DF" : "")" }
            return s + checksumNote(i.checksumValid)
        case .icmpv6(let i):
            var s = "icmp6: \(i.name) (type \(i.type) code \(i.code))"
            if let id = i.identifier, let seq = i.sequence { s += ", id \(id) seq \(seq)" }
            if let mtu = i.mtu { s += ", mtu \(mtu)" }
            if let t = i.targetAddress { s += ", target \(t)" }
            if let l = i.linkLayerAddress { s += ", lladdr \(l)" }
            if let q = i.quoted { s += ", quoting \(quotedText(q))" }
            return s + checksumNote(i.checksumValid)
        case .bfd(let b):
            return "bfd: v\(b.version) state \(b.state), diag \(b.diagnostic) (\(b.diagnosticName)), flags [\(b.poll ? "P" : "")\(b.final ? "F" : "")\(b.controlPlaneIndependent ? "C" : "")\(b.authenticationPresent ? "A" : "")\(b.demand ? "D" : "")\(b.multipoint ? "M" : "")], mult \(b.detectMultiplier), my disc \(b.myDiscriminator), your disc \(b.yourDiscriminator), min tx \(b.desiredMinTxInterval) us, min rx \(b.requiredMinRxInterval) us, min echo rx \(b.requiredMinEchoRxInterval) us"
        case .geneve(let g):
            var s = "geneve: ver \(g.version), opt len \(g.optionsLength), O \(yes(g.oam)), C \(yes(g.critical)), rsvd \(hexNumber(g.reservedFlags, width: 2)), proto \(g.protocolType.hex), vni \(g.vni) (\(hexNumber(g.vni, width: 6)))"
            for o in packet.options(of: g) {
                let end = o.dataOffset + o.dataLength
                let data = end <= bytes.count ? hexString(UnsafeRawBufferPointer(rebasing: bytes[o.dataOffset..<end])) : "(not captured)"
                s += "\n\(pad)  option: class \(hexNumber(o.optionClass, width: 4)) (\(o.className)), type \(hexNumber(o.type, width: 2))\(o.isCritical ? " critical" : ""), len \(o.dataLength), data \(data)"
                for f in o.decodedFields(in: bytes) {
                    switch f.value {
                    case .number(let n): s += ", \(f.name) \(n)"
                    case .text(let t): s += ", \(f.name) \"\(t)\""
                    case .flag(let b): s += ", \(f.name) \(b)"
                    }
                }
            }
            return s
        case .vxlan(let v):
            return "vxlan: flags \(hexNumber(v.flags, width: 4)), vni \(v.vni)" + (v.groupPolicy ? ", group policy \(v.groupPolicyID)" : "")
        }
    }

    static func checksumNote(_ valid: Bool?) -> String {
        switch valid {
        case true?: return " (correct)"
        case false?: return " (incorrect)"
        case nil: return ""
        }
    }
}
