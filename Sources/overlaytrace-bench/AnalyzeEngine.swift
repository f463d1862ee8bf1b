import OverlayAnalysis
import OverlayCapture
import OverlayWire

/// The analysis engine alone, without the report: CaptureTimeline → PacketDecoder → OverlayAnalyzer.ingest,
/// then `finish`. Separates the engine's cost from rendering in `overlaytrace analyze`.
struct AnalyzeEngine {
    var verifyChecksums = true

    struct Totals {
        var packets = 0
        var flows = 0
        var teps = 0
        var segments = 0
        var findings = 0
        var ingestSeconds = 0.0
        var finishSeconds = 0.0
    }

    func run(path: String) throws(CaptureError) -> Totals {
        let timeline = try CaptureTimeline(paths: [path])
        var configuration = DecoderConfiguration()
        configuration.verifyChecksums = verifyChecksums
        let decoder = PacketDecoder(configuration: configuration)
        let analyzer = OverlayAnalyzer()
        var packet = DecodedPacket()
        var t = Totals()
        let start = monotonicSeconds()
        timeline.forEach { frame, bytes in
            decoder.decode(bytes, linkType: frame.linkType, wireLength: frame.wireLength, into: &packet)
            analyzer.ingest(frame: frame, packet: packet)
        }
        let ingested = monotonicSeconds()
        let result = analyzer.finish(files: [path], warnings: timeline.warnings)
        t.finishSeconds = monotonicSeconds() - ingested
        t.ingestSeconds = ingested - start
        t.packets = timeline.framesDelivered
        t.flows = result.flows.count
        t.teps = result.teps.count
        t.segments = result.segments.count
        t.findings = result.findings.count
        return t
    }
}
