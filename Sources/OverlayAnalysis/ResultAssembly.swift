import OverlayWire
import OverlayInventory
import OverlayReference

extension OverlayAnalyzer {
    /// Ends the analysis: decides routers, transit segments, subnets and edges, joins and classifies flows,
    /// builds every path, and returns the sorted result. Later calls return the same result; frames
    /// ingested after it are ignored. `threads` ≥ 2 builds the flows on two cores, and the parts that need no
    /// topology (tunnels, BFD) on the second one meanwhile; the result is the same as on one.
    public func finish(files: [String], warnings: [String], threads: Int = 1) -> AnalysisResult {
        if let r = finishedResult { return r }
        // On this thread: the topology reads the reference switch's router MACs, and reading them writes.
        let findings = configuration.validatesWithReferenceSwitch ? reference.finish() : []
        state.foldLegsIntoEndpoints()
        let names = Names(inventory)
        // Only reads the analysis state, as everything below does until the join.
        let independent = threads >= 2 ? SecondThread { self.assembleIndependentParts(names: names) } : nil
        var model = TopologyModel.build(self)
        let groups = groupFlows(model, threads: threads)
        let edgeEvidence = detectEdges(groups, model)
        var roles: [IPAddress: TunnelEndpoint.Role] = [:]
        for (ip, e) in edgeEvidence { roles[ip] = e.role(transit: model.transit) }
        model.refineRouterKinds(self, roles: roles)
        let labels = Labels(names: names, model: model, roles: roles)
        let flowList = assembleFlows(consume groups, model: model, labels: labels, threads: threads)
        let workloads = assembleWorkloads(model: model, labels: labels)
        let tepList = assembleTEPs(roles: roles, edges: edgeEvidence, workloads: workloads, model: model, labels: labels)
        let (tunnelList, bfdList) = independent?.join() ?? assembleIndependentParts(names: names)

        var result = AnalysisResult(
            capture: captureSummary(files: files, warnings: warnings),
            teps: tepList,
            tunnels: tunnelList,
            segments: assembleSegments(model: model, workloads: workloads, flows: flowList, labels: labels),
            endpoints: workloads,
            routers: assembleRouters(model: model, labels: labels),
            edges: assembleEdges(edgeEvidence, roles: roles, names: names),
            flows: flowList,
            bfdSessions: bfdList,
            findings: findings.sorted { ($0.frames.first ?? .max, $0.kind) < ($1.frames.first ?? .max, $1.kind) },
            problems: problems.states.sorted { ($0.frames.first ?? .max, $0.layer.rawValue, $0.code.rawValue) < ($1.frames.first ?? .max, $1.layer.rawValue, $1.code.rawValue) },
            notes: [],
            limits: limits)
        result.notes = notes(result, model: model)
        finishedResult = result
        return result
    }

    /// Tunnels and BFD sessions: they depend on no topology decision.
    private func assembleIndependentParts(names: Names) -> (tunnels: [Tunnel], bfd: [BFDSession]) {
        (assembleTunnels(names: names), assembleBFD(names: names))
    }

    private func captureSummary(files: [String], warnings: [String]) -> CaptureSummary {
        let s = state
        var perFile = s.packetsPerFile
        while perFile.count < files.count { perFile.append(0) }
        let duration = s.firstTime.flatMap { f in s.lastTime.map { $0.seconds(since: f) } } ?? 0
        return CaptureSummary(files: files, packetsPerFile: perFile, packets: s.packets, bytes: s.wireBytes, capturedBytes: s.capturedBytes,
                              tunneledPackets: s.tunneledPackets, first: s.firstTime, last: s.lastTime, duration: duration,
                              linkTypes: s.linkTypes, warnings: warnings)
    }

    private func encapsulations(_ bits: UInt8) -> [TunnelEncapsulation] {
        (bits & 1 != 0 ? [.geneve] : []) + (bits & 2 != 0 ? [.vxlan] : [])
    }

