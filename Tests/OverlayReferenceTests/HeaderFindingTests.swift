import OverlayReference
import OverlaySynth
import OverlayWire
import Testing

/// Geneve rules of RFC 8926 applied to the decoder's problems (GeneveRules).
@Suite struct HeaderFindingTests {
    typealias T = Topology

    static func one(_ geneve: SynthLayer) -> (ReferenceSwitch, [Finding]) {
        var c = CaptureScript()
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000), after: 0.001, geneve: geneve)
        c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000, id: 2))
        return c.replay()
    }

    @Test func unknownCriticalOptionMustBeDropped() throws {
        let vmwareCritical = SynthGeneveOption(optionClass: 0x0104, type: 0x81, data: [0, 0, 0, 1])
        let (model, findings) = Self.one(.geneve(vni: T.web, options: [vmwareCritical]))
        #expect(findings.map(\.kind) == [.header], "\(findings.listing)")
        let f = try #require(findings.first)
        #expect(f.severity == .error)
        #expect(f.frames == [1])
        #expect(f.message.contains("a receiver must drop this packet"))
        // The dropped packet taught the model nothing; the next one did.
        #expect(model.location(of: T.web01.mac, vni: T.web) == .v4(T.esxi01))
    }

    @Test func unknownVersionMustBeDropped() throws {
        let (model, findings) = Self.one(.geneve(vni: T.web, version: 1))
        #expect(findings.map(\.kind) == [.header], "\(findings.listing)")
        #expect(findings.first?.severity == .error)
        #expect(findings.first?.frames == [1])
        #expect(findings.first?.message.contains("RFC 8926 §3.4") == true)
        #expect(model.location(of: T.web01.mac, vni: T.web) == .v4(T.esxi01))
    }

    @Test func reservedBitsAreLint() throws {
        let (_, findings) = Self.one(.geneve(vni: T.web, reservedFlags: 0x04))
        #expect(findings.map(\.kind) == [.header], "\(findings.listing)")
        #expect(findings.first?.severity == .warning)
        #expect(findings.first?.frames == [1])
        #expect(findings.first?.message.contains("reserved") == true)
    }

    @Test func criticalFlagWithoutCriticalOptionIsLint() throws {
        let (_, findings) = Self.one(.geneve(vni: T.web, critical: true))
        #expect(findings.map(\.kind) == [.header], "\(findings.listing)")
        #expect(findings.first?.severity == .warning)
        #expect(findings.first?.message.contains("C flag") == true)
    }

    @Test func criticalOptionWithoutTheCFlagIsLint() throws {
        let (_, findings) = Self.one(.geneve(vni: T.web, critical: false, options: [.ovn(ingress: 1, egress: 2)]))
        #expect(findings.map(\.kind) == [.header], "\(findings.listing)")
        #expect(findings.first?.severity == .warning)
    }

    @Test func protocolTypeNoEndpointDelivers() throws {
        var c = CaptureScript()
        let f = c.tunnel(T.esxi01, T.esxi02, vni: T.web, [.payload([1, 2, 3, 4])], geneve: .geneve(vni: T.web, protocolType: EtherType(rawValue: 0x1234)))
        let findings = c.replay().1
        #expect(findings.map(\.kind) == [.header], "\(findings.listing)")
        #expect(findings.first?.severity == .warning)
        #expect(findings.first?.frames == [f])
        #expect(findings.first?.message.contains("0x1234") == true)
    }

    /// Every frame counts; the list stops at 8 and the message gives the total.
    @Test func evidenceIsBoundedAndCounted() throws {
        var c = CaptureScript()
        for i in 0..<20 {
            c.tunnel(T.esxi01, T.esxi02, vni: T.web, Inner.udp(T.web01, T.web02, sport: 53, dport: 5000, id: UInt16(i)),
                     geneve: .geneve(vni: T.web, reservedFlags: 0x01))
        }
        let f = try #require(c.replay().1.first)
        #expect(f.frames == Array(1...8))
        #expect(f.message.contains("20 packets") && f.message.contains("20 frames (first 8"))
    }
}
