import Foundation
import OverlaySynth
import OverlayWire
import Testing

@Suite("BigCaptureGenerator")
struct SynthBigCaptureTests {
    /// (captured bytes, timestamp in µs) of every record of a microsecond pcap.
    static func records(_ file: [UInt8]) -> [(bytes: [UInt8], micros: Int64)] {
        func le32(_ at: Int) -> Int { Int(file[at]) | Int(file[at + 1]) << 8 | Int(file[at + 2]) << 16 | Int(file[at + 3]) << 24 }
        var out: [(bytes: [UInt8], micros: Int64)] = []
        var at = 24
        while at + 16 <= file.count {
            let length = le32(at + 8)
            guard le32(at + 12) == length, at + 16 + length <= file.count else { break }
            out.append((Array(file[(at + 16)..<(at + 16 + length)]), Int64(le32(at)) * 1_000_000 + Int64(le32(at + 4))))
            at += 16 + length
        }
        #expect(at == file.count)
        return out
    }

    @Test func packetsDecodeCleanlyWithTheDocumentedShape() throws {
        let (file, summary) = BigCaptureGenerator(packets: 6000, teps: 12, vnis: 20, flows: 400, seed: 7).generate()
        let records = Self.records(file)
        #expect(records.count == 6000 && summary.packets == 6000)
        #expect(summary.bytes + 24 + 16 * 6000 == file.count)
        #expect(zip(records, records.dropFirst()).allSatisfy { $0.micros < $1.micros })
        let decoder = PacketDecoder()
        var packet = DecodedPacket()
        var macHome: [MACAddress: IPAddress] = [:]
        var tcp = 0, udp = 0, icmp = 0, withOption = 0, small = 0, large = 0
        var flowsSeen = Set<[UInt8]>()
        for (i, r) in records.enumerated() {
            r.bytes.withUnsafeBytes { decoder.decode($0, linkType: .ethernet, into: &packet) }
            #expect(packet.problems.isEmpty, "packet \(i + 1): \(packet.problems)")
            guard packet.problems.isEmpty, let g = packet.outer.tunnel?.geneve else { continue }
            let inner = packet.level(1)
            #expect(packet.outer.udp?.checksum == 0 && packet.outer.udp?.destinationPort == 6081 && packet.outer.ipv4?.checksumValid == true)
            #expect((5000..<(5000 + 17 * 20)).contains(g.vni) && (g.vni - 5000) % 17 == 0)
            #expect(g.critical == (packet.ovnPortKeys != nil) && g.optionsLength == (packet.ovnPortKeys == nil ? 0 : 8))
            if packet.ovnPortKeys != nil { withOption += 1 }
            // Every VM stays behind one TEP, whichever direction it sends in.
            if let mac = inner.ethernet?.source, let tep = packet.outer.sourceIP {
                #expect(macHome[mac, default: tep] == tep, "VM \(mac) behind two TEPs")
                macHome[mac] = tep
            }
            #expect(packet.outer.sourceIP != packet.outer.destinationIP)
            #expect(inner.ipv4?.checksumValid == true)
            switch inner.ipProtocol {
            case .tcp?: tcp += 1; #expect(inner.tcp?.checksumValid == true)
            case .udp?: udp += 1; #expect(inner.udp?.checksumValid == true)
            case .icmp?: icmp += 1; #expect(inner.icmp?.checksumValid == true)
            default: Issue.record("unexpected inner protocol")
            }
            let innerFrame = r.bytes.count - (14 + 20 + 8 + 8 + g.optionsLength)
            if innerFrame <= 128 { small += 1 } else if innerFrame >= 1200 { large += 1 }
            #expect(innerFrame >= 54 && innerFrame <= 1400)
            flowsSeen.insert(Array(r.bytes[(r.bytes.count - innerFrame + 26)..<(r.bytes.count - innerFrame + 34)]))
        }
        #expect(summary.tcp == tcp && summary.udp == udp && summary.icmp == icmp && summary.withOption == withOption)
        // The mix is drawn per flow and weighted by popularity: loose bounds around 70/25/5 and 70 %.
        #expect(Double(tcp) / 6000 > 0.45 && Double(udp) / 6000 > 0.08 && icmp > 0)
        #expect(Double(withOption) / 6000 > 0.4 && Double(withOption) / 6000 < 0.95)
        #expect(Double(small) / 6000 > 0.3 && Double(large) / 6000 > 0.2)
        #expect(flowsSeen.count > 100)
    }

