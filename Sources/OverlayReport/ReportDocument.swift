/// A report as a renderer-independent tree of value types. The analysis layer builds one; `MarkdownRenderer`,
/// `HTMLRenderer` turn it into text. Every string in it is treated as untrusted: renderers escape all of it,
/// so a hostile capture or inventory name can only ever show up as literal text.
public struct ReportDocument: Hashable, Sendable {
    public var title: String
    public var blocks: [ReportBlock]

    public init(title: String, blocks: [ReportBlock] = []) {
        self.title = title
        self.blocks = blocks
    }

    public mutating func append(_ block: ReportBlock) { blocks.append(block) }
}

public enum ReportBlock: Hashable, Sendable {
    /// `anchor` nil: derived from the text (GitHub's heading slug), so links written by hand keep working.
    case heading(level: Int, text: [Inline], anchor: String?)
    case paragraph([Inline])
    case bulletList([[Inline]])
    case table(ReportTable)
    /// Verbatim text (a packet dump, a command); `language` is a hint for highlighters, e.g. "text", "json".
    case code(language: String?, text: String)
    /// Markdown: a Mermaid flowchart; HTML: an inline SVG picture.
    case topology(TopologyDiagram)
    case callout(CalloutKind, [Inline])
    /// A heading with its body. HTML can fold it (`collapsible`); Markdown always shows a heading and the body.
    case section(ReportSection)

    public enum CalloutKind: String, Hashable, Sendable, CaseIterable {
        case info, warning, error
    }

    public static func heading(_ level: Int, _ text: String, anchor: String? = nil) -> ReportBlock {
        .heading(level: level, text: [.text(text)], anchor: anchor)
    }
}

public struct ReportSection: Hashable, Sendable {
    public var level: Int
    public var title: [Inline]
    public var anchor: String?
    public var blocks: [ReportBlock]
    /// HTML renders the section as `<details>`; `open` says whether it starts unfolded.
    public var collapsible: Bool
    public var open: Bool

    public init(level: Int, title: [Inline], anchor: String? = nil, blocks: [ReportBlock] = [],
                collapsible: Bool = false, open: Bool = true) {
        self.level = level
        self.title = title
        self.anchor = anchor
        self.blocks = blocks
        self.collapsible = collapsible
        self.open = open
    }
}

public struct ReportTable: Hashable, Sendable {
    /// A cell: inline content. Write `"text"`, `"\(count)"`, `[.code(vni), " (web)"]` or `.code(vni)`.
    public struct Cell: Hashable, Sendable, ExpressibleByArrayLiteral, ExpressibleByStringInterpolation {
        public var inlines: [Inline]

        public init(_ inlines: [Inline]) { self.inlines = inlines }
        public init(arrayLiteral elements: Inline...) { inlines = elements }
        public init(stringLiteral value: String) { inlines = [.text(value)] }

        public static func text(_ text: String) -> Cell { Cell([.text(text)]) }
        public static func code(_ code: String) -> Cell { Cell([.code(code)]) }
        public static func strong(_ text: String) -> Cell { Cell([.strong(text)]) }
        public static func frameRef(_ frames: [Int]) -> Cell { Cell([.frameRef(frames)]) }
        public static func path(_ steps: [Inline.PathStep]) -> Cell { Cell([.path(steps)]) }
        public static let empty = Cell([])
    }

    public enum Alignment: String, Hashable, Sendable {
        case none, left, center, right
    }

    public var header: [Cell]
    /// One per column; missing entries mean `.none`.
    public var alignments: [Alignment]
    /// Short rows are padded with empty cells; a row longer than the header adds (untitled) columns.
    public var rows: [[Cell]]

    public init(header: [Cell], alignments: [Alignment] = [], rows: [[Cell]] = []) {
        self.header = header
        self.alignments = alignments
        self.rows = rows
    }

    public mutating func addRow(_ cells: [Cell]) { rows.append(cells) }

    public var columnCount: Int { rows.reduce(header.count) { max($0, $1.count) } }

    func alignment(ofColumn i: Int) -> Alignment { i < alignments.count ? alignments[i] : .none }
}

/// Inline content. `text` is always escaped by every renderer; there is deliberately no "raw" case.
public enum Inline: Hashable, Sendable, ExpressibleByStringInterpolation {
    case text(String)
    case code(String)
    case strong([Inline])
    case emphasis([Inline])
    /// A link to an anchor inside the same document (a heading or section anchor), never to a URL.
    case link([Inline], anchor: String)
    /// Evidence: capture frame numbers, rendered `frame 12` / `frames 12, 13, 18` (sorted, without duplicates).
    case frameRef([Int])
    /// A hop list rendered `a → b → c`.
    case path([PathStep])

    public init(stringLiteral value: String) { self = .text(value) }

    public static func strong(_ text: String) -> Inline { .strong([.text(text)]) }
    public static func emphasis(_ text: String) -> Inline { .emphasis([.text(text)]) }
    public static func link(_ text: String, anchor: String) -> Inline { .link([.text(text)], anchor: anchor) }

    /// One hop of a path: `text (detail)`, e.g. `TEP esxi-01 (172.20.11.51)`.
    public struct PathStep: Hashable, Sendable, ExpressibleByStringLiteral {
        public var text: String
        public var detail: String?

        public init(_ text: String, detail: String? = nil) {
            self.text = text
            self.detail = detail
        }

        public init(stringLiteral value: String) { self.init(value) }
    }

    /// The text a reader sees, without formatting (used for heading slugs and tooltips).
    public static func plainText(_ inlines: [Inline]) -> String {
        var out = ""
        for inline in inlines {
            switch inline {
            case .text(let s), .code(let s): out += s
            case .strong(let inner), .emphasis(let inner), .link(let inner, _): out += plainText(inner)
            case .frameRef(let frames): out += frameText(frames)
            case .path(let steps): out += pathText(steps)
            }
        }
        return out
    }

    static let pathSeparator = " → "

    static func frameText(_ frames: [Int]) -> String {
        let sorted = Array(Set(frames)).sorted()
        switch sorted.count {
        case 0: return "no frames"
        case 1: return "frame \(sorted[0])"
        default: return "frames " + sorted.map(String.init).joined(separator: ", ")
        }
    }

    static func pathText(_ steps: [PathStep]) -> String {
        steps.map { step in step.detail.map { "\(step.text) (\($0))" } ?? step.text }.joined(separator: pathSeparator)
    }
}
