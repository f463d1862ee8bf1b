/// Starts libFuzzer from a Swift executable built by SwiftPM.
///
/// SwiftPM links every executable target with `--defsym main=<Module>_main`, so the `main` that libFuzzer brings
/// is never the entry point, and `-parse-as-library` (which libFuzzer needs: no top-level code) leaves
/// `<Module>_main` undefined. Each fuzz target therefore defines `<Module>_main` with `@_cdecl` and hands over to
/// `LLVMFuzzerRunDriver`, libFuzzer's documented entry for programs that have their own `main`.
/// Only the fuzz targets link this module: it needs libFuzzer (`-sanitize=fuzzer`) at link time.
public typealias FuzzTestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ testOneInput: FuzzTestOneInput) -> Int32

/// Runs libFuzzer with the process's arguments (corpus directories, -max_total_time=…, a crash file to replay).
public func runLibFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ testOneInput: FuzzTestOneInput) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, testOneInput)
}
