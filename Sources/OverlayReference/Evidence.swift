import OverlayWire

/// The frames a finding rests on: a bounded sample (the first `limit`) and how many there were in all.
/// Appending stops allocating once the sample is full, so a fault present in every packet of a
/// multi-GB capture costs one counter increment per packet.
struct Evidence: Sendable {
    private(set) var sample: [Int] = []
    private(set) var count = 0
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    mutating func add(_ frame: Int) {
        count += 1
        if sample.count < limit { sample.append(frame) }
    }

    /// Ascending frame numbers, as `Finding.frames` wants them.
    var frames: [Int] { sample.sorted() }
    var firstFrame: Int { sample.min() ?? 0 }

    /// "frame 12", "frames 3, 5 and 9", "412 frames (first 8: 3, 5, …)".
    var text: String { framesText(frames, total: count) }
}

func framesText(_ frames: [Int], total: Int) -> String {
    let listed = frames.map(String.init)
    if total <= 1, let one = listed.first { return "frame \(one)" }
    if total == listed.count {
        return "frames " + (listed.count == 2 ? listed.joined(separator: " and ")
                             : listed.dropLast().joined(separator: ", ") + " and " + (listed.last ?? ""))
    }
    return "\(total) frames (first \(listed.count): \(listed.joined(separator: ", ")))"
}

func plural(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }

/// Capture time in nanoseconds since the epoch: cheap to compare and subtract on the hot path.
typealias Nanos = Int64

extension Double {
    /// Seconds → nanoseconds, saturating.
    var nanoseconds: Nanos { self >= 9e9 ? Nanos.max / 4 : Nanos(self * 1e9) }
}

/// 64-bit mixing for fingerprints and direct-mapped caches (splitmix-style finaliser). Not a secure hash:
/// collisions only ever cost a missed match, never a false finding, because every cache compares full keys.
@inline(__always)
func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
    var x = (h ^ v) &+ 0x9E37_79B9_7F4A_7C15
    x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
    x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
    return x ^ (x >> 31)
}

extension IPAddress {
    /// A 64-bit summary of the address for fingerprints (exact for IPv4).
    @inline(__always)
    var hashWord: UInt64 {
        switch self {
        case .v4(let a): return UInt64(a.rawValue)
        case .v6(let a): return a.high ^ (a.low &* 0x9E37_79B9_7F4A_7C15) ^ 0x6000_0000_0000_0000
        }
    }

    /// The same /N subnet as `other` (same family only).
    func sharesPrefix(with other: IPAddress, v4Length: Int, v6Length: Int) -> Bool {
        switch (self, other) {
        case (.v4(let a), .v4(let b)):
            if v4Length <= 0 { return true }
            let mask: UInt32 = v4Length >= 32 ? .max : ~(UInt32.max >> UInt32(v4Length))
            return a.rawValue & mask == b.rawValue & mask
        case (.v6(let a), .v6(let b)):
            if v6Length <= 0 { return true }
            if v6Length <= 64 {
                let mask: UInt64 = v6Length >= 64 ? .max : ~(UInt64.max >> UInt64(v6Length))
                return a.high & mask == b.high & mask
            }
            let mask: UInt64 = v6Length >= 128 ? .max : ~(UInt64.max >> UInt64(v6Length - 64))
            return a.high == b.high && a.low & mask == b.low & mask
        default:
            return false
        }
    }
}

func plural(_ n: Int, _ singular: String, plural: String) -> String { n == 1 ? "1 \(singular)" : "\(n) \(plural)" }
