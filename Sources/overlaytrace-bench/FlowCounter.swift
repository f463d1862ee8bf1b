/// Packets and bytes per flow in an open-addressing table with linear probing: keys and counters live in
/// two flat buffers the table owns, so an update is one hash, a probe or two and no allocation or ARC traffic.
/// Grows (doubling) at 3/4 load, like `pcapgeneve.c`.
final class FlowCounter {
    struct Counters {
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
    }

    private(set) var count = 0
    private var capacity: Int
    private var keys: UnsafeMutablePointer<InnerFlowKey>
    private var counters: UnsafeMutablePointer<Counters>

    init(initialCapacity: Int = 1 << 16) {
        capacity = max(16, initialCapacity.nextPowerOfTwo)
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: InnerFlowKey(), count: capacity)
        counters = .allocate(capacity: capacity)
        counters.initialize(repeating: Counters(), count: capacity)
    }

    deinit {
        keys.deallocate()
        counters.deallocate()
    }

    @inline(__always)
    func add(_ key: InnerFlowKey, bytes: Int) {
        if (count + 1) * 4 > capacity * 3 { grow() }
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: key.hashValue64) & mask
        while true {
            if keys[i].family == 0 {
                keys[i] = key
                counters[i] = Counters(packets: 1, bytes: UInt64(bytes))
                count += 1
                return
            }
            if keys[i] == key {
                counters[i].packets &+= 1
                counters[i].bytes &+= UInt64(bytes)
                return
            }
            i = (i + 1) & mask
        }
    }

    /// Sum over all flows (a cross-check: equals the packets and bytes that were added).
    var totals: Counters {
        var t = Counters()
        for i in 0..<capacity where keys[i].family != 0 {
            t.packets &+= counters[i].packets
            t.bytes &+= counters[i].bytes
        }
        return t
    }

    private func grow() {
        let oldKeys = keys, oldCounters = counters, oldCapacity = capacity
        capacity *= 2
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: InnerFlowKey(), count: capacity)
        counters = .allocate(capacity: capacity)
        counters.initialize(repeating: Counters(), count: capacity)
        let mask = capacity - 1
        for j in 0..<oldCapacity where oldKeys[j].family != 0 {
            var i = Int(truncatingIfNeeded: oldKeys[j].hashValue64) & mask
            while keys[i].family != 0 { i = (i + 1) & mask }
            keys[i] = oldKeys[j]
            counters[i] = oldCounters[j]
        }
        oldKeys.deallocate()
        oldCounters.deallocate()
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        guard self > 1 else { return 1 }
        return 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
