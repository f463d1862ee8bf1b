import OverlaySynth
import Testing
@testable import OverlayWire

/// `DecodedPacket.summary(level:)` is filled in by the decoder as it appends headers; it must say exactly what
/// `level(_:)` (built from the layers) says, for every kind of frame, cut frames and mutated ones included.
@Suite("Level summaries") struct LevelSummaryTests {
    static func expectAgrees(_ p: DecodedPacket, _ name: String) {
        for index in 0...2 {
            guard let s = p.summary(level: index) else {
                #expect(index == 2, "\(name): levels 0 and 1 are summarized")
                continue
            }
            let n = p.level(index)
            let here = "\(name) level \(index)"
            // Which layers and kinds: the same layers `level(_:)` folds.
            var level = 0
            var kinds = Set<LayerKind>()
            var indices: [Int] = []
            for (i, layer) in p.layers.enumerated() {
                if level == index {
                    kinds.insert(layer.kind)
                    indices.append(i)
                }
                if layer.isTunnel { level += 1 }
            }
            #expect(Array(s.layers) == indices, "\(here)")
            for kind in LayerKind.allCases { #expect(s.contains(kind) == kinds.contains(kind), "\(here) \(kind)") }
            #expect(s.sourceMAC == (n.ethernet?.source ?? n.linuxCooked?.linkAddress ?? .zero), "\(here)")
            #expect(s.destinationMAC == (n.ethernet?.destination ?? .zero), "\(here)")
            #expect(s.vlanCount == UInt8(n.vlanCount), "\(here)")
            if let tag = n.vlan { #expect(s.vlanID == tag.id, "\(here)") }
            #expect(s.hasIP == (n.sourceIP != nil), "\(here)")
            if let source = n.sourceIP, let destination = n.destinationIP {
                #expect(s.sourceIP == source && s.destinationIP == destination, "\(here)")
                #expect(s.ipProtocol == n.ipProtocol, "\(here)")
                #expect(s.ttl == n.ttl, "\(here)")
                #expect(s.isFragment == n.isFragment, "\(here)")
                #expect(s.ipVersion == (n.ipv4 != nil ? 4 : 6), "\(here)")
            }
            if let tcp = n.tcp {
                #expect(s.sourcePort == tcp.sourcePort && s.destinationPort == tcp.destinationPort && s.tcpFlags == tcp.flags, "\(here)")
            } else if let udp = n.udp {
                #expect(s.sourcePort == udp.sourcePort && s.destinationPort == udp.destinationPort, "\(here)")
            }
            if let icmp = n.icmp {
                #expect(s.icmpType == icmp.type && s.icmpIdentifier == (icmp.identifier ?? 0), "\(here)")
            } else if let icmp = n.icmpv6 {
                #expect(s.icmpType == icmp.type && s.icmpIdentifier == (icmp.identifier ?? 0), "\(here)")
            }
            #expect(s.hasTunnel == (n.tunnel != nil), "\(here)")
            if let tunnel = n.tunnel {
                #expect(s.tunnelVNI == tunnel.vni, "\(here)")
                #expect(s.tunnelOAM == (tunnel.geneve?.oam ?? false), "\(here)")
                #expect(s.tunnelCritical == (tunnel.geneve?.critical ?? false), "\(here)")
                #expect(s.tunnelOptions == (tunnel.geneve?.optionIndices ?? 0..<0), "\(here)")
            }
        }
        #expect(p.tunnelDepth == p.layers.reduce(0) { $0 + ($1.isTunnel ? 1 : 0) }, "\(name)")
    }

    @Test func handMadeFrames() {
        for (name, bytes) in HandMade.all {
            Self.expectAgrees(Wire.decode(bytes), name)
            // Every cut: summaries of what was decoded before the cut.
            for cut in stride(from: 0, through: bytes.count, by: 7) {
                Self.expectAgrees(Wire.decode(Array(bytes.prefix(cut)), wireLength: bytes.count), "\(name) cut at \(cut)")
            }
        }
    }

    @Test func mutatedFrames() {
        var state: UInt64 = 0x5EED
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for round in 0..<3000 {
            var bytes = HandMade.all[round % HandMade.all.count].bytes
            for _ in 0..<(1 + next() % 4) where !bytes.isEmpty {
                bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next())
            }
            Self.expectAgrees(Wire.decode(bytes), "mutation \(round)")
        }
    }

    @Test func synthScenariosAndFaults() {
        var frames = SampleScenario.allCases.flatMap { $0.frames() }
        frames += FaultScenario.allCases.flatMap { $0.build().frames }
        for (i, f) in frames.enumerated() {
            Self.expectAgrees(Wire.decode(f.bytes, wireLength: f.wireLength), "synth frame \(i)")
        }
    }

    /// `LayerRecording.unlessPlain`: a packet of the plain tunneled shape comes without layers but with the very
    /// summaries, options, OVN keys, problems and payload a fully layered decode gives; any other packet decodes
    /// exactly as with `.always`. Over hand-made frames, every cut of them, mutations and the synth scenarios.
    /// Decoder settings the straight-line path must honour as the general dissector does.
    static let configurations: [(String, DecoderConfiguration)] = [
        ("default", DecoderConfiguration()),
        ("no checksums", DecoderConfiguration(verifyChecksums: false)),
        ("one Geneve option", DecoderConfiguration(maxGeneveOptions: 1)),
        ("no tunnels followed", DecoderConfiguration(maxTunnelDepth: 0)),
        ("Geneve port unmapped", DecoderConfiguration(udpPorts: [VXLANHeader.port: .vxlan])),
    ]

    @Test(arguments: configurations.indices)
    func layersLeftOutOnlyForPlainPackets(configuration index: Int) {
        let (setting, configuration) = Self.configurations[index]
        var leaving = configuration
        leaving.layers = .unlessPlain
        let always = PacketDecoder(configuration: configuration)
        let unlessPlain = PacketDecoder(configuration: leaving)
        var frames: [(String, [UInt8], Int)] = []
        for (name, bytes) in HandMade.all {
            frames.append((name, bytes, bytes.count))
            for cut in stride(from: 0, through: bytes.count, by: 5) { frames.append(("\(name) cut at \(cut)", Array(bytes.prefix(cut)), bytes.count)) }
        }
        var state: UInt64 = 0xC0FFEE
        for round in 0..<2000 {
            var bytes = HandMade.all[round % HandMade.all.count].bytes
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes[Int(state >> 33) % bytes.count] ^= UInt8(truncatingIfNeeded: state >> 13) | 1
            frames.append(("mutation \(round)", bytes, bytes.count))
        }
        let synth = SampleScenario.allCases.flatMap { $0.frames() } + FaultScenario.allCases.flatMap { $0.build().frames }
        frames += synth.enumerated().map { ("synth frame \($0.offset)", $0.element.bytes, $0.element.wireLength) }
        // Plain frames, each byte of one changed in turn (every field the straight-line path checks), and cut.
        let plainFrames = synth.filter { always.decode($0.bytes, wireLength: $0.wireLength).isPlainTunneled }.prefix(12)
        for (n, f) in plainFrames.enumerated() {
            for i in 0..<min(f.bytes.count, 140) {
                var bytes = f.bytes
                bytes[i] ^= UInt8(truncatingIfNeeded: 0x5A &+ i)
                frames.append(("plain \(n) byte \(i)", bytes, bytes.count))
                bytes[i] = f.bytes[i] ^ 0x01
                frames.append(("plain \(n) byte \(i) bit 0", bytes, bytes.count))
            }
            frames.append(("plain \(n) cut", Array(f.bytes.dropLast(3)), f.bytes.count))
            // Outer and inner frames with one and two VLAN tags (TEP VLANs are the rule in NSX underlays).
            let dot1q: [UInt8] = [0x81, 0x00, 0x20, 0x0B], qinq: [UInt8] = [0x88, 0xA8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x0B]
            frames.append(("plain \(n) outer 802.1Q", Array(f.bytes[..<12]) + dot1q + Array(f.bytes[12...]), f.bytes.count + 4))
            frames.append(("plain \(n) outer QinQ", Array(f.bytes[..<12]) + qinq + Array(f.bytes[12...]), f.bytes.count + 8))
            if let tagged = Self.withInnerTag(f.bytes, dot1q) { frames.append(("plain \(n) inner 802.1Q", tagged, tagged.count)) }
            frames.append(("plain \(n) padded", f.bytes + [0, 0, 0, 0], f.bytes.count + 4))
        }
        var plain = 0, other = 0
        var reused = DecodedPacket()
        for (name, bytes, wire) in frames {
            let full = always.decode(bytes, wireLength: wire)
            bytes.withUnsafeBytes { unlessPlain.decode($0, linkType: .ethernet, wireLength: wire, into: &reused) }
            let p = reused
            let name = "\(setting): \(name)"
            #expect(full.layersRecorded, "\(name)")
            #expect(p.isPlainTunneled == full.isPlainTunneled, "\(name)")
            #expect(p.problems == full.problems && p.geneveOptions == full.geneveOptions && p.ovnPortKeys == full.ovnPortKeys, "\(name)")
            #expect(p.payloadOffset == full.payloadOffset && p.payloadLength == full.payloadLength, "\(name)")
            #expect(p.tunnelDepth == full.tunnelDepth && p.isTunneled == full.isTunneled, "\(name)")
            guard full.isPlainTunneled else {
                other += 1
                #expect(p.layersRecorded && p.layers == full.layers, "\(name)")
                #expect(p.summary(level: 0) == full.summary(level: 0) && p.summary(level: 1) == full.summary(level: 1), "\(name)")
                continue
            }
            plain += 1
            #expect(!p.layersRecorded && p.layers.isEmpty, "\(name)")
            for level in 0...1 {
                var expected = full.summary(level: level)
                expected?.layers = 0..<0
                #expect(p.summary(level: level) == expected, "\(name) level \(level)")
            }
            // What the plain shape promises: nothing a summary leaves out is in the packet.
            #expect(full.tunnelDepth == 1 && full.problems.isEmpty, "\(name)")
            for layer in full.layers {
                switch layer {
                case .arp, .bfd, .loopback: Issue.record("\(name): \(layer.kind) in a plain packet")
                case .icmp(let m): #expect(m.quoted == nil && !m.isError, "\(name)")
                case .icmpv6(let m): #expect(m.quoted == nil && m.targetAddress == nil, "\(name)")
                default: break
                }
            }
        }
        #expect((plain > 100 || index >= 3) && other > 100, "\(setting): both shapes are exercised (\(plain) plain, \(other) other)")
    }

    /// An IPv4 Geneve frame with `tag` inserted after the inner Ethernet addresses, the outer IPv4 and UDP lengths
    /// and the IPv4 header checksum fixed up (the UDP checksum set to 0, which IPv4 allows); nil for another frame.
    static func withInnerTag(_ bytes: [UInt8], _ tag: [UInt8]) -> [UInt8]? {
        guard bytes.count > 60, bytes[12] == 0x08, bytes[13] == 0x00, bytes[14] == 0x45, bytes[23] == 17 else { return nil }
        let udp = 34, geneve = 42
        let inner = geneve + 8 + Int(bytes[geneve] & 0x3F) * 4
        guard inner + 14 <= bytes.count else { return nil }
        var b = Array(bytes[..<(inner + 12)]) + tag + Array(bytes[(inner + 12)...])
        func add(_ at: Int, _ n: Int) {
            let v = (Int(b[at]) << 8 | Int(b[at + 1])) + n
            b[at] = UInt8(v >> 8 & 0xFF)
            b[at + 1] = UInt8(v & 0xFF)
        }
        add(16, tag.count)
        add(udp + 4, tag.count)
        b[udp + 6] = 0
        b[udp + 7] = 0
        b[24] = 0
        b[25] = 0
        let sum = b[14..<34].withUnsafeBytes { InternetChecksum.compute($0) }
        b[24] = UInt8(sum >> 8)
        b[25] = UInt8(sum & 0xFF)
        return b
    }

    /// The equivalence above means something only if the straight-line path is taken: it must take (nearly) every
    /// plain frame of the sample scenarios (all IPv4 Geneve carrying Ethernet), and give what `unlessPlain` keeps.
    @Test func plainFramesTakeTheStraightPath() {
        let configuration = DecoderConfiguration()
        let ports = UDPPortTable(configuration.udpPorts)
        let settings = DecodeSettings(configuration, ports: ports)
        let general = PacketDecoder()
        var plain = 0, taken = 0
        for f in SampleScenario.allCases.flatMap({ $0.frames() }) {
            let full = general.decode(f.bytes, wireLength: f.wireLength)
            guard full.isPlainTunneled else { continue }
            plain += 1
            var p = DecodedPacket()
            p.reset(linkType: .ethernet, capturedLength: f.bytes.count, wireLength: f.wireLength, recordingLayers: false)
            let straight = f.bytes.withUnsafeBytes { bytes in
                withExtendedLifetime(ports) {
                    var run = DecodeRun(config: settings, frame: bytes, wireLength: f.wireLength)
                    return run.decodePlainTunnel(into: &p)
                }
            }
            guard straight else { continue }
            taken += 1
            var outer = full.summary(level: 0), inner = full.summary(level: 1)
            outer?.layers = 0..<0
            inner?.layers = 0..<0
            #expect(p.summary(level: 0) == outer && p.summary(level: 1) == inner && p.geneveOptions == full.geneveOptions)
        }
        #expect(plain > 50 && taken * 10 >= plain * 9, "\(taken) of \(plain) plain frames")
        // Tagged outer and inner frames take it too.
        var p = DecodedPacket()
        let dot1q: [UInt8] = [0x81, 0x00, 0x20, 0x0B]
        var tagged = 0
        for f in SampleScenario.demo.frames() where general.decode(f.bytes, wireLength: f.wireLength).isPlainTunneled {
            guard let innerTagged = Self.withInnerTag(f.bytes, dot1q) else { continue }
            tagged += 1
            let outerTagged = Array(f.bytes[..<12]) + dot1q + Array(f.bytes[12...])
            for bytes in [outerTagged, innerTagged] {
                #expect(general.decode(bytes).isPlainTunneled)
                p.reset(linkType: .ethernet, capturedLength: bytes.count, wireLength: bytes.count, recordingLayers: false)
                let straight = bytes.withUnsafeBytes { raw in
                    withExtendedLifetime(ports) {
                        var run = DecodeRun(config: settings, frame: raw, wireLength: bytes.count)
                        return run.decodePlainTunnel(into: &p)
                    }
                }
                #expect(straight && p.summary(level: bytes == outerTagged ? 0 : 1)?.vlanID == 0x00B)
            }
        }
        #expect(tagged > 10)
    }

    @Test func reusedPacketStartsClean() {
        // A tunneled packet then an untunneled one into the same DecodedPacket: nothing of the first remains.
        let decoder = PacketDecoder()
        var p = DecodedPacket()
        HandMade.geneveOVN.withUnsafeBytes { decoder.decode($0, linkType: .ethernet, into: &p) }
        #expect(p.summary(level: 1)?.hasIP == true)
        HandMade.arpReply.withUnsafeBytes { decoder.decode($0, linkType: .ethernet, into: &p) }
        Self.expectAgrees(p, "arp after geneve")
        #expect(p.summary(level: 1)?.layers.isEmpty == true)
    }

    @Test func layersEditedByHandWithdrawTheSummaries() {
        var p = Wire.decode(HandMade.geneveOVN)
        #expect(p.summary(level: 0) != nil)
        p.layers.removeLast()
        #expect(p.summary(level: 0) == nil)
        #expect(p.summary(level: 1) == nil)
        #expect(p.tunnelDepth == 1, "computed from the layers")
    }
}
