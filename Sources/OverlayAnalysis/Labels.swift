import OverlayWire
import OverlayInventory

/// How output-facing text names things: inventory names next to the raw addresses, roles as the topology
/// found them ("edge TEP", "transit VNI", "distributed router"). One instance per `finish`, shared by every
/// path builder (a reference, so the model and inventory are not copied per flow); labels of TEPs, segments
/// and routers are built once and cached.
final class Labels {
    let names: Names
    let model: TopologyModel
    let roles: [IPAddress: TunnelEndpoint.Role]
    private var tepCache: [IPAddress: String] = [:]
    private var segmentCache: [UInt32: String] = [:]
    private var routerCache: [MACAddress: String] = [:]
    private var addressCache: [IPAddress: String] = [:]
    private var macCache: [MACAddress: String] = [:]
    private var workloadCache: [WorkloadKey: String] = [:]
    private var outsideCache: [IPAddress: String] = [:]
    private var ovnCache: [OVNKey: OVNPorts] = [:]
    private var switchedCache: [SwitchedKey: String] = [:]

    private struct SwitchedKey: Hashable {
        var vni: UInt32
        var from: IPAddress?
        var to: IPAddress?
    }

    private struct OVNKey: Hashable {
        var keys: OVNPortKeys
        var vni: UInt32
    }

    private struct WorkloadKey: Hashable {
        var mac: MACAddress?
        var ip: IPAddress?
        var showMAC: Bool
    }

    init(names: Names, model: TopologyModel, roles: [IPAddress: TunnelEndpoint.Role]) {
        self.names = names
        self.model = model
        self.roles = roles
    }

    var inventory: Inventory { names.inventory }

    func isExternal(_ ip: IPAddress) -> Bool { model.isExternal(ip, inventory: names.inventory) }

    /// The text form of an address (formatting costs more than a lookup; flows repeat their addresses).
    func address(_ ip: IPAddress) -> String {
        if let cached = addressCache[ip] { return cached }
        let text = ip.description
        addressCache[ip] = text
        return text
    }

    func address(_ mac: MACAddress) -> String {
        if let cached = macCache[mac] { return cached }
        let text = mac.description
        macCache[mac] = text
        return text
    }

    /// The class reason of a flow switched inside one segment (most flows: one text per VNI and TEP pair).
    func switched(vni: UInt32, from: IPAddress?, to: IPAddress?) -> String {
        let key = SwitchedKey(vni: vni, from: from, to: to)
        if let cached = switchedCache[key] { return cached }
        var text = LabelText()
        text.append("switched inside VNI ")
        text.append(decimal: vni)
        text.append(" from ")
        text.append(from.map { tep($0) } ?? "?")
        text.append(" to ")
        text.append(to.map { tep($0) } ?? "?")
        let label = text.string
        switchedCache[key] = label
        return label
    }

    /// The OVN datapath and ports of a leg, as `Names.ovn` says them (every leg and its segment hop asks).
    func ovn(_ keys: OVNPortKeys, vni: UInt32) -> OVNPorts {
        let key = OVNKey(keys: keys, vni: vni)
        if let cached = ovnCache[key] { return cached }
        let ports = names.ovn(keys, vni: vni)
        ovnCache[key] = ports
        return ports
    }

    func tep(_ ip: IPAddress) -> String {
        if let cached = tepCache[ip] { return cached }
        let text = makeTEP(ip)
        tepCache[ip] = text
        return text
    }

    private func makeTEP(_ ip: IPAddress) -> String {
        let prefix: String
        switch roles[ip] {
        case .edge?: prefix = "edge TEP"
        case .gateway?: prefix = "gateway TEP"
        default: prefix = "TEP"
        }
        return withName(prefix + " " + address(ip), names.tep(ip))
    }

    func segment(_ vni: UInt32, _ encapsulation: TunnelEncapsulation?) -> String {
        if encapsulation != .vxlan, let cached = segmentCache[vni] { return cached }
        let text = makeSegment(vni, encapsulation)
        if encapsulation != .vxlan { segmentCache[vni] = text }
        return text
    }

    private func makeSegment(_ vni: UInt32, _ encapsulation: TunnelEncapsulation?) -> String {
        let transit = model.transit[vni] != nil ? " transit" : ""
        return withName("\(encapsulation?.displayName ?? "Geneve")\(transit) VNI \(vni)", names.segment(vni))
    }

    /// "VM web-01 10.1.10.11 (00:50:56:aa:10:11)"; the MAC only when asked (paths show it on the source).
    func workload(mac: MACAddress?, ip: IPAddress?, showMAC: Bool) -> String {
        let key = WorkloadKey(mac: mac, ip: ip, showMAC: showMAC)
        if let cached = workloadCache[key] { return cached }
        var text = LabelText()
        text.append("VM")
        if let n = names.workload(mac: mac, ip: ip) {
            text.append(" ")
            text.append(n)
        }
        if let a = ip {
            text.append(" ")
            text.append(a)
        }
        if let m = mac {
            if ip == nil && names.workload(mac: mac, ip: nil) == nil {
                text.append(" ")
                text.append(address(m))
            } else if showMAC {
                text.append(" (")
                text.append(address(m))
                text.append(")")
            }
        }
        let label = text.string
        workloadCache[key] = label
        return label
    }

    func router(_ mac: MACAddress) -> String {
        if let cached = routerCache[mac] { return cached }
        let text = makeRouter(mac)
        routerCache[mac] = text
        return text
    }

    private func makeRouter(_ mac: MACAddress) -> String {
        let kind = model.routers[mac]?.kind ?? .distributed
        let prefix = kind == .gateway ? "gateway router" : "distributed router"
        if let n = names.router(mac)?.name { return "\(prefix) \(n) \(mac)" }
        return "\(prefix) \(mac)"
    }

    func outside(_ ip: IPAddress) -> String {
        if let cached = outsideCache[ip] { return cached }
        let text = withName("outside " + address(ip), names.workload(mac: nil, ip: ip))
        outsideCache[ip] = text
        return text
    }

    /// An endpoint of untunneled traffic.
    func host(_ ip: IPAddress?, mac: MACAddress?) -> String {
        var text = "host"
        if let a = ip {
            text += " \(a)"
            if let n = names.tep(a) ?? names.workload(mac: nil, ip: a) { text += " (\(n))" }
        }
        if let m = mac { text += ip == nil ? " \(m)" : " [\(m)]" }
        return text
    }

    private func withName(_ text: String, _ name: String?) -> String {
        guard let n = name, !n.isEmpty else { return text }
        return "\(text) (\(n))"
    }
}
