import OverlayReport

/// A report shaped like `overlaytrace analyze` output for the reference sample topology (three hosts, one
/// edge, web/app/transit segments), with every block kind in it.
enum SampleDocument {
    static let topology = TopologyDiagram(
        nodes: [
            .init(id: "dr", kind: .router, label: "distributed router", sublabel: "02:50:56:56:44:52"),
            .init(id: "vni-69632", kind: .segment, label: "web", sublabel: "VNI 69632 · 10.1.10.0/24"),
            .init(id: "vni-73728", kind: .segment, label: "app", sublabel: "VNI 73728 · 10.1.20.0/24"),
            .init(id: "vni-71680", kind: .segment, label: "transit", sublabel: "VNI 71680 · 100.64.0.0/31"),
            .init(id: "172.20.11.51", kind: .tep, label: "esxi-01", sublabel: "172.20.11.51"),
            .init(id: "172.20.11.52", kind: .tep, label: "esxi-02", sublabel: "172.20.11.52"),
            .init(id: "172.20.11.53", kind: .tep, label: "esxi-03", sublabel: "172.20.11.53"),
            .init(id: "172.20.11.100", kind: .edge, label: "edge-01", sublabel: "172.20.11.100"),
            .init(id: "web-01", kind: .workload, label: "web-01", sublabel: "10.1.10.11"),
            .init(id: "web-02", kind: .workload, label: "web-02", sublabel: "10.1.10.12"),
            .init(id: "app-01", kind: .workload, label: "app-01", sublabel: "10.1.20.11"),
            .init(id: "phys", kind: .external, label: "physical router", sublabel: "VLAN 100"),
            .init(id: "outside", kind: .external, label: "203.0.113.50"),
        ],
        edges: [
            .init(from: "dr", to: "vni-69632", style: .membership),
            .init(from: "dr", to: "vni-73728", style: .membership),
            .init(from: "dr", to: "vni-71680", style: .membership),
            .init(from: "vni-69632", to: "172.20.11.51", style: .membership),
            .init(from: "vni-69632", to: "172.20.11.52", style: .membership),
            .init(from: "vni-73728", to: "172.20.11.51", style: .membership),
            .init(from: "vni-73728", to: "172.20.11.53", style: .membership),
            .init(from: "vni-71680", to: "172.20.11.52", style: .membership),
            .init(from: "vni-71680", to: "172.20.11.100", style: .membership),
            .init(from: "172.20.11.51", to: "172.20.11.52", label: "VNI 69632 · 24 pkts", style: .tunnel),
            .init(from: "172.20.11.51", to: "172.20.11.53", label: "VNI 73728 · 12 pkts", style: .tunnel),
            .init(from: "172.20.11.52", to: "172.20.11.100", label: "VNI 71680 · 8 pkts", style: .tunnel),
            .init(from: "web-01", to: "172.20.11.51", style: .membership),
            .init(from: "web-02", to: "172.20.11.52", style: .membership),
            .init(from: "app-01", to: "172.20.11.53", style: .membership),
            .init(from: "web-01", to: "vni-69632", style: .membership),
            .init(from: "web-02", to: "vni-69632", style: .membership),
            .init(from: "app-01", to: "vni-73728", style: .membership),
            .init(from: "172.20.11.100", to: "phys", label: "uplink VLAN 100", style: .uplink, directed: true),
            .init(from: "phys", to: "outside", label: "SNAT 192.0.2.10", style: .uplink, directed: true),
        ]
    )

    static func tunnels(rows: Int = 3) -> ReportTable {
        var table = ReportTable(header: ["Source TEP", "Destination TEP", "VNI", "Packets", "Bytes", "Evidence"],
                                alignments: [.left, .left, .right, .right, .right, .left])
        let base: [(String, String, String)] = [
            ("esxi-01", "esxi-02", "69632"), ("esxi-01", "esxi-03", "73728"), ("esxi-02", "edge-01", "71680"),
        ]
        for i in 0..<rows {
            let (src, dst, vni) = base[i % base.count]
            table.addRow([.strong(src), .text(dst), .code(vni), "\(24 + i)", "\(3_120 + i * 130)",
                          .frameRef([i + 1, i + 2, i + 7])])
        }
        return table
    }

    static func document(tunnelRows: Int = 3) -> ReportDocument {
        var doc = ReportDocument(title: "OverlayTrace report: routed.pcap")
        doc.append(.paragraph(["Capture ", .code("Captures/routed.pcap"), ", 2026-11-23 10:58:55 → 10:58:57 UTC, ",
                               .strong("44 packets"), ", 4 TEPs, 3 segments, 3 flows."]))
        doc.append(.callout(.warning, ["1 finding: ", .link("TTL not decremented", anchor: "finding-1"),
                                       " on ", .frameRef([17])]))
        doc.append(.heading(2, "Summary"))
        doc.append(.bulletList([
            ["east-west/same-segment: ", .strong("1"), " flow"],
            ["east-west/routed: ", .strong("1"), " flow"],
            ["north-south: ", .strong("1"), " flow (", .emphasis("SNAT at the edge"), ")"],
        ]))
        doc.append(.heading(2, "Topology"))
        doc.append(.topology(topology))
        doc.append(.heading(2, "Tunnels"))
        doc.append(.table(tunnels(rows: tunnelRows)))
        doc.append(.heading(2, "Flows"))
        doc.append(.section(ReportSection(
            level: 3, title: ["Flow 1 · tcp 10.1.10.11:51544 → 10.1.10.12:80"], anchor: "flow-1",
            blocks: [
                .paragraph([.strong("east-west/same-segment"), " · ", .frameRef([1, 2, 3, 5])]),
                .paragraph([.path([.init("VM web-01", detail: "10.1.10.11"), .init("TEP esxi-01", detail: "172.20.11.51"),
                                   "Geneve VNI 69632", .init("TEP esxi-02", detail: "172.20.11.52"),
                                   .init("VM web-02", detail: "10.1.10.12")])]),
            ],
            collapsible: true, open: true)))
        doc.append(.section(ReportSection(
            level: 3, title: ["Flow 2 · icmp 10.1.10.11 → 10.1.20.11"], anchor: "flow-2",
            blocks: [
                .paragraph([.strong("east-west/routed"), " · ", .frameRef([9, 10])]),
                .paragraph([.path([.init("VM web-01", detail: "10.1.10.11"), .init("TEP esxi-01", detail: "172.20.11.51"),
                                   .init("distributed router", detail: "VNI 69632 → 73728, TTL 64 → 63"),
                                   .init("TEP esxi-03", detail: "172.20.11.53"), .init("VM app-01", detail: "10.1.20.11")])]),
            ],
            collapsible: true, open: false)))
        doc.append(.heading(2, "Findings"))
        doc.append(.section(ReportSection(level: 3, title: ["TTL not decremented"], anchor: "finding-1", blocks: [
            .callout(.error, ["Routed packet kept TTL 64 between VNI 69632 and 73728 (", .frameRef([17]), ")."]),
            .code(language: "text", text: "17 0.004512 172.20.11.51 > 172.20.11.53 geneve vni 73728 | 02:50:56:56:44:52 > 00:50:56:aa:20:11 10.1.10.11 > 10.1.20.11 icmp echo request"),
        ])))
        doc.append(.callout(.info, ["Traffic between two VMs on one host never crosses the underlay; this capture cannot show it."]))
        return doc
    }
}
