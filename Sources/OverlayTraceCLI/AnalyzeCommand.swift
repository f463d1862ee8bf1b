import ArgumentParser

/// `overlaytrace analyze`: topology, the path of every flow and findings, as Markdown, HTML or JSON.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Reconstruct segments, TEPs, workloads and the path of every flow; validate against the reference switch.",
        discussion: """
        Several files (e.g. captures from two TEPs) are analyzed as one timeline.
        Examples:
          overlaytrace analyze Captures/overlay-demo.pcap --inventory Captures/inventory.yaml
          overlaytrace analyze tep-a.pcap tep-b.pcapng --format html --output report.html
          overlaytrace analyze capture.pcap --inventory Datapath_Binding.json --inventory Port_Binding.json --format json
        JSON schema: docs/json-analyze.md.
        """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions

    @Option(name: .long, help: "Report format.")
    var format: ReportFormat = .markdown

    @Option(name: .shortAndLong, help: "Write the report here instead of standard output.")
    var output: String?

    @Option(name: .customLong("fail-on"), help: "Exit with status 1 when a finding reaches this severity (info, warning, error, never).")
    var failOn: FailOn = .never

    func run() throws {
        let result = try AnalysisRun.run(input: input, options: analysis)
        ProcessLifetime.keepUntilExit(result)
        try format.write(result, to: output, threads: analysis.threads.count)
        if failOn.failed(result.findings) { throw ExitCode(ExitStatus.findings.rawValue) }
    }
}
