import OverlayWire
import OverlayInventory

extension OverlayAnalyzer {
    /// Turns flow groups into `Flow` values: class, paths, counters, evidence, remarks; sorted by first frame.
    /// Each group is released once its flow is built (≈ 1.4 KiB per flow of leg records), so the flows can reuse
    /// that memory (on the 10k-flow synth capture the peak drops by ≈ 2 MiB only: malloc reuses a part of it).
    ///
    /// Groups are independent, so with `threads` ≥ 2 the second half of them is built on another core (its own
    /// `Labels`, whose caches are not thread safe) straight into the second half of the result; the flows come
    /// out in the same order, with the same ids, as on one thread.
    func assembleFlows(_ groups: consuming [FlowGroup], model: TopologyModel, labels: Labels, threads: Int) -> [Flow] {
        var groups = groups
        let n = groups.count
        guard n > 0 else { return [] }
        var out = groups.withUnsafeMutableBufferPointer { slots in
            [Flow](unsafeUninitializedCapacity: n) { buffer, count in
                let flows = buffer.baseAddress!
                // Each half builds its flows where its groups start and says how many it built.
                let (head, tail) = SecondThread<(start: Int, built: Int)>.inHalves(count: n, threads: threads) { range in
                    // The second half has its own label caches.
                    let halfLabels = range.lowerBound == 0 ? labels : Labels(names: labels.names, model: model, roles: labels.roles)
                    return (range.lowerBound, self.buildFlows(UnsafeMutableBufferPointer(rebasing: slots[range]),
                                                              into: flows + range.lowerBound, model: model, labels: halfLabels))
                }
                count = head.built
                guard let tail, tail.built > 0 else { return }
                // Close the gap left by empty groups of the first half (a bitwise move, nothing retained).
                if head.built < tail.start { (flows + head.built).moveInitialize(from: flows + tail.start, count: tail.built) }
                count += tail.built
            }
        }
        for i in out.indices { out[i].id = i + 1 }
        return out
    }

    /// Builds the flows of `groups` into uninitialized memory at `output`, releasing each group once built;
    /// returns how many it wrote (empty groups make none).
    func buildFlows(_ groups: UnsafeMutableBufferPointer<FlowGroup>, into output: UnsafeMutablePointer<Flow>, model: TopologyModel,
                    labels: Labels) -> Int {
        let classifier = FlowClassifier(labels: labels)
        var built = 0
        // Class reasons and remarks repeat from flow to flow: one string storage each.
        var texts: Set<String> = []
        func shared(_ text: String) -> String { texts.insert(text).memberAfterInsert }
        for i in groups.indices {
            let g = groups[i]
            groups[i] = FlowGroup.released
            guard !g.legs.isEmpty else { continue }
            let translation = g.uplinkLegs.isEmpty || g.tunneledLegs.isEmpty ? nil : translation(of: g)
            let (flowClass, reason) = classifier.classify(g, translation: translation)
            let builder = PathBuilder(labels: labels, group: g, translation: translation, endpoints: endpoints)
            let forwardPath = builder.path(forward: true)
            let reversePath = builder.path(forward: false)
            var flow = makeFlow(g, flowClass: flowClass, reason: shared(reason), forwardPath: forwardPath, reversePath: reversePath,
                                translation: translation, model: model, labels: labels, builder: builder)
            flow.remarks = flow.remarks.map(shared)
            (output + built).initialize(to: flow)
            built += 1
        }
        return built
    }

