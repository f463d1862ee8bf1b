/// A capture timestamp with nanosecond resolution (pcap microsecond files are scaled up).
public struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: UInt32

    public init(seconds: Int64, nanoseconds: UInt32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public var totalNanoseconds: Int64 { seconds &* 1_000_000_000 &+ Int64(nanoseconds) }
    public func seconds(since origin: Timestamp) -> Double { Double(totalNanoseconds &- origin.totalNanoseconds) / 1e9 }

    /// Seconds since the epoch with 9 decimals, e.g. `1422828273.817203000`.
    public var description: String {
        let frac = String(nanoseconds)
        return "\(seconds)." + String(repeating: "0", count: 9 - frac.count) + frac
    }
    /// Seconds since the epoch with 6 decimals (microseconds), as tcpdump and tshark print.
    public var microsecondsText: String {
        let us = String(nanoseconds / 1000)
        return "\(seconds)." + String(repeating: "0", count: 6 - us.count) + us
    }
    public static func < (a: Timestamp, b: Timestamp) -> Bool { (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds) }
}

/// What the capture layer knows about one frame, independent of libpcap.
public struct FrameInfo: Hashable, Sendable {
    /// 1-based, as in Wireshark; counts across all files of one analysis in timeline order.
    public var number: Int
    public var timestamp: Timestamp
    public var capturedLength: Int
    public var wireLength: Int
    public var linkType: LinkType
    /// Which input file (0-based) the frame came from.
    public var fileIndex: Int
    /// pcapng interface ID, when known.
    public var interfaceIndex: Int?

    public init(number: Int, timestamp: Timestamp, capturedLength: Int, wireLength: Int, linkType: LinkType,
                fileIndex: Int = 0, interfaceIndex: Int? = nil) {
        self.number = number
        self.timestamp = timestamp
        self.capturedLength = capturedLength
        self.wireLength = wireLength
        self.linkType = linkType
        self.fileIndex = fileIndex
        self.interfaceIndex = interfaceIndex
    }
}
