/// A `TopologyDiagram` as a Mermaid `flowchart LR`.
///
/// Safety: node ids are generated (`tep_esxi_01`: a kind prefix plus the id reduced to `[A-Za-z0-9_]`, numbered
/// on collision), so they are never a Mermaid keyword such as `end` and never start with the `o`/`x` that
/// would turn `---` into a circle/cross edge. Labels are always double-quoted, with Mermaid entity codes for
/// every character that could end the string or be read as markup (`"` → `#quot;`, `#` `<` `>` `&` `` ` ``
/// `|` as numeric codes), and flattened to one line.
enum MermaidRenderer {
    static func appendFlowchart(_ diagram: TopologyDiagram, into out: inout String) {
        let (nodes, index, edges) = diagram.resolved()
        let ids = mermaidIDs(for: nodes)

        out += "flowchart LR\n"
        for (i, node) in nodes.enumerated() {
            let (open, close) = shape(node.kind)
            out += "  \(ids[i])\(open)\""
            appendLabel(node.label, into: &out)
            if let sub = node.sublabel, !sub.isEmpty {
                out += "<br/><small>"
                appendLabel(sub, into: &out)
                out += "</small>"
            }
            out += "\"\(close):::\(node.kind.rawValue)\n"
        }
        for edge in edges {
            guard let a = index[edge.from], let b = index[edge.to] else { continue }
            out += "  \(ids[a]) \(link(edge.style, directed: edge.directed))"
            if let label = edge.label, !label.isEmpty {
                out += "|\""
                appendLabel(label, into: &out)
                out += "\"|"
            }
            out += " \(ids[b])\n"
        }
        for kind in TopologyDiagram.Node.Kind.allCases where nodes.contains(where: { $0.kind == kind }) {
            out += "  classDef \(kind.rawValue) \(classStyle(kind))\n"
        }
    }

    static func mermaidIDs(for nodes: [TopologyDiagram.Node]) -> [String] {
        var used: Set<String> = []
        return nodes.map { node in
            var base = prefix(node.kind) + "_"
            for u in node.id.unicodeScalars {
                switch u {
                case "a"..."z", "A"..."Z", "0"..."9": base.unicodeScalars.append(u)
                default: if base.last != "_" { base += "_" }
                }
                if base.utf8.count >= 40 { break }
            }
            var id = base
            var n = 2
            while used.contains(id) {
                id = "\(base)_\(n)"
                n += 1
            }
            used.insert(id)
            return id
        }
    }

    static func appendLabel(_ text: String, into out: inout String) {
        UntrustedText.append(text, into: &out) { u in
            switch u {
            case "\"": return "#quot;"
            case "#": return "#35;"
            case "<": return "#60;"
            case ">": return "#62;"
            case "&": return "#38;"
            case "`": return "#96;"
            case "|": return "#124;"
            default: return nil
            }
        }
    }

    private static func prefix(_ kind: TopologyDiagram.Node.Kind) -> String {
        switch kind {
        case .tep: return "tep"
        case .edge: return "edgenode"
        case .segment: return "seg"
        case .workload: return "wl"
        case .router: return "rtr"
        case .external: return "ext"
        }
    }

    private static func shape(_ kind: TopologyDiagram.Node.Kind) -> (String, String) {
        switch kind {
        case .tep: return ("[", "]")
        case .edge: return ("[[", "]]")
        case .segment: return ("([", "])")
        case .workload: return ("(", ")")
        case .router: return ("{{", "}}")
        case .external: return ("[/", "/]")
        }
    }

    private static func link(_ style: TopologyDiagram.Edge.Style, directed: Bool) -> String {
        switch style {
        case .tunnel: return directed ? "==>" : "==="
        case .membership: return directed ? "-.->" : "-.-"
        case .uplink: return directed ? "-->" : "---"
        }
    }

    private static func classStyle(_ kind: TopologyDiagram.Node.Kind) -> String {
        switch kind {
        case .tep: return "fill:#dbeafe,stroke:#1d4ed8,color:#0b1f4d"
        case .edge: return "fill:#ffedd5,stroke:#c2410c,color:#431407"
        case .segment: return "fill:#dcfce7,stroke:#15803d,color:#052e16"
        case .workload: return "fill:#f3f4f6,stroke:#4b5563,color:#111827"
        case .router: return "fill:#ede9fe,stroke:#6d28d9,color:#2e1065"
        case .external: return "fill:#fef9c3,stroke:#a16207,color:#422006"
        }
    }
}
