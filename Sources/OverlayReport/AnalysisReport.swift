import OverlayAnalysis
import OverlayReference
import OverlayWire

/// Turns an `AnalysisResult` into the report document that `MarkdownRenderer` and `HTMLRenderer` print:
/// summary, topology (diagram and tables), one section per flow with its path and evidence, tunnels, BFD,
/// findings, decode problems and what was left out. Every string from the capture or the inventory goes in
/// as text, so the renderers escape it.
public struct AnalysisReport: Sendable {
    /// Flow sections beyond this are summarised in the flow table only (the report stays readable on big captures).
    public var maxFlowSections: Int
    /// Rows per table beyond which the rest is counted, not listed.
    public var maxTableRows: Int
    /// Workloads drawn in the topology picture.
    public var maxDiagramWorkloads: Int

    public init(maxFlowSections: Int = 100, maxTableRows: Int = 500, maxDiagramWorkloads: Int = 40) {
        self.maxFlowSections = maxFlowSections
        self.maxTableRows = maxTableRows
        self.maxDiagramWorkloads = maxDiagramWorkloads
    }

    public func document(_ r: AnalysisResult) -> ReportDocument {
        let files = r.capture.files.map { ($0 as NSStringLike).lastComponent }.joined(separator: ", ")
        var doc = ReportDocument(title: "OverlayTrace report: \(files)")
        doc.append(contentsOf: summary(r))
        doc.append(contentsOf: topology(r))
        doc.append(contentsOf: flows(r))
        doc.append(contentsOf: tunnels(r))
        doc.append(contentsOf: bfd(r))
        doc.append(contentsOf: findings(r))
        doc.append(contentsOf: problems(r))
        doc.append(contentsOf: limitsAndNotes(r))
        return doc
    }

    // MARK: summary

    func summary(_ r: AnalysisResult) -> [ReportBlock] {
        let c = r.capture
        var span = "no packets"
        if let first = c.first, let last = c.last {
            span = "\(UTCTime.text(first)) to \(UTCTime.text(last)) (\(formatDuration(c.duration)))"
        }
        var rows: [[ReportTable.Cell]] = [
            ["Capture", .text(c.files.joined(separator: ", "))],
            ["Span", .text(span)],
            ["Packets", .text("\(c.packets) (\(c.tunneledPackets) tunneled), \(formatBytes(c.bytes))")],
            ["TEPs", .text("\(r.teps.count)" + roleCounts(r))],
            ["Segments", .text(r.segments.map { segmentLabel($0) }.joined(separator: ", ").ifEmpty("none"))],
            ["Workloads", .text("\(r.endpoints.count)")],
        ]
        let classCounts = FlowClass.allCases.compactMap { k -> String? in
            let n = r.flows.count(where: { $0.flowClass == k })
            return n == 0 ? nil : "\(n) \(k.rawValue)"
        }
        rows.append(["Flows", .text("\(r.flows.count)" + (classCounts.isEmpty ? "" : ": " + classCounts.joined(separator: ", ")))])
        let severities = Finding.Severity.allCases.reversed().compactMap { s -> String? in
            let n = r.findings.filter { $0.severity == s }.count
            return n == 0 ? nil : "\(n) \(s.rawValue)"
        }
        rows.append(["Findings", .text(severities.isEmpty ? "none" : severities.joined(separator: ", "))])
        let problemCount = r.problems.reduce(0) { $0 + $1.count }
        rows.append(["Decode problems", .text(problemCount == 0 ? "none" : "\(problemCount) in \(r.problems.count) kinds")])
        var blocks: [ReportBlock] = [.heading(2, "Summary", anchor: "summary"),
                                     .table(ReportTable(header: ["", ""], alignments: [.left, .left], rows: rows))]
        let errors = r.findings.filter { $0.severity == .error }
        if !errors.isEmpty {
            blocks.append(.callout(.error, [.text("\(errors.count) finding\(errors.count == 1 ? "" : "s") of severity error: "),
                                            .link("see Findings", anchor: "findings")]))
        }
        for w in c.warnings { blocks.append(.callout(.warning, [.text(w)])) }
        return blocks
    }

