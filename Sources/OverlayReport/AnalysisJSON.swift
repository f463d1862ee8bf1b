import OverlayAnalysis
import OverlayReference
import OverlayWire

/// `analyze --format json`: one document, schema in docs/json-analyze.md. Keys are only ever added, never
/// renamed or removed; lists are in the engine's stable order (TEPs by IP, tunnels by pair and VNI,
/// segments by VNI, flows by first frame), so two runs over the same capture give the same bytes.
///
/// Streamed: every part is written straight into a `JSONStreamWriter` (for 10,000 flows the document is tens
/// of megabytes; as a value tree it took several times that in memory and an allocation per value).
public enum AnalysisJSON {
    public static let schemaVersion = 1

    /// `threads` ≥ 2: the long lists (tunnels, flows) are rendered on two threads (same text).
    public static func write(_ r: AnalysisResult, threads: Int = 1, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("schema_version", schemaVersion)
        w.key("capture"); capture(r.capture, to: &w)
        w.key("summary"); summary(r, to: &w)
        w.key("teps"); w.beginArray(); for i in r.teps.indices { tep(r.teps[i], to: &w) }; w.endArray()
        w.key("segments"); w.beginArray(); for i in r.segments.indices { segment(r.segments[i], to: &w) }; w.endArray()
        w.key("endpoints"); w.beginArray(); for i in r.endpoints.indices { endpoint(r.endpoints[i], to: &w) }; w.endArray()
        w.key("routers"); w.beginArray(); for i in r.routers.indices { router(r.routers[i], to: &w) }; w.endArray()
        w.key("edges"); w.beginArray(); for i in r.edges.indices { edge(r.edges[i], to: &w) }; w.endArray()
        w.key("tunnels"); w.beginArray(); w.items(count: r.tunnels.count, threads: threads) { tunnel(r.tunnels[$0], to: &$1) }; w.endArray()
        w.key("flows"); w.beginArray(); w.items(count: r.flows.count, threads: threads) { flow(r.flows[$0], to: &$1) }; w.endArray()
        w.key("bfd_sessions"); w.beginArray(); for i in r.bfdSessions.indices { bfd(r.bfdSessions[i], to: &w) }; w.endArray()
        w.key("findings"); findings(r.findings, to: &w)
        w.key("problems"); w.beginArray(); for i in r.problems.indices { problem(r.problems[i], to: &w) }; w.endArray()
        w.field("notes", strings: r.notes)
        w.key("limits"); limits(r.limits, to: &w)
        w.endObject()
    }

    /// The whole document in memory (tests, small captures).
    public static func rendered(_ r: AnalysisResult, style: JSONReportWriter.Style = .pretty) -> String {
        JSONReportWriter.render(style: style) { write(r, to: &$0) }
    }

    static func ref(_ f: FrameRef?, to w: inout JSONStreamWriter) {
        guard let f else { return w.null() }
        w.beginObject()
        w.field("frame", f.frame)
        w.key("time"); w.time(f.time)
        w.endObject()
    }

    static func descriptions<S: Sequence>(_ items: S, to w: inout JSONStreamWriter) where S.Element: CustomStringConvertible {
        w.beginArray()
        for item in items { w.string(item.description) }
        w.endArray()
    }

    static func capture(_ c: CaptureSummary, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("files", strings: c.files)
        w.field("packets_per_file", ints: c.packetsPerFile)
        w.field("packets", c.packets)
        w.field("bytes", c.bytes)
        w.field("captured_bytes", c.capturedBytes)
        w.field("tunneled_packets", c.tunneledPackets)
        w.key("first"); w.time(c.first)
        w.key("last"); w.time(c.last)
        w.field("duration", c.duration)
        w.field("link_types", ints: c.linkTypes.map(\.rawValue))
        w.field("warnings", strings: c.warnings)
        w.endObject()
    }

