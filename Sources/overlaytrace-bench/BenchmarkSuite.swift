import Foundation
import OverlayCapture

/// One program the suite times, and how to call it on a capture.
struct BenchTool {
    /// Short id used in thresholds.json and the ratio rows.
    var id: String
    /// What the row says the tool does.
    var label: String
    var argv: (String) -> [String]
    /// Runs per size (tshark is slow: fewer rounds, and possibly not every size).
    var rounds: (Int) -> Int = { _ in Int.max }
    /// Count allocations (our programs).
    var countAllocations = false
    /// Slow tools: their timed runs go through /usr/bin/time for peak RSS (its fork/exec is noise next to seconds);
    /// the fast ones are timed bare and get one separate RSS run per size.
    var slow = false
}

/// Everything measured for one tool at one capture size. Rounds that skipped the tool hold nil, so pairs line up.
struct ToolSamples {
    var wall: [Double?] = []
    /// User + system CPU seconds of the child (wait4): what the scaling check uses, as it hardly moves with
    /// the load other processes put on a shared machine.
    var cpu: [Double?] = []
    var peakRSSKiB: [Double] = []
    var medianWall: Double? { Statistics.median(wall.compactMap { $0 }) }
    var medianCPU: Double? { Statistics.median(cpu.compactMap { $0 }) }
    var medianRSSKiB: Double? { Statistics.median(peakRSSKiB) }
}

/// A capture the suite runs on.
struct BenchCapture {
    var path: String
    var packets: Int
    var bytes: Int
}

/// `overlaytrace-bench suite`: alternates every tool on every capture (rotating the order each round), then
/// prints medians, paired ratios, scaling, allocations and the threshold checks as Markdown.
final class BenchmarkSuite {
    struct Options {
        var scratch = "/tmp/overlaytrace-bench"
        var sizes = [100_000, 300_000, 1_000_000]
        var rounds = 5
        var overlaytrace: String?
        var cDirectory: String?
        var mallocShim: String?
        var thresholds: String?
        var markdownOut: String?
        var tsharkSizes: [Int] = [100_000, 1_000_000]
        var tsharkRounds = 3
        // Three at the largest size: the tshark ratio decides a goal, and one pair swung from 55× to 100× across runs.
        var tsharkRoundsLargest = 3
        var tcpdumpRoundsLargest = 3
    }

    let options: Options
    let runner: ProcessRunner
    var tools: [BenchTool] = []
    var captures: [BenchCapture] = []
    /// [tool id][capture index]
    var samples: [String: [ToolSamples]] = [:]
    /// [tool id][capture index]
    var allocations: [String: [Int: MallocCount]] = [:]
    var notes: [String] = []
    var crossChecks: [String] = []

    init(options: Options) {
        self.options = options
        runner = ProcessRunner(scratchDirectory: options.scratch)
    }

    static func parse(_ args: [String]) -> Options? {
        var o = Options()
        var i = 0
        func value() -> String? {
            i += 1
            return i < args.count ? args[i] : nil
        }
        func sizes(_ s: String?) -> [Int]? {
            guard let s else { return nil }
            let v = s.split(separator: ",").compactMap { Int($0) }
            return v.isEmpty && !s.isEmpty ? nil : v
        }
        while i < args.count {
            switch args[i] {
            case "--scratch": guard let v = value() else { return nil }; o.scratch = v
            case "--sizes": guard let v = sizes(value()), !v.isEmpty else { return nil }; o.sizes = v.sorted()
            case "--rounds": guard let v = value().flatMap({ Int($0) }), v > 0 else { return nil }; o.rounds = v
            case "--overlaytrace": o.overlaytrace = value()
            case "--c-dir": o.cDirectory = value()
            case "--malloc-count": o.mallocShim = value()
            case "--thresholds": o.thresholds = value()
            case "--markdown-out": o.markdownOut = value()
            case "--tshark-sizes": guard let v = sizes(value()) else { return nil }; o.tsharkSizes = v
            case "--tshark-rounds": guard let v = value().flatMap({ Int($0) }) else { return nil }; o.tsharkRounds = v
            case "--tshark-rounds-largest": guard let v = value().flatMap({ Int($0) }) else { return nil }; o.tsharkRoundsLargest = v
            case "--tcpdump-rounds-largest": guard let v = value().flatMap({ Int($0) }) else { return nil }; o.tcpdumpRoundsLargest = v
            default: return nil
            }
            i += 1
        }
        return o
    }

    // MARK: plan

