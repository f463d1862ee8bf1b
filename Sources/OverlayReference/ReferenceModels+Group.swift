import OverlayTables
import OverlayWire

/// What the group path works out for one frame before replaying it: the values `ReferenceModels.observe` would
/// compute first (handed over, not computed twice), and where its lookups will land (loaded ahead).
struct PreparedPacket {
    /// `inner` and `fingerprint` hold the frame's inner frame and its `packetFingerprint`.
    var hasInner = false
    var inner = InnerFrame()
    var fingerprint: UInt64 = 0
    /// The outer TEPs' ids when both were known before the group (-1: `observe` interns them); `shapeHash` is
    /// then the hash of the frame's shape key.
    var source: TEPID = -1
    var destination: TEPID = -1
    var shapeHash: UInt64 = 0
    /// The shape record the lookup will most likely end on (-1: none).
    var shapeCandidate: Int32 = -1
}

extension ReferenceModels {
    /// Frames per group: enough misses in flight to overlap, few enough that the lines loaded for the first frame
    /// are still in cache when it is replayed.
    static let groupLimit = 32

    /// Replays `count` (≤ `groupLimit`) frames in capture order with the same result as `observe(frame:packet:)`
    /// for each. First, for the whole group, the values the common path (a Geneve frame with decoder summaries)
    /// computes before its first lookup, then the memory its lookups will touch, one table level at a time: the
    /// loads of different frames are independent, so their cache misses overlap where one frame at a time waits
    /// for each in turn. Only reads happen ahead: the frames' effects still come in order.
    mutating func observe(frames: UnsafePointer<FrameInfo>, packets: UnsafeMutablePointer<DecodedPacket>, count: Int,
                          prepared: UnsafeMutablePointer<PreparedPacket>) {
        loadPackets(packets, count)
        // Each packet is used in its slot, passed `inout` (by address): a borrowed argument read through the
        // pointer would be copied first, retaining its arrays.
        for i in 0..<count {
            prepare(&packets[i], into: &prepared[i])
        }
        loadAhead(prepared, count)
        for i in 0..<count {
            observe(frame: frames[i], packet: &packets[i], prepared: prepared + i)
        }
    }

    /// The common path's inner frame, fingerprint, TEP ids and shape hash, exactly as `observe` computes them
    /// (read-only: a TEP not known yet is left to `observe`'s `intern`).
    @inline(__always)
    private func prepare(_ packet: inout DecodedPacket, into p: inout PreparedPacket) {
        p.hasInner = false
        p.source = -1
        p.shapeCandidate = -1
        guard let s0 = packet.summary(level: 0), s0.hasTunnel, s0.hasIP, !s0.tunnelOAM, let s1 = packet.summary(level: 1) else { return }
        p.inner = InnerFrame(s1, packet: packet)
        p.hasInner = true
        p.fingerprint = p.inner.packetFingerprint
        guard let source = teps.id(of: s0.sourceIP), let destination = teps.id(of: s0.destinationIP) else { return }
        p.source = source
        p.destination = destination
        p.shapeHash = shapes.hash(PacketShapeCache.key(vni: s0.tunnelVNI, from: source, to: destination, p.inner))
    }

    /// Loads the lines of the group's packets (in the pipeline, last written by the decoding core: a miss per line),
    /// all at once so their misses overlap, before `prepare` reads their summaries.
    private mutating func loadPackets(_ packets: UnsafeMutablePointer<DecodedPacket>, _ count: Int) {
        var sink = 0
        for i in 0..<count {
            sink &+= Int(truncatingIfNeeded: CacheLines.touch(packets + i, count: MemoryLayout<DecodedPacket>.size))
        }
        loadAheadSink = sink
    }

    /// Loads what the group's lookups will read: the shape index slots, the TTL cache's tag and slot, the
    /// recent-delivery slot and the pending-request bucket of each frame, then the shape records the slots point at.
    private mutating func loadAhead(_ prepared: UnsafeMutablePointer<PreparedPacket>, _ count: Int) {
        var sink = 0
        for i in 0..<count where prepared[i].hasInner {
            let fingerprint = prepared[i].fingerprint
            sink &+= ttl.loadAhead(fingerprint: fingerprint)
            sink &+= logicalSwitch.loadAhead(copyFingerprint: prepared[i].inner.copyFingerprint(fingerprint))
            sink &+= conversations.loadAhead(prepared[i].inner)
            if prepared[i].source >= 0 {
                let candidate = shapes.candidate(prepared[i].shapeHash)
                prepared[i].shapeCandidate = candidate
            }
        }
        for i in 0..<count where prepared[i].shapeCandidate >= 0 {
            sink &+= shapes.loadRecord(prepared[i].shapeCandidate)
        }
        loadAheadSink = sink
    }
}
