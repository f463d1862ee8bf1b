import Foundation
import FuzzSupport
import OverlayCapture
import OverlaySynth
import OverlayWire

/// Builds the two seed corpora (into directories the caller owns, never into the repository):
///
///     FuzzCaptureFile --write-seeds DECODER_DIR FILE_DIR [CAPTURE...]
///
/// - FILE_DIR (FuzzCaptureFile): each CAPTURE as it is, every synth sample and fault case as pcap, and variants
///   the readers must survive: nanosecond, big-endian, snaplen-cut, cut mid-record, raw IP and SLL2 link types,
///   pcapng with two interfaces and an unknown block.
/// - DECODER_DIR (FuzzDecoder): every distinct frame of those (the first `framesPerCapture` of each capture, at
///   most 16 KiB each), behind its selector byte, and the IP frames again under the other link types.
///
/// It lives in the FuzzCaptureFile binary because every product of the fuzz package is linked with libFuzzer,
/// which needs a fuzz entry point in each executable.
public func writeSeedCorpora(arguments: [String]) throws {
    guard arguments.count >= 2 else { throw SeedCorpusUsage() }
    var seeds = SeedWriter(decoderDirectory: arguments[0], fileDirectory: arguments[1])
    for path in arguments.dropFirst(2) {
        try seeds.addCapture(path)
    }
    try seeds.addSynth()
    print("seeds: \(seeds.frameCount) frames in \(seeds.decoderDirectory), \(seeds.fileCount) files in \(seeds.fileDirectory)")
}

struct SeedCorpusUsage: Error, CustomStringConvertible {
    var description: String { "usage: FuzzCaptureFile --write-seeds DECODER_DIR FILE_DIR [CAPTURE...]" }
}

struct SeedWriter {
    let decoderDirectory: String
    let fileDirectory: String
    /// Frames already written (selector included): the corpora hold each distinct input once.
    private var framesSeen: Set<[UInt8]> = []
    private(set) var fileCount = 0
    var frameCount: Int { framesSeen.count }
    /// Frames per capture file kept for the decoder corpus; large captures repeat themselves.
    let framesPerCapture = 120

    init(decoderDirectory: String, fileDirectory: String) {
        self.decoderDirectory = decoderDirectory
        self.fileDirectory = fileDirectory
    }

