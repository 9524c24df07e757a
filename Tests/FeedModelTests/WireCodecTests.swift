import FeedModel
import Testing

@Suite("Wire codec: encoding and round trips")
struct WireCodecTests {
    @Test("encode then decode gives the same message", arguments: Samples.all)
    func roundTrip(message: FeedMessage) throws {
        let body = message.encodedBody()
        #expect(body.count == message.payload.type.bodyLength)
        #expect(message.topicBytes == Array(message.topic.rawValue.utf8))
        let decoded = try guardedDecode(topic: message.topicBytes, body: body).get()
        #expect(decoded == message)
        #expect(try FeedMessage(topic: message.topicBytes, body: body) == message)
        #expect(decoded.encodedBody() == body)
    }

    @Test("body lengths are 64 for quotes, 56 for trades, 40 for heartbeats")
    func bodyLengths() {
        #expect(WireLayout.headerLength == 40)
        #expect(WireLayout.schemaVersion == 1)
        #expect(MessageType.quote.bodyLength == 64)
        #expect(MessageType.trade.bodyLength == 56)
        #expect(MessageType.heartbeat.bodyLength == 40)
        #expect(WireLayout.maximumBodyLength == 64)
        #expect(MessageType.allCases.map(\.rawValue) == [1, 2, 3])
    }

    @Test("a quote is encoded byte for byte as the documented little-endian layout")
    func quoteLayoutByHand() throws {
        let message = FeedMessage(
            topic: topic("NASDAQ.AAPL"), session: 0x0403_0201, feedSequence: 0x1817_1615_1413_1211,
            topicSequence: 0x2827_2625_2423_2221, eventTime: -2, publishTime: 0x3837_3635_3433_3231,
            payload: .quote(
                Quote(
                    bidPrice: Price(mantissa: 0x4847_4645_4443_4241), askPrice: Price(mantissa: -0x100),
                    bidSize: 0x5453_5251, askSize: 0x6463_6261)))
        let expected: [UInt8] = [
            0x01, 0x01, 0x00, 0x00,  // 0: schema_version 1, message_type 1 (quote), flags 0
            0x01, 0x02, 0x03, 0x04,  // 4: session_id
            0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,  // 8: feed_seq
            0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,  // 16: topic_seq
            0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 24: event_time_ns = -2
            0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38,  // 32: publish_time_ns
            0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,  // 40: bid mantissa
            0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 48: ask mantissa = -256
            0x51, 0x52, 0x53, 0x54,  // 56: bid_size
            0x61, 0x62, 0x63, 0x64,  // 60: ask_size
        ]
        let body = message.encodedBody()
        #expect(body == expected)
        #expect(Array(body[8..<16]) == [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18])
        #expect(try FeedMessage(topic: Array("NASDAQ.AAPL".utf8), body: expected) == message)
    }

    @Test("feed_seq 1 is byte 8 = 1 followed by seven zero bytes")
    func feedSequenceIsLittleEndianAtOffset8() {
        var message = Samples.heartbeat
        message.feedSequence = 1
        let body = message.encodedBody()
        #expect(body[8] == 1)
        #expect(body[9..<16].allSatisfy { $0 == 0 })
        message.feedSequence = 0x0100
        #expect(Array(message.encodedBody()[8..<10]) == [0x00, 0x01])
    }

    @Test("a trade is encoded with price at 40, size at 48, side at 52 and three zero padding bytes")
    func tradeLayoutByHand() {
        let message = FeedMessage(
            topic: topic("NYSE.IBM"), session: 7, feedSequence: 9, topicSequence: 5, eventTime: 0x0A, publishTime: 0x0B,
            payload: .trade(Trade(price: Price(mantissa: 0x0102_0304_0506_0708), size: 0x0A0B_0C0D, aggressor: .sell)))
        let body = message.encodedBody()
        #expect(body.count == 56)
        #expect(Array(body[0..<4]) == [1, 2, 0, 0])
        #expect(Array(body[4..<8]) == [7, 0, 0, 0])
        #expect(Array(body[8..<16]) == [9, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(body[16..<24]) == [5, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(body[24..<32]) == [0x0A, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(body[32..<40]) == [0x0B, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(body[40..<48]) == [0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01])
        #expect(Array(body[48..<52]) == [0x0D, 0x0C, 0x0B, 0x0A])
        #expect(body[52] == 2)
        #expect(Array(body[53..<56]) == [0, 0, 0])
    }

    @Test("aggressor side bytes are 0 unknown, 1 buy, 2 sell")
    func aggressorSideBytes() throws {
        for (side, byte) in [(AggressorSide.unknown, UInt8(0)), (.buy, 1), (.sell, 2)] {
            var message = Samples.trade
            message.payload = .trade(Trade(price: Price(mantissa: 1), size: 1, aggressor: side))
            let body = message.encodedBody()
            #expect(body[52] == byte)
            #expect(try FeedMessage(topic: message.topicBytes, body: body) == message)
        }
    }

