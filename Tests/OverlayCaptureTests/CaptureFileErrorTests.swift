import Foundation
import OverlayWire
import Testing
@testable import OverlayCapture

@Suite("Bad input files: the right error, never a trap")
struct CaptureFileErrorTests {
    let frame = ethernet(ipv4UDP())

    func openError(_ path: String) -> CaptureError? {
        #expect(throws: CaptureError.self) { try CaptureFileReader(path: path) }
    }

    @Test("a missing file")
    func missing() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/nope.pcap"
        let error = openError(path)
        #expect(error == .fileNotFound(path))
        #expect(error?.description == "overlaytrace: cannot read '\(path)': no such file")
        #expect(error?.exitCode == 2)
        #expect(openError(dir.path + "/nope/deeper.pcap") == .fileNotFound(dir.path + "/nope/deeper.pcap"))
    }

    @Test("a directory is refused before libpcap sees it")
    func directory() throws {
        let dir = try TemporaryDirectory()
        #expect(openError(dir.path) == .isDirectory(dir.path))
    }

    @Test("an empty file")
    func empty() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.file("empty.pcap", [])
        let error = openError(path)
        #expect(error == .notACapture(path: path, detail: "empty file"))
        #expect(error?.description == "overlaytrace: cannot read '\(path)': not a pcap or pcapng file (empty file)")
    }

    @Test("a file with the wrong magic names the bytes it found")
    func wrongMagic() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.file("x.pcap", [0x12, 0x34, 0x56, 0x78] + [UInt8](repeating: 0, count: 40))
        let error = openError(path)
        #expect(error == .notACapture(path: path, detail: "bad magic 0x12345678"))
        #expect(error?.description
                == "overlaytrace: cannot read '\(path)': not a pcap or pcapng file (bad magic 0x12345678)")
    }

    @Test("a file shorter than a magic number")
    func tiny() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.file("tiny.pcap", [0xD4, 0xC3])
        #expect(openError(path) == .notACapture(path: path, detail: "only 2 bytes, shorter than any capture header"))
    }

    @Test("a pcap magic followed by a cut file header")
    func cutFileHeader() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.file("cut.pcap", Array(PcapBytes().bytes.prefix(10)))
        let error = openError(path)
        guard case .notACapture(_, let detail)? = error else {
            Issue.record("expected notACapture, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("truncated dump file"))
    }

    @Test("an unreadable file (needs a non-root user: root reads everything)",
          .enabled(if: getuid() != 0, "running as root, which bypasses file permissions"))
    func unreadable() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.file("secret.pcap", PcapBytes(records: [.init(seconds: 1, fraction: 0, data: frame)]).bytes)
        #expect(chmod(path, 0) == 0)
        let error = openError(path)
        #expect(error == .permissionDenied(path))
        #expect(error?.description == "overlaytrace: cannot read '\(path)': permission denied")
    }

    @Test("errno values from open/read map to the errors a user can act on (also covers permissions as root)")
    func errnoMapping() {
        #expect(captureOpenError(errno: EACCES, path: "a") == .permissionDenied("a"))
        #expect(captureOpenError(errno: EPERM, path: "a") == .permissionDenied("a"))
        #expect(captureOpenError(errno: ENOENT, path: "a") == .fileNotFound("a"))
        #expect(captureOpenError(errno: ENOTDIR, path: "a") == .fileNotFound("a"))
        #expect(captureOpenError(errno: EISDIR, path: "a") == .isDirectory("a"))
        #expect(captureOpenError(errno: EIO, path: "a") == .readFailed(path: "a", message: "Input/output error"))
    }

    @Test("a FIFO fed by another thread is read like a file")
    func fifo() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/feed"
        #expect(mkfifo(path, 0o600) == 0)
        let bytes = PcapBytes(records: [.init(seconds: 5, fraction: 1, data: frame),
                                        .init(seconds: 6, fraction: 2, data: frame)]).bytes
        let writer = Thread { FileHandle(forWritingAtPath: path)?.write(Data(bytes)) }  // closes on release
        writer.start()
        let read = readAll(try CaptureFileReader(path: path))
        #expect(read.frames == [frame, frame])
        #expect(read.records.map(\.timestamp.seconds) == [5, 6])
        #expect(read.ending == .end)
    }

    @Test("a FIFO closed without data is an empty capture, not a hang or a crash")
    func emptyFIFO() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/feed"
        #expect(mkfifo(path, 0o600) == 0)
        let writer = Thread { _ = FileHandle(forWritingAtPath: path) }  // opens, then closes at once
        writer.start()
        #expect(openError(path) == .notACapture(path: path, detail: "empty file"))
    }

    @Test("\"-\" reads standard input (a pipe, as from `tcpdump -w -`), and leaves the process's stdin open")
    func standardInput() throws {
        let bytes = PcapBytes(nanosecond: true, records: [.init(seconds: 7, fraction: 8, data: frame)]).bytes
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        let written = bytes.withUnsafeBytes { write(pipeEnds[1], $0.baseAddress, $0.count) }  // fits the pipe
        #expect(written == bytes.count)
        close(pipeEnds[1])
        let savedStdin = dup(STDIN_FILENO)
        dup2(pipeEnds[0], STDIN_FILENO)
        close(pipeEnds[0])
        let reader: CaptureFileReader
        do {
            defer {
                dup2(savedStdin, STDIN_FILENO)
                close(savedStdin)
            }
            reader = try CaptureFileReader(path: "-")
        }
        let read = readAll(reader)
        #expect(reader.path == "-")
        #expect(read.frames == [frame])
        #expect(read.records.map(\.timestamp) == [Timestamp(seconds: 7, nanoseconds: 8)])
        #expect(fcntl(STDIN_FILENO, F_GETFD) != -1)
    }

    @Test("every error is one line for stderr with the documented exit code")
    func descriptions() {
        let fileSide: [CaptureError] = [
            .fileNotFound("a.pcap"), .permissionDenied("a.pcap"), .isDirectory("d"),
            .notACapture(path: "-", detail: "empty input"), .unsupportedLinkType(path: "a", LinkType(rawValue: 147)),
            .badFilter(expression: "x", message: "syntax error\n"), .readFailed(path: "a", message: "I/O"),
            .writeFailed(path: "-", message: "Broken pipe"),
        ]
        let liveSide: [CaptureError] = [.noSuchInterface("eth9"), .interfaceDown("eth1"),
                                        .livePermissionDenied("eth0"), .deviceError("boom")]
        for error in fileSide + liveSide {
            #expect(error.description.hasPrefix("overlaytrace: "))
            #expect(!error.description.contains("\n"), "\(error.description)")
        }
        #expect(fileSide.allSatisfy { $0.exitCode == 2 })
        #expect(liveSide.allSatisfy { $0.exitCode == 3 })
        #expect(CaptureError.notACapture(path: "-", detail: "empty input").description
                == "overlaytrace: cannot read standard input: not a pcap or pcapng file (empty input)")
        let permission = CaptureError.livePermissionDenied("eth0").description
        #expect(permission.contains("run as root or grant CAP_NET_RAW"))
        #expect(permission.contains("sudo setcap cap_net_raw,cap_net_admin=eip $(which overlaytrace)"))
    }
}
