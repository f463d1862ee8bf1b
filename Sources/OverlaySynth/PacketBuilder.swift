import OverlayWire

/// Builds frames from layer specs, inner layers first, so every length and checksum that depends on
/// what a header carries is right by construction (unless a `SynthFault` says otherwise).
///
///     PacketBuilder.build([
///         .ethernet(src: tepA, dst: tepB), .ipv4(src: a, dst: b), .udp(sport: 50000, dport: 6081, zeroChecksum: true),
///         .geneve(vni: 69632), .ethernet(src: vm1, dst: vm2), .ipv4(src: x, dst: y, ttl: 63),
///         .tcp(sport: 40000, dport: 80, seq: 1, flags: TCPHeader.syn)])
public enum PacketBuilder {
    public static func build(_ layers: [SynthLayer]) -> [UInt8] {
        var inner: [UInt8] = []
        for index in layers.indices.reversed() {
            let layer = layers[index].base
            let next = index + 1 < layers.count ? layers[index + 1].base : nil
            var header = encodeHeader(layer, next: next, carrying: inner, enclosingIP: enclosingIP(layers, before: index))
            applyFaults(layers[index].faults, to: &header, layer: layer)
            header.append(contentsOf: inner)
            inner = header
        }
        return inner
    }

    /// Address pair of the IP header closest outside `index` (for transport pseudo-headers).
    enum IPContext {
        case v4(IPv4Address, IPv4Address)
        case v6(IPv6Address, IPv6Address)

        func pseudoHeader(_ proto: IPProtocol, length: Int) -> UInt64 {
            switch self {
            case .v4(let s, let d): return InternetChecksum.pseudoHeader(source: s, destination: d, proto: proto, length: length)
            case .v6(let s, let d): return InternetChecksum.pseudoHeader(source: s, destination: d, proto: proto, length: length)
            }
        }
        var isIPv6: Bool { if case .v6 = self { return true } else { return false } }
    }

    static func enclosingIP(_ layers: [SynthLayer], before index: Int) -> IPContext? {
        for i in stride(from: index - 1, through: 0, by: -1) {
            switch layers[i].base {
            case .ipv4(let s, let d, _, _, _, _, _, _, _): return .v4(s, d)
            case .ipv6(let s, let d, _, _, _, _): return .v6(s, d)
            default: continue
            }
        }
        return nil
    }

    /// What an EtherType / Geneve protocol type field must say to announce `next`.
    static func etherType(announcing next: SynthLayer?) -> EtherType {
        switch next {
        case .vlan(_, _, let tpid)?: return tpid
        case .ipv4?: return .ipv4
        case .ipv6?: return .ipv6
        case .arp?: return .arp
        case .ethernet?: return .transparentEthernet
        default: return EtherType(rawValue: 0x88B5)  // IEEE local experimental: opaque payload
        }
    }

    /// What an IP next-protocol field must say to announce `next`.
    static func ipProtocol(announcing next: SynthLayer?, isIPv6: Bool) -> IPProtocol {
        switch next {
        case .udp?: return .udp
        case .tcp?: return .tcp
        case .icmpEcho?, .icmpError?: return .icmp
        case .icmpv6?: return .icmpv6
        case .ipv4?: return .ipip
        case .ipv6?: return .ipv6Encap
        default: return isIPv6 ? .noNextHeader : IPProtocol(rawValue: 253)  // RFC 3692 experimentation
        }
    }

