import OverlayWire

/// Decode problems grouped by (layer, code): a count, the first reason and a few sample frames.
struct ProblemAggregator {
    struct Key: Hashable {
        var layer: LayerKind
        var code: DecodeProblem.Code
    }

    private var index: [Key: Int] = [:]
    private(set) var states: [ProblemSummary] = []

    /// Returns how many sample frames could not be kept.
    mutating func note(_ problems: [DecodeProblem], frame: Int, maxSamples: Int) -> Int {
        var notKept = 0
        for p in problems {
            let key = Key(layer: p.layer, code: p.code)
            if let i = index[key] {
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
