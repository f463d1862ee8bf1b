import Foundation

/// The suite's results as Markdown: machine, throughput at the largest capture, paired ratios, scaling with size,
/// allocations, threshold checks.
struct SuiteReport {
    let suite: BenchmarkSuite
    let checks: [ThresholdCheck]

    func markdown() -> String {
        var out: [String] = []
        let last = suite.captures.count - 1
        let big = suite.captures[last]
        out.append("### Machine")
        out.append("")
        out.append(contentsOf: machine().map { "- " + $0 })
        out.append("- captures: " + suite.captures.map {
            "\(packetsLabel($0.packets)) packets (\(String(format: "%.1f", Double($0.bytes) / 1e6)) MB)"
        }.joined(separator: ", ") + " from `overlaytrace synth --packets N` (50 TEPs, 200 VNIs, 10,000 flows, OVN option on ~70%)")
        out.append("- method: every tool alternated with the others, order rotated each round, \(suite.options.rounds) rounds "
            + "after a warm-up, page cache warm; medians; ratios are medians of pair-by-pair ratios from the same rounds")
        out.append("")

        out.append("### Throughput, \(packetsLabel(big.packets)) packets")
        out.append("")
        out.append("| tool (what it does) | wall s (median) | runs | packets/s | MB/s | peak RSS MiB | allocations/packet |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for tool in suite.tools {
            guard let s = suite.samples[tool.id]?[last], let wall = s.medianWall else { continue }
            let runs = s.wall.compactMap { $0 }.count
            let allocs = suite.marginalAllocationsPerPacket(tool.id).map { String(format: "%.4f", $0) } ?? "–"
            out.append("| \(tool.label) | \(String(format: "%.3f", wall)) | \(runs) | \(rate(Double(big.packets) / wall)) | "
                + "\(String(format: "%.0f", Double(big.bytes) / 1e6 / wall)) | \(mib(s.medianRSSKiB)) | \(allocs) |")
        }
        out.append("")

        out.append("### Paired ratios (wall time, A / B)")
        out.append("")
        out.append("| A / B | capture | ratio | goal |")
        out.append("|---|---:|---:|---|")
        for (index, capture) in suite.captures.enumerated() {
            let rows: [(String, String, String, String)] = [
                ("flows", "cref", "ours decode + flows / C reference", "≤ 1.25"),
                ("flows-checksums", "cref", "ours decode + flows, checksums verified / C reference", ""),
                ("flows-layers", "flows", "ours decode + flows, every header as a Layer / as analyze decodes", ""),
                ("flows", "floor", "ours decode + flows / libpcap floor", ""),
                ("cref", "floor", "C reference / libpcap floor", ""),
                ("analyze", "cref", "ours analyze / C reference", ""),
                ("engine", "cref", "ours engine (no report) / C reference", ""),
                ("analyze-1t", "engine", "ours analyze, one thread / engine (the report's share)", ""),
                ("engine", "engine-2t", "ours engine, one thread / two threads (what the second core buys)", ""),
                ("engine-2t-plain", "engine-2t", "ours engine on two threads, file read by the reading thread / read ahead by the reference thread", ""),
                ("analyze-1t", "analyze", "ours analyze, one thread / two threads", ""),
                ("tcpdump", "engine", "tcpdump -nr / ours engine", ""),
                ("tshark", "engine", "tshark -T fields / ours engine", ""),
                ("tcpdump", "analyze", "tcpdump -nr / ours analyze", "≥ 15"),
                ("tshark", "analyze", "tshark -T fields / ours analyze", "≥ 100"),
                ("tcpdump", "analyze-1t", "tcpdump -nr / ours analyze, one thread", ""),
                ("tshark", "analyze-1t", "tshark -T fields / ours analyze, one thread", ""),
                ("tcpdump", "flows", "tcpdump -nr / ours decode + flows", ""),
                ("tshark", "flows", "tshark -T fields / ours decode + flows", ""),
            ]
            for (a, b, label, goal) in rows {
                guard let r = suite.pairedRatio(a, b, index) else { continue }
                out.append("| \(label) | \(packetsLabel(capture.packets)) | \(String(format: r >= 10 ? "%.0f" : "%.2f", r)) | \(goal) |")
            }
        }
        out.append("")

        out.append("### Scaling with capture size (µs per packet: wall and CPU, medians; peak RSS)")
        out.append("")
        let sizes = suite.captures.map { packetsLabel($0.packets) }
        let (lastSize, middleSize, firstSize) = (sizes.last ?? "", sizes.dropLast().last ?? "", sizes.first ?? "")
        out.append("| tool | " + sizes.map { "wall µs/pkt \($0)" }.joined(separator: " | ") + " | "
            + sizes.map { "CPU µs/pkt \($0)" }.joined(separator: " | ") + " | CPU \(lastSize) / \(middleSize) | "
            + sizes.map { "RSS MiB \($0)" }.joined(separator: " | ") + " | RSS \(lastSize) / \(firstSize) |")
        out.append("|---|" + String(repeating: "---:|", count: sizes.count * 3 + 2))
        for tool in suite.tools {
            let wall = suite.captures.indices.map { suite.microsecondsPerPacket(tool.id, $0).map { String(format: "%.3f", $0) } ?? "–" }
            let cpu = suite.captures.indices.map { suite.cpuMicrosecondsPerPacket(tool.id, $0).map { String(format: "%.3f", $0) } ?? "–" }
            let rss = suite.captures.indices.map { mib(suite.samples[tool.id]?[$0].medianRSSKiB) }
            let tr = suite.timeRatio(tool.id).map { String(format: "%.2f", $0) } ?? "–"
            let rr = suite.rssRatio(tool.id).map { String(format: "%.2f", $0) } ?? "–"
            out.append("| \(tool.id) | " + wall.joined(separator: " | ") + " | " + cpu.joined(separator: " | ") + " | \(tr) | "
                + rss.joined(separator: " | ") + " | \(rr) |")
        }
        out.append("")

        if !suite.allocations.isEmpty {
            out.append("### Allocations (malloc-count interposer; marginal = extra allocations per extra packet; "
                + "`engine` counts its per-packet loop only, the others the whole process)")
            out.append("")
            out.append("| tool | " + [0, last].map { "allocations, \(packetsLabel(suite.captures[$0].packets))" }.joined(separator: " | ")
                + " | marginal per packet |")
            out.append("|---|---:|---:|---:|")
            for tool in suite.tools where tool.countAllocations {
                guard let a = suite.allocations[tool.id] else { continue }
                let cells = [0, last].map { a[$0].map { String($0.counted) } ?? "–" }
                let m = suite.marginalAllocationsPerPacket(tool.id).map { String(format: "%.5f", $0) } ?? "–"
                out.append("| \(tool.id) | " + cells.joined(separator: " | ") + " | \(m) |")
            }
            out.append("")
        }

        if !checks.isEmpty {
            out.append("### Threshold checks (Tests/Benchmarks/thresholds.json)")
            out.append("")
            out.append("| check | limit | measured | |")
            out.append("|---|---:|---:|---|")
            for c in checks {
                let m = c.measured.map { String(format: "%.4f", $0) } ?? "not run"
                out.append("| \(c.name) | \(c.limit) | \(m) | \(c.measured == nil ? "skipped" : (c.passed ? "ok" : "**EXCEEDED**")) |")
            }
            out.append("")
        }
        if !suite.crossChecks.isEmpty {
            out.append("Cross-check on the largest capture (same packets and flows):")
            out.append("")
            out.append("```")
            out.append(contentsOf: suite.crossChecks)
            out.append("```")
            out.append("")
        }
        for n in suite.notes { out.append("- " + n) }
        return out.joined(separator: "\n") + "\n"
    }

