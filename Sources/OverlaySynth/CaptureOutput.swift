#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a capture writer puts its bytes: a growing in-memory buffer, or a file written in large chunks
/// (one `fwrite` per ~1 MiB, never one per packet). Writers fill the buffer in place (`write(_:_:)`) and
/// call `flushIfFull()` between records.
final class CaptureOutput {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0
    private var file: UnsafeMutablePointer<FILE>?
    private let flushThreshold: Int
    let path: String?

    /// In memory; `bytes` holds everything written.
    init() {
        capacity = 64 * 1024
        storage = .allocate(byteCount: capacity, alignment: 16)
        flushThreshold = Int.max
        path = nil
    }

    init(path: String, bufferSize: Int = 1 << 20) throws(CaptureWriteError) {
        guard let f = fopen(path, "wb") else { throw CaptureWriteError(path: path, reason: "cannot open for writing (errno \(errno))") }
        file = f
        self.path = path
        flushThreshold = max(4096, bufferSize)
        capacity = flushThreshold + 128 * 1024
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        try? close()
        storage.deallocate()
    }

    /// The bytes not yet flushed (for an in-memory output: all of them).
    var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: storage, count: count)) }

    /// Lets `body` fill the next `n` bytes in place.
    @inline(__always)
    func write(_ n: Int, _ body: (UnsafeMutableRawPointer) -> Void) {
        if count + n > capacity { grow(to: count + n) }
        body(storage + count)
        count += n
    }

    func append(_ bytes: [UInt8]) {
        write(bytes.count) { p in bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        bigger.copyMemory(from: storage, byteCount: count)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }

    @inline(__always)
    func flushIfFull() throws(CaptureWriteError) {
        if count >= flushThreshold { try flush() }
    }

    func flush() throws(CaptureWriteError) {
        guard let f = file, count > 0 else { return }
        let written = fwrite(storage, 1, count, f)
        guard written == count else {
            throw CaptureWriteError(path: path ?? "", reason: "short write (\(written) of \(count) bytes, errno \(errno))")
        }
        count = 0
    }

    func close() throws(CaptureWriteError) {
        guard let f = file else { return }
        file = nil
        let written = count == 0 ? 0 : fwrite(storage, 1, count, f)
        let flushed = written == count
        count = 0
        let closed = fclose(f) == 0
        guard flushed, closed else { throw CaptureWriteError(path: path ?? "", reason: "write or close failed (errno \(errno))") }
    }
}

extension UnsafeMutableRawPointer {
    @inline(__always) func storeLE32(_ v: UInt32, at offset: Int) { storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt32.self) }
    @inline(__always) func storeBE16(_ v: UInt16, at offset: Int) { storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt16.self) }
    @inline(__always) func storeBE32(_ v: UInt32, at offset: Int) { storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt32.self) }
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
