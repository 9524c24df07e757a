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
        // time_low_ns of each new block: the lowest first time of it and the blocks after it in the batch.
        var lowTimes = [Int64](repeating: 0, count: summaries.count)
        var lowest = Int64.max
        for index in summaries.indices.reversed() {
            lowest = min(lowest, summaries[index].summary.block.firstTime)
            lowTimes[index] = lowest
        }
        try writing { db in
            // Keep the watermarks of earlier blocks true: nothing to do unless the clock stepped back.
            try db.execute(sql: "UPDATE blocks SET time_low_ns = ? WHERE time_low_ns > ?", arguments: [lowest, lowest])
            var highTime =
                try Int64.fetchOne(db, sql: "SELECT time_high_ns FROM blocks ORDER BY block_id DESC LIMIT 1") ?? .min
            let insertBlock = try db.cachedStatement(
                sql: """
                    INSERT INTO blocks (session_id, first_feed_seq, last_feed_seq, first_time_ns, last_time_ns, \
                    message_count, time_high_ns, time_low_ns, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let insertTopic = try db.cachedStatement(
                sql: """
                    INSERT INTO block_topics (topic, block_id, first_topic_seq, last_topic_seq, first_time_ns, \
                    last_time_ns, message_count) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for (index, (block, summary)) in summaries.enumerated() {
                let range = summary.block
                highTime = max(highTime, range.lastTime)
                // A copy: GRDB keeps a statement's last arguments, so they must own their bytes.
                try insertBlock.execute(arguments: [
                    Int64(summary.session), Int64(clamping: range.firstSequence), Int64(clamping: range.lastSequence),
                    range.firstTime, range.lastTime, range.count, highTime, lowTimes[index], Data(block.bytes),
                ])
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
