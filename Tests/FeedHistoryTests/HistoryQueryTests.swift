@testable import FeedHistory
import FeedModel
import Testing

/// Queries against a recorded synthetic feed, each compared with a brute-force filter.
struct HistoryQueryTests {
    let feed = SyntheticFeed()

    @Test func roundTripIsByteForByte() throws {
        try feed.withRecordedStore { store in
            var all = MessageBlock()
            for block in feed.blocks { all.append(contentsOf: block) }
            let read = try store.queryAll(HistoryQuery())
            #expect(read.count == feed.messages.count)
            #expect(read == all)
            #expect(try read.decoded() == feed.messages.map(\.message))
            #expect(try store.messageCount() == feed.messages.count)
            // The same through a fresh read-only store.
            let reader = try HistoryStore(path: store.path, readOnly: true)
            #expect(try reader.queryAll(HistoryQuery()) == all)
        }
    }

    @Test(arguments: ["NASDAQ", "NASDAQ.", "NASDAQ.AAPL", "NASDAQ.AAPLX", "NASDAQ.A", "NYSE.BRK.B", "NYSE.BRK", "N", "LSE.VOD", "XETRA", "NYSE.ZZZ", "CBOE"])
    func prefixFilterIsExact(prefix text: String) throws {
        let prefix = try TopicPrefix(text)
        try feed.withRecordedStore { store in
            let expected = feed.expected(HistoryQuery(prefix: prefix))
            let read = try store.queryAll(HistoryQuery(prefix: prefix))
            #expect(read == expected)
            for message in try read.decoded() { #expect(prefix.matches(message.topic.rawValue)) }
            if text == "NYSE.ZZZ" || text == "CBOE" { #expect(read.isEmpty) } else { #expect(!read.isEmpty) }
        }
    }

    @Test func prefixThatIsAWholeTopicAlsoMatchesLongerTopics() throws {
        try feed.withRecordedStore { store in
            let topics = Set(try store.queryAll(HistoryQuery(prefix: try TopicPrefix("NASDAQ.AAPL"))).decoded().map(\.topic.rawValue))
            #expect(topics == ["NASDAQ.AAPL", "NASDAQ.AAPLX"])
        }
    }

    /// Time bounds picked among recorded publish times (inside blocks, at block edges, outside).
    private var timeBounds: [(Timestamp?, Timestamp?)] {
        let times = feed.times.sorted()
        func at(_ fraction: Double) -> Timestamp { Timestamp(nanoseconds: times[Int(Double(times.count - 1) * fraction)]) }
        let first = times.first!
        let last = times.last!
        return [
            (at(0.1), at(0.2)), (at(0.45), at(0.55)), (nil, at(0.3)), (at(0.9), nil),
            (Timestamp(nanoseconds: first), Timestamp(nanoseconds: first + 1)),
            (Timestamp(nanoseconds: last), nil), (Timestamp(nanoseconds: last + 1), nil), (nil, Timestamp(nanoseconds: first)),
            (Timestamp(nanoseconds: first - 1_000), Timestamp(nanoseconds: last + 1_000)),
            (at(0.5), Timestamp(nanoseconds: at(0.5).nanoseconds + 1)),
        ]
    }

    @Test func timeRangeMatchesBruteForce() throws {
        try feed.withRecordedStore { store in
            for (since, until) in timeBounds {
                for prefix in [TopicPrefix.all, try TopicPrefix("NYSE."), try TopicPrefix("NASDAQ.AAPL")] {
                    let query = HistoryQuery(prefix: prefix, since: since, until: until)
                    #expect(try store.queryAll(query) == feed.expected(query), "\(prefix) \(String(describing: since)) \(String(describing: until))")
                }
            }
        }
    }

    @Test func sequenceAndSessionMatchBruteForce() throws {
        try feed.withRecordedStore { store in
            var queries: [HistoryQuery] = []
            for prefix in [TopicPrefix.all, try TopicPrefix("NASDAQ."), try TopicPrefix("LSE.VOD")] {
                for session in [nil, 101, 102, 105, 999] as [UInt32?] {
                    for from in [nil, 1, 2, 350, 699, 700, 701, 5_000] as [UInt64?] {
                        queries.append(HistoryQuery(prefix: prefix, fromSequence: from, session: session))
                    }
                }
            }
            let times = feed.times.sorted()
            queries.append(HistoryQuery(since: Timestamp(nanoseconds: times[1000]), fromSequence: 100, session: 102))
            queries.append(HistoryQuery(until: Timestamp(nanoseconds: times[1500]), session: 103))
            for query in queries {
                #expect(try store.queryAll(query) == feed.expected(query), "\(query)")
            }
            // fromSequence alone means the latest session.
            let latest = try store.queryAll(HistoryQuery(fromSequence: 690)).decoded()
            #expect(latest.map(\.feedSequence) == Array(690...700))
            #expect(latest.allSatisfy { $0.session == 105 })
            // A session alone: that session only, all of it.
            #expect(try store.queryAll(HistoryQuery(session: 102)).count == 700)
        }
    }

    @Test func pagesConcatenateToQueryAll() throws {
        try feed.withRecordedStore { store in
            let times = feed.times.sorted()
            let queries = [
                HistoryQuery(), HistoryQuery(prefix: try TopicPrefix("NYSE.")),
                HistoryQuery(prefix: try TopicPrefix("NASDAQ.AAPL"), since: Timestamp(nanoseconds: times[300])),
                HistoryQuery(prefix: try TopicPrefix("N"), fromSequence: 123, session: 101),
                HistoryQuery(until: Timestamp(nanoseconds: times[900])),
                HistoryQuery(prefix: try TopicPrefix("CBOE")),
            ]
            for query in queries {
                let all = try store.queryAll(query)
                for pageSize in [1, 2, 7, 64, 100_000] {
                    let (paged, pages) = try pageThrough(store, query, pageSize: pageSize)
                    #expect(paged == all, "\(query) page size \(pageSize)")
                    // The cursor points at the next match, so no trailing empty page.
                    #expect(pages == max(1, (all.count + pageSize - 1) / pageSize), "\(query) page size \(pageSize)")
                }
            }
        }
    }

    /// Small segments, so the feed is many indexed segments and a tail: both ways of reading
    /// (the segment index, a scan) give exactly the brute-force answer, page by page.
    @Test(arguments: [SegmentIndexer.Policy(messagesPerSegment: 50, maximumBlocksPerSegment: 3),
        SegmentIndexer.Policy(messagesPerSegment: 400, maximumBlocksPerSegment: 64), .standard])
    func indexAndScanAgreeWithBruteForce(policy: SegmentIndexer.Policy) throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite", readOnly: false, segmentPolicy: policy)
            try feed.record(into: store)
            let times = feed.times.sorted()
            let queries = [
                HistoryQuery(prefix: try TopicPrefix("N")), HistoryQuery(prefix: try TopicPrefix("NYSE.BRK")),
                HistoryQuery(prefix: try TopicPrefix("NASDAQ.AAPL"), since: Timestamp(nanoseconds: times[400]),
                    until: Timestamp(nanoseconds: times[1700])),
                HistoryQuery(prefix: try TopicPrefix("LSE"), fromSequence: 300, session: 102),
                HistoryQuery(prefix: try TopicPrefix("XETRA.SAP"), fromSequence: 30, toSequence: 650),
                HistoryQuery(prefixes: [try TopicPrefix("NYSE.BRK.A"), try TopicPrefix("N.Z"), try TopicPrefix("NYSE.")]),
                HistoryQuery(prefixes: [try TopicPrefix("LSE.VOD"), try TopicPrefix("NASDAQ.MSFT"), try TopicPrefix("CBOE")]),
            ]
            for query in queries {
                let expected = feed.expected(query)
                for strategy in [QueryRun.Strategy.index, .scan, .automatic] {
                    for pageSize in [3, 1_000_000] {
                        var all = MessageBlock()
                        var cursor: HistoryCursor?
                        repeat {
                            let page = try store.query(query, after: cursor, maxMessages: pageSize, strategy: strategy)
                            all.append(contentsOf: page.messages)
                            cursor = page.next
                        } while cursor != nil
                        #expect(all == expected, "\(query) \(strategy) page size \(pageSize)")
                    }
                }
            }
        }
    }

