import Foundation
import OverlayWire
import Testing
@testable import OverlayCapture

/// Sends one UDP datagram to 127.0.0.1:`port` from a fresh socket.
func sendUDPToLoopback(port: UInt16, payload: [UInt8]) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let sent = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
            payload.withUnsafeBytes {
                sendto(fd, $0.baseAddress, $0.count, 0, target, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
    return sent == payload.count
}

/// Live capture needs CAP_NET_RAW; CI runs the tests as root.
let canCapture = getuid() == 0

@Suite("Live capture and interfaces")
struct LiveCaptureTests {
    @Test("loopback: filter, read a datagram we send, timeouts, statistics, breakLoop",
          .enabled(if: canCapture, "not root: live capture needs CAP_NET_RAW"), .timeLimit(.minutes(1)))
    func loopback() throws {
        let port = UInt16.random(in: 40000...59999)
        let capture = try LiveCapture(interface: "lo", filter: "udp and dst host 127.0.0.1 and dst port \(port)",
                                      timeoutMilliseconds: 50)
        #expect(capture.linkType == .ethernet)  // Linux loopback has a (zeroed) Ethernet header
        let payload = Array("overlaytrace live test".utf8)
        let before = Date().timeIntervalSince1970
        var record: CaptureRecord?
        var frame: [UInt8] = []
        var timeouts = 0
        for attempt in 0..<60 where record == nil {
            if attempt % 10 == 0 { #expect(sendUDPToLoopback(port: port, payload: payload)) }
            switch capture.next() {
            case .packet(let r, let bytes):
                record = r
                frame = Array(bytes)
            case .timeout: timeouts += 1
            case .end, .truncatedFile: Issue.record("capture ended: \(String(describing: capture.lastError))")
            }
        }
        let seen = try #require(record, "no packet within the attempts (timeouts: \(timeouts))")
        #expect(seen.capturedLength == 14 + 20 + 8 + payload.count)
        #expect(seen.wireLength == seen.capturedLength)
        #expect(Array(frame.suffix(payload.count)) == payload)
        let decoded = PacketDecoder().decode(frame, linkType: capture.linkType)
        #expect(decoded.outer.udp?.destinationPort == port)
        let seconds = Double(seen.timestamp.totalNanoseconds) / 1e9
        #expect(abs(seconds - before) < 30, "timestamp \(seen.timestamp) is not now")

        // Nothing more matches the filter: the read times out instead of blocking.
        var sawTimeout = false
        var waited = Duration.zero
        for _ in 0..<5 where !sawTimeout {
            let start = ContinuousClock.now
            if case .timeout = capture.next() {
                sawTimeout = true
                waited = ContinuousClock.now - start
            }
        }
        #expect(sawTimeout)
        #expect(waited >= .milliseconds(45) && waited < .seconds(5), "waited \(waited) for a 50 ms timeout")

        let stats = try #require(capture.statistics())
        #expect(stats.received >= 1)
        #expect(stats.droppedByKernel == 0)

        capture.breakLoop()
        var ended = false
        for _ in 0..<5 where !ended { if case .end = capture.next() { ended = true } }
        #expect(ended, "breakLoop must make next() return .end")
        #expect(sendUDPToLoopback(port: port, payload: payload))
        if case .end = capture.next() {} else { Issue.record("after breakLoop the capture stays ended") }
        #expect(capture.lastError == nil)
        #expect(capture.packetsRead >= 1)
    }

    @Test("the breaker stops a capture blocked in next() from another thread",
          .enabled(if: canCapture, "not root: live capture needs CAP_NET_RAW"), .timeLimit(.minutes(1)))
    func breakFromAnotherThread() throws {
        // No timeout: without the breaker, next() would block until a matching packet arrives (none will).
        let capture = try LiveCapture(interface: "lo", filter: "udp port 9 and udp port 10", timeoutMilliseconds: 0)
        let breaker = capture.breaker
        let stopper = Thread {
            Thread.sleep(forTimeInterval: 0.2)
            breaker.breakLoop()
        }
        stopper.start()
        var result = "timeout"
        for _ in 0..<100 {
            let r = capture.next()
            if case .end = r { result = "end"; break }
            if case .packet = r { result = "packet"; break }
        }
        #expect(result == "end")
    }

    @Test("a missing interface is noSuchInterface (exit code 3)",
          .enabled(if: canCapture, "not root: libpcap reports permission denied before looking the device up"))
    func noSuchInterface() {
        let error = #expect(throws: CaptureError.self) {
            try LiveCapture(interface: "nosuchif0", filter: nil)
        }
        #expect(error == .noSuchInterface("nosuchif0"))
        #expect(error?.exitCode == 3)
    }

    @Test("a bad filter on a live interface is badFilter",
          .enabled(if: canCapture, "not root: live capture needs CAP_NET_RAW"))
    func liveBadFilter() {
        let error = #expect(throws: CaptureError.self) {
            try LiveCapture(interface: "lo", filter: "tcp port nonsense-port")
        }
        guard case .badFilter(let expression, _)? = error else {
            Issue.record("expected badFilter, got \(String(describing: error))")
            return
        }
        #expect(expression == "tcp port nonsense-port")
    }

    @Test("without privileges the error says how to get them",
          .enabled(if: !canCapture, "running as root: permission is granted"))
    func withoutPrivileges() {
        let error = #expect(throws: CaptureError.self) { try LiveCapture(interface: "lo", filter: nil) }
        #expect(error == .livePermissionDenied("lo"))
        #expect(error?.description.contains("CAP_NET_RAW") == true)
    }

    @Test("the interface list has the loopback interface, up, with 127.0.0.1")
    func interfaces() throws {
        let all = try CaptureInterfaces.list()
        let lo = try #require(all.first { $0.name == "lo" })
        #expect(lo.isLoopback)
        #expect(lo.isUp)
        #expect(lo.addresses.contains("127.0.0.1"))
        #expect(all.filter { $0.isLoopback }.allSatisfy { $0.name != "" })
    }
}
