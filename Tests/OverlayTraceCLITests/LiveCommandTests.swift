import Foundation
import Testing

@Suite("overlaytrace live and interfaces: errors users hit")
struct LiveCommandTests {
    @Test func noSuchInterfaceIsADeviceError() throws {
        let r = try CLI.run(["live", "-i", "ot-no-such-if0", "--duration", "1s"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("no such capture interface 'ot-no-such-if0'"))
        #expect(r.stderr.contains("overlaytrace interfaces"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func badLiveFilterIsAUsageError() throws {
        guard getuid() == 0 else {
            print("skipped: opening 'lo' needs root or CAP_NET_RAW")
            return
        }
        let r = try CLI.run(["live", "-i", "lo", "--filter", "udp portx 1", "--duration", "1s"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad capture filter"))
    }

    @Test func badOptionsAreUsageErrors() throws {
        #expect(try CLI.run(["live", "-i", "lo", "--duration", "soon"]).status == 2)
        #expect(try CLI.run(["live", "-i", "lo", "--mtu", "10"]).status == 2)
        #expect(try CLI.run(["live"]).status == 2)
    }

    @Test func interfacesListsLoopback() throws {
        let r = try CLI.run(["interfaces"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("lo "))
        #expect(r.stdout.hasPrefix("INTERFACE"))
    }
}
