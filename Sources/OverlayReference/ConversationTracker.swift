import OverlayWire

/// One-way conversations: requests that draw an answer from a healthy peer.
///
/// - ARP request → ARP reply in the same VNI (sender and target swapped); IPv6 neighbour solicitation →
///   advertisement.
/// - TCP SYN → SYN/ACK, or RST (a refusal is an answer), or any later packet from the responder.
/// - ICMP/ICMPv6 echo request → echo reply with the same identifier and sequence.
///
/// A request is **unanswered** (warning) only when
/// 1. no answer was seen,
/// 2. the capture went on for at least the answer timeout after the conversation's first request, and
/// 3. the capture point could have seen the answer: it shows other tunnel traffic from the responder's TEP
///    back to the requester's TEP, or it shows traffic arriving at the requester's TEP and leaving the
///    responder's (for ARP and neighbour discovery, whose responder is not known in advance: traffic
///    arriving at the requester's TEP).
/// When (3) does not hold the capture may hold one direction only (pktcap-uw's default): the requests are
/// summed up in one info note per requesting TEP instead of one warning per conversation.
///
/// Gratuitous ARP, ARP probes (sender 0.0.0.0) and duplicate-address detection expect no answer and are not
/// tracked. State is bounded: past `maxPendingConversations` requests are counted, not tracked.
struct ConversationTracker {
    private var resolutions: PendingRequests<ResolutionKey>
    private var conversations: PendingRequests<ConversationKey>
    let evidenceLimit: Int
    let findingLimit: Int
    let timeout: Nanos

    init(configuration: ReferenceSwitchConfiguration) {
        resolutions = PendingRequests(limit: configuration.maxPendingConversations)
        conversations = PendingRequests(limit: configuration.maxPendingConversations)
        evidenceLimit = configuration.maxEvidenceFrames
        findingLimit = configuration.maxFindingsPerKind
        timeout = configuration.answerTimeout.nanoseconds
    }

    var dropped: Int { resolutions.dropped + conversations.dropped }

    @inline(__always)
    mutating func observe(frame: Int, time: Nanos, vni: UInt32, from source: TEPID, to destination: TEPID, inner: InnerFrame) {
        if let arp = inner.arp {
            guard let sender = arp.senderIP, let target = arp.targetIP else { return }
            if arp.isRequest, sender.rawValue != 0, sender != target {
                resolutions.request(ResolutionKey(vni: vni, requester: .v4(sender), target: .v4(target)),
                                    frame: frame, time: time, vni: vni, source, destination)
            } else if arp.isReply {
                resolutions.answer(ResolutionKey(vni: vni, requester: .v4(target), target: .v4(sender)), remember: true)
            }
            return
        }
        if let nd = inner.neighborDiscovery, case .v6(let s)? = inner.sourceIP, case .v6(let d)? = inner.destinationIP {
            switch nd {
            case .solicitation(let target) where s != IPv6Address(high: 0, low: 0):
                resolutions.request(ResolutionKey(vni: vni, requester: .v6(s), target: .v6(target)),
                                    frame: frame, time: time, vni: vni, source, destination)
            case .advertisement(let target):
                resolutions.answer(ResolutionKey(vni: vni, requester: .v6(d), target: .v6(target)), remember: true)
            default:
                break
            }
            return
        }
        guard let s = inner.sourceIP, let d = inner.destinationIP else { return }
        if inner.isTCP {
            let isSYN = inner.tcpFlags & TCPHeader.syn != 0 && inner.tcpFlags & TCPHeader.ack == 0
            if isSYN {
                conversations.request(ConversationKey(s, d, inner.sourcePort, inner.destinationPort, .tcp, 0),
                                      frame: frame, time: time, vni: vni, source, destination)
            } else {
                // Anything from the responder answers the SYN; only a SYN/ACK or RST is remembered as an answer
                // that may precede its request.
                let answers = inner.tcpFlags & (TCPHeader.syn | TCPHeader.rst) != 0
                if answers || !conversations.isEmpty {
                    // Most packets of a flow: the key is built only when its bucket holds a pending request.
                    let word = ConversationKey.word(d, s, inner.destinationPort, inner.sourcePort, .tcp, 0)
                    conversations.answer(word: word, remember: answers) {
                        ConversationKey(d, s, inner.destinationPort, inner.sourcePort, .tcp, 0)
                    }
                }
            }
        } else if let echo = inner.echo {
            switch echo {
            case .request(let id, let seq):
                conversations.request(ConversationKey(s, d, id, id, inner.ipProtocol, seq),
                                      frame: frame, time: time, vni: vni, source, destination)
            case .reply(let id, let seq):
                conversations.answer(ConversationKey(d, s, id, id, inner.ipProtocol, seq), remember: true)
            }
        }
    }

