#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// overlaytrace-bench: the measured loops (`flows`, `decode`, `analyze-engine`) and the harness that runs every tool
// alternately and prints the table (`suite`). Tests/Benchmarks/run.sh drives it from a fresh clone.

let usage = """
usage: overlaytrace-bench flows [--checksums] FILE     decode + flow accounting (what pcapgeneve.c does)
       overlaytrace-bench decode [--checksums] FILE    decode only
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
default:
    printError(usage)
    exit(2)
}
