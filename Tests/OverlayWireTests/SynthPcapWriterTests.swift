import Foundation
import OverlaySynth
import OverlayWire
import Testing

@Suite("PcapWriter and PcapNGWriter")
struct SynthPcapWriterTests {
    static func le32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
    let t0 = Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789)

    @Test func classicPcapLayoutWithTruncatedRecord() throws {
        let w = PcapWriter(snaplen: 64)
        let frame = [UInt8](0..<100)
        try w.write(frame, timestamp: t0)
        try w.write([1, 2, 3], timestamp: t0, wireLength: 1514)
        let b = w.bytes
        #expect(Self.le32(b, 0) == 0xA1B2_C3D4)
        #expect(b[4] == 2 && b[6] == 4)
        #expect(Self.le32(b, 16) == 64 && Self.le32(b, 20) == 1)
        // Record 1: cut at the snaplen, wire length kept.
        #expect(Self.le32(b, 24) == 1_700_000_000 && Self.le32(b, 28) == 123_456)
        #expect(Self.le32(b, 32) == 64 && Self.le32(b, 36) == 100)
        #expect(Array(b[40..<104]) == Array(frame[0..<64]))
        // Record 2: the caller's wire length.
        #expect(Self.le32(b, 112) == 3 && Self.le32(b, 116) == 1514)
        #expect(b.count == 24 + 16 + 64 + 16 + 3)
        #expect(w.recordCount == 2)
    }

    @Test func nanosecondMagicAndFraction() throws {
        let w = PcapWriter(linkType: .raw, precision: .nanoseconds)
        try w.write([0x45], timestamp: t0)
        #expect(Self.le32(w.bytes, 0) == 0xA1B2_3C4D && Self.le32(w.bytes, 20) == 101)
        #expect(Self.le32(w.bytes, 28) == 123_456_789)
    }

    @Test func fileOutputMatchesMemoryAcrossChunkFlushes() throws {
        let frames = (0..<300).map { i in
            SynthFrame(timestamp: Timestamp(seconds: Int64(i), nanoseconds: 0), bytes: [UInt8](repeating: UInt8(i & 0xFF), count: 60 + i))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("synth-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let w = try PcapWriter(path: path, bufferSize: 4096)
        try w.write(frames)
        try w.close()
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(onDisk == PcapWriter.encode(frames))
        #expect(throws: CaptureWriteError.self) { try PcapWriter(path: "/nonexistent-dir/x.pcap") }
    }

    @Test func pcapngBlocksAreWellFormed() throws {
        let w = PcapNGWriter(interfaces: [.init(name: "vmk10"), .init(name: "uplink", snaplen: 8)])
        try w.write([UInt8](1...10), timestamp: t0, interface: 1)
        try w.write([UInt8](1...5), timestamp: t0, interface: 0)
        #expect(throws: CaptureWriteError.self) { try w.write([1], timestamp: t0, interface: 2) }
        let b = w.bytes
        var blocks: [(type: UInt32, body: ArraySlice<UInt8>)] = []
        var at = 0
        while at + 12 <= b.count {
            let len = Int(Self.le32(b, at + 4))
            #expect(len % 4 == 0 && len >= 12 && at + len <= b.count)
            guard len >= 12, at + len <= b.count else { break }
            #expect(Self.le32(b, at + len - 4) == UInt32(len))
            blocks.append((Self.le32(b, at), b[(at + 8)..<(at + len - 4)]))
            at += len
        }
        #expect(at == b.count)
        #expect(blocks.map(\.type) == [0x0A0D_0D0A, 1, 1, 6, 6])
        let epb = Array(blocks[3].body)
        #expect(Self.le32(epb, 0) == 1)
        let ns = UInt64(Self.le32(epb, 4)) << 32 | UInt64(Self.le32(epb, 8))
        #expect(ns == UInt64(t0.totalNanoseconds))
        #expect(Self.le32(epb, 12) == 8 && Self.le32(epb, 16) == 10)  // cut at interface 1's snaplen
        #expect(Array(epb[20..<28]) == [UInt8](1...8))
    }

    @Test func tsharkReadsBothFormats() throws {
        let frame = SynthFixtures.geneveFrame(.geneve(vni: 71680), inner: SynthFixtures.innerTCP)
        let ng = PcapNGWriter(interfaces: [.init(name: "a"), .init(name: "b")])
        try ng.write(frame, timestamp: t0, interface: 1)
        let pcap = PcapWriter.encode([SynthFrame(timestamp: t0, bytes: frame)], precision: .nanoseconds)
        for file in [ng.bytes, pcap] {
            guard let rows = try TShark.fields(file, ["frame.time_epoch", "geneve.vni", "_ws.malformed"]) else { return }
            #expect(rows.count == 1)
            #expect(rows.first?[0].hasPrefix("1700000000.123456789") == true, "\(rows)")
            #expect(rows.first.flatMap { TShark.number($0[1]) } == 71680 && rows.first?[2] == "")
        }
    }
}
