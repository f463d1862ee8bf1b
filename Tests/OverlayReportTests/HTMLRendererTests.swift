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
}
