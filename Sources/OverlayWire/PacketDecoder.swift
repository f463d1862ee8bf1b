/// What a UDP destination port carries, for the ports the decoder dispatches on.
public enum UDPPortProtocol: String, Sendable, Hashable, CaseIterable {
    case geneve, vxlan, bfd
}

/// Which packets get every header recorded as a `Layer` in `DecodedPacket.layers`.
public enum LayerRecording: Sendable, Hashable {
    /// Every packet: what printing a packet (`decode`, traces) and hand-written consumers need.
    case always
    /// Every packet but those of the plain tunneled shape (`DecodedPacket.isPlainTunneled`), which get their
    /// level summaries, options and problems only. For consumers that read a plain packet's summaries and
    /// nothing else: a `Layer` is 128 bytes appended per header (≈ 1 KB written per packet) that such a
    /// consumer never reads. The commonest layout is decoded on a straight-line path (`PlainTunnelDecoding.swift`);
    /// a packet of another shape is decoded a second time, with its layers.
    case unlessPlain
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
    /// Which packets get their headers as `layers` (every one by default).
    public var layers: LayerRecording

    public init(udpPorts: [UInt16: UDPPortProtocol] = DecoderConfiguration.defaultPorts, maxTunnelDepth: Int = 4,
                maxVLANTags: Int = 4, maxIPv6ExtensionHeaders: Int = 8, maxGeneveOptions: Int = 64,
                verifyChecksums: Bool = true, layers: LayerRecording = .always) {
        self.udpPorts = udpPorts
        self.maxTunnelDepth = maxTunnelDepth
        self.maxVLANTags = maxVLANTags
        self.maxIPv6ExtensionHeaders = maxIPv6ExtensionHeaders
        self.maxGeneveOptions = maxGeneveOptions
        self.verifyChecksums = verifyChecksums
        self.layers = layers
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
    public var configuration: DecoderConfiguration {
        didSet {
            ports = UDPPortTable(configuration.udpPorts)
            settings = DecodeSettings(configuration, ports: ports)
        }
    }
    /// The port map `settings` looks up (it holds an unowned view of it).
    private var ports: UDPPortTable
    /// `configuration` prepared for the per-packet path.
    private var settings: DecodeSettings

    public init(configuration: DecoderConfiguration = DecoderConfiguration()) {
        self.configuration = configuration
        ports = UDPPortTable(configuration.udpPorts)
        settings = DecodeSettings(configuration, ports: ports)
    }

    /// Decodes one frame into `packet` (cleared first, storage kept).
    public func decode(_ bytes: UnsafeRawBufferPointer, linkType: LinkType, wireLength: Int? = nil,
                       into packet: inout DecodedPacket) {
        withExtendedLifetime(ports) {
            let wire = max(wireLength ?? bytes.count, bytes.count)
            let always = configuration.layers == .always
            if !always && linkType == .ethernet {
                // The commonest layout first, straight through; anything else from the start below.
                var plain = DecodeRun(config: settings, frame: bytes, wireLength: wire)
                packet.reset(linkType: linkType, capturedLength: bytes.count, wireLength: wire, recordingLayers: false)
                if plain.decodePlainTunnel(into: &packet) && packet.isPlainTunneled { return }
            }
            var run = DecodeRun(config: settings, frame: bytes, wireLength: wire)
            packet.reset(linkType: linkType, capturedLength: bytes.count, wireLength: wire, recordingLayers: always)
            run.decodeLink(linkType, packet: &packet)
            // Not the plain shape: decoded again, this time with its layers (rare in overlay traffic).
            if !always && !packet.isPlainTunneled {
                var again = DecodeRun(config: settings, frame: bytes, wireLength: wire)
                packet.reset(linkType: linkType, capturedLength: bytes.count, wireLength: wire, recordingLayers: true)
                again.decodeLink(linkType, packet: &packet)
            }
        }
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
    let config: DecodeSettings
    let frame: UnsafeRawBufferPointer
    let wireLength: Int
    /// Where the bytes of the innermost enclosing layer end on the wire, and what says so. Decoding goes
    /// inward only, so one value suffices; it tells a cut capture apart from a lying length field.
    var bound: Bound
    /// Ethernet frames met as EtherType 0x6558 right after a link header (bridging with no tunnel header). Bounded
    /// like tunnels: a frame of stacked 14-byte headers would otherwise recurse until the stack overflows.
    var bridgedFrames = 0

    /// The end of the bytes a layer may use, as the wire (not the capture) has them.
    struct Bound {
        enum Source: Equatable {
            /// The frame's own wire length: nothing narrower is known.
            case frame
            /// A length field of this header (IPv4 total length, IPv6 payload length, UDP length).
            case header(LayerKind)
            /// The end of an IP fragment: the rest of the datagram is in later fragments.
            case fragment
        }
        var end: Int
        var source: Source
    }

    init(config: DecodeSettings, frame: UnsafeRawBufferPointer, wireLength: Int) {
        self.config = config
        self.frame = frame
        self.wireLength = wireLength
        self.bound = Bound(end: wireLength, source: .frame)
    }

    var snaplenCut: Bool { wireLength > frame.count }

    // MARK: problems

    /// Why a header does not fit in the bytes its cursor has. tcpdump and Wireshark keep these apart:
    /// the capture stopped early (snaplen, a cut record) is "truncated"; a length field of an enclosing
    /// header that ends the bytes first is "invalid". The end of a first IP fragment is no fault of the
    /// packet: it is reported as truncated, with the reason saying the rest is in later fragments.
    enum Shortfall {
        case captureStops
        case frameEnds
        case lengthField(LayerKind)
        case laterFragment
    }

    func shortfall(_ c: ByteCursor) -> Shortfall {
        // Bytes the wire holds beyond the capture: the capture stopped, whatever the lengths say.
        if c.end >= frame.count && bound.end > frame.count { return snaplenCut ? .captureStops : .frameEnds }
        switch bound.source {
        case .header(let layer): return .lengthField(layer)
        case .fragment: return .laterFragment
        case .frame: return snaplenCut && c.end >= frame.count ? .captureStops : .frameEnds
        }
    }

    // Problems are the cold path: out of line, with the text built only when one is recorded (autoclosures), so
    // the string interpolation stays out of the per-header functions (smaller frames, fewer spills).

    /// Records that `what` needs `need` bytes at the cursor but fewer are there, named by why.
    @inline(never)
    func missing(_ layer: LayerKind, _ c: ByteCursor, need: Int, what: @autoclosure () -> String, into p: inout DecodedPacket) {
        let what = what()
        let have = max(0, c.remaining)
        let code: DecodeProblem.Code
        let reason: String
        switch shortfall(c) {
        case .captureStops:
            code = .truncated
            reason = "\(what) needs \(need) bytes but the capture stops after \(have) (captured \(frame.count) of \(wireLength) bytes)"
        case .frameEnds:
            code = .truncated
            reason = "\(what) needs \(need) bytes but the frame ends after \(have)"
        case .lengthField(let by):
            code = .invalidLength
            reason = "\(what) needs \(need) bytes but the \(lengthFieldName(by)) leaves only \(have)"
        case .laterFragment:
            code = .truncated
            reason = "\(what) needs \(need) bytes but this IP fragment holds only \(have) (the rest is in later fragments)"
        }
        p.problems.append(DecodeProblem(layer: layer, offset: c.position, code: code, reason: reason))
    }

    func lengthFieldName(_ layer: LayerKind) -> String {
        switch layer {
        case .ipv4: return "IPv4 total length"
        case .ipv6: return "IPv6 payload length"
        case .udp: return "UDP length"
        default: return "\(layer.rawValue) length"
        }
    }

    @inline(never)
    func problem(_ layer: LayerKind, _ offset: Int, _ code: DecodeProblem.Code, _ reason: @autoclosure () -> String,
                 into p: inout DecodedPacket) {
        p.problems.append(DecodeProblem(layer: layer, offset: offset, code: code, reason: reason()))
    }

    func setPayload(_ c: ByteCursor, _ p: inout DecodedPacket) {
        p.payloadOffset = c.position
        p.payloadLength = c.remaining
    }

    // MARK: link layer

    @inline(__always)
    mutating func decodeLink(_ linkType: LinkType, packet p: inout DecodedPacket) {
        var c = ByteCursor(bytes: frame)
        switch linkType {
        case .ethernet:
            decodeEthernet(&c, level: 0, into: &p)
        case .linuxSLL, .linuxSLL2:
            let header = linkType == .linuxSLL ? LinuxCookedHeader(parsingV1: &c) : LinuxCookedHeader(parsingV2: &c)
            guard let h = header else {
                return missing(.sll, c, need: linkType == .linuxSLL ? 16 : 20, what: "Linux cooked header", into: &p)
            }
            p.append(linuxCooked: h)
            decodeEtherTypeChain(h.protocolType, &c, level: 0, into: &p)
        case .raw, .rawLinux:
            guard let first = c.peekUInt8() else { return missing(.frame, c, need: 1, what: "raw IP packet", into: &p) }
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
                return missing(.loopback, c, need: 4, what: "loopback header", into: &p)
            }
            p.append(loopback: h)
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
            return missing(.ethernet, c, need: EthernetHeader.size, what: "Ethernet header", into: &p)
        }
        p.append(ethernet: eth)
        decodeEtherTypeChain(eth.etherType, &c, level: level, into: &p)
    }

    /// Stacked 802.1Q/802.1ad tags (bounded), then the protocol of the last EtherType. Linux cooked captures
    /// keep the tag after the SLL header the same way, so both link layers come through here.
    @inline(__always)
    mutating func decodeEtherTypeChain(_ first: EtherType, _ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        var type = first
        var tags = 0
        while type.isVLANTag {
            guard tags < config.maxVLANTags else {
                return problem(.vlan, c.position - 2, .depthLimit, "more than \(config.maxVLANTags) stacked VLAN tags", into: &p)
            }
            guard let tag = VLANTag(parsing: &c, tpid: type) else {
                return missing(.vlan, c, need: VLANTag.size, what: "VLAN tag", into: &p)
            }
            p.append(vlan: tag)
            tags += 1
            type = tag.nextEtherType
        }
        dispatchEtherType(type, &c, level: level, into: &p)
    }

    @inline(__always)
    mutating func dispatchEtherType(_ type: EtherType, _ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        switch type {
        case .ipv4: decodeIPv4(&c, level: level, into: &p)
        case .ipv6: decodeIPv6(&c, level: level, into: &p)
        case .arp: decodeARP(&c, into: &p)
        case .transparentEthernet:
            guard bridgedFrames < config.maxTunnelDepth else {
                return problem(.ethernet, c.position, .depthLimit,
                               "Ethernet frames nested by EtherType 0x6558 deeper than \(config.maxTunnelDepth) are not followed", into: &p)
            }
            bridgedFrames += 1
            decodeEthernet(&c, level: level, into: &p)
        default: setPayload(c, &p)
        }
    }

    // MARK: network layer

    mutating func decodeARP(_ c: inout ByteCursor, into p: inout DecodedPacket) {
        var complete = false
        guard let arp = ARPPacket(parsing: &c, complete: &complete) else {
            return missing(.arp, c, need: 8, what: "ARP header", into: &p)
        }
        p.append(arp: arp)
        if !complete {
            missing(.arp, c, need: arp.addressesLength, what: "ARP addresses", into: &p)
        }
        setPayload(c, &p)
    }

    mutating func decodeIPv4(_ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        let start = c.position
        guard var ip = IPv4Header(parsing: &c) else {
            return missing(.ipv4, c, need: 20, what: "IPv4 header", into: &p)
        }
        let version = frame[start] >> 4
        if version != 4 {
            p.append(ipv4: ip)
            return problem(.ipv4, start, .unsupportedVersion, "IP version \(version) in an IPv4 header", into: &p)
        }
        guard ip.headerLength >= 20 else {
            p.append(ipv4: ip)
            return problem(.ipv4, start, .invalidLength, "IPv4 header length \(ip.headerLength) is below 20", into: &p)
        }
        // Options: the header must fit before anything after it is read.
        c.position = start
        guard c.has(ip.headerLength) else {
            p.append(ipv4: ip)
            return missing(.ipv4, c, need: ip.headerLength, what: "IPv4 header with options", into: &p)
        }
        if config.verifyChecksums {
            ip.checksumValid = InternetChecksum.verify(UnsafeRawBufferPointer(rebasing: frame[start..<(start + ip.headerLength)]))
            if ip.checksumValid == false {
                problem(.ipv4, start + 10, .badChecksum, "IPv4 header checksum \(hexNumber(ip.checksum, width: 4)) is wrong", into: &p)
            }
        }
        let available = bound.end - start
        var packetLength = Int(ip.totalLength)
        let lengthFromFrame = packetLength == 0
        if lengthFromFrame {
            // Linux BIG TCP and GSO super-frames leave the length at 0: what encloses the packet gives it.
            packetLength = available
        } else if packetLength < ip.headerLength {
            p.append(ipv4: ip)
            return problem(.ipv4, start + 2, .invalidLength,
                           "IPv4 total length \(packetLength) is shorter than its header (\(ip.headerLength))", into: &p)
        } else if packetLength > available {
            problem(.ipv4, start + 2, .invalidLength,
                    "IPv4 total length \(packetLength) exceeds the \(available) bytes that carry it", into: &p)
            packetLength = available
        } else {
            bound = Bound(end: start + packetLength, source: .header(.ipv4))
        }
        if ip.reservedFlag {
            problem(.ipv4, start + 6, .reservedBitsSet, "IPv4 reserved flag (evil bit) is set", into: &p)
        }
        p.append(ipv4: ip)
        c.end = min(c.end, start + packetLength)
        c.position = start + ip.headerLength
        if ip.fragmentOffset != 0 {
            return setPayload(c, &p)  // a later fragment: no transport header here
        }
        if ip.moreFragments { bound.source = .fragment }
        let pseudo = InternetChecksum.pseudoHeader(source: ip.source, destination: ip.destination, proto: ip.proto, length: 0)
        decodeTransport(ip.proto, &c, level: level, isIPv6: false, pseudoHeader: pseudo,
                        ipPayloadWireEnd: start + packetLength, lengthFromFrame: lengthFromFrame,
                        fragmented: ip.moreFragments, into: &p)
    }

    mutating func decodeIPv6(_ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        let start = c.position
        guard var ip = IPv6Header(parsing: &c) else {
            return missing(.ipv6, c, need: 40, what: "IPv6 header", into: &p)
        }
        let version = frame[start] >> 4
        if version != 6 {
            p.append(ipv6: ip)
            return problem(.ipv6, start, .unsupportedVersion, "IP version \(version) in an IPv6 header", into: &p)
        }
        let available = bound.end - start - 40
        var payloadLength = Int(ip.payloadLength)
        let lengthFromFrame = payloadLength == 0
        if lengthFromFrame {
            payloadLength = available  // BIG TCP / jumbogram: the enclosing layer (or a jumbo option) gives it
        } else if payloadLength > available {
            problem(.ipv6, start + 4, .invalidLength,
                    "IPv6 payload length \(payloadLength) exceeds the \(max(0, available)) bytes that carry it", into: &p)
            payloadLength = available
        } else {
            bound = Bound(end: start + 40 + payloadLength, source: .header(.ipv6))
        }
        c.end = min(c.end, start + 40 + payloadLength)
        // Walk extension headers (bounded), each at least 8 bytes, lengths checked before skipping.
        var next = ip.nextHeader
        var count = 0
        var stopped = false
        var finalDestination = ip.destination
        while IPv6Header.isExtensionHeader(next) && !stopped {
            guard count < config.maxIPv6ExtensionHeaders else {
                problem(.ipv6, c.position, .depthLimit, "more than \(config.maxIPv6ExtensionHeaders) IPv6 extension headers", into: &p)
                stopped = true
                break
            }
            let hdrStart = c.position
            guard let nh = c.peekUInt8(), let lenField = c.peekUInt8(at: 1) else {
                missing(.ipv6, c, need: 8, what: "IPv6 extension header", into: &p)
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
                if next == .routing, let d = routingFinalDestination(c, size: size) { finalDestination = d }
            }
            guard c.skip(size) else {
                c.position = hdrStart
                missing(.ipv6, c, need: size, what: "IPv6 extension header", into: &p)
                stopped = true
                break
            }
            count += 1
            ip.extensionHeadersLength += size
            let wasFragmentHeader = next == .fragment
            next = IPProtocol(rawValue: nh)
            // In a later fragment, what follows the Fragment header is fragment data, not more headers.
            if wasFragmentHeader, let f = ip.fragment, f.offset != 0 { break }
        }
        ip.extensionHeaderCount = count
        ip.upperProtocol = next
        if let jumbo = ip.jumboPayloadLength {
            if !lengthFromFrame {
                problem(.ipv6, start + 4, .invalidLength, "IPv6 jumbo payload option with a non-zero payload length (\(ip.payloadLength))", into: &p)
            } else if Int(jumbo) <= available {
                if jumbo <= 0xFFFF {
                    problem(.ipv6, start + 40, .invalidLength, "IPv6 jumbo payload length \(jumbo) is not above 65535 (RFC 2675 §3)", into: &p)
                }
                c.end = min(c.end, start + 40 + Int(jumbo))
                payloadLength = Int(jumbo)
                bound = Bound(end: start + 40 + payloadLength, source: .header(.ipv6))
            } else {
                problem(.ipv6, start + 40, .invalidLength,
                        "IPv6 jumbo payload length \(jumbo) exceeds the \(max(0, available)) bytes that carry it", into: &p)
            }
        }
        p.append(ipv6: ip)
        if stopped { return }
        if let f = ip.fragment {
            if f.offset != 0 { return setPayload(c, &p) }
            if f.moreFragments { bound.source = .fragment }
        }
        // Upper-layer checksums use the final destination when a routing header still has segments to visit.
        let pseudo = InternetChecksum.pseudoHeader(source: ip.source, destination: finalDestination, proto: next, length: 0)
        decodeTransport(next, &c, level: level, isIPv6: true, pseudoHeader: pseudo,
                        ipPayloadWireEnd: start + 40 + payloadLength, lengthFromFrame: lengthFromFrame && ip.jumboPayloadLength == nil,
                        fragmented: ip.fragment?.moreFragments ?? false, into: &p)
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

    /// The destination a routing header with segments left will end at (RFC 8200 §8.1: the pseudo-header
    /// uses the final destination): the last address of type 0/2 headers, Segment List[0] of an SRH (type 4).
    func routingFinalDestination(_ c: ByteCursor, size: Int) -> IPv6Address? {
        guard let type = c.peekUInt8(at: 2), let segmentsLeft = c.peekUInt8(at: 3), segmentsLeft > 0 else { return nil }
        var a = c
        switch type {
        case 0, 2:
            let addresses = (size - 8) / 16
            guard addresses > 0 else { return nil }
            a.position += 8 + (addresses - 1) * 16
        case 4:
            guard size >= 24 else { return nil }
            a.position += 8
        default:
            return nil
        }
        return IPv6Address(reading: &a)
    }

    // MARK: transport layer

    /// Whether every byte from `start` to `wireEnd` was captured (needed to verify a checksum).
    func fullyCaptured(from start: Int, to wireEnd: Int) -> Bool { wireEnd <= frame.count && start <= wireEnd }

    /// Adds an upper-layer length to a pseudo-header sum computed with length 0.
    @inline(__always)
    func withLength(_ pseudoHeader: UInt64, _ length: Int) -> UInt64 {
        pseudoHeader &+ UInt64(length & 0xFFFF) &+ UInt64((length >> 16) & 0xFFFF)
    }

    /// - Parameters:
    ///   - pseudoHeader: the pseudo-header sum without its length word (each protocol adds its own length).
    ///   - lengthFromFrame: the IP length field was 0 (BIG TCP): lengths come from the frame, so a UDP length
    ///     of 0 is expected too.
    ///   - fragmented: a first fragment: the datagram continues in later fragments.
    mutating func decodeTransport(_ proto: IPProtocol, _ c: inout ByteCursor, level: Int, isIPv6: Bool, pseudoHeader: UInt64,
                                  ipPayloadWireEnd: Int, lengthFromFrame: Bool, fragmented: Bool, into p: inout DecodedPacket) {
        let start = c.position
        let checkable = config.verifyChecksums && !fragmented && fullyCaptured(from: start, to: ipPayloadWireEnd)
        switch proto {
        case .udp:
            guard var udp = UDPHeader(parsing: &c) else {
                return missing(.udp, c, need: 8, what: "UDP header", into: &p)
            }
            var length = Int(udp.length)
            let available = ipPayloadWireEnd - start
            if fragmented {
                // The UDP length covers the whole datagram; this fragment holds its start.
                length = max(8, min(length, available))
            } else if length == 0 && lengthFromFrame {
                length = available  // BIG TCP / jumbogram: the IP layer gives the length (RFC 2675 §4)
            } else if length < 8 {
                p.append(udp: udp)
                return problem(.udp, start + 4, .invalidLength, "UDP length \(length) is below the 8-byte header", into: &p)
            } else if length > available {
                problem(.udp, start + 4, .invalidLength, "UDP length \(length) exceeds the \(available) bytes of the IP payload", into: &p)
                length = available
            } else {
                bound = Bound(end: start + length, source: .header(.udp))
            }
            let tunnel = config.udpPorts[udp.destinationPort]
            if checkable && start + length <= frame.count {
                if udp.checksum != 0 {
                    let bytes = UnsafeRawBufferPointer(rebasing: frame[start..<(start + length)])
                    udp.checksumValid = InternetChecksum.verify(bytes, initial: withLength(pseudoHeader, length))
                    if udp.checksumValid == false {
                        problem(.udp, start + 6, .badChecksum, "UDP checksum \(hexNumber(udp.checksum, width: 4)) is wrong\(offloadHint(level, superFrame: lengthFromFrame))", into: &p)
                    }
                } else if isIPv6 && (tunnel == nil || tunnel == .bfd) {
                    // RFC 8200 §8.1: mandatory over IPv6; RFC 6935/6936 exempt only tunnel encapsulations.
                    problem(.udp, start + 6, .badChecksum, "UDP checksum is 0, which IPv6 allows only for tunnel encapsulations", into: &p)
                }
            }
            p.append(udp: udp)
            c.end = min(c.end, start + length)
            switch tunnel {
            case .geneve?: decodeGeneve(&c, level: level, into: &p)
            case .vxlan?: decodeVXLAN(&c, level: level, into: &p)
            case .bfd?: decodeBFD(&c, into: &p)
            case nil: setPayload(c, &p)
            }
        case .tcp:
            guard var tcp = TCPHeader(parsing: &c) else {
                return missing(.tcp, c, need: 20, what: "TCP header", into: &p)
            }
            if tcp.headerLength < 20 {
                p.append(tcp: tcp)
                return problem(.tcp, start + 12, .invalidLength, "TCP data offset \(tcp.headerLength) is below 20", into: &p)
            }
            if checkable, ipPayloadWireEnd - start >= tcp.headerLength {
                let ok = InternetChecksum.verify(UnsafeRawBufferPointer(rebasing: frame[start..<ipPayloadWireEnd]),
                                                 initial: withLength(pseudoHeader, ipPayloadWireEnd - start))
                tcp.checksumValid = ok
                if !ok {
                    problem(.tcp, start + 16, .badChecksum, "TCP checksum \(hexNumber(tcp.checksum, width: 4)) is wrong\(offloadHint(level, superFrame: lengthFromFrame))", into: &p)
                }
            }
            p.append(tcp: tcp)
            c.position = start
            if !c.skip(tcp.headerLength) {
                missing(.tcp, c, need: tcp.headerLength, what: "TCP header with options", into: &p)
                c.position = c.end
            }
            setPayload(c, &p)
        case .icmp where !isIPv6:
            guard var icmp = ICMPMessage(parsing: &c) else {
                return missing(.icmp, c, need: 8, what: "ICMP header", into: &p)
            }
            if checkable {
                icmp.checksumValid = InternetChecksum.verify(UnsafeRawBufferPointer(rebasing: frame[start..<ipPayloadWireEnd]))
                if icmp.checksumValid == false {
                    problem(.icmp, start + 2, .badChecksum, "ICMP checksum \(hexNumber(icmp.checksum, width: 4)) is wrong", into: &p)
                }
            }
            if icmp.isError { icmp.quoted = quotedPacket(c) }
            p.append(icmp: icmp)
            setPayload(c, &p)
        case .icmpv6 where isIPv6:
            guard var icmp = ICMPv6Message(parsing: &c) else {
                return missing(.icmpv6, c, need: 8, what: "ICMPv6 header", into: &p)
            }
            if checkable {
                icmp.checksumValid = InternetChecksum.verify(UnsafeRawBufferPointer(rebasing: frame[start..<ipPayloadWireEnd]),
                                                             initial: withLength(pseudoHeader, ipPayloadWireEnd - start))
                if icmp.checksumValid == false {
                    problem(.icmpv6, start + 2, .badChecksum, "ICMPv6 checksum \(hexNumber(icmp.checksum, width: 4)) is wrong", into: &p)
                }
            }
            if icmp.isError { icmp.quoted = quotedPacket(c) }
            p.append(icmpv6: icmp)
            setPayload(c, &p)
        default:
            setPayload(c, &p)
        }
    }

    /// Frames captured on the sending host carry checksums the NIC fills in later. That shows on the outer
    /// header, and on any header of a GSO/BIG TCP super-frame (IP length 0, or larger than any jumbo frame),
    /// which exists only inside a host.
    func offloadHint(_ level: Int, superFrame: Bool) -> String {
        if snaplenCut { return "" }
        return level == 0 || superFrame || wireLength > 9234 ? " (checksum offload: captured on the sending host?)" : ""
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
            guard l4 >= 20 else { return q }  // a corrupt IHL: the addresses stand, the ports cannot be found
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
            return missing(.geneve, c, need: GeneveHeader.baseSize, what: "Geneve header", into: &p)
        }
        if g.version != 0 {
            // RFC 8926 §3.4: a packet with an unknown version must be dropped; its layout is unknown.
            p.append(geneve: g)
            return problem(.geneve, start, .unsupportedVersion, "Geneve version \(g.version) is unknown (only 0 is defined)", into: &p)
        }
        if g.reservedFlags != 0 {
            problem(.geneve, start + 1, .reservedBitsSet, "Geneve reserved flag bits are \(hexNumber(g.reservedFlags, width: 2)), must be zero", into: &p)
        }
        if g.reserved != 0 {
            problem(.geneve, start + 7, .reservedBitsSet, "Geneve reserved byte after the VNI is \(hexNumber(g.reserved, width: 2)), must be zero", into: &p)
        }
        // Options: walk the TLVs inside the announced area only. When the capture stops inside the area, one
        // problem says so and the options that were captured are still listed; when a length field cuts it,
        // what follows the header is not known to be options and is not read as such.
        let firstOption = p.geneveOptions.count
        var area = c
        let complete = c.has(g.optionsLength)
        if complete {
            area.end = c.position + g.optionsLength
        } else {
            if case .lengthField = shortfall(c) { area.end = area.position }
            missing(.geneve, c, need: g.optionsLength, what: "Geneve option area (Opt Len \(g.optionsLength / 4))", into: &p)
        }
        var anyCritical = false
        var count = 0
        var walkedAll = true
        // Opt Len and option lengths count 4-byte words, so a complete area never ends inside an option header.
        while area.remaining >= GeneveOption.headerSize {
            let at = area.position
            guard count < config.maxGeneveOptions else {
                problem(.geneve, at, .depthLimit, "more than \(config.maxGeneveOptions) Geneve options", into: &p)
                walkedAll = false
                break
            }
            let option = optionHeader(area)
            let cls = option.optionClass, type = option.type
            guard area.skip(option.totalLength) else {
                if complete {
                    problem(.geneve, at, .invalidLength,
                            "option class \(hexNumber(cls, width: 4)) type \(hexNumber(type, width: 2)) of \(option.totalLength) bytes overruns the option area (\(area.remaining) bytes left)", into: &p)
                }
                walkedAll = false
                break
            }
            count += 1
            p.geneveOptions.append(option)
            if option.reservedBits != 0 {
                problem(.geneve, at + 3, .reservedBitsSet, "option class \(hexNumber(cls, width: 4)) type \(hexNumber(type, width: 2)) has reserved bits \(option.reservedBits) set", into: &p)
            }
            if option.isCritical {
                anyCritical = true
                if !GeneveOptionRegistry.understands(optionClass: cls, type: type, dataLength: option.dataLength) {
                    problem(.geneve, at, .unknownCriticalOption,
                            "critical option class \(hexNumber(cls, width: 4)) (\(option.className)) type \(hexNumber(type, width: 2)) is not understood: a receiver must drop this packet", into: &p)
                }
            }
            noteOVNPortKeys(option, in: area, into: &p)
        }
        g.optionIndices = firstOption..<p.geneveOptions.count
        // Only a fully read option area tells whether a critical option is there.
        if complete && walkedAll && g.critical != anyCritical {
            problem(.geneve, start + 1, .criticalFlagMismatch,
                    g.critical ? "C flag is set but no option is critical" : "a critical option is present but the C flag is clear", into: &p)
        }
        p.append(geneve: g)
        guard complete else { return }
        c.position = area.end
        decodeTunnelPayload(protocolType: g.protocolType, layer: .geneve, headerOffset: start, &c, level: level, into: &p)
    }

    /// The option TLV header at the area's position (the option walks' loop condition leaves its 4 bytes there).
    @inline(__always)
    func optionHeader(_ area: ByteCursor) -> GeneveOption {
        let rl = area.uncheckedUInt8(at: 3)
        return GeneveOption(offset: area.position, optionClass: area.uncheckedUInt16(at: 0), type: area.uncheckedUInt8(at: 2),
                            reservedBits: rl >> 5, dataLength: Int(rl & 0x1F) * 4)
    }

    /// OVN's logical port keys, from the first option of the packet that carries them (`area` holds the option).
    @inline(__always)
    func noteOVNPortKeys(_ option: GeneveOption, in area: ByteCursor, into p: inout DecodedPacket) {
        guard option.optionClass == OVNOptionDecoder.ovnClass, option.type == OVNOptionDecoder.portKeysType,
              option.dataLength == 4, p.ovnPortKeys == nil else { return }
        p.ovnPortKeys = OVNOptionDecoder.portKeys(area.bytes.loadUnaligned(fromByteOffset: option.dataOffset, as: UInt32.self).bigEndian)
    }

    mutating func decodeVXLAN(_ c: inout ByteCursor, level: Int, into p: inout DecodedPacket) {
        let start = c.position
        guard let v = VXLANHeader(parsing: &c) else {
            return missing(.vxlan, c, need: VXLANHeader.size, what: "VXLAN header", into: &p)
        }
        p.append(vxlan: v)
        if !v.vniValid {
            problem(.vxlan, start, .malformed, "VXLAN I flag is clear: the VNI is not valid", into: &p)
        }
        if v.reservedFlagBits != 0 || v.reserved != 0 || (!v.groupPolicy && v.groupPolicyID != 0) {
            problem(.vxlan, start, .reservedBitsSet,
                    "VXLAN reserved bits are set (flags \(hexNumber(v.flags, width: 4)), reserved \(hexNumber(v.reserved, width: 2)))", into: &p)
        }
        decodeTunnelPayload(protocolType: .transparentEthernet, layer: .vxlan, headerOffset: start, &c, level: level, into: &p)
    }

    @inline(__always)
    mutating func decodeTunnelPayload(protocolType: EtherType, layer: LayerKind, headerOffset: Int, _ c: inout ByteCursor,
                                      level: Int, into p: inout DecodedPacket) {
        guard level + 1 <= config.maxTunnelDepth else {
            return problem(layer, headerOffset, .depthLimit, "tunnels nested deeper than \(config.maxTunnelDepth) levels are not followed", into: &p)
        }
        if c.remaining == 0 {
            if case .lengthField(let by) = shortfall(c) {
                return problem(layer, c.position, .invalidLength, "the tunnel header carries no payload (the \(lengthFieldName(by)) ends right after it)", into: &p)
            }
            return missing(layer, c, need: 1, what: "tunnel payload", into: &p)
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
            return missing(.bfd, c, need: BFDControl.size, what: "BFD control packet", into: &p)
        }
        p.append(bfd: bfd)
        let present = c.remaining + BFDControl.size
        if bfd.version != 1 {
            problem(.bfd, start, .unsupportedVersion, "BFD version \(bfd.version) (expected 1)", into: &p)
        }
        // RFC 5880 §6.8.6: the checks a receiver makes before it accepts a control packet.
        let minimum = bfd.authenticationPresent ? BFDControl.size + 2 : BFDControl.size
        if Int(bfd.length) < minimum || Int(bfd.length) > present {
            problem(.bfd, start + 3, .invalidLength, "BFD length \(bfd.length) does not fit the \(present) bytes present (minimum \(minimum))", into: &p)
        }
        if bfd.detectMultiplier == 0 {
            problem(.bfd, start + 2, .malformed, "BFD detect multiplier is 0", into: &p)
        }
        if bfd.multipoint {
            problem(.bfd, start + 1, .reservedBitsSet, "BFD multipoint bit is set (reserved for future point-to-multipoint use)", into: &p)
        }
        if bfd.myDiscriminator == 0 {
            problem(.bfd, start + 4, .malformed, "BFD My Discriminator is 0", into: &p)
        }
        if bfd.yourDiscriminator == 0 && bfd.state != .down && bfd.state != .adminDown {
            problem(.bfd, start + 8, .malformed, "BFD Your Discriminator is 0 in state \(bfd.state)", into: &p)
        }
        setPayload(c, &p)
    }
}
