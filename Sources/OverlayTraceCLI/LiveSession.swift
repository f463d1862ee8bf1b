import OverlayAnalysis
import OverlayWire

/// What `live` keeps besides the capture: the tunnel-health monitor behind the dashboard.
final class LiveSession {
    let monitor: TunnelHealthMonitor

    init(monitor: TunnelHealthMonitor) {
        self.monitor = monitor
    }

    func observe(frame: FrameInfo, packet: DecodedPacket) {
        monitor.observe(frame: frame, packet: packet)
    }

    func name(_ ip: IPAddress) -> String { ip.description }
    func newFindings() -> [String] { [] }
    func recentFindings(limit: Int) -> [String] { [] }

    func finish(reportPath: String?, inventoryPaths: [String]) throws {}
}
