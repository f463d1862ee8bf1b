import OverlayWire

/// Pairs the tunnel leg of a north/south flow with its untunneled uplink leg: same destination address,
/// port and protocol with a translated source (SNAT, outbound), same source with a translated
/// destination (DNAT, inbound), or the same 5-tuple reversed (one direction tunneled, the other not, as
/// behind a gateway load balancer), starting within a short window. Only recent new flows are remembered, in
/// tables bounded by a capacity, so memory does not grow with the capture.
struct NATCorrelator {
    struct Key: Hashable {
        var address: IPAddress
        /// 0 for ICMP (the echo identifier may be rewritten).
        var port: UInt16
        var proto: UInt8
    }

    struct Candidate {
        var flow: Int32
        /// Nanoseconds since the epoch of the flow's first packet.
        var time: Int64
        var source: Key
        var destination: Key
    }

    private var tunnelByDestination: [Key: Candidate] = [:]
    private var tunnelBySource: [Key: Candidate] = [:]
    private var uplinkByDestination: [Key: Candidate] = [:]
    private var uplinkBySource: [Key: Candidate] = [:]
    /// After a purge that freed nothing, the next one waits until this time (keeps bursts O(1) per flow).
    private var nextPurge: Int64 = .min

    var count: Int { tunnelByDestination.count + tunnelBySource.count + uplinkByDestination.count + uplinkBySource.count }

    /// The recent flow on the other side of the edge that `c` pairs with, if any (`accept` vetoes candidates).
    func match(_ c: Candidate, tunneled: Bool, window: Int64, accept: (Int32) -> Bool) -> Candidate? {
        let (byDestination, bySource) = tunneled ? (uplinkByDestination, uplinkBySource) : (tunnelByDestination, tunnelBySource)
        func ok(_ o: Candidate?) -> Candidate? {
            guard let o, abs(o.time - c.time) <= window, accept(o.flow) else { return nil }
            return o
        }
        if let o = ok(byDestination[c.destination]) { return o }           // SNAT: same destination
        if let o = ok(bySource[c.source]) { return o }                     // DNAT: same source
        // The same 5-tuple the other way round: one direction tunneled, the other not (no NAT).
        if let o = byDestination[c.source], o.source == c.destination { return ok(o) }
        return nil
    }

    /// Forgets a candidate that was paired.
    mutating func consume(_ o: Candidate, tunneled: Bool) { forget(o, tunneled: tunneled) }

    /// Remembers a new flow for later pairing; false when the tables are full of recent flows.
    mutating func remember(_ c: Candidate, tunneled: Bool, window: Int64, capacity: Int) -> Bool {
        if count + 2 > capacity * 2 { purge(now: c.time, window: window) }
        guard count + 2 <= capacity * 2 else { return false }
        if tunneled {
            tunnelByDestination[c.destination] = c
            tunnelBySource[c.source] = c
        } else {
            uplinkByDestination[c.destination] = c
            uplinkBySource[c.source] = c
        }
        return true
    }

    private mutating func forget(_ o: Candidate, tunneled: Bool) {
        if tunneled {
            if tunnelByDestination[o.destination]?.flow == o.flow { tunnelByDestination[o.destination] = nil }
            if tunnelBySource[o.source]?.flow == o.flow { tunnelBySource[o.source] = nil }
        } else {
            if uplinkByDestination[o.destination]?.flow == o.flow { uplinkByDestination[o.destination] = nil }
            if uplinkBySource[o.source]?.flow == o.flow { uplinkBySource[o.source] = nil }
        }
    }

    private mutating func purge(now: Int64, window: Int64) {
        guard now >= nextPurge else { return }
        let before = count
        let cutoff = now - window
        tunnelByDestination = tunnelByDestination.filter { $0.value.time >= cutoff }
        tunnelBySource = tunnelBySource.filter { $0.value.time >= cutoff }
        uplinkByDestination = uplinkByDestination.filter { $0.value.time >= cutoff }
        uplinkBySource = uplinkBySource.filter { $0.value.time >= cutoff }
        if count == before { nextPurge = now + max(1, window / 4) }
    }
}
