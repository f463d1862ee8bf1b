#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One finished child process: wall time around spawn…wait, and the kernel's accounting of that child alone
/// (`wait4`), so peak RSS is the tool's own and not the harness's.
struct ProcessSample {
    var wallSeconds: Double
    var cpuSeconds: Double
    /// `ru_maxrss`: peak resident set size in KiB (Linux).
    var peakRSSKiB: Int
    var exitStatus: Int32
    var stdout: String
    var stderr: String
}

enum ProcessRunnerError: Error, CustomStringConvertible {
    case spawnFailed(String, Int32)
    case devNullReplaced(String)
    var description: String {
        switch self {
        case .spawnFailed(let tool, let code): return "cannot start \(tool): \(String(cString: strerror(code)))"
        case .devNullReplaced(let tool):
            return "/dev/null is no longer a character device after running \(tool) (a program replaced it with a regular "
                + "file, e.g. an atomic write to --output /dev/null); every later measurement would write to disk. "
                + "Restore it as root: rm /dev/null && mknod -m 666 /dev/null c 1 3"
        }
    }
}

/// Starts programs with posix_spawn (no shell), standard output to /dev/null or a scratch file.
struct ProcessRunner {
    /// Where captured output goes (one file per stream, overwritten by every run).
    var scratchDirectory: String

    /// Runs `argv` to completion. `captureOutput` keeps stdout (for counts); otherwise it goes to /dev/null,
    /// which is what the timed runs want (tcpdump and tshark write megabytes of text).
    func run(_ argv: [String], environment extra: [String: String] = [:], captureOutput: Bool = false) throws -> ProcessSample {
        let outPath = scratchDirectory + "/.bench-stdout"
        let errPath = scratchDirectory + "/.bench-stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, captureOutput ? outPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var environment = ProcessInfo.processInfo.environment
        for (k, v) in extra { environment[k] = v }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }

        var pid: pid_t = 0
        let start = monotonicSeconds()
        var mutableArgs = cArgs, mutableEnv = cEnv
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, &mutableArgs, &mutableEnv)
        guard rc == 0 else { throw ProcessRunnerError.spawnFailed(argv[0], rc) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = monotonicSeconds() - start
        guard Self.devNullIsDevice else { throw ProcessRunnerError.devNullReplaced(argv.joined(separator: " ")) }
        let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        // WIFEXITED / WEXITSTATUS, spelled out (the macros do not import); a signal shows as 128 + its number.
        let exit = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ProcessSample(wallSeconds: wall, cpuSeconds: cpu, peakRSSKiB: Int(usage.ru_maxrss), exitStatus: exit,
                             stdout: captureOutput ? (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" : "",
                             stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Timed tools write to /dev/null: it must stay the null device.
    static var devNullIsDevice: Bool {
        var info = stat()
        return stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR
    }

    /// The absolute path of `name` on PATH (as posix_spawnp would find it), or nil.
    static func which(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in (path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]) {
            let candidate = dir + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

private func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
