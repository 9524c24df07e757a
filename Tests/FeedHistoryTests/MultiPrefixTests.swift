@testable import FeedHistory
import FeedModel
import Testing

/// Queries and snapshots of several prefixes at once, and snapshots a page at a time, each
/// compared with a brute-force filter of the recorded synthetic feed.
struct MultiPrefixTests {
    let feed = SyntheticFeed()

    /// Hand-picked lists (overlapping, repeated, everything among others, matching nothing)
    /// and random ones drawn from every prefix of the recorded topics and some that match nothing.
    private static func prefixLists() throws -> [[TopicPrefix]] {
        let picked: [[String]] = [
            ["NASDAQ.", "NASDAQ.AAPL"], ["NASDAQ.AAPL", "NASDAQ.AAPLX"], ["NYSE.BRK", "LSE", "N.Z"], ["", "NYSE."],
            ["CBOE", "NYSE.ZZZ"], ["NASDAQ.AAPL", "NASDAQ.AAPL"], ["N", "NASDAQ.A", "NYSE.IBM"], ["XETRA.SAP", "NASDAQ.MSFT", "LSE.VOD"],
        ]
        var candidates = Set(["CBOE.X", "NASDAQ.B", "NYSE.C", "ZZ"])
        for topic in SyntheticFeed.topicNames {
            for length in 1...topic.count { candidates.insert(String(topic.prefix(length))) }
        }
        let sorted = candidates.sorted()
        var random = SeededGenerator(seed: 42)
        let drawn = (0..<60).map { _ in (0..<Int.random(in: 1...12, using: &random)).map { _ in sorted.randomElement(using: &random)! } }
        return try (picked + drawn).map { try $0.map(TopicPrefix.init) }
    }

    @Test func severalPrefixesGiveTheirUnionOnceInPublishOrder() throws {
        let times = feed.times.sorted()
        try feed.withRecordedStore { store in
            for prefixes in try Self.prefixLists() {
                let queries = [
                    HistoryQuery(prefixes: prefixes),
                    HistoryQuery(prefixes: prefixes, since: Timestamp(nanoseconds: times[500]), until: Timestamp(nanoseconds: times[1600])),
                    HistoryQuery(prefixes: prefixes, fromSequence: 100, session: 102),
                ]
                for query in queries {
                    let expected = feed.expected(query)
                    #expect(try store.queryAll(query) == expected, "\(prefixes)")
                    #expect(try pageThrough(store, query, pageSize: 7).0 == expected, "\(prefixes) in pages")
                }
            }
        }
    }

    /// Both ways of reading (the topic index, a scan of the blocks), small segments so the feed is
    /// many of them and a tail.
    @Test(arguments: [QueryRun.Strategy.index, .scan])
    func severalPrefixesReadEitherWay(strategy: QueryRun.Strategy) throws {
        try withTemporaryFolder { folder in
            let policy = SegmentIndexer.Policy(messagesPerSegment: 100, maximumBlocksPerSegment: 5)
            let store = try HistoryStore(path: folder + "/feed.sqlite", readOnly: false, segmentPolicy: policy)
            try feed.record(into: store)
            for prefixes in try Self.prefixLists() {
                let query = HistoryQuery(prefixes: prefixes)
                var all = MessageBlock()
                var cursor: HistoryCursor?
                repeat {
                    let page = try store.query(query, after: cursor, maxMessages: 5, strategy: strategy)
                    all.append(contentsOf: page.messages)
                    cursor = page.next
                } while cursor != nil
                #expect(all == feed.expected(query), "\(prefixes)")
            }
        }
    }

    @Test func anEmptyPrefixListIsAnInvalidQuery() throws {
        try feed.withRecordedStore { store in
            for error in [
                expectHistoryError(.invalidQuery) { _ = try store.queryAll(HistoryQuery(prefixes: [])) },
                expectHistoryError(.invalidQuery) { _ = try store.query(HistoryQuery(prefixes: []), after: nil, maxMessages: 5) },
                expectHistoryError(.invalidQuery) { _ = try store.snapshot(prefixes: [], at: nil, after: nil, maxMessages: 5) },
            ] {
                #expect(error?.description.contains("no topic prefix given") == true)
            }
            expectHistoryError(.invalidQuery) { _ = try store.snapshot(prefixes: [.all], at: nil, after: nil, maxMessages: 0) }
        }
    }

    @Test func snapshotPagesConcatenateToTheWholeSnapshot() throws {
        let times = feed.times.sorted()
        let instants: [Timestamp?] = [nil, Timestamp(nanoseconds: times[0] - 1), Timestamp(nanoseconds: times[900])]
        try feed.withRecordedStore { store in
            for prefixes in try Self.prefixLists() {
                for at in instants {
                    let expected = feed.expectedSnapshot(prefixes: prefixes, at: at)
                    for pageSize in [1, 2, 3, 100] {
                        var all = MessageBlock()
                        var after: String?
                        var pages = 0
                        repeat {
                            let page = try store.snapshot(prefixes: prefixes, at: at, after: after, maxMessages: pageSize)
                            pages += 1
                            #expect(page.messages.count <= pageSize)
                            if let next = page.next {
                                // Full, and continued after its own last topic.
                                #expect(page.messages.count == pageSize)
                                #expect(try page.messages.decoded().last?.topic.rawValue == next)
                            }
                            all.append(contentsOf: page.messages)
                            after = page.next
                        } while after != nil && pages <= 100
                        #expect(all == expected, "\(prefixes) at \(String(describing: at)) page size \(pageSize)")
                        // The last page is never empty unless the whole snapshot is.
                        #expect(pages == max(1, (expected.count + pageSize - 1) / pageSize), "\(prefixes) page size \(pageSize)")
                    }
                }
            }
        }
    }

    /// Topics come in the order the history first saw them; a page after a topic holds the
    /// topics after it in that order, and a cursor that is no topic of the history is refused.
    @Test func snapshotAfterATopicHoldsTheTopicsSeenAfterIt() throws {
        try feed.withRecordedStore { store in
            let everything = try store.snapshot(prefix: .all, at: nil).decoded()
            for (position, message) in everything.enumerated() {
                let page = try store.snapshot(prefixes: [.all], at: nil, after: message.topic.rawValue, maxMessages: 1000)
                #expect(page.next == nil)
                #expect(try page.messages.decoded() == Array(everything[(position + 1)...]), "after \(message.topic)")
            }
            for unknown in ["NASDAQ.B", "ZZZ.Z", "N", ""] {
                let error = expectHistoryError(.invalidQuery) {
                    _ = try store.snapshot(prefixes: [.all], at: nil, after: unknown, maxMessages: 10)
                }
                #expect(error?.description.contains("not a topic of this history") == true)
            }
        }
    }
}
