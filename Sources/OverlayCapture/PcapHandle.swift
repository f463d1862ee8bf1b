import COverlayPcap
import OverlayWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The only file that calls libpcap's pcap_* functions. Everything above it sees Swift types:
// `PcapHandle` owns a `pcap_t*`, `PcapNext` is pcap_next_ex's 1/0/-1/-2, `PcapDumper` owns a `pcap_dumper_t*`.

/// The result of one `pcap_next_ex` call, converted once from its C return convention.
enum PcapNext {
    /// 1: a packet; the header and bytes belong to libpcap and stay valid until the next call on the same handle.
    case packet(pcap_pkthdr, UnsafeRawBufferPointer)
    /// 0: no packet (live capture: timeout expired, or nothing ready in non-blocking mode).
    case timeout
    /// -2: end of a savefile, or `pcap_breakloop` was called.
    case end
    /// -1: an error; libpcap's message.
    case error(String)
}

/// Owner of one `pcap_t*` (and, for savefiles, the stdio buffer libpcap reads through). Closed in `deinit`.
final class PcapHandle {
    private let pcap: OpaquePointer
    /// The `setvbuf` buffer of the savefile's FILE; must outlive `pcap_close`, which closes the FILE.
    private let streamBuffer: UnsafeMutableRawPointer?

    private init(pcap: OpaquePointer, streamBuffer: UnsafeMutableRawPointer?) {
        self.pcap = pcap
        self.streamBuffer = streamBuffer
    }

    deinit {
        pcap_close(pcap)  // also fcloses a savefile's FILE (never the process's stdin: we hand libpcap a dup)
        streamBuffer?.deallocate()
    }

    // MARK: Opening

