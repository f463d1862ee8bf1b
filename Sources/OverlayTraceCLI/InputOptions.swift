import ArgumentParser
import OverlayWire

/// Options every command that reads captures shares.
public struct InputOptions: ParsableArguments {
    @Argument(help: "Capture files (pcap or pcapng); '-' reads standard input. Several files are merged into one timeline by time.")
    public var files: [String] = []

    @Option(name: .long, help: "A BPF filter expression compiled by libpcap, e.g. 'udp port 6081'.")
    public var filter: String?

    @Option(name: .customLong("decode-as"), parsing: .singleValue,
            help: "Decode a UDP destination port as a tunnel or BFD: PORT=geneve|vxlan|bfd (repeatable), e.g. 9999=geneve.")
    public var decodeAs: [PortMapping] = []

    @Flag(name: .customLong("no-checksums"), help: "Do not verify IPv4/UDP/TCP/ICMP checksums.")
    public var noChecksums = false

    public init() {}

    public func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one capture file (or '-' for standard input)") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input ('-') can be read only once") }
    }

    public var decoderConfiguration: DecoderConfiguration {
        var c = DecoderConfiguration()
        for m in decodeAs { c.udpPorts[m.port] = m.kind }
        c.verifyChecksums = !noChecksums
        return c
    }
}

/// `PORT=geneve|vxlan|bfd`.
public struct PortMapping: ExpressibleByArgument, Sendable {
    public var port: UInt16
    public var kind: UDPPortProtocol

    public init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let port = UInt16(parts[0]), port > 0,
              let kind = UDPPortProtocol(rawValue: parts[1].lowercased()) else { return nil }
        self.port = port
        self.kind = kind
    }

    public static var defaultCompletionKind: CompletionKind { .default }
}
