import Foundation

/// Tests/Benchmarks/thresholds.json: limits the suite enforces (exit status 1 when one is exceeded). Allocation
/// counts are exact on any machine; the time and memory limits are ratios within one run, so noise mostly cancels.
struct Thresholds: Decodable {
    /// Marginal allocations per packet, (allocations at the largest size − at the smallest) / (packets difference),
    /// per tool id (`flows`, `decode`, `analyze`).
    var allocationsPerPacket: [String: Double]
    /// Peak RSS at the largest size over peak RSS at the smallest, per tool id.
    var peakRSSRatioLargestOverSmallest: [String: Double]
    /// µs per packet at the largest size over µs per packet at the middle size, per tool id.
    var timePerPacketRatioLargestOverMiddle: [String: Double]

    static func load(_ path: String) throws -> Thresholds {
        try JSONDecoder().decode(Thresholds.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// One checked limit and how the run did against it.
struct ThresholdCheck {
    var name: String
    var limit: Double
    /// nil when the tool did not run (e.g. `analyze` before the command exists): reported, not failed.
    var measured: Double?
    var passed: Bool { measured.map { $0 <= limit } ?? true }
}
