import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import OverlayReport

/// Parses the page as XML and records the element structure: proof that every tag is balanced and every
/// attribute quoted, and a way to look at what the browser will see.
final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append((name, attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    static func parse(_ html: String) -> (ok: Bool, error: String?, collector: ElementCollector) {
        let parser = XMLParser(data: Data(html.utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        let ok = parser.parse()
        return (ok, parser.parserError.map { "\($0) at line \(parser.lineNumber)" }, collector)
    }

    func names(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }
}

/// Set OVERLAYTRACE_REPORT_PREVIEW=/some/dir to keep the rendered pages for a look in a browser.
enum Preview {
    static func write(_ text: String, to name: String) throws {
        guard let dir = ProcessInfo.processInfo.environment["OVERLAYTRACE_REPORT_PREVIEW"] else { return }
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }
}

@Suite("HTML renderer")
struct HTMLRendererTests {
    let page = HTMLRenderer().render(SampleDocument.document())

    @Test("the sample page is well-formed XML with the expected structure")
    func samplePageIsWellFormed() throws {
        let (ok, error, collector) = ElementCollector.parse(page)
        #expect(ok, "\(error ?? "")")
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(page.hasSuffix("</html>\n"))
        #expect(collector.names("h1").count == 1)
        #expect(collector.names("table").count == 1)
        #expect(collector.names("svg").count == 1)
        #expect(collector.names("details").count == 2)
        #expect(collector.names("script").isEmpty)
        #expect(collector.names("link").isEmpty, "no external style sheets")
        #expect(!page.contains("http://") || !page.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"),
                "no external resources")
        try Preview.write(page, to: "sample.html")
        try Preview.write(MarkdownRenderer().render(SampleDocument.document()), to: "sample.md")
    }

    @Test("tables are real tables: header, alignment classes, cells through cmark's inline rendering")
    func table() throws {
        var table = ReportTable(header: ["TEP", "Packets"], alignments: [.none, .right])
        table.addRow([[.strong("esxi-01"), " ", .code("a<b")], "1234"])
        table.addRow(["short row"])
        let html = HTMLRenderer().render(ReportDocument(title: "t", blocks: [.table(table)]))
        #expect(html.contains("""
        <div class="table-wrap">
        <table>
        <thead>
        <tr><th>TEP</th><th class="align-right">Packets</th></tr>
        </thead>
        <tbody>
        <tr><td><strong>esxi-01</strong> <code>a&lt;b</code></td><td class="align-right">1234</td></tr>
        <tr><td>short row</td><td class="align-right"></td></tr>
        </tbody>
        </table>
        </div>
        """))
    }

    @Test("headings, callouts, sections and code")
    func blocks() {
        let html = HTMLRenderer().render(ReportDocument(title: "t", blocks: [
            .heading(level: 2, text: ["Flow ", .code("1")], anchor: "flow-1"),
            .callout(.warning, ["careful: ", .frameRef([3, 4])]),
            .section(ReportSection(level: 3, title: ["Folded"], anchor: "folded", blocks: [.paragraph(["inside"])],
                                   collapsible: true, open: false)),
            .section(ReportSection(level: 3, title: ["Open"], blocks: [.bulletList([["a"], ["b"]])])),
            .code(language: "json", text: "{\"a\": \"<b>\"}"),
        ]))
        #expect(html.contains("<h2 id=\"flow-1\">Flow <code>1</code><a class=\"anchor\" href=\"#flow-1\" aria-hidden=\"true\">#</a></h2>"))
        #expect(html.contains("""
        <div class="callout callout-warning" role="note">
        <p class="callout-title">Warning</p>
        <p>careful: frames 3, 4</p>
        </div>
        """))
        #expect(html.contains("""
        <details class="section" id="folded">
        <summary><h3 class="summary-heading">Folded</h3>
        </summary>
        <div class="section-body">
        <p>inside</p>
        </div>
        </details>
        """))
        #expect(html.contains("<section id=\"open\">\n<h3>Open</h3>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n</section>"))
        #expect(html.contains("<pre><code class=\"language-json\">{&quot;a&quot;: &quot;&lt;b&gt;&quot;}\n</code></pre>"))
    }

    @Test("the page is self-contained: inline CSS with both themes, a CSP that loads nothing, no scripts")
    func selfContained() {
        #expect(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\" />"))
        #expect(page.contains("@media (prefers-color-scheme: dark)"))
        #expect(!page.contains("<script") && !page.contains("src=\"") && !page.contains("url(http"))
        #expect(!HTMLStyleSheet.css.contains("<") && !HTMLStyleSheet.css.contains("&"), "the style sheet stays valid XML text")
    }

    @Test("cmark is the safety net: raw HTML and script links never pass, even if escaping were skipped")
    func cmarkSafeMode() {
        let html = CmarkRenderer.html(fromMarkdown: "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("javascript:"))
        #expect(html.contains("raw HTML omitted"))
        #expect(CmarkRenderer.inlineHTML(fromMarkdown: "a *b*") == "a <em>b</em>")
        #expect(CmarkRenderer.inlineHTML(fromMarkdown: "") == "")
        #expect(!CmarkRenderer.version.isEmpty)
    }

    @Test("thousands of table rows render in linear time")
    func largeTable() {
        let document = SampleDocument.document(tunnelRows: 5_000)
        let clock = ContinuousClock()
        var markdown = "", html = ""
        let markdownTime = clock.measure { markdown = MarkdownRenderer().render(document) }
        let htmlTime = clock.measure { html = HTMLRenderer().render(document) }
        #expect(markdown.components(separatedBy: "\n| **esxi-0").count == 5_001)
        #expect(html.components(separatedBy: "<tr><td class=\"align-left\"><strong>esxi-0").count == 5_001)
        // About 0.1 s each in a debug build; the bound only catches quadratic behaviour.
        #expect(markdownTime < .seconds(3) && htmlTime < .seconds(3), "markdown \(markdownTime), html \(htmlTime)")
    }
}
