import OverlayWire

/// Decodes frames and reads back every field a consumer can reach (each level, option fields, names, problem
/// texts), so no decoding path is dead code, and checks what a decoded packet promises. A broken promise traps
/// with a message, which libFuzzer records as a crash together with the input.
public struct PacketExerciser {
    /// Reused across frames, as the capture pipeline reuses it; compared against a fresh decode.
    private var packet = DecodedPacket()
    /// Folds everything read so the optimizer cannot drop the reads.
    public private(set) var digest = Hasher()

    public init() {}

    /// Decodes `frame` into the reused packet and into a fresh one, checks both, touches every field.
    public mutating func exercise(_ frame: UnsafeRawBufferPointer, linkType: LinkType, wireLength: Int?,
                                  decoder: PacketDecoder) {
        decoder.decode(frame, linkType: linkType, wireLength: wireLength, into: &packet)
        var fresh = DecodedPacket()
        decoder.decode(frame, linkType: linkType, wireLength: wireLength, into: &fresh)
        check(same(packet, fresh), "decoding into a reused packet differs from a fresh decode", frame)
        // What the analysis decodes (`unlessPlain`, with its straight-line path for the commonest layout) must say
        // what the full decode says, layers left out for plain packets only.
        var leaving = decoder.configuration
        leaving.layers = .unlessPlain
        PacketDecoder(configuration: leaving).decode(frame, linkType: linkType, wireLength: wireLength, into: &fresh)
        check(agrees(fresh, packet), "the unlessPlain decode differs from the full one", frame)
        checkInvariants(frame, wireLength: wireLength, configuration: decoder.configuration)
        touch(frame)
    }

    // MARK: invariants

    private func checkInvariants(_ frame: UnsafeRawBufferPointer, wireLength: Int?, configuration: DecoderConfiguration) {
        let p = packet
        check(p.capturedLength == frame.count, "capturedLength \(p.capturedLength) != \(frame.count) bytes", frame)
        check(p.wireLength >= p.capturedLength, "wireLength \(p.wireLength) < capturedLength", frame)
        check(p.payloadOffset >= 0 && p.payloadLength >= 0 && p.payloadOffset + p.payloadLength <= frame.count,
              "payload \(p.payloadOffset)+\(p.payloadLength) outside the \(frame.count) captured bytes", frame)
        for layer in p.layers {
            let offset = layerOffset(layer)
            check(offset >= 0 && offset < frame.count, "\(layer.kind) layer at offset \(offset) outside the frame", frame)
        }
        for option in p.geneveOptions {
            check(option.offset >= 0 && option.offset + option.totalLength <= frame.count,
                  "Geneve option at \(option.offset) of \(option.totalLength) bytes outside the frame", frame)
        }
        // Each header's options follow the previous header's (a header that stopped early has none: any empty range).
        var optionsSeen = 0
        for case .geneve(let g) in p.layers where !g.optionIndices.isEmpty {
            check(g.optionIndices.lowerBound == optionsSeen && g.optionIndices.upperBound <= p.geneveOptions.count,
                  "Geneve header option range \(g.optionIndices) does not follow the previous header's", frame)
            check(g.optionIndices.count <= configuration.maxGeneveOptions, "more Geneve options than the limit", frame)
            optionsSeen = g.optionIndices.upperBound
        }
        check(optionsSeen == p.geneveOptions.count, "Geneve options that belong to no header", frame)
        for problem in p.problems {
            check(problem.offset >= 0 && problem.offset <= frame.count,
                  "problem offset \(problem.offset) outside the frame: \(problem)", frame)
            check(!problem.reason.isEmpty && !problem.reason.contains("\n"), "problem reason empty or multi-line", frame)
        }
        // The header that hits the limit is listed (its payload is not followed), so one more than the limit.
        check(p.tunnelDepth <= configuration.maxTunnelDepth + 1, "tunnel depth \(p.tunnelDepth) beyond the limit", frame)
        // Ethernet frames bridged by EtherType 0x6558 stay in their level, with tags of their own; their number is
        // bounded by the tunnel depth.
        let ethernetsPerLevel = 1 + configuration.maxTunnelDepth
        for level in 0...p.tunnelDepth {
            check(p.vlanIDs(level: level).count <= configuration.maxVLANTags * ethernetsPerLevel,
                  "more VLAN tags than the limit", frame)
        }
        // Per level at most: link header, tags, IP, transport, BFD/ARP, tunnel header; plus the bridged frames.
        let perLevel = configuration.maxVLANTags + 8
        let bridged = configuration.maxTunnelDepth * (1 + configuration.maxVLANTags)
        check(p.layers.count <= 1 + perLevel * (configuration.maxTunnelDepth + 2) + bridged, "\(p.layers.count) layers", frame)
        for case .ipv6(let h) in p.layers {
            check(h.extensionHeaderCount <= configuration.maxIPv6ExtensionHeaders, "more IPv6 extension headers than the limit", frame)
        }
    }

