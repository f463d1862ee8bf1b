import OverlayWire

/// Classic pcap writer (little-endian, version 2.4), pure Swift. Records are appended to a buffer and
/// written to the file in large chunks; `bytes` returns the whole file for in-memory captures.
///
/// A record keeps the wire length it is given, so a caller can write records cut by the snaplen
/// (captured < wire length) exactly as libpcap would.
public final class PcapWriter {
    public let linkType: LinkType
    public let snaplen: Int
    public let precision: PcapTimestampPrecision
    public private(set) var recordCount = 0
    private let output: CaptureOutput

    /// An in-memory capture; read it back with `bytes`.
    public init(linkType: LinkType = .ethernet, snaplen: Int = 262_144, precision: PcapTimestampPrecision = .microseconds) {
        self.linkType = linkType
        self.snaplen = snaplen
        self.precision = precision
        output = CaptureOutput()
        writeFileHeader()
    }

    /// A capture file at `path` (created or truncated). Call `close()` to flush it.
    public init(path: String, linkType: LinkType = .ethernet, snaplen: Int = 262_144,
                precision: PcapTimestampPrecision = .microseconds, bufferSize: Int = 1 << 20) throws(CaptureWriteError) {
        self.linkType = linkType
        self.snaplen = snaplen
        self.precision = precision
        output = try CaptureOutput(path: path, bufferSize: bufferSize)
        writeFileHeader()
    }

    private func writeFileHeader() {
        var h: [UInt8] = []
        h.appendLE32(precision.magic)
        h.appendLE16(2)
        h.appendLE16(4)
        h.appendLE32(0)  // thiszone
        h.appendLE32(0)  // sigfigs
        h.appendLE32(UInt32(truncatingIfNeeded: snaplen))
        h.appendLE32(UInt32(bitPattern: linkType.rawValue))
        output.append(h)
    }

    /// The file so far (in-memory writers hold all of it; file writers only the unflushed tail).
    public var bytes: [UInt8] { output.bytes }

    /// Writes one record; bytes beyond the snaplen are cut (the wire length still says how long it was).
    public func write(_ bytes: UnsafeRawBufferPointer, timestamp: Timestamp, wireLength: Int? = nil) throws(CaptureWriteError) {
        appendRecord(bytes, timestamp: timestamp, wireLength: wireLength)
        try output.flushIfFull()
    }

    public func write(_ bytes: [UInt8], timestamp: Timestamp, wireLength: Int? = nil) throws(CaptureWriteError) {
        bytes.withUnsafeBytes { appendRecord($0, timestamp: timestamp, wireLength: wireLength) }
        try output.flushIfFull()
    }

    private func appendRecord(_ bytes: UnsafeRawBufferPointer, timestamp: Timestamp, wireLength: Int?) {
        let captured = min(bytes.count, snaplen)
        let fraction = precision == .microseconds ? timestamp.nanoseconds / 1000 : timestamp.nanoseconds
        let wire = max(wireLength ?? bytes.count, captured)
        output.write(Self.recordHeaderSize + captured) { p in
            p.storeLE32(UInt32(truncatingIfNeeded: timestamp.seconds), at: 0)
            p.storeLE32(fraction, at: 4)
            p.storeLE32(UInt32(captured), at: 8)
            p.storeLE32(UInt32(truncatingIfNeeded: wire), at: 12)
            if captured > 0, let base = bytes.baseAddress { (p + Self.recordHeaderSize).copyMemory(from: base, byteCount: captured) }
        }
        recordCount += 1
    }

    static let fileHeaderSize = 24
    static let recordHeaderSize = 16

    public func write(_ frame: SynthFrame) throws(CaptureWriteError) {
        try write(frame.bytes, timestamp: frame.timestamp, wireLength: frame.wireLength)
    }

    public func write(_ frames: [SynthFrame]) throws(CaptureWriteError) {
        for f in frames { try write(f) }
    }

    /// Flushes and closes the file (no-op for in-memory writers). Also done on deinit, without error reporting.
    public func close() throws(CaptureWriteError) { try output.close() }

    /// A whole capture as pcap bytes.
    public static func encode(_ frames: [SynthFrame], linkType: LinkType = .ethernet, snaplen: Int = 262_144,
                              precision: PcapTimestampPrecision = .microseconds) -> [UInt8] {
        let w = PcapWriter(linkType: linkType, snaplen: snaplen, precision: precision)
        for f in frames { try? w.write(f) }  // in-memory writes cannot fail
        return w.bytes
    }

    /// Writes a whole capture to `path`.
    public static func write(_ frames: [SynthFrame], to path: String, linkType: LinkType = .ethernet, snaplen: Int = 262_144,
                             precision: PcapTimestampPrecision = .microseconds) throws(CaptureWriteError) {
        let w = try PcapWriter(path: path, linkType: linkType, snaplen: snaplen, precision: precision)
        try w.write(frames)
        try w.close()
    }
}
