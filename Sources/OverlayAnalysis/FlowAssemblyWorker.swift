import Foundation

/// The second half of the flow groups and where their flows go, handed to the worker thread.
///
/// `@unchecked Sendable`: while the worker runs, the analyzer, the model and the shared parts of the groups
/// (leg records, interned TEP lists) are only read, by both threads; the worker alone writes its group slots
/// and its output range (disjoint from the calling thread's) and has a `Labels` of its own (its caches are
/// not thread safe); `join` orders all of its writes before the calling thread reads them.
final class FlowAssemblyShare: @unchecked Sendable {
    let analyzer: OverlayAnalyzer
    let groups: UnsafeMutableBufferPointer<FlowGroup>
    let output: UnsafeMutablePointer<Flow>
    let model: TopologyModel
    let labels: Labels
    var built = 0

    init(analyzer: OverlayAnalyzer, groups: UnsafeMutableBufferPointer<FlowGroup>, output: UnsafeMutablePointer<Flow>,
         model: TopologyModel, labels: Labels) {
        self.analyzer = analyzer
        self.groups = groups
        self.output = output
        self.model = model
        self.labels = labels
    }

    func run() { built = analyzer.buildFlows(groups, into: output, model: model, labels: labels) }
}

/// Builds one share of the flows on a thread of its own, started at once; `join` waits for it.
struct FlowAssemblyWorker {
    private let share: FlowAssemblyShare
    private let done = DispatchSemaphore(value: 0)

    init(_ share: FlowAssemblyShare) {
        self.share = share
        let done = self.done
        let thread = Thread {
            share.run()
            done.signal()
        }
        thread.start()
    }

    /// Waits for the worker; the number of flows it built.
    func join() -> Int {
        done.wait()
        return share.built
    }
}
