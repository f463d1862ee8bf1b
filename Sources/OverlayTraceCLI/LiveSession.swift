import Foundation
import OverlayAnalysis
import OverlayInventory
import OverlayReport
import OverlayWire

/// What `live` keeps besides the capture: the tunnel-health monitor behind the dashboard and the same
/// analysis engine `analyze` uses (with the reference switch), so the report written at the end is the
/// report `analyze` would write for the saved capture.
final class LiveSession {
    let monitor: TunnelHealthMonitor
    let analyzer: OverlayAnalyzer
    let inventory: Inventory?
    let interface: String
    private var events: [String] = []
    private var eventsShown = 0
    private var problemKinds: Set<String> = []
    private var warnedPairs: Set<String> = []
    private var warnings: [String] = []

    init(monitor: TunnelHealthMonitor, inventoryPaths: [String], mtu: Int, interface: String) throws {
        self.monitor = monitor
        self.interface = interface
        if inventoryPaths.isEmpty {
            inventory = nil
        } else {
            do {
                inventory = try Inventory.load(paths: inventoryPaths)
            } catch {
                throw CommandFailure("cannot use the inventory: \(error)")
            }
        }
        var configuration = AnalysisConfiguration()
        configuration.reference.underlayMTU = mtu
        analyzer = OverlayAnalyzer(configuration: configuration, inventory: inventory)
    }

    func observe(frame: FrameInfo, packet: DecodedPacket) {
        monitor.observe(frame: frame, packet: packet)
        analyzer.ingest(frame: frame, packet: packet)
        // Header faults are known the moment the packet is decoded: show each kind once, as it happens.
        for p in packet.problems where problemKinds.count < 64 {
            let key = "\(p.layer.rawValue)/\(p.code.rawValue)"
            if problemKinds.insert(key).inserted {
                events.append("frame \(frame.number): \(p.layer.rawValue) \(p.code.rawValue): \(p.reason)")
            }
        }
    }

    /// Tunnel-level alarms derived from the rows (one-way, over MTU, BFD not Up), each reported once.
    func noteRows(_ rows: [TunnelHealthMonitor.Row]) {
        for r in rows {
            let pair = "\(name(r.source)) → \(name(r.destination))"
            if r.oneWay && r.packets >= 10, warnedPairs.insert("oneway \(pair)").inserted {
                events.append("one-way tunnel: \(pair) carries \(r.packets) packets, nothing seen back")
            }
            if r.overMTU > 0, warnedPairs.insert("mtu \(pair)").inserted {
                events.append("outer packets over the \(monitor.mtu)-byte underlay MTU on \(pair) (largest \(r.largestOuterPacket))")
            }
            if let s = r.bfdState, s != .up, warnedPairs.insert("bfd \(s) \(pair)").inserted {
                events.append("BFD \(s) on \(pair)" + (r.bfdDiagnostic.map { $0 != 0 ? " (diag \($0))" : "" } ?? ""))
            }
        }
    }

    func name(_ ip: IPAddress) -> String {
        inventory?.tep(ip).map { "\($0.name) (\(ip))" } ?? ip.description
    }

    func newFindings() -> [String] {
        defer { eventsShown = events.count }
        return Array(events[eventsShown...])
    }

    func recentFindings(limit: Int) -> [String] { Array(events.suffix(limit)) }

    /// Runs the end-of-capture analysis and writes the Markdown report when asked; prints the finding count.
    func finish(reportPath: String?, captureWarnings: [String]) throws {
        let result = analyzer.finish(files: ["live:\(interface)"], warnings: captureWarnings)
        let errors = result.findings.filter { $0.severity == .error }.count
        print("reference switch: \(result.findings.count) finding\(result.findings.count == 1 ? "" : "s") (\(errors) error\(errors == 1 ? "" : "s")), \(result.flows.count) flows, \(result.teps.count) TEPs, \(result.segments.count) segments")
        if let reportPath {
            try writeOutput(ReportFormat.markdown.render(result), to: reportPath)
            print("wrote the report to \(reportPath)")
        }
    }
}
