import OverlayAnalysis
import OverlayReference
import OverlayWire

/// `analyze --format json`: one document, schema in docs/json-analyze.md. Keys are only ever added, never
/// renamed or removed; lists are in the engine's stable order (TEPs by IP, tunnels by pair and VNI,
/// segments by VNI, flows by first frame), so two runs over the same capture give the same bytes.
public enum AnalysisJSON {
    public static let schemaVersion = 1

    public static func document(_ r: AnalysisResult) -> JSONValue {
        .object([
            ("schema_version", .integer(schemaVersion)),
            ("capture", capture(r.capture)),
            ("summary", summary(r)),
            ("teps", .array(r.teps.map(tep))),
            ("segments", .array(r.segments.map(segment))),
            ("endpoints", .array(r.endpoints.map(endpoint))),
            ("routers", .array(r.routers.map(router))),
            ("edges", .array(r.edges.map(edge))),
            ("tunnels", .array(r.tunnels.map(tunnel))),
            ("flows", .array(r.flows.map(flow))),
            ("bfd_sessions", .array(r.bfdSessions.map(bfd))),
            ("findings", .array(r.findings.map(finding))),
            ("problems", .array(r.problems.map(problem))),
            ("notes", .strings(r.notes)),
            ("limits", limits(r.limits)),
        ])
    }