    /// Loads the pending-request bucket `observe` reads for a later TCP packet (not a SYN) of `inner`, the common
    /// frame; returns it for a sink.
    @inline(__always)
    func loadAhead(_ inner: InnerFrame) -> Int {
        guard inner.isTCP, let s = inner.sourceIP, let d = inner.destinationIP else { return 0 }
        return conversations.loadAhead(word: ConversationKey.word(d, s, inner.destinationPort, inner.sourcePort, .tcp, 0))
    }

    func findings(end: Nanos, _ v: ModelVerdicts) -> [Finding] {
        var groups: [UnansweredKey: UnansweredGroup] = [:]
        func consider(_ p: PendingRequest, _ key: UnansweredKey) {
            if let i = groups.index(forKey: key) {
                groups.values[i].add(p)
            } else if groups.count < findingLimit * 8 {
                var g = UnansweredGroup(first: p, evidence: Evidence(limit: evidenceLimit))
                g.add(p)
                groups[key] = g
            }
        }
        // In the order of the requests' first frames, not the tables' (hash-seeded) order: which groups fit under
        // the cap, and which frames fill their bounded evidence, must not depend on the process.
        var requests: [(request: PendingRequest, key: UnansweredKey)] = []
        requests.reserveCapacity(resolutions.pending.count + conversations.pending.count)
        for (k, p) in resolutions.pending {
            requests.append((p, UnansweredKey(kind: k.requester.isV4 ? .arp : .neighborDiscovery, source: k.requester, destination: k.target, port: 0)))
        }
        for (k, p) in conversations.pending {
            let kind: UnansweredKey.Kind = k.proto == IPProtocol.tcp.rawValue ? .tcp : .echo
            requests.append((p, UnansweredKey(kind: kind, source: k.source, destination: k.destination, port: kind == .tcp ? k.destinationPort : 0)))
        }
        // A frame opens at most one request, so first frames are distinct and the order total.
        requests.sort { $0.request.frame < $1.request.frame }
        for r in requests { consider(r.request, r.key) }
        var out: [Finding] = []
        var unjudgeable: [TEPID: (evidence: Evidence, requests: Int, responders: Set<TEPID>)] = [:]
        for (key, g) in groups.sorted(by: { $0.value.first.frame < $1.value.first.frame }) {
            let p = g.first
            // The conversation lasted the answer timeout after its first request (a retry is the requester saying
            // it waited in vain).
            guard end - g.firstTime >= timeout else { continue }
            let requester = p.source, responder = p.destination
            let resolution = key.kind == .arp || key.kind == .neighborDiscovery
            let returnVisible = !resolution && v.teps.sawTraffic(from: responder, to: requester)
            let bothEndsVisible = v.completeUnderlayView
                || v.teps.sawTraffic(to: requester) && (resolution || v.teps.sends[Int(responder)])
            guard returnVisible || bothEndsVisible else {
                var u = unjudgeable[requester] ?? (Evidence(limit: evidenceLimit), 0, [])
                for f in g.evidence.frames { u.evidence.add(f) }
                u.requests += g.requests
                if !resolution { u.responders.insert(responder) }
                unjudgeable[requester] = u
                continue
            }
            guard out.count < findingLimit else { continue }
            out.append(finding(key, g, returnVisible: returnVisible, v))
        }
        // Requests whose answers could not have been in the capture: one note per requesting TEP, not a fault.
        for (requester, u) in unjudgeable.sorted(by: { $0.key < $1.key }) {
            let tep = v.naming.tep(v.teps.address(requester))
            out.append(Finding(
                kind: .unanswered, severity: .info,
                message: "\(plural(u.requests, "request")) from \(tep) (ARP, TCP SYN or echo) got no answer, but the capture shows no tunnel traffic arriving at \(tep)\(u.responders.isEmpty ? "" : " or leaving the TEPs that would answer"): it may hold one direction only (pktcap-uw captures one direction unless told otherwise). If it captured both directions, the peers never answered; \(u.evidence.text).",
                expected: "answers, or a capture of both directions to judge",
                observed: "requests only",
                frames: u.evidence.frames))
        }
        return out
    }

