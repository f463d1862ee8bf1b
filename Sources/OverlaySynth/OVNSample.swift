import Foundation
import OverlayWire

/// A logical switch port of the OVN sample: the workload and its `Port_Binding.tunnel_key`.
public struct SynthOVNPort: Hashable, Sendable {
    public var workload: SynthWorkload
    public var tunnelKey: UInt16
    public init(workload: SynthWorkload, tunnelKey: UInt16) {
        self.workload = workload
        self.tunnelKey = tunnelKey
    }
}

/// An OVN-flavoured topology: two chassis, one logical switch `sw0` (datapath tunnel key 5, which is the
/// VNI on the wire), two VIF ports with keys 1 and 2, and the flood multicast group 32768 (`_MC_flood`).
public enum OVNSampleTopology {
    public static let hv1 = SynthTEP(name: "hv1", ip: IPv4Address(192, 168, 50, 11), mac: MACAddress(0x52, 0x54, 0x00, 0x50, 0x00, 0x11))
    public static let hv2 = SynthTEP(name: "hv2", ip: IPv4Address(192, 168, 50, 12), mac: MACAddress(0x52, 0x54, 0x00, 0x50, 0x00, 0x12))
    public static let chassis = [hv1, hv2]
    public static let logicalSwitch = SynthSegment(name: "sw0", vni: 5, subnet: "10.2.0.0/24", gateway: nil)
    public static let port1 = SynthOVNPort(workload: SynthWorkload(name: "sw0-port1", mac: MACAddress(0x50, 0x54, 0x00, 0x00, 0x00, 0x01),
                                                                   ip: IPv4Address(10, 2, 0, 11), segment: logicalSwitch, tep: hv1), tunnelKey: 1)
    public static let port2 = SynthOVNPort(workload: SynthWorkload(name: "sw0-port2", mac: MACAddress(0x50, 0x54, 0x00, 0x00, 0x00, 0x02),
                                                                   ip: IPv4Address(10, 2, 0, 12), segment: logicalSwitch, tep: hv2), tunnelKey: 2)
    public static let ports = [port1, port2]
    /// `Multicast_Group` `_MC_flood`: the egress key of flooded (BUM) packets.
    public static let floodGroupKey: UInt16 = 32768

    /// `ovn-sbctl --format=json list <table>` for this topology.
    public static let southbound = OVNSouthboundDump()
}

/// The southbound tables of `OVNSampleTopology` as `ovn-sbctl --format=json list <table>` prints them:
/// `{"data": [[…], …], "headings": […]}`, with OVSDB's JSON encoding — `["uuid", "…"]`, `["map", [[k, v], …]]`,
/// `["set", […]]` for empty and multi-element sets, and (as the real tool does) a one-element set as its
/// bare element.
public struct OVNSouthboundDump: Hashable, Sendable {
    public let datapathBinding: String
    public let portBinding: String
    public let chassis: String
    public let encap: String

    /// File name → contents, e.g. for writing `Captures/ovn/Port_Binding.json`.
    public var files: [(name: String, contents: String)] {
        [("Datapath_Binding.json", datapathBinding), ("Port_Binding.json", portBinding),
         ("Chassis.json", chassis), ("Encap.json", encap)]
    }

    init() {
        let t = OVNSampleTopology.self
        var uuids = SplitMix64(seed: 0x0B_0005)
        func uuid() -> String {
            let a = uuids.next(), b = uuids.next()
            func h(_ v: UInt64, _ digits: Int) -> String {
                let s = String(v, radix: 16)
                return String(repeating: "0", count: max(0, digits - s.count)) + s
            }
            return "\(h(a >> 32, 8))-\(h(a >> 16 & 0xFFFF, 4))-4\(h(a & 0xFFF, 3))-\(h(8 << 12 | b >> 52 & 0xFFF, 4))-\(h(b & 0xFFFF_FFFF_FFFF, 12))"
        }
        let datapath = uuid(), logicalSwitch = uuid()
        let chassisIDs = t.chassis.map { _ in uuid() }, encapIDs = t.chassis.map { _ in uuid() }
        let systemIDs = t.chassis.map { _ in uuid() }
        let portIDs = t.ports.map { _ in uuid() }

        datapathBinding = OVSDBTable(headings: ["_uuid", "external_ids", "load_balancers", "tunnel_key"], rows: [
            [.uuid(datapath), .map([("logical-switch", .string(logicalSwitch)), ("name", .string(t.logicalSwitch.name))]),
             .set([]), .int(Int(t.logicalSwitch.vni))],
        ]).json
        portBinding = OVSDBTable(headings: ["_uuid", "chassis", "datapath", "encap", "external_ids", "logical_port", "mac",
                                            "options", "parent_port", "tag", "tunnel_key", "type", "up"],
                                 rows: t.ports.enumerated().map { i, p in
            let chassisIndex = t.chassis.firstIndex(of: p.workload.tep) ?? 0
            return [.uuid(portIDs[i]), .set([.uuid(chassisIDs[chassisIndex])]), .uuid(datapath), .set([]),
                    .map([("neutron:device_owner", .string("compute:nova"))]), .string(p.workload.name),
                    .set([.string("\(p.workload.mac) \(p.workload.ip)")]), .map([]), .set([]), .set([]),
                    .int(Int(p.tunnelKey)), .string(""), .set([.bool(true)])]
        }).json
        chassis = OVSDBTable(headings: ["_uuid", "encaps", "external_ids", "hostname", "name", "nb_cfg", "other_config",
                                        "transport_zones", "vtep_logical_switches"],
                             rows: t.chassis.enumerated().map { i, c in
            [.uuid(chassisIDs[i]), .set([.uuid(encapIDs[i])]), .map([]), .string(c.name), .string(systemIDs[i]), .int(0),
             .map([("ovn-bridge-mappings", .string("physnet1:br-ex"))]), .set([]), .set([])]
        }).json
        encap = OVSDBTable(headings: ["_uuid", "chassis_name", "ip", "options", "type"],
                           rows: t.chassis.enumerated().map { i, c in
            [.uuid(encapIDs[i]), .string(systemIDs[i]), .string(c.ip.description), .map([("csum", .string("true"))]),
             .string("geneve")]
        }).json
    }
}

