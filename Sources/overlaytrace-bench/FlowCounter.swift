/// Packets and bytes per flow in an open-addressing table with linear probing: one flat buffer of 64-byte slots
/// the table owns, so an update is one hash, a probe or two and no allocation or ARC traffic.
/// Grows (doubling) at 3/4 load, like `pcapgeneve.c`.
///
/// Why it is laid out and fed this way: with 10,000s of flows and the capture streaming through the caches, the
/// first probe of a slot is a cache miss on most packets (perf: ~90% of the flows loop's own time sat on that one
/// load, ≈ 20% of the whole run; `pcapgeneve.c` stalls the same way). So
/// - key and counters share one 64-byte aligned slot: one miss per update, not two or three (48-byte keys
///   straddling lines, counters in a second array);
/// - updates are queued and applied `batchSize` at a time: the first slot of every queued key is loaded in one
///   pass, so the misses overlap (memory-level parallelism) instead of being waited for one after another.
///   `count` and `totals` apply the queue first.
final class FlowCounter {
    struct Counters {
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
    }

    /// The key (42 bytes, 48 with padding) and its counters: exactly one cache line.
    struct Slot {
        var key = InnerFlowKey()
        var counters = Counters()
    }

    static let batchSize = 16
    private static let slotAlignment = 64

    private var storedCount = 0
    private var capacity: Int
    private var slots: UnsafeMutablePointer<Slot>
    /// Updates not yet applied: keys and their byte counts.
    private var pendingKeys: UnsafeMutablePointer<InnerFlowKey>
    private var pendingBytes: UnsafeMutablePointer<Int>
    private var pending = 0
    /// Receives the touched bytes; never read.
    private var touchSink: UInt8 = 0

    init(initialCapacity: Int = 1 << 16) {
        capacity = max(16, initialCapacity.nextPowerOfTwo)
        slots = Self.allocateSlots(capacity)
        pendingKeys = .allocate(capacity: Self.batchSize)
        pendingKeys.initialize(repeating: InnerFlowKey(), count: Self.batchSize)
        pendingBytes = .allocate(capacity: Self.batchSize)
        pendingBytes.initialize(repeating: 0, count: Self.batchSize)
    }

    deinit {
        slots.deallocate()
        pendingKeys.deallocate()
        pendingBytes.deallocate()
    }

    /// Flows counted (applies the queued updates first).
    var count: Int {
        flush()
        return storedCount
    }

    private static func allocateSlots(_ capacity: Int) -> UnsafeMutablePointer<Slot> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Slot>.stride,
                                                   alignment: max(slotAlignment, MemoryLayout<Slot>.alignment))
        let slots = raw.bindMemory(to: Slot.self, capacity: capacity)
        slots.initialize(repeating: Slot(), count: capacity)
        return slots
    }

    /// Counts one packet of `bytes` for `key` (queued; applied with the next full batch).
    @inline(__always)
    func add(_ key: InnerFlowKey, bytes: Int) {
        pendingKeys[pending] = key
        pendingBytes[pending] = bytes
        pending += 1
        if pending == Self.batchSize { flush() }
    }

    /// Applies the queued updates: first touches the first slot of each (independent loads the CPU overlaps),
    /// then updates them in order, so the result is the same as applying them one by one.
    func flush() {
        guard pending > 0 else { return }
        while (storedCount + pending) * 4 > capacity * 3 { grow() }
        let mask = capacity - 1
        var touched: UInt8 = 0
        for j in 0..<pending {
            touched |= slots[Int(truncatingIfNeeded: pendingKeys[j].hashValue64) & mask].key.family
        }
        for j in 0..<pending {
            insert(pendingKeys[j], bytes: pendingBytes[j], mask: mask)
        }
        pending = 0
        touchSink |= touched  // a store the optimizer must keep, and with it the touching loads
    }

    @inline(__always)
    private func insert(_ key: InnerFlowKey, bytes: Int, mask: Int) {
        var i = Int(truncatingIfNeeded: key.hashValue64) & mask
        while true {
            let slot = slots + i
            if slot.pointee.key.family == 0 {
                slot.pointee = Slot(key: key, counters: Counters(packets: 1, bytes: UInt64(bytes)))
                storedCount += 1
                return
            }
            if slot.pointee.key == key {
                slot.pointee.counters.packets &+= 1
                slot.pointee.counters.bytes &+= UInt64(bytes)
                return
            }
            i = (i + 1) & mask
        }
    }

    /// Sum over all flows (a cross-check: equals the packets and bytes that were added).
    var totals: Counters {
        flush()
        var t = Counters()
        for i in 0..<capacity where slots[i].key.family != 0 {
            t.packets &+= slots[i].counters.packets
            t.bytes &+= slots[i].counters.bytes
        }
        return t
    }

    private func grow() {
        let old = slots, oldCapacity = capacity
        capacity *= 2
        slots = Self.allocateSlots(capacity)
        let mask = capacity - 1
        for j in 0..<oldCapacity where old[j].key.family != 0 {
            var i = Int(truncatingIfNeeded: old[j].key.hashValue64) & mask
            while slots[i].key.family != 0 { i = (i + 1) & mask }
            slots[i] = old[j]
        }
        old.deallocate()
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        guard self > 1 else { return 1 }
        return 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