    func plan() throws {
        guard ProcessRunner.devNullIsDevice else { throw ProcessRunnerError.devNullReplaced("an earlier run") }
        if options.sizes != Options().sizes {
            notes.append("The thresholds are calibrated for 100k/300k/1M packets, where every flow and per-flow sample is "
                + "already present at the smallest size; with smaller captures state still grows between sizes.")
        }
        for n in options.sizes {
            let path = "\(options.scratch)/big-\(n).pcap"
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attributes[.size] as? Int else {
                throw SuiteError("missing capture \(path) (run Tests/Benchmarks/run.sh, which writes it with `overlaytrace synth`)")
            }
            captures.append(BenchCapture(path: path, packets: try countPackets(path), bytes: size))
        }
        let me = selfPath()
        let largest = options.sizes.last ?? 0
        if let c = options.cDirectory {
            tools.append(BenchTool(id: "floor", label: "C `pcap_next_ex` loop, 64 KiB stdio buffer (libpcap floor)",
                                   argv: { ["\(c)/pcapcount", $0, "65536"] }))
            tools.append(BenchTool(id: "cref", label: "C Geneve + inner 5-tuple decode + flow hash (`pcapgeneve`, 64 KiB buffer)",
                                   argv: { ["\(c)/pcapgeneve", $0, "65536"] }))
        } else {
            notes.append("C references skipped: no shared/bench directory (pcapcount.c, pcapgeneve.c) was found.")
        }
        tools.append(BenchTool(id: "flows", label: "ours: CaptureFileReader → PacketDecoder → flow table (`overlaytrace-bench flows`)",
                               argv: { [me, "flows", $0] }, countAllocations: true))
        tools.append(BenchTool(id: "flows-checksums", label: "ours: same, verifying IPv4/TCP/UDP/ICMP checksums",
                               argv: { [me, "flows", "--checksums", $0] }, countAllocations: true))
        tools.append(BenchTool(id: "flows-layers", label: "ours: same as flows, every header kept as a Layer (`flows --all-layers`, what `decode` prints from)",
                               argv: { [me, "flows", "--all-layers", $0] }))
        tools.append(BenchTool(id: "engine", label: "ours: decode + OverlayAnalyzer ingest + finish, no report (`overlaytrace-bench engine`)",
                               argv: { [me, "engine", $0] }, countAllocations: true))
        tools.append(BenchTool(id: "engine-2t", label: "ours: same, the reference switch on a second thread, which also reads the file ahead (`engine --threads 2`)",
                               argv: { [me, "engine", "--threads", "2", $0] }))
        tools.append(BenchTool(id: "engine-2t-plain", label: "ours: same, the file read by the reading thread itself (`engine --threads 2 --no-read-ahead`)",
                               argv: { [me, "engine", "--threads", "2", "--no-read-ahead", $0] }))
        if let ot = options.overlaytrace, hasAnalyze(ot) {
            tools.append(BenchTool(id: "analyze", label: "ours: `overlaytrace analyze --format json --output /dev/null` (full analysis + report; two threads)",
                                   argv: { [ot, "analyze", "--threads", "2", "--format", "json", "--output", "/dev/null", $0] }, countAllocations: true))
            tools.append(BenchTool(id: "analyze-1t", label: "ours: the same on one thread (`analyze --threads 1`)",
                                   argv: { [ot, "analyze", "--threads", "1", "--format", "json", "--output", "/dev/null", $0] }))
        } else {
            notes.append("`overlaytrace analyze` is not available in this build: the full-analysis row is missing "
                + "(`decode` piped to /dev/null is not a substitute: it formats text per packet, analyze does not).")
        }
        if let tcpdump = ProcessRunner.which("tcpdump") {
            let r = options.tcpdumpRoundsLargest
            tools.append(BenchTool(id: "tcpdump", label: "`tcpdump -nr FILE` (full decode + print, to /dev/null)",
                                   argv: { [tcpdump, "-nr", $0] }, rounds: { $0 == largest ? r : Int.max }, slow: true))
        } else {
            notes.append("tcpdump is not installed: its row is missing.")
        }
        if let tshark = ProcessRunner.which("tshark") {
            let sizes = Set(options.tsharkSizes), r = options.tsharkRounds, rl = options.tsharkRoundsLargest
            tools.append(BenchTool(id: "tshark", label: "`tshark -r FILE -T fields -e geneve.vni -e ip.src` (to /dev/null)",
                                   argv: { [tshark, "-r", $0, "-T", "fields", "-e", "geneve.vni", "-e", "ip.src"] },
                                   rounds: { !sizes.contains($0) ? 0 : ($0 == largest ? rl : r) }, slow: true))
            let skipped = options.sizes.filter { !sizes.contains($0) }
            if !skipped.isEmpty {
                notes.append("tshark ran only on \(options.tsharkSizes.map(packetsLabel).joined(separator: ", ")) packets (it is slow: skipped on \(skipped.map(packetsLabel).joined(separator: ", "))).")
            }
        } else {
            notes.append("tshark is not installed: its row is missing.")
        }
    }

