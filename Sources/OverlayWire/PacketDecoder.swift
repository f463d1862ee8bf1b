/// What a UDP destination port carries, for the ports the decoder dispatches on.
public enum UDPPortProtocol: String, Sendable, Hashable, CaseIterable {
    case geneve, vxlan, bfd
}

/// Dispatch tables and limits: data, not code, so users can map extra ports (`--decode-as 9999=geneve`).
public struct DecoderConfiguration: Sendable, Hashable {
    public var udpPorts: [UInt16: UDPPortProtocol]
    /// Tunnels inside tunnels are followed this deep (the outer packet is level 0).
    public var maxTunnelDepth: Int
    public var maxVLANTags: Int
    public var maxIPv6ExtensionHeaders: Int
    public var maxGeneveOptions: Int
    /// Verify IPv4 header, UDP, TCP and ICMP checksums (reported as problems, never fatal).
    public var verifyChecksums: Bool

    public init(udpPorts: [UInt16: UDPPortProtocol] = DecoderConfiguration.defaultPorts, maxTunnelDepth: Int = 4,
                maxVLANTags: Int = 4, maxIPv6ExtensionHeaders: Int = 8, maxGeneveOptions: Int = 64,
                verifyChecksums: Bool = true) {
        self.udpPorts = udpPorts
        self.maxTunnelDepth = maxTunnelDepth
        self.maxVLANTags = maxVLANTags
        self.maxIPv6ExtensionHeaders = maxIPv6ExtensionHeaders
        self.maxGeneveOptions = maxGeneveOptions
        self.verifyChecksums = verifyChecksums
    }

    public static let defaultPorts: [UInt16: UDPPortProtocol] = [
        GeneveHeader.port: .geneve, VXLANHeader.port: .vxlan, VXLANHeader.linuxLegacyPort: .vxlan,
        BFDControl.singleHopPort: .bfd, BFDControl.multihopPort: .bfd,
    ]
}

/// The layered dissector: link layer → (VLAN)* → IP → UDP → Geneve/VXLAN → inner frame → …
///
/// Like tcpdump's printers it checks every length before it reads and keeps "truncated" (the capture
/// holds fewer bytes) apart from "invalid" (fields contradict each other). Unlike a printer it never
/// stops at a problem it can step over: the problem is recorded and decoding goes on as far as the
/// bytes are valid.
public struct PacketDecoder: Sendable {
    public var configuration: DecoderConfiguration

    public init(configuration: DecoderConfiguration = DecoderConfiguration()) {
        self.configuration = configuration
    }

    /// Decodes one frame into `packet` (cleared first, storage kept).
    public func decode(_ bytes: UnsafeRawBufferPointer, linkType: LinkType, wireLength: Int? = nil,
                       into packet: inout DecodedPacket) {
        var run = DecodeRun(config: configuration, frame: bytes, wireLength: max(wireLength ?? bytes.count, bytes.count))
        packet.reset(linkType: linkType, capturedLength: bytes.count, wireLength: run.wireLength)
        run.decodeLink(linkType, packet: &packet)
    }

    /// Convenience for tests and one-off decodes.
    public func decode(_ bytes: [UInt8], linkType: LinkType = .ethernet, wireLength: Int? = nil) -> DecodedPacket {
        var packet = DecodedPacket()
        bytes.withUnsafeBytes { decode($0, linkType: linkType, wireLength: wireLength, into: &packet) }
        return packet
    }
}

/// The state of decoding one frame.
@usableFromInline
struct DecodeRun {
    let config: DecoderConfiguration
    let frame: UnsafeRawBufferPointer
    let wireLength: Int
    var vlanCount = 0

    init(config: DecoderConfiguration, frame: UnsafeRawBufferPointer, wireLength: Int) {
        self.config = config
        self.frame = frame
        self.wireLength = wireLength
    }

    var snaplenCut: Bool { wireLength > frame.count }

    // MARK: problems

    func truncated(_ layer: LayerKind, _ c: ByteCursor, need: Int, what: String, into p: inout DecodedPacket) {
        let reason: String
        if snaplenCut && c.end == frame.count {
            reason = "\(what) needs \(need) bytes but the capture stops after \(c.remaining) (captured \(frame.count) of \(wireLength) bytes)"
        } else {
            reason = "\(what) needs \(need) bytes but only \(c.remaining) remain"
        }
        p.problems.append(DecodeProblem(layer: layer, offset: c.position, code: .truncated, reason: reason))
    }

