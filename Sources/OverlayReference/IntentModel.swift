import OverlayInventory
import OverlayWire

/// Intent: what the inventory declares, against what the capture shows. Only with an inventory, and each
/// rule only when the inventory declares that kind of thing at all.
///
/// - Every TEP that sends or receives tunnel packets is a declared transport node (a host or an edge).
/// - Every VNI in use is a declared segment.
/// - A declared workload is a source behind the TEP, and in the segment, the inventory names.
///
/// All intent findings are warnings: the inventory may simply be out of date (a VM migrated since it was
/// written), and the other rules already say whether the network itself misbehaves.
struct IntentModel {
    let inventory: Inventory
    private let checksTEPs: Bool
    private let checksVNIs: Bool
    /// Per TEP id: 0 not yet looked up, 1 declared, 2 undeclared.
    private var tepStatus: [UInt8] = []
    private var lastVNI: UInt32 = .max
    private var lastVNIDeclared = true
    private var undeclaredTEPs: [TEPID: Evidence] = [:]
    private var undeclaredVNIs: [UInt32: Evidence] = [:]
    private var misplaced: [MisplacedKey: Evidence] = [:]
    let evidenceLimit: Int
    let findingLimit: Int

    init(inventory: Inventory, configuration: ReferenceSwitchConfiguration) {
        self.inventory = inventory
        checksTEPs = !inventory.teps.isEmpty
        checksVNIs = !inventory.segments.isEmpty
        evidenceLimit = configuration.maxEvidenceFrames
        findingLimit = configuration.maxFindingsPerKind
    }

    @inline(__always)
    /// `vni` nil: a control (OAM) packet, whose VNI is not a segment.
    mutating func observeTunnel(frame: Int, vni: UInt32?, from source: TEPID, to destination: TEPID, teps: TunnelEndpointTable) {
        if checksTEPs {
            checkTEP(source, frame: frame, teps)
            checkTEP(destination, frame: frame, teps)
        }
        if checksVNIs, let vni {
            if vni != lastVNI {
                lastVNI = vni
                lastVNIDeclared = inventory.segment(vni: vni) != nil
            }
            if !lastVNIDeclared { Self.add(&undeclaredVNIs, vni, frame, evidenceLimit, findingLimit) }
        }
    }

    private mutating func checkTEP(_ id: TEPID, frame: Int, _ teps: TunnelEndpointTable) {
        let i = Int(id)
        if i >= tepStatus.count { tepStatus.append(contentsOf: repeatElement(0, count: i - tepStatus.count + 1)) }
        if tepStatus[i] == 0 {
            let ip = teps.address(id)
            tepStatus[i] = inventory.tep(ip) != nil || inventory.edge(tep: ip) != nil ? 1 : 2
        }
        if tepStatus[i] == 2 { Self.add(&undeclaredTEPs, id, frame, evidenceLimit, findingLimit) }
    }

    private static func add<K: Hashable>(_ table: inout [K: Evidence], _ key: K, _ frame: Int, _ evidenceLimit: Int, _ findingLimit: Int) {
        if let i = table.index(forKey: key) {
            table.values[i].add(frame)
        } else if table.count < findingLimit {
            var e = Evidence(limit: evidenceLimit)
            e.add(frame)
            table[key] = e
        }
    }

    /// Called when the MAC table places a source MAC somewhere new (never for an unchanged location).
    mutating func observeLocation(mac: MACAddress, vni: UInt32, tep: TEPID, frame: Int, teps: TunnelEndpointTable) {
        guard let w = inventory.workload(mac: mac) else { return }
        if let declared = w.tep, declared != teps.address(tep) {
            Self.add(&misplaced, MisplacedKey(mac: mac, vni: vni, tep: tep, wrongSegment: false), frame, evidenceLimit, findingLimit)
        }
        if let declared = w.vni, declared != vni {
            Self.add(&misplaced, MisplacedKey(mac: mac, vni: vni, tep: tep, wrongSegment: true), frame, evidenceLimit, findingLimit)
        }
    }

    func findings(_ v: ModelVerdicts) -> [Finding] {
        var out: [Finding] = []
        for (id, e) in undeclaredTEPs {
            let ip = v.teps.address(id)
            out.append(Finding(
                kind: .intent, severity: .warning,
                message: "TEP \(ip) sends or receives tunnel packets but is not a transport node in the inventory (\(plural(e.count, "packet"))); \(e.text).",
                expected: "only declared TEPs (\(inventory.teps.map { $0.ip.description }.sorted().joined(separator: ", ")))",
                observed: "tunnel traffic to or from \(ip)",
                frames: e.frames))
        }
        for (vni, e) in undeclaredVNIs {
            out.append(Finding(
                kind: .intent, severity: .warning,
                message: "VNI \(vni) carries \(plural(e.count, "packet")) but no segment in the inventory has that VNI; \(e.text).",
                expected: "only declared segments (\(inventory.segments.map { "\($0.vni)" }.sorted().joined(separator: ", ")))",
                observed: "traffic in VNI \(vni)",
                frames: e.frames, vni: vni))
        }
        for (key, e) in misplaced where !v.routerMACs.contains(key.mac) {
            guard let w = inventory.workload(mac: key.mac) else { continue }
            let seen = v.teps.address(key.tep)
            if key.wrongSegment {
                out.append(Finding(
                    kind: .intent, severity: .warning,
                    message: "Workload \(w.name) (\(key.mac)) is declared in \(v.naming.vni(w.vni ?? 0)) but the capture shows it as a source in \(v.naming.vni(key.vni)) (from frame \(e.firstFrame)).",
                    expected: "sources in VNI \(w.vni ?? 0)",
                    observed: "sources in VNI \(key.vni)",
                    frames: e.frames, vni: key.vni))
            } else {
                let declared = w.tep.map { v.naming.tep($0) } ?? "?"
                out.append(Finding(
                    kind: .intent, severity: .warning,
                    message: "Workload \(w.name) (\(key.mac)) is declared behind \(declared) but the capture shows it as a source behind \(v.naming.tep(seen)) in \(v.naming.vni(key.vni)) (from frame \(e.firstFrame)). Either it migrated since the inventory was written, or its traffic comes from the wrong host.",
                    expected: "behind \(declared)",
                    observed: "behind \(seen)",
                    frames: e.frames, vni: key.vni))
            }
        }
        return out
    }
}

struct MisplacedKey: Hashable {
    var mac: MACAddress
    var vni: UInt32
    var tep: TEPID
    var wrongSegment: Bool
}
