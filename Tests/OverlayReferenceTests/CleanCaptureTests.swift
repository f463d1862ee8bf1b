import OverlayInventory
import OverlayReference
import OverlaySynth
import OverlayWire
import Testing

/// Normal overlay behaviour the model must not flag: ARP replicated to every TEP, east-west switching,
/// routing by the distributed router (router MAC behind every TEP), north-south through the edge with
/// different VNIs out and back, OVN-style options, BFD and OAM.
@Suite struct CleanCaptureTests {
    typealias T = Topology

    /// Everything a span of the whole underlay shows for a few healthy conversations.
    static func healthyUnderlay() -> CaptureScript {
        var c = CaptureScript()
        let (w1, w2, a1) = (T.web01, T.web02, T.app01)
        // ARP for web-02, replicated head-end to every other TEP (the edge included), and the reply.
        c.replicate(T.esxi01, to: [T.esxi02, T.esxi03, T.edge01], vni: T.web, Inner.arpRequest(from: w1, for: w2.ip))
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.arpReply(from: w2, to: w1.mac, ip: w1.ip))
        // East-west, same segment.
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(w1, w2, flags: syn, id: 1))
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.tcp(w2, w1, sport: 80, dport: 40000, flags: synAck, seq: 5000, ack: 1001, id: 1))
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(w1, w2, flags: ack, seq: 1001, ack: 5001, id: 2))
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(w1, w2, flags: ack | psh, seq: 1001, ack: 5001, id: 3, payload: 1200))
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.tcp(w2, w1, sport: 80, dport: 40000, flags: ack, seq: 5001, ack: 2201, id: 2))
        // East-west, routed on the source host: destination's VNI, router MAC as source, TTL 63.
        c.tunnel(T.esxi01, T.esxi03, vni: T.app, Inner.tcp(mac: (T.routerMAC, a1.mac), ip: (w1.ip, a1.ip), sport: 40100, dport: 443, flags: syn, ttl: 63, id: 4))
        c.tunnel(T.esxi03, T.esxi01, vni: T.web, Inner.tcp(mac: (T.routerMAC, w1.mac), ip: (a1.ip, w1.ip), sport: 443, dport: 40100, flags: synAck, seq: 9000, ack: 1001, ttl: 63, id: 3))
        c.tunnel(T.esxi01, T.esxi03, vni: T.app, Inner.tcp(mac: (T.routerMAC, a1.mac), ip: (w1.ip, a1.ip), sport: 40100, dport: 443, flags: ack, seq: 1001, ack: 9001, ttl: 63, id: 5))
        // North-south: out over the transit VNI to the edge, back in the segment's VNI.
        c.tunnel(T.esxi01, T.edge01, vni: T.transit, Inner.tcp(mac: (T.transitRouterMAC, T.serviceRouterMAC), ip: (w1.ip, T.outside), sport: 40200, dport: 443, flags: syn, ttl: 63, id: 6))
        c.tunnel(T.edge01, T.esxi01, vni: T.web, Inner.tcp(mac: (T.routerMAC, w1.mac), ip: (T.outside, w1.ip), sport: 443, dport: 40200, flags: synAck, seq: 77, ack: 1001, ttl: 52, id: 900))
        c.tunnel(T.esxi01, T.edge01, vni: T.transit, Inner.tcp(mac: (T.transitRouterMAC, T.serviceRouterMAC), ip: (w1.ip, T.outside), sport: 40200, dport: 443, flags: ack, seq: 1001, ack: 78, ttl: 63, id: 7))
        // app-01 pings the outside: the transit router MAC is now behind a second TEP.
        c.tunnel(T.esxi03, T.edge01, vni: T.transit, Inner.echo(mac: (T.transitRouterMAC, T.serviceRouterMAC), ip: (a1.ip, T.outside), request: true, ttl: 63))
        c.tunnel(T.edge01, T.esxi03, vni: T.app, Inner.echo(mac: (T.routerMAC, a1.mac), ip: (T.outside, a1.ip), request: false, ttl: 52))
        // Tunnel health: BFD inside Geneve with the O bit, and BFD on the underlay itself.
        c.tunnel(T.esxi01, T.esxi02, vni: 0, [.ethernet(src: T.tepMAC(T.esxi01), dst: T.tepMAC(T.esxi02)),
                                               .ipv4(src: T.esxi01, dst: T.esxi02, ttl: 255), .udp(sport: 49200, dport: 3784),
                                               .bfd(state: .up, myDisc: 1, yourDisc: 2)],
                 geneve: .geneve(vni: 0, oam: true))
        c.add(PacketBuilder.build([.ethernet(src: T.tepMAC(T.esxi02), dst: T.gatewayMAC), .ipv4(src: T.esxi02, dst: T.esxi01, ttl: 255),
                                   .udp(sport: 49201, dport: 3784), .bfd(state: .up, myDisc: 2, yourDisc: 1)]))
        // web-02 pings app-01 (routed), and the DR on esxi-01 resolves app-01 in the app segment.
        c.tunnel(T.esxi02, T.esxi03, vni: T.app, Inner.echo(mac: (T.routerMAC, a1.mac), ip: (w2.ip, a1.ip), request: true, id: 9, ttl: 63))
        c.tunnel(T.esxi03, T.esxi02, vni: T.web, Inner.echo(mac: (T.routerMAC, w2.mac), ip: (a1.ip, w2.ip), request: false, id: 9, ttl: 63))
        // Every TEP that took part in the app segment so far gets a copy: esxi-02 and the edge too.
        c.replicate(T.esxi01, to: [T.esxi02, T.esxi03, T.edge01], vni: T.app, Inner.arpRequest(from: a1, for: a1.ip, sourceMAC: T.routerMAC, senderIP: T.appGateway))
        c.tunnel(T.esxi03, T.esxi01, vni: T.app, Inner.arpReply(from: a1, to: T.routerMAC, ip: T.appGateway))
        // OVN-style packets: one critical option (class 0x0102 type 0x80), C bit set.
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(w2, w1, sport: 5353, dport: 53, id: 11),
                 geneve: .geneve(vni: T.web, options: [.ovn(ingress: 2, egress: 1)]))
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(w1, w2, sport: 53, dport: 5353, id: 12),
                 geneve: .geneve(vni: T.web, options: [.ovn(ingress: 1, egress: 2)]))
        // Two seconds later the conversations are still alive (every request had time to be answered).
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(w1, w2, flags: ack, seq: 2201, ack: 5001, id: 13), after: 2)
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.tcp(w2, w1, sport: 80, dport: 40000, flags: ack, seq: 5001, ack: 2201, id: 14))
        return c
    }

    @Test func healthyUnderlayYieldsNoFindings() {
        let (model, findings) = Self.healthyUnderlay().replay()
        #expect(findings.isEmpty, "false positives:\n\(findings.listing)")
        #expect(model.droppedState.isEmpty)
        // The router MACs were recognised from behaviour alone: NSX's DR vMAC, and the transit MAC by its L3 hop.
        #expect(model.routerMACs.isSuperset(of: [T.routerMAC, T.transitRouterMAC]))
        #expect(!model.routerMACs.contains(T.web01.mac) && !model.routerMACs.contains(T.app01.mac))
        #expect(model.edgeTEPs == [.v4(T.edge01)])
        #expect(model.location(of: T.web02.mac, vni: T.web) == .v4(T.esxi02))
    }

    @Test func healthyUnderlayWithInventoryYieldsNoFindings() {
        let (_, findings) = Self.healthyUnderlay().replay(inventory: T.inventory())
        #expect(findings.isEmpty, "false positives:\n\(findings.listing)")
    }

    /// A capture on esxi-01's uplink only: it sees what esxi-01 sends and receives, nothing between others.
    @Test func singleUplinkCaptureYieldsNoFindings() {
        let all = Self.healthyUnderlay()
        var uplink = CaptureScript()
        var previous = all.frames[0].info.timestamp
        for f in all.frames {
            let outer = f.packet.outer
            guard let s = outer.sourceIP, let d = outer.destinationIP, s == .v4(T.esxi01) || d == .v4(T.esxi01) else { continue }
            uplink.add(f.bytes, after: f.info.timestamp.seconds(since: previous))
            previous = f.info.timestamp
        }
        #expect(uplink.count > 10)
        let (_, findings) = uplink.replay()
        #expect(findings.isEmpty, "false positives:\n\(findings.listing)")
    }

    /// Two capture points merged (esxi-01's and esxi-02's uplinks): every packet between them appears twice.
    @Test func twoCapturePointsYieldNoFindings() {
        var c = CaptureScript()
        let (w1, w2) = (T.web01, T.web02)
        for i in 0..<5 {
            let out = Inner.tcp(w1, w2, flags: i == 0 ? syn : ack, seq: 1000 + UInt32(i), ack: i == 0 ? 0 : 5001, id: UInt16(10 + i))
            let back = Inner.tcp(w2, w1, sport: 80, dport: 40000, flags: i == 0 ? synAck : ack, seq: 5000 + UInt32(i), ack: 1001, id: UInt16(20 + i))
            c.tunnel(T.esxi01, T.esxi02, vni: T.web, out)
            c.tunnel(T.esxi01, T.esxi02, vni: T.web, out, after: 0.000_2)  // the same packet at the receiver's uplink
            c.tunnel(T.esxi02, T.esxi01, vni: T.web, back)
            c.tunnel(T.esxi02, T.esxi01, vni: T.web, back, after: 0.000_2)
        }
        let (_, findings) = c.replay()
        #expect(findings.isEmpty, "false positives:\n\(findings.listing)")
    }

    /// A vNIC capture beside the uplink: the packet before the DR (TTL 64, to the router MAC) and after it
    /// (TTL 63, from the router MAC, in the destination VNI) — a correct decrement.
    @Test func routedCopyWithDecrementIsNotFlagged() {
        var c = CaptureScript()
        let (w1, a1) = (T.web01, T.app01)
        c.add(PacketBuilder.build(Inner.tcp(mac: (w1.mac, T.routerMAC), ip: (w1.ip, a1.ip), sport: 40100, dport: 443, flags: syn, ttl: 64, id: 4)))
        c.tunnel(T.esxi01, T.esxi03, vni: T.app, Inner.tcp(mac: (T.routerMAC, a1.mac), ip: (w1.ip, a1.ip), sport: 40100, dport: 443, flags: syn, ttl: 63, id: 4))
        c.tunnel(T.esxi03, T.esxi01, vni: T.web, Inner.tcp(mac: (T.routerMAC, w1.mac), ip: (a1.ip, w1.ip), sport: 443, dport: 40100, flags: synAck, seq: 9, ack: 1001, ttl: 63))
        let (_, findings) = c.replay()
        #expect(findings.isEmpty, "false positives:\n\(findings.listing)")
    }

    /// A VM migrated once (vMotion: RARP-like broadcast from the new host, then traffic): an info finding only.
    @Test func vMotionIsAnInfoMoveNotAFault() {
        var c = CaptureScript()
        let (w1, w2) = (T.web01, T.web02)
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(w2, w1, sport: 5000, dport: 53, id: 1))
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(w1, w2, sport: 53, dport: 5000, id: 2))
        let moved = c.replicate(T.esxi03, to: [T.esxi01, T.esxi02], vni: T.web, Inner.arpRequest(from: w2, for: w2.ip), after: 5)
        // Still in flight to the old host a moment after the announcement.
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(w1, w2, sport: 53, dport: 5000, id: 5), after: 0.000_2)
        c.tunnel(T.esxi03, T.esxi01, vni: T.web, Inner.udp(w2, w1, sport: 5000, dport: 53, id: 3))
        c.tunnel(T.esxi01, T.esxi03, vni: T.web, Inner.udp(w1, w2, sport: 53, dport: 5000, id: 4))
        let (model, findings) = c.replay()
        #expect(findings.map(\.kind) == [.macMove], "\(findings.listing)")
        #expect(findings.first?.severity == .info)
        #expect(findings.first?.frames == [moved[0]])
        #expect(model.location(of: w2.mac, vni: T.web) == .v4(T.esxi03))
    }
}
