import OverlayTables
import OverlayWire

extension IPAddress {
    /// The address as two words for `KeyHasher`. Only a hash input: tables compare the full keys, so the rare
    /// IPv6 address with the same two words as an IPv4 one costs a probe, never a wrong match.
    @inline(__always)
    var keyWords: (UInt64, UInt64) {
        switch self {
        case .v4(let a): return (UInt64(a.rawValue), 4)
        case .v6(let a): return (a.high, a.low)
        }
    }
}

extension KeyHasher {
    @inline(__always)
    func hash(_ ip: IPAddress) -> UInt64 {
        let (a, b) = ip.keyWords
        return hash(a, b)
    }
}