    private func finding(_ key: UnansweredKey, _ g: UnansweredGroup, returnVisible: Bool, _ v: ModelVerdicts) -> Finding {
        let p = g.first
        let requester = v.teps.address(p.source), responder = v.teps.address(p.destination)
        let what: String, answer: String
        switch key.kind {
        case .arp: what = "ARP request from \(v.naming.ip(key.source)) for \(key.destination)"; answer = "ARP reply"
        case .neighborDiscovery: what = "Neighbour solicitation from \(v.naming.ip(key.source)) for \(key.destination)"; answer = "neighbour advertisement"
        case .tcp: what = "TCP SYN from \(v.naming.ip(key.source)) to \(v.naming.ip(key.destination)) port \(key.port)"; answer = "SYN/ACK or RST"
        case .echo: what = "ICMP echo request from \(v.naming.ip(key.source)) to \(v.naming.ip(key.destination))"; answer = "echo reply"
        }
        let tries = g.requests > 1 ? "\(g.requests) requests" : g.attempts > 1 ? "\(g.attempts) attempts" : "1 request"
        let reason = returnVisible
            ? "the capture shows other tunnel traffic from \(v.naming.tep(responder)) back to \(v.naming.tep(requester)), the way the answer would come"
            : v.completeUnderlayView ? "the capture is declared to show the whole underlay"
            : "the capture shows tunnel traffic arriving at \(v.naming.tep(requester)), where the answer would arrive"
        return Finding(
            kind: .unanswered, severity: .warning,
            message: "\(what) got no \(answer) (\(tries), \(g.evidence.text)) in \(v.naming.vni(p.vni)). The answer would have been visible: \(reason), and the capture went on for at least \(formatSeconds(Double(timeout) / 1e9)) after the first request.",
            expected: "a \(answer)",
            observed: "no answer (one-way)",
            frames: g.evidence.frames, vni: p.vni)
    }
}

/// Requests waiting for their answer, keyed by what the answer will carry.
struct PendingRequests<Key: Hashable & RequestKey> {
    private(set) var pending: [Key: PendingRequest] = [:]
    /// How many pending keys fall in each bucket of their `word`: an answer whose bucket is empty has no request
    /// to remove, which spares most packets of a long TCP flow the dictionary lookup.
    /// 64Ki buckets: with thousands of one-way requests pending (long one-way TCP flows), 16Ki buckets left about
    /// one answer lookup in four falling in a non-empty bucket and paying a SipHash lookup for nothing.
    private var pendingBuckets: [UInt32] = Array(repeating: 0, count: Self.bucketCount)
    private static var bucketCount: Int { 65536 }
    @inline(__always)
    private static func bucket(_ word: UInt64) -> Int { Int((word >> 1) & UInt64(bucketCount - 1)) }  // bit 0 of a word is always set
    /// Answers seen before their request (merged captures can be skewed): a direct-mapped set of key hashes.
    private var earlyAnswers: [UInt64] = Array(repeating: 0, count: 4096)
    let limit: Int
    private(set) var dropped = 0
    /// Within this gap a second sighting is a copy (replication, a second capture point), not a retry.
    static var retryGap: Nanos { 50_000_000 }

    init(limit: Int) { self.limit = limit }

    var isEmpty: Bool { pending.isEmpty }

    mutating func request(_ key: Key, frame: Int, time: Nanos, vni: UInt32, _ source: TEPID, _ destination: TEPID) {
        let word = key.word
        let bucket = Self.bucket(word)
        if pendingBuckets[bucket] > 0, let i = pending.index(forKey: key) {
            if time - pending.values[i].lastTime > Self.retryGap { pending.values[i].attempts += 1 }
            pending.values[i].frames.add(frame)
            pending.values[i].lastFrame = frame
            pending.values[i].lastTime = time
            return
        }
        if earlyAnswers[Int(word & 4095)] == word { return }
        guard pending.count < limit else {
            dropped += 1
            return
        }
        var request = PendingRequest(frame: frame, lastFrame: frame, time: time, lastTime: time, source: source,
                                     destination: destination, vni: vni)
        request.frames.add(frame)
        pending[key] = request
        pendingBuckets[bucket] += 1
    }