    func problem(_ layer: LayerKind, _ offset: Int, _ code: DecodeProblem.Code, _ reason: String, into p: inout DecodedPacket) {
        p.problems.append(DecodeProblem(layer: layer, offset: offset, code: code, reason: reason))
    }

    func setPayload(_ c: ByteCursor, _ p: inout DecodedPacket) {
        p.payloadOffset = c.position
        p.payloadLength = c.remaining
    }

    // MARK: link layer

    mutating func decodeLink(_ linkType: LinkType, packet p: inout DecodedPacket) {
        var c = ByteCursor(bytes: frame)
        switch linkType {
        case .ethernet:
            decodeEthernet(&c, level: 0, into: &p)
        case .linuxSLL, .linuxSLL2:
            let header = linkType == .linuxSLL ? LinuxCookedHeader(parsingV1: &c) : LinuxCookedHeader(parsingV2: &c)
            guard let h = header else {
                return truncated(.sll, c, need: linkType == .linuxSLL ? 16 : 20, what: "Linux cooked header", into: &p)
            }
            p.layers.append(.linuxCooked(h))
            dispatchEtherType(h.protocolType, &c, level: 0, into: &p)
        case .raw, .rawLinux:
            guard let first = c.peekUInt8() else { return truncated(.frame, c, need: 1, what: "raw IP packet", into: &p) }
            switch first >> 4 {
            case 4: decodeIPv4(&c, level: 0, into: &p)
            case 6: decodeIPv6(&c, level: 0, into: &p)
            default:
                problem(.frame, 0, .unsupportedVersion, "raw IP frame with IP version \(first >> 4)", into: &p)
            }
        case .ipv4:
            decodeIPv4(&c, level: 0, into: &p)
        case .ipv6:
            decodeIPv6(&c, level: 0, into: &p)
        case .null, .loop:
            guard let h = LoopbackHeader(parsing: &c, networkOrder: linkType == .loop) else {
                return truncated(.loopback, c, need: 4, what: "loopback header", into: &p)
            }
            p.layers.append(.loopback(h))
            if let et = h.etherType {
                dispatchEtherType(et, &c, level: 0, into: &p)
            } else {
                problem(.loopback, 0, .malformed, "unknown loopback address family \(h.family)", into: &p)
            }
        default:
            problem(.frame, 0, .unsupportedLinkType, "link type \(linkType.rawValue) is not supported", into: &p)
        }
    }

    mutating func decodeEthernet(_ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        guard let eth = EthernetHeader(parsing: &c) else {
            return truncated(.ethernet, c, need: EthernetHeader.size, what: "Ethernet header", into: &p)
        }
        p.layers.append(.ethernet(eth))
        var type = eth.etherType
        var tags = 0
        while type.isVLANTag {
            guard tags < config.maxVLANTags else {
                return problem(.vlan, c.position, .depthLimit, "more than \(config.maxVLANTags) stacked VLAN tags", into: &p)
            }
            guard let tag = VLANTag(parsing: &c, tpid: type) else {
                return truncated(.vlan, c, need: 4, what: "VLAN tag", into: &p)
            }
            p.layers.append(.vlan(tag))
            tags += 1
            type = tag.nextEtherType
        }
        dispatchEtherType(type, &c, level: level, into: &p)
    }

    mutating func dispatchEtherType(_ type: EtherType, _ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        switch type {
        case .ipv4: decodeIPv4(&c, level: level, into: &p)
        case .ipv6: decodeIPv6(&c, level: level, into: &p)
        case .arp: decodeARP(&c, into: &p)
        case .transparentEthernet: decodeEthernet(&c, level: level, into: &p)
        default: setPayload(c, &p)
        }
    }

    // MARK: network layer

    mutating func decodeARP(_ c: inout ByteCursor, into p: inout DecodedPacket) {
        var complete = false
        guard let arp = ARPPacket(parsing: &c, complete: &complete) else {
            return truncated(.arp, c, need: 8, what: "ARP header", into: &p)
        }
        p.layers.append(.arp(arp))
        if !complete {
            truncated(.arp, c, need: 20, what: "ARP addresses", into: &p)
        }
    }

