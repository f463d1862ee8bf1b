import OverlayWire

/// MAC mobility, judged per MAC and segment once the capture has ended:
///
/// - **mac-move** (info): the MAC became a source behind another TEP and stayed there — a vMotion or live
///   migration. NSX and OVN update every host's table; nothing is wrong.
/// - **mac-flap** (error): the MAC went back to a TEP it had left, within the flap window (two or more moves
///   in that time): a bridging loop, teaming/bonding misconfiguration, or two hosts claiming one VM.
/// - **duplicate-mac** (error): the flapping locations source *different* IP addresses, so two machines
///   share the MAC and are active at once (a cloned VM, a static MAC typed twice).
/// - **duplicate-mac** (warning): the same MAC is active in two segments at the same time. One vNIC is
///   one segment port; a MAC in two segments is a copy.
///
/// Router MACs never count: a distributed router's MAC sits behind every TEP and in every segment by design.
struct MACMobility {
    let flapWindow: Nanos
    let evidenceLimit: Int

    func findings(_ table: MACTable, _ v: ModelVerdicts) -> [Finding] {
        var out: [Finding] = []
        var segmentsByMAC: [UInt64: [(vni: UInt32, entry: MACEntry)]] = [:]
        for (key, entry) in table.entries where entry.observed {
            let mac = MACAddress(rawValue: key.mac)
            if v.routerMACs.contains(mac) { continue }
            segmentsByMAC[key.mac, default: []].append((key.vni, entry))
            if entry.moveCount > 0 { out.append(mobilityFinding(mac: mac, vni: key.vni, entry: entry, v)) }
        }
        for (mac, segments) in segmentsByMAC where segments.count >= 2 {
            if let f = crossSegmentFinding(mac: MACAddress(rawValue: mac), segments: segments.sorted { $0.vni < $1.vni }, v) {
                out.append(f)
            }
        }
        return out
    }

    private func mobilityFinding(mac: MACAddress, vni: UInt32, entry: MACEntry, _ v: ModelVerdicts) -> Finding {
        let moves = entry.moves
        // The evidence is where the MAC changed TEP (the frames that disagree with the table at that time).
        var evidence = Evidence(limit: evidenceLimit)
        for m in moves { evidence.add(m.frame) }
        // A flap: a move straight back to the TEP just left, within the window.
        var flap: (MACMove, MACMove)?
        for i in moves.indices.dropFirst() where moves[i].to == moves[i - 1].from && moves[i].time - moves[i - 1].time <= flapWindow {
            flap = (moves[i - 1], moves[i])
            break
        }
        let history = moves.prefix(6).map { "\(v.teps.address($0.from)) → \(v.teps.address($0.to)) (frame \($0.frame))" }
            .joined(separator: ", ") + (entry.moveCount > 6 ? ", …" : "")
        guard let (away, back) = flap else {
            let last = v.teps.address(entry.tep)
            return Finding(
                kind: .macMove, severity: .info,
                message: "\(v.naming.mac(mac)) in \(v.naming.vni(vni)) moved \(entry.moveCount == 1 ? "once" : "\(entry.moveCount) times") and then stayed behind \(v.naming.tep(last)): \(history). This is what a VM migration looks like.",
                expected: "a MAC stays behind one TEP, or moves and stays",
                observed: "moved: \(history)",
                frames: evidence.frames, vni: vni)
        }
        let a = v.teps.address(away.from), b = v.teps.address(away.to)
        let pa = entry.presences.first { $0.tep == away.from }, pb = entry.presences.first { $0.tep == away.to }
        if let pa, let pb, let ipA = pa.sourceIP, let ipB = pb.sourceIP, !pa.moreIPs, !pb.moreIPs, ipA != ipB {
            return Finding(
                kind: .duplicateMAC, severity: .error,
                message: "\(mac) in \(v.naming.vni(vni)) is active behind two TEPs at once as two different machines: \(v.naming.ip(ipA)) behind \(v.naming.tep(a)) and \(v.naming.ip(ipB)) behind \(v.naming.tep(b)); frames alternate (\(plural(entry.moveCount, "change")) of location: \(history)).",
                expected: "one MAC, one port behind one TEP",
                observed: "sources \(ipA) behind \(a) and \(ipB) behind \(b), interleaved",
                frames: evidence.frames, vni: vni)
        }
        let seconds = Double(back.time - away.time) / 1e9
        return Finding(
            kind: .macFlap, severity: .error,
            message: "\(v.naming.mac(mac)) in \(v.naming.vni(vni)) flaps between \(v.naming.tep(a)) and \(v.naming.tep(b)): it left \(a) at frame \(away.frame) and was back \(formatSeconds(seconds)) later at frame \(back.frame) (\(plural(entry.moveCount, "move")) in all: \(history)). Look for a loop, a teaming/bonding fault or two hosts claiming the same VM.",
            expected: "the MAC stays behind one TEP (or moves once and stays)",
            observed: "back and forth: \(history)",
            frames: evidence.frames, vni: vni)
    }

    private func crossSegmentFinding(mac: MACAddress, segments: [(vni: UInt32, entry: MACEntry)], _ v: ModelVerdicts) -> Finding? {
        // Only when two segments have it active over the same span of time; a vNIC moved to another segment is not a copy.
        for i in segments.indices {
            for j in segments.indices where j > i {
                let x = segments[i], y = segments[j]
                guard x.entry.firstTime <= y.entry.lastTime, y.entry.firstTime <= x.entry.lastTime else { continue }
                var evidence = Evidence(limit: evidenceLimit)
                evidence.add(x.entry.firstFrame)
                evidence.add(y.entry.firstFrame)
                return Finding(
                    kind: .duplicateMAC, severity: .warning,
                    message: "\(v.naming.mac(mac)) is active in two segments at the same time: \(v.naming.vni(x.vni)) behind \(v.naming.tep(v.teps.address(x.entry.tep))) (from frame \(x.entry.firstFrame)) and \(v.naming.vni(y.vni)) behind \(v.naming.tep(v.teps.address(y.entry.tep))) (from frame \(y.entry.firstFrame)). It is not a router MAC, so two ports share it.",
                    expected: "one MAC in one segment",
                    observed: "active in VNI \(x.vni) and VNI \(y.vni)",
                    frames: evidence.frames, vni: x.vni)
            }
        }
        return nil
    }
}

func formatSeconds(_ s: Double) -> String {
    if s < 0.001 { return "\(Int((s * 1e6).rounded())) µs" }
    if s < 1 { return "\(Int((s * 1e3).rounded())) ms" }
    if s < 120 { return "\((s * 10).rounded() / 10) s" }
    return "\(Int((s / 60).rounded())) min"
}
