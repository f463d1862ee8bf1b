import COverlayPcap
import OverlayWire

/// One record's metadata as the capture stored it (bytes travel separately, borrowed from libpcap).
public struct CaptureRecord: Sendable, Hashable {
    public var timestamp: Timestamp
    /// Bytes present in the capture (≤ snaplen).
    public var capturedLength: Int
    /// Length of the packet on the wire (≥ capturedLength for a sane capture; not enforced, files can lie).
    public var wireLength: Int

    public init(timestamp: Timestamp, capturedLength: Int, wireLength: Int) {
        self.timestamp = timestamp
        self.capturedLength = capturedLength
        self.wireLength = wireLength
    }

    /// From libpcap's header; `nanosecondsPerUnit` is 1 when `ts.tv_usec` holds nanoseconds, 1000 for microseconds.
    @inline(__always)
    init(_ header: pcap_pkthdr, nanosecondsPerUnit: Int64) {
        // A damaged file can hold a fraction ≥ 1 s; carry it into the seconds rather than trap or wrap.
        let fraction = Int64(header.ts.tv_usec) &* nanosecondsPerUnit
        var seconds = Int64(header.ts.tv_sec) &+ fraction / 1_000_000_000
        var nanoseconds = fraction % 1_000_000_000
        if nanoseconds < 0 {
            nanoseconds += 1_000_000_000
            seconds &-= 1
        }
        self.init(timestamp: Timestamp(seconds: seconds, nanoseconds: UInt32(nanoseconds)),
                  capturedLength: Int(header.caplen), wireLength: Int(header.len))
    }
}

/// One step of reading a capture.
public enum CaptureReadResult {
    /// A packet; the bytes belong to libpcap and are valid until the next read on the same reader.
    case packet(CaptureRecord, UnsafeRawBufferPointer)
    /// Live capture only: the read timeout expired with no packet.
    case timeout
    /// End of the file, or a live capture stopped by `breakLoop()` (or by an error: see `LiveCapture.lastError`).
    case end
    /// The file stops in the middle of a record (or a record is unreadable): every packet before it was delivered;
    /// the text says where, why, and how many packets were read. Reading is over.
    case truncatedFile(String)
}

/// Kernel counters of a live capture (`pcap_stats`), since it was opened.
public struct CaptureStatistics: Sendable, Hashable {
    /// Packets that passed the filter (on Linux: also those later dropped because the buffer was full).
    public var received: UInt64
    /// Dropped because the capture buffer was full: the capture is incomplete.
    public var droppedByKernel: UInt64
    /// Dropped by the interface or its driver (not supported on every platform; 0 then).
    public var droppedByInterface: UInt64

    public init(received: UInt64, droppedByKernel: UInt64, droppedByInterface: UInt64) {
        self.received = received
        self.droppedByKernel = droppedByKernel
        self.droppedByInterface = droppedByInterface
    }
}
