import Foundation
import OverlayWire
import Testing
@testable import OverlayCapture

/// Files as they come from the field: cut, corrupted, crafted, moving under the reader. Each one gets a clear
/// one-line answer, never a trap, and every packet before the damage is delivered. (Empty files, bad magic,
/// directories, FIFOs, records over the snaplen or over 256 KiB, micro/nano and big-endian pcap are covered in
/// CaptureFileErrorTests and CaptureFileReaderTests.)
@Suite("Hostile capture files")
struct HostileFileTests {
    let first = ethernet(ipv4UDP(payload: Array("first".utf8)))
    let second = ethernet(ipv6UDP(payload: Array("second".utf8)))
    let third = ethernet(ipv4UDP(destinationPort: 53, payload: Array("third".utf8)))

    func pcapng(_ frames: [[UInt8]], bigEndian: Bool = false,
                unknownBlock: (type: UInt32, body: [UInt8])? = nil) -> PcapngBytes {
        PcapngBytes(interfaces: [.init(timestampResolution: 9)],
                    packets: frames.enumerated().map { .init(interface: 0, timestamp: 1_000_000_000 * UInt64($0.offset + 1),
                                                             data: $0.element) },
                    bigEndian: bigEndian, unknownBlock: unknownBlock)
    }

    func expectOneLineWarning(_ ending: Ending, path: String, _ phrases: [String]) {
        guard case .truncated(let warning) = ending else {
            Issue.record("expected a warning for \(path), got \(ending)")
            return
        }
        #expect(warning.hasPrefix("overlaytrace: warning: '\(path)' "))
        #expect(!warning.contains("\n"))
        for phrase in phrases { #expect(warning.contains(phrase), "\(warning)") }
    }

    // MARK: pcapng

    /// Custom blocks (0x00000BAD / 0x40000BAD, RFC draft §4.8), a type a later spec may define, and the local-use
    /// range (high bit set): libpcap skips each by its length.
    @Test("pcapng blocks of unknown types are skipped and every packet is still read",
          arguments: [UInt32(0x0000_0BAD), 0x4000_0BAD, 0x0000_0042, 0x8000_0001])
    func unknownBlockTypes(type: UInt32) throws {
        let dir = try TemporaryDirectory()
        let file = pcapng([first, second, third], unknownBlock: (type, Array("opaque vendor data..".utf8)))
        let read = readAll(try CaptureFileReader(path: try dir.file("unknown.pcapng", file.bytes)))
        #expect(read.frames == [first, second, third])
        #expect(read.records.map(\.timestamp.seconds) == [1, 2, 3])
        #expect(read.ending == .end)
    }

    @Test("a big-endian pcapng file reads like a little-endian one")
    func bigEndianPcapng() throws {
        let dir = try TemporaryDirectory()
        let file = pcapng([first, second], bigEndian: true, unknownBlock: (0x0000_0BAD, [1, 2, 3, 4]))
        #expect(file.bytes[8..<12] == [0x1A, 0x2B, 0x3C, 0x4D])  // the byte-order magic as a big-endian writer leaves it
        let reader = try CaptureFileReader(path: try dir.file("be.pcapng", file.bytes))
        let read = readAll(reader)
        #expect(reader.linkType == .ethernet)
        #expect(read.frames == [first, second])
        #expect(read.records.map(\.timestamp) == [Timestamp(seconds: 1, nanoseconds: 0), Timestamp(seconds: 2, nanoseconds: 0)])
        #expect(read.ending == .end)
    }

    @Test("a pcapng file cut inside a packet block yields the packets before it, then a warning")
    func pcapngCutMidBlock() throws {
        let dir = try TemporaryDirectory()
        let whole = pcapng([first, second, third]).bytes
        let path = try dir.file("cut.pcapng", Array(whole.dropLast(20)))
        let read = readAll(try CaptureFileReader(path: path))
        #expect(read.frames == [first, second])
        expectOneLineWarning(read.ending, path: path, ["is cut in the middle of a record", "2 packets were read before it"])
    }

    @Test("a pcapng block claiming a length beyond any real block stops reading with a clear reason")
    func pcapngHugeBlock() throws {
        let dir = try TemporaryDirectory()
        var bytes = pcapng([first, second]).bytes
        // A third packet block whose total length says 2 GiB.
        bytes += le32(6) + le32(0x8000_0000) + [UInt8](repeating: 0, count: 40)
        let path = try dir.file("huge.pcapng", bytes)
        let read = readAll(try CaptureFileReader(path: path))
        #expect(read.frames == [first, second])
        expectOneLineWarning(read.ending, path: path, ["damaged record", "2 packets were read before it"])
    }

    @Test("a pcapng packet block longer than its own block is refused, the packets before it are kept")
    func pcapngPacketOverrunsBlock() throws {
        let dir = try TemporaryDirectory()
        var bytes = pcapng([first]).bytes
        // An enhanced packet block whose captured length (1000) is larger than the block holds (8 bytes of data).
        let body = le32(0) + le32(0) + le32(3) + le32(1000) + le32(1000) + [UInt8](repeating: 0xEE, count: 8)
        bytes += le32(6) + le32(UInt32(12 + body.count)) + body + le32(UInt32(12 + body.count))
        let path = try dir.file("overrun.pcapng", bytes)
        let read = readAll(try CaptureFileReader(path: path))
        #expect(read.frames == [first])
        expectOneLineWarning(read.ending, path: path, ["damaged record", "1 packet was read before it"])
    }

    // MARK: classic pcap headers

    @Test("a pcap header with an unknown version is not a capture, and says why")
    func unknownPcapVersion() throws {
        let dir = try TemporaryDirectory()
        var bytes = PcapBytes(records: [.init(seconds: 1, fraction: 0, data: first)]).bytes
        bytes[4] = 3  // version 3.4
        let path = try dir.file("v3.pcap", bytes)
        let error = #expect(throws: CaptureError.self) { try CaptureFileReader(path: path) }
        guard case .notACapture(_, let detail)? = error else {
            Issue.record("expected notACapture, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("version"))
        #expect(error?.description.contains("\n") == false)
    }

    @Test("a snaplen of 0 or 4 GiB in the file header does not stop the records being read",
          arguments: [UInt32(0), 0xFFFF_FFFF])
    func oddSnaplen(snaplen: UInt32) throws {
        let dir = try TemporaryDirectory()
        let file = PcapBytes(snaplen: snaplen, records: [.init(seconds: 1, fraction: 0, data: first),
                                                         .init(seconds: 2, fraction: 0, data: third)])
        let read = readAll(try CaptureFileReader(path: try dir.file("snap.pcap", file.bytes)))
        #expect(read.frames == [first, third])
        #expect(read.ending == .end)
    }

    // MARK: files that change or are not files

    @Test("a file that grows while it is read: at least the packets present at open, then a clean stop")
    func growingFile() throws {
        let dir = try TemporaryDirectory()
        let start = PcapBytes(records: [.init(seconds: 1, fraction: 0, data: first),
                                        .init(seconds: 2, fraction: 0, data: second)]).bytes
        let path = try dir.file("growing.pcap", start)
        let reader = try CaptureFileReader(path: path)
        var frames: [[UInt8]] = []
        guard case .packet(_, let bytes) = reader.next() else {
            Issue.record("no first packet")
            return
        }
        frames.append(Array(bytes))
        // The writer appends a whole record and half of another while the reader is between packets.
        let appended = Array(PcapBytes(records: [.init(seconds: 3, fraction: 0, data: third),
                                                 .init(seconds: 4, fraction: 0, data: first)]).bytes.dropFirst(24))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(appended.dropLast(10)))
        handle.closeFile()
        let rest = readAll(reader)
        frames += rest.frames
        // stdio may or may not have seen the new bytes; whatever it saw is read in order, the cut one is not delivered.
        #expect(Array(frames.prefix(2)) == [first, second])
        #expect(frames.count <= 3)
        if frames.count == 3 { #expect(frames[2] == third) }
        switch rest.ending {
        case .end: break
        case .truncated: expectOneLineWarning(rest.ending, path: path, ["is cut in the middle of a record"])
        }
    }

    @Test("a file truncated while it is read ends with the packets still there, never a crash")
    func shrinkingFile() throws {
        let dir = try TemporaryDirectory()
        // Larger than the stdio buffer, so the reader must go back to the file after it shrank.
        let big = ethernet(ipv4UDP(payload: [UInt8](repeating: 0x5A, count: 1400)))
        let records = (0..<2000).map { PcapBytes.Record(seconds: UInt32($0), fraction: 0, data: big) }
        let path = try dir.file("shrinking.pcap", PcapBytes(records: records).bytes)
        let reader = try CaptureFileReader(path: path, bufferSize: 64 << 10)
        guard case .packet = reader.next() else {
            Issue.record("no first packet")
            return
        }
        #expect(truncate(path, 24 + 16 * 100 + 100 * big.count + 7) == 0)  // 100 whole records and 7 bytes
        let rest = readAll(reader)
        #expect(rest.frames.allSatisfy { $0 == big })
        #expect(rest.frames.count >= 99 && rest.frames.count < 2000)
        switch rest.ending {
        case .end: break
        case .truncated: expectOneLineWarning(rest.ending, path: path, ["is cut in the middle of a record"])
        }
    }

    @Test("character devices: /dev/null reads as an empty file, /dev/zero as a bad magic, without blocking")
    func characterDevices() {
        let null = #expect(throws: CaptureError.self) { try CaptureFileReader(path: "/dev/null") }
        #expect(null == .notACapture(path: "/dev/null", detail: "empty file"))
        let zero = #expect(throws: CaptureError.self) { try CaptureFileReader(path: "/dev/zero") }
        #expect(zero == .notACapture(path: "/dev/zero", detail: "bad magic 0x00000000"))
    }

    @Test("a symbolic link loop is a read error naming the cause")
    func symlinkLoop() throws {
        let dir = try TemporaryDirectory()
        let a = dir.path + "/a.pcap", b = dir.path + "/b.pcap"
        #expect(symlink(b, a) == 0 && symlink(a, b) == 0)
        let error = #expect(throws: CaptureError.self) { try CaptureFileReader(path: a) }
        #expect(error == .readFailed(path: a, message: "Too many levels of symbolic links"))
        #expect(error?.exitCode == 2)
    }

    /// Root reads every file, so the usual chmod-000 test cannot fail for root. Dropping the filesystem user ID of
    /// one thread (setfsuid also drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH for that thread only) makes the
    /// kernel check the permissions as an ordinary user would, without touching the rest of the test process.
    @Test("an unreadable file is permissionDenied, also when the tests run as root",
          .enabled(if: FilesystemUser.canSwitch, "this kernel does not let the thread switch its filesystem user ID"))
    func unreadableAsAnyUser() throws {
        let dir = try TemporaryDirectory()
        #expect(chmod(dir.path, 0o755) == 0)
        let path = try dir.file("secret.pcap", PcapBytes(records: [.init(seconds: 1, fraction: 0, data: first)]).bytes)
        #expect(chmod(path, 0) == 0)
        let error = FilesystemUser.nobody.run { () -> CaptureError? in
            do throws(CaptureError) {
                _ = try CaptureFileReader(path: path)
                return nil
            } catch {
                return error
            }
        }
        #expect(error == .permissionDenied(path))
        #expect(error?.description == "overlaytrace: cannot read '\(path)': permission denied")
        #expect(error?.exitCode == 2)
    }
}

/// Runs code on a thread of its own whose filesystem user ID is another user's (Linux `setfsuid`, per thread).
enum FilesystemUser {
    case nobody

    var id: UInt32 { 65_534 }

    /// Whether the switch takes effect here (it needs CAP_SETUID, which root has unless a sandbox removed it).
    static let canSwitch: Bool = {
        #if os(Linux)
        return nobody.run { () -> Bool in
            // setfsuid returns the previous value: asking again tells whether the first call took.
            _ = setfsuid(nobody.id)
            return UInt32(bitPattern: setfsuid(nobody.id)) == nobody.id
        }
        #else
        return false
        #endif
    }()

    /// `body` on a new thread running as this user for file access; the caller's threads keep their identity.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let id = id
        let thread = Thread {
            let previous = UInt32(bitPattern: setfsuid(id))
            box.value = body()
            _ = setfsuid(previous)
            box.done.signal()
        }
        thread.start()
        box.done.wait()
        return box.value!
    }
}

/// What the worker thread hands back; the semaphore orders the write before the read.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
    let done = DispatchSemaphore(value: 0)
}

/// glibc's setfsuid(2) wrapper (declared in <sys/fsuid.h>, which the Glibc module does not export). It acts on the
/// calling thread only and returns the previous filesystem user ID.
@_silgen_name("setfsuid")
private func setfsuid(_ uid: UInt32) -> Int32