    static func ip(_ a: IPAddress?) -> JSONValue { a.map { .string($0.description) } ?? .null }
    static func mac(_ a: MACAddress?) -> JSONValue { a.map { .string($0.description) } ?? .null }
    static func name(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    static func time(_ t: Timestamp?) -> JSONValue { t.map { .number($0.description) } ?? .null }
    static func ints<S: Sequence>(_ s: S) -> JSONValue where S.Element: BinaryInteger { .array(s.map { .integer($0) }) }
    static func ref(_ f: FrameRef?) -> JSONValue {
        guard let f else { return .null }
        return .object([("frame", .integer(f.frame)), ("time", time(f.time))])
    }

    static func capture(_ c: CaptureSummary) -> JSONValue {
        .object([
            ("files", .strings(c.files)),
            ("packets_per_file", ints(c.packetsPerFile)),
            ("packets", .integer(c.packets)),
            ("bytes", .integer(c.bytes)),
            ("captured_bytes", .integer(c.capturedBytes)),
            ("tunneled_packets", .integer(c.tunneledPackets)),
            ("first", time(c.first)),
            ("last", time(c.last)),
            ("duration", .double(c.duration)),
            ("link_types", ints(c.linkTypes.map(\.rawValue))),
            ("warnings", .strings(c.warnings)),
        ])
    }

    static func summary(_ r: AnalysisResult) -> JSONValue {
        var byClass: [(String, JSONValue)] = []
        for c in FlowClass.allCases { byClass.append((c.rawValue, .integer(r.flows.filter { $0.flowClass == c }.count))) }
        var bySeverity: [(String, JSONValue)] = []
        for s in Finding.Severity.allCases.reversed() {
            bySeverity.append((s.rawValue, .integer(r.findings.filter { $0.severity == s }.count)))
        }
        return .object([
            ("teps", .integer(r.teps.count)),
            ("segments", .integer(r.segments.count)),
            ("endpoints", .integer(r.endpoints.count)),
            ("flows", .integer(r.flows.count)),
            ("flows_by_class", .object(byClass)),
            ("findings_by_severity", .object(bySeverity)),
            ("problems", .integer(r.problems.reduce(0) { $0 + $1.count })),
        ])
    }

    static func tep(_ t: TunnelEndpoint) -> JSONValue {
        .object([
            ("ip", .string(t.ip.description)),
            ("name", name(t.name)),
            ("role", .string(t.role.rawValue)),
            ("role_reason", .string(t.roleReason)),
            ("macs", .strings(t.macs)),
            ("vnis", ints(t.vnis)),
            ("encapsulations", .strings(t.encapsulations.map(\.rawValue))),
            ("tx_packets", .integer(t.txPackets)),
            ("tx_bytes", .integer(t.txBytes)),
            ("rx_packets", .integer(t.rxPackets)),
            ("rx_bytes", .integer(t.rxBytes)),
            ("workloads", .integer(t.workloads)),
            ("first", ref(t.first)),
            ("last", ref(t.last)),
        ])
    }

    static func segment(_ s: Segment) -> JSONValue {
        .object([
            ("vni", .integer(s.vni)),
            ("name", name(s.name)),
            ("kind", .string(s.kind.rawValue)),
            ("kind_reason", .string(s.kindReason)),
            ("subnets", .strings(s.subnets)),
            ("subnets_declared", .bool(s.subnetsDeclared)),
            ("teps", .strings(s.teps)),
            ("endpoints", .strings(s.endpoints)),
            ("router_macs", .strings(s.routerMACs)),
            ("encapsulations", .strings(s.encapsulations.map(\.rawValue))),
            ("packets", .integer(s.packets)),
            ("bytes", .integer(s.bytes)),
            ("flows", .integer(s.flows)),
            ("first", ref(s.first)),
            ("last", ref(s.last)),
        ])
    }

    static func endpoint(_ w: Workload) -> JSONValue {
        .object([
            ("mac", .string(w.mac.description)),
            ("name", name(w.name)),
            ("ips", .strings(w.ips)),
            ("vni", .integer(w.vni)),
            ("tep", ip(w.tep)),
            ("tep_name", name(w.tepName)),
            ("location", .string(w.location.rawValue)),
            ("teps", .strings(w.teps)),
            ("packets_sent", .integer(w.packetsSent)),
            ("bytes_sent", .integer(w.bytesSent)),
            ("first", ref(w.first)),
            ("last", ref(w.last)),
            ("moves", .array(w.moves.map { m in
                .object([
                    ("frame", .integer(m.at.frame)),
                    ("time", time(m.at.time)),
                    ("from", .string(m.from.description)),
                    ("to", .string(m.to.description)),
                    ("from_name", name(m.fromName)),
                    ("to_name", name(m.toName)),
                ])
            })),
            ("moves_not_kept", .integer(w.movesNotKept)),
        ])
    }

    static func router(_ r: Router) -> JSONValue {
        .object([
            ("mac", .string(r.mac.description)),
            ("name", name(r.name)),
            ("kind", .string(r.kind.rawValue)),
            ("vnis", ints(r.vnis)),
            ("ips", .strings(r.ips)),
            ("teps", .strings(r.teps)),
            ("declared", .bool(r.declared)),
            ("reasons", .strings(r.reasons)),
            ("frames", ints(r.frames)),
        ])
    }

    static func translation(_ t: AddressTranslation?) -> JSONValue {
        guard let t else { return .null }
        return .object([
            ("kind", .string(t.kind.rawValue)),
            ("inside", .string(t.inside.description)),
            ("outside", .string(t.outside.description)),
            ("inside_port", t.insidePort.map { .integer($0) } ?? .null),
            ("outside_port", t.outsidePort.map { .integer($0) } ?? .null),
            ("frames", ints(t.frames)),
        ])
    }

    static func edge(_ e: Edge) -> JSONValue {
        .object([
            ("tep", .string(e.tep.description)),
            ("name", name(e.name)),
            ("role", .string(e.role.rawValue)),
            ("transit_vnis", ints(e.transitVNIs)),
            ("uplink_vlans", ints(e.uplinkVLANs)),
            ("translations", .array(e.translations.map { translation($0) })),
            ("flows", .integer(e.flows)),
            ("reasons", .strings(e.reasons)),
            ("frames", ints(e.frames)),
        ])
    }

    static func tunnel(_ t: Tunnel) -> JSONValue {
        .object([
            ("src", .string(t.source.description)),
            ("dst", .string(t.destination.description)),
            ("src_name", name(t.sourceName)),
            ("dst_name", name(t.destinationName)),
            ("vni", .integer(t.vni)),
            ("encapsulation", .string(t.encapsulation.rawValue)),
            ("packets", .integer(t.packets)),
            ("bytes", .integer(t.bytes)),
            ("inner_flows", .integer(t.innerFlows)),
            ("source_ports", .integer(t.sourcePortSpread)),
            ("source_ports_saturated", .bool(t.sourcePortSpreadSaturated)),
            ("outer_ttls", ints(t.outerTTLs)),
            ("df_packets", .integer(t.dontFragmentPackets)),
            ("largest_outer_packet", .integer(t.largestOuterPacket)),
            ("largest_outer_packet_frame", .integer(t.largestOuterPacketFrame)),
            ("oam_packets", .integer(t.oamPackets)),
            ("critical_packets", .integer(t.criticalPackets)),
            ("options", .array(t.options.map { o in
                .object([
                    ("class", .string(hexNumber(o.optionClass, width: 4))),
                    ("class_name", .string(o.className)),
                    ("type", .string(hexNumber(o.type, width: 2))),
                    ("critical", .bool(o.critical)),
                    ("packets", .integer(o.packets)),
                ])
            })),
            ("first", ref(t.first)),
            ("last", ref(t.last)),
        ])
    }

    public static func hop(_ h: OverlayAnalysis.PathHop, in flow: Flow) -> JSONValue {
        var m: [(String, JSONValue)] = []
        m.append(("kind", .string(h.kind.rawValue)))
        m.append(("text", .string(h.text)))
        m.append(("name", name(h.name)))
        m.append(("ip", ip(h.ip)))
        m.append(("mac", mac(h.mac)))
        m.append(("vni", h.vni.map { .integer($0) } ?? .null))
        m.append(("from_vni", h.fromVNI.map { .integer($0) } ?? .null))
        m.append(("vlan", h.vlan.map { .integer($0) } ?? .null))
        m.append(("ttl_before", h.ttlBefore.map { .integer($0) } ?? .null))
        m.append(("ttl_after", h.ttlAfter.map { .integer($0) } ?? .null))
        m.append(("teps", .strings(h.teps)))
        m.append(("leg", .integer(h.leg)))
        m.append(("frames", ints(h.frames)))
        return .object(m)
    }

    static func direction(_ d: FlowDirection) -> JSONValue {
        .object([
            ("packets", .integer(d.packets)),
            ("bytes", .integer(d.bytes)),
            ("first", ref(d.first)),
            ("last", ref(d.last)),
        ])
    }

    static func flow(_ f: Flow) -> JSONValue {
        var m: [(String, JSONValue)] = []
        m.append(("id", .integer(f.id)))
        m.append(("proto", .string(f.protocolName)))
        m.append(("ip_proto", f.ipProtocol.map { .integer($0.rawValue) } ?? .null))
        m.append(("src", ip(f.source)))
        m.append(("dst", ip(f.destination)))
        m.append(("sport", f.sourcePort.map { .integer($0) } ?? .null))
        m.append(("dport", f.destinationPort.map { .integer($0) } ?? .null))
        m.append(("icmp_id", f.icmpIdentifier.map { .integer($0) } ?? .null))
        m.append(("src_mac", mac(f.sourceMAC)))
        m.append(("dst_mac", mac(f.destinationMAC)))
        m.append(("class", .string(f.flowClass.rawValue)))
        m.append(("class_reason", .string(f.classReason)))
        m.append(("tunneled", .bool(f.tunneled)))
        m.append(("path", .array(f.forwardPath.map { hop($0, in: f) })))
        m.append(("return_path", .array(f.reversePath.map { hop($0, in: f) })))
        m.append(("path_text", .string(f.forwardPath.pathText)))
        m.append(("return_path_text", .string(f.reversePath.pathText)))
        m.append(("teps", .strings(f.teps)))
        m.append(("vnis", ints(f.vnis)))
        m.append(("vlans", ints(f.vlans)))
        m.append(("forward", direction(f.forward)))
        m.append(("reverse", direction(f.reverse)))
        m.append(("tcp_state", f.tcpState.map { .string($0.rawValue) } ?? .null))
        m.append(("translation", translation(f.translation)))
        m.append(("ovn", name(f.ovn)))
        m.append(("frames", ints(f.frames)))
        m.append(("first", ref(f.first)))
        m.append(("last", ref(f.last)))
        m.append(("files", ints(f.files)))
        m.append(("remarks", .strings(f.remarks)))
        return .object(m)
    }

    static func bfd(_ s: BFDSession) -> JSONValue {
        .object([
            ("endpoints", .strings(s.endpoints)),
            ("names", .array(s.names.map { name($0) })),
            ("tunneled", .bool(s.tunneled)),
            ("vni", s.vni.map { .integer($0) } ?? .null),
            ("state", .string(s.state.description)),
            ("flaps", .integer(s.flaps)),
            ("packets", .integer(s.packets)),
            ("sides", .array(s.sides.map { d in
                .object([
                    ("sender", .string(d.sender.description)),
                    ("name", name(d.name)),
                    ("state", .string(d.state.description)),
                    ("diag", .integer(d.diagnostic)),
                    ("diag_name", .string(d.diagnosticName)),
                    ("my_discriminator", .integer(d.myDiscriminator)),
                    ("your_discriminator", .integer(d.yourDiscriminator)),
                    ("detect_mult", .integer(d.detectMultiplier)),
                    ("min_tx_us", .integer(d.desiredMinTxInterval)),
                    ("min_rx_us", .integer(d.requiredMinRxInterval)),
                    ("packets", .integer(d.packets)),
                    ("late_intervals", .integer(d.lateIntervals)),
                    ("longest_gap", .double(d.longestGap)),
                ])
            })),
            ("transitions", .array(s.transitions.map { t in
                .object([
                    ("frame", .integer(t.at.frame)),
                    ("time", time(t.at.time)),
                    ("sender", .string(t.sender.description)),
                    ("from", t.from.map { .string($0.description) } ?? .null),
                    ("to", .string(t.to.description)),
                    ("diag", .integer(t.diagnostic)),
                    ("diag_name", .string(t.diagnosticName)),
                ])
            })),
            ("transitions_not_kept", .integer(s.transitionsNotKept)),
            ("first", ref(s.first)),
            ("last", ref(s.last)),
        ])
    }

    public static func finding(_ f: Finding) -> JSONValue {
        .object([
            ("kind", .string(f.kind.rawValue)),
            ("severity", .string(f.severity.rawValue)),
            ("message", .string(f.message)),
            ("expected", name(f.expected)),
            ("observed", name(f.observed)),
            ("frames", ints(f.frames)),
            ("vni", f.vni.map { .integer($0) } ?? .null),
        ])
    }

    static func problem(_ p: ProblemSummary) -> JSONValue {
        .object([
            ("layer", .string(p.layer.rawValue)),
            ("code", .string(p.code.rawValue)),
            ("count", .integer(p.count)),
            ("reason", .string(p.firstReason)),
            ("frames", ints(p.frames)),
        ])
    }

    static func limits(_ l: AnalysisLimits) -> JSONValue {
        .object([
            ("any_dropped", .bool(l.anyDropped)),
            ("descriptions", .strings(l.descriptions)),
            ("packets_in_untracked_flows", .integer(l.packetsInUntrackedFlows)),
            ("packets_with_untracked_endpoint", .integer(l.packetsWithUntrackedEndpoint)),
            ("packets_in_untracked_tunnels", .integer(l.packetsInUntrackedTunnels)),
            ("packets_in_untracked_segments", .integer(l.packetsInUntrackedSegments)),
            ("tables_full", .object(l.tablesFull.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })),
        ])
    }
}
