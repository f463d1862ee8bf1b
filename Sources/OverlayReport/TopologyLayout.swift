/// A deterministic layered layout for `TopologyDiagram` (integer coordinates, no randomness, no iteration over
/// dictionaries), used by the SVG renderer.
///
/// Rows, top to bottom: routers; segments; TEPs then edge nodes (the columns); a band where TEP ↔ TEP tunnels
/// arc; under each column the workloads and external nodes reachable from it (breadth-first, so an outside
/// host hangs under the physical router under the edge node). Nodes reachable from no column form a last
/// column. A workload's membership in a segment is shown as a coloured bar in the segment's colour instead of
/// a line across the picture.
struct TopologyLayout {
    struct Box: Equatable {
        var x: Int, y: Int, width: Int, height: Int
        var centerX: Int { x + width / 2 }
        var bottom: Int { y + height }
    }

    enum Row: Int, Comparable {
        case routers, segments, columns, attached
        static func < (a: Row, b: Row) -> Bool { a.rawValue < b.rawValue }
    }

    struct Route {
        var edge: TopologyDiagram.Edge
        /// SVG path data.
        var path: String
        var labelX: Int, labelY: Int
        /// Where a label goes relative to its point: `middle` on arcs and slanted lines, `start` beside a vertical line.
        var labelAnchor: String
        /// Segment palette index of a segment membership line (coloured like the segment).
        var palette: Int?
    }

    static let nodeHeight = 46
    static let minNodeWidth = 112
    static let maxNodeWidth = 232
    static let labelCharWidth = 7.4
    static let sublabelCharWidth = 6.7
    static let horizontalPadding = 28
    static let columnGap = 40
    static let stackGap = 22
    static let margin = 16
    static let paletteSize = 8

    let nodes: [TopologyDiagram.Node]
    private(set) var boxes: [Box] = []
    private(set) var rows: [Row] = []
    /// Segment palette index per node: set for segments (their colour) and workloads (their bar).
    private(set) var palette: [Int?] = []
    private(set) var routes: [Route] = []
    private(set) var width = 0
    private(set) var height = 0

    init(_ diagram: TopologyDiagram) {
        let (nodes, index, edges) = diagram.resolved()
        self.nodes = nodes
        boxes = Array(repeating: Box(x: 0, y: 0, width: 0, height: TopologyLayout.nodeHeight), count: nodes.count)
        rows = nodes.map { node in
            switch node.kind {
            case .router: return .routers
            case .segment: return .segments
            case .tep, .edge: return .columns
            case .workload, .external: return .attached
            }
        }
        for i in nodes.indices { boxes[i].width = TopologyLayout.width(of: nodes[i]) }

        neighbours = Array(repeating: [], count: nodes.count)
        for edge in edges {
            guard let a = index[edge.from], let b = index[edge.to], a != b else { continue }
            neighbours[a].append(b)
            neighbours[b].append(a)
        }

        palette = Array(repeating: nil, count: nodes.count)
        var segmentCount = 0
        for i in nodes.indices where nodes[i].kind == .segment {
            palette[i] = segmentCount % TopologyLayout.paletteSize
            segmentCount += 1
        }
        for i in nodes.indices where nodes[i].kind == .workload {
            if let segment = neighbours[i].first(where: { nodes[$0].kind == .segment }) { palette[i] = palette[segment] }
        }

        let columns = TopologyLayout.columns(nodes: nodes, rows: rows, neighbours: neighbours)
        columnOf = Array(repeating: nil, count: nodes.count)
        for (c, column) in columns.enumerated() {
            if let head = column.head { columnOf[head] = c }
            for entry in column.stack { columnOf[entry.node] = c }
        }
        let depths = arcDepths(edges, index: index)
        place(columns: columns, bandHeight: 40 + (depths.values.max() ?? 0))
        route(edges, index: index, arcDepths: depths)
    }

    private static func width(of node: TopologyDiagram.Node) -> Int {
        let label = Double(node.label.count) * labelCharWidth
        let sub = Double(node.sublabel?.count ?? 0) * sublabelCharWidth
        return min(max(Int(max(label, sub).rounded(.up)) + horizontalPadding, minNodeWidth), maxNodeWidth)
    }

    /// Characters that fit on the label / sublabel line of the widest node.
    static let maxLabelCharacters = Int(Double(maxNodeWidth - horizontalPadding) / labelCharWidth)
    static let maxSublabelCharacters = Int(Double(maxNodeWidth - horizontalPadding) / sublabelCharWidth)

