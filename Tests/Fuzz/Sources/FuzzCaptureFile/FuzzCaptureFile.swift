import FuzzSeedCorpus
import FuzzSupport
import LibFuzzerDriver
import OverlayCapture
import OverlayWire

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point: the input is a whole capture file. It is read through the capture layer exactly as
/// `overlaytrace` reads files (libpcap via CaptureFileReader, CaptureTimeline), every packet is decoded and
/// exercised, then the same file is read twice as a two-file timeline (not decoded again), which must deliver
/// every packet twice.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCaptureFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    guard let file = ScratchFile(UnsafeRawBufferPointer(start: data, count: size)) else {
        fatalError("cannot write the input to a scratch file: \(String(cString: strerror(errno)))")
    }
    defer { file.close() }
    var exerciser = PacketExerciser()
    let once = read([file.path], decoding: true, &exerciser)
    let twice = read([file.path, file.path], decoding: false, &exerciser)
    if once.frames >= 0 {
        check(twice.frames == 2 * once.frames,
              "a two-file timeline of the same file delivered \(twice.frames) frames, one file \(once.frames)")
        check(twice.warnings == 2 * once.warnings, "warnings: \(twice.warnings) for two files, \(once.warnings) for one")
    } else {
        check(twice.frames < 0, "the file opened as part of a timeline but not alone")
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

/// Reads `paths` as one timeline, decoding every packet when asked; frames -1 when opening failed.
private func read(_ paths: [String], decoding: Bool, _ exerciser: inout PacketExerciser) -> (frames: Int, warnings: Int) {
    let timeline: CaptureTimeline
    do {
        timeline = try CaptureTimeline(paths: paths)
    } catch {
        check(!error.description.contains("\n") && error.description.hasPrefix("overlaytrace: "),
              "open error is not one stderr line: \(error.description)")
        return (-1, 0)
    }
    var frames = 0
    timeline.forEach { info, bytes in
        frames += 1
        check(info.number == frames, "frame number \(info.number), expected \(frames)")
        check(info.capturedLength == bytes.count, "capturedLength \(info.capturedLength) for \(bytes.count) bytes")
        check(info.linkType.isSupported, "a packet of unsupported link type \(info.linkType) was delivered")
        if decoding {
            exerciser.exercise(bytes, linkType: info.linkType, wireLength: info.wireLength, decoder: PacketDecoder())
        }
    }
    check(timeline.framesDelivered == frames, "framesDelivered \(timeline.framesDelivered) != \(frames)")
    for warning in timeline.warnings {
        check(!warning.contains("\n") && warning.hasPrefix("overlaytrace: warning: "), "warning is not one line: \(warning)")
    }
    return (frames, timeline.warnings.count)
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
