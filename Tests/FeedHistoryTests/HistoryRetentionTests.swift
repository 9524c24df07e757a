@testable import FeedHistory
import FeedModel
import Foundation
import GRDB
import Testing

/// Retention on a real file: the oldest segments go whole, queries answer from what is kept and
/// say what went, the topic dictionary and the index stay consistent, and recording goes on.
struct HistoryRetentionTests {
    /// Segments of about 200 messages, so the synthetic feed (2,100 messages) makes several.
    static let smallSegments = SegmentIndexer.Policy(messagesPerSegment: 200, maximumBlocksPerSegment: 64)

    /// Every message of `feed` in blocks after the first `deletedBlocks`.
    static func kept(_ feed: SyntheticFeed, afterBlocks deletedBlocks: Int) -> MessageBlock {
        var block = MessageBlock()
        for stored in feed.blocks.dropFirst(deletedBlocks) {
            for message in try! stored.decoded() { block.append(message) }
        }
        return block
    }

    @Test func expiringTheOldestSegmentsKeepsQueriesIndexAndDictionaryConsistent() throws {
        let feed = SyntheticFeed()
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite", readOnly: false, segmentPolicy: Self.smallSegments)
            try feed.record(into: store)
            let topicsBefore = try store.reading { db in try TopicIndex.topicCount(db) }
            #expect(try store.expiry(of: HistoryQuery()) == nil, "nothing expired yet")
            #expect(try store.expireOldestSegment(RetentionPolicy(), now: .now()) == nil, "no policy, nothing deleted")
            let generous = RetentionPolicy(maximumAge: 1_000_000_000_000_000_000, maximumBytes: 1 << 40)
            #expect(try store.expireOldestSegment(generous, now: .now()) == nil, "within both limits, nothing deleted")

            // Two segments over the size limit go, one per call.
            let tooBig = RetentionPolicy(maximumBytes: 1)
            let first = try #require(try store.expireOldestSegment(tooBig, now: .now()))
            let second = try #require(try store.expireOldestSegment(tooBig, now: .now()))
            let deletedBlocks = first.blocks + second.blocks
            let deletedMessages = first.messages + second.messages
            #expect(deletedMessages == feed.blocks.prefix(deletedBlocks).reduce(0) { $0 + $1.count })

            // What is kept reads the same by scan and by index, and is exactly the later blocks.
            let kept = Self.kept(feed, afterBlocks: deletedBlocks)
            #expect(try store.queryAll(HistoryQuery()).bytes == kept.bytes)
            for prefix in ["NASDAQ.AAPL", "NYSE.", "N"] {
                let query = HistoryQuery(prefix: try TopicPrefix(prefix))
                let byScan = try store.query(query, after: nil, maxMessages: 10_000, strategy: .scan).messages
                let byIndex = try store.query(query, after: nil, maxMessages: 10_000, strategy: .index).messages
                #expect(byScan.bytes == byIndex.bytes, "\(prefix)")
                #expect(try byScan.decoded().allSatisfy { $0.topic.rawValue.hasPrefix(prefix) })
            }
            // Topics whose messages all went stay in the dictionary; the index names only kept segments.
            #expect(try store.reading { db in try TopicIndex.topicCount(db) } == topicsBefore)
            let orphans = try store.reading { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM segment_topics WHERE segment_id NOT IN (SELECT segment_id FROM segments)")
            }
            #expect(orphans == 0)

            // A query from the start is told where the history starts now; one after what went is not.
            let keptMessages = try kept.decoded()
            let expiry = try #require(try store.expiry(of: HistoryQuery()))
            #expect(expiry.retainedFrom == (try feed.blocks[deletedBlocks].decoded().map(\.publishTime).min()))
            #expect(try store.expiry(of: HistoryQuery(since: Timestamp(nanoseconds: max(first.throughTime, second.throughTime) + 1))) == nil)
            // A query of no one session names the sessions that lost messages and through which feed sequence.
            let deleted = try feed.blocks.prefix(deletedBlocks).flatMap { try $0.decoded() }
            let lost = Dictionary(grouping: deleted, by: \.session).mapValues { $0.map(\.feedSequence).max()! }
            #expect(
                expiry.expiredSessions
                    == lost.keys.sorted().map { ExpiredSession(session: $0, expiredThroughSequence: lost[$0]!) })
            // By sequence: the session that lost its beginning says through where; later sequences and other sessions do not.
            let session = SyntheticFeed.sessions[0]
            let bySequence = try #require(try store.expiry(of: HistoryQuery(fromSequence: 1, session: session)))
            let through = try #require(bySequence.expiredThroughSequence)
            #expect(bySequence.session == session)
            #expect(keptMessages.first { $0.session == session }.map { $0.feedSequence == through + 1 } ?? true)
            #expect(try store.expiry(of: HistoryQuery(fromSequence: through + 1, session: session)) == nil)
            #expect(try store.expiry(of: HistoryQuery(session: SyntheticFeed.sessions[2])) == nil)

            let range = try store.retainedRange()
            #expect(range.expiredMessages == UInt64(deletedMessages))
            #expect(range.firstTime == expiry.retainedFrom)

            // Recording goes on into the same file: new blocks, topics looked up in the dictionary kept.
            let more = SyntheticFeed(seed: 9, messagesPerSession: 100)
            let later = more.blocks.map { block in
                var shifted = MessageBlock()
                for message in try! block.decoded() {
                    var message = message
                    message.session += 1000
                    shifted.append(message)
                }
                return shifted
            }
            try store.append(later)
            #expect(try store.queryAll(HistoryQuery()).count == kept.count + later.reduce(0) { $0 + $1.count })
            #expect(try store.reading { db in try TopicIndex.topicCount(db) } == topicsBefore)
        }
    }

    @Test func boundedCheckReadsTheNewestSegmentsAndTailWholeCheckEveryBlock() throws {
        let feed = SyntheticFeed()
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite", readOnly: false, segmentPolicy: Self.smallSegments)
            try feed.record(into: store)
            let whole = try store.checkHealth()
            #expect(whole.wholeFile && whole.blocksRead == feed.blocks.count)
            let bounded = try store.checkHealth(fullCheckBytes: 0)
            // Few blocks: the newest segments, the tail and the 256-block sample cover them all.
            #expect(!bounded.wholeFile && bounded.blocksRead >= feed.blocks.count)

            // A damaged block in the tail is found by both; damage SQLite cannot see (a record
            // running past its block) is found by reading the block back.
            let last = Int64(feed.blocks.count)
            try store.writing { db in
                try db.execute(sql: "UPDATE blocks SET payload = x'ffff' || substr(payload, 3) WHERE block_id = ?", arguments: [last])
            }
            for limit in [HistoryStore.fullCheckBytes, 0] {
                let error = expectHistoryError(.damaged) { _ = try store.checkHealth(fullCheckBytes: limit) }
                #expect(error?.description.contains("block \(last) is corrupt") == true, "\(String(describing: error))")
            }
        }
    }
}
