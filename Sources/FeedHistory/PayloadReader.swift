import GRDB
import GRDBSQLite

/// Reads single records out of stored block payloads without loading whole blocks: SQLite's
/// incremental blob I/O (`sqlite3_blob_open`) on `blocks.payload`, moved from row to row with
/// `sqlite3_blob_reopen`.
///
/// Used inside one read transaction by the thread running it, and closed before that
/// transaction ends (``close()``, or `deinit`).
final class PayloadReader {
    private let db: Database
    private var blob: OpaquePointer?
    private var blockID: Int64 = -1
    private var size = 0
    private var buffer: [UInt8] = Array(repeating: 0, count: 512)

    init(_ db: Database) { self.db = db }

    deinit { close() }

    /// Releases the blob handle; the reader opens a new one if used again.
    func close() {
        if let blob { sqlite3_blob_close(blob) }
        blob = nil
        blockID = -1
    }

    /// Bytes read at first for one record: enough for a record with the longest topic and a
    /// quote, so a record usually costs one read.
    static let firstReadBytes = 160

    /// Calls `body` with the topic and body of the record at byte `offset` of block `blockID`.
    func withRecord<T>(
        blockID: Int64, offset: Int,
        _ body: (_ topic: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) throws -> T
    ) throws -> T {
        try move(to: blockID)
        guard offset >= 0, offset + 4 <= size else { throw corrupt("record offset \(offset) outside \(size) bytes") }
        let first = min(size - offset, Self.firstReadBytes)
        try read(count: first, at: offset)
        let topicLength = Int(buffer[0]) | Int(buffer[1]) << 8
        guard 2 + topicLength + 2 <= first || offset + 2 + topicLength + 2 <= size else {
            throw corrupt("record at \(offset) runs past the end")
        }
        if 2 + topicLength + 2 > first { try read(count: 2 + topicLength + 2, at: offset) }
        let bodyLength = Int(buffer[2 + topicLength]) | Int(buffer[3 + topicLength]) << 8
        let total = 2 + topicLength + 2 + bodyLength
        guard offset + total <= size else { throw corrupt("record at \(offset) runs past the end") }
        if total > first { try read(count: total, at: offset) }
        return try buffer.withUnsafeBytes { raw in
            try body(
                UnsafeRawBufferPointer(rebasing: raw[2..<2 + topicLength]),
                UnsafeRawBufferPointer(rebasing: raw[4 + topicLength..<total]))
        }
    }

    private func move(to blockID: Int64) throws {
        if blockID == self.blockID { return }
        let code: Int32
        if let blob {
            code = sqlite3_blob_reopen(blob, blockID)
        } else {
            code = sqlite3_blob_open(db.sqliteConnection, "main", "blocks", "payload", blockID, 0, &blob)
        }
        guard code == SQLITE_OK, let blob else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            close()
            throw StoredBlocks.Corrupt(blockID: blockID, reason: "cannot read its payload: \(message)")
        }
        self.blockID = blockID
        size = Int(sqlite3_blob_bytes(blob))
    }

    private func read(count: Int, at offset: Int) throws {
        if buffer.count < count { buffer = Array(repeating: 0, count: count) }
        let code = buffer.withUnsafeMutableBytes { sqlite3_blob_read(blob, $0.baseAddress, Int32(count), Int32(offset)) }
        guard code == SQLITE_OK else { throw corrupt("read failed (SQLite error \(code))") }
    }

    private func corrupt(_ reason: String) -> StoredBlocks.Corrupt {
        StoredBlocks.Corrupt(blockID: blockID, reason: reason)
    }
}

@available(*, unavailable)
extension PayloadReader: Sendable {}
