import OverlayWire
import OverlayInventory
import OverlayReference

/// The analysis engine: one streaming pass over decoded frames (in time order, several files already
/// merged), memory bounded by flows and endpoints, never by packets. `finish` turns what was gathered into
/// an `AnalysisResult`: topology, routers and edges, per-flow paths and classes, BFD, problems, findings.
///
/// Per packet the work is a handful of hash lookups keyed by small structs (tunnel, flow, and endpoints
/// only when a flow leg changes TEP or MAC); no strings, no per-packet allocation once tables are warm.
public final class OverlayAnalyzer {
    let configuration: AnalysisConfiguration
    let inventory: Inventory
    let reference: ReferenceSwitch

    var state: StreamingState
    var finishedResult: AnalysisResult?

    public init(configuration: AnalysisConfiguration = AnalysisConfiguration(), inventory: Inventory? = nil) {
        self.configuration = configuration
        self.inventory = inventory ?? Inventory()
        self.reference = ReferenceSwitch(configuration: configuration.reference, inventory: inventory)
        self.state = StreamingState(configuration: configuration, inventory: inventory ?? Inventory())
    }

    /// How much the analyzer holds now: sizes of its tables and the evidence frames kept. These grow with
    /// flows and endpoints, never with packets.
    public var footprint: AnalyzerFootprint {
        let flows = state.flows, endpoints = state.endpoints
        return AnalyzerFootprint(teps: state.teps.count, tunnels: state.tunnels.count, segments: state.segments.count, endpoints: endpoints.count,
                          flows: flows.count, evidenceFrames: flows.reduce(0) { $0 + $1.ab.evidence.count + $1.ba.evidence.count },
                          bfdSessions: state.bfdSessions.count, problemKinds: state.problems.states.count, natCandidates: state.nat.count,
                          endpointMoves: endpoints.reduce(0) { $0 + $1.moves.count })
    }

    /// Feeds one decoded frame. Frames must come in capture (time) order; once `finish` was called, frames are ignored.
    public func ingest(frame: FrameInfo, packet: DecodedPacket) {
        guard finishedResult == nil else { return }
        if configuration.validatesWithReferenceSwitch { reference.observe(frame: frame, packet: packet) }
        state.ingest(frame: frame, packet: packet)
    }

    /// Feeds `count` (≤ `StreamingState.groupLimit`) decoded frames at once, in capture order: what `ingest`
    /// does for each (the reference switch only when `withReference`: `AnalysisPipeline` may feed it on another
    /// thread), with one access to the state for the group, which loads what the frames' lookups will read
    /// ahead (see `StreamingState.ingest(frames:packets:count:)`).
    /// The reference switch and the analysis state are independent, so the order in which they see the group
    /// does not matter; each sees it in capture order.
    func ingest(frames: UnsafePointer<FrameInfo>, packets: UnsafeMutablePointer<DecodedPacket>, count: Int, withReference: Bool) {
        guard finishedResult == nil else { return }
        if withReference && configuration.validatesWithReferenceSwitch {
            reference.observe(frames: frames, packets: packets, count: count)
        }
        state.ingest(frames: frames, packets: packets, count: count)
    }

    // Read access for the end-of-capture assembly.
    var flows: [FlowState] { state.flows }
    var endpoints: [EndpointState] { state.endpoints }
    var tunnels: [TunnelState] { state.tunnels }
    var teps: [TEPState] { state.teps }
    var segments: [SegmentState] { state.segments }
    var bfdSessions: [BFDSessionState] { state.bfdSessions }
    var problems: ProblemAggregator { state.problems }
    var limits: AnalysisLimits { state.limits }
}

/// Table sizes and stored evidence: what the analyzer's memory is made of.
public struct AnalyzerFootprint: Hashable, Sendable {
    public var teps: Int
    public var tunnels: Int
    public var segments: Int
    public var endpoints: Int
    public var flows: Int
    public var evidenceFrames: Int
    public var bfdSessions: Int
    public var problemKinds: Int
    public var natCandidates: Int
    public var endpointMoves: Int
}
