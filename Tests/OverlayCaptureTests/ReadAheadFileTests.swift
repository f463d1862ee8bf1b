import Foundation
import OverlayWire
import Testing
@testable import OverlayCapture

/// Calls `work` on a thread of its own until stopped (a helper reading ahead while the test reads).
final class Helper: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var finished = false

    init(_ work: @escaping @Sendable () -> Bool) {
        let thread = Thread { [self] in
            while true {
                lock.lock()
                let stop = stopped
                lock.unlock()
                if stop { break }
                if !work() { sched_yield() }
            }
            lock.lock()
            finished = true
            lock.unlock()
        }
        thread.start()
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        while true {
            lock.lock()
            let done = finished
            lock.unlock()
            if done { return }
            usleep(100)
        }
    }
}

@Suite("Reading a capture ahead on another thread")
struct ReadAheadFileTests {
    /// Deterministic bytes.
    static func bytes(_ count: Int) -> [UInt8] {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: x >> 56)
        }
    }

    /// Everything `stream` gives, read in pieces of the given sizes in turn.
    static func drain(_ stream: UnsafeMutablePointer<FILE>, pieces: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: pieces.max()!)
        var i = 0
        while true {
            let want = pieces[i % pieces.count]
            i += 1
            let got = fread(&buffer, 1, want, stream)
            out += buffer[0..<got]
            if got < want { return out }
        }
    }

    @Test("the stream is the file's bytes: small blocks and rings, sizes on and off block edges, with and without a helper",
          arguments: [false, true])
    func streamIsTheFile(helped: Bool) throws {
        let dir = try TemporaryDirectory()
        for (blockSize, blocks) in [(1, 2), (7, 3), (64, 2), (1000, 8), (4096, 3)] {
            for size in [0, 1, blockSize, 3 * blockSize, 3 * blockSize + 1, 20_000] {
                let content = Self.bytes(size)
                let path = try dir.file("f-\(blockSize)-\(blocks)-\(size)", content)
                let file = ReadAheadFile(fd: open(path, O_RDONLY), ring: .init(blockSize: blockSize, blocks: blocks))
                let helper = helped ? Helper { file.fill() } : nil
                let stream = try #require(file.openStream())
                let read = Self.drain(stream, pieces: [1, 13, 4096, 5])
                #expect(ferror(stream) == 0)
                fclose(stream)
                helper?.stop()
                #expect(read == content, "block \(blockSize) × \(blocks), \(size) bytes, helper \(helped)")
                #expect(!file.fill(), "nothing is read ahead after the end or once closed")
            }
        }
    }

    @Test("a read error ends the stream as an error (errno kept), not as the end of the file")
    func readError() throws {
        let dir = try TemporaryDirectory()
        let fd = open(dir.path, O_RDONLY)  // pread on a directory fails with EISDIR
        #expect(fd >= 0)
        let file = ReadAheadFile(fd: fd, ring: .init(blockSize: 4096, blocks: 2))
        let stream = try #require(file.openStream())
        var buffer = [UInt8](repeating: 0, count: 64)
        errno = 0
        #expect(fread(&buffer, 1, 64, stream) == 0)
        #expect(ferror(stream) != 0)
        #expect(errno == EISDIR)
        fclose(stream)
    }

    /// A pcap of `count` records of varied sizes (so records straddle the blocks).
    static func capture(records count: Int) -> PcapBytes {
        PcapBytes(records: (0..<count).map { i in
            let payload = bytes(40 + (i * 37) % 1400)
            return .init(seconds: UInt32(1_700_000_000 + i / 1000), fraction: UInt32(i % 1000) * 1000,
                         data: ethernet(ipv4UDP(sourcePort: UInt16(1024 + i % 5000), payload: payload)))
        })
    }

    @Test("a capture read ahead by a racing helper reads as the plain file does; cut mid-record, the same warning")
    func captureReadAhead() throws {
        let dir = try TemporaryDirectory()
        let whole = Self.capture(records: 2_500).bytes
        #expect(whole.count > 4 * ReadAheadFile.Ring.standard.blockSize)
        let cases = [("whole.pcap", whole, ReadAheadFile.Ring.standard), ("cut.pcap", Array(whole.dropLast(300)), .standard),
                     ("small-blocks.pcap", whole, .init(blockSize: 1_000, blocks: 3)),
                     ("small-blocks-cut.pcap", Array(whole.dropLast(300)), .init(blockSize: 997, blocks: 2))]
        for (name, content, ring) in cases {
            let path = try dir.file(name, content)
            let plain = readAll(try CaptureFileReader(path: path))
            let reader = try CaptureFileReader(path: path, readAhead: ring)
            let file = try #require(reader.readAheadFile)
            // Blocks read ahead before libpcap asks (as a helper that got there first), then a helper racing it.
            #expect(file.fill())
            let helper = Helper { file.fill() }
            let ahead = readAll(reader)
            helper.stop()
            #expect(ahead.frames == plain.frames, "\(name)")
            #expect(ahead.records == plain.records, "\(name)")
            #expect(ahead.ending == plain.ending, "\(name)")
        }
        let plainEnding = readAll(try CaptureFileReader(path: dir.path + "/cut.pcap")).ending
        guard case .truncated = plainEnding else {
            Issue.record("the cut file should end with a truncation warning")
            return
        }
    }

    @Test("a timeline of read-ahead files merges as the plain timeline does; standard input is never read ahead")
    func timeline() throws {
        let dir = try TemporaryDirectory()
        let a = try dir.file("a.pcap", Self.capture(records: 1_200).bytes)
        let b = try dir.file("b.pcap", Self.capture(records: 900).bytes)
        func frames(_ t: CaptureTimeline) -> [(FrameInfo, [UInt8])] {
            var out: [(FrameInfo, [UInt8])] = []
            t.forEach { info, bytes in out.append((info, Array(bytes))) }
            return out
        }
        let plain = frames(try CaptureTimeline(paths: [a, b]))
        let ahead = try CaptureTimeline(paths: [a, b], readAhead: .init(blockSize: 4_096, blocks: 4))
        let work = try #require(ahead.readAheadWork)
        let helper = Helper(work)
        let read = frames(ahead)
        helper.stop()
        #expect(read.count == plain.count)
        #expect(read.map(\.0) == plain.map(\.0))
        #expect(read.map(\.1) == plain.map(\.1))
        #expect(try CaptureTimeline(paths: [a]).readAheadWork == nil)
    }
}
