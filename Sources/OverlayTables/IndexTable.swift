/// An open-addressing (linear probing) index from a key's 64-bit hash to a record index. The keys live in
/// the records themselves (the caller compares them), so a slot is 8 bytes and a 10k-flow table fits in the
/// L2 cache; hashing is a few multiplies with a per-process random seed (no SipHash per packet, and no
/// predictable collisions for a hostile capture).
@frozen
public struct IndexTable {
    /// High 32 bits: hash tag | 1 (0 = empty); low 32 bits: record index.
    @usableFromInline var slots: [UInt64]
    @usableFromInline var mask: Int
    @usableFromInline var storedCount = 0
    /// Records indexed.
    public var count: Int { storedCount }

    public init(capacity: Int = 256) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    @inlinable @inline(__always)
    static func tag(_ hash: UInt64) -> UInt64 { (hash | 1) << 32 }

    /// The index of the record whose key `matches`, among those stored under `hash`.
    @inlinable @inline(__always)
    public func find(_ hash: UInt64, _ matches: (Int32) -> Bool) -> Int32? {
        let tag = Self.tag(hash)
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            if slot & 0xFFFF_FFFF_0000_0000 == tag, matches(Int32(truncatingIfNeeded: slot)) { return Int32(truncatingIfNeeded: slot) }
            i = (i + 1) & mask
        }
    }

    /// The record index of the first slot on `hash`'s probe path that carries its tag, -1 when none does:
    /// where a later `find` almost surely ends, for loading the record ahead (tags only, no key compare: a
    /// hint, never an answer).
    @inlinable @inline(__always)
    public func candidate(_ hash: UInt64) -> Int32 {
        let tag = Self.tag(hash)
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return -1 }
            if slot & 0xFFFF_FFFF_0000_0000 == tag { return Int32(truncatingIfNeeded: slot) }
            i = (i + 1) & mask
        }
    }

    /// Stores a new record index (the caller checked it is not there). `hashOf` gives the hash of a stored
    /// record when the table grows.
    @inlinable
    public mutating func insert(_ hash: UInt64, index: Int32, hashOf: (Int32) -> UInt64) {
        if (storedCount + 1) * 2 > slots.count { grow(hashOf) }
        place(hash, index)
        storedCount += 1
    }

    @inlinable
    mutating func place(_ hash: UInt64, _ index: Int32) {
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = Self.tag(hash) | UInt64(UInt32(bitPattern: index))
    }

    @usableFromInline
    mutating func grow(_ hashOf: (Int32) -> UInt64) {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot != 0 {
            let index = Int32(truncatingIfNeeded: slot)
            place(hashOf(index), index)
        }
    }
}

/// Fast keyed mixing for `IndexTable` (a wyhash-style multiply-fold).
@frozen
public struct KeyHasher: Sendable {
    public let seed: UInt64

    public init() {
        var h = Hasher()
        h.combine(0x5EED as UInt64)
        seed = UInt64(bitPattern: Int64(h.finalize())) | 1
    }

    @inlinable @inline(__always)
    public static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let p = a.multipliedFullWidth(by: b)
        return p.high ^ p.low
    }

    @inlinable @inline(__always)
    public func hash(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64 = 0, _ w3: UInt64 = 0) -> UInt64 {
        let a = Self.fold(w0 ^ seed, w1 ^ 0xA076_1D64_78BD_642F)
        let b = Self.fold(w2 ^ 0xE703_7ED1_A0B4_28DB, w3 ^ seed)
        return Self.fold(a ^ 0x8EBC_6AF0_9C88_C6E3, b ^ 0x5899_65CC_7537_4CC3)
    }
}