    func roleCounts(_ r: AnalysisResult) -> String {
        var parts: [String] = []
        for role in [TunnelEndpoint.Role.host, .edge, .gateway, .unknown] {
            let n = r.teps.filter { $0.role == role }.count
            if n > 0 { parts.append("\(n) \(role.rawValue)") }
        }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }

    func segmentLabel(_ s: Segment) -> String {
        "VNI \(s.vni)" + (s.name.map { " (\($0))" } ?? "")
    }

    // MARK: topology

    func topology(_ r: AnalysisResult) -> [ReportBlock] {
        var blocks: [ReportBlock] = [.heading(2, "Topology", anchor: "topology")]
        guard !r.teps.isEmpty || !r.segments.isEmpty else {
            blocks.append(.paragraph([.text("No Geneve or VXLAN traffic was seen, so there is no overlay topology to show.")]))
            return blocks
        }
        blocks.append(.topology(diagram(r)))
        var seg = ReportTable(header: ["VNI", "Segment", "Kind", "Subnets", "TEPs", "Workloads", "Packets"],
                              alignments: [.right, .left, .left, .left, .left, .right, .right])
        for s in r.segments.prefix(maxTableRows) {
            seg.addRow([.text(String(s.vni)), .text(s.name ?? "-"), .text(s.kind.rawValue),
                        .text(s.subnets.map(\.description).joined(separator: ", ").ifEmpty("-") + (s.subnetsDeclared ? "" : (s.subnets.isEmpty ? "" : " (seen)"))),
                        .text(s.teps.map { tepName($0, r) }.joined(separator: ", ")),
                        .text(String(s.endpoints.count)), .text(String(s.packets))])
        }
        blocks.append(.heading(3, "Segments", anchor: "segments"))
        blocks.append(.table(seg))
        blocks.append(contentsOf: more(r.segments.count, "segments"))

        var teps = ReportTable(header: ["TEP", "Name", "Role", "VNIs", "Sent", "Received", "Workloads behind it"],
                               alignments: [.left, .left, .left, .left, .right, .right, .right])
        for t in r.teps.prefix(maxTableRows) {
            teps.addRow([.code(t.ip.description), .text(t.name ?? "-"), .text(t.role.rawValue),
                         .text(t.vnis.map(String.init).joined(separator: ", ")),
                         .text("\(t.txPackets) pkts, \(formatBytes(t.txBytes))"),
                         .text("\(t.rxPackets) pkts, \(formatBytes(t.rxBytes))"), .text(String(t.workloads))])
        }
        blocks.append(.heading(3, "Tunnel endpoints", anchor: "teps"))
        blocks.append(.table(teps))
        blocks.append(contentsOf: more(r.teps.count, "TEPs"))

        var work = ReportTable(header: ["Workload", "MAC", "IPs", "VNI", "Behind TEP", "Moves", "First seen"],
                               alignments: [.left, .left, .left, .right, .left, .left, .right])
        for w in r.endpoints.prefix(maxTableRows) {
            let moves = w.moves.map { "frame \($0.at.frame): \($0.fromName ?? $0.from.description) → \($0.toName ?? $0.to.description)" }
            work.addRow([.text(w.name ?? "-"), .code(w.mac.description), .text(w.ips.map(\.description).joined(separator: ", ").ifEmpty("-")),
                         .text(String(w.vni)),
                         .text(w.tep.map { tepName($0, r) + (w.location == .learned ? "" : " (\(w.location.rawValue))") } ?? "unknown"),
                         .text(moves.joined(separator: "; ").ifEmpty("-")), w.first.frame > 0 ? .frameRef([w.first.frame]) : .text("not seen")])
        }
        blocks.append(.heading(3, "Workloads", anchor: "workloads"))
        blocks.append(.table(work))
        blocks.append(contentsOf: more(r.endpoints.count, "workloads"))

        if !r.routers.isEmpty {
            var routers = ReportTable(header: ["Router MAC", "Name", "Kind", "VNIs", "Why", "Evidence"])
            for x in r.routers.prefix(maxTableRows) {
                routers.addRow([.code(x.mac.description), .text(x.name ?? "-"), .text(x.kind.rawValue),
                                .text(x.vnis.map(String.init).joined(separator: ", ")),
                                .text((x.declared ? ["declared in the inventory"] : x.reasons).joined(separator: "; ")),
                                .frameRef(Array(x.frames.prefix(8)))])
            }
            blocks.append(.heading(3, "Routers", anchor: "routers"))
            blocks.append(.table(routers))
        }
        if !r.edges.isEmpty {
            var edges = ReportTable(header: ["Edge TEP", "Name", "Transit VNIs", "Uplink VLANs", "Translations", "Why", "Evidence"])
            for e in r.edges.prefix(maxTableRows) {
                let nat = e.translations.map { "\($0.kind.rawValue.uppercased()) \($0.inside) → \($0.outside)" }
                edges.addRow([.code(e.tep.description), .text(e.name ?? "-"), .text(e.transitVNIs.map(String.init).joined(separator: ", ").ifEmpty("-")),
                              .text(e.uplinkVLANs.map(String.init).joined(separator: ", ").ifEmpty("-")),
                              .text(nat.joined(separator: "; ").ifEmpty("-")), .text(e.reasons.joined(separator: "; ")),
                              .frameRef(Array(e.frames.prefix(8)))])
            }
            blocks.append(.heading(3, "Edges and gateways", anchor: "edges"))
            blocks.append(.table(edges))
        }
        return blocks
    }

