import OverlayWire

/// A BFD session between two TEPs (BFD inside the tunnel, keyed by the outer TEP pair) or two underlay
/// addresses (BFD outside tunnels): its state over time.
public struct BFDSession: Sendable {
    /// The two ends, lower address first.
    public var endpoints: [IPAddress]
    public var names: [String?]
    /// BFD ran inside Geneve/VXLAN between these TEPs.
    public var tunneled: Bool
    /// VNI of the tunnel carrying it, when tunneled.
    public var vni: UInt32?
    /// The worst last state of the two sides (only one side's when only one was seen).
    public var state: BFDControl.State
    /// Last state of each side that was seen, lower address first.
    public var sides: [BFDSide]
    /// State changes in time order (the first `maxBFDTransitions`).
    public var transitions: [BFDTransition]
    public var transitionsNotKept: Int
    /// Times a side left Up.
    public var flaps: Int
    public var packets: Int
    public var first: FrameRef
    public var last: FrameRef
}

/// What one side of a BFD session last said about itself.
public struct BFDSide: Hashable, Sendable {
    public var sender: IPAddress
    public var name: String?
    public var myDiscriminator: UInt32
    public var yourDiscriminator: UInt32
    public var state: BFDControl.State
    public var diagnostic: UInt8
    public var diagnosticName: String
    public var detectMultiplier: UInt8
    /// Microseconds.
    public var desiredMinTxInterval: UInt32
    public var requiredMinRxInterval: UInt32
    public var packets: Int
    /// Gaps between its packets longer than its detection time (multiplier × interval): the peer would
    /// have declared the session down.
    public var lateIntervals: Int
    /// Longest gap between two of its packets, in seconds.
    public var longestGap: Double
    public var first: FrameRef
    public var last: FrameRef
}

/// One side of a BFD session changing state.
public struct BFDTransition: Hashable, Sendable {
    public var at: FrameRef
    public var sender: IPAddress
    /// nil for the first packet of that side.
    public var from: BFDControl.State?
    public var to: BFDControl.State
    public var diagnostic: UInt8
    public var diagnosticName: String
}

struct BFDKey: Hashable {
    var a: IPAddress
    var b: IPAddress
    var tunneled: Bool
}

struct BFDSessionState {
    let key: BFDKey
    var vni: UInt32?
    var sides: [BFDSide?] = [nil, nil]
    var transitions: [BFDTransition] = []
    var transitionsNotKept = 0
    var flaps = 0
    var packets = 0
    var first = FrameRef.none
    var last = FrameRef.none

    init(key: BFDKey, vni: UInt32?) {
        self.key = key
        self.vni = vni
    }

    /// Applies one control packet sent by `sender`; returns false when a transition could not be kept.
    mutating func observe(_ bfd: BFDControl, sender: IPAddress, at: FrameRef, maxTransitions: Int) -> Bool {
        packets += 1
        if first.frame == 0 { first = at }
        last = at
        let index = sender == key.a ? 0 : 1
        var kept = true
        let previous = sides[index]
        if previous?.state != bfd.state {
            if previous?.state == .up { flaps += 1 }
            let t = BFDTransition(at: at, sender: sender, from: previous?.state, to: bfd.state,
                                  diagnostic: bfd.diagnostic, diagnosticName: bfd.diagnosticName)
            if transitions.count < maxTransitions { transitions.append(t) } else {
                transitionsNotKept += 1
                kept = false
            }
        }
        var side = previous ?? BFDSide(sender: sender, name: nil, myDiscriminator: 0, yourDiscriminator: 0, state: bfd.state,
                                       diagnostic: 0, diagnosticName: "", detectMultiplier: 0, desiredMinTxInterval: 0,
                                       requiredMinRxInterval: 0, packets: 0, lateIntervals: 0, longestGap: 0, first: at, last: at)
        if side.packets > 0 {
            let gap = at.time.seconds(since: side.last.time)
            side.longestGap = max(side.longestGap, gap)
            // Detection time as the peer computes it: our multiplier × the slower of our TX and its RX wish.
            let peerRx = sides[1 - index]?.requiredMinRxInterval ?? 0
            let interval = Double(max(side.desiredMinTxInterval, peerRx)) / 1e6
            if interval > 0, side.detectMultiplier > 0, gap > Double(side.detectMultiplier) * interval { side.lateIntervals += 1 }
        }
        side.myDiscriminator = bfd.myDiscriminator
        side.yourDiscriminator = bfd.yourDiscriminator
        side.state = bfd.state
        side.diagnostic = bfd.diagnostic
        side.diagnosticName = bfd.diagnosticName
        side.detectMultiplier = bfd.detectMultiplier
        side.desiredMinTxInterval = bfd.desiredMinTxInterval
        side.requiredMinRxInterval = bfd.requiredMinRxInterval
        side.packets += 1
        side.last = at
        sides[index] = side
        return kept
    }
}
