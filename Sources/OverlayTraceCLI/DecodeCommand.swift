import ArgumentParser
import OverlayCapture
import OverlayReport
import OverlayWire

/// `overlaytrace decode`: one line per packet, tcpdump-like but overlay-aware; `-v` for every field; `--json`
/// for JSON Lines (schema in docs/json-decode.md).
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode packets: outer headers, Geneve/VXLAN with every option, inner frames, problems.",
        discussion: """
        Examples:
          overlaytrace decode Captures/overlay-demo.pcap
          overlaytrace decode -v -c 5 --filter 'udp port 6081' capture.pcapng
          tcpdump -i eth0 -w - 'udp port 6081' | overlaytrace decode --json -
        """
    )

    @OptionGroup var input: InputOptions

    @Flag(name: .shortAndLong, help: "Show every header field and Geneve option.")
    var verbose = false

    @Option(name: .customShort("c"), help: "Stop after this many packets.")
    var count: Int?

    @Flag(name: .long, help: "Write JSON Lines, one object per packet.")
    var json = false

    @Option(name: .long, help: "Time column: relative (seconds since the first packet) or absolute (seconds since the epoch).")
    var time: TimeColumn = .relative

    @Flag(name: .long, help: "No progress line on stderr.")
    var quiet = false

    enum TimeColumn: String, ExpressibleByArgument, CaseIterable {
        case relative, absolute
    }

    func validate() throws {
        if let count, count < 1 { throw ValidationError("-c needs a positive number of packets") }
    }

    private struct Enough: Error {}

    func run() throws {
        let timeline = try openTimeline(input)
        let decoder = PacketDecoder(configuration: input.decoderConfiguration)
        var packet = DecodedPacket()
        let out = BufferedOutput()
        let progress = ProgressLine(enabled: !quiet)
        var first: Timestamp?
        var seen = 0
        var bytesRead = 0
        do {
            try timeline.forEach { frame, bytes in
                decoder.decode(bytes, linkType: frame.linkType, wireLength: frame.wireLength, into: &packet)
                if json {
                    out.line(PacketJSON.object(frame: frame, packet: packet, bytes: bytes).rendered())
                } else {
                    let origin = first ?? frame.timestamp
                    first = origin
                    let t = time == .absolute ? frame.timestamp.microsecondsText
                        : formatSeconds(frame.timestamp.seconds(since: origin))
                    out.line(PacketText.line(frame: frame, packet: packet, time: t))
                    if verbose {
                        for l in PacketText.verbose(packet: packet, bytes: bytes) { out.line(l) }
                    }
                }
                seen += 1
                bytesRead += frame.capturedLength
                progress.update(packets: seen, bytes: bytesRead)
                if let count, seen >= count { throw Enough() }
            }
        } catch is Enough {}
        progress.finish()
        out.flush()
        for w in timeline.warnings { StandardError.line(w) }
    }
}

/// "0.004512": seconds with microsecond digits, never exponent notation.
func formatSeconds(_ s: Double) -> String {
    let us = Int64((s * 1e6).rounded())
    let sign = us < 0 ? "-" : ""
    let a = abs(us)
    let frac = String(a % 1_000_000)
    return sign + String(a / 1_000_000) + "." + String(repeating: "0", count: 6 - frac.count) + frac
}

/// Opens the inputs as one timeline, turning capture errors into one-line failures with documented statuses.
func openTimeline(_ input: InputOptions) throws -> CaptureTimeline {
    try openTimeline(files: input.files, filter: input.filter)
}

func openTimeline(files: [String], filter: String?, readAhead: ReadAheadFile.Ring? = nil) throws -> CaptureTimeline {
    do {
        return try CaptureTimeline(paths: files, filter: filter, readAhead: readAhead)
    } catch {
        throw CommandFailure(error.description, status: error.exitCode == 3 ? .device : .usage)
    }
}
