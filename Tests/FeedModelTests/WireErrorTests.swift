import FeedModel
import Testing

/// Decodes with guard pages on both sides of both frames and returns the typed error, if any.
private func decodeError(topic: [UInt8], body: [UInt8]) -> WireError? {
    switch guardedDecode(topic: topic, body: body) {
    case .success: nil
    case .failure(let error): error
    }
}

private func decodeError(topic: String, body: [UInt8]) -> WireError? {
    decodeError(topic: Array(topic.utf8), body: body)
}

private let aapl = "NASDAQ.AAPL"

@Suite("Wire codec: malformed input")
struct WireErrorTests {
    @Test("an empty body is too short for the header")
    func emptyBody() {
        #expect(decodeError(topic: aapl, body: []) == .tooShort(expected: 40, actual: 0))
    }

    @Test("every body shorter than the 40-byte header is too short, whatever it starts with")
    func shorterThanHeader() {
        let valid = Samples.quote.encodedBody()
        for length in 0..<40 {
            #expect(decodeError(topic: aapl, body: Array(valid[..<length])) == .tooShort(expected: 40, actual: length))
            #expect(
                decodeError(topic: aapl, body: [UInt8](repeating: 0xFF, count: length))
                    == .tooShort(expected: 40, actual: length))
        }
    }

    @Test("a body one byte too long or too short for its type is rejected", arguments: MessageType.allCases)
    func lengthOffByOne(type: MessageType) {
        let message = Samples.all.first { $0.payload.type == type }!
        let valid = message.encodedBody()
        let long = valid + [0]
        let short = Array(valid.dropLast())
        // One beyond the longest type is longer than any message.
        let expectedLong: WireError =
            type.bodyLength == WireLayout.maximumBodyLength
            ? .oversized(limit: WireLayout.maximumBodyLength, actual: type.bodyLength + 1)
            : .wrongLength(type: type, expected: type.bodyLength, actual: type.bodyLength + 1)
        #expect(decodeError(topic: message.topicBytes, body: long) == expectedLong)
        if type == .heartbeat {
            // One short of a bare header is shorter than the header itself.
            #expect(decodeError(topic: message.topicBytes, body: short) == .tooShort(expected: 40, actual: 39))
        } else {
            #expect(
                decodeError(topic: message.topicBytes, body: short)
                    == .wrongLength(type: type, expected: type.bodyLength, actual: type.bodyLength - 1))
        }
    }

    @Test("a body of another type's length is rejected: every length from 40 to 64 but the right one")
    func everyWrongLength() {
        for type in MessageType.allCases {
            for length in 40...64 where length != type.bodyLength {
                #expect(
                    decodeError(topic: aapl, body: body(type: type.rawValue, length: length))
                        == .wrongLength(type: type, expected: type.bodyLength, actual: length))
            }
        }
    }

    @Test("a body longer than the longest type is oversized, whatever its header says", arguments: [65, 80, 4096])
    func oversized(length: Int) {
        for type: UInt8 in [1, 2, 3, 7] {
            #expect(decodeError(topic: aapl, body: body(type: type, length: length)) == .oversized(limit: 64, actual: length))
        }
    }

    @Test("an unknown schema version is rejected before anything else", arguments: [UInt8(0), 2, 0x7F, 255])
    func unknownVersion(version: UInt8) {
        var valid = Samples.quote.encodedBody()
        valid[0] = version
        #expect(decodeError(topic: aapl, body: valid) == .unsupportedVersion(version))
        // Even with an unknown type and a wrong length, the version is what is reported.
        #expect(decodeError(topic: aapl, body: body(type: 9, length: 41, version: version)) == .unsupportedVersion(version))
    }

    @Test("an unknown message type is rejected", arguments: [UInt8(0), 4, 255])
    func unknownType(type: UInt8) {
        for length in [40, 56, 64] {
            #expect(decodeError(topic: aapl, body: body(type: type, length: length)) == .unknownMessageType(type))
        }
    }

    @Test("an aggressor side byte other than 0, 1, 2 is an invalid field", arguments: [UInt8(3), 4, 0x80, 255])
    func unknownSide(side: UInt8) {
        var trade = Samples.trade.encodedBody()
        trade[52] = side
        #expect(decodeError(topic: Samples.trade.topicBytes, body: trade) == .invalidField("aggressor side \(side)"))
    }

    @Test("a heartbeat body on a market topic is rejected")
    func heartbeatOnMarketTopic() {
        let error = decodeError(topic: aapl, body: Samples.heartbeat.encodedBody())
        #expect(error == .invalidField("heartbeat on topic NASDAQ.AAPL"))
        #expect(error?.kind == "invalid_field")
    }

    @Test("a quote or trade body on the heartbeat topic is rejected")
    func marketMessageOnHeartbeatTopic() {
        #expect(decodeError(topic: "$HB", body: Samples.quote.encodedBody()) == .invalidField("quote on topic $HB"))
        #expect(decodeError(topic: "$HB", body: Samples.trade.encodedBody()) == .invalidField("trade on topic $HB"))
    }

    @Test(
        "invalid topic frames are rejected with the topic rule they break",
        arguments: [
            ([], TopicError.empty),
            (Array("NASDAQAAPL".utf8), .missingSeparator("NASDAQAAPL")),
            (Array("nasdaq.AAPL".utf8), .badVenue("nasdaq.AAPL")),
            (Array(".AAPL".utf8), .badVenue(".AAPL")),
            (Array("NASDAQ.".utf8), .badSymbol("NASDAQ.")),
            (Array("NAS DAQ.AAPL".utf8), .badVenue("NAS DAQ.AAPL")),
            (Array("NASDAQ.AA PL".utf8), .badSymbol("NASDAQ.AA PL")),
            (Array("NASDAQ.AAPL\n".utf8), .badSymbol("NASDAQ.AAPL\n")),
            (Array("NASDAQ.AA$".utf8), .badSymbol("NASDAQ.AA$")),
            (Array("ABCDEFGHIJKLMNOPQ.X".utf8), .badVenue("ABCDEFGHIJKLMNOPQ.X")),
            (Array(("N." + String(repeating: "S", count: 33)).utf8), .badSymbol("N." + String(repeating: "S", count: 33))),
            (Array(("NYSE." + String(repeating: "S", count: 45)).utf8), .tooLong("NYSE." + String(repeating: "S", count: 45), 50)),
            (Array("$HB.".utf8), .badVenue("$HB.")),
            (Array("$HBX".utf8), .missingSeparator("$HBX")),
            (Array("$hb".utf8), .missingSeparator("$hb")),
        ] as [([UInt8], TopicError)])
    func invalidTopic(frame: [UInt8], expected: TopicError) {
        #expect(decodeError(topic: frame, body: Samples.quote.encodedBody()) == .invalidTopic(expected))
    }

    @Test("topic frames that are not UTF-8 are rejected, not decoded lossily")
    func nonUTF8Topic() {
        let cases: [[UInt8]] = [
            [0xFF, 0x2E, 0x41],  // venue byte 0xFF
            [0x4E, 0x2E, 0xC3],  // truncated two-byte sequence in the symbol
            [0x4E, 0x2E, 0xC3, 0xA9],  // valid UTF-8 "é", but not an allowed symbol byte
            [0x4E, 0x59, 0x53, 0x45, 0x2E, 0x80, 0x80],
            [0x00, 0x2E, 0x41],
            [0x4E, 0x2E, 0x41, 0x00],  // NUL inside the frame
        ]
        for frame in cases {
            let error = decodeError(topic: frame, body: Samples.quote.encodedBody())
            guard case .invalidTopic(let topicError) = error else {
                Issue.record("topic \(frame) gave \(String(describing: error))")
                continue
            }
            switch topicError {
            case .badVenue, .badSymbol: break
            default: Issue.record("topic \(frame) gave \(topicError)")
            }
        }
    }

    @Test("header errors are reported before topic errors, and topic errors before field errors")
    func errorPrecedence() {
        #expect(decodeError(topic: [], body: []) == .tooShort(expected: 40, actual: 0))
        #expect(decodeError(topic: "bad", body: body(type: 1, length: 40, version: 2)) == .unsupportedVersion(2))
        #expect(decodeError(topic: "bad", body: body(type: 9, length: 40)) == .unknownMessageType(9))
        #expect(
            decodeError(topic: "bad", body: body(type: 1, length: 40))
                == .wrongLength(type: .quote, expected: 64, actual: 40))
        var trade = Samples.trade.encodedBody()
        trade[52] = 9
        #expect(decodeError(topic: "bad", body: trade) == .invalidTopic(.missingSeparator("bad")))
        #expect(decodeError(topic: "$HB", body: trade) == .invalidField("aggressor side 9"))
    }

    @Test("every error has a stable kind and a one-line description")
    func kindsAndDescriptions() {
        let errors: [(WireError, String)] = [
            (.wrongFrameCount(3), "wrong_frame_count"),
            (.oversized(limit: 64, actual: 65), "oversized"),
            (.tooShort(expected: 40, actual: 3), "too_short"),
            (.wrongLength(type: .trade, expected: 56, actual: 57), "wrong_length"),
            (.unsupportedVersion(2), "unsupported_version"),
            (.unknownMessageType(4), "unknown_type"),
            (.invalidTopic(.empty), "invalid_topic"),
            (.invalidField("aggressor side 3"), "invalid_field"),
        ]
        for (error, kind) in errors {
            #expect(error.kind == kind)
            #expect(!error.description.isEmpty)
            #expect(!error.description.contains("\n"))
        }
        #expect(WireError.wrongLength(type: .trade, expected: 56, actual: 57).description == "trade body must be 56 bytes, got 57")
    }

    @Test("the WireHeader alone rejects the same malformed headers")
    func headerAloneRejects() {
        func headerError(_ bytes: [UInt8]) -> WireError? {
            GuardedMemory().with(bytes, at: .end) { raw in
                do throws(WireError) {
                    _ = try WireHeader(raw)
                    return nil
                } catch { return error }
            }
        }
        #expect(headerError([]) == .tooShort(expected: 40, actual: 0))
        #expect(headerError(body(type: 1, length: 64, version: 0)) == .unsupportedVersion(0))
        #expect(headerError(body(type: 0, length: 64)) == .unknownMessageType(0))
        #expect(headerError(body(type: 2, length: 64)) == .wrongLength(type: .trade, expected: 56, actual: 64))
        #expect(headerError(body(type: 2, length: 56)) == nil)
    }
}

