import OverlayReference

/// Caps and thresholds of one analysis. Every cap that is reached is reported in `AnalysisResult.limits`,
/// never silently: memory stays bounded by these numbers whatever the size of the capture.
public struct AnalysisConfiguration: Sendable {
    /// Flow records (one per inner 5-tuple and segment, or per untunneled 5-tuple and VLAN). New flows
    /// beyond this are not tracked; their packets are counted in `AnalysisLimits.packetsInUntrackedFlows`.
    public var maxFlows: Int
    /// Workload/endpoint records (one per inner MAC per VNI).
    public var maxEndpoints: Int
    public var maxTEPs: Int
    /// Directional (source TEP, destination TEP, VNI) records.
    public var maxTunnels: Int
    public var maxSegments: Int
    /// Frame numbers kept as evidence per flow leg (the first ones; never all of them).
    public var maxEvidencePerLeg: Int
    /// Moves kept per endpoint (the first ones); later moves are counted only.
    public var maxMovesPerEndpoint: Int
    /// IP addresses kept per endpoint.
    public var maxIPsPerEndpoint: Int
    public var maxBFDSessions: Int
    /// State changes kept per BFD session.
    public var maxBFDTransitions: Int
    /// Sample frames kept per decode problem kind.
    public var maxProblemSamples: Int
    /// Distinct outer UDP source ports counted exactly per tunnel; beyond this the spread reads "≥ limit".
    public var exactSourcePortLimit: Int
    /// Option class/type pairs kept per tunnel.
    public var maxOptionKindsPerTunnel: Int
    /// A MAC that sources frames for at least this many IPv4 (or global IPv6) addresses in one segment is
    /// taken for a router.
    public var routerAddressThreshold: Int
    /// How far apart (seconds) the tunnel leg and the untunneled uplink leg of one north/south flow may
    /// start to be correlated as one flow (SNAT/DNAT on the edge).
    public var natCorrelationWindow: Double
    /// Recent flows remembered for that correlation (per direction of matching).
    public var maxNATCandidates: Int
    /// Configuration of the embedded reference switch.
    public var reference: ReferenceSwitchConfiguration
    /// Whether frames are also replayed through the reference switch (its findings fill `AnalysisResult.findings`).
    /// Off only to measure or run the topology/path analysis alone.
    public var validatesWithReferenceSwitch: Bool

    public init(maxFlows: Int = 250_000, maxEndpoints: Int = 100_000, maxTEPs: Int = 10_000, maxTunnels: Int = 100_000,
                maxSegments: Int = 50_000, maxEvidencePerLeg: Int = 4, maxMovesPerEndpoint: Int = 16,
                maxIPsPerEndpoint: Int = 16, maxBFDSessions: Int = 10_000, maxBFDTransitions: Int = 32,
                maxProblemSamples: Int = 8, exactSourcePortLimit: Int = 64, maxOptionKindsPerTunnel: Int = 16,
                routerAddressThreshold: Int = 4, natCorrelationWindow: Double = 2.0, maxNATCandidates: Int = 4096,
                reference: ReferenceSwitchConfiguration = ReferenceSwitchConfiguration(),
                validatesWithReferenceSwitch: Bool = true) {
        self.maxFlows = max(0, maxFlows)
        self.maxEndpoints = max(0, maxEndpoints)
        self.maxTEPs = max(0, maxTEPs)
        self.maxTunnels = max(0, maxTunnels)
        self.maxSegments = max(0, maxSegments)
        self.maxEvidencePerLeg = max(0, maxEvidencePerLeg)
        self.maxMovesPerEndpoint = max(0, maxMovesPerEndpoint)
        self.maxIPsPerEndpoint = max(0, maxIPsPerEndpoint)
        self.maxBFDSessions = max(0, maxBFDSessions)
        self.maxBFDTransitions = max(0, maxBFDTransitions)
        self.maxProblemSamples = max(0, maxProblemSamples)
        self.exactSourcePortLimit = max(1, exactSourcePortLimit)
        self.maxOptionKindsPerTunnel = max(0, maxOptionKindsPerTunnel)
        self.routerAddressThreshold = max(2, routerAddressThreshold)
        self.natCorrelationWindow = natCorrelationWindow.isFinite ? max(0, natCorrelationWindow) : 2.0
        self.maxNATCandidates = max(0, maxNATCandidates)
        self.reference = reference
        self.validatesWithReferenceSwitch = validatesWithReferenceSwitch
    }
}
