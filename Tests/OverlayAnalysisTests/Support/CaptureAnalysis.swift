import OverlayWire
import OverlayCapture
@testable import OverlayAnalysis

/// Capture files analyzed through OverlayCapture, as `analyze` reads them.
enum CaptureAnalysis {
    /// Reads the files as one timeline and analyzes them. `walkLayers` hides the decoder's level summaries, so
    /// the analyzer takes its general path over every layer (no summaries, no steady-state fast path). `threads`
    /// goes to `finish` (2: the flows are built on two cores).
    static func analyze(paths: [String], files: [String]? = nil, configuration: AnalysisConfiguration = AnalysisConfiguration(),
                        walkLayers: Bool = false, threads: Int = 1) throws -> AnalysisResult {
        let timeline = try CaptureTimeline(paths: paths)
        let analyzer = OverlayAnalyzer(configuration: configuration)
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        timeline.forEach { frame, bytes in
            decoder.decode(bytes, linkType: frame.linkType, wireLength: frame.wireLength, into: &packet)
            if walkLayers {
                var edited = packet
                edited.layers = packet.layers
                analyzer.ingest(frame: frame, packet: edited)
            } else {
                analyzer.ingest(frame: frame, packet: packet)
            }
        }
        return analyzer.finish(files: files ?? paths, warnings: timeline.warnings, threads: threads)
    }
}