/// OVSDB's JSON value encoding (RFC 7047 §5.1), as `ovn-sbctl --format=json` prints it.
enum OVSDBValue {
    case string(String), int(Int), bool(Bool), uuid(String)
    case set([OVSDBValue])
    case map([(String, OVSDBValue)])

    var json: String {
        switch self {
        case .string(let s): return jsonString(s)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .uuid(let u): return "[\"uuid\",\(jsonString(u))]"
        case .set(let items):
            if items.count == 1 { return items[0].json }
            return "[\"set\",[\(items.map(\.json).joined(separator: ","))]]"
        case .map(let pairs):
            return "[\"map\",[\(pairs.map { "[\(jsonString($0.0)),\($0.1.json)]" }.joined(separator: ","))]]"
        }
    }
}

struct OVSDBTable {
    var headings: [String]
    var rows: [[OVSDBValue]]
    var json: String {
        "{\"data\":[\(rows.map { "[" + $0.map(\.json).joined(separator: ",") + "]" }.joined(separator: ","))],"
            + "\"headings\":[\(headings.map(jsonString).joined(separator: ","))]}\n"
    }
}

/// A JSON string literal (Foundation does the escaping).
func jsonString(_ s: String) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: s, options: [.fragmentsAllowed, .withoutEscapingSlashes]) else {
        return "\"\""
    }
    return String(decoding: data, as: UTF8.self)
}

extension Scenario {
    /// An OVN logical switch between two chassis (15 frames). VNI = datapath tunnel key 5; every packet
    /// carries the OVN option (class 0x0102 type 0x80) with the logical ingress/egress port keys.
    /// 1 ARP request from sw0-port1, flooded hv1 → hv2 (keys 1 → 32768, the `_MC_flood` group);
    /// 2 ARP reply hv2 → hv1 (2 → 1); 3–6 ICMP echo request/reply ×2 (1 → 2, 2 → 1);
    /// 7–15 TCP sw0-port1 → sw0-port2:80 (handshake, GET, response, ACK, FIN, FIN, ACK).
    public static func ovnSameSegment(start: Timestamp = epoch) -> [SynthFrame] {
        var r = ScenarioRecorder(start: start, seed: 0x0F_F0C5)
        let t = OVNSampleTopology.self
        let p1 = t.port1, p2 = t.port2
        let a = p1.workload, b = p2.workload, vni = t.logicalSwitch.vni
        r.tunnel(from: a.tep, to: b.tep, vni: vni, options: [.ovn(ingress: p1.tunnelKey, egress: t.floodGroupKey)],
                 inner: ScenarioRecorder.arp(from: a, for: b.ip))
        r.tunnel(from: b.tep, to: a.tep, vni: vni, options: [.ovn(ingress: p2.tunnelKey, egress: p1.tunnelKey)],
                 inner: ScenarioRecorder.arp(from: b, for: a.ip, replyTo: a), after: 160)
        let ab = TunnelLeg.switched(a, b, options: [.ovn(ingress: p1.tunnelKey, egress: p2.tunnelKey)])
        let ba = TunnelLeg.switched(b, a, options: [.ovn(ingress: p2.tunnelKey, egress: p1.tunnelKey)])
        r.ping(ab, ba, count: 2, firstAfter: 120)
        r.httpExchange(client: ab, server: ba, body: "hello from sw0-port2\n", firstAfter: 300_000)
        return r.frames
    }
}
