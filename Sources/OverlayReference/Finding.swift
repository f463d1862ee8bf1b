import OverlayWire

/// A disagreement between what the capture shows and what the reference switch expects, with its evidence.
public struct Finding: Hashable, Sendable {
    public struct Kind: RawRepresentable, Hashable, Sendable, Comparable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }

        public static let misdelivery = Kind(rawValue: "misdelivery")
        public static let macMove = Kind(rawValue: "mac-move")
        public static let macFlap = Kind(rawValue: "mac-flap")
        public static let duplicateMAC = Kind(rawValue: "duplicate-mac")
        public static let vniMismatch = Kind(rawValue: "vni-mismatch")
        public static let unknownUnicastFlood = Kind(rawValue: "unknown-unicast-flood")
        public static let incompleteReplication = Kind(rawValue: "incomplete-replication")
        public static let mtu = Kind(rawValue: "mtu")
        public static let unanswered = Kind(rawValue: "unanswered")
        public static let header = Kind(rawValue: "header")
        public static let ttl = Kind(rawValue: "ttl")
        /// Intent findings (need an inventory): workload on another TEP than declared, undeclared VNI, unknown TEP.
        public static let intent = Kind(rawValue: "intent")
    }

    /// Ordered: info < warning < error, so `--fail-on warning` means "warning or worse".
    public enum Severity: String, Hashable, Sendable, Comparable, CaseIterable {
        case info, warning, error
        var rank: Int {
            switch self {
            case .info: return 0
            case .warning: return 1
            case .error: return 2
            }
        }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public var kind: Kind
    public var severity: Severity
    /// Plain words: what happened and why it matters.
    public var message: String
    /// What the model expected (e.g. "delivered to TEP 172.20.11.52, which hosts 00:50:56:aa:10:12").
    public var expected: String?
    /// What the capture shows.
    public var observed: String?
    /// 1-based frame numbers the finding rests on (a bounded sample, ascending).
    public var frames: [Int]
    /// The segment, when the finding belongs to one.
    public var vni: UInt32?

    public init(kind: Kind, severity: Severity, message: String, expected: String? = nil, observed: String? = nil,
                frames: [Int], vni: UInt32? = nil) {
        self.kind = kind
        self.severity = severity
        self.message = message
        self.expected = expected
        self.observed = observed
        self.frames = frames
        self.vni = vni
    }
}
