import Foundation
import OverlayWire

// Capture files built byte by byte from the format specs, independent of libpcap and of the code under test.

/// A classic pcap file: 24-byte header, then 16-byte record headers and data.
struct PcapBytes {
    struct Record {
        var seconds: UInt32
        /// Microseconds or nanoseconds, as the file's magic says.
        var fraction: UInt32
        var data: [UInt8]
        /// Defaults to data.count; set larger to describe a record whose bytes are missing.
        var capturedLength: UInt32? = nil
        var wireLength: UInt32? = nil
    }

    var bigEndian = false
    var nanosecond = false
    var linkType: UInt32 = 1
    var snaplen: UInt32 = 65535
    var records: [Record] = []

    var bytes: [UInt8] {
        var out: [UInt8] = []
        put32(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4, &out)
        put16(2, &out)
        put16(4, &out)
        put32(0, &out)  // thiszone
        put32(0, &out)  // sigfigs
        put32(snaplen, &out)
        put32(linkType, &out)
        for r in records {
            put32(r.seconds, &out)
            put32(r.fraction, &out)
            put32(r.capturedLength ?? UInt32(r.data.count), &out)
            put32(r.wireLength ?? UInt32(r.data.count), &out)
            out += r.data
        }
        return out
    }

    private func put16(_ v: UInt16, _ out: inout [UInt8]) {
        out += bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)]
    }
    private func put32(_ v: UInt32, _ out: inout [UInt8]) {
        let le = [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        out += bigEndian ? le.reversed() : le
    }
}

/// A pcapng file (little-endian unless asked): one section, its interfaces, enhanced packet blocks.
struct PcapngBytes {
    struct Interface {
        var linkType: UInt16 = 1
        /// if_tsresol option (6 = microseconds, the default; 9 = nanoseconds); nil = option absent.
        var timestampResolution: UInt8? = nil
    }
    struct Packet {
        var interface: UInt32
        /// In the interface's units since the epoch.
        var timestamp: UInt64
        var data: [UInt8]
        var wireLength: UInt32? = nil
    }

    var interfaces: [Interface] = []
    var packets: [Packet] = []
    var bigEndian = false
    /// A block of a type no reader knows (a custom or future block), written after the interface blocks and after
    /// every packet: readers must skip it by its length.
    var unknownBlock: (type: UInt32, body: [UInt8])? = nil

    var bytes: [UInt8] {
        var out: [UInt8] = []
        // Section Header Block: byte-order magic, version 1.0, section length unknown (-1).
        block(0x0A0D_0D0A, body: u32(0x1A2B_3C4D) + u16(1) + u16(0) + [UInt8](repeating: 0xFF, count: 8), &out)
        for i in interfaces {
            var body = u16(i.linkType) + u16(0) + u32(0)  // linktype, reserved, snaplen 0 = unlimited
            if let r = i.timestampResolution {
                body += u16(9) + u16(1) + [r, 0, 0, 0]  // if_tsresol, padded to 4
                body += u16(0) + u16(0)  // opt_endofopt
            }
            block(1, body: body, &out)
        }
        if let unknownBlock { block(unknownBlock.type, body: unknownBlock.body, &out) }
        for p in packets {
            var body = u32(p.interface) + u32(UInt32(p.timestamp >> 32)) + u32(UInt32(p.timestamp & 0xFFFF_FFFF))
            body += u32(UInt32(p.data.count)) + u32(p.wireLength ?? UInt32(p.data.count)) + p.data
            body += [UInt8](repeating: 0, count: (4 - p.data.count % 4) % 4)
            block(6, body: body, &out)
            if let unknownBlock { block(unknownBlock.type, body: unknownBlock.body, &out) }
        }
        return out
    }

    private func block(_ type: UInt32, body: [UInt8], _ out: inout [UInt8]) {
        let length = UInt32(12 + body.count)
        out += u32(type) + u32(length) + body + u32(length)
    }
    private func u16(_ v: UInt16) -> [UInt8] { bigEndian ? be16(v) : le16(v) }
    private func u32(_ v: UInt32) -> [UInt8] { bigEndian ? Array(le32(v).reversed()) : le32(v) }
}

func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }

// MARK: Packets

/// IPv4 + UDP with a correct header checksum (UDP checksum 0 = not computed).
func ipv4UDP(source: [UInt8] = [192, 0, 2, 1], destination: [UInt8] = [192, 0, 2, 2], sourcePort: UInt16 = 40000,
             destinationPort: UInt16 = 9, payload: [UInt8] = Array("hello".utf8)) -> [UInt8] {
    let udpLength = 8 + payload.count
    var ip: [UInt8] = [0x45, 0] + be16(UInt16(20 + udpLength)) + [0, 1, 0x40, 0, 64, 17, 0, 0] + source + destination
    var sum: UInt32 = 0
    for i in stride(from: 0, to: 20, by: 2) { sum += UInt32(ip[i]) << 8 | UInt32(ip[i + 1]) }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    ip[10] = UInt8(~sum >> 8 & 0xFF)
    ip[11] = UInt8(~sum & 0xFF)
    return ip + be16(sourcePort) + be16(destinationPort) + be16(UInt16(udpLength)) + [0, 0] + payload
}

/// IPv6 + UDP (UDP checksum 0: the decoder reports it, but the layers are there).
func ipv6UDP(payload: [UInt8] = Array("six".utf8)) -> [UInt8] {
    let udpLength = 8 + payload.count
    let source: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
    let destination: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [2]
    return [0x60, 0, 0, 0] + be16(UInt16(udpLength)) + [17, 64] + source + destination
        + be16(40000) + be16(9) + be16(UInt16(udpLength)) + [0, 0] + payload
}

func ethernet(_ payload: [UInt8], etherType: UInt16 = 0x0800) -> [UInt8] {
    [0x00, 0x50, 0x56, 0xAA, 0x10, 0x12, 0x00, 0x50, 0x56, 0xAA, 0x10, 0x11] + be16(etherType) + payload
}

/// Linux cooked v1 (16 bytes): packet type, ARPHRD_ETHER, address length, address (8), protocol.
func linuxCooked(_ payload: [UInt8]) -> [UInt8] {
    be16(0) + be16(1) + be16(6) + [0x00, 0x50, 0x56, 0xAA, 0x10, 0x11, 0, 0] + be16(0x0800) + payload
}

/// Linux cooked v2 (20 bytes): protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length, address.
func linuxCookedV2(_ payload: [UInt8]) -> [UInt8] {
    be16(0x0800) + be16(0) + [0, 0, 0, 2] + be16(1) + [0, 6] + [0x00, 0x50, 0x56, 0xAA, 0x10, 0x11, 0, 0] + payload
}

// MARK: Files

/// A fresh directory under the system temp dir, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "overlaycapture-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in the directory and returns the full path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let full = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }
}

/// Where the shared public corpus is: $OVERLAYTRACE_CORPUS, else `shared/corpus/public` beside the repository or
/// one of its parents (worktrees live one level deeper than the main checkout).
func corpusDirectory(filePath: String = #filePath) -> String? {
    if let fromEnvironment = ProcessInfo.processInfo.environment["OVERLAYTRACE_CORPUS"] {
        return FileManager.default.fileExists(atPath: fromEnvironment) ? fromEnvironment : nil
    }
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()  // Tests/OverlayCaptureTests
        .deletingLastPathComponent().deletingLastPathComponent()                  // the repository
    while directory.path != "/" {
        directory = directory.deletingLastPathComponent()
        let candidate = directory.appendingPathComponent("shared/corpus/public").path
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
    }
    return nil
}
