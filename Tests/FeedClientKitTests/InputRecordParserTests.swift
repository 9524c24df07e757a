import FeedModel
import Testing

@testable import FeedClientKit

/// `feed-client publish` input: every line becomes exactly one quote or trade or one reason.
struct InputRecordParserTests {
    static let fixedNow = Timestamp(nanoseconds: 1_763_800_000_123_456_789)

    /// Parses `lines` in order: each line's message, `nil` (header, blank, comment) or error.
    static func parse(_ lines: [String], format: InputRecordParser.Format = .auto) -> [Result<FeedMessage?, InputError>] {
        var parser = InputRecordParser(format: format, now: { fixedNow })
        return lines.map { line in Result { () throws(InputError) in try parser.parse(line: Substring(line)) } }
    }

    static func quote(_ topic: String, _ bid: Int64, _ bidSize: UInt32, _ ask: Int64, _ askSize: UInt32, at time: Int64) -> FeedMessage {
        FeedMessage(
            topic: try! Topic(topic), eventTime: time,
            payload: .quote(Quote(bidPrice: Price(mantissa: bid), askPrice: Price(mantissa: ask), bidSize: bidSize, askSize: askSize)))
    }

    static func trade(_ topic: String, _ price: Int64, _ size: UInt32, _ side: AggressorSide, at time: Int64) -> FeedMessage {
        FeedMessage(topic: try! Topic(topic), eventTime: time, payload: .trade(Trade(price: Price(mantissa: price), size: size, aggressor: side)))
    }

    @Test func csvRowsBecomeQuotesAndTradesWithExactPricesAndTimes() throws {
        let results = Self.parse([
            "topic,type,bid,bid_size,ask,ask_size,price,size,side,event_time",
            "NASDAQ.AAPL,quote,182.35,300,182.36,500,,,,2026-11-22T14:30:05.123456789Z",
            "NYSE.IBM,trade,,,,,222.05,100,sell,1763821805000000001",
            "",
            "# a comment",
            " \"NYSE.BRK.B\" , , , , , ,0.00000001,4294967295,buy, ",
        ])
        let messages = try results.map { try $0.get() }
        #expect(messages[0] == nil && messages[3] == nil && messages[4] == nil)
        #expect(messages[1] == Self.quote("NASDAQ.AAPL", 18_235_000_000, 300, 18_236_000_000, 500, at: 1_795_357_805_123_456_789))
        #expect(messages[2] == Self.trade("NYSE.IBM", 22_205_000_000, 100, .sell, at: 1_763_821_805_000_000_001))
        #expect(messages[5] == Self.trade("NYSE.BRK.B", 1, .max, .buy, at: Self.fixedNow.nanoseconds), "type inferred, time defaults to now")
    }

    @Test func ndjsonLinesCarryTheSameFieldsAndIgnoreServerAssignedOnes() throws {
        let results = Self.parse([
            #"{"topic":"NASDAQ.AAPL","bid":182.35,"bid_size":300,"ask":"182.36","ask_size":500}"#,
            #"{ "topic" : "NYSE.IBM" , "price" : 222.05 , "size" : 100 , "side" : "buy" , "event_time" : null }"#,
            // A line as `feed-client subscribe --format ndjson` prints it publishes again as is.
            #"{"time":"2026-11-22T14:30:05.123456789Z","topic":"NYSE.IBM","type":"trade","session":7,"seq":89,"topic_seq":7,"price":222.05,"size":150,"side":"sell","event_time":"2026-11-22T14:30:05.000000002Z"}"#,
        ])
        let messages = try results.map { try $0.get() }
        #expect(messages[0] == Self.quote("NASDAQ.AAPL", 18_235_000_000, 300, 18_236_000_000, 500, at: Self.fixedNow.nanoseconds))
        #expect(messages[1] == Self.trade("NYSE.IBM", 22_205_000_000, 100, .buy, at: Self.fixedNow.nanoseconds))
        #expect(messages[2] == Self.trade("NYSE.IBM", 22_205_000_000, 150, .sell, at: 1_795_357_805_000_000_002))
    }

    @Test(arguments: [
        ("NASDAQ.AAPL,abc,300,182.36,500", "field 'bid'"),
        ("lower.case,1,1,1,1", "field 'topic'"),
        ("NASDAQ.AAPL,1.123456789,1,1,1", "field 'bid'"),
        ("NASDAQ.AAPL,1,1", "3 fields where the header has 5"),
        ("NASDAQ.AAPL,1,-1,2,1", "field 'bid_size'"),
        ("NASDAQ.AAPL,1,4294967296,2,1", "field 'bid_size'"),
        ("NASDAQ.AAPL,,1,2,1", "missing field 'bid'"),
    ])
    func badCSVRowsAreRejectedWithTheirReason(row: String, reason: String) {
        let results = Self.parse(["topic,bid,bid_size,ask,ask_size", row, "NASDAQ.MSFT,1,1,2,1"])
        #expect(throws: Never.self) { try results[0].get() }
        #expect(throws: InputError.self) { try results[1].get() }
        if case .failure(let error) = results[1] {
            #expect(error.description.contains(reason), "\(error)")
            #expect(!error.isFatal)
        }
        #expect(throws: Never.self) { try results[2].get() }
    }