    mutating func addCapture(_ path: String) throws {
        let name = (path as NSString).lastPathComponent
        try writeFile(name, Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let reader: CaptureFileReader
        do { reader = try CaptureFileReader(path: path) } catch {
            print("seeds: \(error.description) (kept as a file seed only)")
            return
        }
        var count = 0
        while count < framesPerCapture, case .packet(_, let bytes) = reader.next() {
            try addFrame(Array(bytes), linkType: reader.linkType)
            count += 1
        }
    }

    mutating func addSynth() throws {
        var all: [SynthFrame] = []
        for scenario in SampleScenario.allCases {
            let frames = scenario.frames()
            try writeFile("synth-\(scenario.rawValue).pcap", PcapWriter.encode(frames))
            all += frames
        }
        for fault in FaultScenario.allCases {
            let frames = fault.build().frames
            try writeFile("synth-fault-\(fault.rawValue).pcap", PcapWriter.encode(frames))
            all += frames
        }
        for frame in all {
            try addFrame(frame.bytes, linkType: .ethernet)
        }
        let sample = SampleScenario.sameSegment.frames()
        try writeFile("variant-nanosecond.pcap", PcapWriter.encode(sample, precision: .nanoseconds))
        try writeFile("variant-big-endian.pcap", Self.bigEndian(PcapWriter.encode(sample)))
        try writeFile("variant-snaplen-96.pcap", PcapWriter.encode(sample, snaplen: 96))
        let whole = PcapWriter.encode(sample)
        try writeFile("variant-cut-mid-record.pcap", Array(whole.prefix(whole.count - 37)))
        let ipFrames = sample.compactMap { f in Self.ipPayload(f.bytes).map { SynthFrame(timestamp: f.timestamp, bytes: $0) } }
        try writeFile("variant-raw-ip.pcap", PcapWriter.encode(ipFrames, linkType: .raw))
        let sll2 = ipFrames.map { SynthFrame(timestamp: $0.timestamp, bytes: Self.sll2Header($0.bytes) + $0.bytes) }
        try writeFile("variant-sll2.pcap", PcapWriter.encode(sll2, linkType: .linuxSLL2))
        try writeFile("variant-two-interfaces.pcapng", Self.pcapng(SampleScenario.routed.frames(), unknownBlock: true))
    }

    /// The frame under its own link type, and an IP frame under every other link type that carries IP.
    private mutating func addFrame(_ bytes: [UInt8], linkType: LinkType) throws {
        guard let selector = DecoderFuzzInput.selector(for: linkType) else { return }
        try writeFrame([selector] + bytes)
        guard linkType == .ethernet, let ip = Self.ipPayload(bytes) else { return }
        let isIPv4 = ip.first.map { $0 >> 4 == 4 } ?? false
        let variants: [(LinkType, [UInt8])] = [
            (.raw, ip), (isIPv4 ? .ipv4 : .ipv6, ip),
            (.linuxSLL, Self.sllHeader(ip) + ip), (.linuxSLL2, Self.sll2Header(ip) + ip),
            (.null, [isIPv4 ? 2 : 10, 0, 0, 0] + ip), (.loop, [0, 0, 0, isIPv4 ? 2 : 24] + ip),
        ]
        for (type, frame) in variants {
            if let s = DecoderFuzzInput.selector(for: type) { try writeFrame([s] + frame) }
        }
    }

    /// libFuzzer would cut longer inputs to FuzzDecoder's -max_len anyway.
    static let maxFrameSeed = 16_384

    private mutating func writeFrame(_ whole: [UInt8]) throws {
        let input = Array(whole.prefix(Self.maxFrameSeed))
        guard framesSeen.insert(input).inserted else { return }
        try Data(input).write(to: URL(fileURLWithPath: "\(decoderDirectory)/frame-\(framesSeen.count)"))
    }

    private mutating func writeFile(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: "\(fileDirectory)/\(name)"))
        fileCount += 1
    }

    // MARK: link-layer conversions

    /// The IPv4/IPv6 packet of an untagged Ethernet frame.
    static func ipPayload(_ frame: [UInt8]) -> [UInt8]? {
        guard frame.count > 14 else { return nil }
        let type = UInt16(frame[12]) << 8 | UInt16(frame[13])
        return type == 0x0800 || type == 0x86DD ? Array(frame[14...]) : nil
    }

    static func etherType(of ip: [UInt8]) -> [UInt8] { ip.first.map { $0 >> 4 == 6 } == true ? [0x86, 0xDD] : [0x08, 0x00] }

    /// Linux cooked v1: packet type, ARPHRD_ETHER, address length 6, address padded to 8, protocol.
    static func sllHeader(_ ip: [UInt8]) -> [UInt8] {
        [0, 0, 0, 1, 0, 6, 0x00, 0x50, 0x56, 0xAA, 0x10, 0x11, 0, 0] + etherType(of: ip)
    }

    /// Linux cooked v2: protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address.
    static func sll2Header(_ ip: [UInt8]) -> [UInt8] {
        etherType(of: ip) + [0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 0x00, 0x50, 0x56, 0xAA, 0x10, 0x11, 0, 0]
    }

    // MARK: file variants

    /// A little-endian pcap file rewritten big-endian (header fields and record headers byte-swapped).
    static func bigEndian(_ file: [UInt8]) -> [UInt8] {
        var out = file
        func swap(_ at: Int, _ width: Int) { out[at..<(at + width)].reverse() }
        swap(0, 4); swap(4, 2); swap(6, 2)
        for field in stride(from: 8, to: 24, by: 4) { swap(field, 4) }
        var at = 24
        while at + 16 <= out.count {
            let captured = Int(file[at + 8]) | Int(file[at + 9]) << 8 | Int(file[at + 10]) << 16 | Int(file[at + 11]) << 24
            for field in stride(from: at, to: at + 16, by: 4) { swap(field, 4) }
            at += 16 + captured
        }
        return out
    }

    /// pcapng with two Ethernet interfaces (frames alternate between them) and, when asked, a block of an
    /// unknown type after the interface blocks, which readers must skip.
    static func pcapng(_ frames: [SynthFrame], unknownBlock: Bool) -> [UInt8] {
        let writer = PcapNGWriter(interfaces: [.init(name: "eth0"), .init(name: "eth1")])
        for (i, frame) in frames.enumerated() {
            try? writer.write(frame.bytes, timestamp: frame.timestamp, wireLength: frame.wireLength, interface: i % 2)
        }
        var bytes = writer.bytes
        guard unknownBlock, let firstPacket = firstBlock(ofType: 6, in: bytes) else { return bytes }
        let body: [UInt8] = Array("unknown block body".utf8) + [0, 0]  // 20 bytes, a multiple of 4
        let length = UInt32(12 + body.count)
        let block = le32(0x0BAD_0001) + le32(length) + body + le32(length)
        bytes.insert(contentsOf: block, at: firstPacket)
        return bytes
    }

    /// Offset of the first little-endian pcapng block of `type`.
    static func firstBlock(ofType type: UInt32, in bytes: [UInt8]) -> Int? {
        var at = 0
        while at + 8 <= bytes.count {
            let t = readLE32(bytes, at), length = Int(readLE32(bytes, at + 4))
            if t == type { return at }
            guard length >= 12 else { return nil }
            at += length
        }
        return nil
    }

    static func readLE32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
}
