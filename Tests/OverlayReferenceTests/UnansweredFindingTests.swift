import OverlayReference
import OverlayWire
import Testing

/// One-way requests (ConversationTracker).
@Suite struct UnansweredFindingTests {
    typealias T = Topology

    /// Traffic from esxi-02 back to esxi-01, so the capture would show an answer.
    static func returnTraffic(_ c: inout CaptureScript, after gap: Double = 0.001) {
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.udp(T.web02, T.web01, sport: 5000, dport: 53, id: 100), after: gap)
    }

    @Test func synWithoutSynAck() throws {
        var c = CaptureScript()
        Self.returnTraffic(&c)
        let first = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: syn, id: 1))
        let retry = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: syn, id: 2), after: 1)
        Self.returnTraffic(&c, after: 2)
        let (_, findings) = c.replay()
        #expect(findings.map(\.kind) == [.unanswered], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .warning)
        #expect(f.frames == [first, retry])
        #expect(f.message.contains("TCP SYN from 10.1.10.11 to 10.1.10.12 port 80") && f.message.contains("2 attempts"))
        #expect(f.message.contains("back to TEP 172.20.11.51"))
    }

    @Test func echoWithoutReply() throws {
        var c = CaptureScript()
        Self.returnTraffic(&c)
        let request = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.echo(mac: (T.web01.mac, T.web02.mac), ip: (T.web01.ip, T.web02.ip), request: true))
        Self.returnTraffic(&c, after: 2)
        let findings = c.replay().1
        #expect(findings.map(\.kind) == [.unanswered], "\(findings.listing)")
        #expect(findings.first?.frames == [request])
        #expect(findings.first?.message.contains("echo request") == true)
    }

    @Test func arpWithoutReply() throws {
        var c = CaptureScript()
        Self.returnTraffic(&c)
        let copies = c.replicate(T.esxi01, to: [T.esxi02, T.esxi03], vni: T.web, Inner.arpRequest(from: T.web01, for: IPv4Address(10, 1, 10, 77)))
        Self.returnTraffic(&c, after: 2)
        let findings = c.replay().1
        #expect(findings.map(\.kind) == [.unanswered], "\(findings.listing)")
        #expect(findings.first?.frames == copies)
        #expect(findings.first?.message.contains("ARP request from 10.1.10.11 for 10.1.10.77") == true)
    }

    @Test func answeredRequestsAreNotFlagged() {
        var c = CaptureScript()
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: syn, id: 1))
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.tcp(T.web02, T.web01, sport: 80, dport: 40000, flags: TCPHeader.rst | ack, ack: 1001))
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.echo(mac: (T.web01.mac, T.web02.mac), ip: (T.web01.ip, T.web02.ip), request: true))
        c.tunnel(T.esxi02, T.esxi01, vni: T.web, Inner.echo(mac: (T.web02.mac, T.web01.mac), ip: (T.web02.ip, T.web01.ip), request: false))
        Self.returnTraffic(&c, after: 2)
        #expect(c.replay().1.isEmpty)
    }

    /// A capture of esxi-01's transmit side only: the answer could never be in it. One info note, no warning.
    @Test func onlyNotedWhenTheCaptureCannotSeeTheAnswer() throws {
        var c = CaptureScript()
        let a = c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: syn, id: 1))
        let b = c.tunnel(T.esxi01, T.esxi03, vni: T.web, Inner.tcp(T.web01, T.web03, flags: syn, id: 2))
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000), after: 3)
        let findings = c.replay().1
        #expect(findings.map(\.kind) == [.unanswered], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .info)
        #expect(f.frames == [a, b])
        #expect(f.message.contains("one direction only"))
        // Declared as a capture of the whole underlay, the same silence is a fault.
        var whole = ReferenceSwitchConfiguration()
        whole.completeUnderlayView = true
        let judged = c.replay(whole).1
        #expect(judged.map(\.severity) == [.warning, .warning], "\(judged.listing)")
    }

    /// A request in the last moments of the capture may be answered after it ends.
    @Test func notJudgedWhenTheCaptureEndsTooSoon() {
        var c = CaptureScript()
        Self.returnTraffic(&c)
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.tcp(T.web01, T.web02, flags: syn, id: 1))
        Self.returnTraffic(&c, after: 0.2)
        #expect(c.replay().1.isEmpty)
    }

    /// Past the cap on findings per kind, the findings kept are the earliest requests, whatever order the
    /// pending-request table (seeded per process) holds them in: 40 unanswered SYNs to 40 ports, 2 kept.
    @Test func cappedFindingsAreTheEarliest() {
        var c = CaptureScript()
        Self.returnTraffic(&c)
        var syns: [Int] = []
        for i in 0..<40 {
            syns.append(c.tunnel(T.esxi01, T.esxi02, vni: T.web,
                                 Inner.tcp(T.web01, T.web02, sport: 40000, dport: UInt16(1000 + i), flags: syn, id: UInt16(i + 1))))
        }
        Self.returnTraffic(&c, after: 2)
        var capped = ReferenceSwitchConfiguration()
        capped.maxFindingsPerKind = 2
        let findings = c.replay(capped).1
        #expect(findings.map(\.kind) == [.unanswered, .unanswered], "\(findings.listing)")
        #expect(findings.map(\.frames) == [[syns[0]], [syns[1]]])
        // And the same again from a fresh switch (its tables fill in their own order).
        #expect(c.replay(capped).1.map(\.frames) == findings.map(\.frames))
    }
}
