import Foundation
import OverlayWire
import Testing
@testable import OverlayCapture

@Suite("Several files as one timeline")
struct CaptureTimelineTests {
    /// A frame whose payload names it, so the order can be checked from the bytes handed to the body.
    func tagged(_ tag: String) -> [UInt8] { ethernet(ipv4UDP(payload: Array(tag.utf8))) }
    func tag(of bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes.suffix(2), as: UTF8.self) }

    func collect(_ timeline: CaptureTimeline) -> [(info: FrameInfo, tag: String)] {
        var seen: [(FrameInfo, String)] = []
        timeline.forEach { info, bytes in seen.append((info, tag(of: bytes))) }
        return seen
    }

    @Test("two files merge by timestamp; equal timestamps keep file order; frames numbered 1.. across files")
    func mergeOrder() throws {
        let dir = try TemporaryDirectory()
        let a = PcapBytes(records: [.init(seconds: 1, fraction: 0, data: tagged("a1")),
                                    .init(seconds: 3, fraction: 0, data: tagged("a3")),
                                    .init(seconds: 5, fraction: 0, data: tagged("a5"))])
        // Nanosecond file: its 3 s record ties with a3 exactly.
        let b = PcapBytes(nanosecond: true, linkType: 113,
                          records: [.init(seconds: 2, fraction: 0, data: linuxCooked(ipv4UDP(payload: Array("b2".utf8)))),
                                    .init(seconds: 3, fraction: 0, data: linuxCooked(ipv4UDP(payload: Array("b3".utf8)))),
                                    .init(seconds: 4, fraction: 1, data: linuxCooked(ipv4UDP(payload: Array("b4".utf8))))])
        let timeline = try CaptureTimeline(paths: [try dir.file("a.pcap", a.bytes), try dir.file("b.pcap", b.bytes)])
        #expect(timeline.linkTypes == [.ethernet, .linuxSLL])
        let seen = collect(timeline)
        #expect(seen.map(\.tag) == ["a1", "b2", "a3", "b3", "b4", "a5"])
        #expect(seen.map(\.info.number) == [1, 2, 3, 4, 5, 6])
        #expect(seen.map(\.info.fileIndex) == [0, 1, 0, 1, 1, 0])
        #expect(seen.map(\.info.linkType) == [.ethernet, .linuxSLL, .ethernet, .linuxSLL, .linuxSLL, .ethernet])
        #expect(seen[4].info.timestamp == Timestamp(seconds: 4, nanoseconds: 1))
        #expect(seen[0].info.capturedLength == tagged("a1").count)
        #expect(timeline.warnings.isEmpty)
        #expect(timeline.framesDelivered == 6)
        #expect(collect(timeline).isEmpty, "a timeline is a single pass")
    }

    @Test("a single file goes straight through, with a filter")
    func singleFile() throws {
        let dir = try TemporaryDirectory()
        let file = PcapBytes(records: [.init(seconds: 1, fraction: 0, data: tagged("x1")),
                                       .init(seconds: 2, fraction: 0, data: ethernet(ipv4UDP(destinationPort: 53,
                                                                                             payload: Array("x2".utf8))))])
        let timeline = try CaptureTimeline(paths: [try dir.file("x.pcap", file.bytes)], filter: "udp port 53")
        let seen = collect(timeline)
        #expect(seen.map(\.tag) == ["x2"])
        #expect(seen.map(\.info.number) == [1])
        #expect(seen.first?.info.timestamp == Timestamp(seconds: 2, nanoseconds: 0))
    }

    @Test("a truncated file adds a warning and the other files go on")
    func truncatedFileWarning() throws {
        let dir = try TemporaryDirectory()
        let whole = PcapBytes(records: [.init(seconds: 1, fraction: 0, data: tagged("c1")),
                                        .init(seconds: 3, fraction: 0, data: tagged("c3"))]).bytes
        let cut = try dir.file("cut.pcap", Array(whole.dropLast(5)))
        let other = try dir.file("ok.pcap", PcapBytes(records: [.init(seconds: 2, fraction: 0, data: tagged("o2")),
                                                                 .init(seconds: 4, fraction: 0, data: tagged("o4"))]).bytes)
        let timeline = try CaptureTimeline(paths: [cut, other])
        #expect(collect(timeline).map(\.tag) == ["c1", "o2", "o4"])
        #expect(timeline.warnings.count == 1)
        #expect(timeline.warnings.first?.contains("'\(cut)' is cut in the middle of a record; 1 packet was read") == true)
    }

    @Test("opening fails with the first bad file's error; stdin can be named only once")
    func openErrors() throws {
        let dir = try TemporaryDirectory()
        let good = try dir.file("g.pcap", PcapBytes(records: [.init(seconds: 1, fraction: 0, data: tagged("g1"))]).bytes)
        let missing = dir.path + "/missing.pcap"
        #expect(throws: CaptureError.fileNotFound(missing)) { try CaptureTimeline(paths: [good, missing]) }
        #expect(throws: CaptureError.readFailed(path: "-", message: "standard input can be given only once")) {
            try CaptureTimeline(paths: ["-", good, "-"])
        }
    }

    @Test("an error thrown by the body stops the pass and reaches the caller")
    func bodyThrows() throws {
        struct Stop: Error {}
        let dir = try TemporaryDirectory()
        let file = PcapBytes(records: [.init(seconds: 1, fraction: 0, data: tagged("s1")),
                                       .init(seconds: 2, fraction: 0, data: tagged("s2"))])
        let timeline = try CaptureTimeline(paths: [try dir.file("s.pcap", file.bytes), try dir.file("t.pcap", file.bytes)])
        var calls = 0
        #expect(throws: Stop.self) {
            try timeline.forEach { _, _ in
                calls += 1
                if calls == 2 { throw Stop() }
            }
        }
        #expect(calls == 2)
    }
}
