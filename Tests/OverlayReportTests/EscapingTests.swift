import Foundation
import Testing
@testable import OverlayReport

/// Names from a capture or an inventory are attacker-controlled. Each of these must come out of every
/// renderer as literal text, never as markup, and never break the structure around it.
enum Hostile {
    static let strings: [String] = [
        "</script><img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "| a | b |",
        "[x](javascript:alert(1))",
        "![img](http://evil.example/x.png)",
        "<http://evil.example>",
        "`code` and ``more`` and ```",
        "`",
        "# heading",
        "## not a heading ##",
        "foo #",
        "line1\nline2\r\n# line3",
        "- item",
        "+ item",
        "* item",
        "1. one",
        "12) twelve",
        "> quote",
        "    indented code",
        "***",
        "---",
        "===",
        "~~~ fence",
        "~~strike~~",
        "*em* **strong** _em_ __strong__",
        "ls_web_01 _MC_flood snake_case_",
        "a\\b\\\\c\\",
        "\\|",
        "&amp; &lt; &#60; &#x3C;",
        "<!-- comment -->",
        "NUL\u{0}ESC\u{1B}[31mred\u{7F}\u{9B}",
        "tab\there",
        "\u{202E}gnp.exe\u{2066}",
        "\"]-->X[\"pwned\"]",
        "A\"] --> B[\"x",
        "end",
        "x---o y",
        "%%{init: {'securityLevel': 'loose'}}%%",
        "click A call alert()",
        "#quot; #35; #60;",
        "classDef x fill:#f00",
        "a; b",
        "{{hex}} ((circle)) [/para/]",
        "'single' \"double\"",
        "  leading and trailing  ",
        "ünïcödé 日本語 🙂",
        "",
        " ",
    ]

    /// What a reader must see: controls replaced, lines flattened, outer spaces trimmed (Markdown drops them).
    static func visible(_ s: String) -> String {
        UntrustedText.cleaned(s).trimmingCharacters(in: .init(charactersIn: " "))
    }

    /// cmark's HTML escaping of text.
    static func cmarkEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A document with hostile text in every place a renderer writes text.
    static func document() -> ReportDocument {
        var blocks: [ReportBlock] = []
        var table = ReportTable(header: strings.prefix(4).map { .text($0) }, alignments: [.right])
        var nodes: [TopologyDiagram.Node] = []
        var edges: [TopologyDiagram.Edge] = []
        let kinds = TopologyDiagram.Node.Kind.allCases
        for (i, s) in strings.enumerated() {
            blocks.append(.heading(level: 2 + i % 3, text: [.text(s)], anchor: i % 2 == 0 ? s : nil))
            blocks.append(.paragraph([.text(s), " ", .code(s), " ", .strong(s), " ", .emphasis(s), " ",
                                      .link(s, anchor: s), " ", .path([.init(s, detail: s), .init(s)])]))
            blocks.append(.bulletList([[.text(s)], [.code(s)]]))
            blocks.append(.callout(ReportBlock.CalloutKind.allCases[i % 3], [.text(s)]))
            blocks.append(.code(language: s, text: s))
            blocks.append(.section(ReportSection(level: 3, title: [.text(s)], anchor: s, blocks: [.paragraph([.text(s)])],
                                                 collapsible: i % 2 == 0, open: i % 4 == 0)))
            table.addRow([.text(s), .code(s), [.strong(s), .link(s, anchor: s)], .path([.init(s)])])
            nodes.append(.init(id: s, kind: kinds[i % kinds.count], label: s, sublabel: s))
            if i > 0 {
                edges.append(.init(from: strings[i - 1], to: s, label: s,
                                   style: TopologyDiagram.Edge.Style.allCases[i % 3], directed: i % 2 == 0))
            }
        }
        blocks.append(.table(table))
        blocks.append(.topology(TopologyDiagram(nodes: nodes, edges: edges)))
        return ReportDocument(title: strings[0], blocks: blocks)
    }
}

