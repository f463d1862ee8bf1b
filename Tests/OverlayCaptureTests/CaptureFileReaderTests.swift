import Foundation
import OverlayWire
import Testing
@testable import OverlayCapture

/// How a file's reading finished.
enum Ending: Equatable {
    case end
    case truncated(String)
}

/// Every packet of `reader` (bytes copied out), and how reading ended.
func readAll(_ reader: CaptureFileReader) -> (records: [CaptureRecord], frames: [[UInt8]], ending: Ending) {
    var records: [CaptureRecord] = []
    var frames: [[UInt8]] = []
    while true {
        switch reader.next() {
        case .packet(let record, let bytes):
            records.append(record)
            frames.append(Array(bytes))
        case .end, .timeout:
            return (records, frames, .end)
        case .truncatedFile(let warning):
            return (records, frames, .truncated(warning))
        }
    }
}

func layerKinds(_ frame: [UInt8], _ linkType: LinkType) -> [LayerKind] {
    PacketDecoder().decode(frame, linkType: linkType).layers.map(\.kind)
}

@Suite("Reading pcap and pcapng files")
struct CaptureFileReaderTests {
    let udpFrame = ethernet(ipv4UDP())
    let otherFrame = ethernet(ipv4UDP(destinationPort: 53, payload: Array("second packet".utf8)))