    private func rate(_ v: Double) -> String {
        if v >= 1e6 { return String(format: "%.2f M", v / 1e6) }
        if v >= 1e3 { return String(format: "%.1f k", v / 1e3) }
        return String(format: "%.0f", v)
    }

    private func mib(_ kib: Double?) -> String { kib.map { String(format: "%.1f", $0 / 1024) } ?? "–" }

    private func machine() -> [String] {
        var lines: [String] = []
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
        let memKiB = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal") }?
            .split(separator: " ").dropFirst().first.flatMap { Double($0) }
        let os = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }?
            .dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) ?? "unknown"
        lines.append("\(ProcessInfo.processInfo.activeProcessorCount) CPUs (`nproc`), \(cpu), "
            + (memKiB.map { String(format: "%.0f GiB", $0 / 1024 / 1024) } ?? "? GiB") + " memory, \(os)")
        var tools: [String] = []
        if let t = ProcessRunner.which("tcpdump"), let s = try? suite.runner.run([t, "--version"], captureOutput: true) {
            tools.append(contentsOf: s.stdout.split(separator: "\n").prefix(2).map(String.init))
        }
        if let t = ProcessRunner.which("tshark"), let s = try? suite.runner.run([t, "--version"], captureOutput: true),
           let first = s.stdout.split(separator: "\n").first {
            tools.append(String(first))
        }
        if let t = ProcessRunner.which("swift"), let s = try? suite.runner.run([t, "--version"], captureOutput: true),
           let first = s.stdout.split(separator: "\n").first(where: { $0.contains("Swift version") }) {
            tools.append(String(first) + ", `swift build -c release`")
        }
        if suite.options.cDirectory != nil, let t = ProcessRunner.which("cc"), let s = try? suite.runner.run([t, "--version"], captureOutput: true),
           let first = s.stdout.split(separator: "\n").first {
            tools.append(String(first) + " `-O2`")
        }
        if !tools.isEmpty { lines.append("tools: " + tools.joined(separator: "; ")) }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ")
        if let load { lines.append("load average when the run started: \(load) (the machine is shared)") }
        return lines
    }
}
