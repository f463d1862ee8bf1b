import OverlayWire

/// Why a capture could not be opened, read or written. `description` is one line for stderr.
public enum CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    // Input files (exit code 2).
    case fileNotFound(String)
    case permissionDenied(String)
    case isDirectory(String)
    /// The file exists but is not a capture libpcap can read: empty, bad magic, header cut short, unsupported version.
    case notACapture(path: String, detail: String)
    case unsupportedLinkType(path: String, LinkType)
    case badFilter(expression: String, message: String)
    /// An I/O error while opening or reading (EIO, ...).
    case readFailed(path: String, message: String)
    /// The output file could not be created or written.
    case writeFailed(path: String, message: String)
    // Live capture devices (exit code 3).
    case noSuchInterface(String)
    case interfaceDown(String)
    case livePermissionDenied(String)
    case deviceError(String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "overlaytrace: cannot read \(quoted(path)): no such file"
        case .permissionDenied(let path):
            return "overlaytrace: cannot read \(quoted(path)): permission denied"
        case .isDirectory(let path):
            return "overlaytrace: cannot read \(quoted(path)): it is a directory, not a capture file"
        case .notACapture(let path, let detail):
            return "overlaytrace: cannot read \(quoted(path)): not a pcap or pcapng file (\(oneLine(detail)))"
        case .unsupportedLinkType(let path, let linkType):
            return "overlaytrace: cannot read \(quoted(path)): unsupported link type \(linkTypeText(linkType)); "
                + "supported: Ethernet, Linux cooked (SLL, SLL2), raw IPv4/IPv6, BSD loopback (NULL, LOOP)"
        case .badFilter(let expression, let message):
            return "overlaytrace: bad capture filter '\(oneLine(expression))': \(oneLine(message))"
        case .readFailed(let path, let message):
            return "overlaytrace: cannot read \(quoted(path)): \(oneLine(message))"
        case .writeFailed(let path, let message):
            return "overlaytrace: cannot write \(path == "-" ? "standard output" : "'\(path)'"): \(oneLine(message))"
        case .noSuchInterface(let name):
            return "overlaytrace: no such capture interface '\(name)' (list them with `overlaytrace interfaces`)"
        case .interfaceDown(let name):
            return "overlaytrace: interface '\(name)' is down (bring it up with `ip link set \(name) up`)"
        case .livePermissionDenied(let name):
            return "overlaytrace: no permission to capture on '\(name)': run as root or grant CAP_NET_RAW, "
                + "e.g. `sudo setcap cap_net_raw,cap_net_admin=eip $(which overlaytrace)`"
        case .deviceError(let message):
            return "overlaytrace: capture device error: \(oneLine(message))"
        }
    }

    /// 2 for usage and input errors (files, filters, output), 3 for capture-device errors.
    public var exitCode: Int32 {
        switch self {
        case .fileNotFound, .permissionDenied, .isDirectory, .notACapture, .unsupportedLinkType, .badFilter,
             .readFailed, .writeFailed:
            return 2
        case .noSuchInterface, .interfaceDown, .livePermissionDenied, .deviceError:
            return 3
        }
    }
}

/// "'x.pcap'", or "standard input" for "-".
func quoted(_ path: String) -> String { path == "-" ? "standard input" : "'\(path)'" }

/// libpcap messages occasionally end in or contain newlines; stderr gets one line.
func oneLine(_ text: String) -> String {
    String(text.split(whereSeparator: \.isNewline).joined(separator: " "))
}

/// "105 (IEEE802_11)" with libpcap's name when it knows one.
private func linkTypeText(_ linkType: LinkType) -> String {
    guard let name = PcapHandle.name(of: linkType) else { return "\(linkType.rawValue)" }
    return "\(linkType.rawValue) (\(name))"
}
