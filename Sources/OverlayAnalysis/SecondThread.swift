import Foundation

/// Work run on a thread of its own, started at once, while the calling thread does its share of the same job;
/// `join` waits for it and returns what it made. Used by `finish` only, to put the idle second core to work.
///
/// `@unchecked Sendable`: the closure is not `@Sendable` (it reads the analyzer, a class). Callers keep it honest:
/// until `join` returns, everything the closure reads is only read (by both threads), and everything it writes
/// (its own slots of a buffer, its own `Labels` and caches) is touched by no one else; the semaphore orders all
/// of its writes before the calling thread reads them.
final class SecondThread<Output>: @unchecked Sendable {
    private var work: (() -> Output)?
    private var output: Output?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping () -> Output) {
        self.work = work
        Thread { [self] in
            output = self.work?()
            self.work = nil
            done.signal()
        }.start()
    }

    func join() -> Output {
        done.wait()
        return output!
    }
}
