import Foundation
import OverlayAnalysis
import OverlayCapture
import OverlayWire

/// The `live` screen: one row per TEP pair and direction, redrawn about once a second; or, when stdout is
/// not a terminal (`--plain`), one timestamped line per row per refresh so it can be logged.
final class LiveDashboard {
    let interface: String
    let plain: Bool

    init(interface: String, plain: Bool) {
        self.interface = interface
        self.plain = plain
    }

    static let header = ["TEP PAIR", "PKT/S", "BYTES/S", "PACKETS", "VNIS", "FLOWS", "BFD", "LARGEST", ">MTU", "FRAGS", "ICMP-ERR", "NOTE"]

    func render(rows: [TunnelHealthMonitor.Row], packets: Int, statistics: CaptureStatistics?, elapsed: Double,
                session: LiveSession, final: Bool = false) {
        session.noteRows(rows)
        if plain {
            let stamp = String(format: "%8.1fs", elapsed)
            var out = ""
            for row in rows { out += "\(stamp) \(cells(row, session: session).joined(separator: " "))\n" }
            for finding in session.newFindings() { out += "\(stamp) finding: \(finding)\n" }
            FileHandle.standardOutput.write(Data(out.utf8))
            return
        }
        var out = "\u{1B}[H\u{1B}[2J"
        let drops = statistics.map { " | kernel drops \($0.droppedByKernel), interface drops \($0.droppedByInterface)" } ?? ""
        out += "overlaytrace live on \(interface) | \(formatElapsed(elapsed)) | \(packets) packets\(drops)\(final ? " | stopped" : " | Ctrl-C to stop")\n\n"
        let table = [Self.header] + rows.map { cells($0, session: session) }
        var widths = Array(repeating: 0, count: Self.header.count)
        for r in table { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        for (n, r) in table.enumerated() {
            let line = r.enumerated().map { i, c in
                i == 0 || i == 4 || i == 6 || i == 11 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - c.count) + c
            }.joined(separator: "  ")
            out += line + "\n"
            if n == 0 { out += String(repeating: "-", count: line.count) + "\n" }
        }
        if rows.isEmpty { out += "(no tunnel traffic yet)\n" }
        let findings = session.recentFindings(limit: 8)
        if !findings.isEmpty {
            out += "\nfindings:\n" + findings.map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    func cells(_ r: TunnelHealthMonitor.Row, session: LiveSession) -> [String] {
        var notes: [String] = []
        if r.oneWay { notes.append("ONE-WAY") }
        if r.overMTU > 0 { notes.append("over MTU") }
        if r.bfdState != nil && r.bfdState != .up { notes.append("BFD not up") }
        let vnis = r.vnis.prefix(4).map(String.init).joined(separator: ",") + (r.vnis.count > 4 ? ",+\(r.vnis.count - 4)" : "")
        let bfd = r.bfdState.map { s in "\(s)" + (r.bfdDiagnostic.map { $0 != 0 ? " diag \($0)" : "" } ?? "") + (r.bfdFlaps > 0 ? " flaps \(r.bfdFlaps)" : "") } ?? "-"
        return [
            "\(session.name(r.source)) → \(session.name(r.destination))",
            String(format: "%.1f", r.packetsPerSecond),
            formatBytes(r.bytesPerSecond),
            String(r.packets),
            vnis.isEmpty ? "-" : vnis,
            r.innerFlows >= TunnelHealthMonitor.maxInnerFlowsPerPair ? "≥\(r.innerFlows)" : String(r.innerFlows),
            bfd,
            String(r.largestOuterPacket),
            String(r.overMTU),
            String(r.fragments),
            String(r.icmpErrors),
            notes.joined(separator: ", "),
        ]
    }

    func formatBytes(_ v: Double) -> String {
        if v >= 1e9 { return String(format: "%.1f GB", v / 1e9) }
        if v >= 1e6 { return String(format: "%.1f MB", v / 1e6) }
        if v >= 1e3 { return String(format: "%.1f kB", v / 1e3) }
        return String(format: "%.0f B", v)
    }

    func formatElapsed(_ s: Double) -> String {
        let t = Int(s)
        return String(format: "%02d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60)
    }
}