    // MARK: run

    func run() throws {
        try crossCheck()
        for (index, capture) in captures.enumerated() {
            warmPageCache(capture.path)
            let active = tools.filter { $0.rounds(capture.packets) > 0 }
            progress("\(packetsLabel(capture.packets)) packets: warm-up")
            for tool in active where tool.id != "tshark" && (tool.id != "tcpdump" || index == 0) {
                _ = try runner.run(tool.argv(capture.path))
            }
            for round in 0..<options.rounds {
                // Rotate the order each round so no tool always runs right after the same neighbour.
                let order = active.indices.map { active[($0 + round) % active.count] }
                progress("\(packetsLabel(capture.packets)) packets: round \(round + 1)/\(options.rounds)")
                for tool in order {
                    var s = samples[tool.id, default: Array(repeating: ToolSamples(), count: captures.count)]
                    if round < tool.rounds(capture.packets) {
                        let sample = try measure(tool, capture, peakRSS: tool.slow)
                        s[index].wall.append(sample.wallSeconds)
                        s[index].cpu.append(sample.cpuSeconds)
                        if tool.slow, let rss = sample.peakRSSKiB { s[index].peakRSSKiB.append(Double(rss)) }
                    } else {
                        s[index].wall.append(nil)
                        s[index].cpu.append(nil)
                    }
                    samples[tool.id] = s
                }
            }
            for tool in active where !tool.slow {
                progress("\(packetsLabel(capture.packets)) packets: peak RSS of \(tool.id)")
                if let rss = try measure(tool, capture, peakRSS: true).peakRSSKiB {
                    samples[tool.id]?[index].peakRSSKiB.append(Double(rss))
                }
            }
        }
        try countAllocations()
    }

    /// One run; with `peakRSS` under /usr/bin/time, since a child's own ru_maxrss starts from the harness's size
    /// (Linux carries the high-water mark of the pre-exec address space, the parent's under vfork, into the child).
    private func measure(_ tool: BenchTool, _ capture: BenchCapture, peakRSS: Bool) throws -> (wallSeconds: Double, cpuSeconds: Double, peakRSSKiB: Int?) {
        let argv = tool.argv(capture.path)
        let rssFile = options.scratch + "/.bench-rss"
        let wrapped = peakRSS && timeCommand != nil
        let sample = try runner.run(wrapped ? [timeCommand!, "-f", "%M", "-o", rssFile] + argv : argv)
        guard sample.exitStatus == 0 else {
            throw SuiteError("\(argv.joined(separator: " ")) failed (status \(sample.exitStatus)): \(sample.stderr.prefix(400))")
        }
        var rss: Int?
        if wrapped {
            rss = (try? String(contentsOfFile: rssFile, encoding: .utf8))?.split(separator: "\n").last.flatMap { Int($0) }
        }
        return (sample.wallSeconds, sample.cpuSeconds, rss)
    }

    private lazy var timeCommand: String? = {
        if let t = ProcessRunner.which("/usr/bin/time") { return t }
        notes.append("/usr/bin/time is not installed: peak RSS is not measured.")
        return nil
    }()