    static func summary(_ r: AnalysisResult, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("teps", r.teps.count)
        w.field("segments", r.segments.count)
        w.field("endpoints", r.endpoints.count)
        w.field("flows", r.flows.count)
        w.key("flows_by_class")
        w.beginObject()
        for c in FlowClass.allCases {
            w.key(text: c.rawValue)
            // By index: `count(where:)` copied every flow (retaining its strings and arrays) to test one field.
            var n = 0
            for i in r.flows.indices where r.flows[i].flowClass == c { n += 1 }
            w.int(n)
        }
        w.endObject()
        w.key("findings_by_severity")
        w.beginObject()
        for s in Finding.Severity.allCases.reversed() {
            w.key(text: s.rawValue)
            w.int(r.findings.count(where: { $0.severity == s }))
        }
        w.endObject()
        w.field("problems", r.problems.reduce(0) { $0 + $1.count })
        w.endObject()
    }

    static func tep(_ t: TunnelEndpoint, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.key("ip"); w.ip(t.ip)
        w.field("name", t.name)
        w.field("role", t.role.rawValue)
        w.field("role_reason", t.roleReason)
        w.key("macs"); w.macs(t.macs)
        w.field("vnis", ints: t.vnis)
        w.key("encapsulations"); descriptions(t.encapsulations.lazy.map(\.rawValue), to: &w)
        w.field("tx_packets", t.txPackets)
        w.field("tx_bytes", t.txBytes)
        w.field("rx_packets", t.rxPackets)
        w.field("rx_bytes", t.rxBytes)
        w.field("workloads", t.workloads)
        w.key("first"); ref(t.first, to: &w)
        w.key("last"); ref(t.last, to: &w)
        w.endObject()
    }

    static func segment(_ s: Segment, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("vni", s.vni)
        w.field("name", s.name)
        w.field("kind", s.kind.rawValue)
        w.field("kind_reason", s.kindReason)
        w.key("subnets"); descriptions(s.subnets, to: &w)
        w.field("subnets_declared", s.subnetsDeclared)
        w.key("teps"); w.ips(s.teps)
        w.key("endpoints"); w.macs(s.endpoints)
        w.key("router_macs"); w.macs(s.routerMACs)
        w.key("encapsulations"); descriptions(s.encapsulations.lazy.map(\.rawValue), to: &w)
        w.field("packets", s.packets)
        w.field("bytes", s.bytes)
        w.field("flows", s.flows)
        w.key("first"); ref(s.first, to: &w)
        w.key("last"); ref(s.last, to: &w)
        w.endObject()
    }

    static func endpoint(_ e: Workload, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.key("mac"); w.mac(e.mac)
        w.field("name", e.name)
        w.key("ips"); w.ips(e.ips)
        w.field("vni", e.vni)
        w.key("tep"); w.ip(e.tep)
        w.field("tep_name", e.tepName)
        w.field("location", e.location.rawValue)
        w.key("teps"); w.ips(e.teps)
        w.field("packets_sent", e.packetsSent)
        w.field("bytes_sent", e.bytesSent)
        w.key("first"); ref(e.first, to: &w)
        w.key("last"); ref(e.last, to: &w)
        w.key("moves")
        w.beginArray()
        for m in e.moves {
            w.beginObject()
            w.field("frame", m.at.frame)
            w.key("time"); w.time(m.at.time)
            w.key("from"); w.ip(m.from)
            w.key("to"); w.ip(m.to)
            w.field("from_name", m.fromName)
            w.field("to_name", m.toName)
            w.endObject()
        }
        w.endArray()
        w.field("moves_not_kept", e.movesNotKept)
        w.endObject()
    }

    static func router(_ r: Router, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.key("mac"); w.mac(r.mac)
        w.field("name", r.name)
        w.field("kind", r.kind.rawValue)
        w.field("vnis", ints: r.vnis)
        w.key("ips"); w.ips(r.ips)
        w.key("teps"); w.ips(r.teps)
        w.field("declared", r.declared)
        w.field("reasons", strings: r.reasons)
        w.field("frames", ints: r.frames)
        w.endObject()
    }

    static func translation(_ t: AddressTranslation?, to w: inout JSONStreamWriter) {
        guard let t else { return w.null() }
        w.beginObject()
        w.field("kind", t.kind.rawValue)
        w.key("inside"); w.ip(t.inside)
        w.key("outside"); w.ip(t.outside)
        w.field("inside_port", t.insidePort)
        w.field("outside_port", t.outsidePort)
        w.field("frames", ints: t.frames)
        w.endObject()
    }

