import OverlayWire

/// A router MAC seen inside the overlay: a distributed router (NSX DR vMAC, OVN logical router port) or
/// a gateway/service router next hop.
public struct Router: Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// Routes on every host: frames leave the source host already in the destination segment.
        case distributed
        /// The next hop for outside addresses (edge service router, gateway router port).
        case gateway
    }

    public var mac: MACAddress
    /// From the inventory.
    public var name: String?
    public var kind: Kind
    public var vnis: [UInt32]
    /// Addresses it announced (ARP replies, neighbor advertisements): its gateway addresses.
    public var ips: [IPAddress]
    /// TEPs it sent frames from.
    public var teps: [IPAddress]
    /// Declared in the inventory (rather than learned from traffic).
    public var declared: Bool
    /// Why it is taken for a router, in plain words.
    public var reasons: [String]
    /// Frames that show it acting as a router.
    public var frames: [Int]
    /// "distributed router 02:50:56:56:44:52": how paths name it.
    public var label: String
}

/// An edge or gateway node: where overlay traffic to outside addresses leaves the overlay.
public struct Edge: Sendable {
    public var tep: IPAddress
    public var name: String?
    /// `.edge` or `.gateway` (see `TunnelEndpoint.Role`).
    public var role: TunnelEndpoint.Role
    /// VNIs in which overlay traffic for outside addresses reached it.
    public var transitVNIs: [UInt32]
    /// VLANs of the untunneled uplink legs correlated with its tunnel legs.
    public var uplinkVLANs: [UInt16]
    /// Address translations observed (tunnel leg vs uplink leg of the same flow).
    public var translations: [AddressTranslation]
    /// North/south flows through it.
    public var flows: Int
    public var reasons: [String]
    public var frames: [Int]
}

/// A source or destination NAT seen by comparing the tunnel leg and the uplink leg of one flow.
public struct AddressTranslation: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// Source NAT on the way out (inside address → outside address).
        case snat
        /// Destination NAT on the way in (outside address → inside address).
        case dnat
        /// Same addresses on both legs: no translation.
        case none
    }

    public var kind: Kind
    /// The overlay-side address (before SNAT, after DNAT).
    public var inside: IPAddress
    /// The uplink-side address.
    public var outside: IPAddress
    /// Ports when the translation changed them too (PAT).
    public var insidePort: UInt16?
    public var outsidePort: UInt16?
    /// First frames of the tunnel leg and of the uplink leg.
    public var frames: [Int]
}
