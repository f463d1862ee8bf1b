/// A bounds-checked, big-endian reader over borrowed packet bytes.
///
/// Modelled on swift-nio's `ByteBuffer` reads: every read returns `nil` when the bytes are not there
/// and never traps. The cursor never owns memory: it views the buffer that libpcap (or a test) lends for
/// the duration of one decode, and positions are frame offsets so problems can name where they happened.
public struct ByteCursor {
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read, counted from the start of the frame.
    public var position: Int
    /// One past the last byte this layer may read (never beyond `bytes.count`).
    public var end: Int

    @inlinable @inline(__always)
    public init(bytes: UnsafeRawBufferPointer, position: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.position = max(0, min(position, bytes.count))
        self.end = max(self.position, min(end ?? bytes.count, bytes.count))
    }

    /// Never negative, even when a layer narrows `end` below `position`.
    @inlinable public var remaining: Int { max(0, end - position) }

    @inlinable
    public func has(_ count: Int) -> Bool { count >= 0 && remaining >= count }

    @inlinable
    public func peekUInt8(at offset: Int = 0) -> UInt8? {
        let at = position + offset
        guard offset >= 0, at < end else { return nil }
        return bytes.load(fromByteOffset: at, as: UInt8.self)
    }

    @inlinable
    public func peekUInt16(at offset: Int = 0) -> UInt16? {
        let at = position + offset
        guard offset >= 0, at + 2 <= end else { return nil }
        return UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))
    }

    @inlinable
    public func peekUInt32(at offset: Int = 0) -> UInt32? {
        let at = position + offset
        guard offset >= 0, at + 4 <= end else { return nil }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    @inlinable
    public func peekUInt64(at offset: Int = 0) -> UInt64? {
        let at = position + offset
        guard offset >= 0, at + 8 <= end else { return nil }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }

    @inlinable
    public mutating func readUInt8() -> UInt8? {
        guard let v = peekUInt8() else { return nil }
        position += 1
        return v
    }

    @inlinable
    public mutating func readUInt16() -> UInt16? {
        guard let v = peekUInt16() else { return nil }
        position += 2
        return v
    }

    @inlinable
    public mutating func readUInt32() -> UInt32? {
        guard let v = peekUInt32() else { return nil }
        position += 4
        return v
    }

    @inlinable
    public mutating func skip(_ count: Int) -> Bool {
        guard has(count) else { return false }
        position += count
        return true
    }

    /// A cursor over the next `length` bytes (clamped to what is there), and moves past them.
    @inlinable
    public mutating func readSlice(length: Int) -> ByteCursor? {
        guard has(length) else { return nil }
        let slice = ByteCursor(bytes: bytes, position: position, end: position + length)
        position += length
        return slice
    }

    // MARK: reads after a `has(_:)` check

    // Header parsers check `has(size)` for the whole fixed header once, then read its fields with these: one
    // bounds check per header instead of one per field, and no overflow checks the optimizer cannot drop (it
    // cannot prove `position + offset` from `has`). The caller guarantees `0 ≤ offset` and
    // `offset + width ≤ remaining`; like the checked peeks, they rely on `end ≤ bytes.count`.

    @inlinable @inline(__always)
    func uncheckedUInt8(at offset: Int) -> UInt8 {
        bytes.load(fromByteOffset: position &+ offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    func uncheckedUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: position &+ offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    func uncheckedUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: position &+ offset, as: UInt32.self))
    }

    @inlinable @inline(__always)
    func uncheckedUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: position &+ offset, as: UInt64.self))
    }

    /// A MAC address at `offset` (6 bytes), after a `has` check.
    @inlinable @inline(__always)
    func uncheckedMAC(at offset: Int) -> MACAddress {
        MACAddress(rawValue: UInt64(uncheckedUInt16(at: offset)) << 32 | UInt64(uncheckedUInt32(at: offset &+ 2)))
    }

    /// The bytes from `position` to `end` as a buffer (borrowed, valid as long as `bytes` is).
    @inlinable
    public var remainingBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[position..<max(position, end)])
    }
}
