import Foundation
import Testing
@testable import OverlayReport

@Suite("JSON report writer")
struct JSONReportWriterTests {
    struct TEPSummary: JSONConvertible {
        var ip: String
        var name: String?
        var vnis: [UInt32]
        var txPackets: UInt64

        var jsonValue: JSONValue {
            .object([("ip", ip.jsonValue), ("name", name.jsonValue), ("vnis", vnis.jsonValue), ("tx_packets", txPackets.jsonValue)])
        }
    }

    let teps = [
        TEPSummary(ip: "172.20.11.51", name: "esxi-01", vnis: [69632, 73728], txPackets: 24),
        TEPSummary(ip: "172.20.11.100", name: nil, vnis: [], txPackets: 0),
    ]

    @Test("pretty: two-space indent, ordered keys, trailing newline")
    func pretty() {
        let text = JSONReportWriter.render(JSONValue.object([("teps", teps.jsonValue), ("findings", .array([]))]))
        #expect(text == """
        {
          "teps": [
            {
              "ip": "172.20.11.51",
              "name": "esxi-01",
              "vnis": [
                69632,
                73728
              ],
              "tx_packets": 24
            },
            {
              "ip": "172.20.11.100",
              "name": null,
              "vnis": [],
              "tx_packets": 0
            }
          ],
          "findings": []
        }

        """)
    }

    @Test("compact: one line plus the newline; JSONConvertible values render directly")
    func compact() throws {
        let text = JSONReportWriter.render(teps, style: .compact)
        #expect(text == #"[{"ip":"172.20.11.51","name":"esxi-01","vnis":[69632,73728],"tx_packets":24},{"ip":"172.20.11.100","name":null,"vnis":[],"tx_packets":0}]"# + "\n")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(parsed.count == 2 && parsed[0]["tx_packets"] as? Int == 24)
    }

    @Test("omitting nil members; scalar conformances; UInt64 clamps instead of trapping")
    func helpers() {
        let object = JSONValue.object(omittingNil: [("a", 1), ("b", nil), ("c", "x"), ("d", true), ("e", 1.5),
                                                    ("f", UInt16(6081)), ("g", UInt64.max)])
        #expect(JSONReportWriter.render(object, style: .compact)
            == #"{"a":1,"c":"x","d":true,"e":1.5,"f":6081,"g":9223372036854775807}"# + "\n")
    }
}