    @Test("pcap, microseconds, little-endian: records, bytes and timestamps scaled to nanoseconds")
    func pcapMicroseconds() throws {
        let dir = try TemporaryDirectory()
        let file = PcapBytes(records: [.init(seconds: 1_700_000_000, fraction: 123_456, data: udpFrame),
                                       .init(seconds: 1_700_000_001, fraction: 999_999, data: otherFrame)])
        let reader = try CaptureFileReader(path: try dir.file("micro.pcap", file.bytes))
        #expect(reader.linkType == .ethernet)
        #expect(!reader.isNanosecond)
        let read = readAll(reader)
        #expect(read.ending == .end)
        #expect(read.frames == [udpFrame, otherFrame])
        #expect(read.records.map(\.timestamp) == [Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_000),
                                                  Timestamp(seconds: 1_700_000_001, nanoseconds: 999_999_000)])
        #expect(read.records.map(\.capturedLength) == [udpFrame.count, otherFrame.count])
        #expect(read.records.map(\.wireLength) == [udpFrame.count, otherFrame.count])
        #expect(reader.packetsRead == 2)
        if case .end = reader.next() {} else { Issue.record("reading past the end must keep returning .end") }
        #expect(layerKinds(read.frames[0], reader.linkType) == [.ethernet, .ipv4, .udp])
    }

    @Test("pcap, nanoseconds: timestamps are exact")
    func pcapNanoseconds() throws {
        let dir = try TemporaryDirectory()
        let file = PcapBytes(nanosecond: true, records: [.init(seconds: 1_600_000_000, fraction: 123_456_789,
                                                               data: udpFrame)])
        let reader = try CaptureFileReader(path: try dir.file("nano.pcap", file.bytes))
        #expect(reader.isNanosecond)
        let read = readAll(reader)
        #expect(read.records.map(\.timestamp) == [Timestamp(seconds: 1_600_000_000, nanoseconds: 123_456_789)])
        #expect(read.frames == [udpFrame])
    }

    @Test("big-endian pcap files, micro and nano", arguments: [false, true])
    func bigEndian(nanosecond: Bool) throws {
        let dir = try TemporaryDirectory()
        let file = PcapBytes(bigEndian: true, nanosecond: nanosecond,
                             records: [.init(seconds: 0x0102_0304, fraction: 5678, data: udpFrame, wireLength: 1500)])
        let reader = try CaptureFileReader(path: try dir.file("be.pcap", file.bytes))
        #expect(reader.isNanosecond == nanosecond)
        #expect(reader.linkType == .ethernet)
        let read = readAll(reader)
        #expect(read.records == [CaptureRecord(timestamp: Timestamp(seconds: 0x0102_0304,
                                                                    nanoseconds: nanosecond ? 5678 : 5_678_000),
                                               capturedLength: udpFrame.count, wireLength: 1500)])
        #expect(read.frames == [udpFrame])
    }

    @Test("pcapng with two Ethernet interfaces of different timestamp resolutions")
    func pcapngTwoInterfaces() throws {
        let dir = try TemporaryDirectory()
        let file = PcapngBytes(
            interfaces: [.init(), .init(timestampResolution: 9)],
            packets: [.init(interface: 0, timestamp: 1_700_000_000_123_456, data: udpFrame),
                      .init(interface: 1, timestamp: 1_700_000_000_500_000_001, data: otherFrame, wireLength: 9000),
                      .init(interface: 0, timestamp: 1_700_000_001_000_000, data: udpFrame)])
        let reader = try CaptureFileReader(path: try dir.file("two.pcapng", file.bytes))
        #expect(reader.linkType == .ethernet)
        #expect(!reader.isNanosecond)
        let read = readAll(reader)
        #expect(read.ending == .end)
        #expect(read.frames == [udpFrame, otherFrame, udpFrame])
        #expect(read.records.map(\.timestamp) == [Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_000),
                                                  Timestamp(seconds: 1_700_000_000, nanoseconds: 500_000_001),
                                                  Timestamp(seconds: 1_700_000_001, nanoseconds: 0)])
        #expect(read.records[1].wireLength == 9000)
    }

    @Test("pcapng cut in the middle of a block keeps the packets before it")
    func truncatedPcapng() throws {
        let dir = try TemporaryDirectory()
        let file = PcapngBytes(interfaces: [.init()],
                               packets: [.init(interface: 0, timestamp: 1_000_000, data: udpFrame),
                                         .init(interface: 0, timestamp: 2_000_000, data: otherFrame)])
        let path = try dir.file("cut.pcapng", Array(file.bytes.dropLast(6)))
        let read = readAll(try CaptureFileReader(path: path))
        #expect(read.frames == [udpFrame])
        guard case .truncated(let warning) = read.ending else {
            Issue.record("expected a truncation warning, got \(read.ending)")
            return
        }
        #expect(warning.contains("'\(path)' is cut in the middle of a record; 1 packet was read before it"))
        #expect(warning.contains("truncated pcapng dump file"))
    }

    @Test("pcapng whose interfaces mix link types: libpcap cannot read it, the warning says what to do")
    func pcapngMixedLinkTypes() throws {
        let dir = try TemporaryDirectory()
        let file = PcapngBytes(interfaces: [.init(), .init(linkType: 113)],
                               packets: [.init(interface: 0, timestamp: 1, data: udpFrame),
                                         .init(interface: 1, timestamp: 2, data: linuxCooked(ipv4UDP()))])
        let reader = try CaptureFileReader(path: try dir.file("mixed.pcapng", file.bytes))
        #expect(reader.linkType == .ethernet)
        let read = readAll(reader)
        guard case .truncated(let warning) = read.ending else {
            Issue.record("expected a warning, got \(read.ending)")
            return
        }
        #expect(warning.contains("mixes link types across its pcapng interfaces"))
        #expect(warning.contains("tshark -r in.pcapng"))
    }

    struct LinkCase: Sendable, CustomTestStringConvertible {
        var fileLinkType: UInt32
        var frame: [UInt8]
        var expected: LinkType
        var layers: [LayerKind]
        var testDescription: String { "file link type \(fileLinkType)" }
    }

    static let linkCases: [LinkCase] = [
        LinkCase(fileLinkType: 113, frame: linuxCooked(ipv4UDP()), expected: .linuxSLL, layers: [.sll, .ipv4, .udp]),
        LinkCase(fileLinkType: 276, frame: linuxCookedV2(ipv4UDP()), expected: .linuxSLL2,
                 layers: [.sll, .ipv4, .udp]),
        LinkCase(fileLinkType: 101, frame: ipv4UDP(), expected: .raw, layers: [.ipv4, .udp]),
        LinkCase(fileLinkType: 12, frame: ipv6UDP(), expected: .raw, layers: [.ipv6, .udp]),
        LinkCase(fileLinkType: 14, frame: ipv4UDP(), expected: .raw, layers: [.ipv4, .udp]),
        LinkCase(fileLinkType: 228, frame: ipv4UDP(), expected: .ipv4, layers: [.ipv4, .udp]),
        LinkCase(fileLinkType: 229, frame: ipv6UDP(), expected: .ipv6, layers: [.ipv6, .udp]),
        LinkCase(fileLinkType: 0, frame: le32(2) + ipv4UDP(), expected: .null, layers: [.loopback, .ipv4, .udp]),
        LinkCase(fileLinkType: 108, frame: [0, 0, 0, 2] + ipv4UDP(), expected: .loop,
                 layers: [.loopback, .ipv4, .udp]),
    ]

    @Test("supported link types come out as LINKTYPE values the decoder understands", arguments: linkCases)
    func linkTypes(_ c: LinkCase) throws {
        let dir = try TemporaryDirectory()
        let file = PcapBytes(linkType: c.fileLinkType, records: [.init(seconds: 1, fraction: 0, data: c.frame)])
        let reader = try CaptureFileReader(path: try dir.file("link.pcap", file.bytes))
        #expect(reader.linkType == c.expected)
        let read = readAll(reader)
        #expect(read.frames == [c.frame])
        #expect(layerKinds(c.frame, reader.linkType) == c.layers)
    }

    @Test("an unsupported link type is refused at open time, naming it")
    func unsupportedLinkType() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.file("wifi.pcap", PcapBytes(linkType: 105, records: [.init(seconds: 1, fraction: 0,
                                                                                      data: [1, 2, 3])]).bytes)
        let error = #expect(throws: CaptureError.self) { try CaptureFileReader(path: path) }
        #expect(error == .unsupportedLinkType(path: path, LinkType(rawValue: 105)))
        #expect(error?.description.contains("unsupported link type 105 (IEEE802_11)") == true)
        #expect(error?.exitCode == 2)
    }

    @Test("a file cut in the middle of a record yields the complete packets, then a warning")
    func truncatedMidRecord() throws {
        let dir = try TemporaryDirectory()
        let whole = PcapBytes(records: [.init(seconds: 1, fraction: 0, data: udpFrame),
                                        .init(seconds: 2, fraction: 0, data: otherFrame),
                                        .init(seconds: 3, fraction: 0, data: udpFrame)]).bytes
        let path = try dir.file("cut.pcap", Array(whole.dropLast(10)))
        let read = readAll(try CaptureFileReader(path: path))
        #expect(read.frames == [udpFrame, otherFrame])
        guard case .truncated(let warning) = read.ending else {
            Issue.record("expected a truncation warning, got \(read.ending)")
            return
        }
        #expect(warning.contains("'\(path)' is cut in the middle of a record"))
        #expect(warning.contains("2 packets were read"))
        #expect(warning.contains("only got \(udpFrame.count - 10)"))
        #expect(!warning.contains("\n"))
    }

    @Test("a file cut inside a record header is reported the same way")
    func truncatedInRecordHeader() throws {
        let dir = try TemporaryDirectory()
        let whole = PcapBytes(records: [.init(seconds: 1, fraction: 0, data: udpFrame)]).bytes
        let read = readAll(try CaptureFileReader(path: try dir.file("cut.pcap", whole + [1, 2, 3, 4, 5, 6])))
        #expect(read.frames == [udpFrame])
        #expect(read.ending == .truncated(
            "overlaytrace: warning: '\(dir.path)/cut.pcap' is cut in the middle of a record; 1 packet was read "
            + "before it (libpcap: truncated dump file; tried to read 16 header bytes, only got 6)"))
    }

    @Test("a record longer than 256 KiB stops reading with a clear reason, never a crash")
    func oversizedRecord() throws {
        let dir = try TemporaryDirectory()
        var file = PcapBytes(snaplen: 262_144, records: [.init(seconds: 1, fraction: 0, data: udpFrame)])
        file.records.append(.init(seconds: 2, fraction: 0, data: [0xAB], capturedLength: 300_000,
                                  wireLength: 300_000))
        let read = readAll(try CaptureFileReader(path: try dir.file("huge.pcap", file.bytes)))
        #expect(read.frames == [udpFrame])
        guard case .truncated(let warning) = read.ending else {
            Issue.record("expected a warning, got \(read.ending)")
            return
        }
        #expect(warning.contains("damaged record"))
        #expect(warning.contains("1 packet was read"))
        #expect(warning.contains("300000"))
    }

    @Test("a record longer than the file's snaplen (but under 256 KiB) never crashes")
    func recordOverSnaplen() throws {
        let dir = try TemporaryDirectory()
        let big = ethernet(ipv4UDP(payload: [UInt8](repeating: 7, count: 150)))
        let file = PcapBytes(snaplen: 64, records: [.init(seconds: 1, fraction: 0, data: big),
                                                    .init(seconds: 2, fraction: 0, data: udpFrame)])
        let read = readAll(try CaptureFileReader(path: try dir.file("snap.pcap", file.bytes)))
        // libpcap keeps the first snaplen bytes of an over-long record and skips the rest of it.
        #expect(read.ending == .end)
        #expect(read.frames == [Array(big.prefix(64)), udpFrame])
        #expect(read.records.first?.wireLength == big.count)
    }

    @Test("a fraction of a second ≥ 1 s in a damaged file carries into the seconds")
    func timestampCarry() throws {
        let dir = try TemporaryDirectory()
        let file = PcapBytes(nanosecond: true, records: [.init(seconds: 10, fraction: 1_500_000_000, data: udpFrame),
                                                         .init(seconds: 10, fraction: 0xFFFF_FFFF, data: udpFrame)])
        let read = readAll(try CaptureFileReader(path: try dir.file("carry.pcap", file.bytes)))
        #expect(read.records.first?.timestamp == Timestamp(seconds: 11, nanoseconds: 500_000_000))
        // libpcap reads the fraction as a signed 32-bit field (-1 here): still a valid timestamp, never a trap.
        #expect(read.records.last?.timestamp == Timestamp(seconds: 9, nanoseconds: 999_999_999))
    }

    @Test("a BPF filter selects packets; packetsRead counts what passed")
    func goodFilter() throws {
        let dir = try TemporaryDirectory()
        let file = PcapBytes(records: [.init(seconds: 1, fraction: 0, data: udpFrame),
                                       .init(seconds: 2, fraction: 0, data: otherFrame),
                                       .init(seconds: 3, fraction: 0, data: udpFrame)])
        let reader = try CaptureFileReader(path: try dir.file("f.pcap", file.bytes), filter: "udp dst port 53")
        let read = readAll(reader)
        #expect(read.frames == [otherFrame])
        #expect(read.records.map(\.timestamp.seconds) == [2])
        #expect(reader.packetsRead == 1)
    }

    @Test("a bad filter expression is refused with libpcap's message")
    func badFilter() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.file("f.pcap", PcapBytes(records: [.init(seconds: 1, fraction: 0, data: udpFrame)]).bytes)
        let error = #expect(throws: CaptureError.self) { try CaptureFileReader(path: path, filter: "udp port banana") }
        guard case .badFilter(let expression, let message)? = error else {
            Issue.record("expected badFilter, got \(String(describing: error))")
            return
        }
        #expect(expression == "udp port banana")
        #expect(message.contains("banana"))
        #expect(error?.exitCode == 2)
        #expect(error?.description.hasPrefix("overlaytrace: bad capture filter 'udp port banana': ") == true)
    }
}