    /// Loads the bucket of `word` for a sink.
    @inline(__always)
    func loadAhead(word: UInt64) -> Int { Int(pendingBuckets[Self.bucket(word)]) }

    /// Removes the request `key` answers; when there is none and `remember`, notes the answer in case its
    /// request comes later in the merged timeline.
    @inline(__always)
    mutating func answer(_ key: Key, remember: Bool) { answer(word: key.word, remember: remember) { key } }

    /// `answer(_:remember:)` for the key `make` builds, whose `word` is `word`: `make` runs only when a
    /// pending request may match.
    @inline(__always)
    mutating func answer(word: UInt64, remember: Bool, _ make: () -> Key) {
        let bucket = Self.bucket(word)
        if pendingBuckets[bucket] > 0, pending.removeValue(forKey: make()) != nil {
            pendingBuckets[bucket] -= 1
        } else if remember {
            earlyAnswers[Int(word & 4095)] = word
        }
    }
}

protocol RequestKey {
    /// A hash for the early-answer set (never 0 for a real key).
    var word: UInt64 { get }
}

struct ResolutionKey: Hashable, RequestKey {
    var vni: UInt32
    var requester: IPAddress
    var target: IPAddress
    var word: UInt64 { mix(mix(UInt64(vni) | 1 << 40, requester.hashWord), target.hashWord) | 1 }
}

struct ConversationKey: Hashable, RequestKey {
    var source: IPAddress
    var destination: IPAddress
    var sourcePort: UInt16
    var destinationPort: UInt16
    var proto: UInt8
    var sequence: UInt16

    init(_ s: IPAddress, _ d: IPAddress, _ sp: UInt16, _ dp: UInt16, _ proto: IPProtocol, _ sequence: UInt16) {
        source = s; destination = d; sourcePort = sp; destinationPort = dp; self.proto = proto.rawValue; self.sequence = sequence
    }
    var word: UInt64 { Self.word(source, destination, sourcePort, destinationPort, IPProtocol(rawValue: proto), sequence) }

    /// The `word` of the key these values make, without making it.
    @inline(__always)
    static func word(_ s: IPAddress, _ d: IPAddress, _ sp: UInt16, _ dp: UInt16, _ proto: IPProtocol, _ sequence: UInt16) -> UInt64 {
        mix(mix(s.hashWord, d.hashWord),
            UInt64(sp) << 40 | UInt64(dp) << 24 | UInt64(proto.rawValue) << 16 | UInt64(sequence)) | 1
    }
}

struct PendingRequest {
    var frame: Int
    var lastFrame: Int
    var time: Nanos
    var lastTime: Nanos
    var source: TEPID
    var destination: TEPID
    var vni: UInt32
    var attempts = 1
    /// The frames of its copies and retries (a few, inline: no allocation per request).
    var frames = FewFrames()
}

/// The frames of one request's copies and retries: the first inline, the others (up to 8 in all) in an
/// array that only a repeated request allocates — a plain SYN answered at once costs nothing.
struct FewFrames {
    private var first = 0
    private var more: [Int] = []
    private(set) var count = 0
    static let limit = 8

    mutating func add(_ frame: Int) {
        if count == 0 { first = frame } else if more.count < Self.limit - 1 { more.append(frame) }
        count += 1
    }

    var listed: [Int] { count == 0 ? [] : [first] + more }
}

struct UnansweredKey: Hashable {
    enum Kind: Hashable { case arp, neighborDiscovery, tcp, echo }
    var kind: Kind
    var source: IPAddress
    var destination: IPAddress
    var port: UInt16
}

struct UnansweredGroup {
    var first: PendingRequest
    var evidence: Evidence
    var requests = 0
    var attempts = 0
    var firstTime: Nanos = .max

    mutating func add(_ p: PendingRequest) {
        requests += 1
        attempts += p.attempts
        firstTime = min(firstTime, p.time)
        if p.frame < first.frame { first = p }
        for f in p.frames.listed { evidence.add(f) }
        if p.frames.count > FewFrames.limit { evidence.add(p.lastFrame) }
    }
}

extension IPAddress {
    var isV4: Bool { if case .v4 = self { return true } else { return false } }
}
