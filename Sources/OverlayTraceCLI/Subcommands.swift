import ArgumentParser

extension OverlayTraceCommand {
    /// Every subcommand, in the order `--help` lists them.
    static let subcommandTypes: [ParsableCommand.Type] = [
        AnalyzeCommand.self,
        ValidateCommand.self,
        TraceCommand.self,
        DecodeCommand.self,
        LiveCommand.self,
        InterfacesCommand.self,
        SynthCommand.self,

    ]
}