    private func assembleTunnels(names: Names) -> [Tunnel] {
        let limit = configuration.exactSourcePortLimit
        let tunnels = self.tunnels
        let order = tunnels.indices.sorted { a, b in
            let x = tunnels[a].key, y = tunnels[b].key
            return (x.source, x.destination, x.vni, x.encapsulation) < (y.source, y.destination, y.vni, y.encapsulation)
        }
        return order.map { i in
            let t = tunnels[i]
            let spread = t.sourcePorts.distinct(limit: limit)
            return Tunnel(
                source: t.key.source, destination: t.key.destination, vni: t.key.vni, sourceName: names.tep(t.key.source),
                destinationName: names.tep(t.key.destination), encapsulation: t.encapsulation, packets: t.packets, bytes: t.bytes,
                innerFlows: t.innerFlows, sourcePortSpread: spread, sourcePortSpreadSaturated: t.sourcePorts.saturated,
                sourcePortSpreadText: t.sourcePorts.saturated ? "≥\(limit)" : String(spread), outerTTLs: t.ttls.elements,
                dontFragmentPackets: t.dontFragment, fragmentablePackets: t.fragmentable, largestOuterPacket: t.largestOuter,
                largestOuterPacketFrame: t.largestOuterFrame, oamPackets: t.oam, criticalPackets: t.critical,
                options: t.options.map { o in
                    TunnelOptionUse(optionClass: o.optionClass, type: o.type, className: GeneveOptionRegistry.className(o.optionClass),
                                    critical: o.type & 0x80 != 0, packets: o.packets)
                },
                first: t.first, last: t.last)
        }
    }

    private func assembleWorkloads(model: TopologyModel, labels: Labels) -> [Workload] {
        var out: [Workload] = []
        for e in endpoints where !model.isRouter(e.key.mac) {
            let ips = e.ownedIPs.sorted()
            let declared = inventory.workload(mac: e.key.mac)
            var tep: IPAddress?
            var location = Workload.Location.unknown
            if e.tep >= 0 {
                tep = teps[Int(e.tep)].ip
                location = .learned
            } else if e.destinationTEP >= 0 {
                tep = teps[Int(e.destinationTEP)].ip
                location = .destination
            } else if let t = declared?.tep {
                tep = t
                location = .inventory
            }
            let moves = e.moves.map { m in
                WorkloadMove(at: m.at, from: m.from, to: m.to, fromName: labels.names.tep(m.from), toName: labels.names.tep(m.to))
            }
            out.append(Workload(
                mac: e.key.mac, vni: e.key.vni, name: labels.names.workload(mac: e.key.mac, ip: ips.first), ips: ips,
                tep: tep, tepName: tep.flatMap { labels.names.tep($0) }, location: location,
                teps: e.teps.elements.map { teps[Int($0)].ip }, packetsSent: e.packetsSent, bytesSent: e.bytesSent,
                first: e.first.frame > 0 ? e.first : .none, last: e.last, moves: moves, movesNotKept: e.movesNotKept,
                label: labels.workload(mac: e.key.mac, ip: ips.first, showMAC: true)))
        }
        return out.sorted { ($0.vni, $0.mac) < ($1.vni, $1.mac) }
    }

    private func assembleTEPs(roles: [IPAddress: TunnelEndpoint.Role], edges: [IPAddress: EdgeEvidence], workloads: [Workload],
                              model: TopologyModel, labels: Labels) -> [TunnelEndpoint] {
        var vnis: [Int: Set<UInt32>] = [:]
        for t in tunnels {
            vnis[Int(t.sourceTEP), default: []].insert(t.key.vni)
            vnis[Int(t.destinationTEP), default: []].insert(t.key.vni)
        }
        var behind: [IPAddress: Int] = [:]
        for w in workloads where w.location == .learned || w.location == .destination { if let t = w.tep { behind[t, default: 0] += 1 } }
        var routing: [IPAddress: MACAddress] = [:]
        for e in endpoints where e.packetsSent > 0 && model.routers[e.key.mac]?.kind == .distributed {
            for t in e.teps.elements where routing[teps[Int(t)].ip] == nil { routing[teps[Int(t)].ip] = e.key.mac }
        }
        return teps.enumerated().map { i, t in
            let count = behind[t.ip] ?? 0
            var role = roles[t.ip] ?? (count > 0 ? .host : .unknown)
            var reason: String
            if let e = edges[t.ip] {
                reason = e.reasons.joined(separator: "; ")
            } else if count > 0 {
                reason = "\(count) workload\(count == 1 ? "" : "s") sit\(count == 1 ? "s" : "") behind it"
            } else if let mac = routing[t.ip] {
                role = .host
                reason = "distributed router \(mac) routes from it: a hypervisor whose workloads are not in the capture"
            } else {
                reason = "no workload was learned behind it and no outside traffic ends at it"
            }
            if roles[t.ip] == nil, let declared = inventory.tep(t.ip), declared.role == .edge {
                role = .edge
                reason = "declared in the inventory as an edge node"
            }
            return TunnelEndpoint(
                ip: t.ip, name: labels.names.tep(t.ip), macs: t.macs.elements, vnis: (vnis[i] ?? []).sorted(),
                encapsulations: encapsulations(t.encapsulations), txPackets: t.txPackets, txBytes: t.txBytes,
                rxPackets: t.rxPackets, rxBytes: t.rxBytes, first: t.first, last: t.last, role: role, roleReason: reason,
                workloads: count, label: labels.tep(t.ip))
        }.sorted { $0.ip < $1.ip }
    }

