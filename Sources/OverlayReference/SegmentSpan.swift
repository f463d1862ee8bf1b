import OverlayWire

/// Which TEPs take part in each segment, as the capture shows it: every TEP that sends or receives tunnel
/// packets in the VNI (other than OAM). NSX realises a segment on every transport node of its span (the
/// distributed router makes every host take part), and a BUM frame is owed to each of them.
///
/// Also which single TEP, if any, is an endpoint of every tunnel packet: the capture point is then that
/// TEP's uplink, where everything it sends is visible and nothing between two other TEPs is.
struct SegmentSpan {
    struct Member {
        var firstTime: Nanos
        var lastTime: Nanos
        var firstFrame: Int
    }

    private(set) var members: [UInt32: [TEPID: Member]] = [:]
    let limit: Int
    /// Segments not tracked because `limit` VNIs were (frames in them are still judged, not their spans).
    private(set) var dropped = 0
    private var last = (vni: UInt32.max, source: TEPID(-1), destination: TEPID(-1), time: Nanos.min)
    /// Candidates for the TEP in every tunnel packet; nil until the first one.
    private var anchors: (TEPID, TEPID)?
    /// Last-seen times are refreshed at most this often per (VNI, TEP pair): the horizon is in seconds.
    static let refresh: Nanos = 1_000_000_000

    init(limit: Int) { self.limit = limit }

    @inline(__always)
    mutating func observe(frame: Int, time: Nanos, vni: UInt32, from source: TEPID, to destination: TEPID) {
        if let (a, b) = anchors {
            let keepA = a == source || a == destination, keepB = b == source || b == destination
            anchors = (keepA ? a : -1, keepB ? b : -1)
        } else {
            anchors = (source, destination)
        }
        // Both directions of a TEP pair refresh the same two members: one cache entry serves them.
        let (low, high) = source < destination ? (source, destination) : (destination, source)
        if vni == last.vni, low == last.source, high == last.destination, time - last.time < Self.refresh { return }
        last = (vni, low, high, time)
        touch(vni, source, frame, time)
        touch(vni, destination, frame, time)
    }

    private mutating func touch(_ vni: UInt32, _ tep: TEPID, _ frame: Int, _ time: Nanos) {
        if members[vni] != nil || members.count < limit {
            // The default-value subscripts mutate the stored inner dictionary in place; optional chaining
            // (`members[vni]?[tep]?.lastTime = …`) copied it on every packet (about ten allocations each).
            members[vni, default: [:]][tep, default: Member(firstTime: time, lastTime: time, firstFrame: frame)].lastTime = time
        } else {
            dropped += 1
        }
    }

    /// The TEP every tunnel packet has as an endpoint, when there is exactly one such TEP.
    var anchor: TEPID? {
        guard let (a, b) = anchors else { return nil }
        if a >= 0 && b < 0 { return a }
        if b >= 0 && a < 0 { return b }
        return nil  // none, or a capture of one TEP pair only (either end could be the capture point)
    }
}