    mutating func decodeIPv4(_ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        let start = c.position
        guard var ip = IPv4Header(parsing: &c) else {
            return truncated(.ipv4, c, need: 20, what: "IPv4 header", into: &p)
        }
        let version = frame[start] >> 4
        if version != 4 {
            p.layers.append(.ipv4(ip))
            return problem(.ipv4, start, .unsupportedVersion, "IP version \(version) in an IPv4 header", into: &p)
        }
        guard ip.headerLength >= 20 else {
            p.layers.append(.ipv4(ip))
            return problem(.ipv4, start, .invalidLength, "IPv4 header length \(ip.headerLength) is below 20", into: &p)
        }
        // Options: the header must fit before anything after it is read.
        c.position = start
        guard c.has(ip.headerLength) else {
            p.layers.append(.ipv4(ip))
            return truncated(.ipv4, c, need: ip.headerLength, what: "IPv4 header with options", into: &p)
        }
        if config.verifyChecksums {
            ip.checksumValid = InternetChecksum.verify(UnsafeRawBufferPointer(rebasing: frame[start..<(start + ip.headerLength)]))
            if ip.checksumValid == false {
                problem(.ipv4, start + 10, .badChecksum, "IPv4 header checksum \(hexNumber(ip.checksum, width: 4)) is wrong", into: &p)
            }
        }
        let wireAvailable = wireLength - start
        var packetLength = Int(ip.totalLength)
        if packetLength == 0 {
            // Linux BIG TCP and GSO super-frames leave the length at 0: the frame gives it.
            packetLength = min(c.end, wireLength) - start
        } else if packetLength < ip.headerLength {
            p.layers.append(.ipv4(ip))
            return problem(.ipv4, start + 2, .invalidLength,
                           "IPv4 total length \(packetLength) is shorter than its header (\(ip.headerLength))", into: &p)
        } else if packetLength > wireAvailable {
            problem(.ipv4, start + 2, .invalidLength,
                    "IPv4 total length \(packetLength) exceeds the \(wireAvailable) bytes the frame carries", into: &p)
            packetLength = wireAvailable
        }
        if ip.reservedFlag {
            problem(.ipv4, start + 6, .reservedBitsSet, "IPv4 reserved flag (evil bit) is set", into: &p)
        }
        p.layers.append(.ipv4(ip))
        c.end = min(c.end, start + packetLength)
        c.position = start + ip.headerLength
        if ip.fragmentOffset != 0 {
            return setPayload(c, &p)  // a later fragment: no transport header here
        }
        let pseudo = InternetChecksum.pseudoHeader(source: ip.source, destination: ip.destination, proto: ip.proto,
                                                   length: packetLength - ip.headerLength)
        decodeTransport(ip.proto, &c, level: level, isIPv6: false, pseudoHeader: pseudo,
                        ipPayloadWireEnd: start + packetLength, fragmented: ip.moreFragments, into: &p)
    }

