import FeedModel
import Foundation
import Testing

@testable import FeedClientKit

/// What `subscribe`, `history` and `snapshot` print: the field set and its spelling are an
/// interface (scripts parse it, `publish` reads it back).
struct OutputFormatTests {
    static let quote = FeedMessage(
        topic: try! Topic("NASDAQ.AAPL"), session: 1_763_821_805, feedSequence: 88, topicSequence: 3,
        eventTime: 1_795_357_805_123_450_112, publishTime: 1_795_357_805_123_456_789,
        payload: .quote(Quote(bidPrice: Price(mantissa: 22_801_000_000), askPrice: Price(mantissa: 22_803_000_000), bidSize: 300, askSize: 1200)))
    static let trade = FeedMessage(
        topic: try! Topic("NYSE.IBM"), session: 1_763_821_805, feedSequence: 89, topicSequence: 7,
        eventTime: -1, publishTime: 5,
        payload: .trade(Trade(price: Price(mantissa: 22_205_000_001), size: 150, aggressor: .sell)))

    @Test func ndjsonHasEveryFieldByNameWithExactPricesAndNanosecondTimes() throws {
        #expect(OutputFormat.ndjson.header == nil)
        #expect(
            OutputFormat.ndjson.line(for: Self.quote)
                == #"{"time":"2026-11-22T14:30:05.123456789Z","topic":"NASDAQ.AAPL","type":"quote","session":1763821805,"seq":88,"topic_seq":3,"bid":228.01,"bid_size":300,"ask":228.03,"ask_size":1200,"event_time":"2026-11-22T14:30:05.123450112Z"}"#
        )
        #expect(
            OutputFormat.ndjson.line(for: Self.trade)
                == #"{"time":"1970-01-01T00:00:00.000000005Z","topic":"NYSE.IBM","type":"trade","session":1763821805,"seq":89,"topic_seq":7,"price":222.05000001,"size":150,"side":"sell","event_time":"1969-12-31T23:59:59.999999999Z"}"#
        )
        // Any JSON parser reads it.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(OutputFormat.ndjson.line(for: Self.trade).utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["time", "topic", "type", "session", "seq", "topic_seq", "price", "size", "side", "event_time"])
    }

    @Test func csvHasAHeaderOfTheFieldNamesAndOneAlignedRowPerMessage() {
        let header = "time,topic,type,session,seq,topic_seq,bid,bid_size,ask,ask_size,price,size,side,event_time"
        #expect(OutputFormat.csv.header == header)
        #expect(
            OutputFormat.csv.line(for: Self.quote)
                == "2026-11-22T14:30:05.123456789Z,NASDAQ.AAPL,quote,1763821805,88,3,228.01,300,228.03,1200,,,,2026-11-22T14:30:05.123450112Z")
        #expect(
            OutputFormat.csv.line(for: Self.trade)
                == "1970-01-01T00:00:00.000000005Z,NYSE.IBM,trade,1763821805,89,7,,,,,222.05000001,150,sell,1969-12-31T23:59:59.999999999Z")
    }

    @Test func csvOutputIsValidPublishInput() throws {
        var parser = InputRecordParser(format: .auto)
        #expect(try parser.parse(line: Substring(OutputFormat.csv.header!)) == nil)
        for message in [Self.quote, Self.trade] {
            let parsed = try #require(try parser.parse(line: Substring(OutputFormat.csv.line(for: message))))
            #expect(parsed.topic == message.topic && parsed.payload == message.payload && parsed.eventTime == message.eventTime)
        }
    }

    @Test func tableColumnsLineUpUnderTheirTitles() {
        let lines = [OutputFormat.table.header!, OutputFormat.table.line(for: Self.quote), OutputFormat.table.line(for: Self.trade)]
        #expect(lines[0] == "TIME                           TOPIC            TYPE         SEQ     TSEQ    BID/PRICE    SIZE     ASK/SIDE    SIZE")
        #expect(lines[1] == "2026-11-22T14:30:05.123456789Z NASDAQ.AAPL      quote         88        3       228.01     300       228.03    1200")
        #expect(lines[2] == "1970-01-01T00:00:00.000000005Z NYSE.IBM         trade         89        7 222.05000001     150         sell")
    }
}