    func tepName(_ ip: IPAddress, _ r: AnalysisResult) -> String {
        r.tep(ip)?.name.map { "\(ip) (\($0))" } ?? ip.description
    }

    func diagram(_ r: AnalysisResult) -> TopologyDiagram {
        var d = TopologyDiagram()
        for t in r.teps {
            d.nodes.append(.init(id: "tep-\(t.ip)", kind: t.role == .edge || t.role == .gateway ? .edge : .tep,
                                 label: t.name ?? t.ip.description, sublabel: t.name == nil ? t.role.rawValue : t.ip.description))
        }
        for s in r.segments {
            d.nodes.append(.init(id: "vni-\(s.vni)", kind: .segment, label: s.name.map { "\($0) (VNI \(s.vni))" } ?? "VNI \(s.vni)",
                                 sublabel: s.subnets.first?.description))
            for t in s.teps { d.edges.append(.init(from: "tep-\(t)", to: "vni-\(s.vni)", style: .membership)) }
        }
        let routerMACs = Set(r.routers.map(\.mac))
        for w in r.endpoints.prefix(maxDiagramWorkloads) where !routerMACs.contains(w.mac) {
            let id = "wl-\(w.vni)-\(w.mac)"
            d.nodes.append(.init(id: id, kind: .workload, label: w.name ?? w.ips.first?.description ?? w.mac.description,
                                 sublabel: w.name == nil ? w.mac.description : w.ips.first?.description))
            if let tep = w.tep { d.edges.append(.init(from: id, to: "tep-\(tep)", style: .membership)) }
        }
        for x in r.routers {
            let id = "rt-\(x.mac)"
            d.nodes.append(.init(id: id, kind: .router, label: x.name ?? "router", sublabel: x.mac.description))
            for v in x.vnis { d.edges.append(.init(from: id, to: "vni-\(v)", style: .membership)) }
        }
        var externals = Set<String>()
        for e in r.edges {
            for t in e.translations where externals.insert(t.outside.description).inserted {
                d.nodes.append(.init(id: "ext-\(t.outside)", kind: .external, label: "uplink", sublabel: "SNAT \(t.outside)"))
                d.edges.append(.init(from: "tep-\(e.tep)", to: "ext-\(t.outside)",
                                     label: e.uplinkVLANs.first.map { "VLAN \($0)" }, style: .uplink, directed: true))
            }
        }
        // One tunnel edge per TEP pair (both directions folded), labelled with the VNIs it carries.
        var pairs: [String: (String, String, Set<UInt32>)] = [:]
        for t in r.tunnels {
            let a = t.source.description, b = t.destination.description
            let key = a < b ? "\(a)|\(b)" : "\(b)|\(a)"
            var entry = pairs[key] ?? (a < b ? a : b, a < b ? b : a, [])
            entry.2.insert(t.vni)
            pairs[key] = entry
        }
        for key in pairs.keys.sorted() {
            let (a, b, vnis) = pairs[key]!
            let label = vnis.sorted().prefix(3).map(String.init).joined(separator: ",") + (vnis.count > 3 ? ",…" : "")
            d.edges.append(.init(from: "tep-\(a)", to: "tep-\(b)", label: "VNI \(label)", style: .tunnel))
        }
        return d
    }

