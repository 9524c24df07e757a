import FeedModel
import GRDB

/// Upgrades a version-1 history file to version 2 in place (`feed-server migrate`).
///
/// Rules:
/// 1. Nothing happens without being asked: a recorder refuses a version-1 file and says to run
///    this; readers read such a file as it is.
/// 2. One transaction: an interrupted migration (a crash, a full disk) leaves the file exactly
///    as it was, still version 1.
/// 3. Message payloads are not touched; the topic dictionary and the segment index are built
///    from them, and the counts are checked before committing: every stored message indexed or
///    in the tail, one dictionary topic per distinct topic of the old `block_topics`.
/// 4. The old `block_topics` table is dropped. Its pages become free pages that later writes
///    reuse; ``migrate(path:vacuum:progress:)`` with `vacuum` gives them back to the file
///    system (a `VACUUM`, which needs free disk space about the size of the file).
public enum HistoryMigration {
    /// How far a migration got.
    public struct Progress: Sendable {
        /// Messages indexed or read so far, of ``totalMessages``.
        public var messages: Int
        public var totalMessages: Int
    }

    /// What a migration did.
    public struct Outcome: Sendable, Equatable {
        /// False when the file was version 2 already (nothing done).
        public var migrated: Bool
        public var messages: Int
        public var blocks: Int
        public var topics: Int
        public var segments: Int
    }

    /// Upgrades the history at `path`; `progress` is called after each segment indexed.
    public static func migrate(
        path: String, vacuum: Bool = false, progress: (Progress) -> Void = { _ in }
    ) throws(HistoryError) -> Outcome {
        guard HistoryFiles.entry(at: path) == .file else {
            throw HistoryError(.cannotOpen, "no history database at \(path)")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: HistoryStore.configuration(readOnly: false))
            let outcome = try pool.write { db in try migrate(db, path: path, progress: progress) }
            if vacuum, outcome.migrated { try pool.vacuum() }
            return outcome
        } catch {
            throw HistoryError.storage(error, path: path)
        }
    }

    private static func migrate(_ db: Database, path: String, progress: (Progress) -> Void) throws -> Outcome {
        let version = try HistorySchema.check(db, path: path)
        let blocks = try Int.fetchOne(db, sql: "SELECT count(*) FROM blocks") ?? 0
        let messages = try Int.fetchOne(db, sql: "SELECT coalesce(sum(message_count), 0) FROM blocks") ?? 0
        let segmentCount = { try Int.fetchOne(db, sql: "SELECT count(*) FROM segments") ?? 0 }
        if version == HistorySchema.version {
            return Outcome(
                migrated: false, messages: messages, blocks: blocks, topics: try TopicIndex.topicCount(db),
                segments: try segmentCount())
        }
        let oldTopics = try Int.fetchOne(db, sql: "SELECT count(DISTINCT topic) FROM block_topics") ?? 0
        try db.execute(sql: HistorySchema.indexTablesSQL)
        var dictionary = TopicDictionary()
        let indexed = try SegmentIndexer(policy: .standard).indexCompleteSegments(db, dictionary: &dictionary) {
            progress(Progress(messages: $0, totalMessages: messages))
        }
        // The tail stays unindexed, as the recorder leaves it; its topics join the dictionary.
        let lastIndexed = try TopicIndex.lastIndexedBlock(db)
        var tailMessages = 0
        let tail = try Row.fetchCursor(db, sql: "SELECT block_id, payload FROM blocks WHERE block_id > ?", arguments: [lastIndexed])
        while let row = try tail.next() {
            let blockID: Int64 = row[0]
            try StoredBlocks.withBytes(of: row, column: 1, blockID: blockID) { raw in
                try StoredBlocks.forEachRecord(in: raw, blockID: blockID) { topic, _, _, _ in
                    _ = dictionary.id(of: topic)
                    tailMessages += 1
                    return true
                }
            }
        }
        try dictionary.insertNew(db)
        progress(Progress(messages: indexed + tailMessages, totalMessages: messages))
        guard indexed + tailMessages == messages else {
            throw HistoryError(
                .storage, "\(path): migration found \(indexed + tailMessages) messages in the blocks, which say \(messages); nothing was changed")
        }
        guard dictionary.count == oldTopics else {
            throw HistoryError(
                .storage, "\(path): migration found \(dictionary.count) topics, block_topics lists \(oldTopics); nothing was changed")
        }
        try db.execute(sql: "DROP TABLE block_topics")
        try db.execute(sql: "PRAGMA user_version = \(HistorySchema.version)")
        return Outcome(migrated: true, messages: messages, blocks: blocks, topics: dictionary.count, segments: try segmentCount())
    }
}