    static func edge(_ e: Edge, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.key("tep"); w.ip(e.tep)
        w.field("name", e.name)
        w.field("role", e.role.rawValue)
        w.field("transit_vnis", ints: e.transitVNIs)
        w.field("uplink_vlans", ints: e.uplinkVLANs)
        w.key("translations"); w.beginArray(); for t in e.translations { translation(t, to: &w) }; w.endArray()
        w.field("flows", e.flows)
        w.field("reasons", strings: e.reasons)
        w.field("frames", ints: e.frames)
        w.endObject()
    }

    static func tunnel(_ t: Tunnel, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.key("src"); w.ip(t.source)
        w.key("dst"); w.ip(t.destination)
        w.field("src_name", t.sourceName)
        w.field("dst_name", t.destinationName)
        w.field("vni", t.vni)
        w.field("encapsulation", t.encapsulation.rawValue)
        w.field("packets", t.packets)
        w.field("bytes", t.bytes)
        w.field("inner_flows", t.innerFlows)
        w.field("source_ports", t.sourcePortSpread)
        w.field("source_ports_saturated", t.sourcePortSpreadSaturated)
        w.field("outer_ttls", ints: t.outerTTLs)
        w.field("df_packets", t.dontFragmentPackets)
        w.field("largest_outer_packet", t.largestOuterPacket)
        w.field("largest_outer_packet_frame", t.largestOuterPacketFrame)
        w.field("oam_packets", t.oamPackets)
        w.field("critical_packets", t.criticalPackets)
        w.key("options")
        w.beginArray()
        for o in t.options {
            w.beginObject()
            w.field("class", hexNumber(o.optionClass, width: 4))
            w.field("class_name", o.className)
            w.field("type", hexNumber(o.type, width: 2))
            w.field("critical", o.critical)
            w.field("packets", o.packets)
            w.endObject()
        }
        w.endArray()
        w.key("first"); ref(t.first, to: &w)
        w.key("last"); ref(t.last, to: &w)
        w.endObject()
    }

    public static func hop(_ h: OverlayAnalysis.PathHop, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("kind", h.kind.rawValue)
        w.field("text", h.text)
        w.field("name", h.name)
        w.key("ip"); w.ip(h.ip)
        w.key("mac"); w.mac(h.mac)
        w.field("vni", h.vni)
        w.field("from_vni", h.fromVNI)
        w.field("vlan", h.vlan)
        w.field("ttl_before", h.ttlBefore)
        w.field("ttl_after", h.ttlAfter)
        w.key("teps"); w.ips(h.teps)
        w.field("leg", h.leg)
        w.field("frames", ints: h.frames)
        w.endObject()
    }

    public static func path(_ hops: [OverlayAnalysis.PathHop], to w: inout JSONStreamWriter) {
        w.beginArray()
        for i in hops.indices { hop(hops[i], to: &w) }
        w.endArray()
    }

    /// `hops.pathText` (the texts joined with " → ") without building it.
    static func pathText(_ hops: [OverlayAnalysis.PathHop], to w: inout JSONStreamWriter) {
        w.beginString()
        for i in hops.indices {
            if i > 0 { w.stringPiece(" → ") }
            w.stringPiece(hops[i].text)
        }
        w.endString()
    }

    static func direction(_ d: FlowDirection, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("packets", d.packets)
        w.field("bytes", d.bytes)
        w.key("first"); ref(d.first, to: &w)
        w.key("last"); ref(d.last, to: &w)
        w.endObject()
    }

    static func flow(_ f: Flow, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("id", f.id)
        w.field("proto", f.protocolName)
        w.field("ip_proto", f.ipProtocol?.rawValue)
        w.key("src"); w.ip(f.source)
        w.key("dst"); w.ip(f.destination)
        w.field("sport", f.sourcePort)
        w.field("dport", f.destinationPort)
        w.field("icmp_id", f.icmpIdentifier)
        w.key("src_mac"); w.mac(f.sourceMAC)
        w.key("dst_mac"); w.mac(f.destinationMAC)
        w.field("class", f.flowClass.rawValue)
        w.field("class_reason", f.classReason)
        w.field("tunneled", f.tunneled)
        w.key("path"); path(f.forwardPath, to: &w)
        w.key("return_path"); path(f.reversePath, to: &w)
        w.key("path_text"); pathText(f.forwardPath, to: &w)
        w.key("return_path_text"); pathText(f.reversePath, to: &w)
        w.key("teps"); w.ips(f.teps)
        w.field("vnis", ints: f.vnis)
        w.field("vlans", ints: f.vlans)
        w.key("forward"); direction(f.forward, to: &w)
        w.key("reverse"); direction(f.reverse, to: &w)
        w.field("tcp_state", f.tcpState?.rawValue)
        w.key("translation"); translation(f.translation, to: &w)
        w.field("ovn", f.ovn)
        w.field("frames", ints: f.frames)
        w.key("first"); ref(f.first, to: &w)
        w.key("last"); ref(f.last, to: &w)
        w.field("files", ints: f.files)
        w.field("remarks", strings: f.remarks)
        w.endObject()
    }