    // MARK: flows

    func flows(_ r: AnalysisResult) -> [ReportBlock] {
        var blocks: [ReportBlock] = [.heading(2, "Flows", anchor: "flows")]
        guard !r.flows.isEmpty else {
            blocks.append(.paragraph([.text("No flows.")]))
            return blocks
        }
        var table = ReportTable(header: ["#", "Class", "Protocol", "From", "To", "Packets →/←", "TEPs", "VNIs", "Frames"],
                                alignments: [.right, .left, .left, .left, .left, .right, .left, .left, .left])
        for f in r.flows.prefix(maxTableRows) {
            let idCell: ReportTable.Cell = f.id <= maxFlowSectionID(r) ? [.link(String(f.id), anchor: "flow-\(f.id)")] : .text(String(f.id))
            table.addRow([idCell, .text(f.flowClass.rawValue), .text(f.protocolName), .text(endpoint(f.source, f.sourcePort, f.sourceMAC)),
                          .text(endpoint(f.destination, f.destinationPort, f.destinationMAC)),
                          .text("\(f.forward.packets)/\(f.reverse.packets)"),
                          .text(f.teps.map { tepName($0, r) }.joined(separator: ", ").ifEmpty("-")),
                          .text(f.vnis.map(String.init).joined(separator: ", ").ifEmpty("-")), .frameRef(Array(f.frames.prefix(6)))])
        }
        blocks.append(.table(table))
        blocks.append(contentsOf: more(r.flows.count, "flows"))
        for f in r.flows.prefix(maxFlowSections) {
            blocks.append(.section(flowSection(f, r)))
        }
        if r.flows.count > maxFlowSections {
            blocks.append(.paragraph([.emphasis("\(r.flows.count - maxFlowSections) more flows are in the table above and in the JSON output (`--format json`).")]))
        }
        return blocks
    }

    func maxFlowSectionID(_ r: AnalysisResult) -> Int {
        r.flows.prefix(maxFlowSections).map(\.id).max() ?? 0
    }

    func endpoint(_ ip: IPAddress?, _ port: UInt16?, _ mac: MACAddress?) -> String {
        guard let ip else { return mac?.description ?? "-" }
        return port.map { ip.description.contains(":") ? "[\(ip)]:\($0)" : "\(ip):\($0)" } ?? ip.description
    }

    func flowSection(_ f: Flow, _ r: AnalysisResult) -> ReportSection {
        var blocks: [ReportBlock] = []
        blocks.append(.paragraph([.strong(f.flowClass.rawValue), .text(": \(f.classReason)")]))
        if !f.forwardPath.isEmpty {
            blocks.append(.paragraph([.strong("Path"), .text(" "), .path(f.forwardPath.map(step))]))
        }
        if !f.reversePath.isEmpty {
            blocks.append(.paragraph([.strong("Return path"), .text(" "), .path(f.reversePath.map(step))]))
        }
        var facts: [[Inline]] = []
        facts.append([.text("\(f.forward.packets) packets (\(formatBytes(f.forward.bytes))) forward, \(f.reverse.packets) packets (\(formatBytes(f.reverse.bytes))) back")])
        if let state = f.tcpState { facts.append([.text("TCP: \(state.rawValue)")]) }
        if let t = f.translation {
            facts.append([.text("\(t.kind.rawValue.uppercased()) \(t.inside) → \(t.outside) "), .frameRef(Array(t.frames.prefix(6)))])
        }
        if let ovn = f.ovn { facts.append([.text("OVN: \(ovn)")]) }
        for leg in f.legs.prefix(8) {
            var text = "\(leg.direction.rawValue) leg"
            if let vni = leg.vni { text += " in VNI \(vni)" }
            if let vlan = leg.vlan { text += " on VLAN \(vlan)" }
            if !leg.sourceTEPs.isEmpty || !leg.destinationTEPs.isEmpty {
                text += ", TEP \(leg.sourceTEPs.map(\.description).joined(separator: "/")) → \(leg.destinationTEPs.map(\.description).joined(separator: "/"))"
            }
            if let ttl = leg.ttl { text += ", TTL \(ttl)" }
            text += ", \(leg.packets) packets"
            facts.append([.text(text + " "), .frameRef(Array(leg.frames.prefix(6)))])
        }
        for remark in f.remarks { facts.append([.text(remark)]) }
        facts.append([.text("Evidence: "), .frameRef(f.frames)])
        blocks.append(.bulletList(facts))
        let title = "Flow \(f.id): \(f.protocolName) \(endpoint(f.source, f.sourcePort, f.sourceMAC)) → \(endpoint(f.destination, f.destinationPort, f.destinationMAC))"
        return ReportSection(level: 3, title: [.text(title)], anchor: "flow-\(f.id)", blocks: blocks,
                             collapsible: r.flows.count > 20, open: f.flowClass != .unknown)
    }

