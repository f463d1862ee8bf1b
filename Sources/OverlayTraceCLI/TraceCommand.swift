import ArgumentParser
import Foundation
import OverlayAnalysis
import OverlayInventory
import OverlayReference
import OverlayReport
import OverlayWire

/// `overlaytrace trace`: like ovn-trace or NSX Traceflow, but offline — walk a synthetic packet through the
/// reference model; with `--capture`, put the observed path of the matching flow beside it with a verdict.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show the path the reference switch expects for a packet, and compare it with a capture.",
        discussion: """
        Examples:
          overlaytrace trace --inventory Captures/inventory.yaml --from web-01 --to 10.1.20.11 tcp/443
          overlaytrace trace --inventory Captures/inventory.yaml --from web-02 --to 203.0.113.50 tcp/443 --capture Captures/north-south.pcap
        Exit status: 0 delivered (and, with --capture, observed as expected); 1 cannot deliver, or the capture
        disagrees with the model; 2 usage or input error.
        """
    )

    @Option(name: .long, help: "Inventory (YAML/JSON or OVN southbound dumps); repeatable. Required: the model needs the topology.")
    var inventory: [String] = []

    @Option(name: .long, help: "Source: a workload name from the inventory or an IP address.")
    var from: String

    @Option(name: .long, help: "Destination IP address (or workload name).")
    var to: String

    @Argument(help: "tcp/PORT, udp/PORT or icmp (default icmp).")
    var transport: String?

    @Option(name: .long, help: "A capture to compare with: the observed path of the matching flow is shown beside the expected one.")
    var capture: [String] = []

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws {
        if inventory.isEmpty { throw ValidationError("trace needs --inventory: the model walks the declared topology") }
        if let transport, TraceQuery.TransportSpec(transport) == nil {
            throw ValidationError("'\(transport)' is not tcp/PORT, udp/PORT or icmp")
        }
    }

    func run() throws {
        let inv: Inventory
        do {
            inv = try Inventory.load(paths: inventory)
        } catch {
            throw CommandFailure("cannot use the inventory: \(error)")
        }
        let query = TraceQuery(from: from, to: to, protocolSpec: transport)
        let expected = ReferenceSwitch.expectedPath(query, inventory: inv)
        var observed: Flow?
        var verdict: (ok: Bool, text: String)?
        if !capture.isEmpty {
            let result = try AnalysisRun.run(files: capture, filter: nil, decoder: DecoderConfiguration(), inventory: inv,
                                             configuration: AnalysisConfiguration(), quiet: true)
            observed = TraceMatch.flow(for: query, in: result, inventory: inv)
            verdict = TraceMatch.verdict(expected: expected, observed: observed)
        }
        if json {
            let m: [(String, JSONValue)] = [
                ("query", .object([("from", .string(from)), ("to", .string(to)), ("transport", .string(query.transport?.description ?? "icmp"))])),
                ("verdict", .string(expected.summary)),
                ("delivered", .bool(expected.isDelivered)),
                ("class", expected.pathClass.map { .string($0.rawValue) } ?? .null),
                ("expected", .array(expected.hops.map { h in
                    .object([("kind", .string(h.kind.rawValue)), ("text", .string(h.text)),
                             ("src_tep", h.sourceTEP.map { .string($0.description) } ?? .null),
                             ("dst_tep", h.destinationTEP.map { .string($0.description) } ?? .null),
                             ("vni", h.vni.map { .integer($0) } ?? .null)])
                })),
            ]
            try JSONReportWriter.write(to: OutputFile(path: nil).write) { w in
                w.beginObject()
                for (k, v) in m {
                    w.key(text: k)
                    w.value(v)
                }
                if !capture.isEmpty {
                    w.key("observed")
                    if let f = observed {
                        w.beginObject()
                        w.field("flow", f.id)
                        w.field("class", f.flowClass.rawValue)
                        w.key("path"); AnalysisJSON.path(f.forwardPath, to: &w)
                        w.field("frames", ints: f.frames)
                        w.endObject()
                    } else {
                        w.null()
                    }
                    w.field("matches", verdict?.ok ?? false)
                    w.field("comparison", verdict?.text ?? "")
                }
                w.endObject()
            }
        } else {
            var out = "trace \(from) → \(to) \(query.transport?.description ?? "icmp")\n\nexpected (reference model):\n"
            for (i, h) in expected.hops.enumerated() { out += "  \(i + 1). \(h.text)\n" }
            out += "  => \(expected.summary)\n"
            if !capture.isEmpty {
                out += "\nobserved (\(capture.joined(separator: ", "))):\n"
                if let f = observed {
                    for (i, h) in f.forwardPath.enumerated() { out += "  \(i + 1). \(h.text)\n" }
                    out += "  => flow \(f.id), \(f.flowClass.rawValue), frames \(f.frames.prefix(12).map(String.init).joined(separator: ", "))\n"
                } else {
                    out += "  (no matching flow in the capture)\n"
                }
                if let verdict { out += "\nverdict: \(verdict.ok ? "MATCHES" : "DIFFERS"): \(verdict.text)\n" }
            }
            try writeOutput(out, to: nil)
        }
        if !expected.isDelivered || verdict?.ok == false { throw ExitCode(ExitStatus.findings.rawValue) }
    }
}

