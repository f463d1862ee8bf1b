import Foundation
import OverlayReference
import OverlayTables
import OverlayWire

/// Feeds an `OverlayAnalyzer` with raw frames, on one core or two.
///
/// The analyzer has two independent consumers of every decoded packet: the analysis state (topology, flows,
/// paths) and the reference switch (the model the capture is validated against). Neither reads the other's
/// state until `finish`, so with two threads the calling thread decodes each frame and applies it to the
/// analysis state, then hands the decoded packet on; a second thread replays the same packets, in capture
/// order, through the reference switch. The analysis state takes the frames in groups of
/// `StreamingState.groupLimit` (on one thread too), so the cache misses of a group's table lookups overlap. Decoded packets travel in batches (one lock round trip per batch)
/// through a small bounded ring of reused batches, so nothing is allocated per packet and memory stays fixed;
/// when the reference thread falls behind, the reader waits for a free batch (back-pressure), never queues more.
///
/// A decoded packet is freshly written memory that the other core has to pull over (the 424-byte packet with its
/// summaries and options; its layers too unless it is of the plain tunneled shape, which is decoded without them,
/// see `LayerRecording.unlessPlain`); that pays only because the reference switch does far more work per packet
/// than the transfer costs (measured in docs/performance.md).
public final class AnalysisPipeline {
    /// Frames per batch handed to the reference thread, and batches in flight.
    public static let batchSize = 256
    public static let batchesInFlight = 8

    private let analyzer: OverlayAnalyzer
    private let decoder: PacketDecoder
    /// After `finish`: the one reused packet.
    private var packet = DecodedPacket()
    private let worker: ReferenceWorker?
    // The pipeline is driven by the one reading thread (the worker touches only batches handed to it under its
    // lock), so these need no dynamic exclusivity checks per packet.
    /// The batch being filled: with a worker, handed over when full; without one, a group of
    /// `StreamingState.groupLimit` packets reused once ingested.
    @exclusivity(unchecked) private var batch: PacketBatch?
    /// Frames of `batch` the analysis state has ingested: it takes them in groups (lookups loaded ahead).
    @exclusivity(unchecked) private var ingested = 0
    private var finished = false

    /// Whether a pipeline with these settings runs the reference switch on a thread of its own: the thread that
    /// reads the capture ahead, so a capture is worth opening with read-ahead only then (with nobody to fill its
    /// ring, the reading thread would read every block itself, a copy more than plain stdio).
    public static func usesReferenceThread(threads: Int, configuration: AnalysisConfiguration) -> Bool {
        threads >= 2 && configuration.validatesWithReferenceSwitch
    }

    /// `threads` 2 (or more) puts the reference switch on a thread of its own when the analyzer uses it; 1 keeps
    /// everything on the calling thread.
    ///
    /// `readAhead`: work the reference thread does when it has caught up (no batch waiting) — reading the capture
    /// ahead (`CaptureTimeline.readAheadWork`), which takes the kernel's copy out of the page cache off the reading
    /// thread. Called until it returns false or a batch arrives; ignored on one thread.
    public init(analyzer: OverlayAnalyzer, decoder: PacketDecoder, threads: Int, readAhead: (@Sendable () -> Bool)? = nil) {
        self.analyzer = analyzer
        // Both consumers read a plain tunneled packet's level summaries only: its layers (≈ 1 KB written per
        // packet, and moved to the other core with it) are left out (`LayerRecording.unlessPlain`).
        var decoder = decoder
        decoder.configuration.layers = .unlessPlain
        self.decoder = decoder
        if Self.usesReferenceThread(threads: threads, configuration: analyzer.configuration) {
            let worker = ReferenceWorker(reference: analyzer.reference, readAhead: readAhead)
            self.worker = worker
            self.batch = worker.freeBatch()
        } else {
            self.worker = nil
            self.batch = PacketBatch(capacity: StreamingState.groupLimit)
        }
    }

    /// Whether the reference switch runs on a second thread.
    public var isParallel: Bool { worker != nil }

    /// The number of threads `auto` means here: two when at least two CPUs are online.
    public static var automaticThreads: Int {
        ProcessInfo.processInfo.activeProcessorCount >= 2 ? 2 : 1
    }

    /// Decodes one frame (capture order) and applies it to both consumers.
    /// The frame is decoded at once (its bytes live only during the call); the consumers see it with the
    /// group it completes.
    public func ingest(frame: FrameInfo, bytes: UnsafeRawBufferPointer) {
        guard let current = batch else {
            decoder.decode(bytes, linkType: frame.linkType, wireLength: frame.wireLength, into: &packet)
            analyzer.ingest(frame: frame, packet: packet)
            return
        }
        let i = current.count
        // Decoded in its slot: `inout` through the pointer passes the slot's address (no copy of the packet).
        decoder.decode(bytes, linkType: frame.linkType, wireLength: frame.wireLength, into: &current.packets[i])
        current.frames[i] = frame
        current.count = i + 1
        if current.count - ingested == StreamingState.groupLimit || current.count == current.capacity { ingestGroup(current) }
    }

    /// Applies the frames of `current` not ingested yet; a full batch goes to the worker (or, without one, is
    /// reused).
    private func ingestGroup(_ current: PacketBatch) {
        if current.count > ingested {
            analyzer.ingest(frames: current.frames + ingested, packets: current.packets + ingested, count: current.count - ingested,
                            withReference: worker == nil)
        }
        ingested = current.count
        guard current.count == current.capacity else {
            if worker != nil { loadSlotsAhead(current) }
            return
        }
        ingested = 0
        if let worker {
            worker.submit(current)
            let next = worker.freeBatch()
            batch = next
            loadSlotsAhead(next)
        } else {
            current.count = 0
        }
    }