    func step(_ h: OverlayAnalysis.PathHop) -> Inline.PathStep {
        Inline.PathStep(h.text)
    }

    // MARK: tunnels, BFD

    func tunnels(_ r: AnalysisResult) -> [ReportBlock] {
        guard !r.tunnels.isEmpty else { return [] }
        var t = ReportTable(header: ["Source TEP", "Destination TEP", "VNI", "Encap", "Packets", "Bytes", "Inner flows",
                                     "Source ports", "Outer TTL", "DF", "Largest outer", "Options"],
                            alignments: [.left, .left, .right, .left, .right, .right, .right, .right, .left, .right, .right, .left])
        for x in r.tunnels.prefix(maxTableRows) {
            t.addRow([.text(tepName(x.source, r)), .text(tepName(x.destination, r)), .text(String(x.vni)),
                      .text(x.encapsulation.displayName), .text(String(x.packets)), .text(formatBytes(x.bytes)),
                      .text(String(x.innerFlows)), .text(x.sourcePortSpreadText),
                      .text(x.outerTTLs.map(String.init).joined(separator: ",")), .text("\(x.dontFragmentPackets)/\(x.packets)"),
                      [.text("\(x.largestOuterPacket) "), .frameRef([x.largestOuterPacketFrame])],
                      .text(x.options.map { "\(hexNumber($0.optionClass, width: 4))/\(hexNumber($0.type, width: 2))" }.joined(separator: ", ").ifEmpty("-"))])
        }
        return [.heading(2, "Tunnels", anchor: "tunnels"), .table(t)] + more(r.tunnels.count, "tunnels")
    }

    func bfd(_ r: AnalysisResult) -> [ReportBlock] {
        guard !r.bfdSessions.isEmpty else { return [] }
        var t = ReportTable(header: ["Session", "State", "Sides", "Flaps", "Packets", "Late intervals", "First", "Last"])
        for s in r.bfdSessions.prefix(maxTableRows) {
            let names = zip(s.endpoints, s.names).map { ip, n in n.map { "\($0) (\(ip))" } ?? ip.description }
            let sides = s.sides.map { "\($0.name ?? $0.sender.description): \($0.state)" + ($0.diagnostic != 0 ? " (\($0.diagnosticName))" : "") }
            t.addRow([.text(names.joined(separator: " ↔ ") + (s.tunneled ? " (in Geneve)" : "")), .strong(s.state.description),
                      .text(sides.joined(separator: "; ")), .text(String(s.flaps)), .text(String(s.packets)),
                      .text(String(s.sides.reduce(0) { $0 + $1.lateIntervals })), .frameRef([s.first.frame]), .frameRef([s.last.frame])])
        }
        return [.heading(2, "BFD sessions", anchor: "bfd"), .table(t)]
    }

    // MARK: findings, problems