    @Test("a heartbeat is the 40-byte header alone with message type 3")
    func heartbeatLayoutByHand() {
        let message = FeedMessage(
            topic: .heartbeat, session: 0xAABB_CCDD, feedSequence: 42, topicSequence: 0, eventTime: 1, publishTime: 2,
            payload: .heartbeat)
        let body = message.encodedBody()
        #expect(body.count == 40)
        #expect(Array(body[0..<8]) == [1, 3, 0, 0, 0xDD, 0xCC, 0xBB, 0xAA])
        #expect(Array(body[8..<16]) == [42, 0, 0, 0, 0, 0, 0, 0])
        #expect(body[16..<24].allSatisfy { $0 == 0 })
        #expect(message.topicBytes == Array("$HB".utf8))
    }

    @Test("encodeBody(into:) writes exactly bodyLength bytes and leaves the rest of a larger buffer alone")
    func encodeIntoLargerBuffer() {
        for message in Samples.all {
            let length = message.payload.type.bodyLength
            var buffer = [UInt8](repeating: 0xAA, count: 100)
            buffer.withUnsafeMutableBytes { message.encodeBody(into: $0) }
            #expect(Array(buffer[..<length]) == message.encodedBody())
            #expect(buffer[length...].allSatisfy { $0 == 0xAA })
        }
    }

    @Test("receivers ignore the reserved flags and the trade padding bytes")
    func flagsAndPaddingAreIgnored() throws {
        var tradeBody = Samples.trade.encodedBody()
        tradeBody[2] = 0xFF
        tradeBody[3] = 0x01
        tradeBody[53] = 0xEE
        tradeBody[55] = 0x01
        #expect(try FeedMessage(topic: Samples.trade.topicBytes, body: tradeBody) == Samples.trade)
        var quoteBody = Samples.quote.encodedBody()
        quoteBody[2] = 0x80
        #expect(try FeedMessage(topic: Samples.quote.topicBytes, body: quoteBody) == Samples.quote)
    }

    @Test("message type and side names convert both ways")
    func names() {
        for type in MessageType.allCases { #expect(MessageType(name: type.description) == type) }
        #expect(MessageType(name: "order") == nil)
        #expect(AggressorSide(name: "B") == .buy)
        #expect(AggressorSide(name: "sell") == .sell)
        #expect(AggressorSide(name: "") == .unknown)
        #expect(AggressorSide(name: "u") == .unknown)
        #expect(AggressorSide(name: "short") == nil)
        #expect(AggressorSide.buy.description == "buy")
    }
}

@Suite("WireHeader")
struct WireHeaderTests {
    @Test("the header parses every field of a valid body", arguments: Samples.all)
    func parsesHeader(message: FeedMessage) throws {
        let header = try message.encodedBody().withUnsafeBytes { bytes throws(WireError) in try WireHeader(bytes) }
        #expect(header.type == message.payload.type)
        #expect(header.session == message.session)
        #expect(header.feedSequence == message.feedSequence)
        #expect(header.topicSequence == message.topicSequence)
        #expect(header.eventTime == message.eventTime)
        #expect(header.publishTime == message.publishTime)
    }

    @Test("stamp writes session, sequences and publish time in place and touches nothing else")
    func stampWritesFieldsInPlace() throws {
        for producerMessage in [Samples.quote, Samples.trade, Samples.heartbeat] {
            var unstamped = producerMessage
            unstamped.session = 0
            unstamped.feedSequence = 0
            unstamped.topicSequence = 0
            unstamped.publishTime = 0
            var body = unstamped.encodedBody()
            let before = body
            body.withUnsafeMutableBytes {
                WireHeader.stamp(
                    $0, session: 0xDEAD_BEEF, feedSequence: 0x0102_0304_0506_0708, topicSequence: 77,
                    publishTime: -5)
            }
            #expect(Array(body[4..<8]) == [0xEF, 0xBE, 0xAD, 0xDE])
            #expect(Array(body[8..<16]) == [0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01])
            #expect(Array(body[16..<24]) == [77, 0, 0, 0, 0, 0, 0, 0])
            #expect(Array(body[32..<40]) == [0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
            // Version, type, flags, event time and the payload are untouched.
            #expect(Array(body[0..<4]) == Array(before[0..<4]))
            #expect(Array(body[24..<32]) == Array(before[24..<32]))
            #expect(Array(body[40...]) == Array(before[40...]))

            var expected = unstamped
            expected.session = 0xDEAD_BEEF
            expected.feedSequence = 0x0102_0304_0506_0708
            expected.topicSequence = 77
            expected.publishTime = -5
            #expect(try FeedMessage(topic: unstamped.topicBytes, body: body) == expected)
        }
    }

    @Test("stampEventTime sets only the event time; the header reads it back")
    func stampEventTime() throws {
        var body = Samples.quote.encodedBody()
        let before = body
        body.withUnsafeMutableBytes { WireHeader.stampEventTime($0, Int64.min + 1) }
        #expect(try body.withUnsafeBytes { try WireHeader($0).eventTime } == Int64.min + 1)
        #expect(Array(body[24..<32]) == [0x01, 0, 0, 0, 0, 0, 0, 0x80])
        #expect(Array(body[..<24]) == Array(before[..<24]))
        #expect(Array(body[32...]) == Array(before[32...]))
        var expected = Samples.quote
        expected.eventTime = Int64.min + 1
        #expect(try FeedMessage(topic: Samples.quote.topicBytes, body: body) == expected)
    }
}
