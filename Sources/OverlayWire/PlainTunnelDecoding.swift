/// The straight-line decode of the commonest overlay frame, for `LayerRecording.unlessPlain`:
///
///     Ethernet (802.1Q/ad tags) → IPv4 (no options, not a fragment) → UDP to the Geneve port → Geneve (options
///       walked) → Ethernet (tags) → IPv4 (no options, not a fragment) → TCP | UDP | ICMP echo
///
/// all of it captured. Why it exists: the general dissector keeps every parsed header alive across its problem
/// paths (a problem is recorded and decoding goes on), which costs it ≈ 250 instructions per IPv4 header, mostly
/// moving fields between registers and the stack; this path has no problem to record, so it stops instead.
///
/// It appends exactly what the general dissector appends for such a frame (the same header values, through the same
/// typed appends, so the same level summaries, options and OVN keys) and checks every condition under which the
/// general dissector would record a problem, go another way, or stop early; on the first one it returns false and
/// the caller decodes the frame from the start with the general dissector. Tests compare the two on every frame
/// they have (`LevelSummaryTests`, the fuzz target).
extension DecodeRun {
    /// Decodes the frame into `p` (reset by the caller, layers not recorded) when it has the layout above; false,
    /// with `p` half filled, as soon as it does not.
    mutating func decodePlainTunnel(into p: inout DecodedPacket) -> Bool {
        guard wireLength == frame.count, config.maxTunnelDepth >= 1 else { return false }
        var c = ByteCursor(bytes: frame)
        guard let outerEthernet = EthernetHeader(parsing: &c) else { return false }
        p.append(ethernet: outerEthernet)
        guard outerEthernet.etherType == .ipv4 || plainTags(after: outerEthernet.etherType, &c, into: &p),
              let outer = plainIPv4(&c, into: &p), outer.proto == .udp else { return false }

        // UDP to the Geneve port, its length inside the IP payload.
        let udpStart = c.position
        guard let udp = UDPHeader(parsing: &c), udp.length >= 8, Int(udp.length) <= outer.end - udpStart,
              config.udpPorts[udp.destinationPort] == .geneve else { return false }
        let udpEnd = udpStart + Int(udp.length)
        if config.verifyChecksums && udp.checksum != 0 {
            guard verified(udpStart, udpEnd, initial: withLength(outer.pseudoHeader, udpEnd - udpStart)) else { return false }
        }
        p.append(udp: udp)
        c.end = udpEnd

        guard plainGeneve(&c, into: &p), c.remaining > 0 else { return false }

        guard let innerEthernet = EthernetHeader(parsing: &c) else { return false }
        p.append(ethernet: innerEthernet)
        guard innerEthernet.etherType == .ipv4 || plainTags(after: innerEthernet.etherType, &c, into: &p),
              let inner = plainIPv4(&c, into: &p) else { return false }
        return plainTransport(inner, &c, into: &p)
    }

    /// The VLAN tags after an Ethernet header whose EtherType is `first` (as many as the general dissector
    /// follows), then IPv4. Out of line: untagged frames, the common case, do not carry this loop.
    @inline(never)
    private func plainTags(after first: EtherType, _ c: inout ByteCursor, into p: inout DecodedPacket) -> Bool {
        var type = first
        var tags = 0
        while type.isVLANTag {
            guard tags < config.maxVLANTags, let tag = VLANTag(parsing: &c, tpid: type) else { return false }
            p.append(vlan: tag)
            tags += 1
            type = tag.nextEtherType
        }
        return type == .ipv4
    }

