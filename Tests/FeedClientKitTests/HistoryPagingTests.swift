import FeedModel
import Testing

@testable import FeedClientKit

/// The replay protocol keeps no state between pages: a client paging with a limit asks each
/// page for what it still wants, and never for a page larger than that.
struct HistoryPagingTests {
    /// A history of `count` trades on one topic that records what each page request asked for,
    /// and answers like the replay service: a page of at most `maxMessages` and the request's
    /// limit (unless `ignoresLimit`, as servers before limits were honoured), `next` absent when
    /// the history or the limit ends it.
    final class RecordingSource: HistorySource {
        let count: Int
        let ignoresLimit: Bool
        private(set) var asked: [(limit: Int?, maxMessages: Int)] = []

        init(count: Int, ignoresLimit: Bool = false) {
            self.count = count
            self.ignoresLimit = ignoresLimit
        }

        func page(_ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage {
            asked.append((query.limit, maxMessages))
            let start = cursor?.index ?? 0
            let size = min(maxMessages, count - start, ignoresLimit ? .max : query.limit ?? .max)
            var block = MessageBlock()
            for index in start..<start + size {
                block.append(
                    FeedMessage(
                        topic: try Topic("NYSE.IBM"), session: 1, feedSequence: UInt64(index + 1),
                        topicSequence: UInt64(index + 1), eventTime: 1, publishTime: 1,
                        payload: .trade(Trade(price: Price(mantissa: 1), size: 1, aggressor: .buy))))
            }
            let end = start + size
            let complete = end == count || (!ignoresLimit && size == query.limit)
            return HistoryPage(messages: block, next: complete ? nil : HistoryCursor(blockID: 0, index: end))
        }

        func snapshot(prefixes: [TopicPrefix], at: Timestamp?, after: String?, maxMessages: Int) throws -> SnapshotPage {
            SnapshotPage(messages: MessageBlock(), next: nil)
        }
    }

    @Test(arguments: [false, true])
    func eachPageAsksForTheRemainder(ignoresLimit: Bool) throws {
        let source = RecordingSource(count: 1000, ignoresLimit: ignoresLimit)
        var received: [UInt64] = []
        try source.forEachPage(HistoryQuery(limit: 100), pageSize: 40) { block in
            received += try block.decoded().map(\.feedSequence)
            return true
        }
        #expect(received == Array(1...100))
        #expect(source.asked.map(\.limit) == [100, 60, 20])
        #expect(source.asked.map(\.maxMessages) == [40, 40, 20])
    }

    @Test func aStreamAsksForTheRemainderAndStopsAtTheLimit() throws {
        let source = RecordingSource(count: 1000, ignoresLimit: true)
        var stream = HistoryStream(source: source, query: HistoryQuery(limit: 90), pageSize: 40)
        var received = 0
        while try stream.next() != nil { received += 1 }
        #expect(received == 90)
        #expect(source.asked.map(\.limit) == [90, 50, 10])
    }

    @Test func withoutALimitPagesFollowNextToTheEnd() throws {
        let source = RecordingSource(count: 100)
        var received = 0
        try source.forEachPage(HistoryQuery(), pageSize: 40) { block in
            received += block.count
            return true
        }
        #expect(received == 100)
        #expect(source.asked.map(\.maxMessages) == [40, 40, 40] && source.asked.allSatisfy { $0.limit == nil })
    }
}
