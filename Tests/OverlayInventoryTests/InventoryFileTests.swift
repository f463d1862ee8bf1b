import Foundation
import OverlayInventory
import OverlayWire
import Testing

@Suite struct InventoryFileTests {
    @Test func yamlSampleTopologyDecodesToTheModel() throws {
        let dir = try ScratchDirectory()
        let inventory = try Inventory.load(paths: [try dir.write("sample.yaml", SampleInventory.yaml)])
        #expect(inventory == SampleInventory.expected)
        #expect(inventory.warnings.isEmpty)
    }

    @Test func jsonSampleTopologyDecodesToTheSameModel() throws {
        let dir = try ScratchDirectory()
        let inventory = try Inventory.load(paths: [try dir.write("sample.json", SampleInventory.json)])
        #expect(inventory == SampleInventory.expected)
    }

    @Test func writtenTextReadsBackToTheSameInventory() throws {
        let text = try SampleInventory.expected.inventoryFileText()
        #expect(text.contains("\"00:50:56:aa:10:11\""))  // MACs quoted for YAML 1.1 readers
        let again = try Inventory.parse(text, source: "written.yaml")
        #expect(again == SampleInventory.expected)
    }

    @Test func lookupsOnTheSampleTopology() throws {
        let inventory = try Inventory.parse(SampleInventory.yaml, source: "sample.yaml")
        #expect(inventory.tep(ip("172.20.11.52"))?.name == "esxi-02")
        #expect(inventory.tep(ip("172.20.11.100"))?.role == .edge)
        #expect(inventory.tep(ip("172.20.11.99")) == nil)
        #expect(inventory.segment(vni: 71680)?.kind == .transit)
        #expect(inventory.segment(vni: 69632)?.name == "web")
        #expect(inventory.workload(mac: mac("00:50:56:aa:20:11"))?.name == "app-01")
        #expect(inventory.workload(ip: ip("10.1.10.12"))?.tep == ip("172.20.11.52"))
        #expect(inventory.workload(ip: ip("10.1.10.12"), vni: 69632)?.name == "web-02")
        #expect(inventory.workload(ip: ip("10.1.10.12"), vni: 73728) == nil)
        #expect(inventory.isRouterMAC(mac("02:50:56:56:44:52")))
        #expect(inventory.isRouterMAC(mac("02:50:56:56:44:54")))
        #expect(!inventory.isRouterMAC(mac("00:50:56:aa:10:11")))
        let edge = try #require(inventory.edge(tep: ip("172.20.11.100")))
        #expect(edge.snat.first?.from.contains(ip("10.1.20.11")) == true)
        #expect(edge.snat.first?.to == ip("192.0.2.10"))
        #expect(inventory.edge(tep: ip("172.20.11.51")) == nil)
        #expect(!inventory.isEmpty)
    }

    @Test func emptyInventory() throws {
        let empty = Inventory()
        #expect(empty.isEmpty)
        #expect(empty.tep(ip("172.20.11.51")) == nil)
        #expect(!empty.isRouterMAC(mac("02:50:56:56:44:52")))
        #expect(try Inventory.parse("# nothing yet\n", source: "empty.yaml").isEmpty)
        #expect(try Inventory.parse("teps: []\nsegments:\n", source: "empty.yaml").isEmpty)
    }

    @Test func indexesFollowAssignments() {
        var inventory = Inventory()
        inventory.teps.append(InventoryTEP(ip: ip("172.20.11.51"), name: "esxi-01"))
        inventory.routers = [InventoryRouter(name: "dr", macs: [mac("02:50:56:56:44:52")])]
        inventory.ovnPorts = [InventoryOVNPort(datapathKey: 5, portKey: 2, name: "vm2-port")]
        #expect(inventory.tep(ip("172.20.11.51"))?.name == "esxi-01")
        #expect(inventory.isRouterMAC(mac("02:50:56:56:44:52")))
        #expect(inventory.ovnPort(datapathKey: 5, portKey: 2)?.name == "vm2-port")
        inventory.teps.removeAll()
        #expect(inventory.tep(ip("172.20.11.51")) == nil)
    }

