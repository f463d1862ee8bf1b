/// What the caps of `AnalysisConfiguration` cost this analysis: every record or sample that was not kept.
/// All zero means nothing was dropped. A full table cannot tell how many distinct records it refused, so
/// refusals are counted in packets, with the frame where the table first filled.
public struct AnalysisLimits: Hashable, Sendable {
    /// Packets whose flow could not be tracked because `maxFlows` was reached.
    public var packetsInUntrackedFlows = 0
    /// Packets whose source endpoint could not be tracked (`maxEndpoints`).
    public var packetsWithUntrackedEndpoint = 0
    /// Packets whose TEP or tunnel could not be tracked (`maxTEPs`, `maxTunnels`).
    public var packetsInUntrackedTunnels = 0
    /// Packets whose segment could not be tracked (`maxSegments`).
    public var packetsInUntrackedSegments = 0
    /// BFD packets whose session could not be tracked (`maxBFDSessions`).
    public var packetsInUntrackedBFDSessions = 0
    /// First frame refused by each full table, by table name ("flows", "endpoints", "teps", "tunnels",
    /// "segments", "bfd-sessions").
    public var tablesFull: [String: Int] = [:]
    /// Endpoint moves beyond `maxMovesPerEndpoint` (counted, not kept).
    public var movesNotKept = 0
    /// Endpoint IP addresses beyond `maxIPsPerEndpoint`.
    public var endpointIPsNotKept = 0
    public var bfdTransitionsNotKept = 0
    public var problemSamplesNotKept = 0
    /// Flow legs that crossed more than four distinct TEP pairs (only the first four are kept).
    public var legTunnelsNotKept = 0
    /// New flows that could not be remembered for SNAT/DNAT correlation (candidate table full).
    public var natCandidatesNotKept = 0
    /// Tunnel option kinds beyond `maxOptionKindsPerTunnel`.
    public var optionKindsNotKept = 0

    public init() {}

    public var anyDropped: Bool { self != AnalysisLimits() }

    /// One plain sentence per cap that was reached.
    public var descriptions: [String] {
        var out: [String] = []
        func table(_ name: String, _ packets: Int, _ what: String) {
            guard packets > 0 || tablesFull[name] != nil else { return }
            let at = tablesFull[name].map { " (full from frame \($0))" } ?? ""
            out.append("\(what) table full\(at): \(packets) packets not tracked")
        }
        table("flows", packetsInUntrackedFlows, "flow")
        table("endpoints", packetsWithUntrackedEndpoint, "endpoint")
        table("teps", 0, "TEP")
        table("tunnels", packetsInUntrackedTunnels, "tunnel")
        table("segments", packetsInUntrackedSegments, "segment")
        table("bfd-sessions", packetsInUntrackedBFDSessions, "BFD session")
        func add(_ n: Int, _ text: String) { if n > 0 { out.append("\(n) \(text)") } }
        add(movesNotKept, "endpoint moves were counted but not kept")
        add(endpointIPsNotKept, "endpoint IP addresses were not kept")
        add(bfdTransitionsNotKept, "BFD state changes were counted but not kept")
        add(problemSamplesNotKept, "decode problem sample frames were not kept")
        add(legTunnelsNotKept, "flow legs crossed more TEP pairs than are kept (4)")
        add(natCandidatesNotKept, "new flows could not be remembered for SNAT/DNAT correlation")
        add(optionKindsNotKept, "tunnel option kinds were not kept")
        return out
    }
}
