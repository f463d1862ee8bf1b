import Foundation
import OverlayWire
import Testing
@testable import OverlayCapture

/// The public corpus (MANIFEST.md there), read in place, never copied into the repository.
let corpus = corpusDirectory()

@Suite("Public corpus files", .enabled(if: corpus != nil,
    "public corpus not found: set OVERLAYTRACE_CORPUS or place shared/corpus/public beside the repository"))
struct CorpusCaptureTests {
    func path(_ name: String) -> String { (corpus ?? "") + "/" + name }

    @Test("tcpdump-geneve.pcap: 39 Ethernet packets, timestamps as tcpdump prints them")
    func tcpdumpGeneve() throws {
        let reader = try CaptureFileReader(path: path("tcpdump-geneve.pcap"))
        #expect(reader.linkType == .ethernet)
        #expect(!reader.isNanosecond)
        let read = readAll(reader)
        #expect(read.ending == .end)
        #expect(read.records.count == 39)
        // `tcpdump -tt -r`: first 1422828273.817203, last 1422828275.817506; frame 1 is 156 bytes (tshark oracle).
        #expect(read.records.first?.timestamp == Timestamp(seconds: 1_422_828_273, nanoseconds: 817_203_000))
        #expect(read.records.last?.timestamp == Timestamp(seconds: 1_422_828_275, nanoseconds: 817_506_000))
        #expect(read.records.first?.capturedLength == 156)
        #expect(read.records.allSatisfy { $0.capturedLength == $0.wireLength })
        let decoded = PacketDecoder().decode(read.frames[0], linkType: reader.linkType)
        #expect(decoded.isTunneled)
    }

    @Test("libpcap's BPF agrees with tcpdump's outputs in the corpus",
          arguments: [("geneve 0xb", 20), ("geneve and tcp", 33)])
    func filters(expression: String, expected: Int) throws {
        let reader = try CaptureFileReader(path: path("tcpdump-geneve.pcap"), filter: expression)
        let read = readAll(reader)
        #expect(read.records.count == expected)
    }

    @Test("zeek-geneve-truncated.pcapng: one packet, 58 of 156 bytes captured")
    func zeekTruncatedPcapng() throws {
        let reader = try CaptureFileReader(path: path("zeek-geneve-truncated.pcapng"))
        #expect(reader.linkType == .ethernet)
        let read = readAll(reader)
        #expect(read.ending == .end)
        #expect(read.records.map(\.capturedLength) == [58])
        #expect(read.records.map(\.wireLength) == [156])
        #expect(read.frames.first?.count == 58)
    }

    @Test("a timeline over two corpus files keeps every packet and time order")
    func timelineOfTwo() throws {
        let timeline = try CaptureTimeline(paths: [path("tcpdump-geneve.pcap"), path("zeek-geneve.pcap")])
        var count = 0
        var previous: Timestamp?
        var ordered = true
        timeline.forEach { info, bytes in
            count += 1
            if let previous, info.timestamp < previous { ordered = false }
            previous = info.timestamp
            #expect(bytes.count == info.capturedLength)
        }
        let zeekCount = readAll(try CaptureFileReader(path: path("zeek-geneve.pcap"))).records.count
        #expect(count == 39 + zeekCount)
        #expect(ordered)
        #expect(timeline.warnings.isEmpty)
    }
}