    @Test func optionalKeysHaveDefaults() throws {
        let inventory = try Inventory.parse(
            """
            teps: [{ip: 172.20.11.51}]
            segments: [{vni: "0x11000"}]
            workloads: [{name: lonely, ips: 10.1.10.99}]
            """, source: "defaults.yaml")
        #expect(inventory.teps == [InventoryTEP(ip: ip("172.20.11.51"), name: "172.20.11.51", role: .host)])
        #expect(inventory.segments == [InventorySegment(vni: 69632, name: "VNI 69632", subnets: [], kind: .overlay)])
        #expect(inventory.workloads == [InventoryWorkload(name: "lonely", ips: [ip("10.1.10.99")])])
    }

    // MARK: - Errors

    private func loadError(_ text: String, file: String = "inv.yaml") throws -> InventoryError {
        let dir = try ScratchDirectory()
        let path = try dir.write(file, text)
        let error = try #require(throws: InventoryError.self) { try Inventory.load(paths: [path]) }
        #expect(error.file == path)
        #expect(error.description.hasPrefix(path + ":"))
        return error
    }

    @Test func unknownKeyIsNamedWithItsLineAndASuggestion() throws {
        let error = try loadError(
            """
            teps:
              - {ip: 172.20.11.51, name: esxi-01}
              - {ip: 172.20.11.52, nmae: esxi-02}
            """)
        #expect(error.code == .unknownKey)
        #expect(error.line == 3)
        #expect(error.message == "teps[1]: unknown key 'nmae' (did you mean 'name'?); allowed keys: ip, name, role")
    }

    @Test func unknownTopLevelKey() throws {
        let error = try loadError("segment:\n  - {vni: 69632, name: web}\n")
        #expect(error.code == .unknownKey)
        #expect(error.line == 1)
        #expect(error.message.contains("top level: unknown key 'segment' (did you mean 'segments'?)"))
    }

    @Test func unknownKeyInJSON() throws {
        let error = try loadError(
            """
            {"edges": [{"name": "edge-01", "tep": "172.20.11.100",
                        "snat": [{"from": "10.1.0.0/16", "too": "192.0.2.10"}]}]}
            """, file: "inv.json")
        #expect(error.code == .unknownKey)
        #expect(error.line == 2)
        #expect(error.message.hasPrefix("snat[0]: unknown key 'too'"))
    }

    @Test func badIPNamesTheEntryAndTheValue() throws {
        let error = try loadError(
            """
            workloads:
              - {name: web-01, mac: "00:50:56:aa:10:11", ips: [10.1.10.11, 10.1.10.300]}
            """)
        #expect(error.code == .invalidValue)
        #expect(error.line == 2)
        #expect(error.message == "workloads[0] (web-01): ips \"10.1.10.300\" is not an IPv4 or IPv6 address")
    }

    @Test func badTEPIP() throws {
        let error = try loadError("teps:\n  - {ip: 172.20.11, name: esxi-01}\n")
        #expect(error.message == "teps[0] (esxi-01): ip \"172.20.11\" is not an IPv4 or IPv6 address")
        #expect(error.line == 2)
    }

    @Test func badMACNamesTheEntryAndTheValue() throws {
        let error = try loadError(
            """
            workloads:
              - name: web-01
                mac: "00:50:56:aa:10:1g"
            """)
        #expect(error.code == .invalidValue)
        #expect(error.line == 3)
        #expect(error.message == "workloads[0] (web-01): mac \"00:50:56:aa:10:1g\" is not a MAC address (expected aa:bb:cc:dd:ee:ff)")
    }

    @Test func vniTooLarge() throws {
        let error = try loadError("segments:\n  - {vni: 16777216, name: web}\n")
        #expect(error.code == .invalidValue)
        #expect(error.line == 2)
        #expect(error.message == "segments[0] (web): vni \"16777216\" is not a VNI (0…16777215, 24 bits)")
        // The largest VNI is fine.
        #expect(try Inventory.parse("segments: [{vni: 16777215}]", source: "x").segment(vni: 16_777_215) != nil)
    }

    @Test func transitVNITooLargeOnAnEdge() throws {
        let error = try loadError("edges: [{name: edge-01, tep: 172.20.11.100, transit_vni: 99999999}]\n", file: "e.yaml")
        #expect(error.message == "edges[0] (edge-01): transit_vni \"99999999\" is not a VNI (0…16777215, 24 bits)")
    }