    @Test(arguments: [
        (#"{"topic":"NYSE.IBM","price":1,"size":1,"bid":2}"#, "field 'bid': not a field of a trade"),
        (#"{"topic":"NYSE.IBM","bid":1,"ask":2,"bid_size":1,"ask_size":1,"side":"buy"}"#, "field 'side': not a field of a quote"),
        (#"{"topic":"NYSE.IBM","price":1,"size":1,"side":"up"}"#, "field 'side'"),
        (#"{"topic":"NYSE.IBM","type":"heartbeat"}"#, "field 'type'"),
        (#"{"topic":"NYSE.IBM"}"#, "missing field 'type'"),
        (#"{"topic":"NYSE.IBM","price":1,"size":1,"colour":"red"}"#, "unknown field 'colour'"),
        (#"{"price":1,"size":1}"#, "missing field 'topic'"),
        (#"{"topic":"NYSE.IBM","price":1,"size":1,"event_time":"yesterday"}"#, "field 'event_time'"),
        (#"{"topic":"NYSE.IBM","price":1,"size":1"#, "expected '}'"),
    ])
    func badNDJSONLinesAreRejectedWithTheirReason(line: String, reason: String) {
        let results = Self.parse([line])
        #expect(throws: InputError.self) { try results[0].get() }
        if case .failure(let error) = results[0] { #expect(error.description.contains(reason), "\(error)") }
    }

    @Test(arguments: [
        ("tpoic,price,size,side", ["unknown column 'tpoic'", "no 'topic' column"]),
        ("topic,price,size,side,venue,colour", ["unknown columns 'venue', 'colour'"]),
        ("topic,price,price,size", ["repeated column 'price'"]),
        ("NASDAQ.AAPL,1,1,buy", ["unknown columns 'NASDAQ.AAPL', '1', 'buy'", "no 'topic' column"]),
    ])
    func aBadCSVHeaderIsOneFatalErrorNamingEveryBadColumn(header: String, reasons: [String]) {
        let results = Self.parse([header, "NASDAQ.AAPL,1,1,buy"])
        guard case .failure(let error) = results[0] else {
            Issue.record("header \(header) was accepted")
            return
        }
        #expect(error.isFatal, "a bad header must stop reading: no later line can be parsed")
        for reason in reasons { #expect(error.description.contains(reason), "\(error)") }
    }

    @Test func aByteOrderMarkBeforeTheFirstLineIsSkipped() throws {
        let csv = Self.parse(["\u{FEFF}topic,price,size,side", "NYSE.IBM,1,2,buy"])
        #expect(try csv[1].get() == Self.trade("NYSE.IBM", 100_000_000, 2, .buy, at: Self.fixedNow.nanoseconds))
        // With the mark, auto-detection must still see the '{' of NDJSON.
        let ndjson = Self.parse(["\u{FEFF}" + #"{"topic":"NYSE.IBM","price":1,"size":2,"side":"buy"}"#])
        #expect(try ndjson[0].get() == Self.trade("NYSE.IBM", 100_000_000, 2, .buy, at: Self.fixedNow.nanoseconds))
        // Only at the very start: later, it is part of the data.
        let later = Self.parse(["topic,price,size,side", "\u{FEFF}NYSE.IBM,1,2,buy"])
        #expect(throws: InputError.self) { try later[1].get() }
    }

    @Test func eventTimesFinerThanNanosecondsAreRejectedNotTruncated() throws {
        let exact = Self.parse(["topic,price,size,event_time", "NYSE.IBM,1,2,2026-11-22T14:30:05.123456789Z"])
        #expect(try exact[1].get()?.eventTime == 1_795_357_805_123_456_789)
        let csv = Self.parse(["topic,price,size,event_time", "NYSE.IBM,1,2,2026-11-22T14:30:05.1234567891Z"])
        let ndjson = Self.parse([#"{"topic":"NYSE.IBM","price":1,"size":2,"event_time":"2026-11-22T14:30:05,0000000000+01:00"}"#])
        for result in [csv[1], ndjson[0]] {
            guard case .failure(let error) = result else {
                Issue.record("an over-precise time was accepted: \(result)")
                continue
            }
            #expect(error.description.contains("more than 9 fraction digits"), "\(error)")
        }
    }

    @Test func theFormatCanBeForced() {
        let asCSV = Self.parse([#"{"topic":"NYSE.IBM"}"#], format: .csv)
        #expect(throws: InputError.self) { try asCSV[0].get() }
        let asNDJSON = Self.parse(["topic,price,size"], format: .ndjson)
        #expect(throws: InputError.self) { try asNDJSON[0].get() }
    }
}
