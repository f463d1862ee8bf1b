import OverlayWire

/// Tunnel header rules (RFC 8926 for Geneve, RFC 7348 for VXLAN), applied to what the decoder reported.
///
/// Must-drop (error) — a conforming receiver discards the packet, so the inner frame never reaches a workload:
/// - an unknown Geneve version (§3.4: only version 0 is defined);
/// - a critical option the receiver does not understand (§3.5: the C-marked option must be dropped);
/// - an option area that overruns its announced length (the options cannot be parsed).
///
/// Lint (warning) — the packet is accepted but something is off:
/// - reserved bits set (the sender must send zero, receivers ignore them);
/// - the C flag not matching the options (a receiver that skips option parsing relies on it: a clear C with
///   a critical option present makes it accept what it should drop);
/// - a protocol type no tunnel endpoint can deliver (not Ethernet, IPv4, IPv6 or ARP);
/// - a VXLAN header with the I flag clear (its VNI is not valid).
///
/// Truncation, checksums and depth limits are capture or decoder matters, not tunnel rules.
struct GeneveRules {
    private var outcomes: [HeaderRuleKey: HeaderOutcome] = [:]
    let evidenceLimit: Int

    init(evidenceLimit: Int) { self.evidenceLimit = evidenceLimit }

    enum Verdict { case accept, mustDrop }

    /// Judges the decoder's problems for one frame. Called only when the frame has problems.
    mutating func inspect(_ problems: [DecodeProblem], frame: Int) -> Verdict {
        var verdict = Verdict.accept
        for p in problems where p.layer == .geneve || p.layer == .vxlan {
            guard let rule = Self.rule(for: p) else { continue }
            if rule.severity == .error { verdict = .mustDrop }
            let key = HeaderRuleKey(layer: p.layer, code: p.code)
            if outcomes[key] == nil {
                outcomes[key] = HeaderOutcome(rule: rule, firstReason: p.reason, evidence: Evidence(limit: evidenceLimit))
            }
            outcomes[key]?.evidence.add(frame)
        }
        return verdict
    }

    struct Rule {
        var severity: Finding.Severity
        var summary: String
        var consequence: String
    }

    static func rule(for p: DecodeProblem) -> Rule? {
        let tunnel = p.layer == .vxlan ? "VXLAN" : "Geneve"
        switch p.code {
        case .unsupportedVersion:
            return Rule(severity: .error, summary: "\(tunnel) header with an unknown version",
                        consequence: "a receiver must drop this packet (RFC 8926 §3.4)")
        case .unknownCriticalOption:
            return Rule(severity: .error, summary: "Geneve critical option that no known receiver understands",
                        consequence: "a receiver must drop this packet (RFC 8926 §3.5); the inner frame is lost")
        case .invalidLength:
            return Rule(severity: .error, summary: "\(tunnel) header whose lengths do not add up",
                        consequence: "a receiver cannot parse the options and drops the packet")
        case .reservedBitsSet:
            return Rule(severity: .warning, summary: "\(tunnel) reserved bits set",
                        consequence: "senders must send zero; receivers ignore them, but a peer or middlebox is writing into fields it does not own")
        case .criticalFlagMismatch:
            return Rule(severity: .warning, summary: "Geneve C flag does not match the options",
                        consequence: "a receiver that does not parse options trusts the C flag to decide whether to drop")
        case .unknownProtocolType:
            return Rule(severity: .warning, summary: "\(tunnel) protocol type no tunnel endpoint delivers",
                        consequence: "the payload is neither Ethernet, IPv4, IPv6 nor ARP; receivers discard it")
        case .malformed where p.layer == .vxlan:
            return Rule(severity: .warning, summary: "VXLAN header with the I flag clear",
                        consequence: "RFC 7348 requires the I flag; without it the VNI is not valid")
        default:
            return nil
        }
    }

    func findings() -> [Finding] {
        outcomes.map { key, o in
            Finding(kind: .header, severity: o.rule.severity,
                    message: "\(o.rule.summary) in \(plural(o.evidence.count, "packet")): \(o.firstReason); \(o.rule.consequence); \(o.evidence.text).",
                    expected: key.layer == .vxlan ? "a well-formed VXLAN header (RFC 7348)" : "a well-formed Geneve header (RFC 8926)",
                    observed: o.firstReason,
                    frames: o.evidence.frames)
        }
    }
}

struct HeaderRuleKey: Hashable {
    var layer: LayerKind
    var code: DecodeProblem.Code
}

struct HeaderOutcome {
    var rule: GeneveRules.Rule
    var firstReason: String
    var evidence: Evidence
}
