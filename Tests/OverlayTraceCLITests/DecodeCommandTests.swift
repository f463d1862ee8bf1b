import Foundation
import Testing

@Suite("overlaytrace decode")
struct DecodeCommandTests {
    @Test func oneLinePerPacket() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("sample.pcap")
        try SampleFrames.write(to: file)
        let r = try CLI.run(["decode", file])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "1 0.000000 172.20.11.51 > 172.20.11.52 geneve vni 69632 [ovn in=3 out=5] | 00:50:56:aa:10:11 > 00:50:56:aa:10:12 10.1.10.11.51544 > 10.1.10.12.80 tcp [S]",
            "2 0.004512 172.20.11.51 > 172.20.11.53 vxlan vni 5001 | 00:50:56:aa:10:11 > ff:ff:ff:ff:ff:ff arp who-has 10.1.10.12 tell 10.1.10.11",
            "3 0.009024 192.0.2.1.5353 > 192.0.2.2.53 udp",
        ])
    }

    @Test func verboseShowsEveryOption() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("sample.pcap")
        try SampleFrames.write(to: file)
        let r = try CLI.run(["decode", "-v", "-c", "1", file])
        #expect(r.status == 0)
        #expect(r.stdout.contains("geneve: ver 0, opt len 8, O 0, C 1, rsvd 0x00, proto 0x6558, vni 69632 (0x011000)"))
        #expect(r.stdout.contains("option: class 0x0102 (Open Virtual Networking (OVN)), type 0x80 critical, len 4, data 00030005, ingress_port_key 3, egress_port_key 5"))
        #expect(r.stdout.contains("tcp: 51544 > 80, flags [S]"))
        #expect(!r.stdout.contains("\n2 "))
    }

    @Test func jsonLinesFollowTheSchema() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("sample.pcap")
        try SampleFrames.write(to: file)
        let r = try CLI.run(["decode", "--json", file])
        #expect(r.status == 0)
        let objects = try r.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 3)
        let first = objects[0]
        #expect(first["frame"] as? Int == 1)
        #expect(first["caplen"] as? Int == first["len"] as? Int)
        let outer = try #require(first["outer"] as? [String: Any])
        #expect(outer["src"] as? String == "172.20.11.51")
        #expect(outer["dport"] as? Int == 6081)
        #expect(outer["proto"] as? Int == 17)
        let tunnel = try #require(first["tunnel"] as? [String: Any])
        #expect(tunnel["type"] as? String == "geneve")
        #expect(tunnel["vni"] as? Int == 69632)
        #expect(tunnel["critical"] as? Bool == true)
        #expect(tunnel["protocol"] as? String == "0x6558")
        let option = try #require((tunnel["options"] as? [[String: Any]])?.first)
        #expect(option["class"] as? String == "0x0102")
        #expect(option["class_name"] as? String == "Open Virtual Networking (OVN)")
        #expect(option["type"] as? String == "0x80")
        #expect(option["length"] as? Int == 4)
        #expect(option["data"] as? String == "00030005")
        let decoded = try #require(option["decoded"] as? [String: Any])
        #expect(decoded["ingress_port_key"] as? Int == 3)
        #expect(decoded["egress_port_key"] as? Int == 5)
        let inner = try #require(first["inner"] as? [String: Any])
        #expect(inner["src_mac"] as? String == "00:50:56:aa:10:11")
        #expect(inner["tcp_flags"] as? String == "S")
        #expect(inner["dport"] as? Int == 80)
        #expect((first["problems"] as? [Any])?.isEmpty == true)
        let arp = try #require((objects[1]["inner"] as? [String: Any])?["arp"] as? [String: Any])
        #expect(arp["op"] as? Int == 1)
        #expect(arp["target_ip"] as? String == "10.1.10.12")
        #expect(objects[2]["tunnel"] is NSNull)
        #expect(objects[2]["inner"] is NSNull)
    }

    @Test func decodeAsMapsAnExtraPort() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("port9999.pcap")
        try SampleFrames.write(to: file, udpPort: 9999)
        let plain = try CLI.run(["decode", "-c", "1", file])
        #expect(!plain.stdout.contains("geneve"))
        let mapped = try CLI.run(["decode", "-c", "1", "--decode-as", "9999=geneve", file])
        #expect(mapped.stdout.contains("geneve vni 69632"))
    }

    @Test func readsStandardInput() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("sample.pcap")
        try SampleFrames.write(to: file)
        let r = try CLI.run(["decode", "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 3)
    }

    @Test func filterIsCompiledByLibpcap() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("sample.pcap")
        try SampleFrames.write(to: file)
        let r = try CLI.run(["decode", "--filter", "udp port 4789", file])
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 1)
        let bad = try CLI.run(["decode", "--filter", "udp portx 1", file])
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("overlaytrace: bad capture filter 'udp portx 1'"))
        #expect(bad.stdout.isEmpty)
    }

    @Test(arguments: [
        ("/nonexistent/x.pcap", "no such file"),
        ("/", "directory"),
    ])
    func badFilesGiveOneLineAndStatus2(path: String, words: String) throws {
        let r = try CLI.run(["decode", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains(words))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func notACaptureFile() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("notes.txt")
        try Data("hello, this is not a capture\n".utf8).write(to: URL(fileURLWithPath: file))
        let r = try CLI.run(["decode", file])
        #expect(r.status == 2)
        #expect(r.stderr.contains("not a pcap or pcapng file"))
    }

    @Test func truncatedFileKeepsEveryCompletePacketThenWarns() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("sample.pcap")
        try SampleFrames.write(to: file)
        let whole = try Data(contentsOf: URL(fileURLWithPath: file))
        let cut = dir.path("cut.pcap")
        try whole.prefix(whole.count - 10).write(to: URL(fileURLWithPath: cut))
        let r = try CLI.run(["decode", cut])
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 2)
        #expect(r.stderr.contains("cut in the middle of a record"))
    }

    @Test func usageErrorsExitWith2() throws {
        #expect(try CLI.run(["decode"]).status == 2)
        #expect(try CLI.run(["decode", "--decode-as", "99=nonsense", "x.pcap"]).status == 2)
        #expect(try CLI.run(["no-such-command"]).status == 2)
        let help = try CLI.run(["decode", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--decode-as"))
    }
}
