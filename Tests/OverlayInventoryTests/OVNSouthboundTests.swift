import Foundation
import OverlayInventory
import OverlayWire
import Testing

@Suite struct OVNSouthboundTests {
    /// The five tables in five files, as `ovn-sbctl --format=json list <Table> > file` leaves them.
    private func loadSeparateFiles() throws -> Inventory {
        let dir = try ScratchDirectory()
        let paths = [
            try dir.write("dp.json", OVNDump.datapathBinding), try dir.write("pb.json", OVNDump.portBinding),
            try dir.write("chassis.json", OVNDump.chassis), try dir.write("encap.json", OVNDump.encap),
            try dir.write("mcast.json", OVNDump.multicastGroup),
        ]
        return try Inventory.load(paths: paths)
    }

    @Test func vmPortResolvesByDatapathAndPortKey() throws {
        let inventory = try loadSeparateFiles()
        let port = try #require(inventory.ovnPort(datapathKey: 5, portKey: 2))
        #expect(port.name == "vm2-port")
        #expect(port.datapathName == "ls-web")
        #expect(port.chassis == "compute-2.example.net")
        #expect(port.mac == mac("fa:16:3e:11:22:33"))
        #expect(port.ips == [ip("10.0.0.5")])
        #expect(port.type == "")
        #expect(!port.isRouterPort)
        #expect(inventory.ovnPort(datapathKey: 5, portKey: 99) == nil)
        #expect(inventory.ovnPort(datapathKey: 6, portKey: 2)?.name == "ls-app-lr0")
    }

    @Test func dualStackPortAndName2Fallback() throws {
        let port = try #require(try loadSeparateFiles().ovnPort(datapathKey: 6, portKey: 1))
        #expect(port.name == "vm3-port")
        #expect(port.datapathName == "ls-app")  // external_ids has only name2
        #expect(port.ips == [ip("10.0.1.5"), ip("fd00:1::5")])
        #expect(port.chassis == "compute-1.example.net")
    }

    @Test func routerSidePortsAreKeptAndSayWhatTheyAre() throws {
        let inventory = try loadSeparateFiles()
        let patch = try #require(inventory.ovnPort(datapathKey: 5, portKey: 3))
        #expect(patch.name == "ls-web-lr0")
        #expect(patch.type == "patch")
        #expect(patch.isRouterPort)
        #expect(patch.mac == nil)  // "router": the MAC is the peer's
        let redirect = try #require(inventory.ovnPort(datapathKey: 3, portKey: 4))
        #expect(redirect.name == "cr-lrp-ext")
        #expect(redirect.type == "chassisredirect")
        #expect(redirect.isRouterPort)
        #expect(redirect.datapathName == "lr0")
        #expect(redirect.chassis == "gateway-1.example.net")
        #expect(redirect.ips == [ip("172.24.4.10")])
        let lrp = try #require(inventory.ovnPort(datapathKey: 3, portKey: 2))
        #expect(lrp.name == "lrp-app")
        #expect(lrp.ips == [ip("10.0.1.1"), ip("fd00:1::1")])
        #expect(inventory.ovnPort(datapathKey: 7, portKey: 2)?.type == "localnet")
    }

