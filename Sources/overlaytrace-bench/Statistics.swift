/// Medians and paired ratios: on a shared, noisy machine the same binary drifts by tens of percent between
/// batches, so comparisons come from runs taken in turn (A, B, A, B…) and the median of the pair-by-pair ratios.
enum Statistics {
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }

    /// Median of a[i] / b[i] over the rounds both have.
    static func pairedRatio(_ a: [Double?], _ b: [Double?]) -> Double? {
        var ratios: [Double] = []
        for i in 0..<min(a.count, b.count) {
            if let x = a[i], let y = b[i], y > 0 { ratios.append(x / y) }
        }
        return median(ratios)
    }
}
