#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OverlayWire

/// Streams a large, realistic Geneve capture (for benchmarks) to a pcap with bounded memory: O(flows)
/// state plus one write buffer, no per-packet allocation. Same parameters, byte-identical file.
///
/// The traffic follows `/work/shared/bench/genbig.py`: `teps` TEPs in up to 5 racks (10.10.<rack>.<n>;
/// same-rack packets go to the peer TEP's MAC, cross-rack ones to the rack gateway's), `vnis` logical
/// switches (VNI 5000 + 17·v) of 16 VMs each, every VM pinned to one TEP; `flows` inner flows (70 % TCP,
/// 25 % UDP, 5 % ICMP echo) picked per packet with Zipf-like popularity (weight 1/rank^0.8), each in both
/// directions (60/40) from the TEPs that host its two VMs; inner frames 64–1400 bytes, bimodal (45 % 64–128,
/// 15 % 129–576, 10 % 577–1199, 30 % 1200–1400); 70 % of flows carry the OVN option (ingress/egress =
/// the VMs' port keys, C bit set as the option is critical), the rest none; inner IPv4/TCP/UDP/ICMP
/// checksums valid, outer UDP checksum 0, outer IPv4 DF/TTL 64 with a valid checksum; timestamps advance
/// by exponential gaps (mean 50 µs).
///
/// Differences from genbig.py, on purpose: a VM never appears behind two TEPs, TCP opens with SYN then
/// SYN/ACK and acknowledges the peer's bytes, the SYN/ACK and every echo reply (same sequence number) follow
/// their request at once (answers left to the 60/40 draw came seconds late or never: false unanswered-request
/// findings, and pending state growing with the file), the C bit matches the critical OVN option, inner TTL is 64
/// (switched, not routed), the option choice is per flow rather than per packet, and no inner UDP flow goes
/// to 4789 (QUIC's 443 instead): a decoder rightly dissects such a payload as VXLAN, and random bytes are not.
public struct BigCaptureGenerator: Sendable {
    public var packets: Int
    public var teps: Int
    public var vnis: Int
    public var flows: Int
    public var seed: UInt64

    public init(packets: Int, teps: Int = 50, vnis: Int = 200, flows: Int = 10_000, seed: UInt64 = 8926) {
        self.packets = max(0, packets)
        self.teps = min(max(2, teps), 244 * Self.racks)  // 10.10.<rack>.<11…255>
        self.vnis = min(max(1, vnis), 4096)
        self.flows = max(1, flows)
        self.seed = seed
    }

    /// What was written.
    public struct Summary: Hashable, Sendable {
        public var packets = 0
        /// Sum of captured frame lengths (the file adds 24 + 16 per packet).
        public var bytes = 0
        public var tcp = 0, udp = 0, icmp = 0
        public var withOption = 0
    }

    /// Writes the capture to `path` (microsecond pcap, Ethernet).
    @discardableResult
    public func write(to path: String) throws(CaptureWriteError) -> Summary {
        let output = try CaptureOutput(path: path, bufferSize: 4 << 20)
        let summary = try run(into: output)
        try output.close()
        return summary
    }

    /// The whole capture in memory (for tests and small counts).
    public func generate() -> (bytes: [UInt8], summary: Summary) {
        let output = CaptureOutput()
        let summary = (try? run(into: output)) ?? Summary()  // in-memory output never fails
        return (output.bytes, summary)
    }

    // MARK: model

    static let vmsPerVNI = 16
    static let racks = 5

    /// One direction of a flow: a prebuilt header template and the constant parts of its checksums.
    struct Direction {
        var templateOffset: Int
        var templateLength: Int
        var hasOption: Bool
        var outerChecksumBase: UInt32
        var innerChecksumBase: UInt32
        var pseudoHeaderBase: UInt32
        var proto: UInt8
        var sourcePort: UInt16
        var destinationPort: UInt16
        var sourceTEP: Int
        var flowIndex: UInt16
        var isClient: Bool
        var seq: UInt32
        var sent: UInt32
        var ipID: UInt16
    }

    static func tepIP(_ t: Int, racks: Int) -> UInt32 { 10 << 24 | 10 << 16 | UInt32(t % racks) << 8 | UInt32(11 + t / racks) }
    static func mac(_ prefix: UInt8, _ a: Int, _ b: Int) -> MACAddress {
        MACAddress(0x02, prefix, UInt8(truncatingIfNeeded: a >> 8), UInt8(truncatingIfNeeded: a), UInt8(truncatingIfNeeded: b >> 8), UInt8(truncatingIfNeeded: b))
    }
    static func wordSum(_ v: UInt32) -> UInt32 { (v >> 16) &+ (v & 0xFFFF) }
    @inline(__always) static func fold(_ s: UInt32) -> UInt16 {
        var s = s
        s = (s & 0xFFFF) &+ (s >> 16)
        s = (s & 0xFFFF) &+ (s >> 16)
        return UInt16(truncatingIfNeeded: s)
    }

