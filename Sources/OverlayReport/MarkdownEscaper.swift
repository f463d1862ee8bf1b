/// Escaping of untrusted text for CommonMark/GFM. Everything first goes through `UntrustedText` (controls
/// replaced, newlines flattened), so one text can never start a new block.
///
/// Backslash-escaped everywhere: `\` `` ` `` `*` `[` `]` `<` `>` `|` `&` `~` (emphasis, links, images, raw
/// HTML, autolinks, table cells, entities, strikethrough). `_` is escaped unless it sits between two letters
/// or digits, where CommonMark never treats it as emphasis (keeps `ls_web_01` readable). `#` is escaped at
/// the start of the line and after a space (ATX heading opener and closing sequence). At the start of a
/// line, also `+` and `-` (list items, thematic breaks, setext underlines) and the `.`/`)` after leading
/// digits (ordered lists); leading spaces are dropped (no indented code block).
enum MarkdownEscaper {
    static func appendText(_ text: String, atLineStart: Bool, into out: inout String) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        for u in text.unicodeScalars { scalars.append(UntrustedText.clean(u)) }

        var start = 0
        if atLineStart {
            while start < scalars.count, scalars[start] == " " { start += 1 }
        }
        let orderedListMarker = atLineStart ? orderedListPunctuation(scalars, from: start) : nil

        var i = start
        while i < scalars.count {
            let u = scalars[i]
            let previous: Unicode.Scalar? = i > start ? scalars[i - 1] : nil
            let next: Unicode.Scalar? = i + 1 < scalars.count ? scalars[i + 1] : nil
            let needsEscape: Bool
            switch u {
            case "\\", "`", "*", "[", "]", "<", ">", "|", "&", "~":
                needsEscape = true
            case "_":
                needsEscape = !(isWordScalar(previous) && isWordScalar(next))
            case "#":
                needsEscape = (atLineStart && i == start) || previous == " "
            case "+", "-":
                needsEscape = atLineStart && i == start
            case ".", ")":
                needsEscape = i == orderedListMarker
            default:
                needsEscape = false
            }
            if needsEscape { out += "\\" }
            out.unicodeScalars.append(u)
            i += 1
        }
    }

    /// Index of the `.` or `)` in `12. text` / `3) text` at the start of a line, when there is one.
    private static func orderedListPunctuation(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start
        while i < s.count, i - start < 10, ("0"..."9").contains(s[i]) { i += 1 }
        guard i > start, i < s.count, s[i] == "." || s[i] == ")" else { return nil }
        return i
    }

    private static func isWordScalar(_ u: Unicode.Scalar?) -> Bool {
        guard let u else { return false }
        return u.properties.isAlphabetic || u.properties.numericType != nil
    }

    /// A code span whose fence is longer than any backtick run inside, padded when the content starts or
    /// ends with a backtick or a space. Inside a GFM table every `|` must be `\|` even in code: the table
    /// splits cells before inline parsing and removes that backslash again.
    static func appendCodeSpan(_ code: String, inTableCell: Bool, into out: inout String) {
        let content = UntrustedText.cleaned(code)
        guard !content.isEmpty else { return }
        let fence = String(repeating: "`", count: longestRun(of: "`", in: content) + 1)
        let first = content.unicodeScalars.first, last = content.unicodeScalars.last
        let pad = first == "`" || last == "`"
            || (first == " " && last == " " && content.unicodeScalars.contains(where: { $0 != " " }))
        out += fence
        if pad { out += " " }
        if inTableCell {
            for u in content.unicodeScalars {
                if u == "|" { out += "\\" }
                out.unicodeScalars.append(u)
            }
        } else {
            out += content
        }
        if pad { out += " " }
        out += fence
    }

    /// A fenced code block: the fence is longer than any backtick run in the content, so no line can close it.
    static func appendCodeBlock(_ code: String, language: String?, into out: inout String) {
        let content = UntrustedText.cleaned(code, lines: .keep)
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: content) + 1))
        out += fence
        if let language { out += infoString(language) }
        out += "\n"
        out += content
        if !content.isEmpty, content.last != "\n" { out += "\n" }
        out += fence
        out += "\n"
    }

    /// The info string may not contain backticks (it would end a backtick fence) or spaces (the first word
    /// is the language); keep a conservative character set.
    static func infoString(_ language: String) -> String {
        String(String.UnicodeScalarView(language.unicodeScalars.filter { u in
            switch u {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", "+", ".", "#": return true
            default: return false
            }
        }))
    }

    static func longestRun(of scalar: Unicode.Scalar, in text: String) -> Int {
        var longest = 0
        var current = 0
        for u in text.unicodeScalars {
            if u == scalar {
                current += 1
                longest = max(longest, current)
            } else {
                current = 0
            }
        }
        return longest
    }
}
