import Foundation
import OverlaySynth
import Testing

@Suite("overlaytrace analyze, validate and trace")
struct AnalyzeValidateTraceTests {
    static let root = CLI.repositoryRoot
    static let inventory = ["--inventory", "Captures/inventory.yaml"]

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func analyzeJSONNamesTEPsSegmentsWorkloadsAndClasses() throws {
        let r = try CLI.run(["analyze", "--quiet", "--format", "json", "Captures/overlay-demo.pcap"] + Self.inventory, currentDirectory: Self.root)
        #expect(r.status == 0)
        let doc = try Self.json(r.stdout)
        for key in ["capture", "teps", "segments", "endpoints", "routers", "tunnels", "flows", "findings", "problems"] {
            #expect(doc[key] != nil, "missing \(key)")
        }
        let teps = try #require(doc["teps"] as? [[String: Any]])
        #expect(teps.first { $0["ip"] as? String == "172.20.11.100" }?["name"] as? String == "edge-01")
        let flows = try #require(doc["flows"] as? [[String: Any]])
        let classes = Set(flows.compactMap { $0["class"] as? String })
        #expect(classes == ["east-west/same-segment", "east-west/routed", "north-south"])
        let routed = try #require(flows.first { $0["class"] as? String == "east-west/routed" })
        #expect((routed["teps"] as? [String]) == ["172.20.11.51", "172.20.11.53"])
        #expect((routed["path_text"] as? String)?.contains("VNI 69632 → 73728, TTL 64 → 63") == true)
        #expect((doc["findings"] as? [Any])?.isEmpty == true)
    }

    @Test func htmlIsOneSelfContainedPage() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("report.html")
        let r = try CLI.run(["analyze", "--quiet", "--format", "html", "--output", out, "Captures/routed.pcap"] + Self.inventory,
                            currentDirectory: Self.root)
        #expect(r.status == 0)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<table"))
        #expect(html.contains("<svg"))
        #expect(!html.contains("<script"))
        // Works offline: nothing is fetched (the SVG namespace URI is a name, not a download).
        let external = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!external.contains("http://") && !external.contains("https://") && !external.contains("src="))
    }

    @Test func validateCleanCaptureExits0() throws {
        let r = try CLI.run(["validate", "--quiet", "Captures/overlay-demo.pcap"] + Self.inventory, currentDirectory: Self.root)
        #expect(r.status == 0)
        #expect(r.stdout.contains("92 packets checked against the reference switch: no findings"))
    }

    @Test(arguments: [FaultScenario.macFlap, .misdelivery, .vniMismatch])
    func validateFaultExits1WithTheFinding(fault: FaultScenario) throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("\(fault.rawValue).pcap")
        let c = fault.build()
        try PcapWriter.write(c.frames, to: file)
        let r = try CLI.run(["validate", "--quiet", "--json", file])
        #expect(r.status == 1, "\(fault.rawValue): \(r.stdout)")
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let kinds = findings.compactMap { $0["kind"] as? String }
        #expect(kinds.contains(fault.rawValue), "\(kinds)")
        let frames = findings.first { $0["kind"] as? String == fault.rawValue }?["frames"] as? [Int]
        #expect(frames == c.frameNumbers)
        // --fail-on never: report, but do not gate.
        #expect(try CLI.run(["validate", "--quiet", "--fail-on", "never", file]).status == 0)
    }

    @Test func traceAgreesWithTheCaptureOrSaysWhy() throws {
        let ok = try CLI.run(["trace", "--from", "web-01", "--to", "10.1.20.11", "tcp/443", "--capture", "Captures/routed.pcap"] + Self.inventory,
                             currentDirectory: Self.root)
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("verdict: MATCHES"))
        // The same query against a capture that does not hold the flow.
        let missing = try CLI.run(["trace", "--from", "web-01", "--to", "10.1.20.11", "tcp/443", "--capture", "Captures/same-segment.pcap"] + Self.inventory,
                                  currentDirectory: Self.root)
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("no matching flow"))
        let noInventory = try CLI.run(["trace", "--from", "a", "--to", "b"])
        #expect(noInventory.status == 2)
    }

    @Test func badInventoryIsAUsageError() throws {
        let dir = try TemporaryDirectory()
        let bad = dir.path("bad.yaml")
        try "teps: [{ip: 999.1.1.1, name: x}]\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["analyze", "--quiet", "Captures/routed.pcap", "--inventory", bad], currentDirectory: Self.root)
        #expect(r.status == 2)
        #expect(r.stderr.contains("999.1.1.1"))
    }
}

@Suite("output files")
struct OutputFileTests {
    /// `--output /dev/null` (as benchmarks do) must write through the device, not replace it by rename.
    @Test func outputToDevNullKeepsTheDevice() throws {
        let r = try CLI.run(["analyze", "--quiet", "Captures/routed.pcap", "--output", "/dev/null"], currentDirectory: CLI.repositoryRoot)
        #expect(r.status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: "/dev/null")
        #expect(attributes[.type] as? FileAttributeType == .typeCharacterSpecial)
    }

    @Test func streamedJSONToDevNullKeepsTheDevice() throws {
        let r = try CLI.run(["analyze", "--quiet", "--format", "json", "Captures/routed.pcap", "--output", "/dev/null"],
                            currentDirectory: CLI.repositoryRoot)
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: "/dev/null")
        #expect(attributes[.type] as? FileAttributeType == .typeCharacterSpecial)
    }

    /// The streamed JSON report goes into the existing file (a hard link to it sees it), replaces longer old
    /// content, and is the same text stdout gets.
    @Test func streamedJSONWritesTheFileInPlace() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("report.json"), link = dir.path("link.json")
        try String(repeating: "old content\n", count: 100_000).write(toFile: out, atomically: false, encoding: .utf8)
        try FileManager.default.linkItem(atPath: out, toPath: link)
        let args = ["analyze", "--quiet", "--format", "json", "Captures/overlay-demo.pcap", "--inventory", "Captures/inventory.yaml"]
        let toFile = try CLI.run(args + ["--output", out], currentDirectory: CLI.repositoryRoot)
        let toStdout = try CLI.run(args, currentDirectory: CLI.repositoryRoot)
        #expect(toFile.status == 0 && toStdout.status == 0)
        let written = try String(contentsOfFile: link, encoding: .utf8)
        #expect(written == toStdout.stdout)
        #expect(written.hasPrefix("{\n  \"schema_version\": 1,") && written.hasSuffix("}\n"))
    }

    @Test func unwritableOutputIsAnError() throws {
        let r = try CLI.run(["analyze", "--quiet", "--format", "json", "Captures/routed.pcap", "--output", "/nonexistent-dir/r.json"],
                            currentDirectory: CLI.repositoryRoot)
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot write '/nonexistent-dir/r.json'"))
    }
}
