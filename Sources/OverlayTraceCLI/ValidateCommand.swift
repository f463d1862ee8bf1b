import ArgumentParser
import Foundation
import OverlayReference
import OverlayReport

/// `overlaytrace validate`: replay the capture through the reference switch and list every disagreement.
/// The exit status gates a CI pipeline or a change window.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a capture against the embedded reference switch; exit 1 when a finding reaches --fail-on.",
        discussion: """
        Finding kinds: misdelivery, mac-move, mac-flap, duplicate-mac, vni-mismatch, unknown-unicast-flood,
        incomplete-replication, mtu, unanswered, header, ttl, intent (needs --inventory).
        Exit status: 0 no finding at or above --fail-on; 1 at least one; 2 usage or input error.
        Examples:
          overlaytrace validate capture.pcap --inventory site.yaml --mtu 1700
          overlaytrace validate capture.pcap --fail-on warning --json
        """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions

    @Option(name: .customLong("fail-on"), help: "Severity that makes the exit status 1 (info, warning, error, never).")
    var failOn: FailOn = .error

    @Flag(name: .long, help: "Print the findings as a JSON array.")
    var json = false

    func run() throws {
        let result = try AnalysisRun.run(input: input, options: analysis)
        ProcessLifetime.keepUntilExit(result)
        let findings = result.findings
        if json {
            try JSONReportWriter.write(to: OutputFile(path: nil).write) { AnalysisJSON.findings(findings, to: &$0) }
        } else {
            var out = ""
            for f in findings {
                out += "\(f.severity.rawValue.uppercased()) \(f.kind.rawValue): \(f.message)\n"
                if let e = f.expected { out += "    expected: \(e)\n" }
                if let o = f.observed { out += "    observed: \(o)\n" }
                out += "    frames: \(f.frames.map(String.init).joined(separator: ", "))\n"
            }
            let counts = Finding.Severity.allCases.reversed().map { s in "\(findings.filter { $0.severity == s }.count) \(s.rawValue)" }
            out += "\(result.capture.packets) packets checked against the reference switch: "
                + (findings.isEmpty ? "no findings" : counts.joined(separator: ", ")) + "\n"
            try writeOutput(out, to: nil)
        }
        if failOn.failed(findings) { throw ExitCode(ExitStatus.findings.rawValue) }
    }
}