    struct Column {
        var head: Int?
        /// Attached nodes in stacking order, each with the node it hangs from.
        var stack: [(node: Int, parent: Int)] = []
    }

    private static func columns(nodes: [TopologyDiagram.Node], rows: [Row], neighbours: [[Int]]) -> [Column] {
        let heads = nodes.indices.filter { nodes[$0].kind == .tep } + nodes.indices.filter { nodes[$0].kind == .edge }
        var columns = heads.map { Column(head: $0) }
        var placed = Array(repeating: false, count: nodes.count)
        for h in heads { placed[h] = true }
        for c in columns.indices {
            guard let head = columns[c].head else { continue }
            var queue = [head]
            var q = 0
            while q < queue.count {
                let current = queue[q]
                q += 1
                for n in neighbours[current] where rows[n] == .attached && !placed[n] {
                    placed[n] = true
                    columns[c].stack.append((n, current))
                    queue.append(n)
                }
            }
        }
        var loose = Column(head: nil)
        for i in nodes.indices where rows[i] == .attached && !placed[i] { loose.stack.append((i, i)) }
        if !loose.stack.isEmpty { columns.append(loose) }
        return columns
    }

    private var columnOf: [Int?] = []
    private var neighbours: [[Int]] = []
    private var bandTop = 0

    private mutating func place(columns: [Column], bandHeight: Int) {
        let m = TopologyLayout.margin, h = TopologyLayout.nodeHeight
        let routerRow = nodes.indices.filter { rows[$0] == .routers }
        let segmentRow = nodes.indices.filter { rows[$0] == .segments }

        var y = m
        var routerY = y, segmentY = y
        if !routerRow.isEmpty { routerY = y; y += h + 56 }
        if !segmentRow.isEmpty { segmentY = y; y += h + 84 }
        let columnY = y
        bandTop = columnY + h
        let stackY = bandTop + bandHeight

        // Columns left to right; the attached nodes stacked under their head.
        var x = m
        var bottom = y
        var isPlaced = Array(repeating: false, count: nodes.count)
        for column in columns {
            var w = column.head.map { boxes[$0].width } ?? TopologyLayout.minNodeWidth
            for entry in column.stack { w = max(w, boxes[entry.node].width) }
            let center = x + w / 2
            if let head = column.head {
                boxes[head].x = center - boxes[head].width / 2
                boxes[head].y = columnY
                isPlaced[head] = true
                bottom = max(bottom, boxes[head].bottom)
            }
            var sy = column.head == nil ? columnY : stackY
            for entry in column.stack {
                let i = entry.node
                boxes[i].x = center - boxes[i].width / 2
                boxes[i].y = sy
                isPlaced[i] = true
                sy += h + TopologyLayout.stackGap
                bottom = max(bottom, boxes[i].bottom)
            }
            x += w + TopologyLayout.columnGap
        }
        // Segments over the columns they span, routers over their segments: short links, few crossings.
        placeNearNeighbours(segmentRow, y: segmentY, placed: &isPlaced)
        placeNearNeighbours(routerRow, y: routerY, placed: &isPlaced)

        // Nothing left of the margin; the picture as wide as its widest row (and never tiny).
        let minX = boxes.map(\.x).min() ?? m
        for i in boxes.indices { boxes[i].x += m - minX }
        width = max(boxes.map { $0.x + $0.width }.max() ?? 0, 240) + m
        height = bottom + m
    }

    /// Lays `row` out at `y`, each node as near as it can get to the mean x of its placed neighbours
    /// (the barycenter heuristic): sorted by that wish, pushed right to stay apart, then the whole row shifted
    /// back by the mean push. Nodes without placed neighbours follow in document order.
    private mutating func placeNearNeighbours(_ row: [Int], y: Int, placed: inout [Bool]) {
        guard !row.isEmpty else { return }
        let wishes = row.map { node -> Int? in
            let xs = neighbours[node].filter { placed[$0] }.map { boxes[$0].centerX }
            return xs.isEmpty ? nil : xs.reduce(0, +) / xs.count - boxes[node].width / 2
        }
        let order = row.indices.sorted { (wishes[$0] ?? .max, $0) < (wishes[$1] ?? .max, $1) }
        var cursor: Int?
        var push = 0, wished = 0
        for k in order {
            let node = row[k]
            let x = max(wishes[k] ?? cursor ?? TopologyLayout.margin, cursor ?? .min)
            if let wish = wishes[k] {
                push += x - wish
                wished += 1
            }
            boxes[node].x = x
            boxes[node].y = y
            cursor = x + boxes[node].width + TopologyLayout.columnGap
        }
        let shift = wished == 0 ? 0 : push / wished
        for node in row {
            boxes[node].x -= shift
            placed[node] = true
        }
    }

