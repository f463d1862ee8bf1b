#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OverlayWire

// overlaytrace-bench: the measured loops (`flows`, `decode`, `analyze-engine`) and the harness that runs every tool
// alternately and prints the table (`suite`). Tests/Benchmarks/run.sh drives it from a fresh clone.

let usage = """
usage: overlaytrace-bench flows [--checksums] [--all-layers] [--threads 2] FILE   decode + flow accounting (what
                                                       pcapgeneve.c does); --threads 2: read+decode on a second thread;
                                                       --all-layers: every packet's headers as Layers (as `decode` prints
                                                       them), not only those of packets that are not plain (as `analyze`)
       overlaytrace-bench decode [--checksums] [--all-layers] FILE    decode only
       overlaytrace-bench engine [--no-checksums] [--part all|analysis|reference] [--threads 2] [--no-read-ahead] FILE
                                                       decode + OverlayAnalyzer (ingest + finish, no report);
                                                       --part: only the analysis state or the reference switch;
                                                       --threads 2: the reference switch on a second thread,
                                                       which also reads the file ahead (not with --no-read-ahead)
       overlaytrace-bench compare [--rounds N] 'cmd A' 'cmd B'   quick paired A/B
       overlaytrace-bench layout                       sizes of the decoded values the hot path copies
       overlaytrace-bench suite OPTIONS                alternate all tools, print the Markdown table (see run.sh)
"""

func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    printError(usage)
    exit(2)
}
arguments.removeFirst()