    private func layerOffset(_ layer: Layer) -> Int {
        switch layer {
        case .loopback(let h): return h.offset
        case .linuxCooked(let h): return h.offset
        case .ethernet(let h): return h.offset
        case .vlan(let h): return h.offset
        case .arp(let h): return h.offset
        case .ipv4(let h): return h.offset
        case .ipv6(let h): return h.offset
        case .udp(let h): return h.offset
        case .tcp(let h): return h.offset
        case .icmp(let h): return h.offset
        case .icmpv6(let h): return h.offset
        case .geneve(let h): return h.offset
        case .vxlan(let h): return h.offset
        case .bfd(let h): return h.offset
        }
    }

    /// `leaving` (decoded with `LayerRecording.unlessPlain`) against `full` (every layer): the same packet, but for
    /// the layers of a plain packet, which it has none of.
    private func agrees(_ leaving: DecodedPacket, _ full: DecodedPacket) -> Bool {
        guard full.isPlainTunneled else { return leaving.layersRecorded && same(leaving, full) }
        guard !leaving.layersRecorded, leaving.layers.isEmpty, leaving.geneveOptions == full.geneveOptions,
              leaving.problems == full.problems, leaving.ovnPortKeys == full.ovnPortKeys,
              leaving.payloadOffset == full.payloadOffset, leaving.payloadLength == full.payloadLength else { return false }
        for level in 0...1 {
            var expected = full.summary(level: level)
            expected?.layers = 0..<0
            guard leaving.summary(level: level) == expected else { return false }
        }
        return true
    }

    private func same(_ a: DecodedPacket, _ b: DecodedPacket) -> Bool {
        a.linkType == b.linkType && a.capturedLength == b.capturedLength && a.wireLength == b.wireLength
            && a.layers == b.layers && a.geneveOptions == b.geneveOptions && a.problems == b.problems
            && a.ovnPortKeys == b.ovnPortKeys && a.payloadOffset == b.payloadOffset && a.payloadLength == b.payloadLength
    }

    // MARK: reading everything

    private mutating func touch(_ frame: UnsafeRawBufferPointer) {
        let p = packet
        digest.combine(p.layers)
        digest.combine(p.geneveOptions)
        digest.combine(p.problems)
        digest.combine(p.ovnPortKeys)
        digest.combine(p.isTunneled)
        digest.combine(p.linkType.name)
        for problem in p.problems { digest.combine(problem.description) }
        // One level past the innermost: must come back empty, not trap.
        for index in 0...(p.tunnelDepth + 1) {
            let level = p.level(index)
            digest.combine(level)
            digest.combine(p.vlanIDs(level: index))
            touch(level, frame)
        }
        digest.combine(p.outer)
        digest.combine(p.innermost)
        for layer in p.layers { touch(layer, p, frame) }
    }

