import OverlayWire

/// Decode problems grouped by (layer, code): a count, the first reason and a few sample frames.
/// A capture where most packets share one problem (e.g. offloaded checksums) is the common case, so kinds
/// are found by a linear scan (few kinds, codes are static strings that compare by identity) before any hashing.
struct ProblemAggregator {
    struct Key: Hashable {
        var layer: LayerKind
        var code: DecodeProblem.Code
    }

    private var index: [Key: Int] = [:]
    private(set) var states: [ProblemSummary] = []

    private func find(_ p: DecodeProblem) -> Int? {
        for i in states.indices.prefix(16) where states[i].layer == p.layer && states[i].code == p.code { return i }
        return states.count > 16 ? index[Key(layer: p.layer, code: p.code)] : nil
    }

    /// Returns how many sample frames could not be kept.
    mutating func note(_ problems: [DecodeProblem], frame: Int, maxSamples: Int) -> Int {
        var notKept = 0
        for p in problems {
            let key = Key(layer: p.layer, code: p.code)
            if let i = find(p) {
                states[i].count += 1
                if states[i].frames.last != frame {
                    if states[i].frames.count < maxSamples { states[i].frames.append(frame) } else { notKept += 1 }
                }
            } else {
                index[key] = states.count
                states.append(ProblemSummary(layer: p.layer, code: p.code, count: 1, firstReason: p.reason,
                                             frames: maxSamples > 0 ? [frame] : []))
                if maxSamples == 0 { notKept += 1 }
            }
        }
        return notKept
    }
}
