import COverlayPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular capture file that another thread can read ahead: a ring of blocks filled with `pread`, served to
/// libpcap through a stdio `FILE` (`fopencookie`). Reading a 640 MB capture costs the reading thread the kernel's
/// copy out of the page cache (≈ 14% of that thread's time in `analyze`); a thread with time to spare — the
/// reference switch's, which waits for batches a good part of the time — takes that copy over by calling `fill()`.
///
/// The reading thread never waits for a helper that has not started a block: when the next block is neither read
/// nor being read, it reads it itself, so the stream is the same with no helper at all, and a busy helper slows
/// nothing down. Blocks are claimed in file order under the lock and read outside it at their own offsets,
/// so two readers never read the same bytes and never reorder them. A short block is the file's last: a read error
/// (kept, and reported to libpcap as one) or the end of the file; nothing after it is served.
public final class ReadAheadFile: @unchecked Sendable {
    /// The ring's shape: `blocks` blocks of `blockSize` bytes.
    public struct Ring: Sendable, Equatable {
        public var blockSize: Int
        public var blocks: Int

        public init(blockSize: Int, blocks: Int) {
            self.blockSize = max(blockSize, 1)
            self.blocks = max(blocks, 2)
        }

        /// 2 MiB in 128 KiB blocks: a block is a few hundred typical packets, half a core's L2 at most; the ring
        /// holds what the reading thread consumes while the reference thread replays a few batches.
        public static let standard = Ring(blockSize: 128 << 10, blocks: 16)
    }

    private let fd: Int32
    private let blockSize: Int
    private let blockCount: Int
    private let blocks: UnsafeMutableRawPointer

    // Shared state, under `mutex` (allocated: a pthread mutex must not move).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Per slot: bytes read (`Self.reading` while a read is under way, `Self.free` when it holds nothing).
    private var lengths: [Int]
    /// The file offset the next block claimed reads from.
    private var claimOffset: Int64 = 0
    /// Slots claimed and not yet consumed: those after `headSlot`, in file order (the next to claim follows them).
    private var inUse = 0
    /// A short block was read: nothing after it is claimed.
    private var atEnd = false
    /// The first read error (errno).
    private var readError: Int32 = 0
    private var closed = false

    private static let reading = -1
    private static let free = -2

    /// The slot the consumer reads (or will read next); moved by it, under the lock.
    private var headSlot = 0
    // The consumer's side (the thread libpcap reads on), touched only by it.
    private var current: UnsafeMutableRawPointer?
    private var currentLength = 0
    private var currentOffset = 0

    /// Takes ownership of `fd` (closed when this is released, after the stream is closed).
    init(fd: Int32, ring: Ring = .standard) {
        self.fd = fd
        self.blockSize = ring.blockSize
        self.blockCount = ring.blocks
        self.blocks = .allocate(byteCount: self.blockSize * blockCount, alignment: 4096)
        lengths = Array(repeating: Self.free, count: blockCount)
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        _ = close(fd)
        blocks.deallocate()
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Reads the next block ahead if a slot is free; false when there is nothing to do now (the ring is full,
    /// or the file is read to its end or failed, or closed). For a helper thread: never waits.
    @discardableResult
    public func fill() -> Bool {
        pthread_mutex_lock(mutex)
        let claimed = claim()
        pthread_mutex_unlock(mutex)
        guard let (slot, offset) = claimed else { return false }
        readBlock(slot: slot, offset: offset)
        return true
    }

    /// Under the lock: the next slot to read and its offset; nil when full, at the end, failed or closed.
    private func claim() -> (slot: Int, offset: Int64)? {
        guard !atEnd, !closed, readError == 0, inUse < blockCount else { return nil }
        let slot = (headSlot + inUse) % blockCount, offset = claimOffset
        lengths[slot] = Self.reading
        inUse += 1
        claimOffset += Int64(blockSize)
        return (slot, offset)
    }

    /// Reads one claimed block outside the lock, then publishes it.
    private func readBlock(slot: Int, offset: Int64) {
        let buffer = blocks + slot * blockSize
        var got = 0
        var error: Int32 = 0
        while got < blockSize {
            let n = pread(fd, buffer + got, blockSize - got, off_t(offset) + off_t(got))
            if n > 0 {
                got += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                error = errno
                break
            }
        }
        pthread_mutex_lock(mutex)
        lengths[slot] = got
        if got < blockSize { atEnd = true }
        if error != 0 && readError == 0 { readError = error }
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// The stdio read: what is left of the current block; at its end the next block (see `nextBlock`).
    /// 0 at the end of the file, -1 with `errno` set after a read error.
    fileprivate func read(into target: UnsafeMutablePointer<CChar>, size: Int) -> Int {
        if currentOffset == currentLength {
            let next = nextBlock()
            guard next > 0 else { return next }
        }
        let n = min(size, currentLength - currentOffset)
        UnsafeMutableRawPointer(target).copyMemory(from: current! + currentOffset, byteCount: n)
        currentOffset += n
        return n
    }

    /// Frees the consumed block and makes the next one current: 1 when it has bytes, 0 at the end, -1 (errno
    /// set) after a read error. Reads the block here when nobody has claimed it; waits only for a read under way.
    private func nextBlock() -> Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if current != nil {
            let wasLast = currentLength < blockSize
            lengths[headSlot] = Self.free
            inUse -= 1
            headSlot = (headSlot + 1) % blockCount
            current = nil
            currentLength = 0
            currentOffset = 0
            pthread_cond_broadcast(condition)
            // A short block ended the file (or an error cut it): blocks claimed before that was known are not served.
            if wasLast { return endOfStream() }
        }
        while true {
            let length = lengths[headSlot]
            if length >= 0 {
                current = blocks + headSlot * blockSize
                currentLength = length
                currentOffset = 0
                return length > 0 ? 1 : endOfStream()
            }
            if length == Self.free {
                // Nobody is ahead of this reader: read the block here (a helper may fill the ones after it).
                guard let (slot, offset) = claim() else { return endOfStream() }
                pthread_mutex_unlock(mutex)
                readBlock(slot: slot, offset: offset)
                pthread_mutex_lock(mutex)
                continue
            }
            // A helper is reading it: wait for that read.
            pthread_cond_wait(condition, mutex)
        }
    }

    /// Under the lock: 0 at the end of the file, -1 with errno set after a read error.
    private func endOfStream() -> Int {
        guard readError != 0 else { return 0 }
        errno = readError
        return -1
    }

    /// The stream was closed: helpers stop reading ahead.
    fileprivate func markClosed() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_mutex_unlock(mutex)
    }

    /// A stdio stream over this file, holding it until `fclose`; nil where the C library has no cookie streams.
    func openStream() -> UnsafeMutablePointer<FILE>? {
        #if os(Linux)
        var functions = overlay_cookie_io_functions()
        functions.read = { cookie, buffer, size in
            guard let cookie, let buffer else { return -1 }
            return Unmanaged<ReadAheadFile>.fromOpaque(cookie).takeUnretainedValue().read(into: buffer, size: size)
        }
        functions.close = { cookie in
            guard let cookie else { return 0 }
            Unmanaged<ReadAheadFile>.fromOpaque(cookie).takeRetainedValue().markClosed()
            return 0
        }
        let cookie = Unmanaged.passRetained(self).toOpaque()
        guard let stream = overlay_fopencookie(cookie, "rb", functions) else {
            Unmanaged<ReadAheadFile>.fromOpaque(cookie).release()
            return nil
        }
        return stream
        #else
        return nil
        #endif
    }
}
