/// A `TopologyDiagram` as inline SVG, laid out by `TopologyLayout`. Colours come from the page's CSS classes
/// (`HTMLStyleSheet`), so the picture follows the light/dark theme. Every label is XML-escaped and shortened
/// to fit its box; the full text is in the node's `<title>` tooltip.
enum TopologySVGRenderer {
    /// `idPrefix` keeps marker ids unique when a page holds several diagrams.
    static func append(_ diagram: TopologyDiagram, idPrefix: String, into out: inout String) {
        let layout = TopologyLayout(diagram)
        let legend = Legend(layout: layout, maxWidth: max(layout.width, 520))
        let width = max(layout.width, legend.width)
        let height = layout.height + legend.height
        let shift = (width - layout.width) / 2

        out.reserveCapacity(out.utf8.count + 600 * (layout.nodes.count + layout.routes.count) + 2000)
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology-svg\" width=\"\(width)\" height=\"\(height)\" "
        out += "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"\(idPrefix)-title\">\n"
        out += "<title id=\"\(idPrefix)-title\">Topology: \(layout.nodes.count) nodes, \(layout.routes.count) links</title>\n<defs>"
        for style in TopologyDiagram.Edge.Style.allCases {
            out += "<marker id=\"\(idPrefix)-arrow-\(style.rawValue)\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
            out += "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
            out += "<path class=\"arrow-head \(style.rawValue)\" d=\"M0,0 L10,5 L0,10 z\"/></marker>"
        }
        out += "</defs>\n<g transform=\"translate(\(shift),0)\">\n<g class=\"links\">\n"
        for route in layout.routes {
            out += "<path class=\"link \(route.edge.style.rawValue)\(paletteClass(route.palette))\" d=\"\(route.path)\""
            if route.edge.directed { out += " marker-end=\"url(#\(idPrefix)-arrow-\(route.edge.style.rawValue))\"" }
            out += "/>\n"
        }
        out += "</g>\n<g class=\"nodes\">\n"
        for (i, node) in layout.nodes.enumerated() {
            appendNode(node, box: layout.boxes[i], palette: layout.palette[i], into: &out)
        }
        out += "</g>\n<g class=\"link-labels\">\n"
        for route in layout.routes {
            guard let label = route.edge.label, !label.isEmpty else { continue }
            appendLinkLabel(truncated(label, to: TopologyLayout.maxLinkLabelCharacters), route: route, into: &out)
        }
        out += "</g>\n</g>\n"
        legend.append(top: layout.height, width: width, into: &out)
        out += "</svg>\n"
    }

    /// A label on a plate of the background colour, so the line it sits on does not run through the words.
    private static func appendLinkLabel(_ label: String, route: TopologyLayout.Route, into out: inout String) {
        let w = TopologyLayout.linkLabelWidth(label)
        let x = route.labelAnchor == "middle" ? route.labelX - w / 2 : route.labelX - 4
        out += "<g class=\"link-label\"><rect x=\"\(x)\" y=\"\(route.labelY - 12)\" width=\"\(w)\" height=\"16\" rx=\"3\"/>"
        out += "<text x=\"\(route.labelX)\" y=\"\(route.labelY)\" text-anchor=\"\(route.labelAnchor)\">"
        XMLEscaper.append(label, into: &out)
        out += "</text></g>\n"
    }

    private static func appendNode(_ node: TopologyDiagram.Node, box: TopologyLayout.Box, palette: Int?,
                                   into out: inout String) {
        let kind = node.kind
        out += "<g class=\"node \(kind.rawValue)\(kind == .segment ? paletteClass(palette) : "")\">"
        out += "<title>"
        XMLEscaper.append(kind.title + ": " + node.label + (node.sublabel.map { " (\($0))" } ?? ""), into: &out)
        out += "</title>"
        appendShape(kind, box: box, into: &out)
        if kind == .workload, let palette {
            out += "<rect class=\"bar\(paletteClass(palette))\" x=\"\(box.x + 1)\" y=\"\(box.y + 1)\" width=\"5\" height=\"\(box.height - 2)\" rx=\"2\"/>"
        }
        let hasSub = node.sublabel.map { !$0.isEmpty } ?? false
        out += "<text class=\"label\" x=\"\(box.centerX)\" y=\"\(box.y + (hasSub ? 20 : 28))\" text-anchor=\"middle\">"
        XMLEscaper.append(truncated(node.label, to: TopologyLayout.maxLabelCharacters), into: &out)
        out += "</text>"
        if hasSub, let sub = node.sublabel {
            out += "<text class=\"sublabel\" x=\"\(box.centerX)\" y=\"\(box.y + 36)\" text-anchor=\"middle\">"
            XMLEscaper.append(truncated(sub, to: TopologyLayout.maxSublabelCharacters), into: &out)
            out += "</text>"
        }
        out += "</g>\n"
    }

