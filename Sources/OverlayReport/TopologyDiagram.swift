/// What the topology picture shows: nodes by kind and the links between them. It says nothing about how the
/// topology was learned; renderers lay it out (Mermaid for Markdown, a layered SVG for HTML).
///
/// Node ids are the document's own keys (any string); renderers never print them, they derive safe ids.
/// Edges naming an unknown node are not drawn; a repeated node id keeps its first node.
public struct TopologyDiagram: Hashable, Sendable {
    public var nodes: [Node]
    public var edges: [Edge]

    public init(nodes: [Node] = [], edges: [Edge] = []) {
        self.nodes = nodes
        self.edges = edges
    }

    public struct Node: Hashable, Sendable {
        public enum Kind: String, Hashable, Sendable, CaseIterable {
            /// A transport node's tunnel endpoint (hypervisor).
            case tep
            /// An edge/gateway transport node (it also has a TEP, but is drawn apart).
            case edge
            case segment
            case workload
            case router
            /// Anything outside the overlay (a physical router, an outside host).
            case external

            var title: String {
                switch self {
                case .tep: return "TEP"
                case .edge: return "Edge node"
                case .segment: return "Segment"
                case .workload: return "Workload"
                case .router: return "Router"
                case .external: return "External"
                }
            }
        }

        public var id: String
        public var kind: Kind
        public var label: String
        /// A second, smaller line: an address, a VNI.
        public var sublabel: String?

        public init(id: String, kind: Kind, label: String, sublabel: String? = nil) {
            self.id = id
            self.kind = kind
            self.label = label
            self.sublabel = sublabel
        }
    }

    public struct Edge: Hashable, Sendable {
        public enum Style: String, Hashable, Sendable, CaseIterable {
            /// TEP ↔ TEP encapsulated traffic.
            case tunnel
            /// "belongs to": TEP or workload in a segment, workload behind a TEP, router on a segment.
            case membership
            /// Edge node ↔ the physical network.
            case uplink
        }

        public var from: String
        public var to: String
        public var label: String?
        public var style: Style
        /// Draw an arrow head at `to`.
        public var directed: Bool

        public init(from: String, to: String, label: String? = nil, style: Style, directed: Bool = false) {
            self.from = from
            self.to = to
            self.label = label
            self.style = style
            self.directed = directed
        }
    }

    /// Nodes by id (first wins) and the edges whose both ends exist, in document order.
    func resolved() -> (nodes: [Node], index: [String: Int], edges: [Edge]) {
        var index: [String: Int] = [:]
        var unique: [Node] = []
        unique.reserveCapacity(nodes.count)
        for node in nodes where index[node.id] == nil {
            index[node.id] = unique.count
            unique.append(node)
        }
        let drawable = edges.filter { index[$0.from] != nil && index[$0.to] != nil }
        return (unique, index, drawable)
    }
}
