import OverlayWire

/// An IPv4 or IPv6 prefix ("10.1.10.0/24", "2001:db8::/32"). Host bits are cleared on construction, so
/// "10.1.10.7/24" and "10.1.10.0/24" are the same prefix and print the same way.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var length: Int

    /// `nil` when `length` is outside 0…32 (IPv4) or 0…128 (IPv6).
    public init?(address: IPAddress, length: Int) {
        guard length >= 0, length <= Self.maximumLength(of: address) else { return nil }
        self.address = Self.masked(address, length: length)
        self.length = length
    }

    /// Parses "address/length"; a bare address is a host prefix (/32 or /128).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(String(parts[0])) else { return nil }
        var length = Self.maximumLength(of: address)
        if parts.count == 2 {
            // Digits only: Int("+8") would accept a sign, and lengths are never written that way.
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let parsed = Int(digits)
            else { return nil }
            length = parsed
        }
        self.init(address: address, length: length)
    }

    public func contains(_ a: IPAddress) -> Bool {
        switch (address, a) {
        case (.v4(let network), .v4(let candidate)):
            return candidate.rawValue & Self.mask32(length) == network.rawValue
        case (.v6(let network), .v6(let candidate)):
            let (high, low) = Self.mask128(length)
            return candidate.high & high == network.high && candidate.low & low == network.low
        default:
            return false
        }
    }

    public var description: String { "\(address)/\(length)" }

    private static func maximumLength(of address: IPAddress) -> Int {
        switch address {
        case .v4: return 32
        case .v6: return 128
        }
    }

    private static func mask32(_ length: Int) -> UInt32 {
        length <= 0 ? 0 : length >= 32 ? .max : ~(UInt32.max >> UInt32(length))
    }

    private static func mask64(_ length: Int) -> UInt64 {
        length <= 0 ? 0 : length >= 64 ? .max : ~(UInt64.max >> UInt64(length))
    }

    private static func mask128(_ length: Int) -> (high: UInt64, low: UInt64) {
        (mask64(length), mask64(length - 64))
    }

    private static func masked(_ address: IPAddress, length: Int) -> IPAddress {
        switch address {
        case .v4(let a):
            return .v4(IPv4Address(rawValue: a.rawValue & mask32(length)))
        case .v6(let a):
            let (high, low) = mask128(length)
            return .v6(IPv6Address(high: a.high & high, low: a.low & low))
        }
    }
}