    private func makeFlow(_ g: FlowGroup, flowClass: FlowClass, reason: String, forwardPath: [PathHop], reversePath: [PathHop],
                          translation: AddressTranslation?, model: TopologyModel, labels: Labels, builder: PathBuilder) -> Flow {
        // The overlay's view of the endpoints: a forward tunnel leg, else a reverse one mirrored.
        var source: IPAddress?, destination: IPAddress?, sport: UInt16?, dport: UInt16?
        var sourceMAC: MACAddress?, destinationMAC: MACAddress?
        if let l = g.legs.first(where: { $0.tunneled && $0.forward }) ?? g.legs.first(where: \.forward) {
            (source, destination, sport, dport) = (l.source, l.destination, l.sourcePort, l.destinationPort)
            (sourceMAC, destinationMAC) = (l.state.sourceMAC, l.state.destinationMAC)
        } else if let l = g.legs.first(where: \.tunneled) ?? g.legs.first {
            (source, destination, sport, dport) = (l.destination, l.source, l.destinationPort, l.sourcePort)
            (sourceMAC, destinationMAC) = (l.state.destinationMAC, l.state.sourceMAC)
        }
        let anchorKey = flows[g.anchor].key
        let ported = g.kind == .tcp || g.kind == .udp
        let isICMP = g.kind == .icmp || g.kind == .icmpv6
        let protocolName: String
        switch g.kind {
        case .otherIP: protocolName = IPProtocol(rawValue: g.proto).name
        default: protocolName = g.kind.name
        }

        var legs: [FlowLeg] = []
        legs.reserveCapacity(g.legs.count)
        var frames: [Int] = []
        var fileMask: UInt64 = 0
        for l in g.legs {
            frames += l.evidence
            fileMask |= l.state.fileMask
            let keys = l.state.ovn
            legs.append(FlowLeg(
                direction: l.forward ? .forward : .reverse, vni: l.vni, vlan: l.vlan, tunneled: l.tunneled,
                encapsulation: l.tunneled ? l.encapsulation : nil, source: l.source, destination: l.destination,
                sourcePort: ported ? l.sourcePort : nil, destinationPort: ported ? l.destinationPort : nil,
                sourceMAC: l.state.sourceMAC, destinationMAC: l.state.destinationMAC,
                sourceTEPs: l.sourceTEPs, destinationTEPs: l.destinationTEPs, packets: l.state.packets, bytes: l.state.bytes,
                first: l.state.first, last: l.state.last, ttl: l.ttl,
                ttlRange: l.state.hasTTL ? l.state.ttlMin...l.state.ttlMax : nil,
                tcpFlags: g.kind == .tcp ? TCPFlags.text(l.state.tcpFlags) : nil, frames: l.evidence,
                ovn: keys.flatMap { k in l.vni.map { labels.ovn(k, vni: $0) } }))
        }
        // The TEPs crossed, forward path first, each once. Hops are read in place (a `for hop in path` copies each
        // hop with its strings and arrays).
        var tepOrder: [IPAddress] = []
        func cross(_ path: [PathHop]) {
            for i in path.indices where path[i].kind == .tep || path[i].kind == .edgeTEP || path[i].kind == .replication {
                if path[i].teps.isEmpty {
                    if let ip = path[i].ip, !tepOrder.contains(ip) { tepOrder.append(ip) }
                } else {
                    for ip in path[i].teps where !tepOrder.contains(ip) { tepOrder.append(ip) }
                }
            }
        }
        cross(forwardPath)
        cross(reversePath)
        let firstRef = g.legs.map(\.state.first).min() ?? .none
        let lastRef = g.legs.map(\.state.last).max { $0.frame < $1.frame } ?? .none
        let forwardFlags = g.forwardLegs.reduce(UInt16(0)) { $0 | $1.state.tcpFlags }
        let reverseFlags = g.reverseLegs.reduce(UInt16(0)) { $0 | $1.state.tcpFlags }

        var flow = Flow(
            id: 0, protocolName: protocolName, ipProtocol: g.kind == .arp || g.kind == .l2 ? nil : IPProtocol(rawValue: g.proto),
            source: source, destination: destination, sourcePort: ported ? sport : nil, destinationPort: ported ? dport : nil,
            icmpIdentifier: isICMP && anchorKey.portA == anchorKey.portB && anchorKey.portA != 0 ? anchorKey.portA : nil,
            sourceMAC: g.kind == .l2 ? sourceMAC : nil, destinationMAC: g.kind == .l2 ? destinationMAC : nil,
            etherType: g.kind == .l2 ? anchorKey.portA : nil, flowClass: flowClass, classReason: reason,
            tunneled: !g.tunneledLegs.isEmpty, forward: direction(g.forwardLegs), reverse: direction(g.reverseLegs),
            forwardPath: forwardPath, reversePath: reversePath, teps: tepOrder,
            vnis: Self.sortedUnique(g.legs.compactMap(\.vni)), vlans: Self.sortedUnique(g.legs.compactMap(\.vlan)),
            frames: Self.sortedUnique(frames), legs: legs,
            tcpState: g.kind == .tcp ? TCPFlags.state(forward: forwardFlags, reverse: reverseFlags) : nil,
            translation: translation,
            ovn: legs.first(where: { $0.direction == .forward && $0.ovn != nil })?.ovn?.text ?? legs.first { $0.ovn != nil }?.ovn?.text,
            first: firstRef, last: lastRef,
            files: (0..<64).filter { fileMask & (1 << UInt64($0)) != 0 }, remarks: [])
        flow.remarks = remarks(g, flow: flow, labels: labels, builder: builder)
        return flow
    }

