import FeedModel
import Foundation
import GRDB

extension HistoryStore {
    /// What ``checkHealth()`` looked at.
    public struct HealthReport: Sendable, Equatable {
        /// The file's size in bytes when checked.
        public var fileBytes: Int64
        /// True when SQLite's `PRAGMA quick_check` read the whole file (files up to
        /// ``HistoryStore/fullCheckBytes``); false when only the bounded check ran.
        public var wholeFile: Bool
        /// Blocks read back and parsed message by message.
        public var blocksRead: Int
    }

    /// Files up to this size get the whole check at start: SQLite's `PRAGMA quick_check` over
    /// every page (O(file): 0.16 s for 422 MB here) and every block read back (O(messages);
    /// 6 s for the same 4 M messages in a debug build, BENCHMARKS.md).
    public static let fullCheckBytes: Int64 = 1 << 30
    /// Blocks the bounded check reads, spread evenly over the file, besides the newest ones.
    static let sampledBlocks = 256
    /// Newest segments whose index and blocks the bounded check reads (what recording goes on from).
    static let newestSegmentsChecked = 2

    /// Checks that the history can be read and written on, as the server does at start.
    ///
    /// Rule: a file up to ``fullCheckBytes`` gets `PRAGMA quick_check` (every b-tree page, the
    /// free list, index entries) and every block's messages read back. A larger one, whose whole
    /// check would take seconds or more per GiB, gets a bounded one: `quick_check` of the small tables
    /// (sessions, topics, segments), then the newest ``newestSegmentsChecked`` segments (their
    /// index rows and blocks), every block after them (the tail), and ``sampledBlocks`` blocks
    /// spread evenly over the rest, each read back message by message. Damage elsewhere in a big
    /// file is found when a query reaches it, and that block is skipped with a note.
    ///
    /// - Parameter fullCheckBytes: the size up to which the whole file is checked (tests lower it).
    /// - Throws: ``HistoryError`` of kind ``HistoryError/Kind/damaged`` naming what is damaged.
    public func checkHealth(fullCheckBytes: Int64 = HistoryStore.fullCheckBytes) throws(HistoryError) -> HealthReport {
        let bytes = HistoryFiles.size(of: path) ?? 0
        let whole = bytes <= fullCheckBytes
        let blocksRead: Int = try reading { db in
            let tables = whole ? [nil] : ["sessions", "topics", "segments"]
            for table in tables {
                let pragma = table.map { "PRAGMA quick_check(\($0))" } ?? "PRAGMA quick_check"
                let problems = try String.fetchAll(db, sql: pragma).filter { $0 != "ok" }
                if !problems.isEmpty {
                    throw HistoryError(
                        .damaged, "history \(path) is damaged (\(problems.prefix(3).joined(separator: "; ")))")
                }
            }
            let ids = try whole ? Int64.fetchAll(db, sql: "SELECT block_id FROM blocks ORDER BY block_id") : boundedSample(db)
            for id in ids { try StoredBlocks.verify(db, blockID: id) }
            return ids.count
        }
        return HealthReport(fileBytes: bytes, wholeFile: whole, blocksRead: blocksRead)
    }

    /// The block ids and index rows of the bounded check; reads the newest segments' index rows.
    private func boundedSample(_ db: Database) throws -> [Int64] {
        let newest = try Row.fetchAll(
            db, sql: "SELECT segment_id, first_block_id FROM segments ORDER BY segment_id DESC LIMIT ?",
            arguments: [Self.newestSegmentsChecked])
        for row in newest {
            let segment: Int64 = row[0]
            _ = try Int.fetchOne(db, sql: "SELECT sum(length(entries)) FROM segment_topics WHERE segment_id = ?", arguments: [segment])
        }
        let from: Int64 = newest.last?[1] ?? 0
        var ids = try Int64.fetchAll(db, sql: "SELECT block_id FROM blocks WHERE block_id >= ? ORDER BY block_id", arguments: [from])
        if let low = try Int64.fetchOne(db, sql: "SELECT min(block_id) FROM blocks"), low < from {
            let step = max(1, (from - low) / Int64(Self.sampledBlocks))
            ids += stride(from: low, to: from, by: Int(step)).map { $0 }
        }
        return ids
    }
}

extension StoredBlocks {
    /// Reads block `blockID` back and checks every message of it as the recorder did before
    /// storing it (lengths, header, topic, one session, the count in its row). A missing block
    /// (ids are not always dense) passes.
    static func verify(_ db: Database, blockID: Int64) throws {
        let statement = try db.cachedStatement(sql: "SELECT message_count, payload FROM blocks WHERE block_id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [blockID]) else { return }
        _ = try block(of: row, blockID: blockID)
    }

    /// The block in `row` (columns `message_count`, `payload`), checked message by message.
    static func block(of row: Row, countColumn: Int = 0, payloadColumn: Int = 1, blockID: Int64) throws -> MessageBlock {
        let count: Int = row[countColumn]
        var bytes: [UInt8] = []
        try withBytes(of: row, column: payloadColumn, blockID: blockID) { bytes = Array($0) }
        let block = MessageBlock(bytes: bytes, count: count)
        var dictionary = TopicDictionary()
        do { _ = try BlockSummary(block, number: 0, dictionary: &dictionary) } catch {
            throw Corrupt(blockID: blockID, reason: error.description.replacingOccurrences(of: "; nothing was written", with: ""))
        }
        return block
    }
}
