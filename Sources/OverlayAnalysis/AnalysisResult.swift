import OverlayWire
import OverlayInventory
import OverlayReference

/// Everything one analysis found, as plain sorted values (TEPs by IP, tunnels by source/destination/VNI,
/// segments by VNI, endpoints by VNI and MAC, flows by first frame), ready for the Markdown/HTML/JSON reports.
/// Every claim carries the frame numbers it rests on.
public struct AnalysisResult: Sendable {
    public var capture: CaptureSummary
    public var teps: [TunnelEndpoint]
    public var tunnels: [Tunnel]
    public var segments: [Segment]
    /// Workloads: inner MACs per VNI that are not routers.
    public var endpoints: [Workload]
    public var routers: [Router]
    public var edges: [Edge]
    public var flows: [Flow]
    public var bfdSessions: [BFDSession]
    /// The reference switch's disagreements with the capture, sorted by first frame.
    public var findings: [Finding]
    /// Decode problems aggregated by layer and code.
    public var problems: [ProblemSummary]
    /// What this capture cannot show, and other plain-words caveats for the reader.
    public var notes: [String]
    /// Caps that were reached and what was dropped because of them.
    public var limits: AnalysisLimits

    public func tep(_ ip: IPAddress) -> TunnelEndpoint? { teps.first { $0.ip == ip } }
    public func segment(vni: UInt32) -> Segment? { segments.first { $0.vni == vni } }
    public func endpoint(mac: MACAddress, vni: UInt32) -> Workload? { endpoints.first { $0.mac == mac && $0.vni == vni } }
    public func router(mac: MACAddress) -> Router? { routers.first { $0.mac == mac } }
    public func flows(_ flowClass: FlowClass) -> [Flow] { flows.filter { $0.flowClass == flowClass } }
}

/// A point in the capture: the frame number (1-based, counted across all files of the analysis) and its time.
public struct FrameRef: Hashable, Sendable, Comparable {
    public var frame: Int
    public var time: Timestamp

    public init(frame: Int, time: Timestamp) {
        self.frame = frame
        self.time = time
    }

    static let none = FrameRef(frame: 0, time: Timestamp(seconds: 0, nanoseconds: 0))
    public static func < (a: FrameRef, b: FrameRef) -> Bool { a.frame < b.frame }
}

/// The capture as a whole: files, packet and byte counts, time span.
public struct CaptureSummary: Sendable {
    /// Input files in the order given (`FrameInfo.fileIndex` indexes this list).
    public var files: [String]
    /// Packets read from each file, same order as `files`.
    public var packetsPerFile: [Int]
    public var packets: Int
    /// Bytes on the wire (original lengths).
    public var bytes: Int
    /// Bytes actually captured (after snaplen).
    public var capturedBytes: Int
    /// Packets with at least one Geneve/VXLAN header.
    public var tunneledPackets: Int
    public var first: Timestamp?
    public var last: Timestamp?
    /// Seconds from the first to the last packet.
    public var duration: Double
    public var linkTypes: [LinkType]
    /// Problems the reader or the caller reported (unreadable records, files that could not be opened…).
    public var warnings: [String]
}

/// How tunnel traffic is encapsulated.
public enum TunnelEncapsulation: String, Hashable, Sendable, Comparable, CaseIterable {
    case geneve, vxlan

    /// "Geneve" / "VXLAN", as hop texts write it.
    public var displayName: String { self == .geneve ? "Geneve" : "VXLAN" }
    public static func < (a: TunnelEncapsulation, b: TunnelEncapsulation) -> Bool { a.rawValue < b.rawValue }
}

/// Decode problems of one kind (layer + code), aggregated over the capture.
public struct ProblemSummary: Hashable, Sendable {
    public var layer: LayerKind
    public var code: DecodeProblem.Code
    public var count: Int
    /// The reason given for the first occurrence.
    public var firstReason: String
    /// The first frames it occurred in (bounded by `AnalysisConfiguration.maxProblemSamples`).
    public var frames: [Int]
}