    @Test func chassisEncapsBecomeTEPsNamedByHostname() throws {
        let inventory = try loadSeparateFiles()
        #expect(inventory.teps == [
            InventoryTEP(ip: ip("192.168.100.11"), name: "compute-1.example.net", role: .host),
            InventoryTEP(ip: ip("192.168.100.12"), name: "compute-2.example.net", role: .host),  // geneve + vxlan: one TEP
            InventoryTEP(ip: ip("192.168.100.21"), name: "gateway-1.example.net", role: .edge),
        ])
        let edge = try #require(inventory.edge(tep: ip("192.168.100.21")))
        #expect(edge.name == "gateway-1.example.net")
        #expect(edge.transitVNI == 3)  // redirected traffic rides lr0's datapath key
        #expect(inventory.edges.count == 1)
    }

    @Test func datapathsBecomeSegmentsAndRouters() throws {
        let inventory = try loadSeparateFiles()
        #expect(inventory.segments == [
            InventorySegment(vni: 3, name: "lr0", subnets: [], kind: .transit),
            InventorySegment(vni: 5, name: "ls-web", subnets: [prefix("10.0.0.0/24")]),
            InventorySegment(vni: 6, name: "ls-app", subnets: [prefix("10.0.1.0/24"), prefix("fd00:1::/64")]),
            InventorySegment(vni: 7, name: "ext", subnets: [prefix("172.24.4.0/24")]),
        ])
        #expect(inventory.routers == [
            InventoryRouter(
                name: "lr0", kind: .distributed,
                macs: [mac("fa:16:3e:00:00:01"), mac("fa:16:3e:00:00:02"), mac("fa:16:3e:00:00:10")], vnis: [3, 5, 6, 7])
        ])
        #expect(inventory.isRouterMAC(mac("fa:16:3e:00:00:02")))
        #expect(!inventory.isRouterMAC(mac("fa:16:3e:11:22:33")))
    }

    @Test func vifPortsBecomeWorkloadsBehindTheirChassisTEP() throws {
        let inventory = try loadSeparateFiles()
        #expect(inventory.workloads.map(\.name) == ["vm1-port", "vm2-port", "vm3-port"])  // not the localport
        let vm2 = try #require(inventory.workload(mac: mac("fa:16:3e:11:22:33")))
        #expect(vm2 == InventoryWorkload(
            name: "vm2-port", mac: mac("fa:16:3e:11:22:33"), ips: [ip("10.0.0.5")], vni: 5, tep: ip("192.168.100.12"),
            portKey: 2))
        #expect(inventory.workload(ip: ip("10.0.1.5"))?.tep == ip("192.168.100.11"))
        #expect(inventory.workload(ip: ip("10.0.0.2")) == nil)  // metadata localport
    }

    @Test func multicastGroupNames() throws {
        let inventory = try loadSeparateFiles()
        #expect(inventory.ovnMulticastGroupName(datapathKey: 5, key: 32768) == "_MC_flood")  // dumped
        #expect(inventory.ovnMulticastGroupName(datapathKey: 5, key: 32773) == "239.1.1.1")  // dumped IP group
        #expect(inventory.ovnMulticastGroupName(datapathKey: 6, key: 32773) == nil)
        // Not dumped for ls-app: ovn-northd's fixed keys.
        #expect(inventory.ovnMulticastGroupName(datapathKey: 6, key: 32768) == "_MC_flood")
        #expect(inventory.ovnMulticastGroupName(datapathKey: 6, key: 32769) == "_MC_unknown")
        #expect(inventory.ovnMulticastGroupName(datapathKey: 6, key: 32770) == "_MC_mrouter_flood")
        #expect(inventory.ovnMulticastGroupName(datapathKey: 6, key: 32771) == "_MC_static")
        #expect(inventory.ovnMulticastGroupName(datapathKey: 6, key: 32772) == "_MC_flood_l2")
        #expect(inventory.ovnMulticastGroupName(datapathKey: 6, key: 2) == nil)
        #expect(Inventory().ovnMulticastGroupName(datapathKey: 1, key: 32768) == "_MC_flood")
    }

    @Test func severalTablesInOneFileGiveTheSameInventory() throws {
        let separate = try loadSeparateFiles()
        let dir = try ScratchDirectory()
        let concatenated = try Inventory.load(paths: [try dir.write("sb.json", OVNDump.concatenated)])
        let array = try Inventory.load(paths: [try dir.write("sb-array.json", OVNDump.array)])
        #expect(concatenated == separate)
        #expect(array == separate)
        #expect(separate.warnings.isEmpty)
        // Tables split over two files in any order.
        let a = try dir.write("a.json", [OVNDump.portBinding, OVNDump.encap].joined(separator: "\n"))
        let b = try dir.write("b.json", [OVNDump.multicastGroup, OVNDump.chassis, OVNDump.datapathBinding].joined())
        #expect(try Inventory.load(paths: [a, b]) == separate)
    }

    @Test func inventoryFileNamesAgreeingWithOVNMerge() throws {
        let dir = try ScratchDirectory()
        let yaml = try dir.write(
            "names.yaml",
            """
            teps: [{ip: 192.168.100.12, name: compute-2.example.net}]
            segments: [{vni: 5, name: ls-web, subnets: [10.0.0.0/24, 10.0.100.0/24]}]
            """)
        let inventory = try Inventory.load(paths: [yaml, try dir.write("sb.json", OVNDump.concatenated)])
        #expect(inventory.segment(vni: 5)?.subnets == [prefix("10.0.0.0/24"), prefix("10.0.100.0/24")])
        #expect(inventory.tep(ip("192.168.100.12"))?.name == "compute-2.example.net")
    }

    @Test func inventoryFileNameContradictingOVNIsAConflict() throws {
        let dir = try ScratchDirectory()
        let yaml = try dir.write("names.yaml", "teps: [{ip: 192.168.100.12, name: esxi-02}]\n")
        let sb = try dir.write("sb.json", OVNDump.concatenated)
        let error = try #require(throws: InventoryError.self) { try Inventory.load(paths: [yaml, sb]) }
        #expect(error.code == .conflict)
        #expect(error.message == "TEP 192.168.100.12 is 'esxi-02' (host) in \(yaml) but 'compute-2.example.net' (host) in \(sb)")
    }

    // MARK: - Incomplete and malformed dumps

    @Test func portBindingWithoutDatapathBindingIsAnError() throws {
        let error = try #require(throws: InventoryError.self) { try Inventory.parse(OVNDump.portBinding, source: "pb.json") }
        #expect(error.code == .ovnDump)
        #expect(error.file == "pb.json")
        #expect(error.message.contains("need the Datapath_Binding table"))
    }

    @Test func portBindingWithoutChassisWarns() throws {
        let inventory = try Inventory.parse(OVNDump.datapathBinding + OVNDump.portBinding, source: "sb.json")
        #expect(inventory.ovnPort(datapathKey: 5, portKey: 2)?.chassis == nil)
        #expect(inventory.workload(mac: mac("fa:16:3e:11:22:33"))?.tep == nil)
        #expect(inventory.warnings.count == 1)
        #expect(inventory.warnings.first?.contains("without the Chassis table") == true)
    }

    @Test func chassisWithoutEncapWarns() throws {
        let inventory = try Inventory.parse(OVNDump.chassis, source: "chassis.json")
        #expect(inventory.teps.isEmpty)
        #expect(inventory.warnings == ["chassis.json: Chassis dumped without Encap, so chassis have no TEP address (add `ovn-sbctl --format=json list Encap`)"])
    }

    @Test func encapAloneNamesTEPsByChassisName() throws {
        let inventory = try Inventory.parse(OVNDump.encap, source: "encap.json")
        #expect(inventory.tep(ip("192.168.100.11"))?.name == "5b3f0a1e-compute-1")
    }

    @Test func unrecognisedTableIsAnError() throws {
        let macBinding = #"{"data":[[["uuid","0b1e6c1a-0000-4000-8000-000000000001"],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e01"],"10.0.0.9","lrp-web","fa:16:3e:99:99:99",0]],"headings":["_uuid","datapath","ip","logical_port","mac","timestamp"]}"#
        let error = try #require(throws: InventoryError.self) { try Inventory.parse(macBinding, source: "mb.json") }
        #expect(error.code == .ovnDump)
        #expect(error.message.hasPrefix("table 1 with columns _uuid, datapath, ip, logical_port, mac, timestamp is none of Datapath_Binding"))
    }

    @Test func badRowNamesTableRowAndColumn() throws {
        let bad = OVNDump.datapathBinding.replacingOccurrences(of: #"["set",[]],6]"#, with: #"["set",[]],"six"]"#)
        let error = try #require(throws: InventoryError.self) { try Inventory.parse(bad, source: "dp.json") }
        #expect(error.code == .ovnDump)
        #expect(error.message == "Datapath_Binding row 2: tunnel_key is not an integer in 1…16777215")
        let badPort = OVNDump.portBinding.replacingOccurrences(of: "],2,\"\",true]", with: "],40000,\"\",true]")
        let portError = try #require(throws: InventoryError.self) {
            try Inventory.parse(OVNDump.datapathBinding + badPort, source: "sb.json")
        }
        #expect(portError.message == "Port_Binding row 2 (vm2-port): tunnel_key is not an integer in 1…32767")
    }

    @Test func rowWithTheWrongNumberOfCells() throws {
        let bad = #"{"data":[[["uuid","x"],["map",[]]]],"headings":["_uuid","external_ids","load_balancers","tunnel_key"]}"#
        let error = try #require(throws: InventoryError.self) { try Inventory.parse(bad, source: "dp.json") }
        #expect(error.message == "table 1: row 1 does not have one cell per heading (4)")
    }

    @Test func garbageAfterATableIsAnError() throws {
        let error = try #require(throws: InventoryError.self) {
            try Inventory.parse(OVNDump.encap + "\n{\"teps\": []}", source: "sb.json")
        }
        #expect(error.code == .ovnDump)
        #expect(error.message.contains("JSON document 2 is not an ovn-sbctl --format=json table"))
    }

    @Test func conflictingDatapathKeysAcrossDumps() throws {
        let other = OVNDump.datapathBinding.replacingOccurrences(of: "8e01", with: "ffff")
        let error = try #require(throws: InventoryError.self) {
            try Inventory.parse(OVNDump.datapathBinding + other, source: "sb.json")
        }
        #expect(error.code == .conflict)
        #expect(error.message.contains("have tunnel_key 5"))
    }
}

@Suite struct OVNSnapshotSkewTests {
    @Test func rowsOfAnUnknownDatapathAreSkippedWithOneWarning() throws {
        // Port_Binding taken after ls-app was deleted: its ports refer to a datapath the dump no longer has.
        let datapaths = OVNDump.datapathBinding.replacingOccurrences(of: "6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e02", with: "gone")
        let inventory = try Inventory.parse(
            [datapaths, OVNDump.portBinding, OVNDump.chassis, OVNDump.encap].joined(separator: "\n"), source: "sb.json")
        #expect(inventory.ovnPort(datapathKey: 6, portKey: 1)?.name == nil)
        #expect(inventory.ovnPort(datapathKey: 5, portKey: 2)?.name == "vm2-port")
        #expect(inventory.warnings == [
            "sb.json: skipped 2 Port_Binding/Multicast_Group row(s) whose datapath is not in the Datapath_Binding dump "
                + "(dumps taken at different moments?), e.g. vm3-port, ls-app-lr0"
        ])
    }
}
