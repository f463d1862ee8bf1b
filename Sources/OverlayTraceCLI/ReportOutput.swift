import ArgumentParser
import Foundation
import OverlayAnalysis
import OverlayReport

/// Report formats of `analyze`.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case markdown, html, json

    /// Writes the report to a file or, for nil or "-", to stdout. JSON is streamed in chunks as it is laid out
    /// (a report of 10,000 flows is tens of megabytes: never held in memory whole).
    /// `threads` ≥ 2: JSON renders its long lists on two threads.
    func write(_ result: AnalysisResult, to path: String?, threads: Int = 1) throws {
        switch self {
        case .markdown, .html: try writeOutput(render(result), to: path)
        case .json:
            let file = try OutputFile(path: path)
            try JSONReportWriter.write(to: file.write) { AnalysisJSON.write(result, threads: threads, to: &$0) }
        }
    }

    /// The whole report as one string.
    func render(_ result: AnalysisResult) -> String {
        switch self {
        case .markdown: return MarkdownRenderer().render(AnalysisReport().document(result))
        case .html: return HTMLRenderer().render(AnalysisReport().document(result))
        case .json: return AnalysisJSON.rendered(result)
        }
    }
}

/// Writes text to a file or, for nil or "-", to stdout.
func writeOutput(_ text: String, to path: String?) throws {
    try OutputFile(path: path).write(text)
}

/// Where a command's output goes: a path opened in place with open(2) and written with write(2), or stdout for
/// nil or "-". In place on purpose: `--output /dev/null` or a FIFO must stay what it is (Foundation's atomic
/// String.write replaces the path with a new regular file).
final class OutputFile {
    private let fd: Int32
    private let name: String
    private let owned: Bool

    init(path: String?) throws {
        guard let path, path != "-" else {
            fd = STDOUT_FILENO
            name = "standard output"
            owned = false
            return
        }
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CommandFailure("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        name = "'\(path)'"
        owned = true
    }

    deinit {
        if owned { close(fd) }
    }

    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// All of `bytes`, across short writes and interrupts.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw CommandFailure("cannot write \(name): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
