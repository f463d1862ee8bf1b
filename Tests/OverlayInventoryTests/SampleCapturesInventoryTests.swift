import Foundation
import OverlayInventory
import OverlayWire
import Testing

/// `Captures/inventory.yaml` and `Captures/ovn-sb/*.json` are written by OverlaySynth for the README's sample
/// captures; this reader must accept exactly what that writer produces.
@Suite struct SampleCapturesInventoryTests {
    private static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures")

    @Test func sampleInventoryLoads() throws {
        let inventory = try Inventory.load(paths: [Self.captures.appendingPathComponent("inventory.yaml").path])
        #expect(inventory.teps.map(\.name) == ["esxi-01", "esxi-02", "esxi-03", "edge-01", "hv1", "hv2"])
        #expect(inventory.tep(ip("172.20.11.100"))?.role == .edge)
        #expect(inventory.segment(vni: 71680)?.kind == .transit)
        #expect(inventory.segment(vni: 71680)?.name == "transit")
        #expect(inventory.workload(mac: mac("00:50:56:aa:10:12"))?.tep == ip("172.20.11.52"))
        #expect(inventory.isRouterMAC(mac("02:50:56:56:44:52")))
        let edge = try #require(inventory.edge(tep: ip("172.20.11.100")))
        #expect(edge.serviceRouterMAC == mac("02:50:56:56:44:54"))
        #expect(edge.uplinkMAC == mac("00:50:56:6b:01:99"))
        #expect(inventory.isRouterMAC(mac("02:50:56:56:44:54")))
        #expect(inventory.warnings.isEmpty)
    }

    @Test func sampleOVNDumpsLoad() throws {
        let directory = Self.captures.appendingPathComponent("ovn-sb")
        let paths = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
            .sorted().map { directory.appendingPathComponent($0).path }
        #expect(paths.count == 4)
        let inventory = try Inventory.load(paths: paths)
        let port = try #require(inventory.ovnPort(datapathKey: 5, portKey: 2))
        #expect(port.name == "sw0-port2")
        #expect(port.datapathName == "sw0")
        #expect(port.chassis == "hv2")
        #expect(inventory.tep(ip("192.168.50.11"))?.name == "hv1")
        #expect(inventory.workload(ip: ip("10.2.0.11"))?.tep == ip("192.168.50.11"))
        #expect(inventory.ovnMulticastGroupName(datapathKey: 5, key: 32768) == "_MC_flood")
        #expect(inventory.warnings.isEmpty)
    }
}
