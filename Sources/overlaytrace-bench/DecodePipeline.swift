#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import OverlayCapture
import OverlayWire

/// Reading + decoding on a second thread, handing batches of decoded packets to the caller's thread through a
/// bounded ring: the two halves of a pass run on both cores. Batches and the DecodedPackets in them are reused
/// (their arrays keep their capacity), so steady state allocates nothing; one lock round trip per batch.
final class DecodePipeline: @unchecked Sendable {
    final class Batch {
        var frames: [FrameInfo]
        var packets: [DecodedPacket]
        var count = 0
        init(capacity: Int) {
            frames = Array(repeating: FrameInfo(number: 0, timestamp: Timestamp(seconds: 0, nanoseconds: 0), capturedLength: 0,
                                                wireLength: 0, linkType: .ethernet), count: capacity)
            packets = Array(repeating: DecodedPacket(), count: capacity)
        }
    }

    let batchSize: Int
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    // Guarded by `mutex`:
    private var free: [Batch]
    private var full: [Batch] = []
    private var fullHead = 0
    private var producerDone = false
    private var cancelled = false

    init(batches: Int = Int(ProcessInfo.processInfo.environment["BENCH_BATCHES"] ?? "") ?? 4,
         batchSize: Int = Int(ProcessInfo.processInfo.environment["BENCH_BATCH"] ?? "") ?? 256) {
        self.batchSize = batchSize
        free = (0..<batches).map { _ in Batch(capacity: batchSize) }
        full.reserveCapacity(batches)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    private func wait() { pthread_cond_wait(&changed, &mutex) }
    private func signal() { pthread_cond_broadcast(&changed) }

    // MARK: producer side

    private func takeFree() -> Batch? {
        locked {
            while free.isEmpty && !cancelled { wait() }
            return cancelled ? nil : free.removeLast()
        }
    }

    private func publish(_ b: Batch) {
        locked {
            full.append(b)
            signal()
        }
    }

    private func producerFinished() {
        locked {
            producerDone = true
            signal()
        }
    }

    // MARK: consumer side

    private func takeFull() -> Batch? {
        locked {
            while fullHead == full.count && !producerDone { wait() }
            guard fullHead < full.count else { return nil }
            let b = full[fullHead]
            fullHead += 1
            if fullHead == full.count {
                full.removeAll(keepingCapacity: true)
                fullHead = 0
            }
            return b
        }
    }

    private func recycle(_ b: Batch) {
        locked {
            free.append(b)
            signal()
        }
    }

    /// Decodes every packet of `path` on a background thread and calls `body` on this thread, in order.
    func run(path: String, decoder: PacketDecoder, _ body: (FrameInfo, DecodedPacket) -> Void) throws(CaptureError) -> [String] {
        let timeline = HandOff(try CaptureTimeline(paths: [path]))
        let thread = Thread { [self] in
            var batch = takeFree()
            timeline.value.forEach { frame, bytes in
                guard let b = batch else { return }
                let i = b.count
                b.frames[i] = frame
                decoder.decode(bytes, linkType: frame.linkType, wireLength: frame.wireLength, into: &b.packets[i])
                b.count = i + 1
                if b.count == batchSize {
                    publish(b)
                    batch = takeFree()
                    batch?.count = 0
                }
            }
            if let b = batch, b.count > 0 { publish(b) }
            producerFinished()
        }
        thread.start()
        while let b = takeFull() {
            b.packets.withUnsafeBufferPointer { packets in
                b.frames.withUnsafeBufferPointer { frames in
                    for i in 0..<b.count { body(frames[i], packets[i]) }
                }
            }
            b.count = 0
            recycle(b)
        }
        // The producer's last act was `producerFinished()` under the lock: its writes are visible here.
        return timeline.value.warnings
    }
}

/// A value handed to the producer thread and read back only after it has finished with it.
private final class HandOff<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