    @Test func badValuesOfOtherKinds() throws {
        #expect(try loadError("teps: [{ip: 10.0.0.1, role: hypervisor}]").message
            == "teps[0]: role \"hypervisor\" is not one of: host, edge")
        #expect(try loadError("segments: [{vni: 5, subnets: [10.1.10.0/33]}]").message
            == "segments[0]: subnets \"10.1.10.0/33\" is not an IP prefix (expected e.g. 10.1.10.0/24)")
        #expect(try loadError("edges: [{name: e, tep: 10.0.0.1, uplink_vlan: 5000}]").message
            == "edges[0] (e): uplink_vlan \"5000\" is not a VLAN ID (0…4095)")
        #expect(try loadError("routers: [{name: dr, macs: {a: b}}]").message == "routers[0] (dr): macs must be a list, found a mapping")
        #expect(try loadError("teps: {ip: 10.0.0.1}").message == "top level: teps must be a list, found a mapping")
    }

    @Test func missingRequiredKeys() throws {
        let noIP = try loadError("teps:\n  - {name: esxi-01}\n")
        #expect(noIP.code == .missingKey)
        #expect(noIP.message == "teps[0] (esxi-01): missing required key 'ip'")
        let noAddress = try loadError("workloads:\n  - {name: web-01, vni: 69632}\n")
        #expect(noAddress.code == .missingKey)
        #expect(noAddress.message == "workloads[0] (web-01): needs 'mac' or 'ips' to be recognisable in a capture")
    }

    @Test func missingFile() throws {
        let dir = try ScratchDirectory()
        let path = dir.url.appendingPathComponent("nope.yaml").path
        let error = try #require(throws: InventoryError.self) { try Inventory.load(paths: [path]) }
        #expect(error.code == .unreadable)
        #expect(error.description == "\(path): no such file")
    }

    @Test func directoryIsNotAnInventory() throws {
        let dir = try ScratchDirectory()
        let error = try #require(throws: InventoryError.self) { try Inventory.load(paths: [dir.url.path]) }
        #expect(error.code == .unreadable)
        #expect(error.message == "is a directory, not an inventory file")
    }

    @Test func notYAML() throws {
        let error = try loadError("teps:\n  - {ip: 172.20.11.51, name: esxi-01\nsegments: []\n")
        #expect(error.code == .syntax)
        #expect(error.line == 3)
        #expect(error.message == "not a valid YAML or JSON inventory: did not find expected ',' or '}' "
            + "(while parsing a flow mapping that starts at line 2)")
    }

    @Test func brokenJSONIsASyntaxErrorWithALine() throws {
        let error = try loadError("{\"teps\": [\n  {\"ip\": \"10.0.0.1\",, \"name\": \"x\"}\n]}\n", file: "inv.json")
        #expect(error.code == .syntax)
        #expect(error.line == 2)
    }

    @Test func scalarDocumentIsNotAnInventory() throws {
        let error = try loadError("just some words\n")
        #expect(error.code == .invalidValue)
        #expect(error.message.hasPrefix("expected a mapping with keys teps, segments, workloads, routers, edges"))
    }

    @Test func duplicateKeyIsASyntaxError() throws {
        let error = try loadError("teps:\n  - {ip: 10.0.0.1, name: a, name: b}\n")
        #expect(error.code == .syntax)
        #expect(error.message.contains("duplicate key 'name'"))
    }

    @Test func binaryFileIsUnreadable() throws {
        let dir = try ScratchDirectory()
        // A pcap file header: not UTF-8.
        let path = try dir.write("capture.pcap", bytes: [0xD4, 0xC3, 0xB2, 0xA1, 0x02, 0x00, 0x04, 0x00, 0xFF, 0xFE])
        let error = try #require(throws: InventoryError.self) { try Inventory.load(paths: [path]) }
        #expect(error.code == .unreadable)
        #expect(error.message.contains("not UTF-8 text"))
    }
}

/// docs/inventory.md must show what the code reads: its YAML and JSON examples are the sample topology.
@Suite struct InventoryDocumentationTests {
    private func codeBlocks(_ language: String) throws -> [String] {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/inventory.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        return text.components(separatedBy: "```\(language)\n").dropFirst().compactMap {
            $0.components(separatedBy: "\n```").first
        }
    }

    @Test func yamlExampleIsTheSampleTopology() throws {
        let yaml = try #require(try codeBlocks("yaml").first)
        #expect(try Inventory.parse(yaml, source: "docs/inventory.md") == SampleInventory.expected)
    }

    @Test func jsonExampleIsTheSampleTopology() throws {
        let json = try #require(try codeBlocks("json").first)
        #expect(try Inventory.parse(json, source: "docs/inventory.md") == SampleInventory.expected)
    }
}
