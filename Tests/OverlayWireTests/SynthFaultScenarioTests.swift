import OverlaySynth
import OverlayWire
import Testing

@Suite("Fault scenarios")
struct SynthFaultScenarioTests {
    let decoder = PacketDecoder()
    typealias T = SampleTopology

    @Test(arguments: FaultScenario.allCases)
    func citedFramesExistAndOnlyIntendedProblemsAppear(_ scenario: FaultScenario) {
        let c = scenario.build()
        #expect(!c.frames.isEmpty && c.frames.count <= 6)
        #expect(!c.frameNumbers.isEmpty && c.frameNumbers.allSatisfy { (1...c.frames.count).contains($0) })
        #expect(!c.expectedFinding.isEmpty)
        #expect(zip(c.frames, c.frames.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        for (i, frame) in c.frames.enumerated() {
            let problems = decoder.decode(frame.bytes).problems
            if let code = c.decodeProblem, c.frameNumbers.contains(i + 1) {
                #expect(problems.contains { $0.code == code && $0.layer == .geneve }, "\(scenario) frame \(i + 1): \(problems)")
            } else if scenario != .outerFragments {
                #expect(problems.isEmpty, "\(scenario) frame \(i + 1): \(problems)")
            }
        }
    }

    func decode(_ s: FaultScenario) -> [DecodedPacket] { s.build().frames.map { decoder.decode($0.bytes) } }

    @Test func misdeliveryGoesToTheWrongTEP() {
        let p = decode(.misdelivery)
        #expect(p[0].outer.ipv4?.source == T.esxi02.ip && p[0].level(1).ethernet?.source == T.web02.mac)
        #expect(p[1].level(1).ethernet?.destination == T.web02.mac && p[1].outer.ipv4?.destination == T.esxi03.ip)
    }

    @Test func macFlapAndMove() {
        let flap = decode(.macFlap)
        #expect(flap.map { $0.outer.ipv4?.source } == [T.esxi02.ip, T.esxi03.ip, T.esxi02.ip, T.esxi03.ip])
        #expect(flap.allSatisfy { $0.level(1).ethernet?.source == T.web02.mac })
        let move = decode(.macMove)
        let web02Sources = move.filter { $0.level(1).ethernet?.source == T.web02.mac }.map { $0.outer.ipv4?.source }
        #expect(web02Sources == [T.esxi02.ip, T.esxi03.ip, T.esxi03.ip, T.esxi03.ip])
        #expect(move[2].level(1).arp?.isGratuitous == true)
    }

    @Test func vniMismatchAndTTL() {
        let m = decode(.vniMismatch)
        #expect(m.map { $0.outer.tunnel?.vni } == [T.web.vni, T.app.vni])
        #expect(m[1].level(1).ethernet?.source == T.web02.mac && m[1].level(1).ttl == 64)
        let ttl = decode(.ttlChangedWithoutRouter)
        #expect(ttl.map { $0.level(1).ttl } == [64, 64, 63, 64])
        #expect(ttl[2].level(1).ethernet?.source == T.web01.mac)
    }

    @Test func mtuFaults() throws {
        let big = decode(.oversizeOuterPacket)
        #expect(big.allSatisfy { $0.outer.ipv4?.totalLength == 1650 && $0.outer.dontFragment })
        let fragments = decode(.outerFragments)
        #expect(fragments.map { $0.outer.ipv4?.moreFragments } == [true, false])
        #expect(fragments.map { $0.outer.ipv4?.fragmentOffset } == [0, 1480])
        #expect(fragments[0].outer.ipv4?.identification == fragments[1].outer.ipv4?.identification)
        #expect(fragments.allSatisfy { $0.outer.ipv4?.checksumValid == true && !$0.outer.dontFragment })
        let icmp = decode(.fragmentationNeeded)
        let error = try #require(icmp[1].outer.icmp)
        #expect(error.isFragmentationNeeded && error.nextHopMTU == 1500 && error.checksumValid == true)
        #expect(error.quoted?.tunnelVNI == T.web.vni && error.quoted?.totalLength == 1550)
        #expect(error.quoted?.identification == icmp[0].outer.ipv4?.identification)
        #expect(icmp[1].outer.ipv4?.source == T.underlayGatewayIP && icmp[1].outer.ipv4?.destination == T.esxi01.ip)
    }

    @Test func oneWayAndFloodShapes() {
        #expect(decode(.oneWayARP).allSatisfy { $0.level(1).arp?.isRequest == true })
        #expect(decode(.oneWayARP).map { $0.outer.ipv4?.destination } == [T.esxi02.ip, T.esxi03.ip, T.esxi02.ip, T.esxi03.ip, T.esxi02.ip, T.esxi03.ip])
        let syns = decode(.oneWayTCP)
        #expect(syns.allSatisfy { $0.level(1).tcp?.isSYN == true } && Set(syns.map { $0.level(1).tcp?.sequence }).count == 1)
        #expect(decode(.oneWayEcho).map { $0.level(1).icmp?.sequence } == [1, 2, 3])
        let flood = decode(.unknownUnicastFlood)
        #expect(flood.map { $0.outer.ipv4?.destination } == [T.esxi02.ip, T.esxi03.ip])
        #expect(flood.allSatisfy { $0.level(1).ethernet?.destination.isMulticast == false })
        let partial = decode(.incompleteReplication)
        #expect(partial.map { $0.outer.ipv4?.destination } == [T.esxi02.ip, T.esxi03.ip, T.esxi01.ip])
        #expect(partial[2].level(1).ethernet?.destination == .broadcast && partial[2].outer.ipv4?.source == T.esxi02.ip)
    }
}
