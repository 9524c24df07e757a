import FeedModel
import Foundation
import GRDB

/// Reads of the block tables shared by queries and snapshots: topics under a prefix, one
/// block's bytes, and the records of stored bytes.
enum StoredBlocks {
    /// Every distinct topic starting with `prefix`, in bytewise order, one index seek per topic.
    static func topics(_ db: Database, prefix: TopicPrefix) throws -> [String] {
        let first: Statement
        let next: Statement
        var arguments: (String) -> StatementArguments
        if let upperBound = prefix.upperBound {
            first = try db.cachedStatement(
                sql: "SELECT topic FROM block_topics WHERE topic >= ? AND topic < ? ORDER BY topic LIMIT 1")
            next = try db.cachedStatement(
                sql: "SELECT topic FROM block_topics WHERE topic > ? AND topic < ? ORDER BY topic LIMIT 1")
            arguments = { [$0, upperBound] }
        } else {
            first = try db.cachedStatement(sql: "SELECT topic FROM block_topics WHERE topic >= ? ORDER BY topic LIMIT 1")
            next = try db.cachedStatement(sql: "SELECT topic FROM block_topics WHERE topic > ? ORDER BY topic LIMIT 1")
            arguments = { [$0] }
        }
        var topics: [String] = []
        var found = try String.fetchOne(first, arguments: arguments(prefix.rawValue))
        while let topic = found {
            topics.append(topic)
            found = try String.fetchOne(next, arguments: arguments(topic))
        }
        return topics
    }

    /// Calls `body` with the stored bytes of block `blockID`; false when there is no such block.
    static func withPayload(
        _ db: Database, blockID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT payload FROM blocks WHERE block_id = ?")
        let rows = try Row.fetchCursor(statement, arguments: [blockID])
        guard let row = try rows.next() else { return false }
        try withBytes(of: row, blockID: blockID, body)
        return true
    }

    /// Calls `body` with the bytes of the blob in `column` of `row`, without copying them.
    static func withBytes(
        of row: Row, column: Int = 0, blockID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try row.withUnsafeData(atIndex: column) { data in
            guard let data else { throw Corrupt(blockID: blockID, reason: "no payload") }
            try data.withUnsafeBytes { try body($0) }
        }
    }

    /// A stored block that cannot be read back: the file was damaged or written by something else.
    struct Corrupt: Error, CustomStringConvertible {
        let blockID: Int64
        let reason: String
        var description: String { "block \(blockID) is corrupt (\(reason))" }
    }
}
