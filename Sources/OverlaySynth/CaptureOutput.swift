#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a capture writer puts its bytes: a growing in-memory buffer, or a file written in large chunks
/// (one `fwrite` per ~1 MiB, never one per packet).
final class CaptureOutput {
    private(set) var buffer: [UInt8] = []
    private var file: UnsafeMutablePointer<FILE>?
    private let flushThreshold: Int
    private(set) var path: String?

    init() {
        flushThreshold = Int.max
        buffer.reserveCapacity(64 * 1024)
    }

    init(path: String, bufferSize: Int = 1 << 20) throws(CaptureWriteError) {
        guard let f = fopen(path, "wb") else { throw CaptureWriteError(path: path, reason: "cannot open for writing (errno \(errno))") }
        file = f
        self.path = path
        flushThreshold = max(4096, bufferSize)
        buffer.reserveCapacity(flushThreshold + 65_536)
    }

    deinit { try? close() }

    @inline(__always) func append(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }
    @inline(__always) func append(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    /// Lets a writer fill the buffer directly; flushes afterwards when the chunk is full.
    @inline(__always) func withBuffer<R>(_ body: (inout [UInt8]) -> R) throws(CaptureWriteError) -> R {
        let r = body(&buffer)
        if buffer.count >= flushThreshold { try flush() }
        return r
    }

    func flush() throws(CaptureWriteError) {
        guard let f = file, !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        guard written == buffer.count else {
            throw CaptureWriteError(path: path ?? "", reason: "short write (\(written) of \(buffer.count) bytes)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws(CaptureWriteError) {
        guard let f = file else { return }
        defer { file = nil }
        try flush()
        guard fclose(f) == 0 else { throw CaptureWriteError(path: path ?? "", reason: "close failed (errno \(errno))") }
    }
}

public struct CaptureWriteError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Timestamp resolution of a classic pcap file (the magic number tells readers which one).
public enum PcapTimestampPrecision: Sendable, Hashable {
    case microseconds, nanoseconds
    var magic: UInt32 { self == .microseconds ? 0xA1B2_C3D4 : 0xA1B2_3C4D }
}
