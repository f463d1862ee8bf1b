import Foundation
import OverlayInventory
import OverlayReference
import OverlaySynth
import OverlayWire
import Testing

/// OverlaySynth's sample captures (healthy) and fault cases, replayed through the reference switch.
@Suite struct SynthScenarioTests {
    static func replay(_ frames: [SynthFrame], _ configuration: ReferenceSwitchConfiguration = .init(),
                       inventory: Inventory? = nil) -> [Finding] {
        let model = ReferenceSwitch(configuration: configuration, inventory: inventory)
        let decoder = PacketDecoder()
        for (i, f) in frames.enumerated() {
            let info = FrameInfo(number: i + 1, timestamp: f.timestamp, capturedLength: f.bytes.count, wireLength: f.wireLength,
                                 linkType: .ethernet)
            model.observe(frame: info, packet: decoder.decode(f.bytes, wireLength: f.wireLength))
        }
        return model.finish()
    }

    /// The sample topology's inventory (NSX part built in code: main's YAML schema is still settling) plus the
    /// OVN sample's southbound dump, read the way `--inventory` reads it.
    static func inventory() throws -> Inventory {
        var inventory = Topology.inventory(workloads: [Topology.web01, Topology.web02, Topology.app01])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reference-ovn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for file in OVNSampleTopology.southbound.files {
            let url = dir.appendingPathComponent(file.name)
            try Data(file.contents.utf8).write(to: url)
            paths.append(url.path)
        }
        let ovn = try Inventory.load(paths: paths)
        inventory.teps += ovn.teps
        inventory.segments += ovn.segments
        inventory.workloads += ovn.workloads
        inventory.routers += ovn.routers
        inventory.ovnPorts += ovn.ovnPorts
        return inventory
    }

    @Test(arguments: SampleScenario.allCases)
    func sampleCapturesYieldNoFindings(_ scenario: SampleScenario) throws {
        let inventory = try Self.inventory()
        #expect(!inventory.isEmpty)
        let frames = scenario.frames()
        let bare = Self.replay(frames)
        #expect(bare.isEmpty, "\(scenario.rawValue), no inventory:\n\(bare.listing)")
        let declared = Self.replay(frames, inventory: inventory)
        #expect(declared.isEmpty, "\(scenario.rawValue), with inventory:\n\(declared.listing)")
    }

    static func kind(of fault: FaultScenario) -> Finding.Kind {
        switch fault {
        case .misdelivery: return .misdelivery
        case .macFlap: return .macFlap
        case .macMove: return .macMove
        case .vniMismatch: return .vniMismatch
        case .oversizeOuterPacket, .outerFragments, .fragmentationNeeded: return .mtu
        case .geneveReservedBits, .geneveCriticalFlagMismatch, .geneveUnknownCriticalOption, .geneveVersion,
             .geneveUnknownProtocolType, .geneveOptionOverrun: return .header
        case .oneWayARP, .oneWayTCP, .oneWayEcho: return .unanswered
        case .unknownUnicastFlood: return .unknownUnicastFlood
        case .incompleteReplication: return .incompleteReplication
        case .ttlChangedWithoutRouter: return .ttl
        }
    }

    /// Each fault case yields its finding on exactly the frames the case names, and nothing else.
    @Test(arguments: FaultScenario.allCases)
    func faultCasesYieldTheirFinding(_ fault: FaultScenario) {
        let c = fault.build()
        var configuration = ReferenceSwitchConfiguration()
        // The incomplete-replication case is a capture of the whole underlay: esxi-02's copy to esxi-03 would
        // not pass esxi-01's uplink, where every other frame of it could have been captured.
        configuration.completeUnderlayView = fault == .incompleteReplication
        let findings = Self.replay(c.frames, configuration)
        let expected = Self.kind(of: fault)
        #expect(findings.count == 1, "\(fault.rawValue): \(c.expectedFinding)\n\(findings.listing)")
        #expect(findings.first?.kind == expected, "\(fault.rawValue)\n\(findings.listing)")
        #expect(findings.first?.frames == c.frameNumbers, "\(fault.rawValue): \(c.expectedFinding)\n\(findings.listing)")
    }

    /// Without being told, the model does not judge replication it cannot see from the capture point.
    @Test func incompleteReplicationNeedsAViewOfTheCopies() {
        let findings = Self.replay(FaultScenario.incompleteReplication.build().frames)
        #expect(findings.isEmpty, "\(findings.listing)")
    }
}
