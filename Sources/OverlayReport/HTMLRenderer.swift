/// One self-contained HTML page for a `ReportDocument`: inline CSS, inline SVG, no scripts, no external
/// assets, a Content-Security-Policy that forbids loading anything. Works offline and from `file://`.
///
/// Prose (paragraphs, lists, code, callout text, heading and cell text) is the Markdown of
/// `MarkdownRenderer` rendered by libcmark in safe mode, block by block. Plain libcmark has no table
/// extension, so tables are written here as real `<table>` elements whose cells are cmark's inline HTML, and
/// the topology is an SVG picture. Everything written here by hand is XML-escaped, and the page is
/// well-formed XML (XHTML syntax), so tools can parse it.
public struct HTMLRenderer: Sendable {
    public init() {}

    public func render(_ document: ReportDocument) -> String {
        var page = Page()
        page.out.reserveCapacity(16384 + HTMLStyleSheet.css.utf8.count)
        page.out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
        page.out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
        page.out += "<meta name=\"color-scheme\" content=\"light dark\" />\n"
        page.out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\" />\n"
        page.out += "<title>"
        XMLEscaper.append(document.title, into: &page.out)
        page.out += "</title>\n<style>\n"
        page.out += HTMLStyleSheet.css
        page.out += "</style>\n</head>\n<body>\n<main>\n"
        page.appendHeading(level: 1, text: [.text(document.title)], anchor: nil)
        page.appendBlocks(document.blocks)
        page.out += "</main>\n</body>\n</html>\n"
        return page.out
    }

    private struct Page {
        var out = ""
        var anchors = AnchorAllocator()
        var diagrams = 0

        mutating func appendBlocks(_ blocks: [ReportBlock]) {
            for block in blocks {
                switch block {
                case .heading(let level, let text, let anchor):
                    appendHeading(level: level, text: text, anchor: anchor)
                case .section(let section):
                    appendSection(section)
                case .table(let table):
                    appendTable(table)
                case .topology(let diagram):
                    guard !diagram.nodes.isEmpty else { continue }
                    diagrams += 1
                    out += "<figure class=\"topology\">\n"
                    TopologySVGRenderer.append(diagram, idPrefix: "topology-\(diagrams)", into: &out)
                    out += "</figure>\n"
                case .callout(let kind, let inlines):
                    out += "<div class=\"callout callout-\(kind.rawValue)\" role=\"note\">\n"
                    out += "<p class=\"callout-title\">\(HTMLRenderer.calloutTitle(kind))</p>\n"
                    out += CmarkRenderer.html(fromMarkdown: HTMLRenderer.markdown(of: .paragraph(inlines)))
                    out += "</div>\n"
                case .paragraph, .bulletList, .code:
                    out += CmarkRenderer.html(fromMarkdown: HTMLRenderer.markdown(of: block))
                }
            }
        }

        mutating func appendHeading(level: Int, text: [Inline], anchor: String?, className: String? = nil) {
            let id = anchors.claim(explicit: anchor, text: Inline.plainText(text)).id
            appendHeading(level: level, text: text, id: id, className: className)
        }

        private mutating func appendHeading(level: Int, text: [Inline], id: String?, className: String?) {
            let h = "h\(min(max(level, 1), 6))"
            out += "<\(h)"
            if let id { out += " id=\"\(id)\"" }
            if let className { out += " class=\"\(className)\"" }
            out += ">"
            out += HTMLRenderer.inlineHTML(text)
            if let id { out += "<a class=\"anchor\" href=\"#\(id)\" aria-hidden=\"true\">#</a>" }
            out += "</\(h)>\n"
        }

        mutating func appendSection(_ section: ReportSection) {
            let id = anchors.claim(explicit: section.anchor, text: Inline.plainText(section.title)).id
            if section.collapsible {
                out += "<details class=\"section\" id=\"\(id)\"\(section.open ? " open=\"open\"" : "")>\n<summary>"
                appendHeading(level: section.level, text: section.title, id: nil, className: "summary-heading")
                out += "</summary>\n<div class=\"section-body\">\n"
                appendBlocks(section.blocks)
                out += "</div>\n</details>\n"
            } else {
                out += "<section id=\"\(id)\">\n"
                appendHeading(level: section.level, text: section.title, id: nil, className: nil)
                appendBlocks(section.blocks)
                out += "</section>\n"
            }
        }

        mutating func appendTable(_ table: ReportTable) {
            let columns = table.columnCount
            guard columns > 0 else { return }
            let classes = (0..<columns).map { column -> String in
                switch table.alignment(ofColumn: column) {
                case .none: return ""
                case .left: return " class=\"align-left\""
                case .center: return " class=\"align-center\""
                case .right: return " class=\"align-right\""
                }
            }
            out.reserveCapacity(out.utf8.count + (table.rows.count + 1) * columns * 48)
            out += "<div class=\"table-wrap\">\n<table>\n<thead>\n<tr>"
            for column in 0..<columns {
                out += "<th\(classes[column])>"
                if column < table.header.count { out += HTMLRenderer.inlineHTML(table.header[column].inlines) }
                out += "</th>"
            }
            out += "</tr>\n</thead>\n<tbody>\n"
            for row in table.rows {
                out += "<tr>"
                for column in 0..<columns {
                    out += "<td\(classes[column])>"
                    if column < row.count { out += HTMLRenderer.inlineHTML(row[column].inlines) }
                    out += "</td>"
                }
                out += "</tr>\n"
            }
            out += "</tbody>\n</table>\n</div>\n"
        }
    }

    static func markdown(of block: ReportBlock) -> String {
        var markdown = ""
        MarkdownRenderer.appendProse(block, into: &markdown)
        return markdown
    }

    static func inlineHTML(_ inlines: [Inline]) -> String {
        var markdown = ""
        MarkdownRenderer.appendInlines(inlines, atLineStart: true, inTableCell: false, into: &markdown)
        return markdown.isEmpty ? "" : CmarkRenderer.inlineHTML(fromMarkdown: markdown)
    }

    static func calloutTitle(_ kind: ReportBlock.CalloutKind) -> String {
        switch kind {
        case .info: return "Note"
        case .warning: return "Warning"
        case .error: return "Error"
        }
    }
}
