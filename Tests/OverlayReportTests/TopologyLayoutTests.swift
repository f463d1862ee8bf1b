import Testing
@testable import OverlayReport

@Suite("Topology layout and SVG")
struct TopologyLayoutTests {
    func box(_ layout: TopologyLayout, _ id: String) throws -> TopologyLayout.Box {
        let i = try #require(layout.nodes.firstIndex { $0.id == id })
        return layout.boxes[i]
    }

    func overlaps(_ a: TopologyLayout.Box, _ b: TopologyLayout.Box) -> Bool {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    }

    func expectNoOverlaps(_ layout: TopologyLayout) {
        for i in layout.boxes.indices {
            let a = layout.boxes[i]
            #expect(a.x >= 0 && a.y >= 0 && a.x + a.width <= layout.width && a.bottom <= layout.height)
            for j in layout.boxes.indices where j > i {
                #expect(!overlaps(a, layout.boxes[j]), "\(layout.nodes[i].id) overlaps \(layout.nodes[j].id)")
            }
        }
    }

    @Test("sample: layered rows, workloads under their TEP, outside hosts under the edge")
    func sampleLayout() throws {
        let layout = TopologyLayout(SampleDocument.topology)
        expectNoOverlaps(layout)
        let router = try box(layout, "dr"), web = try box(layout, "vni-69632"), esxi1 = try box(layout, "172.20.11.51")
        let edge = try box(layout, "172.20.11.100"), web01 = try box(layout, "web-01"), app01 = try box(layout, "app-01")
        let esxi3 = try box(layout, "172.20.11.53"), phys = try box(layout, "phys"), outside = try box(layout, "outside")
        #expect(router.bottom < web.y && web.bottom < esxi1.y && esxi1.bottom < web01.y)
        #expect(esxi1.y == edge.y, "TEPs and edge nodes share a row")
        #expect(web01.centerX == esxi1.centerX && app01.centerX == esxi3.centerX)
        #expect(phys.centerX == edge.centerX && outside.centerX == edge.centerX && phys.bottom < outside.y)
        #expect(edge.x > esxi3.x, "edge nodes come after the TEPs")
        // Workload ↔ segment membership is the bar colour, not a line; web-01 wears web's colour.
        let webIndex = try #require(layout.nodes.firstIndex { $0.id == "vni-69632" })
        let web01Index = try #require(layout.nodes.firstIndex { $0.id == "web-01" })
        #expect(layout.palette[web01Index] == layout.palette[webIndex])
        #expect(!layout.routes.contains { $0.edge.from == "web-01" && $0.edge.to == "vni-69632" })
        #expect(layout.routes.count == SampleDocument.topology.edges.count - 3)
    }

    @Test("tunnel arcs: longer spans dip deeper, parallel arcs nest, all inside the band above the workloads")
    func tunnelArcs() throws {
        let layout = TopologyLayout(SampleDocument.topology)
        let tunnels = layout.routes.filter { $0.edge.style == .tunnel }
        try #require(tunnels.count == 3)
        let short = tunnels[0], long = tunnels[1]  // esxi-01 → esxi-02 (span 1), esxi-01 → esxi-03 (span 2)
        #expect(long.labelY > short.labelY)
        let firstWorkload = try box(layout, "web-01")
        #expect(tunnels.allSatisfy { $0.labelY + 6 < firstWorkload.y })
        #expect(short.path.hasPrefix("M") && short.path.contains(" C"))
    }

    @Test("segments are ordered over the TEPs they span")
    func segmentOrder() throws {
        let diagram = TopologyDiagram(
            nodes: [
                .init(id: "s-right", kind: .segment, label: "right"), .init(id: "s-left", kind: .segment, label: "left"),
                .init(id: "t1", kind: .tep, label: "t1"), .init(id: "t2", kind: .tep, label: "t2"),
                .init(id: "t3", kind: .tep, label: "t3"), .init(id: "s-none", kind: .segment, label: "none"),
            ],
            edges: [
                .init(from: "s-right", to: "t3", style: .membership), .init(from: "s-left", to: "t1", style: .membership),
                .init(from: "s-left", to: "t2", style: .membership),
            ])
        let layout = TopologyLayout(diagram)
        #expect(try box(layout, "s-left").x < box(layout, "s-right").x)
        #expect(try box(layout, "s-right").x < box(layout, "s-none").x, "unconnected segments go last")
        expectNoOverlaps(layout)
    }