@Suite("Wire codec: fuzz")
struct WireFuzzTests {
    static let topics: [[UInt8]] = [
        Array("NASDAQ.AAPL".utf8), Array("$HB".utf8), [], Array("nasdaq.x".utf8), Array("A.B".utf8), [0xFF, 0x2E, 0x41],
    ]

    /// What every decode must satisfy: an answer or a typed error, and an answer re-encodes to the
    /// same body apart from the reserved bytes (flags, trade padding) that receivers ignore.
    static func check(topic: [UInt8], body: [UInt8], _ topicMemory: GuardedMemory, _ bodyMemory: GuardedMemory) -> Bool {
        switch guardedDecode(topic: topic, body: body, topicMemory: topicMemory, bodyMemory: bodyMemory) {
        case .failure:
            return false
        case .success(let message):
            var expected = body
            expected[2] = 0
            expected[3] = 0
            if message.payload.type == .trade { expected[53..<56] = [0, 0, 0] }
            #expect(message.encodedBody() == expected)
            #expect(message.topicBytes == topic)
            return true
        }
    }

    @Test("thousands of random buffers of 0 to 100 bytes never crash: each decodes or throws")
    func randomBytes() {
        var random = SeededGenerator(seed: 0x5EED_F00D)
        let topicMemory = GuardedMemory()
        let bodyMemory = GuardedMemory()
        var decoded = 0
        for _ in 0..<5000 {
            let body = random.bytes(Int.random(in: 0...100, using: &random))
            let topic =
                Bool.random(using: &random)
                ? Self.topics.randomElement(using: &random)!
                : random.bytes(Int.random(in: 0...60, using: &random))
            if Self.check(topic: topic, body: body, topicMemory, bodyMemory) { decoded += 1 }
        }
        // Random bytes almost never form a valid body; the mutation fuzz below covers decoding.
        #expect(decoded < 10)
    }

