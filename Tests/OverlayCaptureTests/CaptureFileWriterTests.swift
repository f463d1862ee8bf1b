import Foundation
import OverlayWire
import Testing
@testable import OverlayCapture

@Suite("Writing pcap files")
struct CaptureFileWriterTests {
    let frames = [ethernet(ipv4UDP()), ethernet(ipv4UDP(destinationPort: 53)), ethernet([])]
    let times = [Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789),
                 Timestamp(seconds: 1_700_000_001, nanoseconds: 1),
                 Timestamp(seconds: 1_700_000_002, nanoseconds: 999_999_999)]

    func write(_ path: String, linkType: LinkType = .ethernet, nanosecond: Bool, snaplen: Int = 262144,
               frames: [[UInt8]], wireExtra: Int = 0) throws {
        let writer = try CaptureFileWriter(path: path, linkType: linkType, snaplen: snaplen, nanosecond: nanosecond)
        for (frame, time) in zip(frames, times) {
            frame.withUnsafeBytes {
                writer.write(CaptureRecord(timestamp: time, capturedLength: frame.count,
                                           wireLength: frame.count + wireExtra), $0)
            }
        }
        #expect(writer.packetsWritten == frames.count)
        try writer.flush()
        writer.close()
        writer.close()  // idempotent
        #expect(writer.failure == nil)
    }

    @Test("microsecond round trip: same bytes and lengths, timestamps cut to microseconds")
    func microRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/out.pcap"
        try write(path, nanosecond: false, frames: frames, wireExtra: 4)
        let header = Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(24))
        #expect(Array(header.prefix(4)) == le32(0xA1B2_C3D4))
        #expect(Array(header[16..<24]) == le32(262_144) + le32(1))
        let reader = try CaptureFileReader(path: path)
        #expect(reader.linkType == .ethernet)
        #expect(!reader.isNanosecond)
        let read = readAll(reader)
        #expect(read.ending == .end)
        #expect(read.frames == frames)
        #expect(read.records.map(\.wireLength) == frames.map { $0.count + 4 })
        #expect(read.records.map(\.timestamp) == times.map {
            Timestamp(seconds: $0.seconds, nanoseconds: $0.nanoseconds / 1000 * 1000)
        })
    }

    @Test("nanosecond round trip keeps timestamps exact; raw IP and SLL2 keep their LINKTYPE",
          arguments: [LinkType.raw, .linuxSLL2, .ethernet])
    func nanoRoundTrip(linkType: LinkType) throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/out.pcap"
        try write(path, linkType: linkType, nanosecond: true, frames: [ipv4UDP(), ipv6UDP()])
        let header = Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(24))
        #expect(Array(header.prefix(4)) == le32(0xA1B2_3C4D))
        #expect(Array(header[20..<24]) == le32(UInt32(linkType.rawValue)))  // LINKTYPE in the file, not the DLT
        let reader = try CaptureFileReader(path: path)
        #expect(reader.linkType == linkType)
        #expect(reader.isNanosecond)
        let read = readAll(reader)
        #expect(read.frames == [ipv4UDP(), ipv6UDP()])
        #expect(read.records.map(\.timestamp) == Array(times.prefix(2)))
    }

    @Test("records longer than the snaplen are cut; the wire length stays")
    func snaplenCut() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/cut.pcap"
        try write(path, nanosecond: false, snaplen: 20, frames: [frames[0]])
        let read = readAll(try CaptureFileReader(path: path))
        #expect(read.frames == [Array(frames[0].prefix(20))])
        #expect(read.records.map(\.wireLength) == [frames[0].count])
    }

    @Test("unwritable destinations are refused with writeFailed")
    func badDestinations() throws {
        let dir = try TemporaryDirectory()
        let intoDirectory = #expect(throws: CaptureError.self) {
            try CaptureFileWriter(path: dir.path, linkType: .ethernet)
        }
        #expect(intoDirectory == .writeFailed(path: dir.path, message: "it is a directory"))
        let missing = dir.path + "/no/such/dir.pcap"
        let error = #expect(throws: CaptureError.self) { try CaptureFileWriter(path: missing, linkType: .ethernet) }
        guard case .writeFailed(let path, let message)? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(path == missing)
        #expect(message.contains("No such file or directory"))
        #expect(error?.exitCode == 2)
    }
}