    @Test func tcpFlowsOpenWithSynThenSynAck() {
        let (file, _) = BigCaptureGenerator(packets: 3000, teps: 8, vnis: 4, flows: 50, seed: 3).generate()
        let decoder = PacketDecoder()
        var firstFlags: [String: [UInt16]] = [:]
        for r in Self.records(file) {
            let inner = decoder.decode(r.bytes).level(1)
            guard let t = inner.tcp, let s = inner.sourceIP, let d = inner.destinationIP else { continue }
            let key = [s.description, d.description].sorted().joined(separator: "-") + "/\(min(t.sourcePort, t.destinationPort))-\(max(t.sourcePort, t.destinationPort))"
            if firstFlags[key, default: []].count < 2 { firstFlags[key, default: []].append(t.flags & 0x12) }
        }
        #expect(!firstFlags.isEmpty)
        for (flow, flags) in firstFlags {
            #expect(flags.first == TCPHeader.syn, "\(flow)")
            if flags.count == 2 { #expect(flags[1] == TCPHeader.syn | TCPHeader.ack || flags[1] == TCPHeader.ack, "\(flow)") }
        }
    }

    /// Like ping: each echo request is answered by a reply with its identifier and sequence number before the
    /// next request, so a healthy synthetic capture has no unanswered requests (nor state growing with it).
    @Test func echoRequestsAlternateWithTheirReplies() {
        let (file, summary) = BigCaptureGenerator(packets: 20000, teps: 8, vnis: 4, flows: 60, seed: 5).generate()
        let decoder = PacketDecoder()
        var outstanding: [UInt16: UInt16] = [:]  // identifier → sequence of the request waiting for its reply
        var requests = 0, replies = 0
        for r in Self.records(file) {
            let inner = decoder.decode(r.bytes).level(1)
            guard let icmp = inner.icmp else { continue }
            guard let id = icmp.identifier, let sequence = icmp.sequence else {
                Issue.record("echo without identifier or sequence")
                continue
            }
            switch icmp.type {
            case 8:
                #expect(outstanding[id] == nil, "request \(sequence) before the reply to the last one")
                outstanding[id] = sequence
                requests += 1
            case 0:
                #expect(outstanding.removeValue(forKey: id) == sequence, "reply without its request")
                replies += 1
            default:
                Issue.record("unexpected ICMP type \(icmp.type)")
            }
        }
        #expect(requests > 50 && requests + replies == summary.icmp)
        #expect(outstanding.count <= 60)  // at most the last request of each flow
    }

    @Test func deterministicAndStreamedToFile() throws {
        let g = BigCaptureGenerator(packets: 2500, teps: 6, vnis: 3, flows: 40, seed: 99)
        let memory = g.generate().bytes
        #expect(memory == g.generate().bytes)
        #expect(memory != BigCaptureGenerator(packets: 2500, teps: 6, vnis: 3, flows: 40, seed: 100).generate().bytes)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("synth-big-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try g.write(to: path)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == memory)
        #expect(summary.packets == 2500)
    }

    @Test func tsharkAgrees() throws {
        let (file, summary) = BigCaptureGenerator(packets: 1500, teps: 10, vnis: 8, flows: 100, seed: 11).generate()
        guard let rows = try TShark.fields(file, ["geneve.vni", "_ws.malformed", "ip.checksum.status", "tcp.checksum.status",
                                                  "udp.checksum.status", "icmp.checksum.status", "geneve.option.class"]) else { return }
        #expect(rows.count == 1500)
        var options = 0
        for row in rows {
            // Payloads are pattern bytes, so application dissectors (DNS, NTP, …) may call them malformed;
            // the layers the generator builds must never be.
            let malformed = row[1].split(separator: ",").compactMap { $0.split(separator: ":").last?.dropLast() }
                .map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(Set(malformed).isDisjoint(with: ["Ethernet", "IPv4", "UDP", "TCP", "ICMP", "Geneve"]), "\(row)")
            let statuses = row[2...5].flatMap { $0.split(separator: ",") }
            #expect(!statuses.contains("0"), "bad checksum: \(row)")
            if !row[6].isEmpty { options += 1 }
        }
        #expect(options == summary.withOption)
    }
}
