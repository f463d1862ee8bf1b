import ArgumentParser
import Foundation
import OverlayAnalysis
import OverlayCapture
import OverlayWire
import Synchronization

/// `overlaytrace live`: capture on a TEP link and watch tunnel health as it happens.
struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Capture on an interface and show tunnel health per TEP pair, refreshed every second.",
        discussion: """
        Needs root or CAP_NET_RAW (sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v overlaytrace)").
        Ctrl-C or --duration/--count end the capture cleanly: libpcap statistics are printed, --write leaves a
        valid pcap, --report writes the full Markdown report.
        Examples:
          overlaytrace live -i eth1 --duration 30s
          overlaytrace live -i vmk10 --write incident.pcap --report incident.md --inventory site.yaml
        """
    )

    static let defaultFilter = "(udp port 6081 or udp port 4789 or udp port 8472 or udp port 3784 or udp port 4784)"
        + " or (icmp and icmp[0] == 3) or (icmp6 and ip6[40] == 2) or arp or (ip and ip[6:2] & 0x1fff != 0)"
        + " or (vlan and (udp port 6081 or udp port 4789 or arp))"

    @Option(name: .shortAndLong, help: "Interface to capture on (see `overlaytrace interfaces`).")
    var interface: String

    @Option(name: .long, help: "BPF filter (default: Geneve, VXLAN, BFD, ICMP errors, ARP and IP fragments).")
    var filter: String?

    @Option(name: .long, help: "Stop after this long: 30s, 5m, 1h (default: until Ctrl-C).")
    var duration: DurationArgument?

    @Option(name: .long, help: "Stop after this many packets.")
    var count: Int?

    @Option(name: .long, help: "Also write the captured packets to this pcap file.")
    var write: String?

    @Option(name: .long, help: "Write the full Markdown report here when the capture ends.")
    var report: String?

    @Option(name: .long, help: "Inventory (YAML/JSON or OVN southbound dumps) for names and intent.")
    var inventory: [String] = []

    @Option(name: .long, help: "Underlay MTU the outer packets are checked against.")
    var mtu: Int = 1600

    @Option(name: .long, help: "Bytes captured per packet.")
    var snaplen: Int = 65535

    @Flag(name: .long, help: "Plain line output instead of the refreshing dashboard (default when stdout is not a terminal).")
    var plain = false

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count needs a positive number") }
        if mtu < 68 { throw ValidationError("--mtu must be at least 68") }
        if snaplen < 128 { throw ValidationError("--snaplen must be at least 128 to hold Geneve and inner headers") }
    }
}

/// `30s`, `5m`, `1h`, `250ms` or plain seconds.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var seconds: Double
    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where argument.hasSuffix(suffix) {
            guard let v = Double(argument.dropLast(suffix.count)), v > 0 else { return nil }
            seconds = v * scale
            return
        }
        guard let v = Double(argument), v > 0 else { return nil }
        seconds = v
    }
}

extension LiveCommand {
    func run() throws {
        let capture: LiveCapture
        do {
            capture = try LiveCapture(interface: interface, filter: filter ?? Self.defaultFilter, snaplen: snaplen)
        } catch {
            throw CommandFailure(error.description, status: error.exitCode == 3 ? .device : .usage)
        }
        for w in capture.warnings { StandardError.line(w) }
        var writer: CaptureFileWriter?
        if let write {
            do {
                writer = try CaptureFileWriter(path: write, linkType: capture.linkType, snaplen: snaplen)
            } catch {
                throw CommandFailure(error.description, status: .usage)
            }
        }
        let stop = StopSignal(breaker: capture.breaker)
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        let monitor = TunnelHealthMonitor(mtu: mtu)
        let session = try LiveSession(monitor: monitor, inventoryPaths: inventory, mtu: mtu, interface: interface)
        let dashboard = LiveDashboard(interface: interface, plain: plain || isatty(STDOUT_FILENO) != 1)
        let started = WallClock.now()
        let deadline = duration.map { started + $0.seconds }
        var nextRefresh = started + 1
        var frames = 0
        var endedBy = "a signal (Ctrl-C)"
        capture: while true {
            switch capture.next() {
            case .packet(let record, let bytes):
                frames += 1
                writer?.write(record, bytes)
                let info = FrameInfo(number: frames, timestamp: record.timestamp, capturedLength: record.capturedLength,
                                     wireLength: record.wireLength, linkType: capture.linkType)
                decoder.decode(bytes, linkType: capture.linkType, wireLength: record.wireLength, into: &packet)
                session.observe(frame: info, packet: packet)
                if let count, frames >= count {
                    endedBy = "--count \(count)"
                    break capture
                }
            case .timeout:
                break
            case .end, .truncatedFile:
                endedBy = stop.requested ? "a signal (Ctrl-C)" : "end of capture"
                break capture
            }
            if stop.requested { break }
            let now = WallClock.now()
            if let deadline, now >= deadline {
                endedBy = "--duration"
                break
            }
            if now >= nextRefresh {
                nextRefresh = now + 1
                dashboard.render(rows: monitor.snapshot(now: WallClock.timestamp()), packets: frames,
                                 statistics: capture.statistics(), elapsed: now - started, session: session)
            }
        }
        if let error = capture.lastError {
            throw CommandFailure(error.description, status: error.exitCode == 3 ? .device : .usage)
        }
        let stats = capture.statistics()
        dashboard.render(rows: monitor.snapshot(now: WallClock.timestamp()), packets: frames, statistics: stats,
                         elapsed: WallClock.now() - started, session: session, final: true)
        print("capture ended by \(endedBy): \(frames) packets captured" + (stats.map {
            ", \($0.received) received by the filter, \($0.droppedByKernel) dropped by the kernel, \($0.droppedByInterface) dropped by the interface"
        } ?? ""))
        if let stats, stats.droppedByKernel + stats.droppedByInterface > 0 {
            print("warning: packets were dropped: the report below the dashboard misses them (try a narrower --filter or a larger buffer)")
        }
        if let writer {
            writer.close()
            if let failure = writer.failure { throw CommandFailure(failure.description, status: .usage) }
            print("wrote \(writer.packetsWritten) packets to \(writer.path)")
        }
        try session.finish(reportPath: report, captureWarnings: capture.warnings)
    }
}

/// SIGINT/SIGTERM end the capture cleanly: the loop sees the flag, libpcap's blocking read is interrupted.
final class StopSignal {
    private let flag = Atomic<Bool>(false)
    private let sources: [DispatchSourceSignal]

    init(breaker: CaptureBreaker) {
        var made: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            made.append(source)
        }
        sources = made
        for source in sources {
            source.setEventHandler { [self] in
                self.flag.store(true, ordering: .relaxed)
                breaker.breakLoop()
            }
            source.resume()
        }
    }

    var requested: Bool { flag.load(ordering: .relaxed) }
}

enum WallClock {
    /// Monotonic seconds, for refresh and duration.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    static func timestamp() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec), nanoseconds: UInt32(ts.tv_nsec))
    }
}
