import COverlayPcap
import OverlayWire

/// Reads one pcap or pcapng file (or standard input) through libpcap, packet by packet, without copying.
///
/// Timestamps come out in nanoseconds whatever the file stores. Only link types OverlayWire decodes are accepted.
public final class CaptureFileReader {
    /// As given; "-" is standard input.
    public let path: String
    /// LINKTYPE_* of the file (for pcapng: of its interfaces, which libpcap requires to be all the same).
    public let linkType: LinkType
    /// True for pcap files with nanosecond timestamps (magic 0xa1b23c4d). pcapng files say false: their resolution
    /// is per interface and libpcap does not report it (timestamps are delivered in nanoseconds either way).
    public let isNanosecond: Bool
    /// Packets delivered so far (after the filter).
    // `@exclusivity(unchecked)`: a class property is otherwise checked at run time (swift_beginAccess, ~65
    // instructions) on every write, once per packet; the reader is used from one thread and never lends these out.
    @exclusivity(unchecked) public private(set) var packetsRead = 0

    private let handle: PcapHandle
    private let nanosecondsPerUnit: Int64
    @exclusivity(unchecked) private var finished = false

    /// The stdio buffer a file gets: 64 KiB, as the C reference loops use, small enough to
    /// stay in L2 between the kernel filling it and libpcap copying records out (measured in docs/performance.md).
    public static let defaultBufferSize = 64 << 10

    /// A regular file opened with `readAhead`: what another thread calls to read it ahead.
    public let readAheadFile: ReadAheadFile?

    /// Opens `path` ("-" = standard input) and installs the BPF `filter` if given.
    /// - Parameter bufferSize: stdio read buffer in bytes (at least 64 KiB is used).
    /// - Parameter readAhead: serve a regular file through a `ReadAheadFile` with this ring, which another thread
    ///   may fill.
    public init(path: String, filter: String? = nil, bufferSize: Int = defaultBufferSize,
                readAhead: ReadAheadFile.Ring? = nil) throws(CaptureError) {
        self.path = path
        let stream = try SavefileStream.open(path: path, bufferSize: bufferSize, readAhead: readAhead)
        readAheadFile = stream.readAhead
        switch PcapHandle.openOffline(file: stream.file, streamBuffer: stream.buffer) {
        case .success(let handle): self.handle = handle
        case .failure(let failure):
            stream.closeUnowned()
            throw Self.openError(failure.message, path: path)
        }
        linkType = handle.linkType
        isNanosecond = stream.format == .pcap(nanosecond: true)
        nanosecondsPerUnit = handle.deliversNanoseconds ? 1 : 1000
        guard linkType.isSupported else { throw .unsupportedLinkType(path: path, linkType) }
        if let filter, let message = handle.setFilter(filter) {
            throw .badFilter(expression: filter, message: message)
        }
    }

    /// The next packet, `.end`, or `.truncatedFile` once when the rest of the file cannot be read.
    /// The bytes are valid until the next call. Does not allocate per packet.
    public func next() -> CaptureReadResult {
        guard !finished else { return .end }
        switch handle.next() {
        case .packet(let header, let bytes):
            packetsRead &+= 1
            return .packet(CaptureRecord(header, nanosecondsPerUnit: nanosecondsPerUnit), bytes)
        case .end, .timeout:  // a savefile never times out
            finished = true
            return .end
        case .error(let message):
            finished = true
            return .truncatedFile(truncationWarning(libpcapMessage: message))
        }
    }

    /// One stderr line saying where reading stopped, why, and what was kept.
    private func truncationWarning(libpcapMessage message: String) -> String {
        let kept = "\(packetsRead) packet\(packetsRead == 1 ? " was" : "s were") read before it"
        let why: String
        if message.hasPrefix("truncated") {
            why = "is cut in the middle of a record"
        } else if message.contains("different from the type of the first interface") {
            why = "mixes link types across its pcapng interfaces, which libpcap cannot read (split it per interface, "
                + "e.g. `tshark -r in.pcapng -Y frame.interface_id==1 -w part.pcapng`)"
        } else if message.hasPrefix("error reading") {
            why = "could not be read to the end"
        } else {
            why = "has a damaged record, so the rest of the file was not read"
        }
        return "overlaytrace: warning: \(quoted(path)) \(why); \(kept) (libpcap: \(oneLine(message)))"
    }

    /// libpcap's open-time messages: I/O errors versus files that are not (whole) captures.
    private static func openError(_ message: String, path: String) -> CaptureError {
        if message.hasPrefix("error reading") { return .readFailed(path: path, message: message) }
        return .notACapture(path: path, detail: message)
    }
}
