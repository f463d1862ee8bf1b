/// A network interface libpcap can capture on.
public struct CaptureInterface: Sendable, Hashable {
    public var name: String
    public var description: String?
    /// Numeric IPv4/IPv6 addresses, e.g. "192.0.2.1", "fe80::1" (no scope id).
    public var addresses: [String]
    public var isUp: Bool
    public var isRunning: Bool
    public var isLoopback: Bool

    public init(name: String, description: String?, addresses: [String], isUp: Bool, isRunning: Bool,
                isLoopback: Bool) {
        self.name = name
        self.description = description
        self.addresses = addresses
        self.isUp = isUp
        self.isRunning = isRunning
        self.isLoopback = isLoopback
    }
}

/// The interfaces libpcap can capture on.
public enum CaptureInterfaces {
    /// `pcap_findalldevs` (works without privileges; some interfaces may be missing then).
    public static func list() throws(CaptureError) -> [CaptureInterface] {
        switch PcapHandle.allDevices() {
        case .success(let interfaces): return interfaces
        case .failure(let failure): throw .deviceError(failure.message)
        }
    }
}
