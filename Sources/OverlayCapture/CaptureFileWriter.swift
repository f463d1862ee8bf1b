import COverlayPcap
import OverlayWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a classic pcap file through libpcap (pcap_open_dead + pcap_dump_open).
public final class CaptureFileWriter {
    /// As given; "-" is standard output (closed by `close()`).
    public let path: String
    public let linkType: LinkType
    public let isNanosecond: Bool
    /// Records longer than this are cut to it (the record's wire length is kept).
    public let snaplen: Int
    public private(set) var packetsWritten = 0
    /// The first write/flush failure (disk full, closed pipe, ...); later writes are dropped.
    public private(set) var failure: CaptureError?

    private let handle: PcapHandle
    private let dumper: PcapDumper
    private var closed = false

    /// Creates or truncates `path`. `nanosecond` picks the nanosecond pcap magic (0xa1b23c4d).
    public init(path: String, linkType: LinkType, snaplen: Int = 262144, nanosecond: Bool = false)
        throws(CaptureError) {
        self.path = path
        self.linkType = linkType
        self.isNanosecond = nanosecond
        self.snaplen = min(max(snaplen, 1), Int(Int32.max))
        if path != "-" {
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                throw .writeFailed(path: path, message: "it is a directory")
            }
        }
        guard let handle = PcapHandle.openDead(linkType: linkType, snaplen: self.snaplen, nanosecond: nanosecond)
        else { throw .writeFailed(path: path, message: "libpcap cannot write link type \(linkType.rawValue)") }
        self.handle = handle
        switch handle.openDumper(path: path) {
        case .success(let dumper): self.dumper = dumper
        case .failure(let failure): throw .writeFailed(path: path, message: failure.message)
        }
    }

    deinit { close() }

    /// Appends one record: `bytes` are the captured bytes (cut to `snaplen`), `record` gives the timestamp and
    /// wire length (raised to the captured length if smaller).
    public func write(_ record: CaptureRecord, _ bytes: UnsafeRawBufferPointer) {
        guard !closed, failure == nil else { return }
        let captured = min(bytes.count, snaplen)
        var header = pcap_pkthdr()
        let nanoseconds = Int(record.timestamp.nanoseconds)
        header.ts.tv_sec = .init(truncatingIfNeeded: record.timestamp.seconds)
        header.ts.tv_usec = .init(truncatingIfNeeded: isNanosecond ? nanoseconds : nanoseconds / 1000)
        header.caplen = UInt32(captured)
        header.len = UInt32(clamping: max(record.wireLength, captured))
        dumper.write(header: &header, bytes: UnsafeRawBufferPointer(rebasing: bytes.prefix(captured)))
        packetsWritten &+= 1
    }

    /// Pushes buffered records to the file; throws if anything written so far failed to get there.
    public func flush() throws(CaptureError) {
        if failure == nil, !closed, !dumper.flush() { failure = writeError() }
        if let failure { throw failure }
    }

    /// Flushes and closes the file (idempotent). Check `failure` afterwards to know whether everything landed.
    public func close() {
        guard !closed else { return }
        closed = true
        if !dumper.close(), failure == nil { failure = writeError() }
    }

    private func writeError() -> CaptureError {
        .writeFailed(path: path, message: String(cString: strerror(errno)))
    }
}