    mutating func decodeIPv6(_ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        let start = c.position
        guard var ip = IPv6Header(parsing: &c) else {
            return truncated(.ipv6, c, need: 40, what: "IPv6 header", into: &p)
        }
        let version = frame[start] >> 4
        if version != 6 {
            p.layers.append(.ipv6(ip))
            return problem(.ipv6, start, .unsupportedVersion, "IP version \(version) in an IPv6 header", into: &p)
        }
        let wireAvailable = wireLength - start - 40
        var payloadLength = Int(ip.payloadLength)
        let zeroLength = payloadLength == 0
        if zeroLength {
            payloadLength = min(c.end, wireLength) - start - 40  // BIG TCP / jumbogram: the frame gives it
        } else if payloadLength > wireAvailable {
            problem(.ipv6, start + 4, .invalidLength,
                    "IPv6 payload length \(payloadLength) exceeds the \(wireAvailable) bytes the frame carries", into: &p)
            payloadLength = wireAvailable
        }
        c.end = min(c.end, start + 40 + payloadLength)
        // Walk extension headers (bounded), each at least 8 bytes, lengths checked before skipping.
        var next = ip.nextHeader
        var count = 0
        var stopped = false
        while IPv6Header.isExtensionHeader(next) && !stopped {
            guard count < config.maxIPv6ExtensionHeaders else {
                problem(.ipv6, c.position, .depthLimit, "more than \(config.maxIPv6ExtensionHeaders) IPv6 extension headers", into: &p)
                stopped = true
                break
            }
            let hdrStart = c.position
            guard let nh = c.peekUInt8(), let lenField = c.peekUInt8(at: 1) else {
                truncated(.ipv6, c, need: 8, what: "IPv6 extension header", into: &p)
                stopped = true
                break
            }
            let size: Int
            switch next {
            case .fragment:
                size = 8
                if let fo = c.peekUInt16(at: 2), let id = c.peekUInt32(at: 4) {
                    ip.fragment = IPv6Header.Fragment(offset: Int(fo & 0xFFF8), moreFragments: fo & 1 != 0, identification: id)
                }
            case .ah:
                size = (Int(lenField) + 2) * 4
            default:
                size = (Int(lenField) + 1) * 8
                if next == .hopByHop { ip.jumboPayloadLength = jumboLength(c, size: size) }
            }
            guard c.skip(size) else {
                c.position = hdrStart
                truncated(.ipv6, c, need: size, what: "IPv6 extension header", into: &p)
                stopped = true
                break
            }
            count += 1
            ip.extensionHeadersLength += size
            next = IPProtocol(rawValue: nh)
        }
        ip.extensionHeaderCount = count
        ip.upperProtocol = next
        if zeroLength, let jumbo = ip.jumboPayloadLength, Int(jumbo) <= wireAvailable {
            c.end = min(c.end, start + 40 + Int(jumbo))
            payloadLength = Int(jumbo)
        }
        p.layers.append(.ipv6(ip))
        if stopped { return }
        if let f = ip.fragment, f.offset != 0 { return setPayload(c, &p) }
        let upperLength = start + 40 + payloadLength - c.position
        let pseudo = InternetChecksum.pseudoHeader(source: ip.source, destination: ip.destination, proto: next, length: upperLength)
        decodeTransport(next, &c, level: level, isIPv6: true, pseudoHeader: pseudo,
                        ipPayloadWireEnd: start + 40 + payloadLength, fragmented: ip.fragment != nil, into: &p)
    }

    /// The Jumbo Payload option (type 0xC2) inside a Hop-by-Hop header, if any.
    func jumboLength(_ c: ByteCursor, size: Int) -> UInt32? {
        var o = 2
        while o + 2 <= size {
            guard let t = c.peekUInt8(at: o) else { return nil }
            if t == 0 { o += 1; continue }  // Pad1
            guard let l = c.peekUInt8(at: o + 1) else { return nil }
            if t == 0xC2, l == 4 { return c.peekUInt32(at: o + 2) }
            o += 2 + Int(l)
        }
        return nil
    }

    // MARK: transport layer

    /// Whether every byte from `start` to `wireEnd` was captured (needed to verify a checksum).
    func fullyCaptured(from start: Int, to wireEnd: Int) -> Bool { wireEnd <= frame.count && start <= wireEnd }