    /// The bytes of one header (for the payload: the payload itself) given the bytes it carries.
    static func encodeHeader(_ layer: SynthLayer, next: SynthLayer?, carrying inner: [UInt8], enclosingIP: IPContext?) -> [UInt8] {
        var h: [UInt8] = []
        switch layer {
        case .ethernet(let src, let dst, let type):
            h.appendMAC(dst)
            h.appendMAC(src)
            h.appendBE16((type ?? etherType(announcing: next)).rawValue)
        case .vlan(let id, let priority, let tpid):
            // The TPID belongs in the field before the tag: the Ethernet (or outer tag) layer wrote it already.
            _ = tpid
            h.appendBE16(UInt16(priority & 7) << 13 | (id & 0x0FFF))
            h.appendBE16(etherType(announcing: next).rawValue)
        case .ipv4(let src, let dst, let ttl, let id, let df, let mf, let fragOffset, let tos, let options):
            var opts = options
            while opts.count % 4 != 0 { opts.append(0) }  // End of Option List padding
            let headerLength = 20 + opts.count
            h.append(0x40 | UInt8(truncatingIfNeeded: headerLength / 4))
            h.append(tos)
            h.appendBE16(UInt16(truncatingIfNeeded: headerLength + inner.count))
            h.appendBE16(id)
            h.appendBE16((df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | UInt16(truncatingIfNeeded: fragOffset / 8) & 0x1FFF)
            h.append(ttl)
            h.append(ipProtocol(announcing: next, isIPv6: false).rawValue)
            h.appendBE16(0)
            h.appendIPv4(src)
            h.appendIPv4(dst)
            h += opts
            h.setBE16(InternetChecksum.compute(h), at: 10)
        case .ipv6(let src, let dst, let hopLimit, let extensions, let trafficClass, let flowLabel):
            var ext: [UInt8] = []
            for (i, e) in extensions.enumerated() {
                let following = i + 1 < extensions.count ? extensions[i + 1].protocolNumber
                    : ipProtocol(announcing: next, isIPv6: true)
                ext += encodeExtension(e, nextHeader: following)
            }
            let first = extensions.first?.protocolNumber ?? ipProtocol(announcing: next, isIPv6: true)
            h.appendBE32(6 << 28 | UInt32(trafficClass) << 20 | flowLabel & 0xFFFFF)
            h.appendBE16(UInt16(truncatingIfNeeded: ext.count + inner.count))
            h.append(first.rawValue)
            h.append(hopLimit)
            h.appendIPv6(src)
            h.appendIPv6(dst)
            h += ext
        case .udp(let sport, let dport, let zeroChecksum):
            let length = 8 + inner.count
            h.appendBE16(sport)
            h.appendBE16(dport)
            h.appendBE16(UInt16(truncatingIfNeeded: length))
            h.appendBE16(0)
            if let ip = enclosingIP, !zeroChecksum || ip.isIPv6 {
                let c = checksum(header: h, inner: inner, initial: ip.pseudoHeader(.udp, length: length))
                h.setBE16(c == 0 ? 0xFFFF : c, at: 6)  // 0 means "no checksum" in UDP
            }
        case .tcp(let sport, let dport, let seq, let ack, let flags, let window, let options):
            var opts = options
            while opts.count % 4 != 0 { opts.append(1) }  // NOP padding
            h.appendBE16(sport)
            h.appendBE16(dport)
            h.appendBE32(seq)
            h.appendBE32(ack)
            h.appendBE16(UInt16((20 + opts.count) / 4) << 12 | flags & 0x01FF)
            h.appendBE16(window)
            h.appendBE16(0)
            h.appendBE16(0)
            h += opts
            if let ip = enclosingIP {
                h.setBE16(checksum(header: h, inner: inner, initial: ip.pseudoHeader(.tcp, length: h.count + inner.count)), at: 16)
            }
        case .icmpEcho(let request, let id, let seq):
            h.append(request ? ICMPMessage.echoRequest : ICMPMessage.echoReply)
            h.append(0)
            h.appendBE16(0)
            h.appendBE16(id)
            h.appendBE16(seq)
            h.setBE16(checksum(header: h, inner: inner, initial: 0), at: 2)
        case .icmpError(let type, let code, let mtu, let quoting):
            h.append(type)
            h.append(code)
            h.appendBE16(0)
            h.appendBE16(0)
            h.appendBE16(mtu ?? 0)
            h += quoting
            h.setBE16(checksum(header: h, inner: inner, initial: 0), at: 2)
        case .icmpv6(let type, let code, let body):
            h.append(type)
            h.append(code)
            h.appendBE16(0)
            h += body
            if let ip = enclosingIP {
                h.setBE16(checksum(header: h, inner: inner, initial: ip.pseudoHeader(.icmpv6, length: h.count + inner.count)), at: 2)
            }
        case .arp(let op, let senderMAC, let senderIP, let targetMAC, let targetIP):
            h.appendBE16(1)                      // Ethernet
            h.appendBE16(EtherType.ipv4.rawValue)
            h.append(6)
            h.append(4)
            h.appendBE16(op)
            h.appendMAC(senderMAC)
            h.appendIPv4(senderIP)
            h.appendMAC(targetMAC)
            h.appendIPv4(targetIP)
        case .geneve(let vni, let protocolType, let oam, let critical, let options, let version, let reservedFlags):
            var opts: [UInt8] = []
            for o in options {
                var data = o.data
                while data.count % 4 != 0 { data.append(0) }
                opts.appendBE16(o.optionClass)
                opts.append(o.type)
                opts.append(UInt8(truncatingIfNeeded: data.count / 4) & 0x1F)
                opts += data
            }
            let c = critical ?? options.contains { $0.isCritical }
            h.append((version & 3) << 6 | UInt8(truncatingIfNeeded: opts.count / 4) & 0x3F)
            h.append((oam ? 0x80 : 0) | (c ? 0x40 : 0) | reservedFlags & 0x3F)
            h.appendBE16((protocolType ?? etherType(announcing: next)).rawValue)
            h.appendBE32(vni << 8)
            h += opts
        case .vxlan(let vni, let flags, let groupPolicyID):
            h.appendBE16(flags)
            h.appendBE16(groupPolicyID)
            h.appendBE32(vni << 8)
        case .bfd(let state, let diag, let myDisc, let yourDisc, let detectMult, let minTx, let minRx, let poll, let final):
            h.append(1 << 5 | diag & 0x1F)
            h.append(state.rawValue << 6 | (poll ? 0x20 : 0) | (final ? 0x10 : 0))
            h.append(detectMult)
            h.append(UInt8(BFDControl.size))
            h.appendBE32(myDisc)
            h.appendBE32(yourDisc)
            h.appendBE32(minTx)
            h.appendBE32(minRx)
            h.appendBE32(0)  // no echo function
        case .payload(let bytes):
            h = bytes
        case .faulty(let l, _):
            h = encodeHeader(l, next: next, carrying: inner, enclosingIP: enclosingIP)
        }
        return h
    }

    static func checksum(header: [UInt8], inner: [UInt8], initial: UInt64) -> UInt16 {
        // Sums of an even-length header and what follows concatenate; an odd one (ICMP quoting odd bytes) cannot.
        if header.count % 2 != 0 { return InternetChecksum.compute(header + inner, initial: initial) }
        let s = header.withUnsafeBytes { InternetChecksum.sum($0, initial: initial) }
        return ~InternetChecksum.fold(inner.withUnsafeBytes { InternetChecksum.sum($0, initial: s) })
    }

    static func encodeExtension(_ e: SynthIPv6ExtensionHeader, nextHeader: IPProtocol) -> [UInt8] {
        var h: [UInt8] = [nextHeader.rawValue, 0]
        switch e {
        case .hopByHop(let options), .destinationOptions(let options):
            h += options
            let pad = (8 - h.count % 8) % 8
            if pad == 1 { h.append(0) } else if pad > 1 { h += [1, UInt8(pad - 2)] + [UInt8](repeating: 0, count: pad - 2) }
        case .routing(let type, let segmentsLeft, let data):
            h += [type, segmentsLeft] + data
            while h.count % 8 != 0 { h.append(0) }
        case .fragment(let offset, let more, let id):
            h.appendBE16(UInt16(truncatingIfNeeded: offset) & 0xFFF8 | (more ? 1 : 0))
            h.appendBE32(id)
        }
        if case .fragment = e {} else { h[1] = UInt8(truncatingIfNeeded: h.count / 8 - 1) }
        return h
    }

    /// Applies field faults first; the IPv4 header checksum is then recomputed so only the named field is
    /// wrong (other dependent fields are left as built); `.badChecksum` goes last.
    static func applyFaults(_ faults: [SynthFault], to h: inout [UInt8], layer: SynthLayer) {
        guard !faults.isEmpty else { return }
        for fault in faults {
            switch fault {
            case .badChecksum:
                break
            case .length(let value):
                if let at = lengthOffset(layer), at + 1 < h.count { h.setBE16(value, at: at) }
            case .geneveOptionsLength(let words):
                if case .geneve = layer, !h.isEmpty { h[0] = h[0] & 0xC0 | words & 0x3F }
            case .geneveOptionLength(let index, let words):
                guard case .geneve(_, _, _, _, let options, _, _) = layer, options.indices.contains(index) else { continue }
                var at = GeneveHeader.baseSize
                for o in options.prefix(index) { at += 4 + (o.data.count + 3) / 4 * 4 }
                if at + 3 < h.count { h[at + 3] = h[at + 3] & 0xE0 | words & 0x1F }
            case .geneveReservedByte(let value):
                if case .geneve = layer, h.count >= 8 { h[7] = value }
            case .overwrite(let offset, let bytes):
                for (i, b) in bytes.enumerated() where offset + i >= 0 && offset + i < h.count { h[offset + i] = b }
            }
        }
        if case .ipv4 = layer, h.count >= 20 {
            let headerLength = min(h.count, Int(h[0] & 0x0F) * 4)
            h.setBE16(0, at: 10)
            h.setBE16(InternetChecksum.compute(Array(h[0..<headerLength])), at: 10)
        }
        if faults.contains(.badChecksum), let at = checksumOffset(layer), at + 1 < h.count {
            // XOR with 0x00FF: never turns a checksum into its one's-complement alias (0x0000 ↔ 0xFFFF).
            h[at + 1] ^= 0xFF
        }
    }

    static func checksumOffset(_ layer: SynthLayer) -> Int? {
        switch layer {
        case .ipv4: return 10
        case .udp: return 6
        case .tcp: return 16
        case .icmpEcho, .icmpError, .icmpv6: return 2
        default: return nil
        }
    }

    static func lengthOffset(_ layer: SynthLayer) -> Int? {
        switch layer {
        case .ipv4: return 2
        case .ipv6: return 4
        case .udp: return 4
        default: return nil
        }
    }
}
