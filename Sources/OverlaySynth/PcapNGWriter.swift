import OverlayWire

/// Minimal pcapng writer (little-endian): one Section Header Block, one Interface Description Block per
/// interface (with `if_name` and nanosecond `if_tsresol`), then Enhanced Packet Blocks.
public final class PcapNGWriter {
    public struct Interface: Hashable, Sendable {
        public var name: String
        public var linkType: LinkType
        public var snaplen: Int
        public init(name: String, linkType: LinkType = .ethernet, snaplen: Int = 262_144) {
            self.name = name
            self.linkType = linkType
            self.snaplen = snaplen
        }
    }

    public let interfaces: [Interface]
    public private(set) var recordCount = 0
    private let output: CaptureOutput

    public init(interfaces: [Interface] = [Interface(name: "eth0")]) {
        self.interfaces = interfaces
        output = CaptureOutput()
        writeHeaderBlocks()
    }

    public init(path: String, interfaces: [Interface] = [Interface(name: "eth0")]) throws(CaptureWriteError) {
        self.interfaces = interfaces
        output = try CaptureOutput(path: path)
        writeHeaderBlocks()
    }

    public var bytes: [UInt8] { output.bytes }

    private static func block(type: UInt32, body: [UInt8]) -> [UInt8] {
        var b: [UInt8] = []
        let total = UInt32(12 + body.count)
        b.appendLE32(type)
        b.appendLE32(total)
        b += body
        b.appendLE32(total)
        return b
    }

    private static func option(code: UInt16, value: [UInt8]) -> [UInt8] {
        var o: [UInt8] = []
        o.appendLE16(code)
        o.appendLE16(UInt16(value.count))
        o += value
        while o.count % 4 != 0 { o.append(0) }
        return o
    }

    private func writeHeaderBlocks() {
        var shb: [UInt8] = []
        shb.appendLE32(0x1A2B_3C4D)  // byte-order magic
        shb.appendLE16(1)
        shb.appendLE16(0)
        shb.appendLE32(0xFFFF_FFFF)  // section length: unknown
        shb.appendLE32(0xFFFF_FFFF)
        shb += Self.option(code: 4, value: Array("OverlaySynth".utf8))  // shb_userappl
        shb += Self.option(code: 0, value: [])
        output.append(Self.block(type: 0x0A0D_0D0A, body: shb))
        for i in interfaces {
            var idb: [UInt8] = []
            idb.appendLE16(UInt16(truncatingIfNeeded: i.linkType.rawValue))
            idb.appendLE16(0)
            idb.appendLE32(UInt32(truncatingIfNeeded: i.snaplen))
            idb += Self.option(code: 2, value: Array(i.name.utf8))  // if_name
            idb += Self.option(code: 9, value: [9])                 // if_tsresol: 10^-9 s
            idb += Self.option(code: 0, value: [])
            output.append(Self.block(type: 1, body: idb))
        }
    }

    /// Writes one Enhanced Packet Block on `interface` (an index into `interfaces`; out-of-range is an error).
    public func write(_ bytes: [UInt8], timestamp: Timestamp, wireLength: Int? = nil, interface: Int = 0) throws(CaptureWriteError) {
        guard interfaces.indices.contains(interface) else {
            throw CaptureWriteError(path: "", reason: "interface \(interface) is not one of the \(interfaces.count) declared")
        }
        let captured = min(bytes.count, interfaces[interface].snaplen)
        let wire = max(wireLength ?? bytes.count, captured)
        let ns = UInt64(bitPattern: timestamp.totalNanoseconds)
        let padded = (captured + 3) / 4 * 4
        output.write(32 + padded) { p in
            let total = UInt32(32 + padded)
            p.storeLE32(6, at: 0)
            p.storeLE32(total, at: 4)
            p.storeLE32(UInt32(interface), at: 8)
            p.storeLE32(UInt32(truncatingIfNeeded: ns >> 32), at: 12)
            p.storeLE32(UInt32(truncatingIfNeeded: ns), at: 16)
            p.storeLE32(UInt32(captured), at: 20)
            p.storeLE32(UInt32(truncatingIfNeeded: wire), at: 24)
            bytes.withUnsafeBytes { b in
                if captured > 0, let base = b.baseAddress { (p + 28).copyMemory(from: base, byteCount: captured) }
            }
            (p + 28 + captured).initializeMemory(as: UInt8.self, repeating: 0, count: padded - captured)
            p.storeLE32(total, at: 28 + padded)
        }
        recordCount += 1
        try output.flushIfFull()
    }

    public func write(_ frame: SynthFrame) throws(CaptureWriteError) {
        try write(frame.bytes, timestamp: frame.timestamp, wireLength: frame.wireLength, interface: frame.interface)
    }

    public func close() throws(CaptureWriteError) { try output.close() }
}
