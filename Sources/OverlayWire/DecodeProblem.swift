/// Which layer a header or a problem belongs to. The raw value is the name used in output and JSON.
public enum LayerKind: String, Sendable, Hashable, CaseIterable {
    case frame, loopback, sll = "linux-sll", ethernet, vlan, arp, ipv4, ipv6, udp, tcp, icmp, icmpv6, geneve, vxlan, bfd, payload
}

/// A named, non-fatal problem found while decoding one packet: where it happened and why, in plain words.
///
/// Decoding never stops at the first oddity: the problem is attached and decoding goes on as far as the
/// bytes are valid (tcpdump's "truncated" vs "invalid" families are kept apart in `code`).
public struct DecodeProblem: Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The capture holds fewer bytes than the header needs (snaplen or a cut record).
        public static let truncated = Code(rawValue: "truncated")
        /// A length field contradicts the bytes or another length.
        public static let invalidLength = Code(rawValue: "invalid-length")
        public static let unsupportedVersion = Code(rawValue: "unsupported-version")
        public static let reservedBitsSet = Code(rawValue: "reserved-bits")
        public static let badChecksum = Code(rawValue: "bad-checksum")
        /// Geneve: C flag does not match whether a critical option is present.
        public static let criticalFlagMismatch = Code(rawValue: "critical-flag-mismatch")
        /// Geneve: a critical option no registered decoder understands; a receiver must drop the packet.
        public static let unknownCriticalOption = Code(rawValue: "unknown-critical-option")
        public static let unknownProtocolType = Code(rawValue: "unknown-protocol-type")
        public static let depthLimit = Code(rawValue: "depth-limit")
        public static let unsupportedLinkType = Code(rawValue: "unsupported-link-type")
        public static let malformed = Code(rawValue: "malformed")
    }

    public var layer: LayerKind
    /// Byte offset in the frame where the problem was found.
    public var offset: Int
    public var code: Code
    public var reason: String

    public init(layer: LayerKind, offset: Int, code: Code, reason: String) {
        self.layer = layer
        self.offset = offset
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(layer.rawValue)@\(offset): \(reason)" }
}
