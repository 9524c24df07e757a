import FeedModel
import Foundation
import GRDB

extension HistoryStore {
    /// Appends blocks in one transaction: a `blocks` row each (its bytes verbatim) and a
    /// `block_topics` row per topic in it, computed by reading every message header.
    ///
    /// Each block holds messages of one session, in feed-sequence order; blocks are appended in
    /// publish order. Empty blocks are skipped. Every block is checked before anything is
    /// written: a malformed one (truncated record, bad header or topic, wrong count, mixed
    /// sessions) throws ``HistoryError`` and nothing is written.
    public func append(_ blocks: [MessageBlock]) throws {
        var table = TopicTable()
        var summaries: [(block: MessageBlock, summary: BlockSummary)] = []
        summaries.reserveCapacity(blocks.count)
        for (number, block) in blocks.enumerated() where !block.isEmpty || !block.bytes.isEmpty {
            if let summary = try BlockSummary(block, number: number, table: &table) {
                summaries.append((block, summary))
            }
        }
        guard !summaries.isEmpty else { return }
        try writing { db in
            let insertBlock = try db.cachedStatement(
                sql: """
                    INSERT INTO blocks (session_id, first_feed_seq, last_feed_seq, first_time_ns, last_time_ns, \
                    message_count, payload) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            let insertTopic = try db.cachedStatement(
                sql: """
                    INSERT INTO block_topics (topic, block_id, first_topic_seq, last_topic_seq, first_time_ns, \
                    last_time_ns, message_count) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for (block, summary) in summaries {
                let range = summary.block
                try block.bytes.withUnsafeBytes { raw in
                    // Borrow the bytes: SQLite copies them when binding.
                    let payload = Data(
                        bytesNoCopy: UnsafeMutableRawPointer(mutating: raw.baseAddress!), count: raw.count,
                        deallocator: .none)
                    try insertBlock.execute(arguments: [
                        Int64(summary.session), Int64(clamping: range.firstSequence), Int64(clamping: range.lastSequence),
                        range.firstTime, range.lastTime, range.count, payload,
                    ])
                }
                let blockID = db.lastInsertedRowID
                for row in summary.topics {
                    try insertTopic.execute(arguments: [
                        row.topic, blockID, Int64(clamping: row.range.firstSequence),
                        Int64(clamping: row.range.lastSequence), row.range.firstTime, row.range.lastTime, row.range.count,
                    ])
                }
            }
        }
    }
}
