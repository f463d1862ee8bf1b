import Foundation
import OverlayWire

/// One frame of a capture file, as a test reads it: the captured bytes plus the original (wire) length.
struct FixtureFrame: Sendable {
    /// 1-based, as Wireshark numbers frames.
    var number: Int
    var linkType: LinkType
    var wireLength: Int
    var bytes: [UInt8]
}

/// A small pure-Swift reader for the classic pcap and pcapng files of the test corpus.
///
/// The product reads captures through libpcap (OverlayCapture); the wire tests must not depend on it, so they
/// read the record framing themselves. Only what the corpus uses: classic pcap in either byte order with
/// micro- or nanosecond magic, and pcapng section/interface/enhanced/simple packet blocks.
enum PcapFixtureReader {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func read(path: String) throws -> [FixtureFrame] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(path): cannot be read")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { throw Failure(description: "\(path): too short for a capture file") }
        if Array(bytes[0..<4]) == [0x0A, 0x0D, 0x0D, 0x0A] {
            return try readPcapng(bytes, path: path)
        }
        return try readClassic(bytes, path: path)
    }

    /// Reads an unsigned integer of `width` bytes at `offset` in the given byte order.
    private static func integer(_ b: [UInt8], _ offset: Int, _ width: Int, bigEndian: Bool) -> UInt64? {
        guard offset >= 0, offset + width <= b.count else { return nil }
        var v: UInt64 = 0
        for i in 0..<width {
            let byte = UInt64(b[offset + (bigEndian ? i : width - 1 - i)])
            v = v << 8 | byte
        }
        return v
    }

    private static func readClassic(_ b: [UInt8], path: String) throws -> [FixtureFrame] {
        guard b.count >= 24 else { throw Failure(description: "\(path): pcap file header is cut") }
        let magicLE = integer(b, 0, 4, bigEndian: false)!
        let bigEndian: Bool
        switch magicLE {
        case 0xA1B2_C3D4, 0xA1B2_3C4D: bigEndian = false
        case 0xD4C3_B2A1, 0x4D3C_B2A1: bigEndian = true
        default: throw Failure(description: "\(path): not a pcap file (magic \(String(magicLE, radix: 16)))")
        }
        let network = integer(b, 20, 4, bigEndian: bigEndian)!
        let linkType = LinkType(rawValue: Int32(network & 0x0FFF_FFFF))
        var frames: [FixtureFrame] = []
        var at = 24
        while at < b.count {
            guard let caplen = integer(b, at + 8, 4, bigEndian: bigEndian),
                  let origlen = integer(b, at + 12, 4, bigEndian: bigEndian),
                  at + 16 + Int(caplen) <= b.count else {
                throw Failure(description: "\(path): record \(frames.count + 1) is cut")
            }
            let start = at + 16
            frames.append(FixtureFrame(number: frames.count + 1, linkType: linkType, wireLength: Int(origlen),
                                       bytes: Array(b[start..<(start + Int(caplen))])))
            at = start + Int(caplen)
        }
        return frames
    }

    private static func readPcapng(_ b: [UInt8], path: String) throws -> [FixtureFrame] {
        var frames: [FixtureFrame] = []
        var interfaces: [LinkType] = []
        var bigEndian = false
        var at = 0
        while at + 12 <= b.count {
            if Array(b[at..<(at + 4)]) == [0x0A, 0x0D, 0x0D, 0x0A] {
                // Section header: the byte-order magic decides how everything after it is read.
                guard let magic = integer(b, at + 8, 4, bigEndian: false) else { break }
                bigEndian = magic != 0x1A2B_3C4D
                interfaces.removeAll()
            }
            guard let type = integer(b, at, 4, bigEndian: bigEndian),
                  let length = integer(b, at + 4, 4, bigEndian: bigEndian).map(Int.init),
                  length >= 12, length % 4 == 0, at + length <= b.count else {
                throw Failure(description: "\(path): pcapng block at offset \(at) is cut or malformed")
            }
            let body = at + 8
            switch type {
            case 1:  // Interface Description Block
                let lt = integer(b, body, 2, bigEndian: bigEndian)!
                interfaces.append(LinkType(rawValue: Int32(lt)))
            case 6:  // Enhanced Packet Block
                guard let ifid = integer(b, body, 4, bigEndian: bigEndian).map(Int.init), ifid < interfaces.count,
                      let caplen = integer(b, body + 12, 4, bigEndian: bigEndian).map(Int.init),
                      let origlen = integer(b, body + 16, 4, bigEndian: bigEndian).map(Int.init),
                      body + 20 + caplen <= at + length else {
                    throw Failure(description: "\(path): enhanced packet block at offset \(at) is malformed")
                }
                frames.append(FixtureFrame(number: frames.count + 1, linkType: interfaces[ifid], wireLength: origlen,
                                           bytes: Array(b[(body + 20)..<(body + 20 + caplen)])))
            case 3:  // Simple Packet Block: interface 0, captured length from the block size
                guard !interfaces.isEmpty, let origlen = integer(b, body, 4, bigEndian: bigEndian).map(Int.init) else {
                    throw Failure(description: "\(path): simple packet block at offset \(at) is malformed")
                }
                let caplen = min(origlen, length - 16)
                frames.append(FixtureFrame(number: frames.count + 1, linkType: interfaces[0], wireLength: origlen,
                                           bytes: Array(b[(body + 4)..<(body + 4 + caplen)])))
            default:
                break
            }
            at += length
        }
        return frames
    }
}
