import OverlayWire

extension PacketBuilder {
    /// Splits the (outermost) IPv4 packet of an Ethernet frame into fragments of at most `mtu` IP bytes,
    /// as a router on a small-MTU underlay link would: the link header and IP header (options included)
    /// are copied, total length / MF / offset / header checksum set per fragment, data cut at 8-byte
    /// boundaries. Frames that already fit, or that carry no IPv4, come back unchanged.
    public static func fragmentIPv4(_ frame: [UInt8], mtu: Int) -> [[UInt8]] {
        var ipStart = 12
        while ipStart + 2 <= frame.count, EtherType(rawValue: frame.readBE16(at: ipStart)).isVLANTag { ipStart += 4 }
        guard ipStart + 2 <= frame.count, frame.readBE16(at: ipStart) == EtherType.ipv4.rawValue else { return [frame] }
        ipStart += 2
        guard ipStart + 20 <= frame.count else { return [frame] }
        let headerLength = Int(frame[ipStart] & 0x0F) * 4
        let dataStart = ipStart + headerLength
        guard headerLength >= 20, dataStart <= frame.count, frame.count - ipStart > mtu else { return [frame] }
        let chunk = (mtu - headerLength) / 8 * 8
        guard chunk > 0 else { return [frame] }
        let flags = frame.readBE16(at: ipStart + 6)
        let baseOffset = Int(flags & 0x1FFF) * 8
        let originalMF = flags & 0x2000 != 0
        var fragments: [[UInt8]] = []
        var at = dataStart
        while at < frame.count {
            let end = min(at + chunk, frame.count)
            var f = Array(frame[0..<dataStart])
            f += frame[at..<end]
            let last = end == frame.count
            f.setBE16(UInt16(truncatingIfNeeded: headerLength + end - at), at: ipStart + 2)
            let offset = (baseOffset + at - dataStart) / 8
            f.setBE16(flags & 0xC000 | (last && !originalMF ? 0 : 0x2000) | UInt16(truncatingIfNeeded: offset) & 0x1FFF, at: ipStart + 6)
            f.setBE16(0, at: ipStart + 10)
            f.setBE16(InternetChecksum.compute(Array(f[ipStart..<dataStart])), at: ipStart + 10)
            fragments.append(f)
            at = end
        }
        return fragments
    }
}