    static func bfd(_ s: BFDSession, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.key("endpoints"); w.ips(s.endpoints)
        w.key("names"); w.beginArray(); for n in s.names { w.string(n) }; w.endArray()
        w.field("tunneled", s.tunneled)
        w.field("vni", s.vni)
        w.field("state", s.state.description)
        w.field("flaps", s.flaps)
        w.field("packets", s.packets)
        w.key("sides")
        w.beginArray()
        for d in s.sides {
            w.beginObject()
            w.key("sender"); w.ip(d.sender)
            w.field("name", d.name)
            w.field("state", d.state.description)
            w.field("diag", d.diagnostic)
            w.field("diag_name", d.diagnosticName)
            w.field("my_discriminator", d.myDiscriminator)
            w.field("your_discriminator", d.yourDiscriminator)
            w.field("detect_mult", d.detectMultiplier)
            w.field("min_tx_us", d.desiredMinTxInterval)
            w.field("min_rx_us", d.requiredMinRxInterval)
            w.field("packets", d.packets)
            w.field("late_intervals", d.lateIntervals)
            w.field("longest_gap", d.longestGap)
            w.endObject()
        }
        w.endArray()
        w.key("transitions")
        w.beginArray()
        for t in s.transitions {
            w.beginObject()
            w.field("frame", t.at.frame)
            w.key("time"); w.time(t.at.time)
            w.key("sender"); w.ip(t.sender)
            w.field("from", t.from?.description)
            w.field("to", t.to.description)
            w.field("diag", t.diagnostic)
            w.field("diag_name", t.diagnosticName)
            w.endObject()
        }
        w.endArray()
        w.field("transitions_not_kept", s.transitionsNotKept)
        w.key("first"); ref(s.first, to: &w)
        w.key("last"); ref(s.last, to: &w)
        w.endObject()
    }

    public static func finding(_ f: Finding, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("kind", f.kind.rawValue)
        w.field("severity", f.severity.rawValue)
        w.field("message", f.message)
        w.field("expected", f.expected)
        w.field("observed", f.observed)
        w.field("frames", ints: f.frames)
        w.field("vni", f.vni)
        w.endObject()
    }

    public static func findings(_ list: [Finding], to w: inout JSONStreamWriter) {
        w.beginArray()
        for i in list.indices { finding(list[i], to: &w) }
        w.endArray()
    }

    static func problem(_ p: ProblemSummary, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("layer", p.layer.rawValue)
        w.field("code", p.code.rawValue)
        w.field("count", p.count)
        w.field("reason", p.firstReason)
        w.field("frames", ints: p.frames)
        w.endObject()
    }

    static func limits(_ l: AnalysisLimits, to w: inout JSONStreamWriter) {
        w.beginObject()
        w.field("any_dropped", l.anyDropped)
        w.field("descriptions", strings: l.descriptions)
        w.field("packets_in_untracked_flows", l.packetsInUntrackedFlows)
        w.field("packets_with_untracked_endpoint", l.packetsWithUntrackedEndpoint)
        w.field("packets_in_untracked_tunnels", l.packetsInUntrackedTunnels)
        w.field("packets_in_untracked_segments", l.packetsInUntrackedSegments)
        w.key("tables_full")
        w.beginObject()
        for (k, v) in l.tablesFull.sorted(by: { $0.key < $1.key }) {
            w.key(text: k)
            w.int(v)
        }
        w.endObject()
        w.endObject()
    }
}