    func run(into output: CaptureOutput) throws(CaptureWriteError) -> Summary {
        var rng = SplitMix64(seed: seed)
        let racks = min(Self.racks, teps)

        // Payload pattern and its prefix one's-complement sums, so every checksum is O(1) per packet.
        var pattern = [UInt8](repeating: 0, count: 1500)
        for i in pattern.indices { pattern[i] = UInt8(truncatingIfNeeded: rng.next()) }
        var prefix = [UInt32](repeating: 0, count: 1501)
        var running: UInt32 = 0
        for length in 1...1500 {
            if length % 2 == 0 {
                running &+= UInt32(pattern[length - 2]) << 8 | UInt32(pattern[length - 1])
                prefix[length] = running
            } else {
                prefix[length] = running &+ UInt32(pattern[length - 1]) << 8
            }
        }

        func vmTEP(_ v: Int, _ i: Int) -> Int { (v * 7 + i) % teps }
        func vmIP(_ v: Int, _ i: Int) -> UInt32 { 172 << 24 | UInt32(16 + (v >> 8)) << 16 | UInt32(v & 0xFF) << 8 | UInt32(10 + i) }

        var templates: [UInt8] = []
        var directions: [Direction] = []
        directions.reserveCapacity(2 * flows)
        for f in 0..<flows {
            let v = rng.below(vnis)
            let a = rng.below(Self.vmsPerVNI)
            var b = rng.below(Self.vmsPerVNI - 1)
            if b >= a { b += 1 }
            if vmTEP(v, a) == vmTEP(v, b) { b = (a + 1) % Self.vmsPerVNI }  // keep it an overlay flow
            let r = rng.unit()
            let proto: UInt8, serverPort: UInt16
            if r < 0.70 {
                proto = 6
                serverPort = [443, 443, 443, 80, 8080, 5432, 3306, 6379, 9092, 22][rng.below(10)]
            } else if r < 0.95 {
                proto = 17
                serverPort = [53, 53, 123, 514, 443, 8125, 5353, 161][rng.below(8)]
            } else {
                proto = 1
                serverPort = 0
            }
            let clientPort = proto == 1 ? 0 : UInt16(32768 + rng.below(61000 - 32768))
            let hasOption = rng.below(10) < 7
            let vni = UInt32(5000 + 17 * v)
            for (isClient, src, dst) in [(true, a, b), (false, b, a)] {
                let sTEP = vmTEP(v, src), dTEP = vmTEP(v, dst)
                let sIP = Self.tepIP(sTEP, racks: racks), dIP = Self.tepIP(dTEP, racks: racks)
                let sameRack = sTEP % racks == dTEP % racks
                let dstMAC = sameRack ? Self.mac(0x10, dTEP % racks, dTEP) : Self.mac(0x1F, sTEP % racks, 1)
                let innerSrc = vmIP(v, src), innerDst = vmIP(v, dst)
                let sport = isClient ? clientPort : serverPort, dport = isClient ? serverPort : clientPort
                let inner: [SynthLayer] = [
                    .ethernet(src: Self.mac(0xAA, v, src), dst: Self.mac(0xAA, v, dst)),
                    .ipv4(src: IPv4Address(rawValue: innerSrc), dst: IPv4Address(rawValue: innerDst)),
                ]
                let flowKey: [SynthLayer] = inner + (proto == 6 ? [.tcp(sport: sport, dport: dport, seq: 0, flags: 0)]
                                                     : proto == 17 ? [.udp(sport: sport, dport: dport)] : [])
                var header = PacketBuilder.build([
                    .ethernet(src: Self.mac(0x10, sTEP % racks, sTEP), dst: dstMAC),
                    .ipv4(src: IPv4Address(rawValue: sIP), dst: IPv4Address(rawValue: dIP)),
                    .udp(sport: FlowHash.sourcePort(for: flowKey), dport: GeneveHeader.port, zeroChecksum: true),
                    .geneve(vni: vni, options: hasOption ? [.ovn(ingress: UInt16(src + 1), egress: UInt16(dst + 1))] : []),
                ] + inner)
                // The template keeps the headers with length, ID and checksum fields zero; they are per packet.
                header.setBE16(0, at: 14 + 2); header.setBE16(0, at: 14 + 4); header.setBE16(0, at: 14 + 10)
                header.setBE16(0, at: 34 + 4)
                let innerIP = header.count - 20
                header.setBE16(0, at: innerIP + 2); header.setBE16(0, at: innerIP + 4); header.setBE16(0, at: innerIP + 10)
                header[innerIP + 9] = proto
                let outerBase = header.withUnsafeBytes { UInt32(InternetChecksum.sum(UnsafeRawBufferPointer(rebasing: $0[14..<34]))) }
                let innerBase = header.withUnsafeBytes { UInt32(InternetChecksum.sum(UnsafeRawBufferPointer(rebasing: $0[innerIP..<(innerIP + 20)]))) }
                directions.append(Direction(
                    templateOffset: templates.count, templateLength: header.count, hasOption: hasOption,
                    outerChecksumBase: outerBase, innerChecksumBase: innerBase,
                    pseudoHeaderBase: Self.wordSum(innerSrc) &+ Self.wordSum(innerDst) &+ UInt32(proto),
                    proto: proto, sourcePort: sport, destinationPort: dport, sourceTEP: sTEP,
                    flowIndex: UInt16(truncatingIfNeeded: f), isClient: isClient,
                    seq: UInt32(truncatingIfNeeded: rng.next()), sent: 0, ipID: UInt16(truncatingIfNeeded: rng.next())))
                templates += header
            }
        }

        // Zipf-like popularity: cumulative weights, searched per packet.
        var cumulative = [Double](repeating: 0, count: flows)
        var total = 0.0
        for i in 0..<flows {
            total += 1.0 / pow(Double(i + 1), 0.8)
            cumulative[i] = total
        }

        var fileHeader: [UInt8] = []
        fileHeader.appendLE32(PcapTimestampPrecision.microseconds.magic)
        fileHeader.appendLE16(2); fileHeader.appendLE16(4)
        fileHeader.appendLE32(0); fileHeader.appendLE32(0)
        fileHeader.appendLE32(65535); fileHeader.appendLE32(UInt32(LinkType.ethernet.rawValue))
        output.append(fileHeader)

        var outerIDs = [UInt16](repeating: 0, count: teps)
        var summary = Summary()
        var clock: Int64 = 1_700_000_000 * 1_000_000
        // Stable pointers for the hot loop (typed throws cannot cross `withUnsafeBytes`).
        let tpl = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, templates.count), alignment: 16)
        let pat = UnsafeMutableRawBufferPointer.allocate(byteCount: pattern.count, alignment: 16)
        defer { tpl.deallocate(); pat.deallocate() }
        templates.withUnsafeBytes { tpl.copyMemory(from: $0) }
        pattern.withUnsafeBytes { pat.copyMemory(from: $0) }
        // The direction that answers the packet just written (SYN/ACK, echo reply): it goes next, as a peer
        // answers within the mean gap, not whenever its rarely picked flow comes up again.
        var answer: Int?
        for _ in 0..<packets {
            let index: Int
            if let a = answer {
                index = a
                answer = nil
            } else {
                let target = rng.unit() * total
                var lo = 0, hi = flows - 1
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if cumulative[mid] < target { lo = mid + 1 } else { hi = mid }
                }
                let toServer = rng.unit() < 0.6
                // The client speaks first; echo flows are ping: the client's request, then (answered) its reply.
                index = 2 * lo + (toServer || directions[2 * lo].sent == 0 || directions[2 * lo].proto == 1 ? 0 : 1)
            }
            var d = directions[index]
            let peerSeq = directions[index ^ 1].seq

            let bucket = rng.unit()
            let frameLength: Int
            if bucket < 0.45 { frameLength = 64 + rng.below(65) }
            else if bucket < 0.60 { frameLength = 129 + rng.below(448) }
            else if bucket < 0.70 { frameLength = 577 + rng.below(623) }
            else { frameLength = 1200 + rng.below(201) }
            let l4Header = d.proto == 6 ? 20 : 8
            var payload = max(0, frameLength - 14 - 20 - l4Header)
            var flags: UInt16 = 0
            if d.proto == 6 {
                if d.sent == 0 {
                    flags = d.isClient ? TCPHeader.syn : TCPHeader.syn | TCPHeader.ack
                    payload = 0
                } else {
                    flags = payload > 0 && rng.next() & 1 == 0 ? TCPHeader.psh | TCPHeader.ack : TCPHeader.ack
                }
            }
            let l4Length = l4Header + payload
            let innerTotal = 20 + l4Length
            let outerTotal = 20 + 8 + (d.templateLength - 34 - 8) + l4Length
            let captured = 14 + outerTotal
            clock += 1 + Int64(-50.0 * log1p(-rng.unit()))
            let outerID = outerIDs[d.sourceTEP]
            outerIDs[d.sourceTEP] = outerID &+ 1
            let seq = d.seq, ack = flags & TCPHeader.ack != 0 ? peerSeq : 0

            output.write(16 + captured) { p in
                p.storeLE32(UInt32(truncatingIfNeeded: clock / 1_000_000), at: 0)
                p.storeLE32(UInt32(truncatingIfNeeded: clock % 1_000_000), at: 4)
                p.storeLE32(UInt32(captured), at: 8)
                p.storeLE32(UInt32(captured), at: 12)
                let f = p + 16
                f.copyMemory(from: tpl.baseAddress! + d.templateOffset, byteCount: d.templateLength)
                // Outer IPv4 and UDP.
                f.storeBE16(UInt16(outerTotal), at: 16)
                f.storeBE16(outerID, at: 18)
                f.storeBE16(~Self.fold(d.outerChecksumBase &+ UInt32(outerTotal) &+ UInt32(outerID)), at: 24)
                f.storeBE16(UInt16(outerTotal - 20), at: 38)
                // Inner IPv4.
                let ip = d.templateLength - 20
                f.storeBE16(UInt16(innerTotal), at: ip + 2)
                f.storeBE16(d.ipID, at: ip + 4)
                f.storeBE16(~Self.fold(d.innerChecksumBase &+ UInt32(innerTotal) &+ UInt32(d.ipID)), at: ip + 10)
                // Transport header, checksum from constant parts + the payload's prefix sum.
                let l4 = d.templateLength
                let data = l4 + l4Header
                if payload > 0 { (f + data).copyMemory(from: pat.baseAddress!, byteCount: payload) }
                let dataSum = prefix[payload]
                switch d.proto {
                case 6:
                    let hf = UInt16(5 << 12) | flags
                    let sum = d.pseudoHeaderBase &+ UInt32(l4Length) &+ UInt32(d.sourcePort) &+ UInt32(d.destinationPort)
                        &+ Self.wordSum(seq) &+ Self.wordSum(ack) &+ UInt32(hf) &+ 0xFAF0 &+ dataSum
                    f.storeBE16(d.sourcePort, at: l4)
                    f.storeBE16(d.destinationPort, at: l4 + 2)
                    f.storeBE32(seq, at: l4 + 4)
                    f.storeBE32(ack, at: l4 + 8)
                    f.storeBE16(hf, at: l4 + 12)
                    f.storeBE16(0xFAF0, at: l4 + 14)
                    f.storeBE16(~Self.fold(sum), at: l4 + 16)
                    f.storeBE16(0, at: l4 + 18)
                case 17:
                    let sum = d.pseudoHeaderBase &+ 2 &* UInt32(l4Length) &+ UInt32(d.sourcePort) &+ UInt32(d.destinationPort) &+ dataSum
                    let c = ~Self.fold(sum)
                    f.storeBE16(d.sourcePort, at: l4)
                    f.storeBE16(d.destinationPort, at: l4 + 2)
                    f.storeBE16(UInt16(l4Length), at: l4 + 4)
                    f.storeBE16(c == 0 ? 0xFFFF : c, at: l4 + 6)
                default:
                    let typeAndCode: UInt16 = d.isClient ? 0x0800 : 0x0000  // echo request / reply, code 0
                    let sequence = UInt16(truncatingIfNeeded: d.sent)
                    let sum = UInt32(typeAndCode) &+ UInt32(d.flowIndex) &+ UInt32(sequence) &+ dataSum
                    f.storeBE16(typeAndCode, at: l4)
                    f.storeBE16(~Self.fold(sum), at: l4 + 2)
                    f.storeBE16(d.flowIndex, at: l4 + 4)
                    f.storeBE16(sequence, at: l4 + 6)
                }
            }
            try output.flushIfFull()

            if d.proto == 6 { d.seq &+= UInt32(payload) + (flags & TCPHeader.syn != 0 ? 1 : 0) }
            if d.isClient && (d.proto == 1 || flags == TCPHeader.syn) { answer = index ^ 1 }
            d.sent &+= 1
            d.ipID &+= 1
            directions[index] = d
            summary.packets += 1
            summary.bytes += captured
            switch d.proto {
            case 6: summary.tcp += 1
            case 17: summary.udp += 1
            default: summary.icmp += 1
            }
            if d.hasOption { summary.withOption += 1 }
        }
        return summary
    }
}