    func findings(_ r: AnalysisResult) -> [ReportBlock] {
        var blocks: [ReportBlock] = [.heading(2, "Findings", anchor: "findings")]
        guard !r.findings.isEmpty else {
            blocks.append(.paragraph([.text("The reference switch agrees with every frame: no findings.")]))
            return blocks
        }
        var t = ReportTable(header: ["Severity", "Kind", "What happened", "Expected", "Observed", "Frames"])
        let sorted = r.findings.sorted { ($0.severity, $1.frames.first ?? 0) > ($1.severity, $0.frames.first ?? 0) }
        for f in sorted.prefix(maxTableRows) {
            t.addRow([.strong(f.severity.rawValue), .code(f.kind.rawValue), .text(f.message), .text(f.expected ?? "-"),
                      .text(f.observed ?? "-"), .frameRef(f.frames)])
        }
        blocks.append(.table(t))
        blocks.append(contentsOf: more(r.findings.count, "findings"))
        return blocks
    }

    func problems(_ r: AnalysisResult) -> [ReportBlock] {
        guard !r.problems.isEmpty else { return [] }
        var t = ReportTable(header: ["Layer", "Problem", "Packets", "First reason", "Frames"])
        for p in r.problems.prefix(maxTableRows) {
            t.addRow([.text(p.layer.rawValue), .code(p.code.rawValue), .text(String(p.count)), .text(p.firstReason), .frameRef(p.frames)])
        }
        return [.heading(2, "Decode problems", anchor: "problems"),
                .paragraph([.text("Packets are decoded as far as their bytes are valid; these problems were attached to them.")]),
                .table(t)]
    }

    func limitsAndNotes(_ r: AnalysisResult) -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        if r.limits.anyDropped {
            blocks.append(.heading(2, "Left out", anchor: "limits"))
            blocks.append(.callout(.warning, [.text("Some state was not kept because a table reached its cap; the counts above are exact, the lists are not.")]))
            blocks.append(.bulletList(r.limits.descriptions.map { [.text($0)] }))
        }
        if !r.notes.isEmpty {
            blocks.append(.heading(2, "What this capture cannot show", anchor: "notes"))
            blocks.append(.bulletList(r.notes.map { [.text($0)] }))
        }
        return blocks
    }

    func more(_ total: Int, _ what: String) -> [ReportBlock] {
        total > maxTableRows ? [.paragraph([.emphasis("\(total - maxTableRows) more \(what) not listed (\(total) in all); the JSON output has them all.")])] : []
    }
}

/// A path's last component without Foundation's NSString.
private protocol NSStringLike { var lastComponent: String { get } }
extension String: NSStringLike {
    var lastComponent: String { split(separator: "/").last.map(String.init) ?? self }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}

extension ReportDocument {
    mutating func append(contentsOf blocks: [ReportBlock]) {
        for b in blocks { append(b) }
    }
}

func formatBytes(_ n: Int) -> String {
    let v = Double(n)
    if v >= 1e9 { return String(Int((v / 1e8).rounded())).insertingDecimal() + " GB" }
    if v >= 1e6 { return String(Int((v / 1e5).rounded())).insertingDecimal() + " MB" }
    if v >= 1e3 { return String(Int((v / 1e2).rounded())).insertingDecimal() + " kB" }
    return "\(n) B"
}

func formatDuration(_ s: Double) -> String {
    if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
    if s < 120 { return String(Int((s * 10).rounded())).insertingDecimal() + " s" }
    let t = Int(s)
    return "\(t / 3600)h \((t / 60) % 60)m \(t % 60)s"
}

extension String {
    /// "123" → "12.3": one decimal from a value scaled by ten.
    func insertingDecimal() -> String {
        guard count >= 2 else { return "0." + self }
        return String(dropLast()) + "." + String(last!)
    }
}

/// UTC calendar time for timestamps, without Foundation's formatters (deterministic, locale-free).
enum UTCTime {
    static func text(_ t: Timestamp) -> String {
        let days = Int(floorDiv(t.seconds, 86400))
        let secs = Int(t.seconds - Int64(days) * 86400)
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let us = Int(t.nanoseconds / 1000)
        return "\(y)-\(pad(m))-\(pad(d)) \(pad(secs / 3600)):\(pad((secs / 60) % 60)):\(pad(secs % 60)).\(pad6(us)) UTC"
    }
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
    static func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    static func pad6(_ v: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, 6 - s.count)) + s }
}