    /// An IPv4 header of 20 bytes whose total length fits what encloses it, not a fragment, no reserved flag, a
    /// valid checksum when checksums are verified. Leaves the cursor on the payload, ending where the packet ends.
    @inline(__always)
    private func plainIPv4(_ c: inout ByteCursor, into p: inout DecodedPacket) -> (proto: IPProtocol, end: Int, pseudoHeader: UInt64)? {
        let start = c.position
        guard let ip = IPv4Header(parsing: &c), frame[start] >> 4 == 4, ip.headerLength == 20, !ip.reservedFlag,
              !ip.moreFragments, ip.fragmentOffset == 0, ip.totalLength >= 20, Int(ip.totalLength) <= c.end - start
        else { return nil }
        if config.verifyChecksums {
            guard verified(start, start + 20, initial: 0) else { return nil }
        }
        p.append(ipv4: ip)
        let end = start + Int(ip.totalLength)
        c.end = end
        let pseudo = InternetChecksum.pseudoHeader(source: ip.source, destination: ip.destination, proto: ip.proto, length: 0)
        return (ip.proto, end, pseudo)
    }

    /// A version-0 Geneve header with no reserved bit set, carrying Ethernet, whose option area is all there and
    /// holds well-formed options only (no reserved bits, every critical one understood, the C bit agreeing).
    @inline(__always)
    private func plainGeneve(_ c: inout ByteCursor, into p: inout DecodedPacket) -> Bool {
        guard var g = GeneveHeader(parsing: &c), g.version == 0, g.reservedFlags == 0, g.reserved == 0,
              g.protocolType == .transparentEthernet, c.has(g.optionsLength) else { return false }
        let firstOption = p.geneveOptions.count
        var area = c
        area.end = c.position + g.optionsLength
        var anyCritical = false
        var count = 0
        while area.remaining >= GeneveOption.headerSize {
            guard count < config.maxGeneveOptions else { return false }
            let option = optionHeader(area)
            guard option.reservedBits == 0, area.skip(option.totalLength) else { return false }
            if option.isCritical {
                guard GeneveOptionRegistry.understands(optionClass: option.optionClass, type: option.type, dataLength: option.dataLength)
                else { return false }
                anyCritical = true
            }
            count += 1
            p.geneveOptions.append(option)
            noteOVNPortKeys(option, in: area, into: &p)
        }
        guard g.critical == anyCritical else { return false }
        g.optionIndices = firstOption..<p.geneveOptions.count
        p.append(geneve: g)
        c.position = area.end
        return true
    }

    /// TCP (header within the packet), UDP (length within the packet, to no port the decoder follows) or an ICMP
    /// echo request or reply, with valid checksums when they are verified.
    @inline(__always)
    private func plainTransport(_ ip: (proto: IPProtocol, end: Int, pseudoHeader: UInt64), _ c: inout ByteCursor,
                                into p: inout DecodedPacket) -> Bool {
        let start = c.position
        switch ip.proto {
        case .tcp:
            guard let tcp = TCPHeader(parsing: &c), tcp.headerLength >= 20, start + tcp.headerLength <= c.end else { return false }
            if config.verifyChecksums {
                guard verified(start, ip.end, initial: withLength(ip.pseudoHeader, ip.end - start)) else { return false }
            }
            p.append(tcp: tcp)
            c.position = start + tcp.headerLength
        case .udp:
            guard let udp = UDPHeader(parsing: &c), udp.length >= 8, Int(udp.length) <= ip.end - start,
                  config.udpPorts[udp.destinationPort] == nil else { return false }
            let end = start + Int(udp.length)
            if config.verifyChecksums && udp.checksum != 0 {
                guard verified(start, end, initial: withLength(ip.pseudoHeader, end - start)) else { return false }
            }
            p.append(udp: udp)
            c.end = end
        case .icmp:
            guard let icmp = ICMPMessage(parsing: &c), icmp.type == ICMPMessage.echoRequest || icmp.type == ICMPMessage.echoReply
            else { return false }
            if config.verifyChecksums {
                guard verified(start, ip.end, initial: 0) else { return false }
            }
            p.append(icmp: icmp)
        default:
            return false
        }
        setPayload(c, &p)
        return true
    }

    /// Whether the Internet checksum over `frame[start ..< end]` (plus `initial`) verifies.
    @inline(__always)
    private func verified(_ start: Int, _ end: Int, initial: UInt64) -> Bool {
        InternetChecksum.verify(UnsafeRawBufferPointer(rebasing: frame[start..<end]), initial: initial)
    }
}
