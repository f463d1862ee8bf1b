/// VXLAN (RFC 7348) on UDP 4789 (8472 on older Linux), with the Group Policy extension
/// (draft-smith-vxlan-group-policy: G bit 0x8000, D bit 0x0040, A bit 0x0008, 16-bit group policy ID).
///
///     |R|R|R|R|I|R|R|R|  Reserved (24)  |  — or with GBP: |G|R|R|R|I|R|R|R|R|D|R|R|A|R|R|R| Group Policy ID |
///     |            VXLAN Network Identifier (VNI)           |   Reserved    |
public struct VXLANHeader: Hashable, Sendable {
    public static let port: UInt16 = 4789
    public static let linuxLegacyPort: UInt16 = 8472
    public static let size = 8

    public var offset: Int
    /// The 16 flag bits (0x0800 = I bit only, as tshark shows `vxlan.flags`).
    public var flags: UInt16
    public var groupPolicyID: UInt16
    public var vni: UInt32
    public var reserved: UInt8

    public var vniValid: Bool { flags & 0x0800 != 0 }
    public var groupPolicy: Bool { flags & 0x8000 != 0 }
    public var dontLearn: Bool { flags & 0x0040 != 0 }
    public var policyApplied: Bool { flags & 0x0008 != 0 }
    /// Flag bits that are reserved whether or not GBP is in use.
    public var reservedFlagBits: UInt16 { flags & ~(0x8000 | 0x0800 | 0x0040 | 0x0008) }

    @inlinable
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(Self.size) else { return nil }
        offset = cursor.position
        flags = cursor.uncheckedUInt16(at: 0)
        groupPolicyID = cursor.uncheckedUInt16(at: 2)
        let w1 = cursor.uncheckedUInt32(at: 4)
        vni = w1 >> 8
        reserved = UInt8(truncatingIfNeeded: w1)
        cursor.position += Self.size
    }
}
