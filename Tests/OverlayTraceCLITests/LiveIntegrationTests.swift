import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct CLIError: Error { var message: String }

/// `overlaytrace live` on real interfaces: an Open vSwitch Geneve lab in network namespaces
/// (Tests/Integration/ovs-lab.sh: one ovsdb-server + ovs-vswitchd per host namespace, userspace datapath and
/// tunnelling, VMs as namespaces), and a replay of a sample capture onto a veth pair. Needs root (CI runs as
/// root); elsewhere the tests are skipped with the lab's own reason. They share the machine-wide lab, so
/// they run one after the other.
@Suite("live capture on real interfaces", .serialized)
struct LiveIntegrationTests {
    static let lab = CLI.repositoryRoot.appendingPathComponent("Tests/Integration/ovs-lab.sh").path

    /// Runs a helper script with posix_spawn + waitpid and its output in files. Not Foundation.Process: the
    /// OVS daemons the lab starts inherit every descriptor, including the one Process watches to learn that
    /// its child exited, so Process would never see the script end.
    static func shell(_ arguments: [String], timeout: TimeInterval = 180) throws -> CLIResult {
        let dir = try TemporaryDirectory()
        let outPath = dir.path("out"), errPath = dir.path("err")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard rc == 0 else { throw CLIError(message: "posix_spawn failed: \(rc)") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let exited = status & 0x7F == 0
        return CLIResult(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
                         stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// nil when the lab can run here; otherwise the reason it cannot.
    static let unavailable: String? = {
        guard let r = try? shell(["bash", lab, "can-run"], timeout: 30) else { return "cannot start ovs-lab.sh" }
        return r.status == 0 ? nil : r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    static func env(_ text: String) -> [String: String] {
        var vars: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: eq)...])
            if value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            vars[String(line[..<eq])] = value
        }
        return vars
    }

    /// Starts `overlaytrace live` inside a namespace; the caller waits for it.
    static func startLive(namespace: String, arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ip", "netns", "exec", namespace, CLI.binary.path, "live"] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    static func finish(_ live: (Process, Pipe, Pipe)) -> CLIResult {
        let out = live.1.fileHandleForReading.readDataToEndOfFile()
        let err = live.2.fileHandleForReading.readDataToEndOfFile()
        live.0.waitUntilExit()
        return CLIResult(status: live.0.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    @Test("OVS Geneve lab: live capture on the underlay shows the TEPs, VNIs and flows the lab created")
    func openVSwitchLab() throws {
        if let reason = Self.unavailable {
            print("skipped: the OVS lab cannot run on this machine: \(reason)")
            return
        }
        let dir = try TemporaryDirectory()
        let workdir = dir.path("lab")
        let up = try Self.shell(["bash", Self.lab, "--workdir", workdir, "up", "--teps", "2", "--segments", "2"])
        defer { _ = try? Self.shell(["bash", Self.lab, "--workdir", workdir, "down"]) }
        try #require(up.status == 0, "ovs-lab.sh up failed: \(up.stderr)")
        let vars = Self.env(try Self.shell(["bash", Self.lab, "--workdir", workdir, "env"]).stdout)
        let ns = try #require(vars["OT_CAPTURE_NS"]), iface = try #require(vars["OT_CAPTURE_IF"])
        let pcap = dir.path("live.pcap"), report = dir.path("live.md")
        let live = try Self.startLive(namespace: ns, arguments: ["-i", iface, "--duration", "14s", "--plain",
                                                                 "--write", pcap, "--report", report])
        Thread.sleep(forTimeInterval: 2)
        let traffic = try Self.shell(["bash", Self.lab, "--workdir", workdir, "traffic"])
        let result = Self.finish(live)
        #expect(traffic.status == 0, "lab traffic failed: \(traffic.stderr)")
        #expect(result.status == 0, "live failed: \(result.stderr)")
        #expect(result.stdout.contains("capture ended by --duration"))
        #expect(result.stdout.contains("dropped by the kernel"))
        #expect(result.stdout.contains("172.31.0.11 → 172.31.0.12"), "dashboard rows: \(result.stdout)")
        let text = try String(contentsOfFile: report, encoding: .utf8)
        for needle in ["`172.31.0.11`", "`172.31.0.12`", "| 5001 |", "| 5002 |", "10.0.0.11", "10.0.0.12",
                       "east-west/same-segment", "Geneve VNI 5001", "| icmp", "| tcp"] {
            #expect(text.contains(needle), "report lacks \(needle)")
        }
        // The written pcap is valid and `analyze` on it sees the same topology.
        let analyzed = try CLI.run(["analyze", "--format", "json", "--quiet", pcap])
        #expect(analyzed.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(analyzed.stdout.utf8)) as? [String: Any])
        let teps = Set((doc["teps"] as? [[String: Any]] ?? []).compactMap { $0["ip"] as? String })
        #expect(teps == ["172.31.0.11", "172.31.0.12"])
        let vnis = Set((doc["segments"] as? [[String: Any]] ?? []).compactMap { $0["vni"] as? Int })
        #expect(vnis == [5001, 5002])
    }

    @Test("replay: a sample capture injected on a veth and captured live gives the topology analyze gives")
    func replayMatchesAnalyze() throws {
        if let reason = Self.unavailable {
            print("skipped: veth/tcpreplay lab cannot run on this machine: \(reason)")
            return
        }
        let dir = try TemporaryDirectory()
        let sample = CLI.repositoryRoot.appendingPathComponent("Captures/overlay-demo.pcap").path
        let up = try Self.shell(["bash", Self.lab, "replay-up"])
        defer { _ = try? Self.shell(["bash", Self.lab, "replay-down"]) }
        try #require(up.status == 0, "replay-up failed: \(up.stderr)")
        let report = dir.path("replay.md"), pcap = dir.path("replay.pcap")
        let live = try Self.startLive(namespace: "ot-replay", arguments: ["-i", "ot-rpb", "--filter", "", "--duration", "8s",
                                                                         "--plain", "--write", pcap, "--report", report])
        Thread.sleep(forTimeInterval: 1.5)
        let sent = try Self.shell(["bash", Self.lab, "replay-send", sample])
        let result = Self.finish(live)
        #expect(sent.status == 0, "tcpreplay failed: \(sent.stderr)")
        #expect(result.status == 0, "live failed: \(result.stderr)")
        func topology(_ file: String) throws -> (Set<String>, Set<Int>, Int) {
            let r = try CLI.run(["analyze", "--format", "json", "--quiet", file])
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let teps = Set((doc["teps"] as? [[String: Any]] ?? []).compactMap { $0["ip"] as? String })
            let vnis = Set((doc["segments"] as? [[String: Any]] ?? []).compactMap { $0["vni"] as? Int })
            return (teps, vnis, (doc["flows"] as? [Any])?.count ?? -1)
        }
        let original = try topology(sample)
        let replayed = try topology(pcap)
        #expect(replayed.0 == original.0)
        #expect(replayed.1 == original.1)
        #expect(replayed.2 == original.2)
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("172.20.11.51"))
    }
}
