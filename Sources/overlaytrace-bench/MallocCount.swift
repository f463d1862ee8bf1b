import Foundation

/// Allocation counts from Tests/Benchmarks/malloc-count.c, a malloc/calloc/realloc/memalign interposer loaded with
/// LD_PRELOAD that writes its totals to $OVERLAYTRACE_MALLOC_COUNT_OUT when the process exits. Counting calls
/// (not bytes) is what stays exact on a noisy machine; the per-packet figure is the marginal one between two
/// capture sizes with the same flows, so start-up and O(flows) allocations cancel out.
struct MallocCount {
    var allocations: Int
    var bytes: Int
    /// Allocations in the program's per-packet loop when it reports them (`engine`: "ingest-allocations N").
    var loopAllocations: Int?

    /// What the per-packet figure is computed from: the loop's count when known, else the whole process's.
    var counted: Int { loopAllocations ?? allocations }

    static func measure(_ argv: [String], shim: String, runner: ProcessRunner) throws -> MallocCount? {
        let out = runner.scratchDirectory + "/.bench-malloc-count"
        unlink(out)
        let sample = try runner.run(argv, environment: ["LD_PRELOAD": shim, "OVERLAYTRACE_MALLOC_COUNT_OUT": out], captureOutput: true)
        guard sample.exitStatus == 0, let text = try? String(contentsOfFile: out, encoding: .utf8),
              let line = text.split(separator: "\n").first else { return nil }
        // "allocations N frees N bytes N"
        let words = line.split(separator: " ")
        guard words.count >= 6, let a = Int(words[1]), let b = Int(words[5]) else { return nil }
        let printed: [Substring] = sample.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" })
        var loop: Int?
        if let i = printed.firstIndex(of: "ingest-allocations"), i + 1 < printed.count { loop = Int(printed[i + 1]) }
        return MallocCount(allocations: a, bytes: b, loopAllocations: loop)
    }
}
