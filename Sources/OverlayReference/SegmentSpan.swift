import OverlayTables
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

    /// (VNI, TEP) → member, in the order first seen; `memberIndex` finds one (a seeded multiply hash: the nested
    /// SipHash dictionaries this replaced cost two lookups per touch).
    private var memberKeys: [(vni: UInt32, tep: TEPID)] = []
    private var memberList: [Member] = []
    private var memberIndex = IndexTable(capacity: 1024)
    private var segments: Set<UInt32> = []
    private let hasher = KeyHasher()
    let limit: Int
    /// Segments not tracked because `limit` VNIs were (frames in them are still judged, not their spans).
    private(set) var dropped = 0
    private var last = (vni: UInt32.max, source: TEPID(-1), destination: TEPID(-1), time: Nanos.min)
    /// Candidates for the TEP in every tunnel packet; nil until the first one.
    private var anchors: (TEPID, TEPID)?
    /// Last-seen times are refreshed at most this often per (VNI, TEP pair): the horizon is in seconds.
    static let refresh: Nanos = 1_000_000_000

    init(limit: Int) { self.limit = limit }

    /// `sourceMember`/`destinationMember`: the two members' indices when the caller knows them (-1 otherwise);
    /// set once known.
    @inline(__always)
    mutating func observe(frame: Int, time: Nanos, vni: UInt32, from source: TEPID, to destination: TEPID,
                          sourceMember: inout Int32, destinationMember: inout Int32) {
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
        touch(vni, source, frame, time, &sourceMember)
        touch(vni, destination, frame, time, &destinationMember)
    }

    @inline(__always)
    private func hash(_ vni: UInt32, _ tep: TEPID) -> UInt64 { Self.hash(vni, tep, hasher) }

    @inline(__always)
    private static func hash(_ vni: UInt32, _ tep: TEPID, _ hasher: KeyHasher) -> UInt64 {
        hasher.hash(UInt64(vni) << 32 | UInt64(UInt32(bitPattern: tep)), 0x5E6)
    }

    @inline(__always)
    private mutating func touch(_ vni: UInt32, _ tep: TEPID, _ frame: Int, _ time: Nanos, _ cached: inout Int32) {
        if cached >= 0 {
            memberList[Int(cached)].lastTime = time
            return
        }
        let h = hash(vni, tep)
        if let i = memberIndex.find(h, { memberKeys[Int($0)] == (vni, tep) }) {
            memberList[Int(i)].lastTime = time
            cached = i
        } else if segments.contains(vni) || segments.count < limit {
            segments.insert(vni)
            memberKeys.append((vni, tep))
            memberList.append(Member(firstTime: time, lastTime: time, firstFrame: frame))
            let (hasher, keys) = (hasher, memberKeys)
            memberIndex.insert(h, index: Int32(keys.count - 1)) { Self.hash(keys[Int($0)].vni, keys[Int($0)].tep, hasher) }
            cached = Int32(keys.count - 1)
        } else {
            dropped += 1
        }
    }

    /// Each segment's members, for the end-of-capture rules (built in the order the members were first seen).
    var members: [UInt32: [TEPID: Member]] {
        var out: [UInt32: [TEPID: Member]] = [:]
        for (k, m) in zip(memberKeys, memberList) { out[k.vni, default: [:]][k.tep] = m }
        return out
    }

    /// The TEP every tunnel packet has as an endpoint, when there is exactly one such TEP.
    var anchor: TEPID? {
        guard let (a, b) = anchors else { return nil }
        if a >= 0 && b < 0 { return a }
        if b >= 0 && a < 0 { return b }
        return nil  // none, or a capture of one TEP pair only (either end could be the capture point)
    }
}
