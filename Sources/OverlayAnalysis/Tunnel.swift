import OverlayWire
import OverlayTables

/// One direction of one TEP pair in one VNI: what rode it and how the underlay saw it.
public struct Tunnel: Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    public var vni: UInt32
    public var sourceName: String?
    public var destinationName: String?
    public var encapsulation: TunnelEncapsulation
    public var packets: Int
    /// Frame bytes on the wire.
    public var bytes: Int
    /// Directional inner flows that rode it.
    public var innerFlows: Int
    /// Distinct outer UDP source ports (ECMP entropy), exact up to `sourcePortSpreadLimit`.
    public var sourcePortSpread: Int
    /// True when the spread reached the limit: "≥ limit".
    public var sourcePortSpreadSaturated: Bool
    /// "12", or "≥64" when saturated.
    public var sourcePortSpreadText: String
    /// Distinct outer TTL / hop limit values.
    public var outerTTLs: [UInt8]
    public var dontFragmentPackets: Int
    /// Outer IPv4 packets without DF (fragmentable by the underlay).
    public var fragmentablePackets: Int
    /// Largest outer IP packet (outer IP total length), and the frame that carried it.
    public var largestOuterPacket: Int
    public var largestOuterPacketFrame: Int
    /// Geneve packets with the O (OAM/control) bit.
    public var oamPackets: Int
    /// Geneve packets with the C (critical options) bit.
    public var criticalPackets: Int
    /// Geneve option kinds seen.
    public var options: [TunnelOptionUse]
    public var first: FrameRef
    public var last: FrameRef
}

/// A Geneve option class/type seen on a tunnel.
public struct TunnelOptionUse: Hashable, Sendable {
    public var optionClass: UInt16
    public var type: UInt8
    /// IANA name of the class ("Open Virtual Networking (OVN)").
    public var className: String
    public var critical: Bool
    public var packets: Int
}

/// (source TEP, destination TEP, VNI, encapsulation): the key of a directional tunnel.
struct TunnelKey: Hashable {
    var source: IPAddress
    var destination: IPAddress
    var vni: UInt32
    var encapsulation: TunnelEncapsulation

    @inline(__always)
    func tableHash(_ k: KeyHasher) -> UInt64 {
        let (sh, sl) = source.words, (dh, dl) = destination.words
        return k.hash(UInt64(vni) << 8 | UInt64(source.family) << 2 | (encapsulation == .geneve ? 1 : 2), sl << 32 ^ dl, sh, dh)
    }

    /// Word compares, inlined (the derived `==` is an out-of-line call comparing enums).
    @inline(__always)
    static func == (a: TunnelKey, b: TunnelKey) -> Bool {
        a.vni == b.vni && a.encapsulation == b.encapsulation && a.source.family == b.source.family
            && a.destination.family == b.destination.family && a.source.words == b.source.words
            && a.destination.words == b.destination.words
    }

    /// Three words for IPv4 TEPs (the common case), five for IPv6.
    func hash(into h: inout Hasher) {
        let (sh, sl) = source.words, (dh, dl) = destination.words
        h.combine(UInt64(vni) << 8 | UInt64(source.family) << 2 | (encapsulation == .geneve ? 1 : 2))
        h.combine(sl ^ (dl << 32 | dl >> 32))
        if sh | dh != 0 {
            h.combine(sh)
            h.combine(dh)
        }
    }
}

/// Per-tunnel counters kept while streaming. The fields every packet touches come first (key, indices,
/// counters, the source-port cache, the first option kind: `hotBytes`), the cold ones after them; the option
/// kinds beyond the first live out of line.
struct TunnelState {
    let key: TunnelKey
    let sourceTEP: Int32
    let destinationTEP: Int32
    let segment: Int32
    var encapsulation: TunnelEncapsulation { key.encapsulation }
    var packets = 0, bytes = 0
    var last = FrameRef.none
    var first = FrameRef.none
    var largestOuter = 0, largestOuterFrame = 0
    var dontFragment = 0, fragmentable = 0
    var critical = 0
    var sourcePorts = BoundedValueCounter()
    var ttls = ByteSet()
    /// The first option kind seen (almost always the only one: OVN's), inline; `packets` 0 until then.
    var firstOption = OptionCount(optionClass: 0, type: 0, packets: 0)
    // (cold: what the steady state does not touch)
    var innerFlows = 0
    var oam = 0
    /// Option kinds after the first.
    var moreOptions: [OptionCount] = []