    private func assembleSegments(model: TopologyModel, workloads: [Workload], flows flowList: [Flow], labels: Labels) -> [Segment] {
        var tepsByVNI: [UInt32: Set<IPAddress>] = [:]
        for t in tunnels {
            tepsByVNI[t.key.vni, default: []].insert(t.key.source)
            tepsByVNI[t.key.vni, default: []].insert(t.key.destination)
        }
        var macs: [UInt32: [MACAddress]] = [:]
        for w in workloads { macs[w.vni, default: []].append(w.mac) }
        var routerMACs: [UInt32: Set<MACAddress>] = [:]
        for e in endpoints where model.isRouter(e.key.mac) { routerMACs[e.key.vni, default: []].insert(e.key.mac) }
        var flowCount: [UInt32: Int] = [:]
        for f in flowList { for v in f.vnis { flowCount[v, default: 0] += 1 } }
        return segments.map { s in
            let transitReason = model.transit[s.vni]
            return Segment(
                vni: s.vni, name: labels.names.segment(s.vni), kind: transitReason == nil ? .overlay : .transit,
                kindReason: transitReason ?? "", subnets: model.subnets[s.vni] ?? [],
                subnetsDeclared: model.declaredSubnetVNIs.contains(s.vni), teps: (tepsByVNI[s.vni] ?? []).sorted(),
                endpoints: (macs[s.vni] ?? []).sorted(), routerMACs: (routerMACs[s.vni] ?? []).sorted(),
                encapsulations: encapsulations(s.encapsulations), packets: s.packets, bytes: s.bytes,
                flows: flowCount[s.vni] ?? 0, first: s.first, last: s.last,
                label: labels.segment(s.vni, encapsulations(s.encapsulations).first))
        }.sorted { $0.vni < $1.vni }
    }

    private func assembleRouters(model: TopologyModel, labels: Labels) -> [Router] {
        var seen: [MACAddress: (vnis: Set<UInt32>, ips: [IPAddress], teps: Set<IPAddress>)] = [:]
        for e in endpoints where model.isRouter(e.key.mac) {
            var s = seen[e.key.mac] ?? ([], [], [])
            s.vnis.insert(e.key.vni)
            for ip in e.announcedIPs.items where !s.ips.contains(ip) { s.ips.append(ip) }
            for t in e.teps.elements { s.teps.insert(teps[Int(t)].ip) }
            seen[e.key.mac] = s
        }
        return seen.compactMap { mac, s -> Router? in
            guard let evidence = model.routers[mac] else { return nil }
            return Router(mac: mac, name: labels.names.router(mac)?.name, kind: evidence.kind, vnis: s.vnis.sorted(),
                          ips: s.ips.sorted(), teps: s.teps.sorted(), declared: evidence.declared, reasons: evidence.reasons,
                          frames: evidence.frames.sorted(), label: labels.router(mac))
        }.sorted { $0.mac < $1.mac }
    }