    /// Hands an open FILE to libpcap, asking for nanosecond timestamps whatever the file stores.
    /// On success the handle owns `file` and `streamBuffer`; on failure the caller still owns both.
    static func openOffline(file: UnsafeMutablePointer<FILE>,
                            streamBuffer: UnsafeMutableRawPointer) -> Result<PcapHandle, PcapFailure> {
        withErrorBuffer { errbuf in
            guard let p = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), errbuf)
            else { return .failure(PcapFailure(status: PCAP_ERROR, message: String(cString: errbuf))) }
            return .success(PcapHandle(pcap: p, streamBuffer: streamBuffer))
        }
    }

    /// A handle with no capture behind it, for writing savefiles of `linkType`.
    static func openDead(linkType: LinkType, snaplen: Int, nanosecond: Bool) -> PcapHandle? {
        let precision = UInt32(nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO)
        guard let p = pcap_open_dead_with_tstamp_precision(linkType.dlt, Int32(clamping: snaplen), precision)
        else { return nil }
        return PcapHandle(pcap: p, streamBuffer: nil)
    }

    /// `pcap_create`: a live handle that still needs its options set and `activate()`.
    static func create(interface: String) -> Result<PcapHandle, PcapFailure> {
        withErrorBuffer { errbuf in
            guard let p = pcap_create(interface, errbuf)
            else { return .failure(PcapFailure(status: PCAP_ERROR, message: String(cString: errbuf))) }
            return .success(PcapHandle(pcap: p, streamBuffer: nil))
        }
    }

    // MARK: Live options (before activate); each returns libpcap's status (0 = fine)

    func setSnaplen(_ n: Int) -> Int32 { pcap_set_snaplen(pcap, Int32(clamping: n)) }
    func setPromiscuous(_ on: Bool) -> Int32 { pcap_set_promisc(pcap, on ? 1 : 0) }
    func setImmediateMode(_ on: Bool) -> Int32 { pcap_set_immediate_mode(pcap, on ? 1 : 0) }
    func setBufferSize(_ bytes: Int) -> Int32 { pcap_set_buffer_size(pcap, Int32(clamping: bytes)) }
    func setTimeout(milliseconds: Int) -> Int32 { pcap_set_timeout(pcap, Int32(clamping: milliseconds)) }
    func setNanosecondPrecision() -> Int32 {
        pcap_set_tstamp_precision(pcap, Int32(PCAP_TSTAMP_PRECISION_NANO))
    }

    /// Non-blocking reads (after activation): `next()` returns `.timeout` at once when no packet is ready.
    func setNonblocking() -> String? {
        PcapHandle.withErrorBuffer { errbuf in
            pcap_setnonblock(pcap, 1, errbuf) == 0 ? nil : String(cString: errbuf)
        }
    }

    /// The descriptor to poll for "packets may be ready" (-1 where there is none).
    var selectableDescriptor: Int32 { pcap_get_selectable_fd(pcap) }

    /// `pcap_activate`: 0 = ok, > 0 = activated with a warning, < 0 = failed. The message is libpcap's detail.
    func activate() -> PcapFailure? {
        let status = pcap_activate(pcap)
        guard status != 0 else { return nil }
        return PcapFailure(status: status, message: lastErrorMessage)
    }

    // MARK: Properties

    /// LINKTYPE_* of the capture (libpcap reports the platform DLT; see `LinkType.init(dlt:)`).
    var linkType: LinkType { LinkType(dlt: pcap_datalink(pcap)) }
    var snapshotLength: Int { Int(pcap_snapshot(pcap)) }
    /// True when timestamps are delivered in nanoseconds (what we asked for; may differ for live devices).
    var deliversNanoseconds: Bool { pcap_get_tstamp_precision(pcap) == Int32(PCAP_TSTAMP_PRECISION_NANO) }

    private var lastErrorMessage: String { String(cString: pcap_geterr(pcap)) }

    // MARK: Filter

    /// Compiles `expression` for this handle's link type and installs it. Returns libpcap's message on failure.
    func setFilter(_ expression: String, netmask: UInt32 = PCAP_NETMASK_UNKNOWN) -> String? {
        var program = bpf_program()
        guard pcap_compile(pcap, &program, expression, 1, netmask) == 0 else { return lastErrorMessage }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(pcap, &program) == 0 else { return lastErrorMessage }
        return nil
    }

    /// The IPv4 netmask of `interface` for filters such as `ip broadcast`; unknown when it has no IPv4 address.
    static func netmask(of interface: String) -> UInt32 {
        withErrorBuffer { errbuf in
            var net: bpf_u_int32 = 0
            var mask: bpf_u_int32 = 0
            return pcap_lookupnet(interface, &net, &mask, errbuf) == 0 ? mask : PCAP_NETMASK_UNKNOWN
        }
    }

    // MARK: Reading

    /// One `pcap_next_ex`, mapped to `PcapNext`. No allocation unless libpcap reports an error.
    @inline(__always)
    func next() -> PcapNext {
        var header: UnsafeMutablePointer<pcap_pkthdr>? = nil
        var data: UnsafePointer<UInt8>? = nil
        switch pcap_next_ex(pcap, &header, &data) {
        case 1:
            guard let header, let data else { return .error("libpcap returned a packet without data") }
            let h = header.pointee
            return .packet(h, UnsafeRawBufferPointer(start: data, count: Int(h.caplen)))
        case 0: return .timeout
        case -2: return .end
        default: return .error(lastErrorMessage)
        }
    }

    /// Makes a blocked or future `next()` return `.end`; async-signal-safe in libpcap (sets a flag, pokes an eventfd).
    func breakLoop() { pcap_breakloop(pcap) }

    func statistics() -> pcap_stat? {
        var stats = pcap_stat()
        return pcap_stats(pcap, &stats) == 0 ? stats : nil
    }

    // MARK: Writing

    /// Starts a classic pcap savefile at `path` ("-" = standard output, which closing the dumper closes).
    /// libpcap opens the file itself, so the FILE has one owner on every path.
    func openDumper(path: String) -> Result<PcapDumper, PcapFailure> {
        guard let dumper = pcap_dump_open(pcap, path) else {
            return .failure(PcapFailure(status: PCAP_ERROR, message: lastErrorMessage))
        }
        return .success(PcapDumper(dumper: dumper))
    }

    // MARK: Names

    /// libpcap's short name of a link type, e.g. "IEEE802_11" (nil when libpcap has none).
    static func name(of linkType: LinkType) -> String? {
        guard let cName = pcap_datalink_val_to_name(linkType.dlt) else { return nil }
        return String(cString: cName)
    }

    /// libpcap's text for a `pcap_activate` status code, e.g. "You don't have permission to perform this capture".
    static func statusText(_ status: Int32) -> String { String(cString: pcap_statustostr(status)) }

    // MARK: Devices

    /// `pcap_findalldevs`, converted to Swift values; the C list is freed before returning.
    static func allDevices() -> Result<[CaptureInterface], PcapFailure> {
        withErrorBuffer { errbuf in
            var list: UnsafeMutablePointer<pcap_if_t>? = nil
            guard pcap_findalldevs(&list, errbuf) == 0 else {
                return .failure(PcapFailure(status: PCAP_ERROR, message: String(cString: errbuf)))
            }
            defer { if let list { pcap_freealldevs(list) } }
            var result: [CaptureInterface] = []
            var device = list
            while let d = device?.pointee {
                result.append(CaptureInterface(device: d))
                device = d.next
            }
            return .success(result)
        }
    }

    private static func withErrorBuffer<T>(_ body: (UnsafeMutablePointer<CChar>) -> T) -> T {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(PCAP_ERRBUF_SIZE))
        buffer.initialize(repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        defer { buffer.deallocate() }
        return body(buffer)
    }
}

