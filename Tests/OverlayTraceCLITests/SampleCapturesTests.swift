import Foundation
import OverlaySynth
import Testing

/// The files in Captures/ are exactly what the generator writes: regenerate them (Captures/README.md) when
/// the generator changes, and this test says so instead of letting them go stale.
@Suite("Captures/ is up to date")
struct SampleCapturesTests {
    static let captures = CLI.repositoryRoot.appendingPathComponent("Captures")

    static let pcaps: [(String, SampleScenario)] = [
        ("overlay-demo.pcap", .demo), ("same-segment.pcap", .sameSegment), ("routed.pcap", .routed),
        ("north-south.pcap", .northSouth), ("ovn-same-segment.pcap", .ovnSameSegment),
    ]

    @Test(arguments: pcaps.map { $0.0 })
    func pcapMatchesTheGenerator(file: String) throws {
        let scenario = try #require(Self.pcaps.first { $0.0 == file }?.1)
        let onDisk = try Data(contentsOf: Self.captures.appendingPathComponent(file))
        let expected = Data(PcapWriter.encode(scenario.frames()))
        #expect(onDisk == expected, "Captures/\(file) is stale: regenerate it (see Captures/README.md)")
    }

    @Test func inventoryMatchesTheGenerator() throws {
        let onDisk = try String(contentsOf: Self.captures.appendingPathComponent("inventory.yaml"), encoding: .utf8)
        #expect(onDisk == SampleTopology.inventoryYAML, "Captures/inventory.yaml is stale")
    }

    @Test func ovnDumpsMatchTheGenerator() throws {
        for file in OVNSampleTopology.southbound.files {
            let onDisk = try String(contentsOf: Self.captures.appendingPathComponent("ovn-sb/\(file.name)"), encoding: .utf8)
            #expect(onDisk == file.contents, "Captures/ovn-sb/\(file.name) is stale")
        }
    }
}