    private func assembleEdges(_ evidence: [IPAddress: EdgeEvidence], roles: [IPAddress: TunnelEndpoint.Role], names: Names) -> [Edge] {
        evidence.map { ip, e in
            Edge(tep: ip, name: names.tep(ip), role: roles[ip] ?? .gateway, transitVNIs: e.vnis.sorted(),
                 uplinkVLANs: e.uplinkVLANs.sorted(), translations: e.translations.sorted { ($0.inside, $0.outside) < ($1.inside, $1.outside) }, flows: e.flows, reasons: e.reasons,
                 frames: e.frames.sorted())
        }.sorted { $0.tep < $1.tep }
    }

    private func assembleBFD(names: Names) -> [BFDSession] {
        bfdSessions.map { s in
            var sides = s.sides.compactMap { $0 }
            for i in sides.indices { sides[i].name = names.tep(sides[i].sender) }
            let state = sides.map(\.state).min { $0.rawValue < $1.rawValue } ?? .down
            return BFDSession(endpoints: [s.key.a, s.key.b], names: [names.tep(s.key.a), names.tep(s.key.b)], tunneled: s.key.tunneled,
                              vni: s.vni, state: state, sides: sides, transitions: s.transitions,
                              transitionsNotKept: s.transitionsNotKept, flaps: s.flaps, packets: s.packets, first: s.first, last: s.last)
        }.sorted { ($0.endpoints[0], $0.endpoints[1]) < ($1.endpoints[0], $1.endpoints[1]) }
    }

    /// What the capture cannot show, said plainly, and other caveats.
    private func notes(_ r: AnalysisResult, model: TopologyModel) -> [String] {
        var out: [String] = []
        if r.capture.packets == 0 {
            out.append("The capture holds no packets.")
        } else if r.capture.tunneledPackets == 0 {
            out.append("No Geneve or VXLAN traffic was found: there is no overlay topology to show. Check that the capture was taken on a TEP (underlay) link, and the UDP ports used (6081 Geneve, 4789/8472 VXLAN).")
        }
        if r.capture.tunneledPackets > 0 {
            out.append("Traffic between workloads behind the same TEP (on the same host) is switched or routed inside that host and never crosses the underlay: this capture cannot show it.")
            out.append("A capture on one link sees only the tunnels that cross it; flows between other TEP pairs are missing, not absent.")
        }
        if r.flows.contains(where: { $0.flowClass == .eastWestRouted }) {
            out.append("Distributed routing happens on the source host: routed frames are captured already in the destination VNI with the router MAC as source, so the source VNI and the TTL before routing are inferred.")
        }
        // Counted in place: `filter` would copy every matching flow (paths, legs, evidence) into a new array.
        let oneWay = r.flows.count { $0.tunneled && ($0.forwardPath.isEmpty || $0.reversePath.isEmpty) && $0.protocolName != "arp" && $0.protocolName != "nd" }
        if oneWay > 0 {
            out.append("\(oneWay) flow\(oneWay == 1 ? " was" : "s were") seen in one direction only: the other direction took a path this capture does not see, or was never sent.")
        }
        let untunneled = r.flows.count { !$0.tunneled }
        if untunneled > 0 {
            out.append("\(untunneled) untunneled flow\(untunneled == 1 ? "" : "s") (underlay or uplink traffic) could not be matched to a tunnel leg and are classed unknown.")
        }
        if r.flows.contains(where: { $0.tunneled && $0.legs.contains { $0.tunneled && $0.sourceMAC == nil } }) {
            out.append("Some tunnels carry bare IP packets without an inner Ethernet header (e.g. AWS Gateway Load Balancer, GCP): workload MACs, router MACs and switch learning do not apply to them.")
        }
        if r.flows.contains(where: { $0.flowClass == .northSouth && $0.translation == nil }) {
            out.append("North/south flows whose uplink leg is not in the capture show the overlay side only; add a capture of the edge uplink to see the translated addresses.")
        }
        if r.capture.files.count > 1 {
            out.append("\(r.capture.files.count) capture files were analyzed as one timeline, merged by timestamp; a packet captured on two links is counted once per capture.")
        }
        if !model.hasSubnetKnowledge && r.capture.tunneledPackets > 0 {
            out.append("No segment subnet could be learned or was declared: only public address space is taken for outside addresses, so some north/south flows may show as east/west or unknown.")
        }
        for d in r.limits.descriptions { out.append("Limit reached: \(d).") }
        return out
    }
}
