import FeedHistory
import FeedModel
import Testing

/// Queries bounded by feed sequence on both sides (a gap repair's window), against brute force.
struct HistorySequenceBoundTests {
    let feed = SyntheticFeed()

    @Test func sequenceWindowMatchesBruteForceAndEndsAtItsBound() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            try feed.record(into: store)
            let session = SyntheticFeed.sessions[1]
            for prefix in [TopicPrefix.all, try TopicPrefix("NASDAQ."), try TopicPrefix("NYSE.IBM")] {
                for (from, to) in [(1, 1), (5, 5), (40, 90), (1, 700), (650, 10_000), (700, 700)] as [(UInt64, UInt64)] {
                    let query = HistoryQuery(prefix: prefix, fromSequence: from, toSequence: to, session: session)
                    let expected = feed.expected { recorded in
                        let message = recorded.message
                        return recorded.topic.starts(with: prefix.rawValue.utf8) && message.session == session
                            && message.feedSequence >= from && message.feedSequence <= to
                    }
                    #expect(try store.queryAll(query) == expected, "\(prefix) \(from)...\(to)")
                    // Paged: the page that reaches past the bound is the last one.
                    let (paged, _) = try pageThrough(store, query, pageSize: 7)
                    #expect(paged == expected, "\(prefix) \(from)...\(to) paged")
                }
            }
            // Without a session, the bound applies to the latest one, like fromSequence.
            let latest = SyntheticFeed.sessions.last!
            let read = try store.queryAll(HistoryQuery(toSequence: 10)).decoded()
            #expect(!read.isEmpty && read.allSatisfy { $0.session == latest && $0.feedSequence <= 10 })
        }
    }

    @Test func aWindowOfOneMessageReadsOnePage() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            try feed.record(into: store)
            let session = SyntheticFeed.sessions[0]
            // A full page size, as a careless repair would ask: the bound alone ends the answer.
            let page = try store.query(
                HistoryQuery(fromSequence: 300, toSequence: 300, session: session), after: nil, maxMessages: 10_000)
            #expect(page.messages.count == 1)
            #expect(page.next == nil)
            #expect(try page.messages.decoded().first?.feedSequence == 300)
        }
    }

    @Test func invertedSequenceRangeIsAClearError() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            let error = expectHistoryError(.invalidQuery) {
                _ = try store.queryAll(HistoryQuery(fromSequence: 10, toSequence: 9))
            }
            #expect(error?.description.contains("empty sequence range") == true)
        }
    }
}