    /// The leading bytes the steady state reads and writes (everything up to the first option kind).
    static let hotBytes = MemoryLayout<TunnelState>.offset(of: \TunnelState.firstOption)! + MemoryLayout<OptionCount>.size

    /// Option kinds in the order first seen.
    var options: [OptionCount] { firstOption.packets > 0 ? [firstOption] + moreOptions : [] }

    struct OptionCount {
        var optionClass: UInt16
        var type: UInt8
        var packets: Int
    }

    init(key: TunnelKey, sourceTEP: Int32, destinationTEP: Int32, segment: Int32) {
        self.key = key
        self.sourceTEP = sourceTEP
        self.destinationTEP = destinationTEP
        self.segment = segment
    }

    /// Counts one packet of this tunnel, from the carrier level's facts; returns how many option kinds could not be kept.
    mutating func record(_ outer: LevelFacts, oam isOAM: Bool, critical isCritical: Bool, options: ArraySlice<GeneveOption>, wireLength: Int,
                         at: FrameRef, configuration: AnalysisConfiguration) -> Int {
        let outerLength = outer.ipLength > 0 ? outer.ipLength : wireLength - outer.ipOffset
        count(sourcePort: outer.sourcePort, ttl: outer.ttl, ipVersion: outer.ipVersion, dontFragment: outer.dontFragment,
              outerLength: outerLength, wireLength: wireLength, at: at, exactSourcePortLimit: configuration.exactSourcePortLimit)
        var notKept = 0
        if isOAM { oam += 1 }
        if isCritical { critical += 1 }
        for option in options where !countOption(option.optionClass, option.type, limit: configuration.maxOptionKindsPerTunnel) {
            notKept += 1
        }
        return notKept
    }

    /// The per-packet counters of the outer header (everything but the Geneve flags and options), from plain
    /// fields: the summaries' fast path and `record` share it.
    @inline(__always)
    mutating func count(sourcePort: UInt16, ttl: UInt8, ipVersion: UInt8, dontFragment df: Bool, outerLength: Int, wireLength: Int,
                        at: FrameRef, exactSourcePortLimit: Int) {
        packets += 1
        bytes += wireLength
        if first.frame == 0 { first = at }
        last = at
        sourcePorts.insert(sourcePort, limit: exactSourcePortLimit)
        ttls.insert(ttl)
        if ipVersion == 4 {
            if df { dontFragment += 1 } else { fragmentable += 1 }
        }
        if outerLength > largestOuter {
            largestOuter = outerLength
            largestOuterFrame = at.frame
        }
    }

    /// Counts one option; returns false when a new kind could not be kept.
    @inline(__always)
    mutating func countOption(_ cls: UInt16, _ type: UInt8, limit: Int) -> Bool {
        if firstOption.packets > 0 && firstOption.optionClass == cls && firstOption.type == type {
            firstOption.packets += 1
            return true
        }
        return countOtherOption(cls, type, limit: limit)
    }

    private mutating func countOtherOption(_ cls: UInt16, _ type: UInt8, limit: Int) -> Bool {
        if firstOption.packets == 0 {
            guard limit > 0 else { return false }
            firstOption = OptionCount(optionClass: cls, type: type, packets: 1)
            return true
        }
        for i in moreOptions.indices where moreOptions[i].optionClass == cls && moreOptions[i].type == type {
            moreOptions[i].packets += 1
            return true
        }
        guard moreOptions.count + 1 < limit else { return false }
        moreOptions.append(OptionCount(optionClass: cls, type: type, packets: 1))
        return true
    }
}
