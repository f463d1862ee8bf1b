/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, seedable generator, so every synthetic capture is a
/// pure function of its seed (the system generator is neither seedable nor stable across platforms).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0), by multiply-shift; the tiny bias is irrelevant for test traffic.
    @inlinable
    public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bound).multipliedFullWidth(by: next())).high)
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    @inlinable
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
