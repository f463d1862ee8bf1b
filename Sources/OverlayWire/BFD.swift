/// BFD control packet (RFC 5880 §4.1), UDP 3784 (single hop) and 4784 (multihop); tunnel health between TEPs.
public struct BFDControl: Hashable, Sendable {
    public var offset: Int
    public var version: UInt8
    public var diagnostic: UInt8
    public var state: State
    public var poll: Bool
    public var final: Bool
    public var controlPlaneIndependent: Bool
    public var authenticationPresent: Bool
    public var demand: Bool
    public var multipoint: Bool
    public var detectMultiplier: UInt8
    public var length: UInt8
    public var myDiscriminator: UInt32
    public var yourDiscriminator: UInt32
    /// Microseconds.
    public var desiredMinTxInterval: UInt32
    public var requiredMinRxInterval: UInt32
    public var requiredMinEchoRxInterval: UInt32

    public enum State: UInt8, Sendable, Hashable, CustomStringConvertible {
        case adminDown = 0, down = 1, initializing = 2, up = 3
        public var description: String {
            switch self {
            case .adminDown: return "AdminDown"
            case .down: return "Down"
            case .initializing: return "Init"
            case .up: return "Up"
            }
        }
    }

    public var diagnosticName: String {
        switch diagnostic {
        case 0: return "No Diagnostic"
        case 1: return "Control Detection Time Expired"
        case 2: return "Echo Function Failed"
        case 3: return "Neighbor Signaled Session Down"
        case 4: return "Forwarding Plane Reset"
        case 5: return "Path Down"
        case 6: return "Concatenated Path Down"
        case 7: return "Administratively Down"
        case 8: return "Reverse Concatenated Path Down"
        default: return "Reserved (\(diagnostic))"
        }
    }

    public static let size = 24
    public static let singleHopPort: UInt16 = 3784
    public static let multihopPort: UInt16 = 4784

    @inlinable
    public init?(parsing cursor: inout ByteCursor) {
        guard cursor.has(Self.size) else { return nil }
        offset = cursor.position
        let b0 = cursor.peekUInt8()!, b1 = cursor.peekUInt8(at: 1)!
        version = b0 >> 5
        diagnostic = b0 & 0x1F
        state = State(rawValue: b1 >> 6)!
        poll = b1 & 0x20 != 0
        final = b1 & 0x10 != 0
        controlPlaneIndependent = b1 & 0x08 != 0
        authenticationPresent = b1 & 0x04 != 0
        demand = b1 & 0x02 != 0
        multipoint = b1 & 0x01 != 0
        detectMultiplier = cursor.peekUInt8(at: 2)!
        length = cursor.peekUInt8(at: 3)!
        myDiscriminator = cursor.peekUInt32(at: 4)!
        yourDiscriminator = cursor.peekUInt32(at: 8)!
        desiredMinTxInterval = cursor.peekUInt32(at: 12)!
        requiredMinRxInterval = cursor.peekUInt32(at: 16)!
        requiredMinEchoRxInterval = cursor.peekUInt32(at: 20)!
        cursor.position += Self.size
    }
}