/// Finds the observed flow a trace query describes and compares its tunnel legs with the model's.
enum TraceMatch {
    static func address(_ text: String, _ inventory: Inventory) -> IPAddress? {
        if let ip = IPAddress(text) { return ip }
        return inventory.workloads.first { $0.name == text }?.ips.first
    }

    static func flow(for query: TraceQuery, in result: AnalysisResult, inventory: Inventory) -> Flow? {
        guard let src = address(query.from, inventory), let dst = address(query.to, inventory) else { return nil }
        return result.flows.first { f in
            let ends = (f.source == src && f.destination == dst) || (f.source == dst && f.destination == src)
            guard ends else { return false }
            switch query.transport {
            case .tcp(let port)?: return f.ipProtocol == .tcp && (f.destinationPort == port || f.sourcePort == port)
            case .udp(let port)?: return f.ipProtocol == .udp && (f.destinationPort == port || f.sourcePort == port)
            case .icmp?, nil: return f.ipProtocol == .icmp || f.ipProtocol == .icmpv6
            }
        }
    }

    static func verdict(expected: TraceResult, observed: Flow?) -> (ok: Bool, text: String) {
        guard let f = observed else { return (false, "the capture has no flow matching this trace") }
        guard expected.isDelivered else { return (false, "the model cannot deliver this packet, yet the capture shows flow \(f.id)") }
        let expectedLegs = Set(expected.tunnelHops.compactMap { h -> String? in
            guard let s = h.sourceTEP, let d = h.destinationTEP, let v = h.vni else { return nil }
            return "\(s)→\(d) VNI \(v)"
        })
        let observedLegs = Set(f.legs.filter { $0.direction == .forward && $0.tunneled }.flatMap { leg in
            leg.sourceTEPs.flatMap { s in leg.destinationTEPs.map { d in "\(s)→\(d) VNI \(leg.vni.map(String.init) ?? "?")" } }
        })
        let classMatches: Bool
        switch expected.pathClass {
        case .eastWestSameSegment?: classMatches = f.flowClass == .eastWestSameSegment
        case .eastWestRouted?: classMatches = f.flowClass == .eastWestRouted
        case .northSouth?: classMatches = f.flowClass == .northSouth
        case .sameHost?, nil: classMatches = true
        }
        if expectedLegs == observedLegs && classMatches {
            return (true, "observed tunnel legs \(observedLegs.sorted().joined(separator: ", ")) and class \(f.flowClass.rawValue) are what the model expects")
        }
        var why: [String] = []
        if !classMatches { why.append("class \(f.flowClass.rawValue), model: \(expected.pathClass?.rawValue ?? "?")") }
        let missing = expectedLegs.subtracting(observedLegs).sorted(), extra = observedLegs.subtracting(expectedLegs).sorted()
        if !missing.isEmpty { why.append("expected but not seen: \(missing.joined(separator: ", "))") }
        if !extra.isEmpty { why.append("seen but not expected: \(extra.joined(separator: ", "))") }
        return (false, why.joined(separator: "; "))
    }
}
