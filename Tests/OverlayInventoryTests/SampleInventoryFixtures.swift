import Foundation
import OverlayInventory
import OverlayWire

/// The reference sample topology as an inventory file, in YAML and in JSON, and the model both must decode to.
enum SampleInventory {
    static let yaml = """
        # The reference sample topology (NSX-flavoured), as in docs/inventory.md.
        teps:
          - {ip: 172.20.11.51, name: esxi-01, role: host}
          - {ip: 172.20.11.52, name: esxi-02, role: host}
          - {ip: 172.20.11.53, name: esxi-03}
          - {ip: 172.20.11.100, name: edge-01, role: edge}
        segments:
          - {vni: 69632, name: web, subnets: [10.1.10.0/24]}
          - {vni: 73728, name: app, subnets: [10.1.20.0/24]}
          - {vni: 71680, name: transit, subnets: [100.64.0.0/31], kind: transit}
        workloads:
          - {name: web-01, mac: "00:50:56:aa:10:11", ips: [10.1.10.11], vni: 69632, tep: 172.20.11.51}
          - {name: web-02, mac: "00:50:56:aa:10:12", ips: [10.1.10.12], vni: 69632, tep: 172.20.11.52}
          - name: app-01
            mac: 00:50:56:aa:20:11
            ips: 10.1.20.11
            vni: 73728
            tep: 172.20.11.53
        routers:
          - name: dr-01
            kind: distributed
            macs: ["02:50:56:56:44:52", "02:50:56:56:44:53"]
            vnis: [69632, 73728, 71680]
        edges:
          - name: edge-01
            tep: 172.20.11.100
            transit_vni: 71680
            uplink_vlan: 100
            snat:
              - {from: 10.1.0.0/16, to: 192.0.2.10}
            sr_mac: "02:50:56:56:44:54"
            uplink_mac: 00:50:56:6b:01:99

        """

    static let json = """
        {
          "teps": [
            {"ip": "172.20.11.51", "name": "esxi-01", "role": "host"},
            {"ip": "172.20.11.52", "name": "esxi-02", "role": "host"},
            {"ip": "172.20.11.53", "name": "esxi-03", "role": "host"},
            {"ip": "172.20.11.100", "name": "edge-01", "role": "edge"}
          ],
          "segments": [
            {"vni": 69632, "name": "web", "subnets": ["10.1.10.0/24"]},
            {"vni": 73728, "name": "app", "subnets": ["10.1.20.0/24"], "kind": "overlay"},
            {"vni": 71680, "name": "transit", "subnets": ["100.64.0.0/31"], "kind": "transit"}
          ],
          "workloads": [
            {"name": "web-01", "mac": "00:50:56:aa:10:11", "ips": ["10.1.10.11"], "vni": 69632, "tep": "172.20.11.51"},
            {"name": "web-02", "mac": "00:50:56:aa:10:12", "ips": ["10.1.10.12"], "vni": 69632, "tep": "172.20.11.52"},
            {"name": "app-01", "mac": "00:50:56:aa:20:11", "ips": ["10.1.20.11"], "vni": 73728, "tep": "172.20.11.53"}
          ],
          "routers": [
            {"name": "dr-01", "kind": "distributed", "macs": ["02:50:56:56:44:52", "02:50:56:56:44:53"],
             "vnis": [69632, 73728, 71680]}
          ],
          "edges": [
            {"name": "edge-01", "tep": "172.20.11.100", "transit_vni": 71680, "uplink_vlan": 100,
             "snat": [{"from": "10.1.0.0/16", "to": "192.0.2.10"}],
             "sr_mac": "02:50:56:56:44:54", "uplink_mac": "00:50:56:6b:01:99"}
          ]
        }
        """

    static let expected = Inventory(
        teps: [
            InventoryTEP(ip: ip("172.20.11.51"), name: "esxi-01", role: .host),
            InventoryTEP(ip: ip("172.20.11.52"), name: "esxi-02", role: .host),
            InventoryTEP(ip: ip("172.20.11.53"), name: "esxi-03", role: .host),
            InventoryTEP(ip: ip("172.20.11.100"), name: "edge-01", role: .edge),
        ],
        segments: [
            InventorySegment(vni: 69632, name: "web", subnets: [prefix("10.1.10.0/24")]),
            InventorySegment(vni: 73728, name: "app", subnets: [prefix("10.1.20.0/24")]),
            InventorySegment(vni: 71680, name: "transit", subnets: [prefix("100.64.0.0/31")], kind: .transit),
        ],
        workloads: [
            InventoryWorkload(name: "web-01", mac: mac("00:50:56:aa:10:11"), ips: [ip("10.1.10.11")], vni: 69632, tep: ip("172.20.11.51")),
            InventoryWorkload(name: "web-02", mac: mac("00:50:56:aa:10:12"), ips: [ip("10.1.10.12")], vni: 69632, tep: ip("172.20.11.52")),
            InventoryWorkload(name: "app-01", mac: mac("00:50:56:aa:20:11"), ips: [ip("10.1.20.11")], vni: 73728, tep: ip("172.20.11.53")),
        ],
        routers: [
            InventoryRouter(
                name: "dr-01", kind: .distributed, macs: [mac("02:50:56:56:44:52"), mac("02:50:56:56:44:53")],
                vnis: [69632, 73728, 71680])
        ],
        edges: [
            InventoryEdge(
                name: "edge-01", tep: ip("172.20.11.100"), transitVNI: 71680, uplinkVLAN: 100,
                snat: [SNATRule(from: prefix("10.1.0.0/16"), to: ip("192.0.2.10"))],
                serviceRouterMAC: mac("02:50:56:56:44:54"), uplinkMAC: mac("00:50:56:6b:01:99"))
        ])
}

// Literal helpers: the fixtures are known-good text, so a parse failure is a bug in the fixture; they fall back
// to values no test expects rather than trapping.
func ip(_ text: String) -> IPAddress { IPAddress(text) ?? .v4(IPv4Address(rawValue: 0)) }
func mac(_ text: String) -> MACAddress { MACAddress(text) ?? .zero }
func prefix(_ text: String) -> IPPrefix { IPPrefix(text) ?? IPPrefix(address: .v4(IPv4Address(rawValue: 0)), length: 32)! }

/// A scratch directory for files the tests write; removed when the value goes away.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("overlay-inventory-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `name` in the directory and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
