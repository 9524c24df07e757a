import FeedModel
import Testing

@testable import FeedServerCore

extension DemoFeed {
    /// The next `count` events, decoded from the topic and body the generator hands out.
    mutating func messages(count: Int) throws -> [FeedMessage] {
        let body = UnsafeMutableRawBufferPointer.allocate(byteCount: WireLayout.maximumBodyLength, alignment: 8)
        defer { body.deallocate() }
        var messages: [FeedMessage] = []
        messages.reserveCapacity(count)
        for index in 0..<count {
            try next(eventTime: Int64(index), into: body) { topic, body in
                messages.append(try FeedMessage(topic: topic, body: UnsafeRawBufferPointer(body)))
            }
        }
        return messages
    }
}

/// The demo generator's market makes sense to someone watching it, over any universe.
struct DemoFeedTests {
    @Test(arguments: [nil, 10_000])
    func tradesExecuteAtTheLastPublishedBidOrAskOfTheirTopic(symbols: Int?) throws {
        var feed = DemoFeed(symbols: symbols.map { DemoSymbols(synthetic: $0, seed: 42) } ?? .listed, seed: 42)
        var lastQuote: [Topic: Quote] = [:]
        var trades = 0
        for message in try feed.messages(count: 20_000) {
            #expect(message.eventTime >= 0 && message.feedSequence == 0 && message.topicSequence == 0)
            switch message.payload {
            case .quote(let quote):
                #expect(quote.bidPrice < quote.askPrice, "crossed or locked quote \(quote) on \(message.topic)")
                lastQuote[message.topic] = quote
            case .trade(let trade):
                trades += 1
                guard let quote = lastQuote[message.topic] else {
                    Issue.record("trade on \(message.topic) before any quote")
                    continue
                }
                let expected = trade.aggressor == .buy ? quote.askPrice : quote.bidPrice
                #expect(trade.price == expected, "\(trade) on \(message.topic) after \(quote)")
            case .heartbeat:
                Issue.record("the generator made a heartbeat")
            }
        }
        #expect(trades > 1_000, "expected trades after first quotes, got \(trades) of 20000")
    }

    @Test func theSameSeedGivesTheSameMessages() throws {
        var first = DemoFeed(symbols: DemoSymbols(synthetic: 50_000, seed: 7), seed: 7)
        var second = DemoFeed(symbols: DemoSymbols(synthetic: 50_000, seed: 7), seed: 7)
        var other = DemoFeed(symbols: DemoSymbols(synthetic: 50_000, seed: 8), seed: 8)
        let messages = try first.messages(count: 5_000)
        #expect(messages == (try second.messages(count: 5_000)))
        #expect(messages.map(\.topic) != (try other.messages(count: 5_000)).map(\.topic))
    }

    /// What a benchmark over many topics needs: every block of messages touches thousands of them.
    @Test func messagesSpreadOverTheWholeUniverse() throws {
        var feed = DemoFeed(symbols: DemoSymbols(synthetic: 10_000, seed: 0x5EED), seed: 0x5EED)
        let messages = try feed.messages(count: 8 * 4096)
        for block in stride(from: 0, to: messages.count, by: 4096) {
            let topics = Set(messages[block..<(block + 4096)].map(\.topic))
            #expect(topics.count > 3_000, "a block of 4096 messages over 10000 symbols holds \(topics.count) topics")
        }
        #expect(Set(messages.map(\.topic)).count > 9_000)
    }
}