    @Test("odd input: unknown edge ends, duplicate ids, self loops, loose nodes, no columns at all")
    func oddInput() throws {
        let diagram = TopologyDiagram(
            nodes: [
                .init(id: "w", kind: .workload, label: "loose workload"), .init(id: "x", kind: .external, label: "outside"),
                .init(id: "w", kind: .tep, label: "duplicate id"), .init(id: "s", kind: .segment, label: "seg"),
            ],
            edges: [
                .init(from: "w", to: "missing", style: .tunnel), .init(from: "w", to: "w", style: .membership),
                .init(from: "x", to: "s", label: "odd", style: .uplink),
            ])
        let layout = TopologyLayout(diagram)
        #expect(layout.nodes.map(\.label) == ["loose workload", "outside", "seg"])
        #expect(layout.routes.count == 1)
        expectNoOverlaps(layout)
        var svg = ""
        TopologySVGRenderer.append(diagram, idPrefix: "t", into: &svg)
        #expect(ElementCollector.parse(svg).ok)
        #expect(TopologyLayout(TopologyDiagram()).boxes.isEmpty)
    }

    @Test("a large fabric: 24 TEPs, 4 edges, 10 segments, 300 workloads stay apart and render quickly")
    func largeFabric() throws {
        var nodes: [TopologyDiagram.Node] = []
        var edges: [TopologyDiagram.Edge] = []
        for s in 0..<10 { nodes.append(.init(id: "s\(s)", kind: .segment, label: "segment-\(s)", sublabel: "VNI \(69632 + s * 4096)")) }
        for t in 0..<24 { nodes.append(.init(id: "t\(t)", kind: .tep, label: "esxi-\(t)", sublabel: "172.20.11.\(t + 1)")) }
        for e in 0..<4 { nodes.append(.init(id: "e\(e)", kind: .edge, label: "edge-\(e)", sublabel: "172.20.11.\(100 + e)")) }
        for w in 0..<300 {
            nodes.append(.init(id: "w\(w)", kind: .workload, label: "vm-\(w)", sublabel: "10.1.\(w / 250).\(w % 250 + 2)"))
            edges.append(.init(from: "w\(w)", to: "t\(w % 24)", style: .membership))
            edges.append(.init(from: "w\(w)", to: "s\(w % 10)", style: .membership))
        }
        for t in 0..<24 {
            edges.append(.init(from: "s\(t % 10)", to: "t\(t)", style: .membership))
            edges.append(.init(from: "t\(t)", to: "t\((t + 1) % 24)", label: "VNI \(69632 + t % 10 * 4096)", style: .tunnel))
            edges.append(.init(from: "t\(t)", to: "e\(t % 4)", style: .tunnel))
        }
        let diagram = TopologyDiagram(nodes: nodes, edges: edges)
        let layout = TopologyLayout(diagram)
        expectNoOverlaps(layout)
        let started = ContinuousClock.now
        let page = HTMLRenderer().render(ReportDocument(title: "fabric", blocks: [.topology(diagram)]))
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(ElementCollector.parse(page).ok)
        try Preview.write(page, to: "fabric.html")
    }

    @Test("the SVG is deterministic and has a legend for what it shows")
    func svgOutput() {
        var a = "", b = ""
        TopologySVGRenderer.append(SampleDocument.topology, idPrefix: "t", into: &a)
        TopologySVGRenderer.append(SampleDocument.topology, idPrefix: "t", into: &b)
        #expect(a == b)
        for text in ["TEP", "Edge node", "Segment", "Workload", "Router", "External", "tunnel", "membership", "uplink"] {
            #expect(a.contains("class=\"legend-text\"") && a.contains(">\(text)</text>"), "legend: \(text)")
        }
        #expect(a.contains("marker-end=\"url(#t-arrow-uplink)\""), "directed links get an arrow head")
        #expect(a.contains("<rect class=\"bar seg-0\""), "workloads carry their segment's colour")
    }

    @Test("two diagrams on one page get distinct marker ids")
    func markerIDs() {
        let page = HTMLRenderer().render(ReportDocument(title: "t", blocks: [.topology(SampleDocument.topology),
                                                                            .topology(SampleDocument.topology)]))
        let ids = ElementCollector.parse(page).collector.elements.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count)
        #expect(ids.contains("topology-1-arrow-uplink") && ids.contains("topology-2-arrow-uplink"))
    }
}
