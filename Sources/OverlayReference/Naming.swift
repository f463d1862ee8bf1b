import OverlayInventory
import OverlayWire

/// Names for messages: inventory names beside addresses when an inventory is given, addresses alone otherwise.
/// Only used when a finding is written, never on the per-frame path.
struct Naming {
    let inventory: Inventory?

    func tep(_ ip: IPAddress) -> String {
        if let t = inventory?.tep(ip) { return "\(t.name) (\(ip))" }
        if let e = inventory?.edge(tep: ip) { return "\(e.name) (\(ip))" }
        return "TEP \(ip)"
    }

    func vni(_ vni: UInt32) -> String {
        if let s = inventory?.segment(vni: vni) { return "VNI \(vni) (\(s.name))" }
        return "VNI \(vni)"
    }

    func mac(_ mac: MACAddress) -> String {
        if let w = inventory?.workload(mac: mac) { return "\(mac) (\(w.name))" }
        return mac.description
    }

    func ip(_ ip: IPAddress) -> String {
        if let w = inventory?.workload(ip: ip) { return "\(ip) (\(w.name))" }
        return ip.description
    }

    func teps(_ ips: [IPAddress]) -> String { ips.sorted().map(tep).joined(separator: ", ") }
}
