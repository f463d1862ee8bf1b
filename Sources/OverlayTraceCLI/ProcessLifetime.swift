/// Values a command keeps until the process exits instead of freeing them on its way out.
///
/// Why: a command's last value can be large (an analysis of 10k flows holds every flow's path and evidence), and
/// freeing it object by object took ≈ 30 ms of a 1 s analysis just before `exit` returns all memory at once;
/// compilers skip the same teardown (clang's `-disable-free`). Only commands call this, with the value they
/// are done with; library code frees as usual. Reachable from a global, so leak checkers do not count it.
enum ProcessLifetime {
    /// Touched only by the command's (main) thread.
    nonisolated(unsafe) private static var kept: [Any] = []

    static func keepUntilExit(_ value: Any) {
        kept.append(value)
    }
}