    /// Where `loadSlotsAhead`'s loads go (so they are not optimized away); never read.
    @exclusivity(unchecked) private var slotSink = 0

    /// Loads the slots the next group of frames will be decoded into: each is a packet the reference thread
    /// last moved in and out (its lines sit in the other core's cache or L3), so decoding into it waited on
    /// a miss per line; loaded for the whole group at once, the misses overlap. Plain loads into a sink: Swift
    /// has no prefetch.
    private func loadSlotsAhead(_ b: PacketBatch) {
        let start = b.count, end = min(b.count + StreamingState.groupLimit, b.capacity)
        guard start < end else { return }
        var sink = 0
        for i in start..<end {
            sink &+= Int(truncatingIfNeeded: CacheLines.touch(b.packets + i, count: MemoryLayout<DecodedPacket>.size))
        }
        // The arrays' headers, whose addresses the lines above hold.
        for i in start..<end {
            sink &+= b.packets[i].layers.capacity &+ b.packets[i].geneveOptions.count &+ b.packets[i].problems.count
        }
        slotSink = sink
    }

    /// Hands over the last partial batch and waits until the reference switch has seen every frame. Call once,
    /// before `OverlayAnalyzer.finish`.
    public func finish() {
        guard !finished else { return }
        finished = true
        if let current = batch { ingestGroup(current) }
        defer { batch = nil }
        guard let worker else { return }
        if let current = batch, current.count > 0 { worker.submit(current) }
        worker.close()
    }

    deinit { finish() }
}

/// Decoded packets and their frame facts, reused from batch to batch (each slot's arrays keep their capacity).
final class PacketBatch: @unchecked Sendable {
    let capacity: Int
    let frames: UnsafeMutablePointer<FrameInfo>
    let packets: UnsafeMutablePointer<DecodedPacket>
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        frames = .allocate(capacity: capacity)
        frames.initialize(repeating: FrameInfo(number: 0, timestamp: Timestamp(seconds: 0, nanoseconds: 0), capturedLength: 0,
                                               wireLength: 0, linkType: .ethernet), count: capacity)
        packets = .allocate(capacity: capacity)
        packets.initialize(repeating: DecodedPacket(), count: capacity)
    }

    deinit {
        frames.deinitialize(count: capacity)
        frames.deallocate()
        packets.deinitialize(count: capacity)
        packets.deallocate()
    }
}

/// The reference switch's thread and the two queues it shares with the reader: batches to replay (FIFO) and
/// batches free for reuse. `@unchecked Sendable`: a batch belongs to exactly one side at a time, handed over
/// under `condition`'s lock, and the reference switch is touched only by the worker thread until `close`
/// returns (the join orders its last writes before the analyzer's `finish`).
///
/// The worker is faster than the reader, so it usually runs dry and sleeps; waking it is a futex call (and, in a
/// VM, an inter-processor interrupt) on the reader's thread. The reader therefore wakes a sleeping worker only
/// once `wakeAfter` batches wait, and the worker then replays everything queued before it sleeps again: one wake
/// per four batches instead of one per batch, with half the ring still free for the reader meanwhile.
final class ReferenceWorker: @unchecked Sendable {
    static let wakeAfter = AnalysisPipeline.batchesInFlight / 2

    private let reference: ReferenceSwitch
    /// Spare-time work (reading the capture ahead); false when there is none now.
    private let readAhead: (@Sendable () -> Bool)?
    private let condition = NSCondition()
    private var pending: [PacketBatch] = []
    private var free: [PacketBatch] = []
    private var closed = false
    private var done = false
    /// The worker waits for batches (set and cleared by it, under the lock).
    private var sleeping = false

    init(reference: ReferenceSwitch, readAhead: (@Sendable () -> Bool)?) {
        self.reference = reference
        self.readAhead = readAhead
        pending.reserveCapacity(AnalysisPipeline.batchesInFlight)
        free = (0..<AnalysisPipeline.batchesInFlight).map { _ in PacketBatch(capacity: AnalysisPipeline.batchSize) }
        let thread = Thread { [self] in run() }
        thread.name = "overlaytrace-reference"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// A batch to fill; waits while every batch is in flight.
    func freeBatch() -> PacketBatch {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty { condition.wait() }
        let b = free.removeLast()
        b.count = 0
        return b
    }

    func submit(_ batch: PacketBatch) {
        condition.lock()
        pending.append(batch)
        if sleeping && pending.count >= Self.wakeAfter { condition.broadcast() }
        condition.unlock()
    }

    /// No more batches: returns when the worker has replayed every submitted one and stopped.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            // Nothing to replay: read the capture ahead, a block at a time, until there is a batch or no room. Only
            // then: when this thread is the one behind, reading ahead would slow the whole pipeline, and the reader
            // reads what is not read yet itself.
            while pending.isEmpty && !closed, let readAhead {
                condition.unlock()
                let read = readAhead()
                condition.lock()
                if !read { break }
            }
            if pending.isEmpty && !closed {
                sleeping = true
                while pending.count < Self.wakeAfter && !closed { condition.wait() }
                sleeping = false
            }
            if pending.isEmpty {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = pending.removeFirst()
            condition.unlock()

            reference.observe(frames: batch.frames, packets: batch.packets, count: batch.count)

            condition.lock()
            free.append(batch)
            condition.broadcast()
            condition.unlock()
        }
    }
}
