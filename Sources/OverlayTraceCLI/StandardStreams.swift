import Foundation

/// Buffered standard output: one write(2) per 64 KiB instead of one per line, for commands that print a
/// line per packet. Always `flush()` before exiting.
final class BufferedOutput {
    private var buffer: [UInt8] = []
    private let handle: FileHandle
    private let limit = 1 << 16

    init(handle: FileHandle = .standardOutput) {
        self.handle = handle
        buffer.reserveCapacity(limit + 4096)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { flush() }
    }

    func line(_ text: String) {
        write(text)
        buffer.append(0x0A)
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        // A closed pipe (e.g. `| head`) must end the program quietly, not crash it.
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            Foundation.exit(0)
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

enum StandardError {
    static func line(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

/// A progress line on stderr for long reads (bytes read, packets/s), redrawn about twice a second, only
/// when stderr is a terminal and not `--quiet`.
final class ProgressLine {
    private let enabled: Bool
    private var lastDraw: UInt64 = 0
    private let start: UInt64
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled && StandardError.isTerminal
        start = DispatchTime.now().uptimeNanoseconds
    }

    /// Cheap enough to call per packet: checks the clock every 4096 packets only.
    @inline(__always)
    func update(packets: Int, bytes: Int) {
        guard enabled, packets & 0xFFF == 0 else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 500_000_000 else { return }
        lastDraw = now
        let seconds = max(Double(now - start) / 1e9, 1e-9)
        let rate = Double(packets) / seconds
        let text = String(format: "\r%@ packets, %.1f MB read, %.0f packets/s ", "\(packets)", Double(bytes) / 1e6, rate)
        FileHandle.standardError.write(Data(text.utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