    @Test("random mutations of valid bodies (bytes flipped, cut, extended) decode or throw, never crash")
    func mutatedValidBodies() {
        var random = SeededGenerator(seed: 42)
        let topicMemory = GuardedMemory()
        let bodyMemory = GuardedMemory()
        var decoded = 0
        var rejected = 0
        for _ in 0..<5000 {
            let original = Samples.all.randomElement(using: &random)!
            var body = original.encodedBody()
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where !body.isEmpty:
                    body[Int.random(in: 0..<body.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                case 1 where !body.isEmpty:
                    body.removeLast(Int.random(in: 1...body.count, using: &random))
                case 2:
                    body += random.bytes(Int.random(in: 1...8, using: &random))
                default:
                    // The header's small fields are where the interesting branches are.
                    if body.count >= 2 {
                        body[Int.random(in: 0..<2, using: &random)] = UInt8.random(in: 0...4, using: &random)
                    }
                }
            }
            let topic = Int.random(in: 0..<4, using: &random) == 0 ? Self.topics.randomElement(using: &random)! : original.topicBytes
            if Self.check(topic: topic, body: body, topicMemory, bodyMemory) { decoded += 1 } else { rejected += 1 }
        }
        #expect(decoded > 500)
        #expect(rejected > 500)
    }
}
