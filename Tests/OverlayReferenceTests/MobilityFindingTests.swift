import OverlayReference
import OverlayWire
import Testing

/// MAC moves, flaps and duplicates (MACMobility).
@Suite struct MobilityFindingTests {
    typealias T = Topology

    @Test func backAndForthIsAFlap() throws {
        var c = CaptureScript()
        var frames: [Int] = []
        for (i, tep) in [T.esxi02, T.esxi03, T.esxi02, T.esxi03].enumerated() {
            frames.append(c.tunnel(tep, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53, id: UInt16(i)), after: 0.1))
        }
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.macFlap], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .error)
        #expect(f.frames == Array(frames.dropFirst()))  // the moves
        #expect(f.message.contains("flaps between TEP 172.20.11.52 and TEP 172.20.11.53"))
        #expect(f.message.contains("3 moves"))
    }

    @Test func twoMachinesBehindTwoTEPsAreADuplicateMAC() throws {
        var c = CaptureScript()
        var clone = T.web02
        clone.ip = IPv4Address(10, 1, 10, 99)
        var frames: [Int] = []
        for i in 0..<3 {
            frames.append(c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53, id: UInt16(i))))
            frames.append(c.tunnel(T.esxi03, T.esxi01, vni: T.web, Inner.udp(clone, T.web01, sport: 6000, dport: 53, id: UInt16(i))))
        }
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.duplicateMAC], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .error)
        #expect(f.frames == Array(frames.dropFirst()))
        #expect(f.message.contains("10.1.10.12") && f.message.contains("10.1.10.99"))
    }

    @Test func sameMACActiveInTwoSegmentsIsADuplicate() throws {
        var c = CaptureScript()
        var inApp = T.web02
        inApp.ip = IPv4Address(10, 1, 20, 99)
        let first = c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53))
        let second = c.tunnel(T.esxi03, T.esxi01, vni: T.app, Inner.udp(inApp, T.app01, sport: 5000, dport: 53))
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53, id: 2))
        c.tunnel(T.esxi03, T.esxi01, vni: T.app, Inner.udp(inApp, T.app01, sport: 5000, dport: 53, id: 2))
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.duplicateMAC], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .warning)
        #expect(f.frames == [first, second])
        #expect(f.message.contains("two segments"))
    }

    /// A move back after the flap window is two migrations, not a flap.
    @Test func movesFarApartAreMovesNotFlaps() throws {
        var c = CaptureScript()
        let a = c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53, id: 1))
        let b = c.tunnel(T.esxi03, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53, id: 2), after: 30)
        let d = c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53, id: 3), after: 120)
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.macMove], "\(findings.listing)")
        #expect(findings.first?.severity == .info)
        #expect(findings.first?.frames == [b, d])
        _ = a
    }
}
