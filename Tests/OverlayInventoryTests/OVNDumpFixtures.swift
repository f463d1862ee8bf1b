/// Hand-written `ovn-sbctl --format=json list <Table>` output for a small OVN deployment (columns as OVN 24.03
/// prints them: `_uuid` first, then alphabetical; one-element sets printed as the bare element):
///
/// - ls-web (tunnel key 5, 10.0.0.0/24): vm1-port (key 1, compute-1), vm2-port (key 2, compute-2), the patch port
///   ls-web-lr0 (key 3) to router lr0, and the metadata localport (key 4).
/// - ls-app (key 6, named by name2 only): vm3-port (key 1, compute-1, dual stack), patch ls-app-lr0 (key 2).
/// - ext (key 7): patch ls-ext-lr0 (key 1) and the localnet port provnet-physnet1 (key 2).
/// - lr0 (key 3, a logical router): lrp-web (1), lrp-app (2), lrp-ext (3) and cr-lrp-ext (4), the
///   chassisredirect port bound to gateway-1.
/// - Chassis compute-1 (Geneve 192.168.100.11), compute-2 (Geneve + VXLAN 192.168.100.12), gateway-1
///   (192.168.100.21, enable-chassis-as-gw).
enum OVNDump {
    static let datapathBinding = """
        {"data":[[["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e01"],["map",[["logical-switch","0f4e7d9a-55c1-4b8e-a2f3-6d1c9e8b7a01"],["name","ls-web"]]],["set",[]],5],[["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e02"],["map",[["logical-switch","0f4e7d9a-55c1-4b8e-a2f3-6d1c9e8b7a02"],["name2","ls-app"]]],["set",[]],6],[["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e03"],["map",[["logical-switch","0f4e7d9a-55c1-4b8e-a2f3-6d1c9e8b7a03"],["name","ext"]]],["set",[]],7],[["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e04"],["map",[["logical-router","9c1d2e3f-4a5b-4c6d-8e7f-a0b1c2d3e401"],["name","lr0"]]],["set",[]],3]],"headings":["_uuid","external_ids","load_balancers","tunnel_key"]}
        """

    static let portBinding = """
        {"data":[\
        [["uuid","b1a2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01"],["set",[]],["uuid","c1a2b3c4-1111-4d5e-9f00-a1b2c3d4e501"],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e01"],["set",[]],["map",[["iface-id-ver","c0ffee01"]]],["set",[]],"vm1-port","fa:16:3e:11:22:31 10.0.0.4",["map",[["requested-chassis","compute-1"]]],["set",[]],"fa:16:3e:11:22:31 10.0.0.4",["set",[]],1,"",true],\
        [["uuid","b1a2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02"],["set",[]],["uuid","c1a2b3c4-2222-4d5e-9f00-a1b2c3d4e502"],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e01"],["set",[]],["map",[]],["set",[]],"vm2-port",["set",["fa:16:3e:11:22:33 10.0.0.5"]],["map",[]],["set",[]],["set",[]],["set",[]],2,"",true],\
        [["uuid","b1a2c3d4-0003-4e5f-8a9b-0c1d2e3f4a03"],["set",[]],["set",[]],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e01"],["set",[]],["map",[]],["set",[]],"ls-web-lr0","router",["map",[["peer","lrp-web"]]],["set",[]],["set",[]],["set",[]],3,"patch",["set",[]]],\
        [["uuid","b1a2c3d4-0004-4e5f-8a9b-0c1d2e3f4a04"],["set",[]],["set",[]],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e01"],["set",[]],["map",[]],["set",[]],"ovnmeta-ls-web","fa:16:3e:aa:bb:cc 10.0.0.2",["map",[]],["set",[]],["set",[]],["set",[]],4,"localport",["set",[]]],\
        [["uuid","b1a2c3d4-0005-4e5f-8a9b-0c1d2e3f4a05"],["set",[]],["uuid","c1a2b3c4-1111-4d5e-9f00-a1b2c3d4e501"],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e02"],["set",[]],["map",[]],["set",[]],"vm3-port","fa:16:3e:44:55:66 10.0.1.5 fd00:1::5",["map",[]],["set",[]],["set",[]],["set",[]],1,"",true],\
        [["uuid","b1a2c3d4-0006-4e5f-8a9b-0c1d2e3f4a06"],["set",[]],["set",[]],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e02"],["set",[]],["map",[]],["set",[]],"ls-app-lr0","router",["map",[["peer","lrp-app"]]],["set",[]],["set",[]],["set",[]],2,"patch",["set",[]]],\
        [["uuid","b1a2c3d4-0007-4e5f-8a9b-0c1d2e3f4a07"],["set",[]],["set",[]],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e03"],["set",[]],["map",[]],["set",[]],"ls-ext-lr0","router",["map",[["peer","lrp-ext"]]],["set",[]],["set",[]],["set",[]],1,"patch",["set",[]]],\
        [["uuid","b1a2c3d4-0008-4e5f-8a9b-0c1d2e3f4a08"],["set",[]],["set",[]],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e03"],["set",[]],["map",[]],["set",[]],"provnet-physnet1","unknown",["map",[["network_name","physnet1"]]],["set",[]],["set",[]],["set",[]],2,"localnet",["set",[]]],\
        [["uuid","b1a2c3d4-0009-4e5f-8a9b-0c1d2e3f4a09"],["set",[]],["set",[]],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e04"],["set",[]],["map",[]],["set",[]],"lrp-web","fa:16:3e:00:00:01 10.0.0.1/24",["map",[["peer","ls-web-lr0"]]],["set",[]],["set",[]],["set",[]],1,"patch",["set",[]]],\
        [["uuid","b1a2c3d4-000a-4e5f-8a9b-0c1d2e3f4a0a"],["set",[]],["set",[]],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e04"],["set",[]],["map",[]],["set",[]],"lrp-app","fa:16:3e:00:00:02 10.0.1.1/24 fd00:1::1/64",["map",[["peer","ls-app-lr0"]]],["set",[]],["set",[]],["set",[]],2,"patch",["set",[]]],\
        [["uuid","b1a2c3d4-000b-4e5f-8a9b-0c1d2e3f4a0b"],["set",[]],["set",[]],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e04"],["set",[]],["map",[]],["set",[]],"lrp-ext","fa:16:3e:00:00:10 172.24.4.10/24",["map",[["peer","ls-ext-lr0"]]],["set",[]],["set",[]],["set",[]],3,"patch",["set",[]]],\
        [["uuid","b1a2c3d4-000c-4e5f-8a9b-0c1d2e3f4a0c"],["set",[]],["uuid","c1a2b3c4-3333-4d5e-9f00-a1b2c3d4e503"],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e04"],["set",[]],["map",[]],["set",[]],"cr-lrp-ext","fa:16:3e:00:00:10 172.24.4.10/24",["map",[["distributed-port","lrp-ext"]]],["set",[]],["set",[]],["set",[]],4,"chassisredirect",true]\
        ],"headings":["_uuid","additional_chassis","chassis","datapath","encap","external_ids","gateway_chassis","logical_port","mac","options","parent_port","port_security","tag","tunnel_key","type","up"]}
        """

