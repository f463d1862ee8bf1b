import ArgumentParser
import OverlayCapture

/// `overlaytrace interfaces`: what `live -i` can open, with addresses and state.
struct InterfacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interfaces",
        abstract: "List the interfaces libpcap can capture on, with their addresses and state."
    )

    func run() throws {
        let list: [CaptureInterface]
        do {
            list = try CaptureInterfaces.list()
        } catch {
            throw CommandFailure(error.description, status: .device)
        }
        let rows = list.map { i -> [String] in
            var state: [String] = [i.isUp ? "up" : "down"]
            if i.isRunning { state.append("running") }
            if i.isLoopback { state.append("loopback") }
            return [i.name, state.joined(separator: ","), i.addresses.joined(separator: " "), i.description ?? ""]
        }
        let table = [["INTERFACE", "STATE", "ADDRESSES", "DESCRIPTION"]] + rows
        var widths = [0, 0, 0, 0]
        for r in table { for (k, c) in r.enumerated() { widths[k] = max(widths[k], c.count) } }
        for r in table {
            print(r.enumerated().map { k, c in k == 3 ? c : c.padding(toLength: widths[k], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces())
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