    @Test func pageCursorSurvivesLaterAppends() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            let half = feed.blocks.count / 2
            try store.append(Array(feed.blocks[..<half]))
            let first = try store.query(HistoryQuery(), after: nil, maxMessages: 10)
            try store.append(Array(feed.blocks[half...]))
            let (rest, _) = try pageThrough(store, HistoryQuery(), pageSize: 500, after: first.next)
            var all = first.messages
            all.append(contentsOf: rest)
            #expect(all == feed.expected { _ in true })
        }
    }

    @Test func limitCapsQueryAll() throws {
        try feed.withRecordedStore { store in
            for limit in [0, 1, 5, 333, 1_000_000] {
                for prefix in [TopicPrefix.all, try TopicPrefix("NYSE.BRK")] {
                    let query = HistoryQuery(prefix: prefix, limit: limit)
                    let read = try store.queryAll(query)
                    #expect(read == feed.expected(query))
                    #expect(read.count == min(limit, feed.expected(HistoryQuery(prefix: prefix)).count))
                }
            }
            expectHistoryError(.invalidQuery) { _ = try store.queryAll(HistoryQuery(limit: -1)) }
        }
    }

    /// Damaged blocks inside indexed segments and in the tail, and a damaged segment index: the
    /// snapshot skips the blocks (naming them) and gives each topic its last message outside
    /// them; the damaged index is replaced by reading its segment's blocks.
    @Test func snapshotSkipsDamagedBlocksAndIndexes() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(
                path: folder + "/feed.sqlite", readOnly: false,
                segmentPolicy: SegmentIndexer.Policy(messagesPerSegment: 50, maximumBlocksPerSegment: 3))
            try feed.record(into: store)
            let damaged: Set<Int64> = [5, 21, Int64(feed.blocks.count)]
            try store.pool.write { db in
                for blockID in damaged {
                    try db.execute(sql: "UPDATE blocks SET payload = x'ffff' || substr(payload, 3) WHERE block_id = ?", arguments: [blockID])
                }
                try db.execute(sql: "UPDATE segment_topics SET entries = x'ffffffff' WHERE segment_id = (SELECT min(segment_id) + 2 FROM segments)")
            }
            let times = feed.times.sorted()
            for prefix in [TopicPrefix.all, try TopicPrefix("NASDAQ."), try TopicPrefix("NYSE.BRK.A")] {
                for at in [nil, Timestamp(nanoseconds: times[1049])] {
                    let expected = feed.expectedSnapshot(prefixes: [prefix], at: at, excluding: Set(damaged.map { Int($0) - 1 }))
                    var paged = MessageBlock()
                    var skipped = Set<Int64>()
                    var after: String?
                    repeat {
                        let page = try store.snapshot(prefixes: [prefix], at: at, after: after, maxMessages: 3)
                        paged.append(contentsOf: page.messages)
                        skipped.formUnion(page.skipped.map(\.blockID))
                        after = page.next
                    } while after != nil
                    #expect(paged == expected, "\(prefix) at \(String(describing: at))")
                    #expect(skipped.isSubset(of: damaged), "\(prefix) at \(String(describing: at)): \(skipped)")
                    // Every topic's latest message is looked for in the last block first.
                    if prefix == .all && at == nil { #expect(skipped.contains(Int64(feed.blocks.count)), "\(skipped)") }
                }
            }
        }
    }

    @Test func snapshotMatchesBruteForce() throws {
        try feed.withRecordedStore { store in
            let times = feed.times.sorted()
            let instants: [Timestamp?] = [
                nil, Timestamp(nanoseconds: times[0] - 1), Timestamp(nanoseconds: times[0]), Timestamp(nanoseconds: times[17]),
                Timestamp(nanoseconds: times[1049]), Timestamp(nanoseconds: times[1050] + 1), Timestamp(nanoseconds: times.last!),
            ]
            for prefix in [TopicPrefix.all, try TopicPrefix("NASDAQ."), try TopicPrefix("NASDAQ.AAPL"), try TopicPrefix("CBOE")] {
                for at in instants {
                    let expected = feed.expectedSnapshot(prefixes: [prefix], at: at)
                    #expect(try store.snapshot(prefix: prefix, at: at) == expected, "\(prefix) at \(String(describing: at))")
                    // Page by page, two topics a page.
                    var paged = MessageBlock()
                    var after: String?
                    repeat {
                        let page = try store.snapshot(prefixes: [prefix], at: at, after: after, maxMessages: 2)
                        #expect(page.messages.count <= 2)
                        paged.append(contentsOf: page.messages)
                        after = page.next
                    } while after != nil
                    #expect(paged == expected, "\(prefix) at \(String(describing: at)), paged")
                }
            }
            let prefixes = [try TopicPrefix("NYSE.BRK"), try TopicPrefix("NYSE.BRK.B"), try TopicPrefix("LSE.")]
            #expect(
                try store.snapshot(prefixes: prefixes, at: nil, after: nil, maxMessages: 100).messages
                    == feed.expectedSnapshot(prefixes: prefixes, at: nil))
            #expect(try store.snapshot(prefix: .all, at: nil).count == SyntheticFeed.topicNames.count + 1)
        }
    }

    @Test func emptyTimeRangeIsRejected() throws {
        try feed.withRecordedStore { store in
            let time = Timestamp(nanoseconds: 1_700_000_000_000_000_000)
            for until in [time, Timestamp(nanoseconds: time.nanoseconds - 1)] {
                let error = expectHistoryError(.invalidQuery) {
                    _ = try store.query(HistoryQuery(since: time, until: until), after: nil, maxMessages: 10)
                }
                #expect(error?.description.hasPrefix("empty time range: since \(time) is not before until \(until)") == true)
                expectHistoryError(.invalidQuery) { _ = try store.queryAll(HistoryQuery(since: time, until: until)) }
            }
            expectHistoryError(.invalidQuery) { _ = try store.query(HistoryQuery(), after: nil, maxMessages: 0) }
            expectHistoryError(.invalidQuery) {
                _ = try store.query(HistoryQuery(), after: HistoryCursor(blockID: 1, index: -1), maxMessages: 10)
            }
        }
    }

    @Test func emptyHistoryAnswersEmpty() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            #expect(try store.queryAll(HistoryQuery()).isEmpty)
            #expect(try store.queryAll(HistoryQuery(fromSequence: 1)).isEmpty)
            #expect(try store.queryAll(HistoryQuery(prefix: try TopicPrefix("NYSE."))).isEmpty)
            let page = try store.query(HistoryQuery(session: 3), after: nil, maxMessages: 5)
            #expect(page.messages.isEmpty && page.next == nil)
            #expect(try store.snapshot(prefix: .all, at: nil).isEmpty)
            #expect(try store.messageCount() == 0)
        }
    }
}

/// Pages from `cursor` to the end.
func pageThrough(
    _ store: HistoryStore, _ query: HistoryQuery, pageSize: Int, after cursor: HistoryCursor?
) throws -> (MessageBlock, pages: Int) {
    var all = MessageBlock()
    var cursor = cursor
    var pages = 0
    while let current = cursor {
        let page = try store.query(query, after: current, maxMessages: pageSize)
        pages += 1
        all.append(contentsOf: page.messages)
        cursor = page.next
    }
    return (all, pages)
}
