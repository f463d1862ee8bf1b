import Foundation
import OverlaySynth
import OverlayWire
import Testing

/// Runs the real `overlaytrace` binary that `swift test` built next to the test bundle, so exit statuses,
/// stdout and stderr are checked exactly as a script would see them.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    static var binary: URL {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundleDir, bundleDir.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("overlaytrace")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        // `swift test` from the package root: the default build directory.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/overlaytrace")
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, currentDirectory: URL? = nil,
                    environment: [String: String] = [:]) throws -> CLIResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        // Read both pipes concurrently so a large output cannot deadlock the child.
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A temporary directory removed at the end of the test.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("overlaytrace-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A small overlay capture: one Geneve TCP SYN with an OVN option, one VXLAN ARP request, one plain UDP datagram.
enum SampleFrames {
    static let vm1 = MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x11)
    static let vm2 = MACAddress(0x00, 0x50, 0x56, 0xaa, 0x10, 0x12)
    static let tepMAC1 = MACAddress(0x00, 0x50, 0x56, 0x6b, 0x00, 0x51)
    static let gateway = MACAddress(0x00, 0x1c, 0x73, 0x00, 0x00, 0x01)

    static func frames(udpPort: UInt16 = 6081) -> [SynthFrame] {
        let geneve = PacketBuilder.build([
            .ethernet(src: tepMAC1, dst: gateway),
            .ipv4(src: IPv4Address(172, 20, 11, 51), dst: IPv4Address(172, 20, 11, 52)),
            .udp(sport: 51544, dport: udpPort, zeroChecksum: true),
            .geneve(vni: 69632, options: [.ovn(ingress: 3, egress: 5)]),
            .ethernet(src: vm1, dst: vm2),
            .ipv4(src: IPv4Address(10, 1, 10, 11), dst: IPv4Address(10, 1, 10, 12)),
            .tcp(sport: 51544, dport: 80, seq: 1, flags: TCPHeader.syn),
        ])
        let vxlan = PacketBuilder.build([
            .ethernet(src: tepMAC1, dst: gateway),
            .ipv4(src: IPv4Address(172, 20, 11, 51), dst: IPv4Address(172, 20, 11, 53)),
            .udp(sport: 40000, dport: 4789, zeroChecksum: true),
            .vxlan(vni: 5001),
            .ethernet(src: vm1, dst: .broadcast),
            .arp(op: 1, senderMAC: vm1, senderIP: IPv4Address(10, 1, 10, 11), targetMAC: .zero, targetIP: IPv4Address(10, 1, 10, 12)),
        ])
        let plain = PacketBuilder.build([
            .ethernet(src: tepMAC1, dst: gateway),
            .ipv4(src: IPv4Address(192, 0, 2, 1), dst: IPv4Address(192, 0, 2, 2)),
            .udp(sport: 5353, dport: 53),
            .payload([1, 2, 3, 4]),
        ])
        let t0 = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)
        return [geneve, vxlan, plain].enumerated().map { i, bytes in
            SynthFrame(timestamp: Timestamp(seconds: t0.seconds, nanoseconds: UInt32(i) * 4_512_000), bytes: bytes)
        }
    }

    static func write(to path: String, udpPort: UInt16 = 6081) throws {
        try PcapWriter.write(frames(udpPort: udpPort), to: path)
    }
}