    /// One shape per kind, so the picture reads without colour too.
    static func appendShape(_ kind: TopologyDiagram.Node.Kind, box: TopologyLayout.Box, into out: inout String) {
        let (x, y, w, h) = (box.x, box.y, box.width, box.height)
        switch kind {
        case .router:
            let d = 12
            out += "<polygon class=\"shape\" points=\"\(x + d),\(y) \(x + w - d),\(y) \(x + w),\(y + h / 2) "
            out += "\(x + w - d),\(y + h) \(x + d),\(y + h) \(x),\(y + h / 2)\"/>"
        case .segment:
            out += "<rect class=\"shape\" x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(h)\" rx=\"\(h / 2)\"/>"
        case .edge:
            out += "<rect class=\"shape\" x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(h)\" rx=\"4\"/>"
            out += "<rect class=\"inner\" x=\"\(x + 3)\" y=\"\(y + 3)\" width=\"\(w - 6)\" height=\"\(h - 6)\" rx=\"2\"/>"
        case .tep, .workload, .external:
            out += "<rect class=\"shape\" x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(h)\" rx=\"\(kind == .workload ? 10 : 4)\"/>"
        }
    }

    static func paletteClass(_ palette: Int?) -> String { palette.map { " seg-\($0)" } ?? "" }

    static func truncated(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
    }

    /// A key under the picture: the node kinds and link styles it uses, wrapped into rows.
    struct Legend {
        enum Item {
            case kind(TopologyDiagram.Node.Kind)
            case style(TopologyDiagram.Edge.Style)
            case bar
            var text: String {
                switch self {
                case .kind(let kind): return kind.title
                case .style(let style): return style.rawValue
                case .bar: return "bar: the workload's segment"
                }
            }
        }
        static let rowHeight = 26
        static let charWidth = 7.0

        private(set) var placed: [(item: Item, x: Int, row: Int)] = []
        private(set) var width = 0
        var height: Int {
            guard let last = placed.last else { return 0 }
            return (last.row + 1) * Legend.rowHeight + TopologyLayout.margin
        }

        init(layout: TopologyLayout, maxWidth: Int) {
            var items = TopologyDiagram.Node.Kind.allCases.filter { kind in layout.nodes.contains { $0.kind == kind } }.map(Item.kind)
            items += TopologyDiagram.Edge.Style.allCases.filter { style in layout.routes.contains { $0.edge.style == style } }.map(Item.style)
            if layout.nodes.indices.contains(where: { layout.nodes[$0].kind == .workload && layout.palette[$0] != nil }) {
                items.append(.bar)
            }
            let m = TopologyLayout.margin
            var x = m, row = 0
            for item in items {
                let w = 34 + Int(Double(item.text.count) * Legend.charWidth) + 22
                if x > m, x + w > maxWidth - m {
                    row += 1
                    x = m
                }
                placed.append((item, x, row))
                x += w
                width = max(width, x - 22 + m)
            }
        }

        func append(top: Int, width: Int, into out: inout String) {
            guard !placed.isEmpty else { return }
            let m = TopologyLayout.margin
            out += "<g class=\"legend\">"
            out += "<line class=\"legend-rule\" x1=\"\(m)\" y1=\"\(top)\" x2=\"\(width - m)\" y2=\"\(top)\"/>"
            for (item, x, row) in placed {
                let y = top + 10 + row * Legend.rowHeight
                switch item {
                case .kind(let kind):
                    out += "<g class=\"node \(kind.rawValue)\">"
                    TopologySVGRenderer.appendShape(kind, box: .init(x: x, y: y, width: 26, height: 16), into: &out)
                    out += "</g>"
                case .style(let style):
                    out += "<path class=\"link \(style.rawValue)\" d=\"M\(x),\(y + 8) L\(x + 26),\(y + 8)\"/>"
                case .bar:
                    out += "<rect class=\"bar seg-0\" x=\"\(x + 10)\" y=\"\(y)\" width=\"5\" height=\"16\" rx=\"2\"/>"
                }
                out += "<text class=\"legend-text\" x=\"\(x + 34)\" y=\"\(y + 12)\">"
                XMLEscaper.append(item.text, into: &out)
                out += "</text>"
            }
            out += "</g>\n"
        }
    }
}