    /// Our flow loop and the C reference must agree on packets and flows, or the comparison means nothing.
    private func crossCheck() throws {
        guard let capture = captures.last else { return }
        let ours = try runner.run([selfPath(), "flows", capture.path], captureOutput: true)
        let oursFlows = field("flows", in: ours.stdout)
        crossChecks.append("ours: \(ours.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
        if let c = options.cDirectory {
            let ref = try runner.run(["\(c)/pcapgeneve", capture.path, "65536"], captureOutput: true)
            crossChecks.append("C:    \(ref.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
            guard field("flows", in: ref.stdout) == oursFlows, field("packets", in: ref.stdout) == field("packets", in: ours.stdout)
            else { throw SuiteError("the flow loop and pcapgeneve disagree:\n" + crossChecks.joined(separator: "\n")) }
        }
    }

    private func countAllocations() throws {
        guard let shim = options.mallocShim else {
            notes.append("Allocations not counted: no malloc-count shim given.")
            return
        }
        guard captures.count >= 2 else { return }
        for tool in tools where tool.countAllocations {
            for index in [0, captures.count - 1] {
                progress("allocations: \(tool.id) on \(packetsLabel(captures[index].packets)) packets")
                if let count = try MallocCount.measure(tool.argv(captures[index].path), shim: shim, runner: runner) {
                    allocations[tool.id, default: [:]][index] = count
                }
            }
        }
    }

    // MARK: derived figures

    func marginalAllocationsPerPacket(_ id: String) -> Double? {
        guard let a = allocations[id], let small = a[0], let large = a[captures.count - 1] else { return nil }
        let packets = captures[captures.count - 1].packets - captures[0].packets
        return packets > 0 ? Double(large.counted - small.counted) / Double(packets) : nil
    }

    func microsecondsPerPacket(_ id: String, _ index: Int) -> Double? {
        samples[id]?[index].medianWall.map { $0 * 1e6 / Double(captures[index].packets) }
    }

    func cpuMicrosecondsPerPacket(_ id: String, _ index: Int) -> Double? {
        samples[id]?[index].medianCPU.map { $0 * 1e6 / Double(captures[index].packets) }
    }

    func rssRatio(_ id: String) -> Double? {
        guard let s = samples[id], let a = s.first?.medianRSSKiB, let b = s.last?.medianRSSKiB, a > 0 else { return nil }
        return b / a
    }

    /// CPU µs per packet at the largest size over the middle one.
    func timeRatio(_ id: String) -> Double? {
        guard captures.count >= 2, let a = cpuMicrosecondsPerPacket(id, captures.count - 2),
              let b = cpuMicrosecondsPerPacket(id, captures.count - 1) else { return nil }
        return b / a
    }

    /// Median over rounds of wall(a) / wall(b) at capture `index`.
    func pairedRatio(_ a: String, _ b: String, _ index: Int) -> Double? {
        guard let x = samples[a]?[index].wall, let y = samples[b]?[index].wall else { return nil }
        return Statistics.pairedRatio(x, y)
    }

    func checks() throws -> [ThresholdCheck] {
        guard let path = options.thresholds else { return [] }
        let t = try Thresholds.load(path)
        var out: [ThresholdCheck] = []
        for (id, limit) in t.allocationsPerPacket.sorted(by: { $0.key < $1.key }) {
            out.append(ThresholdCheck(name: "allocations per packet, \(id)", limit: limit, measured: marginalAllocationsPerPacket(id)))
        }
        for (id, limit) in t.peakRSSRatioLargestOverSmallest.sorted(by: { $0.key < $1.key }) {
            out.append(ThresholdCheck(name: "peak RSS \(sizeLabel(captures.count - 1)) / \(sizeLabel(0)), \(id)", limit: limit, measured: rssRatio(id)))
        }
        for (id, limit) in t.timePerPacketRatioLargestOverMiddle.sorted(by: { $0.key < $1.key }) {
            out.append(ThresholdCheck(name: "CPU µs per packet \(sizeLabel(captures.count - 1)) / \(sizeLabel(max(0, captures.count - 2))), \(id)",
                                      limit: limit, measured: timeRatio(id)))
        }
        return out
    }

    func sizeLabel(_ index: Int) -> String { packetsLabel(captures[index].packets) }

    // MARK: helpers

    private func hasAnalyze(_ overlaytrace: String) -> Bool {
        // ArgumentParser answers `--help` for an unknown subcommand with the root help: look for its own usage line.
        guard let s = try? runner.run([overlaytrace, "analyze", "--help"], captureOutput: true) else { return false }
        return s.exitStatus == 0 && s.stdout.contains("overlaytrace analyze")
    }

    private func countPackets(_ path: String) throws -> Int {
        let reader = try CaptureFileReader(path: path)
        var n = 0
        while case .packet = reader.next() { n += 1 }
        return n
    }

    private func warmPageCache(_ path: String) {
        guard let f = fopen(path, "rb") else { return }
        defer { fclose(f) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while fread(buffer, 1, 1 << 20, f) > 0 {}
    }

    private func field(_ name: String, in text: String) -> String? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let i = words.firstIndex(where: { $0 == name }), i + 1 < words.count else { return nil }
        return String(words[i + 1])
    }

    private func progress(_ line: String) { printError("bench: " + line) }
}

struct SuiteError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// "100k", "1M", "300k".
func packetsLabel(_ n: Int) -> String {
    if n >= 1_000_000 && n % 1_000_000 == 0 { return "\(n / 1_000_000)M" }
    if n >= 1000 && n % 1000 == 0 { return "\(n / 1000)k" }
    return String(n)
}

/// This executable's path, so the suite can run its own loops as separate processes.
func selfPath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}
