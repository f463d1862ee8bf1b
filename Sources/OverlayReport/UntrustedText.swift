/// The first step for every string that reaches a report: characters that could hide, reorder or break
/// output are made visible or harmless before any format-specific escaping.
///
/// - C0/C1 control characters, DEL, noncharacters U+FFFE/U+FFFF and the BOM become U+FFFD (visible: the reader
///   sees that something odd was there; XML 1.0 forbids most of them even when escaped).
/// - Bidirectional embedding/override/isolate controls become U+FFFD ("Trojan Source" reordering of a name).
/// - Line and paragraph separators (LF, CR, VT, FF, NEL, U+2028, U+2029) and tab become a space, unless the
///   caller keeps line structure (code blocks), where CR LF / CR become LF and tab stays.
enum UntrustedText {
    static let replacement: Unicode.Scalar = "\u{FFFD}"

    enum Lines { case flatten, keep }

    @inline(__always)
    static func clean(_ u: Unicode.Scalar, lines: Lines = .flatten) -> Unicode.Scalar {
        switch u.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029:
            return lines == .keep ? "\n" : " "
        case 0x09:
            return lines == .keep ? u : " "
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF, 0xFFFE, 0xFFFF:
            return replacement
        default:
            return u
        }
    }

    /// Appends the cleaned text, each scalar replaced by `escape`'s answer when it has one. Cleaning comes
    /// first, so an escape table never sees a control character.
    static func append(_ text: String, into out: inout String, escape: (Unicode.Scalar) -> String?) {
        for u in text.unicodeScalars {
            let c = clean(u)
            if let replacement = escape(c) {
                out += replacement
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }

    /// The cleaned text. With `.keep`, CR LF counts as one line break.
    static func cleaned(_ s: String, lines: Lines = .flatten) -> String {
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for u in s.unicodeScalars {
            if lines == .keep, u == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = u == "\r"
            out.append(clean(u, lines: lines))
        }
        return String(out)
    }
}
