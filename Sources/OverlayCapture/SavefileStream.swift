import COverlayPcap
import OverlayWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the first four bytes of a capture file say it is.
enum SavefileFormat: Equatable {
    case pcap(nanosecond: Bool)
    case pcapng

    /// nil for anything libpcap cannot read (it knows only these magics).
    init?(magic: UInt32) {
        switch magic {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_CD34, 0x34CD_B2A1: self = .pcap(nanosecond: false)  // (+ Kuznetzov)
        case 0xA1B2_3C4D, 0x4D3C_B2A1: self = .pcap(nanosecond: true)
        case 0x0A0D_0D0A: self = .pcapng
        default: return nil
        }
    }
}

/// A capture file opened with stdio for libpcap: a real heap buffer (`setvbuf`), and the format checked from the
/// magic so errors name the bad bytes instead of libpcap's "unknown file format".
struct SavefileStream {
    /// glibc ignores setvbuf's size when the buffer pointer is NULL; below this, reads get syscall-bound.
    static let minimumBufferSize = 64 << 10

    let file: UnsafeMutablePointer<FILE>
    /// Owned by whoever owns `file` (libpcap's handle after a successful open); freed after the FILE is closed.
    let buffer: UnsafeMutableRawPointer
    let format: SavefileFormat
    /// A regular file opened to be read ahead by another thread (`ReadAheadFile`), nil otherwise.
    let readAhead: ReadAheadFile?

    /// Opens `path` ("-" = standard input) for reading. Regular files, pipes and FIFOs are accepted. `readAhead`:
    /// a regular file is served through a `ReadAheadFile` with that ring (where the C library allows it).
    static func open(path: String, bufferSize: Int, readAhead: ReadAheadFile.Ring? = nil) throws(CaptureError) -> SavefileStream {
        let (file, ahead) = try openFile(path, readAhead: readAhead)
        let size = max(bufferSize, minimumBufferSize)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        guard setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, size) == 0 else {
            fclose(file)
            buffer.deallocate()
            throw .readFailed(path: path, message: "cannot set up the read buffer")
        }
        do {
            let format = try peekFormat(file, path: path)
            return SavefileStream(file: file, buffer: buffer, format: format, readAhead: ahead)
        } catch {
            fclose(file)
            buffer.deallocate()
            throw error
        }
    }

    /// Closes the stream when libpcap did not take it.
    func closeUnowned() {
        fclose(file)
        buffer.deallocate()
    }

    private static func openFile(_ path: String, readAhead: ReadAheadFile.Ring?) throws(CaptureError)
        -> (UnsafeMutablePointer<FILE>, ReadAheadFile?) {
        if path == "-" {
            // A duplicate, so that libpcap's pcap_close closes ours and leaves the process's stdin alone.
            let fd = dup(STDIN_FILENO)
            guard fd >= 0 else { throw captureOpenError(errno: errno, path: path) }
            guard let file = fdopen(fd, "rb") else {
                let error = errno
                close(fd)
                throw captureOpenError(errno: error, path: path)
            }
            return (file, nil)
        }
        // Directories open fine with fopen on Linux and fail only at the first read: check first.
        var info = stat()
        guard stat(path, &info) == 0 else { throw captureOpenError(errno: errno, path: path) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: throw .isDirectory(path)
        case S_IFREG where info.st_size == 0: throw .notACapture(path: path, detail: "empty file")
        default: break
        }
        if let ring = readAhead, info.st_mode & S_IFMT == S_IFREG {
            let fd = openDescriptor(path)
            guard fd >= 0 else { throw captureOpenError(errno: errno, path: path) }
            let ahead = ReadAheadFile(fd: fd, ring: ring)
            if let file = ahead.openStream() { return (file, ahead) }
            // No cookie streams here: the plain way (the descriptor is closed with `ahead`).
        }
        guard let file = fopen(path, "rb") else { throw captureOpenError(errno: errno, path: path) }
        return (file, nil)
    }

    /// Reads the 4-byte magic and pushes it back, so libpcap still sees the whole stream (pipes included).
    private static func peekFormat(_ file: UnsafeMutablePointer<FILE>, path: String) throws(CaptureError)
        -> SavefileFormat {
        var magic: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        let got = withUnsafeMutableBytes(of: &magic) { fread($0.baseAddress, 1, 4, file) }
        if got < 4 {
            if ferror(file) != 0 { throw captureOpenError(errno: errno, path: path) }
            if got == 0 {
                throw .notACapture(path: path, detail: path == "-" ? "empty input" : "empty file")
            }
            throw .notACapture(path: path, detail: "only \(got) byte\(got == 1 ? "" : "s"), shorter than any capture header")
        }
        let value = UInt32(magic.0) << 24 | UInt32(magic.1) << 16 | UInt32(magic.2) << 8 | UInt32(magic.3)
        guard let format = SavefileFormat(magic: value) else {
            throw .notACapture(path: path, detail: "bad magic \(hexNumber(value, width: 8))")
        }
        // The bytes were just read from stdio's buffer, so ungetc only steps back in it; POSIX guarantees one
        // pushed-back byte in general, glibc and BSD libc any number: check every one rather than assume.
        for byte in [magic.3, magic.2, magic.1, magic.0] where ungetc(Int32(byte), file) == EOF {
            throw .readFailed(path: path, message: "cannot rewind the first bytes of the input")
        }
        return format
    }
}

/// An `open`/`stat`/`read` errno as the CaptureError a user can act on.
func captureOpenError(errno code: Int32, path: String) -> CaptureError {
    switch code {
    case ENOENT, ENOTDIR: return .fileNotFound(path)
    case EACCES, EPERM: return .permissionDenied(path)
    case EISDIR: return .isDirectory(path)
    default: return .readFailed(path: path, message: String(cString: strerror(code)))
    }
}

/// open(2) for reading (`SavefileStream.open` shadows the C function's name inside the type).
private func openDescriptor(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }
