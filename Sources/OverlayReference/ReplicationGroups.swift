import OverlayWire

/// The copies of one inner frame that one TEP sent in one segment.
struct GroupKey: Hashable, Sendable {
    var source: TEPID
    var vni: UInt32
    var fingerprint: UInt64
}

/// Why the model expected a frame to be replicated, or not.
enum GroupKind {
    /// Broadcast or multicast destination: head-end replication to every TEP of the segment.
    case bum
    /// Unicast to a MAC the model has not learned in this segment.
    case unknownUnicast
    /// Unicast to a known MAC, but (first) sent to a TEP that does not host it.
    case misaddressed(expected: TEPID, expectationObserved: Bool)
}

/// A replication group: one inner frame and the TEPs its copies went to within the replication window.
struct ReplicationGroup {
    var key = GroupKey(source: -1, vni: 0, fingerprint: 0)
    var start: Nanos = 0
    var destinationMAC = MACAddress.zero
    var kind = GroupKind.bum
    var destinations: [TEPID] = []
    var frames: [Int] = []
    var copies = 0
    /// Closed before its window ended because too many groups were open: its copy count is unreliable.
    var closedEarly = false

    static let maxFrames = 8
    static let maxDestinations = 1024

    mutating func add(destination: TEPID, frame: Int) {
        copies += 1
        if frames.count < Self.maxFrames { frames.append(frame) }
        if !destinations.contains(destination), destinations.count < Self.maxDestinations { destinations.append(destination) }
    }
}

/// Open replication groups in arrival order (a ring whose slots keep their storage), so each frame that
/// might be a copy costs one dictionary probe and no allocation once the ring is warm.
///
/// Head-end replication puts all copies of a frame on the wire back to back (microseconds apart); a group
/// stays open for the replication window (10 ms by default) and is judged when it closes.
struct ReplicationGroups {
    private var ring: [ReplicationGroup]
    private var head = 0
    private(set) var openCount = 0
    private var index: [GroupKey: Int] = [:]
    let window: Nanos
    /// Groups closed before their window ended because the ring was full.
    private(set) var closedEarly = 0

    init(capacity: Int, window: Nanos) {
        ring = Array(repeating: ReplicationGroup(), count: max(16, capacity))
        self.window = window
        index.reserveCapacity(max(16, capacity))
    }

    /// Adds a copy to the open group of `key`, if any. Returns false when no such group is open.
    @inline(__always)
    mutating func addToOpenGroup(_ key: GroupKey, destination: TEPID, frame: Int, time: Nanos) -> Bool {
        guard openCount > 0, let slot = index[key], time - ring[slot].start <= window else { return false }
        ring[slot].add(destination: destination, frame: frame)
        return true
    }

    /// Opens a group. When the ring is full the oldest group is closed early; the caller must first drain
    /// `oldestClosable(now:force:)` so that group is judged.
    mutating func open(_ key: GroupKey, kind: GroupKind, destinationMAC: MACAddress, time: Nanos) -> Int {
        precondition(openCount < ring.count, "drain the ring before opening a group")
        let slot = (head + openCount) % ring.count
        ring[slot].key = key
        ring[slot].start = time
        ring[slot].destinationMAC = destinationMAC
        ring[slot].kind = kind
        ring[slot].destinations.removeAll(keepingCapacity: true)
        ring[slot].frames.removeAll(keepingCapacity: true)
        ring[slot].copies = 0
        ring[slot].closedEarly = false
        index[key] = slot
        openCount += 1
        return slot
    }

    mutating func add(slot: Int, destination: TEPID, frame: Int) {
        ring[slot].add(destination: destination, frame: frame)
    }

    var isFull: Bool { openCount == ring.count }

    /// The oldest open group if its window has passed (or `force`), removed from the open set. Its slot stays
    /// readable through `group(_:)` until the next `open`.
    mutating func closeOldest(now: Nanos, force: Bool) -> Int? {
        guard openCount > 0 else { return nil }
        let slot = head
        guard force || now - ring[slot].start > window else { return nil }
        if force && now - ring[slot].start <= window {
            ring[slot].closedEarly = true
            closedEarly += 1
        }
        if index[ring[slot].key] == slot { index[ring[slot].key] = nil }
        head = (head + 1) % ring.count
        openCount -= 1
        return slot
    }

    func group(_ slot: Int) -> ReplicationGroup { ring[slot] }
}
