import OverlayReference
import OverlaySynth
import OverlayWire
import Testing

/// `ReferenceSwitch.observe(frames:packets:count:)` (groups whose lookups are loaded ahead, what the pipeline's
/// reference thread calls) concludes exactly what replaying the same frames one by one does.
@Suite struct GroupReplayTests {
    static func decoded(_ frames: [SynthFrame]) -> [(FrameInfo, DecodedPacket)] {
        let decoder = PacketDecoder()
        return frames.enumerated().map { i, f in
            (FrameInfo(number: i + 1, timestamp: f.timestamp, capturedLength: f.bytes.count, wireLength: f.wireLength, linkType: .ethernet),
             decoder.decode(f.bytes, wireLength: f.wireLength))
        }
    }

    /// Frame by frame, and in batches of `batch` frames.
    static func bothWays(_ frames: [(FrameInfo, DecodedPacket)], _ configuration: ReferenceSwitchConfiguration, batch: Int)
        -> (single: ReferenceSwitch, grouped: ReferenceSwitch) {
        let single = ReferenceSwitch(configuration: configuration)
        for (info, packet) in frames { single.observe(frame: info, packet: packet) }
        let grouped = ReferenceSwitch(configuration: configuration)
        let infos = UnsafeMutablePointer<FrameInfo>.allocate(capacity: batch)
        let packets = UnsafeMutablePointer<DecodedPacket>.allocate(capacity: batch)
        defer { infos.deallocate(); packets.deallocate() }
        var start = 0
        while start < frames.count {
            let n = min(batch, frames.count - start)
            for i in 0..<n {
                (infos + i).initialize(to: frames[start + i].0)
                (packets + i).initialize(to: frames[start + i].1)
            }
            grouped.observe(frames: infos, packets: packets, count: n)
            packets.deinitialize(count: n)
            infos.deinitialize(count: n)
            start += n
        }
        return (single, grouped)
    }

    static var allCaptures: [[SynthFrame]] {
        SampleScenario.allCases.map { $0.frames() } + FaultScenario.allCases.map { $0.build().frames }
    }

    @Test(arguments: [1, 7, 32, 256])
    func groupsConcludeWhatSingleFramesDo(_ batch: Int) {
        for (n, frames) in Self.allCaptures.enumerated() {
            var configuration = ReferenceSwitchConfiguration()
            configuration.completeUnderlayView = true
            let (single, grouped) = Self.bothWays(Self.decoded(frames), configuration, batch: batch)
            #expect(grouped.finish() == single.finish(), "capture \(n), batches of \(batch)")
            #expect(grouped.droppedState == single.droppedState, "capture \(n)")
            #expect(grouped.routerMACs == single.routerMACs, "capture \(n)")
        }
    }

    /// With tables too small for the capture (TEPs, shapes and flows past their limits), the group path's hints
    /// (TEP ids, shape hashes) fall back to what observe does alone.
    @Test func groupsConcludeWhatSingleFramesDoPastTheLimits() {
        var configuration = ReferenceSwitchConfiguration()
        configuration.maxTrackedTEPs = 2
        configuration.maxTrackedFlows = 3
        configuration.maxTrackedMACs = 4
        for (n, frames) in Self.allCaptures.enumerated() {
            let (single, grouped) = Self.bothWays(Self.decoded(frames), configuration, batch: 32)
            #expect(grouped.finish() == single.finish(), "capture \(n)")
            #expect(grouped.droppedState == single.droppedState, "capture \(n)")
        }
    }
}
