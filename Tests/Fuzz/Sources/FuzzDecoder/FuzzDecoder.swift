import FuzzSupport
import LibFuzzerDriver
import OverlayWire

/// libFuzzer entry point: the first byte selects link type, wire length and configuration (`DecoderFuzzInput`),
/// the rest is one frame. The frame is copied into its own allocation of exactly its size, so AddressSanitizer
/// catches a read one byte before or after it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let input = DecoderFuzzInput(selector: data[0])
    let frame = UnsafeMutableRawBufferPointer.allocate(byteCount: size - 1, alignment: 1)
    defer { frame.deallocate() }
    if size > 1 { frame.copyMemory(from: UnsafeRawBufferPointer(start: data + 1, count: size - 1)) }
    let bytes = UnsafeRawBufferPointer(frame)
    var exerciser = PacketExerciser()
    exerciser.exercise(bytes, linkType: input.linkType, wireLength: input.wireLength(captured: bytes.count),
                       decoder: input.decoder)
    keep(exerciser.digest.finalize())
    return 0
}


/// The entry point SwiftPM links as `main` (see LibFuzzerDriver).
@_cdecl("FuzzDecoder_main")
func fuzzDecoderMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzzDecoder)
}
