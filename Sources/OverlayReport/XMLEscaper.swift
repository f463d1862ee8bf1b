/// Text and attribute values for HTML and SVG written by hand (not by cmark). Cleans first (`UntrustedText`:
/// XML 1.0 forbids most control characters even as references), then escapes the five XML specials, so the
/// page also parses as XML.
enum XMLEscaper {
    static func append(_ text: String, into out: inout String) {
        for u in text.unicodeScalars {
            switch UntrustedText.clean(u) {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case let c: out.unicodeScalars.append(c)
            }
        }
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        append(text, into: &out)
        return out
    }
}
