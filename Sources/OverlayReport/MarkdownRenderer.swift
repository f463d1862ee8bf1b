/// GitHub-flavoured Markdown for a `ReportDocument`: ATX headings with stable anchors, pipe tables padded for
/// reading in a terminal, fenced code, GitHub alerts for callouts and a Mermaid flowchart for the topology.
/// Deterministic: the same document always gives the same bytes. All text is escaped (`MarkdownEscaper`).
public struct MarkdownRenderer: Sendable {
    /// Table columns are padded to the widest cell up to this many characters; longer cells just stick out.
    public var maxPaddedColumnWidth: Int

    public init(maxPaddedColumnWidth: Int = 40) {
        self.maxPaddedColumnWidth = maxPaddedColumnWidth
    }

    public func render(_ document: ReportDocument) -> String {
        var out = ""
        out.reserveCapacity(4096)
        var anchors = AnchorAllocator()
        appendHeading(level: 1, text: [.text(document.title)], anchor: nil, anchors: &anchors, into: &out)
        appendBlocks(document.blocks, anchors: &anchors, into: &out)
        return out
    }

    private func appendBlocks(_ blocks: [ReportBlock], anchors: inout AnchorAllocator, into out: inout String) {
        for block in blocks {
            switch block {
            case .heading(let level, let text, let anchor):
                appendHeading(level: level, text: text, anchor: anchor, anchors: &anchors, into: &out)
            case .section(let section):
                appendHeading(level: section.level, text: section.title, anchor: section.anchor, anchors: &anchors, into: &out)
                appendBlocks(section.blocks, anchors: &anchors, into: &out)
            case .table(let table):
                guard table.columnCount > 0 else { continue }
                out += "\n"
                appendTable(table, into: &out)
            case .topology(let diagram):
                guard !diagram.nodes.isEmpty else { continue }
                out += "\n```mermaid\n"
                MermaidRenderer.appendFlowchart(diagram, into: &out)
                out += "```\n"
            case .paragraph, .bulletList, .code, .callout:
                var prose = ""
                MarkdownRenderer.appendProse(block, into: &prose)
                guard prose != "\n", !prose.isEmpty else { continue }  // an empty paragraph or list
                out += "\n"
                out += prose
            }
        }
    }

    private func appendHeading(level: Int, text: [Inline], anchor: String?, anchors: inout AnchorAllocator,
                               into out: inout String) {
        let claim = anchors.claim(explicit: anchor, text: Inline.plainText(text))
        if !out.isEmpty { out += "\n" }
        if claim.needsExplicitTarget {
            // Its own HTML block: an `<a>` line directly above the heading would swallow the heading.
            out += "<a id=\"\(claim.id)\"></a>\n\n"
        }
        out += String(repeating: "#", count: min(max(level, 1), 6))
        out += " "
        MarkdownRenderer.appendInlines(text, atLineStart: true, inTableCell: false, into: &out)
        out += "\n"
    }

    /// The Markdown of the blocks that cmark can render as they are (the HTML renderer uses the same text).
    static func appendProse(_ block: ReportBlock, into out: inout String) {
        switch block {
        case .paragraph(let inlines):
            appendInlines(inlines, atLineStart: true, inTableCell: false, into: &out)
            out += "\n"
        case .bulletList(let items):
            for item in items {
                out += "- "
                appendInlines(item, atLineStart: true, inTableCell: false, into: &out)
                out += "\n"
            }
        case .code(let language, let text):
            MarkdownEscaper.appendCodeBlock(text, language: language, into: &out)
        case .callout(let kind, let inlines):
            out += "> [!\(alertName(kind))]\n> "
            appendInlines(inlines, atLineStart: true, inTableCell: false, into: &out)
            out += "\n"
        case .heading, .section, .table, .topology:
            break
        }
    }

    static func alertName(_ kind: ReportBlock.CalloutKind) -> String {
        switch kind {
        case .info: return "NOTE"
        case .warning: return "WARNING"
        case .error: return "CAUTION"
        }
    }

    // MARK: Inlines

    /// `atLineStart`: the text begins a block line, where `#`, `-`, `1.` … would start a block.
    static func appendInlines(_ inlines: [Inline], atLineStart: Bool, inTableCell: Bool, inLink: Bool = false,
                              into out: inout String) {
        var lineStart = atLineStart
        for inline in inlines {
            let before = out.utf8.count
            appendInline(inline, atLineStart: lineStart, inTableCell: inTableCell, inLink: inLink, into: &out)
            if out.utf8.count != before { lineStart = false }
        }
    }

