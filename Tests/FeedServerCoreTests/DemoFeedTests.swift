import FeedModel
import Testing

@testable import FeedServerCore

/// The demo generator's market makes sense to someone watching it.
struct DemoFeedTests {
    @Test func tradesExecuteAtTheLastPublishedBidOrAskOfTheirTopic() {
        var feed = DemoFeed(seed: 42)
        var lastQuote: [Topic: Quote] = [:]
        var trades = 0
        for index in 0..<20_000 {
            let message = feed.next(eventTime: Int64(index))
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
        #expect(trades > 2_000, "expected about one trade in five, got \(trades) of 20000")
    }
}
