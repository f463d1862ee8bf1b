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

    /// Offers a new flow: returns the peer it pairs with (removing the peer from the tables), or remembers
    /// it. The second value is true when it could not be remembered (tables full of recent flows).
    mutating func offer(_ c: Candidate, tunneled: Bool, window: Int64, capacity: Int,
                        accept: (Int32) -> Bool) -> (peer: Int32?, dropped: Bool) {
        func match(_ table: inout [Key: Candidate], _ key: Key) -> Candidate? {
            guard let other = table[key], abs(other.time - c.time) <= window, accept(other.flow) else { return nil }
            table[key] = nil
            return other
        }
        // The same 5-tuple seen the other way round: one direction tunneled, the other not (no NAT).
        func reverse(_ table: inout [Key: Candidate]) -> Candidate? {
            guard let other = table[c.source], other.source == c.destination else { return nil }
            return match(&table, c.source)
        }
        if tunneled {
            if let o = match(&uplinkByDestination, c.destination) ?? match(&uplinkBySource, c.source) ?? reverse(&uplinkByDestination) {
                forget(o, tunneled: false)
                return (o.flow, false)
            }
        } else {
            if let o = match(&tunnelByDestination, c.destination) ?? match(&tunnelBySource, c.source) ?? reverse(&tunnelByDestination) {
                forget(o, tunneled: true)
                return (o.flow, false)
            }
        }
        if count + 2 > capacity * 2 { purge(now: c.time, window: window) }
        guard count + 2 <= capacity * 2 else { return (nil, true) }
        if tunneled {
            tunnelByDestination[c.destination] = c
            tunnelBySource[c.source] = c
        } else {
            uplinkByDestination[c.destination] = c
            uplinkBySource[c.source] = c
        }
        return (nil, false)
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
