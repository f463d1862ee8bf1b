import Foundation
import OverlayAnalysis

extension JSONStreamWriter {
    /// Items per chunk when a list is rendered on two threads.
    static let parallelChunk = 256

    /// Writes items `0..<count` of the open array, `item(i, &writer)` writing item `i`. With `threads` ≥ 2 and a
    /// long list, the list is cut in chunks and every other chunk is rendered on a second thread, into memory,
    /// while this thread writes its own; the chunks are written in order, so the text is the same byte for byte.
    /// The second thread stays at most two chunks ahead (memory bounded by the chunk size, not the list).
    /// `item` is called from both threads at once: it must only read shared state.
    public mutating func items(count: Int, threads: Int, _ item: (Int, inout JSONStreamWriter) -> Void) {
        let chunk = Self.parallelChunk
        let chunks = (count + chunk - 1) / chunk
        guard threads >= 2, chunks >= 4 else {
            for i in 0..<count { item(i, &self) }
            return
        }
        let layout = itemLayout()
        let queue = RenderedChunks()
        func range(_ k: Int) -> Range<Int> { (k * chunk)..<min(count, (k + 1) * chunk) }
        // `SecondThread` documents the contract: `item` only reads shared state, and `join` ends its use here.
        withoutActuallyEscaping(item) { item in
            let worker = SecondThread { () -> Void in
                for k in stride(from: 1, to: chunks, by: 2) {
                    var w = JSONStreamWriter(continuing: layout)
                    for i in range(k) { item(i, &w) }
                    queue.put(k, w.finishBytes())
                }
            }
            for k in 0..<chunks {
                if k % 2 == 0 {
                    for i in range(k) { item(i, &self) }
                } else {
                    appendItems(queue.take(k))
                }
            }
            worker.join()
        }
    }
}

/// Chunks the second thread rendered, waiting to be written in order; at most two ahead.
private final class RenderedChunks: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Int: [UInt8]] = [:]
    private static let ahead = 2

    func put(_ index: Int, _ text: [UInt8]) {
        condition.lock()
        while ready.count >= Self.ahead { condition.wait() }
        ready[index] = text
        condition.broadcast()
        condition.unlock()
    }

    func take(_ index: Int) -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while ready[index] == nil { condition.wait() }
        let text = ready.removeValue(forKey: index)!
        condition.broadcast()
        return text
    }
}
