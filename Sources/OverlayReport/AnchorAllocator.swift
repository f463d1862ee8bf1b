/// Gives every heading and section one unique anchor, the same in Markdown and HTML (both renderers walk the
/// document in the same order with a fresh allocator).
///
/// Without an explicit anchor a heading gets GitHub's slug (lowercase, punctuation dropped, spaces → `-`,
/// repeats numbered `-1`, `-2`), so Markdown viewed on GitHub needs no extra markup. An explicit anchor keeps
/// letters, digits, `_` and `-`; when it differs from GitHub's slug the Markdown renderer adds an `<a id>` target.
struct AnchorAllocator {
    struct Claim {
        var id: String
        /// GitHub would not produce this id by itself.
        var needsExplicitTarget: Bool
    }

    private var used: Set<String> = []
    private var githubSeen: [String: Int] = [:]

    mutating func claim(explicit: String?, text: String) -> Claim {
        let github = nextGitHubSlug(for: text)
        var id: String
        if let explicit, case let sanitized = AnchorAllocator.sanitize(explicit), !sanitized.isEmpty {
            id = sanitized
        } else {
            id = github.isEmpty ? "section" : github
        }
        if used.contains(id) {
            let base = id
            var n = 2
            repeat {
                id = "\(base)-\(n)"
                n += 1
            } while used.contains(id)
        }
        used.insert(id)
        return Claim(id: id, needsExplicitTarget: id != github)
    }

    /// github-slugger's algorithm: the slug, and a counter per original slug for repeats.
    private mutating func nextGitHubSlug(for text: String) -> String {
        let original = AnchorAllocator.githubSlug(text)
        var result = original
        while githubSeen[result] != nil {
            let n = (githubSeen[original] ?? 0) + 1
            githubSeen[original] = n
            result = "\(original)-\(n)"
        }
        githubSeen[result] = 0
        return result
    }

    static func githubSlug(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for u in UntrustedText.cleaned(text).lowercased().unicodeScalars {
            if u == " " {
                out.append("-")
            } else if isAnchorScalar(u) {
                out.append(u)
            }
        }
        return String(out)
    }

    /// Letters, digits, marks, `_` and `-`: what GitHub keeps in a slug, and nothing that could end an HTML
    /// attribute, a Markdown link destination or a URL fragment.
    private static func isAnchorScalar(_ u: Unicode.Scalar) -> Bool {
        if u == "_" || u == "-" || u.properties.isAlphabetic || u.properties.numericType != nil { return true }
        switch u.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// An explicit anchor (or a link's target): every other character becomes `-`, so a link written with
    /// the same string as the heading's anchor always finds it.
    static func sanitize(_ anchor: String) -> String {
        var out = String.UnicodeScalarView()
        for u in anchor.unicodeScalars { out.append(isAnchorScalar(u) ? u : "-") }
        return String(out)
    }
}