@Suite("Escaping of hostile strings")
struct EscapingTests {
    @Test("Markdown text reads back literally through CommonMark", arguments: Hostile.strings)
    func markdownTextIsLiteral(_ s: String) {
        let expected = Hostile.visible(s).isEmpty ? "" : "<p>" + Hostile.cmarkEscaped(Hostile.visible(s)) + "</p>\n"
        #expect(CmarkRenderer.html(fromMarkdown: HTMLRenderer.markdown(of: .paragraph([.text(s)]))) == expected)
        #expect(CmarkRenderer.html(fromMarkdown: HTMLRenderer.markdown(of: .paragraph(["x ", .text(s)])))
            == "<p>" + Hostile.cmarkEscaped("x " + UntrustedText.cleaned(s)).replacing(#/ +$/#, with: "") + "</p>\n")
    }

    @Test("inline kinds keep their content literal", arguments: Hostile.strings)
    func inlineKindsAreLiteral(_ s: String) {
        let text = Hostile.cmarkEscaped(Hostile.visible(s))
        let code = Hostile.cmarkEscaped(UntrustedText.cleaned(s))
        if !text.isEmpty {
            #expect(HTMLRenderer.inlineHTML([.strong(s)]) == "<strong>\(text)</strong>")
            #expect(HTMLRenderer.inlineHTML([.emphasis(s)]) == "<em>\(text)</em>")
            // cmark percent-encodes non-ASCII in href; browsers decode it before matching the id.
            let anchor = AnchorAllocator.sanitize(s)
            let link = HTMLRenderer.inlineHTML([.link(s, anchor: s)])
            if anchor.isEmpty {
                #expect(link == text)
            } else {
                let match = link.wholeMatch(of: /<a href="#([^"]*)">(.*)<\/a>/)
                #expect(match?.1.removingPercentEncoding == anchor)
                #expect(match.map { String($0.2) } == text)
            }
            #expect(HTMLRenderer.inlineHTML([.path([.init(s), .init("b", detail: s)])])
                == Hostile.cmarkEscaped(Hostile.visible(s + " → b (" + UntrustedText.cleaned(s) + ")")))
        }
        if !UntrustedText.cleaned(s).isEmpty {
            #expect(HTMLRenderer.inlineHTML(["x ", .code(s)]) == "x <code>\(code)</code>")
        }
        let list = CmarkRenderer.html(fromMarkdown: HTMLRenderer.markdown(of: .bulletList([[.text(s)], ["next"]])))
        #expect(list == "<ul>\n<li>\(text)</li>\n<li>next</li>\n</ul>\n")
    }

    @Test("code blocks keep content verbatim and cannot be closed early", arguments: Hostile.strings)
    func codeBlocks(_ s: String) {
        let html = CmarkRenderer.html(fromMarkdown: HTMLRenderer.markdown(of: .code(language: s, text: s + "\n```\n~~~")))
        let body = Hostile.cmarkEscaped(UntrustedText.cleaned(s + "\n```\n~~~", lines: .keep)) + "\n"
        #expect(html.hasPrefix("<pre><code"))
        #expect(html.hasSuffix(">" + body + "</code></pre>\n"))
    }

    /// GitHub's table rule: a cell ends at a `|` not preceded by a backslash; then `\|` becomes `|` and the
    /// cell is parsed as inline Markdown. Simulate it and check each cell reads back literally.
    @Test("GFM table cells: one separator per column, content literal after GitHub's unescaping")
    func tableCells() throws {
        let strings = Hostile.strings
        var table = ReportTable(header: ["text", "code"])
        for s in strings { table.addRow([.text(s), .code(s)]) }
        let md = MarkdownRenderer().render(ReportDocument(title: "T", blocks: [.table(table)]))
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("|") }
        try #require(lines.count == strings.count + 2)
        for (i, s) in strings.enumerated() {
            let cells = gfmCells(lines[i + 2])
            try #require(cells.count == 2, "row \(i) of \(s.debugDescription) splits into \(cells.count) cells")
            // Cell content is inline only: parse it after a harmless prefix so nothing counts as a block start.
            #expect(inlineHTML(cells[0]) == Hostile.cmarkEscaped(Hostile.visible(s)))
            if !UntrustedText.cleaned(s).isEmpty {
                #expect(inlineHTML(cells[1]) == "<code>" + Hostile.cmarkEscaped(UntrustedText.cleaned(s)) + "</code>")
            }
        }
    }

    func inlineHTML(_ cell: String) -> String {
        String(CmarkRenderer.inlineHTML(fromMarkdown: "x " + cell).dropFirst(2))
    }

    func gfmCells(_ line: Substring) -> [String] {
        var cells: [String] = []
        var current = ""
        var previous: Character?
        for c in line.dropFirst() {  // the leading pipe
            if c == "|" && previous != "\\" {
                cells.append(current.replacingOccurrences(of: "\\|", with: "|").trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(c)
            }
            previous = c
        }
        return cells
    }

    @Test("Mermaid: every node and edge line keeps its shape, whatever the names")
    func mermaidStructure() throws {
        let doc = Hostile.document()
        guard case .topology(let diagram) = doc.blocks.last else { Issue.record("no topology"); return }
        var out = ""
        MermaidRenderer.appendFlowchart(diagram, into: &out)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let (nodes, _, edges) = diagram.resolved()
        let kinds = Set(TopologyDiagram.Node.Kind.allCases.filter { k in nodes.contains { $0.kind == k } })
        #expect(lines.count == 1 + nodes.count + edges.count + kinds.count, "no name adds or removes a line")
        #expect(lines.first == "flowchart LR")
        let label = #""[^"`<>#|]*(#(quot|35|60|62|38|96|124);[^"`<>#|]*)*(<br/><small>[^"`<>#|]*(#(quot|35|60|62|38|96|124);[^"`<>#|]*)*</small>)?""#
        let node = try Regex("^  (tep|edgenode|seg|wl|rtr|ext)_[A-Za-z0-9_]*(\\[|\\[\\[|\\(\\[|\\(|\\{\\{|\\[/)\(label)(\\]|\\]\\]|\\]\\)|\\)|\\}\\}|/\\]):::[a-z]+$")
        let edge = try Regex("^  [a-z]+_[A-Za-z0-9_]* (===|==>|-\\.-|-\\.->|---|-->)(\\|\(label)\\|)? [a-z]+_[A-Za-z0-9_]*$")
        for line in lines.dropFirst().prefix(nodes.count) {
            #expect(line.wholeMatch(of: node) != nil, "node line: \(line)")
        }
        for line in lines.dropFirst(1 + nodes.count).prefix(edges.count) {
            #expect(line.wholeMatch(of: edge) != nil, "edge line: \(line)")
        }
        #expect(!lines.contains { $0.contains("  end") || $0.hasPrefix("  click") || $0.hasPrefix("%%") })
    }

    @Test("Mermaid label escaping")
    func mermaidLabel() {
        var out = ""
        MermaidRenderer.appendLabel("\"]-->X<b>#1&`|\n", into: &out)
        #expect(out == "#quot;]--#62;X#60;b#62;#35;1#38;#96;#124; ")
    }

    @Test("the hostile page is well-formed and contains no active content")
    func htmlPage() throws {
        let page = HTMLRenderer().render(Hostile.document())
        try Preview.write(page, to: "hostile.html")
        try Preview.write(MarkdownRenderer().render(Hostile.document()), to: "hostile.md")
        let (ok, error, collector) = ElementCollector.parse(page)
        #expect(ok, "\(error ?? "")")
        let allowed: Set<String> = [
            "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "h4", "h5", "h6", "a", "p",
            "ul", "li", "strong", "em", "code", "pre", "div", "table", "thead", "tbody", "tr", "th", "td", "details",
            "summary", "section", "figure", "svg", "defs", "marker", "path", "g", "rect", "polygon", "text", "line",
        ]
        for element in collector.elements {
            #expect(allowed.contains(element.name), "unexpected element <\(element.name)>")
            for (name, value) in element.attributes {
                #expect(!name.lowercased().hasPrefix("on"), "event handler \(name) on <\(element.name)>")
                #expect(!value.lowercased().contains("javascript:"))
                if name == "href" { #expect(value.wholeMatch(of: /#[\p{L}\p{N}\p{M}%_-]+/) != nil, "href \(value)") }
                if name == "id" { #expect(value.wholeMatch(of: /[\p{L}\p{N}\p{M}_-]+/) != nil, "id \(value)") }
            }
        }
        #expect(!page.contains("raw HTML omitted"), "escaping left nothing for cmark's safety net to remove")
        let ids = collector.elements.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count, "ids are unique")
        // The words are all there, as text.
        for s in Hostile.strings where !Hostile.visible(s).isEmpty {
            #expect(collector.text.contains(Hostile.visible(s)), "missing text \(s.debugDescription)")
        }
    }

    @Test("no control or bidi characters reach any output (tabs only in code blocks)")
    func noControls() {
        let doc = Hostile.document()
        let outputs = [MarkdownRenderer().render(doc), HTMLRenderer().render(doc)]
        for output in outputs {
            let bad = output.unicodeScalars.filter { u in
                (u.value < 0x20 && u != "\n" && u != "\t") || (0x7F...0x9F).contains(u.value)
                    || (0x202A...0x202E).contains(u.value) || (0x2066...0x2069).contains(u.value)
            }
            #expect(bad.isEmpty, "\(bad.map { String($0.value, radix: 16) })")
        }
    }

    @Test("SVG labels are escaped text and shortened with the full text in a tooltip")
    func svgText() throws {
        let long = "<b>" + String(repeating: "x", count: 80) + "</b>"
        var out = ""
        TopologySVGRenderer.append(TopologyDiagram(nodes: [.init(id: "\"a'", kind: .tep, label: long, sublabel: "&")]),
                                   idPrefix: "t", into: &out)
        #expect(out.contains("<title>TEP: &lt;b&gt;xxxx"))
        #expect(out.contains("xxxx&lt;/b&gt; (&amp;)</title>"))
        #expect(out.contains(">&lt;b&gt;" + String(repeating: "x", count: TopologyLayout.maxLabelCharacters - 4) + "…</text>"))
        #expect(!out.contains("\"a'"), "node ids are never printed")
        let (ok, error, _) = ElementCollector.parse(out)
        #expect(ok, "\(error ?? "")")
    }

    @Test("JSON: hostile strings survive a round trip through JSONSerialization", arguments: [JSONReportWriter.Style.pretty, .compact])
    func json(_ style: JSONReportWriter.Style) throws {
        let strings = Hostile.strings + ["\u{2028}\u{2029}", "\u{0}\u{1}\u{1F}", "\"\\/", "🙂\u{FFFF}"]
        let document = JSONValue.object(strings.enumerated().map { ("k\($0.offset)\($0.element)", .string($0.element)) })
        let text = JSONReportWriter.render(document, style: style)
        #expect(text.hasSuffix("}\n"))
        #expect(!text.dropLast().contains("\n") || style == .pretty)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        #expect(parsed.count == strings.count)
        for (i, s) in strings.enumerated() { #expect(parsed["k\(i)\(s)"] == s) }
    }
}
