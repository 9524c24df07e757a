import FeedModel
import Foundation
import GRDB

/// Reads of the blocks table shared by queries, snapshots and the indexer: one block's bytes,
/// and the bytes of a fetched payload.
enum StoredBlocks {
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

    /// Calls `body` with each record of the stored bytes `raw` of block `blockID`, in order: its
    /// topic, its body, its position in the block and its byte offset; stops when `body` returns
    /// false. A record running past the end is ``Corrupt``.
    @inline(__always)
    static func forEachRecord(
        in raw: UnsafeRawBufferPointer, blockID: Int64,
        _ body: (_ topic: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer, _ index: Int, _ offset: Int) throws -> Bool
    ) throws {
        var records = BlockRecords(raw)
        var index = 0
        var offset = 0
        while let record = try records.next(or: { Corrupt(blockID: blockID, reason: "truncated record at byte \($0.offset)") }) {
            if try !body(record.topic, record.body, index, offset) { return }
            index += 1
            offset = records.nextOffset
        }
    }

    /// A stored block that cannot be read back: the file was damaged or written by something else.
    struct Corrupt: Error, CustomStringConvertible {
        let blockID: Int64
        let reason: String
        var description: String { "block \(blockID) is corrupt (\(reason))" }
    }
}
