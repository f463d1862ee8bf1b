/// Loading memory ahead of its use. Swift has no prefetch, so the tables' "load ahead" passes issue plain loads
/// over a group of upcoming lookups and feed the bytes to a sink: the loads are independent, so their cache
/// misses overlap instead of each lookup waiting for its own. Reads only.
public enum CacheLines {
    /// Loads one byte of each 64-byte cache line of `base[0 ..< count]` (and the last byte, for a range that
    /// starts late in a line and ends early in one); returns their sum, for the caller's sink.
    @inlinable @inline(__always)
    public static func touch(_ base: UnsafeRawPointer, count: Int) -> UInt64 {
        guard count > 0 else { return 0 }
        var sink: UInt64 = 0
        var offset = 0
        while offset < count {
            sink &+= UInt64(base.load(fromByteOffset: offset, as: UInt8.self))
            offset += 64
        }
        return sink &+ UInt64(base.load(fromByteOffset: count - 1, as: UInt8.self))
    }
}
