import OverlayWire

/// Reads several files as one timeline: merges by timestamp (stable: ties keep file order), numbering frames 1..
/// across files. Single pass: a second `forEach` delivers nothing more.
public final class CaptureTimeline {
    public let paths: [String]
    /// Warnings collected while reading (files cut mid-record), one stderr line each, in the order they happened.
    public private(set) var warnings: [String] = []
    /// Per file, in `paths` order.
    public let linkTypes: [LinkType]
    /// Frames delivered (the last frame number); updated when `forEach` returns.
    public private(set) var framesDelivered = 0

    private let readers: [CaptureFileReader]

    /// Opens every file (and installs `filter` on each); throws the first file's error.
    /// `readAhead`: regular files are served through `ReadAheadFile`s with this ring, which another thread may
    /// fill (`readAheadWork`).
    public init(paths: [String], filter: String? = nil, readAhead: ReadAheadFile.Ring? = nil) throws(CaptureError) {
        if paths.count(where: { $0 == "-" }) > 1 {
            throw .readFailed(path: "-", message: "standard input can be given only once")
        }
        // 64 KiB of stdio buffer per file: it stays in the core's L2 between the kernel's copy into it and
        // libpcap's copy out of it (a 1 MiB buffer was evicted in between, and the kernel's copy took twice as long).
        // Read ahead, the buffer is filled from the ring's blocks instead of by the kernel.
        let bufferSize = CaptureFileReader.defaultBufferSize
        var readers: [CaptureFileReader] = []
        readers.reserveCapacity(paths.count)
        for path in paths {
            readers.append(try CaptureFileReader(path: path, filter: filter, bufferSize: bufferSize, readAhead: readAhead))
        }
        self.paths = paths
        self.readers = readers
        self.linkTypes = readers.map(\.linkType)
    }

    /// Work for a thread with time to spare: reads the next block of a read-ahead file; false when there is
    /// nothing to read now (every ring full, or every file read). Nil when no file is read ahead.
    public var readAheadWork: (@Sendable () -> Bool)? {
        let files = readers.compactMap(\.readAheadFile)
        guard !files.isEmpty else { return nil }
        return {
            for f in files where f.fill() { return true }
            return false
        }
    }

    /// Calls `body` for every packet in time order with its FrameInfo and bytes (valid during the call).
    /// Warnings (truncated files) are collected in `warnings`, not thrown; a throwing `body` stops the pass.
    public func forEach(_ body: (FrameInfo, UnsafeRawBufferPointer) throws -> Void) rethrows {
        if readers.count == 1 {
            try forEachInFile(0, body)
        } else if readers.count > 1 {
            try forEachMerged(body)
        }
    }

    /// One file: straight from libpcap's buffer to `body`. The reader is held for the whole loop and the frame
    /// counter is a local until the end (reading the array and the class's counter per packet cost a
    /// retain/release pair and a dynamic exclusivity check each).
    private func forEachInFile(_ index: Int, _ body: (FrameInfo, UnsafeRawBufferPointer) throws -> Void) rethrows {
        let reader = readers[index]
        let linkType = reader.linkType
        var delivered = framesDelivered
        defer { framesDelivered = delivered }
        while let (record, bytes) = nextPacket(reader) {
            delivered += 1
            try body(frameInfo(record, number: delivered, file: index, linkType: linkType), bytes)
        }
    }

    /// Several files: k-way merge over each file's next packet. The head of a file stays in that file's libpcap
    /// buffer (one per handle, reused for every record) and is valid until that file is advanced, which happens only
    /// after `body` returns — so merging needs no copy and no allocation per packet.
    private func forEachMerged(_ body: (FrameInfo, UnsafeRawBufferPointer) throws -> Void) rethrows {
        var heads: [(record: CaptureRecord, bytes: UnsafeRawBufferPointer)?] = readers.map { nextPacket($0) }
        while true {
            // Linear scan: a handful of files. Strict `<` keeps the lowest file index on equal timestamps.
            var best = -1
            var bestTime = Timestamp(seconds: 0, nanoseconds: 0)
            for i in heads.indices {
                guard let head = heads[i] else { continue }
                if best < 0 || head.record.timestamp < bestTime {
                    best = i
                    bestTime = head.record.timestamp
                }
            }
            guard best >= 0, let head = heads[best] else { return }
            framesDelivered += 1
            try body(frameInfo(head.record, number: framesDelivered, file: best, linkType: readers[best].linkType), head.bytes)
            heads[best] = nextPacket(readers[best])
        }
    }

    /// The next packet of `reader`, or nil at its end (recording a truncation warning).
    @inline(__always)
    private func nextPacket(_ reader: CaptureFileReader) -> (record: CaptureRecord, bytes: UnsafeRawBufferPointer)? {
        switch reader.next() {
        case .packet(let record, let bytes): return (record, bytes)
        case .truncatedFile(let warning):
            warnings.append(warning)
            return nil
        case .end, .timeout:
            return nil
        }
    }

    @inline(__always)
    private func frameInfo(_ record: CaptureRecord, number: Int, file: Int, linkType: LinkType) -> FrameInfo {
        // libpcap does not tell which pcapng interface a packet came from, so interfaceIndex stays nil.
        FrameInfo(number: number, timestamp: record.timestamp, capturedLength: record.capturedLength,
                  wireLength: record.wireLength, linkType: linkType, fileIndex: file)
    }
}
