import FeedModel
import Foundation
import GRDB

extension HistoryStore {
    /// Appends blocks in one transaction: a `blocks` row each (its bytes verbatim), the topics
    /// never seen before, and the index of every segment the new blocks complete.
    ///
    /// Each block holds messages of one session, in feed-sequence order; blocks are appended in
    /// publish order. Empty blocks are skipped. Every block is checked before anything is
    /// written: a malformed one (truncated record, bad header or topic, wrong count, mixed
    /// sessions) throws ``HistoryError`` and nothing is written.
    public func append(_ blocks: [MessageBlock]) throws {
        guard schemaVersion == HistorySchema.version else {
            throw HistoryError(.needsMigration, "\(path) is a version-\(schemaVersion) history opened for reading")
        }
        try dictionary.withLock { (dictionary: inout TopicDictionary?) throws(HistoryError) in
            do {
                try writing { db in
                    if dictionary == nil { dictionary = try TopicDictionary.load(db) }
                    try Self.append(blocks, db, dictionary: &dictionary!, segmentPolicy: segmentPolicy)
                }
            } catch {
                // The transaction rolled back: forget topics it added, reload at the next append.
                dictionary = nil
                throw HistoryError.storage(error, path: path)
            }
        }
    }

    private static func append(
        _ blocks: [MessageBlock], _ db: Database, dictionary: inout TopicDictionary, segmentPolicy: SegmentIndexer.Policy
    ) throws {
        var summaries: [(block: MessageBlock, summary: BlockSummary)] = []
        summaries.reserveCapacity(blocks.count)
        for (number, block) in blocks.enumerated() where !block.isEmpty || !block.bytes.isEmpty {
            if let summary = try BlockSummary(block, number: number, dictionary: &dictionary) {
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
        // Keep the watermarks of earlier blocks true: nothing to do unless the clock stepped back.
        try db.execute(sql: "UPDATE blocks SET time_low_ns = ? WHERE time_low_ns > ?", arguments: [lowest, lowest])
        var highTime = try Int64.fetchOne(db, sql: "SELECT time_high_ns FROM blocks ORDER BY block_id DESC LIMIT 1") ?? .min
        let insertBlock = try db.cachedStatement(
            sql: """
                INSERT INTO blocks (session_id, first_feed_seq, last_feed_seq, first_time_ns, last_time_ns, \
                message_count, time_high_ns, time_low_ns, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (index, (block, summary)) in summaries.enumerated() {
            let range = summary.block
            highTime = max(highTime, range.lastTime)
            // A copy: GRDB keeps a statement's last arguments, so they must own their bytes.
            try insertBlock.execute(arguments: [
                Int64(summary.session), Int64(clamping: range.firstSequence), Int64(clamping: range.lastSequence),
                range.firstTime, range.lastTime, range.count, highTime, lowTimes[index], Data(block.bytes),
            ])
            dictionary.keep(topicIDs: summary.topicIDs, ofBlock: db.lastInsertedRowID)
        }
        try dictionary.insertNew(db)
        _ = try SegmentIndexer(policy: segmentPolicy).indexCompleteSegments(db, dictionary: &dictionary)
    }
}