    mutating func decodeTransport(_ proto: IPProtocol, _ c: inout ByteCursor, level: Int, isIPv6: Bool, pseudoHeader: UInt64,
                                  ipPayloadWireEnd: Int, fragmented: Bool, into p: inout DecodedPacket) {
        let start = c.position
        let checkable = config.verifyChecksums && !fragmented && fullyCaptured(from: start, to: ipPayloadWireEnd)
        switch proto {
        case .udp:
            guard var udp = UDPHeader(parsing: &c) else {
                return truncated(.udp, c, need: 8, what: "UDP header", into: &p)
            }
            var length = Int(udp.length)
            let available = ipPayloadWireEnd - start
            if length == 0 {
                length = available  // GSO / BIG TCP: the IP layer gives the length
            } else if length < 8 {
                p.layers.append(.udp(udp))
                return problem(.udp, start + 4, .invalidLength, "UDP length \(length) is below the 8-byte header", into: &p)
            } else if length > available {
                problem(.udp, start + 4, .invalidLength, "UDP length \(length) exceeds the \(available) bytes of the IP payload", into: &p)
                length = available
            }
            if checkable, udp.checksum != 0 || isIPv6, !fragmented, udp.length != 0 {
                let bytes = UnsafeRawBufferPointer(rebasing: frame[start..<(start + length)])
                let ok = udp.checksum != 0 && InternetChecksum.verify(bytes, initial: pseudoHeader)
                udp.checksumValid = ok
                if !ok && udp.checksum != 0 {
                    problem(.udp, start + 6, .badChecksum, "UDP checksum \(hexNumber(udp.checksum, width: 4)) is wrong\(offloadHint(level))", into: &p)
                }
            }
            p.layers.append(.udp(udp))
            c.end = min(c.end, start + length)
            switch config.udpPorts[udp.destinationPort] {
            case .geneve?: decodeGeneve(&c, level: level, into: &p)
            case .vxlan?: decodeVXLAN(&c, level: level, into: &p)
            case .bfd?: decodeBFD(&c, into: &p)
            case nil: setPayload(c, &p)
            }
        case .tcp:
            guard var tcp = TCPHeader(parsing: &c) else {
                return truncated(.tcp, c, need: 20, what: "TCP header", into: &p)
            }
            if tcp.headerLength < 20 {
                p.layers.append(.tcp(tcp))
                return problem(.tcp, start + 12, .invalidLength, "TCP data offset \(tcp.headerLength) is below 20", into: &p)
            }
            if checkable, ipPayloadWireEnd - start >= tcp.headerLength {
                let ok = InternetChecksum.verify(UnsafeRawBufferPointer(rebasing: frame[start..<ipPayloadWireEnd]), initial: pseudoHeader)
                tcp.checksumValid = ok
                if !ok {
                    problem(.tcp, start + 16, .badChecksum, "TCP checksum \(hexNumber(tcp.checksum, width: 4)) is wrong\(offloadHint(level))", into: &p)
                }
            }
            p.layers.append(.tcp(tcp))
            c.position = start
            if !c.skip(tcp.headerLength) {
                truncated(.tcp, c, need: tcp.headerLength, what: "TCP header with options", into: &p)
                c.position = c.end
            }
            setPayload(c, &p)
        case .icmp where !isIPv6:
            guard var icmp = ICMPMessage(parsing: &c) else {
                return truncated(.icmp, c, need: 8, what: "ICMP header", into: &p)
            }
            if checkable {
                icmp.checksumValid = InternetChecksum.verify(UnsafeRawBufferPointer(rebasing: frame[start..<ipPayloadWireEnd]))
                if icmp.checksumValid == false {
                    problem(.icmp, start + 2, .badChecksum, "ICMP checksum \(hexNumber(icmp.checksum, width: 4)) is wrong", into: &p)
                }
            }
            if icmp.isError { icmp.quoted = quotedPacket(c) }
            p.layers.append(.icmp(icmp))
            setPayload(c, &p)
        case .icmpv6 where isIPv6:
            guard var icmp = ICMPv6Message(parsing: &c) else {
                return truncated(.icmpv6, c, need: 8, what: "ICMPv6 header", into: &p)
            }
            if checkable {
                icmp.checksumValid = InternetChecksum.verify(UnsafeRawBufferPointer(rebasing: frame[start..<ipPayloadWireEnd]),
                                                             initial: pseudoHeader)
                if icmp.checksumValid == false {
                    problem(.icmpv6, start + 2, .badChecksum, "ICMPv6 checksum \(hexNumber(icmp.checksum, width: 4)) is wrong", into: &p)
                }
            }
            if icmp.isError { icmp.quoted = quotedPacket(c) }
            p.layers.append(.icmpv6(icmp))
            setPayload(c, &p)
        default:
            setPayload(c, &p)
        }
    }

    func offloadHint(_ level: Int) -> String {
        level > 0 || snaplenCut ? "" : " (checksum offload: captured on the sending host?)"
    }

