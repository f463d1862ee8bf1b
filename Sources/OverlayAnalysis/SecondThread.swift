import Foundation

/// Work run on a thread of its own, started at once, while the calling thread does its share of the same job;
/// `join` waits for it and returns what it made. Used after the capture is read (`finish`, the JSON report), to
/// put the idle second core to work.
///
/// `@unchecked Sendable`: the closure is not `@Sendable` (it reads the analyzer, a class). Callers keep it honest:
/// until `join` returns, everything the closure reads is only read (by both threads), and everything it writes
/// (its own slots of a buffer, its own `Labels` and caches) is touched by no one else; the semaphore orders all
/// of its writes before the calling thread reads them.
public final class SecondThread<Output>: @unchecked Sendable {
    private var work: (() -> Output)?
    private var output: Output?
    private let done = DispatchSemaphore(value: 0)

    public init(_ work: @escaping () -> Output) {
        self.work = work
        Thread { [self] in
            output = self.work?()
            self.work = nil
            done.signal()
        }.start()
    }

    public func join() -> Output {
        done.wait()
        return output!
    }
}

extension SecondThread {
    /// Fewer items than this are not worth a second thread (starting one costs more than the half saves).
    static var minimumItemsToSplit: Int { 256 }

    /// Runs `body` over `0..<count` in two halves, the second on a thread of its own while the calling thread does
    /// the first, when `threads` ≥ 2 and there are enough items; otherwise once over the whole range. Returns
    /// what each half returned (`second` is nil when not split). The halves must touch disjoint state.
    static func inHalves(count: Int, threads: Int, _ body: (Range<Int>) -> Output) -> (first: Output, second: Output?) {
        guard threads >= 2 && count >= minimumItemsToSplit else { return (body(0..<count), nil) }
        let split = count / 2
        return withoutActuallyEscaping(body) { body in
            let worker = SecondThread { body(split..<count) }
            let first = body(0..<split)
            return (first, worker.join())
        }
    }
}
