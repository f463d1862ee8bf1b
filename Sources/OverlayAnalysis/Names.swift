import OverlayWire
import OverlayInventory

/// Inventory names for addresses, built once at the end of the analysis (never in the hot path).
struct Names {
    let inventory: Inventory
    private var datapathNames: [UInt32: String] = [:]
    private var ovnPortByMAC: [MACAddress: String] = [:]

    init(_ inventory: Inventory) {
        self.inventory = inventory
        for p in inventory.ovnPorts {
            if let d = p.datapathName, datapathNames[p.datapathKey] == nil { datapathNames[p.datapathKey] = d }
            if let m = p.mac, ovnPortByMAC[m] == nil { ovnPortByMAC[m] = p.name }
        }
    }

    func tep(_ ip: IPAddress) -> String? { inventory.tep(ip)?.name ?? inventory.edge(tep: ip)?.name }
    func segment(_ vni: UInt32) -> String? { inventory.segment(vni: vni)?.name ?? datapathNames[vni] }

    func workload(mac: MACAddress?, ip: IPAddress?) -> String? {
        if let m = mac, let w = inventory.workload(mac: m) { return w.name }
        if let a = ip, let w = inventory.workload(ip: a) { return w.name }
        if let m = mac, let p = ovnPortByMAC[m] { return p }
        return nil
    }

    func router(_ mac: MACAddress) -> InventoryRouter? { inventory.routers.first { $0.macs.contains(mac) } }

    /// "datapath ls-web, inport vm1-port, outport vm2-port", with keys where names are unknown.
    func ovn(_ keys: OVNPortKeys, vni: UInt32) -> OVNPorts {
        let dp = segment(vni)
        let inName = inventory.ovnPort(datapathKey: vni, portKey: keys.ingress)?.name
        let outName = keys.egressIsMulticastGroup
            ? inventory.ovnMulticastGroupName(datapathKey: vni, key: keys.egress)
            : inventory.ovnPort(datapathKey: vni, portKey: keys.egress)?.name
        var text = LabelText()
        text.append("datapath ")
        text.append(name: dp, orKey: vni)
        text.append(", inport ")
        text.append(name: inName, orKey: keys.ingress)
        text.append(", outport ")
        text.append(name: outName, orKey: keys.egress)
        return OVNPorts(datapathKey: vni, ingressKey: keys.ingress, egressKey: keys.egress, datapathName: dp,
                        ingressName: inName, egressName: outName, egressIsMulticastGroup: keys.egressIsMulticastGroup, text: text.string)
    }
}
