import Testing
import OverlayWire

/// `InternetChecksum.sum` adds host-order 64-bit words (carries counted apart) and swaps once at the end; its fold must equal the
/// textbook RFC 1071 sum of big-endian 16-bit words for every length, alignment, content and initial value.
@Suite("Internet checksum sum") struct ChecksumSumTests {
    /// RFC 1071 §4.1, word by word in network order.
    static func reference(_ bytes: [UInt8], initial: UInt64) -> UInt16 {
        var s = initial
        var i = 0
        while i + 1 < bytes.count {
            s += UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { s += UInt64(bytes[i]) << 8 }
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return UInt16(s)
    }

    @Test func foldMatchesTheWordByWordSum() {
        var rng = SystemRandomNumberGenerator()
        for length in 0..<200 {
            for pattern in 0..<4 {
                var bytes: [UInt8]
                switch pattern {
                case 0: bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                case 1: bytes = [UInt8](repeating: 0xFF, count: length)
                case 2: bytes = [UInt8](repeating: 0, count: length)
                default: bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37) }
                }
                for initial: UInt64 in [0, 1, 0xFFFF, 0x1_2345, UInt64.random(in: 0...0xFFFF_FFFF, using: &rng)] {
                    // Every start offset: the fast path loads unaligned words.
                    for offset in 0..<min(3, length + 1) {
                        let slice = Array(bytes[offset...])
                        let fast = slice.withUnsafeBytes { InternetChecksum.fold(InternetChecksum.sum($0, initial: initial)) }
                        #expect(fast == Self.reference(slice, initial: initial), "length \(slice.count) pattern \(pattern) initial \(initial)")
                    }
                }
            }
        }
    }

    /// Frames up to jumbo and savefile-maximum sizes: all-ones bytes carry out of the accumulators on nearly every word
    /// (the carries are counted apart), random ones catch a lost or doubled word.
    @Test func longRunsMatchTheWordByWordSum() {
        var rng = SystemRandomNumberGenerator()
        for length in [1_500, 9_000, 65_535, 65_536, 65_537, 65_552, 131_072 + 29, 262_144] {
            for random in [false, true] {
                let bytes = random ? (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) } : [UInt8](repeating: 0xFF, count: length)
                let fast = bytes.withUnsafeBytes { InternetChecksum.fold(InternetChecksum.sum($0, initial: 0x1_2345)) }
                #expect(fast == Self.reference(bytes, initial: 0x1_2345), "length \(length) random \(random)")
            }
        }
    }

    @Test func zeroOnlyForZeroBytes() {
        #expect([UInt8](repeating: 0, count: 64).withUnsafeBytes { InternetChecksum.sum($0) } == 0)
        #expect([UInt8](repeating: 0xFF, count: 2).withUnsafeBytes { InternetChecksum.fold(InternetChecksum.sum($0)) } == 0xFFFF)
    }
}
