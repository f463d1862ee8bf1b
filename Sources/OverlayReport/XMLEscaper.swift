/// Text and attribute values for HTML and SVG written by hand (not by cmark). Cleans first (`UntrustedText`:
/// XML 1.0 forbids most control characters even as references), then escapes the five XML specials, so the
/// page also parses as XML.
enum XMLEscaper {
    static func append(_ text: String, into out: inout String) {
        UntrustedText.append(text, into: &out) { u in
            switch u {
            case "&": return "&amp;"
            case "<": return "&lt;"
            case ">": return "&gt;"
            case "\"": return "&quot;"
            case "'": return "&#39;"
            default: return nil
            }
        }
    }
}
