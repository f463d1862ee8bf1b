import OverlayWire
import OverlaySynth
@testable import OverlayAnalysis

/// The three path classes of the reference topology, frame by frame (frame numbers in comments).
enum Scenario {
    typealias T = Topo

    /// web-01 (esxi-01) ARPs for web-02 (esxi-02), then opens TCP port 80: frames 1–8.
    static func sameSegment(_ feed: Feed) {
        let who = [SynthLayer.ethernet(src: T.web01.mac, dst: .broadcast),
                   .arp(op: 1, senderMAC: T.web01.mac, senderIP: T.web01.ip, targetMAC: .zero, targetIP: T.web02.ip)]
        feed.add(T.geneve(T.esxi01, T.esxi02, vni: T.web, sport: 49_200, who))                               // 1
        feed.add(T.geneve(T.esxi01, T.esxi03, vni: T.web, sport: 49_200, who), after: 0)                     // 2
        feed.add(T.geneve(T.esxi02, T.esxi01, vni: T.web, sport: 49_300, [
            .ethernet(src: T.web02.mac, dst: T.web01.mac),
            .arp(op: 2, senderMAC: T.web02.mac, senderIP: T.web02.ip, targetMAC: T.web01.mac, targetIP: T.web01.ip)]))  // 3
        let out: (UInt16) -> [UInt8] = { flags in
            T.geneve(T.esxi01, T.esxi02, vni: T.web, sport: 51_000,
                     T.tcp(T.web01.mac, T.web02.mac, T.web01.ip, T.web02.ip, sport: 40_000, dport: 80, flags: flags))
        }
        let back: (UInt16) -> [UInt8] = { flags in
            T.geneve(T.esxi02, T.esxi01, vni: T.web, sport: 52_000,
                     T.tcp(T.web02.mac, T.web01.mac, T.web02.ip, T.web01.ip, sport: 80, dport: 40_000, flags: flags))
        }
        feed.add(out(T.syn))        // 4
        feed.add(back(T.synAck))    // 5
        feed.add(out(T.ack))        // 6
        feed.add(out(T.pshAck))     // 7
        feed.add(back(T.pshAck))    // 8
    }

    /// web-01 → app-01:8080, routed on the source host by the distributed router: frames 1–3.
    static func routed(_ feed: Feed) {
        let out: (UInt16) -> [UInt8] = { flags in
            T.geneve(T.esxi01, T.esxi03, vni: T.app, sport: 53_000,
                     T.tcp(T.routerMAC, T.app01.mac, T.web01.ip, T.app01.ip, sport: 40_001, dport: 8080, flags: flags, ttl: 63))
        }
        feed.add(out(T.syn))                                                                          // 1
        feed.add(T.geneve(T.esxi03, T.esxi01, vni: T.web, sport: 54_000,
                          T.tcp(T.routerMAC, T.web01.mac, T.app01.ip, T.web01.ip, sport: 8080, dport: 40_001,
                                flags: T.synAck, ttl: 63)))                                          // 2
        feed.add(out(T.ack))                                                                          // 3
    }

    static func uplink(_ src: MACAddress, _ dst: MACAddress, _ s: IPv4Address, _ d: IPv4Address, sport: UInt16, dport: UInt16,
                       flags: UInt16, ttl: UInt8) -> [UInt8] {
        PacketBuilder.build([.ethernet(src: src, dst: dst), .vlan(id: T.uplinkVLAN),
                             .ipv4(src: s, dst: d, ttl: ttl), .tcp(sport: sport, dport: dport, seq: 1, flags: flags)])
    }

    /// web-02 → 203.0.113.50:443 through edge-01, SNAT to 192.0.2.10 on uplink VLAN 100: frames 1–6.
    static func northSouth(_ feed: Feed) {
        let tunnelOut: (UInt16) -> [UInt8] = { flags in
            T.geneve(T.esxi02, T.edge01, vni: T.transit, sport: 55_000,
                     T.tcp(T.routerTransitMAC, T.serviceRouterMAC, T.web02.ip, T.outsideHost, sport: 40_002, dport: 443,
                           flags: flags, ttl: 63))
        }
        feed.add(tunnelOut(T.syn))                                                                    // 1
        feed.add(uplink(T.edgeUplinkMAC, T.physicalRouterMAC, T.snatAddress, T.outsideHost, sport: 61_000, dport: 443,
                        flags: T.syn, ttl: 62))                                                       // 2
        feed.add(uplink(T.physicalRouterMAC, T.edgeUplinkMAC, T.outsideHost, T.snatAddress, sport: 443, dport: 61_000,
                        flags: T.synAck, ttl: 63))                                                    // 3
        feed.add(T.geneve(T.edge01, T.esxi02, vni: T.web, sport: 56_000,
                          T.tcp(T.routerMAC, T.web02.mac, T.outsideHost, T.web02.ip, sport: 443, dport: 40_002,
                                flags: T.synAck, ttl: 61)))                                          // 4
        feed.add(tunnelOut(T.ack))                                                                    // 5
        feed.add(uplink(T.edgeUplinkMAC, T.physicalRouterMAC, T.snatAddress, T.outsideHost, sport: 61_000, dport: 443,
                        flags: T.ack, ttl: 62), after: 0)                                             // 6
    }
}
