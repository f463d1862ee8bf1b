// TEMP inventory shim: the minimal API from the helper brief, so OverlayReference builds before the real
// OverlayInventory lands on main. Reverted before this branch is merged.
import OverlayWire

public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var length: Int
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let a = IPAddress(String(first)) else { return nil }
        let maxLength: Int
        switch a { case .v4: maxLength = 32; case .v6: maxLength = 128 }
        if parts.count == 2 {
            guard let l = Int(parts[1]), l >= 0, l <= maxLength else { return nil }
            length = l
        } else { length = maxLength }
        address = a
    }
    public func contains(_ a: IPAddress) -> Bool {
        switch (address, a) {
        case (.v4(let p), .v4(let x)):
            if length == 0 { return true }
            let mask: UInt32 = length >= 32 ? .max : ~(UInt32.max >> UInt32(length))
            return p.rawValue & mask == x.rawValue & mask
        case (.v6(let p), .v6(let x)):
            func m(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> UInt64(bits)) }
            return p.high & m(length) == x.high & m(length) && p.low & m(length - 64) == x.low & m(length - 64)
        default: return false
        }
    }
    public var description: String { "\(address)/\(length)" }
}

public struct InventoryTEP: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable { case host, edge }
    public var ip: IPAddress; public var name: String; public var role: Role
    public init(ip: IPAddress, name: String, role: Role) { self.ip = ip; self.name = name; self.role = role }
}
public struct InventorySegment: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case overlay, transit }
    public var vni: UInt32; public var name: String; public var subnets: [IPPrefix]; public var kind: Kind
    public init(vni: UInt32, name: String, subnets: [IPPrefix], kind: Kind) {
        self.vni = vni; self.name = name; self.subnets = subnets; self.kind = kind
    }
}
public struct InventoryWorkload: Hashable, Sendable {
    public var name: String; public var mac: MACAddress?; public var ips: [IPAddress]; public var vni: UInt32?
    public var tep: IPAddress?; public var portKey: UInt16?
    public init(name: String, mac: MACAddress?, ips: [IPAddress], vni: UInt32?, tep: IPAddress?, portKey: UInt16?) {
        self.name = name; self.mac = mac; self.ips = ips; self.vni = vni; self.tep = tep; self.portKey = portKey
    }
}
public struct InventoryRouter: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case distributed, gateway }
    public var name: String; public var kind: Kind; public var macs: [MACAddress]; public var vnis: [UInt32]
    public init(name: String, kind: Kind, macs: [MACAddress], vnis: [UInt32]) {
        self.name = name; self.kind = kind; self.macs = macs; self.vnis = vnis
    }
}
public struct SNATRule: Hashable, Sendable {
    public var from: IPPrefix; public var to: IPAddress
    public init(from: IPPrefix, to: IPAddress) { self.from = from; self.to = to }
}
public struct InventoryEdge: Hashable, Sendable {
    public var name: String; public var tep: IPAddress; public var transitVNI: UInt32?; public var uplinkVLAN: UInt16?
    public var snat: [SNATRule]
    public init(name: String, tep: IPAddress, transitVNI: UInt32?, uplinkVLAN: UInt16?, snat: [SNATRule]) {
        self.name = name; self.tep = tep; self.transitVNI = transitVNI; self.uplinkVLAN = uplinkVLAN; self.snat = snat
    }
}
public struct InventoryOVNPort: Hashable, Sendable {
    public var datapathKey: UInt32; public var portKey: UInt16; public var name: String; public var datapathName: String?
    public var chassis: String?; public var mac: MACAddress?; public var ips: [IPAddress]
}

public struct Inventory: Sendable {
    public var teps: [InventoryTEP] = []
    public var segments: [InventorySegment] = []
    public var workloads: [InventoryWorkload] = []
    public var routers: [InventoryRouter] = []
    public var edges: [InventoryEdge] = []
    public var ovnPorts: [InventoryOVNPort] = []
    public init() {}
    public static func load(paths: [String]) throws -> Inventory { Inventory() }
    public func tep(_ ip: IPAddress) -> InventoryTEP? { teps.first { $0.ip == ip } }
    public func segment(vni: UInt32) -> InventorySegment? { segments.first { $0.vni == vni } }
    public func workload(mac: MACAddress) -> InventoryWorkload? { workloads.first { $0.mac == mac } }
    public func workload(ip: IPAddress) -> InventoryWorkload? { workloads.first { $0.ips.contains(ip) } }
    public func isRouterMAC(_ mac: MACAddress) -> Bool { routers.contains { $0.macs.contains(mac) } }
    public func edge(tep: IPAddress) -> InventoryEdge? { edges.first { $0.tep == tep } }
    public func ovnPort(datapathKey: UInt32, portKey: UInt16) -> InventoryOVNPort? {
        ovnPorts.first { $0.datapathKey == datapathKey && $0.portKey == portKey }
    }
    public func ovnMulticastGroupName(datapathKey: UInt32, key: UInt16) -> String? { nil }
    public var isEmpty: Bool { teps.isEmpty && segments.isEmpty && workloads.isEmpty && routers.isEmpty && edges.isEmpty && ovnPorts.isEmpty }
}
