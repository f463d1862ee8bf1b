import OverlayInventory
import OverlayWire
import Testing

@Suite struct InventoryMergeTests {
    @Test func laterFilesAdd() throws {
        let dir = try ScratchDirectory()
        let a = try dir.write("a.yaml", """
            segments: [{vni: 69632, name: web, subnets: [10.1.10.0/24]}]
            workloads: [{name: web-01, mac: "00:50:56:aa:10:11"}]
            routers: [{name: dr-01, macs: ["02:50:56:56:44:52"], vnis: [69632]}]
            edges: [{name: edge-01, tep: 172.20.11.100}]
            """)
        let b = try dir.write("b.yaml", """
            segments: [{vni: 69632, name: web, subnets: [10.1.10.0/24, 10.1.11.0/24]}]
            workloads: [{name: web-01, ips: [10.1.10.11], vni: 69632, tep: 172.20.11.51}]
            routers: [{name: dr-01, macs: ["02:50:56:56:44:53"], vnis: [71680]}]
            edges: [{name: edge-01, tep: 172.20.11.100, transit_vni: 71680, snat: [{from: 10.1.0.0/16, to: 192.0.2.10}]}]
            """)
        let merged = try Inventory.load(paths: [a, b])
        #expect(merged.segments == [InventorySegment(vni: 69632, name: "web", subnets: [prefix("10.1.10.0/24"), prefix("10.1.11.0/24")])])
        #expect(merged.workloads == [InventoryWorkload(
            name: "web-01", mac: mac("00:50:56:aa:10:11"), ips: [ip("10.1.10.11")], vni: 69632, tep: ip("172.20.11.51"))])
        #expect(merged.routers.first?.macs == [mac("02:50:56:56:44:52"), mac("02:50:56:56:44:53")])
        #expect(merged.routers.first?.vnis == [69632, 71680])
        #expect(merged.edge(tep: ip("172.20.11.100"))?.transitVNI == 71680)
        #expect(merged.edge(tep: ip("172.20.11.100"))?.snat.count == 1)
        #expect(merged.workload(ip: ip("10.1.10.11"))?.mac == mac("00:50:56:aa:10:11"))
    }

    @Test func sameTEPWithTwoNamesNamesBothFilesAndNames() throws {
        let dir = try ScratchDirectory()
        let a = try dir.write("a.yaml", "teps: [{ip: 172.20.11.51, name: esxi-01}]\n")
        let b = try dir.write("b.yaml", "teps: [{ip: 172.20.11.51, name: esxi-1}]\n")
        let error = try #require(throws: InventoryError.self) { try Inventory.load(paths: [a, b]) }
        #expect(error.code == .conflict)
        #expect(error.file == b)
        #expect(error.description == "\(b): TEP 172.20.11.51 is 'esxi-01' (host) in \(a) but 'esxi-1' (host) in \(b)")
    }

    @Test func conflictInsideOneFile() throws {
        let error = try #require(throws: InventoryError.self) {
            try Inventory.parse("segments: [{vni: 5, name: web}, {vni: 5, name: app}]", source: "one.yaml")
        }
        #expect(error.message == "VNI 5 is 'web' and also 'app' in one.yaml")
    }

    @Test func otherConflicts() throws {
        func conflict(_ text: String) throws -> String {
            let error = try #require(throws: InventoryError.self) { try Inventory.parse(text, source: "x.yaml") }
            #expect(error.code == .conflict)
            return error.message
        }
        #expect(try conflict("segments: [{vni: 5, name: t}, {vni: 5, name: t, kind: transit}]")
            == "VNI 5 (t) is overlay and also transit in x.yaml")
        #expect(try conflict("workloads: [{name: w, mac: '00:00:00:00:00:01'}, {name: w, mac: '00:00:00:00:00:02'}]")
            == "workload w mac is 00:00:00:00:00:01 and also 00:00:00:00:00:02 in x.yaml")
        #expect(try conflict("routers: [{name: r}, {name: r, kind: gateway}]") == "router r is distributed and also gateway in x.yaml")
        #expect(try conflict("edges: [{name: e1, tep: 10.0.0.1}, {name: e2, tep: 10.0.0.1}]")
            == "edge TEP 10.0.0.1 is 'e1' and also 'e2' in x.yaml")
        #expect(try conflict("edges: [{name: e, tep: 10.0.0.1, uplink_vlan: 100}, {name: e, tep: 10.0.0.1, uplink_vlan: 200}]")
            == "edge e uplink_vlan is 100 and also 200 in x.yaml")
        #expect(try conflict("edges: [{name: e, tep: 10.0.0.1, sr_mac: '02:00:00:00:00:01'}, {name: e, tep: 10.0.0.1, sr_mac: '02:00:00:00:00:02'}]")
            == "edge e sr_mac is 02:00:00:00:00:01 and also 02:00:00:00:00:02 in x.yaml")
    }

    @Test func sharedAddressesAreAnsweredOnlyWithTheirVNI() throws {
        let inventory = try Inventory.parse(
            """
            workloads:
              - {name: tenant-a-db, mac: "fa:16:3e:00:00:05", ips: [10.0.0.5], vni: 100}
              - {name: tenant-b-db, mac: "fa:16:3e:00:00:06", ips: [10.0.0.5], vni: 200}
            """, source: "tenants.yaml")
        #expect(inventory.workload(ip: ip("10.0.0.5")) == nil)
        #expect(inventory.workload(ip: ip("10.0.0.5"), vni: 100)?.name == "tenant-a-db")
        #expect(inventory.workload(ip: ip("10.0.0.5"), vni: 200)?.name == "tenant-b-db")
        #expect(inventory.workload(mac: mac("fa:16:3e:00:00:06"))?.name == "tenant-b-db")
        #expect(inventory.workload(mac: mac("fa:16:3e:00:00:06"), vni: 200)?.name == "tenant-b-db")
        #expect(inventory.warnings == ["several workloads share IP 10.0.0.5: they are named only when the VNI is known"])
    }

    @Test func identicalEntriesFromTwoFilesAreNotAConflict() throws {
        let dir = try ScratchDirectory()
        let a = try dir.write("a.yaml", SampleInventory.yaml)
        let b = try dir.write("b.json", SampleInventory.json)
        #expect(try Inventory.load(paths: [a, b]) == SampleInventory.expected)
    }
}