    /// The depth of every TEP ↔ TEP arc, by edge position: longer spans dip deeper, parallel arcs nest.
    private func arcDepths(_ edges: [TopologyDiagram.Edge], index: [String: Int]) -> [Int: Int] {
        var depths: [Int: Int] = [:]
        var pairCount: [Int: Int] = [:]
        for (e, edge) in edges.enumerated() {
            guard let a = index[edge.from], let b = index[edge.to], a != b,
                  rows[a] == .columns, rows[b] == .columns else { continue }
            let key = min(a, b) * nodes.count + max(a, b)
            let parallel = pairCount[key, default: 0]
            pairCount[key] = parallel + 1
            let span = max(1, abs((columnOf[a] ?? 0) - (columnOf[b] ?? 0)))
            // Capped: in a wide fabric a long arc flattens out instead of pushing the workloads off screen.
            depths[e] = 24 + 24 * (min(span, 7) - 1) + 18 * min(parallel, 4)
        }
        return depths
    }

    static let linkLabelCharWidth = 6.3
    static let maxLinkLabelCharacters = 40

    /// The width of the plate behind a link label.
    static func linkLabelWidth(_ label: String) -> Int {
        Int(Double(min(label.count, maxLinkLabelCharacters)) * linkLabelCharWidth) + 10
    }

    private mutating func route(_ edges: [TopologyDiagram.Edge], index: [String: Int], arcDepths: [Int: Int]) {
        defer {
            // A label beside a vertical line may reach past the last column.
            for route in routes {
                guard let label = route.edge.label, !label.isEmpty else { continue }
                let w = TopologyLayout.linkLabelWidth(label)
                let right = route.labelAnchor == "middle" ? route.labelX + w / 2 : route.labelX - 4 + w
                width = max(width, right + TopologyLayout.margin)
            }
        }
        for (e, edge) in edges.enumerated() {
            guard let a = index[edge.from], let b = index[edge.to], a != b else { continue }
            let kinds = (nodes[a].kind, nodes[b].kind)
            // A workload's segment is its colour bar.
            if kinds == (.workload, .segment) || kinds == (.segment, .workload) { continue }
            let segmentEnd = kinds.0 == .segment ? a : kinds.1 == .segment ? b : nil
            let tint = segmentEnd.flatMap { palette[$0] }
            let (ba, bb) = (boxes[a], boxes[b])

            if let depth = arcDepths[e] {
                // Column to column (tunnels): an arc through the band under the heads.
                let control = depth * 4 / 3
                let (x1, x2, y0) = (ba.centerX, bb.centerX, bandTop)
                routes.append(Route(edge: edge, path: "M\(x1),\(y0) C\(x1),\(y0 + control) \(x2),\(y0 + control) \(x2),\(y0)",
                                    labelX: (x1 + x2) / 2, labelY: y0 + depth + 4, labelAnchor: "middle", palette: tint))
            } else if ba.y == bb.y {
                // Same row elsewhere (segment ↔ segment, router ↔ router): an arc above the row.
                let depth = 28
                let (x1, x2, y0) = (ba.centerX, bb.centerX, ba.y)
                routes.append(Route(edge: edge, path: "M\(x1),\(y0) C\(x1),\(y0 - depth) \(x2),\(y0 - depth) \(x2),\(y0)",
                                    labelX: (x1 + x2) / 2, labelY: y0 - depth + 8, labelAnchor: "middle", palette: tint))
            } else {
                // Between rows: from the facing sides, in the edge's direction (arrow heads go at `to`).
                let down = ba.y < bb.y
                let (x1, y1) = (ba.centerX, down ? ba.bottom : ba.y)
                let (x2, y2) = (bb.centerX, down ? bb.y : bb.bottom)
                let vertical = x1 == x2
                routes.append(Route(edge: edge, path: "M\(x1),\(y1) L\(x2),\(y2)",
                                    labelX: vertical ? x1 + 8 : (x1 + x2) / 2, labelY: (y1 + y2) / 2 + 4,
                                    labelAnchor: vertical ? "start" : "middle", palette: tint))
            }
        }
    }
}