    /// The packet an ICMP error quotes, decoded as far as the quoted bytes go (RFC 792 guarantees the IP
    /// header plus 8 bytes; Linux quotes up to 576 / 1280 bytes, enough for Geneve/VXLAN headers).
    func quotedPacket(_ c: ByteCursor) -> QuotedPacket? {
        guard let first = c.peekUInt8() else { return nil }
        var q: QuotedPacket
        var l4 = 0
        switch first >> 4 {
        case 4:
            guard c.has(20), let ff = c.peekUInt16(at: 6), let len = c.peekUInt16(at: 2), let id = c.peekUInt16(at: 4),
                  let s = c.peekUInt32(at: 12), let d = c.peekUInt32(at: 16), let pr = c.peekUInt8(at: 9) else { return nil }
            q = QuotedPacket(source: .v4(IPv4Address(rawValue: s)), destination: .v4(IPv4Address(rawValue: d)),
                             proto: IPProtocol(rawValue: pr), identification: id, totalLength: Int(len),
                             dontFragment: ff & 0x4000 != 0)
            l4 = Int(first & 0x0F) * 4
        case 6:
            var a = c
            guard c.has(40), let pl = c.peekUInt16(at: 4), let nh = c.peekUInt8(at: 6) else { return nil }
            a.position += 8
            guard let s = IPv6Address(reading: &a), let d = IPv6Address(reading: &a) else { return nil }
            q = QuotedPacket(source: .v6(s), destination: .v6(d), proto: IPProtocol(rawValue: nh), identification: 0,
                             totalLength: Int(pl) + 40, dontFragment: true)
            l4 = 40
        default:
            return nil
        }
        if q.proto == .tcp || q.proto == .udp, let sp = c.peekUInt16(at: l4), let dp = c.peekUInt16(at: l4 + 2) {
            q.sourcePort = sp
            q.destinationPort = dp
            if q.proto == .udp, let kind = config.udpPorts[dp], kind != .bfd, let w = c.peekUInt32(at: l4 + 12) {
                q.tunnelVNI = w >> 8
            }
        }
        return q
    }

    // MARK: tunnels

    mutating func decodeGeneve(_ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        let start = c.position
        guard var g = GeneveHeader(parsing: &c) else {
            return truncated(.geneve, c, need: GeneveHeader.baseSize, what: "Geneve header", into: &p)
        }
        if g.version != 0 {
            // RFC 8926 §3.4: a packet with an unknown version must be dropped; its layout is unknown.
            p.layers.append(.geneve(g))
            return problem(.geneve, start, .unsupportedVersion, "Geneve version \(g.version) is unknown (only 0 is defined)", into: &p)
        }
        if g.reservedFlags != 0 {
            problem(.geneve, start + 1, .reservedBitsSet, "Geneve reserved flag bits are \(hexNumber(g.reservedFlags, width: 2)), must be zero", into: &p)
        }
        if g.reserved != 0 {
            problem(.geneve, start + 7, .reservedBitsSet, "Geneve reserved byte after the VNI is \(hexNumber(g.reserved, width: 2)), must be zero", into: &p)
        }
        // Options: walk the TLVs inside the announced area only.
        let firstOption = p.geneveOptions.count
        var area = c
        var complete = true
        if !c.has(g.optionsLength) {
            complete = false
            if snaplenCut && c.end == frame.count {
                truncated(.geneve, c, need: g.optionsLength, what: "Geneve options", into: &p)
            } else {
                problem(.geneve, start, .invalidLength,
                        "Geneve option length \(g.optionsLength) exceeds the \(c.remaining) bytes after the header", into: &p)
            }
        } else {
            area.end = c.position + g.optionsLength
        }
        var anyCritical = false
        var count = 0
        while area.remaining > 0 {
            let at = area.position
            guard count < config.maxGeneveOptions else {
                problem(.geneve, at, .depthLimit, "more than \(config.maxGeneveOptions) Geneve options", into: &p)
                break
            }
            guard let cls = area.peekUInt16(), let type = area.peekUInt8(at: 2), let rl = area.peekUInt8(at: 3) else {
                if complete {
                    problem(.geneve, at, .invalidLength, "\(area.remaining) bytes left in the option area, too few for an option header", into: &p)
                } else {
                    truncated(.geneve, area, need: 4, what: "Geneve option header", into: &p)
                }
                break
            }
            let dataLength = Int(rl & 0x1F) * 4
            let option = GeneveOption(offset: at, optionClass: cls, type: type, reservedBits: rl >> 5, dataLength: dataLength)
            guard area.skip(option.totalLength) else {
                if complete {
                    problem(.geneve, at, .invalidLength,
                            "option class \(hexNumber(cls, width: 4)) type \(hexNumber(type, width: 2)) of \(option.totalLength) bytes overruns the option area (\(area.remaining) bytes left)", into: &p)
                } else {
                    truncated(.geneve, area, need: option.totalLength, what: "Geneve option", into: &p)
                }
                break
            }
            count += 1
            p.geneveOptions.append(option)
            if option.reservedBits != 0 {
                problem(.geneve, at + 3, .reservedBitsSet, "option reserved bits are set", into: &p)
            }
            if option.isCritical {
                anyCritical = true
                if !GeneveOptionRegistry.understands(optionClass: cls, type: type, dataLength: dataLength) {
                    problem(.geneve, at, .unknownCriticalOption,
                            "critical option class \(hexNumber(cls, width: 4)) (\(option.className)) type \(hexNumber(type, width: 2)) is not understood: a receiver must drop this packet", into: &p)
                }
            }
            if cls == OVNOptionDecoder.ovnClass, type == OVNOptionDecoder.portKeysType, dataLength == 4, p.ovnPortKeys == nil {
                p.ovnPortKeys = OVNOptionDecoder.portKeys(area.bytes.loadUnaligned(fromByteOffset: option.dataOffset, as: UInt32.self).bigEndian)
            }
        }
        g.optionIndices = firstOption..<p.geneveOptions.count
        if complete && g.critical != anyCritical {
            problem(.geneve, start + 1, .criticalFlagMismatch,
                    g.critical ? "C flag is set but no option is critical" : "a critical option is present but the C flag is clear", into: &p)
        }
        p.layers.append(.geneve(g))
        guard complete else { return }
        c.position = area.end
        decodeTunnelPayload(protocolType: g.protocolType, layer: .geneve, headerOffset: start, &c, level: level, into: &p)
    }

