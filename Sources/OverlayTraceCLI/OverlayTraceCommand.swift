import ArgumentParser
import Foundation

/// The root command. Each subcommand lives in its own file; they share `InputOptions` and `DecoderOptions`.
public struct OverlayTraceCommand: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "overlaytrace",
        abstract: "Explain Geneve/VXLAN overlay captures: decode, topology, paths, validation.",
        discussion: """
        Exit status: 0 ok; 1 findings at or above --fail-on; 2 usage or input error (bad file, bad filter, bad option); \
        3 capture device error (permission, no such interface, interface down).
        """,
        version: version,
        subcommands: OverlayTraceCommand.subcommandTypes,
        defaultSubcommand: nil
    )

    public init() {}

    /// Parses, runs and exits with the documented status codes (ArgumentParser's own usage status 64 becomes 2).
    public static func runAndExit(arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let failure as CommandFailure {
            let line = failure.message.hasPrefix("overlaytrace:") ? failure.message : "overlaytrace: " + failure.message
            FileHandle.standardError.write(Data((line + "\n").utf8))
            Foundation.exit(failure.status.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help / --version
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue)
        }
    }
}

/// Exit statuses scripts can rely on (README "Exit status").
public enum ExitStatus: Int32, Sendable {
    case ok = 0
    case findings = 1
    case usage = 2
    case device = 3
}

/// A failure with a one-line message and a documented exit status.
public struct CommandFailure: Error, CustomStringConvertible {
    public var message: String
    public var status: ExitStatus
    public init(_ message: String, status: ExitStatus = .usage) {
        self.message = message
        self.status = status
    }
    public var description: String { message }
}
