import OverlayWire
import OverlayInventory

/// How output-facing text names things: inventory names next to the raw addresses, roles as the topology
/// found them ("edge TEP", "transit VNI", "distributed router").
struct Labels {
    let names: Names
    let model: TopologyModel
    let roles: [IPAddress: TunnelEndpoint.Role]

    func tep(_ ip: IPAddress) -> String {
        let prefix: String
        switch roles[ip] {
        case .edge?: prefix = "edge TEP"
        case .gateway?: prefix = "gateway TEP"
        default: prefix = "TEP"
        }
        return withName("\(prefix) \(ip)", names.tep(ip))
    }

    func segment(_ vni: UInt32, _ encapsulation: TunnelEncapsulation?) -> String {
        let transit = model.transit[vni] != nil ? " transit" : ""
        return withName("\(encapsulation?.displayName ?? "Geneve")\(transit) VNI \(vni)", names.segment(vni))
    }

    /// "VM web-01 10.1.10.11 (00:50:56:aa:10:11)"; the MAC only when asked (paths show it on the source).
    func workload(mac: MACAddress?, ip: IPAddress?, showMAC: Bool) -> String {
        var text = "VM"
        if let n = names.workload(mac: mac, ip: ip) { text += " \(n)" }
        if let a = ip { text += " \(a)" }
        if let m = mac {
            if ip == nil && names.workload(mac: mac, ip: nil) == nil { text += " \(m)" } else if showMAC { text += " (\(m))" }
        }
        return text
    }

    func router(_ mac: MACAddress) -> String {
        let kind = model.routers[mac]?.kind ?? .distributed
        let prefix = kind == .gateway ? "gateway router" : "distributed router"
        if let n = names.router(mac)?.name { return "\(prefix) \(n) \(mac)" }
        return "\(prefix) \(mac)"
    }

    func outside(_ ip: IPAddress) -> String { withName("outside \(ip)", names.workload(mac: nil, ip: ip)) }

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
