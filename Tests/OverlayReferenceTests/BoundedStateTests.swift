import OverlayReference
import OverlaySynth
import OverlayWire
import Testing

/// Bounded state and hostile input.
@Suite struct BoundedStateTests {
    typealias T = Topology

    @Test func limitsAreCountedNotExceeded() {
        var configuration = ReferenceSwitchConfiguration()
        configuration.maxTrackedMACs = 2
        configuration.maxTrackedFlows = 1
        configuration.maxTrackedSegments = 3
        var c = CaptureScript()
        for i in 0..<6 {
            var w = T.web01
            w.mac = MACAddress(0x00, 0x50, 0x56, 0xaa, 0x30, UInt8(i))
            w.ip = IPv4Address(10, 1, 10, UInt8(100 + i))
            c.tunnel(T.esxi01, T.esxi02, vni: T.web + UInt32(i), Inner.udp(w, T.web02, sport: 53, dport: 5000), after: 2)
        }
        let (model, _) = c.replay(configuration)
        #expect(model.droppedState.untrackedMACs == 4)
        #expect(model.droppedState.untrackedSegments == 6)  // two TEPs in each of three VNIs
        #expect(model.droppedState.untrackedFlows == 5)
        #expect(model.droppedState.summary.contains("4 MACs"))
    }

    /// Every prefix of a tunnel frame, and bytes that are not a frame at all: never a crash.
    @Test func truncatedAndRandomFramesAreSafe() {
        let whole = CaptureScript.tunnelFrame(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: syn, payload: 64),
                                              geneve: .geneve(vni: T.web, options: [.ovn(ingress: 1, egress: 2)]))
        var c = CaptureScript()
        for cut in 0...whole.count { c.add(Array(whole.prefix(cut))) }
        var seed: UInt64 = 0x1234_5678
        for _ in 0..<300 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(seed % 200) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: seed >> 33))
            }
            c.add(bytes)
        }
        let (_, findings) = c.replay()
        // Nothing but header lint can come of it (random bytes never form two directions of a flow).
        #expect(findings.allSatisfy { $0.kind == .header || $0.kind == .mtu }, "\(findings.listing)")
    }

    /// A long steady stream of known unicast: no findings, no growth of tracked state beyond its endpoints.
    @Test func steadyKnownUnicastStaysQuiet() {
        var c = CaptureScript()
        for i in 0..<4000 {
            let id = UInt16(truncatingIfNeeded: i)
            if i % 2 == 0 {
                c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: ack, seq: UInt32(i), ack: 1, id: id), after: 0.000_05)
            } else {
                c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.tcp(T.web02, T.web01, sport: 80, dport: 40000, flags: ack, seq: 1, ack: UInt32(i), id: id), after: 0.000_05)
            }
        }
        let (model, findings) = c.replay()
        #expect(findings.isEmpty, "\(findings.listing)")
        #expect(model.droppedState.isEmpty)
    }
}
