import OverlayCapture
import OverlayWire

/// Benchmark (c): the same work as `pcapgeneve.c` through our stack — CaptureFileReader (libpcap, fopen + setvbuf),
/// PacketDecoder into one reused DecodedPacket (as `analyze` decodes: layers only for packets that are not of the
/// plain tunneled shape, `LayerRecording.unlessPlain`), and flows counted by VNI + inner 5-tuple in `FlowCounter`.
struct FlowAccounting {
    struct Totals {
        var packets = 0
        var bytes = 0
        var tunneled = 0
        var options = 0
        var packetsWithProblems = 0
        var flows = 0
    }

    var verifyChecksums = false
    /// Every packet's headers as `Layer`s (`LayerRecording.always`, what `decode` prints from).
    var allLayers = false
    /// Decode only: no flow table (what the decoder alone costs).
    var countFlows = true
    /// Read and decode on a second thread (`DecodePipeline`), count flows on this one.
    var pipelined = false

    func run(path: String) throws(CaptureError) -> Totals {
        let reader = try CaptureFileReader(path: path)
        var configuration = DecoderConfiguration()
        configuration.verifyChecksums = verifyChecksums
        configuration.layers = allLayers ? .always : .unlessPlain
        let decoder = PacketDecoder(configuration: configuration)
        var packet = DecodedPacket()
        let table = FlowCounter()
        var t = Totals()
        if pipelined {
            let warnings = try DecodePipeline().run(path: path, decoder: decoder) { frame, packet in
                t.packets += 1
                t.bytes += frame.capturedLength
                if !packet.problems.isEmpty { t.packetsWithProblems += 1 }
                t.options += packet.geneveOptions.count
                guard countFlows, let key = InnerFlowKey(packet) else { return }
                t.tunneled += 1
                table.add(key, bytes: frame.capturedLength)
            }
            warnings.forEach(printError)
            t.flows = table.count
            return t
        }
        loop: while true {
            switch reader.next() {
            case .packet(let record, let bytes):
                decoder.decode(bytes, linkType: reader.linkType, wireLength: record.wireLength, into: &packet)
                t.packets += 1
                t.bytes += record.capturedLength
                if !packet.problems.isEmpty { t.packetsWithProblems += 1 }
                t.options += packet.geneveOptions.count
                guard countFlows, let key = InnerFlowKey(packet) else { continue }
                t.tunneled += 1
                table.add(key, bytes: record.capturedLength)
            case .truncatedFile(let warning):
                printError(warning)
                break loop
            case .end, .timeout:
                break loop
            }
        }
        t.flows = table.count
        return t
    }
}