    private static func appendInline(_ inline: Inline, atLineStart: Bool, inTableCell: Bool, inLink: Bool,
                                     into out: inout String) {
        switch inline {
        case .text(let text):
            MarkdownEscaper.appendText(text, atLineStart: atLineStart, into: &out)
        case .code(let code):
            MarkdownEscaper.appendCodeSpan(code, inTableCell: inTableCell, into: &out)
        case .strong(let inner):
            appendDelimited(inner, open: "**", close: "**", atLineStart: atLineStart, inTableCell: inTableCell,
                            inLink: inLink, into: &out)
        case .emphasis(let inner):
            appendDelimited(inner, open: "*", close: "*", atLineStart: atLineStart, inTableCell: inTableCell,
                            inLink: inLink, into: &out)
        case .link(let inner, let anchor):
            let target = AnchorAllocator.sanitize(anchor)
            if inLink || target.isEmpty {  // links cannot nest, and `#` alone goes nowhere: keep the text
                appendInlines(inner, atLineStart: atLineStart, inTableCell: inTableCell, inLink: inLink, into: &out)
            } else {
                appendDelimited(inner, open: "[", close: "](#\(target))", atLineStart: atLineStart,
                                inTableCell: inTableCell, inLink: true, into: &out)
            }
        case .frameRef(let frames):
            out += Inline.frameText(frames)
        case .path(let steps):
            for (i, step) in steps.enumerated() {
                if i > 0 { out += Inline.pathSeparator }
                MarkdownEscaper.appendText(step.text, atLineStart: atLineStart && i == 0, into: &out)
                if let detail = step.detail {
                    out += " ("
                    MarkdownEscaper.appendText(detail, atLineStart: false, into: &out)
                    out += ")"
                }
            }
        }
    }

    /// `**x**`, `*x*`, `[x](#a)` with the spaces moved outside the delimiters (`** x**` would not be
    /// emphasis), dropped at the start of a line (four of them would start a code block).
    private static func appendDelimited(_ inner: [Inline], open: String, close: String, atLineStart: Bool,
                                        inTableCell: Bool, inLink: Bool, into out: inout String) {
        var body = ""
        appendInlines(inner, atLineStart: false, inTableCell: inTableCell, inLink: inLink, into: &body)
        let leading = body.prefix(while: { $0 == " " }).count
        guard leading < body.count else {  // only spaces: keep them as spacing
            if !atLineStart { out += body }
            return
        }
        let trailing = body.reversed().prefix(while: { $0 == " " }).count
        if !atLineStart { out += String(repeating: " ", count: leading) }
        out += open
        out += body.dropFirst(leading).dropLast(trailing)
        out += close
        out += String(repeating: " ", count: trailing)
    }

    // MARK: Tables

    private func appendTable(_ table: ReportTable, into out: inout String) {
        let columns = table.columnCount
        func cellText(_ cell: ReportTable.Cell) -> String {
            var s = ""
            MarkdownRenderer.appendInlines(cell.inlines, atLineStart: false, inTableCell: true, into: &s)
            return s
        }
        func rowTexts(_ cells: [ReportTable.Cell]) -> [String] {
            (0..<columns).map { $0 < cells.count ? cellText(cells[$0]) : "" }
        }
        let header = rowTexts(table.header)
        let body = table.rows.map(rowTexts)
        var widths = header.map { min($0.count, maxPaddedColumnWidth) }
        for row in body {
            for (i, text) in row.enumerated() where widths[i] < maxPaddedColumnWidth {
                widths[i] = min(max(widths[i], text.count), maxPaddedColumnWidth)
            }
        }
        for i in widths.indices { widths[i] = max(widths[i], 3) }

        out.reserveCapacity(out.utf8.count + (body.count + 2) * (widths.reduce(0, +) + 3 * columns + 2))
        appendRow(header, widths: widths, table: table, into: &out)
        out += "|"
        for i in 0..<columns {
            let dashes = String(repeating: "-", count: widths[i])
            switch table.alignment(ofColumn: i) {
            case .none: out += " \(dashes) |"
            case .left: out += " :\(dashes.dropFirst()) |"
            case .right: out += " \(dashes.dropFirst()): |"
            case .center: out += " :\(dashes.dropFirst(2)): |"
            }
        }
        out += "\n"
        for row in body { appendRow(row, widths: widths, table: table, into: &out) }
    }

    private func appendRow(_ cells: [String], widths: [Int], table: ReportTable, into out: inout String) {
        out += "|"
        for (i, text) in cells.enumerated() {
            let gap = max(0, widths[i] - text.count)
            let left: Int
            switch table.alignment(ofColumn: i) {
            case .right: left = gap
            case .center: left = gap / 2
            case .none, .left: left = 0
            }
            out += " "
            out += String(repeating: " ", count: left)
            out += text
            out += String(repeating: " ", count: gap - left)
            out += " |"
        }
        out += "\n"
    }
}
