/// Small, well-formed application payloads so dissectors (tshark) see real protocols, not noise.
enum ApplicationPayloads {
    static func httpRequest(host: String) -> [UInt8] {
        Array("GET / HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n".utf8)
    }

    static func httpResponse(body: String) -> [UInt8] {
        Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    /// A TLS 1.2 ClientHello / ServerHello (one cipher suite, no extensions): a plausible start of a 443 flow.
    static func tlsHello(client: Bool, random: inout SplitMix64) -> [UInt8] {
        var body: [UInt8] = [0x03, 0x03]
        for _ in 0..<4 { body.appendBE64(random.next()) }
        body.append(0)                        // session id length
        if client {
            body += [0x00, 0x02, 0xC0, 0x2F]  // cipher suites: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
            body += [0x01, 0x00]              // compression methods: null
        } else {
            body += [0xC0, 0x2F, 0x00]
        }
        body += [0x00, 0x00]                  // extensions length
        var handshake: [UInt8] = [client ? 0x01 : 0x02, 0, 0, 0]
        handshake[2] = UInt8(body.count >> 8)
        handshake[3] = UInt8(body.count & 0xFF)
        handshake += body
        var record: [UInt8] = [0x16, 0x03, client ? 0x01 : 0x03]
        record.appendBE16(UInt16(handshake.count))
        return record + handshake
    }

    /// A DNS A query for `name`, or its answer when `answer` is given.
    static func dns(id: UInt16, name: String, answer: [UInt8]? = nil) -> [UInt8] {
        var m: [UInt8] = []
        m.appendBE16(id)
        m.appendBE16(answer == nil ? 0x0100 : 0x8180)  // RD / QR RD RA
        m.appendBE16(1)
        m.appendBE16(answer == nil ? 0 : 1)
        m.appendBE16(0)
        m.appendBE16(0)
        for label in name.split(separator: ".") {
            m.append(UInt8(label.utf8.count))
            m += Array(label.utf8)
        }
        m.append(0)
        m.appendBE16(1)   // A
        m.appendBE16(1)   // IN
        if let a = answer {
            m += [0xC0, 0x0C]  // pointer to the question name
            m.appendBE16(1)
            m.appendBE16(1)
            m.appendBE32(300)
            m.appendBE16(UInt16(a.count))
            m += a
        }
        return m
    }

    /// An ICMP echo body like Linux ping's (8 bytes of time, then 0x10, 0x11, … up to 56 bytes).
    static func pingBody(_ seq: UInt16) -> [UInt8] {
        var b: [UInt8] = []
        b.appendBE64(UInt64(1_700_000_000) << 20 | UInt64(seq))
        b += (0..<48).map { UInt8(0x10 + $0) }
        return b
    }
}