/// A libpcap failure: its status code (PCAP_ERROR_*, or > 0 for an activation warning) and message.
struct PcapFailure: Error {
    var status: Int32
    var message: String
}

/// Owner of one `pcap_dumper_t*` (which owns its FILE). Closed by `close()` or in `deinit`.
final class PcapDumper {
    private var dumper: OpaquePointer?

    fileprivate init(dumper: OpaquePointer) { self.dumper = dumper }
    deinit { close() }

    /// Appends one record; errors surface in `hasFailed` (stdio keeps the error flag).
    func write(header: inout pcap_pkthdr, bytes: UnsafeRawBufferPointer) {
        guard let dumper else { return }
        // pcap_dump's first argument is the dumper disguised as `u_char *` (pcap_handler signature).
        let user = UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self)
        if let base = bytes.baseAddress {
            pcap_dump(user, &header, base.assumingMemoryBound(to: UInt8.self))
        } else {
            var none: UInt8 = 0  // an empty record still needs a non-NULL pointer; caplen 0 reads nothing
            pcap_dump(user, &header, &none)
        }
    }

    /// Flushes buffered records; false when the write or flush failed.
    func flush() -> Bool {
        guard let dumper else { return true }
        return pcap_dump_flush(dumper) == 0 && ferror(pcap_dump_file(dumper)) == 0
    }

    /// Flushes and closes; false when anything written since the last check failed to reach the file.
    @discardableResult
    func close() -> Bool {
        guard let dumper else { return true }
        let ok = flush()
        pcap_dump_close(dumper)
        self.dumper = nil
        return ok
    }
}

extension CaptureInterface {
    fileprivate init(device d: pcap_if_t) {
        var addresses: [String] = []
        var address = d.addresses
        while let a = address?.pointee {
            if let sockaddr = a.addr, let text = numericHost(sockaddr) { addresses.append(text) }
            address = a.next
        }
        self.init(name: String(cString: d.name),
                  description: d.description.map { String(cString: $0) },
                  addresses: addresses,
                  isUp: d.flags & UInt32(PCAP_IF_UP) != 0,
                  isRunning: d.flags & UInt32(PCAP_IF_RUNNING) != 0,
                  isLoopback: d.flags & UInt32(PCAP_IF_LOOPBACK) != 0)
    }
}

/// "192.0.2.1" / "fe80::1" for IPv4 and IPv6 socket addresses; nil for the others (AF_PACKET etc.).
private func numericHost(_ address: UnsafeMutablePointer<sockaddr>) -> String? {
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    switch Int32(address.pointee.sa_family) {
    case AF_INET:
        var a = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
        guard inet_ntop(AF_INET, &a, &text, socklen_t(text.count)) != nil else { return nil }
    case AF_INET6:
        var a = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
        guard inet_ntop(AF_INET6, &a, &text, socklen_t(text.count)) != nil else { return nil }
    default:
        return nil
    }
    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension LinkType {
    /// From the DLT value libpcap reports to the LINKTYPE value the file/pcapng specs use.
    /// They differ only for a few historical values; raw IP is DLT 12 (Linux, macOS) or 14 (OpenBSD) but LINKTYPE 101.
    init(dlt: Int32) {
        switch dlt {
        case 12, 14: self = .raw
        case 11: self.init(rawValue: 100)   // ATM_RFC1483
        case 15: self.init(rawValue: 102)   // SLIP_BSDOS
        case 16: self.init(rawValue: 103)   // PPP_BSDOS
        default: self.init(rawValue: dlt)
        }
    }

    /// The DLT libpcap expects for this LINKTYPE on this platform (libpcap maps it back when writing a file).
    var dlt: Int32 {
        switch rawValue {
        case 101, 12, 14: return DLT_RAW
        case 100: return 11
        case 102: return 15
        case 103: return 16
        default: return rawValue
        }
    }
}
