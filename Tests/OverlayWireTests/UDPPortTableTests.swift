import Testing
@testable import OverlayWire

/// The decoder looks ports up in `UDPPortTable` (an inline scan of up to 8 mappings, the dictionary beyond):
/// both forms and a configuration changed after the decoder was made must answer as `udpPorts` says.
@Suite("UDP port table") struct UDPPortTableTests {
    @Test func answersLikeTheDictionary() {
        var small = DecoderConfiguration.defaultPorts
        small[9999] = .geneve
        var large = small
        for port in UInt16(20000)..<20010 { large[port] = .vxlan }
        #expect(large.count > 8)
        for map in [[:], DecoderConfiguration.defaultPorts, small, large] {
            let table = UDPPortTable(map)
            for port in [UInt16(0), 53, 4789, 6081, 8472, 3784, 4784, 9999, 20000, 20009, 20010, 65535] {
                #expect(table[port] == map[port], "port \(port) with \(map.count) mappings")
            }
        }
    }

    @Test func configurationChangedAfterInitTakesEffect() {
        let geneveOn9999 = Wire.patched(HandMade.geneveOVN, at: 36, Wire.be16(9999))
        var decoder = PacketDecoder()
        #expect(decoder.decode(geneveOn9999).geneveHeaders.isEmpty)
        decoder.configuration.udpPorts[9999] = .geneve
        #expect(decoder.decode(geneveOn9999).geneveHeaders.count == 1)
        for port in UInt16(20000)..<20010 { decoder.configuration.udpPorts[port] = .vxlan }
        #expect(decoder.decode(geneveOn9999).geneveHeaders.count == 1, "more than 8 mappings: the dictionary answers")
        decoder.configuration.udpPorts[9999] = nil
        #expect(decoder.decode(geneveOn9999).geneveHeaders.isEmpty)
    }
}
