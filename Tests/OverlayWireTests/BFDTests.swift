import OverlayWire
import Testing

/// BFD control packets (RFC 5880) between TEPs: the tunnel health NSX and OVN run.
@Suite("BFD")
struct BFDTests {
    /// `HandMade.bfdUp` with its UDP checksum zeroed (legal over IPv4), so edited BFD fields raise only their own problems.
    static let base = Wire.patched(HandMade.bfdUp, at: 40, [0, 0])

    @Test func controlPacketFields() throws {
        let p = Wire.decode(HandMade.bfdUp)
        #expect(p.kinds == [.ethernet, .ipv4, .udp, .bfd])
        #expect(p.problems.isEmpty)
        #expect(p.outer.udp?.checksumValid == true)
        let bfd = try #require(p.outer.bfd)
        #expect(bfd.offset == 42 && bfd.version == 1 && bfd.diagnostic == 0 && bfd.diagnosticName == "No Diagnostic")
        #expect(bfd.state == .up && bfd.state.description == "Up")
        #expect(!bfd.poll && !bfd.final && !bfd.controlPlaneIndependent && !bfd.authenticationPresent && !bfd.demand && !bfd.multipoint)
        #expect(bfd.detectMultiplier == 3 && bfd.length == 24)
        #expect(bfd.myDiscriminator == 0x1111_1111 && bfd.yourDiscriminator == 0x2222_2222)
        #expect(bfd.desiredMinTxInterval == 300_000 && bfd.requiredMinRxInterval == 300_000 && bfd.requiredMinEchoRxInterval == 0)
    }

    @Test func multihopPort() {
        let p = Wire.decode(Wire.patched(Self.base, at: 36, Wire.be16(BFDControl.multihopPort)))
        #expect(p.kinds.last == .bfd)
        #expect(p.problems.isEmpty)
    }

    @Test(arguments: [
        (UInt8(0x21), "Control Detection Time Expired", BFDControl.State.adminDown, "AdminDown"),
        (0x23, "Neighbor Signaled Session Down", .down, "Down"),
        (0x25, "Path Down", .initializing, "Init"),
        (0x27, "Administratively Down", .up, "Up"),
        (0x3f, "Reserved (31)", .up, "Up"),
    ])
    func diagnosticsAndStates(byte0: UInt8, diagnostic: String, state: BFDControl.State, stateName: String) throws {
        let stateBits = state.rawValue << 6 | 0x38  // P F C set
        let bfd = try #require(Wire.decode(Wire.patched(Self.base, at: 42, [byte0, stateBits])).outer.bfd)
        #expect(bfd.diagnosticName == diagnostic)
        #expect(bfd.state == state && bfd.state.description == stateName)
        #expect(bfd.poll && bfd.final && bfd.controlPlaneIndependent && !bfd.demand)
    }

    @Test func unknownVersion() {
        let p = Wire.decode(Wire.patched(Self.base, at: 42, [0x40]))
        expectProblem(p, .bfd, .unsupportedVersion, at: 42, saying: "version 2")
    }

    @Test func lengthBelowTheHeaderOrBeyondThePacket() {
        expectProblem(Wire.decode(Wire.patched(Self.base, at: 45, [20])), .bfd, .invalidLength, at: 45, saying: "BFD length 20")
        expectProblem(Wire.decode(Wire.patched(Self.base, at: 45, [48])), .bfd, .invalidLength, at: 45, saying: "24 bytes present")
        // With the A bit the packet must hold an authentication section too.
        expectProblem(Wire.decode(Wire.patched(Self.base, at: 43, [0xc4])), .bfd, .invalidLength, at: 45, saying: "minimum 26")
    }

    @Test func receiveChecksOfRFC5880() {
        expectProblem(Wire.decode(Wire.patched(Self.base, at: 44, [0])), .bfd, .malformed, at: 44, saying: "detect multiplier is 0")
        expectProblem(Wire.decode(Wire.patched(Self.base, at: 43, [0xc1])), .bfd, .reservedBitsSet, at: 43, saying: "multipoint")
        expectProblem(Wire.decode(Wire.patched(Self.base, at: 46, [0, 0, 0, 0])), .bfd, .malformed, at: 46, saying: "My Discriminator is 0")
        expectProblem(Wire.decode(Wire.patched(Self.base, at: 50, [0, 0, 0, 0])), .bfd, .malformed, at: 50, saying: "in state Up")
        // A session that is still Down does not know its peer's discriminator yet.
        let down = Wire.patched(Wire.patched(Self.base, at: 50, [0, 0, 0, 0]), at: 43, [0x40])
        #expect(Wire.decode(down).problems.isEmpty)
    }

    @Test func truncatedControlPacket() {
        let p = Wire.decode(Array(Self.base.prefix(60)), wireLength: 66)
        #expect(p.kinds == [.ethernet, .ipv4, .udp])
        expectProblem(p, .bfd, .truncated, at: 42, saying: "BFD control packet needs 24 bytes")
    }
}
