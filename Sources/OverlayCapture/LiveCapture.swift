import COverlayPcap
import OverlayWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    private let wakeup: WakeupPipe
    private let nanosecondsPerUnit: Int64
    private let timeout: Duration?
    private var stopped = false

    /// Opens and activates `interface`, then installs the BPF `filter` if given.
    /// - Parameters:
    ///   - snaplen: bytes kept per packet (≤ 0 lets libpcap choose its maximum, 262144).
    ///   - bufferSize: kernel ring buffer in bytes; raise it when `statistics().droppedByKernel` grows.
    ///   - immediate: deliver each packet as it arrives instead of waiting for the buffer to fill.
    ///   - timeoutMilliseconds: how long `next()` waits before returning `.timeout` (≤ 0: wait for a packet or
    ///     `breakLoop()`).
    ///   - promiscuous: also see frames not addressed to this host (mirror ports, bridges).
    public init(interface: String, filter: String?, snaplen: Int = 65535, bufferSize: Int = 8 << 20,
                immediate: Bool = true, timeoutMilliseconds: Int = 100, promiscuous: Bool = true)
        throws(CaptureError) {
        self.interface = interface
        timeout = timeoutMilliseconds > 0 ? .milliseconds(timeoutMilliseconds) : nil
        switch PcapHandle.create(interface: interface) {
        case .success(let handle): self.handle = handle
        case .failure(let failure): throw .deviceError("cannot open '\(interface)': \(failure.message)")
        }
        // Before activation these setters fail only for an already-activated handle: nothing to report.
        _ = handle.setSnaplen(snaplen)
        _ = handle.setPromiscuous(promiscuous)
        _ = handle.setImmediateMode(immediate)
        _ = handle.setBufferSize(bufferSize)
        _ = handle.setTimeout(milliseconds: max(timeoutMilliseconds, 0))
        _ = handle.setNanosecondPrecision()  // unsupported → microseconds, handled by `nanosecondsPerUnit`

        var warnings: [String] = []
        if let failure = handle.activate() {
            guard failure.status > 0 else { throw Self.activationError(failure, interface: interface) }
            warnings.append(Self.activationWarning(failure, interface: interface))
        }
        self.warnings = warnings
        nanosecondsPerUnit = handle.deliversNanoseconds ? 1 : 1000
        linkType = handle.linkType
        // libpcap's own read timeout never fires on Linux (its poll loop retries until a packet arrives), so we
        // read non-blocking and wait ourselves, on the capture descriptor and on a pipe `breakLoop()` writes to.
        if let message = handle.setNonblocking() {
            throw .deviceError("cannot capture on '\(interface)': \(message)")
        }
        guard let wakeup = WakeupPipe() else {
            throw .deviceError("cannot capture on '\(interface)': cannot create a wake-up pipe")
        }
        self.wakeup = wakeup
        breaker = CaptureBreaker(handle: handle, wakeup: wakeup)
        guard linkType.isSupported else {
            let name = PcapHandle.name(of: linkType).map { " (\($0))" } ?? ""
            throw .deviceError("interface '\(interface)' delivers link type \(linkType.rawValue)\(name), "
                               + "which OverlayTrace does not decode")
        }
        if let filter, let message = handle.setFilter(filter, netmask: PcapHandle.netmask(of: interface)) {
            throw .badFilter(expression: filter, message: message)
        }
    }

    /// The next packet, `.timeout` when none arrived within the timeout, or `.end` — for good — after
    /// `breakLoop()` or a failure (`lastError` then says why). The bytes are valid until the next call.
    /// Does not allocate per packet.
    public func next() -> CaptureReadResult {
        guard !stopped else { return .end }
        var deadline: ContinuousClock.Instant?  // read the clock only once we have to wait
        while true {
            switch handle.next() {
            case .packet(let header, let bytes):
                packetsRead &+= 1
                return .packet(CaptureRecord(header, nanosecondsPerUnit: nanosecondsPerUnit), bytes)
            case .end:  // libpcap saw pcap_breakloop's flag while packets were flowing
                return stop()
            case .error(let message):
                lastError = .deviceError("capture on '\(interface)' failed: \(oneLine(message))")
                return stop()
            case .timeout:  // nothing ready yet
                break
            }
            var waitMilliseconds: Int32 = -1
            if let timeout {
                let now = ContinuousClock.now
                let end = deadline ?? now + timeout
                deadline = end
                guard end > now else { return .timeout }
                let (seconds, attoseconds) = (end - now).components
                waitMilliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            }
            switch wakeup.wait(for: handle.selectableDescriptor, milliseconds: waitMilliseconds) {
            case .woken: return stop()
            case .ready, .timedOut: continue  // read again; the deadline decides when to give up
            }
        }
    }

    private func stop() -> CaptureReadResult {
        stopped = true
        return .end
    }

    /// Makes the current or next `next()` return `.end`, and every one after it. See `breaker` for other threads.
    public func breakLoop() { breaker.breakLoop() }

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

/// Stops a `LiveCapture` from any thread or a signal-handling context: it only calls pcap_breakloop (which sets a
/// flag) and writes one byte to a pipe, both async-signal-safe. Keeps the capture's handle open while it exists.
public struct CaptureBreaker: @unchecked Sendable {
    private let handle: PcapHandle
    private let wakeup: WakeupPipe

    fileprivate init(handle: PcapHandle, wakeup: WakeupPipe) {
        self.handle = handle
        self.wakeup = wakeup
    }

    public func breakLoop() {
        handle.breakLoop()
        wakeup.signal()
    }
}

/// A self-pipe: `signal()` from anywhere wakes a `wait` on the capture descriptor.
final class WakeupPipe {
    enum WaitResult { case ready, timedOut, woken }

    private let readEnd: Int32
    private let writeEnd: Int32

    init?() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        readEnd = ends[0]
        writeEnd = ends[1]
        // Non-blocking both ways: a signal handler must never block on a full pipe, draining must stop when empty.
        for fd in ends { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)  // EAGAIN = a wake-up is already pending: fine
    }

    /// Waits until `descriptor` is readable, `signal()` was called, or `milliseconds` pass (-1 = no limit).
    func wait(for descriptor: Int32, milliseconds: Int32) -> WaitResult {
        var fds = (pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
        // Without a descriptor to watch (not on Linux), poll the capture every 10 ms instead.
        let count: nfds_t = descriptor >= 0 ? 2 : 1
        let milliseconds = descriptor >= 0 ? milliseconds : (milliseconds < 0 ? 10 : min(milliseconds, 10))
        let ready = withUnsafeMutableBytes(of: &fds) { raw in
            poll(raw.baseAddress?.assumingMemoryBound(to: pollfd.self), count, milliseconds)
        }
        if ready <= 0 { return ready == 0 ? .timedOut : .ready }  // EINTR: let the caller read and re-check
        if fds.0.revents != 0 {
            var sink: UInt8 = 0
            while read(readEnd, &sink, 1) == 1 {}
            return .woken
        }
        return .ready
    }
}
