import Foundation

/// Where the public capture corpus lives, and the oracles that come with its captures.
///
/// The corpus is test input that stays outside the repository: `OVERLAYTRACE_CORPUS`, or the first
/// `shared/corpus/public` found next to the repository or one of its parents (the layout of the project
/// machine: `<repo>/../shared/corpus/public`, which also holds for worktrees one level deeper).
enum Corpus {
    static let directory: String? = {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["OVERLAYTRACE_CORPUS"], !env.isEmpty {
            return fm.fileExists(atPath: env) ? env : nil
        }
        // #filePath = <repo>/Tests/OverlayWireTests/Support/CorpusOracle.swift
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { dir.deleteLastPathComponent() }
        for _ in 0..<3 {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent("shared/corpus/public").path
            if fm.fileExists(atPath: candidate + "/MANIFEST.md") { return candidate }
        }
        return nil
    }()

    static var isPresent: Bool { directory != nil }

    static let absenceNote: String = {
        if let env = ProcessInfo.processInfo.environment["OVERLAYTRACE_CORPUS"], !env.isEmpty {
            return "OVERLAYTRACE_CORPUS=\(env) does not exist: skipped"
        }
        return "public corpus not found (set OVERLAYTRACE_CORPUS or place it at <repo>/../shared/corpus/public): skipped"
    }()

    /// Capture files of the corpus, sorted by name.
    static func captures() -> [String] {
        guard let dir = directory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }

    static func path(_ name: String) -> String { (directory ?? ".") + "/" + name }
}

/// One frame of a `<capture>.tshark.tsv` oracle: every field's occurrences in order (outer layer first).
struct TSharkRow {
    var fields: [String: [String]]

    func values(_ name: String) -> [String] { fields[name] ?? [] }
    var isMalformed: Bool { !(fields["_ws.malformed"] ?? []).isEmpty }
}

enum TSharkOracle {
    /// Reads the TSV written by `tshark -T fields -E header=y -E occurrence=a -E aggregator=,`.
    static func read(path: String) throws -> [TSharkRow] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { return [] }
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return lines.map { line in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            var fields: [String: [String]] = [:]
            for (i, name) in header.enumerated() where i < cells.count && !cells[i].isEmpty {
                // The expert-message column may itself hold commas; it is kept whole.
                fields[name] = name == "_ws.expert.message"
                    ? [cells[i]] : cells[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            return TSharkRow(fields: fields)
        }
    }
}

/// What tcpdump's `-v` output (tests/*.out of the tcpdump repository) says about one tunnelled frame.
struct TcpdumpTunnelLine: Equatable {
    var outerSource = "", outerSourcePort = "", outerDestination = "", outerDestinationPort = ""
    var tunnel = ""
    var vni: UInt32 = 0
    var innerSource = "", innerSourcePort = "", innerDestination = "", innerDestinationPort = ""
    var tcpFlags = ""
    /// IPv4 total lengths / IPv6 real payload lengths as tcpdump states them, outer first.
    var ipLengths: [Int] = []
    var tcpPayloadLength = 0

    /// Parses one frame's text (its lines joined). Returns nil when the text is not a Geneve/VXLAN frame.
    static func parse(_ text: String) -> TcpdumpTunnelLine? {
        var t = TcpdumpTunnelLine()
        let endpoints = matches(#"(\S+)\.(\d+) > (\S+)\.(\d+):"#, in: text)
        guard endpoints.count >= 2 else { return nil }
        (t.outerSource, t.outerSourcePort, t.outerDestination, t.outerDestinationPort) =
            (endpoints[0][1], endpoints[0][2], endpoints[0][3], endpoints[0][4])
        (t.innerSource, t.innerSourcePort, t.innerDestination, t.innerDestinationPort) =
            (endpoints[1][1], endpoints[1][2], endpoints[1][3], endpoints[1][4])
        guard let tunnel = matches(#"(Geneve|VXLAN),.*?vni (0x[0-9a-f]+|\d+)"#, in: text).first else { return nil }
        t.tunnel = tunnel[1].lowercased()
        let vniText = tunnel[2]
        t.vni = vniText.hasPrefix("0x") ? UInt32(vniText.dropFirst(2), radix: 16) ?? 0 : UInt32(vniText) ?? 0
        t.tcpFlags = matches(#"Flags \[([^\]]*)\], cksum"#, in: text).first?[1] ?? ""
        for m in matches(#"length (\d+) \[was 0, presumed BIG TCP\]|\[real length (\d+), presumed BIG TCP\]|proto \w+ \(\d+\), length (\d+)\)|payload length (\d+)\) [0-9a-f]"#, in: text) {
            if let v = m.dropFirst().first(where: { !$0.isEmpty }).flatMap({ Int($0) }) { t.ipLengths.append(v) }
        }
        t.tcpPayloadLength = Int(matches(#"length (\d+)\s*$"#, in: text).last?[1] ?? "") ?? -1
        return t
    }

    private static func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let re = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { return [] }
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { i in
                let r = m.range(at: i)
                return r.location == NSNotFound ? "" : ns.substring(with: r)
            }
        }
    }
}