    static func sortedUnique<T: Comparable>(_ values: [T]) -> [T] {
        var out = values.sorted()
        var w = 0
        for i in out.indices where w == 0 || out[w - 1] != out[i] {
            out[w] = out[i]
            w += 1
        }
        out.removeLast(out.count - w)
        return out
    }

    private func direction(_ legs: [LegInfo]) -> FlowDirection {
        // Each leg saw the same packets at another point: the largest count is the direction's count.
        guard let head = legs.first else { return FlowDirection(packets: 0, bytes: 0, first: nil, last: nil) }
        var packets = head.state.packets, bytes = head.state.bytes, first = head.state.first, last = head.state.last
        for l in legs.dropFirst() {
            packets = max(packets, l.state.packets)
            bytes = max(bytes, l.state.bytes)
            first = min(first, l.state.first)
            // The first of equal frames, as `max(by:)` keeps.
            if last.frame < l.state.last.frame { last = l.state.last }
        }
        return FlowDirection(packets: packets, bytes: bytes, first: first, last: last)
    }

    private func remarks(_ g: FlowGroup, flow: Flow, labels: Labels, builder: PathBuilder) -> [String] {
        let model = labels.model
        var out: [String] = []
        if g.forwardLegs.isEmpty {
            out.append("only the reverse direction was captured: the first packets went another way or before the capture started")
        } else if g.reverseLegs.isEmpty && !g.isAddressResolution {
            out.append("only one direction was captured: the reply was not sent, or took a path this capture does not see")
        }
        for l in g.tunneledLegs where model.isRouter(l.state.sourceMAC) {
            if let v = builder.sourceVNI(of: l.source, leg: l), let s = l.source {
                if model.workloadByIP[s] != nil {
                    out.append("routed on the source host: source VNI \(v) inferred from where \(s) was learned")
                } else {
                    out.append("routed on the source host: source VNI \(v) inferred from the subnets and inventory")
                }
            } else if let s = l.source, !labels.isExternal(s) {
                out.append("routed on the source host: the segment of \(s) is not in the capture")
            }
        }
        for l in g.tunneledLegs where model.isRouter(l.state.destinationMAC) {
            if let d = l.destination, !labels.isExternal(d) {
                out.append("routed again at the far end: the last hop to \(d) happens inside the receiving host and is not on the underlay")
            }
        }
        if flow.flowClass == .northSouth && g.uplinkLegs.isEmpty {
            out.append("the uplink leg is not in the capture: capture the edge uplink to see the translated addresses")
        }
        for l in g.tunneledLegs where l.sourceTEPs.count > 1 {
            out.append("the \(l.forward ? "forward" : "reverse") direction came from several TEPs: \(l.sourceTEPs.map { "\($0)" }.joined(separator: ", ")) (the source moved)")
        }
        if flow.files.count > 1 {
            out.append("seen in capture files \(flow.files.map { String($0 + 1) }.joined(separator: " and ")): each file counts its own copy")
        }
        var unique: [String] = []
        for r in out where !unique.contains(r) { unique.append(r) }
        return unique
    }
}

/// TCP flag bits as text and the connection state they imply.
enum TCPFlags {
    static func text(_ f: UInt16) -> String {
        var s = ""
        if f & TCPHeader.syn != 0 { s += "S" }
        if f & TCPHeader.fin != 0 { s += "F" }
        if f & TCPHeader.psh != 0 { s += "P" }
        if f & TCPHeader.rst != 0 { s += "R" }
        if f & TCPHeader.urg != 0 { s += "U" }
        if f & TCPHeader.ack != 0 { s += "." }
        return s.isEmpty ? "none" : s
    }

    /// From the union of flags per direction (forward = initiator).
    static func state(forward f: UInt16, reverse r: UInt16) -> TCPState {
        if (f | r) & TCPHeader.rst != 0 { return .reset }
        if f & TCPHeader.fin != 0 && r & TCPHeader.fin != 0 { return .closed }
        guard f & TCPHeader.syn != 0 else { return .midstream }
        guard r & TCPHeader.syn != 0 && r & TCPHeader.ack != 0 else { return .synSent }
        return f & TCPHeader.ack != 0 ? .established : .synReceived
    }
}
