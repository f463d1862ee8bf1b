import COverlayPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OverlayWire

/// Captures from a network interface through libpcap (needs root or CAP_NET_RAW on Linux).
public final class LiveCapture {
    public let interface: String
    /// LINKTYPE_* the interface delivers (Ethernet for most, including Linux `lo`; Linux SLL2 for "any").
    public let linkType: LinkType
    /// Non-fatal notes from activation (promiscuous mode or timestamp type not supported, ...), one line each.
    public let warnings: [String]
    /// Set when `next()` returned `.end` because the capture failed (interface went down or disappeared).
    public private(set) var lastError: CaptureError?
    /// Packets delivered so far.
    public private(set) var packetsRead = 0
    /// Stops a blocked `next()` from another thread (e.g. a signal-handling queue).
    public let breaker: CaptureBreaker

    private let handle: PcapHandle
    private let nanosecondsPerUnit: Int64

    /// Opens and activates `interface`, then installs the BPF `filter` if given.
    /// - Parameters:
    ///   - snaplen: bytes kept per packet (≤ 0 lets libpcap choose its maximum, 262144).
    ///   - bufferSize: kernel ring buffer in bytes; raise it when `statistics().droppedByKernel` grows.
    ///   - immediate: deliver each packet as it arrives instead of waiting for the buffer to fill.
    ///   - timeoutMilliseconds: how long `next()` waits before returning `.timeout`.
    ///   - promiscuous: also see frames not addressed to this host (mirror ports, bridges).
    public init(interface: String, filter: String?, snaplen: Int = 65535, bufferSize: Int = 8 << 20,
                immediate: Bool = true, timeoutMilliseconds: Int = 100, promiscuous: Bool = true)
        throws(CaptureError) {
        self.interface = interface
        switch PcapHandle.create(interface: interface) {
        case .success(let handle): self.handle = handle
        case .failure(let failure): throw .deviceError("cannot open '\(interface)': \(failure.message)")
        }
        // Before activation these setters fail only for an already-activated handle: nothing to report.
        _ = handle.setSnaplen(snaplen)
        _ = handle.setPromiscuous(promiscuous)
        _ = handle.setImmediateMode(immediate)
        _ = handle.setBufferSize(bufferSize)
        _ = handle.setTimeout(milliseconds: timeoutMilliseconds)
        _ = handle.setNanosecondPrecision()  // unsupported → microseconds, handled by `nanosecondsPerUnit`

        var warnings: [String] = []
        if let failure = handle.activate() {
            guard failure.status > 0 else { throw Self.activationError(failure, interface: interface) }
            warnings.append(Self.activationWarning(failure, interface: interface))
        }
        self.warnings = warnings
        nanosecondsPerUnit = handle.deliversNanoseconds ? 1 : 1000
        linkType = handle.linkType
        breaker = CaptureBreaker(handle: handle)
        guard linkType.isSupported else {
            let name = PcapHandle.name(of: linkType).map { " (\($0))" } ?? ""
            throw .deviceError("interface '\(interface)' delivers link type \(linkType.rawValue)\(name), "
                               + "which OverlayTrace does not decode")
        }
        if let filter, let message = handle.setFilter(filter, netmask: PcapHandle.netmask(of: interface)) {
            throw .badFilter(expression: filter, message: message)
        }
        pollTimeout = Int32(clamping: timeoutMilliseconds)
        descriptor = handle.selectableDescriptor
        if descriptor >= 0 && !handle.setNonblocking(true) { descriptor = -1 }
    }

    private let pollTimeout: Int32
    /// Polled before a non-blocking read; -1: blocking reads with libpcap's own timeout.
    private var descriptor: Int32 = -1

    /// The next packet, `.timeout` when none arrived in time, or `.end` after `breakLoop()` or a failure
    /// (`lastError` then says why). The bytes are valid until the next call. Does not allocate per packet.
    public func next() -> CaptureReadResult {
        var result = handle.next()
        if case .timeout = result, descriptor >= 0 {
            var fds = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, pollTimeout) > 0 { result = handle.next() }
        }
        switch result {
        case .packet(let header, let bytes):
            packetsRead &+= 1
            return .packet(CaptureRecord(header, nanosecondsPerUnit: nanosecondsPerUnit), bytes)
        case .timeout:
            return .timeout
        case .end:
            return .end
        case .error(let message):
            lastError = .deviceError("capture on '\(interface)' failed: \(message)")
            return .end
        }
    }

    /// Makes the current or next `next()` return `.end` (pcap_breakloop). See `breaker` for other threads.
    public func breakLoop() { handle.breakLoop() }

    /// Kernel counters since the capture was opened; nil if the platform cannot report them.
    public func statistics() -> CaptureStatistics? {
        guard let s = handle.statistics() else { return nil }
        return CaptureStatistics(received: UInt64(s.ps_recv), droppedByKernel: UInt64(s.ps_drop),
                                 droppedByInterface: UInt64(s.ps_ifdrop))
    }

    private static func activationError(_ failure: PcapFailure, interface: String) -> CaptureError {
        switch failure.status {
        case PCAP_ERROR_PERM_DENIED, PCAP_ERROR_PROMISC_PERM_DENIED: return .livePermissionDenied(interface)
        case PCAP_ERROR_NO_SUCH_DEVICE: return .noSuchInterface(interface)
        case PCAP_ERROR_IFACE_NOT_UP: return .interfaceDown(interface)
        default:
            let detail = failure.message.isEmpty ? PcapHandle.statusText(failure.status) : failure.message
            return .deviceError("cannot capture on '\(interface)': \(detail)")
        }
    }

    private static func activationWarning(_ failure: PcapFailure, interface: String) -> String {
        let what: String
        switch failure.status {
        case PCAP_WARNING_PROMISC_NOTSUP: what = "does not support promiscuous mode"
        case PCAP_WARNING_TSTAMP_TYPE_NOTSUP: what = "does not support the requested timestamp type"
        default: what = "reported a warning"
        }
        let detail = failure.message.isEmpty ? "" : " (\(oneLine(failure.message)))"
        return "overlaytrace: warning: interface '\(interface)' \(what)\(detail)"
    }
}

/// Stops a `LiveCapture` from any thread or a signal-handling context: pcap_breakloop only sets a flag and
/// wakes the poll, which libpcap documents as safe there. Keeps the handle open while it exists.
public struct CaptureBreaker: @unchecked Sendable {
    private let handle: PcapHandle
    fileprivate init(handle: PcapHandle) { self.handle = handle }
    public func breakLoop() { handle.breakLoop() }
}
