import Foundation
import Testing

/// Reports/ holds what `analyze` prints for the sample captures; this test reruns every command of
/// Reports/generate.sh and fails when a report is stale (then run Reports/generate.sh).
@Suite("Reports/ is up to date")
struct SampleReportsTests {
    static let nsx = ["--inventory", "Captures/inventory.yaml"]
    static let ovn = nsx + ["Chassis", "Datapath_Binding", "Encap", "Port_Binding"].flatMap { ["--inventory", "Captures/ovn-sb/\($0).json"] }
    static let cases: [(String, [String])] = [
        ("overlay-demo", nsx), ("same-segment", nsx), ("routed", nsx), ("north-south", nsx), ("ovn-same-segment", ovn),
    ]
    static let files: [(report: String, capture: String, format: String, extra: [String])] =
        cases.flatMap { name, extra in
            [("\(name).md", name, "markdown", extra), ("\(name).json", name, "json", extra)]
        } + [("overlay-demo.html", "overlay-demo", "html", nsx)]

    @Test(arguments: files.map(\.report))
    func reportIsCurrent(report: String) throws {
        let f = try #require(Self.files.first { $0.report == report })
        let r = try CLI.run(["analyze", "--quiet", "--format", f.format, "Captures/\(f.capture).pcap"] + f.extra,
                            currentDirectory: CLI.repositoryRoot)
        #expect(r.status == 0, "analyze failed: \(r.stderr)")
        let onDisk = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("Reports/\(report)"), encoding: .utf8)
        #expect(onDisk == r.stdout, "Reports/\(report) is stale: run Reports/generate.sh")
    }
}
