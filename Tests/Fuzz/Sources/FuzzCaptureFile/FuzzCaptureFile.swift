import FuzzSeedCorpus
import FuzzSupport
import LibFuzzerDriver
import OverlayCapture
import OverlayWire

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point: the input is a whole capture file. It is read through the capture layer as
/// `overlaytrace` reads files (libpcap via CaptureFileReader), every packet decoded and exercised; then the same
/// file twice as a two-file CaptureTimeline (the merge path, not decoded again), which must deliver every packet
/// and every warning twice. The timeline reads through `ReadAheadFile`s with small blocks (the stream `analyze`
/// reads on two threads; here the reading thread reads every block itself), so their stream is checked against
/// plain stdio reading on every input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCaptureFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    guard let file = ScratchFile(UnsafeRawBufferPointer(start: data, count: size)) else {
        fatalError("cannot write the input to a scratch file: \(String(cString: strerror(errno)))")
    }
    defer { file.close() }
    var exerciser = PacketExerciser()
    let alone = readDecoding(file.path, &exerciser)
    let twice = readTimeline([file.path, file.path])
    if let alone {
        check(twice?.frames == 2 * alone.frames,
              "a two-file timeline of the same file delivered \(twice?.frames ?? -1) frames, one reader \(alone.frames)")
        check(twice?.warnings == 2 * alone.warnings, "warnings: \(twice?.warnings ?? -1) for two files, \(alone.warnings) for one")
    } else {
        check(twice == nil, "the file opened as part of a timeline but not alone")
    }
    keep(exerciser.digest.finalize())
    return 0
}

/// The entry point SwiftPM links as `main` (see LibFuzzerDriver).
@_cdecl("FuzzCaptureFile_main")
func fuzzCaptureFileMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    let arguments = CommandLine.arguments
    if arguments.count > 1 && arguments[1] == "--write-seeds" {
        do {
            try writeSeedCorpora(arguments: Array(arguments.dropFirst(2)))
            return 0
        } catch {
            print("FuzzCaptureFile --write-seeds: \(error)")
            return 1
        }
    }
    return runLibFuzzer(argc, argv, fuzzCaptureFile)
}

/// Reads one file with CaptureFileReader (smallest stdio buffer: large ASan allocations cost a page fault per
/// page on every input), decoding every packet; nil when it does not open.
private func readDecoding(_ path: String, _ exerciser: inout PacketExerciser) -> (frames: Int, warnings: Int)? {
    let reader: CaptureFileReader
    do {
        reader = try CaptureFileReader(path: path, bufferSize: 0)
    } catch {
        checkOneLine(error.description, prefix: "overlaytrace: ")
        return nil
    }
    var frames = 0
    while true {
        switch reader.next() {
        case .packet(let record, let bytes):
            frames += 1
            check(record.capturedLength == bytes.count, "capturedLength \(record.capturedLength) for \(bytes.count) bytes")
            exerciser.exercise(bytes, linkType: reader.linkType, wireLength: record.wireLength, decoder: PacketDecoder())
        case .end, .timeout:
            check(reader.packetsRead == frames, "packetsRead \(reader.packetsRead) != \(frames)")
            return (frames, 0)
        case .truncatedFile(let warning):
            checkOneLine(warning, prefix: "overlaytrace: warning: ")
            check(reader.next().isEnd, "the reader went on after a truncation warning")
            return (frames, 1)
        }
    }
}

/// Reads `paths` as one timeline, checking frame numbers and messages; nil when it does not open.
private func readTimeline(_ paths: [String]) -> (frames: Int, warnings: Int)? {
    let timeline: CaptureTimeline
    do {
        timeline = try CaptureTimeline(paths: paths, readAhead: .init(blockSize: 4_096, blocks: 2))
    } catch {
        checkOneLine(error.description, prefix: "overlaytrace: ")
        return nil
    }
    var frames = 0
    timeline.forEach { info, bytes in
        frames += 1
        check(info.number == frames, "frame number \(info.number), expected \(frames)")
        check(info.capturedLength == bytes.count, "capturedLength \(info.capturedLength) for \(bytes.count) bytes")
        check(info.linkType.isSupported, "a packet of unsupported link type \(info.linkType) was delivered")
    }
    check(timeline.framesDelivered == frames, "framesDelivered \(timeline.framesDelivered) != \(frames)")
    for warning in timeline.warnings { checkOneLine(warning, prefix: "overlaytrace: warning: ") }
    return (frames, timeline.warnings.count)
}

/// Errors and warnings go to stderr as one line each.
private func checkOneLine(_ message: String, prefix: String) {
    check(message.hasPrefix(prefix) && !message.contains("\n"), "not one stderr line: \(message)")
}

extension CaptureReadResult {
    fileprivate var isEnd: Bool {
        if case .end = self { return true }
        return false
    }
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}

/// The input as a regular file, unlinked at once and named through /proc/self/fd, so nothing is left behind
/// even when the process dies on a crash.
private struct ScratchFile {
    let descriptor: Int32
    var path: String { "/proc/self/fd/\(descriptor)" }

    init?(_ bytes: UnsafeRawBufferPointer) {
        let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(directory)/overlaytrace-fuzz-XXXXXX".utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        var written = 0
        while written < bytes.count {
            let n = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            guard n > 0 else {
                Glibc.close(descriptor)
                return nil
            }
            written += n
        }
    }

    func close() { Glibc.close(descriptor) }
}
