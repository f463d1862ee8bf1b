import COverlayCmark
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The only door to libcmark. CommonMark in, HTML out, in safe mode: raw HTML is replaced by a comment and
/// `javascript:`/`vbscript:`/`file:`/`data:` link targets are dropped (the default since cmark 0.29; the
/// SAFE flag keeps older libraries safe too).
enum CmarkRenderer {
    private static let options = CMARK_OPT_DEFAULT | CMARK_OPT_SAFE

    static func html(fromMarkdown markdown: String) -> String {
        var text = markdown
        return text.withUTF8 { bytes -> String in
            guard let base = bytes.baseAddress else { return "" }
            let rendered = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                cmark_markdown_to_html($0, bytes.count, options)
            }
            guard let rendered else { return "" }
            defer { free(rendered) }
            return String(cString: rendered)
        }
    }

    /// One line of inline Markdown as HTML without the paragraph around it (table cells, headings).
    static func inlineHTML(fromMarkdown markdown: String) -> String {
        let html = html(fromMarkdown: markdown)
        let open = "<p>", close = "</p>\n"
        guard html.hasPrefix(open), html.hasSuffix(close) else { return html }
        let inner = html.dropFirst(open.count).dropLast(close.count)
        // More than one paragraph cannot come from one flattened line; if it ever did, keep cmark's output.
        return inner.contains("<p>") ? html : String(inner)
    }

    static var version: String { String(cString: cmark_version_string()) }
}