    private mutating func touch(_ level: NetworkLevel, _ frame: UnsafeRawBufferPointer) {
        digest.combine(level.isEmpty)
        digest.combine(level.sourceIP?.description)
        digest.combine(level.destinationIP?.description)
        digest.combine(level.sourceIP?.isMulticast)
        digest.combine(level.ipProtocol?.name)
        digest.combine(level.ttl)
        digest.combine(level.sourcePort)
        digest.combine(level.destinationPort)
        digest.combine(level.isFragment)
        digest.combine(level.dontFragment)
        digest.combine(level.tunnel?.vni)
        digest.combine(level.tunnel?.typeName)
        for address in [level.sourceIP, level.destinationIP].compactMap({ $0 }) {
            check(IPAddress(address.description) == address, "address \(address) does not survive its text form", frame)
        }
    }

    private mutating func touch(_ layer: Layer, _ p: DecodedPacket, _ frame: UnsafeRawBufferPointer) {
        digest.combine(layer.kind.rawValue)
        switch layer {
        case .ethernet(let e):
            for mac in [e.source, e.destination] {
                digest.combine(mac.description)
                digest.combine(mac.isMulticast || mac.isBroadcast)
                check(MACAddress(mac.description) == mac, "MAC \(mac) does not survive its text form", frame)
            }
            digest.combine(e.etherType.hex)
        case .linuxCooked(let h):
            digest.combine(h.linkAddress?.description)
            digest.combine(h.protocolType.description)
        case .arp(let a):
            digest.combine(a.operationName)
            digest.combine(a.isGratuitous)
            digest.combine(a.senderMAC?.description)
            digest.combine(a.targetIP?.description)
            digest.combine(a.addressesLength)
        case .ipv4(let h):
            digest.combine(h.isFragment)
            digest.combine(h.dscp)
            digest.combine(h.ecn)
            digest.combine(h.optionsLength)
            digest.combine(h.source.isPrivate)
        case .ipv6(let h):
            digest.combine(h.source.isLinkLocal)
            digest.combine(h.destination.isMulticast)
            digest.combine(h.upperProtocol.name)
            check(IPv6Address(h.source.description) == h.source, "IPv6 \(h.source) does not survive its text form", frame)
        case .tcp(let t):
            digest.combine(t.flagString)
            digest.combine(t.isSYN)
            digest.combine(t.isSYNACK)
        case .icmp(let m):
            digest.combine(m.name)
            digest.combine(m.isFragmentationNeeded)
            digest.combine(m.quoted?.source.description)
        case .icmpv6(let m):
            digest.combine(m.name)
            digest.combine(m.isPacketTooBig)
            digest.combine(m.targetAddress?.description)
            digest.combine(m.linkLayerAddress?.description)
        case .bfd(let b):
            digest.combine(b.state.description)
            digest.combine(b.diagnosticName)
        case .vxlan(let v):
            digest.combine(v.vniValid)
            digest.combine(v.groupPolicy)
            digest.combine(v.dontLearn)
            digest.combine(v.policyApplied)
            digest.combine(v.reservedFlagBits)
        case .geneve(let g):
            digest.combine(g.protocolType.hex)
            for option in p.options(of: g) {
                digest.combine(option.className)
                digest.combine(option.isCritical)
                digest.combine(option.dataOffset)
                for field in option.decodedFields(in: frame) {
                    digest.combine(field)
                }
                if option.dataOffset + option.dataLength <= frame.count {
                    let data = UnsafeRawBufferPointer(rebasing: frame[option.dataOffset..<(option.dataOffset + option.dataLength)])
                    digest.combine(hexString(data))
                }
            }
        case .loopback, .vlan, .udp:
            break  // no computed fields beyond what hashing the layer read
        }
    }

    /// Traps with the reason and the frame in hex (libFuzzer saves the input; the message says what broke).
    private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                       _ frame: UnsafeRawBufferPointer) {
        if !condition() {
            fatalError("invariant broken: \(message()) [\(frame.count) bytes: \(hexString(frame))]")
        }
    }
}

/// An opaque sink, so the reads that fed a digest stay in optimized builds too.
@inline(never) @_optimize(none)
public func keep(_ value: Int) {}
