import Foundation
import OverlaySynth
import Testing

/// `--threads 2` runs the reference switch on a second thread, fed batches of decoded packets; the report must be
/// byte-for-byte the one a single thread writes, for every fault (one finding on named frames each) and for a
/// capture long enough to cross many batch boundaries (and end in a partial batch).
struct AnalysisThreadsTests {
    /// Fixed hash seeds: where a table is capped, which entries are kept must not depend on the process.
    static let environment = ["SWIFT_DETERMINISTIC_HASHING": "1"]

    private func report(_ file: String, threads: String, dir: TemporaryDirectory, options: [String] = []) throws -> String {
        let out = dir.path("report-\(threads).json")
        let r = try CLI.run(["analyze", "--quiet", "--threads", threads, "--format", "json", "--output", out, file] + options,
                            environment: Self.environment)
        #expect(r.status == 0, "\(r.stderr)")
        return try String(contentsOfFile: out, encoding: .utf8)
    }

    @Test(arguments: FaultScenario.allCases)
    func twoThreadsReportWhatOneThreadReports(fault: FaultScenario) throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("\(fault.rawValue).pcap")
        let c = fault.build()
        try PcapWriter.write(c.frames, to: file)
        // Missing copies between other TEPs are judged only when the capture sees the whole underlay.
        let options = fault == .incompleteReplication ? ["--complete-underlay"] : []
        let one = try report(file, threads: "1", dir: dir, options: options)
        let two = try report(file, threads: "2", dir: dir, options: options)
        #expect(one == two)
        // Not vacuous: each fault case provokes a finding on the frames it names.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(one.utf8)) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.contains { ($0["frames"] as? [Int]).map { Set($0).isSuperset(of: c.frameNumbers) } ?? false },
                "\(fault.rawValue): \(findings.map { $0["kind"] ?? "" })")
    }

    @Test func twoThreadsAgreeAcrossManyBatches() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("big.pcap")
        // 20,011 packets: 78 full batches of 256 and a partial one.
        _ = try BigCaptureGenerator(packets: 20_011, teps: 8, vnis: 12, flows: 400).write(to: file)
        let one = try report(file, threads: "1", dir: dir)
        let two = try report(file, threads: "2", dir: dir)
        #expect(one == two)
        #expect(one.contains("\"packets\": 20011"))
    }

    @Test func threadsMustBeOneTwoOrAuto() throws {
        let r = try CLI.run(["analyze", "--threads", "3", "Captures/overlay-demo.pcap"], currentDirectory: CLI.repositoryRoot)
        #expect(r.status == 2)
        #expect(r.stderr.contains("--threads"))
        let auto = try CLI.run(["analyze", "--quiet", "--threads", "auto", "--format", "json", "Captures/overlay-demo.pcap"],
                               currentDirectory: CLI.repositoryRoot)
        #expect(auto.status == 0)
    }
}
