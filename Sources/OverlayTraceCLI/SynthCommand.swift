import ArgumentParser
import Foundation
import OverlaySynth

/// `overlaytrace synth`: deterministic overlay captures — the bundled samples, fault cases for trying
/// `validate`, and large realistic captures for benchmarks.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a deterministic sample, fault or large overlay capture.",
        discussion: """
        Samples (--scenario): \(SampleScenario.allCases.map(\.rawValue).joined(separator: ", ")).
        Faults (--fault): \(FaultScenario.allCases.map(\.rawValue).joined(separator: ", ")).
        Large captures: --packets N [--teps 50 --vnis 200 --flows 10000 --seed 8926] (OVN option on ~70% of packets).
        Examples:
          overlaytrace synth --scenario demo --out demo.pcap --inventory-out inventory.yaml
          overlaytrace synth --fault mac-flap --out flap.pcap
          overlaytrace synth --packets 1000000 --out big.pcap
        """
    )

    @Option(name: .long, help: "A sample scenario.")
    var scenario: SampleScenario?

    @Option(name: .long, help: "A fault case (the finding it provokes is printed).")
    var fault: FaultScenario?

    @Option(name: .long, help: "Write a large realistic capture of this many packets.")
    var packets: Int?

    @Option(name: .long, help: "Large capture: number of TEPs.")
    var teps = 50

    @Option(name: .long, help: "Large capture: number of VNIs.")
    var vnis = 200

    @Option(name: .long, help: "Large capture: number of bidirectional inner flows.")
    var flows = 10_000

    @Option(name: .long, help: "Large capture: random seed.")
    var seed: UInt64 = 8926

    @Option(name: .shortAndLong, help: "Output pcap file.")
    var out: String

    @Option(name: .customLong("inventory-out"), help: "Also write the sample topology's inventory (YAML) here.")
    var inventoryOut: String?

    @Option(name: .customLong("ovn-sb-out"), help: "Also write the OVN sample's southbound dumps (JSON, one per table) into this directory.")
    var ovnSouthboundOut: String?

    func validate() throws {
        let chosen = [scenario != nil, fault != nil, packets != nil].filter { $0 }.count
        if chosen != 1 { throw ValidationError("choose exactly one of --scenario, --fault or --packets") }
        if let packets, packets < 1 { throw ValidationError("--packets must be positive") }
        if teps < 2 || vnis < 1 || flows < 1 { throw ValidationError("--teps ≥ 2, --vnis ≥ 1 and --flows ≥ 1") }
    }

    func run() throws {
        do {
            if let scenario {
                try scenario.writePcap(to: out)
                print("wrote \(scenario.frames().count) packets (\(scenario.rawValue)) to \(out)")
            } else if let fault {
                let c = fault.build()
                try PcapWriter.write(c.frames, to: out)
                print("wrote \(c.frames.count) packets (\(fault.rawValue)) to \(out)")
                print("expected: \(c.expectedFinding) (frames \(c.frameNumbers.map(String.init).joined(separator: ", ")))")
            } else if let packets {
                let generator = BigCaptureGenerator(packets: packets, teps: teps, vnis: vnis, flows: flows, seed: seed)
                let s = try generator.write(to: out)
                print("wrote \(s.packets) packets, \(s.bytes) bytes to \(out) (tcp \(s.tcp), udp \(s.udp), icmp \(s.icmp), with OVN option \(s.withOption))")
            }
        } catch {
            throw CommandFailure("cannot write '\(out)': \(error)")
        }
        do {
            if let inventoryOut {
                try writeOutput(SampleTopology.inventoryYAML, to: inventoryOut)
                print("wrote the sample inventory to \(inventoryOut)")
            }
            if let dir = ovnSouthboundOut {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for file in OVNSampleTopology.southbound.files {
                    try writeOutput(file.contents, to: (dir as NSString).appendingPathComponent(file.name))
                }
                print("wrote the OVN southbound dumps to \(dir)")
            }
        } catch {
            if let failure = error as? CommandFailure { throw failure }
            throw CommandFailure("cannot write: \(error.localizedDescription)")
        }
    }
}

extension SampleScenario: ExpressibleByArgument {}
extension FaultScenario: ExpressibleByArgument {}