switch command {
case "flows", "decode":
    var loop = FlowAccounting()
    loop.countFlows = command == "flows"
    if let i = arguments.firstIndex(of: "--checksums") {
        loop.verifyChecksums = true
        arguments.remove(at: i)
    }
    if let i = arguments.firstIndex(of: "--all-layers") {
        loop.allLayers = true
        arguments.remove(at: i)
    }
    if let i = arguments.firstIndex(of: "--threads") , i + 1 < arguments.count {
        loop.pipelined = arguments[i + 1] == "2"
        arguments.removeSubrange(i...(i + 1))
    }
    guard arguments.count == 1 else {
        printError(usage)
        exit(2)
    }
    do {
        let t = try loop.run(path: arguments[0])
        print("packets \(t.packets) bytes \(t.bytes) tunneled \(t.tunneled) options \(t.options) problems \(t.packetsWithProblems) flows \(t.flows)")
    } catch {
        printError("overlaytrace-bench: \(error)")
        exit(1)
    }
case "engine":
    var engine = AnalyzeEngine()
    if let i = arguments.firstIndex(of: "--no-checksums") {
        engine.verifyChecksums = false
        arguments.remove(at: i)
    }
    if let i = arguments.firstIndex(of: "--no-read-ahead") {
        engine.readAhead = false
        arguments.remove(at: i)
    }
    if let i = arguments.firstIndex(of: "--part"), i + 1 < arguments.count {
        guard let part = AnalyzeEngine.Part(rawValue: arguments[i + 1]) else {
            printError(usage)
            exit(2)
        }
        engine.part = part
        arguments.removeSubrange(i...(i + 1))
    }
    if let i = arguments.firstIndex(of: "--threads"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
        engine.threads = n
        arguments.removeSubrange(i...(i + 1))
    }
    guard arguments.count == 1 else {
        printError(usage)
        exit(2)
    }
    do {
        let t = try engine.run(path: arguments[0])
        print("packets \(t.packets) flows \(t.flows) teps \(t.teps) segments \(t.segments) findings \(t.findings) "
            + String(format: "ingest %.3f s finish %.3f s", t.ingestSeconds, t.finishSeconds)
            + (t.replaySeconds.map { String(format: " replay %.3f s", $0) } ?? "")
            + (t.ingestAllocations.map { " ingest-allocations \($0)" } ?? ""))
    } catch {
        printError("overlaytrace-bench: \(error)")
        exit(1)
    }
case "suite":
    guard let options = BenchmarkSuite.parse(arguments) else {
        printError("usage: overlaytrace-bench suite --scratch DIR [--sizes 100000,300000,1000000] [--rounds 5] "
            + "[--overlaytrace PATH] [--c-dir DIR] [--malloc-count SHIM.so] [--thresholds FILE] [--markdown-out FILE] "
            + "[--tshark-sizes 100000,1000000] [--tshark-rounds 3] [--tshark-rounds-largest 3] [--tcpdump-rounds-largest 3]")
        exit(2)
    }
    do {
        let suite = BenchmarkSuite(options: options)
        try suite.plan()
        try suite.run()
        let checks = try suite.checks()
        let text = SuiteReport(suite: suite, checks: checks).markdown()
        print(text, terminator: "")
        if let path = options.markdownOut { try text.write(toFile: path, atomically: false, encoding: .utf8) }
        let failed = checks.filter { !$0.passed }
        if !failed.isEmpty {
            printError("overlaytrace-bench: \(failed.count) threshold(s) exceeded: " + failed.map(\.name).joined(separator: "; "))
            exit(1)
        }
    } catch {
        printError("overlaytrace-bench: \(error)")
        exit(1)
    }
case "compare":
    // Quick A/B while optimizing: `compare [--rounds N] 'cmd A' 'cmd B' ...` (each command split on spaces).
    var rounds = 9
    if arguments.first == "--rounds", arguments.count > 1, let n = Int(arguments[1]) {
        rounds = n
        arguments.removeFirst(2)
    }
    guard arguments.count >= 2 else {
        printError("usage: overlaytrace-bench compare [--rounds N] 'command A' 'command B' ...")
        exit(2)
    }
    let commands = arguments.map { $0.split(separator: " ").map(String.init) }
    let runner = ProcessRunner(scratchDirectory: "/tmp")
    var wall = Array(repeating: [Double?](), count: commands.count)
    var cpu = Array(repeating: [Double?](), count: commands.count)
    do {
        for c in commands { _ = try runner.run(c) }
        for r in 0..<rounds {
            for k in commands.indices {
                let i = (k + r) % commands.count
                let s = try runner.run(commands[i])
                wall[i].append(s.wallSeconds)
                cpu[i].append(s.cpuSeconds)
            }
        }
    } catch {
        printError("overlaytrace-bench: \(error)")
        exit(1)
    }
    for i in commands.indices {
        let w = Statistics.median(wall[i].compactMap { $0 }) ?? 0, c = Statistics.median(cpu[i].compactMap { $0 }) ?? 0
        let rw = Statistics.pairedRatio(wall[i], wall[0]) ?? 0, rc = Statistics.pairedRatio(cpu[i], cpu[0]) ?? 0
        print(String(format: "wall %.3f s (%.3f× first)  cpu %.3f s (%.3f× first)  ", w, rw, c, rc) + arguments[i])
    }
case "layout":
    // Sizes of the values the hot path copies (a Layer is copied into and out of `DecodedPacket.layers`).
    print("Layer \(MemoryLayout<Layer>.stride) B, NetworkLevel \(MemoryLayout<NetworkLevel>.stride) B, "
        + "DecodedPacket \(MemoryLayout<DecodedPacket>.stride) B, FrameInfo \(MemoryLayout<FrameInfo>.stride) B, "
        + "LevelSummary \(MemoryLayout<LevelSummary>.stride) B, IPv4Header \(MemoryLayout<IPv4Header>.stride) B, IPv6Header \(MemoryLayout<IPv6Header>.stride) B, "
        + "ICMPMessage \(MemoryLayout<ICMPMessage>.stride) B, ICMPv6Message \(MemoryLayout<ICMPv6Message>.stride) B, "
        + "GeneveHeader \(MemoryLayout<GeneveHeader>.stride) B, TCPHeader \(MemoryLayout<TCPHeader>.stride) B")
default:
    printError(usage)
    exit(2)
}