    static let chassis = """
        {"data":[[["uuid","c1a2b3c4-1111-4d5e-9f00-a1b2c3d4e501"],["uuid","e0000000-0000-4000-8000-000000000011"],["map",[]],"compute-1.example.net","5b3f0a1e-compute-1",0,["map",[["datapath-type","system"],["iface-types","geneve,vxlan,internal,tap"]]],["set",[]],["set",[]]],[["uuid","c1a2b3c4-2222-4d5e-9f00-a1b2c3d4e502"],["set",[["uuid","e0000000-0000-4000-8000-000000000012"],["uuid","e0000000-0000-4000-8000-000000000112"]]],["map",[]],"compute-2.example.net","7d2c9b4f-compute-2",0,["map",[]],["set",[]],["set",[]]],[["uuid","c1a2b3c4-3333-4d5e-9f00-a1b2c3d4e503"],["uuid","e0000000-0000-4000-8000-000000000021"],["map",[]],"gateway-1.example.net","a9e8d7c6-gateway-1",0,["map",[["ovn-cms-options","enable-chassis-as-gw,availability-zones=az-1"]]],["set",[]],["set",[]]]],"headings":["_uuid","encaps","external_ids","hostname","name","nb_cfg","other_config","transport_zones","vtep_logical_switches"]}
        """

    static let encap = """
        {"data":[[["uuid","e0000000-0000-4000-8000-000000000011"],"5b3f0a1e-compute-1","192.168.100.11",["map",[["csum","true"]]],"geneve"],[["uuid","e0000000-0000-4000-8000-000000000012"],"7d2c9b4f-compute-2","192.168.100.12",["map",[["csum","true"]]],"geneve"],[["uuid","e0000000-0000-4000-8000-000000000112"],"7d2c9b4f-compute-2","192.168.100.12",["map",[]],"vxlan"],[["uuid","e0000000-0000-4000-8000-000000000021"],"a9e8d7c6-gateway-1","192.168.100.21",["map",[["csum","true"]]],"geneve"]],"headings":["_uuid","chassis_name","ip","options","type"]}
        """

    static let multicastGroup = """
        {"data":[[["uuid","d0000000-0000-4000-8000-000000000001"],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e01"],"_MC_flood",["set",[["uuid","b1a2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01"],["uuid","b1a2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02"],["uuid","b1a2c3d4-0003-4e5f-8a9b-0c1d2e3f4a03"]]],32768],[["uuid","d0000000-0000-4000-8000-000000000002"],["uuid","6a0b3c2e-1f4d-4a59-9d1e-0c2f5b7a8e01"],"239.1.1.1",["uuid","b1a2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02"],32773]],"headings":["_uuid","datapath","name","ports","tunnel_key"]}
        """

    /// Every table, one document after another, as `ovn-sbctl ... list A; ovn-sbctl ... list B` appends them.
    static var concatenated: String { [datapathBinding, portBinding, chassis, encap, multicastGroup].joined(separator: "\n") }

    /// Every table in one JSON array.
    static var array: String { "[" + [datapathBinding, portBinding, chassis, encap, multicastGroup].joined(separator: ",\n") + "]" }
}
