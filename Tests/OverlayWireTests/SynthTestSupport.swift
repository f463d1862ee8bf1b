import Foundation
import OverlaySynth
import OverlayWire

/// Shared addresses for the synth tests (the reference topology's TEPs and workloads).
enum SynthFixtures {
    static let tepA = IPv4Address(172, 20, 11, 51), tepB = IPv4Address(172, 20, 11, 52)
    static let tepMacA = MACAddress(0x00, 0x50, 0x56, 0x6b, 0x00, 0x51), gatewayMac = MACAddress(0x00, 0x1c, 0x73, 0x00, 0x00, 0x01)
    static let vm1 = MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x11), vm2 = MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x12)
    static let ip1 = IPv4Address(10, 1, 10, 11), ip2 = IPv4Address(10, 1, 10, 12)

    /// Outer Ethernet/IPv4/UDP 6081 around `geneve` and the inner layers.
    static func geneveFrame(_ geneve: SynthLayer, inner: [SynthLayer], outerUDP: SynthLayer? = nil,
                            outerIP: SynthLayer? = nil) -> [UInt8] {
        PacketBuilder.build([
            .ethernet(src: tepMacA, dst: gatewayMac),
            outerIP ?? .ipv4(src: tepA, dst: tepB),
            outerUDP ?? .udp(sport: 51234, dport: 6081, zeroChecksum: true),
            geneve,
        ] + inner)
    }

    static let innerTCP: [SynthLayer] = [
        .ethernet(src: vm1, dst: vm2), .ipv4(src: ip1, dst: ip2, ttl: 64, id: 7),
        .tcp(sport: 40001, dport: 80, seq: 1000, ack: 0, flags: TCPHeader.syn), .payload(Array("hello".utf8)),
    ]
}

/// Runs the real oracle (tshark) on a capture, or returns nil when tshark is not installed.
enum TShark {
    static let executable: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":") {
            let p = "\(dir)/tshark"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }()

    /// tshark prints some integer fields in hex ("0x012000"), others in decimal.
    static func number(_ text: String) -> Int? {
        text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
    }

    /// `tshark -r <pcap> -T fields -e …` with checksum verification on; one row per frame, fields split on tab.
    static func fields(_ pcap: [UInt8], _ fields: [String]) throws -> [[String]]? {
        guard let exe = executable else {
            print("tshark not found: skipping the tshark oracle check")
            return nil
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.pcap")
        try Data(pcap).write(to: file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["-n", "-r", file.path, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                       "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                       "-E", "aggregator=,"] + fields.flatMap { ["-e", $0] }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }
}