    mutating func decodeVXLAN(_ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        let start = c.position
        guard let v = VXLANHeader(parsing: &c) else {
            return truncated(.vxlan, c, need: VXLANHeader.size, what: "VXLAN header", into: &p)
        }
        p.layers.append(.vxlan(v))
        if !v.vniValid {
            problem(.vxlan, start, .malformed, "VXLAN I flag is clear: the VNI is not valid", into: &p)
        }
        if v.reservedFlagBits != 0 || v.reserved != 0 || (!v.groupPolicy && v.groupPolicyID != 0) {
            problem(.vxlan, start, .reservedBitsSet,
                    "VXLAN reserved bits are set (flags \(hexNumber(v.flags, width: 4)), reserved \(hexNumber(v.reserved, width: 2)))", into: &p)
        }
        decodeTunnelPayload(protocolType: .transparentEthernet, layer: .vxlan, headerOffset: start, &c, level: level, into: &p)
    }

    mutating func decodeTunnelPayload(protocolType: EtherType, layer: LayerKind, headerOffset: Int, _ c: inout ByteCursor,
                                      level: Int, into p: inout DecodedPacket) {
        guard level + 1 <= config.maxTunnelDepth else {
            return problem(layer, headerOffset, .depthLimit, "tunnels nested deeper than \(config.maxTunnelDepth) levels are not followed", into: &p)
        }
        if c.remaining == 0 {
            if snaplenCut && c.end == frame.count {
                return truncated(layer, c, need: 1, what: "tunnel payload", into: &p)
            }
            return problem(layer, c.position, .invalidLength, "the tunnel header carries no payload", into: &p)
        }
        switch protocolType {
        case .transparentEthernet: decodeEthernet(&c, level: level + 1, into: &p)
        case .ipv4: decodeIPv4(&c, level: level + 1, into: &p)
        case .ipv6: decodeIPv6(&c, level: level + 1, into: &p)
        case .arp: decodeARP(&c, into: &p)
        default:
            problem(layer, headerOffset + 2, .unknownProtocolType,
                    "protocol type \(protocolType.hex) is not one a tunnel endpoint can deliver", into: &p)
            setPayload(c, &p)
        }
    }

    mutating func decodeBFD(_ c: inout ByteCursor, into p: inout DecodedPacket) {
        let start = c.position
        guard let bfd = BFDControl(parsing: &c) else {
            return truncated(.bfd, c, need: BFDControl.size, what: "BFD control packet", into: &p)
        }
        p.layers.append(.bfd(bfd))
        if bfd.version != 1 {
            problem(.bfd, start, .unsupportedVersion, "BFD version \(bfd.version) (expected 1)", into: &p)
        }
        if Int(bfd.length) < BFDControl.size || Int(bfd.length) > c.remaining + BFDControl.size {
            problem(.bfd, start + 3, .invalidLength, "BFD length \(bfd.length) does not match the \(c.remaining + BFDControl.size) bytes present", into: &p)
        }
        setPayload(c, &p)
    }
}
